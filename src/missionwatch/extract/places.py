"""Geocoded places: curated theatre places, GeoNames cities, countries, regions, facilities.

The candidate spans come from the shared document analysis
(:func:`missionwatch.extract.entities.analyse`): knowledge-base phrase matches,
datelines, and spaCy location spans resolved through the gazetteer with the
report's country mentions as context. A span inside an actor's name ("Haitian
National Police", "UN Support Office in Haiti", "Kenya-led") is not a place.
One place per distinct location, ids p1, p2, ... in order of first mention.
"""

from __future__ import annotations

from spacy.tokens import Doc

from missionwatch.extract import gazetteer as gz
from missionwatch.extract.entities import analyse
from missionwatch.extract.nlp import text_of
from missionwatch.records import Entity, Place, Span

VERSION = "places@2"

_ACTOR_TYPES = {"PERSON", "ORG", "ARMED_GROUP", "FORCE", "MISSION"}


def find_places(doc: Doc, entities: list[Entity]) -> list[Place]:
    if not text_of(doc).strip():
        return []
    analysis = analyse(doc)
    text = text_of(doc)
    actor_spans = [(m.start, m.end) for e in entities if e.type in _ACTOR_TYPES for m in e.mentions]
    grouped: dict[str, tuple[gz.GeoPlace, list[tuple[int, int]]]] = {}
    for hit in sorted(analysis.places, key=lambda h: h.start):
        if not (0 <= hit.start < hit.end <= len(text)):
            continue
        if any(hit.start < e and s < hit.end for s, e in actor_spans):
            continue
        place, spans = grouped.setdefault(hit.place.ident, (hit.place, []))
        if (hit.start, hit.end) not in spans:
            spans.append((hit.start, hit.end))
    out: list[Place] = []
    for place, spans in sorted(grouped.values(), key=lambda v: min(v[1])):
        out.append(
            Place(
                id=f"p{len(out) + 1}",
                name=place.name,
                country=place.country,
                admin1=place.admin1,
                lat=place.lat,
                lon=place.lon,
                geonames_id=place.geonames_id,
                feature=place.feature,  # type: ignore[arg-type]
                mentions=[Span.of(text, s, e) for s, e in sorted(spans)],
                extractor=VERSION,
            )
        )
    return out


__all__ = ["VERSION", "find_places"]
