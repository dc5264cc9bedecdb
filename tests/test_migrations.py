"""Migrations build the schema on both databases, undo it, and agree with the tables."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from timeline.store import Store
from timeline.store.tables import metadata


def test_upgrade_then_downgrade(db_url: str) -> None:
    with Store.open(db_url, migrate=False) as store:
        assert store.current_revision() is None
        store.upgrade()
        assert store.current_revision() == "0001"
        tables = set(inspect(store.engine).get_table_names())
        assert {"sources", "documents", "events", "mentions"} <= tables
        store.downgrade("base")
        assert store.current_revision() is None
        assert set(inspect(store.engine).get_table_names()) <= {"alembic_version"}


def test_tables_match_migrated_schema(db_url: str) -> None:
    with Store.open(db_url) as store, store.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []
