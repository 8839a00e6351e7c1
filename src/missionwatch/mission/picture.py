"""The picture as of a date: a fold over per-report contributions, kept up to date incrementally.

``PictureState`` holds contributions, the incremental timeline index and
per-section indexes (personnel by contributor and date; the reports that
state money, capability gaps or roles). ``add``/``remove`` touch one report.
``picture(as_of)`` reads the picture off an ``asof.AsOfIndex``: versions of
the merged events (one per distinct report date of their members) shared by
every as-of date and rebuilt only for the merged events a change touched, so
any date costs its sections and a timeline page, not a fold.

``build_picture`` is the plain definition: ``_FoldCache`` folds every merged
event and section for one date. The index is tested against it.

Reports published after the as-of date are ignored (the picture shows what
was known on that day); merged events keep only the sources known on that day.
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from missionwatch.mission.knowledge import knowledge, norm
from missionwatch.mission.model import (
    CapabilityGap,
    Contingent,
    ContingentStatus,
    Contradiction,
    Contribution,
    ControlStep,
    DonorTotal,
    EstimatePoint,
    EventClaim,
    Figure,
    FirstSources,
    Forces,
    Mandate,
    MandateAct,
    MandateStatus,
    MissionPicture,
    Money,
    MoneyClaim,
    MoneyItem,
    Person,
    PersonnelClaim,
    RoleClaim,
    RoleEntry,
    SharedParts,
    Shortfall,
    Source,
    StrengthPoint,
    TerritoryEntry,
    TimelineEvent,
    evidence_total,
    reported,
)
from missionwatch.mission.timeline import STATUS_GROUP, TimelineIndex, cluster_id
from missionwatch.records import DateInterval

_STATUS_RANK = {"occurred": 0, "ongoing": 1, "planned": 2, "hypothetical": 3, "denied": 4}
#: Above this many merged events to rebuild, ordered lists are appended to and sorted once.
_BULK = 64


@contextmanager
def gc_paused() -> Iterator[None]:
    """Bulk loads allocate millions of small objects that all stay alive: the cyclic
    collector's full passes over them cost more than the work itself, so pause it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _known(report_date: dt.date | None, as_of: dt.date) -> bool:
    return report_date is None or report_date <= as_of


def _source_order(s: Source) -> tuple[dt.date, str, str]:
    return (s.report_date or dt.date.min, s.report_id, s.fact)


def _figures(pairs: Iterable[tuple[float, str | None, Source]], in_order: bool = False) -> list[Figure]:
    """Group equal values; one Figure per distinct value, each with all its sources (``in_order``: the
    pairs come in source order already)."""
    groups: dict[tuple[float, str | None], list[Source]] = {}
    for value, unit, source in pairs:
        groups.setdefault((value, unit), []).append(source)
    return [Figure.model_construct(value=v, unit=u, sources=s if in_order else sorted(s, key=_source_order))
            for (v, u), s in sorted(groups.items(), key=lambda kv: kv[0][0])]


def _best_date(members: list[EventClaim]) -> DateInterval | None:
    dated = [m.date for m in members if m.date is not None]
    if not dated:
        return None
    # Most precise first; a date read from the text beats a publication-date fallback.
    return min(dated, key=lambda d: (d.fallback, (d.end - d.start).days, d.start))


def _point_date(date: DateInterval | None, fallback: dt.date | None) -> dt.date | None:
    return date.end if date is not None else fallback


@dataclass
class Merged:
    """A merged event during the fold: the public record plus its (known) member claims."""

    event: TimelineEvent
    members: list[EventClaim]

    @property
    def when(self) -> dt.date | None:
        first = self.event.sources[0].report_date if self.event.sources else None
        return _point_date(self.event.date, first)


@dataclass
class PictureState:
    """Contributions of every report, the incremental event-merging index and section indexes."""

    contributions: dict[str, Contribution] = field(default_factory=dict)
    timeline: TimelineIndex = field(default_factory=TimelineIndex)
    #: Dated personnel claims by (contributor or None for the mission, date).
    personnel: dict[tuple[str | None, dt.date], list[PersonnelClaim]] = field(default_factory=dict)
    #: Reports with money claims / capability gaps / roles (the only ones those sections read).
    with_money: dict[str, Contribution] = field(default_factory=dict)
    with_gaps: dict[str, Contribution] = field(default_factory=dict)
    with_roles: dict[str, Contribution] = field(default_factory=dict)
    index: Any = field(default=None, repr=False)  # the AsOfIndex, made on first use
    parts: SharedParts = field(default_factory=SharedParts, repr=False)

    def __post_init__(self) -> None:
        from missionwatch.mission.asof import AsOfIndex  # it builds on this module

        self.index = AsOfIndex(self)

    def add(self, contribution: Contribution) -> None:
        """Add or replace one report's contribution (compares only with its timeline blocks)."""
        if contribution.report_id in self.contributions:
            self.remove(contribution.report_id)
        rid = contribution.report_id
        self.parts.share(contribution)
        self.contributions[rid] = contribution
        for claim in contribution.events:
            self.timeline.add(claim)
        for p in contribution.personnel:
            if p.date is not None:
                self.personnel.setdefault((p.country, p.date), []).append(p)
        for attr, index in (("money", self.with_money), ("gaps", self.with_gaps), ("roles", self.with_roles)):
            if getattr(contribution, attr):
                index[rid] = contribution
        self.index.report_changed(contribution, +1)

    def add_many(self, contributions: Iterable[Contribution]) -> None:
        """``add`` each of ``contributions`` (a bulk load: the garbage collector is paused)."""
        with gc_paused():
            for c in contributions:
                self.add(c)

    def remove(self, report_id: str) -> None:
        contribution = self.contributions.pop(report_id, None)
        if contribution is None:
            return
        self.timeline.remove_report(report_id)
        for p in contribution.personnel:
            if p.date is not None:
                claims = self.personnel.get((p.country, p.date), [])
                if p in claims:
                    claims.remove(p)
                if not claims:
                    self.personnel.pop((p.country, p.date), None)
        for index in (self.with_money, self.with_gaps, self.with_roles):
            index.pop(report_id, None)
        self.index.report_changed(contribution, -1)

    def picture(self, as_of: dt.date, offset: int = 0, limit: int | None = None) -> MissionPicture:
        """The picture as of ``as_of``; its timeline: events ``offset .. offset + limit`` (default all)."""
        with gc_paused():
            return self.index.picture(as_of, offset, limit)

    def bounded(self, as_of: dt.date, offset: int, limit: int | None, history: int, sources: int | None = None
                ) -> tuple[MissionPicture, dict[str, int]]:
        """``picture`` with every history list cut to its latest ``history`` entries (and which lists
        were cut, with their full lengths), in time that grows with ``history``, not the corpus."""
        # Only the index's upkeep is a bulk load. A request's own garbage is better collected young:
        # re-enabled after it, the collector met all of it at once (25 ms a request at 220,000 reports).
        with gc_paused():
            self.index.sync()
        return self.index.bounded(as_of, offset, limit, history, sources)

    def timeline_page(self, as_of: dt.date, offset: int = 0, limit: int | None = None) -> TimelinePage:
        """Events ``offset .. offset + limit`` of the timeline as of ``as_of``, and their total."""
        with gc_paused():
            self.index.sync()
        return TimelinePage(as_of=as_of, total=self.index.count(as_of), offset=offset,
                            events=self.index.window(as_of, offset, limit))

    def merged_event(self, claim_key: str, as_of: dt.date) -> TimelineEvent | None:
        """The timeline event holding claim ``claim_key`` as of ``as_of`` (None: unknown on that day)."""
        return self.index.merged_event(claim_key, as_of)


@dataclass(frozen=True)
class TimelinePage:
    """A window of the timeline as of a date: ``events`` start at position ``offset`` of ``total``."""

    as_of: dt.date
    total: int
    offset: int
    events: list[TimelineEvent]


def build_picture(contributions: Iterable[Contribution], as_of: dt.date) -> MissionPicture:
    """The picture of ``contributions`` as of ``as_of``: one plain fold over that date.

    The reference ``PictureState.picture`` (versions shared across dates, see ``asof``) is checked
    against; a one-off picture costs the same either way."""
    state = PictureState()
    state.add_many(contributions)
    state.timeline.drain_changed()
    with gc_paused():
        return _FoldCache(state, as_of).assemble()


_SortKey = tuple[dt.date, str]


@dataclass
class _View:
    """One merged event as the fold cache keeps it, with what each section reads of it."""

    cid: str
    keys: list[str]                       # every member claim key (known or not)
    merged: Merged | None = None          # None: no member known on the as-of date
    known: frozenset[str] = frozenset()
    sort_key: _SortKey | None = None
    contradiction: Contradiction | None = None
    flow_country: str | None = None       # DEPLOY/WITHDRAW: the contributor (or MIXED)
    flow_units: dict[str, str] = field(default_factory=dict)
    flow_point: StrengthPoint | None = None
    flow_planned: bool = False
    control: tuple[str, ControlStep] | None = None
    act: MandateAct | None = None


class _Ordered:
    """Views kept in timeline order (by sort key), for sections that read them in that order."""

    __slots__ = ("keys", "views", "events", "unsorted")

    def __init__(self) -> None:
        self.keys: list[tuple[_SortKey, str]] = []
        self.views: list[_View] = []
        #: The views' timeline events, in the same order: the picture's timeline is one list copy.
        self.events: list[TimelineEvent] = []
        self.unsorted = False

    def add(self, view: _View, bulk: bool = False) -> None:
        key = (view.sort_key, view.cid)
        assert view.merged is not None
        if bulk:  # many at once: append now, one sort in ``settle``
            self.keys.append(key)  # type: ignore[arg-type]
            self.views.append(view)
            self.events.append(view.merged.event)
            self.unsorted = True
            return
        self.settle()
        i = bisect.bisect_left(self.keys, key)
        self.keys.insert(i, key)  # type: ignore[arg-type]
        self.views.insert(i, view)
        self.events.insert(i, view.merged.event)

    def settle(self) -> None:
        if self.unsorted:
            order = sorted(range(len(self.keys)), key=self.keys.__getitem__)
            self.keys = [self.keys[i] for i in order]
            self.views = [self.views[i] for i in order]
            self.events = [self.events[i] for i in order]
            self.unsorted = False

    def pop(self, view: _View) -> bool:
        self.settle()
        key = (view.sort_key, view.cid)
        i = bisect.bisect_left(self.keys, key)
        if i < len(self.keys) and self.keys[i] == key:
            del self.keys[i]
            del self.views[i]
            del self.events[i]
            return True
        return False

    def __len__(self) -> int:
        return len(self.views)


def stated_point(country: str | None, date: dt.date, claims: list[PersonnelClaim],
                 units: dict[str, str] | None = None, in_order: bool = False
                 ) -> tuple[StrengthPoint, Contradiction | None, dict[str, str]]:
    """The strength stated for ``country`` (None: the whole mission) on ``date`` by ``claims``: the
    point, the contradiction when they disagree, and the units they name (``units``: known already;
    ``in_order``: the claims come in source order, as a busy date's hundreds do from the index)."""
    figures = _figures(((p.value, None, p.source) for p in claims), in_order)
    units = stated_units(country, claims) if units is None else units
    return (*stated_point_of(country, date, figures), units)


def stated_point_of(country: str | None, date: dt.date, figures: list[Figure]
                    ) -> tuple[StrengthPoint, Contradiction | None]:
    """The stated point made of ``figures`` (one per value, in value order), and the contradiction
    when there are several."""
    contradiction = None
    if country is not None and len(figures) > 1:
        contradiction = Contradiction(
            kind="personnel figures disagree", subject=f"{knowledge().contributor_name(country)} on {date}",
            detail=f"{len(figures)} different strengths stated for the same date", claims=figures)
    point = StrengthPoint.model_construct(event_id=None, date=date, kind="stated", figures=figures)
    return point, contradiction


def stated_units(country: str | None, claims: list[PersonnelClaim]) -> dict[str, str]:
    """The units a contributor's stated strengths name (by normalised name), first spelling kept."""
    units: dict[str, str] = {}
    for _, key, spelling in unit_spellings(country, claims):
        units.setdefault(key, spelling)
    return units


def unit_spellings(country: str | None, claims: list[PersonnelClaim]) -> Iterator[tuple[int, str, str]]:
    """(position, normalised name, spelling) of each unit that ``claims`` name, other than the
    contributor itself."""
    if country is None:
        return
    own = norm(knowledge().contributor_name(country))
    for i, p in enumerate(claims):
        if p.unit and (key := norm(p.unit)) != own:
            yield i, key, p.unit


def strength_step(low: float | None, high: float | None, point: StrengthPoint
                  ) -> tuple[float | None, float | None]:
    """The running estimate after ``point``: a stated figure resets it, a flow moves it (never below 0)."""
    values = [f.value for f in point.figures]
    if point.kind == "stated":
        return min(values), max(values)
    if not values:
        return low, high
    sign = 1 if point.kind == "arrival" else -1
    lo_d, hi_d = sorted((sign * min(values), sign * max(values)))
    return max(0.0, (low or 0) + lo_d), max(0.0, (high or 0) + hi_d)


@dataclass(frozen=True)
class Flow:
    """What a merged DEPLOY/WITHDRAW tells about a contributor: its units, and a point of its series
    (None without a date, or for a stock told as a movement); ``planned``: the point is a plan."""

    country: str
    units: dict[str, str]
    point: StrengthPoint | None
    planned: bool


def flow_of(m: Merged) -> Flow | None:
    """The flow of a merged DEPLOY/WITHDRAW (None unless its actors or figures name a contributor;
    several contributors make one "MIXED" flow)."""
    ev = m.event
    countries = {a.country for mem in m.members for a in mem.actors if a.country}
    countries |= knowledge().contributors_in(*(mem.quantity.subject for mem in m.members if mem.quantity))
    if not countries:
        return None
    country = countries.pop() if len(countries) == 1 else "MIXED"
    units: dict[str, str] = {}
    for mem in m.members:
        for a in mem.actors:
            if a.country and a.type != "COUNTRY" and (a.country == country or country == "MIXED"):
                units.setdefault(norm(a.name), a.name)
    when = m.when
    group = STATUS_GROUP[ev.status]
    if when is None or group not in ("planned", "real"):
        return Flow(country, units, None, False)
    if ev.status == "ongoing" and all(mem.status == "ongoing" for mem in m.members):
        return Flow(country, units, None, False)  # "400 on the ground": a stock, among the stated figures
    kind = "arrival" if ev.type == "DEPLOY" else "departure"
    point = StrengthPoint.model_construct(date=when, kind=kind, figures=list(ev.quantities), event_id=ev.id)
    return Flow(country, units, point, group == "planned")


def control_step(m: Merged) -> tuple[str, ControlStep] | None:
    """The place and step a merged CONTROL event adds to the territory (None unless it happened)."""
    ev = m.event
    if ev.place is None or STATUS_GROUP[ev.status] != "real":
        return None
    direction = str(ev.attributes.get("direction", "unknown"))
    armed = any(a.type == "ARMED_GROUP" for mem in m.members for a in mem.actors)
    if direction not in ("gained", "lost"):
        holder = "unknown"
    elif (direction == "gained") != armed:
        holder = "mission and police"
    else:
        holder = "armed groups"
    step = ControlStep.model_construct(event_id=ev.id, date=m.when, direction=direction, holder=holder,
                                       actors=ev.actors, status=ev.status, sources=ev.sources)
    return ev.place.key, step


def mandate_act(m: Merged) -> MandateAct:
    """The mandate act a merged MANDATE event records (the longest duration any member states)."""
    ev = m.event
    durations = [mem.duration_months for mem in m.members if mem.duration_months]
    return MandateAct.model_construct(event_id=ev.id, action=str(ev.attributes.get("action", "unknown")),
                                      status=ev.status, date=ev.date, by=ev.actors,
                                      duration_months=max(durations) if durations else None,
                                      sources=ev.sources)


class _FoldCache:
    """Everything the fold built for one as-of date, rebuilt piecewise as reports change."""

    @classmethod
    def builders(cls, state: PictureState, as_of: dt.date) -> _FoldCache:
        """Only the pure section builders (``contingent``, ``mandate``, ``money``, ``capabilities``,
        ``people``) bound to one date, without the fold's caches (the as-of indexes keep their own)."""
        helper = cls.__new__(cls)
        helper.state = state
        helper.as_of = as_of
        helper.estimate_points = {}
        helper.money_contradictions = []
        return helper

    def __init__(self, state: PictureState, as_of: dt.date) -> None:
        self.state = state
        self.as_of = as_of
        self.reports = sum(1 for c in state.contributions.values() if _known(c.report_date, as_of))
        self.views: dict[str, _View] = {}
        self.cid_of: dict[str, str] = {}
        self.order = _Ordered()  # every view with known members, in timeline order
        self.bulk = False
        self.estimate_points: dict[tuple[dt.date, float, float], EstimatePoint] = {}
        self.flows: dict[str, _Ordered] = defaultdict(_Ordered)
        self.controls: dict[str, dict[str, _View]] = defaultdict(dict)
        self.acts = _Ordered()
        self.denied: dict[str, _View] = {}
        self.event_contradictions: dict[str, _View] = {}
        # strength points stated per (contributor, date): point, contradiction, units
        self.stated: dict[tuple[str | None, dt.date],
                          tuple[StrengthPoint, Contradiction | None, dict[str, str]]] = {}
        self.stated_dates: dict[str | None, set[dt.date]] = defaultdict(set)
        self.contingents: dict[str, Contingent] = {}
        self.territory_by_place: dict[str, TerritoryEntry] = {}
        self.money_contradictions: list[Contradiction] = []
        # what is out of date
        self.pending: set[str] = set(state.timeline.claims)
        self.pending_stated: set[tuple[str | None, dt.date]] = set(state.personnel)
        self.dirty_countries: set[str] = set()
        self.dirty_places: set[str] = set()
        self.dirty_sections: set[str] = {"mandate", "money", "capabilities", "people", "denials"}
        self.mandate_out: Mandate | None = None
        self.money_out: Money | None = None
        self.capabilities_out: list[CapabilityGap] = []
        self.people_out: list[Person] = []
        self.denials_out: list[Contradiction] = []

    # ---------------------------------------------------------------- change notes
    def report_changed(self, c: Contribution, sign: int) -> None:
        if _known(c.report_date, self.as_of):
            self.reports += sign
        for p in c.personnel:
            if p.date is not None:
                self.pending_stated.add((p.country, p.date))
        for attr, section in (("money", "money"), ("gaps", "capabilities"), ("roles", "people")):
            if getattr(c, attr):
                self.dirty_sections.add(section)
        # event changes arrive through the timeline index's changed keys

    # ---------------------------------------------------------------- sync
    def sync(self) -> None:
        timeline = self.state.timeline
        pending, self.pending = self.pending, set()
        if pending:
            self.dirty_sections.add("denials")
        redo: set[str] = set()
        for key in pending:
            cid = self.cid_of.get(key)
            if cid is not None and cid in self.views:
                redo.update(self.drop_view(cid).keys)
            redo.add(key)
        roots = {timeline.find(k) for k in redo if k in timeline.claims}
        self.bulk = len(roots) > _BULK
        for root in roots:
            self.add_view(sorted(timeline.members[root]))
        self.bulk = False
        for ordered in (self.order, self.acts, *self.flows.values()):
            ordered.settle()
        stated, self.pending_stated = self.pending_stated, set()
        for stated_key in stated:
            self.update_stated(stated_key)
        for country in self.dirty_countries:
            self.update_contingent(country)
        self.dirty_countries = set()
        for place in self.dirty_places:
            self.update_territory(place)
        self.dirty_places = set()
        known = None
        for section in sorted(self.dirty_sections):
            if section == "mandate":
                self.mandate_out = self.mandate([v.act for v in self.acts.views if v.act is not None])
            elif section == "denials":
                self.denials_out = self.denials()
            else:
                index = {"money": self.state.with_money, "capabilities": self.state.with_gaps,
                         "people": self.state.with_roles}[section]
                known = sorted((c for c in index.values() if _known(c.report_date, self.as_of)),
                               key=lambda c: (c.report_date or dt.date.min, c.report_id))
                if section == "money":
                    self.money_contradictions = []
                    self.money_out = self.money(known)
                elif section == "capabilities":
                    self.capabilities_out = self.capabilities(known)
                else:
                    self.people_out = self.people(known)
        self.dirty_sections = set()

    def assemble(self) -> MissionPicture:
        self.sync()
        views = self.views
        contingents = [self.contingents[c] for c in sorted(self.contingents)]
        totals = [c for c in contingents if c.country != "MIXED" and c.estimate_low is not None]
        mission_totals = [self.stated[(None, d)][0] for d in sorted(self.stated_dates.get(None, ()))]
        forces = Forces(contingents=contingents,
                        total_low=sum(c.estimate_low or 0 for c in totals) if totals else None,
                        total_high=sum(c.estimate_high or 0 for c in totals) if totals else None,
                        stated_mission_totals=mission_totals)
        contradictions = [views[cid].contradiction for cid in
                          sorted(self.event_contradictions, key=lambda c: views[c].sort_key)]  # type: ignore[arg-type,return-value]
        contradictions += [self.stated[k][1] for k in sorted((k for k in self.stated if self.stated[k][1]),
                                                              key=lambda k: (k[0] or "", k[1]))]
        contradictions += self.money_contradictions + self.denials_out
        territory = sorted(self.territory_by_place.values(),
                           key=lambda t: (-(t.latest.date or dt.date.min).toordinal(), t.place))
        assert self.mandate_out is not None and self.money_out is not None
        return MissionPicture(
            as_of=self.as_of, reports=self.reports, mission=knowledge().mission_name,
            forces=forces, mandate=self.mandate_out, money=self.money_out,
            capabilities=self.capabilities_out, territory=territory, people=self.people_out,
            timeline=list(self.order.events),
            contradictions=contradictions,  # type: ignore[arg-type]
        )

    # ---------------------------------------------------------------- merged events
    def drop_view(self, cid: str) -> _View:
        view = self.views.pop(cid)
        for key in view.keys:
            if self.cid_of.get(key) == cid:
                del self.cid_of[key]
        if view.sort_key is not None:
            self.order.pop(view)
        self.event_contradictions.pop(cid, None)
        self.denied.pop(cid, None)
        if view.flow_country is not None:
            self.flows[view.flow_country].pop(view)
            self.dirty_countries.add(view.flow_country)
        if view.control is not None:
            self.controls[view.control[0]].pop(cid, None)
            self.dirty_places.add(view.control[0])
        if view.act is not None and self.acts.pop(view):
            self.dirty_sections.add("mandate")
        return view

    def add_view(self, keys: list[str]) -> None:
        cid = cluster_id(keys)
        view = _View(cid=cid, keys=keys)
        self.views[cid] = view
        for key in keys:
            self.cid_of[key] = cid
        claims = self.state.timeline.claims
        members = [claims[k] for k in keys if _known(claims[k].source.report_date, self.as_of)]
        if not members:
            return
        view.known = frozenset(m.key for m in members)
        view.merged = merged = self.merge(cid, members)
        ev = merged.event
        view.sort_key = (ev.date.start if ev.date else (merged.when or dt.date.max), cid)
        self.order.add(view, self.bulk)
        if len(ev.quantities) > 1:
            view.contradiction = Contradiction(
                kind="event figures disagree", subject=f"{ev.type} {cid}",
                detail=f"{len(ev.quantities)} different figures for one {ev.type.lower()} event",
                claims=ev.quantities)
            self.event_contradictions[cid] = view
        if ev.status == "denied":
            self.denied[cid] = view
        if ev.type in ("DEPLOY", "WITHDRAW"):
            self.flow(view)
        elif ev.type == "CONTROL":
            self.control(view)
        elif ev.type == "MANDATE":
            self.mandate_act(view)

    @staticmethod
    def merge(event_id: str, members: list[EventClaim]) -> Merged:
        status = min((m.status for m in members), key=lambda s: _STATUS_RANK[s])
        date = _best_date(members)
        places = [m.place for m in members if m.place is not None]
        place = min(places, key=lambda p: (p.feature == "country", p.lat is None)) if places else None
        actors: dict[str, str] = {}
        targets: dict[str, str] = {}
        attributes: dict[str, Any] = {}
        for m in members:
            for a in m.actors:
                actors.setdefault(norm(a.name), a.name)
            for t in m.targets:
                targets.setdefault(norm(t.name), t.name)
            for k, v in m.attributes.items():
                attributes.setdefault(k, v)
        quantities = _figures((m.quantity.value, m.quantity.unit, m.source) for m in members
                              if m.quantity is not None)
        event = TimelineEvent.model_construct(
            id=event_id, type=members[0].type, status=status, date=date, place=place,
            actors=list(actors.values()), targets=list(targets.values()), quantities=quantities,
            attributes=attributes, sources=sorted((m.source for m in members), key=_source_order),
            members=[m.key for m in members])
        return Merged(event, members)

    def denials(self) -> list[Contradiction]:
        """A denied event that would match a reported one (status aside) is an open contradiction."""
        out: list[Contradiction] = []
        views = self.views
        for cid in sorted(self.denied, key=lambda c: views[c].sort_key):  # type: ignore[arg-type,return-value]
            m = views[cid].merged
            assert m is not None
            seen: set[str] = set()
            for claim in m.members:
                for other_key in self.state.timeline.matches_as(claim, "occurred"):
                    other_view = views.get(self.cid_of.get(other_key, ""))
                    if other_view is None or other_key not in other_view.known:
                        continue
                    other = other_view.merged
                    assert other is not None
                    if other.event.id in seen or STATUS_GROUP[other.event.status] != "real":
                        continue
                    seen.add(other.event.id)
                    out.append(Contradiction(
                        kind="denied", subject=f"{m.event.type} {other.event.id}",
                        detail=f"reported by {len(other.event.sources)} source(s), denied by "
                               f"{len(m.event.sources)} (denial {m.event.id})",
                        claims=[Figure(value=1, unit="reported", sources=other.event.sources),
                                Figure(value=0, unit="denied", sources=m.event.sources)]))
        return out

    # ---------------------------------------------------------------- forces
    def update_stated(self, key: tuple[str | None, dt.date]) -> None:
        country, date = key
        claims = [p for p in self.state.personnel.get(key, [])
                  if _known(p.source.report_date, self.as_of) and date <= self.as_of]
        if country is not None:
            self.dirty_countries.add(country)
        if not claims:
            self.stated.pop(key, None)
            self.stated_dates[country].discard(date)
            return
        claims.sort(key=lambda p: _source_order(p.source))
        self.stated[key] = stated_point(country, date, claims)
        self.stated_dates[country].add(date)

    def flow(self, view: _View) -> None:
        """What a merged DEPLOY/WITHDRAW adds to its contributor's series."""
        assert view.merged is not None
        flow = flow_of(view.merged)
        if flow is None:
            return
        view.flow_country = flow.country
        self.flows[flow.country].add(view, self.bulk)
        self.dirty_countries.add(flow.country)
        view.flow_units.update(flow.units)
        if flow.point is None:
            return
        if flow.planned:
            view.flow_planned = True
        elif flow.point.date > self.as_of:
            return
        view.flow_point = flow.point

    def update_contingent(self, country: str) -> None:
        points = [self.stated[(country, d)][0] for d in sorted(self.stated_dates.get(country, ()))]
        units: dict[str, str] = {}
        for d in sorted(self.stated_dates.get(country, ())):
            for key, name in self.stated[(country, d)][2].items():
                units.setdefault(key, name)
        planned: list[StrengthPoint] = []
        flows = self.flows.get(country)
        for view in (flows.views if flows is not None else ()):
            for key, name in view.flow_units.items():
                units.setdefault(key, name)
            if view.flow_point is not None:
                (planned if view.flow_planned else points).append(view.flow_point)
        if not points and not planned:
            self.contingents.pop(country, None)
            return
        series = sorted(points, key=lambda p: (p.date, p.kind != "stated"))
        self.contingents[country] = self.contingent(country, series, planned, units)

    # ---------------------------------------------------------------- territory
    def control(self, view: _View) -> None:
        assert view.merged is not None
        view.control = control_step(view.merged)
        if view.control is None:
            return
        place_key = view.control[0]
        self.controls[place_key][view.cid] = view
        self.dirty_places.add(place_key)

    def update_territory(self, place_key: str) -> None:
        views = self.controls.get(place_key)
        if not views:
            self.territory_by_place.pop(place_key, None)
            self.controls.pop(place_key, None)
            return
        entries = sorted(((v, v.control[1]) for v in views.values()),  # type: ignore[index]
                         key=lambda e: (e[1].date or dt.date.min, e[1].event_id))
        place = entries[-1][0].merged.event.place  # type: ignore[union-attr]
        assert place is not None
        self.territory_by_place[place_key] = TerritoryEntry(
            place=place.name, country=place.country, lat=place.lat, lon=place.lon,
            latest=entries[-1][1], trail=[s for _, s in entries[:-1]])

    # ---------------------------------------------------------------- mandate
    def mandate_act(self, view: _View) -> None:
        assert view.merged is not None
        view.act = mandate_act(view.merged)
        self.acts.add(view, self.bulk)
        self.dirty_sections.add("mandate")

    # ---------------------------------------------------------------- sections (pure over their inputs)
    def contingent(self, country: str, series: list[StrengthPoint], planned: list[StrengthPoint],
                   units: dict[str, str]) -> Contingent:
        if country == "MIXED":
            name = "several contributors (joint figures)"
        else:
            name = knowledge().contributor_name(country)
        low: float | None = None
        high: float | None = None
        latest_stated: StrengthPoint | None = None
        since: list[StrengthPoint] = []
        estimates: list[EstimatePoint] = []
        for point in series:
            if point.kind == "stated":
                latest_stated, since = point, []
            else:
                since.append(point)
            low, high = strength_step(low, high, point)
            if low is not None and high is not None:
                key = (point.date, low, high)
                estimate = self.estimate_points.get(key)
                if estimate is None:  # shared: most points are the same after one more report
                    estimate = self.estimate_points[key] = EstimatePoint.model_construct(
                        date=point.date, low=low, high=high)
                estimates.append(estimate)
        arrivals = [p.date for p in series if p.kind == "arrival"]
        status = contingent_status(series[-1] if series else None, high, bool(arrivals), bool(planned))
        return Contingent(country=country, country_name=name, units=sorted(units.values()), status=status,
                          first_arrival=min(arrivals) if arrivals else None, latest_stated=latest_stated,
                          flows_since_stated=since, estimate_low=low, estimate_high=high, series=series,
                          estimates=estimates, planned=sorted(planned, key=lambda p: p.date))

    def mandate(self, acts: list[MandateAct]) -> Mandate:
        real = [a for a in acts if STATUS_GROUP[a.status] == "real" and a.date is not None
                and a.date.start <= self.as_of]
        granting = sorted((a for a in real if a.action in ("authorize", "authorise", "renew", "extend")),
                          key=lambda a: a.date.start)  # type: ignore[union-attr]
        authorised = next((a for a in granting if a.action in ("authorize", "authorise")), None)
        renewals = [a for a in granting if a.action in ("renew", "extend")]
        current = granting[-1] if granting else None
        if current is not None and not current.duration_months:
            # The same vote told twice a day apart (one report dating it by its own publication)
            # must not hide the duration the other report gives.
            assert current.date is not None
            same_act = [a for a in granting if a.duration_months and a.date is not None
                        and abs((a.date.start - current.date.start).days) <= 7]
            current = same_act[-1] if same_act else current
        expiry_claims = [a for a in acts if a.action == "expire" and a.date is not None]
        if current is None:
            return Mandate(status="unknown" if not acts else "not authorised", expiry_claims=expiry_claims,
                           renewal_expected=[a for a in acts if a.action in ("renew", "extend")
                                             and a.status == "planned"])
        assert current.date is not None
        expires, basis, sources = mandate_expiry(current, expiry_claims)
        ended = [a for a in real if a.action == "end"
                 and a.date.start >= current.date.start]  # type: ignore[union-attr]
        status, days = mandate_status(bool(ended), expires, self.as_of)
        renewed_since = any(r.date and r.date.start > current.date.start for r in renewals)
        expected = [a for a in acts if a.action in ("renew", "extend") and a.status == "planned"
                    and a.date is not None and a.date.end >= current.date.start
                    and not renewed_since]
        return Mandate(status=status, authorised=authorised, renewals=renewals, current=current,
                       expires=expires, expiry_basis=basis, expiry_sources=sources, days_until_expiry=days,
                       renewal_expected=expected, expiry_claims=expiry_claims)

    def money(self, known: list[Contribution]) -> Money:
        return self.money_of(money_groups(known))

    def money_of(self, groups: Iterable[tuple[MoneyClaim, list[Source]]], cut_to: int | None = None
                 ) -> Money:
        """The money section from its items: each group's first claim (by ``money_key``) and all its
        sources, in source order. Source lists are taken as they are (a restated cost has one per
        report that states it): nothing here walks them. ``cut_to``: they are ``first_sources`` of that
        many, and so is any list made of them."""
        items: list[MoneyItem] = []
        firsts: dict[int, tuple[dt.date, str, str]] = {}
        for first, sources in groups:
            item = MoneyItem(  # (a field named ``cls`` rules out model_construct)
                cls=first.cls, donor=first.donor, value=first.value, unit=first.unit, per=first.per,
                period_count=first.period_count, usd=first.usd, usd_per_month=first.usd_per_month,
                first_reported=first.source.report_date, sources=[])
            item.sources = sources  # not validated again, one by one
            firsts[id(item)] = _source_order(first.source)
            items.append(item)
        # ties (one date, class and value: another donor or unit) in the order of their first source
        items.sort(key=lambda i: (i.first_reported or dt.date.min, i.cls, i.value, firsts[id(i)]))
        costs = [i for i in items if i.cls == "cost"]
        rates = [i for i in costs if i.usd_per_month is not None]
        monthly: list[Figure] = []
        if rates:
            def last_day(i: MoneyItem) -> dt.date:  # sources are in report order
                return reported(i.sources)[1] or dt.date.min

            latest = max(last_day(i) for i in rates)
            monthly = [Figure.model_construct(value=round(i.usd_per_month or 0, 2), unit="USD/month",
                                              sources=i.sources)
                       for i in rates if last_day(i) == latest]
            if len(monthly) > 1:
                self.money_contradictions.append(Contradiction(
                    kind="cost figures disagree", subject=f"monthly cost stated on {latest}",
                    detail="different running costs in reports of the same date", claims=monthly))

        def by_donor(cls: str) -> list[DonorTotal]:
            totals: dict[str, list[MoneyItem]] = defaultdict(list)
            for i in items:
                if i.cls == cls and i.usd is not None:
                    totals[i.donor or "unattributed"].append(i)
            return [DonorTotal(donor=d, usd=sum(i.usd or 0 for i in its), items=its)
                    for d, its in sorted(totals.items())]

        pledges, contributions = by_donor("pledge"), by_donor("contribution")
        pledged = sum(d.usd for d in pledges) + sum(d.usd for d in contributions)
        shortfall = None
        if monthly and (pledges or contributions):
            annual = max(f.value for f in monthly) * 12
            shortfall = Shortfall.model_construct(
                usd=round(annual - pledged, 2),
                basis=f"derived: latest running cost ${annual / 1e6:,.1f}M a year (12 × monthly) minus "
                      f"${pledged / 1e6:,.1f}M pledged or contributed",
                sources=_joined([f.sources for f in monthly]
                                + [i.sources for d in pledges + contributions for i in d.items], cut_to))
        return Money(costs=costs, monthly_cost_usd=monthly, pledges_by_donor=pledges,
                     contributions_by_donor=contributions,
                     pledged_total_usd=pledged if (pledges or contributions) else None,
                     stated_shortfalls=[i for i in items if i.cls == "shortfall"],
                     derived_shortfall=shortfall,
                     unconverted=[i for i in items if i.usd is None and i.usd_per_month is None])

    def capabilities(self, known: list[Contribution]) -> list[CapabilityGap]:
        return capabilities_of(gap_groups(known))

    def people(self, known: list[Contribution]) -> list[Person]:
        ordered = sorted(known, key=lambda c: (c.report_date or dt.date.min, c.report_id))
        resolved = resolve_people(r for c in ordered for r in c.roles)
        return sorted((person_of(p) for p in resolved), key=lambda p: p.name)


def _joined(lists: list[list[Source]], first: int | None = None) -> list[Source]:
    """``lists`` end to end; with ``first``, cut to that many (each list holds its first ones)."""
    out: list[Source] = []
    for sources in lists:
        out.extend(sources)  # in C: these lists hold a source per report that restates an amount
    if first is None:
        return out
    total = sum(evidence_total(sources) for sources in lists)
    if total <= first:
        return out
    spans = [reported(sources) for sources in lists if sources]
    first_day = next((day for day, _ in spans if day is not None), None)
    return FirstSources(out[:first], total, (first_day, spans[-1][1]))


def money_key(claim: MoneyClaim) -> tuple[Any, ...]:
    """Claims of one money item: same class, donor, amount (3 significant digits) and unit."""
    amount = claim.usd_per_month if claim.usd_per_month is not None else \
        claim.usd if claim.usd is not None else claim.value
    return (claim.cls, norm(claim.donor), _sig(amount), claim.usd_per_month is not None,
            claim.unit if claim.usd is None and claim.usd_per_month is None else "USD")


def money_groups(known: list[Contribution]) -> list[tuple[MoneyClaim, list[Source]]]:
    """Each money item's first claim and its sources, in source order."""
    groups: dict[tuple[Any, ...], list[MoneyClaim]] = defaultdict(list)
    for c in known:
        for claim in c.money:
            groups[money_key(claim)].append(claim)
    out = []
    for claims in groups.values():
        claims.sort(key=lambda c: _source_order(c.source))
        out.append((claims[0], [c.source for c in claims]))
    return out


def gap_groups(known: list[Contribution]) -> dict[str, list[Source]]:
    groups: dict[str, list[Source]] = defaultdict(list)
    for c in known:
        for gap in c.gaps:
            groups[gap.capability].append(gap.source)
    return {name: sorted(sources, key=_source_order) for name, sources in groups.items()}


def capabilities_of(groups: dict[str, list[Source]]) -> list[CapabilityGap]:
    """The capability gaps from their sources by capability, each list in source order."""
    out = []
    for name, sources in sorted(groups.items()):
        first, last = reported(sources)
        out.append(CapabilityGap.model_construct(capability=name, first_reported=first, last_reported=last,
                                                 sources=sources))
    return out


@dataclass
class ResolvedPerson:
    """One person as the roles name them: the first name seen, and each role's text and sources."""

    key: str
    name: str
    roles: dict[str, tuple[str, list[Source]]] = field(default_factory=dict)


class PeopleResolver:
    """People from role claims met in report order: a claim belongs to the first person already
    owning one of its keys (aliases), else to its normalised name. The people after a prefix of the
    claims are the people known at that point, so one pass serves every date."""

    def __init__(self) -> None:
        self.owner: dict[str, str] = {}  # name key -> canonical person key
        self.people: dict[str, ResolvedPerson] = {}

    def add(self, r: RoleClaim) -> ResolvedPerson:
        key = next((self.owner[k] for k in r.keys if k in self.owner), None) or norm(r.person)
        person = self.people.get(key)
        if person is None:
            person = self.people[key] = ResolvedPerson(key, r.person)
        for k in r.keys:
            self.owner.setdefault(k, key)
        role = norm(r.role)
        if role not in person.roles:
            person.roles[role] = (r.role, [])
        person.roles[role][1].append(r.source)
        return person


def resolve_people(roles: Iterable[RoleClaim]) -> list[ResolvedPerson]:
    resolver = PeopleResolver()
    for r in roles:
        resolver.add(r)
    return list(resolver.people.values())


def latest_people(people: list[Person], n: int) -> list[Person]:
    """The ``n`` of ``people`` (in name order) reported most recently, then by name; in name order."""
    if len(people) <= n:
        return people
    ranked = sorted(range(len(people)), key=lambda i: (people[i].roles[-1].last_reported or dt.date.min,
                                                       people[i].name))
    return [people[i] for i in sorted(ranked[len(people) - n:])] if n else []


def person_of(person: ResolvedPerson, known: Callable[[list[Source]], list[Source]] | None = None,
              in_order: bool = False) -> Person:
    """``person`` as the picture shows it; ``known`` cuts each role's sources (in report order) to those
    known on a date (a role with none is left out); ``in_order``: they are in source order already."""
    entries = []
    for text, sources in person.roles.values():
        seen = sources if known is None else known(sources)
        if not seen:
            continue
        ordered = seen if in_order else sorted(seen, key=_source_order)
        first, last = reported(ordered)
        entries.append(RoleEntry.model_construct(role=text, first_reported=first, last_reported=last,
                                                 sources=ordered))
    entries.sort(key=lambda e: (e.last_reported or dt.date.min, e.role))
    latest = entries[-1].last_reported
    return Person.model_construct(name=person.name, roles=entries,
                                  current_roles=[e.role for e in entries if e.last_reported == latest])


def contingent_status(last: StrengthPoint | None, high: float | None, arrived: bool,
                      planned: bool) -> ContingentStatus:
    if last is not None and last.kind == "departure" and high == 0:
        return "withdrawn"
    if arrived or (high or 0) > 0:
        return "in theatre"
    return "pledged" if planned else "reported"


def mandate_expiry(current: MandateAct, expiry_claims: Iterable[MandateAct]
                   ) -> tuple[DateInterval | None, str | None, list[Source]]:
    """When the ``current`` grant runs out, why (a stated expiry after it, else its duration), and
    the sources: the latest stated expiry no earlier than ~45 days before the computed one wins."""
    assert current.date is not None
    computed = _add_months(current.date.start, current.duration_months) if current.duration_months else None
    after = [a for a in expiry_claims if a.date and a.date.start > current.date.start
             and (computed is None or a.date.end >= computed - dt.timedelta(days=45))]
    if after:
        best = max(after, key=_latest_narrowest)
        return best.date, f"stated expiry ({len(best.sources)} source(s))", best.sources
    if computed is not None:
        act, start, months = current.action, current.date.start, current.duration_months
        expires = DateInterval(start=computed, end=computed, precision="day",
                               text=f"{act} {start} + {months} months")
        return expires, f"computed: {act} on {start} for {months} months", current.sources
    return None, None, []


def mandate_status(ended: bool, expires: DateInterval | None, as_of: dt.date
                   ) -> tuple[MandateStatus, int | None]:
    """The mandate's status on ``as_of`` and the days left until ``expires``."""
    days = (expires.start - as_of).days if expires else None
    if ended:
        return "ended", days
    if expires is not None and as_of > expires.end:
        return "expired", days
    if days is not None and days <= 30:
        return "expiring", days
    return "active", days


def _sig(value: float, digits: int = 3) -> float:
    """Round to significant digits so '$200 million' and '$200.0 million' group together."""
    if value == 0 or not math.isfinite(value):
        return 0.0
    return round(value, -int(math.floor(math.log10(abs(value)))) + digits - 1)


def _latest_narrowest(act: MandateAct) -> tuple[dt.date, int]:
    """Of several stated expiries, the latest wins; at the same start, the most precise one."""
    assert act.date is not None  # only dated expiry claims are compared
    return act.date.start, -(act.date.end - act.date.start).days


def _add_months(date: dt.date, months: int) -> dt.date:
    y, m = divmod(date.month - 1 + months, 12)
    year, month = date.year + y, m + 1
    for day in (date.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")
