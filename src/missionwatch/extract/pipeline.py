"""Run the extraction stages over a report, in order, each producing typed records.

entities -> places -> dates -> quantities -> events. Each stage is a module
with a ``VERSION``; the extraction's version is the combination, so changing
any stage marks stored extractions as stale (``missionwatch reextract``).

Every word a spaCy pipeline meets is interned in its vocabulary for the life
of the process: over a long archive (names, figures, misspellings) that is
hundreds of megabytes per worker. Reports are therefore parsed inside
``nlp.memory_zone()``, which frees what a batch interned once its records
are built; the matchers are built once, before the first zone, so their
own strings stay. A zone frees what was interned during it by any thread, so
zones are taken one at a time (a Dask worker may run tasks in threads).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from threading import Lock

from spacy.language import Language
from spacy.tokens import Doc

from missionwatch.extract import dates, entities, events, places, quantities
from missionwatch.extract.nlp import load_nlp
from missionwatch.records import Extraction, Report

STAGES = (entities, places, dates, quantities, events)
EXTRACTOR_VERSION = "missionwatch-extract/" + "+".join(stage.VERSION for stage in STAGES)


def _extract_doc(report: Report, doc: Doc) -> Extraction:
    found_entities = entities.find_entities(doc)
    found_places = places.find_places(doc, found_entities)
    found_dates = dates.find_dates(doc, report.published)
    found_quantities = quantities.find_quantities(doc, found_entities, found_dates)
    found_events = events.find_events(doc, report.published, found_entities, found_places,
                                      found_dates, found_quantities)
    return Extraction.for_report(report, EXTRACTOR_VERSION, entities=found_entities, places=found_places,
                                 events=found_events, quantities=found_quantities)


#: Exercises every stage, so each lazily built matcher exists before the first memory zone.
_WARM_UP = ("On 3 March 2025 Kenyan police deployed 200 officers to Port-au-Prince, where gangs "
            "attacked a station; the UN Security Council renewed the mandate for $50 million.")


_ZONE = Lock()


@lru_cache(maxsize=1)
def _warmed_up() -> Language:
    nlp = load_nlp()
    _extract_doc(Report.build(body=_WARM_UP, reader="warm-up"), nlp(_WARM_UP))
    return nlp


def extract(report: Report) -> Extraction:
    """Extract one report."""
    nlp = _warmed_up()
    with _ZONE, nlp.memory_zone():
        return _extract_doc(report, nlp(report.body))


def extract_many(reports: Iterable[Report], batch_size: int = 16) -> Iterator[Extraction]:
    """Extract a stream of reports with ``nlp.pipe`` batching; yields in input order."""
    nlp = _warmed_up()
    pending: list[Report] = []

    def flush() -> Iterator[Extraction]:
        # Records are built inside the zone and hold plain strings, never spaCy objects.
        with _ZONE, nlp.memory_zone():
            done = [_extract_doc(report, doc) for report, doc in
                    zip(pending, nlp.pipe([r.body for r in pending], batch_size=batch_size), strict=True)]
        pending.clear()
        yield from done

    for report in reports:
        pending.append(report)
        if len(pending) >= batch_size:
            yield from flush()
    if pending:
        yield from flush()
