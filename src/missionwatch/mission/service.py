"""The picture over a store, recomputed incrementally.

Per-report contributions are cached in the ``mission_contributions`` table
(``MissionContributionRow``, created by the store's migration 0003 like every
other table; it is a cache: emptying it only costs a recompute, and rows go
with their report). A cached row is valid for a key made of the report's
extractor version and extraction time, the hash of its reviews and the
reducer version. ``MissionService.refresh()`` asks the store for those keys
(one narrow query), and only reports whose key changed are reduced again;
the rest are read from the cache, or, in a long-running process (the web
server), kept in memory and not touched at all. Event merging is incremental
too (see ``timeline``), so one new report costs one reduction plus a few
comparisons within its type-and-month blocks, then the fold.

A long-lived service (the web server keeps one per app) is shared by request
threads: every entry point holds one lock. Before the key scan, ``refresh``
compares a cheap stamp (three index probes: the newest report, extraction
and review); when it has not moved, nothing is read.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, delete, func, insert, select

from missionwatch.errors import QueryError
from missionwatch.mission.contributions import contributions_of
from missionwatch.mission.model import (
    CONTRIBUTION_VERSION,
    Contribution,
    EventClaim,
    MissionPicture,
    TimelineEvent,
)
from missionwatch.mission.picture import PictureState, TimelinePage, gc_paused
from missionwatch.mission.timeline import Edge
from missionwatch.store.models import ExtractionRow, MissionContributionRow, ReportRow, ReviewRow

if TYPE_CHECKING:
    from missionwatch.store import Store

CACHE: Table = MissionContributionRow.__table__  # type: ignore[assignment]
_BATCH = 500


@dataclass
class PagedPicture:
    picture: MissionPicture
    #: The history lists cut: dotted path -> full length.
    history_cut: dict[str, int]
    timeline_total: int


@dataclass
class RefreshStats:
    reports: int = 0
    unchanged: int = 0   # kept in memory
    from_cache: int = 0  # read from the cache table
    computed: int = 0    # reduced from the extraction
    removed: int = 0


def _review_stamp(rows: Iterable[Any]) -> str:
    payload = sorted(f"{r.id}|{r.action}|{r.fact_fingerprint}|{json.dumps(r.corrected, sort_keys=True)}|"
                     f"{r.created_at}" for r in rows)
    return hashlib.sha256("\n".join(payload).encode()).hexdigest()[:16] if payload else "none"


#: The change stamp's parts, each an index probe: the store only ever adds reports, adds or replaces
#: extractions (stamped with the time) and adds reviews, so the newest of each moves with every change.
#: (Row counts would also see a deletion by hand, but a count reads a whole index: 9 ms per request at
#: 220,000 reports, and linear beyond.)
STAMP_QUERIES = (select(func.max(ReportRow.seq)), select(func.max(ExtractionRow.extracted_at)),
                 select(func.max(ReviewRow.id)))
#: All of them in one statement: one round trip per request.
STAMP = select(*(query.scalar_subquery() for query in STAMP_QUERIES))


#: Allocations between young collections in a warmed server (CPython's default is 700).
GC_YOUNG = 10_000


class MissionService:
    """Holds a ``PictureState`` in step with a store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.state = PictureState()
        self.keys: dict[str, str] = {}
        self.stamp: tuple[Any, ...] | None = None
        self.lock = threading.RLock()

    def _stamp(self) -> tuple[Any, ...]:
        """Moves whenever a report, an extraction or a review is added or replaced.

        Every request pays it, so each part is one index probe (see ``STAMP_QUERIES``)."""
        with self.store.engine.connect() as conn:
            return tuple(conn.execute(STAMP).one())

    # ---------------------------------------------------------------- keys
    def _current_keys(self, since: tuple[Any, ...] | None = None
                      ) -> tuple[dict[str, str], dict[str, list[Any]]]:
        """Every report's key (extraction and reviews), or with ``since`` (an earlier stamp) only the
        keys of the reports the stamp's parts have moved past: new reports, new or replaced
        extractions, new reviews. Reading every key cost seconds at 220,000 reports, paid by the
        first request after each new report."""
        columns = (ExtractionRow.report_id, ExtractionRow.extractor_version, ExtractionRow.extracted_at)
        with self.store.engine.connect() as conn:
            if since is None:
                rows = conn.execute(select(*columns)).all()
            else:
                last_seq, last_extracted, last_review = since  # None: there was none
                extracted = select(ExtractionRow.report_id)
                if last_extracted is not None:
                    extracted = extracted.where(ExtractionRow.extracted_at > last_extracted)
                ids = set(conn.scalars(select(ReportRow.id).where(ReportRow.seq > (last_seq or 0))))
                ids.update(conn.scalars(extracted))
                ids.update(conn.scalars(select(ReviewRow.report_id).where(ReviewRow.id > (last_review or 0))))
                wanted = sorted(ids)
                rows = [row for i in range(0, len(wanted), _BATCH)
                        for row in conn.execute(select(*columns).where(
                            ExtractionRow.report_id.in_(wanted[i:i + _BATCH])))]
                # a row the stamp cannot see (an import keeps its old extraction time, and may leave
                # ``seq`` empty) shows in the count: then read every key
                known = len(self.keys.keys() | {r.report_id for r in rows})
                if conn.execute(select(func.count()).select_from(ExtractionRow)).scalar_one() != known:
                    return self._current_keys(None)
        reviews: dict[str, list[Any]] = defaultdict(list)
        for review in self.store.list_reviews(report_ids=None if since is None else wanted):
            reviews[review.report_id].append(review)
        keys = {r.report_id: f"{r.extractor_version}|{r.extracted_at.isoformat()}|"
                             f"{_review_stamp(reviews.get(r.report_id, []))}|{CONTRIBUTION_VERSION}"
                for r in rows}
        return keys, reviews

    # ---------------------------------------------------------------- refresh
    def refresh(self, force: bool = False) -> RefreshStats:
        with self.lock:
            stamp = self._stamp()
            if stamp == self.stamp and not force:
                return RefreshStats(reports=len(self.keys), unchanged=len(self.keys))
            # the store only adds reports and reviews and adds or replaces extractions (see
            # STAMP_QUERIES): what moved the stamp is what lies past its old parts
            since = None if force or self.stamp is None else self.stamp
            stats = self._refresh(since)
            self.stamp = stamp
            return stats

    def _refresh(self, since: tuple[Any, ...] | None = None) -> RefreshStats:
        keys, reviews = self._current_keys(since)
        if since is None:
            stats = RefreshStats(reports=len(keys))
            for gone in set(self.keys) - set(keys):
                self.state.remove(gone)
                del self.keys[gone]
                stats.removed += 1
        else:
            stats = RefreshStats(reports=len(self.keys | keys))
        todo = [rid for rid, key in keys.items() if self.keys.get(rid) != key]
        stats.unchanged = stats.reports - len(todo)
        cached = self._read_cache(todo, keys)
        fresh: list[Contribution] = []
        with gc_paused():  # a cold start adds every report: a bulk load
            for rid in todo:
                contribution = cached.get(rid)
                if contribution is None:
                    contribution = self._reduce(rid, keys[rid], reviews.get(rid, []))
                    if contribution is None:
                        continue
                    fresh.append(contribution)
                    stats.computed += 1
                else:
                    stats.from_cache += 1
                self.state.add(contribution)
                self.keys[rid] = keys[rid]
        self._write_cache(fresh)
        return stats

    def _reduce(self, report_id: str, key: str, reviews: list[Any]) -> Contribution | None:
        from missionwatch import review as review_layer

        extraction = self.store.get_extraction(report_id)
        if extraction is None:
            return None
        body = self.store.get_report(report_id).body
        if reviews:
            extraction = review_layer.apply_reviews(extraction, [review_layer.from_row(r) for r in reviews])
        return contributions_of(extraction, body).model_copy(update={"cache_key": key})

    def _read_cache(self, report_ids: list[str], keys: dict[str, str]) -> dict[str, Contribution]:
        out: dict[str, Contribution] = {}
        if not report_ids:
            return out
        wanted = set(report_ids)
        with self.store.engine.connect() as conn:
            if len(report_ids) > 4 * _BATCH:  # most of the table: one scan beats many IN lists
                batches: list[Any] = [conn.execute(select(CACHE))]
            else:
                batches = [conn.execute(select(CACHE).where(CACHE.c.report_id.in_(report_ids[i:i + _BATCH])))
                           for i in range(0, len(report_ids), _BATCH)]
            # Parsed contributions all stay alive: with the collector running, its passes over them
            # took half the parse at 20,000 reports (10.7 s -> 5.9 s paused), more as the heap grows.
            with gc_paused():
                for result in batches:
                    for row in result:
                        if row.report_id in wanted and row.cache_key == keys[row.report_id]:
                            contribution = Contribution.model_validate_json(row.contribution)
                            self.state.parts.share(contribution)  # before the next is parsed: peak memory
                            out[row.report_id] = contribution
        return out

    def _write_cache(self, contributions: list[Contribution]) -> None:
        if not contributions:
            return
        now = dt.datetime.now(dt.UTC)
        with self.store.engine.begin() as conn:
            for i in range(0, len(contributions), _BATCH):
                chunk = contributions[i:i + _BATCH]
                conn.execute(delete(CACHE).where(CACHE.c.report_id.in_([c.report_id for c in chunk])))
                conn.execute(insert(CACHE), [{"report_id": c.report_id, "cache_key": c.cache_key,
                                              "contribution": c.model_dump_json(), "computed_at": now}
                                             for c in chunk])

    # ---------------------------------------------------------------- queries
    def picture(self, as_of: dt.date, offset: int = 0, limit: int | None = None) -> MissionPicture:
        """The picture as of ``as_of``; its timeline: events ``offset .. offset + limit`` (default all)."""
        with self.lock:
            self.refresh()
            return self.state.picture(as_of, offset, limit)

    def warm(self, as_of: dt.date) -> None:
        """Load everything and build the indexes a request reads (as a server does at start-up), then
        move the loaded state out of the garbage collector's way: it lives as long as the process,
        and full collections over millions of objects would land on random requests."""
        with self.lock:
            self.refresh()
            self.state.picture(as_of, 0, 0)
            self.state.bounded(as_of, 0, 0, 0)
            gc.collect()
            gc.freeze()
            # A request allocates ~10^5 objects, among them lists of a source per report that
            # restates a figure; young collections every 700 allocations walked those lists again
            # and again (3 alternating rounds at 55,000 reports, load 5.5: p50 73-107 ms vs 90-126 ms).
            gc.set_threshold(GC_YOUNG, *gc.get_threshold()[1:])

    def bounded_picture(self, as_of: dt.date, offset: int, limit: int | None, history: int
                        ) -> tuple[MissionPicture, dict[str, int]]:
        """The picture with history lists cut to their latest ``history`` entries, and the lists cut."""
        with self.lock:
            self.refresh()
            return self.state.bounded(as_of, offset, limit, history)

    def paged_picture(self, as_of: dt.date, offset: int, limit: int | None, history: int | None,
                      sources: int | None = None) -> PagedPicture:
        """The picture with one timeline page (and how long the timeline is), its history lists cut to
        their latest ``history`` entries when given: one refresh, one state. With ``history`` and
        ``sources``, it is only to be encoded with ``EvidenceCut(sources)`` (see ``AsOfIndex.bounded``)."""
        with self.lock:
            self.refresh()
            cut: dict[str, int] = {}
            if history is None:
                pic = self.state.picture(as_of, offset, limit)
            else:
                pic, cut = self.state.bounded(as_of, offset, limit, history, sources)
            total = self.state.timeline_page(as_of, 0, 0).total
        return PagedPicture(pic, cut, total)

    def timeline_page(self, as_of: dt.date, offset: int = 0, limit: int | None = None) -> TimelinePage:
        """A window of the picture's timeline (in timeline order) and how many events it has."""
        with self.lock:
            self.refresh()
            return self.state.timeline_page(as_of, offset, limit)

    def merged_event(self, claim_key: str, as_of: dt.date) -> TimelineEvent | None:
        """The timeline event that claim ``report:event`` is part of as of ``as_of`` (None if it is not)."""
        with self.lock:
            self.refresh()
            return self.state.merged_event(claim_key, as_of)

    def why(self, event_id: str) -> tuple[list[EventClaim], list[Edge]]:
        """The member claims of a merged event and the matches that joined them (MW202 if unknown)."""
        with self.lock:
            self.refresh()
            found = self.state.timeline.explain(event_id)
        if found is None:
            raise QueryError("MW202", f"no merged event {event_id!r} (ids look like ev-0123456789 or "
                                      "REPORT:EVENT)", where=event_id)
        return found
