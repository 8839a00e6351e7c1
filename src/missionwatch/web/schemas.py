"""Pydantic shapes of the JSON API (they are the OpenAPI schema at /docs)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(Out):
    code: str = Field(description="Stable error code from the catalogue (missionwatch.errors), e.g. MW301")
    message: str


class ErrorBody(Out):
    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Invalid parameter"},
    401: {"model": ErrorBody, "description": "Sign-in required (private deployment)"},
    404: {"model": ErrorBody, "description": "Not found"},
    503: {"model": ErrorBody, "description": "Database unavailable"},
}
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    403: {"model": ErrorBody, "description": "Not allowed (bad CSRF token or role)"},
    409: {"model": ErrorBody, "description": "Conflict"},
}


class ReportSummary(Out):
    id: str
    published: dt.date | None
    title: str | None
    source: str | None
    url: str | None
    duplicate_of: str | None
    snippet: str


class ReportPage(Out):
    total: int
    limit: int
    offset: int
    items: list[ReportSummary]


class ReviewOut(Out):
    id: int | None
    report_id: str
    kind: str
    action: str
    state: str
    fact_id: str | None
    fields: dict[str, Any]
    note: str | None
    user: str
    created_at: dt.datetime


class ReportDetail(Out):
    id: str
    published: dt.date | None
    title: str | None
    source: str | None
    url: str | None
    sha256: str
    reader: str
    body: str
    extraction: dict[str, Any] | None = Field(description="The machine's extraction (contract JSON)")
    reviewed: dict[str, Any] | None = Field(description="The extraction with analyst reviews applied")
    reviews: list[ReviewOut]


class EventOut(Out):
    id: str = Field(description="report id / fact id")
    report_id: str
    fact_id: str
    type: str
    status: str
    date_start: dt.date | None
    date_end: dt.date | None
    precision: str | None
    place: str | None
    country: str | None
    lat: float | None
    lon: float | None
    actors: list[str]
    targets: list[str]
    confidence: float
    evidence: str
    evidence_start: int
    evidence_end: int
    review: str | None = Field(description="accepted, corrected, added, or null (machine only)")


class EventPage(Out):
    total: int
    limit: int
    offset: int
    items: list[EventOut]


class SourceOut(Out):
    report_id: str
    title: str | None
    published: dt.date | None
    source: str | None
    url: str | None


class EventDetail(Out):
    event: EventOut
    machine: EventOut | None = Field(description="The machine's version (null for an analyst-added event)")
    report: SourceOut
    sources: list[SourceOut] = Field(description="Every report the merged timeline event draws on")
    merged_with: list[str] = Field(description="Other report/fact ids merged into the same timeline event")
    history: list[ReviewOut]


class PlaceOut(Out):
    name: str
    country: str | None
    admin1: str | None
    feature: str | None
    lat: float | None
    lon: float | None
    reports: int


class PlacePage(Out):
    total: int
    limit: int
    offset: int
    items: list[PlaceOut]


class ActorOut(Out):
    name: str
    type: str
    mentions: int
    reports: int


class ActorPage(Out):
    total: int
    limit: int
    offset: int
    items: list[ActorOut]


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    report_id: str = Field(min_length=1, max_length=128)
    kind: Literal["event", "place", "entity", "quantity"]
    action: Literal["accept", "correct", "reject", "add"]
    fact_id: str | None = Field(default=None, max_length=64)
    fields: dict[str, Any] = Field(default_factory=dict,
                                   description="correct: changed fields; add: the new event")
    note: str | None = Field(default=None, max_length=2000)


class AuditOut(Out):
    id: int
    at: dt.datetime
    actor: str
    action: str
    object_kind: str
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(Out):
    total: int
    limit: int
    offset: int
    items: list[AuditOut]


class Me(Out):
    signed_in: bool
    name: str | None
    role: str | None
