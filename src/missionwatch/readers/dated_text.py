"""The dated-text format: ``date YYYY-MM-DD`` then one space, then the body.

Leading whitespace before ``date`` is allowed (the bundled sample has it). The
header and the one separator after it are metadata; everything after is the
body, and every character offset in the project refers to that body, so the
body is returned exactly as written (no stripping).
"""

from __future__ import annotations

import datetime as dt
import re

from missionwatch.errors import ReaderError
from missionwatch.readers._decode import decode
from missionwatch.readers._input import Input
from missionwatch.records import Report

NAME = "dated-text"

#: ``date`` followed by something that starts like a number is a header, even a
#: broken one (so ``date 2024-13-45`` is an error, not body text); ``date night``
#: is just prose. The separator is one space, or one line break.
HEADER = re.compile(r"\A\s*date (\d\S*)(?: |\r\n|\n|\Z)")
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def has_header(text: str) -> bool:
    return HEADER.match(text) is not None


def parse_dated_text(text: str, where: str) -> tuple[dt.date | None, str]:
    """(published, body). No header: (None, text). Broken header date: MW104."""
    match = HEADER.match(text)
    if not match:
        return None, text
    return parse_day(match.group(1), where), text[match.end():]


def parse_day(value: str, where: str) -> dt.date:
    """A strict ``YYYY-MM-DD`` (``fromisoformat`` alone also takes ``20240921``)."""
    try:
        if not ISO_DAY.match(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ReaderError("MW104", f"date {value!r} is not a real YYYY-MM-DD date", where=where) from exc


def read_dated_text(text: str, item: Input) -> Report:
    published, body = parse_dated_text(text, item.where)
    if not body.strip():
        raise ReaderError("MW101", "the header is there but the body is empty", where=item.where)
    return Report.build(body=body, reader=NAME, published=published, source=item.source)


def read(item: Input) -> Report:
    return read_dated_text(decode(item.data, item.where), item)
