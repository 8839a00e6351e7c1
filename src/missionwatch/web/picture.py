"""The mission picture for the web: one long-lived ``MissionService`` per app.

The service (created with the app, see ``app.create_app``) keeps every
report's contribution and the merged-event index in memory and brings them up
to date incrementally: a request reads the store's change stamp (counts and
latest timestamps), and only when it moved are the changed reports reduced
again (reviews applied by ``review.apply_reviews``, which reattaches them by
fingerprint, as ``WebData.pairs(reviewed=True)`` does). Nothing here rebuilds
the picture from scratch.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import Request

from missionwatch.mission.model import EvidenceCut, MissionPicture
from missionwatch.mission.picture import TimelinePage
from missionwatch.mission.service import MissionService
from missionwatch.web.schemas import SourceOut

#: Timeline events per page (the API's default and the timeline page's size).
PAGE = 100
MAX_PAGE = 500


def mission(request: Request) -> MissionService:
    return request.app.state.mission


#: History entries the dashboard reads per list: its strength chart is 420 pixels wide, and a
#: contingent's latest 500 figures span its whole history in any real corpus seen so far.
DASHBOARD_HISTORY = 500


def picture(service: MissionService, as_of: dt.date, timeline: int = 0) -> MissionPicture:
    """The dashboard's picture: the first ``timeline`` events of its timeline (the dashboard shows
    none) and each history list's latest ``DASHBOARD_HISTORY`` entries (current values are whole)."""
    pic, _cut = service.bounded_picture(as_of, 0, timeline, DASHBOARD_HISTORY)
    return pic


def timeline_page(service: MissionService, as_of: dt.date, offset: int = 0,
                  limit: int = PAGE) -> TimelinePage:
    return service.timeline_page(as_of, offset, limit)


def picture_json(service: MissionService, as_of: dt.date, offset: int = 0, limit: int = PAGE,
                 history: int | None = None, sources: int | None = None) -> dict[str, Any]:
    """``picture_text`` as a dict."""
    out: dict[str, Any] = json.loads(picture_text(service, as_of, offset, limit, history, sources))
    return out


def picture_text(service: MissionService, as_of: dt.date, offset: int = 0, limit: int = PAGE,
                 history: int | None = None, sources: int | None = None) -> str:
    """The picture as the API returns it, as JSON text: the timeline is one page (``timeline_page``
    says which), with ``history`` every history list keeps its latest entries (``history_cut`` says
    which), and with ``sources`` every evidence list its first entries (``sources_cut`` says how many
    were cut). Encoded by pydantic's serialiser in one pass: a dict handed to the web framework
    would be walked again to validate and encode it."""
    page = service.paged_picture(as_of, offset, limit, history, sources)
    evidence = EvidenceCut(sources) if sources is not None else EvidenceCut(0)
    body = page.picture.model_dump_json(by_alias=True,
                                        context={"evidence": evidence} if sources is not None else None)
    extra = json.dumps({"timeline_page": {"total": page.timeline_total, "offset": offset, "limit": limit},
                        "history_cut": {"limit": history, "lists": page.history_cut},
                        "sources_cut": {"limit": sources, "lists": evidence.lists,
                                        "left_out": evidence.left_out}})
    return body[:-1] + "," + extra[1:]


def merged_with(service: MissionService, report_id: str, fact_id: str,
                as_of: dt.date | None = None) -> dict[str, Any]:
    """How an event was merged: the other member events and all the sources of its timeline event."""
    key = f"{report_id}:{fact_id}"
    item = service.merged_event(key, as_of or dt.date.today())
    if item is None:
        return {"timeline_id": None, "members": [], "sources": [], "quotes": []}
    members = [m.replace(":", "/", 1) for m in item.members if m != key]
    seen: dict[str, SourceOut] = {}
    for s in item.sources:
        seen.setdefault(s.report_id, SourceOut(report_id=s.report_id, title=None,
                                               published=s.report_date, source=s.outlet, url=None))
    return {"timeline_id": item.id, "members": members, "sources": list(seen.values()),
            "quotes": [(s.report_id, s.quote) for s in item.sources]}


#: Entries each history list of ``/api/picture`` keeps by default (the latest ones).
HISTORY = 50
#: Entries each evidence list of ``/api/picture`` keeps by default (the earliest reports).
SOURCES = 5
