"""Search under 100 ms on 1,000,000 events: a slim PostgreSQL search table, a partial long-span index.

PostgreSQL: the tsvector was a generated column of the wide ``reports`` table
(bodies inline, ~2 rows a page), out of line once a row outgrew ~2 kB, so
ranking a match read its TOAST chunks. It moves to ``report_search``
(seq, report_id, published, tsvector; GIN), one row per report, kept in step by
a trigger on ``reports`` (insert, and updates of title, body or published;
deletes cascade), so every write path — the store, imports, bulk COPY — keeps
it. Its vectors stay inline and uncompressed (``toast_tuple_target`` 8160,
storage MAIN), and ``seq`` (identity, ingest order) gives the newest-first
walk that bounds the ranked pool (``store.search``); existing reports are
copied in ingest order.

SQLite: ``ix_reports_seq_published`` lets a date-filtered search test a
match's date from an index instead of the wide report row.

Both: ``ix_events_long_span`` becomes partial (``WHERE long_span``). As a full
index its leading column had one value in most stores, so SQLite's statistics
(``ANALYZE``) said it selects the whole table and the long branch of a
date-range query read the latitude index instead (~200 ms on 1,000,000
events); the partial index holds only the long events, which is what the
statistics then say.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: Frozen copies of the tsvector definition (0001) and the long-span index columns (0004).
VECTOR = ("setweight(to_tsvector('english', coalesce({row}title, '')), 'A') || "
          "setweight(to_tsvector('english', left({row}body, 250000)), 'B')")
LONG_SPAN_COLUMNS = ["date_end", "date_start", "lat", "lon", "type"]


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        _postgres_search_table()
    else:
        op.create_index("ix_reports_seq_published", "reports", ["seq", "published"])
    op.drop_index("ix_events_long_span", table_name="events")
    op.create_index("ix_events_long_span", "events", LONG_SPAN_COLUMNS,
                    sqlite_where=sa.text("long_span = 1"), postgresql_where=sa.text("long_span"))
    if postgres:
        op.execute("ANALYZE report_search")
        op.execute("ANALYZE events")
    elif op.get_bind().exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first() is not None:
        # A store that keeps statistics must not keep the old index's (it is gone) for the new one.
        op.execute("ANALYZE events")


def _postgres_search_table() -> None:
    op.execute("""
        CREATE TABLE report_search (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            report_id varchar(128) NOT NULL UNIQUE
                REFERENCES reports (id) ON DELETE CASCADE ON UPDATE CASCADE,
            published date,
            search tsvector NOT NULL
        ) WITH (toast_tuple_target = 8160)""")
    op.execute("ALTER TABLE report_search ALTER COLUMN search SET STORAGE MAIN")
    op.execute(f"""
        INSERT INTO report_search (report_id, published, search)
        SELECT id, published, {VECTOR.format(row='')} FROM reports ORDER BY ingested_at, id""")
    op.execute("CREATE INDEX ix_report_search_search ON report_search USING gin (search)")
    op.execute("CREATE INDEX ix_report_search_published ON report_search (published)")
    op.execute(f"""
        CREATE FUNCTION report_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO report_search (report_id, published, search)
            VALUES (NEW.id, NEW.published, {VECTOR.format(row='NEW.')})
            ON CONFLICT (report_id) DO UPDATE SET published = EXCLUDED.published, search = EXCLUDED.search;
            RETURN NULL;
        END $$""")
    op.execute("CREATE TRIGGER reports_search_sync AFTER INSERT OR UPDATE OF title, body, published "
               "ON reports FOR EACH ROW EXECUTE FUNCTION report_search_sync()")
    op.execute("ALTER TABLE reports DROP COLUMN search")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.drop_index("ix_events_long_span", table_name="events")
    op.create_index("ix_events_long_span", "events", ["long_span", *LONG_SPAN_COLUMNS])
    if postgres:
        vector = VECTOR.format(row="")
        op.execute(f"ALTER TABLE reports ADD COLUMN search tsvector GENERATED ALWAYS AS ({vector}) STORED")
        op.execute("CREATE INDEX ix_reports_search ON reports USING gin (search)")
        op.execute("DROP TRIGGER reports_search_sync ON reports")
        op.execute("DROP FUNCTION report_search_sync()")
        op.execute("DROP TABLE report_search")
    else:
        op.drop_index("ix_reports_seq_published", table_name="reports")
