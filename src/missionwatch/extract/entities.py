"""Actors: PERSON, ORG, ARMED_GROUP, FORCE, MISSION, COUNTRY (stub; see issue 3)."""

from __future__ import annotations

from spacy.tokens import Doc

from missionwatch.records import Entity

VERSION = "entities@0"


def find_entities(doc: Doc) -> list[Entity]:
    return []
