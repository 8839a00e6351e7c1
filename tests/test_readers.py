"""Every reader, every bad input of issue 2, standard input, and the dated-text parser's properties."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from missionwatch.errors import ReaderError
from missionwatch.readers import expand, parse_dated_text, read_one, read_paths
from missionwatch.records import Report, body_sha256
from tests.conftest import SAMPLE, SAMPLE_PUBLISHED, SAMPLES

ARTICLE_HTML = """<!doctype html><html><head><title>Kenyan police arrive in Haiti</title>
<meta property="article:published_time" content="2024-06-26T10:00:00Z"></head>
<body><header>Daily Wire | Home | World</header><nav><a href="/">Home</a> <a href="/w">World</a></nav>
<article><h1>Kenyan police arrive in Haiti</h1>
<p>The first batch of 200 Kenyan police officers arrived in Port-au-Prince on Tuesday, starting the
long-delayed multinational mission against the gangs that control most of the capital.</p>
<p>They were received at Toussaint Louverture International Airport by the Haitian prime minister and
senior officers of the Haitian National Police.</p></article>
<footer>Copyright 2024 Daily Wire. All rights reserved.</footer></body></html>"""

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>MSS news</title><link>https://example.org</link>
<description>news</description>
<item><title>Jamaica rotates contingent</title><link>https://example.org/a</link>
<pubDate>Wed, 05 Mar 2025 08:00:00 GMT</pubDate>
<description>&lt;p&gt;A fresh contingent of 40 &lt;b&gt;Jamaica Defence Force&lt;/b&gt; soldiers left
for Haiti.&lt;/p&gt;</description></item>
<item><title>Kenyans return home</title><link>https://example.org/b</link>
<pubDate>Mon, 09 Feb 2026 08:00:00 GMT</pubDate>
<description>Some 230 Kenyan police officers returned home from Haiti on Sunday.</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>MSS</title>
<id>urn:x</id><updated>2025-01-20T00:00:00Z</updated>
<entry><title>Joint operation in Solino</title><id>urn:1</id><link href="https://example.org/solino"/>
<updated>2025-01-20T09:00:00Z</updated>
<content type="html">&lt;p&gt;MSS and PNH concluded a three-day joint operation in Solino and
Bel Air.&lt;/p&gt;</content>
</entry></feed>"""


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def only_error(items: list[Report | ReaderError]) -> ReaderError:
    assert len(items) == 1, items
    assert isinstance(items[0], ReaderError), items
    return items[0]


# -- good input, one reader at a time ------------------------------------------------------------

def test_dated_text_sample_keeps_body_exactly_after_header():
    report = read_one(SAMPLE)
    raw = SAMPLE.read_text(encoding="utf-8")
    assert report.reader == "dated-text"
    assert report.published == SAMPLE_PUBLISHED
    assert report.body.startswith("President William Ruto")
    assert raw.endswith(report.body)
    assert report.source == SAMPLE.name
    assert report.sha256 == body_sha256(report.body) and report.id == report.sha256[:16]


def test_ids_are_stable_across_reads_and_locations(tmp_path):
    copy = write(tmp_path, "elsewhere/renamed.txt", SAMPLE.read_bytes())
    assert read_one(SAMPLE).id == read_one(SAMPLE).id == read_one(copy).id


def test_plain_text_takes_date_option_or_none(tmp_path):
    path = write(tmp_path, "note.md", "# Kenyan police in Haiti\n\nOfficers arrived on Tuesday.\n")
    assert read_one(path).published is None
    [report] = read_paths([path], published=dt.date(2024, 6, 26))
    assert isinstance(report, Report)
    assert report.reader == "plain-text" and report.published == dt.date(2024, 6, 26)
    assert report.body == "# Kenyan police in Haiti\n\nOfficers arrived on Tuesday.\n"


def test_dated_header_wins_over_date_option(tmp_path):
    path = write(tmp_path, "a.txt", "date 2025-01-20 Text.")
    [report] = read_paths([path], published=dt.date(2000, 1, 1))
    assert isinstance(report, Report) and report.published == dt.date(2025, 1, 20)


def test_date_night_is_prose_not_a_header(tmp_path):
    report = read_one(write(tmp_path, "a.txt", "date night in Pétion-Ville was quiet."))
    assert report.published is None and report.body.startswith("date night")


def test_html_main_text_title_and_date(tmp_path):
    report = read_one(write(tmp_path, "page.html", ARTICLE_HTML))
    assert report.reader == "html"
    assert report.title == "Kenyan police arrive in Haiti"
    assert report.published == dt.date(2024, 6, 26)
    assert "200 Kenyan police officers" in report.body
    assert "Copyright" not in report.body and "World" not in report.body


def test_jsonl_optional_fields(tmp_path):
    lines = [{"text": "Kenyan police arrived.", "date": "2024-06-26", "title": "T", "url": "https://x/1",
              "id": "ext-1"},
             {"text": "Gangs attacked Pont-Sondé.", "date": "2024-10-04T06:00:00Z"},
             {"text": "Undated statement."}]
    path = write(tmp_path, "corpus.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n\n")
    reports = list(read_paths([path]))
    assert all(isinstance(r, Report) for r in reports)
    first, second, third = reports
    assert (first.id, first.title, first.url, first.published) == ("ext-1", "T", "https://x/1",
                                                                    dt.date(2024, 6, 26))
    assert second.published == dt.date(2024, 10, 4) and second.id == second.sha256[:16]
    assert third.published is None and third.source == "corpus.jsonl"


@pytest.mark.parametrize("name,data,expected", [("feed.rss", RSS, 2), ("feed.atom", ATOM, 1)])
def test_feeds_give_one_report_per_entry(tmp_path, name, data, expected):
    reports = list(read_paths([write(tmp_path, name, data)]))
    assert len(reports) == expected and all(isinstance(r, Report) for r in reports)
    first = reports[0]
    assert first.reader == "feed" and first.url and first.title
    assert "<" not in first.body and first.published is not None


def test_rss_entry_html_becomes_text(tmp_path):
    first = next(iter(read_paths([write(tmp_path, "feed.rss", RSS)])))
    assert isinstance(first, Report)
    expected = "A fresh contingent of 40 Jamaica Defence Force soldiers left for Haiti."
    assert " ".join(first.body.split()) == expected
    assert first.published == dt.date(2025, 3, 5)


def test_directory_recursive_sorted_and_hidden_skipped(tmp_path):
    write(tmp_path, "b/2.txt", "date 2024-01-02 Second.")
    write(tmp_path, "a.txt", "date 2024-01-01 First.")
    write(tmp_path, "b/c/3.md", "Third.")
    write(tmp_path, ".git/HEAD.txt", "ignored")
    reports = list(read_paths([tmp_path]))
    assert [r.body for r in reports] == ["First.", "Second.", "Third."]
    assert [Path(str(p)).name for p in expand([tmp_path])] == ["a.txt", "2.txt", "3.md"]


def test_samples_directory_reads_every_sample():
    reports = list(read_paths([SAMPLES]))
    assert len(reports) == len(list(SAMPLES.glob("*.txt")))
    assert all(isinstance(r, Report) and r.published for r in reports)


@pytest.mark.parametrize("data,reader", [
    (b"date 2024-09-21 Kenyan police arrived.", "dated-text"),
    (json.dumps({"text": "Kenyan police arrived."}).encode() + b"\n", "jsonl"),
    (ARTICLE_HTML.encode(), "html"),
    (RSS.encode(), "feed"),
])
def test_stdin_is_sniffed(data, reader):
    report = list(read_paths(["-"], stdin=io.BytesIO(data)))[0]
    assert isinstance(report, Report), report
    assert report.reader == reader and report.source == "<stdin>"


def test_latin1_text_is_decoded(tmp_path):
    text = ("date 2024-10-04 Les habitants de Pont-Sondé ont fui vers Saint-Marc après l'attaque "
            "du gang Gran Grif; la police haïtienne a déployé des renforts à l'hôpital.")
    report = read_one(write(tmp_path, "latin.txt", text.encode("latin-1")))
    assert report.body == text.split(" ", 2)[2]


# -- bad input: exactly one clear error each ------------------------------------------------------

@pytest.mark.parametrize("name,data,code", [
    ("empty.txt", b"", "MW101"),
    ("blank.md", b"  \n\t\n", "MW101"),
    ("header-only.txt", b"date 2024-09-21", "MW101"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "MW102"),
    ("nul.html", b"<html>\x00\x00\x00</html>", "MW102"),
    ("noise.txt", bytes(range(0x80, 0x100)) * 8, "MW103"),
    ("bad-date.txt", b"date 2024-13-45 Officers arrived.", "MW104"),
    ("short-date.txt", b"date 20240921 Officers arrived.", "MW104"),
    ("menu.html", b"<html><head><title>Menu</title></head><body><nav><ul><li><a href='/'>Home</a></li>"
                  b"<li><a href='/a'>About us</a></li></ul></nav><footer>Copyright</footer></body></html>",
     "MW105"),
    ("report.docx", b"PK\x03\x04 whatever", "MW107"),
    ("README", b"no extension", "MW107"),
    ("broken.xml", b"<?xml version='1.0'?><notafeed><x>1</x></notafeed>", "MW110"),
    ("charref.rss", b"<rss><channel><item><title>&#2000000;</title></item></channel></rss>", "MW110"),
])
def test_bad_input_gives_one_clear_error(tmp_path, name, data, code):
    path = write(tmp_path, name, data)
    error = only_error(list(read_paths([path])))
    assert error.code == code
    assert error.where == str(path)
    line = error.line()
    assert line.startswith(f"{code} {path}: ") and len(line.splitlines()) == 1
    with pytest.raises(ReaderError) as raised:
        read_one(path)
    assert raised.value.code == code


def test_missing_file(tmp_path):
    assert only_error(list(read_paths([tmp_path / "nope.txt"]))).code == "MW109"


def test_size_limit_from_argument_and_setting(tmp_path, monkeypatch):
    path = write(tmp_path, "big.txt", "date 2024-09-21 " + "word " * 100)
    assert only_error(list(read_paths([path], max_bytes=100))).code == "MW108"
    monkeypatch.setenv("MISSIONWATCH_MAX_REPORT_BYTES", "100")
    assert only_error(list(read_paths([path]))).code == "MW108"
    assert only_error(list(read_paths(["-"], stdin=io.BytesIO(path.read_bytes())))).code == "MW108"


def test_jsonl_broken_line_is_reported_with_number_and_good_lines_kept(tmp_path):
    lines = [json.dumps({"text": "First good line."}), '{"text": "broken', json.dumps({"title": "no text"}),
             json.dumps({"text": "Bad date.", "date": "2024-13-45"}), json.dumps({"text": "Last good line."})]
    path = write(tmp_path, "corpus.jsonl", "\n".join(lines))
    items = list(read_paths([path]))
    assert [r.body for r in items if isinstance(r, Report)] == ["First good line.", "Last good line."]
    errors = [e for e in items if isinstance(e, ReaderError)]
    assert [(e.code, e.where) for e in errors] == [("MW106", f"{path}:2"), ("MW106", f"{path}:3"),
                                                   ("MW104", f"{path}:4")]


def test_jsonl_size_limit_is_per_line(tmp_path):
    path = write(tmp_path, "c.jsonl", json.dumps({"text": "short"}) + "\n" + json.dumps({"text": "x" * 500}))
    items = list(read_paths([path], max_bytes=100))
    assert isinstance(items[0], Report)
    assert isinstance(items[1], ReaderError) and (items[1].code, items[1].where) == ("MW108", f"{path}:2")


def test_jsonl_is_streamed_an_oversized_line_skipped_and_numbers_kept(tmp_path):
    import tracemalloc

    good = [json.dumps({"text": f"Good line {n}."}) for n in range(3)]
    path = tmp_path / "big.jsonl"
    with path.open("wb") as out:
        out.write(good[0].encode() + b"\n")
        out.write(b'{"text": "' + b"x" * 20_000_000 + b'"}\n')  # line 2: 20 MB
        out.write(good[1].encode() + b"\r\n" + b'{"text": broken\n' + b"\n" + good[2].encode())
    tracemalloc.start()
    try:
        items = list(read_paths([path], max_bytes=1_000_000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000, f"peak {peak:,} bytes: the 20 MB line (or the file) was held"
    assert [r.body for r in items if isinstance(r, Report)] == [f"Good line {n}." for n in range(3)]
    assert [(e.code, e.where) for e in items if isinstance(e, ReaderError)] == [
        ("MW108", f"{path}:2"), ("MW106", f"{path}:4")]
    assert [type(i).__name__ for i in items] == ["Report", "ReaderError", "Report", "ReaderError", "Report"]


@pytest.mark.parametrize("end", [b"\n", b"\r\n"])
def test_jsonl_line_limit_is_exact(tmp_path, end):
    def line(size: int) -> bytes:
        return b'{"text": "' + b"y" * (size - 12) + b'"}'

    assert len(line(100)) == 100
    data = end.join([line(100), line(101), line(102), line(103), line(100), line(102)])  # last: no newline
    items = list(read_paths([write(tmp_path, "edge.jsonl", data)], max_bytes=100))
    assert [getattr(i, "code", "ok") for i in items] == ["ok", "MW108", "MW108", "MW108", "ok", "MW108"]
    assert [i.where.rsplit(":", 1)[1] for i in items if isinstance(i, ReaderError)] == ["2", "3", "4", "6"]


def test_jsonl_on_stdin_is_streamed_line_by_line():
    lines = [json.dumps({"text": f"Report {n} " + "w" * 60}) for n in range(5)]
    lines[2] = json.dumps({"text": "z" * 200})
    stdin = io.BytesIO("\n".join(lines).encode())  # 530 bytes in all, each good line under 100
    items = list(read_paths(["-"], stdin=stdin, max_bytes=100))
    assert [getattr(i, "where", "ok") for i in items] == ["ok", "ok", "<stdin>:3", "ok", "ok"]
    assert items[2].code == "MW108"


def test_jsonl_in_utf16_and_empty_corpora(tmp_path):
    text = "\r\n".join(json.dumps({"text": t}, ensure_ascii=False) for t in ["Pont-Sondé à l'aube.", "Deux."])
    reports = list(read_paths([write(tmp_path, "windows.jsonl", text.encode("utf-16"))]))
    assert [r.body for r in reports] == ["Pont-Sondé à l'aube.", "Deux."]
    for name, data in (("empty.jsonl", b""), ("blank.jsonl", b" \n\r\n\n")):
        assert only_error(list(read_paths([write(tmp_path, name, data)]))).code == "MW101"
    zipped = write(tmp_path, "zip.jsonl", b"PK\x03\x04" + bytes(64))
    assert only_error(list(read_paths([zipped]))).code == "MW102"


def test_one_bad_file_does_not_stop_the_batch(tmp_path):
    good = write(tmp_path, "good.txt", "date 2024-09-21 Fine.")
    bad = write(tmp_path, "bad.txt", b"")
    items = list(read_paths([bad, tmp_path / "missing.txt", good]))
    assert [type(i).__name__ for i in items] == ["ReaderError", "ReaderError", "Report"]


# -- properties of the dated-text parser ----------------------------------------------------------

bodies = st.text(min_size=0, max_size=200)
days = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
leading = st.text(alphabet=" \t\n\r", max_size=5)


@given(day=days, body=bodies, pad=leading, sep=st.sampled_from([" ", "\n", "\r\n"]))
def test_dated_text_round_trip(day, body, pad, sep):
    published, parsed = parse_dated_text(f"{pad}date {day.isoformat()}{sep}{body}", "t")
    assert published == day
    assert parsed == body


@given(text=st.text(max_size=200))
def test_parser_never_crashes_and_keeps_headerless_text_whole(text):
    try:
        published, body = parse_dated_text(text, "t")
    except ReaderError as exc:
        assert exc.code == "MW104"
        return
    if published is None:
        assert body == text
    else:
        assert text.endswith(body)


def test_utf16_jsonl_line_with_a_nul_character_is_rejected_alone(tmp_path):
    # Found by the atheris harness: UTF-16 hides NUL characters from the raw-byte binary check.
    lines = [json.dumps({"text": "good"}), '{"text": "a\x00b"}', json.dumps({"text": "also good"})]
    text = "\n".join(lines)
    items = list(read_paths([write(tmp_path, "nul.jsonl", text.encode("utf-16"))]))
    assert [getattr(i, "code", "ok") for i in items] == ["ok", "MW102", "ok"]
    assert items[1].where.endswith("nul.jsonl:2")


def test_utf16_text_with_a_nul_character_is_binary(tmp_path):
    # The atheris crash input: a UTF-16 byte-order mark, then a NUL character, on stdin.
    items = list(read_paths(["-"], stdin=io.BytesIO(b"\xff\xfe-/\x01\x00\x00\x00")))
    assert [i.code for i in items] == ["MW102"]
