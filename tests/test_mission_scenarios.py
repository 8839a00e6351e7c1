"""The mission picture over the hand-written ``rotation`` scenario, against golden pictures.

Regenerate the golden files after an intended change with
``MISSIONWATCH_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_mission_scenarios.py`` and read the diff.
"""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest

from missionwatch.mission import PictureState, build_picture
from tests.scenarios.load import SCENARIOS, contributions

DATES = ["2025-02-20", "2025-09-25", "2025-10-05"]


@pytest.fixture(scope="module")
def rotation():
    return contributions("rotation")


@pytest.mark.parametrize("as_of", DATES)
def test_picture_matches_golden(rotation, as_of):
    picture = build_picture(rotation, dt.date.fromisoformat(as_of)).to_json()
    golden = SCENARIOS / "rotation" / f"expected-{as_of}.json"
    if os.environ.get("MISSIONWATCH_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(picture, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert picture == json.loads(golden.read_text(encoding="utf-8"))


def test_disputed_strength_shows_both_figures_with_sources(rotation):
    picture = build_picture(rotation, dt.date(2025, 2, 20))
    kenya = next(c for c in picture.forces.contingents if c.country == "KE")
    assert kenya.latest_stated is not None and kenya.latest_stated.disputed
    by_value = {f.value: f.sources for f in kenya.latest_stated.figures}
    assert set(by_value) == {580, 600}
    assert by_value[580][0].outlet == "Haiti Observer" and by_value[600][0].outlet == "Nairobi Standard"
    assert by_value[600][0].quote == "Kenya has 600 officers in Haiti"
    assert (kenya.estimate_low, kenya.estimate_high) == (580, 600)
    assert any(c.kind == "personnel figures disagree" for c in picture.contradictions)


def test_same_arrival_from_two_outlets_is_one_event_with_both_sources(rotation):
    picture = build_picture(rotation, dt.date(2025, 2, 20))
    deploys = [e for e in picture.timeline if e.type == "DEPLOY" and e.place and e.date
               and e.date.start == dt.date(2025, 2, 14)]
    assert len(deploys) == 1
    assert {s.outlet for s in deploys[0].sources} == {"Caribbean Wire", "Haiti Observer"}
    guatemala = next(c for c in picture.forces.contingents if c.country == "GT")
    assert guatemala.estimate_low == 150 and guatemala.first_arrival == dt.date(2025, 2, 14)


def test_rotation_out_lowers_the_estimate_until_a_new_figure(rotation):
    picture = build_picture(rotation, dt.date(2025, 2, 15))  # reports of the 16th not known yet
    kenya = next(c for c in picture.forces.contingents if c.country == "KE")
    assert kenya.estimate_low == 600  # the departure of the 15th is reported on the 16th
    picture = build_picture(rotation, dt.date(2025, 2, 20))
    kenya = next(c for c in picture.forces.contingents if c.country == "KE")
    assert [e.low for e in kenya.estimates] == [200, 600, 400, 580]


def test_mandate_countdown_and_renewal(rotation):
    before = build_picture(rotation, dt.date(2025, 9, 25)).mandate
    assert before.status == "expiring" and before.expires is not None
    assert before.expires.start == dt.date(2025, 10, 2) and before.days_until_expiry == 7
    assert before.renewal_expected and before.renewal_expected[0].sources[0].report_id == "s5_renewal_ahead"
    after = build_picture(rotation, dt.date(2025, 10, 5)).mandate
    assert after.status == "active" and len(after.renewals) == 2
    assert after.expires is not None and after.expires.start == dt.date(2026, 9, 30)
    assert after.days_until_expiry == 360 and not after.renewal_expected
    lapsed = build_picture(rotation, dt.date(2026, 11, 27)).mandate
    assert lapsed.status == "expired"


def test_money_normalised_per_month(rotation):
    money = build_picture(rotation, dt.date(2025, 10, 5)).money
    assert money.monthly_cost_usd[0].value == pytest.approx(33_333_333.33)
    assert money.pledges_by_donor[0].donor == "Canada" and money.pledges_by_donor[0].usd == 60e6
    assert money.stated_shortfalls[0].usd_per_month == 15e6
    assert money.derived_shortfall is not None
    assert money.derived_shortfall.usd == pytest.approx(340e6, rel=1e-6)


def test_territory_latest_and_trail(rotation):
    territory = {t.place: t for t in build_picture(rotation, dt.date(2025, 10, 5)).territory}
    assert territory["Solino"].latest.holder == "armed groups"
    assert [s.holder for s in territory["Solino"].trail] == ["mission and police"]
    assert territory["Kenscoff"].latest.holder == "armed groups"


def test_people_and_gaps(rotation):
    picture = build_picture(rotation, dt.date(2025, 10, 5))
    people = {p.name: p for p in picture.people}
    assert people["Alix Didier Fils-Aimé"].current_roles == ["Prime Minister"]
    assert people["Garry Conille"].roles[0].sources[0].quote == "Prime Minister Garry Conille"
    gaps = {g.capability: g for g in picture.capabilities}
    assert gaps["helicopters"].first_reported == dt.date(2025, 1, 10)
    assert gaps["helicopters"].last_reported == dt.date(2025, 9, 20)
    assert "surgical hospital" in gaps


def test_reports_after_the_as_of_date_are_ignored(rotation):
    picture = build_picture(rotation, dt.date(2025, 1, 31))
    assert picture.reports == 1
    assert all(s.report_date <= dt.date(2025, 1, 31) for e in picture.timeline for s in e.sources)


def test_incremental_equals_batch_in_any_order(rotation):
    as_of = dt.date(2025, 10, 5)
    batch = build_picture(rotation, as_of).to_json()
    state = PictureState()
    for c in reversed(rotation):
        state.add(c)
    assert state.picture(as_of).to_json() == batch
    # removing and re-adding a report that bridges a merged event restores the same picture
    state.remove("s2_guatemalans_arrive_wire")
    assert state.picture(as_of).to_json() != batch
    state.add(rotation[1])
    assert state.picture(as_of).to_json() == batch


def test_why_explains_the_merge(rotation):
    state = PictureState()
    for c in rotation:
        state.add(c)
    event = next(e for e in state.picture(dt.date(2025, 3, 1)).timeline if len(e.sources) == 2)
    found = state.timeline.explain(event.id)
    assert found is not None
    members, edges = found
    assert len(members) == 2 and len(edges) == 1
    assert any("shared actor" in r for r in edges[0].reasons)
    assert any("same place" in r for r in edges[0].reasons)


def test_an_increment_is_not_read_as_a_contingent_strength():
    """'200 additional Kenyan officers' moved; it is not Kenya's strength (which would be disputed
    against the total the same report gives), while '800 Kenyan officers' is."""
    from missionwatch.mission import contributions_of
    from missionwatch.records import Entity, Extraction, Quantity, Span

    kenya = Entity(id="e0", name="Kenyan police", type="FORCE", mentions=[], extractor="t")

    def stated(text: str, value: float) -> list[float]:
        q = Quantity(id="q0", kind="personnel", value=value, subject="e0",
                     evidence=Span(start=0, end=len(text), text=text), extractor="t")
        x = Extraction(report_id="r1", published=dt.date(2025, 1, 20), sha256="0" * 64, extractor_version="t",
                       entities=[kenya], places=[], events=[], quantities=[q])
        return [p.value for p in contributions_of(x).personnel]

    assert stated("200 additional Kenyan officers", 200) == []
    assert stated("reinforcements of 200 Kenyan officers", 200) == []
    assert stated("800 Kenyan officers", 800) == [800]
