"""Full-text search on every back-end: the bounded ranking, paging, writes kept in step, migration 0005."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.runtime.migration import MigrationContext

from missionwatch.records import Report
from missionwatch.store import Store
from missionwatch.store import search as fulltext
from missionwatch.store.engine import _alembic_config, head_revision, migrate
from missionwatch.store.models import ReportRow
from missionwatch.web.queries import WebData

WORDS = ("harbour", "convoy", "checkpoint", "curfew", "airstrip", "ferry", "bridge", "market", "clinic",
         "school", "depot", "border", "river", "valley", "ridge", "coast")


def body(k: int, zebras: int) -> str:
    """A distinct text per ``k`` (no near-duplicates) with ``zebras`` mentions of the searched word."""
    filler = " ".join(f"{WORDS[(k + i) % len(WORDS)]}{k}" for i in range(12))
    return f"Report {k}: {filler}. " + "The zebra was seen. " * zebras


def add(store: Store, k: int, zebras: int, published: dt.date | None = None) -> str:
    r = Report.build(body=body(k, zebras), reader="test", title=f"report {k}",
                     published=published or dt.date(2024, 1, 1) + dt.timedelta(days=k))
    assert store.add(r).status in ("stored", "near_duplicate")
    return r.id


@pytest.fixture
def store(db_url):
    with Store.open(db_url) as opened:
        yield opened


def test_ranking_is_stable_and_pages_add_up(store):
    ids = [add(store, k, zebras=1 + k % 4) for k in range(12)]
    first = store.search("zebra", limit=12)
    assert {h.report_id for h in first} == set(ids)
    assert all(a.rank >= b.rank for a, b in zip(first, first[1:], strict=False))
    assert store.search("zebra", limit=12) == first  # same order every time
    paged = store.search("zebra", limit=5) + store.search("zebra", limit=5, offset=5) \
        + store.search("zebra", limit=5, offset=10)
    assert paged == first
    # More mentions rank higher on both back-ends: the four-mention reports come first.
    assert {h.report_id for h in first[:3]} == {ids[k] for k in range(12) if k % 4 == 3}
    assert "[zebra]" in first[0].snippet.lower()


def test_equal_ranks_are_newest_stored_first(store):
    older = Report.build(body="The zebra crossed at dawn, alpha.", reader="test", title="t")
    newer = Report.build(body="The zebra crossed at dawn, bravo.", reader="test", title="t")
    store.add(older)
    store.add(newer)
    hits = store.search("zebra")
    assert [h.report_id for h in hits] == [newer.id, older.id]
    assert hits[0].rank == pytest.approx(hits[1].rank)


def test_only_the_newest_stored_matches_are_ranked(store, monkeypatch):
    monkeypatch.setattr(fulltext, "SEARCH_POOL", 3)
    # The oldest mentions the word most: outside the pool it is not a hit, on either back-end.
    ids = [add(store, 0, zebras=9)] + [add(store, k, zebras=1) for k in range(1, 6)]
    with store.engine.connect() as conn:
        page = fulltext.search_page(conn, "zebra", 10, 0)
    assert page.ranked == 3 and {h.report_id for h in page.hits} == set(ids[-3:])
    # A date filter applies before the pool: the newest three inside the window.
    with store.engine.connect() as conn:
        window = fulltext.search_page(conn, "zebra", 10, 0, date_from=dt.date(2024, 1, 1),
                                      date_to=dt.date(2024, 1, 4))
    assert window.ranked == 3 and {h.report_id for h in window.hits} == set(ids[1:4])
    total, rows = WebData(store.engine).reports(q="zebra", date_from=dt.date(2024, 1, 3), date_to=None,
                                                limit=2, offset=0)
    assert total == 3 and len(rows) == 2 and {r["id"] for r in rows} <= set(ids[-3:])


def test_no_match_and_an_empty_page_still_count_what_was_ranked(store):
    add(store, 1, zebras=1)
    with store.engine.connect() as conn:
        assert fulltext.search_page(conn, "okapi", 10, 0).ranked == 0
        beyond = fulltext.search_page(conn, "zebra", 10, 5)
    assert beyond.ranked == 1 and beyond.hits == []


def test_updates_and_deletes_keep_search_in_step(store):
    kept, dropped = add(store, 1, zebras=1), add(store, 2, zebras=1)
    with store.engine.begin() as conn:
        conn.execute(sa.update(ReportRow).where(ReportRow.id == kept)
                     .values(body="Now a giraffe story.", published=dt.date(2030, 5, 5)))
        conn.execute(sa.delete(ReportRow).where(ReportRow.id == dropped))
    assert store.search("zebra") == []
    assert [h.report_id for h in store.search("giraffe")] == [kept]
    total, rows = WebData(store.engine).reports(q="giraffe", date_from=dt.date(2030, 1, 1), date_to=None,
                                                limit=10, offset=0)
    assert total == 1 and rows[0]["id"] == kept and rows[0]["published"] == dt.date(2030, 5, 5)
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT report_id FROM report_search").scalars().all() == [kept]


def _at(engine: sa.Engine, revision: str, downgrade: bool = False) -> None:
    config = _alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        (command.downgrade if downgrade else command.upgrade)(config, revision)


def test_migration_0005_back_fills_a_store_with_data(db_url):
    from missionwatch.store.engine import make_engine

    engine = make_engine(db_url)
    try:
        _at(engine, "0004")
        now = dt.datetime.now(dt.UTC)
        with engine.begin() as conn:  # reports written before 0005: the oldest ingested mentions zebra most
            conn.execute(sa.insert(ReportRow), [
                {"id": f"old{k}", "sha256": f"{k:064d}", "seq": k, "published": dt.date(2024, 1, k),
                 "title": f"old {k}", "source": None, "url": None, "reader": "test", "body": body(k, 4 - k),
                 "ingested_at": now + dt.timedelta(seconds=k), "minhash": b""} for k in (1, 2, 3)])
        migrate(engine)
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == head_revision()
            hits = fulltext.search(conn, "zebra", 10, 0)
            assert [h.report_id for h in hits] == ["old1", "old2", "old3"]
            if engine.dialect.name == "postgresql":  # back-filled in ingest order
                order = conn.exec_driver_sql("SELECT report_id FROM report_search ORDER BY seq").scalars()
                assert order.all() == ["old1", "old2", "old3"]
        _at(engine, "0004", downgrade=True)
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                found = conn.exec_driver_sql("SELECT id FROM reports WHERE search @@ to_tsquery('zebra') "
                                             "ORDER BY id").scalars().all()
            else:
                found = conn.exec_driver_sql("SELECT rowid FROM reports_fts WHERE reports_fts MATCH 'zebra' "
                                             "ORDER BY rowid").scalars().all()
            assert found in (["old1", "old2", "old3"], [1, 2, 3])
        migrate(engine)
        with engine.connect() as conn:
            assert len(fulltext.search(conn, "zebra", 10, 0)) == 3
    finally:
        engine.dispose()


def test_a_dated_search_ranks_the_newest_matches_inside_the_window(store):
    # Inside the window: k = 3..8, ranked by mentions (1 + k % 3), ties newest first.
    ids = {k: add(store, k, zebras=1 + k % 3, published=dt.date(2024, 3, 1) + dt.timedelta(days=k))
           for k in range(12)}
    add(store, 12, zebras=1)  # no date filter would reach it: published 2024-01-13, outside
    with store.engine.connect() as conn:
        page = fulltext.search_page(conn, "zebra", 10, 0, date_from=dt.date(2024, 3, 4),
                                    date_to=dt.date(2024, 3, 9))
    assert page.ranked == 6
    assert [h.report_id for h in page.hits] == [ids[k] for k in (8, 5, 7, 4, 6, 3)]
    assert all(dt.date(2024, 3, 4) <= h.published <= dt.date(2024, 3, 9) for h in page.hits)
    assert all("[zebra]" in h.snippet.lower() for h in page.hits)


def test_postgres_dated_pool_reads_only_rows_inside_the_window(db_url):
    """The dated walk tests the date in ix_report_search_recent (0006), not on every row."""
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL plan")
    with Store.open(db_url) as opened:
        for k in range(40):
            add(opened, k, zebras=1, published=dt.date(2024, 1, 1) + dt.timedelta(days=k))
        stmt = fulltext.statement(True, "zebra", 10, 0, date_from=dt.date(2024, 1, 5),
                                  date_to=dt.date(2024, 1, 9))
        compiled = stmt.compile(dialect=opened.engine.dialect, compile_kwargs={"render_postcompile": True})
        with opened.engine.begin() as conn:
            # On 40 rows any plan is cheap; asked here: the ordered walk, which needs no sort.
            for plan_kind in ("seqscan", "bitmapscan", "sort"):
                conn.exec_driver_sql(f"SET LOCAL enable_{plan_kind} = off")
            plan = "\n".join(conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params).scalars())
    assert "ix_report_search_recent" in plan and "report_search_pkey" not in plan
    walk = plan[plan.index("ix_report_search_recent"):]
    assert "Index Cond: ((published >=" in walk.split("\n", 2)[1]


def test_migration_0006_adds_and_drops_the_recent_index(db_url):
    from missionwatch.store.engine import make_engine

    engine = make_engine(db_url)
    try:
        migrate(engine)

        def indexes() -> set[str]:
            return {i["name"] for i in sa.inspect(engine).get_indexes("report_search")} \
                if engine.dialect.name == "postgresql" else set()

        postgres = engine.dialect.name == "postgresql"
        assert ("ix_report_search_recent" in indexes()) == postgres
        _at(engine, "0005", downgrade=True)
        assert "ix_report_search_recent" not in indexes()
        migrate(engine)
        assert ("ix_report_search_recent" in indexes()) == postgres
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == head_revision()
    finally:
        engine.dispose()
