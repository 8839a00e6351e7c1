"""The offline gazetteer: index build, look-ups, context disambiguation, misspellings."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from missionwatch.extract import gazetteer as gz


def test_key_normalises_accents_case_punctuation_and_saint():
    assert gz.key("Pétion-Ville") == "petion ville"
    assert gz.key("The Bahamas") == "bahamas"
    assert gz.key("St. Marc") == gz.key("Saint-Marc") == "saint marc"
    assert gz.key("Saut-d'Eau") == gz.key("Saut-d’Eau")


def test_build_index_is_atomic_and_queryable(tmp_path: Path):
    source = tmp_path / "cities.json"
    source.write_text(
        json.dumps(
            {
                "1": {
                    "geonameid": 1,
                    "name": "Delmas",
                    "latitude": 18.54,
                    "longitude": -72.3,
                    "countrycode": "HT",
                    "population": 395260,
                    "admin1code": "11",
                    "alternatenames": ["Delma", "PAP", "Дельмас"],
                },
                "2": {
                    "geonameid": 2,
                    "name": "Delmas",
                    "latitude": -26.1,
                    "longitude": 28.7,
                    "countrycode": "ZA",
                    "population": 92046,
                    "admin1code": "07",
                    "alternatenames": [],
                },
            }
        ),
        encoding="utf-8",
    )
    target = tmp_path / "cache" / "index.sqlite"
    assert gz.build_index(source, target) == target
    assert [p.name for p in target.parent.iterdir()] == ["index.sqlite"]  # no temporary file left
    conn = sqlite3.connect(target)
    keys = {k for (k,) in conn.execute("SELECT key FROM names")}
    assert keys == {"delmas", "delma"}  # IATA codes and non-Latin names are not indexed
    assert conn.execute("SELECT COUNT(*) FROM places").fetchone()[0] == 2


def test_index_path_depends_on_cache_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MISSIONWATCH_CACHE", str(tmp_path))
    path = gz.index_path()
    assert path.parent == tmp_path
    assert gz.INDEX_VERSION in path.name


def test_delmas_resolves_to_haiti_in_a_haiti_report():
    place = gz.resolve("Delmas", {"HT": 5, "US": 1})
    assert place is not None and place.country == "HT"
    assert gz.km(place.lat, place.lon, 18.5448, -72.3004) < 5


def test_context_picks_the_country_mentioned_most():
    assert gz.resolve("Kingston", {"JM": 3, "HT": 1}).country == "JM"
    assert gz.resolve("Nassau", {"BS": 2}).country == "BS"


def test_population_breaks_ties_without_context():
    place = gz.resolve("Washington", {})
    assert place.country == "US" and place.admin1 == "District of Columbia"


def test_misspellings_seen_in_reports_resolve():
    pap = gz.resolve("Porto-Au-Prince", {"HT": 1})
    assert pap is not None and pap.name == "Port-au-Prince"
    typo = gz.resolve("Port-au-Prnce", {"HT": 1}, fuzzy_countries=["HT"])
    assert typo is not None and typo.name == "Port-au-Prince"


def test_countries_regions_facilities_admin1():
    assert gz.resolve("Bahamas").feature == "country"
    assert gz.resolve("Bahamas").country == "BS"
    assert gz.resolve("Caribbean").feature == "region"
    jkia = gz.resolve("JKIA")
    assert jkia.feature == "facility" and jkia.country == "KE"
    art = gz.resolve("Artibonite")
    assert art.feature == "admin1" and art.country == "HT"


def test_numbered_neighbourhoods():
    place = gz.resolve("Delmas 33", {"HT": 1})
    assert place is not None and place.country == "HT" and place.name == "Delmas 33"


def test_every_country_has_coordinates_and_names():
    cs = gz.countries()
    assert len(cs) > 240
    missing = [c.iso2 for c in cs.values() if c.lat is None]
    assert len(missing) < 15, missing
    assert gz.country_by_key()["us"] == "US"
    assert gz.demonyms()["Kenyans"] == "KE"


def test_curated_places_are_well_formed():
    for entry in gz.curated():
        p = entry.place
        assert p.feature in gz.FEATURE_RANK
        assert p.lat is not None and -90 <= p.lat <= 90 and -180 <= p.lon <= 180
        assert p.country is None or len(p.country) == 2
