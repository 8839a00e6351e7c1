"""RSS and Atom feed files (feedparser): each entry is one report.

Entry content (or the summary when there is none) is HTML; it becomes text
through trafilatura, falling back to trafilatura's plain html2txt for
fragments too short for article extraction.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import feedparser
import trafilatura

from missionwatch.errors import ReaderError
from missionwatch.readers._input import Input
from missionwatch.readers.html import main_text
from missionwatch.records import Report

NAME = "feed"


def read(item: Input) -> Iterator[Report | ReaderError]:
    try:
        parsed = feedparser.parse(item.data)
    except (ValueError, OverflowError) as exc:  # e.g. &#2000000;: feedparser calls chr() on it
        raise ReaderError("MW110", f"not a readable RSS/Atom feed ({exc})", where=item.where) from exc
    if not parsed.entries:
        if parsed.get("bozo") or not parsed.get("version"):
            reason = parsed.get("bozo_exception") or "no RSS or Atom entries found"
            raise ReaderError("MW110", f"not a readable RSS/Atom feed ({reason})", where=item.where)
        return
    for number, entry in enumerate(parsed.entries, start=1):
        where = f"{item.where}#entry{number}"
        try:
            yield _report(entry, where, item)
        except ReaderError as exc:
            yield exc


def _report(entry: Any, where: str, item: Input) -> Report:
    text = _entry_text(entry)
    if not text.strip():
        raise ReaderError("MW101", "the entry has no content or summary text", where=where)
    if len(text.encode("utf-8")) > item.max_bytes:
        raise ReaderError("MW108", f"entry is over the limit of {item.max_bytes:,} bytes", where=where)
    return Report.build(body=text, reader=NAME, published=_published(entry) or item.published,
                        title=entry.get("title") or None, url=entry.get("link") or None, source=item.source)


def _entry_text(entry: Any) -> str:
    parts = entry.get("content") or []
    value = parts[0] if parts else entry.get("summary_detail") or {"value": entry.get("summary", "")}
    html = value.get("value", "") or ""
    if "html" not in (value.get("type") or "text/html"):
        return str(html).strip()
    text, _title, _date = main_text(f"<html><body><article>{html}</article></body></html>")
    return text if text is not None else trafilatura.html2txt(html)


def _published(entry: Any) -> dt.date | None:
    stamp: time.struct_time | None = entry.get("published_parsed") or entry.get("updated_parsed")
    return dt.date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday) if stamp else None
