"""JSONL corpora: one report per line.

``text`` is required; ``date``, ``title``, ``url`` and ``id`` are optional. A
broken line is reported with its line number and the good lines are kept. The
size limit applies per line (a corpus may be far larger than one report).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from missionwatch.errors import ReaderError
from missionwatch.readers._decode import decode
from missionwatch.readers._input import Input
from missionwatch.readers.dated_text import parse_day
from missionwatch.records import Report

NAME = "jsonl"
FIELDS = {"text", "date", "title", "url", "id"}


def read(item: Input) -> Iterator[Report | ReaderError]:
    text = decode(item.data, item.where)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{item.where}:{number}"
        try:
            yield _report(line, where, item)
        except ReaderError as exc:
            yield exc


def _report(line: str, where: str, item: Input) -> Report:
    if len(line.encode("utf-8")) > item.max_bytes:
        raise ReaderError("MW108", f"line is over the limit of {item.max_bytes:,} bytes (max_report_bytes)",
                          where=where)
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ReaderError("MW106", f"not valid JSON ({exc.msg} at column {exc.colno})", where=where) from exc
    if not isinstance(data, dict):
        raise ReaderError("MW106", "a line must be a JSON object", where=where)
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ReaderError("MW106", 'the "text" field is missing or empty', where=where)
    if any(isinstance(v, str) and "\x00" in v for v in data.values()):
        raise ReaderError("MW102", "the line contains NUL characters, which text never has", where=where)
    return Report.build(body=text, reader=NAME, published=_published(data, where, item),
                        title=_optional_str(data, "title", where), url=_optional_str(data, "url", where),
                        id=_optional_str(data, "id", where), source=item.source)


def _optional_str(data: dict[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ReaderError("MW106", f'"{key}" must be a string', where=where)
    return str(value)


def _published(data: dict[str, Any], where: str, item: Input) -> dt.date | None:
    value = data.get("date")
    if value is None or value == "":
        return item.published
    if not isinstance(value, str):
        raise ReaderError("MW104", f'"date" must be a YYYY-MM-DD string, not {value!r}', where=where)
    # Timestamps (2024-09-21T14:00:00Z) are common in exports: the day is what counts.
    return parse_day(value[:10] if len(value) > 10 and value[10] in "T " else value, where)
