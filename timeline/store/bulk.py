"""Bulk import at the driver's speed: batches of documents and events already grouped.

`Store.load` hands over its SQLAlchemy connection, inside the one transaction of the whole
import; rows go through the DB-API driver under it, as plain tuples (issue #6: per-row
parameter processing in SQLAlchemy cost three times the inserts themselves). Values are
written exactly as SQLAlchemy writes them (tables.py types, dialect processors), so the
loaded rows read back as saved ones do; tests/test_store.py holds both paths equal.

Row ids are chosen here, so nothing is read back by key:
- SQLite: `BEGIN IMMEDIATE` takes the write lock first, so the ids after max(id) stay ours
  until commit. A bigger page cache for the import keeps the indexes it writes in memory;
  with the 2 MB default every insert into them read and wrote pages, and the rate fell with
  the size of the table. An import larger than the events already stored builds the
  timeline-order indexes afresh at the end instead of inserting into them row by row.
- PostgreSQL: ids come from the tables' own sequences (nextval, safe beside other writers)
  and rows go in by COPY (psycopg's `cursor.copy`), faster than executemany; the foreign
  keys of mentions are checked once at the end instead of row by row (see below).

It must not merge: events arrive grouped, and a batch's mentions must name documents of
that batch or an earlier one. It bumps the version of every block of days its mentions
touch (index.py), at the end, so other processes' candidate indexes read those blocks again;
on PostgreSQL it locks the table of versions first, so a save that bumped some already
finishes before the import locks the other tables (and neither waits for the other).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from timeline.model import Document, Event
from timeline.store.index import Block, bump_statements, mention_blocks
from timeline.store.tables import documents
from timeline.store.write import (
    DOCUMENT_COLUMNS,
    EVENT_COLUMNS,
    MENTION_COLUMNS,
    check_span,
    document_row,
    event_row,
    marks,
    mention_row,
)

Batch = tuple[Sequence[Document], Sequence[Event]]

# The page cache of an SQLite import, in KiB (a negative cache_size): room for the indexes
# of a few million events. The connection's own size comes back afterwards.
SQLITE_IMPORT_CACHE_KIB = 262_144

MENTIONS_BY_DATE = "ix_mentions_granularity_start_end"  # migrations/versions/0006

# As write.py builds rows, documents and events with their ids first.
_DOCUMENT_COLUMNS = "id, " + ", ".join(DOCUMENT_COLUMNS)
_EVENT_COLUMNS = "id, " + ", ".join(EVENT_COLUMNS)
_MENTION_COLUMNS = ", ".join(MENTION_COLUMNS)


def _insert(table: str, columns: str) -> str:
    return f"INSERT INTO {table} ({columns}) VALUES ({marks(columns.count(',') + 1)})"


class _Rows:
    """Tuples in the column orders above, with dates and times as the dialect stores them."""

    def __init__(self, connection: Connection) -> None:
        dialect = connection.dialect
        stamp = documents.c.published.type.dialect_impl(dialect).bind_processor(dialect)
        self.stamp: Callable[[datetime], Any] = stamp or (lambda value: value)
        # SQLAlchemy's SQLite DATE is "%(year)04d-%(month)02d-%(day)02d": ISO, which
        # date.isoformat writes five times faster than its processor.
        self.day: Callable[[date], Any] = (
            date.isoformat if dialect.name == "sqlite" else (lambda value: value)
        )
        # Canonical URL -> the document's id, source and stored publish time, over all
        # batches: a mention's row carries the three (tables.py).
        self.loaded: dict[str, tuple[int, str, Any]] = {}
        # The blocks of days the loaded mentions touch (index.py), by their intervals.
        self.blocks: set[Block] = set()
        self._intervals: set[tuple[str, date, date]] = set()

    def documents(self, loaded: Sequence[Document], ids: Sequence[int]) -> list[tuple[Any, ...]]:
        stamp = self.stamp
        rows = []
        for document_id, d in zip(ids, loaded, strict=True):
            published = stamp(d.published)
            self.loaded[d.canonical_url] = (document_id, d.source, published)
            rows.append((document_id, *document_row(d, published, stamp)))
        return rows

    def events(self, grouped: Sequence[Event], ids: Sequence[int]) -> list[tuple[Any, ...]]:
        day, stamp = self.day, self.stamp
        rows = []
        for event_id, e in zip(ids, grouped, strict=True):
            check_span(e)
            rows.append((event_id, *event_row(e, day, stamp)))
        return rows

    def mentions(self, grouped: Sequence[Event], ids: Sequence[int]) -> list[tuple[Any, ...]]:
        day, stamp, loaded = self.day, self.stamp, self.loaded
        intervals = self._intervals
        rows = []
        for event_id, e in zip(ids, grouped, strict=True):
            for m in e.mentions:
                interval = (m.granularity.value, m.interval.start, m.interval.end)
                if interval not in intervals:
                    intervals.add(interval)
                    self.blocks.update(mention_blocks(*interval))
                document = loaded.get(m.url)
                if document is None:
                    raise ValueError(f"event {e.key}: its mention's document {m.url} is not loaded")
                document_id, source, published = document
                rows.append(mention_row(m, document_id, event_id, source, published, day, stamp))
        return rows


def load(connection: Connection, batches: Iterable[Batch]) -> None:
    """Insert every batch on `connection`, in its transaction (the caller commits)."""
    if connection.dialect.name == "postgresql":
        _load_postgresql(connection, batches)
    else:
        _load_sqlite(connection, batches)


def _load_sqlite(connection: Connection, batches: Iterable[Batch]) -> None:
    driver: Any = connection.connection.driver_connection
    rows = _Rows(connection)
    cursor = driver.cursor()
    try:
        if not driver.in_transaction:
            cursor.execute("BEGIN IMMEDIATE")
        (cache_size,) = cursor.execute("PRAGMA cache_size").fetchone()
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_IMPORT_CACHE_KIB}")
        try:
            next_document = _next_id(cursor, "documents")
            next_event = _next_id(cursor, "events")
            (stored,) = cursor.execute("SELECT count(*) FROM events").fetchone()
            imported = 0
            deferred: list[str] = []
            for loaded, grouped in batches:
                imported += len(grouped)
                if imported > stored and not deferred:
                    deferred = _drop_date_indexes(cursor)
                document_ids = range(next_document, next_document + len(loaded))
                event_ids = range(next_event, next_event + len(grouped))
                next_document, next_event = document_ids.stop, event_ids.stop
                cursor.executemany(
                    _insert("documents", _DOCUMENT_COLUMNS), rows.documents(loaded, document_ids)
                )
                cursor.executemany(
                    _insert("events", _EVENT_COLUMNS), rows.events(grouped, event_ids)
                )
                cursor.executemany(
                    _insert("mentions", _MENTION_COLUMNS), rows.mentions(grouped, event_ids)
                )
            for create in deferred:
                cursor.execute(create)
            for statement, params in bump_statements("sqlite", rows.blocks):
                cursor.execute(statement, params).fetchall()
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")
    finally:
        cursor.close()


def _drop_date_indexes(cursor: Any) -> list[str]:
    """Drop the timeline-order indexes of events, and mentions' index by date, and return
    the statements that make them again. Dates are random to these indexes, so each insert
    lands on its own page; once an import outgrows the table, building them afresh from
    sorted rows is cheaper (issue #6: 1M events loaded at 25k mentions/s with them, 45k
    without and rebuilt). The unique key stays: it is a constraint (and names are mostly
    new). Readers see neither state: the import is one transaction."""
    found = cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND (tbl_name = 'events' OR name = '{MENTIONS_BY_DATE}') ORDER BY name"
    ).fetchall()
    for name, _ in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [create for _, create in found]


def _next_id(cursor: Any, table: str) -> int:
    (highest,) = cursor.execute(f"SELECT max(id) FROM {table}").fetchone()
    return 1 if highest is None else int(highest) + 1


def _load_postgresql(connection: Connection, batches: Iterable[Batch]) -> None:
    driver: Any = connection.connection.driver_connection
    rows = _Rows(connection)
    with driver.cursor() as cursor:
        # Before the tables below: a save holding a block's row lock has its other locks
        # to take yet (see the module's docstring).
        cursor.execute("LOCK TABLE mention_blocks IN SHARE ROW EXCLUSIVE MODE")
        # PostgreSQL checks a foreign key row by row, a query per mention and key: half the
        # import. Its manual's advice for bulk loads ("Populating a Database") is to drop
        # them and add them back after, which checks every row again in one join. Until
        # the import commits, readers of these tables wait.
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'mentions'::regclass AND contype = 'f' ORDER BY conname"
        )
        foreign_keys = cursor.fetchall()
        for name, _definition in foreign_keys:
            cursor.execute(f'ALTER TABLE mentions DROP CONSTRAINT "{name}"')
        cursor.execute("SELECT count(*) FROM events")
        (stored,) = cursor.fetchone()
        imported = 0
        deferred: list[str] = []
        for loaded, grouped in batches:
            imported += len(grouped)
            if imported > stored and not deferred:
                deferred = _drop_date_indexes_postgresql(cursor)
            document_ids = _reserve(cursor, "documents", len(loaded))
            event_ids = _reserve(cursor, "events", len(grouped))
            _copy(cursor, "documents", _DOCUMENT_COLUMNS, rows.documents(loaded, document_ids))
            _copy(cursor, "events", _EVENT_COLUMNS, rows.events(grouped, event_ids))
            _copy(cursor, "mentions", _MENTION_COLUMNS, rows.mentions(grouped, event_ids))
        for create in deferred:
            cursor.execute(create)
        if foreign_keys:
            added = ", ".join(f'ADD CONSTRAINT "{name}" {how}' for name, how in foreign_keys)
            cursor.execute(f"ALTER TABLE mentions {added}")
        for statement, params in bump_statements("postgresql", rows.blocks):
            cursor.execute(statement, params)


def _drop_date_indexes_postgresql(cursor: Any) -> list[str]:
    """As _drop_date_indexes, on PostgreSQL: the indexes of events that back no constraint
    (the key's and the primary key's stay), and mentions' index by date."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND "
        "(tablename = 'events' AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = 'events'::regclass) "
        f"OR indexname = '{MENTIONS_BY_DATE}') ORDER BY indexname"
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [create for _, create in found]


def _reserve(cursor: Any, table: str, count: int) -> list[int]:
    """`count` fresh ids from the table's sequence."""
    if count == 0:
        return []
    cursor.execute(
        f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)",
        [count],
    )
    return [row[0] for row in cursor.fetchall()]


def _copy(cursor: Any, table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
    """COPY in binary, twice as fast as text here; binary needs each column's exact type,
    read from the catalogue so a migration that changes one needs no change here."""
    if not rows:
        return
    names = [name.strip().strip('"') for name in columns.split(",")]
    cursor.execute(
        "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass "
        "AND attname = ANY(%s)",
        [table, names],
    )
    types = dict(cursor.fetchall())
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types([types[name] for name in names])
        for row in rows:
            copy.write_row(row)
