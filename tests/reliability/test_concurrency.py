"""Concurrency: two ingest processes and a running ``serve`` with analysts writing reviews, one store.

On one SQLite file (WAL, busy timeout) and on PostgreSQL: both ingest
processes read the same corpus, so every report is contended; meanwhile two
analysts post reviews over HTTP to a real ``missionwatch serve``. Afterwards:
every report is stored exactly once with its facts, every review the server
acknowledged (201) is in the store with its audit row, no request failed with
a 5xx, and no "database is locked" reached a user (stderr or a response).
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time

import httpx
import pytest
import sqlalchemy as sa

from missionwatch.store import Store
from missionwatch.web.queries import WebData
from tests.reliability.helpers import PYTHON, REPO, hand_pair, mw_command, short_body, write_corpus
from tests.reliability.test_crash import check_store

pytestmark = pytest.mark.slow

N_REPORTS = 300
RUN_CLI = [PYTHON, str(REPO / "tests" / "reliability" / "run_cli.py")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(base: str, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        try:
            if httpx.get(base + "/api/me", timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError("serve did not come up")


def test_two_ingests_and_reviewing_analysts_on_one_store(db_url, tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, N_REPORTS, seed=42, per_file=25)
    targets = []
    with Store.open(db_url) as store:
        for i in range(4):
            report, extraction = hand_pair(short_body(i, seed=99), i)
            store.add(report, extraction)
            targets.append((report.id, "v1"))
        web = WebData(store.engine)
        tokens = {name: web.add_user(name, "analyst") for name in ("ana", "ben")}

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        mw_command("serve", "--db", db_url, "--port", str(port), "--host", "127.0.0.1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_up(base, server)
        env = {**os.environ, "MW_TEST_FAKE_EXTRACT": "1"}
        ingests = [
            subprocess.Popen(
                [*RUN_CLI, "ingest", str(corpus), "--db", db_url, "--no-progress"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        acknowledged: list[int] = []
        failures: list[str] = []
        stop = threading.Event()

        def analyst(name: str) -> None:
            headers = {"Authorization": f"Bearer {tokens[name]}"}
            with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
                n = 0
                while not stop.is_set() or n < 10:
                    report_id, fact_id = targets[n % len(targets)]
                    response = client.post(
                        "/api/reviews",
                        json={
                            "report_id": report_id,
                            "kind": "event",
                            "action": ("accept", "reject")[n % 2],
                            "fact_id": fact_id,
                            "note": f"{name} {n}",
                        },
                    )
                    if response.status_code == 201:
                        acknowledged.append(response.json()["id"])
                    else:
                        failures.append(f"{response.status_code} {response.text[:300]}")
                    if n % 5 == 0:
                        reads = client.get("/api/events", params={"limit": 5})
                        if reads.status_code != 200:
                            failures.append(f"read {reads.status_code} {reads.text[:300]}")
                    n += 1
                    time.sleep(0.05)  # analysts, not a load generator: leave the cores to the ingests

        threads = [threading.Thread(target=analyst, args=(name,)) for name in tokens]
        for t in threads:
            t.start()
        outputs = [p.communicate(timeout=900) for p in ingests]
        stop.set()
        for t in threads:
            t.join(timeout=300)
    finally:
        server.terminate()
        server_out, server_err = server.communicate(timeout=60)

    for proc, (out, err) in zip(ingests, outputs, strict=True):
        assert proc.returncode == 0, err[-3000:]
        assert "locked" not in (out + err).lower(), err[-3000:]
    assert "locked" not in server_err.lower() and " 500" not in server_err, server_err[-3000:]
    assert not failures, failures[:5]
    assert len(acknowledged) >= 20

    assert check_store(db_url, all_extracted=True) == N_REPORTS + len(targets)
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            review_ids = {r[0] for r in conn.exec_driver_sql("SELECT id FROM reviews")}
            audit = conn.execute(sa.text("SELECT count(*) FROM audit WHERE action LIKE 'review.%'")).scalar()
    finally:
        engine.dispose()
    assert set(acknowledged) <= review_ids, "an acknowledged review was lost"
    assert len(review_ids) == len(acknowledged) == audit
