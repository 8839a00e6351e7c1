"""Readers: a file, feed, page or stream -> ``Report`` records.

``read_paths`` yields a ``Report`` for every report it can read and a
``ReaderError`` (never raised) for every input it cannot, so one bad file
never stops a batch; each bad input gives exactly one error naming the file
(and line or entry) and the reason. ``read_one`` is the single-file form that
raises.

Formats, chosen by extension (standard input is sniffed):

* dated text (``date YYYY-MM-DD`` header) and plain ``.txt`` / ``.md``
* ``.html`` / ``.htm`` pages (trafilatura)
* ``.jsonl`` corpora, one report per line
* ``.rss`` / ``.atom`` / ``.xml`` feeds (feedparser), one report per entry
* directories, recursively, in sorted order; ``-`` for standard input

Report ids are the first 16 hex digits of the body's sha256 (stable across
machines and runs) unless a JSONL line carries its own ``id``.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from missionwatch import settings
from missionwatch.errors import ReaderError
from missionwatch.readers import dated_text, feed, html, jsonl, plain
from missionwatch.readers._input import Input
from missionwatch.records import Report

STDIN = "-"
FormatReader = Callable[[Input], "Report | Iterator[Report | ReaderError]"]

READERS: dict[str, FormatReader] = {
    ".txt": plain.read, ".md": plain.read, ".markdown": plain.read, ".text": plain.read,
    ".html": html.read, ".htm": html.read, ".xhtml": html.read,
    ".jsonl": jsonl.read, ".ndjson": jsonl.read,
    ".rss": feed.read, ".atom": feed.read, ".xml": feed.read,
}
#: Formats whose size limit is checked per report (line) rather than per file: they are streamed.
_PER_REPORT_LIMIT = {".jsonl", ".ndjson"}
#: Bytes of standard input looked at to tell its format.
_SNIFF_BYTES = 65536

parse_dated_text = dated_text.parse_dated_text


def expand(paths: Iterable[str | Path]) -> list[Path | str | ReaderError]:
    """The inputs behind ``paths``: files (directories walked, sorted), ``-``, or MW109 errors.

    Hidden files and directories (``.git``, ``.DS_Store``) inside a directory
    are skipped; a file named explicitly is always read.
    """
    found: list[Path | str | ReaderError] = []
    for raw in paths:
        if str(raw) == STDIN:
            found.append(STDIN)
            continue
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and not _hidden(p, path)))
        elif path.is_file():
            found.append(path)
        else:
            found.append(ReaderError("MW109", "no such file or directory", where=str(path)))
    return found


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def read_paths(paths: Iterable[str | Path], *, published: dt.date | None = None,
               max_bytes: int | None = None, stdin: BinaryIO | None = None) -> Iterator[Report | ReaderError]:
    """Every report under ``paths``, in order; unreadable inputs are yielded as errors."""
    limit = int(settings.get("max_report_bytes", max_bytes))
    for target in expand(paths):
        if isinstance(target, ReaderError):
            yield target
        else:
            yield from read_input(target, published=published, max_bytes=limit, stdin=stdin)


def read_input(target: Path | str, *, published: dt.date | None, max_bytes: int,
               stdin: BinaryIO | None = None) -> Iterator[Report | ReaderError]:
    """The reports of one file (or ``-``); never raises ReaderError."""
    try:
        suffix, item = _load(target, published, max_bytes, stdin)
        result = READERS[suffix](item)
        if isinstance(result, Report):
            yield result
        else:
            yield from result
    except ReaderError as exc:
        yield exc


def _load(target: Path | str, published: dt.date | None, max_bytes: int,
          stdin: BinaryIO | None) -> tuple[str, Input]:
    if target == STDIN:
        stream = stdin or sys.stdin.buffer
        head = stream.read(_SNIFF_BYTES)
        suffix = _sniff(head)
        if suffix in _PER_REPORT_LIMIT:  # a corpus: streamed, like a file
            return suffix, Input("<stdin>", "<stdin>", b"", published, max_bytes,
                                 stream=lambda: io.BufferedReader(jsonl.Prepended(head, stream)))
        data = _read_limited(stream, max_bytes, "<stdin>", head)
        return suffix, Input("<stdin>", "<stdin>", data, published, max_bytes)
    path = Path(target)
    suffix = path.suffix.lower()
    if suffix not in READERS:
        known = ", ".join(sorted(READERS))
        raise ReaderError("MW107", f"unknown extension {suffix or '(none)'!r}; readable: {known}",
                          where=str(path))
    if suffix in _PER_REPORT_LIMIT:  # streamed by its reader, line by line
        return suffix, Input(str(path), path.name, b"", published, max_bytes, stream=lambda: path.open("rb"))
    if path.stat().st_size > max_bytes:
        raise ReaderError("MW108", f"{path.stat().st_size:,} bytes is over the limit of {max_bytes:,} "
                          "(max_report_bytes)", where=str(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReaderError("MW109", f"cannot read: {exc.strerror}", where=str(path)) from exc
    return suffix, Input(str(path), path.name, data, published, max_bytes)


def _read_limited(stream: BinaryIO, max_bytes: int, where: str, head: bytes = b"") -> bytes:
    data = head + stream.read(max(0, max_bytes + 1 - len(head)))
    if len(data) > max_bytes:
        raise ReaderError("MW108", f"input is over the limit of {max_bytes:,} bytes (max_report_bytes)",
                          where=where)
    return data


def _sniff(data: bytes) -> str:
    """Extension-equivalent of a stream: feeds and pages start with markup, JSONL with ``{``."""
    head = data.lstrip()[:512].lower()
    if head.startswith(b"{"):
        return ".jsonl"
    if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
        return ".xml"
    if head.startswith(b"<"):
        return ".html"
    return ".txt"


def read_one(path: Path | str, *, published: dt.date | None = None, max_bytes: int | None = None) -> Report:
    """The report in one file; raises the ReaderError if it cannot be read.

    Multi-report files (JSONL, feeds) give their first report.
    """
    for item in read_paths([path], published=published, max_bytes=max_bytes):
        if isinstance(item, ReaderError):
            raise item
        return item
    raise ReaderError("MW101", "no report found in this input", where=str(path))


__all__ = ["STDIN", "expand", "parse_dated_text", "read_input", "read_one", "read_paths"]
