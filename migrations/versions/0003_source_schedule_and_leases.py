"""Sources keep their next due time and a lease, so restarted and parallel daemons agree.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as table:
        table.add_column(sa.Column("next_due", sa.DateTime(timezone=True)))
        table.add_column(sa.Column("lease_owner", sa.Text))
        table.add_column(sa.Column("lease_expires", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("sources") as table:
        table.drop_column("lease_expires")
        table.drop_column("lease_owner")
        table.drop_column("next_due")
