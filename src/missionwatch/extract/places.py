"""Geocoded places (stub; see issue 3)."""

from __future__ import annotations

from spacy.tokens import Doc

from missionwatch.records import Entity, Place

VERSION = "places@0"


def find_places(doc: Doc, entities: list[Entity]) -> list[Place]:
    return []
