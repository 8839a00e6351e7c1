"""Run the benchmark suite (`make bench`) and write bench/results/latest.json and latest.md.

    .venv/bin/python -m bench.run                          # the default run (~15-25 min on 2 cores)
    .venv/bin/python -m bench.run --ingest-reports 10000 --memory-reports 100000   # the issue's sizes
    .venv/bin/python -m bench.run --only extraction,queries --query-events 100000  # a quick look

Each benchmark compares against its baseline or target in the same run, and
every number is stored with the machine, its load average and the run's
sizes: a benchmark on a shared two-core machine is only as good as its notes.
PostgreSQL: ``--pg URL`` of a server to use (databases are created and
dropped in it), else a throwaway cluster is started with
``scripts/pg-throwaway.sh`` and fsync switched back on, so PostgreSQL's
ingest numbers include durable commits as SQLite's do.

Sharing the machine: Linux groups processes by session ("autogroups") and
shares the CPU between groups before nice values apply inside one, so a
``nice`` job started from another shell or ``setsid`` takes as much CPU as the
benchmark. Give the benchmark's group the larger weight instead:
``echo -10 > /proc/<pid>/autogroup`` (and ``echo 10`` for other sessions).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import extraction, ingest, report
from bench.harness import REPO, load_average, log, machine, run_child

RESULTS = REPO / "bench" / "results"
MEMORY_NEW_WORDS = 8
SUITES = ("extraction", "ingest", "queries", "memory", "mission", "picture")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", default=",".join(SUITES), help=f"comma-separated subset of {SUITES}")
    p.add_argument("--backends", default="sqlite,postgres")
    p.add_argument("--extract-reports", type=int, default=150, help="generated reports (+ the samples)")
    p.add_argument("--extract-rounds", type=int, default=2)
    p.add_argument("--ingest-reports", type=int, default=300, help="the issue's full size is 10000")
    p.add_argument("--no-dask", action="store_true", help="skip the Dask LocalCluster ingest row")
    p.add_argument("--query-events", type=int, default=1_000_000)
    p.add_argument("--query-repeats", type=int, default=40)
    p.add_argument("--memory-reports", type=int, default=1000, help="the issue's full size is 100000")
    p.add_argument("--memory-words", default="550-650",
                   help="report length for the memory run, MIN-MAX words (what memory keeps is per report, "
                        "not per word: shorter reports reach 100,000 sooner)")
    p.add_argument("--mission-reports", type=int, default=2000, help="passed to bench/bench_mission.py")
    p.add_argument("--picture-reports", type=int, default=20_000,
                   help="synthetic reports for the picture suite (~4.5 events each; 220000 ~ 1M events)")
    p.add_argument("--picture-dates", type=int, default=40, help="random as-of dates timed")
    p.add_argument("--pg", default=None, help="admin URL of a PostgreSQL server to use")
    p.add_argument("--pg-port", type=int, default=55451, help="port of the throwaway server otherwise")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--child-timeout", type=float, default=None,
                   help="seconds a measured process may run before it is killed (default: no limit)")
    p.add_argument("--out", type=Path, default=RESULTS)
    return p.parse_args(argv)


# ------------------------------------------------------------------ PostgreSQL

@contextmanager
def postgres_server(url: str | None, port: int) -> Iterator[tuple[str, dict[str, str]]]:
    """The admin URL of a server for the run, and the settings that matter for writes."""
    if url:
        yield url, _pg_settings(url)
        return
    directory = tempfile.mkdtemp(prefix="mw-bench-pg-")
    script = str(REPO / "scripts" / "pg-throwaway.sh")
    # The throwaway script turns fsync off for test speed; a benchmark must not. It has to be
    # the server's command line: an ALTER SYSTEM cannot override a -c option (runs before
    # 2026-11-29 did that, and ran with fsync off).
    started = subprocess.run(["bash", script, "start", directory, str(port)], capture_output=True, text=True,
                             check=True, env={**os.environ, "PG_FSYNC": "on"}).stdout.strip().splitlines()[-1]
    try:
        yield started, _pg_settings(started)
    finally:
        subprocess.run(["bash", script, "stop", directory], check=False)


def _pg_settings(url: str) -> dict[str, str]:
    engine = sa.create_engine(url)
    names = ("server_version", "fsync", "synchronous_commit", "shared_buffers", "work_mem")
    with engine.connect() as conn:
        out = {n: str(conn.exec_driver_sql(f"SHOW {n}").scalar()) for n in names}
    engine.dispose()
    return out


@contextmanager
def fresh_database(server: str) -> Iterator[str]:
    name = "mw_bench_" + uuid.uuid4().hex[:8]
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.engine.make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def store_url(backend: str, server: str | None, tmp: Path) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp / f"store-{uuid.uuid4().hex[:8]}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            for leftover in tmp.glob(path.name + "*"):
                leftover.unlink()
    else:
        assert server is not None
        with fresh_database(server) as url:
            yield url


# ------------------------------------------------------------------ suites

def run_ingest(args: argparse.Namespace, backends: list[str], server: str | None,
               tmp: Path) -> dict[str, Any]:
    corpus = ingest.write_corpus(tmp / "ingest-corpus", args.ingest_reports, args.seed)
    configs = [(b, w, None) for b in backends for w in (1, 2)]
    if not args.no_dask:
        configs.append(("sqlite", 2, "local"))
    rows = []
    for backend, workers, dask in configs:
        name = f"{backend}, {'dask local' if dask else 'local'} x{workers}"
        ingest.log_config(name, args.ingest_reports)
        with store_url(backend, server, tmp) as url:
            child = run_child("bench.ingest:measure_ingest", {"corpus": str(corpus), "url": url,
                                                              "workers": workers, "dask": dask,
                                                              "sample_every": 50}, timeout=args.child_timeout)
        rows.append({"backend": backend, "workers": workers, "executor": "dask-local" if dask else "local",
                     **child.result, "tree_peak_rss_mb": child.tree_peak_rss_mb,
                     "load_average": load_average()})
    return {"reports": args.ingest_reports, "words": list(ingest.WORDS), "rows": rows,
            "speedups": _speedups(rows)}


def _speedups(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out = {}
    for backend in {r["backend"] for r in rows}:
        local = {r["workers"]: r for r in rows if r["backend"] == backend and r["executor"] == "local"}
        if 1 in local and 2 in local:
            out[backend] = {
                "wall": round(local[2]["reports_per_s"] / local[1]["reports_per_s"], 2),
                "steady": round(local[2]["steady_reports_per_s"] / local[1]["steady_reports_per_s"], 2)
                if local[1]["steady_reports_per_s"] and local[2]["steady_reports_per_s"] else None,
            }
    return out


def run_queries(args: argparse.Namespace, backends: list[str], server: str | None,
                tmp: Path) -> dict[str, Any]:
    rows = []
    for backend in backends:
        with store_url(backend, server, tmp) as url:
            child = run_child("bench.queries:measure", {"url": url, "events": args.query_events,
                                                        "seed": args.seed, "repeats": args.query_repeats},
                              timeout=args.child_timeout)
        rows.append({**child.result, "tree_peak_rss_mb": child.tree_peak_rss_mb,
                     "load_average": load_average()})
    return {"events": args.query_events, "rows": rows}


def run_memory(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    # Unseen names in every report: an archive's vocabulary keeps growing, and the parser's with it.
    low, _, high = args.memory_words.partition("-")
    words = (int(low), int(high))
    corpus = ingest.write_corpus(tmp / "memory-corpus", args.memory_reports, args.seed + 1,
                                 new_words=MEMORY_NEW_WORDS, words=words)
    ingest.log_config("memory: sqlite, local x2", args.memory_reports)
    with store_url("sqlite", None, tmp) as url:
        child = run_child("bench.ingest:measure_ingest", {"corpus": str(corpus), "url": url, "workers": 2,
                                                          "sample_every": max(10, args.memory_reports // 40)},
                          timeout=args.child_timeout)
    result = {**child.result, "tree_peak_rss_mb": child.tree_peak_rss_mb, "tree_samples": child.tree_samples,
              "load_average": load_average()}
    return {"reports": args.memory_reports, "workers": 2, "backend": "sqlite", "new_words": MEMORY_NEW_WORDS,
            "words": list(words), **result,
            "estimate": ingest.memory_estimate(child.result["rss_by_reports"])}


def run_mission(args: argparse.Namespace) -> dict[str, Any]:
    script = REPO / "bench" / "bench_mission.py"
    if not script.is_file():
        return {"skipped": "bench/bench_mission.py is not there"}
    log(f"mission: bench/bench_mission.py --reports {args.mission_reports}")
    done = subprocess.run([sys.executable, str(script), "--reports", str(args.mission_reports)], cwd=REPO,
                          capture_output=True, text=True, timeout=3600, check=False)
    return {"reports": args.mission_reports, "exit": done.returncode, "output": done.stdout.strip(),
            "stderr_tail": done.stderr[-2000:] if done.returncode else ""}


def run_picture(args: argparse.Namespace, backends: list[str], server: str | None,
                tmp: Path) -> dict[str, Any]:
    rows = []
    for backend in backends:
        log(f"picture: {backend}, {args.picture_reports} synthetic reports, {args.picture_dates} dates")
        with store_url(backend, server, tmp) as url:
            child = run_child("bench.picture:measure", {"url": url, "reports": args.picture_reports,
                                                        "seed": args.seed, "dates": args.picture_dates},
                              timeout=args.child_timeout)
        rows.append({"backend": backend, **child.result, "tree_peak_rss_mb": child.tree_peak_rss_mb,
                     "load_average": load_average()})
    return {"reports": args.picture_reports, "rows": rows}


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(only) - set(SUITES)
    if unknown:
        sys.exit(f"unknown suite(s) {sorted(unknown)}; choose from {SUITES}")
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"machine": machine(), "params": {k: str(v) for k, v in vars(args).items()}}

    def save() -> None:
        # After every suite, so a long run that dies still leaves what it measured.
        (args.out / "latest.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
        (args.out / "latest.md").write_text(report.markdown(results))

    needs_pg = "postgres" in backends and {"ingest", "queries", "picture"} & set(only)
    with tempfile.TemporaryDirectory(prefix="mw-bench-") as tmp_name, \
            (postgres_server(args.pg, args.pg_port) if needs_pg else _no_server()) as (server, pg_settings):
        tmp = Path(tmp_name)
        if pg_settings:
            results["machine"]["postgres"] = pg_settings
        if "extraction" in only:
            results["extraction"] = extraction.run(args.extract_reports, args.seed, args.extract_rounds)
            save()
        if "ingest" in only:
            results["ingest"] = run_ingest(args, backends, server, tmp)
            save()
        if "queries" in only:
            results["queries"] = run_queries(args, backends, server, tmp)
            save()
        if "memory" in only:
            results["memory"] = run_memory(args, tmp)
            save()
        if "mission" in only:
            results["mission"] = run_mission(args)
        if "picture" in only:
            results["picture"] = run_picture(args, backends, server, tmp)
            save()
        results["machine"]["load_average_at_end"] = load_average()
        save()
    log(f"wrote {args.out / 'latest.json'} and {args.out / 'latest.md'}")


@contextmanager
def _no_server() -> Iterator[tuple[None, dict[str, str]]]:
    yield None, {}


if __name__ == "__main__":
    main()
