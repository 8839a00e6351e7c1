"""Schemathesis against the OpenAPI spec of ``serve``: no 500, no schema violation.

Bounded: a few examples per operation (the exports and outlines, which ignore
their input, are excluded). Marked slow.
"""

from __future__ import annotations

import warnings

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from hypothesis import HealthCheck, settings


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from missionwatch.web.app import create_app
    from tests.web_seed import ingest_sample

    url = f"sqlite:///{tmp_path_factory.mktemp('st') / 'mw.db'}"
    ingest_sample(url)
    return create_app(url, secret_key=b"s" * 32)


def test_api_conforms(app):
    """Every operation, driven by hypothesis strategies from the spec (no pytest plugin needed)."""
    from hypothesis import given

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    tested = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith(("/api/exports/", "/api/geo/")):
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            response = case.call()
            assert response.status_code < 500, (case.path, response.text)
            case.validate_response(response, excluded_checks=[schemathesis.checks.ignored_auth,
                                                              schemathesis.checks.positive_data_acceptance])

        check()
        tested += 1
    assert tested >= 8
