"""Run the extraction stages over a report, in order, each producing typed records.

entities -> places -> dates -> quantities -> events. Each stage is a module
with a ``VERSION``; the extraction's version is the combination, so changing
any stage marks stored extractions as stale (``missionwatch reextract``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

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
    return Extraction(
        report_id=report.id, published=report.published, title=report.title, source=report.source,
        sha256=report.sha256, extractor_version=EXTRACTOR_VERSION,
        entities=found_entities, places=found_places, events=found_events, quantities=found_quantities,
    )


def extract(report: Report) -> Extraction:
    """Extract one report."""
    return _extract_doc(report, load_nlp()(report.body))


def extract_many(reports: Iterable[Report], batch_size: int = 16) -> Iterator[Extraction]:
    """Extract a stream of reports with ``nlp.pipe`` batching; yields in input order."""
    nlp = load_nlp()
    pending: list[Report] = []

    def flush() -> Iterator[Extraction]:
        docs = nlp.pipe([r.body for r in pending], batch_size=batch_size)
        for report, doc in zip(pending, docs, strict=True):
            yield _extract_doc(report, doc)
        pending.clear()

    for report in reports:
        pending.append(report)
        if len(pending) >= batch_size:
            yield from flush()
    if pending:
        yield from flush()
