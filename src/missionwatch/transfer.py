"""Full store dump and restore: ``missionwatch export --format jsonl`` / ``missionwatch import``.

A dump is JSON Lines, one object per line, in this order:

1. ``{"record": "header", "format": "missionwatch.dump/1", "schema_revision": ...}``
2. one ``{"record": "user", ...}`` line per user (id, name, role, token *hash*, created_at)
3. one line per report, in ingest order. A report with an extraction is written as
   its stored ``missionwatch.extraction/1`` contract object, unchanged, plus one
   extra top-level field ``"store"`` holding what the contract does not carry:
   the report row (body, url, reader, ingested_at, near-duplicate link), the
   extraction time and the analyst reviews of that report. The extraction
   schema allows extra top-level fields, so every such line validates against
   it and analysts can load the dump as a contract file: take the lines that
   have ``"schema"`` and skip the ones with ``"record"``. A report that has not
   been extracted yet is a ``{"record": "report", "store": {...}}`` line
   instead (it has no facts to offer as a contract).
4. one ``{"record": "audit", ...}`` line per audit entry, by id
5. ``{"record": "end", "counts": {...}}``: the number of each kind written.

Restore (``restore``) goes into an *empty* store, in one transaction: a file
with a broken line, a missing end line (a truncated copy) or counts that do not
match is refused with ``MW205`` naming the line, and nothing is written. Ids,
timestamps and links are kept, so dump -> restore -> dump gives the same file
and the same rows (derived data, the near-duplicate fingerprints and the fact
tables, is rebuilt from the body and the contract, exactly as ``Store.add``
builds it). The body's sha256 and every evidence span are checked against
the body on the way in: a dump edited by hand cannot smuggle in a fact whose
quote is not in its report.

The dump holds the users' token hashes (not the tokens): treat it as the
store itself.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from missionwatch.errors import StoreError
from missionwatch.records import Extraction, Span, body_sha256
from missionwatch.store import Store, facts, minhash
from missionwatch.store import engine as engines
from missionwatch.store.models import (
    AuditRow,
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

DUMP_FORMAT = "missionwatch.dump/1"
#: Reports per read page while dumping (memory stays flat on a big store).
PAGE = 200

_REPORT_COLUMNS = (
    "id",
    "sha256",
    "seq",
    "published",
    "title",
    "source",
    "url",
    "reader",
    "body",
    "ingested_at",
    "duplicate_of",
    "duplicate_similarity",
)
_REVIEW_COLUMNS = (
    "id",
    "fact_kind",
    "fact_id",
    "fact_fingerprint",
    "action",
    "corrected",
    "note",
    "author",
    "created_at",
)
_USER_COLUMNS = ("id", "name", "role", "token_hash", "created_at")
_AUDIT_COLUMNS = ("id", "at", "actor", "action", "object_kind", "object_id", "before", "after")


@dataclass
class DumpCounts:
    users: int = 0
    reports: int = 0
    extractions: int = 0
    reviews: int = 0
    audit: int = 0


# ---------------------------------------------------------------------------------- dump


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _row(row: Any, columns: tuple[str, ...]) -> dict[str, Any]:
    mapping = row._mapping
    return {c: _json_value(mapping[c]) for c in columns}


def _line(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True) + "\n"


def dump_lines(store: Store, counts: DumpCounts | None = None) -> Iterator[str]:
    """The dump of ``store``, line by line (see the module docstring for the layout).

    Everything is read in one transaction (a snapshot: REPEATABLE READ on
    PostgreSQL, one read transaction in SQLite's WAL mode), so a dump taken
    while analysts write is consistent: no audit row for a review that is not
    in the file. Reports are read in pages, so memory stays flat.
    """
    counts = counts if counts is not None else DumpCounts()
    options = {"isolation_level": "REPEATABLE READ"} if store.backend == "postgresql" else {}
    with store.engine.connect().execution_options(**options) as conn, conn.begin():
        yield _line({"record": "header", "format": DUMP_FORMAT, "schema_revision": engines.head_revision()})
        for row in conn.execute(select(UserRow).order_by(UserRow.id)).all():
            counts.users += 1
            yield _line({"record": "user", **_row(row, _USER_COLUMNS)})
        yield from _report_lines(conn, counts)
        for row in conn.execute(select(AuditRow).order_by(AuditRow.id)).yield_per(PAGE):
            counts.audit += 1
            yield _line({"record": "audit", **_row(row, _AUDIT_COLUMNS)})
    yield _line({"record": "end", "counts": asdict(counts)})


def _report_lines(conn: Connection, counts: DumpCounts) -> Iterator[str]:
    # Ingest order: SQLite's seq, else the ingest time; the id breaks ties. An
    # original is always ingested before its near-duplicates, so restoring in
    # this order never points at a report that is not there yet.
    order = (ReportRow.seq, ReportRow.ingested_at, ReportRow.id)
    offset = 0
    while True:
        rows = conn.execute(
            select(
                *(ReportRow.__table__.c[c] for c in _REPORT_COLUMNS),
                ExtractionRow.contract,
                ExtractionRow.extracted_at,
            )
            .outerjoin(ExtractionRow, ExtractionRow.report_id == ReportRow.id)
            .order_by(*order)
            .limit(PAGE)
            .offset(offset)
        ).all()
        if not rows:
            return
        offset += len(rows)
        reviews: dict[str, list[dict[str, Any]]] = {}
        for review in conn.execute(
            select(ReviewRow).where(ReviewRow.report_id.in_([r.id for r in rows])).order_by(ReviewRow.id)
        ):
            reviews.setdefault(review.report_id, []).append(_row(review, _REVIEW_COLUMNS))
        for row in rows:
            counts.reports += 1
            counts.reviews += len(reviews.get(row.id, []))
            extra = {
                "report": _row(row, _REPORT_COLUMNS),
                "extracted_at": _json_value(row.extracted_at),
                "reviews": reviews.get(row.id, []),
            }
            if row.contract is None:
                yield _line({"record": "report", "store": extra})
            else:
                counts.extractions += 1
                yield _line({**json.loads(row.contract), "store": extra})


# ---------------------------------------------------------------------------------- restore


class _Bad(Exception):
    """A problem with one line of the file; becomes MW205 with the line number."""


def _datetime(value: Any, name: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        stamp = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise _Bad(f"{name} {value!r} is not an ISO timestamp") from exc
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def _date(value: Any, name: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise _Bad(f"{name} {value!r} is not a YYYY-MM-DD date") from exc


def _require(data: dict[str, Any], columns: tuple[str, ...], what: str) -> dict[str, Any]:
    missing = [c for c in columns if c not in data]
    if missing:
        raise _Bad(f"{what} line lacks {', '.join(missing)}")
    return {c: data[c] for c in columns}


def _check_spans(extraction: Extraction, body: str) -> None:
    spans: list[tuple[str, Span]] = []
    for e in extraction.entities:
        spans += [(f"entity {e.id}", s) for s in e.mentions]
    for p in extraction.places:
        spans += [(f"place {p.id}", s) for s in p.mentions]
    spans += [(f"event {e.id}", e.evidence) for e in extraction.events]
    spans += [(f"quantity {q.id}", q.evidence) for q in extraction.quantities]
    for what, span in spans:
        if not (0 <= span.start <= span.end <= len(body)) or body[span.start : span.end] != span.text:
            raise _Bad(f"{what}: evidence [{span.start}:{span.end}] is not {span.text!r} in the report body")


class _Restorer:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.sqlite = conn.dialect.name == "sqlite"
        self.counts = DumpCounts()
        self.reports: set[str] = set()
        #: (report id, original id) links to set once the original is in.
        self.pending_links: list[tuple[str, str]] = []

    def user(self, data: dict[str, Any]) -> None:
        values = _require(data, _USER_COLUMNS, "user")
        values["created_at"] = _datetime(values["created_at"], "created_at")
        self.conn.execute(insert(UserRow).values(**values))
        self.counts.users += 1

    def audit(self, data: dict[str, Any]) -> None:
        values = _require(data, _AUDIT_COLUMNS, "audit")
        values["at"] = _datetime(values["at"], "at")
        self.conn.execute(insert(AuditRow).values(**values))
        self.counts.audit += 1

    def report(self, data: dict[str, Any], contract: dict[str, Any] | None) -> None:
        extra = data.get("store")
        if not isinstance(extra, dict) or not isinstance(extra.get("report"), dict):
            raise _Bad(
                'a report line needs a "store" object with the report (is this a contract file, '
                "not a dump? only `missionwatch export --format jsonl` files can be imported)"
            )
        values = _require(extra["report"], _REPORT_COLUMNS, "report")
        body = values["body"]
        if (
            not isinstance(body, str)
            or not isinstance(values["sha256"], str)
            or not isinstance(values["id"], str)
        ):
            raise _Bad("report id, sha256 and body must be strings")
        if body_sha256(body) != values["sha256"]:
            raise _Bad(f"report {values['id']}: the body does not match its sha256 (corrupt or edited dump)")
        if values["id"] in self.reports:
            raise _Bad(f"report {values['id']} appears twice")
        values["published"] = _date(values["published"], "published")
        values["ingested_at"] = _datetime(values["ingested_at"], "ingested_at")
        original = values.pop("duplicate_of")
        if original is not None and original not in self.reports:
            self.pending_links.append((values["id"], original))
            original = None
        seq = values.pop("seq")
        if self.sqlite:
            seq = (
                seq
                if isinstance(seq, int)
                else select(func.coalesce(func.max(ReportRow.seq), 0) + 1).scalar_subquery()
            )
        else:
            seq = None
        signature = minhash.signature(body)
        self.conn.execute(
            insert(ReportRow).values(
                **values, seq=seq, duplicate_of=original, minhash=minhash.to_bytes(signature)
            )
        )
        self.conn.execute(
            insert(LshBandRow),
            [{"band": b, "key": k, "report_id": values["id"]} for b, k in minhash.band_keys(signature)],
        )
        self.reports.add(values["id"])
        self.counts.reports += 1
        if contract is not None:
            self._extraction(
                values["id"], body, contract, _datetime(extra.get("extracted_at"), "extracted_at")
            )
        reviews = extra.get("reviews") or []
        if not isinstance(reviews, list):
            raise _Bad('"reviews" must be a list')
        for review in reviews:
            if not isinstance(review, dict):
                raise _Bad("a review must be an object")
            row = _require(review, _REVIEW_COLUMNS, "review")
            row["created_at"] = _datetime(row["created_at"], "created_at")
            self.conn.execute(insert(ReviewRow).values(**row, report_id=values["id"]))
            self.counts.reviews += 1

    def _extraction(
        self, report_id: str, body: str, contract: dict[str, Any], extracted_at: dt.datetime | None
    ) -> None:
        try:
            extraction = Extraction.from_contract(contract)
        except (KeyError, TypeError, ValueError) as exc:
            raise _Bad(f"report {report_id}: not a valid extraction contract ({exc})") from exc
        if extraction.report_id != report_id:
            raise _Bad(f"the contract is for report {extraction.report_id}, the store part for {report_id}")
        if extracted_at is None:
            raise _Bad(f"report {report_id}: extracted_at is missing")
        _check_spans(extraction, body)
        self.conn.execute(
            insert(ExtractionRow).values(
                report_id=report_id,
                extractor_version=contract.get("extractor_version", "unknown"),
                contract=json.dumps(contract, ensure_ascii=False, sort_keys=True),
                extracted_at=extracted_at,
            )
        )
        for table, rows in (
            (EntityRow, facts.entity_rows(extraction)),
            (PlaceRow, facts.place_rows(extraction)),
            (EventRow, facts.event_rows(extraction)),
            (QuantityRow, facts.quantity_rows(extraction)),
        ):
            if rows:
                self.conn.execute(insert(table), rows)
        self.counts.extractions += 1

    def finish(self) -> None:
        for report_id, original in self.pending_links:
            if original not in self.reports:
                raise _Bad(f"report {report_id} is linked to {original}, which is not in the file")
            self.conn.execute(
                update(ReportRow).where(ReportRow.id == report_id).values(duplicate_of=original)
            )
        if self.conn.dialect.name == "postgresql":
            # Explicit ids do not move PostgreSQL's sequences: move them past the
            # restored ids, or the next review would collide with a restored one.
            for table in (UserRow, ReviewRow, AuditRow):
                name = table.__tablename__
                self.conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                    )
                )


def _is_empty(conn: Connection) -> bool:
    return all(
        conn.scalar(select(func.count()).select_from(t)) == 0
        for t in (ReportRow, UserRow, ReviewRow, AuditRow)
    )


def restore(store: Store, lines: Iterable[str], where: str = "<dump>") -> DumpCounts:
    """Load a dump into an empty ``store``, all or nothing; returns what was restored."""
    with (
        store.engine.connect().execution_options(**{engines.SQLITE_BEGIN: "IMMEDIATE"}) as conn,
        conn.begin(),
    ):
        if not _is_empty(conn):
            raise StoreError(
                "MW208",
                "import goes into an empty store; this one already holds data",
                where=engines.safe_url(str(store.engine.url)),
            )
        restorer = _Restorer(conn)
        number = 0
        state = "start"
        try:
            for raw in lines:
                number += 1
                if not raw.strip():
                    continue
                if state == "end":
                    raise _Bad("there is more after the end line")
                try:
                    data = json.loads(raw)
                except json.JSONDecodeError as exc:
                    raise _Bad(f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
                if not isinstance(data, dict):
                    raise _Bad("a line must be a JSON object")
                kind = data.get("record")
                if state == "start":
                    if kind != "header":
                        raise _Bad(
                            "the first line must be the dump header; is this a "
                            "`missionwatch export --format jsonl` file?"
                        )
                    if data.get("format") != DUMP_FORMAT:
                        raise _Bad(f"format {data.get('format')!r} is not {DUMP_FORMAT}")
                    state = "body"
                elif kind == "user":
                    restorer.user(data)
                elif kind == "audit":
                    restorer.audit(data)
                elif kind == "report":
                    restorer.report(data, None)
                elif kind is None and "schema" in data:
                    contract = {k: v for k, v in data.items() if k != "store"}
                    restorer.report(data, contract)
                elif kind == "end":
                    expected = data.get("counts")
                    restorer.finish()
                    if expected != asdict(restorer.counts):
                        raise _Bad(
                            f"the end line counts {expected}, the file holds {asdict(restorer.counts)}"
                        )
                    state = "end"
                else:
                    raise _Bad(f"unknown record {kind!r}")
            if state != "end":
                number += 1
                raise _Bad("the file ends before its end line (truncated copy?)")
        except _Bad as exc:
            raise StoreError("MW205", str(exc), where=f"{where}:{number}") from exc
        except (TypeError, ValueError) as exc:
            raise StoreError("MW205", f"{type(exc).__name__}: {exc}", where=f"{where}:{number}") from exc
        except IntegrityError as exc:
            raise StoreError(
                "MW205",
                f"the file contradicts itself: {str(exc.orig).splitlines()[0]}",
                where=f"{where}:{number}",
            ) from exc
    return restorer.counts


__all__ = ["DUMP_FORMAT", "DumpCounts", "dump_lines", "restore"]
