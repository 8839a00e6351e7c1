"""Entities: knowledge-base corrections, coreference, demonyms, titles, robustness."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from missionwatch.extract.entities import VERSION, find_entities
from missionwatch.extract.places import find_places


def ents(nlp, text):
    return find_entities(nlp(text))


def by_name(entities, name):
    found = [e for e in entities if e.name == name]
    assert found, f"{name!r} not in {[e.name for e in entities]}"
    return found[0]


def check_spans(doc, items):
    for item in items:
        assert item.mentions
        for m in item.mentions:
            assert 0 <= m.start < m.end <= len(doc.text)
            assert doc.text[m.start : m.end] == m.text


def test_kb_fixes_tagger_mistakes(nlp):
    text = (
        "Kenyan Police, jointly with Haitian officers undertook security patrols within the streets of "
        "Delmas last week. Among those arrested were two Chen Mechan gang leaders."
    )
    es = ents(nlp, text)
    assert by_name(es, "Chen Mechan").type == "ARMED_GROUP"
    assert not [e for e in es if e.type == "PERSON"]  # neither Delmas nor Chen Mechan is a person
    assert by_name(es, "Kenyan police").type == "FORCE"
    assert by_name(es, "Haitian National Police").type == "FORCE"


def test_coreference_titles_and_roles(nlp):
    text = (
        "President William Ruto is expected to visit Port-au-Prince. Ruto left Kenya on Friday. "
        "Officials said they were ready to receive the President anytime."
    )
    es = ents(nlp, text)
    ruto = by_name(es, "William Ruto")
    assert ruto.type == "PERSON"
    assert [m.text for m in ruto.mentions] == ["William Ruto", "Ruto", "President"]
    assert "President William Ruto" in ruto.aliases
    assert ruto.attributes["role"] == "President"
    assert [e.id for e in es] == [f"e{i}" for i in range(1, len(es) + 1)]
    assert all(e.extractor == VERSION for e in es)


def test_unknown_person_with_title_and_country(nlp):
    text = "Haiti's Prime Minister Jean-Baptiste Lamarre met officials. Lamarre said the talks went well."
    es = ents(nlp, text)
    person = [e for e in es if e.type == "PERSON"]
    assert len(person) == 1
    assert person[0].name == "Jean-Baptiste Lamarre"
    assert person[0].attributes == {"role": "Prime Minister", "country": "HT"}
    assert len(person[0].mentions) == 2


def test_nickname_and_mission_aliases(nlp):
    text = (
        'The G9 coalition led by Jimmy "Barbecue" Chérizier clashed with the Multinational Security '
        "Support (MSS) Mission. MSS officers were unhurt."
    )
    es = ents(nlp, text)
    jimmy = by_name(es, "Jimmy Chérizier")
    assert "Barbecue" in jimmy.aliases
    mss = by_name(es, "Multinational Security Support Mission")
    assert mss.type == "MISSION" and len(mss.mentions) >= 2
    assert by_name(es, "G9").type == "ARMED_GROUP"


def test_demonyms(nlp):
    text = (
        "The Kenyans have been joined by troops from Jamaica. About 75 Guatemalan military police "
        "arrived, while a handful of Jamaicans are deployed. Haitians expressed disappointment."
    )
    es = ents(nlp, text)
    assert "Kenyans" in [m.text for m in by_name(es, "Kenyan police").mentions]
    assert by_name(es, "Guatemalan military police").type == "FORCE"
    jamaica = by_name(es, "Jamaica")
    assert jamaica.type == "COUNTRY" and "Jamaicans" in [m.text for m in jamaica.mentions]
    assert by_name(es, "Haiti").type == "COUNTRY"


def test_generic_mission_descriptions_and_successor(nlp):
    es = ents(
        nlp,
        "The UN-backed multinational force led by Kenya will be replaced by the Gang Suppression "
        "Force (GSF). The Kenya-led mission ends on Thursday.",
    )
    mss = by_name(es, "Multinational Security Support Mission")
    assert {m.text for m in mss.mentions} == {"UN-backed multinational force", "Kenya-led mission"}
    gsf = by_name(es, "Gang Suppression Force")
    assert {m.text for m in gsf.mentions} == {"Gang Suppression Force", "GSF"}


def test_unknown_gangs_from_context(nlp):
    es = ents(nlp, "Police arrested two “Chen Mechan and Pierre 6” gang leaders in Delmas.")
    groups = {e.name for e in es if e.type == "ARMED_GROUP"}
    assert groups == {"Chen Mechan", "Pierre 6"}


def test_possessive_country_force(nlp):
    es = ents(nlp, "Council members urged support for Haiti's police, while Belize's soldiers stayed.")
    assert by_name(es, "Haitian National Police").type == "FORCE"
    assert by_name(es, "Belize Defence Force").type == "FORCE"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n ",
        "Le Premier ministre a rencontré les chefs de gangs à Port-au-Prince hier soir, selon la police.",
        "<div><p>MSS &amp; PNH</p><script>var x = 1;</script></div> <b>Kenya</b>",
        " and ".join(["Kenyan police officers met Haitian police in Delmas"] * 120),
        "🙂🙂🙂 ### *** ---",
    ],
)
def test_bad_input_gives_valid_output(nlp, text):
    doc = nlp(text)
    es = find_entities(doc)
    ps = find_places(doc, es)
    check_spans(doc, es)
    check_spans(doc, ps)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.sampled_from(
            [
                "President",
                "William",
                "Ruto",
                "Kenya",
                "Kenyan",
                "Kenyans",
                "police",
                "officers",
                "Haiti",
                "Delmas",
                "Port-au-Prince",
                "MSS",
                "(",
                ")",
                "gang",
                "Chen",
                "Mechan",
                "“",
                "”",
                "the",
                "and",
                "'s",
                "-",
                "led",
                "mission",
                ",",
                ".",
                "\n",
                "Viv",
                "Ansanm",
                "Porto-Au-Prince",
                "Barbecue",
                "é",
                "Jamaicans",
                "KINGSTON",
                "—",
            ]
        ),
        max_size=40,
    ),
    st.text(max_size=30),
)
def test_never_crashes_and_spans_are_valid(nlp, words, noise):
    text = " ".join(words) + noise
    doc = nlp(text)
    es = find_entities(doc)
    ps = find_places(doc, es)
    check_spans(doc, es)
    check_spans(doc, ps)
    assert len({e.id for e in es}) == len(es)
