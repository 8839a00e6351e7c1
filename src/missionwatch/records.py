"""Typed records that flow from stage to stage.

A ``Report`` comes out of the readers; an ``Extraction`` (entities, places,
events, quantities, each with spans into ``Report.body``) comes out of the
extractor and is the public contract ``missionwatch.extraction/1``
(``extract/data/extraction.schema.json``). Nothing crosses a module boundary
as a loose dict: ``Extraction.to_contract()`` is the only place the JSON shape
is produced, and ``Extraction.from_contract()`` the only place it is read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_ID = "missionwatch.extraction/1"

EntityType = Literal["PERSON", "ORG", "ARMED_GROUP", "FORCE", "MISSION", "COUNTRY"]
Feature = Literal["country", "admin1", "admin2", "city", "neighborhood", "region", "facility", "other"]
EventType = Literal[
    "DEPLOY", "WITHDRAW", "OPERATION", "ARREST", "ATTACK", "CONTROL", "DISPLACEMENT",
    "TRAVEL", "MEETING", "MANDATE", "FUNDING", "DECISION", "STATEMENT",
]
EventStatus = Literal["occurred", "ongoing", "planned", "hypothetical", "denied"]
Precision = Literal["day", "week", "month", "year", "range"]
QuantityKind = Literal["personnel", "money", "money_rate", "count"]
Period = Literal["day", "week", "month", "year"]

EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]
EVENT_STATUSES: tuple[str, ...] = EventStatus.__args__  # type: ignore[attr-defined]


def normalise_body(text: str) -> str:
    """The canonical form a body is hashed in: NFC, Unix newlines, no trailing blanks.

    The body itself is stored as read (offsets point into it); only the hash is
    taken over this form, so the same story saved with CRLF or a trailing
    newline is recognised as the same report.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def body_sha256(body: str) -> str:
    return hashlib.sha256(normalise_body(body).encode("utf-8")).hexdigest()


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Report(Record):
    """One source document, as a reader produced it."""

    id: str
    published: dt.date | None = None
    title: str | None = None
    source: str | None = None
    url: str | None = None
    body: str
    sha256: str
    reader: str

    @classmethod
    def build(cls, *, body: str, reader: str, published: dt.date | None = None,
              title: str | None = None, source: str | None = None, url: str | None = None,
              id: str | None = None) -> Report:
        digest = body_sha256(body)
        return cls(id=id or digest[:16], published=published, title=title, source=source,
                   url=url, body=body, sha256=digest, reader=reader)


class Span(Record):
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str

    @classmethod
    def of(cls, body: str, start: int, end: int) -> Span:
        return cls(start=start, end=end, text=body[start:end])


class DateInterval(Record):
    start: dt.date
    end: dt.date
    precision: Precision
    text: str | None = None
    #: True when the date is the publication date used as a fallback, not read from the text.
    fallback: bool = False

    def to_contract(self) -> dict[str, Any]:
        out: dict[str, Any] = {"start": self.start.isoformat(), "end": self.end.isoformat(),
                               "precision": self.precision, "text": self.text}
        if self.fallback:
            out["fallback"] = "published"
        return out

    @classmethod
    def from_contract(cls, data: dict[str, Any] | None) -> DateInterval | None:
        if data is None:
            return None
        return cls(start=dt.date.fromisoformat(data["start"]), end=dt.date.fromisoformat(data["end"]),
                   precision=data["precision"], text=data.get("text"),
                   fallback=data.get("fallback") == "published")


class Entity(Record):
    id: str
    name: str
    type: EntityType
    aliases: list[str] = Field(default_factory=list)
    attributes: dict[str, Any] = Field(default_factory=dict)
    mentions: list[Span]
    extractor: str


class Place(Record):
    id: str
    name: str
    country: str | None = None
    admin1: str | None = None
    lat: float | None = None
    lon: float | None = None
    geonames_id: int | None = None
    feature: Feature = "other"
    mentions: list[Span]
    extractor: str


class Quantity(Record):
    id: str
    kind: QuantityKind
    value: float
    unit: str | None = None
    per: Period | None = None
    period_count: float | None = None
    subject: str | None = None
    date: DateInterval | None = None
    evidence: Span
    extractor: str


class Event(Record):
    id: str
    type: EventType
    plover: str | None = None
    status: EventStatus
    date: DateInterval | None = None
    place: str | None = None
    actors: list[str] = Field(default_factory=list)
    targets: list[str] = Field(default_factory=list)
    quantity: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    confidence: float = Field(default=0.5, ge=0, le=1)
    evidence: Span
    extractor: str


class Extraction(Record):
    """Everything the extractor found in one report."""

    report_id: str
    published: dt.date | None
    title: str | None = None
    source: str | None = None
    sha256: str
    extractor_version: str
    entities: list[Entity] = Field(default_factory=list)
    places: list[Place] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    quantities: list[Quantity] = Field(default_factory=list)

    @classmethod
    def for_report(cls, report: Report, extractor_version: str, *,
                   entities: Sequence[Entity] = (), places: Sequence[Place] = (),
                   events: Sequence[Event] = (), quantities: Sequence[Quantity] = ()) -> Extraction:
        """The extraction of ``report``: its identity fields are copied from the report, never retyped.

        Building the report half by hand drifted (a source forgotten here, a
        title there); this is the one place that decides which fields carry over.
        """
        return cls(report_id=report.id, published=report.published, title=report.title,
                   source=report.source, sha256=report.sha256, extractor_version=extractor_version,
                   entities=list(entities), places=list(places), events=list(events),
                   quantities=list(quantities))

    def to_contract(self) -> dict[str, Any]:
        """The ``missionwatch.extraction/1`` JSON object (deterministic: no clocks)."""
        def dump(item: Record) -> dict[str, Any]:
            data = item.model_dump(mode="json")
            for key in ("date",):
                if key in data:
                    value = getattr(item, key)
                    data[key] = value.to_contract() if value is not None else None
            return data

        return {
            "schema": SCHEMA_ID,
            "extractor_version": self.extractor_version,
            "report": {"id": self.report_id,
                       "published": self.published.isoformat() if self.published else None,
                       "title": self.title, "source": self.source, "sha256": self.sha256},
            "entities": [dump(e) for e in self.entities],
            "places": [dump(p) for p in self.places],
            "events": [dump(e) for e in self.events],
            "quantities": [dump(q) for q in self.quantities],
        }

    @classmethod
    def from_contract(cls, data: dict[str, Any]) -> Extraction:
        def load(model: type[Record], item: dict[str, Any]) -> Any:
            item = dict(item)
            if "date" in item:
                item["date"] = DateInterval.from_contract(item["date"])
            return model.model_validate(item)

        report = data["report"]
        return cls(
            report_id=report["id"],
            published=dt.date.fromisoformat(report["published"]) if report.get("published") else None,
            title=report.get("title"), source=report.get("source"), sha256=report["sha256"],
            extractor_version=data.get("extractor_version", "unknown"),
            entities=[load(Entity, e) for e in data.get("entities", [])],
            places=[load(Place, p) for p in data.get("places", [])],
            events=[load(Event, e) for e in data.get("events", [])],
            quantities=[load(Quantity, q) for q in data.get("quantities", [])],
        )

    def entity(self, entity_id: str | None) -> Entity | None:
        return next((e for e in self.entities if e.id == entity_id), None)

    def place(self, place_id: str | None) -> Place | None:
        return next((p for p in self.places if p.id == place_id), None)

    def quantity(self, quantity_id: str | None) -> Quantity | None:
        return next((q for q in self.quantities if q.id == quantity_id), None)
