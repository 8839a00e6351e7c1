"""Index-bounded date-overlap queries: events.long_span and its index.

"Events overlapping [from, to]" is ``date_start <= to AND date_end >= from``.
Only one of the two can bound a B-tree range scan, so until now the scan
ran from the start of the store to ``to`` (or SQLite chose the latitude index
instead): ~670,000 index entries for a 30-day window over 1,000,000 events.

Most events last at most a month (a day, a week, a month-precision date), so
an event overlapping the window starts at most ``LONG_SPAN_DAYS`` days before
``from``: ``date_start BETWEEN from - 31 AND to`` bounds the scan on
``ix_events_dates``. The few events that last longer (or have no end) carry
``long_span`` (set at write time by ``store.facts``) and are read through
``ix_events_long_span``, bounded by their end date. ``web.queries`` unions the
two paths.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: Frozen copy of ``store.facts.LONG_SPAN_DAYS`` at the time of this migration.
LONG_SPAN_DAYS = 31
INDEX = ["long_span", "date_end", "date_start", "lat", "lon", "type"]


def upgrade() -> None:
    op.add_column("events", sa.Column("long_span", sa.Boolean(), nullable=False, server_default=sa.false()))
    if op.get_bind().dialect.name == "postgresql":
        span = "date_end - date_start"
    else:  # dates are ISO text on SQLite
        span = "julianday(date_end) - julianday(date_start)"
    op.execute(f"UPDATE events SET long_span = TRUE WHERE date_start IS NOT NULL "
               f"AND (date_end IS NULL OR {span} > {LONG_SPAN_DAYS})")
    op.create_index("ix_events_long_span", "events", INDEX)
    if op.get_bind().dialect.name == "postgresql":
        # Statistics for the new column now, not when autovacuum next analyzes: without them the
        # planner guesses long_span's selectivity and may walk ix_events_dates for the long branch.
        op.execute("ANALYZE events")


def downgrade() -> None:
    op.drop_index("ix_events_long_span", table_name="events")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("long_span")
