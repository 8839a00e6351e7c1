"""Benchmark: the mission picture over N reports, then one more report (incremental).

    .venv/bin/python bench/bench_mission.py --reports 100000

Synthetic extractions (random Kenya/Jamaica deployments, control changes,
mandate acts, costs) spread over three years; no extractor, no store: this
measures the picture layer (reduction, event merging with blocking, fold).
Prints the cold time (reduce every report, merge, fold) and the time to add
one report and fold again, with the number of event comparisons each took.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

from missionwatch.mission import PictureState, contributions_of
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
                               evidence=Span(start=0, end=0, text="Kenya has officers in Haiti"), extractor="bench"))
    return Extraction(report_id=f"bench{n:07d}", published=published, source=f"outlet{n % 40}", sha256="0" * 64,
                      extractor_version="bench", entities=entities, places=places, events=events,
                      quantities=quantities)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    extractions = [synthetic(n, rng) for n in range(args.reports + 1)]
    as_of = START + dt.timedelta(days=1100)

    state = PictureState()
    t0 = time.perf_counter()
    for x in extractions[:-1]:
        state.add(contributions_of(x))
    t_index = time.perf_counter() - t0
    picture = state.picture(as_of)
    t_cold = time.perf_counter() - t0
    cold_comparisons = state.timeline.comparisons

    t1 = time.perf_counter()
    state.add(contributions_of(extractions[-1]))
    t_add = time.perf_counter() - t1
    picture = state.picture(as_of)
    t_incr = time.perf_counter() - t1
    print(f"reports: {args.reports:,}  events: {len(state.timeline.claims):,}  merged: {len(picture.timeline):,}")
    print(f"cold: reduce+merge {t_index:.2f}s, fold {t_cold - t_index:.2f}s, total {t_cold:.2f}s "
          f"({cold_comparisons:,} comparisons)")
    print(f"one more report: reduce+merge {t_add * 1000:.1f} ms "
          f"({state.timeline.comparisons - cold_comparisons:,} comparisons), with fold {t_incr:.2f}s")


if __name__ == "__main__":
    main()
