"""The dashboard as an analyst uses it, in headless Chromium (Playwright for Python).

A server runs in a thread on a free loopback port over a temporary SQLite
store with the sample (and a hostile report) ingested. Screenshots of the main
pages go to ``screenshots/`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from tests.web_seed import ingest_sample

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
HOSTILE = ("Witnesses said <script>document.title='pwned';window.pwned=1</script> gangs attacked Delmas. "
           "<img src=x onerror=\"window.pwned=1;document.title='pwned'\"> Police arrested 3 people.")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, nlp):
    import uvicorn

    from missionwatch.store import Store
    from missionwatch.web.app import create_app
    from missionwatch.web.queries import WebData

    db_url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'mw.db'}"
    report_id, event_id = ingest_sample(db_url, [("hostile report", HOSTILE)])
    with Store.open(db_url) as store:
        token = WebData(store.engine).add_user("ana", "analyst")
    port = _free_port()
    app = create_app(db_url)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    assert srv.started, "server did not start"
    yield {"url": f"http://127.0.0.1:{port}", "report_id": report_id, "event_id": event_id, "token": token}
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.errors = errors  # type: ignore[attr-defined]
    yield pg
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_analyst_corrects_the_delmas_arrest(server, page):
    base, rid, eid = server["url"], server["report_id"], server["event_id"]
    # the dashboard: the Delmas arrest is a marker on the offline map
    page.goto(base + "/")
    page.wait_for_selector("#map[data-loaded]", state="attached", timeout=60_000)
    assert int(page.get_attribute("#map", "data-loaded")) >= 1
    page.wait_for_selector(".leaflet-overlay-pane path.leaflet-interactive")
    marker = page.locator(f'path[data-event-id="{rid}/{eid}"]')
    assert marker.count() == 1
    assert int(page.get_attribute("#map", "data-outlines-loaded")) > 100  # offline country outlines
    shot(page, "dashboard")
    # open it from the map and read the quote
    marker.dispatch_event("click")  # the hostile report has an attack at the same spot
    popup = page.locator(".leaflet-popup-content a.popup-link")
    popup.wait_for()
    assert "ARREST" in popup.inner_text()
    popup.click()
    page.wait_for_url(f"**/events/{rid}/{eid}")
    # the extractor merged the report's two mentions of the arrest: the quote is the first,
    # the place (Delmas) comes from the second
    quote = page.locator("#quote").inner_text()
    assert "arrested two gang leaders" in quote
    assert "arrested two gang leaders" in page.locator("mark#evidence").inner_text()
    assert "Delmas" in page.locator("#facts").inner_text()
    assert page.locator("#event-date").inner_text().startswith("2024-09-09")
    shot(page, "event")
    # sign in as an analyst
    page.click("#signin-to-review")
    page.fill("#token", server["token"])
    page.click("#signin-button")
    page.wait_for_url(f"**/events/{rid}/{eid}")
    assert "ana" in page.locator("#signed-in-as").inner_text()
    # correct its date
    page.fill("#date_start", "2024-09-13")
    page.fill("#correct-form textarea[name=note]", "Police statement dates the raid to Friday 13th")
    page.click("#save-correction")
    page.wait_for_url("**done=correct")
    assert page.locator("#event-date").inner_text().startswith("2024-09-13")
    assert page.locator("#review-state").inner_text() == "corrected"
    assert "2024-09-09" in page.locator("#machine-date").inner_text()
    shot(page, "event-corrected")
    # the correction is in the timeline
    page.goto(base + "/timeline?as_of=2024-12-31")
    row = page.locator(f'tr.timeline-item[data-members~="{rid}:{eid}"]')
    assert row.count() == 1
    assert "2024-09-13" in row.locator("td.date").inner_text()
    assert "corrected" in row.inner_text()
    shot(page, "timeline")
    # and on the audit page
    page.goto(base + "/audit")
    first = page.locator("tr.audit-row").first
    text = first.inner_text()
    assert "ana" in text and "review.correct" in text and "2024-09-09" in text and "2024-09-13" in text
    shot(page, "audit")
    assert not page.errors  # type: ignore[attr-defined]


def test_hostile_report_is_inert(server, page):
    base = server["url"]
    page.goto(base + "/reports")
    shot(page, "reports")
    page.click("text=hostile report")
    page.wait_for_selector("#report-text")
    assert page.evaluate("window.pwned") is None
    assert page.title() != "pwned"
    text = page.locator("#report-text").inner_text()
    assert "<script>" in text and "onerror=" in text  # shown as text, not run
    assert page.locator("#report-text img").count() == 0
    shot(page, "hostile-report")


def test_map_filters_by_type(server, page):
    base, rid, eid = server["url"], server["report_id"], server["event_id"]
    page.goto(base + "/?type=DEPLOY")
    shot(page, "dashboard-deploy")
    page.wait_for_selector("#map[data-loaded], #map[data-error]", state="attached", timeout=60_000)
    assert page.get_attribute("#map", "data-error") is None, page.get_attribute("#map", "data-error")
    assert page.locator(f'path[data-event-id="{rid}/{eid}"]').count() == 0
    page.select_option("#type-filter", "ARREST")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**type=ARREST**")
    page.wait_for_selector("#map[data-loaded]", state="attached", timeout=60_000)
    marker = page.locator(f'path[data-event-id="{rid}/{eid}"]')
    assert marker.count() == 1, page.get_attribute("#map", "data-loaded")
