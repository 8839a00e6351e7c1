"""What every format reader gets: the raw bytes plus where they came from.

Kept separate from the format modules so each of them is a pure function
``bytes -> Report | ReaderError`` stream, testable without touching files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Input:
    #: Shown in error lines: the path as the user gave it (or ``<stdin>``).
    where: str
    #: ``Report.source``: the file name (or ``<stdin>``).
    source: str
    data: bytes
    #: Fallback publication date (``--date``) for formats that carry none.
    published: dt.date | None
    max_bytes: int
