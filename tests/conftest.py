"""Shared fixtures.

Store tests run on every back-end: the ``db_url`` fixture is parametrised with
SQLite (a real file in a temporary directory) and PostgreSQL (a real server
named by ``MISSIONWATCH_TEST_PG``, started by ``scripts/test.sh``). A missing
PostgreSQL fails loudly; set ``MISSIONWATCH_TEST_BACKENDS=sqlite`` to opt out
on a machine without it (CI never does).
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "data" / "samples"
SAMPLE = SAMPLES / "000_51676fabbb0db610.txt"
SAMPLE_PUBLISHED = dt.date(2024, 9, 21)

BACKENDS = [b.strip() for b in os.environ.get("MISSIONWATCH_TEST_BACKENDS", "sqlite,postgres").split(",")
            if b.strip()]


@pytest.fixture(scope="session")
def nlp():
    from missionwatch.extract.nlp import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE


def _postgres_server_url() -> str:
    url = os.environ.get("MISSIONWATCH_TEST_PG")
    if not url:
        pytest.fail("PostgreSQL tests need MISSIONWATCH_TEST_PG (scripts/test.sh starts a server); "
                    "set MISSIONWATCH_TEST_BACKENDS=sqlite to run without it", pytrace=False)
    return url


def _fresh_postgres_database() -> Generator[str, None, None]:
    import sqlalchemy as sa

    server = _postgres_server_url()
    name = "mw_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    base = sa.engine.make_url(server)
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty store on each back-end."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'missionwatch.db'}"
    elif request.param == "postgres":
        yield from _fresh_postgres_database()
    else:
        pytest.fail(f"unknown backend {request.param!r} in MISSIONWATCH_TEST_BACKENDS")
