"""Reduce one report's (reviewed) extraction to its contribution to the picture.

Pure and per-report: the result depends on this report's extraction, its
body text and its reviews only, which is what makes it cacheable and the
picture incremental.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from missionwatch.mission.knowledge import (
    capability_patterns,
    duration_patterns,
    knowledge,
    money_class_patterns,
    norm,
    pattern,
)
from missionwatch.mission.model import (
    CONTRIBUTION_VERSION,
    ActorRef,
    Contribution,
    EventClaim,
    GapClaim,
    MoneyClaim,
    PersonnelClaim,
    PlaceRef,
    QuantityRef,
    RoleClaim,
    Source,
)
from missionwatch.mission.reviews import Review, apply_reviews, review_version
from missionwatch.records import Entity, Event, Extraction, Place, Quantity

_MONTHS_PER = {"day": 1 / 30.4375, "week": 7 / 30.4375, "month": 1.0, "year": 12.0}
FLOW_TYPES = {"DEPLOY", "WITHDRAW"}


def cache_key(extraction: Extraction, reviews: Iterable[Review] = ()) -> str:
    """What a cached contribution is valid for: extractor, review state and reducer version."""
    return f"{extraction.extractor_version}|{review_version(reviews)}|{CONTRIBUTION_VERSION}"


def contributions_of(extraction: Extraction, body: str | None = None,
                     reviews: Iterable[Review] = ()) -> Contribution:
    """The contribution of one report. ``body`` (the report text) lets the reducer read
    capability gaps and office holders' titles, which are not extraction facts."""
    reviews = list(reviews)
    ex = apply_reviews(extraction, reviews) if reviews else extraction
    reducer = _Reducer(ex, body)
    return Contribution(
        report_id=ex.report_id, report_date=ex.published, outlet=ex.source,
        cache_key=cache_key(extraction, reviews),
        events=[reducer.event(e) for e in ex.events],
        personnel=reducer.personnel(), money=reducer.money(),
        gaps=reducer.gaps(), roles=reducer.roles(),
    )


def usd(value: float, unit: str | None) -> float | None:
    """USD for pegged currencies; ``None`` (left unconverted) for floating ones."""
    rate = knowledge().raw["usd_pegged"].get((unit or "USD").upper())
    return value * rate if rate is not None else None


def per_month(value: float, per: str | None, period_count: float | None) -> float | None:
    if per not in _MONTHS_PER:
        return None
    months = _MONTHS_PER[per] * (period_count or 1.0)
    return value / months if months else None


class _Reducer:
    def __init__(self, ex: Extraction, body: str | None) -> None:
        self.ex = ex
        self.body = body
        self.entities = {e.id: e for e in ex.entities}
        self.places = {p.id: p for p in ex.places}
        self.quantities = {q.id: q for q in ex.quantities}
        self.events_by_quantity: dict[str, list[Event]] = {}
        for event in ex.events:
            if event.quantity:
                self.events_by_quantity.setdefault(event.quantity, []).append(event)

    # ---------------------------------------------------------------- helpers
    def source(self, fact: str, quote: str) -> Source:
        return Source(report_id=self.ex.report_id, report_date=self.ex.published, outlet=self.ex.source,
                      quote=quote, fact=fact)

    def actor(self, ref: str) -> ActorRef:
        entity = self.entities.get(ref)
        if entity is None:  # a bare name (extra-tolerant: the contract allows ids only)
            name, kind, aliases = ref, "ORG", []
        else:
            name, kind, aliases = entity.name, entity.type, entity.aliases
        keys = sorted({norm(n) for n in [name, *aliases] if norm(n)})
        country = knowledge().contributor_of(name, *aliases)
        if country:
            keys.append(f"country:{country}")
        return ActorRef(name=name, type=kind, keys=keys, country=country)

    def place(self, ref: str | None) -> PlaceRef | None:
        place: Place | None = self.places.get(ref or "")
        if place is None:
            return None
        return PlaceRef(name=place.name, key=norm(place.name), country=place.country, lat=place.lat,
                        lon=place.lon, feature=place.feature, geonames_id=place.geonames_id)

    @staticmethod
    def quantity_ref(q: Quantity | None) -> QuantityRef | None:
        if q is None:
            return None
        return QuantityRef(kind=q.kind, value=q.value, unit=q.unit, per=q.per, period_count=q.period_count,
                           subject=q.subject)

    def subject_names(self, q: Quantity) -> list[str]:
        entity: Entity | None = self.entities.get(q.subject or "")
        if entity is not None:
            return [entity.name, *entity.aliases]
        return [q.subject] if q.subject else []

    # ---------------------------------------------------------------- events
    def event(self, e: Event) -> EventClaim:
        duration = None
        if e.type == "MANDATE":
            said = e.evidence.text
            duration = next((months for rx, months in duration_patterns() if rx.search(said)), None)
        return EventClaim(
            key=f"{self.ex.report_id}:{e.id}", type=e.type, status=e.status, date=e.date,
            place=self.place(e.place), actors=[self.actor(a) for a in e.actors],
            targets=[self.actor(t) for t in e.targets],
            quantity=self.quantity_ref(self.quantities.get(e.quantity or "")),
            attributes=dict(e.attributes), duration_months=duration, confidence=e.confidence,
            source=self.source(f"event:{e.id}", e.evidence.text),
        )

    # ---------------------------------------------------------------- personnel stocks
    def personnel(self) -> list[PersonnelClaim]:
        """Stated strengths. Arrivals/departures are not here: they come from merged
        DEPLOY/WITHDRAW events so that one arrival told by three reports counts once."""
        out: list[PersonnelClaim] = []
        not_in_theatre = pattern("personnel_not_in_theatre")
        increment = pattern("personnel_increment")
        for q in self.ex.quantities:
            if q.kind != "personnel":
                continue
            linked = self.events_by_quantity.get(q.id, [])
            if any(ev.type in FLOW_TYPES and ev.status != "ongoing" for ev in linked):
                continue  # an arrival, departure or plan: handled through the event
            if any(ev.type not in FLOW_TYPES for ev in linked):
                continue  # e.g. the size of a crowd at a MEETING, not a force strength
            if not_in_theatre.search(q.evidence.text) or increment.search(q.evidence.text):
                continue
            if not q.subject and len(knowledge().contributors_in(q.evidence.text)) > 1:
                continue  # "two dozen soldiers from Jamaica and Belize": joint, not the mission's total
            names = self.subject_names(q)
            for ev in linked:
                names += [a.name for a in map(self.actor, ev.actors)]
            country = knowledge().contributor_of(*names)
            if country is None and knowledge().contributors_in(*names):
                continue  # several contributors in one figure: not attributable
            date = (q.date.end if q.date and not q.date.fallback else self.ex.published)
            out.append(PersonnelClaim(country=country, unit=names[0] if names else None, value=q.value,
                                      date=date, source=self.source(f"quantity:{q.id}", q.evidence.text)))
        return out

    # ---------------------------------------------------------------- money
    def money(self) -> list[MoneyClaim]:
        out: list[MoneyClaim] = []
        for q in self.ex.quantities:
            if q.kind not in ("money", "money_rate"):
                continue
            linked = [ev for ev in self.events_by_quantity.get(q.id, []) if ev.type == "FUNDING"]
            if any(ev.status in ("hypothetical", "denied") for ev in linked):
                continue
            text = " ".join([q.evidence.text, *(ev.evidence.text for ev in linked)])
            cls = next((name for name, rx in money_class_patterns() if rx.search(text)), "other")
            if q.kind == "money_rate" and cls in ("other", "pledge", "contribution"):
                cls = "cost" if cls == "other" else cls
            donors = [self.actor(a) for ev in linked for a in ev.actors]
            donor = ", ".join(sorted({d.name for d in donors})) or None
            in_usd = usd(q.value, q.unit)
            rate = None
            if q.kind == "money_rate" and in_usd is not None:
                rate = per_month(in_usd, q.per, q.period_count)
            out.append(MoneyClaim(cls=cls, donor=donor, value=q.value,  # type: ignore[arg-type]
                                  unit=q.unit, per=q.per,
                                  period_count=q.period_count,
                                  usd=in_usd if q.kind == "money" else None, usd_per_month=rate,
                                  source=self.source(f"quantity:{q.id}", q.evidence.text)))
        return out

    # ---------------------------------------------------------------- text: gaps and roles
    def sentences(self) -> list[tuple[int, str]]:
        if not self.body:
            return []
        out = []
        for m in re.finditer(r"[^.!?\n]+(?:[.!?]+|$)", self.body):
            if m.group().strip():
                out.append((m.start(), m.group()))
        return out

    def gaps(self) -> list[GapClaim]:
        cues = pattern("capability_gap_cues")
        out: list[GapClaim] = []
        for start, sentence in self.sentences():
            if not cues.search(sentence):
                continue
            for name, rx in capability_patterns():
                if rx.search(sentence):
                    out.append(GapClaim(capability=name,
                                        source=self.source(f"text:{start}", sentence.strip())))
        return out

    def roles(self) -> list[RoleClaim]:
        out: list[RoleClaim] = []
        seen: set[tuple[str, str]] = set()
        for entity in self.ex.entities:
            if entity.type != "PERSON":
                continue
            keys = sorted({norm(n) for n in [entity.name, *entity.aliases] if norm(n)})
            found: list[tuple[str, str, str]] = []
            for attr in ("role", "title"):
                if isinstance(entity.attributes.get(attr), str):
                    found.append((entity.attributes[attr], entity.mentions[0].text if entity.mentions else
                                  entity.name, f"entity:{entity.id}"))
            if self.body:
                for mention in entity.mentions:
                    around = _role_around(self.body, mention.start, mention.end)
                    if around:
                        found.append((around[0], around[1], f"entity:{entity.id}@{mention.start}"))
            for role, quote, fact in found:
                if (entity.id, norm(role)) in seen:
                    continue
                seen.add((entity.id, norm(role)))
                out.append(RoleClaim(person=entity.name, keys=keys, role=role,
                                     source=self.source(fact, quote)))
        return out


_STOP = re.compile(r"\s+(?:that|who|which|and|will|would|said|says|has|have|had|is|was|to|on|for|gave)\b.*$",
                   re.IGNORECASE | re.DOTALL)


def _role_around(body: str, start: int, end: int) -> tuple[str, str] | None:
    """A title written next to a person's name: 'Haiti's Prime Minister X', 'the commander of
    the mission X', 'X, the head of ...', 'X who is the head of ...'. Returns (role, quote)."""
    roles = pattern("roles")
    line_start = max(body.rfind(".", 0, start), body.rfind("\n", 0, start)) + 1
    before = body[line_start:start]
    matches = list(roles.finditer(before))
    if matches:
        m = matches[-1]
        between = before[m.end():]
        if (not between.strip() or re.match(r"\s+of\s+[^,;:“”\"]{1,70}$", between)) and \
                not re.search(r"[,;]", between):
            head = before[:m.start()]
            poss = re.search(r"([A-Z][\w-]*[’']s)\s+$", head)
            role_text = (poss.group(1) + " " if poss else "") + (m.group() + between).strip()
            return role_text, body[line_start + (m.start() - (len(poss.group(0)) if poss else 0)):end]
    after = body[end:end + 120]
    after = re.split(r"[.;\n]", after, maxsplit=1)[0]
    role_alt = roles.pattern
    m2 = re.match(r"^(?:\s*,\s*|\s+who\s+(?:is|was|serves\s+as)\s+)(?:the\s+|a\s+|an\s+)?(?P<role>"
                  + role_alt + r"(?:\s+of\s+[^,;“”\"]{1,80})?)", after, re.IGNORECASE)
    if m2:
        role_text = _STOP.sub("", m2.group("role")).strip()
        return role_text, body[start:end + m2.end("role")].strip()
    return None
