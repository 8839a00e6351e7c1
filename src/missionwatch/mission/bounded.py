"""The picture as of a date with its history lists cut to their latest entries, without walking them.

``/api/picture`` returns every section's current values (estimates, the
mandate's status and expiry, each place's holder) computed from the whole
history, but only the latest ``history`` entries of each history list and the
lists' full lengths (``history_cut``). ``cut_history`` makes that from a full
picture (the reference); ``SectionIndex`` keeps the entries each section draws
from in ``Timed`` lists (see ``timed``) so that ``BoundedFold`` builds the same
answer for any date in time that grows with ``history``, not with the corpus.

What each section keeps:

* forces: per contributor, its strength series (stated figures and real
  flows, in date order) with a fold that gives the running estimate (a stated
  figure resets it, a flow moves it, never below 0: functions ``x -> max(a, x
  + b)``, which compose), the count since the last stated figure, the first
  arrival and the stated units; its planned flows; every flow version (the
  units they name); the mission's stated totals;
* mandate: granting acts, renewals, authorisations, ends (by date), expiry
  claims and planned renewals (by timeline order), and every act (a count);
* territory: per place, its control steps by date;
* contradictions: event figures that disagree (timeline order), stated
  strengths that disagree (by contributor and date), denials.

Money, capabilities and people are folded as in the reference: they read the
reports that carry money, gaps or roles, not every report.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from missionwatch.mission.knowledge import knowledge
from missionwatch.mission.model import (
    Contingent,
    Contradiction,
    EstimatePoint,
    Figure,
    FirstSources,
    Forces,
    Mandate,
    MandateAct,
    MissionPicture,
    PersonnelClaim,
    StrengthPoint,
    TerritoryEntry,
)
from missionwatch.mission.picture import (
    _FoldCache,
    _source_order,
    capabilities_of,
    contingent_status,
    latest_people,
    mandate_expiry,
    mandate_status,
    stated_point_of,
    strength_step,
    unit_spellings,
)
from missionwatch.mission.timed import FOREVER, Entry, Fold, Timed
from missionwatch.mission.timeline import STATUS_GROUP

if TYPE_CHECKING:
    from missionwatch.mission.asof import AsOfIndex, Version

NEG = float("-inf")
_GRANTS = ("authorize", "authorise", "renew", "extend")


# ------------------------------------------------------------------ the reference cut
def cut_history(pic: MissionPicture, history: int) -> tuple[MissionPicture, dict[str, int]]:
    """The picture with every history list cut to its latest ``history`` entries, and the lists cut
    (their dotted path and full length). Current values are those of the full picture."""
    cut: dict[str, int] = {}

    def last(path: str, items: list[Any]) -> list[Any]:
        return _keep(cut, path, len(items), items[max(0, len(items) - history):] if history else [], history)

    contingents = [c.model_copy(update={name: last(f"forces.contingents.{c.country}.{name}", getattr(c, name))
                                        for name in ("series", "estimates", "flows_since_stated", "planned")})
                   for c in pic.forces.contingents]
    forces = pic.forces.model_copy(update={
        "contingents": contingents,
        "stated_mission_totals": last("forces.stated_mission_totals", pic.forces.stated_mission_totals)})
    mandate = pic.mandate.model_copy(update={name: last(f"mandate.{name}", getattr(pic.mandate, name))
                                             for name in ("renewals", "renewal_expected", "expiry_claims")})
    territory = [t.model_copy(update={"trail": last(f"territory.{t.place}.trail", t.trail)})
                 for t in pic.territory]
    kinds: dict[str, list[Any]] = {}
    for c in pic.contradictions:
        kinds.setdefault(c.kind, []).append(c)
    contradictions = [c for kind, items in kinds.items() for c in last(f"contradictions.{kind}", items)]
    people = _keep(cut, "people", len(pic.people), latest_people(pic.people, history), history)
    return pic.model_copy(update={"forces": forces, "mandate": mandate, "territory": territory,
                                  "contradictions": contradictions, "people": people}), cut


def _keep(cut: dict[str, int], path: str, total: int, latest: list[Any], history: int) -> list[Any]:
    """``latest`` (the last ``history`` of ``total`` entries); a cut list is recorded in ``cut``."""
    if total <= history:
        return latest
    cut[path] = total
    return latest


# ------------------------------------------------------------------ stated strengths
class StatedClaims:
    """The claims stating one contributor's strength on one date, in source order. That order is
    report date first, so the claims known on any day are a prefix; each value's positions and each
    unit's first position let a prefix's figures be read without walking it (a busy date is stated
    by thousands of reports, and every report day is a version)."""

    __slots__ = ("country", "date", "claims", "days", "positions", "units")

    def __init__(self, country: str | None, date: dt.date, claims: list[PersonnelClaim]) -> None:
        from missionwatch.mission.asof import _ordinal

        self.country = country
        self.date = date
        self.claims = sorted(claims, key=lambda p: _source_order(p.source))
        self.days = [_ordinal(p.source.report_date) for p in self.claims]
        positions: dict[float, list[int]] = {}
        for i, p in enumerate(self.claims):
            positions.setdefault(p.value, []).append(i)
        self.positions = sorted(positions.items())
        firsts: dict[str, tuple[int, str, str]] = {}
        for i, key, spelling in unit_spellings(country, self.claims):
            firsts.setdefault(key, (i, key, spelling))
        self.units = list(firsts.values())

    def values(self, known: int) -> list[float]:
        """The distinct values of the first ``known`` claims, smallest first."""
        return [value for value, at in self.positions if at[0] < known]

    def units_of(self, known: int) -> tuple[tuple[str, str], ...]:
        return tuple((key, spelling) for i, key, spelling in self.units if i < known)

    def figures(self, known: int, sources: int | None) -> list[Figure]:
        """The figures of the first ``known`` claims, each with its sources (``sources``: the first
        that many, as ``first_sources``)."""
        out = []
        for value, at in self.positions:
            if at[0] >= known:
                continue
            count = bisect.bisect_left(at, known)
            taken = at[:count] if sources is None or count <= sources else at[:sources]
            listed = [self.claims[i].source for i in taken]
            if len(taken) < count:
                listed = FirstSources(listed, count, self._span(at, count))
            out.append(Figure.model_construct(value=value, unit=None, sources=listed))
        return out

    def _span(self, at: list[int], count: int) -> tuple[dt.date | None, dt.date | None]:
        claims = self.claims
        # as ``reported``: undated sources come first, so this walks only those (no copy of ``at``)
        first = next((d for i in range(count) if (d := claims[at[i]].source.report_date) is not None), None)
        return first, claims[at[count - 1]].source.report_date


class StatedVersion:
    """The strength stated for (contributor, date) by the first ``known`` of its claims: those known
    from ``since`` to ``until``."""

    __slots__ = ("stated", "known", "since", "until", "low", "high", "units", "disputed", "_made")

    def __init__(self, stated: StatedClaims, known: int, since: int, until: int) -> None:
        self.stated = stated
        self.known = known
        self.since = since
        self.until = until
        values = stated.values(known)
        self.low, self.high = values[0], values[-1]
        self.units = stated.units_of(known)
        self.disputed = len(values) > 1
        self._made: dict[int | None, tuple[StrengthPoint, Contradiction | None]] = {}

    def made(self, sources: int | None) -> tuple[StrengthPoint, Contradiction | None]:
        """The point and its contradiction, each figure's sources cut to ``sources`` (see
        ``first_sources``)."""
        hit = self._made.get(sources)
        if hit is None:
            stated = self.stated
            hit = self._made[sources] = stated_point_of(stated.country, stated.date,
                                                        stated.figures(self.known, sources))
        return hit

    def point(self, sources: int | None) -> StrengthPoint:
        return self.made(sources)[0]


def stated_versions(country: str | None, date: dt.date, claims: list[PersonnelClaim]
                    ) -> list[StatedVersion]:
    """One version per distinct report day of ``claims``, visible from that day (and ``date``) on."""
    stated = StatedClaims(country, date, claims)
    days = stated.days
    out = []
    i = 0
    while i < len(days):
        known = bisect.bisect_right(days, days[i])
        until = days[known] if known < len(days) else FOREVER
        since = max(days[i], date.toordinal())
        if since < until:
            out.append(StatedVersion(stated, known, since, until))
        i = known
    return out


# ------------------------------------------------------------------ the series fold
# (lo_a, lo_b, hi_a, hi_b, estimated, since_stated, stated, first_arrival, stated_units):
# the estimate after a run of points is x -> max(a, x + b) of the estimate before it.
_Series = tuple[float, float, float, float, bool, int, bool, "dt.date | None", tuple[tuple[str, str], ...]]
_SERIES_UNIT: _Series = (NEG, 0.0, NEG, 0.0, False, 0, False, None, ())


def _lift_series(e: Entry) -> _Series:
    item = e.item
    if isinstance(item, StatedVersion):
        return (item.low, NEG, item.high, NEG, True, 0, True, None, item.units)
    point: StrengthPoint = item.flow_point
    arrival = point.date if point.kind == "arrival" else None
    values = [f.value for f in point.figures]
    if not values:
        return (NEG, 0.0, NEG, 0.0, False, 1, False, arrival, ())
    sign = 1 if point.kind == "arrival" else -1
    lo_d, hi_d = sorted((sign * min(values), sign * max(values)))
    return (0.0, lo_d, 0.0, hi_d, True, 1, False, arrival, ())


def _combine_series(a: _Series, b: _Series) -> _Series:
    units = a[8]
    if b[8]:
        have = {k for k, _ in units}
        units = units + tuple(u for u in b[8] if u[0] not in have)
    return (max(b[0], a[0] + b[1]), a[1] + b[1], max(b[2], a[2] + b[3]), a[3] + b[3], a[4] or b[4],
            b[5] if b[6] else a[5] + b[5], a[6] or b[6], a[7] if a[7] is not None else b[7], units)


SERIES = Fold(_SERIES_UNIT, _lift_series, _combine_series)


def _estimate(acc: _Series) -> tuple[float | None, float | None]:
    if not acc[4]:
        return None, None
    return max(acc[0], acc[1]), max(acc[2], acc[3])


_Units = tuple[tuple[str, str], ...]


def _combine_units(a: _Units, b: _Units) -> _Units:
    if not b:
        return a
    have = {k for k, _ in a}
    return a + tuple(u for u in b if u[0] not in have)


_NO_UNITS: _Units = ()
FLOW_UNITS = Fold(_NO_UNITS, lambda e: tuple(e.item.flow_units.items()), _combine_units)


# ------------------------------------------------------------------ the index
def _order_key(v: Version) -> tuple[Any, ...]:
    return (v.sort_key, v.start)


class SectionIndex:
    """The ``Timed`` lists every section draws from, kept as versions come and go."""

    def __init__(self) -> None:
        self.series: dict[str, Timed] = defaultdict(lambda: Timed(SERIES))
        self.stated: dict[str | None, Timed] = defaultdict(Timed)
        self.planned: dict[str, Timed] = defaultdict(Timed)
        self.flows: dict[str, Timed] = defaultdict(lambda: Timed(FLOW_UNITS))
        self.places: dict[str, Timed] = defaultdict(Timed)
        self.acts, self.grants, self.renewals, self.authorisations = Timed(), Timed(), Timed(), Timed()
        self.ends, self.expiries, self.planned_renewals = Timed(), Timed(), Timed()
        self.expiry_span = 0  # the widest expiry claim or planned renewal, in days (bounds a walk back)
        self.figures, self.disputed_stated, self.denied = Timed(), Timed(), Timed()
        self.placed: dict[int, list[tuple[Timed, Entry]]] = {}
        self.stated_of: dict[tuple[str | None, dt.date], list[tuple[Timed, Entry]]] = {}

    def _put(self, where: list[tuple[Timed, Entry]], timed: Timed, key: tuple[Any, ...], since: int,
             until: int, item: Any) -> None:
        if since < until:
            entry = Entry(key, since, until, item)
            timed.add(entry)
            where.append((timed, entry))

    # ---------------------------------------------------------------- versions of merged events
    def add(self, v: Version) -> None:
        where: list[tuple[Timed, Entry]] = []
        self.placed[id(v)] = where
        key = _order_key(v)
        put = self._put
        if v.contradiction is not None:
            put(where, self.figures, key, v.start, v.until, v)
        if v.status == "denied":
            put(where, self.denied, key, v.start, v.until, v)
        if v.flow_country is not None:
            country = v.flow_country
            put(where, self.flows[country], key, v.start, v.until, v)
            point = v.flow_point
            if point is not None:
                if v.flow_from == 0:
                    put(where, self.planned[country], (point.date, *key), v.start, v.until, v)
                elif v.flow_from < FOREVER:
                    put(where, self.series[country], (point.date, 1, *key), max(v.start, v.flow_from),
                        v.until, v)
        if v.control is not None:
            step = v.control[1]
            put(where, self.places[v.control[0]], (step.date or dt.date.min, step.event_id, v.start),
                v.start, v.until, v)
        if v.act is not None:
            self._add_act(where, key, v)

    def _add_act(self, where: list[tuple[Timed, Entry]], key: tuple[Any, ...], v: Version) -> None:
        act = v.act
        assert act is not None
        put = self._put
        put(where, self.acts, key, v.start, v.until, v)
        real = STATUS_GROUP[act.status] == "real" and act.date is not None
        if real and act.action in _GRANTS:
            put(where, self.grants, key, v.start, v.until, v)
            if act.action in ("renew", "extend"):
                put(where, self.renewals, key, v.start, v.until, v)
            else:
                put(where, self.authorisations, key, v.start, v.until, v)
        if real and act.action == "end":
            put(where, self.ends, key, v.start, v.until, v)
        span = (act.date.end - act.date.start).days if act.date is not None else 0
        if act.action == "expire" and act.date is not None:
            put(where, self.expiries, key, v.start, v.until, v)
            self.expiry_span = max(self.expiry_span, span)
        if act.action in ("renew", "extend") and act.status == "planned":
            put(where, self.planned_renewals, key, v.start, v.until, v)
            self.expiry_span = max(self.expiry_span, span)

    def remove(self, v: Version) -> None:
        for timed, entry in self.placed.pop(id(v), ()):
            timed.remove(entry)

    def prepare(self) -> None:
        """``Timed.prepare`` every list: at start-up, so that no request pays for a first visit."""
        for group in (self.series, self.stated, self.planned, self.flows, self.places):
            for timed in group.values():
                timed.prepare()
        for timed in (self.acts, self.grants, self.renewals, self.authorisations, self.ends, self.expiries,
                      self.planned_renewals, self.figures, self.disputed_stated, self.denied):
            timed.prepare()

    # ---------------------------------------------------------------- stated strengths
    def restate(self, key: tuple[str | None, dt.date], claims: list[PersonnelClaim]) -> None:
        """(Re)index the stated strengths of ``key`` (contributor, date) from its current claims."""
        for timed, entry in self.stated_of.pop(key, ()):
            timed.remove(entry)
        if not claims:
            return
        country, date = key
        where: list[tuple[Timed, Entry]] = []
        self.stated_of[key] = where
        for sv in stated_versions(country, date, claims):
            self._put(where, self.stated[country], (date, sv.since), sv.since, sv.until, sv)
            if country is not None:
                self._put(where, self.series[country], (date, 0, sv.since), sv.since, sv.until, sv)
            if sv.disputed and country is not None:
                self._put(where, self.disputed_stated, (country or "", date, sv.since), sv.since, sv.until,
                          sv)


# ------------------------------------------------------------------ one date
class BoundedFold:
    """The picture of one date with history lists cut to ``history`` (equal to ``cut_history`` of the
    full picture), read off a ``SectionIndex``."""

    def __init__(self, index: AsOfIndex, as_of: dt.date, history: int, sources: int | None = None) -> None:
        self.index = index
        self.sections: SectionIndex = index.sections
        self.as_of = as_of
        self.day = as_of.toordinal()
        self.history = history
        self.sources = sources
        self.cut: dict[str, int] = {}
        self.helper = _FoldCache.builders(index.state, as_of)

    def latest(self, path: str, timed: Timed, below: tuple[Any, ...] | None = None) -> list[Entry]:
        total = timed.count(self.day, below)
        return _keep(self.cut, path, total, timed.latest(self.day, self.history, below), self.history)

    def assemble(self, offset: int, limit: int | None) -> tuple[MissionPicture, dict[str, int]]:
        day = self.day
        forces = self.forces()
        mandate = self.mandate()
        territory = self.territory()
        contradictions = self.contradictions()
        h = self.helper
        claims = self.index.claims
        money = h.money_of(claims.money_groups(day, self.sources), self.sources)
        money_kinds: dict[str, list[Contradiction]] = {}
        for c in h.money_contradictions:
            money_kinds.setdefault(c.kind, []).append(c)
        for kind, items in money_kinds.items():
            contradictions += _keep(self.cut, f"contradictions.{kind}", len(items), self._last(items),
                                    self.history)
        denied = self.index.denials_of([e.item for e in self.sections.denied.forwards(day)], day)
        contradictions += _keep(self.cut, "contradictions.denied", len(denied), self._last(denied),
                                self.history)
        people, n_people = claims.people(day, self.history, self.sources)
        people = _keep(self.cut, "people", n_people, people, self.history)
        pic = MissionPicture(
            as_of=self.as_of, reports=self.index.reports(day), mission=knowledge().mission_name,
            forces=forces, mandate=mandate, money=money,
            capabilities=capabilities_of(claims.gap_groups(day, self.sources)), territory=territory,
            people=people,
            timeline=[v.event for v in self.index.order.window(day, offset, limit)],
            contradictions=contradictions)
        return pic, self.cut

    # ---------------------------------------------------------------- forces
    def forces(self) -> Forces:
        s = self.sections
        countries = sorted({c for c in s.stated if c is not None} | set(s.series) | set(s.planned)
                           | set(s.flows))
        contingents = []
        for country in countries:
            c = self.contingent(country)
            if c is not None:
                contingents.append(c)
        totals = [c for c in contingents if c.country != "MIXED" and c.estimate_low is not None]
        mission = s.stated.get(None)
        stated_totals = self.latest("forces.stated_mission_totals", mission) if mission is not None else []
        return Forces(contingents=contingents,
                      total_low=sum(c.estimate_low or 0 for c in totals) if totals else None,
                      total_high=sum(c.estimate_high or 0 for c in totals) if totals else None,
                      stated_mission_totals=[e.item.point(self.sources) for e in stated_totals])

    def contingent(self, country: str) -> Contingent | None:
        s = self.sections
        day = self.day
        series = s.series.get(country)
        planned_t = s.planned.get(country)
        n_series = series.count(day) if series is not None else 0
        n_planned = planned_t.count(day) if planned_t is not None else 0
        if not n_series and not n_planned:
            return None
        path = f"forces.contingents.{country}"
        tail = series.latest(day, max(self.history, 1)) if series is not None else []
        # one fold up to the tail, then the tail itself: the estimates need the state before it
        before = series.fold(day, below=tail[0].key) if series is not None and tail else _SERIES_UNIT
        acc = SERIES.over(tail, before)
        low, high = _estimate(acc)
        points = [_point(e, self.sources) for e in tail]
        series_out = _keep(self.cut, f"{path}.series", n_series, self._last(points), self.history)
        n_estimates, estimates = self.estimates(series, n_series, tail, before) if series is not None \
            else (0, [])
        estimates = _keep(self.cut, f"{path}.estimates", n_estimates, estimates, self.history)
        since_n = acc[5]
        since_out = _keep(self.cut, f"{path}.flows_since_stated", since_n,
                          self._last(points[len(points) - min(since_n, len(points)):]), self.history)
        planned_entries = self.latest(f"{path}.planned", planned_t) if planned_t is not None else []
        stated_t = s.stated.get(country)
        latest_stated = None
        if acc[6] and stated_t is not None:
            found = stated_t.latest(day, 1)
            latest_stated = found[0].item.point(self.sources) if found else None
        units = dict(acc[8])
        flows = s.flows.get(country)
        if flows is not None:
            for k, name in flows.fold(day):
                units.setdefault(k, name)
        name = "several contributors (joint figures)" if country == "MIXED" else \
            knowledge().contributor_name(country)
        return Contingent(
            country=country, country_name=name, units=sorted(units.values()),
            status=contingent_status(points[-1] if points else None, high, acc[7] is not None,
                                     bool(n_planned)),
            first_arrival=acc[7], latest_stated=latest_stated, flows_since_stated=since_out,
            estimate_low=low, estimate_high=high, series=series_out, estimates=estimates,
            planned=[e.item.flow_point for e in planned_entries])

    def _last(self, items: list[Any]) -> list[Any]:
        return items[max(0, len(items) - self.history):] if self.history else []

    def estimates(self, series: Timed, n_series: int, tail: list[Entry], before: _Series
                  ) -> tuple[int, list[EstimatePoint]]:
        """How many running estimates there are (one per point once the estimate exists), and the
        last ``history`` of them (``before``: the series' fold before ``tail``)."""
        day = self.day
        lead = 0
        for e in series.forwards(day):
            if _lift_series(e)[4]:
                break
            lead += 1
        n_estimates = n_series - lead
        want = min(self.history, n_estimates)
        out: list[EstimatePoint] = []
        if want > 0:
            low, high = _estimate(before)
            for n, e in enumerate(tail):
                point = _point(e, self.sources)
                low, high = strength_step(low, high, point)
                if n >= len(tail) - want:
                    assert low is not None and high is not None
                    out.append(EstimatePoint.model_construct(date=point.date, low=low, high=high))
        return n_estimates, out

    # ---------------------------------------------------------------- mandate
    def mandate(self) -> Mandate:
        s = self.sections
        day = self.day
        below = ((self.as_of + dt.timedelta(days=1), ""),)
        grants = s.grants.latest(day, 1, below)
        if not grants:
            planned = [e.item.act for e in self.latest("mandate.renewal_expected", s.planned_renewals)]
            expiry = [e.item.act for e in self.latest("mandate.expiry_claims", s.expiries)]
            return Mandate(status="unknown" if not s.acts.count(day) else "not authorised",
                           expiry_claims=expiry, renewal_expected=planned)
        current: MandateAct = grants[0].item.act
        assert current.date is not None
        if not current.duration_months:
            window = current.date.start - dt.timedelta(days=7)
            for e in s.grants.backwards(day, below):
                act = e.item.act
                if act.date.start < window:
                    break
                if act.duration_months:
                    current = act
                    break
        assert current.date is not None
        authorised = next((e.item.act for e in s.authorisations.forwards(day)
                           if e.item.act.date.start <= self.as_of), None)
        renewal_entries = self.latest("mandate.renewals", s.renewals, below)
        renewals = [e.item.act for e in renewal_entries]
        expires, basis, sources = mandate_expiry(current, (e.item.act for e in s.expiries.forwards(day)))
        end = s.ends.latest(day, 1, below)
        ended = bool(end) and end[0].item.act.date.start >= current.date.start
        status, days = mandate_status(ended, expires, self.as_of)
        last_renewal = s.renewals.latest(day, 1, below)
        renewed_since = bool(last_renewal) and last_renewal[0].item.act.date.start > current.date.start
        expected_all: list[MandateAct] = []
        if not renewed_since:
            floor = current.date.start - dt.timedelta(days=self.sections.expiry_span)
            for e in s.planned_renewals.backwards(day):
                act = e.item.act
                if e.key[0][0] < floor:
                    break
                if act.date is not None and act.date.end >= current.date.start:
                    expected_all.append(act)
            expected_all.reverse()
        expected = _keep(self.cut, "mandate.renewal_expected", len(expected_all), self._last(expected_all),
                         self.history)
        expiry_claims = [e.item.act for e in self.latest("mandate.expiry_claims", s.expiries)]
        return Mandate(status=status, authorised=authorised, renewals=renewals, current=current,
                       expires=expires, expiry_basis=basis, expiry_sources=sources, days_until_expiry=days,
                       renewal_expected=expected, expiry_claims=expiry_claims)

    # ---------------------------------------------------------------- territory
    def territory(self) -> list[TerritoryEntry]:
        day = self.day
        out = []
        for timed in self.sections.places.values():
            n = timed.count(day)
            if not n:
                continue
            entries = timed.latest(day, self.history + 1)
            latest_v = entries[-1].item
            place = latest_v.event.place
            assert place is not None
            trail = [e.item.control[1] for e in entries[:-1]]
            out.append((place, latest_v.control[1], n - 1, trail))
        out.sort(key=lambda t: (-(t[1].date or dt.date.min).toordinal(), t[0].name))
        result = []
        for place, latest, n_trail, trail in out:
            kept = _keep(self.cut, f"territory.{place.name}.trail", n_trail, self._last(trail), self.history)
            result.append(TerritoryEntry(place=place.name, country=place.country, lat=place.lat,
                                         lon=place.lon,
                                         latest=latest, trail=kept))
        return result

    # ---------------------------------------------------------------- contradictions
    def contradictions(self) -> list[Contradiction]:
        s = self.sections
        out = [e.item.contradiction for e in self.latest("contradictions.event figures disagree", s.figures)]
        out += [e.item.made(self.sources)[1] for e in self.latest("contradictions.personnel figures disagree",
                                                    s.disputed_stated)]
        return out


def _point(e: Entry, sources: int | None) -> StrengthPoint:
    item = e.item
    return item.point(sources) if isinstance(item, StatedVersion) else item.flow_point
