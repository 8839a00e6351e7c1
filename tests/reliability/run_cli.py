"""Run the missionwatch CLI in a subprocess, optionally with a fast stand-in for spaCy.

``MW_TEST_FAKE_EXTRACT=1`` replaces ``parallel.extract_batch`` with a cheap,
deterministic extractor that still produces several facts of every kind with
valid spans, so crash tests can push thousands of reports through the real
readers, ingest loop and store in seconds. Everything else is the real CLI.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from missionwatch.parallel import Outcome
    from missionwatch.records import Report


def fake_extract_batch(reports: list[Report]) -> list[Outcome]:
    from missionwatch.records import DateInterval, Entity, Event, Extraction, Place, Quantity, Span

    out: list[Outcome] = []
    for r in reports:
        matches: list[re.Match[str] | None] = list(re.finditer(r"\w+", r.body))
        words = matches[:12] or [None]

        def span(i: int, words: list[re.Match[str] | None] = words, body: str = r.body) -> Span:
            m = words[i % len(words)]
            return Span.of(body, m.start(), m.end()) if m else Span.of(body, 0, len(body))

        ents = [
            Entity(id=f"e{i}", name=span(i).text or "x", type="FORCE", mentions=[span(i)], extractor="fake")
            for i in range(3)
        ]
        places = [
            Place(
                id=f"p{i}",
                name=span(i + 3).text or "x",
                country="HT",
                lat=18.5,
                lon=-72.3,
                feature="city",
                mentions=[span(i + 3)],
                extractor="fake",
            )
            for i in range(2)
        ]
        qty = [
            Quantity(id=f"q{i}", kind="personnel", value=float(i + 1), evidence=span(i + 5), extractor="fake")
            for i in range(2)
        ]
        day = r.published
        events = [
            Event(
                id=f"v{i}",
                type="DEPLOY",
                status="occurred",
                place="p0",
                actors=["e0"],
                date=DateInterval(start=day, end=day, precision="day") if day else None,
                evidence=span(i + 7),
                extractor="fake",
            )
            for i in range(3)
        ]
        out.append(
            Extraction.for_report(r, "fake/1", entities=ents, places=places, events=events, quantities=qty)
        )
    return out


def main() -> None:
    if os.environ.get("MW_TEST_FAKE_EXTRACT"):
        from missionwatch import parallel

        parallel.extract_batch = fake_extract_batch
    from missionwatch.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
