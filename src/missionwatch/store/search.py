"""Full-text search: SQLite FTS5 or PostgreSQL tsvector, one ``Store.search`` behaviour.

User queries are checked the same way on both back-ends first (empty query,
unbalanced quotes -> MW301), so the same input fails or succeeds everywhere.
On SQLite, bare words containing punctuation (``Port-au-Prince``, ``U.N.``)
are quoted into phrases, because FTS5 would read the ``-`` as syntax; quoted
phrases, ``AND``/``OR``/``NOT`` and prefix ``*`` pass through.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from missionwatch.errors import QueryError
from missionwatch.store.types import SearchHit

_TOKEN = re.compile(r'"[^"]*"|\S+')
_PLAIN = re.compile(r"[\w*]+\Z")
_OPERATORS = {"AND", "OR", "NOT"}
SNIPPET_WORDS = 16


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


#: Rank first, then read documents: ``snippet()`` reads a report's text, so it runs only for
#: the page, not for every match. bm25 itself works from the index, so every match is ranked
#: (exactly, ties by id): the ``cut`` is the page's last score, and only reports scoring at
#: least that well are joined to ``reports`` for the id tie-break.
_SQLITE = text(f"""
    WITH ranked AS MATERIALIZED (
        SELECT rowid AS seq, bm25(reports_fts, 5.0, 1.0) AS score
        FROM reports_fts WHERE reports_fts MATCH :q),
    cut AS (SELECT score FROM ranked ORDER BY score LIMIT 1 OFFSET max(0, :offset + :limit - 1)),
    page AS (
        SELECT r.id, ranked.seq, ranked.score FROM ranked JOIN reports r ON r.seq = ranked.seq
        WHERE ranked.score <= coalesce((SELECT score FROM cut), 1e308)
        ORDER BY ranked.score, r.id LIMIT :limit OFFSET :offset)
    SELECT r.id, r.title, r.published, r.source,
           snippet(reports_fts, 1, '[', ']', '…', {SNIPPET_WORDS}) AS snippet,
           -page.score AS rank
    FROM page JOIN reports_fts ON reports_fts.rowid = page.seq JOIN reports r ON r.id = page.id
    WHERE reports_fts MATCH :q
    ORDER BY page.score, page.id
""")

#: At most this many matches are ranked on PostgreSQL: the newest ones (an index order).
#: ``ts_rank_cd`` has to de-TOAST each match's tsvector, which for a common word over a large
#: archive (16,000 of 50,000 reports for "helicopters") costs most of a second; ranking the
#: 2,000 newest matches keeps the page under ~100 ms. A query matching fewer reports is ranked
#: in full, exactly as before.
POSTGRES_RANKED = 2000

_POSTGRES = text(f"""
    WITH q AS (SELECT websearch_to_tsquery('english', :q) AS q),
    pool AS (
        SELECT r.id, r.search FROM reports r, q WHERE r.search @@ q.q
        ORDER BY r.published DESC NULLS LAST, r.id LIMIT greatest({POSTGRES_RANKED}, :offset + :limit)),
    page AS (
        SELECT pool.id, ts_rank_cd(pool.search, q.q) AS rank FROM pool, q
        ORDER BY rank DESC, pool.id LIMIT :limit OFFSET :offset)
    SELECT r.id, r.title, r.published, r.source,
           ts_headline('english', r.body, q.q,
                       'StartSel=[, StopSel=], MaxWords={SNIPPET_WORDS}, MinWords=6, MaxFragments=1')
               AS snippet,
           page.rank
    FROM page JOIN reports r ON r.id = page.id, q
    ORDER BY page.rank DESC, r.id
""")


def search(conn: Connection, query: str, limit: int, offset: int) -> list[SearchHit]:
    query = check_query(query)
    postgres = conn.dialect.name == "postgresql"
    params = {"q": query if postgres else fts5_query(query), "limit": limit, "offset": offset}
    try:
        rows = conn.execute(_POSTGRES if postgres else _SQLITE, params).all()
    except DBAPIError as exc:
        # FTS5 reports bad syntax as an OperationalError ("fts5: syntax error near ...";
        # a lone ``*`` gives "unknown special query").
        message = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
        if "fts5" in message or "syntax" in message or "special query" in message:
            raise QueryError("MW301", f"cannot parse search query {query!r}: {message}",
                             where="search") from exc
        raise
    return [SearchHit(report_id=r.id, title=r.title, published=r.published, source=r.source,
                      snippet=" ".join(r.snippet.split()), rank=float(r.rank)) for r in rows]
