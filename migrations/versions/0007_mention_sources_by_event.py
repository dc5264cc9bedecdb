"""Mentions are indexed by (event_id, source) instead of event_id alone: the first page that
`timeline show` reads (each event with its sources, timeline/store/read.py) then reads its
events' sources from the index, not a row of mentions each (issue #6: 0.57 -> 0.34 ms of
server time for the statement at 1M events). The index still serves every lookup by event.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_mentions_event_id_source", "mentions", ["event_id", "source"])
    op.drop_index("ix_mentions_event_id", table_name="mentions")


def downgrade() -> None:
    op.create_index("ix_mentions_event_id", "mentions", ["event_id"])
    op.drop_index("ix_mentions_event_id_source", table_name="mentions")
