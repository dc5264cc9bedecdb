"""The statements that save documents and group their mentions, on the DB-API connection.

`Store.save_documents` and `Store.prune` hand over the driver connection inside their own
transaction; nothing here commits, so a batch stays all or nothing. The statements are
fixed texts run through the driver, as read.py's are: through SQLAlchemy Core, building,
compiling and caching them cost more CPU than the database spent running them (issue #4:
a quarter of storing a document in a first cycle). Values are written as SQLAlchemy writes
them (tables.py types), so rows saved here read back like any other, and the reverse.

Dialect differences, each in one place (`WriteSql`):
- placeholders: `?` for sqlite3, `%s` for psycopg;
- values: SQLite keeps dates as ISO text and times as naive UTC text (SQLAlchemy's format),
  PostgreSQL takes `date` and aware `datetime`;
- id lists: an IN list on SQLite, one array parameter on PostgreSQL.
Both spell an upsert the same way (INSERT ... ON CONFLICT (key) DO UPDATE, SQLite >= 3.24).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import date, datetime
from typing import Any, Protocol

from timeline.model import Document, Event, Mention
from timeline.store import read
from timeline.store.read import MAX_SPAN


class Merge(Protocol):
    """events.merge: new mentions and candidate events -> the events touched; with, for
    each new mention, the ids of the stored mentions it joins where the store knows them."""

    def __call__(
        self,
        mentions: Sequence[Mention],
        candidates: Sequence[Event],
        joined: Sequence[AbstractSet[int] | None] | None = None,
        /,
    ) -> list[Event]: ...


DOCUMENT_COLUMNS = (  # also bulk.py's, after its id
    "source",
    "url",
    "canonical_url",
    "guid",
    "title",
    "text",
    "published",
    "published_from",
    "fetched",
    "content_hash",
    "language",
    "timezone",
)
EVENT_COLUMNS = ("key", "value", "granularity", "start", '"end"', "at", "title")
MENTION_COLUMNS = (  # also bulk.py's
    "document_id",
    "event_id",
    "sentence",
    "sentence_start",
    "quote",
    "quote_start",
    "quote_end",
    "value",
    "granularity",
    "start",
    '"end"',
    "at",
    "tense",
    "source",
    "canonical_url",
    "published",
    "stems",
    "cues",
)


def marks(count: int) -> str:
    """`count` placeholders, as sqlite3 spells them (WriteSql turns them into psycopg's)."""
    return ", ".join("?" * count)


class WriteSql:
    """The statements in one dialect, a cursor's way to run them, and the dialect's form of
    a stored date and time."""

    def __init__(self, dialect: str, stamp: Callable[[datetime], Any]) -> None:
        self.dialect = dialect
        self.postgresql = dialect == "postgresql"
        # An aware datetime as stored (it refuses a naive one); see _LeaseSql.when.
        self.stamp = stamp
        # SQLAlchemy's SQLite DATE is ISO text; date.isoformat writes the same.
        self.day: Callable[[date], Any] = (lambda value: value) if self.postgresql else _iso
        sql = self._dialect
        self.insert_document = sql(
            f"INSERT INTO documents ({', '.join(DOCUMENT_COLUMNS)}) "
            f"VALUES ({marks(len(DOCUMENT_COLUMNS))})"
        )
        self.update_document = sql(
            f"UPDATE documents SET {', '.join(f'{c} = ?' for c in DOCUMENT_COLUMNS)} WHERE id = ?"
        )
        kept = ", ".join(f"{c} = excluded.{c}" for c in EVENT_COLUMNS[1:])
        self.upsert_event = sql(
            f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) "
            f"VALUES ({marks(len(EVENT_COLUMNS))}) ON CONFLICT (key) DO UPDATE SET {kept}"
        )
        self.insert_mention = sql(
            f"INSERT INTO mentions ({', '.join(MENTION_COLUMNS)}) "
            f"VALUES ({marks(len(MENTION_COLUMNS))})"
        )
        self.move_mention = sql("UPDATE mentions SET event_id = ? WHERE id = ?")
        self.old_documents = sql("SELECT id FROM documents WHERE published < ?")

    def _dialect(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.postgresql else sql

    def among(self, sql: str, values: Sequence[object]) -> tuple[str, list[object]]:
        """`sql` with `{among}` standing for "is one of `values`", and its parameters:
        one array on PostgreSQL (one statement text, prepared once), an IN list on SQLite."""
        if self.postgresql:
            return sql.replace("?", "%s").format(among="= ANY(%s)"), [list(values)]
        return sql.format(among=f"IN ({marks(len(values))})"), list(values)


def _iso(day: date) -> str:
    return day.isoformat()


class Writer:
    """The statements of one transaction on a DB-API connection."""

    def __init__(self, connection: Any, sql: WriteSql) -> None:
        self.connection = connection
        self.sql = sql
        self.execute = read.runner(connection)

    def executemany(self, statement: str, rows: Sequence[Sequence[object]]) -> None:
        if not rows:
            return
        cursor = self.connection.cursor()
        try:
            cursor.executemany(statement, rows)
        finally:
            cursor.close()

    def select_in(self, sql: str, values: Sequence[object]) -> list[tuple[Any, ...]]:
        """Rows of `sql`, whose `{among}` is "is one of `values`" (see WriteSql.among); in
        chunks of 500, well under driver limits."""
        rows = []
        for chunk in range(0, len(values), 500):
            statement, params = self.sql.among(sql, values[chunk : chunk + 500])
            rows += self.execute(statement, params)
        return rows

    def delete_in(self, sql: str, values: Sequence[object]) -> None:
        """Run the DELETE `sql`, whose `{among}` is "is one of `values`", as select_in."""
        cursor = self.connection.cursor()
        try:
            for chunk in range(0, len(values), 500):
                cursor.execute(*self.sql.among(sql, values[chunk : chunk + 500]))
        finally:
            cursor.close()

    # -- documents -------------------------------------------------------------------------

    def stored(self, canonical_urls: Sequence[str]) -> dict[str, tuple[int, str]]:
        """Canonical URL -> the stored document's id and content hash."""
        rows = self.select_in(
            "SELECT canonical_url, id, content_hash FROM documents WHERE canonical_url {among}",
            canonical_urls,
        )
        return {url: (document_id, content_hash) for url, document_id, content_hash in rows}

    def insert_documents(self, new: Sequence[Document]) -> dict[str, int]:
        """Insert documents; canonical URL -> the id each got."""
        if not new:
            return {}
        stamp = self.sql.stamp
        rows = [document_row(d, stamp(d.published), stamp) for d in new]
        self.executemany(self.sql.insert_document, rows)
        rows = self.select_in(
            "SELECT canonical_url, id FROM documents WHERE canonical_url {among}",
            [d.canonical_url for d in new],
        )
        return dict(rows)

    def update_documents(self, changed: Sequence[tuple[Document, int]]) -> None:
        stamp = self.sql.stamp
        rows = [(*document_row(d, stamp(d.published), stamp), i) for d, i in changed]
        self.executemany(self.sql.update_document, rows)

    # -- mentions and events ---------------------------------------------------------------

    def forget_mentions(self, document_ids: Sequence[int], merge: Merge) -> None:
        """Delete documents' mentions and regroup what is left of the events they were in:
        a mention that bridged two reports was what held them together."""
        if not document_ids:
            return
        touched = self.select_in(
            "SELECT DISTINCT event_id FROM mentions WHERE document_id {among}", document_ids
        )
        self.delete_in("DELETE FROM mentions WHERE document_id {among}", document_ids)
        if not touched:
            return
        left = read.select_by_id(self.execute, self.sql.dialect, sorted(r[0] for r in touched))
        regrouped = [
            group for event in left if event.mentions for group in merge(event.mentions, [])
        ]
        self.write_groups(regrouped, left, {})

    def write_groups(
        self, groups: Sequence[Event], replaced: Sequence[Event], documents: Mapping[str, int]
    ) -> None:
        """Write merged events: upsert each by key, point its stored mentions at it where
        it has a new key, insert its new ones (each of the document `documents` gives for
        its canonical URL). Events in `replaced` that end up with no mentions were absorbed
        or renamed, and are deleted."""
        for group in groups:
            check_span(group)
        day, stamp = self.sql.day, self.sql.stamp
        self.executemany(self.sql.upsert_event, [event_row(g, day, stamp) for g in groups])
        ids: dict[str, int] = dict(
            self.select_in("SELECT key, id FROM events WHERE key {among}", [g.key for g in groups])
        )
        # A stored mention whose event keeps its key keeps its event row (the upsert above
        # updated it in place): only those of renamed or absorbed events move.
        was_in = {m.id: event.key for event in replaced for m in event.mentions}
        moved = [
            (ids[g.key], m.id)
            for g in groups
            for m in g.mentions
            if m.id is not None and was_in.get(m.id) != g.key
        ]
        self.executemany(self.sql.move_mention, moved)
        new = []
        for g in groups:
            for m in g.mentions:
                if m.id is not None:
                    continue
                document_id = documents.get(m.url)
                if document_id is None:
                    raise ValueError(f"new mention of {m.url}: its document is not being saved")
                new.append(self._mention_row(m, document_id, ids[g.key]))
        self.executemany(self.sql.insert_mention, new)
        kept = {g.key for g in groups}
        gone = [event.key for event in replaced if event.key not in kept]
        self.delete_in(
            "DELETE FROM events WHERE key {among} AND NOT EXISTS "
            "(SELECT 1 FROM mentions m WHERE m.event_id = events.id)",
            gone,
        )

    def _mention_row(self, m: Mention, document_id: int, event_id: int) -> tuple[Any, ...]:
        # Provenance copied from the document (tables.py): a mention is made from its
        # document (events.py), so these are the document's own.
        published = None if m.published is None else self.sql.stamp(m.published)
        return mention_row(
            m, document_id, event_id, m.source, published, self.sql.day, self.sql.stamp
        )


def check_span(e: Event) -> None:
    """Refuse an event longer than its granularity allows (read.MAX_SPAN): the candidate
    search reads no further back than that."""
    if e.interval.end - e.interval.start > MAX_SPAN[e.granularity]:
        raise ValueError(f"event {e.key}: interval longer than a {e.granularity}")


def document_row(d: Document, published: Any, stamp: Callable[[datetime], Any]) -> tuple[Any, ...]:
    """A document's row in DOCUMENT_COLUMNS order, its publish time stored already
    (`published`), its fetch time as the dialect stores it (`stamp`)."""
    return (
        d.source,
        d.url,
        d.canonical_url,
        d.guid,
        d.title,
        d.text,
        published,
        d.published_from,
        stamp(d.fetched),
        d.content_hash,
        d.language,
        d.timezone,
    )


def event_row(
    e: Event, day: Callable[[date], Any], stamp: Callable[[datetime], Any]
) -> tuple[Any, ...]:
    """An event's row in EVENT_COLUMNS order, dates and times as the dialect stores them."""
    interval = e.interval
    return (
        e.key,
        e.value,
        e.granularity.value,
        day(interval.start),
        day(interval.end),
        None if interval.at is None else stamp(interval.at),
        e.title,
    )


def mention_row(
    m: Mention,
    document_id: int,
    event_id: int,
    source: str,
    published: Any,
    day: Callable[[date], Any],
    stamp: Callable[[datetime], Any],
) -> tuple[Any, ...]:
    """A mention's row in MENTION_COLUMNS order, its document's source and (stored) publish
    time given, dates and times as the dialect stores them (`day`, `stamp`)."""
    interval = m.interval
    return (
        document_id,
        event_id,
        m.sentence,
        m.sentence_start,
        m.quote,
        m.quote_start,
        m.quote_end,
        m.value,
        m.granularity.value,
        day(interval.start),
        day(interval.end),
        None if interval.at is None else stamp(interval.at),
        m.tense.value,
        source,
        m.url,
        published,
        " ".join(m.stems),
        " ".join(m.cues),
    )
