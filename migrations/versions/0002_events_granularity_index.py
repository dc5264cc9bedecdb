"""Index events by granularity and start, for range queries that stay fast at any size.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_granularity_start", "events", ["granularity", "start"])


def downgrade() -> None:
    op.drop_index("ix_events_granularity_start", table_name="events")
