"""results (the dict bench.run builds) -> the Markdown table for bench/results/latest.md and the README."""

from __future__ import annotations

from typing import Any


def _ok(flag: bool | None) -> str:
    return "n/a" if flag is None else ("**met**" if flag else "**missed**")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return out + [""]


def machine_section(m: dict[str, Any]) -> list[str]:
    rows = [["CPU", m["cpu"]], ["cores", m["cores"]], ["RAM", f"{m['ram_gb']} GB"], ["Python", m["python"]],
            ["OS", m["os"]], ["date", m["date"]], ["commit", m["commit"]],
            ["load average (1/5/15 min) at start", " / ".join(map(str, m["load_average_at_start"]))],
            ["load average at end", " / ".join(map(str, m.get("load_average_at_end", [])))]]
    if "postgres" in m:
        pg = m["postgres"]
        rows.append(["PostgreSQL", f"{pg['server_version']}, fsync={pg['fsync']}, "
                                   f"synchronous_commit={pg['synchronous_commit']}, "
                                   f"shared_buffers={pg['shared_buffers']}"])
    return ["## Machine", "", *_table(["", ""], rows)]


def extraction_section(x: dict[str, Any]) -> list[str]:
    rows = [[side, x[side]["reports"], x[side]["words"], x[side]["reports_per_s"], x[side]["words_per_s"],
             x[side]["load_s"], x[side]["peak_rss_mb"]] for side in ("stock", "bare", "ours") if side in x]
    t = x["targets"]
    stock = (f" Ours against stock spaCy (`spacy.load` defaults: blis kernels, Matcher attribute ruler): "
             f"**{x['ratio_to_stock']}x**." if "ratio_to_stock" in x else "")
    return ["## 1. Extraction: our pipeline vs bare spaCy `nlp.pipe`", "",
            f"{x['generated_reports']} generated reports (300-1,200 words) + the bundled samples, "
            f"same texts, batch 16, each side in its own process; bare and ours share `load_nlp()`'s "
            f"pipeline, "
            f"best of {len(x['rounds']['bare'])} "
            f"alternating rounds. Extractor: `{x['ours'].get('extractor_version', '?')}`.", "",
            *_table(["side", "reports", "words", "reports/s", "words/s", "model load s", "peak RSS MB"],
                    rows),
            f"Ratio ours/bare: **{x['ratio']}x** (target >= 0.6x: {_ok(t['ratio >= 0.6'])}); "
            f"our peak RSS {x['ours']['peak_rss_mb']} MB (target < 800 MB: "
            f"{_ok(t['ours peak RSS < 800 MB'])}).{stock}", ""]


def ingest_section(x: dict[str, Any]) -> list[str]:
    rows = [[r["backend"], f"{r['executor']} x{r['workers']}", r["reports"], r["seconds"], r["reports_per_s"],
             r["steady_reports_per_s"], r["startup_s"], r["tree_peak_rss_mb"], r["near_duplicates"],
             r["rejected"], " / ".join(map(str, r["load_average"]))] for r in x["rows"]]
    lines = ["## 2. Ingest end to end", "",
             f"N = {x['reports']:,} reports of {x['words'][0]}-{x['words'][1]} words "
             "(about 10 % near-duplicates), "
             "dated-text files, `ingest()` into a fresh store per row. Wall rate includes worker start-up "
             "(spaCy load per worker); steady rate is from a quarter of the reports done to the last.", "",
             *_table(["store", "extraction", "reports", "wall s", "reports/s (wall)", "reports/s (steady)",
                      "start-up s", "peak RSS MB (tree)", "near-dups", "rejected", "load avg after"], rows)]
    best = max((r["steady_reports_per_s"] or 0 for r in x["rows"]), default=0)
    lines.append(f"Best steady rate {best} reports/s (target >= 10 on two cores: {_ok(best >= 10)}).")
    for backend, s in sorted(x["speedups"].items()):
        steady = s["steady"]
        lines.append(f"{backend}: 2 workers / 1 = {s['wall']}x wall, {steady}x steady "
                     f"(target >= 1.7x: {_ok(steady is not None and steady >= 1.7)}).")
    return [*lines, ""]


def queries_section(x: dict[str, Any]) -> list[str]:
    names = {"events_date_range_and_box": "events in a 30-day window + the capital's box (`WebData.events`)",
             "events_typed_date_range_and_box": "the same with 2 event types (`WebData.events`)",
             "full_text_search": "full-text search, first 20 hits (`Store.search`)",
             "full_text_search_dated":
                 "reports page: search within a 180-day window, 50 hits (`WebData.reports`)"}
    rows = []
    for r in x["rows"]:
        for key, label in names.items():
            t = r["timings"].get(key)
            if t is None:  # a results file from before the query was measured
                continue
            rows.append([r["backend"], label, t["p50_ms"], t["p95_ms"], t["n"], _ok(t["p95_ms"] < 100)])
    lines = ["## 3. Dashboard queries on a store of {:,} events".format(x["events"]), "",
             "Rows bulk-loaded into the store's own tables (migrations, then COPY / executemany; secondary "
             "event indexes built after the load; ANALYZE). Reports: "
             + ", ".join(f"{r['backend']} {r['reports']:,} reports / {r['counts']['events']:,} events "
                         f"(load {r['load_s']} s + indexes {r['index_s']} s)" for r in x["rows"]) + ".", "",
             *_table(["store", "query", "p50 ms", "p95 ms", "runs", "p95 < 100 ms"], rows),
             "<details><summary>Query plans</summary>", ""]
    for r in x["rows"]:
        lines.append(f"**{r['backend']}**")
        lines.append("")
        lines.append("```")
        for name, plan in r["plans"].items():
            lines.append(f"-- {name}")
            lines += [f"   {step}" for step in plan]
        lines += ["```", ""]
    return [*lines, "</details>", ""]


def memory_section(x: dict[str, Any]) -> list[str]:
    e = x["estimate"]
    projected = e.get("projected_peak_mb")
    rows = [[f"{x['reports']:,}", f"{x['backend']}, local x{x['workers']}", x["tree_peak_rss_mb"],
             x["self_peak_rss_mb"], x["workers_peak_rss_mb"], e.get("slope_mb_per_1000"), projected,
             _ok(projected < 1536 if projected is not None else None)]]
    points = x["rss_by_reports"]
    samples = ", ".join(f"{n}: {mb}" for n, mb in points[:: max(1, len(points) // 8)])
    return ["## 4. Memory of a long ingest", "",
            *_table(["N reports", "run", "peak RSS MB (whole tree)", "parent VmHWM MB", "largest worker MB",
                     "slope MB / 1,000 reports (2nd half)", "projected peak at 100,000 MB",
                     "target < 1.5 GB"], rows),
            f"Tree RSS (MB) by reports done: {samples}. The projection is linear from this run's second "
            f"half; only a run with `--memory-reports 100000` measures 100,000 directly. Each original "
            f"report names {x.get('new_words', 0)} people never seen before (an open vocabulary, as in a "
            f"real archive); reports of {'-'.join(str(w) for w in x.get('words', (550, 650)))} words.",
            ""]


def picture_section(x: dict[str, Any]) -> list[str]:
    rows = []
    for r in x["rows"]:
        start, dates = r["startup"], r["random_dates"]
        after = r["today_after_one_report"]
        rows.append([r["backend"], f"{r['reports']:,}", f"{r['events']:,}",
                     f"{start['total_wall_s']} ({start['total_cpu_s']})",
                     f"{dates['p50_wall_s'] * 1000:.0f} ({dates['p50_cpu_s'] * 1000:.0f})",
                     f"{dates['p95_wall_s'] * 1000:.0f} ({dates['p95_cpu_s'] * 1000:.0f})",
                     f"{after['wall_s'] * 1000:.0f} ({after['cpu_s'] * 1000:.0f})",
                     r["tree_peak_rss_mb"], _ok(dates["p95_wall_s"] < 0.1),
                     " / ".join(str(v) for v in r["load_average"])])
    return ["## 5. The mission picture as of a date (`/api/picture`, bench/picture.py)", "",
            "A store of synthetic reports with their contributions cached; start-up is one `MissionService` "
            "reading, merging and indexing them (the web server's warm-up); then the `/api/picture` handler "
            "plus JSON for random as-of dates over the whole span, and for today after one new report. "
            "Wall (CPU).", "",
            *_table(["store", "reports", "events", "start-up s", "per date p50 ms", "per date p95 ms",
                     "today after 1 new report ms", "peak RSS MB", "p95 < 100 ms", "load after"], rows)]


def mission_section(x: dict[str, Any]) -> list[str]:
    if "skipped" in x:
        return ["## Mission picture (bench/bench_mission.py)", "", x["skipped"], ""]
    return ["## Mission picture, incremental (bench/bench_mission.py)", "",
            f"`bench/bench_mission.py --reports {x['reports']:,}` (exit {x['exit']}):", "", "```",
            x["output"] or x.get("stderr_tail", ""), "```", ""]


def markdown(results: dict[str, Any]) -> str:
    lines = ["# Benchmark results", "",
             "Written by `make bench` (`python -m bench.run`); the raw numbers are in `latest.json`. "
             "The machine is shared: read the load averages beside the numbers.", ""]
    lines += machine_section(results["machine"])
    sections = (("extraction", extraction_section), ("ingest", ingest_section), ("queries", queries_section),
                ("memory", memory_section), ("mission", mission_section), ("picture", picture_section))
    for key, render in sections:
        if key in results:
            lines += render(results[key])
    return "\n".join(lines) + "\n"
