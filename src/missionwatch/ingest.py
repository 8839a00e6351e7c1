"""Ingest: readers -> (skip what is stored) -> extraction -> store, in batches of ``batch_size``.

Already-stored bodies are recognised by sha256 *before* extraction, so
re-ingesting a corpus costs a read and a hash per report, not a spaCy run.
A report that cannot be read, extracted or stored is rejected with a
catalogue error and the batch goes on.

Extracted reports are written ``batch_size`` at a time, one transaction per
batch (``Store.add_many``), by this process alone whatever runs the
extraction. A crash loses at most the batch not committed yet; a rerun
extracts and stores exactly those reports again (stored ones are skipped by
sha256), so every report ends up stored exactly once.

Readers, the extractor (spaCy) and the store are imported when first used:
``import missionwatch`` binds ``missionwatch.ingest`` to the function below
and must stay cheap for code that only wants the records or the store.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from missionwatch import settings
from missionwatch.errors import MissionwatchError, ReaderError
from missionwatch.records import Report

if TYPE_CHECKING:
    from missionwatch.parallel import Executor, Extracted
    from missionwatch.store import AddResult, Store

#: Reports extracted together by the default in-process executor (``nlp.pipe``
#: batching; a failing batch is redone report by report to find the culprit).
CHUNK = 16


@dataclass
class IngestProgress:
    """Where a running ingest is: passed to the ``progress`` callback after every report.

    An extracted report counts as done once its batch is committed.
    """

    inputs_done: int
    inputs_total: int
    reports_done: int
    last: str


@dataclass
class IngestSummary:
    stored: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    rejected: list[MissionwatchError] = field(default_factory=list)
    report_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected


ProgressCallback = Callable[[IngestProgress], None]


def ingest(paths: Iterable[str | Path], store: Store, *, published: dt.date | None = None,
           progress: ProgressCallback | None = None, max_bytes: int | None = None,
           executor: Executor | None = None, workers: int | None = None,
           dask: str | None = None) -> IngestSummary:
    """Read, extract and store every report under ``paths``.

    Extraction runs on ``executor`` if given, else on one built from
    ``workers`` (local processes; setting ``workers``) or ``dask`` (a
    scheduler address or ``"local"``), else in this process; see
    ``missionwatch.parallel``. Writing stays here, one transaction per
    ``batch_size`` extracted reports (setting).
    """
    from missionwatch import readers
    from missionwatch.parallel import make_executor

    summary = IngestSummary()
    tracker = _Tracker(readers.expand(paths), progress)
    # An executor we build we also close (worker processes, a LocalCluster);
    # one passed in belongs to the caller, who may reuse it.
    runner = executor or make_executor(workers=int(settings.get("workers", workers)), dask=dask,
                                       batch_size=CHUNK)
    writer = _BatchWriter(store, summary, tracker, max(1, int(settings.get("batch_size"))))
    try:
        for done in runner.extract(_new_reports(tracker, store, summary, published, max_bytes)):
            writer.put(done)
        writer.flush()
    except BaseException:
        # Extraction stopped (Ctrl-C, a worker died): keep what is extracted
        # already, unless the store itself is what failed.
        with contextlib.suppress(Exception):
            writer.flush()
        raise
    finally:
        if executor is None:
            runner.close()
    return summary


class _BatchWriter:
    """Collects extracted reports and writes them ``size`` at a time, in order."""

    def __init__(self, store: Store, summary: IngestSummary, tracker: _Tracker, size: int) -> None:
        self.store = store
        self.summary = summary
        self.tracker = tracker
        self.size = size
        # Failed extractions wait with the others so summary and progress keep the order.
        self.pending: list[Extracted] = []
        self.extracted = 0

    def put(self, done: Extracted) -> None:
        self.pending.append(done)
        if done.extraction is not None:
            self.extracted += 1
            if self.extracted >= self.size:
                self.flush()

    def flush(self) -> None:
        batch, self.pending, self.extracted = self.pending, [], 0
        if not batch:
            return
        pairs = [(d.report, d.extraction) for d in batch if d.extraction is not None]
        results = iter(self.store.add_many(pairs) if pairs else [])
        for done in batch:
            where = done.report.source or done.report.id
            if done.extraction is not None:
                _count(next(results), self.summary)
            elif done.failure is not None:
                self.summary.rejected.append(done.failure.error(where=where))
            self.tracker.report_done(where)


class _Tracker:
    """Counts inputs and reports for the progress callback."""

    def __init__(self, inputs: list[Path | str | ReaderError], callback: ProgressCallback | None) -> None:
        self.inputs = inputs
        self.callback = callback
        self.inputs_done = 0
        self.reports_done = 0

    def input_done(self, where: str) -> None:
        self.inputs_done += 1
        self._emit(where)

    def report_done(self, where: str) -> None:
        self.reports_done += 1
        self._emit(where)

    def _emit(self, where: str) -> None:
        if self.callback is not None:
            self.callback(IngestProgress(self.inputs_done, len(self.inputs), self.reports_done, where))


def _new_reports(tracker: _Tracker, store: Store, summary: IngestSummary, published: dt.date | None,
                 max_bytes: int | None) -> Iterator[Report]:
    """Readable reports not stored yet; errors and exact duplicates are counted on the way."""
    seen: set[str] = set()
    for chunk in _read_chunks(tracker, published, max_bytes):
        # One query per chunk, not one per report: on a server each lookup is a round trip.
        stored = store.known_sha256([item.sha256 for item in chunk if isinstance(item, Report)])
        for item in chunk:
            if isinstance(item, str):
                tracker.input_done(item)
            elif isinstance(item, ReaderError):
                summary.rejected.append(item)
                tracker.report_done(item.where or "")
            elif item.sha256 in seen or item.sha256 in stored:
                summary.duplicates += 1
                tracker.report_done(item.source or item.id)
            else:
                seen.add(item.sha256)
                yield item


#: Reports read ahead for one stored-digest lookup.
LOOKUP_CHUNK = 32


def _read_chunks(tracker: _Tracker, published: dt.date | None,
                 max_bytes: int | None) -> Iterator[list[Report | ReaderError | str]]:
    """What the readers give, in order, ``LOOKUP_CHUNK`` reports at a time; a ``str`` marks an input's end."""
    from missionwatch import readers

    limit = int(settings.get("max_report_bytes", max_bytes))
    chunk: list[Report | ReaderError | str] = []
    for target in tracker.inputs:
        items: Iterable[Report | ReaderError]
        if isinstance(target, ReaderError):
            items = [target]
        else:
            items = readers.read_input(target, published=published, max_bytes=limit)
        for item in items:
            chunk.append(item)
            if len(chunk) >= LOOKUP_CHUNK:
                yield chunk
                chunk = []
        chunk.append(str(target))
    if chunk:
        yield chunk


def _count(result: AddResult | MissionwatchError, summary: IngestSummary) -> None:
    # add_many raises MW203 (the database is gone) and returns other store errors.
    if isinstance(result, MissionwatchError):
        summary.rejected.append(result)
        return
    if result.status == "duplicate":
        summary.duplicates += 1
        return
    summary.report_ids.append(result.report_id)
    if result.status == "near_duplicate":
        summary.near_duplicates += 1
    else:
        summary.stored += 1


@dataclass
class ReextractSummary:
    updated: int = 0
    rejected: list[MissionwatchError] = field(default_factory=list)


def reextract(store: Store, *, progress: Callable[[int, int], None] | None = None,
              executor: Executor | None = None) -> ReextractSummary:
    """Re-extract every report whose extraction is missing or from another extractor version."""
    from missionwatch.extract import EXTRACTOR_VERSION
    from missionwatch.parallel import InProcessExecutor

    summary = ReextractSummary()
    stale = store.stale_report_ids(EXTRACTOR_VERSION)
    runner = executor or InProcessExecutor(batch_size=CHUNK)
    # Reports are fetched lazily, one at a time, as the executor asks for them.
    reports = (store.get_report(report_id) for report_id in stale)
    for number, done in enumerate(runner.extract(reports), start=1):
        if done.extraction is not None:
            store.replace_extraction(done.extraction)
            summary.updated += 1
        elif done.failure is not None:
            summary.rejected.append(done.failure.error(where=done.report.id))
        if progress is not None:
            progress(number, len(stale))
    return summary
