"""Many rows into one table, inside the caller's transaction: COPY on PostgreSQL, executemany elsewhere.

An ingest batch writes ~100 fact rows per report. psycopg's executemany sends
them as one INSERT execution each (pipelined, but every row is still a
statement for the server to run and a parameter set for the client to
convert); ``COPY ... FROM STDIN`` streams them as one statement. Values go
through each column's SQLAlchemy bind processor first, so a row means the
same on either path (``UTCDateTime`` refuses a naive timestamp on both, for instance).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Column, Connection, Table, insert
from sqlalchemy.exc import DBAPIError

from missionwatch.store.models import Base


def insert_rows(conn: Connection, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts keyed by column name, every row the same keys) into ``model``'s table."""
    if not rows:
        return
    table = model.__table__
    assert isinstance(table, Table)
    if conn.dialect.name == "postgresql":
        _copy(conn, table, rows)
    else:
        conn.execute(_insert_statement(table), rows)


@cache
def _insert_statement(table: Table) -> Any:
    # Built once per table: a fresh insert() per call costs a cache-key walk every time.
    return insert(table)


def _copy(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    names = list(rows[0])
    columns = [table.c[name] for name in names]
    processors = [_bind_processor(column, conn) for column in columns]
    quote = conn.dialect.identifier_preparer.quote
    statement = (f"COPY {quote(table.name)} ({', '.join(quote(n) for n in names)}) FROM STDIN")
    driver = conn.connection.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([value if process is None else process(value)
                                for process, value in zip(processors, (row[n] for n in names), strict=True)])
    except driver.Error as exc:
        # Callers tell a refused row from a lost server by SQLAlchemy's exception classes.
        raise DBAPIError.instance(statement, None, exc, type(driver).Error) from exc


def _bind_processor(column: Column[Any], conn: Connection) -> Callable[[Any], Any] | None:
    return column.type._cached_bind_processor(conn.dialect)
