"""spaCy token patterns, matched from an index on each pattern's first token.

spaCy's ``Matcher`` starts every pattern at every token and tests set predicates
(``{"LEMMA": {"IN": [...]}}``) in Python: with our ~70 event triggers that was a third of the
time our stages took per report, and expanding the sets into plain patterns did not help (the
cost is per pattern and token). Our patterns start with a fixed word, lemma or tag, so a
dictionary on those values gives each token its few candidate patterns; the rest of a pattern is
walked with the Matcher's own semantics (operators ``?``, ``*``, ``+``, ``!``; every match, not
only the longest). ``tests/test_fast_paths.py`` checks the answers against spaCy's Matcher.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc, Token

from missionwatch.errors import MissionwatchError

TokenTest = Callable[[Token], bool]

#: the token attributes a pattern may test
READ: dict[str, Callable[[Token], Any]] = {
    "ORTH": lambda t: t.text,
    "LOWER": lambda t: t.lower_,
    "LEMMA": lambda t: t.lemma_,
    "TAG": lambda t: t.tag_,
    "POS": lambda t: t.pos_,
    "DEP": lambda t: t.dep_,
    "IS_SPACE": lambda t: t.is_space,
}

#: first-token attributes a pattern can be filed under, most selective first
FILED_BY = ("LOWER", "ORTH", "LEMMA", "TAG", "DEP", "POS", "IS_SPACE")

_UNBOUNDED = 1 << 30
#: how many tokens each operator lets a pattern token take
_COUNTS: dict[str | None, tuple[int, int]] = {
    None: (1, 1), "1": (1, 1), "?": (0, 1), "*": (0, _UNBOUNDED), "+": (1, _UNBOUNDED)}
_RANGE = re.compile(r"\{(\d*)(,?)(\d*)\}")


def _counts(op: str | None) -> tuple[int, int]:
    """The fewest and most tokens an operator allows ("{2,3}", "{,3}" and "{2,}" included)."""
    if op in _COUNTS:
        return _COUNTS[op]
    m = _RANGE.fullmatch(op or "")
    if m is None or not (m.group(1) or m.group(3)):
        raise UnsupportedPattern(f"operator OP={op!r}")
    low = int(m.group(1) or 0)
    high = int(m.group(3)) if m.group(3) else (_UNBOUNDED if m.group(2) else low)
    return low, high


class UnsupportedPattern(ValueError):
    """A pattern uses an attribute or operator this module does not implement."""


def _value_test(read: Callable[[Token], Any], spec: Any) -> TokenTest:
    if not isinstance(spec, dict):
        return lambda t: read(t) == spec
    if not spec or set(spec) - {"IN", "NOT_IN", "REGEX"}:
        raise UnsupportedPattern(f"operator {sorted(spec)}")
    tests: list[TokenTest] = []
    if "IN" in spec:
        allowed = frozenset(spec["IN"])
        tests.append(lambda t: read(t) in allowed)
    if "NOT_IN" in spec:
        barred = frozenset(spec["NOT_IN"])
        tests.append(lambda t: read(t) not in barred)
    if "REGEX" in spec:
        pattern = re.compile(spec["REGEX"])
        tests.append(lambda t: pattern.search(read(t)) is not None)
    if len(tests) == 1:
        return tests[0]
    return lambda t: all(test(t) for test in tests)


def token_test(token_pattern: dict[str, Any]) -> TokenTest:
    """One token's conditions (without its operator) as a function of the token."""
    conditions = {attr: spec for attr, spec in token_pattern.items() if attr != "OP"}
    unknown = set(conditions) - set(READ)
    if unknown:
        raise UnsupportedPattern(f"attribute {sorted(unknown)}")
    tests = [_value_test(READ[attr], spec) for attr, spec in conditions.items()]
    if len(tests) == 1:
        return tests[0]
    return lambda t: all(test(t) for test in tests)


def exact_values(spec: Any) -> list[Any] | None:
    """The values a condition allows when it lists them, or None when it is open-ended."""
    if isinstance(spec, (str, bool)):
        return [spec]
    if isinstance(spec, dict) and set(spec) == {"IN"}:
        return list(spec["IN"])
    return None


def filing(first: dict[str, Any]) -> tuple[str, list[Any]] | None:
    """The attribute and values a pattern's first token is filed under (None: try it everywhere)."""
    op = first.get("OP")
    if op == "!" or _counts(op)[0] == 0:  # the match may start at a token that fails the test
        return None
    for attr in FILED_BY:
        values = exact_values(first.get(attr))
        if values is not None:
            return attr, values
    return None


@dataclass(frozen=True)
class TokenPattern:
    key: str
    order: int  # the order patterns were added in: ties between matches keep it
    tests: tuple[TokenTest, ...]
    negated: tuple[bool, ...]  # "!": exactly one token that fails the test
    counts: tuple[tuple[int, int], ...]  # fewest and most tokens each pattern token takes

    @classmethod
    def build(cls, key: str, order: int, pattern: Sequence[dict[str, Any]]) -> TokenPattern:
        operators = [p.get("OP") for p in pattern]
        try:
            counts = tuple((1, 1) if op == "!" else _counts(op) for op in operators)
        except UnsupportedPattern as err:
            raise UnsupportedPattern(f"{err} in {key}") from None
        return cls(key, order, tuple(token_test(p) for p in pattern),
                   tuple(op == "!" for op in operators), counts)

    def ends(self, doc: Doc, start: int, stop: int) -> Iterator[int]:
        """Every end of a match that starts at ``start`` and stays before ``stop``."""
        return self._ends(doc, 0, start, stop)

    def _ends(self, doc: Doc, k: int, i: int, stop: int) -> Iterator[int]:
        if k == len(self.tests):
            yield i
            return
        test, negated = self.tests[k], self.negated[k]
        low, high = self.counts[k]
        if low == 0:
            yield from self._ends(doc, k + 1, i, stop)
        taken = 0
        while taken < high and i + taken < stop and test(doc[i + taken]) != negated:
            taken += 1
            if taken >= low:
                yield from self._ends(doc, k + 1, i + taken, stop)


class PatternIndex:
    """Named token patterns; calling it on a doc gives ``(key, start, end)`` for every
    match, deduplicated per key, in order of start, end and the order the patterns were added."""

    def __init__(self, source: str) -> None:
        self.source = source  # the knowledge file the patterns come from, named in errors
        self.filed: dict[str, dict[Any, list[TokenPattern]]] = {}
        self.anywhere: list[TokenPattern] = []
        self._count = 0
        self._lookups: list[tuple[Callable[[Token], Any], dict[Any, list[TokenPattern]]]] = []

    def add(self, key: str, patterns: Sequence[Sequence[dict[str, Any]]]) -> None:
        for pattern in patterns:
            if not pattern:
                raise MissionwatchError("MW403", f"an empty pattern in {key}", where=self.source)
            try:
                built = TokenPattern.build(key, self._count, pattern)
            except UnsupportedPattern as err:
                raise MissionwatchError("MW403", str(err), where=self.source) from None
            self._count += 1
            filed = filing(pattern[0])
            if filed is None:
                self.anywhere.append(built)
                continue
            attr, values = filed
            if attr not in self.filed:
                self.filed[attr] = {}
                self._lookups.append((READ[attr], self.filed[attr]))
            for value in values:
                self.filed[attr].setdefault(value, []).append(built)

    def candidates(self, token: Token) -> list[TokenPattern]:
        found: list[TokenPattern] = []
        for read, table in self._lookups:
            filed = table.get(read(token))
            if filed:
                found.extend(filed)
        if self.anywhere:
            found.extend(self.anywhere)
        return found

    def __call__(self, doc: Doc) -> list[tuple[str, int, int]]:
        stop = len(doc)
        found: set[tuple[int, int, int, str]] = set()
        for token in doc:
            start = token.i
            for pattern in self.candidates(token):
                for end in pattern.ends(doc, start, stop):
                    if end > start:
                        found.add((start, end, pattern.order, pattern.key))
        seen: set[tuple[str, int, int]] = set()
        matches = []
        for start, end, _order, key in sorted(found):
            if (key, start, end) not in seen:
                seen.add((key, start, end))
                matches.append((key, start, end))
        return matches
