"""``missionwatch mission | why | brief``: the picture of the mission as of a date, and its brief."""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from pathlib import Path

import typer
from rich.table import Table

from missionwatch.cli.app import app, errors_to_exit, out, write_json_line
from missionwatch.cli.ingest import DB_HELP
from missionwatch.cli.reports import opened
from missionwatch.errors import QueryError


class PictureFormat(StrEnum):
    json = "json"
    table = "table"


class BriefFormatOption(StrEnum):
    md = "md"
    html = "html"
    pdf = "pdf"


def _day(value: str | None, name: str) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise QueryError("MW301", f"{name} {value!r} is not a date (YYYY-MM-DD)", where=name) from exc


AS_OF = typer.Option(None, "--as-of", help="The day the picture describes (YYYY-MM-DD); default today")


@app.command()
def mission(
    as_of: str = AS_OF,
    format: PictureFormat = typer.Option(PictureFormat.table, "--format", "-f", help="table or json"),
    db: str = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """The mission picture as of a date: forces, mandate, money, gaps, territory, people, timeline."""
    from missionwatch.mission.service import MissionService

    with errors_to_exit():
        day = _day(as_of, "--as-of")
    with opened(db) as store, errors_to_exit():
        picture = MissionService(store).picture(day)
    if format is PictureFormat.json:
        write_json_line(json.dumps(picture.to_json(), ensure_ascii=False, indent=1))
        return
    from missionwatch.brief.render import date_text, span_text

    m = picture.mandate
    out.print(f"[b]{picture.mission}[/b] as of {picture.as_of} ({picture.reports} reports)")
    out.print(f"Mandate: {m.status}" + (f", expires {m.expires.start} ({m.days_until_expiry} days)"
                                        if m.expires else ""))
    forces = Table("contributor", "status", "estimate", "latest stated", title="Forces")
    for c in picture.forces.contingents:
        stated = ""
        if c.latest_stated:
            figures = " vs ".join(f"{f.value:,.0f}" for f in c.latest_stated.figures)
            stated = f"{c.latest_stated.date}: {figures}"
        forces.add_row(c.country_name, c.status, span_text(c.estimate_low, c.estimate_high), stated)
    territory = Table("place", "held by", "date", "earlier steps", title="Territory")
    for t in picture.territory:
        territory.add_row(t.place, t.latest.holder, str(t.latest.date or ""), str(len(t.trail)))
    timeline = Table("id", "date", "type", "status", "place", "sources", title="Timeline")
    for e in picture.timeline:
        timeline.add_row(e.id, date_text(e), e.type, e.status, e.place.name if e.place else "",
                         str(len(e.sources)))
    for table in (forces, territory, timeline):
        out.print(table)
    for clash in picture.contradictions:
        out.print(f"[red]contradiction[/red] {clash.subject}: {clash.detail}", highlight=False)


@app.command()
def why(
    event_id: str = typer.Argument(..., help="A merged event id (ev-...) or REPORT_ID:EVENT_ID"),
    db: str = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Why events were merged: every source of the event and what matched between them."""
    from missionwatch.mission.service import MissionService
    from missionwatch.mission.timeline import cluster_id

    with opened(db) as store, errors_to_exit():
        members, edges = MissionService(store).why(event_id)
    out.print(f"[b]{cluster_id(m.key for m in members)}[/b]: {members[0].type}, {len(members)} source(s)")
    for m in members:
        when = f"{m.date.start}..{m.date.end}" if m.date else "undated"
        out.print(f"  {m.key}  {m.status}  {when}  {m.place.name if m.place else '-'}  "
                  f"({m.source.outlet or 'unknown outlet'}, {m.source.report_date})", markup=False,
                  highlight=False)
        out.print(f"    “{m.source.quote}”", markup=False, highlight=False)
    if not edges:
        out.print("No merge: this event is told by one report only.")
    for e in edges:
        out.print(f"  merged {e.a} with {e.b}: " + "; ".join(e.reasons), markup=False, highlight=False)


@app.command()
def brief(
    as_of: str = AS_OF,
    format: BriefFormatOption = typer.Option(BriefFormatOption.md, "--format", "-f", help="md, html or pdf"),
    output: Path = typer.Option(None, "--output", "-o", help="File to write (required for pdf; md/html "
                                                               "print to stdout without it)"),
    since: str = typer.Option(None, "--since", help="Start of the period for the map and timeline "
                                                    "(default: 90 days before --as-of)"),
    db: str = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """The daily brief: headline figures, mandate countdown, charts, map, territory, timeline, sources."""
    from missionwatch.brief import render_brief
    from missionwatch.mission.service import MissionService

    with errors_to_exit():
        day = _day(as_of, "--as-of")
        start = _day(since, "--since") if since else None
        if format is BriefFormatOption.pdf and output is None:
            raise QueryError("MW301", "a PDF brief needs --output FILE", where="--output")
    with opened(db) as store, errors_to_exit():
        picture = MissionService(store).picture(day)
    text = render_brief(picture, format.value, output, since=start)
    if text is not None:
        write_json_line(text)
    else:
        out.print(f"wrote {output}", markup=False, highlight=False)
