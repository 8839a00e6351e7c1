"""``missionwatch ingest / reports / show / search / reextract`` and the documented Python API."""

from __future__ import annotations

import json
import os
import random
import re

import pytest
from typer.testing import CliRunner

import missionwatch
from missionwatch.cli import app
from missionwatch.records import Report
from missionwatch.store import Store
from tests.conftest import SAMPLE, SAMPLES

runner = CliRunner()


def run(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'mw.db'}"


def test_ingest_sample_twice_stores_one_report(db):
    first = run("ingest", str(SAMPLE), "--db", db)
    assert first.exit_code == 0, first.output
    assert "stored 1, duplicates 0" in first.stdout
    second = run("ingest", str(SAMPLE), "--db", db)
    assert second.exit_code == 0 and "stored 0, duplicates 1" in second.stdout
    with Store.open(db) as store:
        assert store.count_reports() == 1
        [report_id] = [i.report.id for i in store.list_reports()]
        assert store.get_extraction(report_id) is not None


def test_db_defaults_to_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("MISSIONWATCH_DB", f"sqlite:///{tmp_path / 'env.db'}")
    assert run("ingest", str(SAMPLE)).exit_code == 0
    assert (tmp_path / "env.db").exists()


def test_rejected_inputs_one_line_each_and_nonzero_exit(tmp_path, db):
    good = tmp_path / "in" / "good.txt"
    good.parent.mkdir()
    good.write_text("date 2024-06-26 The first 200 Kenyan police officers arrived in Haiti.",
                    encoding="utf-8")
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    (tmp_path / "in" / "bad-date.txt").write_text("date 2024-13-45 Text.", encoding="utf-8")
    (tmp_path / "in" / "notes.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / "in" / "c.jsonl").write_text(
        json.dumps({"text": "Jamaican soldiers left for Haiti."}) + "\n{broken\n", encoding="utf-8")
    result = run("ingest", str(tmp_path / "in"), str(tmp_path / "missing.txt"), "--db", db)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert sorted(line.split(" ", 1)[0] for line in lines) == ["MW101", "MW104", "MW106", "MW107", "MW109"]
    assert any(line.startswith(f"MW106 {tmp_path / 'in' / 'c.jsonl'}:2: ") for line in lines)
    assert all(re.match(r"MW\d{3} \S+: ", line) for line in lines)
    assert "stored 2, duplicates 0, near-duplicates 0, rejected 5" in result.stdout
    with Store.open(db) as store:
        assert store.count_reports() == 2


def test_date_option_and_stdin(db):
    result = run("ingest", "-", "--db", db, "--date", "2025-03-05",
                 input="A fresh contingent of 40 Jamaica Defence Force soldiers left for Haiti.")
    assert result.exit_code == 0, result.output
    listed = json.loads(run("reports", "--db", db, "--format", "json").stdout)
    assert [(r["published"], r["source"]) for r in listed] == [("2025-03-05", "<stdin>")]
    assert run("ingest", "x.txt", "--date", "2025-13-01", "--db", db).exit_code == 2


def test_reports_show_search(db):
    assert run("ingest", str(SAMPLES), "--db", db).exit_code == 0
    listed = json.loads(run("reports", "--db", db, "-f", "json", "--since", "2025-01-01").stdout)
    assert listed and all(r["published"] >= "2025-01-01" for r in listed)
    assert "body" not in listed[0]
    table = run("reports", "--db", db, "--until", "2023-12-31")
    assert table.exit_code == 0 and "110_bahamas" in table.stdout
    report_id = listed[0]["id"]
    shown = json.loads(run("show", report_id, "--db", db, "-f", "json").stdout)
    assert shown["id"] == report_id and shown["extraction"]["schema"] == "missionwatch.extraction/1"
    assert run("show", report_id, "--db", db).exit_code == 0
    missing = run("show", "nope", "--db", db)
    assert missing.exit_code == 1 and missing.stderr.startswith("MW201 nope: ")
    hits = json.loads(run("search", "Gran Grif", "--db", db, "-f", "json").stdout)
    assert hits[0]["source"] == "106_pont_sonde_massacre.txt" and "[" in hits[0]["snippet"]
    bad = run("search", '"Gran', "--db", db)
    assert bad.exit_code == 1 and bad.stderr.startswith("MW301 ")


def test_reextract_fills_in_stale_reports(db):
    with Store.open(db) as store:
        store.add(missionwatch.read(SAMPLE))
    result = run("reextract", "--db", db)
    assert result.exit_code == 0 and "re-extracted 1" in result.stdout
    assert "re-extracted 0" in run("reextract", "--db", db).stdout


def test_unavailable_database_is_one_line(tmp_path):
    result = run("reports", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/x")
    assert result.exit_code == 1 and result.stderr.startswith("MW203 ")


def test_module_docstring_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.symlink(SAMPLES.parent, tmp_path / "data")
    example = "\n".join(line[4:] for line in missionwatch.__doc__.split("::", 1)[1].split("\n\n``")[0]
                        .splitlines() if line.strip())
    exec(compile(example, "missionwatch.__doc__", "exec"), {})  # noqa: S102 - our own documentation
    assert (tmp_path / "missionwatch.db").exists()


def test_python_api_ingest_summary(tmp_path):
    with missionwatch.open_store(f"sqlite:///{tmp_path / 'api.db'}") as store:
        summary = missionwatch.ingest([SAMPLES], store)
        assert summary.ok and summary.stored == len(list(SAMPLES.glob("*.txt")))
        assert missionwatch.ingest([SAMPLES], store).duplicates == summary.stored


WORDS = ("Kenyan police patrolled Delmas while Haitian officers cleared barricades in Solino Bel Air "  # noqa: SIM905
         "Cite Soleil Martissant Carrefour and the airport road as gangs fired on armoured vehicles").split()


@pytest.mark.slow
def test_thousand_generated_reports(tmp_path, db):
    rng = random.Random(7)
    folder = tmp_path / "corpus"
    folder.mkdir()
    for n in range(1000):
        words = " ".join(rng.choice(WORDS) for _ in range(25))
        day = f"2025-{n % 12 + 1:02d}-{n % 28 + 1:02d}"
        (folder / f"{n:04d}.txt").write_text(f"date {day} Report {n}: {words}.", encoding="utf-8")
    result = run("ingest", str(folder), "--db", db, "--progress")
    assert result.exit_code == 0, result.stderr[-2000:]
    assert "ingesting" in result.stderr and "1000/1000" in result.stderr
    counts = re.search(r"stored (\d+), duplicates (\d+), near-duplicates (\d+), rejected 0", result.stdout)
    assert counts and int(counts[1]) + int(counts[3]) == 1000 and counts[2] == "0"
    with Store.open(db) as store:
        assert store.count_reports() == 1000 and store.counts().extractions == 1000


class _FakeExecutor:
    """Extracts instantly (empty extractions); rejects bodies containing 'unreadable'."""

    def extract(self, reports):
        from missionwatch.parallel import Extracted, ExtractionFailure
        from missionwatch.records import Extraction

        for r in reports:
            if "unreadable" in r.body:
                yield Extracted(r, failure=ExtractionFailure(r.id, "MW112", "fake failure"))
            else:
                yield Extracted(r, Extraction.for_report(r, "fake"))


def test_ingest_writes_in_batches_of_batch_size(tmp_path, monkeypatch):
    """Batches of ``batch_size`` extracted reports (plus the rest at the end); a bad one costs only itself."""
    lines = [{"text": f"Report {n} about patrol number {n * 37} in district {n * 11}.", "id": f"r{n}"}
             for n in range(8)]
    lines[2]["text"] = "This one is unreadable for the extractor."
    lines[5]["id"] = "taken"  # its id is already used by a different stored report: MW206
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("MISSIONWATCH_BATCH_SIZE", "3")
    progress = []
    with Store.open(f"sqlite:///{tmp_path / 'b.db'}") as store:
        store.add(Report.build(body="Something else entirely.", reader="t", id="taken"))
        batches: list[int] = []
        real = store.add_many

        def counting(pairs):
            batches.append(len(pairs))
            return real(pairs)

        monkeypatch.setattr(store, "add_many", counting)
        summary = missionwatch.ingest([corpus], store, executor=_FakeExecutor(),
                                      progress=lambda p: progress.append(p.reports_done))
        assert batches == [3, 3, 1]
        assert summary.stored == 6 and sorted(e.code for e in summary.rejected) == ["MW112", "MW206"]
        assert summary.report_ids == [f"r{n}" for n in (0, 1, 3, 4, 6, 7)]
        assert store.count_reports() == 7 and progress[-1] == 8
