"""A version per block of days of stored mentions: every transaction that inserts or deletes
mentions bumps the blocks they touch, so each process's candidate index knows when a block
it keeps was written by someone else and must be read again (timeline/store/index.py, issue
#4). On PostgreSQL the bump's row lock also orders two machines' saves of the same dates,
which advisory locks did before. Blocks not in the table have never been written through it;
a process reads them from SQL the first time whatever this table says.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mention_blocks",
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("block", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("level", "block", name="pk_mention_blocks"),
    )


def downgrade() -> None:
    op.drop_table("mention_blocks")
