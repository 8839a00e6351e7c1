"""apply_reviews: analyst corrections feed the picture.

Rejected facts are gone, corrections applied, additions in.
"""

from __future__ import annotations

import datetime as dt

import pytest

from missionwatch.errors import MissionwatchError
from missionwatch.mission import Review, apply_reviews, build_picture, contributions_of
from tests.scenarios.load import extractions


@pytest.fixture(scope="module")
def reports():
    return extractions("rotation")


def picture_with(reports, reviews, as_of=dt.date(2025, 2, 20)):
    return build_picture([contributions_of(x, body, [r for r in reviews if r.report_id == x.report_id])
                          for x, body in reports], as_of)


def test_reject_removes_the_fact_and_the_dispute(reports):
    review = Review(id=1, report_id="s3_guatemalans_observer", fact_kind="quantity", fact_id="q2",
                    action="reject", author="ana")
    picture = picture_with(reports, [review])
    kenya = next(c for c in picture.forces.contingents if c.country == "KE")
    assert kenya.latest_stated is not None and not kenya.latest_stated.disputed
    assert not any(c.kind == "personnel figures disagree" for c in picture.contradictions)


def test_correct_replaces_fields_and_keeps_the_original(reports):
    extraction = reports[2][0]
    review = Review(id=2, report_id=extraction.report_id, fact_kind="event", fact_id="v2", action="correct",
                    fields={"date": {"start": "2025-02-14", "end": "2025-02-14", "precision": "day"}},
                    author="ana")
    corrected = apply_reviews(extraction, [review])
    assert corrected.events[1].date is not None and corrected.events[1].date.start == dt.date(2025, 2, 14)
    assert extraction.events[1].date is not None and extraction.events[1].date.start == dt.date(2025, 2, 15)


def test_later_correction_wins_and_add_includes_a_new_event(reports):
    extraction = reports[0][0]
    reviews = [
        Review(id=3, report_id=extraction.report_id, fact_kind="event", fact_id="v1", action="correct",
               fields={"status": "planned"}, author="a", created=dt.datetime(2026, 1, 1)),
        Review(id=4, report_id=extraction.report_id, fact_kind="event", fact_id="v1", action="correct",
               fields={"status": "ongoing"}, author="b", created=dt.datetime(2026, 1, 2)),
        Review(id=5, report_id=extraction.report_id, fact_kind="event", action="add", author="b",
               fields={"type": "ATTACK", "status": "occurred",
                       "date": {"start": "2025-01-08", "end": "2025-01-08", "precision": "day"},
                       "evidence": {"start": 0, "end": 0, "text": "radio report, 8 Jan"}}),
    ]
    corrected = apply_reviews(extraction, reviews)
    assert corrected.events[0].status == "ongoing"
    added = corrected.events[-1]
    assert added.id == "r5" and added.type == "ATTACK" and added.extractor == "review:b"
    picture = picture_with(reports, reviews)
    assert any(e.type == "ATTACK" and e.sources[0].quote == "radio report, 8 Jan" for e in picture.timeline)


def test_rejecting_an_entity_drops_it_from_events(reports):
    extraction = reports[0][0]
    corrected = apply_reviews(extraction, [Review(id=6, report_id=extraction.report_id, fact_kind="entity",
                                                  fact_id="e1", action="reject", author="a")])
    assert all("e1" not in e.actors for e in corrected.events)


def test_invalid_correction_is_mw305_and_vanished_fact_is_skipped(reports):
    extraction = reports[0][0]
    with pytest.raises(MissionwatchError) as err:
        apply_reviews(extraction, [Review(id=7, report_id=extraction.report_id, fact_kind="event",
                                          fact_id="v1", action="correct", fields={"status": "maybe"},
                                          author="a")])
    assert err.value.code == "MW305"
    same = apply_reviews(extraction, [Review(id=8, report_id=extraction.report_id, fact_kind="event",
                                             fact_id="gone", action="reject", author="a")])
    assert same == extraction
