"""Mandate expiry when the same renewal is told by two reports, only one giving its duration."""

from __future__ import annotations

import datetime as dt

from missionwatch.mission import build_picture, contributions_of
from missionwatch.records import DateInterval, Event, Extraction, Span


def _renewal(report_id: str, published: dt.date, body: str, day: dt.date) -> Extraction:
    event = Event(id="v1", type="MANDATE", status="occurred", attributes={"action": "renew"},
                  date=DateInterval(start=day, end=day, precision="day"),
                  evidence=Span.of(body, 0, len(body)), extractor="test")
    return Extraction(report_id=report_id, published=published, sha256="0" * 64, extractor_version="test",
                      events=[event])


def test_duration_stated_by_one_report_gives_the_expiry():
    with_duration = "The Security Council voted on Monday to extend the mission's mandate for another year."
    without = "The council renewed the mission's mandate."
    contributions = [
        contributions_of(_renewal("a", dt.date(2024, 10, 1), with_duration, dt.date(2024, 9, 30)),
                         with_duration),
        contributions_of(_renewal("b", dt.date(2024, 10, 2), without, dt.date(2024, 10, 1)), without),
    ]
    mandate = build_picture(contributions, dt.date(2024, 12, 1)).mandate
    assert mandate.status == "active"
    assert mandate.expires is not None and mandate.expires.start == dt.date(2025, 9, 30)
    assert mandate.days_until_expiry == (dt.date(2025, 9, 30) - dt.date(2024, 12, 1)).days
