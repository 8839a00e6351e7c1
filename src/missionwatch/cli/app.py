"""The Typer app and the shared error handling of every command."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from missionwatch.errors import MissionwatchError

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="missionwatch: a sourced picture of a multinational security mission.")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def fail(error: MissionwatchError, code: int = 1) -> None:
    err.print(error.line(), markup=False, highlight=False)
    raise typer.Exit(code)


@contextmanager
def errors_to_exit() -> Iterator[None]:
    """Turn a catalogue error into one line on stderr and exit status 1."""
    try:
        yield
    except MissionwatchError as exc:
        fail(exc)


def write_json_line(text: str) -> None:
    sys.stdout.write(text + "\n")


@app.callback()
def _root() -> None:
    """missionwatch: a sourced picture of a multinational security mission."""
