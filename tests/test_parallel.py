"""Extraction gives the same contract JSON, byte for byte, whichever executor ran it.

Real components only: the real spaCy pipeline in real worker processes, and a
real Dask ``LocalCluster``. Kept to a handful of short reports because each
worker process loads the model once (seconds on a shared two-core machine).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from missionwatch.parallel import (
    DaskExecutor,
    Executor,
    InProcessExecutor,
    LocalPoolExecutor,
    batched,
    extract_batch,
    make_executor,
)
from missionwatch.records import Extraction, Report

BODIES = [
    "President William Ruto visited Kenyan police officers in Port-au-Prince on Saturday.",
    "The UN Security Council renewed the mandate of the Multinational Security Support mission "
    "for another year on Monday. About 400 Kenyan officers are in Haiti.",
    "Gangs of the Viv Ansanm coalition attacked Solino and Bel Air last week; the Haitian National "
    "Police and the MSS responded.",
    "Jamaica sent 24 soldiers and police to Haiti in June 2024, joining Belize.",
    "The mission costs $200 million every six months, a US official said in Washington.",
    "Ni entidades ni lugares: un texto corto en otro idioma, sin nada que extraer.",
]


def _reports() -> list[Report]:
    return [Report.build(body=body, reader="test", published=dt.date(2024, 9, 1 + i), id=f"r{i}",
                         source="test_parallel") for i, body in enumerate(BODIES)]


def _contract_lines(executor: Executor) -> list[str]:
    with executor:
        outcomes = list(executor.extract(iter(_reports())))
    assert [o.report.id for o in outcomes] == [f"r{i}" for i in range(len(BODIES))], "input order kept"
    assert all(o.ok for o in outcomes), [o.failure for o in outcomes if not o.ok]
    return [json.dumps(o.extraction.to_contract(), sort_keys=True, ensure_ascii=False)
            for o in outcomes if o.extraction is not None]


@pytest.fixture(scope="module")
def reference() -> list[str]:
    return _contract_lines(InProcessExecutor(batch_size=4))


def test_in_process_batches_do_not_change_results(reference: list[str]) -> None:
    assert _contract_lines(InProcessExecutor(batch_size=1)) == reference


def test_two_local_workers_give_identical_json(reference: list[str]) -> None:
    # batch_size=1 and in_flight=2 so both workers really take part and the
    # results come back out of completion order, which the executor must undo.
    assert _contract_lines(LocalPoolExecutor(2, batch_size=1, in_flight=3)) == reference


def test_dask_local_cluster_gives_identical_json(reference: list[str]) -> None:
    assert _contract_lines(DaskExecutor("local", workers=2, batch_size=2)) == reference


def test_stopping_early_leaves_no_work_behind() -> None:
    with LocalPoolExecutor(2, batch_size=1, in_flight=2) as pool:
        stream = pool.extract(iter(_reports()))
        first = next(stream)
        stream.close()  # the finally clause cancels what is still queued
    assert first.report.id == "r0"


def test_make_executor_follows_the_options() -> None:
    assert isinstance(make_executor(), InProcessExecutor)
    with make_executor(workers=2) as pool:
        assert isinstance(pool, LocalPoolExecutor) and pool.workers == 2


def test_batched_reads_lazily_and_keeps_the_tail() -> None:
    def numbers():
        yield from range(5)
        raise AssertionError("read past the end")  # pragma: no cover

    stream = batched(numbers(), 2)
    assert next(stream) == [0, 1]
    assert next(stream) == [2, 3]
    assert list(batched(range(5), 2))[-1] == [4]


def test_ingest_with_two_workers_stores_what_in_process_extraction_gives(db_url: str, tmp_path: Path) -> None:
    """The CLI path end to end: ``ingest(workers=2)`` stores the reference contract JSON."""
    from missionwatch.ingest import ingest
    from missionwatch.readers import read_paths
    from missionwatch.store import Store

    inputs = tmp_path / "in"
    inputs.mkdir()
    for report in _reports()[:4]:
        (inputs / f"{report.id}.txt").write_text(f"date {report.published} {report.body}", encoding="utf-8")
    reports = [r for r in read_paths([inputs]) if isinstance(r, Report)]
    expected = {x.report_id: json.dumps(x.to_contract(), sort_keys=True)
                for x in extract_batch(reports) if isinstance(x, Extraction)}
    with Store.open(db_url) as store:
        summary = ingest([inputs], store, workers=2)
        stored = {rid: store.get_extraction(rid) for rid in summary.report_ids}
    assert {rid: json.dumps(x.to_contract(), sort_keys=True) for rid, x in stored.items() if x} == expected
    # A report the extractor rejects is rejected the same way in a worker.
    assert len(summary.rejected) == len(reports) - len(expected)
