"""A dated search walks only the reports inside its window: ``ix_report_search_recent``.

PostgreSQL only. The ranked pool of a search (``store.search``) is the newest
matches: a backward walk in ``seq`` order that stops at the pool size, or a GIN
bitmap for rare words. With a date filter, the walk along the primary key read
every report's row (a ~2 kB tsvector each) to test its date: ~24,000 rows to
find 2,000 "helicopters" matches inside a 180-day window of 1,000,000 events.
This index carries the date next to the order, so the walk tests the date in
the index and reads only the rows inside the window. It is on ``-seq`` so that
the search can order by an expression the primary key cannot serve: the
planner then weighs this walk against the bitmap instead of preferring the
primary key, whose cost it underestimates for wide rows.

SQLite already has ``ix_reports_seq_published`` (0005) for the same purpose.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_report_search_recent ON report_search ((-seq), published)")
        op.execute("ANALYZE report_search")  # statistics for the expression, used to cost the walk


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_report_search_recent")
