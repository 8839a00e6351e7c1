"""Benchmark: the mission picture over N reports, then one more report (incremental).

    .venv/bin/python bench/bench_mission.py --reports 10000 100000 --output bench/results/mission.md

Synthetic extractions (random Kenya/Jamaica deployments, control changes,
mandate acts, costs) spread over three years; no extractor, no store: this
measures the picture layer (reduction, event merging with blocking, fold).

For each N: the cold build (reduce every report, merge, fold), then one more
report: its reduction and merge, and the picture recomputed after it. With
``--from-cache N`` (used for 100,000) the N reports' contributions are made
directly, as the service reads them from its cache table, instead of through
the reducer (checked equal to the reducer's on the first reports), so the
cold build is merge + fold; the added report still goes through the reducer.
Prints a Markdown table (and writes it to ``--output``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import random
import time
from pathlib import Path
from typing import Any

from missionwatch.mission import Contribution, PictureState, contributions_of
from missionwatch.mission.model import EventClaim, PersonnelClaim, QuantityRef, Source
from missionwatch.records import DateInterval, Entity, Event, Extraction, Place, Quantity, Span

START = dt.date(2024, 1, 1)
ACTORS = [("Kenyan police", "FORCE"), ("Jamaica Defence Force", "FORCE"), ("Viv Ansanm", "ARMED_GROUP"),
          ("UN Security Council", "ORG"), ("Haitian National Police", "FORCE")]
PLACES = [("Port-au-Prince", 18.54, -72.34), ("Delmas", 18.54, -72.30), ("Kenscoff", 18.45, -72.28),
          ("Cabaret", 18.73, -72.42), ("Mirebalais", 18.83, -72.10), ("Solino", 18.55, -72.33)]


def synthetic(n: int, rng: random.Random) -> Extraction:
    published = START + dt.timedelta(days=rng.randrange(1000))
    entities = [Entity(id=f"e{i}", name=name, type=t, mentions=[], extractor="bench")  # type: ignore[arg-type]
                for i, (name, t) in enumerate(ACTORS)]
    places = [Place(id=f"p{i}", name=name, country="HT", lat=lat, lon=lon, feature="city", mentions=[],
                    extractor="bench") for i, (name, lat, lon) in enumerate(PLACES)]
    events, quantities = [], []
    for k in range(rng.randrange(2, 8)):
        day = published - dt.timedelta(days=rng.randrange(30))
        kind = rng.choice(["DEPLOY", "WITHDRAW", "CONTROL", "OPERATION", "ATTACK", "MANDATE", "FUNDING"])
        q = None
        if kind in ("DEPLOY", "WITHDRAW"):
            q = f"q{k}"
            quantities.append(Quantity(id=q, kind="personnel", value=rng.choice([100, 150, 200, 230]),
                                       subject="e0", evidence=Span(start=0, end=0, text="officers"),
                                       extractor="bench"))
        events.append(Event(id=f"v{k}", type=kind, status=rng.choice(["occurred", "occurred", "planned"]),  # type: ignore[arg-type]
                            date=DateInterval(start=day, end=day, precision="day"),
                            place=f"p{rng.randrange(len(PLACES))}", actors=[f"e{rng.randrange(len(ACTORS))}"],
                            quantity=q, attributes={"direction": rng.choice(["gained", "lost"])}
                            if kind == "CONTROL" else {"action": "renew"} if kind == "MANDATE" else {},
                            evidence=Span(start=0, end=0, text=f"synthetic event {k}"), extractor="bench"))
    quantities.append(Quantity(id="qs", kind="personnel", value=rng.choice([380, 400, 420]), subject="e0",
                               evidence=Span(start=0, end=0, text="Kenya has officers in Haiti"),
                               extractor="bench"))
    return Extraction(report_id=f"bench{n:07d}", published=published, source=f"outlet{n % 40}",
                      sha256="0" * 64, extractor_version="bench", entities=entities, places=places,
                      events=events, quantities=quantities)


class FastContributions:
    """``contributions_of(synthetic(n, rng))`` without the reducer: the same random draws, the
    claims built from per-entity/place references computed once (what a cache read gives)."""

    def __init__(self) -> None:
        probe = contributions_of(synthetic(0, random.Random(0)))
        x = synthetic(0, random.Random(0))
        refs = {}
        for e, claim in zip(x.events, probe.events, strict=True):
            refs[e.place] = claim.place
            refs[e.actors[0]] = claim.actors[0]
        self.places = [refs.get(f"p{i}") for i in range(len(PLACES))]
        self.actors = [refs.get(f"e{i}") for i in range(len(ACTORS))]
        self.stock = probe.personnel[0]
        missing = [i for i, r in enumerate(self.places + self.actors) if r is None]
        if missing:  # complete the references from a reduction that names them all
            full = contributions_of(synthetic(0, random.Random(0)).model_copy(update={"events": [
                ev.model_copy(update={"place": f"p{i % len(PLACES)}", "actors": [f"e{i % len(ACTORS)}"]})
                for i, ev in enumerate(synthetic(0, random.Random(0)).events * 6)]}))
            self.places = [c.place for c in full.events[:len(PLACES)]]
            self.actors = [next(c.actors[0] for c in full.events if c.actors[0].name == name)
                           for name, _ in ACTORS]

    def __call__(self, n: int, rng: random.Random) -> Contribution:
        published = START + dt.timedelta(days=rng.randrange(1000))
        rid, outlet = f"bench{n:07d}", f"outlet{n % 40}"
        events = []
        for k in range(rng.randrange(2, 8)):
            day = published - dt.timedelta(days=rng.randrange(30))
            kind = rng.choice(["DEPLOY", "WITHDRAW", "CONTROL", "OPERATION", "ATTACK", "MANDATE", "FUNDING"])
            q = None
            if kind in ("DEPLOY", "WITHDRAW"):
                moved = float(rng.choice([100, 150, 200, 230]))
                q = QuantityRef.model_construct(kind="personnel", value=moved, unit=None, per=None,
                                                period_count=None, subject="e0")
            status = rng.choice(["occurred", "occurred", "planned"])
            place = self.places[rng.randrange(len(PLACES))]
            actor = self.actors[rng.randrange(len(ACTORS))]
            attributes = {"direction": rng.choice(["gained", "lost"])} if kind == "CONTROL" else \
                {"action": "renew"} if kind == "MANDATE" else {}
            date = DateInterval.model_construct(start=day, end=day, precision="day", text=None,
                                                fallback=False)
            source = Source.model_construct(report_id=rid, report_date=published, outlet=outlet,
                                            quote=f"synthetic event {k}", fact=f"event:v{k}")
            events.append(EventClaim.model_construct(
                key=f"{rid}:v{k}", type=kind, status=status, date=date, place=place, actors=[actor],
                targets=[], quantity=q, attributes=attributes, duration_months=None, confidence=0.5,
                source=source))
        value = float(rng.choice([380, 400, 420]))
        stock = PersonnelClaim.model_construct(
            country=self.stock.country, unit=self.stock.unit, value=value, date=published,
            source=Source.model_construct(report_id=rid, report_date=published, outlet=outlet,
                                          quote=self.stock.source.quote, fact=self.stock.source.fact))
        return Contribution.model_construct(version=self_version(), report_id=rid, report_date=published,
                                            outlet=outlet, cache_key="bench|none|" + self_version(),
                                            events=events, personnel=[stock], money=[], gaps=[], roles=[])


def self_version() -> str:
    from missionwatch.mission.model import CONTRIBUTION_VERSION

    return CONTRIBUTION_VERSION


def check_fast(fast: FastContributions, count: int = 40) -> None:
    a, b = random.Random(11), random.Random(11)
    for n in range(count):
        slow = contributions_of(synthetic(n, a)).model_dump(mode="json")
        quick = fast(n, b).model_dump(mode="json")
        slow.pop("cache_key"), quick.pop("cache_key")
        assert slow == quick, f"fast contributions differ from the reducer's at report {n}"


class Clock:
    """Wall and CPU seconds of one stage (CPU: this process; the machine may be shared)."""

    def __enter__(self) -> Clock:
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall0, time.process_time() - self.cpu0


def run(n: int, seed: int, from_cache: bool) -> dict[str, Any]:
    rng = random.Random(seed)
    as_of = START + dt.timedelta(days=1100)
    state = PictureState()
    reduce = Clock()
    reduce.wall = reduce.cpu = 0.0
    if from_cache:
        fast = FastContributions()
        check_fast(fast)
        contributions = [fast(i, rng) for i in range(n)]
    else:
        extractions = [synthetic(i, rng) for i in range(n)]
        with reduce:
            contributions = [contributions_of(x) for x in extractions]
        del extractions
    one_more = synthetic(n, rng)
    with Clock() as merge:
        state.add_many(contributions)
    cold_comparisons = state.timeline.comparisons
    with Clock() as fold:
        picture = state.picture(as_of)
    del contributions, picture
    gc.collect()
    gc.freeze()  # the loaded state is long-lived: keep the collector's full passes off it, as a server would

    with Clock() as add:
        state.add(contributions_of(one_more))
    with Clock() as recompute:
        picture = state.picture(as_of)
    return {"reports": n, "events": len(state.timeline.claims), "merged": len(picture.timeline),
            "cold": "merge + fold of cached contributions" if from_cache else "reduce + merge + fold",
            "reduce": reduce, "merge": merge, "fold": fold, "comparisons": cold_comparisons,
            "add": add, "add_comparisons": state.timeline.comparisons - cold_comparisons,
            "recompute": recompute}


def table(rows: list[dict[str, Any]]) -> str:
    lines = [f"Mission picture benchmark ({dt.date.today()}, Python {platform.python_version()}, "
             f"{platform.machine()}, {os.cpu_count()} cores shared with other jobs; synthetic reports, "
             f"picture as of {START + dt.timedelta(days=1100)}). Each time: wall (CPU of this process).", "",
             "| reports | events | merged events | cold build | reduce | merge | fold | cold total | "
             "comparisons | add one report | its comparisons | picture after the add | add + picture |",
             "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]

    def s(*clocks: Clock) -> str:
        return f"{sum(c.wall for c in clocks):.1f} s ({sum(c.cpu for c in clocks):.1f})"

    def ms(*clocks: Clock) -> str:
        return f"{sum(c.wall for c in clocks) * 1000:.0f} ms ({sum(c.cpu for c in clocks) * 1000:.0f})"

    for r in rows:
        lines.append(f"| {r['reports']:,} | {r['events']:,} | {r['merged']:,} | {r['cold']} | "
                     f"{s(r['reduce'])} | {s(r['merge'])} | {s(r['fold'])} | "
                     f"{s(r['reduce'], r['merge'], r['fold'])} | {r['comparisons']:,} | {ms(r['add'])} | "
                     f"{r['add_comparisons']:,} | {ms(r['recompute'])} | {ms(r['add'], r['recompute'])} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, nargs="+", default=[10_000])
    parser.add_argument("--from-cache", type=int, nargs="*", default=[100_000],
                        help="sizes whose cold build starts from contributions (no reducer)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    rows = []
    for n in args.reports:
        rows.append(run(n, args.seed, n in args.from_cache))
        print(table(rows[-1:]).splitlines()[-1], flush=True)
    text = table(rows)
    print(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
