"""The API under hostile requests, over every operation the OpenAPI spec lists.

(``tests/test_web_schemathesis.py`` runs schemathesis over the spec and
``tests/test_web_api.py`` has hand-picked cases; this sweeps *every* filter.)

* every query and path parameter of every GET operation, given SQL
  metacharacters, NUL and LIKE wildcards: never a 5xx, errors carry a code and
  a message, and the store is unchanged;
* every parameter given 60,000 characters: a 4xx with a message;
* every write operation without a token, or with a wrong one: 401, nothing written;
* ``--private``: every read operation refuses an anonymous reader.
"""

from __future__ import annotations

import warnings

import pytest

from tests.reliability.helpers import hand_pair, short_body

SQL_META = [
    "' OR '1'='1",
    "'; DROP TABLE reports; --",
    '" OR 1=1 --',
    "%",
    "_%_",
    "\\",
    "\x00",
    "a\x00b",
    "1; SELECT pg_sleep(5)",
    "') UNION SELECT token_hash FROM users --",
    "*",
    "NEAR(a b)",
    '"',
    "(",
    "-1",
    "1e309",
    "NaN",
]
HUGE = "x" * 60_000  # httpx refuses URL parts over 64 KiB
#: Operations that take no user input that reaches a query.
STATIC = ("/api/geo/", "/api/me")


def _seed(url: str) -> tuple[str, list[str], str]:
    from missionwatch.store import Store
    from missionwatch.web.queries import WebData

    with Store.open(url) as store:
        ids = []
        for i in range(3):
            report, extraction = hand_pair(short_body(i, seed=3), i)
            store.add(report, extraction)
            ids.append(report.id)
        token = WebData(store.engine).add_user("ana", "analyst")
    return url, ids, token


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    return _seed(f"sqlite:///{tmp_path_factory.mktemp('api') / 'mw.db'}")


_OPEN: list = []


def _client(url: str, private: bool = False):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from missionwatch.web.app import create_app

    app = create_app(url, private=private, secret_key=b"k" * 32)
    _OPEN.append(app)
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(autouse=True)
def _close_apps():
    """Close each app's store (TestClient without ``with`` never runs the lifespan shutdown)."""
    yield
    while _OPEN:
        _OPEN.pop().state.store.close()


def _operations(client, method: str):
    spec = client.get("/openapi.json").json()
    for path, ops in spec["paths"].items():
        if method in ops and path.startswith("/api") and not path.startswith(STATIC):
            yield path, ops[method]


def _fill(path: str, ids: list[str], value: str | None = None) -> str:
    return path.replace("{report_id}", value if value is not None else ids[0]).replace(
        "{fact_id}", value if value is not None else "v1"
    )


def _counts(url: str) -> tuple[int, ...]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        out = tuple(
            conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one()
            for t in ("reports", "events", "reviews", "audit", "users")
        )
    engine.dispose()
    return out


def _assert_error(response, where: str) -> None:
    assert 400 <= response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
    error = response.json()["error"]
    assert error["code"] and error["message"], where


def test_every_filter_takes_sql_metacharacters_and_oversized_values(db_url):
    url, ids, _ = _seed(db_url)
    client = _client(url)
    before = _counts(url)
    swept = 0
    for path, op in _operations(client, "get"):
        params = [p for p in op.get("parameters", []) if p["in"] == "query"]
        for param in params:
            for value in SQL_META:
                response = client.get(_fill(path, ids), params={param["name"]: value})
                where = f"GET {path}?{param['name']}={value!r}"
                assert response.status_code < 500, f"{where}: {response.text[:300]}"
                if response.status_code >= 400:
                    _assert_error(response, where)
            _assert_error(
                client.get(_fill(path, ids), params={param["name"]: HUGE}),
                f"GET {path}?{param['name']}=<60k chars>",
            )
            swept += 1
        if "{" in path:
            for value in [*SQL_META[:6], HUGE[:20_000]]:
                response = client.get(_fill(path, ids, value.replace("/", "")))
                where = f"GET {path} with {value[:40]!r}"
                assert response.status_code < 500, f"{where}: {response.text[:300]}"
                if response.status_code >= 400:
                    _assert_error(response, where)
    assert swept >= 10, "the spec lists fewer filters than expected"
    assert _counts(url) == before, "a hostile request changed the store"


def test_every_write_needs_a_valid_token(seeded):
    url, ids, token = seeded
    client = _client(url)
    before = _counts(url)
    writes = [(m, p) for m in ("post", "put", "patch", "delete") for p, _ in _operations(client, m)]
    assert writes, "no write operation found in the spec"
    body = {"report_id": ids[0], "kind": "event", "action": "accept", "fact_id": "v1"}
    for method, path in writes:
        for headers in (
            {},
            {"Authorization": "Bearer mw_wrong"},
            {"Authorization": "Bearer "},
            {"Authorization": "Basic YW5hOmFuYQ=="},
            {"Authorization": "Bearer " + "x" * 10_000},
            {"Authorization": f"Bearer {token}x"},
        ):
            response = client.request(method.upper(), _fill(path, ids), json=body, headers=headers)
            assert response.status_code == 401, f"{method} {path} {headers}: {response.status_code}"
            assert response.json()["error"]["code"] == "MW302"
    assert _counts(url) == before
    ok = client.post("/api/reviews", json=body, headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 201, ok.text


def test_private_deployment_refuses_anonymous_readers_everywhere(seeded):
    url, ids, token = seeded
    client = _client(url, private=True)
    reads = [p for p, _ in _operations(client, "get")]
    assert len(reads) >= 8
    for path in reads:
        response = client.get(_fill(path, ids))
        assert response.status_code == 401, f"{path} is readable anonymously on a private deployment"
        response = client.get(_fill(path, ids), headers={"Authorization": "Bearer mw_guess"})
        assert response.status_code == 401, path
    for page in ("/", "/reports", f"/reports/{ids[0]}", "/timeline", "/audit"):
        response = client.get(page, follow_redirects=False)
        assert response.status_code in (303, 401), f"page {page} is readable anonymously"
    assert client.get("/api/reports", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_lone_star_search_is_a_400_not_a_busy_database(seeded):
    """Regression: FTS5 answers ``*`` with "unknown special query", which was reported as MW203/503."""
    url, _, _ = seeded
    response = _client(url).get("/api/reports", params={"q": "*"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "MW301"
