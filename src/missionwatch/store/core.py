"""``Store``: the only way in and out of the database. Typed records in, typed records out.

Every write is one transaction: a report, its near-duplicate fingerprint, its
extraction and its fact rows are committed together or not at all. ``add_many``
commits a batch of reports in one transaction (far fewer commits for bulk
ingest) and, if that fails, stores them one by one so one bad report costs only
itself.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

import numpy as np
from sqlalchemy import Connection, Select, and_, bindparam, delete, func, insert, or_, select
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from missionwatch import settings
from missionwatch.errors import StoreError
from missionwatch.records import Extraction, Report
from missionwatch.store import bulk, facts, minhash
from missionwatch.store import engine as engines
from missionwatch.store import search as fulltext
from missionwatch.store.models import (
    AuditRow,
    Base,
    EntityRow,
    EventRow,
    ExtractionRow,
    LshBandRow,
    PlaceRow,
    QuantityRow,
    ReportRow,
    ReviewRow,
    UserRow,
)
from missionwatch.store.types import AddResult, AuditEntry, ReportInfo, Review, SearchHit, StoreCounts, User

FACT_TABLES = (EntityRow, PlaceRow, EventRow, QuantityRow)
#: Keyset page size of ``iter_extractions`` (bounded memory on any store size).
PAGE = 500


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)



def near_duplicate_candidates(bands: list[tuple[int, int]]) -> Select[str, bytes, dt.datetime]:
    """Stored reports sharing at least one LSH band key with ``bands``, with their signatures."""
    # One equality pair per band, not a row-value IN: SQLite plans ``(band, key) IN (VALUES ...)``
    # as a scan of the whole band table, which made each report's check grow with the store.
    sharing = select(LshBandRow.report_id).where(
        or_(*(and_(LshBandRow.band == band, LshBandRow.key == key) for band, key in bands)))
    return (select(ReportRow.id, ReportRow.minhash, ReportRow.ingested_at)
            .where(ReportRow.id.in_(sharing)))


@cache
def _candidates_statement(band_count: int) -> Select[str, bytes, dt.datetime]:
    """``near_duplicate_candidates`` with the bands as parameters ``band_i``/``key_i``: built once."""
    return near_duplicate_candidates([(bindparam(f"band_{i}"), bindparam(f"key_{i}"))  # type: ignore[misc]
                                      for i in range(band_count)])


def _candidate_params(bands: list[tuple[int, int]]) -> dict[str, int]:
    params = {}
    for i, (band, key) in enumerate(bands):
        params[f"band_{i}"] = band
        params[f"key_{i}"] = key
    return params


#: Statements every ingested report runs, built once (a fresh select() or insert() per report
#: costs a cache-key walk each time).
_EXISTING = select(ReportRow.id, ReportRow.sha256).where(
    (ReportRow.sha256 == bindparam("sha256")) | (ReportRow.id == bindparam("id")))


@cache
def _insert_report(dialect: str) -> Any:
    # ``seq`` only matters to SQLite's FTS5 index; computed inside the INSERT, under
    # SQLite's single-writer lock, so two writers cannot take the same value.
    if dialect != "sqlite":
        return insert(ReportRow)
    next_seq = select(func.coalesce(func.max(ReportRow.seq), 0) + 1).scalar_subquery()
    return insert(ReportRow).values(seq=next_seq)


class _PendingFacts:
    """Extraction and fact rows collected over a transaction, written table by table at its end.

    Nothing in a transaction reads them back, so a batch of reports costs one
    bulk insert per table instead of one per report and table.
    """

    TABLES = (ExtractionRow, EntityRow, PlaceRow, EventRow, QuantityRow)

    def __init__(self) -> None:
        self.rows: dict[type[Base], list[dict[str, Any]]] = {table: [] for table in self.TABLES}

    def add(self, x: Extraction) -> None:
        contract = json.dumps(x.to_contract(), ensure_ascii=False, sort_keys=True)
        self.rows[ExtractionRow].append({"report_id": x.report_id, "extractor_version": x.extractor_version,
                                         "contract": contract, "extracted_at": _now()})
        self.rows[EntityRow].extend(facts.entity_rows(x))
        self.rows[PlaceRow].extend(facts.place_rows(x))
        self.rows[EventRow].extend(facts.event_rows(x))
        self.rows[QuantityRow].extend(facts.quantity_rows(x))

    def write(self, conn: Connection) -> None:
        for table in self.TABLES:
            bulk.insert_rows(conn, table, self.rows[table])


class Store:
    """A report store on SQLite or PostgreSQL. Open with ``Store.open(url)``."""

    def __init__(self, engine: Any, near_duplicate_threshold: float) -> None:
        self.engine = engine
        self.near_duplicate_threshold = near_duplicate_threshold

    @classmethod
    def open(cls, url: str | None = None, *, near_duplicate_threshold: float | None = None) -> Store:
        """Connect to ``url`` (default: the ``db`` setting) and migrate the schema to head."""
        engine = engines.make_engine(str(settings.get("db", url)))
        try:
            engines.check_available(engine)
            engines.migrate(engine)
        except DBAPIError as exc:
            engine.dispose()
            raise StoreError("MW203", f"cannot prepare the database: {exc.orig}",
                             where=engines.safe_url(str(engine.url))) from exc
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, float(settings.get("near_duplicate_threshold", near_duplicate_threshold)))

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def backend(self) -> str:
        return str(self.engine.dialect.name)

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(**{engines.SQLITE_BEGIN: "IMMEDIATE"}) as conn, \
                conn.begin():
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    # -- reports ---------------------------------------------------------------------------------

    def add(self, report: Report, extraction: Extraction | None = None) -> AddResult:
        """Store ``report`` (and its extraction) in one transaction.

        Same sha256 as a stored report: nothing changes (``duplicate``). Similar
        enough to a stored report: stored and linked to it (``near_duplicate``).
        """
        if extraction is not None and extraction.report_id != report.id:
            raise ValueError(f"extraction is for {extraction.report_id}, not {report.id}")
        signature = minhash.signature(report.body)
        try:
            with self._write() as conn:
                pending = _PendingFacts()
                result = self._add(conn, report, extraction, signature, pending)
                pending.write(conn)
                return result
        except IntegrityError:
            # Another writer stored the same body between our check and insert.
            with self._read() as conn:
                existing = conn.scalar(select(ReportRow.id).where(ReportRow.sha256 == report.sha256))
            if existing is None:
                raise
            return AddResult(status="duplicate", report_id=report.id, duplicate_of=existing, similarity=1.0)

    def add_many(self, pairs: Iterable[tuple[Report, Extraction | None]]) -> list[AddResult | StoreError]:
        """Store a batch of (report, extraction) pairs in one transaction; one result per pair, in order.

        Same semantics as calling ``add`` for each pair in turn: exact
        duplicates (of stored reports or of an earlier pair) are skipped,
        near-duplicates (of either) are linked. If the batch transaction fails,
        nothing of it is kept and the pairs are stored one by one with ``add``:
        a pair that still fails gets its ``StoreError`` (``MW206``, or
        ``MW209`` for a report or fact the database refuses) in its place and
        the others are stored. A database that is gone (``MW203``, connection
        errors) is raised, not returned: nothing after it could be stored.
        """
        pairs = list(pairs)
        for report, extraction in pairs:
            if extraction is not None and extraction.report_id != report.id:
                raise ValueError(f"extraction is for {extraction.report_id}, not {report.id}")
        if not pairs:
            return []
        signatures = [minhash.signature(report.body) for report, _ in pairs]
        try:
            with self._write() as conn:
                pending = _PendingFacts()
                results: list[AddResult | StoreError] = [
                    self._add(conn, report, extraction, signature, pending)
                    for (report, extraction), signature in zip(pairs, signatures, strict=True)]
                pending.write(conn)
                return results
        except (OperationalError, InterfaceError):
            raise  # the connection or the database failed, not a report
        except StoreError as exc:
            if exc.code == "MW203":
                raise
        except DBAPIError:
            pass
        # The batch rolled back as a whole: redo it report by report.
        return [self._add_one(report, extraction) for report, extraction in pairs]

    def _add_one(self, report: Report, extraction: Extraction | None) -> AddResult | StoreError:
        try:
            return self.add(report, extraction)
        except StoreError as exc:
            if exc.code == "MW203":
                raise
            return exc
        except (OperationalError, InterfaceError):
            raise
        except DBAPIError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
            return StoreError("MW209", f"the database refused report {report.id!r} or one of its facts "
                              f"({reason})", where=report.source or report.id)

    def _add(self, conn: Connection, report: Report, extraction: Extraction | None,
             signature: np.ndarray, pending: _PendingFacts) -> AddResult:
        existing = conn.execute(_EXISTING, {"sha256": report.sha256, "id": report.id}).first()
        if existing is not None:
            if existing.sha256 != report.sha256:
                raise StoreError("MW206", f"report id {report.id!r} is already used by a different report",
                                 where=report.source or report.id)
            return AddResult(status="duplicate", report_id=report.id, duplicate_of=existing.id,
                             similarity=1.0)
        bands = minhash.band_keys(signature)
        original, similarity = self._near_duplicate(conn, signature, bands)
        conn.execute(_insert_report(conn.dialect.name), {
            **self._report_values(report), "ingested_at": _now(), "duplicate_of": original,
            "duplicate_similarity": similarity, "minhash": minhash.to_bytes(signature)})
        # Written now, not with the facts: the next report's near-duplicate check reads them.
        bulk.insert_rows(conn, LshBandRow,
                         [{"band": b, "key": k, "report_id": report.id} for b, k in bands])
        if extraction is not None:
            pending.add(extraction)
        return AddResult(status="near_duplicate" if original else "stored", report_id=report.id,
                         duplicate_of=original, similarity=similarity)

    @staticmethod
    def _report_values(report: Report) -> dict[str, Any]:
        return {"id": report.id, "sha256": report.sha256, "published": report.published,
                "title": report.title, "source": report.source, "url": report.url,
                "reader": report.reader, "body": report.body}

    def _near_duplicate(self, conn: Connection, signature: np.ndarray,
                        bands: list[tuple[int, int]]) -> tuple[str | None, float | None]:
        """The most similar stored report at or above the threshold (earliest on ties)."""
        rows = conn.execute(_candidates_statement(len(bands)), _candidate_params(bands)).all()
        best: tuple[float, dt.datetime, str] | None = None
        for row in rows:
            score = minhash.similarity(signature, minhash.from_bytes(row.minhash))
            if score >= self.near_duplicate_threshold and (
                    best is None or (-score, row.ingested_at, row.id) < (-best[0], best[1], best[2])):
                best = (score, row.ingested_at, row.id)
        return (best[2], best[0]) if best else (None, None)

    def has_sha256(self, sha256: str) -> bool:
        with self._read() as conn:
            return conn.scalar(select(ReportRow.id).where(ReportRow.sha256 == sha256)) is not None

    def known_sha256(self, digests: list[str]) -> set[str]:
        """The subset of ``digests`` already stored (one query for a batch)."""
        if not digests:
            return set()
        with self._read() as conn:
            return set(conn.scalars(select(ReportRow.sha256).where(ReportRow.sha256.in_(digests))))

    def get_report(self, report_id: str) -> Report:
        return self.report_info(report_id).report

    def report_info(self, report_id: str) -> ReportInfo:
        with self._read() as conn:
            row = conn.execute(self._info_query().where(ReportRow.id == report_id)).first()
        if row is None:
            raise StoreError("MW201", f"no report with id {report_id!r}", where=report_id)
        return self._info(row)

    @staticmethod
    def _info_query() -> Any:
        return (select(ReportRow.id, ReportRow.sha256, ReportRow.published, ReportRow.title, ReportRow.source,
                       ReportRow.url, ReportRow.reader, ReportRow.body, ReportRow.ingested_at,
                       ReportRow.duplicate_of, ReportRow.duplicate_similarity,
                       ExtractionRow.extractor_version)
                .outerjoin(ExtractionRow, ExtractionRow.report_id == ReportRow.id))

    @staticmethod
    def _info(row: Any) -> ReportInfo:
        report = Report(id=row.id, sha256=row.sha256, published=row.published, title=row.title,
                        source=row.source, url=row.url, reader=row.reader, body=row.body)
        return ReportInfo(report=report, ingested_at=row.ingested_at, duplicate_of=row.duplicate_of,
                          duplicate_similarity=row.duplicate_similarity,
                          extractor_version=row.extractor_version)

    def list_reports(self, since: dt.date | None = None, until: dt.date | None = None,
                     limit: int = 50, offset: int = 0) -> list[ReportInfo]:
        """Reports published in [since, until], newest first (undated last), then by id."""
        query = self._info_query()
        if since is not None:
            query = query.where(ReportRow.published >= since)
        if until is not None:
            query = query.where(ReportRow.published <= until)
        query = query.order_by(ReportRow.published.is_(None), ReportRow.published.desc(), ReportRow.id)
        with self._read() as conn:
            return [self._info(r) for r in conn.execute(query.limit(limit).offset(offset))]

    def search(self, query: str, limit: int = 20, offset: int = 0) -> list[SearchHit]:
        """Reports matching ``query``, best first, each with a snippet (``[match]`` marked)."""
        with self._read() as conn:
            return fulltext.search(conn, query, limit, offset)

    # -- extractions -----------------------------------------------------------------------------

    def get_extraction(self, report_id: str) -> Extraction | None:
        """The stored extraction; None if the report is not extracted yet; MW201 if no such report."""
        with self._read() as conn:
            contract = conn.scalar(select(ExtractionRow.contract).where(ExtractionRow.report_id == report_id))
            missing = contract is None and conn.scalar(
                select(ReportRow.id).where(ReportRow.id == report_id)) is None
            if missing:
                raise StoreError("MW201", f"no report with id {report_id!r}", where=report_id)
        return Extraction.from_contract(json.loads(contract)) if contract is not None else None

    def iter_extractions(self) -> Iterator[Extraction]:
        """Every stored extraction by report id, in pages (memory stays flat on big stores)."""
        last = ""
        while True:
            with self._read() as conn:
                rows = conn.execute(select(ExtractionRow.report_id, ExtractionRow.contract)
                                    .where(ExtractionRow.report_id > last)
                                    .order_by(ExtractionRow.report_id).limit(PAGE)).all()
            if not rows:
                return
            for row in rows:
                yield Extraction.from_contract(json.loads(row.contract))
            last = rows[-1].report_id

    def replace_extraction(self, extraction: Extraction) -> None:
        """Replace a report's extraction and its fact rows in one transaction."""
        with self._write() as conn:
            if conn.scalar(select(ReportRow.id).where(ReportRow.id == extraction.report_id)) is None:
                raise StoreError("MW201", f"no report with id {extraction.report_id!r}",
                                 where=extraction.report_id)
            for table in (*FACT_TABLES, ExtractionRow):
                conn.execute(delete(table).where(table.report_id == extraction.report_id))
            pending = _PendingFacts()
            pending.add(extraction)
            pending.write(conn)

    def stale_report_ids(self, current_version: str) -> list[str]:
        """Reports with no extraction, or one made by another extractor version."""
        query = (select(ReportRow.id).outerjoin(ExtractionRow, ExtractionRow.report_id == ReportRow.id)
                 .where((ExtractionRow.extractor_version.is_(None))
                        | (ExtractionRow.extractor_version != current_version))
                 .order_by(ReportRow.id))
        with self._read() as conn:
            return list(conn.scalars(query))

    # -- counts ----------------------------------------------------------------------------------

    def count_reports(self) -> int:
        return self._count(ReportRow)

    def count_events(self) -> int:
        return self._count(EventRow)

    def _count(self, table: Any, *where: Any) -> int:
        with self._read() as conn:
            return int(conn.scalar(select(func.count()).select_from(table).where(*where)) or 0)

    def counts(self) -> StoreCounts:
        return StoreCounts(reports=self._count(ReportRow),
                           near_duplicates=self._count(ReportRow, ReportRow.duplicate_of.is_not(None)),
                           extractions=self._count(ExtractionRow), entities=self._count(EntityRow),
                           places=self._count(PlaceRow), events=self._count(EventRow),
                           quantities=self._count(QuantityRow))

    # -- users, reviews, audit -------------------------------------------------------------------

    def add_user(self, user: User) -> User:
        created = user.created_at or _now()
        try:
            with self._write() as conn:
                new_id = conn.execute(insert(UserRow).values(
                    name=user.name, role=user.role, token_hash=user.token_hash, created_at=created)
                    .returning(UserRow.id)).scalar_one()
        except IntegrityError as exc:
            raise StoreError("MW207", f"a user named {user.name!r} exists already", where="users") from exc
        return user.model_copy(update={"id": new_id, "created_at": created})

    def get_user_by_token_hash(self, token_hash: str) -> User | None:
        with self._read() as conn:
            row = conn.execute(select(UserRow).where(UserRow.token_hash == token_hash)).first()
        return User(id=row.id, name=row.name, role=row.role, token_hash=row.token_hash,
                    created_at=row.created_at) if row else None

    def add_review(self, review: Review) -> Review:
        created = review.created_at or _now()
        values = review.model_dump(exclude={"id", "created_at"})
        with self._write() as conn:
            if conn.scalar(select(ReportRow.id).where(ReportRow.id == review.report_id)) is None:
                raise StoreError("MW201", f"no report with id {review.report_id!r}", where=review.report_id)
            new_id = conn.execute(insert(ReviewRow).values(**values, created_at=created)
                                  .returning(ReviewRow.id)).scalar_one()
        return review.model_copy(update={"id": new_id, "created_at": created})

    def list_reviews(self, report_id: str | None = None, report_ids: Sequence[str] | None = None
                     ) -> list[Review]:
        """Reviews in the order they were made: all, one report's, or those of ``report_ids``."""
        query = select(ReviewRow).order_by(ReviewRow.id)
        if report_id is not None:
            query = query.where(ReviewRow.report_id == report_id)
        wanted = list(report_ids) if report_ids is not None else None
        with self._read() as conn:
            if wanted is None:
                return [Review.model_validate(dict(row._mapping)) for row in conn.execute(query)]
            rows = [row for i in range(0, len(wanted), 500)
                    for row in conn.execute(query.where(ReviewRow.report_id.in_(wanted[i:i + 500])))]
        return sorted((Review.model_validate(dict(row._mapping)) for row in rows), key=lambda r: r.id or 0)

    def add_audit(self, entry: AuditEntry) -> AuditEntry:
        at = entry.at or _now()
        with self._write() as conn:
            new_id = conn.execute(insert(AuditRow).values(**entry.model_dump(exclude={"id", "at"}), at=at)
                                  .returning(AuditRow.id)).scalar_one()
        return entry.model_copy(update={"id": new_id, "at": at})

    def list_audit(self, object_kind: str | None = None, object_id: str | None = None,
                   limit: int = 100) -> list[AuditEntry]:
        query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
        if object_kind is not None:
            query = query.where(AuditRow.object_kind == object_kind)
        if object_id is not None:
            query = query.where(AuditRow.object_id == object_id)
        with self._read() as conn:
            return [AuditEntry.model_validate(dict(row._mapping)) for row in conn.execute(query)]


__all__ = ["Store"]
