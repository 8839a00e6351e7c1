"""The brief: rendered to PDF and looked at (pages to PNG with pdftoppm), hostile text kept inert."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from missionwatch.brief import render_brief, render_html, render_markdown
from missionwatch.mission import build_picture, contributions_of
from tests.scenarios.load import contributions, extractions


@pytest.fixture(scope="module")
def picture():
    return build_picture(contributions("rotation"), dt.date(2025, 10, 5))


def _png_pixels(path: Path) -> tuple[int, int, list[int]]:
    """Width, height and grey values of an 8-bit RGB PNG (pdftoppm's output), decoded without extra deps."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    height = colour = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, _, colour = struct.unpack(">IIBB", chunk[:10])
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    channels = 3 if colour == 2 else 1
    stride = width * channels + 1
    # sample the first byte of each row's pixels (filters make exact decoding unnecessary for variance)
    values = [raw[r * stride + 1 + c] for r in range(0, height, 7) for c in range(0, width * channels, 11)]
    return width, height, values


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdf_pages_render_and_are_not_blank(picture, tmp_path):
    pdf = tmp_path / "brief.pdf"
    render_brief(picture, "pdf", pdf, since=dt.date(2024, 10, 1))
    assert pdf.read_bytes()[:5] == b"%PDF-"
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2
    for page in pages[:2]:
        width, height, values = _png_pixels(page)
        assert 350 < width < 500 and 500 < height < 700  # A4 at 50 dpi
        mean = sum(values) / len(values)
        variance = sum((v - mean) ** 2 for v in values) / len(values)
        assert variance > 50, f"{page.name} looks blank"


def test_every_section_cites_sources_with_quotes(picture):
    text = render_markdown(picture, since=dt.date(2024, 10, 1))
    for heading in ("## Headlines", "## Mandate", "## Forces", "## Territory", "## Timeline",
                    "## Open contradictions", "## Sources"):
        assert heading in text
    assert "580 [" in text and "600 [" in text  # the disputed figures, both cited
    assert "“Kenya now has 580 officers in Haiti”" in text
    assert "$33.3M/month" in text


def test_timeline_rows_survive_page_breaks(picture):
    """A row split by a page break left the Event cell's empty marker box on one page and its
    text on the next: rows are kept whole, the header repeats, and the marker is text."""
    html = render_html(picture, since=dt.date(2024, 10, 1))
    assert "<thead><tr><th>Date</th><th>Event</th>" in html
    assert "tr { break-inside: avoid;" in html
    row = html.split('<table class="timeline">', 1)[1].split("<tbody>", 1)[1].split("</tr>", 1)[0]
    event_cell = row.split("<td>")[2]
    assert "&#9679;" in event_cell and re.search(r"</span>[A-Z_]+</span>", event_cell)


def test_hostile_report_text_is_inert(tmp_path):
    extraction, body = extractions("rotation")[0]
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    events = [e.model_copy(update={"evidence": e.evidence.model_copy(update={"text": evil})})
              for e in extraction.events]
    hostile = extraction.model_copy(update={"events": events, "source": "<b>Evil</b> Times"})
    picture = build_picture([contributions_of(hostile, body)], dt.date(2025, 2, 1))
    html = render_html(picture, since=dt.date(2023, 1, 1))
    assert "<script>" not in html and "<img src=x" not in html and "<b>Evil" not in html
    assert "&lt;script&gt;" in html
    md = render_markdown(picture, since=dt.date(2023, 1, 1))
    assert "<script>" not in md and "\\<script\\>" in md


def test_the_mission_strength_last_stated_is_printed_with_its_source():
    """A mission-wide figure ("its roughly 1,000 officers") is no contributor's: the brief prints the
    latest one under the forces table, cited, in Markdown and HTML."""
    from missionwatch.mission.model import PersonnelClaim, Source

    source = Source(report_id="r-total", report_date=dt.date(2025, 9, 30), outlet="wire",
                    quote="its roughly 1,000 officers", fact="quantity:q1")
    extra = contributions("rotation")[0].model_copy(update={
        "report_id": "r-total", "report_date": dt.date(2025, 9, 30), "events": [], "money": [], "gaps": [],
        "roles": [], "personnel": [PersonnelClaim(country=None, unit=None, value=1000,
                                                  date=dt.date(2025, 9, 30), source=source)]})
    pic = build_picture([*contributions("rotation"), extra], dt.date(2025, 10, 5))
    assert [p.figures[0].value for p in pic.forces.stated_mission_totals][-1:] == [1000]
    md = render_markdown(pic, since=dt.date(2024, 10, 1))
    line = next(x for x in md.splitlines() if x.startswith("Mission strength as last stated:"))
    assert re.fullmatch(r"Mission strength as last stated: 2025-09-30: 1,000 \[\d+\]\.", line), line
    assert "“its roughly 1,000 officers”" in md
    assert "Mission strength as last stated: 2025-09-30: " in render_html(pic, since=dt.date(2024, 10, 1))
