"""Shared pieces of the reliability suite: store snapshots, generated corpora, subprocess CLI runs."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

from missionwatch.records import DateInterval, Entity, Event, Extraction, Place, Quantity, Report, Span

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

WORDS = [
    "police",
    "patrol",
    "market",
    "road",
    "school",
    "bridge",
    "port",
    "fuel",
    "water",
    "convoy",
    "station",
    "clinic",
    "church",
    "airport",
    "border",
    "village",
    "truck",
    "radio",
    "curfew",
    "checkpoint",
    "harbour",
    "hospital",
    "district",
    "bakery",
    "garage",
    "tunnel",
    "ferry",
    "stadium",
    "warehouse",
    "quarry",
    "river",
    "valley",
    "mountain",
    "plain",
    "coast",
    "island",
]
PLACES = ("Delmas", "Cité Soleil", "Pétion-Ville", "Croix-des-Bouquets", "Cabaret", "Mirebalais", "Jacmel")


def short_body(i: int, seed: int = 0) -> str:
    """A short, distinct report (no two share enough 5-shingles to be near-duplicates)."""
    r = random.Random(f"{seed}:{i}")
    words = " ".join(r.choice(WORDS) for _ in range(14))
    day = dt.date(2025, 1, 1) + dt.timedelta(days=i % 300)
    return (
        f"Kenyan police officers patrolled {r.choice(PLACES)} on {day:%d %B %Y}. "
        f"Dispatch {seed}-{i}: {words}."
    )


def write_corpus(directory: Path, n: int, seed: int = 0, per_file: int = 100) -> list[str]:
    """``n`` short reports as JSONL files of ``per_file`` lines; returns the bodies."""
    directory.mkdir(parents=True, exist_ok=True)
    bodies = [short_body(i, seed) for i in range(n)]
    for f in range(0, n, per_file):
        lines = [
            json.dumps({"text": b, "date": "2025-02-01", "title": f"r{f + k}"}, ensure_ascii=False)
            for k, b in enumerate(bodies[f : f + per_file])
        ]
        (directory / f"part{f // per_file:04d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return bodies


def hand_pair(body: str, i: int = 0, **report: Any) -> tuple[Report, Extraction]:
    """A report with a small hand-built extraction whose spans point into ``body``."""
    rep = Report.build(
        body=body,
        reader="test",
        published=dt.date(2025, 3, 1) + dt.timedelta(days=i),
        source=f"wire{i}.txt",
        title=f"Report {i}",
        **report,
    )

    def span(text: str) -> Span:
        at = body.index(text)
        return Span.of(body, at, at + len(text))

    first = body.split()[0]
    ents = [Entity(id="e1", name=first, type="FORCE", mentions=[span(first)], extractor="t")]
    places = [
        Place(
            id="p1",
            name="Delmas",
            country="HT",
            lat=18.54 + i / 1000,
            lon=-72.30,
            feature="city",
            mentions=[span(first)],
            extractor="t",
        )
    ]
    qty = [Quantity(id="q1", kind="personnel", value=400.5 + i, evidence=span(first), extractor="t")]
    events = [
        Event(
            id="v1",
            type="DEPLOY",
            status="occurred",
            place="p1",
            actors=["e1"],
            quantity="q1",
            date=DateInterval(start=rep.published, end=rep.published, precision="day"),
            confidence=0.7,
            evidence=span(body[:20].rstrip() or first),
            extractor="t",
        ),
        Event(id="v2", type="STATEMENT", status="planned", evidence=span(first), extractor="t"),
    ]
    ex = Extraction.for_report(rep, "test/1", entities=ents, places=places, events=events, quantities=qty)
    return rep, ex


#: Tables that only cache what can be recomputed: not part of a store's content.
CACHES = {"mission_contributions"}


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every store table, by primary key (the mission cache is left out: it is a cache)."""
    import sqlalchemy as sa

    from missionwatch.store.models import Base

    engine = sa.create_engine(url)
    out: dict[str, list[tuple[Any, ...]]] = {}
    try:
        with engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                if table.name in CACHES:
                    continue
                rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
                out[table.name] = [tuple(_plain(v) for v in row) for row in rows]
            out["alembic_version"] = [
                tuple(r) for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version")
            ]
    finally:
        engine.dispose()
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        # SQLite hands back naive UTC; PostgreSQL aware: compare the instant.
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)  # JSON columns come back as text on SQLite
        except ValueError:
            return value
    return value


def cli(
    *args: str, timeout: float = 300, env: dict[str, str] | None = None, check: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run ``missionwatch ARGS`` in a fresh interpreter (what a user runs)."""
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    proc = subprocess.run(mw_command(*args), capture_output=True, text=True, timeout=timeout, env=full_env)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"missionwatch {' '.join(args)} exited {proc.returncode}:\n"
            f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        )
    return proc


def mw_command(*args: str) -> list[str]:
    return [PYTHON, "-c", "from missionwatch.cli import main; main()", *args]
