"""Personnel, money, rates and counts (stub; see issue 3)."""

from __future__ import annotations

from spacy.tokens import Doc

from missionwatch.extract.dates import DateMention
from missionwatch.records import Entity, Quantity

VERSION = "quantities@0"


def find_quantities(doc: Doc, entities: list[Entity], dates: list[DateMention]) -> list[Quantity]:
    return []
