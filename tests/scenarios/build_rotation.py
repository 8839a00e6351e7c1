"""Writes the hand-made extractions of the ``rotation`` scenario (``*.extraction.json``).

The facts below are written by hand (what a perfect extractor would find in
each report); only the character offsets are computed, by finding the quoted
words in the report body, so the evidence spans are exact. Re-run after
editing a report or a fact:  ``.venv/bin/python tests/scenarios/build_rotation.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

from missionwatch.readers.dated_text import parse_dated_text
from missionwatch.records import body_sha256

HERE = Path(__file__).parent / "rotation"
HT = "HT"
PAP = dict(name="Port-au-Prince", country=HT, lat=18.5435, lon=-72.3388, feature="city")
SOLINO = dict(name="Solino", country=HT, lat=18.5530, lon=-72.3260, feature="neighborhood")
KENSCOFF = dict(name="Kenscoff", country=HT, lat=18.4500, lon=-72.2833, feature="city")
HAITI = dict(name="Haiti", country=HT, lat=19.0, lon=-72.4, feature="country")

D = lambda s, e=None, p="day", t=None: {"start": s, "end": e or s, "precision": p, "text": t}  # noqa: E731

SPECS: dict[str, dict] = {
    "s1_kenyans_reinforce": dict(
        source="Daily Sentinel",
        entities=[
            ("e1", "Kenyan police", "FORCE", ["Kenyan police officers"], ["Kenyan police officers"]),
            ("e2", "UN Security Council", "ORG", ["Security Council"], ["Security Council"]),
            ("e3", "Multinational Security Support Mission", "MISSION", ["MSS"],
             ["Multinational Security Support Mission"]),
            ("e4", "Garry Conille", "PERSON", ["Conille"], ["Garry Conille"]),
            ("e5", "Kenya", "COUNTRY", [], ["Kenyan contingent"]),
        ],
        places=[("p1", PAP, ["Port-au-Prince"]), ("p2", HAITI, ["Haiti"])],
        quantities=[
            ("q1", "personnel", 200, {}, "e1", "200 Kenyan police officers", None),
            ("q2", "personnel", 600, {}, "e5", "Kenyan contingent in Haiti to 600", D("2025-01-10")),
            ("q3", "money_rate", 200_000_000, {"unit": "USD", "per": "month", "period_count": 6}, None,
             "$200 million every six months", None),
        ],
        events=[
            ("v1", "DEPLOY", "occurred", D("2025-01-09", t="Thursday"), "p1", ["e1"], "q1", {},
             "A further 200 Kenyan police officers arrived in Port-au-Prince on Thursday"),
            ("v2", "MANDATE", "occurred", D("2023-10-01", "2023-10-31", "month", "October 2023"), None,
             ["e2"], None, {"action": "authorize"},
             "The Security Council first authorised the Multinational Security Support Mission in "
             "October 2023 for a year"),
            ("v3", "MANDATE", "occurred", D("2024-09-30", t="September 30, 2024"), None, ["e2"], None,
             {"action": "renew"}, "renewed it on September 30, 2024 for another year"),
            ("v4", "FUNDING", "ongoing", None, None, [], "q3", {},
             "The mission costs about $200 million every six months"),
        ],
    ),
    "s2_guatemalans_arrive_wire": dict(
        source="Caribbean Wire",
        entities=[
            ("e1", "Guatemalan soldiers", "FORCE", ["Guatemalan troops"], ["Guatemalan soldiers"]),
            ("e2", "Haitian National Police", "FORCE", ["Haitian police", "HNP"], ["Haitian police"]),
            ("e3", "Multinational Security Support Mission", "MISSION", ["MSS"], ["mission troops"]),
            ("e4", "Canada", "COUNTRY", [], ["Canada"]),
        ],
        places=[("p1", PAP, ["Port-au-Prince"]), ("p2", SOLINO, ["Solino"])],
        quantities=[
            ("q1", "personnel", 150, {}, "e1", "150 Guatemalan soldiers", None),
            ("q2", "money", 60_000_000, {"unit": "USD"}, None, "$60 million", None),
        ],
        events=[
            ("v1", "DEPLOY", "occurred", D("2025-02-14", t="Friday"), "p1", ["e1"], "q1", {},
             "A contingent of 150 Guatemalan soldiers arrived in Port-au-Prince on Friday"),
            ("v2", "CONTROL", "occurred", D("2025-02-12", t="Wednesday"), "p2", ["e2", "e3"], None,
             {"direction": "gained"}, "Haitian police and mission troops retook Solino on Wednesday"),
            ("v3", "FUNDING", "occurred", None, None, ["e4"], "q2", {},
             "Canada pledged $60 million to the mission's trust fund"),
        ],
    ),
    "s3_guatemalans_observer": dict(
        source="Haiti Observer",
        entities=[
            ("e1", "Guatemalan troops", "FORCE", ["Guatemalan soldiers"], ["Guatemalan troops"]),
            ("e2", "Kenya", "COUNTRY", [], ["Kenya"]),
            ("e3", "gangs", "ARMED_GROUP", [], ["Gangs"]),
        ],
        places=[("p1", PAP, ["Port-au-Prince"]), ("p2", KENSCOFF, ["Kenscoff"]), ("p3", HAITI, ["Haiti"])],
        quantities=[
            ("q1", "personnel", 150, {}, "e1", "150 Guatemalan troops", None),
            ("q2", "personnel", 580, {}, "e2", "Kenya now has 580 officers in Haiti", D("2025-02-16")),
        ],
        events=[
            ("v1", "DEPLOY", "occurred", D("2025-02-14", t="February 14"), "p1", ["e1"], "q1", {},
             "Some 150 Guatemalan troops landed in Port-au-Prince on February 14"),
            ("v2", "CONTROL", "occurred", D("2025-02-15", t="Saturday"), "p2", ["e3"], None,
             {"direction": "gained"}, "Gangs seized Kenscoff on Saturday after police withdrew"),
        ],
    ),
    "s4_rotation_out_nairobi": dict(
        source="Nairobi Standard",
        entities=[
            ("e1", "Kenyan police", "FORCE", ["Kenyan officers"], ["Kenyan officers"]),
            ("e2", "Kenya", "COUNTRY", [], ["Kenya"]),
            ("e3", "Alix Didier Fils-Aimé", "PERSON", ["Fils-Aimé"], ["Alix Didier Fils-Aimé"]),
            ("e4", "National Police Service", "FORCE", ["NPS"], ["National Police Service"]),
        ],
        places=[("p1", PAP, ["Port-au-Prince"]), ("p2", HAITI, ["Haiti"])],
        quantities=[
            ("q1", "personnel", 200, {}, "e1", "About 200 Kenyan officers", None),
            ("q2", "personnel", 600, {}, "e2", "Kenya has 600 officers in Haiti", D("2025-02-16")),
        ],
        events=[
            ("v1", "WITHDRAW", "occurred", D("2025-02-15", t="Saturday"), "p1", ["e1"], "q1", {},
             "About 200 Kenyan officers who completed their tour left Port-au-Prince on Saturday"),
            ("v2", "MEETING", "occurred", D("2025-02-15", "2025-02-16", "range"), None, ["e1", "e3"], None,
             {}, "They met Prime Minister Alix Didier Fils-Aimé before leaving"),
        ],
    ),
    "s5_renewal_ahead": dict(
        source="Caribbean Wire",
        entities=[
            ("e1", "UN Security Council", "ORG", ["Security Council"], ["Security Council"]),
            ("e2", "Viv Ansanm", "ARMED_GROUP", ["Viv Ansanm gangs"], ["Viv Ansanm gangs"]),
        ],
        places=[("p1", SOLINO, ["Solino"])],
        quantities=[
            ("q1", "money_rate", 15_000_000, {"unit": "USD", "per": "month", "period_count": 1}, None,
             "running $15 million a month short", None),
        ],
        events=[
            ("v1", "MANDATE", "planned", D("2025-10-02", t="October 2, 2025"), None, [], None,
             {"action": "expire"}, "The mission's mandate expires on October 2, 2025"),
            ("v2", "MANDATE", "planned", D("2025-09-22", "2025-09-28", "week", "next week"), None, ["e1"],
             None, {"action": "renew"}, "the Security Council is expected to renew it next week"),
            ("v3", "CONTROL", "occurred", D("2025-08-01", "2025-08-31", "month", "August"), "p1", ["e2"],
             None, {"direction": "gained"}, "Viv Ansanm gangs retook Solino in August"),
            ("v4", "FUNDING", "ongoing", None, None, [], "q1", {},
             "The trust fund is running $15 million a month short"),
        ],
    ),
    "s6_renewed": dict(
        source="Haiti Observer",
        entities=[
            ("e1", "UN Security Council", "ORG", ["Security Council"], ["Security Council"]),
            ("e2", "Kenya", "COUNTRY", [], ["Kenya"]),
        ],
        places=[("p1", HAITI, ["Haiti"])],
        quantities=[
            ("q1", "personnel", 600, {}, "e2", "Kenya still has 600 officers in Haiti", D("2025-10-01")),
        ],
        events=[
            ("v1", "MANDATE", "occurred", D("2025-09-30", t="Tuesday"), None, ["e1"], None,
             {"action": "renew"}, "The Security Council on Tuesday renewed the mission for another year"),
        ],
    ),
}


def span(body: str, text: str, after: int = 0) -> dict:
    start = body.find(text, after)
    if start < 0:
        raise SystemExit(f"{text!r} not in body")
    return {"start": start, "end": start + len(text), "text": text}


def build(name: str, spec: dict) -> dict:
    raw = (HERE / f"{name}.txt").read_text(encoding="utf-8")
    published, body = parse_dated_text(raw, name)
    extractor = "hand"
    return {
        "schema": "missionwatch.extraction/1",
        "extractor_version": "hand/1",
        "report": {"id": name, "published": published.isoformat() if published else None, "title": None,
                   "source": spec["source"], "sha256": body_sha256(body)},
        "entities": [{"id": i, "name": n, "type": t, "aliases": a, "attributes": {},
                      "mentions": [span(body, m) for m in ms], "extractor": extractor}
                     for i, n, t, a, ms in spec["entities"]],
        "places": [{"id": i, **p, "admin1": None, "geonames_id": None,
                    "mentions": [span(body, m) for m in ms], "extractor": extractor}
                   for i, p, ms in spec["places"]],
        "quantities": [{"id": i, "kind": k, "value": v, "unit": extra.get("unit"), "per": extra.get("per"),
                        "period_count": extra.get("period_count"), "subject": subj, "date": date,
                        "evidence": span(body, ev), "extractor": extractor}
                       for i, k, v, extra, subj, ev, date in spec["quantities"]],
        "events": [{"id": i, "type": t, "plover": None, "status": s, "date": d, "place": p, "actors": a,
                    "targets": [], "quantity": q, "attributes": attrs, "confidence": 0.9,
                    "evidence": span(body, ev), "extractor": extractor}
                   for i, t, s, d, p, a, q, attrs, ev in spec["events"]],
    }


if __name__ == "__main__":
    for name, spec in SPECS.items():
        path = HERE / f"{name}.extraction.json"
        path.write_text(json.dumps(build(name, spec), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print("wrote", path)
