"""The mission picture for the web: reviewed extractions -> ``missionwatch.mission``.

Every report's extraction is taken with its analyst reviews laid over
(``WebData.pairs``, which reattaches reviews by fingerprint), reduced to its
contribution, and folded as of a date. Contributions are cached per report
and recomputed when the store changes (a new report, extraction or review).
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import sqlalchemy as sa

from missionwatch.mission import build_picture, contributions_of
from missionwatch.mission.model import Contribution, MissionPicture
from missionwatch.store.models import ExtractionRow, ReportRow, ReviewRow
from missionwatch.web.queries import WebData
from missionwatch.web.schemas import SourceOut

_lock = threading.Lock()
_cache: dict[int, tuple[tuple[Any, ...], list[Contribution]]] = {}


def _version(data: WebData) -> tuple[Any, ...]:
    with data.engine.connect() as conn:
        return (conn.execute(sa.select(sa.func.count(), sa.func.max(ReportRow.ingested_at))).one()[:]
                + conn.execute(sa.select(sa.func.count(), sa.func.max(ExtractionRow.extracted_at))).one()[:]
                + conn.execute(sa.select(sa.func.count(), sa.func.max(ReviewRow.id))).one()[:])


def contributions(data: WebData) -> list[Contribution]:
    version = _version(data)
    with _lock:
        hit = _cache.get(id(data))
        if hit and hit[0] == version:
            return hit[1]
    built = [contributions_of(extraction, body=report.body) for report, extraction in data.pairs(reviewed=True)]
    with _lock:
        _cache[id(data)] = (version, built)
    return built


def picture(data: WebData, as_of: dt.date) -> MissionPicture:
    return build_picture(contributions(data), as_of)


def picture_json(data: WebData, as_of: dt.date) -> dict[str, Any]:
    return picture(data, as_of).to_json()


def merged_with(data: WebData, report_id: str, fact_id: str, as_of: dt.date | None = None) -> dict[str, Any]:
    """How an event was merged: the other member events and all the sources of its timeline event."""
    key = f"{report_id}:{fact_id}"
    pic = picture(data, as_of or dt.date.today())
    for item in pic.timeline:
        if key in item.members:
            members = [m.replace(":", "/", 1) for m in item.members if m != key]
            seen: dict[str, SourceOut] = {}
            for s in item.sources:
                seen.setdefault(s.report_id, SourceOut(report_id=s.report_id, title=None,
                                                       published=s.report_date, source=s.outlet, url=None))
            return {"timeline_id": item.id, "members": members, "sources": list(seen.values()),
                    "quotes": [(s.report_id, s.quote) for s in item.sources]}
    return {"timeline_id": None, "members": [], "sources": [], "quotes": []}
