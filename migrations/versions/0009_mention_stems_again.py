"""Mention stems worked out again: a sentence's key words no longer hold the common words of
a source it credits (", officials said", "according to local reports"; `_told` in
timeline/events.py, issue #4), so stems stored before this revision may hold more than
their sentence has now. may_join's stem test asks for more shared stems of a sentence with
more of them, so such stale stems could rule out a pair that similarity joins. Stems are
derived from the sentence: each stored mention's are replaced by what key_stems gives now.
Mentions without stems ('', stored before 0006) stay so: they stay candidates.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from timeline.events import key_stems

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

CHUNK = 5000
_mentions = sa.table("mentions", sa.column("id"), sa.column("sentence"), sa.column("stems"))


def upgrade() -> None:
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(_mentions.c.id, _mentions.c.sentence, _mentions.c.stems)
            .where(_mentions.c.id > last, _mentions.c.stems != "")
            .order_by(_mentions.c.id)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        last = rows[-1].id
        changed = [
            {"mention_id": mention_id, "now": now}
            for mention_id, sentence, stems in rows
            if (now := " ".join(key_stems(sentence))) != stems
        ]
        if changed:
            connection.execute(
                sa.update(_mentions)
                .where(_mentions.c.id == sa.bindparam("mention_id"))
                .values(stems=sa.bindparam("now")),
                changed,
            )


def downgrade() -> None:
    """Nothing to undo: the stems stay as they are now, fewer than before, which the code
    of 0008 reads as it reads any (its stem test may let a few more pairs through)."""
