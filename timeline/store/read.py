"""Reading events: the one place their SQL is written, runnable without SQLAlchemy.

`timeline show` must answer in a fifth of a second, and importing SQLAlchemy alone costs
more than that here. So reads are plain SQL run through a DB-API cursor: `Store.events()`
passes the driver connection under its own SQLAlchemy connection, and `open_reader()` opens
sqlite3 or psycopg directly for the command line. Both run the same queries below.

Dialect differences, each in one place:
- placeholders: `?` for sqlite3, `%s` for psycopg (`_Sql.text`);
- values: SQLite keeps dates and times as ISO text (SQLAlchemy's storage format, naive UTC),
  PostgreSQL returns `date` and aware `datetime` objects (`_day`, `_instant`);
- the first page of a range: SQLite merges its parts as one ordered compound SELECT of
  index entries, PostgreSQL limits each part by itself and takes the event's columns there;
  the page's rows (each event's, then its mentions') are numbered by event id and put in
  order here for SQLite, numbered by place and ordered by PostgreSQL itself (`select_events`);
  without reports, each event's sources come as an array on PostgreSQL, as JSON on SQLite;
- id lists: an IN list on SQLite, one array parameter on PostgreSQL (`_with_mentions`);
- sessions: SQLite reads through a memory map (`SQLITE_MMAP`), PostgreSQL plans prepared
  statements once and sends times in UTC (`POSTGRESQL_SESSION`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import quote

from timeline.model import CueNeeds, Event, Granularity, Interval, Mention, Tense

Execute = Callable[[str, Sequence[object]], list[tuple[Any, ...]]]

# The longest interval an event of each granularity can cover (a little slack included).
# Range queries rely on it and the store refuses anything longer.
MAX_SPAN = {
    Granularity.CENTURY: timedelta(days=36_526),
    Granularity.DECADE: timedelta(days=3_654),
    Granularity.YEAR: timedelta(days=367),
    Granularity.QUARTER: timedelta(days=93),
    Granularity.SEASON: timedelta(days=94),
    Granularity.MONTH: timedelta(days=32),
    Granularity.WEEK: timedelta(days=8),
    Granularity.DAY: timedelta(days=2),
    Granularity.PART_OF_DAY: timedelta(days=2),
    Granularity.TIME: timedelta(days=2),
}

_GRANULARITY_INDEX = "ix_events_granularity_start_end_key"  # migrations/versions/0004

# SQLite reads pages through a memory map instead of a read() call into its own cache (2 MB
# by default): the first page of a month visits a few hundred pages scattered over the file,
# and mapped they cost a third of the time (issue #6). Address space only, up to this size.
SQLITE_MMAP = "PRAGMA mmap_size = 1073741824"

# psycopg prepares a statement run five times; PostgreSQL then plans it afresh on every run
# unless its generic plan looks as cheap, and for the first page (eleven parts, estimated
# without their dates) it never does: 0.8 ms of planning per page, a third of the answer
# (issue #6). Every statement here reads by index whatever its dates, so plan once.
# Times come in UTC, as they are kept: psycopg then gives them the `datetime.UTC` zone, and
# `_instant` has nothing to convert (in the server's zone, each mention's publish time of a
# page was converted).
POSTGRESQL_SESSION = "SET plan_cache_mode = force_generic_plan; SET TimeZone = 'UTC'"
_EVENT_COLUMNS = 'e.id, e.key, e.value, e.granularity, e.start, e."end", e.at, e.title'
_MENTION_COLUMNS = (
    "m.id, m.event_id, m.sentence, m.sentence_start, m.quote, m.quote_start, m.quote_end, "
    'm.value, m.granularity, m.start, m."end", m.at, m.tense, '
    "m.source, m.canonical_url, m.published"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class EventFilter:
    """What `timeline show`, `export` and `serve` can ask for."""

    start: date | None = None  # events overlapping [start, end)
    end: date | None = None
    source: str | None = None  # reported by this source
    words: tuple[str, ...] = ()  # each in the title or a reporting sentence, any case
    starting_from: date | None = None  # starting on or after this day
    limit: int | None = None
    # False: who reported each event is all the caller needs (`timeline show` without -v),
    # and the first page of a range comes without the mentions, with Event.reported_by
    # instead (on PostgreSQL at 1M events, half the time of the page with them; issue #6).
    # Other reads ignore it.
    reports: bool = True


@dataclass
class _Sql:
    """A WHERE clause being built, with its parameters in order."""

    dialect: str
    parts: list[str] = field(default_factory=list)
    params: list[object] = field(default_factory=list)

    def add(self, sql: str, *params: object) -> None:
        self.parts.append(sql)
        self.params.extend(params)

    def value(self, day: date) -> object:
        # sqlite3's default date adapter is deprecated; SQLite compares the ISO text.
        return day.isoformat() if self.dialect == "sqlite" else day

    def text(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgresql" else sql


def select_events(execute: Execute, dialect: str, wanted: EventFilter) -> list[Event]:
    """Events matching `wanted`, oldest first (start, end, key), with all their mentions.

    With a lower bound, one statement (issue #6: a round trip per part cost more than the
    reading): the page is a UNION ALL of parts read in index order, so the first page of a
    busy month never sorts the whole month: events that began before `start` and still run
    into it (few: no event is longer than its granularity allows, so per granularity only
    those that started MAX_SPAN before `start` can, one short range of the (granularity,
    start, end, key) index each), then events starting from `start` on, read in (start,
    end, key) index order. Each part reads no more than the limit (on SQLite, only what
    those indexes hold: row id and order); the page's events are then joined to their
    mentions, which carry their documents' provenance (no documents row is read), and come
    back as a row for each event and one for each mention (`_PAGE`).
    """
    # Filters other than bounds on the start day; each part adds one lower and one upper
    # bound of its own (below).
    common = _Sql(dialect)
    for word in wanted.words:
        pattern = "%" + _escape_like(word.lower()) + "%"
        common.add(
            "(lower(e.title) LIKE ? ESCAPE '\\' OR e.id IN (SELECT event_id FROM mentions "
            "WHERE lower(sentence) LIKE ? ESCAPE '\\'))",
            pattern,
            pattern,
        )
    if wanted.source is not None:
        common.add(
            "e.id IN (SELECT m.event_id FROM mentions m "
            "JOIN documents d ON d.id = m.document_id WHERE d.source = ?)",
            wanted.source,
        )
    if wanted.start is None:
        if wanted.end is not None:
            common.add("e.start < ?", common.value(wanted.end))
        if wanted.starting_from is not None:
            common.add("e.start >= ?", common.value(wanted.starting_from))
        query, params = _ordered(common, wanted.limit)
        ids = [row[0] for row in execute(common.text(query), params)]
        return _with_mentions(execute, dialect, ids)
    # Events that began before `start` and still run into it, per granularity: each part
    # reads the (granularity, start, end, key) index in order; then those starting from
    # `start` on, from the (start, end, key) index.
    #
    # Each part names only its tightest bound on each side: given two upper bounds on the
    # start day (`start` and the range's `end`), SQLite ranged its index scan by the first
    # one written, and the part for days read every day event of the month to return none
    # (issue #6: about 7,000 index entries at 1M events, two fifths of the first page).
    before = wanted.start if wanted.end is None else min(wanted.start, wanted.end)
    parts: list[tuple[_Sql, str | None]] = []
    for granularity, span in MAX_SPAN.items():
        part = _Sql(dialect, list(common.parts), list(common.params))
        part.add("e.granularity = ?", granularity.value)
        if wanted.starting_from is not None and wanted.starting_from > wanted.start - span:
            part.add("e.start >= ?", part.value(wanted.starting_from))
        else:
            part.add("e.start > ?", part.value(wanted.start - span))
        part.add("e.start < ?", part.value(before))
        part.add('e."end" > ?', part.value(wanted.start))
        parts.append((part, _GRANULARITY_INDEX))
    later = _Sql(dialect, list(common.parts), list(common.params))
    later.add("e.start >= ?", later.value(max(wanted.start, wanted.starting_from or wanted.start)))
    if wanted.end is not None:
        later.add("e.start < ?", later.value(wanted.end))
    parts.append((later, None))
    if dialect == "sqlite":
        # One compound SELECT ordered as a whole: SQLite merges the parts' index scans
        # (co-routines) and stops at the limit, reading no more of any part than the page
        # takes. The parts read indexes only; the page's 50 rows are looked up after.
        page = " UNION ALL ".join(
            _ordered(part, None, index, sort=False)[0] for part, index in parts
        )
        params = [value for part, _ in parts for value in part.params]
        page += " ORDER BY 2, 3, 4"  # start, end, key
    else:
        # PostgreSQL plans that compound as a parallel scan of every part and a sort (40
        # ms on 1M events); each part ordered and limited by itself reads at most a page.
        # Its index scans visit each event's row anyway, so they take every column there
        # (a second lookup per event by id was a fifth of the page's buffer reads).
        limited = [
            _ordered(part, wanted.limit, index, columns=_EVENT_COLUMNS) for part, index in parts
        ]
        page = " UNION ALL ".join(
            f"SELECT * FROM ({sql}) AS p{n}" for n, (sql, _) in enumerate(limited)
        )
        params = [value for _, part_params in limited for value in part_params]
        page += " ORDER BY 5, 6, 2"  # start, end, key
    if wanted.limit is not None:
        page += f" LIMIT {int(wanted.limit)}"
    if not wanted.reports:
        # The page's events with their mentions' sources, which Python makes distinct and
        # sorts as Event.sources does (DISTINCT sorted each event's on the server: 0.08 ms
        # of a 0.65 ms statement on PostgreSQL). Both read them from the (event_id, source)
        # index (migrations/versions/0007).
        if dialect == "sqlite":
            # As the whole page: no ORDER BY, Python puts the events in order.
            query = (
                f"SELECT {_EVENT_COLUMNS}, (SELECT json_group_array(m.source) FROM mentions m "
                f"WHERE m.event_id = e.id) FROM ({page}) AS p JOIN events e ON e.id = p.id"
            )
            rows = [(*row[:-1], json.loads(row[-1])) for row in execute(query, params)]
            events = _summaries(rows, _Parser())
            events.sort(key=_timeline_order)
            return events
        # PostgreSQL: in the page's order, which its parts' merge gives already.
        query = (
            "SELECT p.*, ARRAY(SELECT m.source FROM mentions m WHERE m.event_id = p.id) "
            f"FROM ({page}) AS p ORDER BY 5, 6, 2"
        )
        return _summaries(execute(common.text(query), params), _Parser())
    # The page, then its events' rows and their mentions' in one statement: one round trip,
    # one plan.
    if dialect == "sqlite":
        # No ORDER BY, and the events' ids for `n`: SQLite's sort of the rows cost four
        # times Python's, and a window numbering the page 0.08 ms of its 0.65 (issue #6).
        # Python puts rows and events in order by the same keys (SQLite compares text by
        # code point, as Python does, and keeps dates and times as ISO text).
        numbered = (
            f"SELECT e.id AS n, {_EVENT_COLUMNS} FROM ({page}) AS p JOIN events e ON e.id = p.id"
        )
        rows = execute(_PAGE.format(page=numbered), params)
        rows.sort(key=_page_order)
        events = _page_events(rows, _Parser())
        events.sort(key=_timeline_order)
        return events
    # In the database's collation, as every read of mentions is.
    numbered = f'SELECT row_number() OVER (ORDER BY start, "end", key) AS n, * FROM ({page}) AS p'
    query = f"{_PAGE.format(page=numbered)} ORDER BY {_PAGE_ORDER}"
    return _page_events(execute(common.text(query), params), _Parser())


def _summaries(rows: Iterable[tuple[Any, ...]], parse: _Parser) -> list[Event]:
    """Rows of events (`_EVENT_COLUMNS`, then their sources) as events without mentions."""
    new_event, granularities = _new_event, _GRANULARITIES
    return [
        new_event(
            key,
            value,
            granularities[granularity],
            parse.interval(start, end, at),
            title,
            (),
            tuple(sorted(set(sources))),
        )
        for _, key, value, granularity, start, end, at, title, sources in rows
    ]


def _timeline_order(event: Event) -> tuple[date, date, str]:
    """An event's (start, end, key): the order of the timeline."""
    return event.interval.start, event.interval.end, event.key


def _ordered(
    sql: _Sql,
    limit: int | None,
    index: str | None = None,
    *,
    sort: bool = True,
    columns: str = 'e.id, e.start, e."end", e.key',
) -> tuple[str, list[object]]:
    """The ids of events matching `sql` in timeline order (`sort`): a statement and its
    parameters. By default it names only columns of the ordering indexes, which on SQLite
    hold the row id, so SQLite reads no table row for it. (A PostgreSQL index holds no id:
    there each entry still visits its row; the merge stops after about a page of them.)"""
    where = " AND ".join(sql.parts) or "1 = 1"
    # SQLite's planner would rather sort than walk the granularity index; name it there.
    indexed = f" INDEXED BY {index}" if index and sql.dialect == "sqlite" else ""
    query = f"SELECT {columns} FROM events e{indexed} WHERE {where}"
    if sort:
        query += ' ORDER BY e.start, e."end", e.key'
    params = list(sql.params)
    if limit is not None:
        query += f" LIMIT {int(limit)}"
    return query, params


def select_by_id(execute: Execute, dialect: str, ids: Sequence[int]) -> list[Event]:
    """The events with these row ids, in that order, with their mentions."""
    return _with_mentions(execute, dialect, ids)


class Joins(Protocol):
    """For a new mention, a test of whether it reports the same happening as a stored one of
    a compatible date, given the stored one's sentence and key-word stems; and what the
    stored one's stems and cues must hold for that to be True (None: nothing). See
    events.may_join."""

    def __call__(self, sentence: str, stems: Sequence[str], /) -> bool: ...

    @property
    def needs(self) -> CueNeeds | None: ...


MayJoin = Callable[[Mention], Joins]


def select_candidates(
    execute: Execute, dialect: str, found: Sequence[Mention], may_join: MayJoin | None = None
) -> list[Event]:
    """Stored events that mentions in `found` would join: events with a mention of an
    overlapping date at a compatible granularity (see Granularity.within_a_day; a "2025"
    mention must not drag in every day of 2025) that `may_join` one of them. Without
    `may_join`, every event with such a mention.

    The stored mentions of those dates are read from their own index, with only what
    `may_join` needs; only the events it picks are then read whole. On a busy store a day
    holds thousands of events, and reading every one of them whole for each new document
    made saving slow (issue #4: 44 ms a document in a first cycle of 5,000 documents).
    """
    if not found:
        return []
    return _with_mentions(
        execute, dialect, sorted(candidate_ids(execute, dialect, found, may_join))
    )


def candidate_ids(
    execute: Execute, dialect: str, found: Sequence[Mention], may_join: MayJoin | None = None
) -> set[int]:
    """The ids of the events select_candidates reads."""
    if not found:
        return set()
    sql = _Sql(dialect)
    terms = []
    for m in found:
        for granularity in _levels(m.granularity):
            terms.append('(m.granularity = ? AND m.start > ? AND m.start < ? AND m."end" > ?)')
            sql.params += [
                granularity.value,
                sql.value(m.interval.start - MAX_SPAN[granularity]),
                sql.value(m.interval.end),
                sql.value(m.interval.start),
            ]
    query = (
        'SELECT m.event_id, m.granularity, m.start, m."end", m.sentence, m.stems '
        "FROM mentions m WHERE " + " OR ".join(terms)
    )
    wanted = [
        (
            {g.value for g in _levels(m.granularity)},
            *_bounds(sql, m.interval),
            may_join(m) if may_join else None,
        )
        for m in found
    ]
    ids: set[int] = set()
    for event_id, granularity, start, end, sentence, stems in execute(sql.text(query), sql.params):
        if event_id in ids:
            continue
        stored_stems = stems.split()
        for levels, new_start, new_end, joins in wanted:
            if (
                granularity in levels
                and start < new_end
                and end > new_start
                and (joins is None or joins(sentence, stored_stems))
            ):
                ids.add(event_id)
                break
    return ids


def _levels(granularity: Granularity) -> list[Granularity]:
    """The granularities a mention's may join: any within a day for those within a day."""
    if granularity.within_a_day:
        return [g for g in Granularity if g.within_a_day]
    return [granularity]


def _bounds(sql: _Sql, interval: Interval) -> tuple[Any, Any]:
    """An interval's days as the dialect returns dates (ISO text on SQLite)."""
    return sql.value(interval.start), sql.value(interval.end)


# A mention row carries its document's source, canonical URL and publish time (tables.py),
# so events and their reports need no documents row: one lookup per mention, not two.
_JOINED = (
    f"SELECT {_EVENT_COLUMNS}, {_MENTION_COLUMNS} FROM {{events}} "
    "LEFT JOIN mentions m ON m.event_id = e.id"
)
_REPORT_ORDER = "m.published, m.canonical_url, m.sentence_start"


# The first page of a range (issue #6): a row for each event, numbered `n` (its place in
# timeline order; on SQLite, its id), then a row for each of its mentions, with the same
# `n`. An event's columns come once, not on every row of its mentions (a long event has
# hundreds); the interval's columns are shared, and on a mention's row they are NULL where
# they equal its event's (most mentions have their event's interval), except `at`, which
# may be NULL.
_PAGE = (
    "WITH page AS ({page}) "
    'SELECT n, NULL AS id, value, granularity, start, "end", at, key, title, '
    "NULL AS sentence, NULL AS sentence_start, NULL AS quote, NULL AS quote_start, "
    "NULL AS quote_end, NULL AS tense, NULL AS source, NULL AS canonical_url, "
    "NULL AS published FROM page "
    "UNION ALL "
    "SELECT page.n, m.id, NULLIF(m.value, page.value), "
    "NULLIF(m.granularity, page.granularity), NULLIF(m.start, page.start), "
    'NULLIF(m."end", page."end"), m.at, NULL, NULL, m.sentence, m.sentence_start, m.quote, '
    "m.quote_start, m.quote_end, m.tense, m.source, m.canonical_url, m.published "
    "FROM page JOIN mentions m ON m.event_id = page.id"
)
# An event's row, then its mentions' in report order (see _REPORT_ORDER).
_PAGE_ORDER = "n, published NULLS FIRST, canonical_url, sentence_start"


def _page_order(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """_PAGE_ORDER for a row of _PAGE: (n, is a mention, published, canonical_url,
    sentence_start); an event's row has no mention id (row[1])."""
    return row[0], row[1] is not None, row[17], row[16], row[10]


def _page_events(rows: Iterable[tuple[Any, ...]], parse: _Parser) -> list[Event]:
    """Rows of _PAGE in _PAGE_ORDER as events.

    The loop every page runs once per mention, written out with its lookups in locals as
    _group's is; a mention's interval, value and granularity are its event's unless its row
    names others."""
    page: list[tuple[tuple[Any, ...], list[Mention]]] = []
    mentions: list[Mention] = []
    event_value = event_granularity = event_interval = event_start = event_end = event_at = None
    granularities, tenses = _GRANULARITIES, _TENSES
    new_mention, instant, interval_of = _new_mention, parse.instant, parse.interval
    for row in rows:
        (
            _,
            mention_id,
            value,
            granularity,
            start,
            end,
            at,
            key,
            title,
            sentence,
            sentence_start,
            quote,
            quote_start,
            quote_end,
            tense,
            source,
            url,
            published,
        ) = row
        if mention_id is None:  # the event's own row
            event_value, event_granularity = value, granularities[granularity]
            event_start, event_end, event_at = start, end, at
            event_interval = interval_of(start, end, at)
            mentions = []
            page.append(((key, value, event_granularity, event_interval, title), mentions))
            continue
        if start is None and end is None and at == event_at:
            interval = event_interval
        else:
            interval = interval_of(
                event_start if start is None else start, event_end if end is None else end, at
            )
        mentions.append(
            new_mention(
                sentence,
                quote,
                quote_start,
                quote_end,
                event_value if value is None else value,
                event_granularity if granularity is None else granularities[granularity],
                interval,
                tenses[tense],
                sentence_start,
                mention_id,
                source,
                url,
                instant(published),
            )
        )
    new_event = _new_event
    return [
        new_event(key, value, granularity, interval, title, tuple(mentions), None)
        for (key, value, granularity, interval, title), mentions in page
    ]


def _with_mentions(execute: Execute, dialect: str, ids: Sequence[int]) -> list[Event]:
    """The events with these ids, in this order, each with its mentions in report order:
    one statement per 500 events (a join, not a query per table)."""
    grouped: _Grouped = {}
    parse = _Parser()
    for chunk in range(0, len(ids), 500):  # keep each IN list well under driver limits
        part = ids[chunk : chunk + 500]
        # PostgreSQL: one array parameter, so the statement's text is the same for any
        # number of ids and psycopg prepares it once (planning cost as much as running).
        params: list[object]
        if dialect == "postgresql":
            wanted, params = "= ANY(%s)", [list(part)]
        else:
            wanted, params = f"IN ({', '.join('?' for _ in part)})", list(part)
        query = _JOINED.format(events="events e") + f" WHERE e.id {wanted} ORDER BY {_REPORT_ORDER}"
        _group(execute(query, params), grouped, parse)
    return _events(grouped, ids, parse)


# Event id -> its columns and its mentions so far.
_Grouped = dict[int, tuple[tuple[Any, ...], list[Mention]]]


def _group(rows: Iterable[tuple[Any, ...]], grouped: _Grouped, parse: _Parser) -> None:
    """Rows of _JOINED (event columns, then a mention's, or NULLs) into `grouped`.

    The loop every page runs once per mention (a busy month's first page holds hundreds),
    so it is written out here with its lookups in locals, and builds each Mention through
    `_new_mention` (issue #6)."""
    intervals, instants = parse.intervals, parse.instants
    granularities, tenses = _GRANULARITIES, _TENSES
    for row in rows:
        found = grouped.get(row[0])
        if found is None:
            found = grouped[row[0]] = (row[:8], [])
        if row[8] is None:
            continue
        (
            mention_id,
            _event_id,
            sentence,
            sentence_start,
            quote,
            quote_start,
            quote_end,
            value,
            granularity,
            start,
            end,
            at,
            tense,
            source,
            url,
            published,
        ) = row[8:]
        interval = intervals.get((start, end, at))
        if interval is None:
            interval = parse.interval(start, end, at)
        moment = instants.get(published)
        if moment is None:
            moment = parse.instant(published)
        found[1].append(
            _new_mention(
                sentence,
                quote,
                quote_start,
                quote_end,
                value,
                granularities[granularity],
                interval,
                tenses[tense],
                sentence_start,
                mention_id,
                source,
                url,
                moment,
            )
        )


def _events(grouped: _Grouped, ids: Iterable[int], parse: _Parser) -> list[Event]:
    events = []
    for event_id in ids:
        found = grouped.get(event_id)
        if found is None:
            continue
        (_, key, value, granularity, start, end, at, title), mentions = found
        events.append(
            Event(
                key=key,
                value=value,
                granularity=_GRANULARITIES[granularity],
                interval=parse.interval(start, end, at),
                title=title,
                mentions=tuple(mentions),
            )
        )
    return events


_GRANULARITIES = {g.value: g for g in Granularity}
_TENSES = {t.value: t for t in Tense}


class _Parser:
    """Rows to model objects; the intervals and instants of one answer are shared (an
    event's mentions mostly carry its interval, a document's its publish time)."""

    def __init__(self) -> None:
        self.intervals: dict[tuple[Any, Any, Any], Interval] = {}
        self.instants: dict[Any, datetime | None] = {}

    def interval(self, start: Any, end: Any, at: Any) -> Interval:
        found = self.intervals.get((start, end, at))
        if found is None:
            found = Interval(start=_day(start), end=_day(end), at=self.instant(at))
            self.intervals[start, end, at] = found
        return found

    def instant(self, value: Any) -> datetime | None:
        if value.__class__ is datetime and value.tzinfo is UTC:
            # PostgreSQL's, in its UTC session: nothing to convert, and caching it missed on
            # nearly every row (each document's time is its own; issue #6)
            return value
        if value is None:
            return None
        found = self.instants.get(value)
        if found is None:
            found = self.instants[value] = _instant(value)
        return found


def _mention_builder() -> Callable[..., Mention]:
    """A function making a Mention from its fields in declaration order, without the
    dataclass's __init__: a frozen dataclass matches 14 keywords and sets each field
    through object.__setattr__, a third of a page's Python time (issue #6). This sets the
    slots directly; it checks Mention's fields when the module loads, so a field added to
    the model fails here first instead of leaving a Mention half made."""
    names = tuple(f.name for f in fields(Mention))
    expected = (
        "sentence",
        "quote",
        "quote_start",
        "quote_end",
        "value",
        "granularity",
        "interval",
        "tense",
        "sentence_start",
        "id",
        "source",
        "url",
        "published",
        "stems",
        "cues",
    )
    if names != expected:
        raise TypeError(f"read.py builds Mention from {expected}, the model has {names}")
    (
        sentence,
        quote,
        quote_start,
        quote_end,
        value,
        granularity,
        interval,
        tense,
        sentence_start,
        id_,
        source,
        url,
        published,
        stems,
        cues,
    ) = (getattr(Mention, name).__set__ for name in names)
    new = object.__new__

    def build(
        a: str,
        b: str,
        c: int,
        d: int,
        e: str,
        f: Granularity,
        g: Interval,
        h: Tense,
        i: int,
        j: int | None,
        k: str,
        m: str,
        n: datetime | None,
    ) -> Mention:
        made: Mention = new(Mention)
        sentence(made, a)
        quote(made, b)
        quote_start(made, c)
        quote_end(made, d)
        value(made, e)
        granularity(made, f)
        interval(made, g)
        tense(made, h)
        sentence_start(made, i)
        id_(made, j)
        source(made, k)
        url(made, m)
        published(made, n)
        stems(made, ())  # the store's own business (select_candidates reads them there)
        cues(made, ())  # and so are these (the candidate index reads them)
        return made

    return build


_new_mention = _mention_builder()


def _event_builder() -> Callable[..., Event]:
    """A function making an Event from its fields in declaration order, as
    `_mention_builder` makes a Mention and for the same reason (a frozen dataclass's
    __init__ sets each field through object.__setattr__), checked against the model the
    same way."""
    names = tuple(f.name for f in fields(Event))
    expected = ("key", "value", "granularity", "interval", "title", "mentions", "reported_by")
    if names != expected:
        raise TypeError(f"read.py builds Event from {expected}, the model has {names}")
    key, value, granularity, interval, title, mentions, reported_by = (
        getattr(Event, name).__set__ for name in names
    )
    new = object.__new__

    def build(
        a: str,
        b: str,
        c: Granularity,
        d: Interval,
        e: str,
        f: tuple[Mention, ...],
        g: tuple[str, ...] | None,
    ) -> Event:
        made: Event = new(Event)
        key(made, a)
        value(made, b)
        granularity(made, c)
        interval(made, d)
        title(made, e)
        mentions(made, f)
        reported_by(made, g)
        return made

    return build


_new_event = _event_builder()


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _instant(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        # SQLite keeps naive UTC text: parsed with its offset spelled out, five times faster
        # than attaching the zone afterwards with datetime.replace (a mention's publish
        # time is parsed on every row of a page; issue #6).
        try:
            return datetime.fromisoformat(value + "+00:00")
        except ValueError:  # text that names its own offset
            value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# -- the light path for the command line --------------------------------------------------


@dataclass
class Reader:
    """A driver connection that can run `select_events`; close it when done."""

    dialect: str
    execute: Execute
    close: Callable[[], None]

    def events(self, wanted: EventFilter) -> list[Event]:
        return select_events(self.execute, self.dialect, wanted)


def open_reader(url: str, schema_revision: str) -> Reader | None:
    """Open the database named by `url` with its driver alone, when that is possible and
    the schema is at `schema_revision`; otherwise None (the caller opens a full Store,
    which migrates and explains errors)."""
    if url.startswith("sqlite:///") and "?" not in url:
        path = url.removeprefix("sqlite:///")
        if not path or path == ":memory:":
            return None
        try:
            # Read-only: a reader must never create or change the file.
            connection = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True)
            connection.execute(SQLITE_MMAP)
        except sqlite3.Error:
            return None
        reader = Reader(dialect="sqlite", execute=runner(connection), close=connection.close)
        errors: tuple[type[Exception], ...] = (sqlite3.Error,)
    elif url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        import psycopg

        plain = "postgresql://" + url.split("://", 1)[1]
        try:
            pg = psycopg.connect(plain, autocommit=True, connect_timeout=10)
            pg.execute(POSTGRESQL_SESSION)
        except psycopg.Error:
            return None
        reader = Reader(dialect="postgresql", execute=runner(pg, binary=True), close=pg.close)
        errors = (psycopg.Error,)
    else:
        return None
    try:
        found = reader.execute("SELECT version_num FROM alembic_version", [])
    except errors:
        found = []
    if [row[0] for row in found] != [schema_revision]:
        reader.close()
        return None
    return reader


def runner(connection: Any, *, binary: bool = False) -> Execute:
    """`Execute` over any DB-API connection: a cursor per statement, all rows back.

    `binary` (psycopg only): values come in PostgreSQL's binary format, dates and times as
    numbers instead of text the server formats and psycopg parses (a first page at 1M
    events: 2-3% of its time, interleaved A/B; issue #6)."""

    def execute(sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        cursor = connection.cursor(binary=True) if binary else connection.cursor()
        try:
            cursor.execute(sql, list(params))
            rows: list[tuple[Any, ...]] = cursor.fetchall()
            return rows
        finally:
            cursor.close()

    return execute
