"""The faster paths give what spaCy's own give: the indexed token patterns what its Matcher
finds (on the sample reports with our real patterns, and on random patterns with hypothesis),
the indexed attribute rules what its AttributeRuler sets, and numpy's BLAS what blis computes."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.matcher import Matcher
from spacy.tokens import Doc

from missionwatch.errors import MissionwatchError
from missionwatch.extract import entities, events
from missionwatch.extract.nlp import load_stock_model
from missionwatch.extract.token_patterns import PatternIndex
from missionwatch.parallel import STOP_CODES

from .conftest import SAMPLES


@pytest.fixture(scope="module")
def sample_docs(nlp):
    return list(nlp.pipe(path.read_text(encoding="utf-8") for path in sorted(SAMPLES.glob("*.txt"))))


def _both(named_patterns, vocab):
    ours, theirs = PatternIndex(source="test"), Matcher(vocab)
    for key, patterns in named_patterns:
        ours.add(key, patterns)
        theirs.add(key, patterns)
    return ours, theirs


def _spacy_matches(matcher: Matcher, doc: Doc) -> set[tuple[str, int, int]]:
    return {(doc.vocab.strings[key], start, end) for key, start, end in matcher(doc)}


def test_event_triggers_and_mission_descriptors_match_as_in_spacy(nlp, sample_docs):
    named = [(t["id"], [t["pattern"]]) for t in events._rules()["triggers"]]
    named += [(f"MISSION|{target}", patterns)
              for target, patterns in entities.knowledge().descriptors.items()]
    ours, theirs = _both(named, nlp.vocab)
    found = 0
    for doc in sample_docs:
        mine = ours(doc)
        assert len(mine) == len(set(mine)), "each match once"
        assert set(mine) == _spacy_matches(theirs, doc)
        assert mine == sorted(mine, key=lambda m: (m[1], m[2]))
        found += len(mine)
    assert found > 100  # the comparison saw real matches


_WORDS = ["a", "b", "c"]
_token_pattern = st.fixed_dictionaries(
    {"LOWER": st.one_of(st.sampled_from(_WORDS),
                        st.lists(st.sampled_from(_WORDS), min_size=1, max_size=2, unique=True)
                        .map(lambda values: {"IN": values}))},
    optional={"OP": st.sampled_from(["?", "*", "+", "!", "{0,2}", "{1,2}", "{2}", "{2,}"])})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(patterns=st.lists(st.lists(_token_pattern, min_size=1, max_size=3), min_size=1, max_size=3),
       words=st.lists(st.sampled_from([*_WORDS, "A", "d"]), max_size=8))
def test_random_patterns_match_as_in_spacy(nlp, patterns, words):
    # spaCy refuses a pattern that can match nothing at all; so does the comparison
    required = (None, "+", "!", "{1,2}", "{2}", "{2,}")
    patterns = [p for p in patterns if any(t.get("OP") in required for t in p)]
    if not patterns:
        return
    ours, theirs = _both([("K", patterns)], nlp.vocab)
    doc = Doc(nlp.vocab, words=words)
    assert set(ours(doc)) == _spacy_matches(theirs, doc)


def test_a_pattern_the_index_cannot_match_is_one_catalogue_error_naming_file_and_trigger():
    line = r"^MW403 knowledge/events.yaml: .*OP='\{x\}' in trigger-x$"
    with pytest.raises(MissionwatchError, match=line) as err:
        PatternIndex(source="knowledge/events.yaml").add("trigger-x", [[{"LOWER": "a", "OP": "{x}"}]])
    assert err.value.code == "MW403" and "MW403" in STOP_CODES  # the run stops: every report would fail
    with pytest.raises(MissionwatchError, match="ENT_TYPE"):
        PatternIndex(source="knowledge/events.yaml").add("trigger-y", [[{"ENT_TYPE": "GPE"}]])


def test_the_indexed_attribute_rules_set_what_spacys_ruler_sets(nlp, sample_docs):
    assert "missionwatch_attribute_index" in nlp.pipe_names and "attribute_ruler" not in nlp.pipe_names
    stock = load_stock_model()
    ruler, lemmatizer = stock.get_pipe("attribute_ruler"), nlp.get_pipe("lemmatizer")
    with nlp.select_pipes(disable=["missionwatch_attribute_index", "lemmatizer", "ner"]):
        parsed = list(nlp.pipe(doc.text for doc in sample_docs))

    def view(doc: Doc) -> list[tuple[str, str, str, str, str]]:
        return [(t.text, t.pos_, t.lemma_, str(t.morph), t.tag_) for t in doc]

    for ours, theirs in zip(sample_docs, parsed, strict=True):
        assert view(ours) == view(lemmatizer(ruler(theirs)))


def test_numpy_blas_parses_and_tags_as_spacys_default_blis(nlp, sample_docs):
    from thinc.api import use_ops

    assert not nlp.get_pipe("ner").model.ops.use_blis
    with use_ops("numpy", use_blis=True):
        blis = load_stock_model()
    assert blis.get_pipe("ner").model.ops.use_blis
    with nlp.select_pipes(disable=["missionwatch_line_breaks", "missionwatch_dateline"]):
        ours = list(nlp.pipe(doc.text for doc in sample_docs))

    def view(doc: Doc) -> list[tuple[str, str, int, str, str]]:
        return [(t.tag_, t.dep_, t.head.i, t.ent_iob_, t.ent_type_) for t in doc]

    assert [view(d) for d in ours] == [view(d) for d in blis.pipe(doc.text for doc in sample_docs)]
