"""The model's attribute rules, found by dictionary lookup instead of spaCy's Matcher.

``en_core_web_sm`` maps fine tags to coarse POS, morphology and some lemmas with ~180 one- and
two-token rules in its ``attribute_ruler``. spaCy runs them through a Matcher that tests every
rule's predicates on every token in Python: ~15 % of the whole pipeline's time. Every rule in the
model keys on a token's lower-case form, tag, dependency or whitespace flag, so an index on those
finds each token's few candidate rules. The matches are applied in the ruler's own order with
spaCy's own setter, so the tokens come out the same; a model whose rules use anything else keeps
the stock ruler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc, Token
from spacy.tokens._retokenize import set_token_attrs

from missionwatch.extract.token_patterns import TokenTest, UnsupportedPattern, exact_values, token_test

#: a token's lower-case form, tag, dependency label and whitespace flag
Signature = tuple[str, str, str, bool]
#: the one-token rules (by order) that match a signature, and the longer rules that may start there
Verdict = tuple[tuple[int, ...], tuple["_Rule", ...]]

#: what a rule may read: a one-token rule's verdict is then the same for every token alike in these
_SIGNATURE = ("LOWER", "TAG", "DEP", "IS_SPACE")

#: one-token rules' verdicts kept per token signature; cleared when full, so memory stays flat
_VERDICTS_KEPT = 100_000


def _rule_test(token_pattern: dict[str, Any]) -> TokenTest:
    unknown = set(token_pattern) - set(_SIGNATURE)
    if unknown:
        raise UnsupportedPattern(f"attribute {sorted(unknown)}")
    return token_test(token_pattern)


@dataclass(frozen=True)
class _Rule:
    order: int  # the ruler's attribute id: later rules win
    index: int  # which token of the match the attributes go to
    tests: tuple[TokenTest, ...]  # one per token of the pattern

    def matches_at(self, doc: Doc, start: int) -> bool:
        if start + len(self.tests) > len(doc):
            return False
        return all(test(doc[start + k]) for k, test in enumerate(self.tests))


class AttributeIndex:
    """Candidate rules filed by their first token's exact lower-case form, tag, dependency or
    whitespace flag. A one-token rule reads nothing but those four, so its verdict on one token
    holds for every token with the same four values: the verdicts are kept per signature."""

    def __init__(self, ruler: AttributeRuler) -> None:
        self.attrs = list(ruler.attrs)
        self.indices = list(ruler.indices)
        self.single: dict[str, dict[Any, list[_Rule]]] = {attr: {} for attr in _SIGNATURE}
        self.multi: dict[str, dict[Any, list[_Rule]]] = {attr: {} for attr in _SIGNATURE}
        self.anywhere: list[_Rule] = []
        self.verdicts: dict[Signature, Verdict] = {}
        entries: list[dict[str, Any]] = ruler.patterns
        for order, entry in enumerate(entries):
            for pattern in entry["patterns"]:
                rule = _Rule(order, entry["index"], tuple(_rule_test(p) for p in pattern))
                self._file(rule, pattern[0], self.single if len(pattern) == 1 else self.multi)

    def _file(self, rule: _Rule, first: dict[str, Any], tables: dict[str, dict[Any, list[_Rule]]]) -> None:
        for attr in _SIGNATURE:
            keys = exact_values(first.get(attr))
            if keys is not None:
                for key in keys:
                    tables[attr].setdefault(key, []).append(rule)
                return
        self.anywhere.append(rule)

    @staticmethod
    def _candidates(tables: dict[str, dict[Any, list[_Rule]]],
                    signature: Signature) -> list[_Rule]:
        return [rule for attr, value in zip(_SIGNATURE, signature, strict=True)
                for rule in tables[attr].get(value, ())]

    def _verdict(self, token: Token, signature: Signature) -> Verdict:
        """The one-token rules that match a token like this one, and the longer rules that
        could start at it."""
        verdict = self.verdicts.get(signature)
        if verdict is None:
            if len(self.verdicts) >= _VERDICTS_KEPT:
                self.verdicts.clear()
            single = [rule for rule in self._candidates(self.single, signature) + self.anywhere
                      if len(rule.tests) == 1 and rule.tests[0](token)]
            longer = [rule for rule in self._candidates(self.multi, signature) + self.anywhere
                      if len(rule.tests) > 1 and rule.tests[0](token)]
            verdict = self.verdicts[signature] = (tuple(sorted({rule.order for rule in single})),
                                                  tuple(longer))
        return verdict

    def matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """(rule order, start, length) of every match, in the order the ruler applies them."""
        found: list[tuple[int, int, int]] = []
        for token in doc:
            start = token.i
            single, longer = self._verdict(token, (token.lower_, token.tag_, token.dep_, token.is_space))
            found.extend((order, start, 1) for order in single)
            for rule in longer:
                if rule.matches_at(doc, start):
                    found.append((rule.order, start, len(rule.tests)))
        found.sort()
        return found

    def __call__(self, doc: Doc) -> Doc:
        for order, start, length in self.matches(doc):
            index = self.indices[order]
            set_token_attrs(doc[start + (index if index >= 0 else length + index)], self.attrs[order])
        return doc


@Language.factory("missionwatch_attribute_index")
def _attribute_index(nlp: Language, name: str) -> AttributeIndex:
    ruler = nlp.get_pipe("attribute_ruler")
    assert isinstance(ruler, AttributeRuler)
    return AttributeIndex(ruler)


def index_attribute_ruler(nlp: Language) -> None:
    """Put the indexed rules in the attribute ruler's place, when the model's rules allow."""
    if "attribute_ruler" not in nlp.pipe_names:
        return
    try:
        nlp.add_pipe("missionwatch_attribute_index", before="attribute_ruler")
    except UnsupportedPattern:
        return
    nlp.remove_pipe("attribute_ruler")
