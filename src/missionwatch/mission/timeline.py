"""Merging events across reports: the same occurrence told by several reports becomes one.

Two event claims are the same occurrence when ``match`` says so (same type and
status group, compatible type attributes, overlapping dates, and a compatible
place and/or overlapping actors; see ``match`` for the exact rules). Merged
events are the connected components of that relation, so the result does not
depend on the order in which reports arrive.

Incremental: claims are indexed by a blocking key (type, status group, month
touched), so adding a report compares its events only with events of the same
type in the same months, never with the whole store.
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
#: Date windows wider than this are too vague to merge on date and place/actors alone.
WIDE_DAYS = 62
NEAR_KM = 15.0


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
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, h)))


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
    """Are ``a`` and ``b`` the same occurrence? Returns the decision and the reasons for it."""
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


def _rid(claim: EventClaim) -> str:
    return claim.key.rsplit(":", 1)[0]


def _months(start: dt.date, end: dt.date) -> Iterator[str]:
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        yield f"{y:04d}-{m:02d}"
        m += 1
        if m == 13:
            y, m = y + 1, 1


def blocking_keys(claim: EventClaim) -> list[str]:
    """The blocks a claim is filed under: type|status-group|month for every month its date touches."""
    head = f"{claim.type}|{STATUS_GROUP[claim.status]}"
    if not _dated(claim):
        return [f"{head}|undated"]
    assert claim.date is not None
    months = list(_months(claim.date.start, claim.date.end))
    if len(months) > MAX_BLOCK_MONTHS:
        return [f"{head}|wide"]
    return [f"{head}|{m}" for m in months]


def cluster_id(member_keys: Iterable[str]) -> str:
    """A merged event's id: derived from its smallest member key, so it is order-independent."""
    return "ev-" + hashlib.sha1(min(member_keys).encode()).hexdigest()[:10]


@dataclass
class Edge:
    a: str
    b: str
    reasons: tuple[str, ...]


@dataclass
class TimelineIndex:
    """Union-find over event claims with blocking; supports add and remove of whole reports."""

    claims: dict[str, EventClaim] = field(default_factory=dict)
    blocks: dict[str, set[str]] = field(default_factory=dict)
    parent: dict[str, str] = field(default_factory=dict)
    edges: dict[str, list[Edge]] = field(default_factory=dict)  # per claim key
    by_report: dict[str, list[str]] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=dict)  # root -> claim keys
    comparisons: int = 0

    def _find(self, key: str) -> str:
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:  # path compression
            self.parent[key], key = root, self.parent[key]
        return root

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            keep, drop = min(ra, rb), max(ra, rb)
            self.parent[drop] = keep
            self.members[keep] |= self.members.pop(drop)

    def add(self, claim: EventClaim) -> None:
        if claim.key in self.claims:
            self.remove_claims([claim.key])
        self.claims[claim.key] = claim
        self.parent[claim.key] = claim.key
        self.members[claim.key] = {claim.key}
        self.by_report.setdefault(_rid(claim), []).append(claim.key)
        self._link(claim)

    def _link(self, claim: EventClaim) -> None:
        candidates: set[str] = set()
        for block in blocking_keys(claim):
            members = self.blocks.setdefault(block, set())
            candidates |= members
            members.add(claim.key)
        for other in sorted(candidates):
            self.comparisons += 1
            result = match(claim, self.claims[other])
            if result.matched:
                edge = Edge(claim.key, other, result.reasons)
                self.edges.setdefault(claim.key, []).append(edge)
                self.edges.setdefault(other, []).append(edge)
                self._union(claim.key, other)

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
        for key in gone | set(affected):
            claim = self.claims.get(key)
            if claim is None:
                continue
            for block in blocking_keys(claim):
                self.blocks.get(block, set()).discard(key)
            self.edges.pop(key, None)
        for key in gone:
            self.claims.pop(key, None)
            self.parent.pop(key, None)
            rid = key.rsplit(":", 1)[0]
            if rid in self.by_report and key in self.by_report[rid]:
                self.by_report[rid].remove(key)
        for key in affected:
            self.parent[key] = key
            self.members[key] = {key}
        # Edges only ever join members of one component, so only the component's lists change.
        for key in sorted(affected):
            self._link(self.claims[key])

    def clusters(self) -> dict[str, list[EventClaim]]:
        return {cluster_id(keys): sorted((self.claims[k] for k in keys), key=lambda c: c.key)
                for keys in self.members.values()}

    def cluster_of(self, key: str) -> list[EventClaim]:
        return sorted((self.claims[k] for k in self.members[self._find(key)]), key=lambda c: c.key)

    def explain(self, event_id: str) -> tuple[list[EventClaim], list[Edge]] | None:
        """The members of merged event ``event_id`` (or of the cluster holding claim key
        ``report:event``) and the matches that joined them."""
        members = None
        if event_id in self.claims:
            members = self.cluster_of(event_id)
        else:
            members = self.clusters().get(event_id)
        if members is None:
            return None
        keys = {m.key for m in members}
        seen: set[tuple[str, str]] = set()
        edges = []
        for key in sorted(keys):
            for edge in self.edges.get(key, []):
                pair = (min(edge.a, edge.b), max(edge.a, edge.b))
                if pair not in seen:
                    seen.add(pair)
                    edges.append(edge)
        return members, edges
