"""Initial schema: reports, near-duplicate bands, extractions, fact tables, users, reviews, audit, search.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _report_id(primary_key: bool = True) -> sa.Column:
    return sa.Column("report_id", sa.String(128), sa.ForeignKey("reports.id", ondelete="CASCADE"),
                     primary_key=primary_key, nullable=False)


def _evidence() -> list[sa.Column]:
    return [sa.Column("evidence_start", sa.Integer, nullable=False),
            sa.Column("evidence_end", sa.Integer, nullable=False),
            sa.Column("evidence_text", sa.Text, nullable=False)]


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("seq", sa.Integer, unique=True),
        sa.Column("published", sa.Date),
        sa.Column("title", sa.Text),
        sa.Column("source", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("reader", sa.String(32), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("ingested_at", TZ, nullable=False),
        sa.Column("duplicate_of", sa.String(128), sa.ForeignKey("reports.id")),
        sa.Column("duplicate_similarity", sa.Float),
        sa.Column("minhash", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_reports_published", "reports", ["published"])
    op.create_index("ix_reports_duplicate_of", "reports", ["duplicate_of"])

    op.create_table(
        "lsh_bands",
        sa.Column("band", sa.SmallInteger, primary_key=True),
        sa.Column("key", sa.BigInteger, primary_key=True),
        _report_id(),
    )
    op.create_index("ix_lsh_bands_report_id", "lsh_bands", ["report_id"])

    op.create_table(
        "extractions",
        _report_id(),
        sa.Column("extractor_version", sa.String(200), nullable=False),
        sa.Column("contract", sa.Text, nullable=False),
        sa.Column("extracted_at", TZ, nullable=False),
    )
    op.create_index("ix_extractions_extractor_version", "extractions", ["extractor_version"])

    op.create_table(
        "entities",
        _report_id(),
        sa.Column("fact_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("aliases", sa.Text),
        sa.Column("mention_count", sa.Integer, nullable=False),
        sa.Column("first_start", sa.Integer),
        sa.Column("first_end", sa.Integer),
    )
    op.create_index("ix_entities_name", "entities", ["name"])
    op.create_index("ix_entities_type", "entities", ["type"])

    op.create_table(
        "places",
        _report_id(),
        sa.Column("fact_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("country", sa.String(8)),
        sa.Column("admin1", sa.Text),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("feature", sa.String(16), nullable=False),
        sa.Column("geonames_id", sa.BigInteger),
    )
    op.create_index("ix_places_name", "places", ["name"])

    op.create_table(
        "events",
        _report_id(),
        sa.Column("fact_id", sa.String(64), primary_key=True),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("date_start", sa.Date),
        sa.Column("date_end", sa.Date),
        sa.Column("precision", sa.String(8)),
        sa.Column("place_name", sa.Text),
        sa.Column("country", sa.String(8)),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("actors", sa.Text),
        sa.Column("targets", sa.Text),
        sa.Column("confidence", sa.Float, nullable=False),
        *_evidence(),
        sa.Column("extractor_version", sa.String(200), nullable=False),
    )
    op.create_index("ix_events_dates", "events", ["date_start", "date_end"])
    op.create_index("ix_events_type_date", "events", ["type", "date_start"])
    op.create_index("ix_events_lat_lon", "events", ["lat", "lon"])

    op.create_table(
        "quantities",
        _report_id(),
        sa.Column("fact_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("unit", sa.String(16)),
        sa.Column("per", sa.String(8)),
        sa.Column("period_count", sa.Float),
        sa.Column("subject", sa.Text),
        sa.Column("date_start", sa.Date),
        sa.Column("date_end", sa.Date),
        *_evidence(),
    )
    op.create_index("ix_quantities_kind", "quantities", ["kind"])

    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(128), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_users_token_hash", "users", ["token_hash"])

    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _report_id(primary_key=False),
        sa.Column("fact_kind", sa.String(16), nullable=False),
        sa.Column("fact_id", sa.String(64)),
        sa.Column("fact_fingerprint", sa.String(128)),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("corrected", sa.JSON),
        sa.Column("note", sa.Text),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_reviews_report_id", "reviews", ["report_id"])
    op.create_index("ix_reviews_fact_fingerprint", "reviews", ["fact_fingerprint"])

    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("object_kind", sa.String(32), nullable=False),
        sa.Column("object_id", sa.String(200), nullable=False),
        sa.Column("before", sa.JSON),
        sa.Column("after", sa.JSON),
    )
    op.create_index("ix_audit_at", "audit", ["at"])
    op.create_index("ix_audit_object", "audit", ["object_kind", "object_id"])

    if op.get_bind().dialect.name == "postgresql":
        _postgres_search()
    else:
        _sqlite_search()


def _sqlite_search() -> None:
    # External-content FTS5 over reports keyed by the stable ``seq``; the
    # triggers keep it in step with every write path, including deletes.
    op.execute("CREATE VIRTUAL TABLE reports_fts USING fts5(title, body, content='reports', "
               "content_rowid='seq', tokenize='porter unicode61 remove_diacritics 2')")
    op.execute("CREATE TRIGGER reports_fts_insert AFTER INSERT ON reports BEGIN "
               "INSERT INTO reports_fts(rowid, title, body) VALUES (new.seq, new.title, new.body); END")
    op.execute("CREATE TRIGGER reports_fts_delete AFTER DELETE ON reports BEGIN "
               "INSERT INTO reports_fts(reports_fts, rowid, title, body) "
               "VALUES ('delete', old.seq, old.title, old.body); END")
    op.execute("CREATE TRIGGER reports_fts_update AFTER UPDATE OF title, body ON reports BEGIN "
               "INSERT INTO reports_fts(reports_fts, rowid, title, body) "
               "VALUES ('delete', old.seq, old.title, old.body); "
               "INSERT INTO reports_fts(rowid, title, body) VALUES (new.seq, new.title, new.body); END")


def _postgres_search() -> None:
    # A stored generated tsvector (title weighted above body) with a GIN index;
    # queries go through websearch_to_tsquery, which never fails on user syntax.
    # Only the first 250,000 characters are indexed: a tsvector is capped at 1 MB.
    op.execute("ALTER TABLE reports ADD COLUMN search tsvector GENERATED ALWAYS AS ("
               "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
               "setweight(to_tsvector('english', left(body, 250000)), 'B')) STORED")
    op.execute("CREATE INDEX ix_reports_search ON reports USING gin (search)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE IF EXISTS reports_fts")
    for table in ("audit", "reviews", "users", "quantities", "events", "places", "entities",
                  "extractions", "lsh_bands", "reports"):
        op.drop_table(table)
