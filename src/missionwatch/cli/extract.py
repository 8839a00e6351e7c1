"""``missionwatch extract``: one file -> its extraction, without touching the store."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer

from missionwatch.cli.app import app, errors_to_exit, write_json_line


class ExtractFormat(StrEnum):
    json = "json"
    table = "table"


@app.command()
def extract(
    report: Path = typer.Argument(..., help="A report file (dated text, .txt, .md, .html, ...)"),
    format: ExtractFormat = typer.Option(ExtractFormat.table, "--format", "-f", help="json or table"),
) -> None:
    """Extract entities, places, dates, quantities and events from one report."""
    # spaCy and the readers load here, not at CLI start-up: `missionwatch --help` stays instant.
    from missionwatch.extract import extract as run_extract
    from missionwatch.readers import read_one

    with errors_to_exit():
        result = run_extract(read_one(report))
    if format is ExtractFormat.json:
        write_json_line(json.dumps(result.to_contract(), ensure_ascii=False, indent=1))
        return
    from missionwatch.cli.tables import extraction_tables

    extraction_tables(result)
