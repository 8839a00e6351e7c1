"""The tables, as SQLAlchemy 2 declarative models.

The migrations in ``store/migrations`` create exactly these (a test compares
them); back-end specific pieces that SQLAlchemy does not model (the SQLite
FTS5 table and its triggers, the PostgreSQL ``report_search`` table and its
trigger) live only in the migrations.

Fact tables are a denormalised copy of ``extractions.contract`` so that map
and timeline queries over a million events use indexes instead of parsing
JSON; the contract stays the source of truth and replacing an extraction
replaces its facts in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timestamps are stored and returned in UTC, aware, on every back-end.

    SQLite has no time zones and hands back naive values; without this the
    same record would compare unequal depending on the back-end.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use an aware UTC datetime")
        return value.astimezone(dt.UTC) if value is not None else None

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    pass


def _report_fk() -> ForeignKey:
    return ForeignKey("reports.id", ondelete="CASCADE")


class ReportRow(Base):
    __tablename__ = "reports"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    #: SQLite only: a stable integer key for the FTS5 external-content index
    #: (the implicit rowid of a table with a text key may change on VACUUM).
    seq: Mapped[int | None] = mapped_column(Integer, unique=True)
    published: Mapped[dt.date | None] = mapped_column(Date, index=True)
    title: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    reader: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    ingested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    duplicate_of: Mapped[str | None] = mapped_column(String(128), ForeignKey("reports.id"), index=True)
    duplicate_similarity: Mapped[float | None] = mapped_column(Float)
    #: MinHash signature (128 x uint32), kept to verify LSH candidates without re-reading bodies.
    minhash: Mapped[bytes] = mapped_column(LargeBinary)


class LshBandRow(Base):
    """One row per (report, band): candidates for near-duplicates are an indexed lookup."""

    __tablename__ = "lsh_bands"

    band: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    report_id: Mapped[str] = mapped_column(String(128), _report_fk(), primary_key=True, index=True)


class ExtractionRow(Base):
    __tablename__ = "extractions"

    report_id: Mapped[str] = mapped_column(String(128), _report_fk(), primary_key=True)
    extractor_version: Mapped[str] = mapped_column(String(200), index=True)
    #: ``Extraction.to_contract()`` as JSON text: the source of truth for the fact tables.
    contract: Mapped[str] = mapped_column(Text)
    extracted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class EntityRow(Base):
    __tablename__ = "entities"

    #: (report_id, fact_id) is the key, so report_id lookups and cascades use its index.
    report_id: Mapped[str] = mapped_column(String(128), _report_fk(), primary_key=True)
    fact_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text, index=True)
    type: Mapped[str] = mapped_column(String(16), index=True)
    aliases: Mapped[str | None] = mapped_column(Text)
    mention_count: Mapped[int] = mapped_column(Integer)
    first_start: Mapped[int | None] = mapped_column(Integer)
    first_end: Mapped[int | None] = mapped_column(Integer)


class PlaceRow(Base):
    __tablename__ = "places"

    #: (report_id, fact_id) is the key, so report_id lookups and cascades use its index.
    report_id: Mapped[str] = mapped_column(String(128), _report_fk(), primary_key=True)
    fact_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text, index=True)
    country: Mapped[str | None] = mapped_column(String(8))
    admin1: Mapped[str | None] = mapped_column(Text)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    feature: Mapped[str] = mapped_column(String(16))
    geonames_id: Mapped[int | None] = mapped_column(BigInteger)


class EventRow(Base):
    __tablename__ = "events"
    __table_args__ = (
        # Covering: every filter column of a map/timeline query is in each index,
        # so filtering never reads table rows (migration 0002 has the numbers).
        Index("ix_events_dates", "date_start", "date_end", "lat", "lon", "type"),
        Index("ix_events_type_date", "type", "date_start", "date_end", "lat", "lon"),
        Index("ix_events_lat_lon", "lat", "lon", "date_start", "date_end", "type"),
        # The few events longer than store.facts.LONG_SPAN_DAYS (or without an end): migrations 0004,
        # 0005 (partial, so statistics see how few they are).
        Index("ix_events_long_span", "date_end", "date_start", "lat", "lon", "type",
              sqlite_where=text("long_span = 1"), postgresql_where=text("long_span")),
    )

    #: (report_id, fact_id) is the key, so report_id lookups and cascades use its index.
    report_id: Mapped[str] = mapped_column(String(128), _report_fk(), primary_key=True)
    fact_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    date_start: Mapped[dt.date | None] = mapped_column(Date)
    date_end: Mapped[dt.date | None] = mapped_column(Date)
    precision: Mapped[str | None] = mapped_column(String(8))
    place_name: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(8))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    #: Entity names joined with "; " (display and LIKE filters; the contract has the ids).
    actors: Mapped[str | None] = mapped_column(Text)
    targets: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float)
    evidence_start: Mapped[int] = mapped_column(Integer)
    evidence_end: Mapped[int] = mapped_column(Integer)
    evidence_text: Mapped[str] = mapped_column(Text)
    extractor_version: Mapped[str] = mapped_column(String(200))
    #: Lasts longer than ``store.facts.LONG_SPAN_DAYS`` or has no end (date-range queries read these apart).
    long_span: Mapped[bool] = mapped_column(Boolean, server_default=false())


class QuantityRow(Base):
    __tablename__ = "quantities"

    #: (report_id, fact_id) is the key, so report_id lookups and cascades use its index.
    report_id: Mapped[str] = mapped_column(String(128), _report_fk(), primary_key=True)
    fact_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(16))
    per: Mapped[str | None] = mapped_column(String(8))
    period_count: Mapped[float | None] = mapped_column(Float)
    subject: Mapped[str | None] = mapped_column(Text)
    date_start: Mapped[dt.date | None] = mapped_column(Date)
    date_end: Mapped[dt.date | None] = mapped_column(Date)
    evidence_start: Mapped[int] = mapped_column(Integer)
    evidence_end: Mapped[int] = mapped_column(Integer)
    evidence_text: Mapped[str] = mapped_column(Text)


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(128), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ReviewRow(Base):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[str] = mapped_column(String(128), _report_fk(), index=True)
    fact_kind: Mapped[str] = mapped_column(String(16))
    fact_id: Mapped[str | None] = mapped_column(String(64))
    fact_fingerprint: Mapped[str | None] = mapped_column(String(128), index=True)
    action: Mapped[str] = mapped_column(String(16))
    corrected: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class AuditRow(Base):
    __tablename__ = "audit"
    __table_args__ = (Index("ix_audit_object", "object_kind", "object_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    object_kind: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(200))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)


class MissionContributionRow(Base):
    """One report's contribution to the mission picture (a cache: see ``missionwatch.mission.service``)."""

    __tablename__ = "mission_contributions"

    report_id: Mapped[str] = mapped_column(String(128), _report_fk(), primary_key=True)
    cache_key: Mapped[str] = mapped_column(String(512))
    contribution: Mapped[str] = mapped_column(Text)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
