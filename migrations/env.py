"""Alembic environment: runs migrations on the connection `timeline.store` hands over.

`Store.open()` calls `command.upgrade` with `config.attributes["connection"]` set, so the
same engine (SQLite or PostgreSQL) is used; `alembic` on the command line works too, with
`-x url=...` or TIMELINE_DB_URL.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from timeline.store.tables import metadata

config = context.config


def run_migrations(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get(
        "TIMELINE_DB_URL", "sqlite:///timeline.db"
    )
    with create_engine(url).connect() as conn:
        run_migrations(conn)
