"""Benchmark: the mission picture as of a date, on the path the web really uses (issue 7).

    .venv/bin/python -m bench.run --only picture --picture-reports 220000   # ~1,000,000 events

``measure`` runs in a child (``bench.child``). It builds a store of N
synthetic reports (``bench_mission``'s generator: ~4.5 events a report; plus
money, capability gaps and roles at the development reports' rates: ``with_claims``) whose
contributions sit in the service's cache table, as they do after ingest (the
extraction rows are stubs: the service never reduces a report whose cached
contribution is valid). Then, as the web server does:

* start-up: one ``MissionService`` reads the cache, merges the events and
  builds the as-of and section indexes (``MissionService.warm``, which also
  freezes the loaded state for the garbage collector), timed on its own;
* random as-of dates over the whole span: ``web.picture.picture_text`` (the
  ``/api/picture`` handler's call with its defaults: the picture with a
  100-event timeline page, the timeline's total, history lists cut to their
  latest 50 entries, evidence lists to their first 5, encoded as the JSON
  text the server sends) plus encoding that text to bytes, each timed (wall
  and this process's CPU);
* today after one new report: the report is added to the store with its
  extraction; the next call reads the change stamp, the keys, reduces that one
  report and updates the index.

Load averages are recorded with every stage: the machine is shared.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import os
import random
import statistics
import time
from typing import Any

from sqlalchemy import insert

from bench.bench_mission import START, FastContributions, synthetic

SPAN_DAYS = 1030  # publication dates run over 1000 days, events up to 30 days before

# Money, capability gaps and roles per report, as in the development reports (11 reports: 11 money
# claims, 2 gaps, 39 roles), drawn from pools that restate the same amounts and name the same people,
# with new people appearing as the archive grows.
MONEY_PER_REPORT, GAPS_PER_REPORT, ROLES_PER_REPORT = 1.0, 0.2, 3.5
DONORS = [None, "United States", "Canada", "Kenya", "France", "Germany", "Japan", "Spain", "Italy",
          "Netherlands", "United Kingdom", "European Union", "Bahamas", "Jamaica", "OAS"]
AMOUNTS = [float(m) * 1e6 for m in (1, 2, 5, 10, 15, 20, 25, 40, 50, 60, 75, 100, 109, 150, 200, 300,
                                    309, 360, 380, 400, 500, 600, 800)]
COSTS = [200e6, 600e6, 800e6]
SHORTFALLS = [100e6, 109e6, 309e6]
DONOR_AMOUNTS = {d: [AMOUNTS[(3 * n + k) % len(AMOUNTS)] for k in range(3)]
                 for n, d in enumerate(DONORS) if d}
CAPABILITIES = ["helicopters", "armoured vehicles", "drones", "night-vision equipment", "boats",
                "medical evacuation", "intelligence", "radios", "fuel", "ammunition", "bases", "interpreters"]
ROLES = ["commander", "minister of justice", "prime minister", "president", "police chief", "envoy",
         "spokesperson", "gang leader", "ambassador", "secretary-general", "force commander",
         "deputy commander", "mayor", "senator", "foreign minister"]
CORE_PEOPLE = 30


def with_claims(c: Any, n: int, rng: random.Random) -> Any:
    """``c`` with money, capability gaps and roles (its own random draws: the events stay the same)."""
    from missionwatch.mission.model import GapClaim, MoneyClaim, RoleClaim, Source

    def source(kind: str, i: int) -> Source:
        return Source.model_construct(report_id=c.report_id, report_date=c.report_date, outlet=c.outlet,
                                      quote=f"synthetic {kind} {i}", fact=f"quantity:{kind[0]}{i}")

    def count(mean: float) -> int:
        return int(mean) + (rng.random() < mean - int(mean))

    money = []
    for i in range(count(MONEY_PER_REPORT)):
        # a donor pledges and pays a few sums, restated for years; costs and shortfalls are the
        # mission's few figures (six months, a year, a month)
        cls = rng.choices(["cost", "pledge", "contribution", "shortfall", "other"], [8, 6, 4, 1, 1])[0]
        rate = cls == "cost" and rng.random() < 0.3
        donor = None if cls in ("cost", "shortfall") else rng.choice(DONORS[1:])
        amount = rng.choice(COSTS if cls == "cost" else SHORTFALLS if cls == "shortfall" else
                            DONOR_AMOUNTS[donor or ""])
        money.append(MoneyClaim(
            cls=cls, donor=donor, value=amount / (6 if rate else 1), unit="USD",
            per="month" if rate else None, period_count=None, usd=None if rate else amount,
            usd_per_month=amount / 6 if rate else None, source=source("money", i)))  # (a field named cls)
    gaps = [GapClaim.model_construct(capability=rng.choice(CAPABILITIES), source=source("gap", i))
            for i in range(count(GAPS_PER_REPORT))]
    roles = []
    for i in range(count(ROLES_PER_REPORT)):
        # a few people are in every other report; the rest come and go as the archive grows
        who = rng.randrange(CORE_PEOPLE) if rng.random() < 0.6 else CORE_PEOPLE + rng.randrange(n // 10 + 1)
        role = ROLES[who % len(ROLES)] if rng.random() < 0.9 else rng.choice(ROLES)
        name = f"Person {who:06d}"
        roles.append(RoleClaim.model_construct(person=name, keys=[name.lower()], role=role,
                                               source=source("role", i)))
    return c.model_copy(update={"money": money, "gaps": gaps, "roles": roles})


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


class _Clock:
    def __enter__(self) -> _Clock:
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.process_time() - self.cpu0

    def out(self) -> dict[str, float]:
        return {"wall_s": round(self.wall, 4), "cpu_s": round(self.cpu, 4)}


def build_store(url: str, reports: int, seed: int) -> dict[str, Any]:
    """N reports with stub extractions and their cached contributions, written in bulk."""
    from missionwatch.mission.service import CACHE, MissionService
    from missionwatch.store import Store
    from missionwatch.store.models import ExtractionRow, ReportRow

    rng, claims_rng = random.Random(seed), random.Random(seed + 100)
    fast = FastContributions()
    now = dt.datetime.now(dt.UTC)
    events = 0
    key = None
    with Store.open(url) as store:
        batch = 2000
        for lo in range(0, reports, batch):
            made = [with_claims(fast(i, rng), i, claims_rng) for i in range(lo, min(reports, lo + batch))]
            events += sum(len(c.events) for c in made)
            with store.engine.begin() as conn:
                conn.execute(insert(ReportRow), [
                    {"id": c.report_id, "sha256": hashlib.sha256(c.report_id.encode()).hexdigest(),
                     "seq": lo + k + 1, "published": c.report_date, "title": None, "source": c.outlet,
                     "url": None, "reader": "bench", "body": "", "ingested_at": now, "minhash": b""}
                    for k, c in enumerate(made)])
                conn.execute(insert(ExtractionRow), [
                    {"report_id": c.report_id, "extractor_version": "bench", "contract": "{}",
                     "extracted_at": now} for c in made])
            if key is None:  # the stubs share extractor version and time: one key, read as the service does
                key = MissionService(store)._current_keys()[0][made[0].report_id]
            with store.engine.begin() as conn:
                conn.execute(insert(CACHE), [
                    {"report_id": c.report_id, "cache_key": key, "contribution": c.model_dump_json(),
                     "computed_at": now} for c in made])
    return {"reports": reports, "events": events}


def measure(url: str, reports: int = 20_000, seed: int = 7, dates: int = 40,
            page: int = 100) -> dict[str, Any]:
    from missionwatch.mission.service import MissionService
    from missionwatch.records import Report
    from missionwatch.store import Store
    from missionwatch.web import picture as web_picture

    out: dict[str, Any] = {"load_at_start": _load()}
    with _Clock() as built:
        out.update(build_store(url, reports, seed))
    out["build_store"] = {**built.out(), "load": _load()}
    gc.collect()
    today = dt.date.today()
    store = Store.open(url)
    service = MissionService(store)
    with _Clock() as refresh:
        stats = service.refresh()
    with _Clock() as first:
        service.warm(today)  # what the server does at start-up (indexes built, state frozen for the gc)
    out["startup"] = {"refresh": refresh.out(), "first_picture": first.out(),
                      "total_wall_s": round(refresh.wall + first.wall, 2),
                      "total_cpu_s": round(refresh.cpu + first.cpu, 2), "from_cache": stats.from_cache,
                      "computed": stats.computed, "merged_events": len(service.state.index.versions),
                      "versions": sum(len(v) for v in service.state.index.versions.values()),
                      "load": _load()}

    rng = random.Random(seed + 1)
    samples = []
    for _ in range(dates):
        day = START + dt.timedelta(days=rng.randrange(-30, SPAN_DAYS + 30))
        with _Clock() as pic:
            text = web_picture.picture_text(service, day, 0, page, web_picture.HISTORY, web_picture.SOURCES)
        with _Clock() as enc:
            sent = text.encode()
        body = json.loads(text)
        samples.append({"as_of": day.isoformat(), "picture": pic.out(), "json": enc.out(), "bytes": len(sent),
                        "timeline_total": body["timeline_page"]["total"],
                        "wall_s": round(pic.wall + enc.wall, 4), "cpu_s": round(pic.cpu + enc.cpu, 4)})
    out["random_dates"] = {"samples": samples, "load": _load(), **_stats(samples)}

    extraction = synthetic(reports, random.Random(seed + 2))
    report = Report.build(body="One more synthetic report.", reader="bench", published=today,
                          title="one more", source="bench")
    extraction = extraction.model_copy(update={"report_id": report.id, "published": today})
    store.add(report, extraction)
    with _Clock() as after_add:
        text = web_picture.picture_text(service, today, 0, page, web_picture.HISTORY, web_picture.SOURCES)
    with _Clock() as again:
        text = web_picture.picture_text(service, today, 0, page, web_picture.HISTORY, web_picture.SOURCES)
    body = json.loads(text)
    out["today_after_one_report"] = {**after_add.out(), "reports": body["reports"], "bytes": len(text),
                                     "load": _load()}
    out["today_again"] = {**again.out(), "load": _load()}
    store.close()
    return out


def _stats(samples: list[dict[str, Any]]) -> dict[str, Any]:
    def pct(values: list[float], q: float) -> float:
        values = sorted(values)
        return round(values[min(len(values) - 1, int(round(q * (len(values) - 1))))], 4)

    walls = [s["wall_s"] for s in samples]
    return {"p50_wall_s": pct(walls, 0.5), "p95_wall_s": pct(walls, 0.95), "max_wall_s": max(walls),
            "p50_cpu_s": pct([s["cpu_s"] for s in samples], 0.5),
            "p95_cpu_s": pct([s["cpu_s"] for s in samples], 0.95),
            "p50_picture_wall_s": pct([s["picture"]["wall_s"] for s in samples], 0.5),
            "p95_picture_wall_s": pct([s["picture"]["wall_s"] for s in samples], 0.95),
            "p50_json_wall_s": pct([s["json"]["wall_s"] for s in samples], 0.5),
            "p95_json_wall_s": pct([s["json"]["wall_s"] for s in samples], 0.95),
            "median_bytes": int(statistics.median(s["bytes"] for s in samples))}
