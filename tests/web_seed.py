"""A store with the sample report ingested, for the web tests.

The real extractor runs on the sample; while it does not (yet) find the Delmas
arrest, the event is added to its extraction here, exactly as the extractor
would report it, so that the web tests exercise the real page flow either way.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from missionwatch.records import DateInterval, Event, Extraction, Place, Span

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "samples" / "000_51676fabbb0db610.txt"
DELMAS_SENTENCE = ("Kenyan Police, jointly with Haitian officers undertook security patrols within the streets "
                   "of Delmas last week, during which several gang members were arrested.")


def delmas_arrest(extraction: Extraction) -> Event | None:
    for event in extraction.events:
        place = extraction.place(event.place)
        if event.type == "ARREST" and place is not None and "delmas" in place.name.lower():
            return event
    return None


def _with_delmas(report_body: str, extraction: Extraction) -> Extraction:
    if delmas_arrest(extraction) is not None:
        return extraction
    start = report_body.index(DELMAS_SENTENCE)
    end = start + len(DELMAS_SENTENCE)
    at = report_body.index("Delmas", start)
    place = Place(id="p-delmas", name="Delmas", country="HT", admin1="Ouest", lat=18.5447, lon=-72.3023,
                  feature="city", mentions=[Span.of(report_body, at, at + 6)], extractor="seed")
    event = Event(id="ev-delmas", type="ARREST", status="occurred",
                  date=DateInterval(start=dt.date(2024, 9, 9), end=dt.date(2024, 9, 15), precision="week",
                                    text="last week"),
                  place=place.id, confidence=0.8, evidence=Span.of(report_body, start, end), extractor="seed")
    out = extraction.model_copy(deep=True)
    out.places.append(place)
    out.events.append(event)
    return out


def _extract(report):
    """The real extractor; an empty extraction if it fails (the web tests test the web, not it)."""
    from missionwatch.extract import extract
    from missionwatch.extract.pipeline import EXTRACTOR_VERSION

    try:
        return extract(report)
    except Exception:
        return Extraction(report_id=report.id, published=report.published, title=report.title,
                          source=report.source, sha256=report.sha256, extractor_version=EXTRACTOR_VERSION)


def ingest_sample(store_url: str, extra_bodies: list[tuple[str, str]] = ()) -> tuple[str, str]:
    """Ingest the sample (and ``(title, body)`` extras); returns (report id, Delmas event id)."""
    from missionwatch.readers import read_one
    from missionwatch.records import Report
    from missionwatch.store import Store

    report = read_one(SAMPLE)
    extraction = _with_delmas(report.body, _extract(report))
    with Store.open(store_url) as store:
        store.add(report, extraction)
        for title, body in extra_bodies:
            extra = Report.build(body=body, reader="test", published=dt.date(2024, 9, 22), title=title,
                                 source="hostile.example")
            store.add(extra, _extract(extra))
    event = delmas_arrest(extraction)
    assert event is not None
    return report.id, event.id
