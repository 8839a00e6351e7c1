"""The picture read off the as-of index equals the plain fold (``build_picture``) on every date.

Reports are drawn so that merged events straddle the as-of dates (members
reported before and after), with figures that disagree, denials, stated
strengths and flows; the state is asked for several dates between adds and
removes (so versions are shared across dates and rebuilt piecewise), and
every timeline page must be a window of the full timeline.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from missionwatch.mission import PictureState, build_picture, contributions_of, timed
from missionwatch.mission.bounded import cut_history
from missionwatch.mission.model import Contribution, EvidenceCut, GapClaim, MoneyClaim, RoleClaim, Source
from missionwatch.records import EVENT_STATUSES, Event, Extraction, Quantity, Span
from tests.test_mission_incremental import DAY, ENTITIES, PLACES, interval

STATUSES = [*EVENT_STATUSES, "occurred", "occurred"]


@st.composite
def report(draw, n):
    quantities = [Quantity(id=f"q{i}", kind="personnel", value=draw(st.sampled_from([100, 200, 400])),
                           subject=draw(st.sampled_from(["e0", "e1", None])),
                           evidence=Span(start=0, end=0, text="officers"), extractor="t")
                  for i in range(draw(st.integers(0, 3)))]
    events = []
    for i in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["DEPLOY", "WITHDRAW", "CONTROL", "MANDATE", "ATTACK"]))
        linked = draw(st.sampled_from([None, *[q.id for q in quantities]])) if kind != "CONTROL" else None
        events.append(Event(
            id=f"v{i}", type=kind, status=draw(st.sampled_from(STATUSES)), date=draw(interval()),
            place=draw(st.sampled_from([None, "p0", "p1", "p4"])),
            actors=draw(st.lists(st.sampled_from(["e0", "e1", "e2"]), max_size=2)),
            quantity=linked,
            attributes={"direction": draw(st.sampled_from(["gained", "lost"]))} if kind == "CONTROL" else
            {"action": draw(st.sampled_from(["authorize", "renew", "extend", "expire", "end"]))}
            if kind == "MANDATE" else {},
            evidence=Span(start=0, end=0, text=draw(st.sampled_from(["e", "for another year"]))),
            extractor="t"))
    return Extraction(report_id=f"r{n}", published=draw(st.one_of(st.none(), DAY, DAY, DAY)), sha256="0" * 64,
                      extractor_version="t", entities=ENTITIES, places=PLACES, events=events,
                      quantities=quantities)


@st.composite
def with_claims(draw, c: Contribution) -> Contribution:
    """``c`` with money, capability gaps and roles: restated amounts, aliases of one person, a role
    named in two cases, several claims of one kind in one report."""
    def source(i: int) -> Source:
        return Source(report_id=c.report_id, report_date=c.report_date, outlet=None, quote="q",
                      fact=draw(st.sampled_from([f"quantity:m{i}", "quantity:m0"])))

    money = []
    for i in range(draw(st.integers(0, 3))):
        usd = draw(st.sampled_from([None, 1e6, 2e6, 200e6]))
        rate = draw(st.sampled_from([None, None, 33e6, 30e6])) if usd is None else None
        money.append(MoneyClaim(cls=draw(st.sampled_from(["cost", "pledge", "contribution", "shortfall",
                                                          "other"])),
                                donor=draw(st.sampled_from([None, "United States", "Canada"])),
                                value=usd or rate or 5.0, unit="USD" if usd or rate else "euros",
                                usd=usd, usd_per_month=rate, source=source(i)))
    gaps = [GapClaim(capability=draw(st.sampled_from(["helicopters", "drones", "armoured vehicles"])),
                     source=source(i)) for i in range(draw(st.integers(0, 2)))]
    people = [("Ann Lee", ["ann lee", "lee"]), ("A. Lee", ["lee"]), ("Bob Ray", ["bob ray"]),
              ("Cy Moe", ["cy moe"])]
    roles = []
    for i in range(draw(st.integers(0, 3))):
        person, keys = draw(st.sampled_from(people))
        roles.append(RoleClaim(person=person, keys=keys, source=source(i),
                               role=draw(st.sampled_from(["commander", "Commander", "minister", "envoy"]))))
    return c.model_copy(update={"money": money, "gaps": gaps, "roles": roles})


def _same(state: PictureState, contributions, day: dt.date) -> None:
    got = state.picture(day).to_json()
    assert got == build_picture(contributions, day).to_json(), day
    page = state.timeline_page(day, 1, 2)
    assert page.total == len(got["timeline"])
    assert [e.id for e in page.events] == [e["id"] for e in got["timeline"][1:3]]
    windowed = state.picture(day, 2, 3).to_json()
    assert windowed["timeline"] == got["timeline"][2:5]
    for item in got["timeline"]:
        for key in item["members"]:
            assert state.merged_event(key, day).id == item["id"]
    # the API's picture: history lists cut, read off the section indexes without walking them
    for history in (0, 1, 2, 3):
        want, want_cut = cut_history(build_picture(contributions, day), history)
        pic, cut = state.bounded(day, 1, 2, history)
        assert pic.model_copy(update={"timeline": []}).to_json() == \
            want.model_copy(update={"timeline": []}).to_json(), (day, history)
        assert list(cut.items()) == list(want_cut.items()), (day, history)
        assert [e.id for e in pic.timeline] == [e["id"] for e in got["timeline"][1:3]]
        # evidence lists: money, gaps and roles are read cut to the first sources; encoded with the
        # cut, the same text and the same count of what was left out as the reference cut whole
        for sources in (1, 2):
            fast, _ = state.bounded(day, 1, 2, history, sources)
            fast_cut, want_cut_ev = EvidenceCut(sources), EvidenceCut(sources)
            assert fast.model_dump_json(context={"evidence": fast_cut}) == \
                want.model_copy(update={"timeline": pic.timeline}).model_dump_json(
                    context={"evidence": want_cut_ev}), (day, history, sources)
            assert (fast_cut.lists, fast_cut.left_out) == (want_cut_ev.lists, want_cut_ev.left_out)


@pytest.fixture(autouse=True)
def _tiny_blocks(monkeypatch):
    # blocks of two entries: splits, settled blocks and partial blocks all happen in small examples
    monkeypatch.setattr(timed, "BLOCK", 2)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_date_equals_the_plain_fold(data):
    contributions = [data.draw(with_claims(contributions_of(data.draw(report(n)))))
                     for n in range(data.draw(st.integers(1, 9)))]
    days = sorted({c.report_date for c in contributions if c.report_date}
                  | {e.date.end for c in contributions for e in c.events if e.date})
    # the dates that matter: each report or event date, the day before it, and arbitrary ones
    probes = [d + dt.timedelta(days=k) for d in days for k in (-1, 0)] + data.draw(st.lists(DAY, max_size=3))
    state = PictureState()
    for n, c in enumerate(contributions):
        state.add(c)
        if n % 2:
            state.picture(data.draw(DAY))  # versions built between adds, then shared
    for day in probes:
        _same(state, contributions, day)
    gone = contributions[data.draw(st.integers(0, len(contributions) - 1))]
    state.remove(gone.report_id)
    rest = [c for c in contributions if c.report_id != gone.report_id]
    for day in probes[:4]:
        _same(state, rest, day)
    state.add(gone)
    for day in probes[-4:]:
        _same(state, contributions, day)


def test_a_straddling_merged_event_grows_with_the_date():
    """Two reports of one arrival, published a week apart: before the second, one source."""
    from tests.scenarios.load import contributions

    rotation = contributions("rotation")
    state = PictureState()
    state.add_many(rotation)
    multi = [t for t in build_picture(rotation, dt.date(2026, 1, 1)).timeline if len(t.members) > 1]
    assert multi, "the scenario has no merged event with several members"
    event = multi[0]
    dates = sorted({s.report_date for s in event.sources if s.report_date})
    assert len(dates) > 1
    before = dates[1] - dt.timedelta(days=1)
    for day in (before, dates[1], dt.date(2026, 1, 1)):
        _same(state, rotation, day)
    early = next(t for t in state.picture(before).timeline if t.id == event.id)
    assert len(early.sources) < len(event.sources)
