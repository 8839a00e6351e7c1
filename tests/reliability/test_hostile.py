"""Hostile input: every reader and the extractor take anything without crashing or hanging.

Property tests (hypothesis) feed random Unicode, control characters,
right-to-left and zero-width text, random bytes and broken markup to each
reader; a reader must return reports or a catalogue ``ReaderError``, quickly,
and a report's sha256 must be its body's. The extractor gets random text and
must return an extraction whose every span quotes the body exactly, or a
catalogue failure. Then the named monsters: 5 MB of one word, deeply nested
HTML, a 50 MB JSONL line, a gzip bomb posing as a feed, an entity-expansion
bomb, and a report that takes too long (MW111, setting ``report_timeout``).
"""

from __future__ import annotations

import gzip
import json
import time

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from missionwatch.errors import CATALOGUE, ReaderError
from missionwatch.readers import dated_text, feed, html, jsonl, plain
from missionwatch.readers._input import Input
from missionwatch.records import Extraction, Report, body_sha256

#: Generous: the machine is shared; a hang is minutes, not seconds.
READER_SECONDS = 20
MAX = 10_000_000
HYPO = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))

RTL = "\u200f\u202e\u202b\u2067\u061c"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
CONTROLS = "".join(chr(c) for c in range(32)) + "\x7f\x85\u2028\u2029"
hostile_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(RTL + ZERO_WIDTH + CONTROLS),
        st.sampled_from("שלום عربي 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🇭🇹 e\u0301 <>&\"'"),
    ),
    max_size=400,
)
markup = st.lists(
    st.sampled_from(
        [
            "<div>",
            "</div>",
            "<p>",
            "</p>",
            "<script>",
            "</script>",
            "<![CDATA[",
            "]]>",
            "<!--",
            "-->",
            "&amp;",
            "&#0;",
            "&#x110000;",
            "<article>",
            "<title>",
            "</title>",
            "<",
            ">",
            "&",
            "\x00",
        ]
    )
    | hostile_text,
    max_size=60,
).map("".join)

READERS = {
    "plain": plain.read,
    "dated": dated_text.read,
    "html": html.read,
    "jsonl": jsonl.read,
    "feed": feed.read,
}


def read_all(reader, data: bytes) -> list[Report | ReaderError]:
    started = time.monotonic()
    item = Input("hostile", "hostile", data, None, MAX)
    try:
        result = reader(item)
        out = [result] if isinstance(result, Report) else list(result)
    except ReaderError as exc:
        out = [exc]
    assert time.monotonic() - started < READER_SECONDS, "reader hung"
    for x in out:
        if isinstance(x, ReaderError):
            assert x.code in CATALOGUE and x.message and x.where
        else:
            assert isinstance(x, Report) and x.body.strip()
            assert x.sha256 == body_sha256(x.body)
            assert "\x00" not in x.body, "a NUL reached a report body (PostgreSQL cannot store it)"
    return out


@pytest.mark.parametrize("name", sorted(READERS))
@HYPO
@given(
    data=st.one_of(
        hostile_text.map(lambda t: t.encode("utf-8")),
        st.binary(max_size=600),
        markup.map(lambda t: t.encode("utf-8", "surrogatepass")),
    )
)
def test_readers_never_crash_on_random_input(name, data):
    read_all(READERS[name], data)


@HYPO
@given(
    text=hostile_text,
    title=hostile_text,
    date=st.one_of(st.none(), st.text(max_size=12)),
    junk=st.dictionaries(
        st.text(max_size=5),
        st.recursive(
            st.none() | st.integers() | st.text(max_size=5), lambda c: st.lists(c, max_size=3), max_leaves=6
        ),
        max_size=3,
    ),
)
def test_jsonl_fields_of_any_type(text, title, date, junk):
    line = json.dumps({**junk, "text": text, "title": title, "date": date})
    out = read_all(jsonl.read, (line + "\n" + json.dumps({"text": "a good line"}) + "\n").encode())
    assert isinstance(out[-1], Report) and out[-1].body == "a good line", "one bad line cost a good one"


@HYPO
@given(entries=st.lists(st.tuples(hostile_text, markup), min_size=1, max_size=4))
def test_feed_entries_with_hostile_content(entries):
    from xml.sax.saxutils import escape

    items = "".join(
        f"<item><title>{escape(t)}</title><description>{escape(d)}</description></item>" for t, d in entries
    )
    read_all(
        feed.read,
        f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode(
            "utf-8", "surrogatepass"
        ),
    )


# ------------------------------------------------------------------------------------------- extractor


def _check_spans(extraction: Extraction, body: str) -> None:
    spans = (
        [m for e in extraction.entities for m in e.mentions]
        + [m for p in extraction.places for m in p.mentions]
        + [e.evidence for e in extraction.events]
        + [q.evidence for q in extraction.quantities]
    )
    for s in spans:
        assert 0 <= s.start <= s.end <= len(body), s
        assert body[s.start : s.end] == s.text, f"span {s} does not quote the body"
    ids = {e.id for e in extraction.entities}
    for ev in extraction.events:
        assert set(ev.actors) <= ids and set(ev.targets) <= ids
        assert ev.place is None or extraction.place(ev.place) is not None


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=st.one_of(
        hostile_text,
        st.lists(
            st.sampled_from(
                [
                    "Kenyan police",
                    "arrived in",
                    "Port-au-Prince",
                    "on 12 May 2025",
                    "400 officers",
                    "$600 million",
                    "Viv Ansanm",
                    "gang",
                    "attacked",
                    "Delmas",
                    ".",
                    ",",
                    "\n",
                    "‏الشرطة‏",
                    "\u202e",
                    "🇰🇪",
                    "  ",
                    "\t",
                    "last week",
                    "Haiti's",
                    "MSS",
                    "withdrew from",
                    "Cité Soleil",
                    "(",
                    ")",
                    "'s",
                    "-",
                    "—",
                ]
            ),
            max_size=40,
        ).map(" ".join),
    )
)
def test_extractor_spans_always_quote_the_body(nlp, body):
    from missionwatch.parallel import extract_batch

    assume(body.strip())
    report = Report.build(body=body, reader="hostile")
    [outcome] = extract_batch([report])
    assert isinstance(outcome, Extraction), f"the extractor failed on {body!r}: {outcome}"
    _check_spans(outcome, body)


# ------------------------------------------------------------------------------------------- monsters


def test_five_megabytes_of_one_word_is_rejected_clearly(nlp):
    from missionwatch.parallel import extract_batch

    [report] = read_all(plain.read, b"a" * 5_000_000)
    started = time.monotonic()
    [outcome] = extract_batch([report])
    assert time.monotonic() - started < 10
    assert outcome.code == "MW108" and "split the report" in outcome.message  # regression: was spaCy's E088


def test_deeply_nested_html_is_read_or_rejected():
    page = b"<html><body>" + b"<div>" * 100_000 + b"deep text " * 50 + b"</div>" * 100_000 + b"</body></html>"
    [out] = read_all(html.read, page)
    assert isinstance(out, Report) or out.code == "MW105"
    [out] = read_all(html.read, b"<html><body>" + b"<b><i>" * 50_000 + b"x")
    assert isinstance(out, Report) or out.code == "MW105"


def test_fifty_megabyte_jsonl_line_is_rejected_and_neighbours_kept():
    data = b'{"text": "before"}\n{"text": "' + b"a" * 50_000_000 + b'"}\n{"text": "after"}\n'
    out = read_all(jsonl.read, data)
    assert [type(x).__name__ for x in out] == ["Report", "ReaderError", "Report"]
    assert out[1].code == "MW108" and out[1].where == "hostile:2"


@pytest.mark.parametrize("reader", ["feed", "html", "jsonl", "plain"])
def test_gzip_bomb_is_not_inflated(reader):
    bomb = gzip.compress(
        b"<rss><channel><item><description>" + b"A" * 100_000_000 + b"</description></item></channel></rss>"
    )
    [out] = read_all(READERS[reader], bomb)
    assert isinstance(out, ReaderError) and out.code in {"MW102", "MW110"}


def test_entity_expansion_bomb_in_a_feed_is_bounded():
    levels = ['<!ENTITY a "aaaaaaaaaa">'] + [
        f'<!ENTITY {n} "{("&" + p + ";") * 10}">' for p, n in zip("abcdefghi", "bcdefghij", strict=True)
    ]
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE r [{"".join(levels)}]><rss version="2.0"><channel><item>'
        "<title>t</title><description>&j;</description></item></channel></rss>"
    ).encode()
    out = read_all(feed.read, doc)  # 10 GB if expanded: expat's amplification limit must stop it
    assert all(isinstance(x, ReaderError) or len(x.body) <= MAX for x in out)


def test_a_report_over_report_timeout_is_rejected_and_the_batch_goes_on(monkeypatch):
    """Regression: ``report_timeout`` existed as a setting but nothing enforced it."""
    from missionwatch import parallel

    real = parallel.extract_many

    def slow_on_marker(reports, batch_size=16):
        reports = list(reports)
        if any("SLOW" in r.body for r in reports):
            time.sleep(30)
        return real(reports, batch_size=batch_size)

    monkeypatch.setattr(parallel, "extract_many", slow_on_marker)
    monkeypatch.setenv("MISSIONWATCH_REPORT_TIMEOUT", "0.5")
    reports = [
        Report.build(body=b, reader="t")
        for b in ("Kenyan police in Haiti.", "SLOW report.", "Police in Delmas.")
    ]
    started = time.monotonic()
    outcomes = parallel.extract_batch(reports)
    assert time.monotonic() - started < 15
    assert isinstance(outcomes[0], Extraction) and isinstance(outcomes[2], Extraction)
    assert outcomes[1].code == "MW111" and "report_timeout" in outcomes[1].message


def test_report_timeout_keeps_an_enclosing_alarm():
    """The per-report alarm must not cancel a caller's own (pytest-timeout uses SIGALRM too)."""
    import signal

    from missionwatch.parallel import ReportTimeout, time_limit

    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(True))
    signal.setitimer(signal.ITIMER_REAL, 0.8)
    try:
        with pytest.raises(ReportTimeout), time_limit(0.1):
            time.sleep(5)
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < left <= 0.8, "the enclosing alarm was cancelled"
        time.sleep(1.0)
        assert fired == [True]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_report_timeout_holds_in_a_worker_thread(monkeypatch):
    """Dask runs tasks in worker threads, where no alarm can be set: the limit still holds there
    (a timer thread raises it), and a report that finishes in time is not hit later."""
    import threading

    from missionwatch import parallel

    real = parallel.extract_many

    def slow_on_marker(reports, batch_size=16):
        reports = list(reports)
        if any("SLOW" in r.body for r in reports):
            end = time.monotonic() + 30
            while time.monotonic() < end:  # Python-level work, as the extractor's own code is
                pass
        return real(reports, batch_size=batch_size)

    monkeypatch.setattr(parallel, "extract_many", slow_on_marker)
    monkeypatch.setenv("MISSIONWATCH_REPORT_TIMEOUT", "0.5")
    reports = [Report.build(body=b, reader="t") for b in ("Kenyan police in Haiti.", "SLOW report.")]
    parallel._warm_once()
    out: list = []
    started = time.monotonic()
    worker = threading.Thread(target=lambda: out.append(parallel.extract_batch(reports)))
    worker.start()
    worker.join(60)
    assert time.monotonic() - started < 20 and out, "the limit did not hold in a thread"
    assert isinstance(out[0][0], Extraction)
    assert out[0][1].code == "MW111"
    # nothing pending escapes after a block that ended in time
    after: list = []

    def quick():
        with parallel.time_limit(0.2):
            pass
        t = time.monotonic()
        while time.monotonic() - t < 0.6:
            pass
        after.append("clean")

    worker = threading.Thread(target=quick)
    worker.start()
    worker.join(10)
    assert after == ["clean"]
