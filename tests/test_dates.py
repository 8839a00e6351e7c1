"""Dates: every rule resolved against a pinned publication date (Saturday 2024-09-21)."""

from __future__ import annotations

import datetime as dt

import pytest

from missionwatch.extract.dates import find_dates, resolve

PUB = dt.date(2024, 9, 21)  # a Saturday
D = dt.date


@pytest.mark.parametrize(("text", "start", "end", "precision"), [
    ("Saturday", D(2024, 9, 21), D(2024, 9, 21), "day"),
    ("Monday", D(2024, 9, 16), D(2024, 9, 16), "day"),
    ("last Monday", D(2024, 9, 16), D(2024, 9, 16), "day"),
    ("next Tuesday", D(2024, 9, 24), D(2024, 9, 24), "day"),
    ("early Thursday", D(2024, 9, 19), D(2024, 9, 19), "day"),
    ("Monday night", D(2024, 9, 16), D(2024, 9, 16), "day"),
    ("yesterday", D(2024, 9, 20), D(2024, 9, 20), "day"),
    ("today", D(2024, 9, 21), D(2024, 9, 21), "day"),
    ("tomorrow", D(2024, 9, 22), D(2024, 9, 22), "day"),
    ("last week", D(2024, 9, 9), D(2024, 9, 15), "week"),
    ("this week", D(2024, 9, 16), D(2024, 9, 22), "week"),
    ("next week", D(2024, 9, 23), D(2024, 9, 29), "week"),
    ("next month", D(2024, 10, 1), D(2024, 10, 31), "month"),
    ("last month", D(2024, 8, 1), D(2024, 8, 31), "month"),
    ("last year", D(2023, 1, 1), D(2023, 12, 31), "year"),
    ("early last year", D(2023, 1, 1), D(2023, 4, 30), "range"),
    ("early next year", D(2025, 1, 1), D(2025, 4, 30), "range"),
    ("later this month", D(2024, 9, 21), D(2024, 9, 30), "range"),
    ("earlier this month", D(2024, 9, 1), D(2024, 9, 21), "range"),
    ("in the coming weeks", D(2024, 9, 21), D(2024, 10, 26), "range"),
    ("in the coming days", D(2024, 9, 21), D(2024, 10, 1), "range"),
    ("within days", D(2024, 9, 21), D(2024, 10, 5), "range"),
    ("June 25", D(2024, 6, 25), D(2024, 6, 25), "day"),
    ("October 2023", D(2023, 10, 1), D(2023, 10, 31), "month"),
    ("June 2024", D(2024, 6, 1), D(2024, 6, 30), "month"),
    ("late February 2025", D(2025, 2, 21), D(2025, 2, 28), "range"),
    ("the night of Friday, September 20, 2024", D(2024, 9, 20), D(2024, 9, 20), "day"),
    ("Oct. 2, 2025", D(2025, 10, 2), D(2025, 10, 2), "day"),
    ("20 September 2024", D(2024, 9, 20), D(2024, 9, 20), "day"),
    ("October 2 last year", D(2023, 10, 2), D(2023, 10, 2), "day"),
    ("2024-07-16", D(2024, 7, 16), D(2024, 7, 16), "day"),
])
def test_resolve_rules(text, start, end, precision):
    got = resolve(text, PUB)
    assert got is not None, text
    assert (got.start, got.end, got.precision) == (start, end, precision)


def test_barely_a_week_is_about_a_week_before_publication():
    got = resolve("barely a week after", PUB)
    assert got is not None and got.precision == "range"
    assert got.start <= D(2024, 9, 14) <= got.end <= PUB


def test_bare_weekday_and_month_look_forward_only_in_future_tense():
    assert resolve("Thursday", PUB).start == D(2024, 9, 19)
    assert resolve("Thursday", PUB, future=True).start == D(2024, 9, 26)
    assert resolve("late February", PUB, future=True).start == D(2025, 2, 21)
    assert resolve("late February", PUB).start == D(2024, 2, 21)


def test_two_days_later_counts_from_the_anchor():
    assert resolve("two days later", PUB, anchor=D(2025, 1, 17)).start == D(2025, 1, 19)
    assert resolve("later that day", PUB, anchor=D(2025, 3, 3)).start == D(2025, 3, 3)
    assert resolve("two days later", PUB) is None


def test_not_dates():
    for text in ("Resolution 2751", "for another year", "12 months", "3pm", "the 79th session", "may"):
        assert resolve(text, PUB) is None, text


def test_find_dates_in_a_doc(nlp):
    body = ("He landed in New York on Saturday. The mandate expires on Thursday. "
            "Gangs attacked the town on Thursday. Resolution 2751 was adopted in October 2023.")
    found = {(m.span.text, m.interval.start) for m in find_dates(nlp(body), PUB)}
    assert ("Saturday", D(2024, 9, 21)) in found
    assert ("Thursday", D(2024, 9, 26)) in found  # present tense "expires": ahead
    assert ("Thursday", D(2024, 9, 19)) in found  # past tense: behind
    assert ("October 2023", D(2023, 10, 1)) in found
    for m in find_dates(nlp(body), PUB):
        assert body[m.span.start:m.span.end] == m.span.text


def test_no_publication_date_no_dates(nlp):
    assert find_dates(nlp("Police arrived on Monday."), None) == []
