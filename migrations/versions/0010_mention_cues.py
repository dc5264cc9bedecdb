"""Mentions keep their sentence's cues (timeline/events.py, `join_cues`): the first letters
of the names it has beyond its key words, its neighbouring word pairs, and whether it names
someone by office alone or leads with nobody. The candidate index (timeline/store/index.py)
files stored mentions under them, so a new mention's candidates are only those that can
name its leading actor or share its pairs (issue #4). Cues are derived from the sentence:
each stored mention with stems gets what join_cues gives now. Mentions without stems (''),
and so without cues, stay candidates.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from timeline.events import join_cues

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

CHUNK = 5000
_mentions = sa.table("mentions", sa.column("id"), sa.column("sentence"), sa.column("stems"))
_cues = sa.table("mentions", sa.column("id"), sa.column("cues"))


def upgrade() -> None:
    with op.batch_alter_table("mentions") as batch:
        batch.add_column(sa.Column("cues", sa.Text(), nullable=False, server_default=""))
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(_mentions.c.id, _mentions.c.sentence)
            .where(_mentions.c.id > last, _mentions.c.stems != "")
            .order_by(_mentions.c.id)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        last = rows[-1].id
        connection.execute(
            sa.update(_cues)
            .where(_cues.c.id == sa.bindparam("mention_id"))
            .values(cues=sa.bindparam("now")),
            [
                {"mention_id": mention_id, "now": " ".join(join_cues(sentence))}
                for mention_id, sentence in rows
            ],
        )


def downgrade() -> None:
    with op.batch_alter_table("mentions") as batch:
        batch.drop_column("cues")
