"""Mentions carry their document's source, canonical URL and publish time, so a page of events
reads mentions alone, not a documents row per mention besides (issue #6; see
timeline/store/read.py). Existing mentions are filled from their documents.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)  # always UTC; see timeline.store.tables.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("mentions") as table:
        table.add_column(sa.Column("source", sa.String(200)))
        table.add_column(sa.Column("canonical_url", sa.Text))
        table.add_column(sa.Column("published", TIMESTAMP))
    # A row-value assignment: both SQLite (3.15+) and PostgreSQL read it.
    op.execute(
        "UPDATE mentions SET (source, canonical_url, published) = "
        "(SELECT d.source, d.canonical_url, d.published FROM documents d "
        "WHERE d.id = mentions.document_id)"
    )
    # SQLite cannot make a column NOT NULL in place: batch mode copies the table.
    with op.batch_alter_table("mentions") as table:
        table.alter_column("source", existing_type=sa.String(200), nullable=False)
        table.alter_column("canonical_url", existing_type=sa.Text, nullable=False)
        table.alter_column("published", existing_type=TIMESTAMP, nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("mentions") as table:
        table.drop_column("published")
        table.drop_column("canonical_url")
        table.drop_column("source")
