"""JSONL corpora: one report per line.

``text`` is required; ``date``, ``title``, ``url`` and ``id`` are optional. A
broken line is reported with its line number and the good lines are kept. The
size limit applies per line (a corpus may be far larger than one report).

The file is streamed: lines are read one at a time, in binary, and decoded one
by one, so memory holds one line (at most ``max_bytes``), never the corpus. A
line over the limit is not kept either: the rest of it is skipped up to the
next newline and it is reported (``MW108``) with its number. A corpus in
UTF-16 (with a byte-order mark, as Windows tools write it) is transcoded on
the fly; lines that are not UTF-8 are decoded with the encoding guessed from
the first 64 KiB (or, failing that, guessed line by line).
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from charset_normalizer import from_bytes

from missionwatch.errors import ReaderError
from missionwatch.readers._decode import MAX_CHAOS, decode, looks_binary
from missionwatch.readers._input import Input
from missionwatch.readers.dated_text import parse_day
from missionwatch.records import Report

NAME = "jsonl"
FIELDS = {"text", "date", "title", "url", "id"}
#: Bytes read at a time (the first ones also tell binary files and the encoding).
CHUNK = 1 << 16


def read(item: Input) -> Iterator[Report | ReaderError]:
    try:
        raw = item.open()
    except OSError as exc:
        raise ReaderError("MW109", f"cannot read: {exc.strerror}", where=item.where) from exc
    with raw:
        yield from _read(raw, item)


def _read(raw: BinaryIO, item: Input) -> Iterator[Report | ReaderError]:
    head = raw.read(CHUNK)
    if not head:
        raise ReaderError("MW101", "the file is empty", where=item.where)
    if looks_binary(head):
        raise ReaderError("MW102", "this looks like a binary file, not text", where=item.where)
    utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    stream = io.BufferedReader(Prepended(head, raw, "utf-16" if utf16 else None), CHUNK)
    fallback = None if utf16 else _guess_encoding(head)
    content = False
    try:
        for number, data in lines(stream, item.max_bytes):
            where = f"{item.where}:{number}"
            if data is not None and number == 1:
                data = data.removeprefix(codecs.BOM_UTF8)
            if data is not None and not data.strip():
                continue
            content = True
            if data is None:
                yield _too_long(item.max_bytes, where)
                continue
            if b"\x00" in data:  # only a transcoded UTF-16 line gets here with one
                yield ReaderError("MW102", "NUL character in the line (binary data)", where=where)
                continue
            try:
                line = _text(data, where, fallback)
                if line.strip():
                    yield _report(line, where, item)
            except ReaderError as exc:
                yield exc
    except UnicodeDecodeError as exc:
        raise ReaderError("MW103", f"not valid UTF-16 ({exc.reason})", where=item.where) from exc
    if not content:
        raise ReaderError("MW101", "the file holds only whitespace", where=item.where)


def lines(stream: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line without its newline) for every line; None for a line over ``limit`` bytes.

    Never holds more than ``limit`` + 2 bytes of a line: a longer one is read
    on to its newline in ``CHUNK`` pieces and dropped.
    """
    number = 0
    while line := stream.readline(limit + 2):  # room for the limit plus "\r\n"
        number += 1
        if len(line) == limit + 2 and not line.endswith(b"\n"):
            while (rest := stream.readline(CHUNK)) and not rest.endswith(b"\n"):
                pass
            yield number, None
            continue
        line = line.removesuffix(b"\n").removesuffix(b"\r")
        yield number, None if len(line) > limit else line


def _too_long(limit: int, where: str) -> ReaderError:
    return ReaderError("MW108", f"line is over the limit of {limit:,} bytes (max_report_bytes)", where=where)


def _guess_encoding(head: bytes) -> str | None:
    """The encoding of a corpus whose first chunk is not UTF-8, guessed once from that chunk."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head)  # a character cut at the end is fine
        return None
    except UnicodeDecodeError:
        pass
    guess = from_bytes(head).best()
    return guess.encoding if guess is not None and guess.chaos <= MAX_CHAOS else None


def _text(data: bytes, where: str, fallback: str | None) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if fallback is not None:
        try:
            return data.decode(fallback)
        except UnicodeDecodeError:
            pass
    return decode(data, where)  # guessed on its own


class Prepended(io.RawIOBase):
    """``head`` (already read) and then the rest of ``rest``, optionally transcoded to UTF-8.

    Closing it leaves ``rest`` open: whoever opened it closes it.
    """

    def __init__(self, head: bytes, rest: BinaryIO, encoding: str | None = None) -> None:
        super().__init__()
        self._pending: bytes | None = head
        self._rest = rest
        self._decoder = codecs.getincrementaldecoder(encoding)() if encoding else None
        self._buffer = b""
        self._offset = 0
        self._ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while self._offset >= len(self._buffer):
            if self._ended:
                return 0
            if self._pending is not None:
                data, self._pending = self._pending, None
            else:
                data = self._rest.read(CHUNK)
            self._ended = not data
            if self._decoder is not None:
                data = self._decoder.decode(data, final=self._ended).encode("utf-8")
            self._buffer, self._offset = data, 0
        size = min(len(target), len(self._buffer) - self._offset)
        target[:size] = memoryview(self._buffer)[self._offset:self._offset + size]
        self._offset += size
        return size


def _report(line: str, where: str, item: Input) -> Report:
    if len(line.encode("utf-8")) > item.max_bytes:
        raise _too_long(item.max_bytes, where)
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
