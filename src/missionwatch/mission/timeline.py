"""Merging events across reports: the same occurrence told by several reports becomes one.

Two event claims are the same occurrence when ``match`` says so (same type and
status group, compatible type attributes, overlapping dates, and a compatible
place and/or overlapping actors; see ``match`` for the exact rules). Merged
events are the connected components of that relation, so the result does not
depend on the order in which reports arrive.

Speed: every claim is reduced once, when it is added, to a ``ClaimInfo`` (day
ordinals, status group, attribute groups, place coordinates in radians, actor
key set), and ``same_occurrence`` decides on those with cheap comparisons and
no strings built. ``match`` gives the same decision with its reasons; it is
only called to explain a merge (``explain``), never while merging.

Incremental: claims are filed in blocks (type, status group, month touched;
short claims by day, see ``_filing``), and within a block under their place:
its name key, its geonames id, its country (for containment by a country-level
place) and a 0.15-degree grid cell (for the 15 km rule). A placed claim is
compared only with the block's unplaced claims and with those filed under a
place it could be "same" as or "contained" with; an unplaced claim is compared
with the whole block. Every pair that ``match`` could join shares a block and
is found by these look-ups (see ``_Block.candidates``), so the merges are
those of comparing each claim with its whole block.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from missionwatch.mission.model import EventClaim, PlaceRef

STATUS_GROUP = {"occurred": "real", "ongoing": "real", "planned": "planned",
                "hypothetical": "hypothetical", "denied": "denied"}
#: Synonymous attribute values (a renewal and an extension are the same act).
_ACTION_GROUP = {"renew": "renew", "extend": "renew", "authorize": "authorize", "authorise": "authorize",
                 "expire": "expire", "end": "end"}
MAX_BLOCK_MONTHS = 36
#: Claims spanning at most this many days are filed by day (see ``_filing``).
SHORT_DAYS = 7
#: Date windows wider than this are too vague to merge on date and place/actors alone.
WIDE_DAYS = 62
NEAR_KM = 15.0
_EARTH_KM = 6371.0
#: Grid cell (degrees) for the NEAR_KM rule; 15 km is 0.135 degrees of latitude, so one cell around suffices.
_CELL = 0.15
_LON_CELLS = int(round(360 / _CELL))
#: Beyond this latitude (or with non-finite coordinates) a place is compared with every placed claim.
_GRID_MAX_LAT = 75.0


@dataclass(frozen=True)
class Match:
    matched: bool
    reasons: tuple[str, ...]


def _dated(claim: EventClaim) -> bool:
    # A publication-date fallback says when the report appeared, not when the event happened.
    return claim.date is not None and not claim.date.fallback


def _km(a: PlaceRef, b: PlaceRef) -> float | None:
    if None in (a.lat, a.lon, b.lat, b.lon):
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))  # type: ignore[arg-type]
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return _EARTH_KM * 2 * math.asin(math.sqrt(min(1.0, h)))


def place_relation(a: PlaceRef | None, b: PlaceRef | None) -> tuple[str, str]:
    """('same'|'contains'|'different'|'unknown', why)."""
    if a is None or b is None:
        return "unknown", "place missing on one side"
    if a.geonames_id and a.geonames_id == b.geonames_id:
        return "same", f"same place ({a.name}, geonames {a.geonames_id})"
    if a.key == b.key:
        return "same", f"same place name ({a.name})"
    km = _km(a, b)
    if km is not None and km <= NEAR_KM and "country" not in (a.feature, b.feature):
        return "same", f"places {km:.1f} km apart ({a.name} / {b.name})"
    for outer, inner in ((a, b), (b, a)):
        if outer.feature == "country" and outer.country and outer.country == inner.country:
            return "contains", f"{inner.name} is in {outer.name}"
    return "different", f"different places ({a.name} / {b.name})"


def match(a: EventClaim, b: EventClaim) -> Match:
    """Are ``a`` and ``b`` the same occurrence? Returns the decision and the reasons for it.

    Builds reason strings: used to explain merges. Merging itself uses ``same_occurrence``,
    which decides the same on precomputed ``ClaimInfo``."""
    reasons: list[str] = []
    if a.type != b.type:
        return Match(False, (f"different types ({a.type} / {b.type})",))
    reasons.append(f"same type {a.type}")
    if STATUS_GROUP[a.status] != STATUS_GROUP[b.status]:
        return Match(False, (*reasons, f"incompatible status ({a.status} / {b.status})"))
    reasons.append(f"compatible status ({a.status} / {b.status})")
    for attr, groups in (("direction", None), ("action", _ACTION_GROUP)):
        va, vb = a.attributes.get(attr), b.attributes.get(attr)
        if va is not None and vb is not None:
            ga, gb = (groups.get(va, va), groups.get(vb, vb)) if groups else (va, vb)
            if ga != gb:
                return Match(False, (*reasons, f"different {attr} ({va} / {vb})"))
            reasons.append(f"same {attr} ({va})")
    if _rid(a) == _rid(b):
        return Match(False, (*reasons, "same report (the extractor already merged within a report)"))

    wide = False
    if _dated(a) and _dated(b):
        assert a.date is not None and b.date is not None
        if a.date.end < b.date.start or b.date.end < a.date.start:
            return Match(False, (*reasons, f"dates do not overlap ({a.date.start}..{a.date.end} / "
                                           f"{b.date.start}..{b.date.end})"))
        reasons.append(f"dates overlap ({a.date.start}..{a.date.end} / {b.date.start}..{b.date.end})")
        wide = max((a.date.end - a.date.start).days, (b.date.end - b.date.start).days) > WIDE_DAYS
    elif _dated(a) or _dated(b):
        return Match(False, (*reasons, "one is dated, the other is not"))
    else:
        wide = True
        reasons.append("both undated")

    rel, why_place = place_relation(a.place, b.place)
    if rel == "different":
        return Match(False, (*reasons, why_place))
    keys_a = {k for act in a.actors for k in act.keys}
    keys_b = {k for act in b.actors for k in act.keys}
    shared = keys_a & keys_b
    if keys_a and keys_b and not shared:
        return Match(False, (*reasons, why_place, "no actor in common"))
    if shared:
        reasons.append("shared actor(s): " + ", ".join(sorted(shared)[:4]))
    if rel != "unknown":
        reasons.append(why_place)
    # MANDATE is about the one mission: type, action and date are enough.
    if a.type == "MANDATE" and not wide:
        return Match(True, tuple(reasons))
    if wide:
        if rel in ("same", "contains") and shared:
            return Match(True, (*reasons, "vague dates, but same place and shared actors"))
        return Match(False, (*reasons, "vague or missing dates need both a place and an actor in common"))
    if rel in ("same", "contains") or shared:
        return Match(True, tuple(reasons))
    return Match(False, (*reasons, "neither place nor actors to compare"))


# --------------------------------------------------------------------------- the fast path

_NO_ATTR = object()


def _action_group(value: object) -> object:
    try:
        return _ACTION_GROUP.get(value, value)  # type: ignore[call-overload]
    except TypeError:  # unhashable: compared as is
        return value


class ClaimInfo:
    """What ``same_occurrence`` needs of a claim, computed once when the claim is added."""

    __slots__ = ("key", "rid", "type", "group", "direction", "action", "dated", "start", "end", "wide",
                 "placed", "pkey", "gid", "country", "is_country", "coords", "lat", "lon", "cos_lat",
                 "actor_keys", "files", "queries", "cell", "polar")

    def __init__(self, claim: EventClaim, status: str | None = None) -> None:
        self.key = claim.key
        self.rid = _rid(claim)
        self.type = claim.type
        self.group = STATUS_GROUP[status or claim.status]
        direction = claim.attributes.get("direction")
        action = claim.attributes.get("action")
        self.direction = _NO_ATTR if direction is None else direction
        self.action = _NO_ATTR if action is None else _action_group(action)
        self.dated = _dated(claim)
        if self.dated:
            assert claim.date is not None
            self.start, self.end = claim.date.start.toordinal(), claim.date.end.toordinal()
            self.wide = self.end - self.start > WIDE_DAYS
        else:
            self.start = self.end = 0
            self.wide = True
        place = claim.place
        self.placed = place is not None
        self.pkey = place.key if place else None
        self.gid = place.geonames_id if place else None
        self.country = place.country if place else None
        self.is_country = place is not None and place.feature == "country"
        self.coords = place is not None and place.lat is not None and place.lon is not None
        self.lat = math.radians(place.lat) if self.coords else 0.0  # type: ignore[union-attr,arg-type]
        self.lon = math.radians(place.lon) if self.coords else 0.0  # type: ignore[union-attr,arg-type]
        self.cos_lat = math.cos(self.lat)
        self.actor_keys = frozenset(k for act in claim.actors for k in act.keys)
        self.files, self.queries = _filing(claim, status)
        # grid cell for the km rule (only non-country places with coordinates take part in it)
        self.cell: tuple[int, int] | None = None
        self.polar = False
        if self.coords and not self.is_country:
            lat, lon = float(place.lat), float(place.lon)  # type: ignore[union-attr,arg-type]
            if math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= _GRID_MAX_LAT:
                self.cell = (math.floor(lat / _CELL), math.floor((lon % 360.0) / _CELL) % _LON_CELLS)
            else:
                self.polar = True

    def near_cells(self) -> Iterator[tuple[int, int]]:
        """Every grid cell that can hold a place within NEAR_KM of this one."""
        assert self.cell is not None
        i, j = self.cell
        phi = math.radians(min(89.9, abs(math.degrees(self.lat)) + 0.14))
        # haversine: cos(lat1)cos(lat2)sin^2(dlon/2) <= sin^2(d/2R), both latitudes <= phi
        s = math.sin(NEAR_KM * 1.01 / (2 * _EARTH_KM)) / math.cos(phi)
        dlon = math.degrees(2 * math.asin(min(1.0, s)))
        k = min(_LON_CELLS // 2, int(dlon / _CELL) + 1)
        for di in (-1, 0, 1):
            for dj in range(-k, k + 1):
                yield i + di, (j + dj) % _LON_CELLS


def same_occurrence(a: ClaimInfo, b: ClaimInfo) -> bool:
    """``match(a, b).matched``, on precomputed infos and without building reasons."""
    if a.type != b.type or a.group != b.group:
        return False
    if a.direction is not _NO_ATTR and b.direction is not _NO_ATTR and a.direction != b.direction:
        return False
    if a.action is not _NO_ATTR and b.action is not _NO_ATTR and a.action != b.action:
        return False
    if a.rid == b.rid:
        return False
    if a.dated and b.dated:
        if a.end < b.start or b.end < a.start:
            return False
        wide = a.wide or b.wide
    elif a.dated or b.dated:
        return False
    else:
        wide = True
    # place: 0 unknown, 1 same or contains, -1 different
    if not a.placed or not b.placed:
        rel = 0
    elif ((a.gid and a.gid == b.gid) or a.pkey == b.pkey                      # same place
          or (a.coords and b.coords and not a.is_country and not b.is_country and _near(a, b))
          or (a.is_country and a.country and a.country == b.country)    # a contains b
          or (b.is_country and b.country and b.country == a.country)):  # b contains a
        rel = 1
    else:
        return False
    ka, kb = a.actor_keys, b.actor_keys
    shared = False
    if ka and kb:
        if ka.isdisjoint(kb):
            return False
        shared = True
    if a.type == "MANDATE" and not wide:
        return True
    if wide:
        return rel == 1 and shared
    return rel == 1 or shared


def _near(a: ClaimInfo, b: ClaimInfo) -> bool:
    """Exactly ``_km(a, b) <= NEAR_KM`` (same formula, same rounding)."""
    h = math.sin((b.lat - a.lat) / 2) ** 2 + a.cos_lat * b.cos_lat * math.sin((b.lon - a.lon) / 2) ** 2
    return _EARTH_KM * 2 * math.asin(math.sqrt(min(1.0, h))) <= NEAR_KM


def _rid(claim: EventClaim) -> str:
    return claim.key.rsplit(":", 1)[0]


def _months(start: dt.date, end: dt.date) -> Iterator[str]:
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        yield f"{y:04d}-{m:02d}"
        m += 1
        if m == 13:
            y, m = y + 1, 1


def blocking_keys(claim: EventClaim, status: str | None = None) -> list[str]:
    """The blocks a claim is filed under: type|status-group|month for every month its date touches."""
    head = f"{claim.type}|{STATUS_GROUP[status or claim.status]}"
    if not _dated(claim):
        return [f"{head}|undated"]
    assert claim.date is not None
    if (claim.date.end.year - claim.date.start.year) * 12 + claim.date.end.month - claim.date.start.month \
            >= MAX_BLOCK_MONTHS:
        return [f"{head}|wide"]
    return [f"{head}|{m}" for m in _months(claim.date.start, claim.date.end)]


def _filing(claim: EventClaim, status: str | None) -> tuple[list[str], list[str]]:
    """(blocks a claim is filed under, blocks it is compared with).

    Same pairs as comparing every claim with every claim of its ``blocking_keys`` blocks, with
    smaller blocks: a claim spanning at most SHORT_DAYS is filed under each of its days and under
    ``month|short``; a longer one under ``month|long`` for every month it touches. A short claim
    is compared with its days' claims and its months' long claims; a long claim with its months'
    short and long claims. Any two overlapping claims share a day (both short) or a month
    (otherwise), so every pair the month blocks would compare is still compared."""
    keys = blocking_keys(claim, status)
    if len(keys) == 1 and keys[0].endswith(("|undated", "|wide")):
        return keys, keys
    assert claim.date is not None
    head = f"{claim.type}|{STATUS_GROUP[status or claim.status]}"
    span = (claim.date.end - claim.date.start).days
    if span <= SHORT_DAYS:
        days = [f"{head}|{(claim.date.start + dt.timedelta(days=n)).isoformat()}" for n in range(span + 1)]
        return days + [f"{k}|short" for k in keys], days + [f"{k}|long" for k in keys]
    return [f"{k}|long" for k in keys], [f"{k}|{part}" for k in keys for part in ("short", "long")]


def cluster_id(member_keys: Iterable[str]) -> str:
    """A merged event's id: derived from its smallest member key, so it is order-independent."""
    return "ev-" + hashlib.sha1(min(member_keys).encode()).hexdigest()[:10]


@dataclass
class Edge:
    a: str
    b: str
    reasons: tuple[str, ...]


def _put(index: dict, key: object, claim_key: str) -> None:
    index.setdefault(key, set()).add(claim_key)


def _drop(index: dict, key: object, claim_key: str) -> None:
    members = index.get(key)
    if members is not None:
        members.discard(claim_key)
        if not members:
            del index[key]


class _Block:
    """The claims of one type|status|month block, filed by place (see the module doc)."""

    __slots__ = ("all", "unplaced", "by_pkey", "by_gid", "containers", "by_country", "cells", "polar")

    def __init__(self) -> None:
        self.all: set[str] = set()
        self.unplaced: set[str] = set()
        self.by_pkey: dict[str, set[str]] = {}
        self.by_gid: dict[int, set[str]] = {}
        self.containers: dict[str, set[str]] = {}  # country-level places, by their country
        self.by_country: dict[str, set[str]] = {}  # every placed claim, by its place's country
        self.cells: dict[tuple[int, int], set[str]] = {}
        self.polar: set[str] = set()

    def _files(self, info: ClaimInfo) -> Iterator[tuple[dict, object]]:
        yield self.by_pkey, info.pkey
        if info.gid:
            yield self.by_gid, info.gid
        if info.country:
            yield self.by_country, info.country
            if info.is_country:
                yield self.containers, info.country
        if info.cell is not None:
            yield self.cells, info.cell

    def add(self, info: ClaimInfo) -> None:
        self.all.add(info.key)
        if not info.placed:
            self.unplaced.add(info.key)
            return
        for index, key in self._files(info):
            _put(index, key, info.key)
        if info.polar:
            self.polar.add(info.key)

    def discard(self, info: ClaimInfo) -> None:
        self.all.discard(info.key)
        self.unplaced.discard(info.key)
        self.polar.discard(info.key)
        if info.placed:
            for index, key in self._files(info):
                _drop(index, key, info.key)

    def candidates(self, info: ClaimInfo) -> set[str]:
        """Every member that ``same_occurrence`` could join with ``info`` (a superset)."""
        if not info.placed or info.polar:
            return set(self.all)
        out = set(self.unplaced)
        out.update(self.by_pkey.get(info.pkey, ()))  # type: ignore[arg-type]
        if info.gid:
            out.update(self.by_gid.get(info.gid, ()))
        if info.country:
            out.update(self.containers.get(info.country, ()))
            if info.is_country:
                out.update(self.by_country.get(info.country, ()))
        if info.cell is not None:
            out |= self.polar
            for cell in info.near_cells():
                out.update(self.cells.get(cell, ()))
        return out


@dataclass
class TimelineIndex:
    """Union-find over event claims with blocking; supports add and remove of whole reports.

    ``changed`` collects claim keys whose merged event may have changed since a consumer
    (the picture's fold cache) last drained it."""

    claims: dict[str, EventClaim] = field(default_factory=dict)
    infos: dict[str, ClaimInfo] = field(default_factory=dict)
    blocks: dict[str, _Block] = field(default_factory=dict)
    parent: dict[str, str] = field(default_factory=dict)
    links: dict[str, set[str]] = field(default_factory=dict)  # matched pairs, per claim key
    by_report: dict[str, list[str]] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=dict)  # root -> claim keys
    changed: set[str] = field(default_factory=set)
    comparisons: int = 0

    def _find(self, key: str) -> str:
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:  # path compression
            self.parent[key], key = root, self.parent[key]
        return root

    def find(self, key: str) -> str:
        return self._find(key)

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            keep, drop = min(ra, rb), max(ra, rb)
            self.parent[drop] = keep
            self.members[keep] |= self.members.pop(drop)
            self.changed.add(drop)
            self.changed.add(keep)

    def add(self, claim: EventClaim) -> None:
        if claim.key in self.claims:
            self.remove_claims([claim.key])
        self.claims[claim.key] = claim
        info = self.infos[claim.key] = ClaimInfo(claim)
        self.parent[claim.key] = claim.key
        self.members[claim.key] = {claim.key}
        self.by_report.setdefault(info.rid, []).append(claim.key)
        self.changed.add(claim.key)
        self._link(info)

    def candidates(self, info: ClaimInfo) -> set[str]:
        out: set[str] = set()
        for name in info.queries:
            block = self.blocks.get(name)
            if block is not None:
                out |= block.candidates(info)
        out.discard(info.key)
        return out

    def _link(self, info: ClaimInfo) -> None:
        candidates = self.candidates(info)
        for name in info.files:
            block = self.blocks.get(name)
            if block is None:
                block = self.blocks[name] = _Block()
            block.add(info)
        infos = self.infos
        self.comparisons += len(candidates)
        for other in candidates:
            if same_occurrence(info, infos[other]):
                self.links.setdefault(info.key, set()).add(other)
                self.links.setdefault(other, set()).add(info.key)
                self._union(info.key, other)

    def remove_report(self, report_id: str) -> None:
        self.remove_claims(self.by_report.pop(report_id, []))

    def remove_claims(self, keys: list[str]) -> None:
        """Remove claims; re-link only the components they were part of."""
        gone = set(keys)
        if not gone:
            return
        roots = {self._find(k) for k in gone if k in self.parent}
        component = set().union(*(self.members.pop(r) for r in roots)) if roots else set()
        affected = sorted(component - gone)
        self.changed |= component | gone
        for key in gone | set(affected):
            info = self.infos.get(key)
            if info is None:
                continue
            for name in info.files:
                block = self.blocks.get(name)
                if block is not None:
                    block.discard(info)
                    if not block.all:
                        del self.blocks[name]
            self.links.pop(key, None)
        for key in gone:
            self.claims.pop(key, None)
            self.infos.pop(key, None)
            self.parent.pop(key, None)
            rid = key.rsplit(":", 1)[0]
            if rid in self.by_report and key in self.by_report[rid]:
                self.by_report[rid].remove(key)
        for key in affected:
            self.parent[key] = key
            self.members[key] = {key}
        # Links only ever join members of one component, so only the component's sets change.
        for key in affected:
            self._link(self.infos[key])

    def drain_changed(self) -> set[str]:
        out, self.changed = self.changed, set()
        return out

    def cluster_keys(self, key: str) -> list[str]:
        """The sorted claim keys of the merged event holding claim ``key``."""
        return sorted(self.members[self._find(key)])

    def clusters(self) -> dict[str, list[EventClaim]]:
        return {cluster_id(keys): sorted((self.claims[k] for k in keys), key=lambda c: c.key)
                for keys in self.members.values()}

    def cluster_of(self, key: str) -> list[EventClaim]:
        return [self.claims[k] for k in self.cluster_keys(key)]

    def matches_as(self, claim: EventClaim, status: str) -> list[str]:
        """Keys of the claims that ``claim`` would match were its status ``status`` (sorted)."""
        probe = ClaimInfo(claim, status)
        infos = self.infos
        return sorted(k for k in self.candidates(probe) if same_occurrence(probe, infos[k]))

    def explain(self, event_id: str) -> tuple[list[EventClaim], list[Edge]] | None:
        """The members of merged event ``event_id`` (or of the cluster holding claim key
        ``report:event``) and the matches that joined them, with the reasons ``match`` gives."""
        members = self.cluster_of(event_id) if event_id in self.claims else self.clusters().get(event_id)
        if members is None:
            return None
        keys = {m.key for m in members}
        pairs = sorted({(min(k, o), max(k, o)) for k in keys for o in self.links.get(k, ())})
        return members, [Edge(a, b, match(self.claims[a], self.claims[b]).reasons) for a, b in pairs]
