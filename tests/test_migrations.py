"""Migrations build the schema on both databases, undo it, and agree with the tables."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from timeline.store import SCHEMA_REVISION, Store
from timeline.store.tables import metadata


def test_upgrade_then_downgrade(db_url: str) -> None:
    with Store.open(db_url, migrate=False) as store:
        assert store.current_revision() is None
        store.upgrade()
        assert store.current_revision() == SCHEMA_REVISION
        tables = set(inspect(store.engine).get_table_names())
        assert {"sources", "documents", "events", "mentions"} <= tables
        store.downgrade("base")
        assert store.current_revision() is None
        assert set(inspect(store.engine).get_table_names()) <= {"alembic_version"}


def test_tables_match_migrated_schema(db_url: str) -> None:
    with Store.open(db_url) as store, store.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []


def test_schema_revision_is_the_migrations_head() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from timeline.store import SCHEMA_REVISION
    from timeline.store.store import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_heads() == [SCHEMA_REVISION]


def test_a_current_store_opens_without_alembic(db_url: str) -> None:
    with Store.open(db_url) as store:
        assert store.is_current()
        store.downgrade("base")
        assert not store.is_current()
    with Store.open(db_url) as store:  # migrates again on open
        assert store.is_current()
