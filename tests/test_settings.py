"""The settings table drives the docs; the docs must not drift from it."""

from __future__ import annotations

import pytest

from missionwatch import settings
from missionwatch.errors import MissionwatchError
from tests.conftest import REPO


def test_docs_are_generated_from_the_table():
    assert (REPO / "docs" / "settings.md").read_text(encoding="utf-8") == settings.docs_markdown(), (
        "docs/settings.md is stale: run `make docs`")


def test_precedence_env_over_config_over_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MISSIONWATCH_PORT", raising=False)
    assert settings.get("port") == 8000
    (tmp_path / "missionwatch.toml").write_text("[missionwatch]\nport = 9000\n", encoding="utf-8")
    assert settings.get("port") == 9000
    monkeypatch.setenv("MISSIONWATCH_PORT", "9100")
    assert settings.get("port") == 9100
    assert settings.get("port", override=9200) == 9200


def test_bad_values_name_the_setting(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MISSIONWATCH_PORT", "eighty")
    with pytest.raises(MissionwatchError) as info:
        settings.get("port")
    assert info.value.code == "MW401" and "MISSIONWATCH_PORT" in str(info.value)


def test_unknown_key_in_config_file_is_an_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "missionwatch.toml").write_text("[missionwatch]\nprot = 1\n", encoding="utf-8")
    with pytest.raises(MissionwatchError, match="prot"):
        settings.get("port")
