"""Engines and migrations.

SQLite gets WAL (readers never block the writer), a busy timeout (setting
``busy_timeout_ms``) and foreign keys; its driver-level transaction handling is
switched off so that SQLAlchemy's ``BEGIN`` is the real one, and write
transactions use ``BEGIN IMMEDIATE``: a deferred transaction that reads and
then writes can fail with "database is locked" at once, whatever the timeout.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from missionwatch import settings
from missionwatch.errors import StoreError

#: Execution option naming the SQLite BEGIN flavour of a connection's transactions.
SQLITE_BEGIN = "missionwatch_sqlite_begin"


def safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def make_engine(url: str) -> Engine:
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise StoreError("MW203", f"not a usable database URL ({exc})", where=safe_url(url)) from exc
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, int(settings.get("busy_timeout_ms")))
    return engine


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # NORMAL is durable across application crashes in WAL mode (only an OS
        # crash can lose the last commits), and much faster than FULL.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN " + conn.get_execution_options().get(SQLITE_BEGIN, "DEFERRED"))


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("missionwatch.store") / "migrations"))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def migrate(engine: Engine) -> None:
    """Bring the schema to head (a no-op when it is there already)."""
    config = _alembic_config()
    head = head_revision()
    known = {rev.revision for rev in ScriptDirectory.from_config(config).walk_revisions()}
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current == head:
        return
    if current is not None and current not in known:
        raise StoreError("MW204", f"the database is at schema {current}, newer than this missionwatch "
                         "knows; upgrade missionwatch", where=safe_url(str(engine.url)))
    # Two processes opening a fresh database at once must not both create
    # tables: hold the write lock (SQLite) or an advisory lock (PostgreSQL)
    # before alembic reads the current revision.
    with engine.connect().execution_options(**{SQLITE_BEGIN: "IMMEDIATE"}) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7316810)")
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def check_available(engine: Engine) -> None:
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except DBAPIError as exc:
        raise StoreError("MW203", f"cannot connect: {_first_line(exc.orig)}",
                         where=safe_url(str(engine.url))) from exc


def _first_line(exc: BaseException | None) -> str:
    return str(exc).strip().splitlines()[0] if exc and str(exc).strip() else type(exc).__name__
