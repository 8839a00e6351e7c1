"""Full-text search: SQLite FTS5 or PostgreSQL tsvector, one ``Store.search`` behaviour.

User queries are checked the same way on both back-ends first (empty query,
unbalanced quotes -> MW301), so the same input fails or succeeds everywhere.
On SQLite, bare words containing punctuation (``Port-au-Prince``, ``U.N.``)
are quoted into phrases, because FTS5 would read the ``-`` as syntax; quoted
phrases, ``AND``/``OR``/``NOT`` and prefix ``*`` pass through.

Ranking is the same kind on both back-ends (docs/search.md): the matches are
taken newest-stored first (the store's ``seq``: ingest order), at most
``SEARCH_POOL`` of them, and those are ranked by relevance — bm25 on SQLite,
``ts_rank_cd`` on PostgreSQL — ties newest first. A query matching fewer
reports is ranked in full; a very common word shows the best of the newest
``SEARCH_POOL`` matches (a date filter or a narrower query reaches older ones).
Ranking every match of a common word costs a read of every match's positions
(~16,000 of 50,000 reports for "helicopters"), which is what kept PostgreSQL
far over 100 ms; the pool is an index walk that stops early.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import Connection, Date, TextClause, bindparam, text
from sqlalchemy.exc import DBAPIError

from missionwatch.errors import QueryError
from missionwatch.records import Record
from missionwatch.store.types import SearchHit

_TOKEN = re.compile(r'"[^"]*"|\S+')
_PLAIN = re.compile(r"[\w*]+\Z")
_OPERATORS = {"AND", "OR", "NOT"}
SNIPPET_WORDS = 16
#: At most this many matches are ranked: the newest stored (see the module docstring).
SEARCH_POOL = 2000


class SearchPage(Record):
    """A page of hits and how many matches were ranked (at most ``SEARCH_POOL``)."""

    ranked: int
    hits: list[SearchHit]


def check_query(query: str) -> str:
    query = query.strip()
    if not query:
        raise QueryError("MW301", "the search query is empty", where="search")
    if query.count('"') % 2:
        raise QueryError("MW301", f"unbalanced double quote in {query!r}", where="search")
    return query


def fts5_query(query: str) -> str:
    parts = []
    for token in _TOKEN.findall(query):
        if token.startswith('"') or token in _OPERATORS or _PLAIN.match(token) or token in "()":
            parts.append(token)
        else:
            parts.append('"' + token.replace('"', "") + '"')
    return " ".join(parts)


#: FTS5 walks its doclist in descending rowid (= reports.seq) and stops at the pool size, so bm25
#: runs for the pool only; ``snippet()`` reads a report's text, so it runs for the page only.
#: The outer LEFT JOIN keeps one row (the pool's size) when the page is empty.
_SQLITE = """
    WITH pool AS MATERIALIZED (
        SELECT reports_fts.rowid AS seq, bm25(reports_fts, 5.0, 1.0) AS score
        FROM reports_fts {date_join}
        WHERE reports_fts MATCH :q {date_where}
        ORDER BY reports_fts.rowid DESC LIMIT :pool),
    page AS (SELECT seq, score FROM pool ORDER BY score, seq DESC LIMIT :limit OFFSET :offset)
    SELECT (SELECT count(*) FROM pool) AS pooled, hit.* FROM (SELECT 1) LEFT JOIN (
        SELECT r.id, r.title, r.published, r.source,
               snippet(reports_fts, 1, '[', ']', '…', {words}) AS snippet, -page.score AS rank, page.seq
        FROM page JOIN reports_fts ON reports_fts.rowid = page.seq JOIN reports r ON r.seq = page.seq
        WHERE reports_fts MATCH :q) hit ON TRUE
    ORDER BY hit.rank DESC, hit.seq DESC
"""

#: ``report_search`` (migration 0005) is a slim copy of each report's tsvector with its seq and
#: date, kept in step by a trigger on ``reports``; its vectors stay inline (uncompressed), so
#: ranking reads no TOAST. The pool is ordered by ``-seq``: ``ix_report_search_recent``
#: (migration 0006: ``-seq``, then the date) serves a walk from the newest report that stops at
#: the pool size and, with a date filter, tests the date in the index, reading only the rows
#: inside the window; rare words take a GIN bitmap (with the date's index for a dated search).
#: The planner chooses, from the tsvector's statistics. (Ordered by ``seq DESC`` it preferred
#: the primary key, whose walk reads every row to test its date: 1.5-2.5x the CPU.) The rank is
#: computed in the pool's own scan: fetching the pool's rows again by seq cost ~6,000 buffer reads.
_POSTGRES = """
    WITH pool AS MATERIALIZED (
        SELECT s.ctid AS row FROM report_search s
        WHERE s.search @@ websearch_to_tsquery('english', :q) {date_where}
        ORDER BY -s.seq LIMIT :pool),
    ranked AS (
        SELECT s.seq, s.report_id, ts_rank_cd(s.search, websearch_to_tsquery('english', :q)) AS rank
        FROM pool JOIN report_search s ON s.ctid = pool.row),
    page AS (SELECT * FROM ranked ORDER BY rank DESC, seq DESC LIMIT :limit OFFSET :offset)
    SELECT (SELECT count(*) FROM pool) AS pooled, hit.* FROM (SELECT 1) AS one LEFT JOIN (
        SELECT r.id, r.title, r.published, r.source,
               ts_headline('english', r.body, websearch_to_tsquery('english', :q), '{options}') AS snippet,
               page.rank, page.seq
        FROM page JOIN reports r ON r.id = page.report_id) hit ON TRUE
    ORDER BY hit.rank DESC, hit.seq DESC
"""
HEADLINE = f"StartSel=[, StopSel=], MaxWords={SNIPPET_WORDS}, MinWords=6, MaxFragments=1"


def _statement(postgres: bool, date_from: dt.date | None, date_to: dt.date | None) -> str:
    column = "s.published" if postgres else "r.published"
    where = "".join(f" AND {column} {op} :{name}" for name, op, value in
                    (("date_from", ">=", date_from), ("date_to", "<=", date_to)) if value is not None)
    if postgres:
        return _POSTGRES.format(date_where=where, options=HEADLINE)
    join = "JOIN reports r ON r.seq = reports_fts.rowid" if where else ""
    return _SQLITE.format(date_join=join, date_where=where, words=SNIPPET_WORDS)


def statement(postgres: bool, query: str, limit: int, offset: int, *, date_from: dt.date | None = None,
              date_to: dt.date | None = None) -> TextClause:
    """The search statement with its parameters bound (``query`` already checked)."""
    columns = {"q": query if postgres else fts5_query(query), "limit": limit, "offset": offset,
               "pool": SEARCH_POOL}
    dates = [bindparam(name, value, type_=Date)
             for name, value in (("date_from", date_from), ("date_to", date_to)) if value is not None]
    return text(_statement(postgres, date_from, date_to)).bindparams(*dates, **columns)


def search_page(conn: Connection, query: str, limit: int, offset: int, *,
                date_from: dt.date | None = None, date_to: dt.date | None = None) -> SearchPage:
    """One page of ranked hits, and how many matches were ranked (at most ``SEARCH_POOL``).

    The date filters (on ``published``) apply before the pool is taken, so a filtered
    search ranks the newest matches inside the window.
    """
    query = check_query(query)
    postgres = conn.dialect.name == "postgresql"
    try:
        if postgres:
            # The pool's plan depends on how common the words are (a walk for common ones, a bitmap for
            # rare ones). psycopg prepares a statement after five runs, and PostgreSQL may then reuse a
            # generic plan made without the words: measured 10x slower ("mandate": 37 -> 370 ms).
            conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
        rows = conn.execute(statement(postgres, query, limit, offset, date_from=date_from,
                                      date_to=date_to)).all()
    except DBAPIError as exc:
        # FTS5 reports bad syntax as an OperationalError ("fts5: syntax error near ...";
        # a lone ``*`` gives "unknown special query").
        message = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
        if "fts5" in message or "syntax" in message or "special query" in message:
            raise QueryError("MW301", f"cannot parse search query {query!r}: {message}",
                             where="search") from exc
        raise
    hits = [SearchHit(report_id=r.id, title=r.title, published=r.published, source=r.source,
                      snippet=" ".join(r.snippet.split()), rank=float(r.rank))
            for r in rows if r.id is not None]
    return SearchPage(ranked=rows[0].pooled if rows else 0, hits=hits)


def search(conn: Connection, query: str, limit: int, offset: int) -> list[SearchHit]:
    return search_page(conn, query, limit, offset).hits

