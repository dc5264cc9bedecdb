"""Types that cross stages. Every stage takes and returns these; none imports another stage.

Times: every datetime here is timezone-aware. Calendar intervals are half-open
``[start, end)`` in dates, as iCal's all-day DTEND is: the day of 7 March 2025 is
``start=2025-03-07, end=2025-03-08``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum


class SourceKind(StrEnum):
    FEED = "feed"  # RSS or Atom
    PAGE = "page"  # a single article page
    LISTING = "listing"  # a site's news index without a feed, read with CSS selectors


@dataclass(frozen=True, slots=True, kw_only=True)
class ListingSelectors:
    """CSS selectors that read a listing page into entries (issue 4: sites without a feed).

    `item` is matched on the page; the others within each item, the item itself included.
    """

    item: str  # one element per news item
    link: str  # its link: an element with href, or one holding an a[href]
    title: str | None = None  # its headline's text; None: the link's text
    date: str | None = None  # its date: a datetime/content attribute, else the text


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleSelectors:
    """CSS selectors that override the automatic choice on a source's article pages, for
    sites the heuristics get wrong (issue 5). None: the automatic choice."""

    body: str | None = None  # the element(s) holding the article's paragraphs
    title: str | None = None  # the headline
    date: str | None = None  # the publish time: a datetime/content attribute, else the text


@dataclass(frozen=True, slots=True, kw_only=True)
class Schedule:
    """When a source is fetched: every `interval_s` seconds, or on a cron expression."""

    interval_s: int | None = None
    cron: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """A configured feed, page or listing page."""

    name: str
    url: str
    kind: SourceKind = SourceKind.FEED
    timezone: str = "UTC"  # IANA name; pages without an offset are read in it
    schedule: Schedule = field(default_factory=lambda: Schedule(interval_s=3600))
    fetch_articles: bool = True  # fetch each entry's page for full text
    robots: bool = True  # obey the site's robots.txt
    listing: ListingSelectors | None = None  # set for, and only for, kind "listing"
    article: ArticleSelectors = field(default_factory=ArticleSelectors)


@dataclass(frozen=True, slots=True, kw_only=True)
class Validators:
    """HTTP cache validators kept per URL between fetches."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchResult:
    """One HTTP response, reduced to what the later stages need."""

    url: str  # the final URL, after redirects
    status: int
    content_type: str
    body: bytes
    validators: Validators
    not_modified: bool = False  # 304: the body is empty and nothing needs parsing


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One item of a feed or of a listing page."""

    url: str
    title: str = ""
    guid: str | None = None
    published: datetime | None = None
    summary: str = ""  # plain text
    content: str = ""  # the full text, when the feed carries it (content:encoded, Atom content)


@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    """What an article page holds, before any temporal work."""

    url: str
    canonical_url: str | None
    title: str
    text: str  # main text only; paragraphs separated by blank lines
    published: datetime | None
    published_from: str  # where `published` came from: "json-ld", "meta:article:published_time" …
    modified: datetime | None = None
    language: str | None = None
    author: str | None = None
    # What could not be done as configured, in words naming the source: a selector that
    # matched nothing, so the automatic choice was used. The caller logs them.
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """An article as stored: the text the events are read from, and where it came from."""

    source: str
    url: str
    canonical_url: str
    title: str
    text: str
    published: datetime
    published_from: str  # "json-ld", "feed", … ; says which evidence won
    fetched: datetime
    guid: str | None = None
    language: str | None = None
    timezone: str = "UTC"

    @property
    def content_hash(self) -> str:
        # The instant, not its zone: two sources reading one page in two zones agree.
        published = self.published.astimezone(UTC).isoformat()
        payload = "\x1f".join([self.title, published, self.text])
        return hashlib.sha256(payload.encode()).hexdigest()


class TimexType(StrEnum):
    """TIMEX3 types (TimeML 1.2.1)."""

    DATE = "DATE"
    TIME = "TIME"
    DURATION = "DURATION"
    SET = "SET"


class Granularity(StrEnum):
    """How precise a resolved expression is, coarsest first."""

    CENTURY = "century"
    DECADE = "decade"
    YEAR = "year"
    QUARTER = "quarter"
    SEASON = "season"
    MONTH = "month"
    WEEK = "week"
    DAY = "day"
    PART_OF_DAY = "part_of_day"
    TIME = "time"

    @property
    def within_a_day(self) -> bool:
        """Day, part of day and clock time all name one day: reports at these levels can be
        of one happening ("on Friday" and "on Friday morning"); coarser ones only match
        their own level, so "last week" never swallows every day of that week."""
        return self in (Granularity.DAY, Granularity.PART_OF_DAY, Granularity.TIME)


@dataclass(frozen=True, slots=True, kw_only=True)
class Interval:
    """Calendar days covered, half-open: [start, end). `at` is set for clock times."""

    start: date
    end: date
    at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Timex:
    """One temporal expression found in a text and resolved against an anchor.

    `value` is the TIMEX3 value ("2025-03-07", "2025-W11", "2025-03-06TNI", "P3Y",
    "XXXX-WXX-5", "PRESENT_REF"). `interval` and `granularity` are set only when the
    expression names a concrete stretch of the calendar (not for durations, sets,
    PRESENT_REF or values with X in them).
    """

    start: int  # character offsets into the text, end exclusive
    end: int
    text: str
    type: TimexType
    value: str
    granularity: Granularity | None = None
    interval: Interval | None = None
    anchor: str | None = None  # what it was resolved against: the publish date, or a nearer date


class Tense(StrEnum):
    """Where an event lies relative to the publish time of the article reporting it."""

    PAST = "past"
    ONGOING = "ongoing"
    UPCOMING = "upcoming"


# What a stored mention's cues must hold for a new mention to join it: at least `count` of
# `cues` for one of these (cues, count) pairs (events.may_join; the store's candidate index).
CueNeeds = tuple[tuple[tuple[str, ...], int], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Mention:
    """One dated sentence of one document: the evidence for an event."""

    sentence: str
    quote: str  # the temporal expression as written
    quote_start: int  # offsets of the quote inside `sentence`
    quote_end: int
    value: str
    granularity: Granularity
    interval: Interval
    tense: Tense
    sentence_start: int = 0  # where the sentence starts in the document's text
    id: int | None = field(default=None, compare=False)  # the store's row id, once stored
    # provenance, filled when the mention is tied to a stored document
    source: str = ""
    url: str = ""
    published: datetime | None = None
    # The sentence's key-word stems (events.key_stems), which the store keeps to find the
    # events a new mention could join without reading every event of its day. Empty when
    # not known: the store then treats the mention as one that could join anything.
    stems: tuple[str, ...] = field(default=(), compare=False)
    # What else the store files the sentence under (events.join_cues): the first letters of
    # the names it has beyond its key words, its neighbouring word pairs, and two marks; a
    # new mention names the cues a stored one needs to join it (`CueNeeds`). Empty when not
    # known: such a mention is one that could join anything.
    cues: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """A timeline entry: one happening, with every mention that reports it."""

    key: str  # stable across runs and exports; the iCal UID is made from it
    value: str
    granularity: Granularity
    interval: Interval
    title: str
    mentions: tuple[Mention, ...]
    # Its sources, when it was read without its mentions: `timeline show` without -v lists
    # only who reported each event, and reading every report cost PostgreSQL a third of the
    # first page (issue #6). None: they are its mentions' (`sources`).
    reported_by: tuple[str, ...] | None = None

    @property
    def sources(self) -> tuple[str, ...]:
        if self.reported_by is not None:
            return self.reported_by
        return tuple(sorted({m.source for m in self.mentions}))


class Status(StrEnum):
    OK = "ok"
    NOT_MODIFIED = "not_modified"
    FAILED = "failed"
    SKIPPED = "skipped"  # not due, or another daemon is fetching it


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceOutcome:
    """What one cycle did for one source. A cycle returns these; it never raises for a source."""

    source: str
    status: Status
    documents_new: int = 0
    documents_updated: int = 0
    documents_unchanged: int = 0
    events: int = 0
    errors: tuple[str, ...] = ()  # problems met along the way, in words, each naming the source
    retry_after_s: float | None = None  # the server asked us to wait this long (429/503)
    http_status: int | None = None  # the last answer to the source's own URL, if any
    bytes: int = 0  # bodies fetched, article pages included
    ms: int = 0  # how long the whole source took
    validators: Validators | None = None  # to send next time (after a success)
