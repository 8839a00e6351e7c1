"""Typed records of the mission picture and of one report's contribution to it.

Two layers:

* ``Contribution``: what ONE report (after analyst reviews) says that matters
  to the picture, reduced from its ``Extraction``. It depends only on that
  report, so it is cached per (report, extractor version, review version) and
  never recomputed when other reports arrive.
* ``MissionPicture``: the fold of all contributions known on an as-of date.

Every figure and statement in the picture carries ``Source`` records: which
report, its date and outlet, and the quoted evidence words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    WrapSerializer,
)

from missionwatch.records import DateInterval

CONTRIBUTION_VERSION = "mission-contrib/3"


_COMPLETE_FIELDS: dict[type[BaseModel], set[str]] = {}


def share_fields_set(record: BaseModel) -> None:
    """Give ``record`` its class's one complete fields set if every field was given.

    Pydantic keeps a set of the fields given for every instance (728 bytes from five fields up),
    read only by ``exclude_unset`` and ``model_fields_set``, which nothing here uses. Records with
    every field given can share one set per class: adding a name it already holds changes nothing,
    and a copy gets its own set."""
    complete = _COMPLETE_FIELDS.get(type(record))
    if complete is None:
        complete = _COMPLETE_FIELDS[type(record)] = set(type(record).model_fields)
    if record.__pydantic_fields_set__ == complete:
        object.__setattr__(record, "__pydantic_fields_set__", complete)


def has_shared_fields_set(record: BaseModel) -> bool:
    return record.__pydantic_fields_set__ is _COMPLETE_FIELDS.get(type(record))


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @classmethod
    def model_construct(cls, _fields_set: set[str] | None = None, **values: Any) -> Self:
        """As pydantic's, sharing the fields set when every field is given: the picture's indexes
        hold hundreds of thousands of records built this way (timeline events, figures, points)."""
        record = super().model_construct(_fields_set, **values)
        if _fields_set is None:
            share_fields_set(record)
        return record


class Source(Model):
    """Where a statement comes from: the report, its date, its outlet, and the quoted words."""

    report_id: str
    report_date: dt.date | None = None
    outlet: str | None = None
    quote: str
    #: The fact inside the report: ``event:<id>``, ``quantity:<id>``, ``entity:<id>`` or ``text:<start>``.
    fact: str


# --------------------------------------------------------------------------- contributions

class ActorRef(Model):
    name: str
    type: str
    #: Normalised name and aliases, plus ``country:XX`` for a contributing country.
    keys: list[str] = Field(default_factory=list)
    country: str | None = None


class PlaceRef(Model):
    name: str
    key: str
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    feature: str = "other"
    geonames_id: int | None = None


class QuantityRef(Model):
    kind: str
    value: float
    unit: str | None = None
    per: str | None = None
    period_count: float | None = None
    subject: str | None = None


class EventClaim(Model):
    """One event as one report tells it."""

    key: str  # "<report_id>:<event_id>", unique across the store
    type: str
    status: str
    date: DateInterval | None = None
    place: PlaceRef | None = None
    actors: list[ActorRef] = Field(default_factory=list)
    targets: list[ActorRef] = Field(default_factory=list)
    quantity: QuantityRef | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    duration_months: int | None = None  # MANDATE: "for another year" -> 12
    confidence: float = 0.5
    source: Source


class PersonnelClaim(Model):
    """A stated number of a contributor's personnel in theatre (a stock, not an arrival)."""

    country: str | None  # None: the mission as a whole
    unit: str | None = None
    value: float
    date: dt.date | None
    source: Source


class MoneyClaim(Model):
    cls: Literal["cost", "pledge", "contribution", "shortfall", "other"]
    donor: str | None = None
    value: float
    unit: str | None = None
    per: str | None = None
    period_count: float | None = None
    usd: float | None = None            # a sum in USD (money) ...
    usd_per_month: float | None = None  # ... or a rate in USD per month (money_rate)
    source: Source


class GapClaim(Model):
    capability: str
    source: Source


class RoleClaim(Model):
    person: str
    keys: list[str]
    role: str
    source: Source


_Part = TypeVar("_Part", PlaceRef, ActorRef, DateInterval)


class Contribution(Model):
    """Everything one report adds to the picture (pure function of the reviewed extraction)."""

    version: str = CONTRIBUTION_VERSION
    report_id: str
    report_date: dt.date | None = None
    outlet: str | None = None
    cache_key: str
    events: list[EventClaim] = Field(default_factory=list)
    personnel: list[PersonnelClaim] = Field(default_factory=list)
    money: list[MoneyClaim] = Field(default_factory=list)
    gaps: list[GapClaim] = Field(default_factory=list)
    roles: list[RoleClaim] = Field(default_factory=list)


class SharedParts:
    """Memory a picture's contributions need not take twice: repeated parts, and pydantic's
    per-instance record of which fields were given.

    * One object per distinct place, actor and date interval. Each cached contribution parsed at
      start-up brings its own ``PlaceRef``, ``ActorRef`` and ``DateInterval`` for every event,
      although a theatre has a few hundred places and actors.
    * Pydantic's per-instance set of the fields given (``share_fields_set``): a contribution read
      from the cache has every field given (it was written whole), so its records share one set per
      class.

    At 220,000 synthetic reports (988,878 events) a server's start-up peaked at 13.6 GB before and
    7.9 GB after (``bench/results/mission.md``). Sharing is safe because a contribution's parts are
    never changed once it is built (the picture makes new records; ``tests/test_mission_store.py``
    checks that building pictures leaves every contribution as it was).
    """

    def __init__(self) -> None:
        self._seen: dict[tuple[Any, ...], BaseModel] = {}

    def _one(self, part: _Part) -> _Part:
        key = (type(part), *(tuple(v) if isinstance(v, list) else v for v in part.__dict__.values()))
        seen = self._seen.setdefault(key, part)
        if seen is part:
            share_fields_set(part)
        return seen  # type: ignore[return-value]

    def share(self, contribution: Contribution) -> None:
        if has_shared_fields_set(contribution):
            return  # shared already: a cached contribution is shared as it is parsed, then added
        share_fields_set(contribution)
        for event in contribution.events:
            share_fields_set(event)
            share_fields_set(event.source)
            if event.place is not None:
                event.place = self._one(event.place)
            if event.date is not None:
                event.date = self._one(event.date)
            if event.actors:
                event.actors = [self._one(a) for a in event.actors]
            if event.targets:
                event.targets = [self._one(t) for t in event.targets]
        claims: list[PersonnelClaim | MoneyClaim | GapClaim | RoleClaim] = [
            *contribution.personnel, *contribution.money, *contribution.gaps, *contribution.roles]
        for claim in claims:
            share_fields_set(claim)
            share_fields_set(claim.source)


# --------------------------------------------------------------------------- picture

@dataclass
class EvidenceCut:
    """Pass as ``context={"evidence": EvidenceCut(limit)}`` to a picture's ``model_dump_json``: every
    evidence list (``sources``, ``expiry_sources``, a timeline event's ``members``) is written with
    its first ``limit`` entries (the earliest reports), and the cut is counted here. Cutting while
    encoding costs nothing more than the encoding: a busy day's figure is stated by hundreds of
    reports, and copying the picture to shorten them cost as much as building it."""

    limit: int
    lists: int = 0
    left_out: int = 0


class FirstSources(list[Source]):
    """The first sources of a longer evidence list, standing for all ``total`` of them, with the
    first and last report dates of them all: what a picture built for one ``EvidenceCut`` limit
    holds, so that a date's share of a figure restated by thousands of reports is cut where it is
    read instead of copied whole. Only meaningful encoded with that cut, which counts the entries
    left out from ``total``."""

    __slots__ = ("total", "span")

    def __init__(self, first: list[Source], total: int, span: tuple[dt.date | None, dt.date | None]) -> None:
        super().__init__(first)
        self.total = total
        self.span = span


def first_sources(sources: list[Source], known: int, limit: int | None) -> list[Source]:
    """The first ``known`` of ``sources`` (in source order), as a ``FirstSources`` of ``limit``
    entries when longer."""
    if limit is None or known <= limit:
        return sources[:known]
    return FirstSources(sources[:limit], known, reported(sources, known))


def evidence_total(sources: list[Source]) -> int:
    return sources.total if isinstance(sources, FirstSources) else len(sources)


def reported(sources: list[Source], known: int | None = None) -> tuple[dt.date | None, dt.date | None]:
    """First and last report dates of (the first ``known`` of) ``sources``, in source order: undated
    ones come first, so this walks only those."""
    if isinstance(sources, FirstSources):
        return sources.span
    n = len(sources) if known is None else known
    first = next((sources[i].report_date for i in range(n) if sources[i].report_date is not None), None)
    return first, sources[n - 1].report_date if n else None


def _first_entries(value: list[Any], handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
    cut = info.context.get("evidence") if isinstance(info.context, dict) else None
    if isinstance(cut, EvidenceCut):
        total = value.total if isinstance(value, FirstSources) else len(value)
        if total > cut.limit:
            cut.lists += 1
            cut.left_out += total - cut.limit
            value = value[:cut.limit]
    return handler(value)


#: An evidence list (see ``EvidenceCut``).
Evidence = Annotated[list[Source], WrapSerializer(_first_entries)]
MemberKeys = Annotated[list[str], WrapSerializer(_first_entries)]


class Figure(Model):
    """One value and the sources that state it."""

    value: float
    unit: str | None = None
    sources: Evidence


class StrengthPoint(Model):
    """Personnel of one contingent on one date. Several figures = sources disagree."""

    date: dt.date
    kind: Literal["stated", "arrival", "departure"]
    figures: list[Figure]
    event_id: str | None = None

    @property
    def disputed(self) -> bool:
        return len(self.figures) > 1


class EstimatePoint(Model):
    """The running estimate of a contingent's strength just after ``date``."""

    date: dt.date
    low: float
    high: float


ContingentStatus = Literal["in theatre", "withdrawn", "pledged", "reported"]
MandateStatus = Literal["active", "expiring", "expired", "ended", "not authorised", "unknown"]


class Contingent(Model):
    country: str  # ISO code, or "MIXED" for flows shared by several contributors
    country_name: str
    units: list[str] = Field(default_factory=list)
    status: ContingentStatus
    first_arrival: dt.date | None = None
    latest_stated: StrengthPoint | None = None
    flows_since_stated: list[StrengthPoint] = Field(default_factory=list)
    #: Latest stated strength plus arrivals minus departures since; a range when sources disagree.
    estimate_low: float | None = None
    estimate_high: float | None = None
    series: list[StrengthPoint] = Field(default_factory=list)
    estimates: list[EstimatePoint] = Field(default_factory=list)
    planned: list[StrengthPoint] = Field(default_factory=list)


class Forces(Model):
    contingents: list[Contingent] = Field(default_factory=list)
    total_low: float | None = None
    total_high: float | None = None
    stated_mission_totals: list[StrengthPoint] = Field(default_factory=list)


class MandateAct(Model):
    event_id: str
    action: str
    status: str
    date: DateInterval | None
    by: list[str] = Field(default_factory=list)
    duration_months: int | None = None
    sources: Evidence


class Mandate(Model):
    status: MandateStatus
    authorised: MandateAct | None = None
    renewals: list[MandateAct] = Field(default_factory=list)
    current: MandateAct | None = None
    expires: DateInterval | None = None
    expiry_basis: str | None = None
    expiry_sources: Evidence = Field(default_factory=list)
    days_until_expiry: int | None = None
    renewal_expected: list[MandateAct] = Field(default_factory=list)
    expiry_claims: list[MandateAct] = Field(default_factory=list)


class MoneyItem(Model):
    cls: str
    donor: str | None = None
    value: float
    unit: str | None = None
    per: str | None = None
    period_count: float | None = None
    usd: float | None = None
    usd_per_month: float | None = None
    first_reported: dt.date | None = None
    sources: Evidence


class DonorTotal(Model):
    donor: str
    usd: float
    items: list[MoneyItem]


class Shortfall(Model):
    usd: float
    basis: str
    sources: Evidence


class Money(Model):
    costs: list[MoneyItem] = Field(default_factory=list)
    #: The latest stated running cost in USD per month (several figures = disagreement).
    monthly_cost_usd: list[Figure] = Field(default_factory=list)
    pledges_by_donor: list[DonorTotal] = Field(default_factory=list)
    contributions_by_donor: list[DonorTotal] = Field(default_factory=list)
    pledged_total_usd: float | None = None
    stated_shortfalls: list[MoneyItem] = Field(default_factory=list)
    derived_shortfall: Shortfall | None = None
    unconverted: list[MoneyItem] = Field(default_factory=list)


class CapabilityGap(Model):
    capability: str
    first_reported: dt.date | None
    last_reported: dt.date | None
    sources: Evidence


class ControlStep(Model):
    event_id: str
    date: dt.date | None
    direction: str
    holder: Literal["mission and police", "armed groups", "unknown"]
    actors: list[str] = Field(default_factory=list)
    status: str
    sources: Evidence


class TerritoryEntry(Model):
    place: str
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    latest: ControlStep
    trail: list[ControlStep] = Field(default_factory=list)


class RoleEntry(Model):
    role: str
    first_reported: dt.date | None
    last_reported: dt.date | None
    sources: Evidence


class Person(Model):
    name: str
    current_roles: list[str]
    roles: list[RoleEntry]


class TimelineEvent(Model):
    id: str
    type: str
    status: str
    date: DateInterval | None = None
    place: PlaceRef | None = None
    actors: list[str] = Field(default_factory=list)
    targets: list[str] = Field(default_factory=list)
    quantities: list[Figure] = Field(default_factory=list)
    attributes: dict[str, Any] = Field(default_factory=dict)
    sources: Evidence
    members: MemberKeys = Field(default_factory=list)


class Contradiction(Model):
    kind: str
    subject: str
    detail: str
    claims: list[Figure]


class MissionPicture(Model):
    schema_: str = Field(default="missionwatch.picture/1", alias="schema")
    as_of: dt.date
    reports: int
    mission: str
    forces: Forces
    mandate: Mandate
    money: Money
    capabilities: list[CapabilityGap]
    territory: list[TerritoryEntry]
    people: list[Person]
    timeline: list[TimelineEvent]
    contradictions: list[Contradiction]

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)
