"""Property: the picture never crashes, whatever events and quantities reports contain."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from missionwatch.mission import PictureState, build_picture, contributions_of
from missionwatch.records import (
    EVENT_STATUSES,
    EVENT_TYPES,
    DateInterval,
    Entity,
    Event,
    Extraction,
    Place,
    Quantity,
    Span,
)

DAY = st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2027, 12, 31))


@st.composite
def interval(draw):
    if draw(st.booleans()):
        return None
    a, b = sorted([draw(DAY), draw(DAY)])
    precision = draw(st.sampled_from(["day", "week", "month", "year", "range"]))
    return DateInterval(start=a, end=b, precision=precision, fallback=draw(st.booleans()))


ENTITIES = [Entity(id=f"e{i}", name=n, type=t, mentions=[], extractor="t") for i, (n, t) in enumerate([
    ("Kenyan police", "FORCE"), ("Jamaica", "COUNTRY"), ("Viv Ansanm", "ARMED_GROUP"),
    ("UN Security Council", "ORG"), ("Garry Conille", "PERSON"), ("Guatemalan troops", "FORCE")])]
PLACES = [Place(id="p0", name="Port-au-Prince", country="HT", lat=18.54, lon=-72.34, feature="city",
                mentions=[], extractor="t"),
          Place(id="p1", name="Haiti", country="HT", lat=19.0, lon=-72.4, feature="country", mentions=[],
                extractor="t"),
          Place(id="p2", name="Nowhere", mentions=[], extractor="t")]


@st.composite
def extraction(draw, n):
    quantities = [Quantity(id=f"q{i}",
                           kind=draw(st.sampled_from(["personnel", "money", "money_rate", "count"])),
                           value=draw(st.floats(min_value=0, max_value=1e10)),
                           unit=draw(st.sampled_from([None, "USD", "KES", "BSD"])),
                           per=draw(st.sampled_from([None, "day", "week", "month", "year"])),
                           period_count=draw(st.sampled_from([None, 0, 1, 6])),
                           subject=draw(st.sampled_from([None, "e0", "e1", "e5", "Kenya", "the mission"])),
                           date=draw(interval()),
                           evidence=Span(start=0, end=0, text=draw(st.text(max_size=30))),
                           extractor="t") for i in range(draw(st.integers(0, 3)))]
    events = [Event(id=f"v{i}", type=draw(st.sampled_from(EVENT_TYPES)),
                    status=draw(st.sampled_from(EVENT_STATUSES)), date=draw(interval()),
                    place=draw(st.sampled_from([None, "p0", "p1", "p2"])),
                    actors=draw(st.lists(st.sampled_from([e.id for e in ENTITIES]), max_size=3)),
                    quantity=draw(st.sampled_from([None, *[q.id for q in quantities]])),
                    attributes=draw(st.sampled_from([{}, {"direction": "gained"}, {"direction": "lost"},
                                                     {"action": "authorize"}, {"action": "renew"},
                                                     {"action": "expire"}, {"action": "end"},
                                                     {"action": 3}])),
                    evidence=Span(start=0, end=0, text=draw(st.text(max_size=40))), extractor="t")
              for i in range(draw(st.integers(0, 6)))]
    return Extraction(report_id=f"r{n}", published=draw(st.one_of(st.none(), DAY)), sha256="0" * 64,
                      extractor_version="t", entities=ENTITIES, places=PLACES, events=events,
                      quantities=quantities)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), DAY)
def test_picture_never_crashes(data, as_of):
    reports = [data.draw(extraction(n)) for n in range(data.draw(st.integers(0, 5)))]
    body = data.draw(st.text(max_size=200))
    contributions = [contributions_of(x, body) for x in reports]
    picture = build_picture(contributions, as_of)
    picture.to_json()
    # incremental in reverse order gives the same picture
    state = PictureState()
    for c in reversed(contributions):
        state.add(c)
    assert state.picture(as_of).to_json() == picture.to_json()
