"""``missionwatch reports | show | search | reextract``: look at what the store holds."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from missionwatch.cli.app import app, err, errors_to_exit, out, write_json_line
from missionwatch.cli.ingest import DB_HELP, parse_day

if TYPE_CHECKING:  # the store (SQLAlchemy, Alembic) loads only for commands that use it
    from missionwatch.store import ReportInfo, SearchHit, Store


class ListFormat(str, Enum):  # noqa: UP042 - same shape as cli/extract.py
    table = "table"
    json = "json"


FORMAT = typer.Option(ListFormat.table, "--format", "-f", help="table (people) or json (scripts)")


@contextmanager
def opened(db: str | None) -> Iterator[Store]:
    with errors_to_exit():
        from missionwatch.store import Store

        store = Store.open(db)
        try:
            yield store
        finally:
            store.close()


def info_json(info: ReportInfo, body: bool = False) -> dict[str, Any]:
    data = info.report.model_dump(mode="json", exclude=None if body else {"body"})
    data.update(ingested_at=info.ingested_at.isoformat(), duplicate_of=info.duplicate_of,
                duplicate_similarity=info.duplicate_similarity, extractor_version=info.extractor_version,
                chars=len(info.report.body))
    return data


def _id_column(table: Table) -> None:
    # Ids are what people copy into `missionwatch show`: never cut them.
    table.add_column("id", no_wrap=True, min_width=16)


@app.command()
def reports(
    since: str = typer.Option(None, "--since", help="Published on or after YYYY-MM-DD"),
    until: str = typer.Option(None, "--until", help="Published on or before YYYY-MM-DD"),
    limit: int = typer.Option(50, "--limit", min=1, help="At most this many reports"),
    offset: int = typer.Option(0, "--offset", min=0, help="Skip this many (paging)"),
    format: ListFormat = FORMAT,
    db: str = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """List stored reports, newest first."""
    first, last = parse_day(since), parse_day(until)
    with opened(db) as store, errors_to_exit():
        found = store.list_reports(since=first, until=last, limit=limit, offset=offset)
    if format is ListFormat.json:
        write_json_line(json.dumps([info_json(i) for i in found], ensure_ascii=False))
        return
    table = Table(title=f"{len(found)} reports")
    _id_column(table)
    table.add_column("published", no_wrap=True, min_width=10)
    table.add_column("source", no_wrap=True, overflow="ellipsis", max_width=24)
    table.add_column("title", overflow="fold", min_width=24, ratio=1)
    table.add_column("duplicate of", no_wrap=True)
    for info in found:
        r = info.report
        title = r.title or r.body[:70].replace("\n", " ")
        table.add_row(r.id, str(r.published or ""), r.source or "", title, info.duplicate_of or "")
    out.print(table)


@app.command()
def show(
    report_id: str = typer.Argument(..., metavar="ID", help="Report id (see `missionwatch reports`)"),
    format: ListFormat = FORMAT,
    db: str = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """One report, with a summary of its extraction."""
    with opened(db) as store, errors_to_exit():
        info = store.report_info(report_id)
        extraction = store.get_extraction(report_id)
    if format is ListFormat.json:
        data = info_json(info, body=True)
        data["extraction"] = extraction.to_contract() if extraction else None
        write_json_line(json.dumps(data, ensure_ascii=False))
        return
    r = info.report
    out.print(f"[bold]{r.title or r.id}[/bold]")
    for label, value in (("id", r.id), ("published", r.published), ("source", r.source), ("url", r.url),
                         ("reader", r.reader), ("sha256", r.sha256),
                         ("duplicate of", f"{info.duplicate_of} (similarity {info.duplicate_similarity:.2f})"
                          if info.duplicate_of else None)):
        if value:
            out.print(f"{label:>13}: {value}", markup=False, highlight=False)
    out.print()
    out.print(r.body, markup=False, highlight=False)
    out.print()
    if extraction is None:
        err.print("not extracted yet: run `missionwatch reextract`", markup=False)
        return
    from missionwatch.cli.tables import extraction_tables

    extraction_tables(extraction)


@app.command()
def search(
    query: str = typer.Argument(..., help='Words, "quoted phrases", OR, NOT'),
    limit: int = typer.Option(20, "--limit", min=1),
    format: ListFormat = FORMAT,
    db: str = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Full-text search over report titles and bodies, best matches first."""
    with opened(db) as store, errors_to_exit():
        hits: list[SearchHit] = store.search(query, limit=limit)
    if format is ListFormat.json:
        write_json_line(json.dumps([h.model_dump(mode="json") for h in hits], ensure_ascii=False))
        return
    table = Table(title=f"{len(hits)} matches for {query!r}")
    _id_column(table)
    for name in ("published", "source", "snippet"):
        table.add_column(name, no_wrap=name == "published", overflow="fold")
    for hit in hits:
        table.add_row(hit.report_id, str(hit.published or ""), hit.source or "", hit.snippet)
    out.print(table)


@app.command()
def reextract(db: str = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Re-extract reports stored by an older extractor version (or never extracted)."""
    from missionwatch.ingest import reextract as run_reextract

    with opened(db) as store, errors_to_exit():
        summary = run_reextract(store)
    for error in summary.rejected:
        err.print(error.line(), markup=False, highlight=False)
    out.print(f"re-extracted {summary.updated}, rejected {len(summary.rejected)}", markup=False)
    if summary.rejected:
        raise typer.Exit(1)
