"""Server-rendered dashboard pages (Jinja2, autoescaped: report text is hostile input)."""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from importlib.resources import files
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader

from missionwatch.errors import CATALOGUE, MissionwatchError
from missionwatch.mission.knowledge import knowledge
from missionwatch.mission.service import MissionService
from missionwatch.records import EVENT_STATUSES, EVENT_TYPES
from missionwatch.web import auth, deps, picture
from missionwatch.web.api import DateTo, _choices, _dates, check_id, event_out
from missionwatch.web.queries import EventFilter, WebData

router = APIRouter(include_in_schema=False)

env = Environment(loader=FileSystemLoader(str(files("missionwatch.web").joinpath("templates"))),
                  autoescape=True, trim_blocks=True, lstrip_blocks=True)

#: Marker colours by event type (the map, the legend and the timeline use the same).
COLOURS = {
    "DEPLOY": "#1f77b4", "WITHDRAW": "#7f7f7f", "OPERATION": "#2ca02c", "ARREST": "#d62728",
    "ATTACK": "#8c1d1d", "CONTROL": "#9467bd", "DISPLACEMENT": "#ff7f0e", "TRAVEL": "#17becf",
    "MEETING": "#bcbd22", "MANDATE": "#e377c2", "FUNDING": "#8c564b", "DECISION": "#393b79",
    "STATEMENT": "#aec7e8",
}
env.globals.update(colours=COLOURS, event_types=EVENT_TYPES, event_statuses=EVENT_STATUSES)


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    who = deps.principal(request)
    html = env.get_template(template).render(
        request=request, who=who, csrf=deps.csrf_for(request) if who else "",
        private=request.app.state.private, path=request.url.path, **context)
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, status: int, code: str, message: str) -> HTMLResponse:
    title = CATALOGUE[code].summary if code in CATALOGUE else "error"
    try:
        return render(request, "error.html", status=status, code=code, title=title, message=message)
    except Exception:  # the page itself failed (e.g. the database is down): plain text, still escaped
        import html

        return HTMLResponse(f"<h1>{html.escape(code)}</h1><p>{html.escape(message)}</p>", status_code=status)


def page_reader(request: Request) -> None:
    """Pages of a private deployment send the visitor to sign in."""
    if request.app.state.private and deps.principal(request) is None:
        raise _Redirect("/signin?next=" + urllib.parse.quote(request.url.path))


class _Redirect(Exception):
    def __init__(self, to: str) -> None:
        self.to = to


def _safe_next(raw: str | None) -> str:
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw or len(raw) > 300:
        return "/"
    return raw


def _guard(request: Request) -> Response | None:
    try:
        page_reader(request)
    except _Redirect as go:
        return RedirectResponse(go.to, status_code=303)
    return None


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response(status_code=204)


# ------------------------------------------------------------------ dashboard

#: Dots (with their figure as a tooltip) drawn per line: the latest ones.
CHART_DOTS = 60


def _per_pixel(points: list[tuple[dt.date, float]], column: Any) -> list[tuple[dt.date, float]]:
    """The last point of each pixel column: a chart 400 pixels wide draws no more, however long the series."""
    out: list[tuple[dt.date, float]] = []
    for point in points:
        if out and column(out[-1][0]) == column(point[0]):
            out[-1] = point
        else:
            out.append(point)
    return out


def _strength_chart(pic: Any, width: int = 420, height: int = 180) -> dict[str, Any] | None:
    """Polylines (one per contingent, plus the total) for an inline SVG force-strength chart."""
    series: dict[str, list[tuple[dt.date, float]]] = {}
    for c in pic.forces.contingents:
        points = [(e.date, e.high) for e in c.estimates] or [
            (p.date, max(f.value for f in p.figures)) for p in c.series if p.kind == "stated" and p.figures]
        if points:
            series[c.country_name] = sorted(points)
    if not series:
        return None
    dates = [d for pts in series.values() for d, _ in pts]
    first, last = min(dates), max(max(dates), pic.as_of)
    top = max(v for pts in series.values() for _, v in pts) * 1.15 or 1
    span = max((last - first).days, 1)
    left, bottom = 40, height - 22

    def xy(d: dt.date, v: float) -> tuple[float, float]:
        return (left + (width - left - 10) * (d - first).days / span, bottom - (bottom - 10) * v / top)

    palette = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"]
    lines = []
    for n, (name, pts) in enumerate(sorted(series.items(), key=lambda kv: -kv[1][-1][1])):
        pts = _per_pixel(pts, lambda d: int(xy(d, 0)[0]))
        coords = []
        for i, (d, v) in enumerate(pts):  # steps: strength holds until the next figure
            if i:
                coords.append(xy(d, pts[i - 1][1]))
            coords.append(xy(d, v))
        coords.append(xy(last, pts[-1][1]))
        lines.append({"name": name, "colour": palette[n % len(palette)], "last": pts[-1][1],
                      "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in coords),
                      "dots": [dict(zip(("x", "y"), xy(d, v), strict=True), value=v, date=d)
                               for d, v in pts[-CHART_DOTS:]]})
    ticks = [{"y": xy(first, v)[1], "label": f"{v:,.0f}"} for v in (0, top / 2, top / 1.15)]
    return {"width": width, "height": height, "lines": lines, "ticks": ticks, "left": left, "bottom": bottom,
            "first": first, "last": last}


def _form_date(name: str, raw: str | None) -> dt.date | None:
    """A date from a form field: empty means no filter."""
    if not raw or not raw.strip():
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise MissionwatchError("MW301", f"{name} {raw[:12]!r} is not a date (YYYY-MM-DD)") from exc


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, data: Annotated[WebData, Depends(deps.data)],
              mission: Annotated[MissionService, Depends(picture.mission)],
              date_from: Annotated[str | None, Query(max_length=10)] = None,
              date_to: Annotated[str | None, Query(max_length=10)] = None,
              type: Annotated[str | None, Query(max_length=400)] = None) -> Response:
    if (go := _guard(request)) is not None:
        return go
    start, end = _form_date("date_from", date_from), _form_date("date_to", date_to)
    _dates(start, end)
    types = _choices("type", type, EVENT_TYPES)
    as_of = end or dt.date.today()
    pic = picture.picture(mission, as_of)
    flt = EventFilter(types=types, date_from=start, date_to=end)
    total, rows = data.events(flt, limit=20, offset=0)
    params = {k: v for k, v in (("date_from", start), ("date_to", end), ("type", ",".join(types))) if v}
    events_url = "/api/events.geojson?" + urllib.parse.urlencode({k: str(v) for k, v in params.items()})
    return render(request, "dashboard.html", pic=pic, as_of=as_of, total=total,
                  events=[event_out(r) for r in rows], chart=_strength_chart(pic),
                  date_from=start, date_to=end, types=types, events_url=events_url,
                  tile_url=request.app.state.tile_url, colours_json=json.dumps(COLOURS),
                  theatre=json.dumps(list(knowledge().theatre_bbox)))


@router.get("/timeline", response_class=HTMLResponse)
def timeline(request: Request, data: Annotated[WebData, Depends(deps.data)],
             mission: Annotated[MissionService, Depends(picture.mission)],
             as_of: DateTo = None,
             page: Annotated[int, Query(ge=1, le=100_000, description="Page number (from 1)")] = 1,
             ) -> Response:
    if (go := _guard(request)) is not None:
        return go
    as_of = as_of or dt.date.today()
    window = picture.timeline_page(mission, as_of, (page - 1) * picture.PAGE, picture.PAGE)
    on_page = {m.split(":", 1)[0] for item in window.events for m in item.members}
    _, reviewed = data._reviewed_event_rows(on_page)
    states = {f"{r['report_id']}:{r['fact_id']}": r["review"] for r in reviewed}
    items = []
    for item in window.events:
        state = next((states[m] for m in item.members if m in states), None)
        first = item.members[0].replace(":", "/", 1) if item.members else None
        items.append({"item": item, "state": state, "href": f"/events/{first}" if first else None})
    pages = max(1, -(-window.total // picture.PAGE))
    return render(request, "timeline.html", items=items, as_of=as_of, page=page, pages=pages,
                  total=window.total, first=window.offset + 1, last=window.offset + len(items))


# ------------------------------------------------------------------ events and reports

def _highlight(body: str, start: int, end: int) -> dict[str, str]:
    start = max(0, min(start, len(body)))
    end = max(start, min(end, len(body)))
    return {"before": body[:start], "evidence": body[start:end], "after": body[end:]}


@router.get("/events/{report_id}/{fact_id}", response_class=HTMLResponse)
def event_page(request: Request, report_id: str, fact_id: str,
               data: Annotated[WebData, Depends(deps.data)],
               mission: Annotated[MissionService, Depends(picture.mission)],
               done: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    if (go := _guard(request)) is not None:
        return go
    check_id("report_id", report_id)
    check_id("fact_id", fact_id)
    info = data.event(report_id, fact_id)
    ev = event_out(info["row"])
    machine = event_out(info["machine_row"]) if info["machine_row"] else None
    merged = picture.merged_with(mission, report_id, fact_id)
    report = info["report"]
    shown = machine or ev
    text = _highlight(report.body, shown.evidence_start, shown.evidence_end) if machine else None
    return render(request, "event.html", ev=ev, machine=machine, report=report, text=text,
                  merged=merged, history=info["history"], state=info["state"], done=done)


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, data: Annotated[WebData, Depends(deps.data)],
                 q: Annotated[str | None, Query(max_length=200)] = None,
                 offset: Annotated[int, Query(ge=0, le=20000)] = 0) -> Response:
    if (go := _guard(request)) is not None:
        return go
    q = q.strip() if q and q.strip() else None
    total, rows = data.reports(q=q, date_from=None, date_to=None, limit=50, offset=offset)
    return render(request, "reports.html", rows=rows, total=total, q=q, offset=offset)


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report_page(request: Request, report_id: str, data: Annotated[WebData, Depends(deps.data)]) -> Response:
    if (go := _guard(request)) is not None:
        return go
    check_id("report_id", report_id)
    report, machine, reviewed, reviews = data.reviewed(report_id)
    _, rows = data.events(EventFilter(report_id=report_id), limit=500, offset=0)
    return render(request, "report.html", report=report, events=[event_out(r) for r in rows],
                  reviews=reviews, extracted=machine is not None)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, data: Annotated[WebData, Depends(deps.data)],
               offset: Annotated[int, Query(ge=0, le=20000)] = 0) -> Response:
    if (go := _guard(request)) is not None:
        return go
    total, rows = data.audit(100, offset)
    for row in rows:
        before = ((row.get("before") or {}).get("fact")) or {}
        after = ((row.get("after") or {}).get("fact")) or {}
        keys = [k for k in ("type", "status", "date", "place_name", "name", "lat", "lon", "confidence")
                if before.get(k) != after.get(k)]
        row["changes"] = [{"field": k, "before": _short(before.get(k)), "after": _short(after.get(k))}
                          for k in keys]
        row["note"] = (row.get("after") or {}).get("note")
    return render(request, "audit.html", rows=rows, total=total, offset=offset)


def _short(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict) and "start" in value:
        if value["start"] == value.get("end"):
            return value["start"]
        return f"{value['start']} – {value.get('end')}"
    return str(value)


# ------------------------------------------------------------------ sign-in

@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request, next: Annotated[str | None, Query(max_length=300)] = None) -> Response:
    return render(request, "signin.html", next=_safe_next(next), failed=False)


@router.post("/signin", response_class=HTMLResponse)
def signin(request: Request, data: Annotated[WebData, Depends(deps.data)],
           token: Annotated[str, Form(max_length=200)],
           next: Annotated[str, Form(max_length=300)] = "/") -> Response:
    who = data.user_by_token(token.strip())
    if who is None:
        return render(request, "signin.html", status=401, next=_safe_next(next), failed=True)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(auth.SESSION_COOKIE, auth.make_session(request.app.state.secret, who.user_id),
                        max_age=auth.SESSION_SECONDS, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")
    return response


@router.post("/signout")
def signout(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    if deps.principal(request) is not None and not auth.check_csrf(
            request.app.state.secret, request.cookies.get(auth.SESSION_COOKIE), csrf):
        raise MissionwatchError("MW303", "missing or wrong CSRF token")
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response


# ------------------------------------------------------------------ review forms

@router.post("/events/{report_id}/{fact_id}/review")
def review_form(request: Request, report_id: str, fact_id: str,
                data: Annotated[WebData, Depends(deps.data)],
                action: Annotated[str, Form(max_length=20)],
                csrf: Annotated[str, Form(max_length=200)] = "",
                type: Annotated[str, Form(max_length=20)] = "",
                status: Annotated[str, Form(max_length=20)] = "",
                date_start: Annotated[str, Form(max_length=20)] = "",
                date_end: Annotated[str, Form(max_length=20)] = "",
                note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    check_id("report_id", report_id)
    check_id("fact_id", fact_id)
    who = deps.writer(request, csrf)
    fields: dict[str, Any] = {}
    if action == "correct":
        if type:
            fields["type"] = type
        if status:
            fields["status"] = status
        if date_start:
            fields["date"] = {"start": date_start, "end": date_end or date_start} if date_end else date_start
    data.add_review(who, report_id=report_id, kind="event", action=action, fact_id=fact_id,
                    value=fields, note=note or None)
    return RedirectResponse(f"/events/{report_id}/{fact_id}?done={action}", status_code=303)


@router.post("/reports/{report_id}/add-event")
def add_event_form(request: Request, report_id: str, data: Annotated[WebData, Depends(deps.data)],
                   csrf: Annotated[str, Form(max_length=200)] = "",
                   type: Annotated[str, Form(max_length=20)] = "",
                   status: Annotated[str, Form(max_length=20)] = "occurred",
                   date_start: Annotated[str, Form(max_length=20)] = "",
                   note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    check_id("report_id", report_id)
    who = deps.writer(request, csrf)
    review = data.add_review(who, report_id=report_id, kind="event", action="add", fact_id=None,
                             value={"type": type, "status": status, "date": date_start}, note=note)
    return RedirectResponse(f"/events/{report_id}/r{review.id}?done=add", status_code=303)
