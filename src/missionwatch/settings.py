"""One settings table drives the CLI defaults, the config file and the docs.

Precedence: command-line option > environment variable (``MISSIONWATCH_<NAME>``)
> config file (``missionwatch.toml`` in the working directory, or the file named
by ``MISSIONWATCH_CONFIG``) > default. ``docs/settings.md`` is generated from
this table and a test keeps it in step.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from missionwatch.errors import MissionwatchError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return "MISSIONWATCH_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "sqlite:///missionwatch.db",
            "SQLAlchemy URL of the store (a SQLite file by default; postgresql+psycopg://... for teams)"),
    Setting("max_report_bytes", 10_000_000, "Reports larger than this many bytes are rejected (MW108)"),
    Setting("report_timeout", 60.0, "Seconds one report may take to extract before it is rejected (MW111)"),
    Setting("near_duplicate_threshold", 0.8,
            "Estimated Jaccard similarity of word shingles above which a report is linked as a "
            "near-duplicate"),
    Setting("workers", 1, "Local extraction processes used by ingest"),
    Setting("batch_size", 50,
            "Extracted reports written to the store per transaction by ingest "
            "(a crash loses at most one batch)"),
    Setting("host", "127.0.0.1", "Address the web dashboard listens on"),
    Setting("port", 8000, "Port the web dashboard listens on"),
    Setting("private", False, "Require sign-in for reading too, not only for writing"),
    Setting("tile_url", "",
            "Optional map tile URL template for deployments with internet; empty = offline outlines"),
    Setting("busy_timeout_ms", 30_000, "How long SQLite waits for a lock before giving up"),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _config_file() -> dict[str, Any]:
    path = Path(os.environ.get("MISSIONWATCH_CONFIG", "missionwatch.toml"))
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MissionwatchError("MW401", f"cannot parse config file: {exc}", where=str(path)) from exc
    section = data.get("missionwatch", data)
    unknown = set(section) - set(_BY_NAME)
    if unknown:
        raise MissionwatchError("MW401", f"unknown setting(s) {sorted(unknown)}", where=str(path))
    return section


def _coerce(setting: Setting, raw: Any) -> Any:
    kind = type(setting.default)
    if isinstance(raw, kind):
        return raw
    try:
        if kind is bool:
            text = str(raw).strip().lower()
            if text not in {"1", "0", "true", "false", "yes", "no"}:
                raise ValueError(text)
            return text in {"1", "true", "yes"}
        return kind(raw)
    except (TypeError, ValueError) as exc:
        raise MissionwatchError("MW401", f"{setting.name}={raw!r} is not a {kind.__name__}",
                                where=setting.env) from exc


def get(name: str, override: Any = None) -> Any:
    """The value of setting ``name``: the override if given, else env, config file, default."""
    setting = _BY_NAME[name]
    if override is not None:
        return _coerce(setting, override)
    if setting.env in os.environ:
        return _coerce(setting, os.environ[setting.env])
    config = _config_file()
    if name in config:
        return _coerce(setting, config[name])
    return setting.default


def docs_markdown() -> str:
    lines = ["# Settings", "",
             "Each setting can be given on the command line, as an environment variable, or in",
             "`missionwatch.toml` (section `[missionwatch]`). Generated from `missionwatch.settings`.", "",
             "| name | environment | default | meaning |", "|---|---|---|---|"]
    for s in SETTINGS:
        lines.append(f"| `{s.name}` | `{s.env}` | `{s.default!r}` | {s.help} |")
    return "\n".join(lines) + "\n"
