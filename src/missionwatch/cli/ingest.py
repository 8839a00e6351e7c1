"""``missionwatch ingest PATH...``: read, extract and store reports, then summarise."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from missionwatch.cli.app import app, err, errors_to_exit, out
from missionwatch.ingest import IngestProgress, IngestSummary, ProgressCallback
from missionwatch.ingest import ingest as run_ingest

DB_HELP = "Store URL (SQLAlchemy); default: MISSIONWATCH_DB, else sqlite:///missionwatch.db"
def parse_day(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a YYYY-MM-DD date") from exc


@contextmanager
def progress_bar(enabled: bool) -> Iterator[ProgressCallback | None]:
    """A rich bar over inputs, with the report count (JSONL and feeds hold many per file)."""
    if not enabled:
        yield None
        return
    columns = (TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
               TextColumn("{task.fields[reports]} reports"), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task("ingest", total=None, reports=0)

        def update(state: IngestProgress) -> None:
            bar.update(task, total=state.inputs_total, completed=state.inputs_done,
                       reports=state.reports_done)

        yield update


def print_summary(summary: IngestSummary) -> None:
    for error in summary.rejected:
        err.print(error.line(), markup=False, highlight=False)
    out.print(f"stored {summary.stored}, duplicates {summary.duplicates}, "
              f"near-duplicates {summary.near_duplicates}, rejected {len(summary.rejected)}",
              markup=False, highlight=False)


@app.command()
def ingest(
    paths: list[str] = typer.Argument(..., help="Files, directories (recursive) or - for standard input"),
    db: str = typer.Option(None, "--db", help=DB_HELP),
    date: str = typer.Option(None, "--date", help="Publication date (YYYY-MM-DD) for inputs that carry none"),
    progress: bool = typer.Option(None, "--progress/--no-progress",
                                  help="Progress bar on stderr (default: when stderr is a terminal)"),
    workers: int = typer.Option(None, "--workers", min=1,
                                help="Extract in N local processes (default: setting workers, 1)"),
    dask: str = typer.Option(None, "--dask", metavar="SCHEDULER",
                             help="Extract on a Dask cluster: a scheduler address, or 'local' for a "
                                  "LocalCluster of --workers processes"),
) -> None:
    """Read reports, extract facts and store them; exit status 1 if anything was rejected."""
    from missionwatch.store import Store

    published = parse_day(date)
    with errors_to_exit():
        store = Store.open(db)
        try:
            show = progress if progress is not None else err.is_terminal
            with progress_bar(show) as callback:
                summary = run_ingest(paths, store, published=published, progress=callback,
                                     workers=workers, dask=dask)
        finally:
            store.close()
    print_summary(summary)
    sys.stdout.flush()
    if summary.rejected:
        raise typer.Exit(1)
