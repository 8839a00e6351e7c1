"""The web's mission picture: one long-lived service, kept up to date without a restart, paged timeline."""

from __future__ import annotations

import datetime as dt
import warnings

import pytest

from tests.web_seed import ingest_sample

AS_OF = "2024-12-31"
EXTRA = ("Kenyan police officers clashed with gang members in Cabaret on 20 September 2024. "
         "The Jamaica Defence Force deployed 40 soldiers to Mirebalais on 21 September 2024.")


@pytest.fixture
def web(db_url, nlp):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette: "use httpx2" (not installed here)
        from fastapi.testclient import TestClient
    from missionwatch.web.app import create_app

    report_id, event_id = ingest_sample(db_url)
    app = create_app(db_url, secret_key=b"k" * 32)
    with TestClient(app) as client:
        yield app, client, db_url, report_id, event_id


def _timeline(client, **params) -> list[dict]:
    got = client.get("/api/picture", params={"as_of": AS_OF, "timeline_limit": 500, **params}).json()
    assert got["timeline_page"]["total"] == len(got["timeline"])
    return got["timeline"]


def test_a_new_report_reaches_the_picture_without_a_restart(web):
    app, c, db_url, _, _ = web
    from missionwatch.extract import extract
    from missionwatch.records import Report
    from missionwatch.store import Store

    service = app.state.mission
    before = c.get("/api/picture", params={"as_of": AS_OF}).json()
    old_ids = {t["id"] for t in _timeline(c)}
    report = Report.build(body=EXTRA, reader="test", published=dt.date(2024, 9, 22), title="extra",
                          source="extra.example")
    with Store.open(db_url) as store:
        store.add(report, extract(report))
    after = c.get("/api/picture", params={"as_of": AS_OF}).json()
    assert app.state.mission is service  # the same service, brought up to date
    assert after["reports"] == before["reports"] + 1
    new = [t for t in _timeline(c) if t["id"] not in old_ids]
    assert new and all(any(s["report_id"] == report.id for s in t["sources"]) for t in new)
    # nothing changed since: the change stamp keeps the key scan and the reducer away
    scan = service._current_keys
    service._current_keys = lambda: pytest.fail("the key scan ran although nothing changed")
    stats = service.refresh()
    assert stats.computed == 0 and stats.unchanged == stats.reports == 2
    service._current_keys = scan
    assert service.refresh(force=True).unchanged == 2


def test_a_review_changes_the_picture_and_agrees_with_the_reviewed_pairs(web):
    app, c, db_url, report_id, event_id = web
    from missionwatch.mission import contributions_of
    from missionwatch.store import Store
    from missionwatch.web.queries import WebData

    key = f"{report_id}:{event_id}"

    def item() -> dict:
        return next(t for t in _timeline(c) if key in t["members"])

    assert item()["date"]["start"] == "2024-09-09"
    with Store.open(db_url) as store:
        token = WebData(store.engine).add_user("ana", "analyst")
    body = {"report_id": report_id, "kind": "event", "action": "correct", "fact_id": event_id,
            "fields": {"date": "2024-09-13"}}
    assert c.post("/api/reviews", json=body, headers={"Authorization": f"Bearer {token}"}).status_code == 201
    assert item()["date"]["start"] == "2024-09-13"
    assert c.get(f"/events/{report_id}/{event_id}").status_code == 200
    page = c.get("/timeline", params={"as_of": AS_OF}).text
    assert key in page and "2024-09-13" in page
    # the service applies reviews as the web's reviewed pairs do (reattached by fingerprint)
    with Store.open(db_url) as store:
        expected = {r.id: contributions_of(x, body=r.body).model_dump(exclude={"cache_key"})
                    for r, x in WebData(store.engine).pairs(reviewed=True)}
    served = {rid: c.model_dump(exclude={"cache_key"})
              for rid, c in app.state.mission.state.contributions.items()}
    assert served == expected


def test_a_change_reads_the_changed_reports_only_and_agrees_with_a_fresh_start(web):
    """After a new report and a review, the service reads the keys of those two reports only (reading
    every key cost seconds at 220,000 reports), and answers as a service started afresh does."""
    app, c, db_url, report_id, event_id = web
    from missionwatch.extract import extract
    from missionwatch.mission.service import MissionService
    from missionwatch.records import Report
    from missionwatch.store import Store
    from missionwatch.web.picture import picture_json
    from missionwatch.web.queries import WebData

    service = app.state.mission
    untouched = Report.build(body="Haitian police patrolled Delmas on 2 October 2024.", reader="test",
                             published=dt.date(2024, 10, 3), title="other", source="other.example")
    with Store.open(db_url) as store:
        store.add(untouched, extract(untouched))
    c.get("/api/picture", params={"as_of": AS_OF})
    report = Report.build(body=EXTRA, reader="test", published=dt.date(2024, 9, 22), title="extra",
                          source="extra.example")
    with Store.open(db_url) as store:
        store.add(report, extract(report))
        token = WebData(store.engine).add_user("ana", "analyst")
    review = {"report_id": report_id, "kind": "event", "action": "correct", "fact_id": event_id,
              "fields": {"date": "2024-09-13"}}
    read: list[dict[str, str]] = []
    scan = service._current_keys

    def spy(since=None):
        keys, reviews = scan(since)
        read.append(keys)
        return keys, reviews

    service._current_keys = spy
    signed = {"Authorization": f"Bearer {token}"}
    assert c.post("/api/reviews", json=review, headers=signed).status_code == 201
    served = c.get("/api/picture", params={"as_of": AS_OF, "sources": 10_000, "timeline_limit": 500}).json()
    assert [sorted(keys) for keys in read] == [sorted({report.id, report_id})]
    with Store.open(db_url) as store:
        fresh = picture_json(MissionService(store), dt.date.fromisoformat(AS_OF), 0, 500, 50, 10_000)
    assert served == fresh


def test_the_timeline_is_paged(web):
    _, c, _, _, _ = web
    full = _timeline(c)
    assert len(full) > 3
    got = c.get("/api/picture", params={"as_of": AS_OF}).json()
    assert got["timeline_page"] == {"total": len(full), "offset": 0, "limit": 100}
    pieces = []
    for offset in range(0, len(full), 2):
        page = c.get("/api/picture", params={"as_of": AS_OF, "timeline_offset": offset,
                                             "timeline_limit": 2}).json()
        assert page["timeline_page"]["total"] == len(full) and len(page["timeline"]) <= 2
        pieces += page["timeline"]
    assert pieces == full
    beyond = c.get("/api/picture", params={"as_of": AS_OF, "timeline_offset": len(full) + 5}).json()
    assert beyond["timeline"] == [] and beyond["timeline_page"]["total"] == len(full)
    assert c.get("/api/picture", params={"timeline_limit": 501}).status_code == 400
    spec = c.get("/openapi.json").json()["paths"]["/api/picture"]["get"]
    assert {"timeline_limit", "timeline_offset", "as_of"} <= {p["name"] for p in spec["parameters"]}
    html = c.get("/timeline", params={"as_of": AS_OF}).text
    assert f"of {len(full)}" in html
    assert c.get("/timeline", params={"as_of": AS_OF, "page": 0}).status_code == 400


def test_history_lists_keep_their_latest_entries():
    """``cut_history`` cuts every history list to its latest entries and says which it cut; the
    section indexes give the same answer without folding the whole history."""
    from missionwatch.mission import PictureState
    from missionwatch.mission.bounded import cut_history
    from tests.scenarios.load import contributions

    state = PictureState()
    state.add_many(contributions("rotation"))
    day = dt.date(2026, 1, 1)
    full = state.picture(day)
    ke = next(c for c in full.forces.contingents if len(c.series) > 2)
    cut, lists = cut_history(full, 2)
    short = next(c for c in cut.forces.contingents if c.country == ke.country)
    assert short.series == ke.series[-2:] and short.estimates == ke.estimates[-2:]
    assert lists[f"forces.contingents.{ke.country}.series"] == len(ke.series)
    assert short.estimate_low == ke.estimate_low and cut.mandate.status == full.mandate.status
    assert all(len(t.trail) <= 2 for t in cut.territory)
    same, none_cut = cut_history(full, 10_000)
    assert same.to_json() == full.to_json() and none_cut == {}
    for history in (0, 1, 2, 5):
        fast, fast_lists = state.bounded(day, 0, None, history)
        want, want_lists = cut_history(full, history)
        assert fast.to_json() == want.to_json() and fast_lists == want_lists, history


def test_evidence_lists_keep_their_first_sources(web):
    """A figure stated by many reports lists the first ``sources`` of them; ``sources_cut`` counts
    what was left out, and ``sources`` high enough gives every list whole."""
    _app, c, *_ = web

    def lists(node, found):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("sources", "expiry_sources", "members") and isinstance(value, list):
                    found.append(len(value))
                else:
                    lists(value, found)
        elif isinstance(node, list):
            for item in node:
                lists(item, found)
        return found

    whole = c.get("/api/picture", params={"as_of": AS_OF, "sources": 100_000}).json()
    assert whole["sources_cut"] == {"limit": 100_000, "lists": 0, "left_out": 0}
    lengths = lists({k: v for k, v in whole.items() if not k.endswith("_cut")}, [])
    assert max(lengths) > 1, "the sample must have an evidence list to cut"
    one = c.get("/api/picture", params={"as_of": AS_OF, "sources": 1}).json()
    assert max(lists({k: v for k, v in one.items() if not k.endswith("_cut")}, [])) == 1
    assert one["sources_cut"]["lists"] == sum(1 for n in lengths if n > 1)
    assert one["sources_cut"]["left_out"] == sum(n - 1 for n in lengths if n > 1)
    assert one["forces"]["total_low"] == whole["forces"]["total_low"]
    default = c.get("/api/picture", params={"as_of": AS_OF}).json()
    assert default["sources_cut"]["limit"] == 5


def test_the_strength_chart_draws_one_point_per_pixel_column():
    from missionwatch.web.pages import _per_pixel

    day = dt.date(2024, 1, 1)
    points = [(day + dt.timedelta(days=n), float(n)) for n in range(1000)]
    thin = _per_pixel(points, lambda d: (d - day).days // 10)
    assert len(thin) == 100 and thin[-1] == points[-1] and thin[0] == points[9]
