"""Storage: SQLite by default, PostgreSQL by URL. All SQL lives in this package."""

from timeline.store.store import SaveResult, SourceHealth, SourceState, Store

__all__ = ["SaveResult", "SourceHealth", "SourceState", "Store"]
