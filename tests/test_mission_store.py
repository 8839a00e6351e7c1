"""The picture over a real store: cached contributions, incremental refresh, reviews, CLI, and an
end-to-end run of the scenario reports through the real extractor."""

from __future__ import annotations

import datetime as dt
import json

from typer.testing import CliRunner

from missionwatch.cli import app
from missionwatch.mission.model import TimelineEvent
from missionwatch.mission.service import MissionService
from missionwatch.store import Review, Store
from tests.scenarios.load import SCENARIOS, extractions


def _fill(store: Store, skip: str | None = None) -> None:
    from missionwatch.readers import read_one

    for extraction, _ in extractions("rotation"):
        if extraction.report_id == skip:
            continue
        report = read_one(SCENARIOS / "rotation" / f"{extraction.report_id}.txt")
        stored = report.model_copy(update={"id": extraction.report_id, "source": extraction.source})
        store.add(stored, extraction)


def test_refresh_recomputes_only_what_changed(db_url):
    with Store.open(db_url) as store:
        _fill(store, skip="s6_renewed")
        service = MissionService(store)
        assert service.refresh().computed == 5
        _fill(store)  # adds s6 only (the others are duplicates)
        stats = service.refresh()
        assert (stats.computed, stats.unchanged) == (1, 5)
        # a fresh process reads the cache instead of reducing again
        cold = MissionService(store).refresh()
        assert (cold.computed, cold.from_cache) == (0, 6)
        # a review invalidates that one report
        from missionwatch import review as review_layer

        observer = store.get_extraction("s3_guatemalans_observer")
        assert observer is not None
        review, _ = review_layer.new_review(observer, kind="quantity", action="reject", user="ana",
                                            fact_id="q2", now=dt.datetime.now(dt.UTC))
        store.add_review(Review(**review_layer.to_row(review)))
        assert service.refresh().computed == 1
        kenya = next(c for c in service.state.picture(dt.date(2025, 2, 20)).forces.contingents
                     if c.country == "KE")
        assert kenya.latest_stated is not None and not kenya.latest_stated.disputed


def test_cli_mission_json_and_why(tmp_path):
    url = f"sqlite:///{tmp_path / 'mw.db'}"
    with Store.open(url) as store:
        _fill(store)
    runner = CliRunner()
    result = runner.invoke(app, ["mission", "--as-of", "2025-02-20", "--format", "json", "--db", url])
    assert result.exit_code == 0, result.output
    picture = json.loads(result.output)
    assert picture["as_of"] == "2025-02-20" and picture["reports"] == 4
    merged = next(e for e in picture["timeline"] if len(e["sources"]) == 2)
    why = runner.invoke(app, ["why", merged["id"], "--db", url])
    assert why.exit_code == 0 and "merged" in why.output and "shared actor" in why.output
    bad = runner.invoke(app, ["mission", "--as-of", "2025-13-01", "--db", url])
    assert bad.exit_code == 1 and "MW301" in bad.output


def test_end_to_end_real_extractor(tmp_path):
    """The scenario's .txt reports through the real readers, extractor and store."""
    from missionwatch.ingest import ingest

    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    with Store.open(url) as store:
        summary = ingest([SCENARIOS / "rotation"], store)
        assert summary.stored == 6, summary.rejected
        picture = MissionService(store).picture(dt.date(2025, 10, 5))
    assert picture.reports == 6
    # robust facts only: the extractor's quality is measured elsewhere
    assert all(s.quote for e in picture.timeline for s in e.sources)
    sources = [s for e in picture.timeline for s in e.sources]
    assert all(s.report_date and s.report_date <= dt.date(2025, 10, 5) for s in sources)
    out = tmp_path / "brief.md"
    result = CliRunner().invoke(app, ["brief", "--as-of", "2025-10-05", "--format", "md",
                                      "--output", str(out), "--db", url])
    assert result.exit_code == 0, result.output
    assert "brief as of 2025-10-05" in out.read_text(encoding="utf-8")


def test_the_change_stamp_reads_indexes_not_tables(db_url):
    """Every dashboard request reads the stamp: none of its parts may read report bodies or
    extraction JSON (a full scan costs seconds in a large store), alone or in the one statement
    the service runs."""
    from missionwatch.mission.service import STAMP, STAMP_QUERIES
    from missionwatch.store import Store

    with Store.open(db_url) as store, store.engine.connect() as conn:
        for query in (*STAMP_QUERIES, STAMP):
            sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
            if conn.dialect.name == "sqlite":
                steps = [str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
                reads = [s for s in steps if s.startswith(("SCAN ", "SEARCH ")) and s != "SCAN CONSTANT ROW"]
                # an INTEGER PRIMARY KEY is the rowid: max(reviews.id) is a search of its last entry
                assert reads and all("INDEX" in s or s == "SEARCH reviews" for s in reads), (sql, steps)
            else:
                conn.exec_driver_sql("SET enable_seqscan = off")
                plan = " ".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + sql))
                conn.exec_driver_sql("RESET enable_seqscan")
                assert "Seq Scan" not in plan, (sql, plan)


def test_contributions_read_from_the_cache_share_parts_and_stay_as_they_were(db_url):
    from collections import defaultdict

    with Store.open(db_url) as store:
        _fill(store)
        MissionService(store).refresh()  # reduces and writes the cache
        cold = MissionService(store)
        assert cold.refresh().from_cache == 6
        contributions = list(cold.state.contributions.values())
        # repeated places and actors are one object each, whichever report names them
        by_value = defaultdict(set)
        for c in contributions:
            for e in c.events:
                for part in [e.place, *e.actors]:
                    if part is not None:
                        by_value[part.model_dump_json()].add(id(part))
        assert any(len(c.events) > 1 for c in contributions)
        assert all(len(ids) == 1 for ids in by_value.values())
        # every record still tells which fields it was given, and a copy's changes stay its own
        event = contributions[0].events[0]
        assert event.model_fields_set == set(type(event).model_fields)
        copied = event.source.model_copy(update={"quote": "changed"})
        assert copied.quote == "changed" and event.source.quote != "changed"
        # building pictures (full and bounded) never changes what a report contributed
        before = [c.model_dump_json() for c in contributions]
        for day in (dt.date(2025, 1, 10), dt.date(2025, 2, 20), dt.date(2025, 10, 5)):
            cold.picture(day)
            cold.bounded_picture(day, 0, 20, 5)
        assert [c.model_dump_json() for c in contributions] == before
        assert cold.picture(dt.date(2025, 2, 20)).to_json() == \
            MissionService(store).picture(dt.date(2025, 2, 20)).to_json()
        # the picture's own records share one fields set per class too, and still tell what was given
        timeline = cold.picture(dt.date(2025, 10, 5)).timeline
        assert len(timeline) > 1 and len({id(e.model_fields_set) for e in timeline}) == 1
        assert timeline[0].model_fields_set == set(TimelineEvent.model_fields)
        partial = TimelineEvent.model_construct(id="x", type="ARREST", status="occurred", sources=[])
        assert partial.model_fields_set == {"id", "type", "status", "sources"}
        partial.date = None
        assert partial.model_fields_set == {"id", "type", "status", "sources", "date"}
        assert timeline[1].model_fields_set == set(TimelineEvent.model_fields)
