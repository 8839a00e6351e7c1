"""Temporal expressions resolved against the publication date (stub; see issue 3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from spacy.tokens import Doc

from missionwatch.records import DateInterval, Span

VERSION = "dates@0"


@dataclass(frozen=True)
class DateMention:
    span: Span
    interval: DateInterval


def find_dates(doc: Doc, published: dt.date | None) -> list[DateMention]:
    return []
