"""Temporal expressions resolved against the publication date.

Every temporal expression in a report body becomes a ``DateMention``: its span
and a ``DateInterval`` (start, end, precision). The rules follow the contract
README: in a report published on Saturday 2024-09-21, "Saturday" is
2024-09-21, "last week" is 2024-09-09..2024-09-15, "next month" is
2024-10-01..2024-10-31, "June 25" is 2024-06-25, "October 2023" is
2023-10-01..2023-10-31.

Candidates are found with regular expressions built from the vocabulary in
``knowledge/dates.yaml``; explicit calendar dates are handed to dateparser
(pinned ``RELATIVE_BASE``, English only, cached); relative and vague
expressions ("last week", "later this month", "in the coming weeks", "two days
later") are resolved by the rules below. Ambiguous expressions (a bare weekday,
month or month-day) resolve to the past unless the governing verb points to the
future ("will", "is expected to", a present-tense "expires on Thursday").
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from spacy.tokens import Doc

from missionwatch.extract.nlp import text_of
from missionwatch.records import DateInterval, Span

VERSION = "dates@3"


@dataclass(frozen=True)
class DateMention:
    span: Span
    interval: DateInterval


# ---------------------------------------------------------------- vocabulary


@lru_cache(maxsize=1)
def _vocab() -> dict[str, Any]:
    text = resources.files("missionwatch.extract").joinpath("knowledge/dates.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    v = _vocab()
    months = [m.capitalize() for m in v["months"]]
    abbrevs = [m for m in months if len(m) <= 4 and m.lower() not in ("may", "june", "july")]
    month = rf"(?P<month>(?:{_alt(abbrevs)})\.?|(?:{_alt(months)}))"
    wday = rf"(?P<wday>{_alt([w.capitalize() for w in v['weekdays']])})"
    wday_opt = rf"(?:(?:{_alt([w.capitalize() for w in v['weekdays']])}),?\s+)?"
    day = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?![\d,]\d)"
    year = r"(?P<year>(?:19|20)\d\d)(?!\d)"
    part = r"(?:(?P<part>(?i:early|mid|late)|(?i:the\s+)?(?i:end|beginning|start|middle)\s+of)[\s-]+)?"
    rel = r"(?P<rel>(?i:last|this|next|the\s+previous|the\s+following|previous|following))"
    num = rf"(?P<num>\d+|(?i:{_alt([k for k in v['numbers']])}))"
    windows = _alt(list(v["windows"]))
    # day ranges within one month, the sitrep's "14 - 20 November 2024", "between 11 and 20 November",
    # "November 11-20": one interval, not the last day alone
    to = r"\s*(?:-|–|—|(?i:and|to|until|till|through|thru))\s*"
    day2 = r"(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?(?![\d,]\d)"
    year_opt = rf"(?:,?\s+{year})?"
    pats = [
        ("drange", rf"(?:(?i:between|from)\s+)?{day}{to}{day2}\s+{month}{year_opt}"),
        ("mdrange", rf"(?:(?i:between|from)\s+)?{month}\s+{day}{to}{day2}{year_opt}"),
        ("mdy", rf"(?:(?i:the\s+)?(?i:night|morning|afternoon|evening|dawn)\s+(?i:of)\s+)?{wday_opt}"
                rf"{month}\s+{day},?\s+{year}"),
        ("dmy", rf"{wday_opt}{day}\s+{month},?\s+{year}"),
        ("iso", r"(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d)(?!\d)"),
        ("md", rf"{wday_opt}{month}\s+{day}(?:,?\s+(?P<yrel>(?i:last|this|next))\s+(?i:year))?"),
        ("dm", rf"{wday_opt}{day}\s+(?:(?i:of)\s+)?{month}"
               rf"(?:,?\s+(?P<yrel>(?i:last|this|next))\s+(?i:year))?"),
        ("my", rf"{part}{month},?\s+{year}"),
        ("thisrel", r"(?P<dir>(?i:earlier|later))\s+(?i:this|in\s+the)\s+(?P<unit>(?i:week|month|year))"),
        ("rel", rf"{part}{rel}\s+(?P<unit>(?i:week|month|year))"),
        ("deictic", r"(?P<deictic>(?i:yesterday|today|tomorrow|tonight))"),
        ("window", rf"(?P<window>(?i:{windows}))"),
        ("ago", rf"(?:(?i:barely|just|only|about|nearly|almost|some|roughly|more\s+than|less\s+than)\s+)?"
                rf"{num}\s+(?P<unit>(?i:day|week|month|year))s?"
                rf"\s+(?P<dir>(?i:ago|earlier|later|before|after))"),
        ("thatday", r"(?P<thatday>(?i:(?:later|earlier)\s+)?(?:that|the\s+same)\s+day"
                    r"|the\s+(?:next|following)\s+day"
                    r"|in\s+the\s+following\s+days|the\s+day\s+(?:before|after))"),
        ("wday", rf"(?:(?P<wpart>(?i:early|late))\s+)?(?:(?P<wrel>(?i:last|this|next))\s+)?{wday}"
                 r"(?:\s+(?i:morning|afternoon|evening|night))?"),
        ("month", rf"{part}{month}(?:,?\s+(?P<yrel>(?i:last|this|next))\s+(?i:year))?(?![\w-])"),
        ("year", rf"{part}{year}"),
    ]
    return [(name, re.compile(rf"(?<![\w$-]){p}(?![\w])")) for name, p in pats]


_CONTEXT_BEFORE = re.compile(
    r"(?i:\b(?:in|since|by|until|till|from|of|during|before|after|through|throughout|between|and|to|"
    r"early|late|mid|on)\s*)$|\($")


# ---------------------------------------------------------------- calendar helpers


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _month_number(word: str) -> int:
    return int(_vocab()["months"][word.rstrip(".").lower()])


def _weekday_number(word: str) -> int:
    return [w.lower() for w in _vocab()["weekdays"]].index(word.lower())


def _part_key(part: str | None) -> str | None:
    if not part:
        return None
    words = part.lower().split()
    for w in words:
        if w in ("early", "mid", "late", "end", "beginning", "start", "middle"):
            return w
    return None


def _interval(start: dt.date, end: dt.date, precision: str, text: str) -> DateInterval:
    if end < start:
        start, end = end, start
    return DateInterval(start=start, end=end, precision=precision, text=text)  # type: ignore[arg-type]


def _month_interval(year: int, month: int, part: str | None, text: str) -> DateInterval:
    key = _part_key(part)
    if key is None:
        return _interval(dt.date(year, month, 1), _month_end(year, month), "month", text)
    a, b = _vocab()["month_parts"][key]
    last = _month_end(year, month).day
    b = last if b == "end" else min(int(b), last)
    return _interval(dt.date(year, month, int(a)), dt.date(year, month, b), "range", text)


def _year_interval(year: int, part: str | None, text: str) -> DateInterval:
    key = _part_key(part)
    if key is None:
        return _interval(dt.date(year, 1, 1), dt.date(year, 12, 31), "year", text)
    a, b = _vocab()["year_parts"][key]
    return _interval(dt.date(year, int(a), 1), _month_end(year, int(b)), "range", text)


def _week_interval(monday: dt.date, part: str | None, text: str) -> DateInterval:
    key = _part_key(part)
    if key is None:
        return _interval(monday, monday + dt.timedelta(days=6), "week", text)
    a, b = _vocab()["week_parts"][key]
    return _interval(monday + dt.timedelta(days=int(a)), monday + dt.timedelta(days=int(b)), "range", text)


def _day_range(g: dict[str, Any], published: dt.date, prefer: str, text: str) -> DateInterval | None:
    month, first, last = _month_number(g["month"]), int(g["day"]), int(g["day2"])
    if not 1 <= first < last <= 31:
        return None
    if g.get("year"):
        year = int(g["year"])
    else:  # the year whose range lies on the side of the report's date the verb looks to
        year = published.year
        start = _safe_date(year, month, first)
        if start is not None and prefer == "past" and start > published:
            year -= 1
        elif start is not None and prefer == "future" and _month_end(year, month) < published:
            year += 1
    start = _safe_date(year, month, first)
    end = _safe_date(year, month, min(last, _month_end(year, month).day))
    return _interval(start, end, "range", text) if start and end else None


@lru_cache(maxsize=4096)
def _dateparser(text: str, base: dt.date, prefer: str) -> dt.date | None:
    """An explicit calendar date through dateparser: English only, pinned base, no network."""
    import dateparser

    parsed = dateparser.parse(
        text, languages=["en"],
        settings={"RELATIVE_BASE": dt.datetime(base.year, base.month, base.day),
                  "PREFER_DATES_FROM": prefer, "RETURN_AS_TIMEZONE_AWARE": False,
                  "PREFER_DAY_OF_MONTH": "first"})
    return parsed.date() if parsed else None


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _number(word: str) -> int | None:
    word = word.lower()
    if word.isdigit():
        return int(word)
    value = _vocab()["numbers"].get(word)
    return int(value) if value is not None else None


# ---------------------------------------------------------------- resolution


def _resolve_match(name: str, m: re.Match[str], published: dt.date, future: bool | None,
                   anchor: dt.date | None) -> DateInterval | None:
    text = m.group(0)
    g = m.groupdict()
    prefer = "future" if future else "past"
    if name in ("mdy", "dmy"):
        core = f"{g['month'].rstrip('.')} {int(g['day'])} {g['year']}"
        d = _dateparser(core, published, prefer) or _safe_date(int(g["year"]), _month_number(g["month"]),
                                                               int(g["day"]))
        return _interval(d, d, "day", text) if d else None
    if name == "iso":
        d = _safe_date(*(int(x) for x in g["iso"].split("-")))
        return _interval(d, d, "day", text) if d else None
    if name in ("drange", "mdrange"):
        return _day_range(g, published, prefer, text)
    if name in ("md", "dm"):
        month, day = _month_number(g["month"]), int(g["day"])
        if not 1 <= day <= 31:
            return None
        if g.get("yrel"):
            year = published.year + {"last": -1, "this": 0, "next": 1}[g["yrel"].lower()]
            d = _safe_date(year, month, day)
        else:
            d = _dateparser(f"{g['month'].rstrip('.')} {day}", published, prefer)
            if d is None:
                year = published.year
                d = _safe_date(year, month, day)
                if d and future and d < published:
                    d = _safe_date(year + 1, month, day)
                elif d and not future and d > published:
                    d = _safe_date(year - 1, month, day)
        return _interval(d, d, "day", text) if d else None
    if name == "my":
        return _month_interval(int(g["year"]), _month_number(g["month"]), g.get("part"), text)
    if name == "rel":
        rel = g["rel"].lower().split()[-1]
        delta = {"last": -1, "previous": -1, "this": 0, "next": 1, "following": 1}[rel]
        unit = g["unit"].lower()
        if unit == "week":
            monday = published - dt.timedelta(days=published.weekday()) + dt.timedelta(weeks=delta)
            return _week_interval(monday, g.get("part"), text)
        if unit == "month":
            y, mo = _add_months(published.year, published.month, delta)
            return _month_interval(y, mo, g.get("part"), text)
        return _year_interval(published.year + delta, g.get("part"), text)
    if name == "thisrel":
        unit, later = g["unit"].lower(), g["dir"].lower() == "later"
        if unit == "week":
            first = published - dt.timedelta(days=published.weekday())
            last = first + dt.timedelta(days=6)
        elif unit == "month":
            first, last = published.replace(day=1), _month_end(published.year, published.month)
        else:
            first, last = dt.date(published.year, 1, 1), dt.date(published.year, 12, 31)
        if later:
            return _interval(published, last, "range", text)
        return _interval(first, published, "range", text)
    if name == "deictic":
        offset = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}[g["deictic"].lower()]
        d = published + dt.timedelta(days=offset)
        return _interval(d, d, "day", text)
    if name == "window":
        a, b = _vocab()["windows"][g["window"].lower()]
        if a == "weekend":
            saturday = published - dt.timedelta(days=(published.weekday() - 5) % 7)
            if "last" in g["window"].lower() and saturday >= published - dt.timedelta(days=1):
                saturday -= dt.timedelta(days=7)
            return _interval(saturday, saturday + dt.timedelta(days=1), "range", text)
        return _interval(published + dt.timedelta(days=int(a)), published + dt.timedelta(days=int(b)),
                         "range", text)
    if name == "ago":
        n = _number(g["num"])
        if n is None:
            return None
        unit, direction = g["unit"].lower(), g["dir"].lower()
        days = {"day": 1, "week": 7, "month": 30, "year": 365}[unit] * n
        approximate = not g["num"].isdigit() and g["num"].lower() in ("several", "few", "a few") \
            or bool(re.match(r"(?i)barely|just|only|about|nearly|almost|some|roughly|more|less", text))
        if direction in ("after", "before") and unit != "day":
            anchor = None  # "several months after X": counted back from publication
        if direction == "later" and anchor is None:
            return None
        if direction == "ago" or (direction == "after" and anchor is None):
            centre = published - dt.timedelta(days=days)
        elif anchor is None:
            return None
        elif direction in ("after", "later"):
            centre = anchor + dt.timedelta(days=days)
        else:
            centre = anchor - dt.timedelta(days=days)
        if unit == "day" and not approximate:
            return _interval(centre, centre, "day", text)
        slack = int(_vocab()["approximate_slack_days"]) * (1 if unit in ("day", "week") else 10)
        end = min(centre + dt.timedelta(days=slack), published) if direction == "ago" or anchor is None \
            else centre + dt.timedelta(days=slack)
        return _interval(centre - dt.timedelta(days=slack), max(end, centre), "range", text)
    if name == "thatday":
        if anchor is None:
            return None
        t = g["thatday"].lower()
        if "following days" in t:
            return _interval(anchor + dt.timedelta(days=1), anchor + dt.timedelta(days=10), "range", text)
        offset = 1 if ("next" in t or "following" in t or "after" in t) else -1 if "before" in t else 0
        d = anchor + dt.timedelta(days=offset)
        return _interval(d, d, "day", text)
    if name == "wday":
        target = _weekday_number(g["wday"])
        rel = (g.get("wrel") or "").lower()
        if rel == "last":
            d = published - dt.timedelta(days=(published.weekday() - target) % 7 or 7)
        elif rel == "next":
            d = published + dt.timedelta(days=(target - published.weekday()) % 7 or 7)
        elif rel == "this" or future:
            d = published + dt.timedelta(days=(target - published.weekday()) % 7)
        else:
            d = published - dt.timedelta(days=(published.weekday() - target) % 7)
        return _interval(d, d, "day", text)
    if name == "month":
        month = _month_number(g["month"])
        if g.get("yrel"):
            year = published.year + {"last": -1, "this": 0, "next": 1}[g["yrel"].lower()]
        elif future:
            year = published.year if month >= published.month else published.year + 1
        else:
            year = published.year if month <= published.month else published.year - 1
        return _month_interval(year, month, g.get("part"), text)
    if name == "year":
        return _year_interval(int(g["year"]), g.get("part"), text)
    return None


def _needs_context(name: str, m: re.Match[str]) -> bool:
    """Bare months and years only count after a preposition ("in October", "(2024)")."""
    if name == "month":
        return not m.group("part") and not m.group("yrel")
    if name == "year":
        return not m.group("part")
    return False


def _candidates(text: str) -> list[tuple[int, int, str, re.Match[str]]]:
    found: list[tuple[int, int, str, re.Match[str]]] = []
    taken: list[tuple[int, int]] = []
    for name, pattern in _patterns():
        for m in pattern.finditer(text):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            if _needs_context(name, m):
                before = text[max(0, s - 12):s]
                if not _CONTEXT_BEFORE.search(before):
                    continue
                if name == "year" and re.search(r"(?i)(resolution|no\.|number|law|decree)\s*$", before):
                    continue
            found.append((s, e, name, m))
            taken.append((s, e))
    found.sort(key=lambda x: x[0])
    return found


def resolve(text: str, published: dt.date, future: bool | None = None,
            anchor: dt.date | None = None) -> DateInterval | None:
    """Resolve one temporal expression (the whole ``text``) against ``published``.

    ``future`` says whether the governing verb looks forward (for a bare
    weekday, month or month-day); ``anchor`` is the date that "two days later"
    or "that day" counts from.
    """
    for s, e, name, m in _candidates(text.strip()):
        if s == 0 and e == len(text.strip()):
            return _resolve_match(name, m, published, future, anchor)
    return None


# ---------------------------------------------------------------- tense of the governing verb

_FUTURE_LEMMAS = frozenset({"expect", "schedule", "due", "plan", "set", "intend", "prepare", "aim",
                            "hope", "propose", "slate", "poise", "ready", "likely", "going"})
_STATIVE = frozenset({"follow", "come", "be", "remain", "mark", "say", "show", "include", "have", "bring",
                      "tell", "report", "add", "note", "confirm", "claim", "accord"})
_FUTURE_WORDS = frozenset({"expires", "lapses", "ends", "begins", "starts", "due", "upcoming"})
# verbs whose to-infinitive complement looks forward from the verb's own time
_COMMIT_LEMMAS = frozenset({"agree", "decide", "vow", "promise", "pledge", "ask", "urge", "order", "request",
                            "invite", "offer", "undertake", "commit"})
_FUTURE_AUX = frozenset({"will", "shall", "'ll", "wo", "would", "could", "might", "may"})


def _is_future(doc: Doc, start: int, end: int) -> bool | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    first = span[0].i
    window = doc[max(span.sent.start, first - 8):first]
    if any(t.lower_ in _FUTURE_AUX and t.pos_ in ("AUX", "VERB") or t.lower_ in _FUTURE_WORDS
           or t.lemma_ in _FUTURE_LEMMAS and t.pos_ in ("VERB", "ADJ", "AUX") and t.tag_ != "VBD"
           for t in window):  # "armed groups set houses on fire on Monday": a past "set" plans nothing
        return True
    tok = span.root
    through_noun = False
    for _ in range(10):
        if tok.pos_ in ("VERB", "AUX") or tok.head is tok:
            break
        if tok.pos_ in ("NOUN",) and tok is not span.root:
            through_noun = True
        tok = tok.head
    for _ in range(3):
        if any(c.dep_ in ("aux", "auxpass") and c.lower_ in _FUTURE_AUX for c in tok.children):
            return True
        if any(c.dep_ in ("aux", "auxpass") and c.lemma_ == "have" for c in tok.children):
            return False
        if tok.lemma_ in _FUTURE_LEMMAS and tok.tag_ != "VBD" or (
                tok.head.lemma_ in _FUTURE_LEMMAS and tok.dep_ in ("xcomp", "acomp")):
            return True
        if tok.tag_ == "VB" and tok.dep_ == "xcomp" and tok.head.lemma_ in _COMMIT_LEMMAS:
            return True  # "agreed to meet in September", "asked the mission to deploy in May"
        if tok.tag_ == "VBD":
            return False
        if tok.tag_ in ("VBZ", "VBP"):
            return None if through_noun or tok.lemma_ in _STATIVE else True
        if tok.tag_ == "VBN":
            aux = [c for c in tok.children if c.dep_ in ("aux", "auxpass")]
            if any(a.tag_ == "VBD" for a in aux):
                return False
            if any(a.tag_ in ("VBZ", "VBP") for a in aux):
                return True
        if tok.tag_ == "VBG":
            aux = [c for c in tok.children if c.dep_ in ("aux",)]
            if any(a.tag_ == "VBD" for a in aux):
                return False
            if any(a.tag_ in ("VBZ", "VBP") for a in aux):
                return True
        if tok.head is tok:
            break
        tok = tok.head
    return None


# ---------------------------------------------------------------- the stage

_SINCE_BEFORE = re.compile(r"(?i)\bsince\s+$")
#: "the vote comes two weeks after the attack": counted from the report's date, not the last date named
_COMING_BEFORE = re.compile(r"(?i)\b(comes?|came|coming)\s+(\w+\s+){0,2}$")


def find_dates(doc: Doc, published: dt.date | None) -> list[DateMention]:
    """Every temporal expression in ``doc`` resolved against ``published`` (none without one)."""
    if published is None:
        return []
    text = text_of(doc)
    out: list[DateMention] = []
    anchor: dt.date | None = None
    for s, e, name, m in _candidates(text):
        future = None
        if name in ("md", "dm", "wday", "month", "year", "my", "drange", "mdrange") or name == "ago":
            # "since 11 November" looks back whatever the verb's tense
            future = False if _SINCE_BEFORE.search(text[max(0, s - 8):s]) else _is_future(doc, s, e)
        use_anchor = anchor
        if name == "ago" and _COMING_BEFORE.search(text[max(0, s - 30):s]):
            use_anchor = None
        try:
            interval = _resolve_match(name, m, published, future, use_anchor)
        except (ValueError, OverflowError, KeyError):
            interval = None
        if interval is None:
            continue
        before = text[max(0, s - 12):s]
        if re.search(r"(?i)\bby\s+$", before) and future and interval.end > published \
                and interval.start > published:
            interval = _interval(published, interval.end, "range", interval.text or m.group(0))
        if re.search(r"(?i)\bsince\s+$", before) and interval.start <= published:
            # "since 2023", "since Monday": an open interval running to the report's date
            interval = _interval(interval.start, max(published, interval.start), "range",
                                 interval.text or m.group(0))
        out.append(DateMention(span=Span.of(text, s, e), interval=interval))
        if interval.precision == "day" or name in ("my", "month") and interval.precision == "month":
            anchor = interval.start if interval.precision == "day" else interval.end
    return out
