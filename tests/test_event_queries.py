"""Date-range event queries: the index-bounded scan finds every overlapping event, and uses its index."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from missionwatch.records import DateInterval, Event, Extraction, Place, Span
from missionwatch.store import Store, facts
from missionwatch.store.models import EventRow
from missionwatch.web.queries import EVENT_COLUMNS, EventFilter, WebData, event_statements
from tests.test_store import WIRE, report

D = dt.date
SPANS = {  # fact id -> (start, end): around the LONG_SPAN_DAYS (31) boundary and far beyond it
    "day": (D(2024, 9, 30), D(2024, 9, 30)),
    "month": (D(2024, 8, 1), D(2024, 8, 31)),  # 30 days: the short path
    "just_long": (D(2024, 7, 1), D(2024, 8, 2)),  # 32 days: flagged long
    "year": (D(2024, 1, 1), D(2024, 12, 31)),
    "ongoing": (D(2023, 3, 1), D(2099, 12, 31)),  # open-ended: "until further notice"
    "boundary": (D(2024, 8, 15), D(2024, 9, 15)),  # exactly 31 days
    "old": (D(2023, 1, 1), D(2023, 1, 20)),
}


@pytest.fixture
def store(db_url):
    with Store.open(db_url) as opened:
        r = report(WIRE)
        where = r.body.index("Haiti")
        span = Span.of(r.body, where, where + 5)
        haiti = Place(id="pl1", name="Haiti", country="HT", lat=19.0, lon=-72.3, feature="country",
                      mentions=[span], extractor="t")
        events = [Event(id=k, type="OPERATION", status="occurred", place="pl1", confidence=0.9, evidence=span,
                        extractor="t", date=DateInterval(start=s, end=e, precision="day"))
                  for k, (s, e) in SPANS.items()]
        opened.add(r, Extraction.for_report(r, "t/1", places=[haiti], events=events))
        # A row without an end date (no writer makes one today; the filter treats it as a point).
        with opened.engine.begin() as conn:
            row = dict(conn.execute(sa.select(EventRow).where(EventRow.fact_id == "day")).mappings().one())
            row.update(fact_id="no_end", date_start=D(2024, 5, 1), date_end=None,
                       long_span=facts.long_span(D(2024, 5, 1), None))
            conn.execute(sa.insert(EventRow).values(**row))
        yield opened


def _found(store: Store, flt: EventFilter) -> list[str]:
    total, rows = WebData(store.engine).events(flt, limit=100, offset=0)
    assert total == len(rows)
    return [r["fact_id"] for r in rows]


def test_long_span_flag_is_set_at_write_time(store):
    with store.engine.connect() as conn:
        flags = dict(conn.execute(sa.select(EventRow.fact_id, EventRow.long_span)).all())
    assert {k for k, v in flags.items() if v} == {"just_long", "year", "ongoing", "no_end"}


def test_date_range_finds_long_span_and_open_ended_events(store):
    assert sorted(_found(store, EventFilter(date_from=D(2024, 9, 20), date_to=D(2024, 10, 10)))) == \
        ["day", "ongoing", "year"]
    assert sorted(_found(store, EventFilter(date_from=D(2030, 1, 1)))) == ["ongoing"]
    assert "no_end" in _found(store, EventFilter(date_from=D(2024, 5, 1), date_to=D(2024, 5, 1)))


def test_date_range_agrees_with_the_filter_for_every_window(store):
    """Every window around the spans' edges: SQL (two index paths) == the plain overlap predicate."""
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(*[getattr(EventRow, c) for c in EVENT_COLUMNS]))
                .mappings()]
    edges = sorted({d for s, e in SPANS.values() for d in (s, e)} | {D(2024, 5, 1)})
    days = sorted({d + dt.timedelta(days=k) for d in edges for k in (-32, -1, 0, 1, 31)})
    for lo in days[::2]:
        for hi in [None, *(d for d in days[::3] if d >= lo)]:
            for flt in (EventFilter(date_from=lo, date_to=hi), EventFilter(date_to=lo),
                        EventFilter(date_from=lo, date_to=hi, types=["OPERATION"], bbox=(-73, 18, -72, 20))):
                expected = sorted(r["fact_id"] for r in rows if flt.matches(r))
                assert sorted(_found(store, flt)) == expected, flt


def _sqlite_plan(conn, stmt) -> str:
    """The plan SQLite makes for ``stmt`` with its parameters bound, as the app runs it.

    (Literal values can give another plan: with bound ones SQLite once walked all of
    ix_events_dates for the long branch's ORDER BY.)
    """
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    args = [compiled.params[k] for k in compiled.positiontup]
    args = [a.isoformat() if isinstance(a, dt.date) else a for a in args]
    rows = conn.connection.driver_connection.execute("EXPLAIN QUERY PLAN " + str(compiled), args)
    return " | ".join(r[-1] for r in rows)


def test_date_range_plan_uses_the_indexes(store):
    if store.engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; the PostgreSQL plans are in bench/results/queries.md")
    flt = EventFilter(date_from=D(2024, 9, 1), date_to=D(2024, 9, 30), bbox=(-72.45, 18.45, -72.2, 18.65))
    typed = EventFilter(types=["ATTACK", "ARREST"], date_from=D(2024, 9, 1), date_to=D(2024, 9, 30))
    with store.engine.connect() as conn:
        for f in (flt, typed):
            (short_page, short_count), (long_page, long_count) = event_statements(f, 100)
            for stmt in (short_page, short_count):
                plan = _sqlite_plan(conn, stmt)
                assert "SCAN events" not in plan, plan
                assert "ix_events_dates" in plan or "ix_events_type_date" in plan, plan
            for stmt in (long_page, long_count):
                # The partial index holds only the long events: reading all of it is the bounded path.
                plan = _sqlite_plan(conn, stmt)
                assert plan.startswith(("SCAN events USING INDEX ix_events_long_span",
                                        "SEARCH events USING INDEX ix_events_long_span",
                                        "SEARCH events USING COVERING INDEX ix_events_long_span",
                                        "MULTI-INDEX OR")), plan
                assert "ix_events_dates" not in plan and "ix_events_lat_lon" not in plan, plan


def test_long_span_index_is_partial(store):
    """Only the long events are in ix_events_long_span (migration 0005), so statistics see it as small."""
    with store.engine.connect() as conn:
        if store.engine.dialect.name == "sqlite":
            query = "SELECT sql FROM sqlite_master WHERE name = 'ix_events_long_span'"
        else:
            query = "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_events_long_span'"
        sql = conn.exec_driver_sql(query).scalar()
    assert "WHERE" in sql.upper() and "long_span" in sql.split("WHERE")[-1], sql


def test_earliest_representable_date_is_a_valid_filter(store):
    # Found by schemathesis: date_from=0001-01-01 minus the short-span window overflowed (a 500).
    found = _found(store, EventFilter(date_from=dt.date.min, date_to=D(2023, 1, 31)))
    assert sorted(found) == ["old"]
