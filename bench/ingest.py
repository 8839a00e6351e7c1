"""Benchmarks 2 and 4: ingest end to end, and its memory on a long run.

Ingest is the real ``missionwatch.ingest.ingest`` over a directory of
dated-text files (readers -> sha256 skip -> extraction on the executor ->
near-duplicate MinHash -> one store transaction per `batch_size` reports, fact rows
written per table: COPY on PostgreSQL), into a fresh
store per configuration: SQLite or PostgreSQL, 1 or 2 local workers (and a
Dask LocalCluster for comparison). Reports are 550-650 words, as the target
is stated for 600-word reports. Worker start-up (each loads spaCy) is part of
the wall time; the steady rate, from the first quarter of the reports done to
the last, is reported beside it.

Memory: the whole process tree's RSS (parent + workers) is read every
``sample_every`` reports. A streaming ingest holds flat after warm-up; the
slope over the second half of the run, extrapolated linearly to 100,000
reports, says whether it would stay under the 1.5 GB target (the run's N is
stated beside the estimate: a run of 100,000 is ``--memory-reports 100000``).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import psutil

from bench.corpus import CorpusSpec, generate, write_dated_text
from bench.harness import log

WORDS = (550, 650)


def write_corpus(directory: Path, reports: int, seed: int = 7, new_words: int = 0,
                 words: tuple[int, int] = WORDS) -> Path:
    spec = CorpusSpec(reports, seed=seed, min_words=words[0], max_words=words[1], new_words=new_words)
    write_dated_text(generate(spec), directory)
    return directory


def _tree_rss_mb() -> float:
    me = psutil.Process(os.getpid())
    total = 0
    for proc in [me, *me.children(recursive=True)]:
        try:
            total += proc.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return round(total / 2**20, 1)


def measure_ingest(corpus: str, url: str, workers: int = 1, dask: str | None = None,
                   sample_every: int = 100) -> dict[str, Any]:
    """Ingest ``corpus`` into the store at ``url`` (run in a child process: ``bench.child``)."""
    from missionwatch.ingest import IngestProgress, ingest
    from missionwatch.store import Store

    done_at: list[float] = []
    rss: list[tuple[int, float]] = []

    def progress(state: IngestProgress) -> None:
        if state.reports_done > len(done_at):
            done_at.append(time.perf_counter())
            if state.reports_done % sample_every == 0:
                rss.append((state.reports_done, _tree_rss_mb()))

    store = Store.open(url)
    try:
        started = time.perf_counter()
        summary = ingest([corpus], store, workers=workers, dask=dask, progress=progress)
        seconds = time.perf_counter() - started
        counts = store.counts()
    finally:
        store.close()
    n = len(done_at)
    # Steady rate from the first quarter on: by then every worker has loaded its
    # model and the in-flight window is full, so start-up does not leak in.
    q = n // 4
    steady = (n - 1 - q) / (done_at[-1] - done_at[q]) if n > 4 and done_at[-1] > done_at[q] else None
    return {
        "reports": n, "seconds": round(seconds, 1), "reports_per_s": round(n / seconds, 2),
        "steady_reports_per_s": round(steady, 2) if steady else None,
        "startup_s": round(done_at[0] - started, 1) if done_at else None,
        "stored": summary.stored, "near_duplicates": summary.near_duplicates,
        "duplicates": summary.duplicates, "rejected": len(summary.rejected),
        "rejected_examples": [e.line() for e in summary.rejected[:3]],
        "events_stored": counts.events, "rss_by_reports": rss,
    }


def memory_estimate(rss: list[tuple[int, float]], target_reports: int = 100_000) -> dict[str, Any]:
    """Linear fit of tree RSS over the second half of the run, extrapolated to ``target_reports``."""
    half = [p for p in rss if p[0] >= rss[-1][0] / 2] if rss else []
    if len(half) < 2:
        return {"slope_mb_per_1000": None, "projected_peak_mb": None}
    xs, ys = [p[0] for p in half], [p[1] for p in half]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / var if var else 0.0
    peak = max(p[1] for p in rss)
    projected = peak + max(slope, 0.0) * (target_reports - rss[-1][0])
    return {"slope_mb_per_1000": round(slope * 1000, 2), "projected_peak_mb": round(projected),
            "target_reports": target_reports}


def log_config(name: str, reports: int) -> None:
    log(f"ingest: {name}, {reports:,} reports")
