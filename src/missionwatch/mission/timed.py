"""Ordered lists of entries that are each visible for an interval of days.

The picture as of a date shows, per section, the entries visible on that date
(known by then and not yet superseded by a later version of the same fact) in a
fixed order, but the API only returns a section's latest entries, its length
and a value folded over all of it (a strength estimate, a count since the last
stated figure). ``Timed`` answers those three without visiting every entry:

* entries sit in blocks in key order; each block keeps its entries' first and
  last visible days sorted, so how many are visible on a day is two bisects;
* the latest ``n`` are found by walking back from the end, skipping the few
  entries that are not visible (superseded versions, reports not yet out);
* a fold (a monoid: ``Fold``) is kept per block over the entries that are
  visible for good (``until == FOREVER``); a block is *settled* from the day
  its last entry appeared and its last superseded version went, and on or
  after that day the kept fold is the block's whole answer, so only the few
  unsettled blocks (the most recent days) are walked entry by entry.

Keys must be unique (callers end them with a tie-breaker).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

#: The ``until`` of an entry that has not been superseded.
FOREVER = 10**8
#: Entries per block (a block is split at twice this).
BLOCK = 256

A = TypeVar("A")


class Entry:
    """One entry: visible on days ``since <= day < until``; ``item`` is what the section shows."""

    __slots__ = ("key", "since", "until", "item")

    def __init__(self, key: tuple[Any, ...], since: int, until: int, item: Any) -> None:
        self.key = key
        self.since = since
        self.until = until
        self.item = item

    def visible(self, day: int) -> bool:
        return self.since <= day < self.until


class Fold(Generic[A]):
    """A monoid over entries: ``unit``, ``lift`` one entry, ``combine`` two in key order."""

    def __init__(self, unit: A, lift: Callable[[Entry], A], combine: Callable[[A, A], A]) -> None:
        self.unit = unit
        self.lift = lift
        self.combine = combine

    def over(self, entries: Iterator[Entry] | list[Entry], acc: A | None = None) -> A:
        out = self.unit if acc is None else acc
        for e in entries:
            out = self.combine(out, self.lift(e))
        return out


class _Block:
    __slots__ = ("keys", "entries", "starts", "untils", "_final")

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.keys = [e.key for e in entries]
        self.starts = sorted(e.since for e in entries)
        self.untils = sorted(e.until for e in entries)
        self._final: Any = None

    def count(self, day: int) -> int:
        return bisect.bisect_right(self.starts, day) - bisect.bisect_right(self.untils, day)

    @property
    def first_day(self) -> int:
        return self.starts[0]

    @property
    def settled_from(self) -> int:
        """From this day on, exactly the entries with ``until == FOREVER`` are visible."""
        superseded = bisect.bisect_left(self.untils, FOREVER)
        last_gone = self.untils[superseded - 1] if superseded else 0
        return max(self.starts[-1], last_gone)

    def final_fold(self, fold: Fold[Any]) -> Any:
        if self._final is None:
            self._final = (fold.over(e for e in self.entries if e.until == FOREVER),)
        return self._final[0]


class Timed:
    """Entries in key order, each visible for an interval of days (see the module doc)."""

    def __init__(self, fold: Fold[Any] | None = None) -> None:
        self.fold_spec = fold
        self.blocks: list[_Block] = []
        self.last_keys: list[tuple[Any, ...]] = []
        self._bounds: tuple[list[int], list[int]] | None = None
        self._prefix: list[Any] | None = None
        #: Every entry's first and last visible day, sorted: a count on a day is two bisects.
        self.starts: list[int] = []
        self.untils: list[int] = []

    # Built lazily after a change, so a query costs a bisect plus the few blocks around its day:
    # per block, the latest day any earlier block settles (non-decreasing: blocks before index k
    # are all settled on a day >= it), and the earliest day any later block shows an entry
    # (non-decreasing too: blocks from index j on show nothing before it).
    def _settled_and_later(self) -> tuple[list[int], list[int]]:
        if self._bounds is None:
            settled, latest = [], 0
            for block in self.blocks:
                latest = max(latest, block.settled_from)
                settled.append(latest)
            later, earliest = [0] * len(self.blocks), FOREVER
            for i in range(len(self.blocks) - 1, -1, -1):
                earliest = min(earliest, self.blocks[i].first_day)
                later[i] = earliest
            self._bounds = (settled, later)
        return self._bounds

    def _folds_before(self) -> list[Any]:
        """``[i]``: the fold of the final entries of blocks ``0 .. i``."""
        if self._prefix is None:
            spec = self.fold_spec
            assert spec is not None, "this Timed keeps no fold"
            acc, out = spec.unit, []
            for block in self.blocks:
                acc = spec.combine(acc, block.final_fold(spec))
                out.append(acc)
            self._prefix = out
        return self._prefix

    def prepare(self) -> None:
        """Build now what the first query after a change would: the block bounds and kept folds."""
        self._settled_and_later()
        if self.fold_spec is not None:
            self._folds_before()

    def _changed(self) -> None:
        self._bounds = None
        self._prefix = None

    def _shown_before(self, day: int) -> int:
        """Blocks from this index on show no entry on ``day``."""
        return bisect.bisect_right(self._settled_and_later()[1], day)

    def __len__(self) -> int:
        return sum(len(b.entries) for b in self.blocks)

    # ---------------------------------------------------------------- upkeep
    def load(self, entries: list[Entry]) -> None:
        entries = sorted(entries, key=lambda e: e.key)
        self.blocks = [_Block(entries[i:i + BLOCK]) for i in range(0, len(entries), BLOCK)]
        self.last_keys = [b.keys[-1] for b in self.blocks]
        self.starts = sorted(e.since for e in entries)
        self.untils = sorted(e.until for e in entries)
        self._changed()

    def add(self, entry: Entry) -> None:
        if not self.blocks:
            self.load([entry])
            return
        self._changed()
        bisect.insort(self.starts, entry.since)
        bisect.insort(self.untils, entry.until)
        i = min(bisect.bisect_left(self.last_keys, entry.key), len(self.blocks) - 1)
        block = self.blocks[i]
        j = bisect.bisect_left(block.keys, entry.key)
        block.keys.insert(j, entry.key)
        block.entries.insert(j, entry)
        bisect.insort(block.starts, entry.since)
        bisect.insort(block.untils, entry.until)
        block._final = None
        self.last_keys[i] = block.keys[-1]
        if len(block.keys) > 2 * BLOCK:
            half = len(block.entries) // 2
            parts = [_Block(block.entries[:half]), _Block(block.entries[half:])]
            self.blocks[i:i + 1] = parts
            self.last_keys[i:i + 1] = [p.keys[-1] for p in parts]

    def remove(self, entry: Entry) -> None:
        i = bisect.bisect_left(self.last_keys, entry.key)
        if i == len(self.blocks):
            return
        block = self.blocks[i]
        j = bisect.bisect_left(block.keys, entry.key)
        if j == len(block.keys) or block.entries[j] is not entry:
            return
        self._changed()
        del self.starts[bisect.bisect_left(self.starts, entry.since)]
        del self.untils[bisect.bisect_left(self.untils, entry.until)]
        del block.keys[j]
        del block.entries[j]
        del block.starts[bisect.bisect_left(block.starts, entry.since)]
        del block.untils[bisect.bisect_left(block.untils, entry.until)]
        block._final = None
        if block.keys:
            self.last_keys[i] = block.keys[-1]
        else:
            del self.blocks[i]
            del self.last_keys[i]

    # ---------------------------------------------------------------- queries
    def count(self, day: int, below: tuple[Any, ...] | None = None) -> int:
        """Entries visible on ``day`` (with a key before ``below``, when given)."""
        if below is None:
            return bisect.bisect_right(self.starts, day) - bisect.bisect_right(self.untils, day)
        total = 0
        for block in self.blocks[:self._shown_before(day)]:
            if below is not None and block.keys[-1] >= below:
                if block.keys[0] < below:
                    total += sum(1 for e in block.entries if e.key < below and e.visible(day))
                break
            total += block.count(day)
        return total

    def backwards(self, day: int, below: tuple[Any, ...] | None = None) -> Iterator[Entry]:
        """Entries visible on ``day``, latest first (only those with a key before ``below``)."""
        end = len(self.blocks) if below is None else bisect.bisect_left(self.last_keys, below) + 1
        for i in range(min(end, self._shown_before(day)) - 1, -1, -1):
            block = self.blocks[i]
            if block.count(day) == 0:
                continue
            j = len(block.entries) if below is None else bisect.bisect_left(block.keys, below)
            for k in range(j - 1, -1, -1):
                e = block.entries[k]
                if e.since <= day < e.until:
                    yield e

    def forwards(self, day: int) -> Iterator[Entry]:
        """Entries visible on ``day``, earliest first."""
        for block in self.blocks:
            if block.count(day) == 0:
                continue
            for e in block.entries:
                if e.since <= day < e.until:
                    yield e

    def latest(self, day: int, n: int, below: tuple[Any, ...] | None = None) -> list[Entry]:
        """The last ``n`` entries visible on ``day`` (before ``below``), in key order."""
        out: list[Entry] = []
        if n <= 0:
            return out
        for e in self.backwards(day, below):
            out.append(e)
            if len(out) == n:
                break
        out.reverse()
        return out

    def fold(self, day: int, below: tuple[Any, ...] | None = None) -> Any:
        """The fold over the entries visible on ``day`` (before ``below``), in key order."""
        spec = self.fold_spec
        assert spec is not None, "this Timed keeps no fold"
        if not self.blocks:
            return spec.unit
        settled, _ = self._settled_and_later()
        whole = bisect.bisect_right(settled, day)  # blocks before this one: settled on ``day``
        if below is not None:
            whole = min(whole, bisect.bisect_left(self.last_keys, below))
        acc = self._folds_before()[whole - 1] if whole else spec.unit
        for block in self.blocks[whole:self._shown_before(day)]:
            if below is not None and block.keys[0] >= below:
                break
            partial = below is not None and block.keys[-1] >= below
            if day < block.first_day:
                continue
            if not partial and day >= block.settled_from:
                acc = spec.combine(acc, block.final_fold(spec))
                continue
            for e in block.entries:
                if below is not None and e.key >= below:
                    break
                if e.since <= day < e.until:
                    acc = spec.combine(acc, spec.lift(e))
        return acc
