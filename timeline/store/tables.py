"""The schema as SQLAlchemy Core tables: the model alembic migrations must match.

Migrations in `migrations/` create and change the real schema; a test checks that what they
build agrees with these tables. Queries live in `store.py`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every dialect.

    PostgreSQL keeps `timestamptz`; SQLite has no zone type, so we store UTC and attach
    UTC again on the way out. Naive datetimes are a bug here and are refused.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Per-source fetch state; a restarted daemon resumes from it.
sources = Table(
    "sources",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("url", Text, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_attempt", UTCDateTime),
    Column("last_success", UTCDateTime),
    Column("last_error", Text),
    Column("consecutive_errors", Integer, nullable=False, default=0),
    Column("next_due", UTCDateTime),  # when the daemon fetches it next
    # A daemon that claimed the source for a fetch, until when (a crashed one's claim expires).
    Column("lease_owner", Text),
    Column("lease_expires", UTCDateTime),
)

documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(200), nullable=False, index=True),
    Column("url", Text, nullable=False),
    Column("canonical_url", Text, nullable=False, unique=True),
    Column("guid", Text),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("published", UTCDateTime, nullable=False),
    Column("published_from", String(100), nullable=False),
    Column("fetched", UTCDateTime, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("language", String(35)),
    Column("timezone", String(64), nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False, unique=True),
    Column("value", String(64), nullable=False),
    Column("granularity", String(20), nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=False),
    Column("at", UTCDateTime),
    Column("title", Text, nullable=False),
    # Timeline order without a sort, for ranges; see read.select_events.
    Index(None, "start", "end", "key"),
    Index(None, "granularity", "start", "end", "key"),
)

mentions = Table(
    "mentions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "document_id",
        Integer,
        ForeignKey("documents.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    # Indexed with `source` below: a page's sources are read from the index (0007).
    Column("event_id", Integer, ForeignKey("events.id"), nullable=False),
    Column("sentence", Text, nullable=False),
    Column("sentence_start", Integer, nullable=False),
    Column("quote", Text, nullable=False),
    Column("quote_start", Integer, nullable=False),
    Column("quote_end", Integer, nullable=False),
    Column("value", String(64), nullable=False),
    Column("granularity", String(20), nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=False),
    Column("at", UTCDateTime),
    Column("tense", String(10), nullable=False),
    # Its document's, copied (migrations/versions/0005): a page of events reads its mentions
    # without a documents row each, whose text may run over many pages (issue #6).
    Column("source", String(200), nullable=False),
    Column("canonical_url", Text, nullable=False),
    Column("published", UTCDateTime, nullable=False),
    # Key-word stems of the sentence, space-separated ('' when not known): see read.py.
    Column("stems", Text, nullable=False, server_default=""),
    # What else the candidate index files the sentence under (events.join_cues),
    # space-separated ('' when not known: migrations/versions/0010).
    Column("cues", Text, nullable=False, server_default=""),
    Index(None, "granularity", "start", "end"),
    Index(None, "event_id", "source"),
)

# The version of each block of days of stored mentions (level, block: see store/index.py),
# bumped by every transaction that inserts or deletes mentions touching it, so each
# process's candidate index knows when a block it keeps was written by someone else.
mention_blocks = Table(
    "mention_blocks",
    metadata,
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("block", Integer, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
)
