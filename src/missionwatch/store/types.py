"""Typed records the store hands in and out (beyond ``Report`` and ``Extraction``)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from missionwatch.records import Record, Report

AddStatus = Literal["stored", "duplicate", "near_duplicate"]
Role = Literal["analyst", "admin"]
FactKind = Literal["entity", "place", "event", "quantity"]
ReviewAction = Literal["accept", "correct", "reject", "add"]


class AddResult(Record):
    """What ``Store.add`` did with a report."""

    status: AddStatus
    report_id: str
    #: The stored report this one repeats (exact: the one with the same sha256).
    duplicate_of: str | None = None
    similarity: float | None = None


class ReportInfo(Record):
    """A stored report with what the store knows about it."""

    report: Report
    ingested_at: dt.datetime
    duplicate_of: str | None = None
    duplicate_similarity: float | None = None
    extractor_version: str | None = None


class SearchHit(Record):
    report_id: str
    title: str | None
    published: dt.date | None
    source: str | None
    snippet: str
    #: Higher is better on every back-end.
    rank: float


class StoreCounts(Record):
    reports: int
    near_duplicates: int
    extractions: int
    entities: int
    places: int
    events: int
    quantities: int


class User(Record):
    id: int | None = None
    name: str
    role: Role
    token_hash: str
    created_at: dt.datetime | None = None


class Review(Record):
    id: int | None = None
    report_id: str
    fact_kind: FactKind
    fact_id: str | None = None
    fact_fingerprint: str | None = None
    action: ReviewAction
    corrected: dict[str, Any] | None = None
    note: str | None = None
    author: str
    created_at: dt.datetime | None = None


class AuditEntry(Record):
    id: int | None = None
    at: dt.datetime | None = None
    actor: str
    action: str
    object_kind: str
    object_id: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
