"""The store on every back-end (``db_url``: a real SQLite file and a real PostgreSQL database)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import IntegrityError

from missionwatch.errors import QueryError, StoreError
from missionwatch.records import DateInterval, Entity, Event, Extraction, Place, Quantity, Report, Span
from missionwatch.store import AuditEntry, Review, Store, User, minhash
from missionwatch.store.core import near_duplicate_candidates
from missionwatch.store.engine import head_revision
from missionwatch.store.models import Base
from tests.conftest import SAMPLES

WIRE = (SAMPLES / "101_un_renews_mss_mandate.txt").read_text(encoding="utf-8").split(" ", 2)[2]
OTHER = (SAMPLES / "106_pont_sonde_massacre.txt").read_text(encoding="utf-8").split(" ", 2)[2]


def report(body: str, **fields) -> Report:
    return Report.build(body=body, reader="test", **fields)


def edited_copy(story: str) -> str:
    """The same wire story as a second outlet runs it: new dateline, one sentence trimmed."""
    body = story.replace("UNITED NATIONS (Wire) —", "NAIROBI, Kenya —", 1)
    return body.replace("voted unanimously on Monday", "voted on Monday", 1)


def extraction_for(r: Report, version: str = "test/1", events: int = 2) -> Extraction:
    def span(word: str) -> Span:
        start = r.body.index(word)
        return Span.of(r.body, start, start + len(word))

    kenya = Entity(id="ent1", name="Kenya", type="COUNTRY", mentions=[span("Kenya")], extractor="t")
    council = Entity(id="ent2", name="UN Security Council", type="ORG", mentions=[span("Security Council")],
                     extractor="t")
    haiti = Place(id="pl1", name="Haiti", country="HT", lat=19.0, lon=-72.3, feature="country",
                  mentions=[span("Haiti")], extractor="t")
    when = DateInterval(start=dt.date(2024, 9, 30), end=dt.date(2024, 9, 30), precision="day", text="Monday")
    evs = [Event(id=f"ev{i}", type="MANDATE", status="occurred", date=when, place="pl1", actors=["ent2"],
                 targets=["ent1"], confidence=0.9, evidence=span("voted"), extractor="t")
           for i in range(1, events + 1)]
    qty = Quantity(id="q1", kind="personnel", value=400, unit="police", subject="ent1", date=when,
                   evidence=span("400"), extractor="t")
    return Extraction.for_report(r, version, entities=[kenya, council], places=[haiti], events=evs,
                                 quantities=[qty])


@pytest.fixture
def store(db_url):
    with Store.open(db_url) as opened:
        yield opened


def rows(store: Store, table: str, report_id: str) -> int:
    with store.engine.connect() as conn:
        return conn.scalar(sa.text(f"SELECT count(*) FROM {table} WHERE "
                                   f"{'id' if table == 'reports' else 'report_id'} = :id"), {"id": report_id})


# -- schema --------------------------------------------------------------------------------------

def test_open_migrates_to_head_and_reopen_is_a_no_op(db_url):
    Store.open(db_url).close()
    with Store.open(db_url) as store, store.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head_revision()


def test_models_match_migrations(store):
    def ours(obj, name, type_, reflected, compare_to):
        # Back-end search structures (FTS5 tables, the PostgreSQL search table) live only in the migrations.
        return not ((name or "").startswith(("reports_fts", "report_search", "ix_report_search"))
                    or name in {"ix_reports_seq_published"})

    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": ours, "compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_sqlite_pragmas(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'x.db'}") as store, store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000


@pytest.mark.parametrize("url", ["postgresql+psycopg://nobody@127.0.0.1:1/none",
                                 "sqlite:////nonexistent-dir/sub/x.db", "nosuchdialect://x"])
def test_unavailable_database_is_mw203(url):
    with pytest.raises(StoreError) as raised:
        Store.open(url)
    assert raised.value.code == "MW203"


# -- reports -------------------------------------------------------------------------------------

def test_report_round_trip_and_info(store):
    r = report(WIRE, published=dt.date(2024, 10, 1), title="UN renews", source="a.txt", url="https://x/a")
    result = store.add(r)
    assert (result.status, result.report_id, result.duplicate_of) == ("stored", r.id, None)
    assert store.get_report(r.id) == r
    info = store.report_info(r.id)
    assert info.ingested_at.tzinfo is not None and info.extractor_version is None
    assert store.has_sha256(r.sha256) and store.known_sha256([r.sha256, "0" * 64]) == {r.sha256}


def test_exact_re_add_changes_nothing(store):
    r = report(WIRE)
    store.add(r, extraction_for(r))
    before = (store.counts(), store.report_info(r.id))
    again = store.add(r, extraction_for(r, version="other"))
    assert (again.status, again.duplicate_of) == ("duplicate", r.id)
    assert (store.counts(), store.report_info(r.id)) == before
    assert store.get_extraction(r.id).extractor_version == "test/1"


def test_same_id_different_body_is_mw206(store):
    store.add(Report.build(body="One text.", reader="t", id="same"))
    with pytest.raises(StoreError) as raised:
        store.add(Report.build(body="Another text.", reader="t", id="same"))
    assert raised.value.code == "MW206"


def test_near_duplicate_is_stored_and_linked(store):
    original, copy, other = report(WIRE, source="wire.txt"), report(edited_copy(WIRE), source="copy.txt"), \
        report(OTHER)
    assert copy.sha256 != original.sha256
    assert store.add(original).status == "stored"
    assert store.add(other).status == "stored"
    result = store.add(copy)
    assert result.status == "near_duplicate" and result.duplicate_of == original.id
    assert result.similarity >= store.near_duplicate_threshold
    info = store.report_info(copy.id)
    assert info.duplicate_of == original.id and info.duplicate_similarity == result.similarity
    assert store.get_report(copy.id) == copy  # stored in full, never dropped
    assert store.counts().reports == 3 and store.counts().near_duplicates == 1



def test_near_duplicate_candidates_are_index_lookups_not_a_scan_of_the_band_table(store):
    """Each report's near-duplicate check is a handful of index lookups, whatever the store holds: a
    scan of ``lsh_bands`` (16 rows per stored report) made ingest slow down as the store grew."""
    store.add(report(WIRE))
    bands = minhash.band_keys(minhash.signature(OTHER))
    statement = near_duplicate_candidates(bands)
    with store.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET enable_seqscan = off")  # a tiny table is scanned otherwise
            compiled = statement.compile(dialect=conn.dialect)
            plan = [str(r[0]) for r in conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params)]
        else:
            compiled = statement.compile(dialect=conn.dialect)
            args = [compiled.params[k] for k in compiled.positiontup or []]
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), tuple(args))
            plan = [str(r[-1]) for r in rows]
    text = "\n".join(plan)
    assert "lsh_bands" in text
    assert "SCAN lsh_bands" not in text and "Seq Scan on lsh_bands" not in text, text

def test_near_duplicate_threshold_is_a_setting(db_url, monkeypatch):
    monkeypatch.setenv("MISSIONWATCH_NEAR_DUPLICATE_THRESHOLD", "0.999")
    with Store.open(db_url) as store:
        store.add(report(WIRE))
        assert store.add(report(edited_copy(WIRE))).status == "stored"


def test_list_reports_filters_and_orders(store):
    for day, text in [(dt.date(2024, 1, 1), "Alpha report."), (dt.date(2024, 6, 1), "Bravo report."),
                      (dt.date(2025, 1, 1), "Charlie report."), (None, "Delta report.")]:
        store.add(report(text, published=day))
    bodies = [i.report.body for i in store.list_reports()]
    assert bodies == ["Charlie report.", "Bravo report.", "Alpha report.", "Delta report."]
    in_2024 = store.list_reports(since=dt.date(2024, 3, 1), until=dt.date(2024, 12, 31))
    assert [i.report.body for i in in_2024] == ["Bravo report."]
    page = store.list_reports(limit=2, offset=1)
    assert [i.report.body for i in page] == ["Bravo report.", "Alpha report."]


def test_unknown_report_is_mw201(store):
    for call in (store.get_report, store.get_extraction):
        with pytest.raises(StoreError) as raised:
            call("nope")
        assert raised.value.code == "MW201"


# -- extractions and facts ----------------------------------------------------------------------

def test_extraction_round_trip_and_fact_rows(store):
    r = report(WIRE, published=dt.date(2024, 10, 1))
    x = extraction_for(r)
    store.add(r, x)
    assert store.get_extraction(r.id).to_contract() == x.to_contract()
    counts = store.counts()
    assert (counts.entities, counts.places, counts.events, counts.quantities) == (2, 1, 2, 1)
    with store.engine.connect() as conn:
        event = conn.execute(sa.text("SELECT * FROM events WHERE fact_id = 'ev1'")).mappings().one()
        subject = conn.execute(sa.text("SELECT subject FROM quantities")).scalar()
    assert (event["place_name"], event["lat"], event["actors"], event["targets"]) == \
        ("Haiti", 19.0, "UN Security Council", "Kenya")
    assert event["evidence_text"] == "voted" and subject == "Kenya"


def test_replace_extraction_replaces_facts_and_stale_ids(store):
    r, unextracted = report(WIRE), report(OTHER)
    store.add(r, extraction_for(r, version="old", events=3))
    store.add(unextracted)
    assert store.get_extraction(unextracted.id) is None
    assert store.stale_report_ids("new") == sorted([r.id, unextracted.id])
    store.replace_extraction(extraction_for(r, version="new", events=1))
    assert store.count_events() == 1
    assert store.stale_report_ids("new") == [unextracted.id]
    assert [x.report_id for x in store.iter_extractions()] == [r.id]
    with pytest.raises(StoreError):
        store.replace_extraction(extraction_for(report("Kenya Haiti Security Council voted 400 x")))


def test_failure_mid_report_leaves_nothing_half_written(store):
    r = report(WIRE)
    broken = extraction_for(r)
    broken.events.append(broken.events[0])  # the same fact id twice: the events insert fails
    with pytest.raises(IntegrityError):
        store.add(r, broken)
    for table in ("reports", "lsh_bands", "extractions", "entities", "places", "events", "quantities"):
        assert rows(store, table, r.id) == 0, table
    assert store.search("Security Council") == []
    assert store.add(r, extraction_for(r)).status == "stored"  # and the clean retry works


def test_failed_replace_keeps_the_previous_extraction(store):
    r = report(WIRE)
    store.add(r, extraction_for(r, version="v1"))
    broken = extraction_for(r, version="v2")
    broken.places.append(broken.places[0])
    with pytest.raises(IntegrityError):
        store.replace_extraction(broken)
    assert store.get_extraction(r.id).extractor_version == "v1" and store.count_events() == 2


def test_extraction_for_another_report_is_refused(store):
    with pytest.raises(ValueError):
        store.add(report(WIRE), extraction_for(report(OTHER)))


# -- batches -------------------------------------------------------------------------------------

THIRD = (SAMPLES / "104_mss_pnh_solino_bel_air_operation.txt").read_text(encoding="utf-8").split(" ", 2)[2]


def test_add_many_is_add_in_turn_including_duplicates_within_the_batch(store):
    before = report(THIRD, source="before.txt")
    store.add(before)
    original, other = report(WIRE, source="wire.txt"), report(OTHER, source="other.txt")
    copy = report(edited_copy(WIRE), source="copy.txt")
    batch = [(original, extraction_for(original)), (other, None), (original, extraction_for(original, "v2")),
             (copy, None), (before, None)]
    results = store.add_many(batch)
    assert [(r.status, r.report_id, r.duplicate_of) for r in results] == [
        ("stored", original.id, None), ("stored", other.id, None), ("duplicate", original.id, original.id),
        ("near_duplicate", copy.id, original.id), ("duplicate", before.id, before.id)]
    assert results[3].similarity >= store.near_duplicate_threshold
    assert store.report_info(copy.id).duplicate_of == original.id
    # The fact rows came with the extraction; the in-batch repeat changed nothing.
    assert store.get_extraction(original.id).extractor_version == "test/1"
    assert (rows(store, "events", original.id), rows(store, "entities", original.id)) == (2, 2)
    assert store.counts().reports == 4 and store.counts().near_duplicates == 1
    assert {h.report_id for h in store.search("Security Council")} >= {original.id}
    assert store.add_many([]) == []


def test_add_many_one_bad_report_costs_only_itself(store):
    facts = " Kenya and Haiti: the Security Council voted for 400 more."  # what extraction_for quotes
    good1, bad, good2 = report(WIRE), report(OTHER + facts), report(THIRD + facts)
    broken = extraction_for(bad)
    broken.events.append(broken.events[0])  # the same fact id twice: its events insert fails
    store.add(Report.build(body="One text.", reader="t", id="taken"))
    clash = Report.build(body="Another text.", reader="t", id="taken")
    results = store.add_many([(good1, extraction_for(good1)), (bad, broken), (clash, None),
                              (good2, extraction_for(good2))])
    assert [r.status for r in (results[0], results[3])] == ["stored", "stored"]
    assert isinstance(results[1], StoreError) and results[1].code == "MW209" and bad.id in results[1].message
    assert isinstance(results[2], StoreError) and results[2].code == "MW206"
    for table in ("reports", "lsh_bands", "extractions", "entities", "places", "events", "quantities"):
        assert rows(store, table, bad.id) == 0, table  # nothing half-written
        assert rows(store, table, good1.id) > 0 and rows(store, table, good2.id) > 0, table
    assert store.get_report("taken").body == "One text."
    assert store.add(bad, extraction_for(bad)).status == "stored"  # and a clean retry works


def test_add_many_refuses_a_mismatched_extraction_before_writing(store):
    with pytest.raises(ValueError):
        store.add_many([(report(WIRE), None), (report(THIRD), extraction_for(report(OTHER)))])
    assert store.count_reports() == 0


# -- search --------------------------------------------------------------------------------------

def test_search_ranks_and_snippets(store):
    store.add(report(WIRE, title="Security Council renews Kenya-led mission"))
    store.add(report(OTHER))
    hits = store.search("Ecuador")
    assert [h.report_id for h in hits] == [report(WIRE).id]
    assert "[ecuador]" in hits[0].snippet.lower()
    assert store.search("renews")[0].report_id == report(WIRE).id  # title words count
    assert {h.report_id for h in store.search("Port-au-Prince")} == {report(WIRE).id, report(OTHER).id}
    assert store.search('"Gran Grif"')[0].report_id == report(OTHER).id
    assert store.search("zzzunknownword") == []
    ranked = store.search("Kenya OR gang")
    assert all(a.rank >= b.rank for a, b in zip(ranked, ranked[1:], strict=False))


@pytest.mark.parametrize("query", ['"unbalanced', "   ", ""])
def test_bad_search_syntax_is_mw301(store, query):
    store.add(report(WIRE))
    with pytest.raises(QueryError) as raised:
        store.search(query)
    assert raised.value.code == "MW301"


def test_sqlite_fts_syntax_error_is_mw301(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 's.db'}") as store:
        store.add(report(WIRE))
        with pytest.raises(QueryError):
            store.search("Kenya AND")


# -- users, reviews, audit -----------------------------------------------------------------------

def test_users_reviews_audit(store):
    r = report(WIRE)
    store.add(r)
    user = store.add_user(User(name="amina", role="admin", token_hash="h1"))
    assert user.id is not None and store.get_user_by_token_hash("h1") == user
    assert store.get_user_by_token_hash("nope") is None
    with pytest.raises(StoreError) as raised:
        store.add_user(User(name="amina", role="analyst", token_hash="h2"))
    assert raised.value.code == "MW207"
    review = store.add_review(Review(report_id=r.id, fact_kind="event", fact_id="ev1", action="correct",
                                     corrected={"status": "planned"}, note="future tense", author="amina"))
    assert store.list_reviews(r.id) == [review] and store.list_reviews("other") == []
    with pytest.raises(StoreError):
        store.add_review(review.model_copy(update={"report_id": "nope"}))
    entry = store.add_audit(AuditEntry(actor="amina", action="review.add", object_kind="review",
                                       object_id=str(review.id), after={"action": "correct"}))
    assert store.list_audit(object_kind="review") == [entry]


# -- property: Report -> store -> Report ----------------------------------------------------------

text = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=300)
reports = st.builds(
    lambda body, published, title, source, url: Report.build(body=body, reader="prop", published=published,
                                                            title=title, source=source, url=url),
    body=text.filter(str.strip), published=st.none() | st.dates(), title=st.none() | text,
    source=st.none() | text, url=st.none() | text)


def test_store_round_trip_property(db_url):
    with Store.open(db_url) as store:
        @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(r=reports)
        def check(r: Report) -> None:
            result = store.add(r)
            if result.status == "duplicate":
                assert store.get_report(result.duplicate_of).sha256 == r.sha256
            else:
                assert store.get_report(r.id) == r

        check()


# -- property: fact rows through the bulk writer (COPY on PostgreSQL) ------------------------------

short = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=16)
event_rows = st.lists(st.fixed_dictionaries({
    "type": short, "status": st.sampled_from(["occurred", "planned"]),
    "date_start": st.none() | st.dates(), "date_end": st.none() | st.dates(), "place_name": st.none() | text,
    "lat": st.none() | st.floats(-90, 90), "lon": st.none() | st.floats(-180, 180),
    "actors": st.none() | text, "confidence": st.floats(0, 1), "extractor_version": short,
    "evidence_start": st.integers(0, 2**31 - 1), "evidence_end": st.integers(0, 2**31 - 1),
    "evidence_text": text, "long_span": st.booleans()}),
    min_size=1, max_size=5)


def test_bulk_insert_round_trip_property(db_url):
    from missionwatch.store import bulk
    from missionwatch.store.models import EventRow, ExtractionRow

    with Store.open(db_url) as store:
        owner = store.add(report(OTHER)).report_id
        counter = iter(range(10**6))

        @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(rows=event_rows, contract=text)
        def check(rows: list[dict], contract: str) -> None:
            batch = f"b{next(counter)}"
            written = [{"report_id": owner, "fact_id": f"{batch}-{i}", **row} for i, row in enumerate(rows)]
            at = dt.datetime(2026, 11, 28, 23, 30, 1, 250, tzinfo=dt.UTC)
            with store.engine.begin() as conn:
                bulk.insert_rows(conn, EventRow, written)
                if batch == "b0":
                    bulk.insert_rows(conn, ExtractionRow, [{"report_id": owner, "extractor_version": "v",
                                                            "contract": contract, "extracted_at": at}])
            columns = [getattr(EventRow, name) for name in written[0]]
            with store.engine.connect() as conn:
                mine = EventRow.fact_id.startswith(f"{batch}-")
                read = [dict(r._mapping) for r in conn.execute(sa.select(*columns).where(mine))]
                if batch == "b0":
                    stored = conn.execute(sa.select(ExtractionRow.contract, ExtractionRow.extracted_at)).one()
                    assert tuple(stored) == (contract, at)
            assert sorted(read, key=lambda r: int(r["fact_id"].split("-")[1])) == written

        check()


def test_bulk_insert_refusal_is_a_sqlalchemy_integrity_error(store):
    from missionwatch.store import bulk
    from missionwatch.store.models import EntityRow

    owner = store.add(report(OTHER)).report_id
    row = {"report_id": owner, "fact_id": "e1", "name": "Kenya", "type": "COUNTRY", "mention_count": 1}
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        bulk.insert_rows(conn, EntityRow, [row, row])
    with store.engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(EntityRow)) == 0


# -- concurrent writers ---------------------------------------------------------------------------

def test_two_writers_store_each_report_once(db_url):
    from concurrent.futures import ThreadPoolExecutor

    Store.open(db_url).close()  # migrate once, as the first process would
    bodies = [f"Report {n}: Kenyan police patrolled Delmas {n} and Solino {n * 7} on day {n}."
              for n in range(40)]

    def writer(order: list[str]) -> list[str]:
        with Store.open(db_url) as own:
            return [own.add(report(body)).status for body in order]

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(writer, [bodies, bodies[::-1]]))
    statuses = [s for result in results for s in result]
    assert statuses.count("duplicate") == len(bodies)
    with Store.open(db_url) as store:
        assert store.count_reports() == len(bodies)
