"""The benchmark corpus generator: deterministic, the promised shape, streaming."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

from bench.corpus import CorpusSpec, generate, load_vocabulary, write_dated_text, write_jsonl

from missionwatch.readers import read_paths
from missionwatch.records import Report

SPEC = CorpusSpec(reports=400, seed=11)


def _shingles(text: str, k: int = 5) -> set[tuple[str, ...]]:
    words = text.split()
    return {tuple(words[i:i + k]) for i in range(len(words) - k + 1)}


def _jaccard(a: str, b: str) -> float:
    sa, sb = _shingles(a), _shingles(b)
    return len(sa & sb) / len(sa | sb)


def test_same_seed_same_corpus_other_seed_other_corpus() -> None:
    vocabulary = load_vocabulary()
    first = [r.to_jsonl() for r in generate(SPEC, vocabulary)]
    again = [r.to_jsonl() for r in generate(SPEC, vocabulary)]
    other = [r.to_jsonl() for r in generate(CorpusSpec(reports=400, seed=12), vocabulary)]
    assert first == again
    assert first != other


def test_word_counts_stay_in_range() -> None:
    spec = CorpusSpec(reports=200, seed=3, min_words=550, max_words=650)
    counts = [r.words for r in generate(spec)]
    assert min(counts) >= 550 and max(counts) <= 650
    default = [r.words for r in generate(SPEC)]
    assert min(default) >= 300 and max(default) <= 1200
    # The range is used, not only one corner of it.
    assert min(default) < 500 and max(default) > 1000


def test_about_one_in_ten_is_a_near_duplicate_of_an_earlier_report() -> None:
    reports = list(generate(SPEC))
    by_id = {r.id: r for r in reports}
    pairs = [(r, by_id[r.duplicate_of]) for r in reports if r.duplicate_of]
    assert 0.06 <= len(pairs) / len(reports) <= 0.14
    for dup, original in pairs:
        assert dup.body != original.body and dup.source != original.source
        # Similar enough for the store's MinHash threshold (0.8), unlike unrelated reports.
        assert _jaccard(dup.body, original.body) >= 0.8
    originals = [r for r in reports if not r.duplicate_of][:20]
    assert max(_jaccard(a.body, b.body) for a, b in zip(originals, originals[1:], strict=False)) < 0.5


def test_streams_lazily() -> None:
    # A million-report spec costs nothing until it is read.
    assert len(list(islice(generate(CorpusSpec(reports=1_000_000)), 3))) == 3


def test_written_files_read_back_through_the_readers(tmp_path: Path) -> None:
    spec = CorpusSpec(reports=5, seed=5)
    assert write_jsonl(generate(spec), tmp_path / "c.jsonl") == 5
    assert write_dated_text(generate(spec), tmp_path / "dated") == 5
    expected = list(generate(spec))
    from_jsonl = [r for r in read_paths([tmp_path / "c.jsonl"]) if isinstance(r, Report)]
    from_text = sorted((r for r in read_paths([tmp_path / "dated"]) if isinstance(r, Report)),
                       key=lambda r: r.body)
    assert [r.body for r in from_jsonl] == [r.body for r in expected]
    assert [r.published for r in from_jsonl] == [r.published for r in expected]
    assert sorted(r.body for r in expected) == [r.body for r in from_text]
    first_line = (tmp_path / "c.jsonl").read_text(encoding="utf-8").splitlines()[0]
    assert json.loads(first_line)["id"] == expected[0].id


def test_new_words_grow_the_vocabulary_as_an_archive_does() -> None:
    import re

    def vocabulary(spec: CorpusSpec) -> set[str]:
        return {w for r in generate(spec) for w in re.findall(r"\w+", r.body)}

    closed = vocabulary(CorpusSpec(300, seed=3))
    open_ = vocabulary(CorpusSpec(300, seed=3, new_words=8))
    originals = sum(1 for r in generate(CorpusSpec(300, seed=3, new_words=8)) if r.duplicate_of is None)
    assert len(open_ - closed) > 0.9 * 8 * originals  # nearly all of them new
    assert all(400 <= r.words <= 900 for r in generate(CorpusSpec(50, seed=3, min_words=400, max_words=900,
                                                                   new_words=8)))
