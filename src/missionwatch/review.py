"""Analyst review: accept, correct or reject a machine fact, or add a new one.

A review is stored *beside* the machine's extraction, never over it (a row of
the store's ``reviews`` table; the extraction stays exactly what the extractor
produced). Corrections take effect through one function,
``missionwatch.mission.reviews.apply_reviews``, which the mission picture uses
too; this module adds what the web layer needs around it:

* **Reattachment after re-extraction.** Fact ids may be renumbered when a report
  is extracted again. So a review is keyed by report id + fact kind + a
  *fingerprint* of the machine fact (its kind, type and the normalised text of
  its evidence), and also remembers the evidence offsets and type. ``resolve``
  re-points each review at the fact that has the same fingerprint now, or
  failing that at the fact of the same kind and type whose evidence overlaps
  the remembered span most. A review that finds no fact is reported as
  detached, never silently dropped or misapplied.
* **Validation** of what an analyst may change, with ``MW305`` messages.
* **Storage form**: ``to_row`` / ``from_row`` for the ``reviews`` table. Its
  ``corrected`` column holds the corrected fields in contract shape (what
  ``apply_reviews`` reads); ``fact_fingerprint`` holds
  ``<fingerprint>:<evidence start>:<evidence end>:<type>``.

Several reviews of one fact form its history; the latest one wins. Every
write also leaves an audit row (who, when, before, after):
``missionwatch.web.queries.WebData.add_review`` does both in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, Literal, TypeGuard

from pydantic import Field

from missionwatch.errors import MissionwatchError
from missionwatch.mission import reviews as engine
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
#: A machine fact an analyst can review.
Fact = Event | Place | Entity | Quantity

#: What an analyst may correct, per fact kind (contract field names).
CORRECTABLE: dict[str, tuple[str, ...]] = {
    "event": ("type", "status", "date"),
    "place": ("name", "lat", "lon", "country"),
}
MAX_NOTE = 2000
STATE = {"accept": "accepted", "correct": "corrected", "reject": "rejected", "add": "added"}


class Review(Record):
    """One analyst decision about one fact of one report."""

    id: int | None = None
    report_id: str
    kind: FactKind
    action: Action
    #: Fingerprint of the machine fact reviewed ("" for ``add``).
    fingerprint: str = ""
    #: The machine fact's id, evidence offsets and type when it was reviewed.
    fact_id: str | None = None
    span_start: int | None = None
    span_end: int | None = None
    fact_type: str | None = None
    #: ``correct``: the changed fields; ``add``: the new fact's fields (contract shape).
    value: dict[str, Any] = Field(default_factory=dict)
    #: Why, or where the analyst saw it (required for ``add``).
    note: str | None = None
    user: str
    created_at: dt.datetime

    @property
    def state(self) -> str:
        return STATE[self.action]


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"\s+", " ", text).strip().casefold()


def fact_type(fact: Fact) -> str:
    if isinstance(fact, Event | Entity):
        return fact.type
    if isinstance(fact, Quantity):
        return fact.kind
    return fact.feature


def fact_span(fact: Fact) -> Span | None:
    if isinstance(fact, Event | Quantity):
        return fact.evidence
    return fact.mentions[0] if fact.mentions else None


def _fingerprint(kind: str, type_: str, evidence: str, name: str) -> str:
    basis = "|".join([kind, type_, _norm(evidence), _norm(name)])
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:24]


def fingerprint(kind: str, fact: Fact) -> str:
    """A stable key for a fact across re-extraction: kind, type, evidence text (and name)."""
    span = fact_span(fact)
    return _fingerprint(kind, fact_type(fact), span.text if span else "", getattr(fact, "name", "") or "")


def event_fingerprint(type_: str, evidence_text: str) -> str:
    """``fingerprint("event", event)`` from the flat columns of the events table."""
    return _fingerprint("event", type_, evidence_text, "")


def facts_of(extraction: Extraction, kind: str) -> Sequence[Fact]:
    by_kind: dict[str, Sequence[Fact]] = {"event": extraction.events, "place": extraction.places,
                                          "entity": extraction.entities, "quantity": extraction.quantities}
    return by_kind[kind]


def find_fact(extraction: Extraction, kind: str, fact_id: str) -> Fact:
    for fact in facts_of(extraction, kind):
        if fact.id == fact_id:
            return fact
    raise MissionwatchError("MW304", f"report {extraction.report_id} has no {kind} {fact_id!r}")


def attach(extraction: Extraction, review: Review) -> Fact | None:
    """The machine fact a review is about in (possibly re-extracted) ``extraction``, or None."""
    if review.action == "add":
        return None
    facts = facts_of(extraction, review.kind)
    for fact in facts:
        if fingerprint(review.kind, fact) == review.fingerprint:
            return fact
    if review.span_start is None or review.span_end is None:
        return None
    best: Fact | None = None
    best_overlap = 0
    for fact in facts:
        span = fact_span(fact)
        if span is None or (review.fact_type and fact_type(fact) != review.fact_type):
            continue
        overlap = min(span.end, review.span_end) - max(span.start, review.span_start)
        if overlap > best_overlap:
            best, best_overlap = fact, overlap
    return best


def resolve(extraction: Extraction, reviews: Iterable[Review]) -> tuple[list[engine.Review], list[Review]]:
    """Reviews re-pointed at the current fact ids (for ``apply_reviews``), and the detached ones."""
    out: list[engine.Review] = []
    detached: list[Review] = []
    for r in reviews:
        if r.report_id != extraction.report_id:
            continue
        fact_id = None
        if r.action != "add":
            fact = attach(extraction, r)
            if fact is None:
                detached.append(r)
                continue
            fact_id = fact.id
        out.append(engine.Review(id=r.id if r.id is not None else 0, report_id=r.report_id, fact_kind=r.kind,
                                 fact_id=fact_id, action=r.action, fields=r.value, author=r.user,
                                 created=r.created_at, note=r.note))
    return out, detached


def apply_reviews(extraction: Extraction, reviews: Iterable[Review]) -> Extraction:
    """A copy of ``extraction`` with the reviews laid over it (the input is not modified)."""
    resolved, _ = resolve(extraction, reviews)
    return engine.apply_reviews(extraction, resolved)


def latest_per_fact(reviews: Iterable[Review], extraction: Extraction) -> dict[tuple[str, str], Review]:
    """(kind, current fact id) -> the deciding (latest) review of that fact; adds keyed ``r<id>``."""
    out: dict[tuple[str, str], Review] = {}
    for r in sorted(reviews, key=lambda r: (r.created_at, r.id or 0)):
        if r.report_id != extraction.report_id:
            continue
        if r.action == "add":
            out[(r.kind, f"r{r.id}")] = r
            continue
        fact = attach(extraction, r)
        if fact is not None:
            out[(r.kind, fact.id)] = r
    return out


# ---------------------------------------------------------------- validation

def _date_value(raw: Any) -> dict[str, Any]:
    """A date: ``YYYY-MM-DD`` or ``{"start", "end", "precision"}`` -> contract dict."""
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
            # validated from the raw value: an unknown precision is a ValueError like a bad day
            DateInterval.model_validate({"start": start, "end": end, "precision": precision})
            return {"start": start.isoformat(), "end": end.isoformat(), "precision": precision, "text": None}
    except (KeyError, ValueError, TypeError) as exc:
        raise MissionwatchError("MW305", f"date {str(raw)[:60]!r} is not a date (YYYY-MM-DD): {exc}") from exc
    raise MissionwatchError("MW305", f"date {str(raw)[:60]!r} is not a date (YYYY-MM-DD)")


def _number(key: str, raw: Any, limit: float) -> float:
    try:
        number = float(raw)
    except (TypeError, ValueError) as exc:
        raise MissionwatchError("MW305", f"{key} {str(raw)[:40]!r} is not a number") from exc
    if number != number or not -limit <= number <= limit:
        raise MissionwatchError("MW305", f"{key} {number} is out of range ±{limit:g}")
    return number


def clean_value(kind: str, value: dict[str, Any]) -> dict[str, Any]:
    """Validate corrected fields of a fact of ``kind``; drop empty ones."""
    allowed = CORRECTABLE.get(kind, ())
    unknown = set(value) - set(allowed)
    if unknown:
        raise MissionwatchError("MW305", f"cannot correct field(s) {sorted(unknown)} of a {kind}; "
                                         f"allowed: {', '.join(allowed) or 'none'}")
    out: dict[str, Any] = {}
    for key, raw in value.items():
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        if key == "type":
            if raw not in EVENT_TYPES:
                raise MissionwatchError("MW305",
                                        f"type {str(raw)[:40]!r} is not one of {', '.join(EVENT_TYPES)}")
            out[key] = raw
        elif key == "status":
            if raw not in EVENT_STATUSES:
                raise MissionwatchError("MW305",
                                        f"status {str(raw)[:40]!r} is not one of {', '.join(EVENT_STATUSES)}")
            out[key] = raw
        elif key == "date":
            out[key] = _date_value(raw)
        elif key in ("lat", "lon"):
            out[key] = _number(key, raw, 90 if key == "lat" else 180)
        elif key in ("name", "country"):
            text = str(raw).strip()
            if len(text) > 200:
                raise MissionwatchError("MW305", f"{key} is longer than 200 characters")
            out[key] = text
    return out


def _is_kind(kind: str) -> TypeGuard[FactKind]:
    return kind in FACT_KINDS


def _is_action(action: str) -> TypeGuard[Action]:
    return action in ACTIONS


def new_review(extraction: Extraction, *, kind: str, action: str, user: str, fact_id: str | None = None,
               value: dict[str, Any] | None = None, note: str | None = None,
               now: dt.datetime | None = None) -> tuple[Review, Fact | None]:
    """Validate a review against the machine extraction; returns it and the machine fact it is about."""
    if not _is_kind(kind):
        raise MissionwatchError("MW305", f"kind {str(kind)[:40]!r} is not one of {', '.join(FACT_KINDS)}")
    if not _is_action(action):
        raise MissionwatchError("MW305", f"action {str(action)[:40]!r} is not one of {', '.join(ACTIONS)}")
    if note is not None and len(note) > MAX_NOTE:
        raise MissionwatchError("MW305", f"the note is longer than {MAX_NOTE} characters")
    note = note.strip() if note and note.strip() else None
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    value = dict(value or {})
    if action == "add":
        if kind != "event":
            raise MissionwatchError("MW305", "only events can be added")
        if not note:
            raise MissionwatchError("MW305", "a new event needs a source note (where it was reported)")
        fields = clean_value("event", value)
        missing = [k for k in ("type", "date") if k not in fields]
        if missing:
            raise MissionwatchError("MW305", f"a new event needs {' and '.join(missing)}")
        fields.setdefault("status", "occurred")
        fields.update({"confidence": 1.0, "evidence": {"start": 0, "end": 0, "text": note}})
        review = Review(report_id=extraction.report_id, kind="event", action="add", value=fields,
                        note=note, user=user, created_at=now)
        return review, None
    if not fact_id:
        raise MissionwatchError("MW305", f"{action} needs the id of the fact")
    fact = find_fact(extraction, kind, fact_id)
    if action == "correct":
        value = clean_value(kind, value)
        if not value:
            raise MissionwatchError("MW305", "a correction must change at least one field")
    else:
        value = {}
    span = fact_span(fact)
    review = Review(report_id=extraction.report_id, kind=kind, action=action,
                    fingerprint=fingerprint(kind, fact), fact_id=fact.id,
                    span_start=span.start if span else None, span_end=span.end if span else None,
                    fact_type=fact_type(fact), value=value, note=note, user=user, created_at=now)
    return review, fact


def check_applies(extraction: Extraction, previous: list[Review], review: Review) -> Extraction:
    """The extraction with ``review`` applied after ``previous``; MW305 if the engine refuses it."""
    probe = review.model_copy(update={"id": review.id if review.id is not None else 2**31})
    return apply_reviews(extraction, [*previous, probe])


def fact_snapshot(fact: Fact | None, extraction: Extraction) -> dict[str, Any] | None:
    """A JSON-able view of a fact for audit rows (before/after)."""
    if fact is None:
        return None
    data = fact.model_dump(mode="json")
    if isinstance(fact, Event):
        data["date"] = fact.date.to_contract() if fact.date else None
        place = extraction.place(fact.place)
        data["place_name"] = place.name if place else None
    return data


# ---------------------------------------------------------------- storage form

def to_row(review: Review) -> dict[str, Any]:
    key = review.fingerprint
    if review.action != "add":
        start = "" if review.span_start is None else review.span_start
        end = "" if review.span_end is None else review.span_end
        key = f"{review.fingerprint}:{start}:{end}:{review.fact_type or ''}"
    return {"report_id": review.report_id, "fact_kind": review.kind, "fact_id": review.fact_id,
            "fact_fingerprint": key or None, "action": review.action, "corrected": review.value or None,
            "note": review.note, "author": review.user, "created_at": review.created_at}


def from_row(row: Any) -> Review:
    """A ``Review`` from a row of the ``reviews`` table (ORM object, mapping or dict)."""
    get = (lambda k: row[k]) if isinstance(row, dict) else (lambda k: getattr(row, k))
    parts = (get("fact_fingerprint") or "").split(":")
    fp = parts[0]
    start = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    end = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else None
    type_ = parts[3] if len(parts) > 3 and parts[3] else None
    created = get("created_at") or dt.datetime(1970, 1, 1)
    if created.tzinfo is not None:
        created = created.astimezone(dt.UTC).replace(tzinfo=None)
    return Review(id=get("id"), report_id=get("report_id"), kind=get("fact_kind"), action=get("action"),
                  fingerprint=fp, fact_id=get("fact_id"), span_start=start, span_end=end, fact_type=type_,
                  value=get("corrected") or {}, note=get("note"), user=get("author"), created_at=created)
