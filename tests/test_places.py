"""Places: geocoding in context, datelines, actors' names are not places."""

from __future__ import annotations

from missionwatch.extract import gazetteer as gz
from missionwatch.extract.entities import find_entities
from missionwatch.extract.places import VERSION, find_places


def places(nlp, text):
    doc = nlp(text)
    return find_places(doc, find_entities(doc))


def named(ps, name):
    found = [p for p in ps if p.name == name]
    assert found, f"{name!r} not in {[p.name for p in ps]}"
    return found[0]


def test_haiti_report_places(nlp):
    ps = places(
        nlp,
        "Kenyan police patrolled Delmas and Tabarre in Haiti, then returned to Porto-Au-Prince. "
        "Officials in Port-au-Prince confirmed it.",
    )
    delmas = named(ps, "Delmas")
    assert delmas.country == "HT" and delmas.admin1 == "Ouest"
    pap = named(ps, "Port-au-Prince")
    assert [m.text for m in pap.mentions] == ["Porto-Au-Prince", "Port-au-Prince"]
    assert named(ps, "Haiti").feature == "country"
    assert [p.id for p in ps] == [f"p{i}" for i in range(1, len(ps) + 1)]
    assert all(p.extractor == VERSION for p in ps)


def test_dateline_and_context(nlp):
    ps = places(nlp, "KINGSTON — Jamaica sent soldiers to Haiti on Monday from Up Park Camp.")
    kingston = named(ps, "Kingston")
    assert kingston.country == "JM" and kingston.mentions[0].text == "KINGSTON"
    assert named(ps, "Up Park Camp").feature == "facility"


def test_facilities_regions_and_split_names(nlp):
    ps = places(
        nlp,
        "They left Jomo Kenyatta International Airport (JKIA) for the Caribbean; leaders met "
        "in Port of Spain and in the Artibonite region.",
    )
    jkia = named(ps, "Jomo Kenyatta International Airport")
    assert [m.text for m in jkia.mentions] == ["Jomo Kenyatta International Airport", "JKIA"]
    assert named(ps, "Caribbean").country is None
    assert named(ps, "Port of Spain").country == "TT"
    assert named(ps, "Artibonite").feature == "admin1"
    assert "Spain" not in [p.name for p in ps]


def test_names_inside_actors_are_not_places(nlp):
    ps = places(
        nlp,
        "The Haitian National Police and the UN Support Office in Haiti backed the Kenya-led "
        "mission, as did Kenya Airways.",
    )
    assert ps == []


def test_person_tagged_communes_are_places(nlp):
    ps = places(
        nlp,
        "Gunmen attacked Cabaret and Arcahaie north of Port-au-Prince; the base in Kenscoff "
        "in Haiti came under fire.",
    )
    names = {p.name for p in ps}
    assert {"Cabaret", "Arcahaie", "Kenscoff", "Port-au-Prince", "Haiti"} <= names
    for p in ps:
        if p.name != "Haiti":
            assert gz.km(p.lat, p.lon, 18.54, -72.34) < 40


PROBE = (
    "U.S. Secretary of State Antony Blinken met Kenyan President William Ruto in Nairobi. Blinken said "
    "Washington would provide $300 million. Benin has offered 2,000 troops, while Chad, Bangladesh and "
    "Barbados also pledged personnel. Dominican President Luis Abinader ordered the border at Dajabón "
    "closed.\n\n"
    "Prime Minister Ariel Henry, who was stranded in Puerto Rico, announced his resignation. Caricom leaders "
    "met in Kingston, Jamaica. Henry's departure cleared the way for a transitional council."
)


def test_person_names_and_small_foreign_villages_are_not_places(nlp):
    doc = nlp(PROBE)
    es = find_entities(doc)
    ps = find_places(doc, es)
    assert "Henry" not in {p.name for p in ps}
    henry = [e for e in es if e.name == "Ariel Henry"][0]
    assert [m.text for m in henry.mentions] == ["Ariel Henry", "Henry"]
    assert [p.country for p in ps if p.name == "Dajabón"] == ["DO"]
    assert [p.country for p in ps if p.name == "Kingston"] == ["JM"]
