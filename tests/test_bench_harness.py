"""The benchmark harness's measured subprocesses (``bench.harness.run_child``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from bench.harness import run_child


def measure_nothing(value: int) -> dict[str, int]:
    return {"value": value}


def die_leaving_a_worker(finished: str) -> dict[str, int]:
    """A measured process killed mid-run (as by the OOM killer) while a worker it started, holding its
    output open, still has 30 s to go."""
    subprocess.Popen([sys.executable, "-c",
                      f"import time, pathlib; time.sleep(30); pathlib.Path({finished!r}).write_text('done')"])
    os._exit(9)


def test_a_child_reports_what_it_measured_with_its_peak_memory():
    run = run_child("tests.test_bench_harness:measure_nothing", {"value": 7})
    assert run.result["value"] == 7
    assert run.result["self_peak_rss_mb"] > 0


def test_a_child_that_dies_fails_the_run_at_once_and_takes_its_workers_with_it(tmp_path: Path):
    finished = tmp_path / "worker-finished"
    with pytest.raises(RuntimeError, match="exit 9"):
        run_child("tests.test_bench_harness:die_leaving_a_worker", {"finished": str(finished)}, timeout=120)
    # The harness neither waited for the orphaned worker nor left it running.
    assert not finished.exists()


def sleep_for(seconds: float) -> dict[str, float]:
    import time

    time.sleep(seconds)
    return {"slept": seconds}


def test_a_child_runs_as_long_as_it_takes_unless_the_run_sets_a_limit():
    """A limit fixed in the harness (two hours) killed the 600-word memory runs short of 100,000."""
    import inspect

    from bench.run import parse_args

    assert inspect.signature(run_child).parameters["timeout"].default is None
    assert parse_args([]).child_timeout is None and parse_args(["--child-timeout", "60"]).child_timeout == 60
    with pytest.raises(RuntimeError, match=r"timed out after 1 s \(peak RSS of the tree so far"):
        run_child("tests.test_bench_harness:sleep_for", {"seconds": 30}, timeout=1)
    assert run_child("tests.test_bench_harness:sleep_for", {"seconds": 0.1}).result["slept"] == 0.1


def test_the_extraction_table_sets_ours_against_bare_and_stock_spacy():
    from bench.extraction import summarise
    from bench.report import extraction_section

    def side(rate: float, rss: float) -> dict[str, float]:
        return {"reports": 100, "words": 60_000, "seconds": round(100 / rate, 2), "reports_per_s": rate,
                "words_per_s": round(rate * 600), "load_s": 1.0, "self_peak_rss_mb": rss}

    rounds = {"stock": [side(4.0, 500), side(4.4, 510)], "bare": [side(7.0, 520), side(6.5, 520)],
              "ours": [side(5.6, 700), side(5.2, 820)]}
    summary = summarise(rounds, generated=90)
    assert summary["ratio"] == 0.8 and summary["ratio_to_stock"] == 1.27
    assert summary["targets"] == {"ratio >= 0.6": True, "ours peak RSS < 800 MB": False}
    table = "\n".join(extraction_section(summary))
    assert "| stock | 100 | 60000 | 4.4 |" in table and "| ours | 100 | 60000 | 5.6 |" in table
    assert "Ratio ours/bare: **0.8x**" in table and "stock spaCy" in table and "**1.27x**" in table


def test_the_query_bench_times_its_queries_as_the_app_runs_them(db_url):
    """Loading needs autocommit on PostgreSQL (VACUUM); no pooled connection may keep it: psycopg would
    then prepare the timed statements and PostgreSQL reuse generic plans (the events query ~8x slower)."""
    from bench.queries import populate

    from missionwatch.store import Store

    def mode(conn: Any) -> object:
        return conn.autocommit if db_url.startswith("postgresql") else conn.isolation_level

    with Store.open(db_url) as fresh:
        raw = fresh.engine.raw_connection()
        as_the_app_has_it = mode(raw.driver_connection)
        raw.close()
    with Store.open(db_url) as store:
        populate(store.engine, 400, 20, 7)
        pooled = [store.engine.raw_connection() for _ in range(store.engine.pool.checkedin())]  # type: ignore[attr-defined]
        try:
            assert pooled and [mode(c.driver_connection) for c in pooled] == [as_the_app_has_it] * len(pooled)
        finally:
            for conn in pooled:
                conn.close()
