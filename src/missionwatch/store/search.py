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


_SQLITE = text(f"""
    SELECT r.id, r.title, r.published, r.source,
           snippet(reports_fts, 1, '[', ']', '…', {SNIPPET_WORDS}) AS snippet,
           -bm25(reports_fts, 5.0, 1.0) AS rank
    FROM reports_fts JOIN reports r ON r.seq = reports_fts.rowid
    WHERE reports_fts MATCH :q
    ORDER BY bm25(reports_fts, 5.0, 1.0), r.id
    LIMIT :limit OFFSET :offset
""")

_POSTGRES = text(f"""
    SELECT r.id, r.title, r.published, r.source,
           ts_headline('english', r.body, q,
                       'StartSel=[, StopSel=], MaxWords={SNIPPET_WORDS}, MinWords=6, MaxFragments=1')
               AS snippet,
           ts_rank_cd(r.search, q) AS rank
    FROM reports r, websearch_to_tsquery('english', :q) AS q
    WHERE r.search @@ q
    ORDER BY rank DESC, r.id
    LIMIT :limit OFFSET :offset
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
