"""Events coded in the contract's vocabulary (stub; see issue 4)."""

from __future__ import annotations

import datetime as dt

from spacy.tokens import Doc

from missionwatch.extract.dates import DateMention
from missionwatch.records import Entity, Event, Place, Quantity

VERSION = "events@0"


def find_events(doc: Doc, published: dt.date | None, entities: list[Entity], places: list[Place],
                dates: list[DateMention], quantities: list[Quantity]) -> list[Event]:
    return []
