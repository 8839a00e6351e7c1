"""Load a hand-written scenario: reports (``*.txt``) and their hand-made extractions."""

from __future__ import annotations

import json
from pathlib import Path

from missionwatch.mission import Contribution, contributions_of
from missionwatch.readers.dated_text import parse_dated_text
from missionwatch.records import Extraction

SCENARIOS = Path(__file__).parent


def extractions(name: str) -> list[tuple[Extraction, str]]:
    folder = SCENARIOS / name
    out = []
    for path in sorted(folder.glob("*.extraction.json")):
        extraction = Extraction.from_contract(json.loads(path.read_text(encoding="utf-8")))
        text = (folder / f"{extraction.report_id}.txt").read_text(encoding="utf-8")
        _, body = parse_dated_text(text, path.name)
        out.append((extraction, body))
    return out


def contributions(name: str) -> list[Contribution]:
    return [contributions_of(extraction, body) for extraction, body in extractions(name)]
