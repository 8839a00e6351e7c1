"""The fast paths agree with the plain definitions.

* ``same_occurrence`` on precomputed infos decides exactly as ``match``;
* place-filed blocking finds every pair ``match`` joins: the merged events equal
  the connected components of ``match`` over all pairs (brute force);
* a state that was asked for pictures between adds and removes (so folds from
  its caches) gives the same picture as a fresh fold.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from missionwatch.mission import PictureState, build_picture, contributions_of
from missionwatch.mission.timeline import ClaimInfo, TimelineIndex, cluster_id, match, same_occurrence
from missionwatch.records import EVENT_STATUSES, DateInterval, Entity, Event, Extraction, Place, Span

DAY = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2024, 4, 30))
ENTITIES = [Entity(id=f"e{i}", name=n, type=t, mentions=[], extractor="t") for i, (n, t) in enumerate([
    ("Kenyan police", "FORCE"), ("Jamaica", "COUNTRY"), ("Viv Ansanm", "ARMED_GROUP"),
    ("UN Security Council", "ORG")])]
_P = [("Port-au-Prince", "HT", 18.54, -72.34, "city", 3718426), ("Delmas", "HT", 18.55, -72.30, "city", None),
      ("Kenscoff", "HT", 18.45, -72.28, "city", None), ("Mirebalais", "HT", 18.83, -72.10, "city", None),
      ("Haiti", "HT", 19.0, -72.4, "country", 3723988), ("Dajabon", "DO", 19.55, -71.70, "city", None),
      ("Ouanaminthe", "HT", 19.55, -71.72, "city", None),
      ("Dominican Republic", "DO", 19.0, -70.7, "country", None),
      ("Port au Prince", "HT", None, None, "city", 3718426), ("Nuuk", "GL", 80.1, -51.7, "city", None),
      ("Nuuk east", "GL", 80.1, -51.2, "city", None), ("Dateline W", "FJ", -16.5, 179.99, "city", None),
      ("Dateline E", "FJ", -16.5, -179.99, "city", None), ("Nowhere", None, None, None, "other", None)]
PLACES = [Place(id=f"p{i}", name=n, country=c, lat=la, lon=lo, feature=f, geonames_id=g, mentions=[],
                extractor="t") for i, (n, c, la, lo, f, g) in enumerate(_P)]


@st.composite
def interval(draw):
    if draw(st.integers(0, 5)) == 0:
        return None
    a = draw(DAY)
    b = a + dt.timedelta(days=draw(st.sampled_from([0, 0, 1, 5, 7, 8, 40, 90, 700])))
    return DateInterval(start=a, end=b, precision="day", fallback=draw(st.integers(0, 6)) == 0)


@st.composite
def extraction(draw, n):
    events = [Event(id=f"v{i}", type=draw(st.sampled_from(["DEPLOY", "CONTROL", "MANDATE", "ATTACK"])),
                    status=draw(st.sampled_from(EVENT_STATUSES)), date=draw(interval()),
                    place=draw(st.sampled_from([None, *[p.id for p in PLACES]])),
                    actors=draw(st.lists(st.sampled_from([e.id for e in ENTITIES]), max_size=2)),
                    attributes=draw(st.sampled_from([{}, {"direction": "gained"}, {"direction": "lost"},
                                                     {"action": "renew"}, {"action": "extend"},
                                                     {"action": "expire"}])),
                    evidence=Span(start=0, end=0, text="e"), extractor="t")
              for i in range(draw(st.integers(0, 5)))]
    return Extraction(report_id=f"r{n}", published=draw(st.one_of(st.none(), DAY)), sha256="0" * 64,
                      extractor_version="t", entities=ENTITIES, places=PLACES, events=events, quantities=[])


def _components(claims):
    parent = {c.key: c.key for c in claims}

    def find(k):
        while parent[k] != k:
            k = parent[k]
        return k
    for a, b in itertools.combinations(claims, 2):
        if match(a, b).matched:
            parent[find(a.key)] = find(b.key)
    groups: dict[str, set[str]] = {}
    for c in claims:
        groups.setdefault(find(c.key), set()).add(c.key)
    return {cluster_id(g): sorted(g) for g in groups.values()}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fast_match_and_blocking_equal_brute_force(data):
    reports = [data.draw(extraction(n)) for n in range(data.draw(st.integers(1, 8)))]
    claims = [e for x in reports for e in contributions_of(x).events]
    for a, b in itertools.combinations(claims, 2):
        assert same_occurrence(ClaimInfo(a), ClaimInfo(b)) == match(a, b).matched, (a.key, b.key)
    index = TimelineIndex()
    for c in claims:
        index.add(c)
    got = {cid: [m.key for m in members] for cid, members in index.clusters().items()}
    assert got == _components(claims)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), DAY)
def test_cached_fold_equals_fresh_fold(data, as_of):
    contributions = [contributions_of(data.draw(extraction(n))) for n in range(data.draw(st.integers(1, 7)))]
    state = PictureState()
    for n, c in enumerate(contributions):
        state.add(c)
        state.picture(as_of)
        if n % 3 == 2:
            state.picture(as_of + dt.timedelta(days=30))
    assert state.picture(as_of).to_json() == build_picture(contributions, as_of).to_json()
    gone = contributions[data.draw(st.integers(0, len(contributions) - 1))]
    state.remove(gone.report_id)
    rest = [c for c in contributions if c.report_id != gone.report_id]
    assert state.picture(as_of).to_json() == build_picture(rest, as_of).to_json()
    state.add(gone)
    assert state.picture(as_of).to_json() == build_picture(contributions, as_of).to_json()


@pytest.mark.parametrize("bulk", [64, 0])
def test_cached_fold_over_the_scenario_one_report_at_a_time(bulk, monkeypatch):
    from missionwatch.mission import picture
    from tests.scenarios.load import contributions

    monkeypatch.setattr(picture, "_BULK", bulk)  # 0: every rebuild takes the append-then-sort path

    rotation = contributions("rotation")
    state = PictureState()
    for as_of in ("2025-02-20", "2025-10-05"):
        day = dt.date.fromisoformat(as_of)
        for c in rotation:
            state.add(c)
            fresh = build_picture(list(state.contributions.values()), day)
            assert state.picture(day).to_json() == fresh.to_json()
