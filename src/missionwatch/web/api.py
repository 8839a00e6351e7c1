"""The JSON API (``/api/...``); its OpenAPI document is at /openapi.json and /docs."""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse

from missionwatch import exports
from missionwatch.errors import MissionwatchError
from missionwatch.mission.service import MissionService
from missionwatch.records import EVENT_STATUSES, EVENT_TYPES
from missionwatch.review import Review
from missionwatch.web import deps, picture
from missionwatch.web.queries import MAX_WINDOW, EventFilter, WebData
from missionwatch.web.schemas import (
    ERROR_RESPONSES,
    WRITE_RESPONSES,
    ActorOut,
    ActorPage,
    AuditOut,
    AuditPage,
    EventDetail,
    EventOut,
    EventPage,
    Me,
    PlaceOut,
    PlacePage,
    ReportDetail,
    ReportPage,
    ReportSummary,
    ReviewIn,
    ReviewOut,
    SourceOut,
)

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, dependencies=[Depends(deps.reader)])

#: Free-text filters: letters, digits, spaces and the punctuation of place and actor names.
#: Anything else (quotes, semicolons, comment markers, wildcards) is refused with MW301.
TEXT = re.compile(r"[\w\s'’.,()&-]+")
ID = re.compile(r"[A-Za-z0-9_.:-]+")
MAX_TEXT = 100

Limit = Annotated[int, Query(ge=1, le=500, description="Page size (1..500)")]
Offset = Annotated[int, Query(ge=0, le=MAX_WINDOW,
                              description=f"Items to skip (offset + limit <= {MAX_WINDOW})")]
DateFrom = Annotated[dt.date | None, Query(description="Earliest date (YYYY-MM-DD), inclusive")]
DateTo = Annotated[dt.date | None, Query(description="Latest date (YYYY-MM-DD), inclusive")]
TimelineLimit = Annotated[int, Query(ge=0, le=picture.MAX_PAGE,
                                     description="Timeline events per page (0..500)")]
HistoryKept = Annotated[int, Query(ge=0, le=100_000, description="Latest entries kept per history list")]
SourcesKept = Annotated[int, Query(ge=0, le=100_000, description="First entries kept per evidence list")]


def check_text(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    if len(value) > MAX_TEXT:
        raise MissionwatchError("MW301", f"{name} is longer than {MAX_TEXT} characters")
    value = value.strip()
    if not value:
        return None
    if not TEXT.fullmatch(value) or "--" in value:
        raise MissionwatchError("MW301", f"{name} may contain only letters, digits, spaces and - ' . , ( ) &")
    return value


def check_id(name: str, value: str) -> str:
    if len(value) > 128 or not ID.fullmatch(value):
        raise MissionwatchError("MW301", f"{name} {value[:40]!r} is not a valid id")
    return value


def _choices(name: str, raw: str | None, allowed: tuple[str, ...]) -> list[str]:
    if raw is None or not raw.strip():
        return []
    if len(raw) > 400:
        raise MissionwatchError("MW301", f"{name} is too long")
    values = [v.strip().upper() if name == "type" else v.strip().lower() for v in raw.split(",") if v.strip()]
    bad = [v for v in values if v not in allowed]
    if bad:
        raise MissionwatchError("MW301", f"{name} {bad[0][:40]!r} is not one of {', '.join(allowed)}")
    return values


def _bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    if raw is None or not raw.strip():
        return None
    parts = raw.split(",")
    try:
        if len(raw) > 100 or len(parts) != 4:
            raise ValueError
        west, south, east, north = (float(p) for p in parts)
    except ValueError as exc:
        raise MissionwatchError("MW301", "bbox must be west,south,east,north in degrees") from exc
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise MissionwatchError("MW301", "bbox must satisfy -180 <= west <= east <= 180"
                                         " and -90 <= south <= north <= 90")
    return west, south, east, north


def _dates(date_from: dt.date | None, date_to: dt.date | None) -> None:
    if date_from and date_to and date_to < date_from:
        raise MissionwatchError("MW301", "date_to is before date_from")


def event_filter(
    type: Annotated[str | None, Query(max_length=400, description="Event type(s), comma-separated: "
                                      + ", ".join(EVENT_TYPES))] = None,
    status: Annotated[str | None, Query(max_length=200, description="Status(es), comma-separated: "
                                        + ", ".join(EVENT_STATUSES))] = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    place: Annotated[str | None, Query(max_length=MAX_TEXT, description="Place name contains")] = None,
    bbox: Annotated[str | None, Query(max_length=100, description="west,south,east,north")] = None,
    actor: Annotated[str | None, Query(max_length=MAX_TEXT, description="An actor's name contains")] = None,
    report_id: Annotated[str | None, Query(max_length=128)] = None,
) -> EventFilter:
    _dates(date_from, date_to)
    return EventFilter(types=_choices("type", type, EVENT_TYPES),
                       statuses=_choices("status", status, EVENT_STATUSES),
                       date_from=date_from, date_to=date_to, place=check_text("place", place),
                       bbox=_bbox(bbox), actor=check_text("actor", actor),
                       report_id=check_id("report_id", report_id) if report_id else None)


def event_out(row: dict[str, Any]) -> EventOut:
    return EventOut(id=f"{row['report_id']}/{row['fact_id']}", report_id=row["report_id"],
                    fact_id=row["fact_id"], type=row["type"], status=row["status"],
                    date_start=row["date_start"], date_end=row["date_end"], precision=row["precision"],
                    place=row["place_name"], country=row["country"], lat=row["lat"], lon=row["lon"],
                    actors=[a for a in (row["actors"] or "").split("; ") if a],
                    targets=[a for a in (row["targets"] or "").split("; ") if a],
                    confidence=row["confidence"], evidence=row["evidence_text"],
                    evidence_start=row["evidence_start"], evidence_end=row["evidence_end"],
                    review=row.get("review"))


def review_out(r: Review) -> ReviewOut:
    return ReviewOut(id=r.id, report_id=r.report_id, kind=r.kind, action=r.action, state=r.state,
                     fact_id=r.fact_id, fields=r.value, note=r.note, user=r.user, created_at=r.created_at)


# ------------------------------------------------------------------ reports

@router.get("/reports", response_model=ReportPage, summary="List or search reports")
def list_reports(
    data: Annotated[WebData, Depends(deps.data)],
    q: Annotated[str | None, Query(max_length=200,
                                   description="Full-text search (words, \"phrases\", OR, NOT)")] = None,
    date_from: DateFrom = None, date_to: DateTo = None, limit: Limit = 50, offset: Offset = 0,
) -> ReportPage:
    _dates(date_from, date_to)
    if q is not None and (any(ord(c) < 32 for c in q) or ";" in q or "--" in q):
        raise MissionwatchError("MW301", "q may not contain control characters, ';' or '--'")
    total, rows = data.reports(q=q.strip() if q and q.strip() else None, date_from=date_from,
                               date_to=date_to, limit=limit, offset=offset)
    return ReportPage(total=total, limit=limit, offset=offset,
                      items=[ReportSummary.model_validate(r) for r in rows])


@router.get("/reports/{report_id}", response_model=ReportDetail, summary="A report with its extraction")
def get_report(report_id: str, data: Annotated[WebData, Depends(deps.data)]) -> ReportDetail:
    check_id("report_id", report_id)
    report, machine, reviewed, reviews = data.reviewed(report_id)
    return ReportDetail(id=report.id, published=report.published, title=report.title, source=report.source,
                        url=report.url, sha256=report.sha256, reader=report.reader, body=report.body,
                        extraction=machine.to_contract() if machine else None,
                        reviewed=reviewed.to_contract() if reviewed else None,
                        reviews=[review_out(r) for r in reviews])


# ------------------------------------------------------------------ events

@router.get("/events", response_model=EventPage,
            summary="Events (analyst reviews applied), filtered and paged")
def list_events(data: Annotated[WebData, Depends(deps.data)],
                flt: Annotated[EventFilter, Depends(event_filter)],
                limit: Limit = 100, offset: Offset = 0) -> EventPage:
    total, rows = data.events(flt, limit=limit, offset=offset)
    return EventPage(total=total, limit=limit, offset=offset, items=[event_out(r) for r in rows])


@router.get("/events.geojson", summary="Events with a place, as GeoJSON (for the map)",
            responses={200: {"content": {"application/geo+json": {}}}})
def events_geojson(data: Annotated[WebData, Depends(deps.data)],
                   flt: Annotated[EventFilter, Depends(event_filter)],
                   limit: Annotated[int, Query(ge=1, le=5000)] = 2000) -> Response:
    _, rows = data.events(flt, limit=limit, offset=0)
    features = []
    for row in rows:
        if row["lat"] is None or row["lon"] is None:
            continue
        ev = event_out(row)
        features.append({"type": "Feature", "id": ev.id,
                         "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
                         "properties": {"id": ev.id, "type": ev.type, "status": ev.status,
                                        "date": ev.date_start.isoformat() if ev.date_start else None,
                                        "place": ev.place, "evidence": ev.evidence, "review": ev.review,
                                        "url": f"/events/{ev.report_id}/{ev.fact_id}"}})
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    return Response(body, media_type="application/geo+json")


@router.get("/events/{report_id}/{fact_id}", response_model=EventDetail,
            summary="One event: reviewed and machine versions, sources, merging, review history")
def get_event(report_id: str, fact_id: str, data: Annotated[WebData, Depends(deps.data)],
              mission: Annotated[MissionService, Depends(picture.mission)]) -> EventDetail:
    check_id("report_id", report_id)
    check_id("fact_id", fact_id)
    info = data.event(report_id, fact_id)
    report = info["report"]
    source = SourceOut(report_id=report.id, title=report.title, published=report.published,
                       source=report.source, url=report.url)
    merged = picture.merged_with(mission, report_id, fact_id)
    sources = [source] + [s for s in merged["sources"] if s.report_id != report.id]
    return EventDetail(event=event_out(info["row"]),
                       machine=event_out(info["machine_row"]) if info["machine_row"] else None,
                       report=source, sources=sources, merged_with=merged["members"],
                       history=[review_out(r) for r in info["history"]])


# ------------------------------------------------------------------ places, actors

@router.get("/places", response_model=PlacePage, summary="Places named in reports")
def list_places(data: Annotated[WebData, Depends(deps.data)],
                q: Annotated[str | None, Query(max_length=MAX_TEXT, description="Name contains")] = None,
                limit: Limit = 100, offset: Offset = 0) -> PlacePage:
    total, rows = data.places(check_text("q", q), limit, offset)
    return PlacePage(total=total, limit=limit, offset=offset,
                     items=[PlaceOut.model_validate(r) for r in rows])


@router.get("/actors", response_model=ActorPage, summary="Actors (entities) named in reports")
def list_actors(data: Annotated[WebData, Depends(deps.data)],
                q: Annotated[str | None, Query(max_length=MAX_TEXT, description="Name contains")] = None,
                type: Annotated[str | None, Query(max_length=20,
                                                  description="Entity type, e.g. ARMED_GROUP")] = None,
                limit: Limit = 100, offset: Offset = 0) -> ActorPage:
    types = ("PERSON", "ORG", "ARMED_GROUP", "FORCE", "MISSION", "COUNTRY")
    chosen = _choices("type", type, types)
    total, rows = data.actors(check_text("q", q), chosen[0] if chosen else None, limit, offset)
    return ActorPage(total=total, limit=limit, offset=offset,
                     items=[ActorOut.model_validate(r) for r in rows])


# ------------------------------------------------------------------ picture, exports

@router.get("/picture", summary="The mission picture as of a date (analyst reviews applied)",
            description="Every section of the picture as of `as_of`, except that the timeline (every merged "
                        "event, in date order) is one page of it: `timeline_limit` events from position "
                        "`timeline_offset`; `timeline_page` gives the timeline's `total` and the page asked "
                        "for. History lists (a contingent's `series`, `estimates`, `flows_since_stated` and "
                        "`planned`, the mission totals, the mandate's `renewals`, `renewal_expected` and "
                        "`expiry_claims`, each place's control `trail`, the contradictions of each kind, and "
                        "`people`: the most recently reported, listed by name) "
                        "keep their latest `history` entries; `history_cut.lists` names each list cut and "
                        "its full length. Current values are computed from the full histories. Evidence "
                        "lists (every `sources`, `expiry_sources` and a timeline event's `members`) keep "
                        "their first `sources` entries (the earliest reports); `sources_cut` says how many "
                        "lists were cut and how many entries left out (an event's page lists them all).",
            response_model=dict[str, Any])
def get_picture(mission: Annotated[MissionService, Depends(picture.mission)],
                as_of: Annotated[dt.date | None, Query(description="YYYY-MM-DD; default today")] = None,
                timeline_limit: TimelineLimit = picture.PAGE,
                timeline_offset: Annotated[int, Query(ge=0, le=10_000_000,
                                                      description="Timeline events to skip")] = 0,
                history: HistoryKept = picture.HISTORY,
                sources: SourcesKept = picture.SOURCES,
                ) -> Response:
    return Response(picture.picture_text(mission, as_of or dt.date.today(), timeline_offset, timeline_limit,
                                         history, sources), media_type="application/json")


@router.get("/exports/acled.csv", summary="Events in ACLED's CSV layout (reviews applied)",
            responses={200: {"content": {"text/csv": {}}}})
def export_acled(data: Annotated[WebData, Depends(deps.data)]) -> StreamingResponse:
    return StreamingResponse(exports.acled_csv(data.pairs()), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="missionwatch-acled.csv"'})


@router.get("/exports/events.geojson", summary="Geocoded events as GeoJSON (reviews applied)",
            responses={200: {"content": {"application/geo+json": {}}}})
def export_geojson(data: Annotated[WebData, Depends(deps.data)]) -> StreamingResponse:
    disposition = 'attachment; filename="missionwatch-events.geojson"'
    return StreamingResponse(exports.geojson(data.pairs()), media_type="application/geo+json",
                             headers={"Content-Disposition": disposition})


@router.get("/geo/countries", summary="Country outlines (offline base layer), GeoJSON",
            responses={200: {"content": {"application/geo+json": {}}}})
def countries() -> Response:
    return Response(_countries_bytes(), media_type="application/geo+json",
                    headers={"Cache-Control": "public, max-age=86400"})


@lru_cache(maxsize=1)
def _countries_bytes() -> bytes:
    from missionwatch.geo.outlines import countries_geojson

    def rounded(coords: Any) -> Any:
        if coords and isinstance(coords[0], int | float):
            return [round(coords[0], 3), round(coords[1], 3)]
        return [rounded(c) for c in coords]

    geo = countries_geojson()
    features = [{**f, "geometry": {**f["geometry"], "coordinates": rounded(f["geometry"]["coordinates"])}}
                for f in geo["features"]]
    return json.dumps({"type": "FeatureCollection", "features": features},
                      separators=(",", ":")).encode("utf-8")


# ------------------------------------------------------------------ reviews, audit, me

@router.post("/reviews", response_model=ReviewOut, status_code=201, responses=WRITE_RESPONSES,
             summary="Accept, correct or reject a fact, or add an event (needs a token)")
def post_review(body: ReviewIn, request: Request, data: Annotated[WebData, Depends(deps.data)]) -> ReviewOut:
    who = deps.writer(request)
    check_id("report_id", body.report_id)
    if body.fact_id is not None:
        check_id("fact_id", body.fact_id)
    review = data.add_review(who, report_id=body.report_id, kind=body.kind, action=body.action,
                             fact_id=body.fact_id, value=body.fields, note=body.note)
    return review_out(review)


@router.get("/reviews", response_model=list[ReviewOut], summary="Reviews of one report")
def list_reviews(data: Annotated[WebData, Depends(deps.data)],
                 report_id: Annotated[str, Query(max_length=128)]) -> list[ReviewOut]:
    check_id("report_id", report_id)
    return [review_out(r) for r in data.reviews([report_id])]


@router.get("/audit", response_model=AuditPage, summary="Every change: who, when, before, after")
def list_audit(data: Annotated[WebData, Depends(deps.data)],
               limit: Limit = 100, offset: Offset = 0) -> AuditPage:
    total, rows = data.audit(limit, offset)
    return AuditPage(total=total, limit=limit, offset=offset,
                     items=[AuditOut.model_validate(r) for r in rows])


@router.get("/me", response_model=Me, summary="Who the request is signed in as")
def me(request: Request) -> Me:
    who = deps.principal(request)
    return Me(signed_in=who is not None, name=who.name if who else None, role=who.role if who else None)
