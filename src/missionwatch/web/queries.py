"""The reads and writes the dashboard and API need, as SQLAlchemy over the store's tables.

Filters run in SQL on the indexed fact tables (the machine's version). Analyst
reviews are few, so they are laid over in Python: events touched by a review
are taken out of the SQL result, corrected (or dropped, or added), filtered
again with the same predicates, and merged back in date order. The machine's
rows are never changed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from missionwatch import review as rv
from missionwatch.errors import MissionwatchError
from missionwatch.records import Extraction, Report
from missionwatch.store import search as fulltext
from missionwatch.store.engine import SQLITE_BEGIN
from missionwatch.store.facts import LONG_SPAN_DAYS
from missionwatch.store.models import (
    AuditRow,
    EntityRow,
    EventRow,
    ExtractionRow,
    PlaceRow,
    ReportRow,
    ReviewRow,
    UserRow,
)
from missionwatch.web.auth import ROLES, Principal, hash_token, new_token

MAX_WINDOW = 20_000  # offset + limit: deeper paging needs narrower filters


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` literally anywhere (escape char ``\\``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.casefold()}%"


class unindexed(FunctionElement[Any]):
    """A column SQLite's planner must not choose an index by: ``+col`` there, the bare column elsewhere."""

    name = "unindexed"
    inherit_cache = True


@compiles(unindexed)
def _unindexed(element: unindexed, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element: unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + compiler.process(element.clauses, **kw)


def _short_span_start(date_from: dt.date) -> dt.date:
    """The earliest start of a short event that can still reach ``date_from``.

    Clamped at the first representable day: ``date_from=0001-01-01`` is a valid (if odd) filter.
    """
    span = dt.timedelta(days=LONG_SPAN_DAYS)
    return date_from - span if date_from - dt.date.min > span else dt.date.min


@dataclass
class EventFilter:
    types: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    place: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    actor: str | None = None
    report_id: str | None = None

    def sql(self) -> list[Any]:
        """The filter as one WHERE clause (see ``branches`` for the form ``WebData.events`` runs)."""
        where = self._common()
        if self.date_from:
            e, bound = EventRow, _short_span_start(self.date_from)
            where += [sa.func.coalesce(e.date_end, e.date_start) >= self.date_from,
                      sa.or_(sa.and_(e.date_start >= bound, e.date_end >= self.date_from), e.long_span)]
        if self.date_to:
            where.append(EventRow.date_start <= self.date_to)
        return where

    def branches(self, steer: str | None = None) -> list[list[Any]]:
        """The filter as disjoint WHERE clauses, each an index range scan; their union is the result.

        An event overlaps [from, to] when it starts by ``to`` and ends from ``from``. A B-tree
        range can bound only one of the two, so: events of at most ``LONG_SPAN_DAYS`` days
        start in [from - LONG_SPAN_DAYS, to] (the date or type index, with date_end, box and type
        tested inside the index); the rest are flagged ``long_span`` at write time and read through
        their own index, bounded by their end date — minus those the first branch already has.

        SQLite keeps no range statistics and may read the first branch through the box's latitude
        index, whose range spans most of the store; ``steer`` ("page" or "count") wraps the columns
        it should not choose by in ``unindexed`` (``+col`` on SQLite, the column elsewhere): the page
        walks ``ix_events_dates`` in order (type, box and date_end tested inside it) and stops at
        the limit; the count reads the narrowest range (``ix_events_type_date`` given types).
        The long branch leaves SQLite only the partial ``ix_events_long_span``: its statistics
        cannot show how few rows that index holds (``ANALYZE`` records nothing for an empty
        one), and it read the latitude index instead (~300-800 ms on 1,000,000 events).
        """
        e, where = EventRow, self._common()
        if self.date_to:
            where.append(e.date_start <= self.date_to)
        if not self.date_from:
            return [where]
        bound = _short_span_start(self.date_from)
        short = [*self._common(steer=steer), e.date_start >= bound, e.date_end >= self.date_from]
        if self.date_to:
            short.append(e.date_start <= self.date_to)
        start = unindexed(e.date_start)
        long = [*self._common(steer="long"), e.long_span == sa.true(),
                sa.or_(e.date_end >= self.date_from, sa.and_(e.date_end.is_(None), start >= self.date_from)),
                sa.or_(e.date_end.is_(None), start < bound)]
        if self.date_to:
            long.append(start <= self.date_to)
        return [short, long]

    def _common(self, steer: str | None = None) -> list[Any]:
        e = EventRow
        lat, lon = (unindexed(e.lat), unindexed(e.lon)) if steer else (e.lat, e.lon)
        where: list[Any] = []
        if self.types:
            where.append((unindexed(e.type) if steer in ("page", "long") else e.type).in_(self.types))
        if self.statuses:
            where.append(e.status.in_(self.statuses))
        if self.place:
            where.append(sa.func.lower(e.place_name).like(like_pattern(self.place), escape="\\"))
        if self.bbox:
            west, south, east, north = self.bbox
            where += [lat >= south, lat <= north, lon >= west, lon <= east]
        if self.actor:
            where.append(sa.func.lower(e.actors).like(like_pattern(self.actor), escape="\\"))
        if self.report_id:
            where.append(e.report_id == self.report_id)
        return where

    def matches(self, row: dict[str, Any]) -> bool:
        if self.types and row["type"] not in self.types:
            return False
        if self.statuses and row["status"] not in self.statuses:
            return False
        start, end = row["date_start"], row["date_end"] or row["date_start"]
        if self.date_from and (end is None or end < self.date_from):
            return False
        if self.date_to and (start is None or start > self.date_to):
            return False
        if self.place and self.place.casefold() not in (row["place_name"] or "").casefold():
            return False
        if self.bbox:
            west, south, east, north = self.bbox
            if row["lat"] is None or not (south <= row["lat"] <= north and west <= row["lon"] <= east):
                return False
        if self.actor and self.actor.casefold() not in (row["actors"] or "").casefold():
            return False
        return not (self.report_id and row["report_id"] != self.report_id)


EVENT_COLUMNS = ("report_id", "fact_id", "type", "status", "date_start", "date_end", "precision",
                 "place_name", "country", "lat", "lon", "actors", "targets", "confidence",
                 "evidence_start", "evidence_end", "evidence_text")


def event_statements(flt: EventFilter, limit: int,
                     exclude: set[tuple[str, str]] | None = None) -> list[tuple[Any, Any]]:
    """(first ``limit`` rows, count) per branch of ``flt``, without the (report_id, fact_id) in
    ``exclude``."""
    e = EventRow
    cols = [getattr(e, c) for c in EVENT_COLUMNS]
    dated = flt.date_from is not None or flt.date_to is not None
    # With a date filter date_start is never NULL: the index alone gives the order.
    order = (e.date_start, e.report_id, e.fact_id) if dated else (e.date_start.is_(None), e.date_start,
                                                                  e.report_id, e.fact_id)
    # The long branch (the second, see EventFilter.branches) holds few rows: sorting them is cheap,
    # while ordering by an index let SQLite walk all of ix_events_dates for them (~550 ms at 1M).
    long_order = (unindexed(e.date_start), e.report_id, e.fact_id)
    out = []
    branches = zip(flt.branches("page"), flt.branches("count"), strict=True)
    for i, (page_where, count_where) in enumerate(branches):
        if exclude:
            keep = sa.not_(sa.tuple_(e.report_id, e.fact_id).in_(sorted(exclude)))
            page_where, count_where = [*page_where, keep], [*count_where, keep]
        page = sa.select(*cols).where(*page_where).order_by(*(long_order if i else order)).limit(limit)
        count = sa.select(sa.func.count()).select_from(e).where(*count_where)
        out.append((page, count))
    return out


def _sort_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["date_start"] is None, row["date_start"] or dt.date.min, row["report_id"], row["fact_id"])


class WebData:
    """Everything the web layer reads or writes, over one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ------------------------------------------------------------ reports
    def report(self, report_id: str) -> tuple[Report, Extraction | None]:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(ReportRow).where(ReportRow.id == report_id)).mappings().first()
            if row is None:
                raise MissionwatchError("MW201", f"no report {report_id!r}")
            contract = conn.execute(sa.select(ExtractionRow.contract)
                                    .where(ExtractionRow.report_id == report_id)).scalar()
        report = Report(id=row["id"], published=row["published"], title=row["title"], source=row["source"],
                        url=row["url"], body=row["body"], sha256=row["sha256"], reader=row["reader"])
        extraction = Extraction.from_contract(json.loads(contract)) if contract else None
        return report, extraction

    def reports(self, *, q: str | None, date_from: dt.date | None, date_to: dt.date | None,
                limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        r = ReportRow
        if q:
            return self._search(q, date_from, date_to, limit, offset)
        where: list[Any] = []
        if date_from:
            where.append(r.published >= date_from)
        if date_to:
            where.append(r.published <= date_to)
        cols = [r.id, r.published, r.title, r.source, r.url, r.duplicate_of,
                sa.func.substr(r.body, 1, 240).label("snippet")]
        with self.engine.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(r).where(*where)).scalar_one()
            rows = conn.execute(sa.select(*cols).where(*where)
                                .order_by(r.published.is_(None), r.published.desc(), r.id)
                                .limit(limit).offset(offset)).mappings()
            return total, [dict(x) for x in rows]

    def _search(self, q: str, date_from: dt.date | None, date_to: dt.date | None,
                limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        """Full-text search through the store's bounded path: the total is how many matches were ranked.

        The date filters apply in SQL before the pool of ranked matches is taken
        (``store.search.SEARCH_POOL``), so the newest matches inside the window are ranked.
        """
        if offset + limit > MAX_WINDOW:
            raise MissionwatchError("MW301", f"offset + limit may not exceed {MAX_WINDOW}")
        with self.engine.connect() as conn:
            page = fulltext.search_page(conn, q, limit, offset, date_from=date_from, date_to=date_to)
        rows = [{"id": h.report_id, "published": h.published, "title": h.title, "source": h.source,
                 "url": None, "duplicate_of": None, "snippet": h.snippet} for h in page.hits]
        return page.ranked, rows

    # ------------------------------------------------------------ reviews
    def reviews(self, report_ids: list[str] | None = None, limit: int | None = None) -> list[rv.Review]:
        stmt = sa.select(ReviewRow).order_by(ReviewRow.created_at, ReviewRow.id)
        if report_ids is not None:
            stmt = stmt.where(ReviewRow.report_id.in_(report_ids))
        with self.engine.connect() as conn:
            return [rv.from_row(dict(x)) for x in conn.execute(stmt).mappings()]

    def reviewed(
        self, report_id: str,
    ) -> tuple[Report, Extraction | None, Extraction | None, list[rv.Review]]:
        """A report, its machine extraction, the reviewed one, and its reviews."""
        report, extraction = self.report(report_id)
        reviews = self.reviews([report_id])
        reviewed = rv.apply_reviews(extraction, reviews) if extraction else None
        return report, extraction, reviewed, reviews

    def add_review(self, principal: Principal, *, report_id: str, kind: str, action: str,
                   fact_id: str | None, value: dict[str, Any] | None, note: str | None) -> rv.Review:
        """Validate and store one review and its audit row, in one transaction."""
        if not principal.can_write:
            raise MissionwatchError("MW303", f"role {principal.role!r} cannot write reviews")
        report, extraction = self.report(report_id)
        if extraction is None:
            raise MissionwatchError("MW304", f"report {report_id} has not been extracted")
        review, fact = rv.new_review(extraction, kind=kind, action=action, user=principal.name,
                                     fact_id=fact_id, value=value, note=note)
        with self.engine.connect().execution_options(**{SQLITE_BEGIN: "IMMEDIATE"}) as conn, conn.begin():
            previous = [rv.from_row(dict(x)) for x in conn.execute(
                sa.select(ReviewRow).where(ReviewRow.report_id == report_id)
                .order_by(ReviewRow.created_at, ReviewRow.id)).mappings()]
            before_ex = rv.apply_reviews(extraction, previous)
            rv.check_applies(extraction, previous, review)
            values = rv.to_row(review)
            values["created_at"] = review.created_at.replace(tzinfo=dt.UTC)
            new_id = conn.execute(sa.insert(ReviewRow).values(**values).returning(ReviewRow.id)).scalar_one()
            review.id = new_id
            after_ex = rv.apply_reviews(extraction, [*previous, review])
            before = after = None
            if fact is not None:
                prior = next((f for f in rv.facts_of(before_ex, kind) if f.id == fact.id), None)
                before = rv.fact_snapshot(prior, before_ex) if prior is not None else {
                    "rejected": True, **(rv.fact_snapshot(fact, extraction) or {})}
                now = next((f for f in rv.facts_of(after_ex, kind) if f.id == fact.id), None)
                after = rv.fact_snapshot(now, after_ex)
                object_id = f"{report_id}/{fact.id}"
            else:
                added = next((e for e in after_ex.events if e.id == f"r{new_id}"), None)
                after = rv.fact_snapshot(added, after_ex)
                object_id = f"{report_id}/r{new_id}"
            conn.execute(sa.insert(AuditRow).values(
                at=review.created_at.replace(tzinfo=dt.UTC), actor=principal.name,
                action=f"review.{action}", object_kind=kind, object_id=object_id,
                before={"fact": before} if before is not None else None,
                after={"fact": after, "review_id": new_id, "note": review.note}))
        return review

    # ------------------------------------------------------------ events
    def events(self, flt: EventFilter, *, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        if offset + limit > MAX_WINDOW:
            raise MissionwatchError("MW301",
                                    f"offset + limit may not exceed {MAX_WINDOW}; narrow the filters")
        touched_keys, reviewed_rows = self._reviewed_event_rows()
        total, rows = 0, []
        with self.engine.connect() as conn:
            for page, count in event_statements(flt, offset + limit, touched_keys):
                total += conn.execute(count).scalar_one()
                rows += [dict(x) for x in conn.execute(page).mappings()]
        extra = [r for r in reviewed_rows if flt.matches(r)]
        for r in rows:
            r["review"] = None
        merged = sorted(rows + extra, key=_sort_key)
        return total + len(extra), merged[offset:offset + limit]

    def _reviewed_event_rows(self, report_ids: set[str] | None = None
                             ) -> tuple[set[tuple[str, str]], list[dict[str, Any]]]:
        """Keys of machine events a review touches, and the reviewed rows that replace them (of the
        reports ``report_ids`` only, when given: a page needs its own, not every review's report)."""
        wanted = None if report_ids is None else sorted(report_ids)
        reviews = [r for r in self.reviews(wanted) if r.kind == "event"]
        if not reviews:
            return set(), []
        by_report: dict[str, list[rv.Review]] = {}
        for r in reviews:
            by_report.setdefault(r.report_id, []).append(r)
        touched: set[tuple[str, str]] = set()
        out: list[dict[str, Any]] = []
        with self.engine.connect() as conn:
            contracts = dict(conn.execute(sa.select(ExtractionRow.report_id, ExtractionRow.contract)
                                          .where(ExtractionRow.report_id.in_(list(by_report)))).all())
        for report_id, reviews_of in by_report.items():
            if report_id not in contracts:
                continue
            machine = Extraction.from_contract(json.loads(contracts[report_id]))
            reviewed = rv.apply_reviews(machine, reviews_of)
            latest = rv.latest_per_fact(reviews_of, machine)
            touched.update((report_id, fid) for kind, fid in latest if kind == "event")
            for event in reviewed.events:
                deciding = latest.get(("event", event.id))
                if deciding is not None:
                    out.append(event_row(reviewed, event, deciding.state))
        return touched, out

    def event(self, report_id: str, fact_id: str) -> dict[str, Any]:
        """One event, reviewed, with its report, machine version and review history."""
        try:
            report, machine, reviewed, reviews = self.reviewed(report_id)
        except MissionwatchError as exc:
            raise MissionwatchError("MW202", f"no event {report_id}/{fact_id}") from exc
        if machine is None:
            raise MissionwatchError("MW202", f"no event {report_id}/{fact_id}")
        machine_event = next((e for e in machine.events if e.id == fact_id), None)
        reviewed_event = next((e for e in reviewed.events if e.id == fact_id), None) if reviewed else None
        if machine_event is None and reviewed_event is None:
            raise MissionwatchError("MW202", f"no event {report_id}/{fact_id}")
        history = []
        for r in reviews:
            if r.kind != "event":
                continue
            added_here = r.action == "add" and f"r{r.id}" == fact_id
            if added_here or machine_event is not None and rv.attach(machine, r) is machine_event:
                history.append(r)
        state = history[-1].state if history else None
        source, shown = machine, machine_event
        if reviewed is not None and reviewed_event is not None:
            source, shown = reviewed, reviewed_event
        return {"report": report, "machine": machine_event, "event": shown, "state": state,
                "history": history, "extraction": source,
                "row": event_row(source, shown, state),
                "machine_row": event_row(machine, machine_event, None) if machine_event else None}

    # ------------------------------------------------------------ places, actors
    def places(self, q: str | None, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        p = PlaceRow
        where = [sa.func.lower(p.name).like(like_pattern(q), escape="\\")] if q else []
        stmt = (sa.select(p.name, p.country, p.admin1, p.feature,
                          sa.func.avg(p.lat).label("lat"), sa.func.avg(p.lon).label("lon"),
                          sa.func.count(sa.distinct(p.report_id)).label("reports"))
                .where(*where).group_by(p.name, p.country, p.admin1, p.feature))
        return self._grouped(stmt, limit, offset, order=("reports", "name"))

    def actors(
        self, q: str | None, type_: str | None, limit: int, offset: int,
    ) -> tuple[int, list[dict[str, Any]]]:
        e = EntityRow
        where: list[Any] = []
        if q:
            where.append(sa.func.lower(e.name).like(like_pattern(q), escape="\\"))
        if type_:
            where.append(e.type == type_)
        stmt = (sa.select(e.name, e.type, sa.func.sum(e.mention_count).label("mentions"),
                          sa.func.count(sa.distinct(e.report_id)).label("reports"))
                .where(*where).group_by(e.name, e.type))
        return self._grouped(stmt, limit, offset, order=("reports", "name"))

    def _grouped(
        self, stmt: Any, limit: int, offset: int, order: tuple[str, str],
    ) -> tuple[int, list[dict[str, Any]]]:
        sub = stmt.subquery()
        with self.engine.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(sub)).scalar_one()
            rows = conn.execute(sa.select(sub).order_by(sub.c[order[0]].desc(), sub.c[order[1]])
                                .limit(limit).offset(offset)).mappings()
            return total, [dict(x) for x in rows]

    # ------------------------------------------------------------ all reviewed extractions
    def pairs(self, reviewed: bool = True, batch: int = 200) -> Iterator[tuple[Report, Extraction]]:
        """Every (report, extraction) pair, reviews laid over when ``reviewed``, in id order."""
        reviews = self.reviews() if reviewed else []
        by_report: dict[str, list[rv.Review]] = {}
        for r in reviews:
            by_report.setdefault(r.report_id, []).append(r)
        last = ""
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    sa.select(ReportRow.id, ReportRow.published, ReportRow.title, ReportRow.source,
                              ReportRow.url, ReportRow.body, ReportRow.sha256, ReportRow.reader,
                              ExtractionRow.contract)
                    .join(ExtractionRow, ExtractionRow.report_id == ReportRow.id)
                    .where(ReportRow.id > last).order_by(ReportRow.id).limit(batch)).mappings().all()
            if not rows:
                return
            for row in rows:
                report = Report(id=row["id"], published=row["published"], title=row["title"],
                                source=row["source"], url=row["url"], body=row["body"],
                                sha256=row["sha256"], reader=row["reader"])
                extraction = Extraction.from_contract(json.loads(row["contract"]))
                if row["id"] in by_report:
                    extraction = rv.apply_reviews(extraction, by_report[row["id"]])
                yield report, extraction
            last = rows[-1]["id"]

    # ------------------------------------------------------------ audit
    def audit(self, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        with self.engine.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(AuditRow)).scalar_one()
            rows = conn.execute(sa.select(AuditRow).order_by(AuditRow.at.desc(), AuditRow.id.desc())
                                .limit(limit).offset(offset)).mappings()
            return total, [dict(x) for x in rows]

    # ------------------------------------------------------------ users
    def add_user(self, name: str, role: str) -> str:
        """Create a user; returns the token (only its hash is stored)."""
        name = name.strip()
        if not name or len(name) > 200:
            raise MissionwatchError("MW301", "a user name is 1 to 200 characters")
        if role not in ROLES:
            raise MissionwatchError("MW301", f"role {role!r} is not one of {', '.join(ROLES)}")
        token = new_token()
        try:
            with self.engine.connect().execution_options(**{SQLITE_BEGIN: "IMMEDIATE"}) as conn, \
                    conn.begin():
                conn.execute(sa.insert(UserRow).values(name=name, role=role, token_hash=hash_token(token),
                                                       created_at=_utcnow()))
                conn.execute(sa.insert(AuditRow).values(at=_utcnow(), actor="cli", action="user.add",
                                                        object_kind="user", object_id=name,
                                                        before=None, after={"name": name, "role": role}))
        except IntegrityError as exc:
            raise MissionwatchError("MW301", f"a user named {name!r} already exists") from exc
        return token

    def user_by_token(self, token: str | None) -> Principal | None:
        if not token or len(token) > 200:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(UserRow.id, UserRow.name, UserRow.role)
                               .where(UserRow.token_hash == hash_token(token))).first()
        return Principal(row.id, row.name, row.role) if row else None

    def user_by_id(self, user_id: int) -> Principal | None:
        if user_id > 2**62:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(UserRow.id, UserRow.name, UserRow.role)
                               .where(UserRow.id == user_id)).first()
        return Principal(row.id, row.name, row.role) if row else None


def event_row(extraction: Extraction, event: Any, state: str | None) -> dict[str, Any]:
    """The flat form of an event (as in the events table) from an extraction."""
    place = extraction.place(event.place)
    names = [x.name for x in (extraction.entity(i) for i in event.actors) if x]
    targets = [x.name for x in (extraction.entity(i) for i in event.targets) if x]
    return {"report_id": extraction.report_id, "fact_id": event.id, "type": event.type,
            "status": event.status,
            "date_start": event.date.start if event.date else None,
            "date_end": event.date.end if event.date else None,
            "precision": event.date.precision if event.date else None,
            "place_name": place.name if place else None, "country": place.country if place else None,
            "lat": place.lat if place else None, "lon": place.lon if place else None,
            "actors": "; ".join(names) or None, "targets": "; ".join(targets) or None,
            "confidence": event.confidence, "evidence_start": event.evidence.start,
            "evidence_end": event.evidence.end, "evidence_text": event.evidence.text, "review": state}
