"""Storage: SQLite by default, PostgreSQL by URL. All SQL lives in this package.

`Store` (store.py) is the full store on SQLAlchemy; `read.open_reader` is the light read
path of `timeline show`, which must not pay for importing SQLAlchemy. So this package
imports store.py only when one of its names is first used (PEP 562).
"""

from typing import TYPE_CHECKING, Any

# The alembic revision the code expects; a test holds it equal to the migrations' head.
SCHEMA_REVISION = "0010"

if TYPE_CHECKING:
    from timeline.store.store import SaveResult, SourceHealth, SourceState, Store

__all__ = ["SCHEMA_REVISION", "SaveResult", "SourceHealth", "SourceState", "Store"]


def __getattr__(name: str) -> Any:
    if name in ("SaveResult", "SourceHealth", "SourceState", "Store"):
        from timeline.store import store

        return getattr(store, name)
    raise AttributeError(f"module 'timeline.store' has no attribute {name!r}")
