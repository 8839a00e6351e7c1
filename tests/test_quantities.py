"""Quantities: personnel, money, money rates and counts; numbers that are not quantities."""

from __future__ import annotations

import pytest

from missionwatch.extract.quantities import find_quantities


def facts(nlp, text):
    doc = nlp(text)
    out = find_quantities(doc, [], [])
    for q in out:
        assert text[q.evidence.start:q.evidence.end] == q.evidence.text
    return [(q.kind, q.value, q.unit, q.per, q.period_count) for q in out]


@pytest.mark.parametrize(("text", "expected"), [
    ("There are 400 Kenyan police officers in Haiti.", ("personnel", 400.0, None, None, None)),
    ("The first contingent of 200 Kenyans arrived.", ("personnel", 200.0, None, None, None)),
    ("About two dozen soldiers from Jamaica are there.", ("personnel", 24.0, None, None, None)),
    ("Reports said a dozen officers had pulled out.", ("personnel", 12.0, None, None, None)),
    ("A second batch of about 200 is expected.", ("personnel", 200.0, None, None, None)),
    ("The force of up to 5,550 uniformed personnel was approved.", ("personnel", 5550.0, None, None, None)),
    ("A contingent of 40 Jamaica Defence Force (JDF) soldiers left.", ("personnel", 40.0, None, None, None)),
    ("The US has committed $200 million to the mission.", ("money", 200e6, "USD", None, None)),
    ("The fund is US$15 million short.", ("money", 15e6, "USD", None, None)),
    ("Kenya set aside KSh 2 billion for the deployment.", ("money", 2e9, "KES", None, None)),
    ("It costs around 800 million dollars.", ("money", 800e6, "USD", None, None)),
    ("It costs $200 million every six months.", ("money_rate", 200e6, "USD", "month", 6.0)),
    ("Running costs are $600 million a year.", ("money_rate", 600e6, "USD", "year", 1.0)),
    ("The fund is running US$15 million a month short.", ("money_rate", 15e6, "USD", "month", 1.0)),
    ("Gunmen killed at least 70 people.", ("count", 70.0, None, None, None)),
    ("Police arrested 14 suspected gang members.", ("count", 14.0, None, None, None)),
    ("More than 700,000 Haitians have been driven from their homes.", ("count", 700000.0, None, None, None)),
    ("The gunmen torched at least 45 homes.", ("count", 45.0, None, None, None)),
    ("Over one million people are displaced.", ("count", 1e6, None, None, None)),
])
def test_kinds(nlp, text, expected):
    assert expected in facts(nlp, text)


@pytest.mark.parametrize("text", [
    '"We ran," said Joseph, 52, who sold charcoal.',
    "He took power in 2022.",
    "He landed at about 3pm local time.",
    "It was the 79th session of the Assembly.",
    "In line with Resolution 2751, the mission continues.",
    "Gangs control an estimated 80% of the capital.",
    "The council voted 13-0 on Monday.",
    "Troops patrolled Delmas 24 for 12 months.",
])
def test_not_quantities(nlp, text):
    assert [f for f in facts(nlp, text) if f[0] in ("personnel", "money", "money_rate")] == []


def test_killed_officers_are_a_count(nlp):
    assert ("count", 2.0, None, None, None) in facts(nlp, "Two officers were killed in the ambush.")
