"""``missionwatch export`` and ``missionwatch import``: move a store's content in and out.

``export --format jsonl`` is a full dump (reports, extractions, reviews,
audit, users) that ``import`` restores into an empty store; its report lines
are also extraction-contract objects (see ``missionwatch.transfer``).
``acled-csv`` and ``geojson`` write the events with analyst reviews applied,
as the web API's exports do. With ``--output`` the file appears complete or
not at all (temporary file, then rename).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from missionwatch.cli.app import app, err, errors_to_exit, fail, out
from missionwatch.cli.ingest import DB_HELP
from missionwatch.cli.reports import opened
from missionwatch.errors import StoreError

if TYPE_CHECKING:  # the store (SQLAlchemy) loads when a command runs, not at CLI start-up
    from missionwatch.store import Store


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    acled_csv = "acled-csv"
    geojson = "geojson"


def _chunks(store: Store, fmt: ExportFormat) -> Iterator[str]:
    from missionwatch import exports, transfer
    from missionwatch.web.queries import WebData

    if fmt is ExportFormat.jsonl:
        return transfer.dump_lines(store)
    pairs = WebData(store.engine).pairs(reviewed=True)
    return exports.acled_csv(pairs) if fmt is ExportFormat.acled_csv else exports.geojson(pairs)


@app.command()
def export(
    format: ExportFormat = typer.Option(
        ExportFormat.jsonl,
        "--format",
        "-f",
        help="jsonl (full dump, importable; contract lines), acled-csv, geojson",
    ),
    output: Path = typer.Option(None, "--output", "-o", help="File to write (default: standard output)"),
    db: str = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Write the store's content: a full JSONL dump, ACLED CSV or GeoJSON."""
    from missionwatch.fileio import atomic_open

    with opened(db) as store, errors_to_exit():
        if output is None:
            for chunk in _chunks(store, format):
                sys.stdout.write(chunk)
            sys.stdout.flush()
            return
        with atomic_open(output, "w", encoding="utf-8", newline="") as handle:
            for chunk in _chunks(store, format):
                handle.write(chunk)
    err.print(f"wrote {output}", markup=False, highlight=False)


@app.command("import")
def import_(
    file: str = typer.Argument(
        ..., help="A file written by `missionwatch export --format jsonl` (- for stdin)"
    ),
    db: str = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Restore a JSONL dump into an empty store, all or nothing."""
    from missionwatch import transfer

    if file != "-" and not Path(file).is_file():
        fail(StoreError("MW205", "no such file", where=file))
    with opened(db) as store, errors_to_exit():
        if file == "-":
            stream = open(sys.stdin.fileno(), encoding="utf-8", closefd=False)  # noqa: SIM115
        else:
            stream = open(file, encoding="utf-8")  # noqa: SIM115
        try:
            counts = transfer.restore(store, stream, where=file)
        except UnicodeDecodeError as exc:
            raise StoreError(
                "MW205", f"not UTF-8 text ({exc.reason} at byte {exc.start})", where=file
            ) from exc
        finally:
            stream.close()
    out.print(
        f"imported {counts.reports} reports, {counts.extractions} extractions, {counts.reviews} reviews, "
        f"{counts.audit} audit entries, {counts.users} users",
        markup=False,
        highlight=False,
    )
