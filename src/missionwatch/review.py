"""Analyst review: accept, correct or reject a machine fact, or add a new one.

A review is stored *beside* the machine's extraction, never over it: the
extraction stays exactly what the extractor produced, and ``apply_reviews``
lays the reviews over a copy when a reviewed view is wanted (the dashboard,
the mission picture, exports).

Reviews must survive re-extraction, when fact ids may be renumbered. So a
review is keyed by report id + fact kind + a *fingerprint* of the machine fact
(its type and the normalised text of its evidence), and also remembers the
evidence offsets: after re-extraction a review reattaches to the fact with the
same fingerprint, or failing that to a fact of the same kind and type whose
evidence overlaps the remembered span. A review that finds no fact is kept
(and reported as detached), never silently dropped.

Several reviews of one fact form its history; the latest one wins.
Every write also leaves an audit row (who, when, before, after): see
``missionwatch.web.queries`` for the storage side.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import Field

from missionwatch.errors import MissionwatchError
from missionwatch.records import (
    EVENT_STATUSES,
    EVENT_TYPES,
    DateInterval,
    Entity,
    Event,
    Extraction,
    Place,
    Quantity,
    Record,
    Span,
)

FactKind = Literal["event", "place", "entity", "quantity"]
Action = Literal["accept", "correct", "reject", "add"]
FACT_KINDS: tuple[str, ...] = FactKind.__args__  # type: ignore[attr-defined]
ACTIONS: tuple[str, ...] = Action.__args__  # type: ignore[attr-defined]
REVIEW_EXTRACTOR = "analyst"

#: Fields of an event an analyst may correct (the rest is the machine's evidence).
EVENT_FIELDS = ("type", "status", "date", "place_name", "lat", "lon", "note")
MAX_NOTE = 2000


class Review(Record):
    """One analyst decision about one fact of one report."""

    id: int | None = None
    report_id: str
    kind: FactKind
    action: Action
    #: Fingerprint of the machine fact reviewed (of the new fact for ``add``).
    fingerprint: str
    #: The machine fact's id and evidence offsets when it was reviewed (ids may change later).
    fact_id: str | None = None
    span_start: int | None = None
    span_end: int | None = None
    fact_type: str | None = None
    #: ``correct``: the changed fields; ``add``: the new fact's fields (see ``EVENT_FIELDS``).
    value: dict[str, Any] = Field(default_factory=dict)
    #: Why, or where the analyst saw it (required for ``add``).
    note: str | None = None
    user: str
    created_at: dt.datetime


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"\s+", " ", text).strip().casefold()


def fact_type(kind: str, fact: Event | Place | Entity | Quantity) -> str:
    if isinstance(fact, Event | Entity):
        return fact.type
    if isinstance(fact, Quantity):
        return fact.kind
    return fact.feature


def fact_span(fact: Event | Place | Entity | Quantity) -> Span | None:
    if isinstance(fact, Event | Quantity):
        return fact.evidence
    return fact.mentions[0] if fact.mentions else None


def fingerprint(kind: str, fact: Event | Place | Entity | Quantity) -> str:
    """A stable key for a fact across re-extraction: kind, type and evidence text."""
    span = fact_span(fact)
    name = getattr(fact, "name", "")
    basis = "|".join([kind, fact_type(kind, fact), _norm(span.text if span else ""), _norm(name or "")])
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:24]


def facts_of(extraction: Extraction, kind: str) -> list[Any]:
    return {"event": extraction.events, "place": extraction.places, "entity": extraction.entities,
            "quantity": extraction.quantities}[kind]


def find_fact(extraction: Extraction, kind: str, fact_id: str) -> Any:
    for fact in facts_of(extraction, kind):
        if fact.id == fact_id:
            return fact
    raise MissionwatchError("MW304", f"report {extraction.report_id} has no {kind} {fact_id!r}")


def attach(extraction: Extraction, review: Review) -> Any | None:
    """The machine fact a review belongs to in (possibly re-extracted) ``extraction``, or None."""
    if review.action == "add":
        return None
    facts = facts_of(extraction, review.kind)
    for fact in facts:
        if fingerprint(review.kind, fact) == review.fingerprint:
            return fact
    if review.span_start is None or review.span_end is None:
        return None
    best, best_overlap = None, 0
    for fact in facts:
        span = fact_span(fact)
        if span is None or (review.fact_type and fact_type(review.kind, fact) != review.fact_type):
            continue
        overlap = min(span.end, review.span_end) - max(span.start, review.span_start)
        if overlap > best_overlap:
            best, best_overlap = fact, overlap
    return best


# ---------------------------------------------------------------- validation

def _date_value(raw: Any) -> dict[str, Any]:
    """A corrected date: ``YYYY-MM-DD`` or ``{"start", "end", "precision"}`` -> contract dict."""
    try:
        if isinstance(raw, str):
            day = dt.date.fromisoformat(raw.strip())
            return {"start": day.isoformat(), "end": day.isoformat(), "precision": "day", "text": None}
        if isinstance(raw, dict):
            start = dt.date.fromisoformat(str(raw["start"]))
            end = dt.date.fromisoformat(str(raw.get("end") or raw["start"]))
            precision = raw.get("precision") or ("day" if start == end else "range")
            if end < start:
                raise ValueError("the end is before the start")
            DateInterval(start=start, end=end, precision=precision)
            return {"start": start.isoformat(), "end": end.isoformat(), "precision": precision, "text": None}
    except (KeyError, ValueError, TypeError) as exc:
        raise MissionwatchError("MW305", f"date {raw!r} is not a date (YYYY-MM-DD): {exc}") from exc
    except Exception as exc:  # pydantic ValidationError
        raise MissionwatchError("MW305", f"date {raw!r} is not valid: {exc}") from exc
    raise MissionwatchError("MW305", f"date {raw!r} is not a date (YYYY-MM-DD)")


def clean_event_value(value: dict[str, Any], *, require_all: bool = False) -> dict[str, Any]:
    """Validate the fields of an event correction (or of a new event); drop empty ones."""
    unknown = set(value) - set(EVENT_FIELDS)
    if unknown:
        raise MissionwatchError("MW305", f"cannot correct field(s) {sorted(unknown)}; "
                                         f"allowed: {', '.join(EVENT_FIELDS)}")
    out: dict[str, Any] = {}
    for key, raw in value.items():
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        if key == "type":
            if raw not in EVENT_TYPES:
                raise MissionwatchError("MW305", f"type {raw!r} is not one of {', '.join(EVENT_TYPES)}")
            out[key] = raw
        elif key == "status":
            if raw not in EVENT_STATUSES:
                raise MissionwatchError("MW305", f"status {raw!r} is not one of {', '.join(EVENT_STATUSES)}")
            out[key] = raw
        elif key == "date":
            out[key] = _date_value(raw)
        elif key in ("lat", "lon"):
            try:
                number = float(raw)
            except (TypeError, ValueError) as exc:
                raise MissionwatchError("MW305", f"{key} {raw!r} is not a number") from exc
            limit = 90 if key == "lat" else 180
            if not -limit <= number <= limit or number != number:
                raise MissionwatchError("MW305", f"{key} {number} is out of range ±{limit}")
            out[key] = number
        elif key in ("place_name", "note"):
            text = str(raw).strip()
            if len(text) > (MAX_NOTE if key == "note" else 200):
                raise MissionwatchError("MW305", f"{key} is too long")
            out[key] = text
    if ("lat" in out) != ("lon" in out):
        raise MissionwatchError("MW305", "give both lat and lon, or neither")
    if require_all:
        missing = [k for k in ("type", "date") if k not in out]
        if missing:
            raise MissionwatchError("MW305", f"a new event needs {', '.join(missing)}")
    return out


# ---------------------------------------------------------------- applying

def _corrected_event(event: Event, value: dict[str, Any], extraction: Extraction,
                     new_places: list[Place]) -> Event:
    data = event.model_copy(deep=True)
    if "type" in value:
        data.type = value["type"]
    if "status" in value:
        data.status = value["status"]
    if "date" in value:
        data.date = DateInterval.from_contract(value["date"])
    if "place_name" in value or "lat" in value:
        old = extraction.place(event.place)
        place = Place(id=f"{event.id}-place-r", name=value.get("place_name") or (old.name if old else "?"),
                      country=old.country if old else None, admin1=old.admin1 if old else None,
                      lat=value.get("lat", old.lat if old else None),
                      lon=value.get("lon", old.lon if old else None),
                      feature=old.feature if old else "other",
                      mentions=old.mentions if old else [], extractor=REVIEW_EXTRACTOR)
        new_places.append(place)
        data.place = place.id
    data.attributes = {**data.attributes, "reviewed": "corrected"}
    return data


def latest_per_fact(reviews: Iterable[Review]) -> list[Review]:
    """The deciding review of each fact (latest wins), plus every ``add``, oldest first."""
    ordered = sorted(reviews, key=lambda r: (r.created_at, r.id or 0))
    latest: dict[tuple[str, str, str], Review] = {}
    adds: list[Review] = []
    for r in ordered:
        if r.action == "add":
            adds.append(r)
        else:
            latest[(r.report_id, r.kind, r.fingerprint)] = r
    return sorted([*latest.values(), *adds], key=lambda r: (r.created_at, r.id or 0))


def added_event(review: Review, extraction: Extraction, new_places: list[Place]) -> Event:
    value = review.value
    date = DateInterval.from_contract(value["date"]) if value.get("date") else None
    place_id = None
    if value.get("place_name") or value.get("lat") is not None:
        place = Place(id=f"r{review.id}-place", name=value.get("place_name") or "?",
                      lat=value.get("lat"), lon=value.get("lon"), mentions=[], extractor=REVIEW_EXTRACTOR)
        new_places.append(place)
        place_id = place.id
    start = review.span_start or 0
    end = review.span_end if review.span_end is not None else start
    return Event(id=f"r{review.id}", type=value["type"], status=value.get("status", "occurred"),
                 date=date, place=place_id, confidence=1.0,
                 evidence=Span(start=start, end=end, text=value.get("note") or review.note or ""),
                 attributes={"reviewed": "added", "note": review.note}, extractor=REVIEW_EXTRACTOR)


def apply_reviews(extraction: Extraction, reviews: Iterable[Review]) -> Extraction:
    """A copy of ``extraction`` with the latest review of each fact laid over it.

    Corrected facts carry ``attributes["reviewed"] = "corrected"`` (events),
    accepted ones ``"accepted"`` with confidence 1, rejected ones are left out,
    and added events are appended with extractor ``"analyst"``. The input is
    not modified.
    """
    out = extraction.model_copy(deep=True)
    mine = [r for r in reviews if r.report_id == extraction.report_id]
    if not mine:
        return out
    new_places: list[Place] = []
    rejected: set[tuple[str, str]] = set()
    for review in latest_per_fact(mine):
        if review.action == "add":
            if review.kind == "event" and review.value.get("type"):
                out.events.append(added_event(review, out, new_places))
            continue
        fact = attach(out, review)
        if fact is None:
            continue
        if review.action == "reject":
            rejected.add((review.kind, fact.id))
        elif review.action == "accept" and isinstance(fact, Event):
            fact.confidence = 1.0
            fact.attributes = {**fact.attributes, "reviewed": "accepted"}
        elif review.action == "correct" and isinstance(fact, Event):
            index = out.events.index(fact)
            out.events[index] = _corrected_event(fact, review.value, out, new_places)
    out.events = [e for e in out.events if ("event", e.id) not in rejected]
    out.places = [p for p in out.places if ("place", p.id) not in rejected] + new_places
    out.entities = [e for e in out.entities if ("entity", e.id) not in rejected]
    out.quantities = [q for q in out.quantities if ("quantity", q.id) not in rejected]
    return out


def new_review(extraction: Extraction, *, kind: str, action: str, user: str, fact_id: str | None = None,
               value: dict[str, Any] | None = None, note: str | None = None,
               now: dt.datetime | None = None) -> tuple[Review, Any | None]:
    """Validate a review against the machine extraction; returns it and the machine fact it is about."""
    if kind not in FACT_KINDS:
        raise MissionwatchError("MW305", f"kind {kind!r} is not one of {', '.join(FACT_KINDS)}")
    if action not in ACTIONS:
        raise MissionwatchError("MW305", f"action {action!r} is not one of {', '.join(ACTIONS)}")
    if note is not None and len(note) > MAX_NOTE:
        raise MissionwatchError("MW305", f"note is longer than {MAX_NOTE} characters")
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    value = dict(value or {})
    if action == "add":
        if kind != "event":
            raise MissionwatchError("MW305", "only events can be added")
        if not (note and note.strip()):
            raise MissionwatchError("MW305", "a new fact needs a source note")
        value = clean_event_value(value, require_all=True)
        basis = f"add|{value['type']}|{value['date']['start']}|{_norm(note)}|{now.isoformat()}"
        return Review(report_id=extraction.report_id, kind="event", action="add",
                      fingerprint=hashlib.sha256(basis.encode()).hexdigest()[:24], value=value,
                      note=note.strip(), user=user, created_at=now), None
    if not fact_id:
        raise MissionwatchError("MW305", f"{action} needs the id of the fact")
    fact = find_fact(extraction, kind, fact_id)
    if action == "correct":
        if kind != "event":
            raise MissionwatchError("MW305", "only events can be corrected; reject other facts instead")
        value = clean_event_value(value)
        value.pop("note", None)
        if not value:
            raise MissionwatchError("MW305", "a correction must change at least one field")
    else:
        value = {}
    span = fact_span(fact)
    return Review(report_id=extraction.report_id, kind=kind, action=action,
                  fingerprint=fingerprint(kind, fact), fact_id=fact.id,
                  span_start=span.start if span else None, span_end=span.end if span else None,
                  fact_type=fact_type(kind, fact), value=value,
                  note=note.strip() if note and note.strip() else None, user=user, created_at=now), fact


def fact_snapshot(kind: str, fact: Any, extraction: Extraction) -> dict[str, Any] | None:
    """A JSON-able view of a fact for audit rows (before/after)."""
    if fact is None:
        return None
    data = fact.model_dump(mode="json")
    if isinstance(fact, Event):
        data["date"] = fact.date.to_contract() if fact.date else None
        place = extraction.place(fact.place)
        data["place_name"] = place.name if place else None
    return data
