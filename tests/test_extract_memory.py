"""A long extraction run does not keep every word it has seen (spaCy's memory zones)."""

from __future__ import annotations

import random
import string

from missionwatch.extract import extract
from missionwatch.extract.nlp import load_nlp
from missionwatch.extract.pipeline import extract_many
from missionwatch.records import Report

OPENING = "Kenyan police deployed 150 officers to Delmas on 4 March 2025, the mission said."


def _reports(seed: int, n: int) -> list[Report]:
    rng = random.Random(seed)

    def word() -> str:
        return "".join(rng.choices(string.ascii_lowercase, k=rng.randint(6, 11))).capitalize()

    return [Report.build(body=OPENING + " " + " ".join(word() for _ in range(60)) + ".", reader="test",
                         title=f"report {seed}-{i}") for i in range(n)]


def test_new_words_are_not_kept_after_extraction():
    strings = load_nlp().vocab.strings
    list(extract_many(_reports(1, 4)))  # matchers and caches built
    before = len(strings)
    extracted = list(extract_many(_reports(2, 40), batch_size=8))
    extract(_reports(3, 1)[0])
    assert len(strings) == before  # 2,460 unseen words would have been interned without the zones
    assert all(x.events and x.events[0].type == "DEPLOY" for x in extracted)


def test_results_do_not_depend_on_what_was_extracted_before():
    reports = _reports(4, 6)
    first = [x.to_contract() for x in extract_many(reports)]
    list(extract_many(_reports(5, 30)))
    again = [x.to_contract() for x in extract_many(reports)]
    assert again == first
