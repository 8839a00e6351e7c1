"""Bytes -> text, with one clear error for empty, binary and undecodable input.

UTF-8 is tried first (it is what nearly every source uses and is cheap to
check); only when it fails does charset-normalizer guess, and its guess is
accepted only when the decoded text looks like language, not noise.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from missionwatch.errors import ReaderError

#: Magic numbers of formats people drop into report folders by mistake.
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b",
                 b"\x7fELF", b"MZ", b"SQLite format 3\x00", b"\xd0\xcf\x11\xe0")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
#: C0 control bytes that never occur in text (tab, newlines, form feed excluded).
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"
#: charset-normalizer "chaos" (0 = clean text, 1 = noise) above which a guess is refused.
MAX_CHAOS = 0.2


def check_not_empty(data: bytes, where: str) -> None:
    if not data.strip():
        raise ReaderError("MW101", "the file is empty" if not data else "the file holds only whitespace",
                          where=where)


def looks_binary(data: bytes) -> bool:
    if data.startswith(_UTF16_BOMS):
        return False
    # Any NUL byte means binary: text never has one, and PostgreSQL cannot store it.
    if b"\x00" in data:
        return True
    head = data[:8192]
    if head.startswith(_BINARY_MAGIC):
        return True
    controls = sum(head.count(bytes([c])) for c in _CONTROL)
    return controls > len(head) * 0.1


def decode(data: bytes, where: str) -> str:
    """Text of ``data``; MW101 empty, MW102 binary, MW103 no confident encoding."""
    check_not_empty(data, where)
    if looks_binary(data):
        raise ReaderError("MW102", "this looks like a binary file, not text", where=where)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    guess = from_bytes(data).best()
    if guess is None or guess.chaos > MAX_CHAOS:
        raise ReaderError("MW103", "not UTF-8, and no other encoding fits confidently; "
                          "re-save the file as UTF-8", where=where)
    text = str(guess)
    check_not_empty(text.encode("utf-8"), where)
    if "\x00" in text:  # a UTF-16 text can hide NUL characters from the raw-byte check above
        raise ReaderError("MW102", "NUL character in the text (binary data)", where=where)
    return text
