"""Coverage-guided fuzzing of every reader with atheris.

    .venv/bin/python fuzz/readers.py -max_total_time=60 [corpus_dir]

The first input byte picks the reader (dated text, plain, HTML, JSONL, feed,
stdin sniffing); the rest is the file. A reader may return reports or raise
``ReaderError`` (a catalogue error naming the input); anything else (any other
exception, a report whose sha256 is not its body's, a NUL in a body) is a
crash, which atheris reports with the input that caused it.
``tests/reliability/test_fuzz.py`` runs this for a bounded time in CI.
"""

from __future__ import annotations

import io
import sys

import atheris

# Coverage guidance over our own code only: instrumenting trafilatura, lxml
# wrappers and feedparser too costs minutes of start-up on a small machine.
with atheris.instrument_imports(include=["missionwatch"]):
    from missionwatch.errors import CATALOGUE, ReaderError
    from missionwatch.readers import dated_text, feed, html, jsonl, plain, read_input
    from missionwatch.readers._input import Input
    from missionwatch.records import Report, body_sha256

MAX_BYTES = 1_000_000


def _stdin(item: Input) -> list[Report | ReaderError]:
    return list(read_input("-", published=None, max_bytes=MAX_BYTES, stdin=io.BytesIO(item.data)))


READERS = [dated_text.read, plain.read, html.read, jsonl.read, feed.read, _stdin]


def check(data: bytes) -> None:
    if not data:
        return
    reader = READERS[data[0] % len(READERS)]
    item = Input("fuzz", "fuzz", data[1:], None, MAX_BYTES)
    try:
        result = reader(item)
        outcomes = [result] if isinstance(result, Report) else list(result)
    except ReaderError as exc:
        outcomes = [exc]
    for outcome in outcomes:
        if isinstance(outcome, ReaderError):
            assert outcome.code in CATALOGUE and outcome.message, outcome
            continue
        assert isinstance(outcome, Report), type(outcome)
        assert outcome.body.strip(), "empty body accepted"
        assert outcome.sha256 == body_sha256(outcome.body), "sha256 is not the body's"
        assert "\x00" not in outcome.body, "NUL in a body"


SEEDS = [
    b"\x00date 2024-09-21 Kenyan police arrived in Port-au-Prince.",
    b"\x01Plain report about Delmas.\r\n",
    b"\x02<html><head><title>T</title></head><body><article><p>Police in Haiti patrolled.</p>"
    b"</article></body></html>",
    b'\x03{"text": "a report", "date": "2024-09-21", "title": "t"}\n{"text": 1}\n',
    b'\x04<?xml version="1.0"?><rss version="2.0"><channel><item><title>t</title>'
    b"<description>Police &amp; gangs</description></item></channel></rss>",
    b'\x05{"text": "from stdin"}',
]


def main() -> None:
    args = list(sys.argv)
    corpus = [a for a in args[1:] if not a.startswith("-")]
    if corpus:  # seed an empty corpus directory so runs start from valid inputs
        from pathlib import Path

        directory = Path(corpus[0])
        directory.mkdir(parents=True, exist_ok=True)
        if not any(directory.iterdir()):
            for n, seed in enumerate(SEEDS):
                (directory / f"seed{n}").write_bytes(seed)
    atheris.Setup(args, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
