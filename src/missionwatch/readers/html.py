"""HTML pages: main text, title and date by trafilatura (no hand-written tag stripping).

Navigation, headers, footers and asides are pruned before extraction: without
that trafilatura's fallback extractors return the menu of a page that has no
article, and a menu is not a report.
"""

from __future__ import annotations

import datetime as dt

import trafilatura

from missionwatch.errors import ReaderError
from missionwatch.readers._decode import decode
from missionwatch.readers._input import Input
from missionwatch.records import Report

NAME = "html"
BOILERPLATE = ["//nav", "//header", "//footer", "//aside"]


def main_text(html: str) -> tuple[str | None, str | None, dt.date | None]:
    """(text, title, date) of the page's main content; text None when there is none."""
    doc = trafilatura.bare_extraction(html, with_metadata=True, prune_xpath=BOILERPLATE)
    if isinstance(doc, dict):  # only with as_dict=True; keeps the type checker honest
        raise TypeError("trafilatura returned a dict")
    if doc is None or not (doc.text or "").strip():
        return None, getattr(doc, "title", None), None
    return doc.text, doc.title or None, _date(doc.date)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def read(item: Input) -> Report:
    text, title, published = main_text(decode(item.data, item.where))
    if text is None:
        raise ReaderError("MW105", "trafilatura found no article text in this page", where=item.where)
    return Report.build(body=text, reader=NAME, published=published or item.published, title=title,
                        source=item.source)
