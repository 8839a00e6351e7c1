"""The JSON API over both back-ends: reading, filtering, errors, writing with tokens, audit."""

from __future__ import annotations

import warnings

import pytest

from tests.web_seed import ingest_sample

HOSTILE = ("Police said <script>document.title='pwned'</script> gangs attacked Delmas. "
           "<img src=x onerror=\"document.title='pwned'\"> Officers arrested 3 people in Delmas on Monday.")


@pytest.fixture
def client_factory(db_url):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette: "use httpx2" (not installed here)
        from fastapi.testclient import TestClient
    from missionwatch.web.app import create_app

    made = []

    def make(private: bool = False):
        app = create_app(db_url, private=private, secret_key=b"k" * 32)
        client = TestClient(app)
        client.__enter__()
        made.append(client)
        return app, client

    yield make
    for client in made:
        client.__exit__(None, None, None)


@pytest.fixture
def seeded(db_url, nlp):
    report_id, event_id = ingest_sample(db_url, [("hostile", HOSTILE)])
    return db_url, report_id, event_id


def _token(db_url: str, name: str = "ana", role: str = "analyst") -> str:
    from missionwatch.store import Store
    from missionwatch.web.queries import WebData

    with Store.open(db_url) as store:
        return WebData(store.engine).add_user(name, role)


def test_reports_list_search_detail(seeded, client_factory):
    db_url, report_id, event_id = seeded
    _, c = client_factory()
    page = c.get("/api/reports").json()
    assert page["total"] == 2
    assert c.get("/api/reports", params={"date_from": "2024-09-22"}).json()["total"] == 1
    hits = c.get("/api/reports", params={"q": "Otunge"}).json()
    assert [h["id"] for h in hits["items"]] == [report_id]
    detail = c.get(f"/api/reports/{report_id}").json()
    assert detail["extraction"]["report"]["id"] == report_id
    assert any(e["id"] == event_id for e in detail["extraction"]["events"])
    missing = c.get("/api/reports/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "MW201"


def test_events_filters_and_paging(seeded, client_factory):
    _, report_id, event_id = seeded
    _, c = client_factory()
    arrests = c.get("/api/events", params={"type": "ARREST", "place": "Delmas"}).json()
    ids = [e["id"] for e in arrests["items"]]
    assert f"{report_id}/{event_id}" in ids
    one = next(e for e in arrests["items"] if e["id"] == f"{report_id}/{event_id}")
    assert "arrested" in one["evidence"] and one["lat"] == pytest.approx(18.54, abs=0.05)
    box = c.get("/api/events", params={"bbox": "-72.4,18.5,-72.2,18.6", "type": "arrest"}).json()
    assert f"{report_id}/{event_id}" in [e["id"] for e in box["items"]]
    far = c.get("/api/events", params={"bbox": "-170,-10,-160,0"}).json()
    assert far["total"] == 0
    in_range = c.get("/api/events", params={"date_from": "2024-09-01", "date_to": "2024-09-30",
                                            "type": "ARREST"}).json()
    assert f"{report_id}/{event_id}" in [e["id"] for e in in_range["items"]]
    assert c.get("/api/events", params={"date_to": "2024-01-01", "type": "ARREST"}).json()["total"] == 0
    page = c.get("/api/events", params={"limit": 1}).json()
    assert len(page["items"]) <= 1 and page["limit"] == 1
    detail = c.get(f"/api/events/{report_id}/{event_id}").json()
    assert detail["event"]["type"] == "ARREST" and detail["report"]["report_id"] == report_id
    geo = c.get("/api/events.geojson", params={"type": "ARREST"}).json()
    assert any(f["properties"]["id"] == f"{report_id}/{event_id}" for f in geo["features"])


def test_report_search_filters_dates_in_the_store(seeded, client_factory):
    db_url, report_id, _ = seeded
    _, c = client_factory()
    both = c.get("/api/reports", params={"q": "Delmas"}).json()
    assert both["total"] == 2 and report_id in [h["id"] for h in both["items"]]
    later = c.get("/api/reports", params={"q": "Delmas", "date_from": "2024-09-22"}).json()
    assert later["total"] == 1 and report_id not in [h["id"] for h in later["items"]]
    assert all(h["published"] >= "2024-09-22" for h in later["items"])
    earlier = c.get("/api/reports", params={"q": "Delmas", "date_to": "2024-09-21"}).json()
    assert [h["id"] for h in earlier["items"]] == [report_id] and earlier["total"] == 1
    paged = c.get("/api/reports", params={"q": "Delmas", "limit": 1, "offset": 1}).json()
    assert paged["total"] == 2 and [h["id"] for h in paged["items"]] == [both["items"][1]["id"]]


@pytest.mark.parametrize("path, params", [
    ("/api/events", {"type": "ARREST'; DROP TABLE events; --"}),
    ("/api/events", {"place": "Delmas'; DROP TABLE events; --"}),
    ("/api/events", {"actor": "x\" OR 1=1 --"}),
    ("/api/events", {"place": "%_%"}),
    ("/api/events", {"bbox": "1,2,3"}),
    ("/api/events", {"bbox": "10,0,5,1"}),
    ("/api/events", {"date_from": "2024-13-40"}),
    ("/api/events", {"date_from": "2024-09-10", "date_to": "2024-09-01"}),
    ("/api/events", {"limit": "100000"}),
    ("/api/events", {"offset": "-1"}),
    ("/api/events", {"offset": "19999", "limit": "500"}),
    ("/api/events", {"status": "done"}),
    ("/api/events", {"place": "x" * 5000}),
    ("/api/reports", {"q": "a" * 5000}),
    ("/api/reports", {"q": "gangs; DROP TABLE reports"}),
    ("/api/reports", {"q": "\"unbalanced"}),
    ("/api/places", {"q": "' OR '1'='1"}),
    ("/api/actors", {"type": "ROBOT"}),
    ("/api/events/abc/'1", {}),
    ("/api/picture", {"as_of": "yesterday"}),
])
def test_bad_parameters_are_4xx_with_a_message(seeded, client_factory, path, params):
    _, c = client_factory()
    response = c.get(path, params=params)
    assert 400 <= response.status_code < 500, response.text
    body = response.json()
    assert body["error"]["code"].startswith(("MW", "HTTP")) and body["error"]["message"]
    assert c.get("/api/events").status_code == 200  # nothing was dropped


def test_places_actors_picture_exports_outlines(seeded, client_factory):
    _, c = client_factory()
    places = c.get("/api/places", params={"q": "delmas"}).json()
    assert any(p["name"] == "Delmas" for p in places["items"])
    assert c.get("/api/actors").status_code == 200
    picture = c.get("/api/picture", params={"as_of": "2024-09-30"}).json()
    assert picture["as_of"] == "2024-09-30" and picture["reports"] >= 1
    csv_text = c.get("/api/exports/acled.csv").text
    assert csv_text.splitlines()[0].startswith("event_id_cnty")
    geo = c.get("/api/exports/events.geojson").json()
    assert geo["type"] == "FeatureCollection"
    outlines = c.get("/api/geo/countries").json()
    assert any(f["properties"]["name"] == "Haiti" for f in outlines["features"])


def test_writes_need_a_valid_token(seeded, client_factory):
    db_url, report_id, event_id = seeded
    _, c = client_factory()
    body = {"report_id": report_id, "kind": "event", "action": "correct", "fact_id": event_id,
            "fields": {"date": "2024-09-13"}}
    assert c.post("/api/reviews", json=body).status_code == 401
    bad = c.post("/api/reviews", json=body, headers={"Authorization": "Bearer mw_wrong"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "MW302"
    token = _token(db_url)
    ok = c.post("/api/reviews", json=body, headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 201, ok.text
    assert ok.json()["state"] == "corrected"
    event = c.get(f"/api/events/{report_id}/{event_id}").json()
    assert event["event"]["date_start"] == "2024-09-13" and event["event"]["review"] == "corrected"
    assert event["machine"]["date_start"] == "2024-09-09"  # the machine's version is kept
    audit = c.get("/api/audit").json()["items"]
    assert audit[0]["actor"] == "ana" and audit[0]["action"] == "review.correct"
    assert audit[0]["before"]["fact"]["date"]["start"] == "2024-09-09"
    assert audit[0]["after"]["fact"]["date"]["start"] == "2024-09-13"
    # the corrected date now drives the date filter
    got = c.get("/api/events", params={"date_from": "2024-09-13", "date_to": "2024-09-13",
                                       "type": "ARREST"}).json()
    assert f"{report_id}/{event_id}" in [e["id"] for e in got["items"]]
    before = c.get("/api/events", params={"date_to": "2024-09-12", "type": "ARREST"}).json()
    assert f"{report_id}/{event_id}" not in [e["id"] for e in before["items"]]
    invalid = c.post("/api/reviews", json={**body, "fields": {"date": "someday"}},
                     headers={"Authorization": f"Bearer {token}"})
    assert invalid.status_code == 400 and invalid.json()["error"]["code"] == "MW305"


def test_cookie_session_needs_csrf(seeded, client_factory):
    db_url, report_id, event_id = seeded
    _, c = client_factory()
    token = _token(db_url)
    signed = c.post("/signin", data={"token": token, "next": "/"}, follow_redirects=False)
    assert signed.status_code == 303 and "mw_session" in signed.headers["set-cookie"]
    assert "httponly" in signed.headers["set-cookie"].lower()
    form = {"action": "reject", "note": "not an arrest"}
    refused = c.post(f"/events/{report_id}/{event_id}/review", data=form, follow_redirects=False)
    assert refused.status_code == 403
    page = c.get(f"/events/{report_id}/{event_id}").text
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    done = c.post(f"/events/{report_id}/{event_id}/review", data={**form, "csrf": csrf},
                  follow_redirects=False)
    assert done.status_code == 303
    events = c.get("/api/events", params={"type": "ARREST"}).json()["items"]
    assert f"{report_id}/{event_id}" not in [e["id"] for e in events]


def test_private_deployment_refuses_anonymous_readers(seeded, client_factory):
    db_url, report_id, _ = seeded
    _, c = client_factory(private=True)
    for path in ("/api/reports", f"/api/reports/{report_id}", "/api/events", "/api/picture",
                 "/api/exports/acled.csv", "/api/audit"):
        response = c.get(path)
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "MW302"
    assert c.get("/", follow_redirects=False).status_code == 303
    token = _token(db_url)
    assert c.get("/api/reports", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert c.get("/api/reports", headers={"Authorization": "Bearer mw_guess"}).status_code == 401


def test_hostile_report_text_is_escaped(seeded, client_factory):
    _, c = client_factory()
    hostile = next(r for r in c.get("/api/reports").json()["items"] if r["title"] == "hostile")
    html = c.get(f"/reports/{hostile['id']}").text
    assert "<script>document.title" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html
    assert "script-src 'self'" in c.get("/").headers["content-security-policy"]


def test_user_add_stores_only_a_hash(db_url):
    from typer.testing import CliRunner

    from missionwatch.cli import app
    from missionwatch.store import Store

    result = CliRunner().invoke(app, ["user", "add", "bob", "--role", "admin", "--db", db_url])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("mw_")
    import sqlalchemy as sa

    with Store.open(db_url) as store, store.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT name, role, token_hash FROM users")).one()
    assert row.name == "bob" and row.role == "admin" and token not in row.token_hash
    again = CliRunner().invoke(app, ["user", "add", "bob", "--db", db_url])
    assert again.exit_code != 0
