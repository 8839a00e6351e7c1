"""The command line: a thin shell over the library.

Each command group lives in its own module and registers itself on ``app``;
commands parse input, call the core, print, and turn ``MissionwatchError``
into one line on stderr and a non-zero exit.
"""

from __future__ import annotations

from missionwatch.cli import extract as _extract  # noqa: F401  (registers commands)
from missionwatch.cli import ingest as _ingest  # noqa: F401
from missionwatch.cli import mission as _mission  # noqa: F401
from missionwatch.cli import reports as _reports  # noqa: F401
from missionwatch.cli import transfer as _transfer  # noqa: F401
from missionwatch.cli import web as _web  # noqa: F401
from missionwatch.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
