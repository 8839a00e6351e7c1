"""A store with the sample report ingested by the real extractor, for the web tests.

The browser test follows the Delmas arrest the extractor finds in the sample;
if the extractor stops finding it, ``ingest_sample`` fails loudly.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from missionwatch.records import Event, Extraction

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "samples" / "000_51676fabbb0db610.txt"


def delmas_arrest(extraction: Extraction) -> Event | None:
    for event in extraction.events:
        place = extraction.place(event.place)
        if event.type == "ARREST" and place is not None and "delmas" in place.name.lower():
            return event
    return None


def ingest_sample(store_url: str, extra_bodies: list[tuple[str, str]] = ()) -> tuple[str, str]:
    """Ingest the sample (and ``(title, body)`` extras); returns (report id, Delmas event id)."""
    from missionwatch.extract import extract
    from missionwatch.readers import read_one
    from missionwatch.records import Report
    from missionwatch.store import Store

    report = read_one(SAMPLE)
    extraction = extract(report)
    with Store.open(store_url) as store:
        store.add(report, extraction)
        for title, body in extra_bodies:
            extra = Report.build(body=body, reader="test", published=dt.date(2024, 9, 22), title=title,
                                 source="hostile.example")
            store.add(extra, extract(extra))
    event = delmas_arrest(extraction)
    assert event is not None, "the extractor no longer finds the Delmas arrest in the sample"
    return report.id, event.id
