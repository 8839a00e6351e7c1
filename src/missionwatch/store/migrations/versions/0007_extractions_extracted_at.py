"""The mission picture's change stamp reads indexes, not tables: ``ix_extractions_extracted_at``.

Every request of the dashboard and ``/api/picture`` first asks whether the
store changed since the picture was built. It asked for the latest
``extracted_at`` of all extractions (and the latest ``ingested_at`` of all
reports), which scanned both tables: every report's body and every extraction's
contract JSON, gigabytes per request in a large store. With this index the
latest extraction is one index probe; reports are stamped by ``seq`` (unique,
so already indexed).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_extractions_extracted_at", "extractions", ["extracted_at"])


def downgrade() -> None:
    op.drop_index("ix_extractions_extracted_at", table_name="extractions")
