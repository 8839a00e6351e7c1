"""Exports users already know: the contract as JSONL, ACLED's CSV layout, GeoJSON.

Each exporter is a pure function over ``(Report, Extraction)`` pairs, so the
store, the CLI and the web API share one implementation. ACLED's columns and
the mapping of our event types onto its types live in ``acled.yaml``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

import pycountry
import yaml

from missionwatch.records import Entity, Event, Extraction, Report

ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "actor2", "assoc_actor_2", "interaction", "country", "admin1", "admin2",
    "location", "latitude", "longitude", "geo_precision", "source", "notes", "fatalities", "timestamp",
)


@dataclass(frozen=True)
class AcledMap:
    rules: list[dict[str, Any]]
    actor_codes: dict[str, int]
    time_precision: dict[str, int]
    geo_precision: dict[str, int]
    state_forces: dict[str, list[str]]


@lru_cache(maxsize=1)
def acled_map() -> AcledMap:
    data = yaml.safe_load(files("missionwatch.exports").joinpath("acled.yaml").read_text(encoding="utf-8"))
    return AcledMap(**data)


def actor_kind(entity: Entity, host_country: str | None) -> str:
    mapping = acled_map()
    if entity.type == "ARMED_GROUP":
        return "armed_group"
    if entity.type == "FORCE":
        host = mapping.state_forces.get(host_country or "", [])
        return "state" if entity.name in host or any(a in host for a in entity.aliases) else "external"
    if entity.type in {"MISSION", "COUNTRY", "ORG"}:
        return "external"
    return "civilians" if entity.type == "PERSON" else "other"


def _rule_for(event: Event, actors: list[str], targets: list[str]) -> dict[str, Any]:
    for rule in acled_map().rules:
        if rule["type"] != event.type:
            continue
        if "direction" in rule and event.attributes.get("direction") != rule["direction"]:
            continue
        if "target_is" in rule and not set(rule["target_is"]) & set(targets):
            continue
        if "actor_is" in rule and not set(rule["actor_is"]) & set(actors):
            continue
        return rule
    raise KeyError(f"acled.yaml has no rule for event type {event.type}")


def _iso3(alpha2: str | None) -> str:
    country = pycountry.countries.get(alpha_2=alpha2) if alpha2 else None
    return country.alpha_3 if country else "XXX"


def _country_name(alpha2: str | None) -> str:
    country = pycountry.countries.get(alpha_2=alpha2) if alpha2 else None
    return country.name if country else ""


def _fatalities(event: Event, extraction: Extraction) -> int:
    quantity = extraction.quantity(event.quantity)
    if event.type == "ATTACK" and quantity is not None and quantity.kind == "count":
        return int(quantity.value)
    return 0


def acled_rows(pairs: Iterable[tuple[Report, Extraction]]) -> Iterator[dict[str, Any]]:
    """One ACLED row per dated event."""
    mapping = acled_map()
    for report, extraction in pairs:
        for event in extraction.events:
            if event.date is None:
                continue  # ACLED rows need a date; undated states are not incidents
            place = extraction.place(event.place)
            host = place.country if place else None
            actors = [e for e in (extraction.entity(i) for i in event.actors) if e]
            targets = [e for e in (extraction.entity(i) for i in event.targets) if e]
            actor_kinds = [actor_kind(e, host) for e in actors]
            target_kinds = [actor_kind(e, host) for e in targets]
            rule = _rule_for(event, actor_kinds, target_kinds)
            codes = sorted(mapping.actor_codes[k] for k in (actor_kinds[:1] + target_kinds[:1]))
            yield {
                "event_id_cnty": f"{_iso3(host)}-{report.id}-{event.id}",
                "event_date": event.date.start.isoformat(),
                "year": event.date.start.year,
                "time_precision": mapping.time_precision[event.date.precision],
                "event_type": rule["event_type"],
                "sub_event_type": rule["sub_event_type"],
                "actor1": actors[0].name if actors else "",
                "assoc_actor_1": "; ".join(e.name for e in actors[1:]),
                "actor2": targets[0].name if targets else "",
                "assoc_actor_2": "; ".join(e.name for e in targets[1:]),
                "interaction": "".join(str(c) for c in codes),
                "country": _country_name(host),
                "admin1": (place.admin1 or "") if place else "",
                "admin2": "",
                "location": place.name if place else "",
                "latitude": place.lat if place and place.lat is not None else "",
                "longitude": place.lon if place and place.lon is not None else "",
                "geo_precision": mapping.geo_precision[place.feature] if place else 3,
                "source": report.source or report.url or report.id,
                "notes": f"[{event.status}] {event.evidence.text}",
                "fatalities": _fatalities(event, extraction),
                "timestamp": int(dt.datetime.combine(report.published or event.date.start, dt.time(),
                                                     tzinfo=dt.UTC).timestamp()),
            }


def acled_csv(pairs: Iterable[tuple[Report, Extraction]]) -> Iterator[str]:
    """The ACLED CSV, streamed line by line (header first)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ACLED_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in acled_rows(pairs):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()


def geojson_features(pairs: Iterable[tuple[Report, Extraction]]) -> Iterator[dict[str, Any]]:
    """One GeoJSON Feature per event that has a geocoded place."""
    for report, extraction in pairs:
        for event in extraction.events:
            place = extraction.place(event.place)
            if place is None or place.lat is None or place.lon is None:
                continue
            yield {
                "type": "Feature",
                "id": f"{report.id}/{event.id}",
                "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
                "properties": {
                    "report_id": report.id, "event_id": event.id, "type": event.type,
                    "status": event.status,
                    "date": event.date.to_contract() if event.date else None,
                    "place": place.name, "country": place.country,
                    "actors": [e.name for e in (extraction.entity(i) for i in event.actors) if e],
                    "targets": [e.name for e in (extraction.entity(i) for i in event.targets) if e],
                    "evidence": event.evidence.text, "source": report.source,
                },
            }


def geojson(pairs: Iterable[tuple[Report, Extraction]]) -> Iterator[str]:
    """A FeatureCollection, streamed so a large store is never held in memory."""
    yield '{"type": "FeatureCollection", "features": ['
    for n, feature in enumerate(geojson_features(pairs)):
        yield ("," if n else "") + "\n" + json.dumps(feature, ensure_ascii=False)
    yield "\n]}\n"


def contract_jsonl(extractions: Iterable[Extraction]) -> Iterator[str]:
    """The extraction contract, one report per line."""
    for extraction in extractions:
        yield json.dumps(extraction.to_contract(), ensure_ascii=False, sort_keys=True) + "\n"


def acled_docs_markdown() -> str:
    lines = ["# ACLED export", "",
             "`missionwatch export --format acled-csv` writes ACLED's column layout:", "",
             ", ".join(f"`{c}`" for c in ACLED_COLUMNS), "",
             "Event types map onto ACLED's as follows (first matching rule wins; generated from "
             "`src/missionwatch/exports/acled.yaml`):", "",
             "| missionwatch type | condition | ACLED event_type | ACLED sub_event_type |",
             "|---|---|---|---|"]
    named = {"type", "event_type", "sub_event_type"}
    for rule in acled_map().rules:
        cond = "; ".join(f"{k} {v}" for k, v in rule.items() if k not in named)
        lines.append(f"| {rule['type']} | {cond or '—'} | {rule['event_type']} | {rule['sub_event_type']} |")
    lines += ["", "Events without a date are not exported to ACLED (they are states, not incidents). "
              "`event_id_cnty` is `ISO3-REPORT-EVENT`; `notes` carries the status and the evidence words; "
              "`fatalities` is the count linked to an ATTACK; `interaction` uses ACLED's actor codes "
              "(1 state forces, 3 political militia, 7 civilians, 8 external/other)."]
    return "\n".join(lines) + "\n"
