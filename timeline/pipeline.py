"""One source, one cycle: fetch -> feed -> articles -> temporal -> events -> store.

The only module that knows the order of the stages. `run_source` is the per-source boundary:
whatever goes wrong inside it becomes a `SourceOutcome` with the problem in words (and a log
line), never an exception, so one broken source cannot stop the others. Within a source, one
bad article is skipped and reported while the rest are stored.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from timeline import events, temporal
from timeline.article import extract_article
from timeline.config import ExportSettings
from timeline.errors import FeedError, SourceError, TimelineError
from timeline.feeds import parse_feed
from timeline.fetch import Fetcher, HTTPStatusError, RateLimited
from timeline.files import write_atomically
from timeline.listing import parse_listing
from timeline.model import (
    Article,
    ArticleSelectors,
    Document,
    Entry,
    Event,
    FetchResult,
    Mention,
    Source,
    SourceKind,
    SourceOutcome,
    Status,
    Validators,
)
from timeline.store import SaveResult, SourceState, Store

log = logging.getLogger("timeline")

# A publish time outside this window makes no sense for news we are fetching now.
OLDEST_PUBLISHED = datetime.fromisoformat("1990-01-01T00:00:00+00:00")
FUTURE_TOLERANCE = timedelta(days=1)  # clocks and zones disagree; a day ahead is a bug
# Feeds often carry the time an item was added, a little after the page's own stamp.
DISAGREEMENT = timedelta(hours=6)
# A feed entry with this much text of its own (content:encoded, Atom content) carries the
# article, not a teaser: its page need not be fetched.
FULL_TEXT_CHARS = 1500
MAX_EVIDENCE_CHARS = 100  # documents.published_from


_RESULTS = tuple(SaveResult)  # iterating the enum itself, once per source, cost ~1 %


@dataclass
class _Tally:
    counts: dict[SaveResult, int] = field(default_factory=lambda: dict.fromkeys(_RESULTS, 0))
    events: int = 0
    errors: list[str] = field(default_factory=list)
    http_status: int | None = None  # of the source's own URL
    bytes: int = 0  # every body fetched for the source, article pages included


def run_source(
    source: Source, *, state: SourceState, fetcher: Fetcher, store: Store, now: datetime
) -> SourceOutcome:
    """Fetch and store one source, sending `state`'s validators. Never raises for the
    source's own failures; the caller records the outcome (with its new validators).

    Logs one line per source in logfmt: source, outcome, HTTP status, bytes, milliseconds,
    documents new, updated and unchanged, mentions stored, errors.
    """
    started = time.perf_counter()
    tally = _Tally()
    try:
        outcome = _run(source, state=state, fetcher=fetcher, store=store, now=now, tally=tally)
    except Exception as exc:  # the per-source boundary: nothing escapes to other sources
        message = str(exc) if isinstance(exc, TimelineError) else f"source {source.name!r}: {exc!r}"
        log.error("%s", message, exc_info=not isinstance(exc, TimelineError))
        outcome = SourceOutcome(
            source=source.name,
            status=Status.FAILED,
            errors=(message,),
            retry_after_s=exc.retry_after_s if isinstance(exc, RateLimited) else None,
        )
        if isinstance(exc, HTTPStatusError):
            tally.http_status = exc.status
    outcome = replace(
        outcome,
        http_status=tally.http_status,
        bytes=tally.bytes,
        ms=round((time.perf_counter() - started) * 1000),
    )
    # Formatted by logging, only when the line is written: a cycle of 304s logs little else.
    log.info(
        "source=%s status=%s http=%s bytes=%d ms=%d new=%d updated=%d unchanged=%d events=%d "
        "errors=%d",
        outcome.source,
        outcome.status.value,
        outcome.http_status or "-",
        outcome.bytes,
        outcome.ms,
        outcome.documents_new,
        outcome.documents_updated,
        outcome.documents_unchanged,
        outcome.events,
        len(outcome.errors),
    )
    return outcome


def _run(
    source: Source,
    *,
    state: SourceState,
    fetcher: Fetcher,
    store: Store,
    now: datetime,
    tally: _Tally,
) -> SourceOutcome:
    validators = Validators(etag=state.etag, last_modified=state.last_modified)
    result = fetcher.get(
        source.url, source=source.name, validators=validators, robots=source.robots
    )
    tally.http_status = result.status
    tally.bytes += len(result.body)
    if result.not_modified:
        return SourceOutcome(source=source.name, status=Status.NOT_MODIFIED, validators=validators)

    if source.kind is SourceKind.PAGE:
        article = _extract(source, result)
        _save(source, [_prepare(source, article, None, now=now)], store=store, tally=tally)
    else:
        entries = _entries_of(source, result)
        paged = [e.url for e in entries if _needs_page(e, source)]
        known = store.fetched_at(source.name, paged) if paged else {}
        # Entries that carry their own text came with this fetch: they are saved together,
        # in one transaction (issue #4). An entry whose page is fetched is saved as soon as
        # it is: its request (and the host's delay) costs far more than its transaction,
        # and what was fetched before a crash stays stored, so it is not asked for again.
        carried: list[_Prepared] = []
        for entry in entries:
            if _seen(entry, source, known):
                tally.counts[SaveResult.UNCHANGED] += 1
                continue
            try:
                article = _article_for(entry, source, fetcher=fetcher, tally=tally)
                prepared = _prepare(source, article, entry, now=now)
            except SourceError as exc:  # one bad article; the rest of the feed goes on
                log.warning("%s", exc)
                tally.errors.append(str(exc))
                continue
            if _needs_page(entry, source):
                _save(source, [prepared], store=store, tally=tally)
            else:
                carried.append(prepared)
        if carried:
            _save(source, carried, store=store, tally=tally)

    return SourceOutcome(
        source=source.name,
        status=Status.OK,
        documents_new=tally.counts[SaveResult.NEW],
        documents_updated=tally.counts[SaveResult.UPDATED],
        documents_unchanged=tally.counts[SaveResult.UNCHANGED],
        events=tally.events,
        errors=tuple(tally.errors),
        validators=result.validators,
    )


def _seen(entry: Entry, source: Source, known: dict[str, datetime]) -> bool:
    """An entry whose page we would fetch and have stored, unless the feed dates it after
    that: a feed that changed for one new item must not cost a request for every old one.
    (Entries that carry their own text are read again: it costs no request.) A page fetched
    again and found unchanged counts as fetched then (Store.refetched)."""
    fetched = known.get(entry.url)
    if fetched is None or not _needs_page(entry, source):
        return False
    return entry.published is None or entry.published <= fetched


def _needs_page(entry: Entry, source: Source) -> bool:
    return source.fetch_articles and len(entry.content) < FULL_TEXT_CHARS


def _article_for(entry: Entry, source: Source, *, fetcher: Fetcher, tally: _Tally) -> Article:
    """The entry's page when the feed carries only a summary (and `fetch_articles` is on);
    else the entry itself, full text or summary."""
    if not _needs_page(entry, source):
        return Article(
            url=entry.url,
            canonical_url=entry.url,
            title=entry.title,
            text=entry.content or entry.summary,
            published=None,
            published_from="",
        )
    page = fetcher.get(entry.url, source=source.name, robots=source.robots)
    tally.bytes += len(page.body)
    return _extract(source, page)


def _entries_of(source: Source, result: FetchResult) -> list[Entry]:
    """The entries of a feed, or of a listing page read with the source's selectors; of
    entries with one link, the first (as a listing keeps): feeds repeat an item, and two
    texts stored under one link would replace each other on every cycle."""
    if source.kind is not SourceKind.LISTING:
        firsts: dict[str, Entry] = {}
        for entry in parse_feed(
            result.body, url=result.url, source=source.name, content_type=result.content_type
        ):
            firsts.setdefault(entry.url, entry)
        return list(firsts.values())
    if source.listing is None:  # config.py requires them; a Source built in code may not
        raise FeedError(source.name, 'kind "listing" needs listing selectors (item, link)')
    return parse_listing(
        result.body,
        url=result.url,
        source=source.name,
        selectors=source.listing,
        timezone=source.timezone,
        content_type=result.content_type,
    )


def _extract(source: Source, page: FetchResult) -> Article:
    """The article on a fetched page, with the source's selectors; what they could not do
    is logged (the automatic choice stood in, issue 5), not counted as a failure."""
    article = extract_article(
        page.body,
        url=page.url,
        source=source.name,
        timezone=source.timezone,
        content_type=page.content_type,
        selectors=source.article,
    )
    for note in article.notes:
        log.warning("%s", note)
    return article


@dataclass(frozen=True, slots=True)
class _Prepared:
    """An article made ready to store: its document, the mentions found in it, its entry."""

    document: Document
    mentions: list[Mention]
    entry: Entry | None


def _prepare(source: Source, article: Article, entry: Entry | None, *, now: datetime) -> _Prepared:
    published, published_from = _choose_published(source, article, entry, now)
    document = _document_of(
        article,
        source=source.name,
        timezone=source.timezone,
        published=published,
        published_from=published_from,
        now=now,
        entry=entry,
    )
    return _Prepared(document=document, mentions=_mentions_of(document), entry=entry)


def _save(source: Source, prepared: list[_Prepared], *, store: Store, tally: _Tally) -> None:
    """Store articles in one transaction and count what became of each."""
    batch = [(p.document, p.mentions) for p in prepared]
    saved = store.save_documents(batch, events.merge, events.may_join)
    for p, result in zip(prepared, saved, strict=True):
        tally.counts[result] += 1
        if result is not SaveResult.UNCHANGED:
            tally.events += len(p.mentions)
        elif p.entry is not None and _needs_page(p.entry, source):
            store.refetched(p.document.canonical_url, p.document.fetched)  # see _seen


def _choose_published(
    source: Source, article: Article, entry: Entry | None, now: datetime
) -> tuple[datetime, str]:
    """The page's own metadata first, the feed entry second; each must make sense.

    The evidence is returned with the choice; when the feed disagrees with the page by
    more than DISAGREEMENT, what it said is kept beside it (issue 5: page and feed
    disagree, the choice and its reason are recorded).
    """
    problems = []
    listed = "listing" if source.kind is SourceKind.LISTING else "feed"  # where entries come from
    candidates = [(article.published, article.published_from or "page")]
    if entry is not None:
        candidates.append((entry.published, listed))
    for published, origin in candidates:
        if published is None:
            continue
        if OLDEST_PUBLISHED <= published <= now + FUTURE_TOLERANCE:
            feed = entry.published if entry is not None else None
            if origin != listed and feed is not None and abs(feed - published) > DISAGREEMENT:
                origin = f"{origin}; page over {listed}, which said {feed.isoformat()}"
            return published, origin[:MAX_EVIDENCE_CHARS]
        problems.append(f"{origin} gives {published.isoformat()}, which makes no sense")
    detail = "; ".join(problems) or "neither the page nor the feed gives one"
    raise SourceError(source.name, f"{article.url}: no usable publish time ({detail})")


def write_exports(
    settings: ExportSettings, store: Store, *, now: datetime, tz: tzinfo
) -> list[Path]:
    """Rewrite the configured export files from the whole stored timeline; return them."""
    from timeline.render.html import to_html
    from timeline.render.ical import to_ics
    from timeline.render.jsonexport import to_json

    timeline = store.events()
    written = []
    if settings.ics is not None:
        write_atomically(settings.ics, to_ics(timeline, name=settings.name, now=now))
        written.append(settings.ics)
    if settings.json is not None:
        write_atomically(settings.json, to_json(timeline, now=now).encode())
        written.append(settings.json)
    if settings.html is not None:
        page = to_html(timeline, now=now, tz=tz, title=settings.name)
        write_atomically(settings.html, page.encode())
        written.append(settings.html)
    return written


@dataclass(frozen=True, slots=True, kw_only=True)
class Inspection:
    """What the pipeline sees in one page, for `timeline inspect`."""

    article: Article
    document: Document
    events: list[Event]


def inspect_page(
    body: bytes,
    *,
    url: str,
    timezone: str,
    now: datetime,
    content_type: str = "",
    selectors: ArticleSelectors | None = None,
) -> Inspection:
    """Run one page through article, temporal and events, storing nothing. A page without
    a usable publish time is read against `now`, and `published_from` says so."""
    article = extract_article(
        body,
        url=url,
        source="inspect",
        timezone=timezone,
        content_type=content_type,
        selectors=selectors,
    )
    published, origin = article.published, article.published_from
    if published is None:
        published, origin = now, "none found: dates read against now"
    document = _document_of(
        article,
        source="inspect",
        timezone=timezone,
        published=published,
        published_from=origin,
        now=now,
    )
    return Inspection(
        article=article, document=document, events=events.merge(_mentions_of(document), [])
    )


def _document_of(
    article: Article,
    *,
    source: str,
    timezone: str,
    published: datetime,
    published_from: str,
    now: datetime,
    entry: Entry | None = None,
) -> Document:
    return Document(
        source=source,
        url=article.url,
        canonical_url=article.canonical_url or article.url,
        title=article.title or (entry.title if entry else ""),
        text=article.text,
        # Relative dates are read on the source's local calendar ("on Friday" in London).
        published=published.astimezone(ZoneInfo(timezone)),
        published_from=published_from,
        fetched=now,
        guid=entry.guid if entry else None,
        language=article.language,
        timezone=timezone,
    )


def _mentions_of(document: Document) -> list[Mention]:
    return events.find_mentions(document, temporal.tag(document.text, document.published))
