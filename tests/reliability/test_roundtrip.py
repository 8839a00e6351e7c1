"""Round trip: ``export --format jsonl`` then ``import`` into an empty store gives the same store.

Same rows in every table (reports with their ingest times and near-duplicate
links, extractions, fact rows, fingerprints, reviews, audit, users, the
migration state), on SQLite and PostgreSQL; the second dump is byte for byte
the first; the dump's report lines are valid extraction contracts; damaged
dumps are refused whole.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner, Result

from missionwatch.cli import app
from missionwatch.records import Extraction, Report
from missionwatch.store import Store
from missionwatch.web.auth import Principal
from missionwatch.web.queries import WebData
from tests.conftest import BACKENDS, REPO
from tests.reliability.helpers import hand_pair, short_body, snapshot

HOSTILE = [
    "‏שלום עולם‏ الشرطة الكينية في هايتي  \u202eevil\u202c end",
    "Zero\u200bwidth, emoji 🇭🇹🇰🇪, combining e\u0301, tab\tand\r\nCRLF line",
    "Quotes \" ' \\ and </script><script>alert(1)</script> and '; DROP TABLE reports; --",
]


def build_store(url: str) -> dict[str, str]:
    """A store with something in every table: extracted, near-duplicate, unextracted, reviews, audit."""
    ids: dict[str, str] = {}
    with Store.open(url) as store:
        for i in range(5):
            report, extraction = hand_pair(short_body(i, seed=7), i)
            store.add(report, extraction)
            ids[f"r{i}"] = report.id
        for i, text in enumerate(HOSTILE, start=10):
            report, extraction = hand_pair(text, i)
            store.add(report, extraction)
            ids[f"h{i}"] = report.id
        # a near-duplicate of r0 (same wire story, new sign-off) and a report with no extraction
        dup, dup_ex = hand_pair(short_body(0, seed=7) + " Reuters.", 20)
        assert store.add(dup, dup_ex).status == "near_duplicate"
        ids["dup"] = dup.id
        bare = Report.build(body="Unextracted report about Cabaret.", reader="test")
        store.add(bare)
        ids["bare"] = bare.id
        web = WebData(store.engine)
        web.add_user("ana", "analyst")
        web.add_user("root", "admin")
        ana = Principal(1, "ana", "analyst")
        web.add_review(
            ana,
            report_id=ids["r1"],
            kind="event",
            action="reject",
            fact_id="v1",
            value=None,
            note="not a deployment",
        )
        web.add_review(
            ana,
            report_id=ids["r2"],
            kind="event",
            action="correct",
            fact_id="v1",
            value={"status": "planned"},
            note=HOSTILE[0],
        )
        web.add_review(
            ana,
            report_id=ids["r2"],
            kind="event",
            action="add",
            fact_id=None,
            value={"type": "ARREST", "date": "2025-03-04"},
            note="radio report, 4 March",
        )
    return ids


def _export(url: str, path: Path) -> str:
    result = CliRunner().invoke(app, ["export", "--format", "jsonl", "--output", str(path), "--db", url])
    assert result.exit_code == 0, result.output
    return path.read_text(encoding="utf-8")


def _import(url: str, path: Path) -> Result:
    return CliRunner().invoke(app, ["import", str(path), "--db", url])


def _second(db_url: str, tmp_path: Path) -> str:
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored.db'}"
    import sqlalchemy as sa

    from tests.conftest import _postgres_server_url

    name = "mw_restored_" + tmp_path.name[-8:].replace("-", "_").lower()
    admin = sa.create_engine(_postgres_server_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return sa.engine.make_url(db_url).set(database=name).render_as_string(hide_password=False)


def test_export_import_gives_an_identical_store(db_url, tmp_path):
    ids = build_store(db_url)
    first = _export(db_url, tmp_path / "dump.jsonl")
    restored = _second(db_url, tmp_path)
    result = _import(restored, tmp_path / "dump.jsonl")
    assert result.exit_code == 0, result.output
    assert "imported 10 reports, 9 extractions, 3 reviews" in result.output

    before, after = snapshot(db_url), snapshot(restored)
    assert set(before) == set(after)
    for table in before:
        assert before[table] == after[table], f"table {table} differs after the round trip"
    assert len(before["reviews"]) == 3 and len(before["audit"]) == 5 and len(before["users"]) == 2
    assert _export(restored, tmp_path / "again.jsonl") == first, "dump -> restore -> dump is not stable"

    # the restored store keeps working: search finds a hostile body, new reviews get fresh ids
    with Store.open(restored) as store:
        assert any(h.report_id == ids["h10"] for h in store.search("هايتي")) or store.backend != "sqlite"
        review = WebData(store.engine).add_review(
            Principal(1, "ana", "analyst"),
            report_id=ids["r3"],
            kind="event",
            action="accept",
            fact_id="v1",
            value=None,
            note=None,
        )
        assert review.id == 4
        assert store.get_report(ids["dup"]) and store.report_info(ids["dup"]).duplicate_of == ids["r0"]


def test_dump_report_lines_are_extraction_contracts(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    build_store(url)
    text = _export(url, tmp_path / "dump.jsonl")
    schema = json.loads((REPO / "src/missionwatch/extract/data/extraction.schema.json").read_text())
    lines = [json.loads(line) for line in text.splitlines()]
    contracts = [line for line in lines if "record" not in line]
    assert len(contracts) == 9
    for obj in contracts:
        jsonschema.validate(obj, schema)  # the "store" extra field is allowed by the schema
        assert obj["schema"] == "missionwatch.extraction/1"
        body = obj["store"]["report"]["body"]
        for event in obj["events"]:
            assert body[event["evidence"]["start"] : event["evidence"]["end"]] == event["evidence"]["text"]
    records = [line["record"] for line in lines if "record" in line]
    assert records[0] == "header" and records[-1] == "end"
    assert records.count("report") == 1  # the unextracted one


def test_extraction_for_report_carries_the_report_identity_into_the_contract():
    """The contract report block is the report's own id, date, title, source and hash, hostile text too."""
    report = Report.build(body=HOSTILE[1], reader="test", published=dt.date(2024, 9, 21), title=HOSTILE[2],
                          source=HOSTILE[0], id="r-hostile")
    extraction = Extraction.for_report(report, "test/2")
    contract = extraction.to_contract()
    assert contract["report"] == {"id": "r-hostile", "published": "2024-09-21", "title": HOSTILE[2],
                                  "source": HOSTILE[0], "sha256": report.sha256}
    assert contract["extractor_version"] == "test/2"
    assert Extraction.from_contract(json.loads(json.dumps(contract))) == extraction
    _, full = hand_pair(HOSTILE[1], 3)
    rebuilt = Extraction.for_report(report, "test/2", entities=tuple(full.entities), places=full.places,
                                    events=full.events, quantities=full.quantities)
    assert rebuilt.entities == full.entities and rebuilt.entities is not full.entities


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda lines: lines[:-1], "ends before its end line"),
        (lambda lines: lines[:5] + ["{not json"] + lines[5:], "not valid JSON"),
        (
            lambda lines: (
                [lines[0]] + [x.replace('"text": "Kenyan', '"text": "Haitian', 1) for x in lines[1:]]
            ),
            "evidence",
        ),
        (
            lambda lines: (
                [lines[0]] + [x.replace("Dispatch 7-1:", "Dispatch 7-1 (edited):") for x in lines[1:]]
            ),
            "sha256",
        ),
        (lambda lines: lines[1:], "first line must be the dump header"),
        (
            lambda lines: [lines[0]] + [x for x in lines[1:] if '"record": "audit"' not in x],
            "end line counts",
        ),
    ],
)
def test_damaged_dump_is_refused_whole(tmp_path, damage, message):
    url = f"sqlite:///{tmp_path / 's.db'}"
    build_store(url)
    lines = _export(url, tmp_path / "dump.jsonl").splitlines()
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(damage(lines)) + "\n", encoding="utf-8")
    target = f"sqlite:///{tmp_path / 'target.db'}"
    result = _import(target, bad)
    assert result.exit_code == 1
    assert "MW205" in result.output and message in result.output, result.output
    with Store.open(target) as store:
        assert store.count_reports() == 0, "a refused import left rows behind"


def test_import_refuses_a_store_that_is_not_empty(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    build_store(url)
    _export(url, tmp_path / "dump.jsonl")
    result = _import(url, tmp_path / "dump.jsonl")
    assert result.exit_code == 1 and "MW208" in result.output


def test_contract_only_file_is_refused_with_a_hint(tmp_path):
    from missionwatch.exports import contract_jsonl

    report, extraction = hand_pair(short_body(1), 1)
    path = tmp_path / "contract.jsonl"
    path.write_text("".join(contract_jsonl([extraction])), encoding="utf-8")
    result = _import(f"sqlite:///{tmp_path / 't.db'}", path)
    assert result.exit_code == 1 and "MW205" in result.output and "dump header" in result.output


def test_acled_and_geojson_exports_write_complete_files(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    build_store(url)
    runner = CliRunner()
    csv_path, geo_path = tmp_path / "a.csv", tmp_path / "e.geojson"
    assert runner.invoke(app, ["export", "-f", "acled-csv", "-o", str(csv_path), "--db", url]).exit_code == 0
    assert runner.invoke(app, ["export", "-f", "geojson", "-o", str(geo_path), "--db", url]).exit_code == 0
    rows = csv_path.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("event_id_cnty") and len(rows) > 5
    geo = json.loads(geo_path.read_text(encoding="utf-8"))
    assert geo["type"] == "FeatureCollection" and geo["features"]
    assert not list(tmp_path.glob(".*.tmp")), "a temporary file was left behind"


@pytest.mark.skipif("postgres" not in BACKENDS, reason="needs PostgreSQL")
def test_dump_moves_a_store_from_sqlite_to_postgresql_and_back(tmp_path):
    """A team outgrowing its SQLite file moves to PostgreSQL (and back) without losing anything."""
    from tests.conftest import _fresh_postgres_database

    source = f"sqlite:///{tmp_path / 'source.db'}"
    build_store(source)
    _export(source, tmp_path / "a.jsonl")
    databases = _fresh_postgres_database()
    postgres = next(databases)
    try:
        assert _import(postgres, tmp_path / "a.jsonl").exit_code == 0
        _export(postgres, tmp_path / "b.jsonl")
        back = f"sqlite:///{tmp_path / 'back.db'}"
        assert _import(back, tmp_path / "b.jsonl").exit_code == 0
        for store_url in (postgres, back):
            got, want = snapshot(store_url), snapshot(source)
            for table in want:
                assert _without_seq(table, got[table]) == _without_seq(table, want[table]), table
    finally:
        databases.close()


def _without_seq(table: str, rows: list[tuple]) -> list[tuple]:
    """``reports.seq`` exists for SQLite's FTS index only (NULL on PostgreSQL)."""
    if table != "reports":
        return rows
    from missionwatch.store.models import ReportRow

    at = [c.name for c in ReportRow.__table__.columns].index("seq")
    return [row[:at] + row[at + 1 :] for row in rows]


def test_dump_taken_while_analysts_write_is_a_consistent_snapshot(db_url, tmp_path):
    """A review written half-way through an export is either wholly in the dump or wholly not."""
    from missionwatch.transfer import dump_lines

    ids = build_store(db_url)
    with Store.open(db_url) as store:
        lines = dump_lines(store)
        head = [next(lines) for _ in range(4)]  # header, users, first report: the snapshot is taken
        WebData(store.engine).add_review(Principal(1, "ana", "analyst"), report_id=ids["r4"], kind="event",
                                         action="reject", fact_id="v1", value=None, note="written mid-export")
        rest = list(lines)
    path = tmp_path / "mid.jsonl"
    path.write_text("".join(head + rest), encoding="utf-8")
    assert "written mid-export" not in path.read_text(encoding="utf-8")
    result = _import(f"sqlite:///{tmp_path / 'mid.db'}", path)
    assert result.exit_code == 0, result.output  # counts match, every audit row's review is there
