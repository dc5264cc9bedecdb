"""Every query the project makes. Takes and returns model types; nothing else sees SQL.

The schema comes only from alembic migrations (`migrations/`), applied by `Store.open()`.
A fetch's documents are saved in one transaction: their rows, their mentions and the events
they join, so a crash mid-save leaves the store as it was before that fetch. The statements
of that write path are in write.py, run on the driver's connection.

Dialect differences, each in one place:
- SQLite: WAL journal so `timeline show` reads while the daemon writes; foreign keys are
  off by default there and must be switched on per connection; no zone type (tables.py).
- PostgreSQL: psycopg 3 (`postgresql+psycopg://`); a plain `postgresql://` URL is mapped
  to it so users need not know the driver name. Reads go through a pool of their own, in
  autocommit and without pre-ping (`Store.read`).
"""

from __future__ import annotations

import gc
import itertools
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    event,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    OperationalError,
    ProgrammingError,
)

from timeline.errors import StoreError
from timeline.model import Document, Event, Mention
from timeline.store import SCHEMA_REVISION, bulk, index, read, write
from timeline.store.read import EventFilter
from timeline.store.tables import documents, events, mentions, sources
from timeline.store.write import Merge

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


class SaveResult(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceState:
    """What the fetcher keeps between cycles for one source."""

    name: str
    etag: str | None = None
    last_modified: str | None = None
    consecutive_errors: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceHealth:
    name: str
    url: str
    last_attempt: datetime | None
    last_success: datetime | None
    last_error: str | None
    consecutive_errors: int
    next_due: datetime | None
    documents: int
    events: int


def normalize_url(url: str) -> str:
    """Map `postgresql://` and `postgres://` to the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Writers in one process take turns: a document's merge reads candidate events and
        # then writes, and two such transactions interleaved would both found the same event
        # (and on SQLite the second would fail to upgrade its read lock).
        self._write_lock = threading.Lock()
        # Stored mentions by block of days, for finding a save's candidates (index.py);
        # used and changed under the write lock only.
        self._index = index.CandidateIndex()
        # PostgreSQL reads go through a pool of their own, in autocommit and without the
        # pre-ping (see read()); SQLite reads share the engine (no round trips there, and a
        # memory database exists only on its own connections).
        self._reads = engine
        if engine.dialect.name == "postgresql":
            self._reads = create_engine(engine.url, isolation_level="AUTOCOMMIT")
            event.listen(self._reads, "connect", _postgresql_session)
        # Claims and finishes waiting to be committed together (see _lease_statement).
        self._pending: list[_Pending] = []
        self._pending_lock = threading.Lock()
        self._lease_sql = _LeaseSql(engine)
        self._lease_connection: Any = None  # a DB-API connection, used under _write_lock
        # Saving goes through the driver too (write.py), and meets its errors as the driver's.
        self._write_sql = write.WriteSql(engine.dialect.name, self._lease_sql.when)
        driver = engine.dialect.loaded_dbapi
        self._integrity_errors: tuple[type[Exception], ...] = (driver.IntegrityError,)
        self._operational_errors: tuple[type[Exception], ...] = (
            driver.OperationalError,
            OperationalError,  # SQLAlchemy's, when the pool cannot connect
        )

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Store:
        """Connect and bring the schema to the newest migration."""
        url = normalize_url(url)
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise StoreError(f"database URL {url!r} is not valid: {exc}") from exc
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            folder = Path(parsed.database).parent
            if not folder.exists():
                raise StoreError(f"database {url}: folder {folder} does not exist")
        try:
            engine = create_engine(parsed, pool_pre_ping=True)
        except (ArgumentError, ImportError) as exc:
            raise StoreError(f"database {url}: cannot use it: {exc}") from exc
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        elif engine.dialect.name == "postgresql":
            event.listen(engine, "connect", _postgresql_session)
        store = cls(engine)
        if migrate and not store.is_current():
            store.upgrade()
        return store

    def close(self) -> None:
        with self._write_lock:
            if self._lease_connection is not None:
                self._lease_connection.close()  # back to the pool, which dispose() empties
                self._lease_connection = None
        self.engine.dispose()
        self._reads.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ------------------------------------------------------------------------

    def _alembic_config(self, connection: Connection) -> Any:
        from alembic.config import Config as AlembicConfig

        config = AlembicConfig()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        return config

    def is_current(self) -> bool:
        """True when the schema is at SCHEMA_REVISION; checked without importing alembic,
        which would cost every command a third of a second."""
        try:
            with self.engine.connect() as connection:
                found = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        except OperationalError as exc:
            if "alembic_version" in str(exc.orig):
                return False  # an empty database
            raise StoreError(f"database {self.display_url}: cannot open: {exc.orig}") from exc
        except ProgrammingError:  # PostgreSQL: the table does not exist yet
            return False
        return [row[0] for row in found] == [SCHEMA_REVISION]

    def upgrade(self, revision: str = "head") -> None:
        from alembic import command

        try:
            with self.engine.begin() as connection:
                command.upgrade(self._alembic_config(connection), revision)
        except OperationalError as exc:
            raise StoreError(f"database {self.display_url}: cannot migrate: {exc.orig}") from exc

    def downgrade(self, revision: str) -> None:
        from alembic import command

        with self.engine.begin() as connection:
            command.downgrade(self._alembic_config(connection), revision)

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    @property
    def display_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def _transaction(self, what: str) -> Iterator[Connection]:
        try:
            with self._write_lock, self.engine.begin() as connection:
                yield connection
        except OperationalError as exc:
            raise StoreError(f"database {self.display_url}: {what} failed: {exc.orig}") from exc

    # -- sources -----------------------------------------------------------------------

    # -- schedule and leases -------------------------------------------------------------

    def ensure_sources(self, configured: Sequence[tuple[str, str]]) -> None:
        """A row per configured (name, url), so daemons can claim them; existing rows stay."""
        with self._transaction("registering sources") as connection:
            known = {r[0] for r in connection.execute(select(sources.c.name))}
            rows = [
                {"name": name, "url": url, "consecutive_errors": 0}
                for name, url in configured
                if name not in known
            ]
            if rows:
                # Several daemons may start at once: a row another one just added is fine.
                statement = _insert_ignoring_conflicts(self.engine.dialect.name, rows)
                connection.execute(statement)

    def claim(
        self,
        name: str,
        *,
        owner: str,
        now: datetime,
        lease: timedelta,
        force: bool = False,
    ) -> SourceState | None:
        """Take the lease on a source that is due (or any, with `force`), for one fetch, and
        return its state. None when it is not due, or another daemon holds a live lease on it.

        One statement: an UPDATE of the row a `SELECT … FOR UPDATE SKIP LOCKED` finds, so on
        PostgreSQL concurrent daemons pass over a row another one is claiming instead of
        queueing behind it. SQLite has one daemon per file (see schedule.py), and this
        process's writers take turns.
        """
        sql = self._lease_sql.claim_any if force else self._lease_sql.claim_due
        when = self._lease_sql.when
        now_value = when(now)
        params: tuple[Any, ...] = (owner, when(now + lease), name, now_value)
        if not force:
            params += (now_value,)
        row = self._lease_statement(_Pending(sql, params, f"claiming source {name!r}"))
        if row is None:
            return None
        etag, last_modified, consecutive_errors = row
        return SourceState(
            name=name,
            etag=etag,
            last_modified=last_modified,
            consecutive_errors=consecutive_errors,
        )

    def finish(
        self,
        name: str,
        *,
        owner: str,
        at: datetime,
        error: str | None,
        next_due: datetime,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """Record how the fetch under our lease went (validators change only on success),
        end the lease and say when the source is due again: one statement. A daemon whose
        lease expired and was taken over records nothing; the new holder's fetch counts."""
        sql, when = self._lease_sql, self._lease_sql.when
        at_value = when(at)
        ended = (at_value, when(next_due))
        params: tuple[Any, ...]
        if error is None:
            params = (*ended, at_value, etag, last_modified, name, owner)
            pending = _Pending(sql.finish_ok, params, f"recording source {name!r}")
        else:
            params = (*ended, error, name, owner)
            pending = _Pending(sql.finish_failed, params, f"recording source {name!r}")
        self._lease_statement(pending)

    def _lease_statement(self, pending: _Pending) -> tuple[Any, ...] | None:
        """Run one claim or finish and return its row (None if it matched none) once it is
        committed; calls from other threads that arrive meanwhile share the transaction.

        Group commit: on its own, each statement paid a transaction and a turn at the write
        lock. Whoever gets the lock commits all that is queued; the others find their
        statement done. Each statement keeps its own parameters, so a batch means what the
        same statements one by one would.
        """
        with self._pending_lock:
            self._pending.append(pending)
        with self._write_lock:
            if not pending.done:
                with self._pending_lock:
                    batch, self._pending = self._pending, []
                self._run_lease_statements(batch)
        if pending.error is not None:
            raise pending.error
        return pending.row

    def _run_lease_statements(self, batch: list[_Pending]) -> None:
        """One transaction for the batch on the lease connection (kept open between
        batches: a pool checkout and its ping cost as much as the statements); finishes in
        a row go as one executemany. If it fails, each statement is tried alone, so one bad
        call fails nobody else's, and on a new connection, so one that went stale while
        the daemon idled (a server restart) fails nobody."""
        committed = False
        fresh = self._lease_connection is None
        try:
            connection = self._lease_connection
            if connection is None:
                connection = self._lease_connection = self.engine.raw_connection()
            try:
                cursor = connection.cursor()
                try:
                    for sql, run in itertools.groupby(batch, key=lambda p: p.sql):
                        group = list(run)
                        if sql in (self._lease_sql.finish_ok, self._lease_sql.finish_failed):
                            cursor.executemany(sql, [p.params for p in group])
                        else:
                            for p in group:
                                cursor.execute(sql, p.params)
                                p.row = cursor.fetchone()
                                cursor.fetchall()  # sqlite3 commits a statement read to its end
                finally:
                    cursor.close()
                connection.commit()
                committed = True
            except BaseException:
                self._drop_lease_connection()
                raise
        except Exception as exc:
            if len(batch) > 1 or not fresh:
                for p in batch:
                    p.row = None
                    self._run_lease_statements([p])
            elif isinstance(exc, self._lease_sql.errors):
                problem = getattr(exc, "orig", None) or exc
                error = StoreError(
                    f"database {self.display_url}: {batch[0].what} failed: {problem}"
                )
                error.__cause__ = exc
                batch[0].error = error
            else:  # anything else is a bug, and surfaces as itself
                batch[0].error = exc
        finally:
            for p in batch:
                if not p.done and not committed and p.error is None:  # interrupted
                    p.row = None
                    p.error = StoreError(f"database {self.display_url}: {p.what} was interrupted")
                p.done = True

    def _drop_lease_connection(self) -> None:
        """After a failure: roll back and give the connection up (the pool checks the next
        one), so a broken connection, or a server restart, costs one batch."""
        connection, self._lease_connection = self._lease_connection, None
        if connection is not None:
            with suppress(Exception):
                connection.rollback()
            with suppress(Exception):
                connection.invalidate()

    def next_due(self, name: str) -> datetime | None:
        with self.engine.connect() as connection:
            due: datetime | None = connection.execute(
                select(sources.c.next_due).where(sources.c.name == name)
            ).scalar_one_or_none()
            return due

    def source_health(self) -> list[SourceHealth]:
        doc_counts = (
            select(documents.c.source, func.count().label("n"))
            .group_by(documents.c.source)
            .subquery()
        )
        event_counts = (
            select(documents.c.source, func.count(func.distinct(mentions.c.event_id)).label("n"))
            .join(mentions, mentions.c.document_id == documents.c.id)
            .group_by(documents.c.source)
            .subquery()
        )
        query = (
            select(
                sources,
                func.coalesce(doc_counts.c.n, 0).label("documents"),
                func.coalesce(event_counts.c.n, 0).label("events"),
            )
            .outerjoin(doc_counts, doc_counts.c.source == sources.c.name)
            .outerjoin(event_counts, event_counts.c.source == sources.c.name)
            .order_by(sources.c.name)
        )
        with self.engine.connect() as connection:
            return [
                SourceHealth(
                    name=row.name,
                    url=row.url,
                    last_attempt=row.last_attempt,
                    last_success=row.last_success,
                    last_error=row.last_error,
                    consecutive_errors=row.consecutive_errors,
                    next_due=row.next_due,
                    documents=row.documents,
                    events=row.events,
                )
                for row in connection.execute(query)
            ]

    # -- documents ---------------------------------------------------------------------

    def fetched_at(self, source: str, urls: Sequence[str]) -> dict[str, datetime]:
        """When each of `urls` (as fetched, or as canonical) was stored for `source`."""
        if not urls:
            return {}
        wanted = list(dict.fromkeys(urls))
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(documents.c.url, documents.c.canonical_url, documents.c.fetched).where(
                    documents.c.source == source,
                    or_(documents.c.url.in_(wanted), documents.c.canonical_url.in_(wanted)),
                )
            )
            found: dict[str, datetime] = {}
            for url, canonical, fetched in rows:
                found[url] = found[canonical] = fetched
        return found

    def refetched(self, canonical_url: str, at: datetime) -> None:
        """Record that a stored document's page was fetched again at `at` and found unchanged.
        The pipeline goes back to a page when its feed dates the entry after our last fetch
        (an edit); without this, an entry the feed dates later than that, but whose page
        never changes (a bumped date, a feed's clock ahead of ours), cost a request on every
        cycle, for ever."""
        with self._transaction(f"recording a fetch of {canonical_url}") as connection:
            connection.execute(
                update(documents)
                .where(documents.c.canonical_url == canonical_url, documents.c.fetched < at)
                .values(fetched=at)
            )

    def save_document(
        self,
        document: Document,
        found: Sequence[Mention],
        merge: Merge,
        may_join: read.MayJoin | None = None,
    ) -> SaveResult:
        """Store one document and its mentions; see save_documents."""
        (saved,) = self.save_documents([(document, found)], merge, may_join)
        return saved

    def save_documents(
        self,
        batch: Sequence[tuple[Document, Sequence[Mention]]],
        merge: Merge,
        may_join: read.MayJoin | None = None,
    ) -> list[SaveResult]:
        """Store documents and their mentions in one transaction, merging the mentions with
        each other and into stored events; a result per document, in order.

        Unchanged content (same hash under the same canonical URL) writes nothing. An edited
        document loses its old mentions first; events left without any are deleted.
        `may_join` (events.may_join) rules out, by their key-word stems, stored events that
        `merge` could never join the mentions with, so they are not read.

        A batch is one fetch (a feed's entries that carry their own text): one transaction,
        one read of candidate events for all its mentions and a few statements for all its
        rows (issue #4: a transaction, a candidate search and a dozen statements per entry
        were most of a first cycle once the merge was cheap). merge() gives the same events
        whatever order mentions arrive in, so they are those of saving one by one. If the
        batch cannot be stored (an entry the store refuses, such as an event longer than its
        granularity allows), each document is saved alone: the others land, and the first
        error is raised once they have, as saving them one by one would raise it.
        """
        if not batch:
            return []
        try:
            return self._save_retrying(batch, merge, may_join)
        except StoreError:
            raise  # the database, not an entry: one by one would fail as well, slower
        except Exception:
            if len(batch) <= 1:
                raise
        results, failed = [], None
        for one in batch:
            try:
                results += self._save_retrying([one], merge, may_join)
            except Exception as exc:
                failed = failed or exc
        if failed is not None:
            raise failed
        return results

    def _save_retrying(
        self,
        batch: Sequence[tuple[Document, Sequence[Mention]]],
        merge: Merge,
        may_join: read.MayJoin | None,
    ) -> list[SaveResult]:
        try:
            return self._save_documents(batch, merge, may_join)
        except self._integrity_errors:
            # Another daemon stored one of the articles (two feeds link it) between our look
            # and our insert. Its transaction is committed now: look again.
            return self._save_documents(batch, merge, may_join)

    def _save_documents(
        self,
        batch: Sequence[tuple[Document, Sequence[Mention]]],
        merge: Merge,
        may_join: read.MayJoin | None,
    ) -> list[SaveResult]:
        urls = [document.canonical_url for document, _ in batch]
        if len(set(urls)) < len(urls):
            # The second would replace the first: that is two saves (save_documents then
            # saves them one by one, in order). A feed's entries are distinct already.
            raise ValueError("a batch names one canonical URL twice")
        what = f"saving {urls[0]}" if len(urls) == 1 else f"saving {len(urls)} documents"
        with self._driver_transaction(what) as (writer, changes):
            stored = writer.stored(urls)
            results = []
            new: list[Document] = []
            changed: list[tuple[Document, int]] = []
            found: list[Mention] = []
            for document, mentions_found in batch:
                row = stored.get(document.canonical_url)
                if row is not None and row[1] == document.content_hash:
                    results.append(SaveResult.UNCHANGED)
                    continue
                if row is None:
                    new.append(document)
                    results.append(SaveResult.NEW)
                else:
                    changed.append((document, row[0]))
                    results.append(SaveResult.UPDATED)
                found += mentions_found
            if not new and not changed:
                return results
            ids = writer.insert_documents(new)
            writer.update_documents(changed)
            ids.update((d.canonical_url, document_id) for d, document_id in changed)
            edited = [document_id for _, document_id in changed]
            # The blocks of every mention this transaction inserts or deletes are bumped
            # before anything is read: on PostgreSQL their row locks make another machine's
            # save of the same dates wait for this one (index.py), in one order for all.
            gone = index.read_mentions(writer, edited)
            blocks = {
                block
                for m in found
                for block in index.mention_blocks(
                    m.granularity.value, m.interval.start, m.interval.end
                )
            }
            blocks |= index.entries_blocks(gone)
            self._index.bump(writer, changes, blocks)
            changes.remove(gone)
            writer.forget_mentions(edited, merge)
            candidates, joined = self._candidates(writer, changes, found, may_join)
            known = {id(m): ids for m, ids in zip(found, joined, strict=True)}
            groups = [
                group
                for part_found, part_candidates in _apart(found, candidates)
                for group in merge(part_found, part_candidates, [known[id(m)] for m in part_found])
            ]
            writer.write_groups(groups, candidates, ids)
            changes.added = index.read_mentions(writer, sorted(ids.values()))
            # Each is one of `found`, whose blocks are bumped; this costs nothing then, and
            # keeps other processes' caches exact if a merge ever made a mention anew.
            self._index.bump(writer, changes, index.entries_blocks(changes.added))
            return results

    def _candidates(
        self,
        writer: write.Writer,
        changes: index.Changes,
        found: Sequence[Mention],
        may_join: read.MayJoin | None,
    ) -> tuple[list[Event], list[set[int] | None]]:
        """Stored events that mentions in `found` would join, as read.select_candidates
        finds them (events with a mention of an overlapping date at a compatible level that
        `may_join` one of them), through the candidate index, or for mentions of blocks it
        has not read, through select_candidates' SQL; their mentions' blocks are bumped
        already. The events are read whole from SQL, with their current mentions. With
        them, for each of `found`, the ids of the stored mentions it joins, where the index
        answered for it with `may_join` (None elsewhere): events.merge asks no more."""
        if not found:
            return [], []
        joined, left = self._index.candidates(writer, changes, found, may_join)
        dialect = writer.sql.dialect
        event_ids = read.candidate_ids(writer.execute, dialect, left, may_join)
        chosen = sorted(set().union(*(ids for ids in joined if ids)))
        if chosen:
            rows = writer.select_in("SELECT event_id FROM mentions WHERE id {among}", chosen)
            event_ids.update(row[0] for row in rows)
        if may_join is None:
            joined = [None] * len(found)  # the index's ids were not asked: merge asks
        return read.select_by_id(writer.execute, dialect, sorted(event_ids)), joined

    @contextmanager
    def _driver_transaction(self, what: str) -> Iterator[tuple[write.Writer, index.Changes]]:
        """A transaction on a pooled connection's driver, under the write lock, for
        write.py's statements; committed at the end, rolled back on any error. What it
        did to the candidate index's blocks (`index.Changes`) reaches the cache after the
        commit; if anything fails, the blocks it touched are dropped from the cache."""
        try:
            with self._write_lock:
                pooled = self.engine.raw_connection()
                changes = index.Changes()
                try:
                    yield write.Writer(pooled.driver_connection, self._write_sql), changes
                    pooled.commit()
                except BaseException:
                    self._index.failed(changes)
                    with suppress(Exception):
                        pooled.rollback()
                    raise
                finally:
                    pooled.close()
                self._index.committed(changes)
        except self._operational_errors as exc:
            problem = getattr(exc, "orig", None) or exc
            raise StoreError(f"database {self.display_url}: {what} failed: {problem}") from exc

    def load(self, batches: Iterable[tuple[Sequence[Document], Sequence[Event]]]) -> None:
        """Bulk import in one transaction: batches of documents and events already grouped
        (no merge), for backfills and benchmarks. Every mention must name a document of its
        batch or of an earlier one, by canonical URL. Batches may come from a generator, so
        an import of millions of events need not be in memory at once; see bulk.py.

        While it runs, other writers wait (SQLite: the write lock; PostgreSQL: the import
        sets foreign keys and indexes aside, which locks the three tables, so readers there
        wait too). Run `analyze()` after a large import.

        What the process held before is set aside from Python's cycle collector meanwhile
        (gc.freeze): each full collection the import's allocations set off would walk it all
        (parsed sentences by the thousand) for nothing; where those collections fell moved
        bench/store.py's load rate by a third.
        """
        gc.freeze()
        try:
            with self._transaction("loading") as connection:
                bulk.load(connection, batches)  # bumps the blocks of what it loads
        finally:
            gc.unfreeze()
            # Its mentions' ids are not read back: this process reads the blocks again.
            with self._write_lock:
                self._index.clear()

    def analyze(self) -> None:
        """Refresh the planner's statistics after a bulk load. Without them, PostgreSQL picks
        plans for an empty table until autovacuum catches up (seconds to minutes), and a range
        query that should take a millisecond takes a hundred. On PostgreSQL this is VACUUM
        ANALYZE: the vacuum also sets the new rows' hint bits and the visibility map once,
        instead of the first readers writing to every page they read. (Not measured to
        change the first page's time; it takes seconds per million events.)"""
        statement = "VACUUM (ANALYZE)" if self.engine.dialect.name == "postgresql" else "ANALYZE"
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(statement))

    def prune(self, before: date, merge: Merge) -> int:
        """Delete documents published before `before` (UTC midnight), their mentions, and the
        events left without any; events they shared with newer reports are regrouped.
        Returns how many documents went."""
        cutoff = datetime.combine(before, datetime.min.time(), tzinfo=UTC)
        with self._driver_transaction("pruning") as (writer, changes):
            old = [
                r[0] for r in writer.execute(writer.sql.old_documents, [writer.sql.stamp(cutoff)])
            ]
            if old:
                # Other processes' caches hold these mentions: bump their blocks (index.py).
                gone = index.read_mentions(writer, old)
                self._index.bump(writer, changes, index.entries_blocks(gone))
                changes.remove(gone)
                writer.forget_mentions(old, merge)
                writer.delete_in("DELETE FROM documents WHERE id {among}", old)
            return len(old)

    def check(self) -> list[str]:
        """Differences between the live schema and the tables the code expects (empty: ok)."""
        from alembic.autogenerate import compare_metadata
        from alembic.runtime.migration import MigrationContext

        from timeline.store.tables import metadata

        problems = []
        if not self.is_current():
            problems.append(f"not at revision {SCHEMA_REVISION}: run `timeline db upgrade`")
        with self.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), metadata)
        problems += [f"schema differs from the code: {entry}" for entry in diff]
        return problems

    # -- reading -----------------------------------------------------------------------

    def events(
        self,
        *,
        start: date | None = None,
        end: date | None = None,
        source: str | None = None,
        words: Sequence[str] = (),
        starting_from: date | None = None,
        limit: int | None = None,
    ) -> list[Event]:
        """Events overlapping [start, end), oldest first, with all their mentions.

        `words`: each must occur (any case) in the title or in a reporting sentence.
        `starting_from`: only events that start on or after that day (upcoming ones).
        The SQL is in read.py, shared with the light read path of `timeline show`.
        """
        wanted = read.EventFilter(
            start=start,
            end=end,
            source=source,
            words=tuple(words),
            starting_from=starting_from,
            limit=limit,
        )
        return self.read(wanted)

    def read(self, wanted: read.EventFilter) -> list[Event]:
        """Events matching `wanted`; see `events()`.

        PostgreSQL: in autocommit, as `timeline show` reads, on a pool without pre-ping. A
        page is one statement; a transaction around it cost two more round trips (BEGIN,
        and the pool's ROLLBACK) and the ping a third, each as long as the statement itself
        (issue #6). A connection the server dropped fails its read and is discarded; the
        read runs once more on a new one. SQLite has no round trips, and switching its
        connection's mode back and forth costs more than it saves."""
        try:
            return self._read(wanted, retry=True)
        except _Dropped:
            return self._read(wanted, retry=False)

    def _read(self, wanted: EventFilter, *, retry: bool) -> list[Event]:
        # The pool's connection itself, not a Connection around it: the wrapper cost 0.15 ms
        # of a 1.5 ms page on PostgreSQL (issue #6), and read.py needs only the driver's.
        pooled = self._reads.raw_connection()
        try:
            driver = pooled.driver_connection
            try:
                dialect = self.engine.dialect.name
                execute = read.runner(driver, binary=dialect == "postgresql")
                return read.select_events(execute, dialect, wanted)
            except Exception as exc:
                if not retry or not getattr(driver, "broken", False):
                    raise
                pooled.invalidate()
                raise _Dropped from exc
        finally:
            pooled.close()

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as connection:
            return {
                table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in (sources, documents, events, mentions)
            }


@dataclass(slots=True)
class _Pending:
    """A claim or finish waiting for its turn in a shared transaction, then its result."""

    sql: str  # one of the statements below
    params: tuple[Any, ...]
    what: str  # for the error message: "claiming source 'bbc'"
    row: tuple[Any, ...] | None = None
    error: Exception | None = None
    done: bool = False


# The daemon's statements about sources, run twice for every fetch. They go straight to the
# DB-API connection (as read.py's do): through SQLAlchemy, a claim and a finish cost more
# CPU than the conditional GET between them (issue 4). Written for sqlite3 (`?`); psycopg
# gets `%s`. Dialect difference: PostgreSQL locks the row being claimed and passes over one
# another daemon is claiming (FOR UPDATE SKIP LOCKED) instead of queueing behind it; SQLite
# has no row locks and serves one daemon per file (schedule.py).
_CLAIM = (
    "UPDATE sources SET lease_owner = ?, lease_expires = ? WHERE name = ("
    "SELECT name FROM sources WHERE name = ? AND (lease_expires IS NULL OR lease_expires < ?)"
    "{due}{lock}) RETURNING etag, last_modified, consecutive_errors"
)
_DUE = " AND (next_due IS NULL OR next_due <= ?)"
_ENDED = "last_attempt = ?, lease_owner = NULL, lease_expires = NULL, next_due = ?"
_OURS = "WHERE name = ? AND lease_owner = ?"
_FINISH_OK = (
    f"UPDATE sources SET {_ENDED}, last_success = ?, last_error = NULL, "
    f"consecutive_errors = 0, etag = ?, last_modified = ? {_OURS}"
)
_FINISH_FAILED = (
    f"UPDATE sources SET {_ENDED}, last_error = ?, "
    f"consecutive_errors = consecutive_errors + 1 {_OURS}"
)


class _LeaseSql:
    """The statements above in the engine's dialect, and its form of a stored datetime."""

    def __init__(self, engine: Engine) -> None:
        postgresql = engine.dialect.name == "postgresql"
        lock = " FOR UPDATE SKIP LOCKED" if postgresql else ""

        def dialect(sql: str) -> str:
            return sql.replace("?", "%s") if postgresql else sql

        self.claim_due = dialect(_CLAIM.format(due=_DUE, lock=lock))
        self.claim_any = dialect(_CLAIM.format(due="", lock=lock))
        self.finish_ok = dialect(_FINISH_OK)
        self.finish_failed = dialect(_FINISH_FAILED)
        # What SQLAlchemy binds for the column (SQLite: a UTC string it compares as text),
        # so these rows read back through the tables like any other.
        column = sources.c.next_due.type.dialect_impl(engine.dialect)
        when = column.bind_processor(engine.dialect)
        self.when: Callable[[datetime], Any] = when or (lambda value: value)
        if engine.dialect.name == "sqlite":
            self.when = self._sqlite_time  # the same text, in half the time
        # The driver's own errors, and SQLAlchemy's when the pool cannot connect.
        self.errors: tuple[type[Exception], ...] = (engine.dialect.loaded_dbapi.Error, DBAPIError)

    @staticmethod
    def _sqlite_time(value: datetime) -> str:
        """What SQLAlchemy binds for a `UTCDateTime` on SQLite (naive UTC, then the dialect's
        "2025-03-07 08:00:00.000000"), written with datetime's own isoformat: 2 us, not 4,
        and a claim and a finish bind five times (~15 % of their CPU; issue 4).
        tests/test_schedule_leases.py holds the two to the same text."""
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored")
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _apart(
    found: Sequence[Mention], candidates: Sequence[Event]
) -> list[tuple[list[Mention], list[Event]]]:
    """Split one merge into parts that cannot touch each other, each with its own mentions
    and candidates; merging part by part gives the same events, in a fraction of the time.

    merge() compares each new mention with every mention of every candidate; a document's
    mentions name days far apart, and on a busy store each day brings hundreds of candidates
    (issue #6: saves at 3-5 a second). Two reports can only be of one happening when their
    dates overlap at a compatible granularity (events.merge; Granularity.within_a_day), the
    rule select_candidates already reads by. So per level (within a day, or the granularity
    itself), overlapping intervals of new mentions and of candidates' mentions are chained
    into runs; a part is what the runs connect. Runs may join more than needed, never less.
    """
    parent = list(range(len(found) + len(candidates)))

    def root(item: int) -> int:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    spans: dict[str, list[tuple[date, date, int]]] = {}
    for place, m in enumerate(found):
        spans.setdefault(_level(m), []).append((m.interval.start, m.interval.end, place))
    for place, candidate in enumerate(candidates, start=len(found)):
        for m in candidate.mentions:
            spans.setdefault(_level(m), []).append((m.interval.start, m.interval.end, place))
    for level in spans.values():
        level.sort()
        run_end, run = level[0][1], level[0][2]
        for start, end, item in level[1:]:
            if start < run_end:
                parent[root(item)] = root(run)
                run_end = max(run_end, end)
            else:
                run_end, run = end, item
    parts: dict[int, tuple[list[Mention], list[Event]]] = {}
    for place, m in enumerate(found):
        parts.setdefault(root(place), ([], []))[0].append(m)
    for place, candidate in enumerate(candidates, start=len(found)):
        part = parts.get(root(place))
        if part is not None:  # a candidate no new mention reaches stays as it is
            part[1].append(candidate)
    return list(parts.values())


class _Dropped(Exception):
    """A read's PostgreSQL connection was lost (a server restart): read again."""


def _level(mention: Mention) -> str:
    return index.LEVELS[mention.granularity]


def _insert_ignoring_conflicts(dialect: str, rows: list[dict[str, Any]]) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING, which both dialects have but spell apart."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(sources).values(rows).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(sources).values(rows).on_conflict_do_nothing()


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    # In WAL mode NORMAL syncs at checkpoints, not at every commit: a killed process loses
    # nothing committed and the file stays consistent; only a power cut may lose the last
    # commits (each commit was an fsync, 5 ms here: most of the time of storing a document).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")  # off by default in SQLite
    cursor.execute("PRAGMA busy_timeout=10000")  # wait for a writer instead of failing
    cursor.execute(read.SQLITE_MMAP)
    cursor.close()


def _postgresql_session(dbapi_connection: Any, _record: object) -> None:
    # See read.POSTGRESQL_SESSION. Outside any transaction: SQLAlchemy has not begun one yet,
    # and a SET inside one would be undone by the pool's rollback.
    dbapi_connection.execute(read.POSTGRESQL_SESSION)
    dbapi_connection.commit()
