"""The picture as of a date: a fold over per-report contributions.

``PictureState`` holds contributions and the incremental timeline index;
``add``/``remove`` touch one report, ``picture(as_of)`` folds. Reports
published after the as-of date are ignored (the picture shows what was known
on that day); merged events keep only the sources known on that day.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from missionwatch.mission.knowledge import knowledge, norm
from missionwatch.mission.model import (
    CapabilityGap,
    Contingent,
    Contradiction,
    Contribution,
    ControlStep,
    DonorTotal,
    EstimatePoint,
    EventClaim,
    Figure,
    Forces,
    Mandate,
    MandateAct,
    MissionPicture,
    Money,
    MoneyClaim,
    MoneyItem,
    Person,
    PersonnelClaim,
    RoleEntry,
    Shortfall,
    Source,
    StrengthPoint,
    TerritoryEntry,
    TimelineEvent,
)
from missionwatch.mission.timeline import STATUS_GROUP, TimelineIndex, blocking_keys, match
from missionwatch.records import DateInterval

_STATUS_RANK = {"occurred": 0, "ongoing": 1, "planned": 2, "hypothetical": 3, "denied": 4}


def _known(report_date: dt.date | None, as_of: dt.date) -> bool:
    return report_date is None or report_date <= as_of


def _source_order(s: Source) -> tuple[dt.date, str, str]:
    return (s.report_date or dt.date.min, s.report_id, s.fact)


def _figures(pairs: Iterable[tuple[float, str | None, Source]]) -> list[Figure]:
    """Group equal values; one Figure per distinct value, each with all its sources."""
    groups: dict[tuple[float, str | None], list[Source]] = {}
    for value, unit, source in pairs:
        groups.setdefault((value, unit), []).append(source)
    return [Figure(value=v, unit=u, sources=sorted(s, key=_source_order))
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
    """Contributions of every report plus the incremental event-merging index."""

    contributions: dict[str, Contribution] = field(default_factory=dict)
    timeline: TimelineIndex = field(default_factory=TimelineIndex)

    def add(self, contribution: Contribution) -> None:
        """Add or replace one report's contribution (compares only with its timeline blocks)."""
        if contribution.report_id in self.contributions:
            self.remove(contribution.report_id)
        self.contributions[contribution.report_id] = contribution
        for claim in contribution.events:
            self.timeline.add(claim)

    def remove(self, report_id: str) -> None:
        if self.contributions.pop(report_id, None) is not None:
            self.timeline.remove_report(report_id)

    def picture(self, as_of: dt.date) -> MissionPicture:
        return _Fold(self, as_of).run()


def build_picture(contributions: Iterable[Contribution], as_of: dt.date) -> MissionPicture:
    """The picture of ``contributions`` as of ``as_of`` (convenience over ``PictureState``)."""
    state = PictureState()
    for c in contributions:
        state.add(c)
    return state.picture(as_of)


class _Fold:
    def __init__(self, state: PictureState, as_of: dt.date) -> None:
        self.state = state
        self.as_of = as_of
        self.known = [c for c in state.contributions.values() if _known(c.report_date, as_of)]
        self.contradictions: list[Contradiction] = []

    def run(self) -> MissionPicture:
        merged = self.merge_events()
        timeline = [m.event for m in merged]
        return MissionPicture(
            as_of=self.as_of, reports=len(self.known), mission=knowledge().mission_name,
            forces=self.forces(merged), mandate=self.mandate(merged), money=self.money(),
            capabilities=self.capabilities(), territory=self.territory(merged), people=self.people(),
            timeline=timeline, contradictions=self.contradictions + self.denials(merged),
        )

    # ---------------------------------------------------------------- timeline
    def merge_events(self) -> list[Merged]:
        out: list[Merged] = []
        for event_id, all_members in self.state.timeline.clusters().items():
            members = [m for m in all_members if _known(m.source.report_date, self.as_of)]
            if not members:
                continue
            status = min((m.status for m in members), key=lambda s: _STATUS_RANK[s])
            date = _best_date(members)
            places = [m.place for m in members if m.place is not None]
            place = min(places, key=lambda p: (p.feature == "country", p.lat is None)) if places else None
            actors: dict[str, str] = {}
            targets: dict[str, str] = {}
            for m in members:
                for a in m.actors:
                    actors.setdefault(norm(a.name), a.name)
                for t in m.targets:
                    targets.setdefault(norm(t.name), t.name)
            attributes: dict = {}
            for m in members:
                for k, v in m.attributes.items():
                    attributes.setdefault(k, v)
            quantities = _figures((m.quantity.value, m.quantity.unit, m.source) for m in members
                                  if m.quantity is not None)
            event = TimelineEvent(
                id=event_id, type=members[0].type, status=status, date=date, place=place,
                actors=list(actors.values()), targets=list(targets.values()), quantities=quantities,
                attributes=attributes, sources=sorted((m.source for m in members), key=_source_order),
                members=[m.key for m in members])
            if len(quantities) > 1:
                self.contradictions.append(Contradiction(
                    kind="event figures disagree", subject=f"{event.type} {event_id}",
                    detail=f"{len(quantities)} different figures for one {event.type.lower()} event",
                    claims=quantities))
            out.append(Merged(event, members))
        out.sort(key=lambda m: (m.event.date.start if m.event.date else (m.when or dt.date.max), m.event.id))
        return out

    def denials(self, merged: list[Merged]) -> list[Contradiction]:
        """A denied event that would match a reported one (status aside) is an open contradiction."""
        index = {k: m for m in merged for k in m.event.members}
        out: list[Contradiction] = []
        blocks = self.state.timeline.blocks
        for m in merged:
            if m.event.status != "denied":
                continue
            seen: set[str] = set()
            for claim in m.members:
                probe = claim.model_copy(update={"status": "occurred"})
                for block in blocking_keys(probe):
                    for other_key in sorted(blocks.get(block, ())):
                        other = index.get(other_key)
                        if other is None or other.event.id in seen or STATUS_GROUP[other.event.status] != "real":
                            continue
                        if match(probe, self.state.timeline.claims[other_key]).matched:
                            seen.add(other.event.id)
                            out.append(Contradiction(
                                kind="denied", subject=f"{m.event.type} {other.event.id}",
                                detail=f"reported by {len(other.event.sources)} source(s), denied by "
                                       f"{len(m.event.sources)} (denial {m.event.id})",
                                claims=[Figure(value=1, unit="reported", sources=other.event.sources),
                                        Figure(value=0, unit="denied", sources=m.event.sources)]))
        return out

    # ---------------------------------------------------------------- forces
    def forces(self, merged: list[Merged]) -> Forces:
        k = knowledge()
        stated: dict[str | None, dict[dt.date, list[PersonnelClaim]]] = defaultdict(lambda: defaultdict(list))
        for c in self.known:
            for p in c.personnel:
                if p.date is not None and p.date <= self.as_of:
                    stated[p.country][p.date].append(p)
        points: dict[str, list[StrengthPoint]] = defaultdict(list)
        planned: dict[str, list[StrengthPoint]] = defaultdict(list)
        units: dict[str, dict[str, str]] = defaultdict(dict)
        for country, by_date in stated.items():
            if country is None:
                continue
            for date, claims in by_date.items():
                figures = _figures((p.value, None, p.source) for p in claims)
                points[country].append(StrengthPoint(date=date, kind="stated", figures=figures))
                for p in claims:
                    if p.unit and norm(p.unit) != norm(k.contributor_name(country)):
                        units[country].setdefault(norm(p.unit), p.unit)
                if len(figures) > 1:
                    self.contradictions.append(Contradiction(
                        kind="personnel figures disagree", subject=f"{k.contributor_name(country)} on {date}",
                        detail=f"{len(figures)} different strengths stated for the same date", claims=figures))
        mission_totals = [StrengthPoint(date=d, kind="stated", figures=_figures((p.value, None, p.source)
                                                                               for p in claims))
                          for d, claims in sorted(stated.get(None, {}).items())]

        for m in merged:
            ev = m.event
            if ev.type not in ("DEPLOY", "WITHDRAW"):
                continue
            countries = {a.country for mem in m.members for a in mem.actors if a.country}
            countries |= k.contributors_in(*(mem.quantity.subject for mem in m.members if mem.quantity))
            if not countries:
                continue
            country = countries.pop() if len(countries) == 1 else "MIXED"
            for mem in m.members:
                for a in mem.actors:
                    if a.country and a.type != "COUNTRY" and (a.country == country or country == "MIXED"):
                        units[country].setdefault(norm(a.name), a.name)
            when = m.when
            if when is None:
                continue
            figures = [f for f in ev.quantities]
            kind = "arrival" if ev.type == "DEPLOY" else "departure"
            group = STATUS_GROUP[ev.status]
            if group == "planned":
                planned[country].append(StrengthPoint(date=when, kind=kind, figures=figures, event_id=ev.id))
            elif group == "real" and when <= self.as_of:
                if ev.status == "ongoing" and all(mem.status == "ongoing" for mem in m.members):
                    continue  # "400 on the ground": a stock, already among the stated figures
                points[country].append(StrengthPoint(date=when, kind=kind, figures=figures, event_id=ev.id))

        contingents: list[Contingent] = []
        for country in sorted(set(points) | set(planned)):
            series = sorted(points.get(country, []), key=lambda p: (p.date, p.kind != "stated"))
            contingents.append(self.contingent(country, series, planned.get(country, []), units[country]))
        totals = [c for c in contingents if c.country != "MIXED" and c.estimate_low is not None]
        return Forces(contingents=contingents,
                      total_low=sum(c.estimate_low or 0 for c in totals) if totals else None,
                      total_high=sum(c.estimate_high or 0 for c in totals) if totals else None,
                      stated_mission_totals=mission_totals)

    def contingent(self, country: str, series: list[StrengthPoint], planned: list[StrengthPoint],
                   units: dict[str, str]) -> Contingent:
        name = "several contributors (joint figures)" if country == "MIXED" else knowledge().contributor_name(country)
        low: float | None = None
        high: float | None = None
        latest_stated: StrengthPoint | None = None
        since: list[StrengthPoint] = []
        estimates: list[EstimatePoint] = []
        for point in series:
            values = [f.value for f in point.figures]
            if point.kind == "stated":
                latest_stated, since = point, []
                low, high = min(values), max(values)
            else:
                since.append(point)
                if values:
                    sign = 1 if point.kind == "arrival" else -1
                    lo_d, hi_d = sorted((sign * min(values), sign * max(values)))
                    low, high = max(0.0, (low or 0) + lo_d), max(0.0, (high or 0) + hi_d)
            if low is not None and high is not None:
                estimates.append(EstimatePoint(date=point.date, low=low, high=high))
        arrivals = [p.date for p in series if p.kind == "arrival"]
        if series and series[-1].kind == "departure" and high == 0:
            status = "withdrawn"
        elif arrivals or (high or 0) > 0:
            status = "in theatre"
        elif planned:
            status = "pledged"
        else:
            status = "reported"
        return Contingent(country=country, country_name=name, units=sorted(units.values()), status=status,
                          first_arrival=min(arrivals) if arrivals else None, latest_stated=latest_stated,
                          flows_since_stated=since, estimate_low=low, estimate_high=high, series=series,
                          estimates=estimates, planned=sorted(planned, key=lambda p: p.date))

    # ---------------------------------------------------------------- mandate
    def mandate(self, merged: list[Merged]) -> Mandate:
        acts: list[MandateAct] = []
        for m in merged:
            if m.event.type != "MANDATE":
                continue
            durations = [mem.duration_months for mem in m.members if mem.duration_months]
            acts.append(MandateAct(event_id=m.event.id, action=str(m.event.attributes.get("action", "unknown")),
                                   status=m.event.status, date=m.event.date, by=m.event.actors,
                                   duration_months=max(durations) if durations else None,
                                   sources=m.event.sources))
        real = [a for a in acts if STATUS_GROUP[a.status] == "real" and a.date is not None
                and a.date.start <= self.as_of]
        granting = sorted((a for a in real if a.action in ("authorize", "authorise", "renew", "extend")),
                          key=lambda a: a.date.start)  # type: ignore[union-attr]
        authorised = next((a for a in granting if a.action in ("authorize", "authorise")), None)
        renewals = [a for a in granting if a.action in ("renew", "extend")]
        current = granting[-1] if granting else None
        expiry_claims = [a for a in acts if a.action == "expire" and a.date is not None]
        if current is None:
            return Mandate(status="unknown" if not acts else "not authorised", expiry_claims=expiry_claims,
                           renewal_expected=[a for a in acts if a.action in ("renew", "extend")
                                             and a.status == "planned"])
        assert current.date is not None
        computed = None
        if current.duration_months:
            computed = _add_months(current.date.start, current.duration_months)
        after = [a for a in expiry_claims if a.date and a.date.start > current.date.start
                 and (computed is None or a.date.end >= computed - dt.timedelta(days=45))]
        expires: DateInterval | None = None
        basis: str | None = None
        sources: list[Source] = []
        if after:
            best = max(after, key=lambda a: (a.date.start, -(a.date.end - a.date.start).days))  # type: ignore[union-attr]
            expires, sources = best.date, best.sources
            basis = f"stated expiry ({len(best.sources)} source(s))"
        elif computed is not None:
            expires = DateInterval(start=computed, end=computed, precision="day",
                                   text=f"{current.action} {current.date.start} + {current.duration_months} months")
            basis = f"computed: {current.action} on {current.date.start} for {current.duration_months} months"
            sources = current.sources
        ended = [a for a in real if a.action == "end" and a.date.start >= current.date.start]  # type: ignore[union-attr]
        days = (expires.start - self.as_of).days if expires else None
        if ended:
            status = "ended"
        elif expires is not None and self.as_of > expires.end:
            status = "expired"
        elif days is not None and days <= 30:
            status = "expiring"
        else:
            status = "active"
        expected = [a for a in acts if a.action in ("renew", "extend") and a.status == "planned"
                    and a.date is not None and a.date.end >= current.date.start
                    and not any(r.date and r.date.start > current.date.start for r in renewals)]
        return Mandate(status=status, authorised=authorised, renewals=renewals, current=current, expires=expires,
                       expiry_basis=basis, expiry_sources=sources, days_until_expiry=days,
                       renewal_expected=expected, expiry_claims=expiry_claims)

    # ---------------------------------------------------------------- money
    def money(self) -> Money:
        groups: dict[tuple, list[MoneyClaim]] = defaultdict(list)
        for c in self.known:
            for claim in c.money:
                amount = claim.usd_per_month if claim.usd_per_month is not None else \
                    claim.usd if claim.usd is not None else claim.value
                key = (claim.cls, norm(claim.donor), _sig(amount), claim.usd_per_month is not None,
                       claim.unit if claim.usd is None and claim.usd_per_month is None else "USD")
                groups[key].append(claim)
        items: list[MoneyItem] = []
        for claims in groups.values():
            first = min(claims, key=lambda c: _source_order(c.source))
            items.append(MoneyItem(cls=first.cls, donor=first.donor, value=first.value, unit=first.unit,
                                   per=first.per, period_count=first.period_count, usd=first.usd,
                                   usd_per_month=first.usd_per_month, first_reported=first.source.report_date,
                                   sources=sorted((c.source for c in claims), key=_source_order)))
        items.sort(key=lambda i: (i.first_reported or dt.date.min, i.cls, i.value))
        costs = [i for i in items if i.cls == "cost"]
        rates = [i for i in costs if i.usd_per_month is not None]
        monthly: list[Figure] = []
        if rates:
            latest = max(s.report_date or dt.date.min for i in rates for s in i.sources)
            at_latest = [i for i in rates if any((s.report_date or dt.date.min) == latest for s in i.sources)]
            monthly = [Figure(value=round(i.usd_per_month or 0, 2), unit="USD/month", sources=i.sources)
                       for i in at_latest]
            if len(monthly) > 1:
                self.contradictions.append(Contradiction(
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
            shortfall = Shortfall(
                usd=round(annual - pledged, 2),
                basis=f"derived: latest running cost ${annual / 1e6:,.1f}M a year (12 × monthly) minus "
                      f"${pledged / 1e6:,.1f}M pledged or contributed",
                sources=[s for f in monthly for s in f.sources]
                + [s for d in pledges + contributions for i in d.items for s in i.sources])
        return Money(costs=costs, monthly_cost_usd=monthly, pledges_by_donor=pledges,
                     contributions_by_donor=contributions,
                     pledged_total_usd=pledged if (pledges or contributions) else None,
                     stated_shortfalls=[i for i in items if i.cls == "shortfall"], derived_shortfall=shortfall,
                     unconverted=[i for i in items if i.usd is None and i.usd_per_month is None])

    # ---------------------------------------------------------------- capabilities
    def capabilities(self) -> list[CapabilityGap]:
        groups: dict[str, list[Source]] = defaultdict(list)
        for c in self.known:
            for gap in c.gaps:
                groups[gap.capability].append(gap.source)
        out = []
        for name, sources in sorted(groups.items()):
            dates = [s.report_date for s in sources if s.report_date]
            out.append(CapabilityGap(capability=name, first_reported=min(dates) if dates else None,
                                     last_reported=max(dates) if dates else None,
                                     sources=sorted(sources, key=_source_order)))
        return out

    # ---------------------------------------------------------------- territory
    def territory(self, merged: list[Merged]) -> list[TerritoryEntry]:
        steps: dict[str, list[tuple[Merged, ControlStep]]] = defaultdict(list)
        for m in merged:
            ev = m.event
            if ev.type != "CONTROL" or ev.place is None or STATUS_GROUP[ev.status] != "real":
                continue
            direction = str(ev.attributes.get("direction", "unknown"))
            armed = any(a.type == "ARMED_GROUP" for mem in m.members for a in mem.actors)
            if direction not in ("gained", "lost"):
                holder = "unknown"
            elif (direction == "gained") != armed:
                holder = "mission and police"
            else:
                holder = "armed groups"
            step = ControlStep(event_id=ev.id, date=m.when, direction=direction, holder=holder,  # type: ignore[arg-type]
                               actors=ev.actors, status=ev.status, sources=ev.sources)
            steps[ev.place.key].append((m, step))
        out = []
        for entries in steps.values():
            entries.sort(key=lambda e: (e[1].date or dt.date.min, e[1].event_id))
            place = entries[-1][0].event.place
            assert place is not None
            out.append(TerritoryEntry(place=place.name, country=place.country, lat=place.lat, lon=place.lon,
                                      latest=entries[-1][1], trail=[s for _, s in entries[:-1]]))
        return sorted(out, key=lambda t: (-(t.latest.date or dt.date.min).toordinal(), t.place))

    # ---------------------------------------------------------------- people
    def people(self) -> list[Person]:
        owner: dict[str, str] = {}  # name key -> canonical person key
        names: dict[str, str] = {}
        roles: dict[str, dict[str, list[Source]]] = defaultdict(lambda: defaultdict(list))
        role_text: dict[tuple[str, str], str] = {}
        for c in sorted(self.known, key=lambda c: (c.report_date or dt.date.min, c.report_id)):
            for r in c.roles:
                person = next((owner[k] for k in r.keys if k in owner), None) or norm(r.person)
                names.setdefault(person, r.person)
                for key in r.keys:
                    owner.setdefault(key, person)
                roles[person][norm(r.role)].append(r.source)
                role_text.setdefault((person, norm(r.role)), r.role)
        out = []
        for person, by_role in roles.items():
            entries = []
            for role_key, sources in by_role.items():
                dates = [s.report_date for s in sources if s.report_date]
                entries.append(RoleEntry(role=role_text[(person, role_key)],
                                         first_reported=min(dates) if dates else None,
                                         last_reported=max(dates) if dates else None,
                                         sources=sorted(sources, key=_source_order)))
            entries.sort(key=lambda e: (e.last_reported or dt.date.min, e.role))
            latest = entries[-1].last_reported
            out.append(Person(name=names[person], roles=entries,
                              current_roles=[e.role for e in entries if e.last_reported == latest]))
        return sorted(out, key=lambda p: p.name)


def _sig(value: float, digits: int = 3) -> float:
    """Round to significant digits so '$200 million' and '$200.0 million' group together."""
    if value == 0 or not math.isfinite(value):
        return 0.0
    return round(value, -int(math.floor(math.log10(abs(value)))) + digits - 1)


def _add_months(date: dt.date, months: int) -> dt.date:
    y, m = divmod(date.month - 1 + months, 12)
    year, month = date.year + y, m + 1
    for day in (date.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")
