"""Plain ``.txt`` / ``.md``: the whole file is the body.

A ``.txt`` that starts with a dated-text header is read as dated text (that
is how the sample corpus is saved); otherwise the publication date comes from
``--date`` or stays unknown.
"""

from __future__ import annotations

from missionwatch.errors import ReaderError
from missionwatch.readers import dated_text
from missionwatch.readers._decode import decode
from missionwatch.readers._input import Input
from missionwatch.records import Report

NAME = "plain-text"


def read_text(text: str, item: Input) -> Report:
    if dated_text.has_header(text):
        return dated_text.read_dated_text(text, item)
    if not text.strip():
        raise ReaderError("MW101", "the file holds only whitespace", where=item.where)
    return Report.build(body=text, reader=NAME, published=item.published, source=item.source)


def read(item: Input) -> Report:
    return read_text(decode(item.data, item.where), item)
