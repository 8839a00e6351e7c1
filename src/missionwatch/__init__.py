"""missionwatch: a sourced, queryable picture of a multinational security mission.

Open-source reports go in (text, HTML, JSONL, RSS/Atom); typed, sourced
facts come out, every one pointing at the characters of the report it was
read from. The command line is a thin shell over this API::

    import missionwatch

    store = missionwatch.open_store("sqlite:///missionwatch.db")
    summary = missionwatch.ingest(["data/samples"], store)
    print(summary.stored, summary.duplicates, summary.near_duplicates, len(summary.rejected))

    for info in store.list_reports(limit=3):
        print(info.report.id, info.report.published, info.report.source)
    for hit in store.search("Kenyan police"):
        print(hit.report_id, hit.snippet)

    report = missionwatch.read("data/samples/000_51676fabbb0db610.txt")
    extraction = missionwatch.extract(report)      # no store needed
    print(len(extraction.events), extraction.to_contract()["schema"])
    store.close()

``open_store`` takes any SQLAlchemy URL (``postgresql+psycopg://...`` for a
shared server) and defaults to the ``db`` setting (``MISSIONWATCH_DB``).
"""

from __future__ import annotations

import sys
import types
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("missionwatch")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

if TYPE_CHECKING:
    from missionwatch.ingest import IngestSummary
    from missionwatch.records import Extraction, Report
    from missionwatch.store import Store


def open_store(url: str | None = None) -> Store:
    """The store at ``url`` (default: the ``db`` setting), migrated to the current schema."""
    from missionwatch.store import Store

    return Store.open(url)


def read(path: Any, **options: Any) -> Report:
    """The report in one file (dated text, .txt/.md, .html, .jsonl, feed); raises ReaderError."""
    from missionwatch.readers import read_one

    return read_one(path, **options)


def extract(report: Report) -> Extraction:
    """Entities, places, dates, quantities and events of one report (spaCy loads on first call)."""
    from missionwatch.extract import extract as run

    return run(report)


def ingest(paths: Any, store: Store, **options: Any) -> IngestSummary:
    """Read, extract and store every report under ``paths``; see ``missionwatch.ingest.ingest``."""
    from missionwatch.ingest import ingest as run

    return run(paths, store, **options)


_API = frozenset({"extract", "ingest"})


class _Package(types.ModuleType):
    """Keeps ``missionwatch.extract`` / ``missionwatch.ingest`` the API functions.

    They share their names with the subpackage and module that implement
    them, and importing a submodule sets the parent's attribute to it: without
    this guard ``missionwatch.extract(report)`` would stop working as soon as
    anything imported ``missionwatch.extract.pipeline``. Import from the
    submodules with ``from missionwatch.extract import ...``.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _API and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

__all__ = ["__version__", "extract", "ingest", "open_store", "read"]
