"""Benchmark 3: the dashboard's queries on a store of 1,000,000 events, both back-ends.

The store is created by the real migrations (``Store.open``), then filled by
bulk inserts straight into its tables: reports with realistic bodies (the
corpus generator, so full-text search has real text to index) and events
spread over two years and over Haiti, clustered on the capital as real
coverage is. Extracting a million events would measure the extractor again,
not the queries. After loading, ``ANALYZE`` runs (PostgreSQL's autovacuum
would do the same within minutes); no application cache is involved.

Queries, each through the code the dashboard uses:

* events in a date range and a box: ``WebData.events`` (web/queries.py), first page of 100,
  with and without a type filter;
* full-text search: ``Store.search`` (the bounded ranking of store/search.py), first page of 20;
* the reports page's search with a 180-day date filter: ``WebData.reports(q=...)``.

The mission picture as of a date is measured through its real path by
bench/picture.py. Reported: p50/p95 latency over ``repeats`` parameter sets
(after a warm-up), and the plan of each statement the app runs
(``web.queries.event_statements`` and ``store.search``'s statement): EXPLAIN
QUERY PLAN with bound parameters on SQLite, EXPLAIN ANALYZE on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa

from bench.corpus import CorpusSpec, generate
from bench.harness import log

START = dt.date(2024, 6, 1)
DAYS = 730
EVENT_TYPES = ("DEPLOY", "WITHDRAW", "OPERATION", "ARREST", "ATTACK", "CONTROL", "DISPLACEMENT",
               "TRAVEL", "MEETING", "MANDATE", "FUNDING", "DECISION", "STATEMENT")
#: Weighted towards what the coverage is mostly about.
TYPE_WEIGHTS = (4, 1, 8, 4, 10, 5, 3, 2, 3, 1, 1, 2, 6)
PLACES = (("Port-au-Prince", 18.54, -72.34), ("Delmas", 18.54, -72.30), ("Cité Soleil", 18.58, -72.33),
          ("Martissant", 18.52, -72.36), ("Bel Air", 18.55, -72.33), ("Tabarre", 18.57, -72.27),
          ("Solino", 18.55, -72.32), ("Pétionville", 18.51, -72.29), ("Croix-des-Bouquets", 18.58, -72.23),
          ("Kenscoff", 18.45, -72.28), ("Cabaret", 18.73, -72.42), ("Arcahaie", 18.77, -72.51),
          ("Mirebalais", 18.83, -72.10), ("Pont-Sondé", 19.15, -72.62), ("Saint-Marc", 19.11, -72.69),
          ("Gonaïves", 19.45, -72.69), ("Cap-Haïtien", 19.76, -72.20), ("Jacmel", 18.23, -72.53),
          ("Les Cayes", 18.19, -73.75), ("Léogâne", 18.51, -72.63))
#: Two thirds of events in the capital's communes, as in the development reports.
PLACE_WEIGHTS = (12, 6, 6, 4, 4, 4, 3, 4, 3, 2, 2, 1, 2, 1, 1, 1, 1, 1, 1, 1)
ACTORS = ("Haitian National Police", "Kenya National Police Service", "Viv Ansanm", "G9", "G-Pèp",
          "Multinational Security Support mission", "UN Security Council", "Gran Grif", "5 Segonn",
          "Jamaica Defence Force")
CAPITAL_BOX = (-72.45, 18.45, -72.20, 18.65)  # west, south, east, north
SEARCH_TERMS = ("Kenyan police", "Viv Ansanm", "helicopters", "mandate", "Cité Soleil", "trust fund",
                "displaced", "Port-au-Prince", "\"armoured vehicles\"", "Jamaica")


# ------------------------------------------------------------------ loading

def _report_rows(reports: int, seed: int) -> Iterator[dict[str, Any]]:
    """Report rows whose bodies are 4-8 paragraphs drawn from a pool of generated reports.

    Generating 50,000 reports one by one costs minutes; paragraphs recombined
    from 2,000 of them keep the vocabulary and term frequencies of the corpus
    (what full-text search cares about) at a fraction of the cost.
    """
    pool_spec = CorpusSpec(min(reports, 2000), seed=seed, start=START, days=DAYS)
    pool = [p for r in generate(pool_spec) for p in r.body.split("\n\n")]
    titles = [r.title for r in generate(CorpusSpec(200, seed=seed))]
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    for seq in range(1, reports + 1):
        body = "\n\n".join(rng.sample(pool, rng.randint(4, 8)))
        report_id = f"q{seed}-{seq:07d}"
        yield {"id": report_id, "sha256": hashlib.sha256((report_id + body).encode()).hexdigest(),
               "seq": seq, "published": START + dt.timedelta(days=rng.randrange(DAYS)),
               "title": rng.choice(titles), "source": "bench", "url": None, "reader": "bench", "body": body,
               "ingested_at": now, "duplicate_of": None, "duplicate_similarity": None, "minhash": b""}


def _event_rows(report_id: str, published: dt.date, per_report: int, rng: random.Random,
                version: str) -> Iterator[tuple[Any, ...]]:
    for k in range(per_report):
        kind = rng.choices(EVENT_TYPES, TYPE_WEIGHTS)[0]
        name, lat, lon = rng.choices(PLACES, PLACE_WEIGHTS)[0]
        start = published - dt.timedelta(days=rng.randrange(14))
        span = rng.choice((0, 0, 0, 1, 6, 30))
        yield (report_id, f"v{k}", kind, rng.choice(("occurred", "occurred", "ongoing", "planned")),
               start, start + dt.timedelta(days=span), "day" if span == 0 else "range", name, "HT",
               lat + rng.uniform(-0.01, 0.01), lon + rng.uniform(-0.01, 0.01),
               "; ".join(rng.sample(ACTORS, 2)), None, round(rng.uniform(0.4, 0.95), 2),
               0, 40, f"synthetic {kind.lower()} event {k} in {name}", version)


EVENT_COLUMNS = ("report_id", "fact_id", "type", "status", "date_start", "date_end", "precision",
                 "place_name", "country", "lat", "lon", "actors", "targets", "confidence",
                 "evidence_start", "evidence_end", "evidence_text", "extractor_version")
REPORT_COLUMNS = ("id", "sha256", "seq", "published", "title", "source", "url", "reader", "body",
                  "ingested_at", "duplicate_of", "duplicate_similarity", "minhash")
CHUNK = 1000


def populate(engine: sa.Engine, events: int, per_report: int, seed: int) -> dict[str, Any]:
    """Bulk-load ``events`` events over ``events / per_report`` reports; returns timings."""
    reports = max(1, events // per_report)
    rng = random.Random(seed)
    started = time.perf_counter()
    postgres = engine.dialect.name == "postgresql"
    # Bulk-load practice: build the secondary indexes once, after the rows are in,
    # rather than updating them row by row (the same indexes the migrations define).
    from missionwatch.store.models import EventRow

    indexes = sorted(EventRow.__table__.indexes, key=lambda i: str(i.name))
    for index in indexes:
        index.drop(engine)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        batch: list[dict[str, Any]] = []
        loaded = 0
        for row in _report_rows(reports, seed):
            batch.append(row)
            if len(batch) >= CHUNK:
                _load_chunk(raw, cursor, batch, per_report, rng, postgres)
                loaded += len(batch)
                batch = []
                if loaded % 10_000 == 0:
                    log(f"queries: loaded {loaded:,}/{reports:,} reports ({loaded * per_report:,} events)")
        if batch:
            _load_chunk(raw, cursor, batch, per_report, rng, postgres)
        raw.commit()
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        for index in indexes:
            index.create(engine)
        index_s = time.perf_counter() - started
        started = time.perf_counter()
        if not postgres:
            cursor.execute("ANALYZE")
            raw.commit()
    finally:
        raw.close()
    if postgres:
        # VACUUM cannot run in a transaction. The pool must not get the connection back in autocommit:
        # psycopg then prepares a statement after five runs and PostgreSQL switches to a generic plan
        # five runs later (the events window + box query went from ~17 to ~140 ms at its 11th run).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # report_search is filled by its trigger during the COPY: statistics for the search planner,
            # and the GIN index's pending list merged (autovacuum would do both within minutes).
            for table in ("reports", "report_search", "events"):
                conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
    analyze_s = time.perf_counter() - started
    return {"reports": reports, "events": reports * per_report, "load_s": round(load_s, 1),
            "index_s": round(index_s, 1),
            "analyze_s": round(analyze_s, 1)}


def _load_chunk(raw: Any, cursor: Any, reports: list[dict[str, Any]], per_report: int, rng: random.Random,
                postgres: bool) -> None:
    from missionwatch.extract.pipeline import EXTRACTOR_VERSION

    events = [e for r in reports for e in _event_rows(r["id"], r["published"], per_report, rng,
                                                       EXTRACTOR_VERSION)]
    if postgres:
        # COPY: the fastest bulk path PostgreSQL has; the trigger on reports fills report_search.
        report_cols = [c for c in REPORT_COLUMNS if c != "seq"]
        with cursor.copy(f"COPY reports ({', '.join(report_cols)}) FROM STDIN") as copy:
            for r in reports:
                copy.write_row([r[c] for c in report_cols])
        with cursor.copy(f"COPY events ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
            for e in events:
                copy.write_row(e)
    else:
        # The store's SQLite connections run in driver autocommit (SQLAlchemy issues BEGIN);
        # without an explicit transaction every row would be its own commit.
        cursor.execute("BEGIN")
        marks = ", ".join("?" * len(REPORT_COLUMNS))
        cursor.executemany(f"INSERT INTO reports ({', '.join(REPORT_COLUMNS)}) VALUES ({marks})",
                           [tuple(_sqlite_value(r[c]) for c in REPORT_COLUMNS) for r in reports])
        marks = ", ".join("?" * len(EVENT_COLUMNS))
        cursor.executemany(f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({marks})",
                           [tuple(_sqlite_value(v) for v in e) for e in events])
    raw.commit()


def _sqlite_value(value: Any) -> Any:
    # The store's SQLAlchemy types keep dates as ISO text on SQLite; raw inserts must match.
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite format
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# ------------------------------------------------------------------ queries

def _timed(fn: Callable[[], Any], repeats: int, warm_up: int = 3, budget_s: float = 45.0) -> dict[str, Any]:
    """Latencies of ``repeats`` calls; a query far over target stops early (at least 5 runs).

    ``cpu_*``: this process's CPU time per call — the whole query on SQLite (in-process), the
    client's share only on PostgreSQL. On a shared machine wall time includes waiting for a
    core; CPU time does not, so the two together say how much of a p95 is the query itself.
    """
    for _ in range(warm_up):
        fn()
    samples: list[float] = []
    cpu: list[float] = []
    budget_end = time.perf_counter() + budget_s
    for _ in range(repeats):
        started, cpu_started = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        if len(samples) >= 5 and time.perf_counter() > budget_end:
            break
    return {**_percentiles(samples), **{f"cpu_{k}": v for k, v in _percentiles(cpu).items()},
            "n": len(samples)}


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
            "max_ms": round(ordered[-1], 1)}


def _window(rng: random.Random, days: int = 30) -> tuple[dt.date, dt.date]:
    start = START + dt.timedelta(days=rng.randrange(DAYS - days))
    return start, start + dt.timedelta(days=days)


TYPES = ("ATTACK", "ARREST")
SEARCH_WINDOW_DAYS = 180


def measure(url: str, events: int = 1_000_000, per_report: int = 20, seed: int = 7,
            repeats: int = 40) -> dict[str, Any]:
    """Create, load and query one store (run in a child process: ``bench.child``)."""
    from missionwatch.store import Store

    store = Store.open(url)
    try:
        log(f"queries: loading {events:,} events into {store.backend}")
        loaded = populate(store.engine, events, per_report, seed)
        log(f"queries: loaded in {loaded['load_s']} s; querying")
        timings = time_queries(store, seed, repeats)
        plans = explain(store.engine)
        counts = {"events": store.count_events(), "reports": store.count_reports()}
    finally:
        store.close()
    return {"backend": store.backend, **loaded, "counts": counts, "timings": timings, "plans": plans}


def time_queries(store: Any, seed: int, repeats: int) -> dict[str, Any]:
    """p50/p95 of each dashboard query on a loaded store (each query its own random sequence)."""
    from missionwatch.web.queries import EventFilter, WebData

    web = WebData(store.engine)

    def events_in_box(types: tuple[str, ...]) -> Callable[[], None]:
        rng = random.Random(seed)

        def run() -> None:
            start, end = _window(rng)
            web.events(EventFilter(types=list(types), date_from=start, date_to=end, bbox=CAPITAL_BOX),
                       limit=100, offset=0)
        return run

    def search() -> Callable[[], None]:
        rng = random.Random(seed)
        return lambda: store.search(rng.choice(SEARCH_TERMS), limit=20)

    def search_dated() -> Callable[[], None]:
        rng = random.Random(seed)

        def run() -> None:
            start, end = _window(rng, SEARCH_WINDOW_DAYS)
            web.reports(q=rng.choice(SEARCH_TERMS), date_from=start, date_to=end, limit=50, offset=0)
        return run

    return {"events_date_range_and_box": _timed(events_in_box(()), repeats),
            "events_typed_date_range_and_box": _timed(events_in_box(TYPES), repeats),
            "full_text_search": _timed(search(), repeats),
            "full_text_search_dated": _timed(search_dated(), repeats)}


def explain(engine: sa.Engine) -> dict[str, list[str]]:
    """The plan of each statement the app runs for these queries, as the database reports it."""
    from missionwatch.store import search as fulltext
    from missionwatch.web.queries import EventFilter, event_statements

    statements: dict[str, Any] = {}
    for label, types in (("events", ()), ("events, 2 types", TYPES)):
        flt = EventFilter(types=list(types), bbox=CAPITAL_BOX, date_from=dt.date(2025, 3, 1),
                          date_to=dt.date(2025, 3, 31))
        for i, (page, count) in enumerate(event_statements(flt, 100)):
            statements[f"{label}: branch {i} page"] = page
            statements[f"{label}: branch {i} count"] = count
    postgres = engine.dialect.name == "postgresql"
    start = dt.date(2025, 3, 1)
    dated = {"date_from": start, "date_to": start + dt.timedelta(SEARCH_WINDOW_DAYS)}
    for label, dates in (("search", {}), (f"search, {start}..{dated['date_to']}", dated)):
        statements[f"{label} \"helicopters\" (store.search)"] = fulltext.statement(
            postgres, "helicopters", 20, 0, **dates)
    plans: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for name, stmt in statements.items():
            plans[name] = _plan(conn, stmt)
    return plans


def _plan(conn: sa.Connection, stmt: Any) -> list[str]:
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    if conn.dialect.name == "postgresql":
        # Bound parameters as the app sends them; ANALYZE for the rows and time each step really took.
        rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, COSTS OFF) " + str(compiled), compiled.params)
        return [str(r[0]) for r in rows]
    # SQLite: the plan for bound parameters (literal values can plan differently), through the driver.
    args = [compiled.params[k] for k in compiled.positiontup]
    args = [_sqlite_value(a) for a in args]
    driver: Any = conn.connection.driver_connection
    cursor = driver.execute("EXPLAIN QUERY PLAN " + str(compiled), args)
    return [str(r[-1]) for r in cursor.fetchall()]
