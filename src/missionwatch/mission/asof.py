"""The picture as of any date, from versions of merged events that every date shares.

Which claims merge does not depend on the as-of date (``timeline`` joins every
claim of the store); the date only decides which members are known (their
report was published by then). So a merged event takes one *version* per
distinct report date of its members: version ``i`` holds the members known
from the ``i``-th of those dates until the next one, and is the same object
for every as-of date in that interval. Versions are built when their merged
event changes, not per date, and a version's merge (the ``TimelineEvent``) is
made once, when a section or a timeline page first needs it.

Per date, sections are read off indexes of versions by validity interval:

* the timeline: versions in timeline order, in blocks that each keep their
  versions' start and end dates sorted, so how many are valid on a date (and
  where a page starts) is two bisects per block; only the page's events are
  touched;
* flows (per contributor), control steps (per place), mandate acts, event
  contradictions and denials: the versions that feed them, filtered by date;
* stated strengths: per (contributor, date), the point made of the claims
  known by then, kept per number of known claims.

A date costs the sections' sizes and a timeline page, never a merge of
everything; ``build_picture`` (a plain fold over one date) is the reference
these pictures are checked against.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from missionwatch.mission.bounded import BoundedFold, SectionIndex
from missionwatch.mission.claims import ClaimsIndex
from missionwatch.mission.knowledge import knowledge
from missionwatch.mission.model import (
    Contradiction,
    Contribution,
    ControlStep,
    EventClaim,
    Figure,
    Forces,
    MandateAct,
    MissionPicture,
    StrengthPoint,
    TerritoryEntry,
    TimelineEvent,
)
from missionwatch.mission.picture import (
    Merged,
    _best_date,
    _FoldCache,
    _source_order,
    control_step,
    flow_of,
    mandate_act,
    stated_point,
)
from missionwatch.mission.timeline import STATUS_GROUP, cluster_id

if TYPE_CHECKING:
    from missionwatch.mission.picture import PictureState

#: Ordinal of "always known" (a report without a date) and of "never superseded".
KNOWN_ALWAYS = 0
FOREVER = 10**8
#: Versions per block of the timeline index (a block is split at twice this).
BLOCK = 512
_STATUS_RANK = {"occurred": 0, "ongoing": 1, "planned": 2, "hypothetical": 3, "denied": 4}
_SECTION_TYPES = {"DEPLOY", "WITHDRAW", "CONTROL", "MANDATE"}


def _ordinal(day: dt.date | None) -> int:
    return KNOWN_ALWAYS if day is None else day.toordinal()


class Version:
    """One merged event with the members known from ``start`` until (not including) ``until``."""

    __slots__ = ("cid", "members", "start", "until", "sort_key", "status", "type", "_merged", "contradiction",
                 "flow_country", "flow_units", "flow_point", "flow_from", "control", "act")

    def __init__(self, cid: str, members: list[EventClaim], start: int, until: int) -> None:
        self.cid = cid
        self.members = members
        self.start = start
        self.until = until
        self.type = members[0].type
        self.status = min((m.status for m in members), key=_STATUS_RANK.__getitem__)
        date = _best_date(members)
        if date is not None:
            self.sort_key: tuple[dt.date, str] = (date.start, cid)
        else:
            first = min((m.source.report_date for m in members), key=lambda d: d or dt.date.min)
            self.sort_key = (first or dt.date.max, cid)
        self._merged: Merged | None = None
        self.contradiction: Contradiction | None = None
        self.flow_country: str | None = None
        self.flow_units: dict[str, str] = {}
        self.flow_point: StrengthPoint | None = None
        self.flow_from = FOREVER  # a real flow counts from its date on; a planned one from the start
        self.control: tuple[str, ControlStep] | None = None
        self.act: MandateAct | None = None

    def valid(self, day: int) -> bool:
        return self.start <= day < self.until

    @property
    def merged(self) -> Merged:
        if self._merged is None:
            self._merged = _FoldCache.merge(self.cid, self.members)
        return self._merged

    @property
    def event(self) -> TimelineEvent:
        return self.merged.event

    def needs_sections(self) -> bool:
        if self.type in _SECTION_TYPES or self.status == "denied":
            return True
        figures = {(m.quantity.value, m.quantity.unit) for m in self.members if m.quantity is not None}
        return len(figures) > 1

    def prepare(self) -> None:
        """What this version adds to the sections (as-of independent, made once)."""
        m = self.merged
        ev = m.event
        if len(ev.quantities) > 1:
            self.contradiction = Contradiction(
                kind="event figures disagree", subject=f"{ev.type} {self.cid}",
                detail=f"{len(ev.quantities)} different figures for one {ev.type.lower()} event",
                claims=ev.quantities)
        if ev.type in ("DEPLOY", "WITHDRAW"):
            self._flow(m)
        elif ev.type == "CONTROL":
            self._control(m)
        elif ev.type == "MANDATE":
            self.act = mandate_act(m)

    def _flow(self, m: Merged) -> None:
        flow = flow_of(m)
        if flow is None:
            return
        self.flow_country = flow.country
        self.flow_units = flow.units
        if flow.point is not None:
            self.flow_point = flow.point
            self.flow_from = KNOWN_ALWAYS if flow.planned else flow.point.date.toordinal()

    def _control(self, m: Merged) -> None:
        self.control = control_step(m)


class _Block:
    __slots__ = ("keys", "versions", "starts", "untils")

    def __init__(self, keys: list[tuple[Any, ...]], versions: list[Version]) -> None:
        self.keys = keys
        self.versions = versions
        self.starts = sorted(v.start for v in versions)
        self.untils = sorted(v.until for v in versions)

    def count(self, day: int) -> int:
        # valid = started by ``day`` and not yet superseded; a superseded version had started
        return bisect.bisect_right(self.starts, day) - bisect.bisect_right(self.untils, day)


def _order_key(v: Version) -> tuple[Any, ...]:
    return (v.sort_key, v.start)


class Ordered:
    """Versions in timeline order, in blocks: a date's page is a walk over the blocks before it, its
    count two bisects."""

    def __init__(self) -> None:
        self.blocks: list[_Block] = []
        self.last: list[tuple[Any, ...]] = []  # each block's last key, to find a block by bisect
        #: Every version's first and last valid day, sorted.
        self.starts: list[int] = []
        self.untils: list[int] = []

    def load(self, versions: list[Version]) -> None:
        versions = sorted(versions, key=_order_key)
        keys = [_order_key(v) for v in versions]
        self.blocks = [_Block(keys[i:i + BLOCK], versions[i:i + BLOCK])
                       for i in range(0, len(versions), BLOCK)]
        self.last = [b.keys[-1] for b in self.blocks]
        self.starts = sorted(v.start for v in versions)
        self.untils = sorted(v.until for v in versions)

    def add(self, v: Version) -> None:
        key = _order_key(v)
        bisect.insort(self.starts, v.start)
        bisect.insort(self.untils, v.until)
        if not self.blocks:
            self.blocks, self.last = [_Block([key], [v])], [key]
            return
        i = min(bisect.bisect_left(self.last, key), len(self.blocks) - 1)
        block = self.blocks[i]
        j = bisect.bisect_left(block.keys, key)
        block.keys.insert(j, key)
        block.versions.insert(j, v)
        bisect.insort(block.starts, v.start)
        bisect.insort(block.untils, v.until)
        self.last[i] = block.keys[-1]
        if len(block.keys) > 2 * BLOCK:
            half = len(block.keys) // 2
            left = _Block(block.keys[:half], block.versions[:half])
            right = _Block(block.keys[half:], block.versions[half:])
            self.blocks[i:i + 1] = [left, right]
            self.last[i:i + 1] = [left.keys[-1], right.keys[-1]]

    def remove(self, v: Version) -> None:
        key = _order_key(v)
        i = bisect.bisect_left(self.last, key)
        if i == len(self.blocks):
            return
        block = self.blocks[i]
        j = bisect.bisect_left(block.keys, key)
        if j == len(block.keys) or block.keys[j] != key:
            return
        del self.starts[bisect.bisect_left(self.starts, v.start)]
        del self.untils[bisect.bisect_left(self.untils, v.until)]
        del block.keys[j]
        del block.versions[j]
        del block.starts[bisect.bisect_left(block.starts, v.start)]
        del block.untils[bisect.bisect_left(block.untils, v.until)]
        if block.keys:
            self.last[i] = block.keys[-1]
        else:
            del self.blocks[i]
            del self.last[i]

    def count(self, day: int) -> int:
        return bisect.bisect_right(self.starts, day) - bisect.bisect_right(self.untils, day)

    def window(self, day: int, offset: int, limit: int | None) -> list[Version]:
        out: list[Version] = []
        for block in self.blocks:
            if limit is not None and len(out) >= limit:
                break
            n = block.count(day)
            if offset >= n:
                offset -= n
                continue
            for v in block.versions:
                if v.start <= day < v.until:
                    if offset:
                        offset -= 1
                    else:
                        out.append(v)
                        if limit is not None and len(out) >= limit:
                            break
        return out


class AsOfIndex:
    """Versions of every merged event, and per-section indexes of them (see the module doc)."""

    def __init__(self, state: PictureState) -> None:
        self.state = state
        self.versions: dict[str, list[Version]] = {}  # cid -> versions by start
        self.cid_of: dict[str, str] = {}              # claim key -> cid
        self.order = Ordered()
        self.claims = ClaimsIndex()
        #: Versions that feed a section (flows, control, mandate, contradictions, denials), by event type.
        self.sectioned: dict[str, dict[int, Version]] = defaultdict(dict)
        self.report_days: dict[int, int] = defaultdict(int)  # report date -> reports
        self._known_by: tuple[list[int], list[int]] | None = None  # sorted days, reports up to each
        #: Stated strength per (contributor, date), per number of its claims known.
        self.stated_memo: dict[tuple[str | None, dt.date], dict[int, tuple[Any, ...]]] = {}
        #: The report dates of each (contributor, date)'s claims, sorted: how many are known is a bisect.
        self.stated_days: dict[tuple[str | None, dt.date], list[int]] = {}
        #: What the bounded picture (``bounded``) reads; stated strengths re-indexed on sync.
        self.sections = SectionIndex()
        self.stated_dirty: set[tuple[str | None, dt.date]] = set()
        self.loaded = False

    # ---------------------------------------------------------------- upkeep
    def report_changed(self, c: Contribution, sign: int) -> None:
        if sign > 0:
            self.claims.add(c)
        else:
            self.claims.remove(c)
        day = _ordinal(c.report_date)
        self.report_days[day] += sign
        if not self.report_days[day]:
            del self.report_days[day]
        self._known_by = None
        for p in c.personnel:
            if p.date is not None:
                self.stated_memo.pop((p.country, p.date), None)
                self.stated_days.pop((p.country, p.date), None)
                self.stated_dirty.add((p.country, p.date))

    def sync(self) -> None:
        timeline = self.state.timeline
        changed = timeline.drain_changed()
        for stated in self.stated_dirty:
            self.sections.restate(stated, self.state.personnel.get(stated, []))
        self.stated_dirty.clear()
        if not changed and self.loaded:
            return
        redo: set[str] = set()
        dropped: list[Version] = []
        for key in changed:
            cid = self.cid_of.pop(key, None)
            if cid is not None and cid in self.versions:
                for v in self.versions.pop(cid):
                    dropped.append(v)
                    redo.update(m.key for m in v.members)
            redo.add(key)
        roots = {timeline.find(k) for k in redo if k in timeline.claims}
        added: list[Version] = []
        for root in roots:
            added += self._build(sorted(timeline.members[root]))
        if not self.loaded or len(added) + len(dropped) > max(BLOCK, len(self.cid_of) // 16):
            gone = {id(v) for v in dropped}
            keep = [v for b in self.order.blocks for v in b.versions if id(v) not in gone]
            self.order.load(keep + added)
        else:
            for v in dropped:
                self.order.remove(v)
            for v in added:
                self.order.add(v)
        for v in dropped:
            if self.sectioned[v.type].pop(id(v), None) is not None:
                self.sections.remove(v)
        for v in added:
            if v.needs_sections():
                v.prepare()
                self.sectioned[v.type][id(v)] = v
                self.sections.add(v)
        if not self.loaded:
            self.sections.prepare()
        self.loaded = True

    def _build(self, keys: list[str]) -> list[Version]:
        claims = self.state.timeline.claims
        cid = cluster_id(keys)
        for key in keys:
            self.cid_of[key] = cid
        members = [claims[k] for k in keys]
        days = sorted({_ordinal(m.source.report_date) for m in members})
        versions = []
        for i, day in enumerate(days):
            known = [m for m in members if _ordinal(m.source.report_date) <= day]
            versions.append(Version(cid, known, day, days[i + 1] if i + 1 < len(days) else FOREVER))
        self.versions[cid] = versions
        return versions

    def version_at(self, cid: str | None, day: int) -> Version | None:
        versions = self.versions.get(cid or "", [])
        i = bisect.bisect_right([v.start for v in versions], day) - 1
        return versions[i] if i >= 0 else None

    def merged_event(self, claim_key: str, as_of: dt.date) -> TimelineEvent | None:
        self.sync()
        claim = self.state.timeline.claims.get(claim_key)
        day = as_of.toordinal()
        if claim is None or _ordinal(claim.source.report_date) > day:
            return None
        version = self.version_at(self.cid_of.get(claim_key), day)
        return version.event if version is not None else None

    def reports(self, day: int) -> int:
        """How many reports are known on ``day``."""
        if self._known_by is None:
            days = sorted(self.report_days)
            running, total = [], 0
            for d in days:
                total += self.report_days[d]
                running.append(total)
            self._known_by = (days, running)
        days, running = self._known_by
        i = bisect.bisect_right(days, day)
        return running[i - 1] if i else 0

    # ---------------------------------------------------------------- queries
    def count(self, as_of: dt.date) -> int:
        self.sync()
        return self.order.count(as_of.toordinal())

    def window(self, as_of: dt.date, offset: int, limit: int | None) -> list[TimelineEvent]:
        self.sync()
        return [v.event for v in self.order.window(as_of.toordinal(), offset, limit)]

    def picture(self, as_of: dt.date, offset: int = 0, limit: int | None = None) -> MissionPicture:
        self.sync()
        return _DateFold(self, as_of).assemble(offset, limit)

    def bounded(self, as_of: dt.date, offset: int, limit: int | None, history: int, sources: int | None = None
                ) -> tuple[MissionPicture, dict[str, int]]:
        """The picture with history lists cut to their latest ``history`` entries, and the lists cut:
        ``bounded.cut_history(self.picture(...), history)``, in time that does not grow with them.
        ``sources``: the evidence lists that grow with the corpus (money, gaps, roles) are read as
        ``first_sources`` of that many, for encoding with ``EvidenceCut(sources)`` only."""
        self.sync()
        return BoundedFold(self, as_of, history, sources).assemble(offset, limit)

    def denials_of(self, denied: list[Version], day: int) -> list[Contradiction]:
        """A denied event that would match a reported one (status aside) is an open contradiction."""
        out: list[Contradiction] = []
        for v in denied:
            ev = v.event
            seen: set[str] = set()
            for claim in v.members:
                for other_key in self.state.timeline.matches_as(claim, "occurred"):
                    other_claim = self.state.timeline.claims[other_key]
                    if _ordinal(other_claim.source.report_date) > day:
                        continue
                    other = self.version_at(self.cid_of.get(other_key, ""), day)
                    if other is None:
                        continue
                    oev = other.event
                    if oev.id in seen or STATUS_GROUP[oev.status] != "real":
                        continue
                    seen.add(oev.id)
                    out.append(Contradiction(
                        kind="denied", subject=f"{ev.type} {oev.id}",
                        detail=f"reported by {len(oev.sources)} source(s), denied by "
                               f"{len(ev.sources)} (denial {ev.id})",
                        claims=[Figure(value=1, unit="reported", sources=oev.sources),
                                Figure(value=0, unit="denied", sources=ev.sources)]))
        return out


class _DateFold:
    """The sections of one as-of date, read off the index (nothing here outlives the call)."""

    def __init__(self, index: AsOfIndex, as_of: dt.date) -> None:
        self.index = index
        self.state = index.state
        self.as_of = as_of
        self.day = as_of.toordinal()
        # the pure section builders of the reference fold, bound to this date
        self.helper = _FoldCache.builders(self.state, as_of)

    def valid(self, kind: str) -> list[Version]:
        day = self.day
        return [v for v in self.index.sectioned.get(kind, {}).values() if v.start <= day < v.until]

    def assemble(self, offset: int, limit: int | None) -> MissionPicture:
        h = self.helper
        index = self.index
        day = self.day
        sections = [v for kind in ("DEPLOY", "WITHDRAW", "CONTROL", "MANDATE") for v in self.valid(kind)]
        others = [v for kind, vs in index.sectioned.items() if kind not in _SECTION_TYPES
                  for v in vs.values() if v.start <= day < v.until]
        forces = self.forces(sorted((v for v in sections if v.flow_country is not None), key=_order_key))
        acts = [v.act for v in sorted((v for v in sections if v.act is not None), key=_order_key)]
        mandate = h.mandate(acts)  # type: ignore[arg-type]
        territory = self.territory([v for v in sections if v.control is not None])
        contradictions: list[Contradiction] = [
            v.contradiction for v in sorted(sections + others, key=_order_key) if v.contradiction is not None]
        contradictions += [self.stated[k][1] for k in sorted((k for k in self.stated if self.stated[k][1]),
                                                              key=lambda k: (k[0] or "", k[1]))]
        known = {name: sorted((c for c in idx.values() if _ordinal(c.report_date) <= day),
                              key=lambda c: (c.report_date or dt.date.min, c.report_id))
                 for name, idx in (("money", self.state.with_money), ("gaps", self.state.with_gaps),
                                   ("roles", self.state.with_roles))}
        money = h.money(known["money"])
        contradictions += h.money_contradictions
        contradictions += self.denials(sorted((v for v in sections + others if v.status == "denied"),
                                              key=_order_key))
        return MissionPicture(
            as_of=self.as_of, reports=index.reports(day), mission=knowledge().mission_name,
            forces=forces, mandate=mandate, money=money, capabilities=h.capabilities(known["gaps"]),
            territory=territory, people=h.people(known["roles"]),
            timeline=[v.event for v in index.order.window(day, offset, limit)],
            contradictions=contradictions)

    # ---------------------------------------------------------------- forces
    def stated_points(self) -> dict[tuple[str | None, dt.date], tuple[Any, ...]]:
        out = {}
        memo = self.index.stated_memo
        for key, claims in self.state.personnel.items():
            country, date = key
            if date > self.as_of:
                continue
            days = self.index.stated_days.get(key)
            if days is None:
                days = self.index.stated_days[key] = sorted(_ordinal(p.source.report_date) for p in claims)
            n = bisect.bisect_right(days, self.day)
            if not n:
                continue
            hit = memo.setdefault(key, {}).get(n)
            if hit is None:
                known = sorted((p for p in claims if _ordinal(p.source.report_date) <= self.day),
                               key=lambda p: _source_order(p.source))
                hit = memo[key][n] = stated_point(country, date, known)
            out[key] = hit
        return out

    def forces(self, flows: list[Version]) -> Forces:
        self.stated = stated = self.stated_points()
        dates: dict[str | None, list[dt.date]] = defaultdict(list)
        for country, date in stated:
            dates[country].append(date)
        by_country: dict[str, list[Version]] = defaultdict(list)
        for v in flows:
            by_country[v.flow_country].append(v)  # type: ignore[index]
        contingents = []
        for country in sorted({c for c in dates if c is not None} | set(by_country)):
            days = sorted(dates.get(country, ()))
            points = [stated[(country, d)][0] for d in days]
            units: dict[str, str] = {}
            for d in days:
                for key, name in stated[(country, d)][2].items():
                    units.setdefault(key, name)
            planned: list[StrengthPoint] = []
            for v in by_country.get(country, ()):
                for key, name in v.flow_units.items():
                    units.setdefault(key, name)
                if v.flow_point is not None and v.flow_from <= self.day:
                    (planned if v.flow_from == KNOWN_ALWAYS else points).append(v.flow_point)
            if not points and not planned:
                continue
            series = sorted(points, key=lambda p: (p.date, p.kind != "stated"))
            contingents.append(self.helper.contingent(country, series, planned, units))
        totals = [c for c in contingents if c.country != "MIXED" and c.estimate_low is not None]
        return Forces(contingents=contingents,
                      total_low=sum(c.estimate_low or 0 for c in totals) if totals else None,
                      total_high=sum(c.estimate_high or 0 for c in totals) if totals else None,
                      stated_mission_totals=[stated[(None, d)][0] for d in sorted(dates.get(None, ()))])

    # ---------------------------------------------------------------- territory
    def territory(self, controls: list[Version]) -> list[TerritoryEntry]:
        by_place: dict[str, list[Version]] = defaultdict(list)
        for v in controls:
            by_place[v.control[0]].append(v)  # type: ignore[index]
        out = []
        for views in by_place.values():
            entries = sorted(((v, v.control[1]) for v in views),  # type: ignore[index]
                             key=lambda e: (e[1].date or dt.date.min, e[1].event_id))
            place = entries[-1][0].event.place
            assert place is not None
            out.append(TerritoryEntry(place=place.name, country=place.country, lat=place.lat, lon=place.lon,
                                      latest=entries[-1][1], trail=[s for _, s in entries[:-1]]))
        return sorted(out, key=lambda t: (-(t.latest.date or dt.date.min).toordinal(), t.place))

    # ---------------------------------------------------------------- denials
    def denials(self, denied: list[Version]) -> list[Contradiction]:
        return self.index.denials_of(denied, self.day)
