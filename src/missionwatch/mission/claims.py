"""Money, capability gaps and people as of a date, without reading every claim.

These sections are functions of the claims known on a date (their report is dated on or before
it, or undated). ``ClaimsIndex`` keeps each money item's claims and each capability's sources in
source order (the earliest report first), so what a date knows of a group is a prefix found by a
bisect; and the people folded once over every role claim in report order (``PeopleResolver``),
which a date cuts to the persons named by then, each role to the sources known. A request costs
the groups and the people it shows, not the claims behind them.

The reference is the fold over the known contributions (``picture._FoldCache``); the property
tests compare the two.
"""

from __future__ import annotations

import bisect
import datetime as dt
from typing import Any

from missionwatch.mission.knowledge import norm
from missionwatch.mission.model import Contribution, MoneyClaim, Person, Source, first_sources
from missionwatch.mission.picture import (
    PeopleResolver,
    ResolvedPerson,
    _source_order,
    latest_people,
    money_key,
    person_of,
)


def _day(report_date: dt.date | None) -> int:
    return 0 if report_date is None else report_date.toordinal()


class _Prefixed:
    """Sources in key order with their report days (non-decreasing), and the claim each comes from:
    what a day knows is a prefix."""

    __slots__ = ("keys", "days", "sources", "claims")

    def __init__(self) -> None:
        self.keys: list[tuple[Any, ...]] = []
        self.days: list[int] = []
        self.sources: list[Source] = []
        self.claims: list[Any] = []

    def add(self, key: tuple[Any, ...], day: int, source: Source, claim: Any) -> None:
        i = bisect.bisect_right(self.keys, key)
        self.keys.insert(i, key)
        self.days.insert(i, day)
        self.sources.insert(i, source)
        self.claims.insert(i, claim)

    def remove(self, key: tuple[Any, ...]) -> None:
        i = bisect.bisect_left(self.keys, key)
        if i < len(self.keys) and self.keys[i] == key:
            del self.keys[i], self.days[i], self.sources[i], self.claims[i]

    def known(self, day: int) -> int:
        return bisect.bisect_right(self.days, day)


def _key(source: Source, position: int) -> tuple[Any, ...]:
    # ties within a report keep the report's own order, as the reference's stable sort does
    return (*_source_order(source), position)


class _People:
    """Every role claim folded in report order, with each person's first day and every claim's day."""

    def __init__(self, ordered: list[Contribution]) -> None:
        self.resolver = PeopleResolver()
        self.first_days: list[int] = []        # per person, in order of first appearance
        self.position: dict[str, int] = {}     # person key -> that order
        self.days: list[int] = []              # per role claim, in report order
        self.who: list[ResolvedPerson] = []
        self.last: tuple[dt.date, str] | None = None
        for c in ordered:
            self.append(c)

    def append(self, c: Contribution) -> None:
        day = _day(c.report_date)
        touched: dict[int, list[Source]] = {}
        for r in c.roles:
            person = self.resolver.add(r)
            if person.key not in self.position:
                self.position[person.key] = len(self.first_days)
                self.first_days.append(day)
            self.days.append(day)
            self.who.append(person)
            sources = person.roles[norm(r.role)][1]
            touched[id(sources)] = sources
        # each role's sources in source order, as the picture lists them: reports come in order, so
        # only this report's own sources (at the end) may need it
        for sources in touched.values():
            start = len(sources)
            while start and sources[start - 1].report_id == c.report_id:
                start -= 1
            if len(sources) - start > 1:
                sources[start:] = sorted(sources[start:], key=_source_order)
        self.last = _report_order(c)

    def count(self, day: int) -> int:
        return bisect.bisect_right(self.first_days, day)

    def recent(self, day: int, n: int) -> list[ResolvedPerson]:
        """The ``n`` people reported most recently on ``day`` as ``latest_people`` ranks them (by their
        last report's date, then by name), in order of first appearance."""
        last_day: dict[str, int] = {}
        people: dict[str, ResolvedPerson] = {}
        if n <= 0:
            return []
        boundary = None
        for i in range(bisect.bisect_right(self.days, day) - 1, -1, -1):
            if boundary is not None and self.days[i] < boundary:
                break
            person = self.who[i]
            if person.key not in people:
                people[person.key] = person
                last_day[person.key] = self.days[i]
                if len(people) == n:
                    boundary = self.days[i]
        # a busy day names hundreds: of the people last named on the boundary day, the names that rank
        chosen = [p for p in people.values() if last_day[p.key] != boundary]
        tied = sorted((p for p in people.values() if last_day[p.key] == boundary),
                      key=lambda p: (p.name, self.position[p.key]))
        chosen += tied[len(tied) - (n - len(chosen)):] if n > len(chosen) else []
        return sorted(chosen, key=lambda p: self.position[p.key])


def _report_order(c: Contribution) -> tuple[dt.date, str]:
    return (c.report_date or dt.date.min, c.report_id)


class ClaimsIndex:
    """Money items, capability gaps and people of every contribution, kept as reports come and go."""

    def __init__(self) -> None:
        self.money: dict[tuple[Any, ...], _Prefixed] = {}
        self.gaps: dict[str, _Prefixed] = {}
        self.with_roles: dict[str, Contribution] = {}
        self._people: _People | None = None

    def add(self, c: Contribution) -> None:
        day = _day(c.report_date)
        for i, claim in enumerate(c.money):
            self.money.setdefault(money_key(claim), _Prefixed()).add(_key(claim.source, i), day, claim.source,
                                                                     claim)
        for i, gap in enumerate(c.gaps):
            self.gaps.setdefault(gap.capability, _Prefixed()).add(_key(gap.source, i), day, gap.source, gap)
        if c.roles:
            self.with_roles[c.report_id] = c
            people = self._people
            if people is not None and people.last is not None and _report_order(c) > people.last:
                people.append(c)  # the usual case: a new report is the latest
            else:
                self._people = None

    def remove(self, c: Contribution) -> None:
        for i, claim in enumerate(c.money):
            self._drop(self.money, money_key(claim), _key(claim.source, i))
        for i, gap in enumerate(c.gaps):
            self._drop(self.gaps, gap.capability, _key(gap.source, i))
        if self.with_roles.pop(c.report_id, None) is not None:
            self._people = None

    @staticmethod
    def _drop(groups: dict[Any, _Prefixed], group: Any, key: tuple[Any, ...]) -> None:
        found = groups.get(group)
        if found is not None:
            found.remove(key)
            if not found.keys:
                del groups[group]

    # ---------------------------------------------------------------- one date
    def money_groups(self, day: int, first: int | None = None) -> list[tuple[MoneyClaim, list[Source]]]:
        """Each money item known on ``day``: its first claim and its sources known by then (with
        ``first``, as ``first_sources``: a restated sum has a source per report)."""
        return [(group.claims[0], first_sources(group.sources, n, first))
                for group in self.money.values() if (n := group.known(day))]

    def gap_groups(self, day: int, first: int | None = None) -> dict[str, list[Source]]:
        return {name: first_sources(group.sources, n, first)
                for name, group in self.gaps.items() if (n := group.known(day))}

    def people(self, day: int, history: int, first: int | None = None) -> tuple[list[Person], int]:
        """The latest ``history`` people known on ``day`` (as ``latest_people`` picks them) in name
        order, and how many are known (``first``: each role's sources as ``first_sources``)."""
        people = self._people
        if people is None:
            people = self._people = _People(sorted(self.with_roles.values(), key=_report_order))
        total = people.count(day)
        chosen = people.recent(day, history)

        def known(sources: list[Source]) -> list[Source]:
            n = bisect.bisect_right(sources, day, key=lambda s: _day(s.report_date))
            return first_sources(sources, n, first)

        out = sorted((person_of(p, known, in_order=True) for p in chosen), key=lambda p: p.name)
        return latest_people(out, history), total
