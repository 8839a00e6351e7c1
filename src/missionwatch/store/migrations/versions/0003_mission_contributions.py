"""The mission picture's per-report contribution cache, under Alembic like the rest of the schema.

Until now ``missionwatch.mission.service`` created ``mission_contributions``
itself on first use. A table of that name found here was made that way: it
is a cache (a row is only ever a report's reduced extraction, keyed by what
it was computed from), so it is dropped and created again with the managed
definition; the next picture recomputes what it held.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "mission_contributions" in sa.inspect(op.get_bind()).get_table_names():
        op.drop_table("mission_contributions")
    op.create_table(
        "mission_contributions",
        sa.Column("report_id", sa.String(128), sa.ForeignKey("reports.id", ondelete="CASCADE"),
                  primary_key=True, nullable=False),
        sa.Column("cache_key", sa.String(512), nullable=False),
        sa.Column("contribution", sa.Text, nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("mission_contributions")
