"""Extraction -> rows of the fact tables (a denormalised, indexed copy of the contract)."""

from __future__ import annotations

from typing import Any

from missionwatch.records import DateInterval, Extraction, Span

#: Events lasting longer than this many days (or with a start and no end) are flagged ``long_span``:
#: date-range queries bound their scan by ``date_start >= from - LONG_SPAN_DAYS`` and read the
#: flagged few through their own index (web/queries.py, migration 0004).
LONG_SPAN_DAYS = 31


def long_span(start: Any, end: Any) -> bool:
    return start is not None and (end is None or (end - start).days > LONG_SPAN_DAYS)


def _dates(date: DateInterval | None) -> dict[str, Any]:
    return {"date_start": date.start if date else None, "date_end": date.end if date else None}


def _evidence(span: Span) -> dict[str, Any]:
    return {"evidence_start": span.start, "evidence_end": span.end, "evidence_text": span.text}


def _names(extraction: Extraction, ids: list[str]) -> str | None:
    names = [(e.name if (e := extraction.entity(i)) else i) for i in ids]
    return "; ".join(names) or None


def entity_rows(x: Extraction) -> list[dict[str, Any]]:
    return [{"report_id": x.report_id, "fact_id": e.id, "name": e.name, "type": e.type,
             "aliases": "; ".join(e.aliases) or None, "mention_count": len(e.mentions),
             "first_start": e.mentions[0].start if e.mentions else None,
             "first_end": e.mentions[0].end if e.mentions else None} for e in x.entities]


def place_rows(x: Extraction) -> list[dict[str, Any]]:
    return [{"report_id": x.report_id, "fact_id": p.id, "name": p.name, "country": p.country,
             "admin1": p.admin1, "lat": p.lat, "lon": p.lon, "feature": p.feature,
             "geonames_id": p.geonames_id} for p in x.places]


def event_rows(x: Extraction) -> list[dict[str, Any]]:
    rows = []
    for ev in x.events:
        place = x.place(ev.place)
        rows.append({"report_id": x.report_id, "fact_id": ev.id, "type": ev.type, "status": ev.status,
                     **_dates(ev.date), "precision": ev.date.precision if ev.date else None,
                     "place_name": place.name if place else None, "country": place.country if place else None,
                     "lat": place.lat if place else None, "lon": place.lon if place else None,
                     "actors": _names(x, ev.actors), "targets": _names(x, ev.targets),
                     "confidence": ev.confidence, **_evidence(ev.evidence),
                     "extractor_version": x.extractor_version,
                     "long_span": long_span(ev.date.start, ev.date.end) if ev.date else False})
    return rows


def quantity_rows(x: Extraction) -> list[dict[str, Any]]:
    rows = []
    for q in x.quantities:
        subject = x.entity(q.subject)
        rows.append({"report_id": x.report_id, "fact_id": q.id, "kind": q.kind, "value": q.value,
                     "unit": q.unit, "per": q.per, "period_count": q.period_count,
                     "subject": subject.name if subject else q.subject, **_dates(q.date),
                     **_evidence(q.evidence)})
    return rows
