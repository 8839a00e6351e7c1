"""Rich tables for people (the JSON forms are for scripts)."""

from __future__ import annotations

from rich.table import Table

from missionwatch.cli.app import out
from missionwatch.records import Extraction


def extraction_tables(result: Extraction) -> None:
    entities = Table("id", "type", "name", "mentions", title="Entities")
    for e in result.entities:
        entities.add_row(e.id, e.type, e.name, str(len(e.mentions)))
    places = Table("id", "name", "country", "lat", "lon", "feature", title="Places")
    for p in result.places:
        places.add_row(p.id, p.name, p.country or "", f"{p.lat}", f"{p.lon}", p.feature)
    quantities = Table("id", "kind", "value", "unit", "per", "evidence", title="Quantities")
    for q in result.quantities:
        per = f"{q.period_count or 1:g} {q.per}" if q.per else ""
        quantities.add_row(q.id, q.kind, f"{q.value:,.0f}", q.unit or "", per, q.evidence.text)
    events = Table("id", "type", "status", "date", "place", "evidence", title="Events")
    for ev in result.events:
        when = f"{ev.date.start}..{ev.date.end}" if ev.date else ""
        place = result.place(ev.place)
        events.add_row(ev.id, ev.type, ev.status, when, place.name if place else "", ev.evidence.text[:80])
    for table in (entities, places, quantities, events):
        out.print(table)
