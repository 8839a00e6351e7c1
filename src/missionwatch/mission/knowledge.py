"""The mission's word lists and reference tables, read from ``data/mission.yaml``.

Kept out of code so an analyst can add a contributor, a capability or a
currency peg without touching the fold.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

import yaml


@lru_cache(maxsize=65536)  # names repeat across reports; normalising is the reducer's hot spot
def norm(text: str | None) -> str:
    """A comparison key: accents folded, lower case, punctuation to spaces, no leading 'the'."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[’'`]s\b", "", text)
    text = re.sub(r"[^\w]+", " ", text).strip()
    return re.sub(r"^the ", "", text)


def words_pattern(words: list[str]) -> re.Pattern[str]:
    """One regex matching any of ``words`` on word boundaries, longest first."""
    alternatives = sorted({w.casefold() for w in words}, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in alternatives) + r")(?![\w-])",
                      re.IGNORECASE)


@dataclass(frozen=True)
class Knowledge:
    raw: dict[str, Any]

    @property
    def theatre_country(self) -> str:
        return self.raw["mission"]["theatre"]["country"]

    @property
    def theatre_bbox(self) -> tuple[float, float, float, float]:
        w, s, e, n = self.raw["mission"]["theatre"]["bbox"]
        return float(w), float(s), float(e), float(n)

    @property
    def mission_name(self) -> str:
        return self.raw["mission"]["name"]

    def contributor_name(self, code: str) -> str:
        entry = self.raw["contributors"].get(code)
        return entry["name"] if entry else code

    @property
    def contributor_patterns(self) -> dict[str, re.Pattern[str]]:
        return _contributor_patterns()

    def contributor_of(self, *names: str | None) -> str | None:
        """The contributing country an actor name points to, if exactly one does."""
        found = self.contributors_in(*names)
        return next(iter(found)) if len(found) == 1 else None

    def contributors_in(self, *names: str | None) -> set[str]:
        found: set[str] = set()
        for name in names:
            if name:
                found |= _contributors_of_name(name)
        return found


@lru_cache(maxsize=1)
def knowledge() -> Knowledge:
    text = files("missionwatch.mission").joinpath("data/mission.yaml").read_text(encoding="utf-8")
    return Knowledge(yaml.safe_load(text))


@lru_cache(maxsize=65536)
def _contributors_of_name(name: str) -> frozenset[str]:
    return frozenset(code for code, rx in _contributor_patterns().items() if rx.search(name))


@lru_cache(maxsize=1)
def _contributor_patterns() -> dict[str, re.Pattern[str]]:
    raw = knowledge().raw["contributors"]
    return {code: words_pattern(entry["words"]) for code, entry in raw.items()}


@cache
def pattern(list_name: str) -> re.Pattern[str]:
    """The compiled pattern of one top-level word list (e.g. ``personnel_not_in_theatre``)."""
    return words_pattern(knowledge().raw[list_name])


@lru_cache(maxsize=1)
def money_class_patterns() -> list[tuple[str, re.Pattern[str]]]:
    return [(name, words_pattern(words)) for name, words in knowledge().raw["money_classes"].items()]


@lru_cache(maxsize=1)
def capability_patterns() -> list[tuple[str, re.Pattern[str]]]:
    return [(name, words_pattern(words)) for name, words in knowledge().raw["capabilities"].items()]


@lru_cache(maxsize=1)
def duration_patterns() -> list[tuple[re.Pattern[str], int]]:
    items = sorted(knowledge().raw["mandate_durations"].items(), key=lambda kv: len(kv[0]), reverse=True)
    return [(re.compile(r"\bfor\s+" + re.escape(phrase) + r"\b", re.IGNORECASE), int(months))
            for phrase, months in items]
