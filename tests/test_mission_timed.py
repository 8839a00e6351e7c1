"""``Timed`` (entries visible for an interval of days, in key order) against a plain list.

Folds use list concatenation, so a fold that drops, repeats or reorders an
entry shows; blocks are two entries so splits, settled blocks and partial
blocks all happen; entries are added and removed between queries.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from missionwatch.mission import timed
from missionwatch.mission.timed import FOREVER, Entry, Fold, Timed

CONCAT = Fold((), lambda e: (e.key,), lambda a, b: a + b)
DAYS = st.integers(0, 12)


@pytest.fixture(autouse=True)
def _tiny_blocks(monkeypatch):
    monkeypatch.setattr(timed, "BLOCK", 2)


@st.composite
def entries(draw):
    out = []
    for n in range(draw(st.integers(0, 14))):
        since = draw(DAYS)
        until = draw(st.one_of(st.just(FOREVER), st.integers(since + 1, 14)))
        out.append(Entry((draw(st.integers(0, 6)), n), since, until, n))
    return out


def _visible(items: list[Entry], day: int, below=None) -> list[Entry]:
    shown = (e for e in items if e.visible(day) and (below is None or e.key < below))
    return sorted(shown, key=lambda e: e.key)


@settings(max_examples=200, deadline=None)
@given(entries(), st.data())
def test_counts_latest_and_folds_equal_a_plain_list(items, data):
    t = Timed(CONCAT)
    half = len(items) // 2
    t.load(items[:half])
    for e in items[half:]:
        t.add(e)
    live = list(items)
    for _ in range(2):
        for day in range(15):
            below = data.draw(st.one_of(st.none(), st.tuples(st.integers(0, 7), st.integers(0, 15))))
            want = _visible(live, day, below)
            assert t.count(day, below) == len(want)
            assert t.fold(day, below) == tuple(e.key for e in want)
            n = data.draw(st.integers(0, 4))
            assert t.latest(day, n, below) == (want[max(0, len(want) - n):] if n else [])
            assert list(t.forwards(day)) == _visible(live, day)
        if live:
            gone = live.pop(data.draw(st.integers(0, len(live) - 1)))
            t.remove(gone)
