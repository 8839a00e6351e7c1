"""Exports over hand-built records: ACLED CSV layout and mapping, GeoJSON, contract JSONL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import jsonschema

from missionwatch.exports import (
    ACLED_COLUMNS,
    acled_csv,
    acled_docs_markdown,
    acled_map,
    contract_jsonl,
    geojson,
)
from missionwatch.records import (
    EVENT_TYPES,
    DateInterval,
    Entity,
    Event,
    Extraction,
    Place,
    Quantity,
    Report,
    Span,
)
from tests.conftest import REPO

BODY = "Kenyan police and Haitian police arrested two Chen Mechan gang leaders in Delmas last week."


def _span(text: str) -> Span:
    start = BODY.index(text)
    return Span.of(BODY, start, start + len(text))


def sample_pair() -> tuple[Report, Extraction]:
    report = Report.build(body=BODY, reader="test", published=dt.date(2024, 9, 21), source="wire.txt",
                          id="r1")
    ents = [
        Entity(id="e1", name="Kenyan police", type="FORCE", mentions=[_span("Kenyan police")],
               extractor="t"),
        Entity(id="e2", name="Haitian National Police", type="FORCE", aliases=["Haitian police"],
               mentions=[_span("Haitian police")], extractor="t"),
        Entity(id="e3", name="Chen Mechan", type="ARMED_GROUP", mentions=[_span("Chen Mechan")],
               extractor="t"),
    ]
    place = Place(id="p1", name="Delmas", country="HT", admin1="Ouest", lat=18.5448, lon=-72.3004,
                  feature="city", mentions=[_span("Delmas")], extractor="t")
    qty = Quantity(id="q1", kind="count", value=2, evidence=_span("two"), extractor="t")
    week = DateInterval(start=dt.date(2024, 9, 9), end=dt.date(2024, 9, 15), precision="week",
                        text="last week")
    events = [
        Event(id="v1", type="ARREST", status="occurred", date=week, place="p1", actors=["e1", "e2"],
              targets=["e3"], quantity="q1", evidence=_span(BODY[:-1]), extractor="t"),
        Event(id="v2", type="STATEMENT", status="occurred", date=None, evidence=_span("Kenyan"),
              extractor="t"),
    ]
    extraction = Extraction.for_report(report, "t", entities=ents, places=[place], events=events,
                                       quantities=[qty])
    return report, extraction


def test_acled_csv_has_acled_columns_and_maps_arrest():
    rows = list(csv.DictReader(io.StringIO("".join(acled_csv([sample_pair()])))))
    assert tuple(rows[0].keys()) == ACLED_COLUMNS
    assert len(rows) == 1, "undated events are not ACLED incidents"
    row = rows[0]
    assert (row["event_type"], row["sub_event_type"]) == ("Strategic developments", "Arrests")
    assert row["event_date"] == "2024-09-09" and row["time_precision"] == "2"
    assert row["actor1"] == "Kenyan police" and row["assoc_actor_1"] == "Haitian National Police"
    assert row["actor2"] == "Chen Mechan" and row["interaction"] == "38"
    assert row["country"] == "Haiti" and row["location"] == "Delmas" and row["geo_precision"] == "1"
    assert row["event_id_cnty"] == "HTI-r1-v1" and "arrested two" in row["notes"]


def test_every_event_type_has_an_acled_rule():
    covered = {rule["type"] for rule in acled_map().rules}
    assert covered == set(EVENT_TYPES)


def test_exports_doc_is_generated_from_the_mapping():
    assert (REPO / "docs" / "exports.md").read_text(encoding="utf-8") == acled_docs_markdown()


def test_geojson_is_a_feature_collection_of_placed_events():
    data = json.loads("".join(geojson([sample_pair()])))
    assert data["type"] == "FeatureCollection"
    [feature] = data["features"]
    assert feature["geometry"]["coordinates"] == [-72.3004, 18.5448]
    assert feature["properties"]["type"] == "ARREST" and feature["properties"]["place"] == "Delmas"


def test_contract_jsonl_lines_validate_against_the_schema():
    schema = json.loads((REPO / "src/missionwatch/extract/data/extraction.schema.json").read_text())
    [line] = list(contract_jsonl([sample_pair()[1]]))
    obj = json.loads(line)
    jsonschema.validate(obj, schema)
    assert Extraction.from_contract(obj) == sample_pair()[1]
