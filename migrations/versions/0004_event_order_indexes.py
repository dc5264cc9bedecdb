"""Indexes that give events in timeline order, so the first page of a range needs no sort:
(start, end, key) for events starting inside it, (granularity, start, end, key) for the
ones that began earlier and still run into it (see timeline/store/read.py).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_events_start_end", table_name="events")
    op.drop_index("ix_events_granularity_start", table_name="events")
    op.create_index("ix_events_start_end_key", "events", ["start", "end", "key"])
    op.create_index(
        "ix_events_granularity_start_end_key", "events", ["granularity", "start", "end", "key"]
    )


def downgrade() -> None:
    op.drop_index("ix_events_granularity_start_end_key", table_name="events")
    op.drop_index("ix_events_start_end_key", table_name="events")
    op.create_index("ix_events_granularity_start", "events", ["granularity", "start"])
    op.create_index("ix_events_start_end", "events", ["start", "end"])
