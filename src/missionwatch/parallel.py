"""Where extraction runs: in this process, in a local process pool, or on a Dask cluster.

Every executor takes a stream of ``Report`` records and yields one ``Extracted``
per report, in input order, while reading the input lazily: at most
``in_flight`` batches are out at once, so an archive of 100,000 reports costs
the memory of a few batches, not of the archive. Extraction is the same code
(``extract_batch``) everywhere, so a report's contract JSON is byte for byte
the same whichever executor produced it (``tests/test_parallel.py``).

Writing stays with the caller: one writer in the parent process consumes the
stream and writes to the store in batches, so SQLite never sees two writers
and PostgreSQL transactions stay short.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from types import TracebackType
from typing import Any, Protocol, TypeAlias, TypeVar

from missionwatch import settings
from missionwatch.errors import MissionwatchError
from missionwatch.extract.pipeline import EXTRACTOR_VERSION, extract_many
from missionwatch.records import Extraction, Report

T = TypeVar("T")

#: Reports per task. Big enough that pickling and scheduling overhead is small
#: next to spaCy's work (a 600-word report takes tens of milliseconds), small
#: enough that two workers stay busy to the end of a short run.
DEFAULT_BATCH_SIZE = 8
#: Memory cap per Dask worker on a LocalCluster: the spaCy model plus a batch
#: needs a few hundred MB; a worker that leaks past this is restarted by its
#: nanny instead of taking the machine down.
DEFAULT_DASK_MEMORY_LIMIT = "1.5GiB"
#: Catalogue errors that are the installation's fault, not the report's: they end the run.
STOP_CODES = frozenset({"MW402", "MW403"})


@dataclass(frozen=True)
class ExtractionFailure:
    """A report the extractor rejected (a catalogue error), carried back from a worker.

    Exceptions with custom constructors do not survive pickling reliably, so
    the worker sends this plain record and the parent rebuilds the error.
    """

    report_id: str
    code: str
    message: str

    def error(self, where: str | None = None) -> MissionwatchError:
        return MissionwatchError(self.code, self.message, where=where or self.report_id)


@dataclass(frozen=True)
class Extracted:
    """One report and what became of it: an extraction, or a failure."""

    report: Report
    extraction: Extraction | None = None
    failure: ExtractionFailure | None = None

    @property
    def ok(self) -> bool:
        return self.extraction is not None


Outcome: TypeAlias = Extraction | ExtractionFailure


# ---------------------------------------------------------------- worker side

class ReportTimeout(BaseException):
    """Raised by the alarm when a report overruns ``report_timeout``.

    A BaseException so that no ``except Exception`` inside the extractor can swallow it.
    """


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ``ReportTimeout`` in this thread after ``seconds``.

    In the main thread an alarm (SIGALRM) interrupts even a blocking call. Signals reach only the
    main thread, so elsewhere (a Dask worker runs tasks in threads) a timer thread raises the
    exception asynchronously in this one; it lands at the next Python instruction, so a single
    long call into C finishes first.
    """
    if seconds <= 0:
        yield
        return
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        with _thread_time_limit(seconds):
            yield
        return

    def on_alarm(_signum: int, _frame: Any) -> None:
        raise ReportTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    outer, interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:  # an enclosing alarm (pytest-timeout, a caller's limit) keeps its deadline
            left = outer - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), interval)


@contextmanager
def _thread_time_limit(seconds: float) -> Iterator[None]:
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"done": False, "fired": False}

    def fire() -> None:
        with lock:
            if not state["done"]:
                state["fired"] = True
                exc = ctypes.py_object(ReportTimeout)
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), exc)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            state["done"] = True
            if state["fired"]:  # raised already, or still pending: a pending one must not escape later
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), None)


def _timeout() -> float:
    return float(settings.get("report_timeout"))


_warmed = False


def _warm_once() -> None:
    """Load the model and lazy resources (outside any time limit), once per process."""
    global _warmed
    if _warmed:
        return
    warm = Report.build(body="Kenyan police officers arrived in Port-au-Prince, Haiti, on Tuesday.",
                        reader="warm-up", id="warm-up")
    try:
        list(extract_many([warm], batch_size=1))
    except MissionwatchError as exc:
        if exc.code in STOP_CODES:
            raise
    except Exception:  # noqa: BLE001, S110 - an extractor bug shows on the real report (MW112)
        pass
    _warmed = True


def _too_slow(report: Report, limit: float) -> ExtractionFailure:
    return ExtractionFailure(report.id, "MW111", f"extraction took longer than {limit:g} s (setting "
                             f"report_timeout) on this {len(report.body):,}-character report")


def _extract_one(report: Report, limit: float | None = None) -> Outcome:
    from missionwatch.extract.nlp import load_nlp

    limit = _timeout() if limit is None else limit
    longest = load_nlp().max_length
    if len(report.body) > longest:
        # spaCy refuses such texts (E088); say so in the user's terms.
        return ExtractionFailure(report.id, "MW108", f"the body is {len(report.body):,} characters; the "
                                 f"extractor takes at most {longest:,}: split the report")
    try:
        with time_limit(limit):
            return next(extract_many([report], batch_size=1))
    except ReportTimeout:
        return _too_slow(report, limit)
    except MissionwatchError as exc:
        if exc.code in STOP_CODES:
            raise
        return ExtractionFailure(report.id, exc.code, exc.message)
    except Exception as exc:  # noqa: BLE001 - an extractor bug rejects one report (MW112), as in ingest
        return ExtractionFailure(report.id, "MW112", f"{type(exc).__name__}: {exc}")


def extract_batch(reports: list[Report]) -> list[Outcome]:
    """Extract a batch with ``nlp.pipe``; the unit of work every executor ships.

    One bad report must not cost the batch: on any error (or when the batch
    overruns ``report_timeout`` per report) the batch is redone one report at a
    time, which finds the culprit and keeps the rest. Errors
    that are nobody's report's fault (no model) stop the run instead.
    """
    limit = _timeout()
    _warm_once()  # loading the model and knowledge is not a report's time
    try:
        # The batch gets the time of all its reports; one that overruns alone is rejected (MW111).
        with time_limit(limit * len(reports)):
            return list(extract_many(reports, batch_size=len(reports)))
    except MissionwatchError as exc:
        if exc.code in STOP_CODES:
            raise
    except ReportTimeout:
        if len(reports) == 1:
            return [_too_slow(reports[0], limit)]  # no point running it again
    except Exception:  # noqa: BLE001 - isolated below
        pass
    return [_extract_one(r, limit) for r in reports]


def warm_worker() -> str:
    """Load the model and every lazy resource once, when a worker starts.

    Extracting a short report touches the spaCy model, the knowledge base and
    the gazetteer index, so the first real batch is not slowed by loading and
    memory is measured at steady state. Returns the extractor version so a
    remote cluster running other code can be refused.
    """
    warm = Report.build(body="Kenyan police officers arrived in Port-au-Prince, Haiti, on Tuesday.",
                        reader="warm-up", id="warm-up")
    extract_batch([warm])
    return EXTRACTOR_VERSION


# ---------------------------------------------------------------- parent side

def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of ``size`` items (the last may be shorter); reads lazily."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class _Future(Protocol):
    def result(self) -> list[Outcome]: ...

    def cancel(self) -> Any: ...


def ordered_stream(reports: Iterable[Report], submit: Callable[[list[Report]], _Future],
                   batch_size: int, in_flight: int) -> Iterator[Extracted]:
    """Submit batches, keep at most ``in_flight`` outstanding, yield results in input order.

    Waiting on the oldest batch first keeps the order without buffering
    results; a slow batch briefly idles workers that finished later ones,
    which costs little when batches are small and ``in_flight`` is about twice
    the worker count.
    """
    pending: deque[tuple[list[Report], _Future]] = deque()

    def drain_one() -> Iterator[Extracted]:
        batch, future = pending.popleft()
        yield from _pair(batch, future.result())

    try:
        for batch in batched(reports, batch_size):
            pending.append((batch, submit(batch)))
            if len(pending) >= in_flight:
                yield from drain_one()
        while pending:
            yield from drain_one()
    finally:
        # The consumer stopped early or a batch failed: do not leave work queued.
        for _, future in pending:
            future.cancel()


def _pair(batch: list[Report], outcomes: list[Outcome]) -> Iterator[Extracted]:
    for report, outcome in zip(batch, outcomes, strict=True):
        if isinstance(outcome, ExtractionFailure):
            yield Extracted(report, failure=outcome)
        else:
            yield Extracted(report, extraction=outcome)


class Executor(Protocol):
    """What ``ingest`` needs: a stream of reports in, a stream of outcomes out."""

    name: str
    workers: int

    def extract(self, reports: Iterable[Report]) -> Iterator[Extracted]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None: ...


class _ContextMixin:
    def close(self) -> None:  # pragma: no cover - overridden where there is something to close
        pass

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class InProcessExecutor(_ContextMixin):
    """Extraction in the calling process: the default, and the reference the others must match."""

    name = "in-process"
    workers = 1

    def __init__(self, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self.batch_size = batch_size

    def extract(self, reports: Iterable[Report]) -> Iterator[Extracted]:
        for batch in batched(reports, self.batch_size):
            yield from _pair(batch, extract_batch(batch))


class LocalPoolExecutor(_ContextMixin):
    """N worker processes on this machine, each loading the spaCy model once.

    ``spawn`` rather than ``fork``: the parent may hold threads, an open
    database connection or a loaded model, none of which survive a fork
    safely, and a fresh interpreter per worker keeps its memory its own.
    """

    name = "local-pool"

    def __init__(self, workers: int, batch_size: int = DEFAULT_BATCH_SIZE,
                 in_flight: int | None = None) -> None:
        if workers < 1:
            raise MissionwatchError("MW401", f"workers must be at least 1, not {workers}", where="workers")
        self.workers = workers
        self.batch_size = batch_size
        self.in_flight = in_flight or 2 * workers
        self._pool = ProcessPoolExecutor(max_workers=workers,
                                         mp_context=multiprocessing.get_context("spawn"),
                                         initializer=warm_worker)

    def extract(self, reports: Iterable[Report]) -> Iterator[Extracted]:
        try:
            yield from ordered_stream(reports, lambda batch: self._pool.submit(extract_batch, batch),
                                      self.batch_size, self.in_flight)
        except BrokenProcessPool as exc:
            # A worker died (killed, out of memory): not the input's fault, so no
            # catalogue code, but say what to try.
            exc.add_note(f"an extraction worker died; retry with fewer --workers than {self.workers}")
            raise

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor(_ContextMixin):
    """Extraction on a Dask cluster: a scheduler address, or ``"local"`` for a LocalCluster.

    A remote cluster's workers must have the same missionwatch installed; the
    extractor version is checked on every worker before any report is sent,
    because results that differ by executor would break the contract.
    """

    name = "dask"

    def __init__(self, scheduler: str, workers: int = 2, batch_size: int = DEFAULT_BATCH_SIZE,
                 in_flight: int | None = None, memory_limit: str = DEFAULT_DASK_MEMORY_LIMIT) -> None:
        from distributed import Client, LocalCluster

        self._cluster: LocalCluster | None = None
        if scheduler == "local":
            # Processes, one thread each: spaCy holds the GIL, so threads would not add throughput.
            self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                         memory_limit=memory_limit, dashboard_address=None)
            self._client = Client(self._cluster)
        else:
            try:
                self._client = Client(scheduler, timeout=30)
            except OSError as exc:
                raise MissionwatchError("MW401", f"cannot reach Dask scheduler: {exc}",
                                        where=scheduler) from exc
        try:
            self._check_workers()
        except BaseException:
            self.close()
            raise
        self.workers = sum(self._client.nthreads().values())
        self.batch_size = batch_size
        self.in_flight = in_flight or 2 * self.workers

    def _check_workers(self) -> None:
        self._client.wait_for_workers(1, timeout=60)
        versions = self._client.run(warm_worker)
        wrong = {addr: v for addr, v in versions.items() if v != EXTRACTOR_VERSION}
        if wrong:
            raise MissionwatchError("MW401", f"Dask workers run another extractor: {wrong}; "
                                    f"this one is {EXTRACTOR_VERSION}", where="dask")

    def extract(self, reports: Iterable[Report]) -> Iterator[Extracted]:
        # pure=False: two batches with equal content are still two tasks, and
        # Dask need not hash every report body to decide that.
        return ordered_stream(reports, lambda batch: self._client.submit(extract_batch, batch, pure=False),
                              self.batch_size, self.in_flight)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(workers: int = 1, dask: str | None = None,
                  batch_size: int = DEFAULT_BATCH_SIZE) -> Executor:
    """The executor the CLI options ask for: ``--dask`` wins, then ``--workers`` > 1, else in-process."""
    if dask:
        return DaskExecutor(dask, workers=max(workers, 1), batch_size=batch_size)
    if workers > 1:
        return LocalPoolExecutor(workers, batch_size=batch_size)
    return InProcessExecutor(batch_size=batch_size)


__all__ = ["DaskExecutor", "Executor", "Extracted", "ExtractionFailure", "InProcessExecutor", "ReportTimeout",
           "LocalPoolExecutor", "batched", "extract_batch", "make_executor", "ordered_stream",
           "time_limit", "warm_worker"]
