"""What every format reader gets: the raw bytes plus where they came from.

Kept separate from the format modules so each of them is a pure function
``bytes -> Report | ReaderError`` stream, testable without touching files.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO


@dataclass(frozen=True)
class Input:
    #: Shown in error lines: the path as the user gave it (or ``<stdin>``).
    where: str
    #: ``Report.source``: the file name (or ``<stdin>``).
    source: str
    #: The whole input, for formats read whole (empty when ``stream`` is given).
    data: bytes
    #: Fallback publication date (``--date``) for formats that carry none.
    published: dt.date | None
    max_bytes: int
    #: Opens the input as a binary stream, for formats read piece by piece
    #: (JSONL: a corpus may be far larger than memory). None: stream ``data``.
    stream: Callable[[], BinaryIO] | None = None

    def open(self) -> BinaryIO:
        return self.stream() if self.stream is not None else io.BytesIO(self.data)
