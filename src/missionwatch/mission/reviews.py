"""Analyst reviews applied to an extraction: the one place corrections take effect.

``apply_reviews(extraction, reviews)`` returns a NEW ``Extraction`` (the
machine's version is never modified) in which:

* ``accept``  — the fact stays; an accepted event's confidence becomes 1.0;
* ``correct`` — the named fields of the fact are replaced by ``fields``
  (``{"date": {"start": ..., "end": ..., "precision": ...}, "status": "occurred"}``;
  values use the contract's JSON shapes and are validated);
* ``reject``  — the fact is removed, and references to it are dropped
  (an event loses a rejected actor, place or quantity);
* ``add``     — ``fields`` is a whole new fact in contract shape (``id`` optional:
  ``r<review id>`` is used), e.g. an event an extractor missed, with its
  evidence span or, when the analyst has only a source note, a span
  ``{"start": 0, "end": 0, "text": "<note>"}``.

Reviews apply in (``created``, ``id``) order, so a later correction of the
same field wins. A review whose fact no longer exists (the report was
re-extracted and the fact id vanished) is skipped and reported in
``ReviewOutcome.skipped`` rather than failing the picture. Invalid values raise
``MissionwatchError('MW305')``.

The web dashboard stores reviews in the store's reviews table and calls this
same function; the mission picture calls it before reducing a report, and the
hash of the applied reviews (``review_version``) is part of the cache key so a
new review recomputes that one report only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from missionwatch.errors import MissionwatchError
from missionwatch.records import DateInterval, Entity, Event, Extraction, Place, Quantity

FactKind = Literal["entity", "place", "event", "quantity"]
Action = Literal["accept", "correct", "reject", "add"]

_Fact = Entity | Place | Event | Quantity
_MODELS: dict[str, type[_Fact]] = {"entity": Entity, "place": Place, "event": Event, "quantity": Quantity}
_LISTS = {"entity": "entities", "place": "places", "event": "events", "quantity": "quantities"}


class Review(BaseModel):
    """One analyst decision about one fact of one report."""

    model_config = ConfigDict(extra="ignore")

    id: str | int
    report_id: str
    fact_kind: FactKind
    fact_id: str | None = None  # None for "add"
    action: Action
    fields: dict[str, Any] = Field(default_factory=dict)
    author: str | None = None
    created: dt.datetime | None = None
    note: str | None = None


@dataclass
class ReviewOutcome:
    extraction: Extraction
    applied: list[Review] = field(default_factory=list)
    skipped: list[tuple[Review, str]] = field(default_factory=list)


def review_version(reviews: Iterable[Review]) -> str:
    """A short hash of the reviews of one report: changes whenever a review is added or edited."""
    payload = sorted(json.dumps(r.model_dump(mode="json"), sort_keys=True, default=str) for r in reviews)
    if not payload:
        return "none"
    return hashlib.sha256("\n".join(payload).encode()).hexdigest()[:16]


def _order(review: Review) -> tuple[str, str]:
    return ((review.created.isoformat() if review.created else ""), str(review.id))


def _coerce_fields(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Contract-shaped values -> record values (dates are the only non-trivial shape)."""
    out = dict(fields)
    if "date" in out and isinstance(out["date"], dict):
        out["date"] = DateInterval.from_contract(out["date"])
    return out


def _invalid(review: Review, why: str) -> MissionwatchError:
    return MissionwatchError("MW305", why, where=f"review {review.id} ({review.fact_kind} {review.fact_id})")


def apply_reviews(extraction: Extraction, reviews: Iterable[Review]) -> Extraction:
    """The extraction as analysts corrected it (see module doc). Pure: inputs are not modified."""
    return apply_reviews_detailed(extraction, reviews).extraction


def apply_reviews_detailed(extraction: Extraction, reviews: Iterable[Review]) -> ReviewOutcome:
    result = extraction.model_copy(deep=True)
    outcome = ReviewOutcome(extraction=result)
    for review in sorted((r for r in reviews if r.report_id == extraction.report_id), key=_order):
        items: list[Any] = getattr(result, _LISTS[review.fact_kind])
        model = _MODELS[review.fact_kind]
        if review.action == "add":
            data = {"id": f"r{review.id}", "extractor": f"review:{review.author or 'analyst'}",
                    **_coerce_fields(review.fact_kind, review.fields)}
            try:
                fact = model.model_validate(data)
            except ValidationError as exc:
                message = exc.errors()[0]["msg"]
                raise _invalid(review, f"added {review.fact_kind} is not valid: {message}") from exc
            if any(i.id == fact.id for i in items):
                raise _invalid(review, f"{review.fact_kind} id {fact.id} already exists")
            items.append(fact)
            outcome.applied.append(review)
            continue
        index = next((n for n, item in enumerate(items) if item.id == review.fact_id), None)
        if index is None:
            outcome.skipped.append((review, "fact no longer in the extraction"))
            continue
        if review.action == "reject":
            del items[index]
            _drop_references(result, review.fact_kind, review.fact_id or "")
        elif review.action == "correct":
            unknown = set(review.fields) - set(model.model_fields) - {"id"}
            if unknown or "id" in review.fields:
                refused = sorted(unknown | ({"id"} & set(review.fields)))
                raise _invalid(review, f"cannot correct field(s) {refused}")
            merged = {**items[index].model_dump(), **_coerce_fields(review.fact_kind, review.fields)}
            try:
                items[index] = model.model_validate(merged)
            except ValidationError as exc:
                raise _invalid(review, f"correction is not valid: {exc.errors()[0]['msg']}") from exc
        elif review.action == "accept" and isinstance(items[index], Event):
            items[index] = items[index].model_copy(update={"confidence": 1.0})
        outcome.applied.append(review)
    return outcome


def _drop_references(extraction: Extraction, kind: str, fact_id: str) -> None:
    """A rejected entity/place/quantity must not linger inside events."""
    for n, event in enumerate(extraction.events):
        update: dict[str, Any] = {}
        if kind == "entity" and (fact_id in event.actors or fact_id in event.targets):
            update["actors"] = [a for a in event.actors if a != fact_id]
            update["targets"] = [t for t in event.targets if t != fact_id]
        if kind == "place" and event.place == fact_id:
            update["place"] = None
        if kind == "quantity" and event.quantity == fact_id:
            update["quantity"] = None
        if update:
            extraction.events[n] = event.model_copy(update=update)
