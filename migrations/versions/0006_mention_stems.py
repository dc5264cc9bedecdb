"""Mentions keep their sentence's key-word stems, and are indexed by date, so a new mention's
merge candidates are found among the mentions of its days that share enough stems with it,
instead of every event of those days being read and compared (timeline/store/read.py).
Mentions stored before this revision have no stems (''): they stay candidates.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mentions") as batch:
        batch.add_column(sa.Column("stems", sa.Text(), nullable=False, server_default=""))
    op.create_index(
        "ix_mentions_granularity_start_end", "mentions", ["granularity", "start", "end"]
    )


def downgrade() -> None:
    op.drop_index("ix_mentions_granularity_start_end", table_name="mentions")
    with op.batch_alter_table("mentions") as batch:
        batch.drop_column("stems")
