"""The report store: SQLAlchemy 2 over SQLite (default) or PostgreSQL, migrated by Alembic.

``Store.open(url)`` connects and brings the schema to head; everything else is
methods taking and returning typed records (see ``store.types``).
"""

from missionwatch.store.core import Store
from missionwatch.store.types import AddResult, AuditEntry, ReportInfo, Review, SearchHit, StoreCounts, User

__all__ = ["AddResult", "AuditEntry", "ReportInfo", "Review", "SearchHit", "Store", "StoreCounts", "User"]
