"""Readers: a file, feed, page or stream -> ``Report`` records.

``read_paths`` yields a ``Report`` for every report it can read and a
``ReaderError`` (never raised) for every one it cannot, so that one bad file
never stops a batch. ``read_one`` is the single-file form that raises.
(Foundation stub: dated text only; issue 2 fills the rest.)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

from missionwatch.errors import ReaderError
from missionwatch.records import Report

DATED_HEADER = re.compile(r"^\s*date (\S+) ?")


def parse_dated_text(text: str, where: str) -> tuple[dt.date | None, str]:
    match = DATED_HEADER.match(text)
    if not match:
        return None, text
    try:
        published = dt.date.fromisoformat(match.group(1))
    except ValueError as exc:
        raise ReaderError("MW104", f"header date {match.group(1)!r} is not a real YYYY-MM-DD date",
                          where=where) from exc
    return published, text[match.end():]


def read_one(path: Path | str) -> Report:
    path = Path(path)
    if not path.is_file():
        raise ReaderError("MW109", "no such file", where=str(path))
    text = path.read_text(encoding="utf-8")
    published, body = parse_dated_text(text, str(path))
    return Report.build(body=body, reader="dated-text", published=published, source=path.name,
                        id=path.stem)


def read_paths(paths: list[str]) -> Iterator[Report | ReaderError]:
    for p in paths:
        try:
            yield read_one(p)
        except ReaderError as exc:
            yield exc
