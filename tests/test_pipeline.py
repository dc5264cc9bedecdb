"""A whole cycle through a real web server on 127.0.0.1 into a real database.

Broken sources (a feed that is not XML, a server that never answers, a page whose date
makes no sense) must each fail alone, with a message that names them, while the others land.
"""

import logging
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from timeline.config import Config, FetchSettings
from timeline.model import (
    ArticleSelectors,
    Document,
    ListingSelectors,
    Mention,
    Source,
    SourceKind,
    Status,
)
from timeline.schedule import run_once
from timeline.store import SaveResult, Store

from .conftest import Site

GAZETTE = Path(__file__).parent / "site" / "gazette"
FAST = FetchSettings(timeout_s=1.0, allow_loopback=True, host_delay_s=0.0)


def serve_gazette(site: Site, *, feed: str = "feed.xml") -> str:
    """Serve the gazette feed with its links pointing at this server; return the feed URL."""
    body = (GAZETTE / feed).read_bytes().replace(b"http://SITE", site.base.encode())
    site.add("/gazette/feed.xml", body, content_type="application/rss+xml", etag='"feed-v1"')
    return site.url("/gazette/feed.xml")


def serve_ferry_dated(site: Site, when: datetime) -> None:
    """Serve the gazette feed with the ferry entry dated `when`, and without an ETag: the
    feed is read again on every cycle."""
    site.routes.pop("/gazette/feed.xml", None)
    site.add(
        "/gazette/feed.xml",
        (GAZETTE / "feed.xml")
        .read_bytes()
        .replace(b"http://SITE", site.base.encode())
        .replace(b"Wed, 15 Oct 2025 18:00:00 +0000", format_datetime(when).encode()),
        content_type="application/rss+xml",
    )


def config(*sources: Source) -> Config:
    return Config(fetch=FAST, sources=sources)


def gazette(url: str, name: str = "gazette") -> Source:
    return Source(name=name, url=url, timezone="Europe/London")


def test_cycle_stores_dated_events(site: Site, store: Store) -> None:
    (outcome,) = run_once(config(gazette(serve_gazette(site))), store)
    assert outcome.status is Status.OK, outcome.errors
    assert (outcome.documents_new, outcome.errors) == (2, ())
    days = {e.interval.start: e for e in store.events()}
    # "the town council confirmed on Monday", in a Tuesday 14 October article
    assert days[date(2025, 10, 13)].mentions[0].url == "https://gazette.example/news/bridge-repairs"
    # "will begin next week": the ISO week after publication
    assert days[date(2025, 10, 20)].value == "2025-W43"
    # "voted to end their strike on Wednesday", published that Wednesday evening
    assert days[date(2025, 10, 15)].mentions[0].source == "gazette"


def test_second_cycle_changes_nothing(site: Site, store: Store) -> None:
    cfg = config(gazette(serve_gazette(site)))
    run_once(cfg, store)
    before = store.counts()
    (outcome,) = run_once(cfg, store)
    assert outcome.status is Status.NOT_MODIFIED  # the feed answered 304 to our ETag
    assert store.counts() == before


def test_each_fetch_logs_one_logfmt_line(
    site: Site, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    cfg = config(gazette(serve_gazette(site)))
    run_once(cfg, store)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="timeline"):
        run_once(cfg, store)
    (line,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("source=")]
    ms = line.split(" ms=")[1].split()[0]
    assert line == (
        f"source=gazette status=not_modified http=304 bytes=0 ms={ms} new=0 updated=0 "
        "unchanged=0 events=0 errors=0"
    )


def test_edited_article_updates_its_events(site: Site, store: Store) -> None:
    cfg = config(replace(gazette(serve_gazette(site)), fetch_articles=True))
    run_once(cfg, store)
    edited = (GAZETTE / "ferry.html").read_bytes().replace(b"on Wednesday", b"on Tuesday")
    site.add("/gazette/ferry.html", edited, content_type="text/html")
    # The feed dates the edited entry after our fetch: that is what sends us to its page
    # again; the other entry's page is known and not asked for.
    serve_ferry_dated(site, datetime.now(UTC) + timedelta(minutes=1))
    (outcome,) = run_once(cfg, store)
    assert (outcome.documents_updated, outcome.documents_unchanged) == (1, 1)
    assert (site.hits["/gazette/bridge.html"], site.hits["/gazette/ferry.html"]) == (1, 2)
    days = {e.interval.start for e in store.events()}
    assert date(2025, 10, 14) in days and date(2025, 10, 15) not in days


def test_a_page_found_unchanged_is_not_asked_for_again(site: Site, store: Store) -> None:
    """A feed that dates an entry after our fetch (a bumped date, a clock ahead of ours) sends
    us to its page once; found unchanged, that fetch counts, and the next cycle does not ask."""
    cfg = config(replace(gazette(serve_gazette(site)), fetch_articles=True))
    run_once(cfg, store)
    serve_ferry_dated(site, datetime.now(UTC) + timedelta(seconds=1))
    time.sleep(1.1)  # the next fetches come after the date the feed now gives
    for _ in range(3):
        (outcome,) = run_once(cfg, store)
        assert outcome.documents_unchanged == 2, outcome
    assert (site.hits["/gazette/bridge.html"], site.hits["/gazette/ferry.html"]) == (1, 2)


def test_a_changed_feed_costs_requests_only_for_its_new_entries(site: Site, store: Store) -> None:
    cfg = config(gazette(serve_gazette(site)))
    run_once(cfg, store)
    assert site.hits["/gazette/bridge.html"] == site.hits["/gazette/ferry.html"] == 1
    feed = (GAZETTE / "feed.xml").read_bytes().replace(b"http://SITE", site.base.encode())
    new_item = (
        f"<item><title>Festival</title><link>{site.url('/gazette/festival.html')}</link>"
        "<pubDate>Thu, 16 Oct 2025 08:00:00 +0000</pubDate></item></channel>"
    ).encode()
    site.routes.pop("/gazette/feed.xml")
    site.add(
        "/gazette/feed.xml",
        feed.replace(b"</channel>", new_item),
        content_type="application/rss+xml",
    )
    site.add(
        "/gazette/festival.html",
        (GAZETTE / "ferry.html").read_bytes().replace(b"ferry-strike-ends", b"festival"),
        content_type="text/html",
    )
    (outcome,) = run_once(cfg, store)
    assert (outcome.documents_new, outcome.documents_unchanged) == (1, 2)
    assert site.hits["/gazette/festival.html"] == 1
    assert site.hits["/gazette/bridge.html"] == site.hits["/gazette/ferry.html"] == 1


def test_broken_sources_fail_alone(site: Site, store: Store) -> None:
    good = gazette(serve_gazette(site))
    site.add("/not-a-feed", b"<html><body>Hello</body></html>", content_type="text/html")
    site.add_hang("/slow-feed", seconds=3)
    nonsense_feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>
        <item><title>Lighthouse</title><link>{site.base}/gazette/nonsense-date.html</link>
        <pubDate>Blursday, 99 Smarch 20255</pubDate></item>
        <item><title>Ferry</title><link>{site.base}/gazette/ferry.html?copy</link></item>
        </channel></rss>""".encode()
    site.add("/nonsense-feed", nonsense_feed, content_type="application/rss+xml")
    sources = (
        good,
        Source(name="html-posing", url=site.url("/not-a-feed")),
        Source(name="sleepy", url=site.url("/slow-feed")),
        Source(name="nonsense", url=site.url("/nonsense-feed")),
    )
    outcomes = {o.source: o for o in run_once(config(*sources), store)}

    assert outcomes["gazette"].status is Status.OK
    assert outcomes["html-posing"].status is Status.FAILED
    assert "source 'html-posing'" in outcomes["html-posing"].errors[0]
    assert (
        "not" in outcomes["html-posing"].errors[0] and "html" in outcomes["html-posing"].errors[0]
    )
    assert outcomes["sleepy"].status is Status.FAILED
    assert "timed out" in outcomes["sleepy"].errors[0]
    # The feed itself is fine; its one article with a nonsense date is refused, the other lands.
    nonsense = outcomes["nonsense"]
    assert nonsense.status is Status.OK
    # Its other article is the gazette's ferry page, stored once by whichever source came first.
    assert nonsense.documents_new + nonsense.documents_unchanged == 1
    (error,) = nonsense.errors
    assert "source 'nonsense'" in error and "no usable publish time" in error

    health = {h.name: h for h in store.source_health()}
    assert "timed out" in (health["sleepy"].last_error or "")
    assert health["gazette"].last_error is None
    assert store.counts()["documents"] == 2


@pytest.mark.parametrize("status", [404, 500])
def test_http_errors_are_put_into_words(site: Site, store: Store, status: int) -> None:
    site.add("/gone", b"", content_type="text/plain", status=status)
    (outcome,) = run_once(config(Source(name="gone", url=site.url("/gone"))), store)
    assert outcome.status is Status.FAILED
    assert f"({status})" in outcome.errors[0]


def test_loopback_is_refused_unless_allowed(site: Site, store: Store) -> None:
    url = serve_gazette(site)
    cfg = replace(config(gazette(url)), fetch=FetchSettings(allow_loopback=False))
    (outcome,) = run_once(cfg, store)
    assert outcome.status is Status.FAILED
    assert "internal address 127.0.0.1" in outcome.errors[0]


def test_page_and_feed_disagreeing_is_recorded(site: Site, store: Store) -> None:
    from sqlalchemy import text

    body = (
        (GAZETTE / "feed.xml")
        .read_bytes()
        .replace(b"http://SITE", site.base.encode())
        .replace(b"Tue, 14 Oct 2025 09:30:00 +0000", b"Mon, 01 Sep 2025 09:30:00 +0000")
    )
    site.add("/late-feed.xml", body, content_type="application/rss+xml")
    (outcome,) = run_once(config(gazette(site.url("/late-feed.xml"))), store)
    assert outcome.status is Status.OK
    with store.engine.connect() as connection:
        evidence = dict(
            connection.execute(text("SELECT canonical_url, published_from FROM documents")).all()
        )
    bridge = evidence["https://gazette.example/news/bridge-repairs"]
    assert bridge.startswith("meta:article:published_time; page over feed")
    assert "2025-09-01T09:30:00+00:00" in bridge
    assert evidence["https://gazette.example/news/ferry-strike-ends"] == "json-ld"


# -- a site without a feed: a listing page read with selectors (issue 4) ---------------------

LISTING_PAGE = """<!doctype html><html lang="en"><head><title>Harbour news</title></head><body>
<nav><a href="/">Home</a></nav>
<ul class="news">
  <li class="story"><a class="headline" href="/gazette/bridge.html">Bridge repairs</a>
      <span class="when">14 October 2025</span></li>
  <li class="story"><a class="headline" href="ferry.html">Ferry strike ends</a>
      <time datetime="2025-10-15T18:00:00Z">Wednesday</time></li>
  <li class="story"><span class="headline">Notice: the office is closed</span></li>
  <li class="story"><a class="headline" href="/harbour/festival">Harbour festival</a>
      <span class="when">16 October 2025</span></li>
</ul></body></html>"""
# An article page that states no publish time: the listing's date is used for it.
FESTIVAL = """<!doctype html><html lang="en"><head><title>Harbour festival</title></head>
<body><article><h1>Harbour festival returns</h1>
<p>The harbour festival returns tomorrow with boat races and a fish market on the quay.</p>
<p>Organisers expect thousands of visitors, and the ferry will run extra crossings.</p>
</article></body></html>"""


def serve_listing(site: Site, page: str = LISTING_PAGE, festival: str = FESTIVAL) -> str:
    site.add("/gazette/index.html", page.encode(), content_type="text/html; charset=utf-8")
    site.add("/harbour/festival", festival.encode(), content_type="text/html")
    return site.url("/gazette/index.html")


def listing_source(url: str, **article: str) -> Source:
    return Source(
        name="harbour-index",
        url=url,
        kind=SourceKind.LISTING,
        timezone="Europe/London",
        listing=ListingSelectors(item="li.story", link="a.headline", date=".when, time"),
        article=ArticleSelectors(**article),
    )


def festival_days(store: Store, site: Site) -> set[date]:
    url = site.url("/harbour/festival")
    return {m.interval.start for e in store.events() for m in e.mentions if m.url == url}


def published_from(store: Store) -> dict[str, str]:
    from sqlalchemy import text

    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT canonical_url, published_from FROM documents"))
        return dict(rows.all())


def test_listing_page_lands_its_articles(site: Site, store: Store) -> None:
    (outcome,) = run_once(config(listing_source(serve_listing(site))), store)
    assert outcome.status is Status.OK, outcome.errors
    assert (outcome.documents_new, outcome.errors) == (3, ())
    # Each linked page was fetched, relative links included; the item without one was not.
    assert site.hits["/gazette/bridge.html"] == site.hits["/gazette/ferry.html"] == 1
    days = {e.interval.start: e for e in store.events()}
    assert days[date(2025, 10, 13)].mentions[0].source == "harbour-index"
    assert (
        days[date(2025, 10, 15)].mentions[0].url == "https://gazette.example/news/ferry-strike-ends"
    )
    # The festival page gives no date: the listing's 16 October dates it, so "tomorrow" is
    # the 17th.
    assert festival_days(store, site) == {date(2025, 10, 17)}
    evidence = published_from(store)
    assert evidence["https://gazette.example/news/bridge-repairs"].startswith("meta:")
    # The evidence names where the date came from: the listing page.
    assert evidence[site.url("/harbour/festival")] == "listing"


def test_listing_whose_layout_changed_fails_in_words(site: Site, store: Store) -> None:
    url = serve_listing(site, LISTING_PAGE.replace('class="story"', 'class="item"'))
    (outcome,) = run_once(config(listing_source(url)), store)
    assert outcome.status is Status.FAILED
    (error,) = outcome.errors
    assert error == (
        f"source 'harbour-index': listing.item selector 'li.story' matches nothing on {url}; "
        "has the site changed its layout?"
    )
    assert store.counts()["documents"] == 0


def test_article_selectors_apply_and_missing_ones_are_logged(
    site: Site, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    festival = FESTIVAL.replace(
        "<h1>",
        '<p class="kicker">Festival special</p><p class="dateline">Friday 17 October 2025</p><h1>',
    )
    url = serve_listing(site, festival=festival)
    source = listing_source(url, title="p.kicker", date="p.dateline")
    with caplog.at_level(logging.WARNING, logger="timeline"):
        (outcome,) = run_once(config(source), store)
    # The gazette's pages have neither: each keeps its own title and date, stored all the same.
    assert (outcome.status, outcome.documents_new, outcome.errors) == (Status.OK, 3, ())
    warnings = sorted(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert len(warnings) == 4
    assert warnings[0].startswith(
        "source 'harbour-index': article.date selector 'p.dateline' matches nothing on "
    )
    assert warnings[0].endswith("/gazette/bridge.html; the automatic choice is used")
    assert "article.title selector 'p.kicker' matches nothing" in warnings[-1]
    evidence = published_from(store)
    assert evidence[site.url("/harbour/festival")].startswith("selector:p.dateline; page over")
    assert evidence["https://gazette.example/news/ferry-strike-ends"] == "json-ld"
    # "tomorrow", read against the selected 17th rather than the listing's 16th
    assert festival_days(store, site) == {date(2025, 10, 18)}
    from sqlalchemy import text

    with store.engine.connect() as connection:
        titles = dict(connection.execute(text("SELECT url, title FROM documents")).all())
    assert titles[site.url("/harbour/festival")] == "Festival special"
    assert titles[site.url("/gazette/bridge.html")] == "Bridge repairs to start next week"


def test_article_pages_are_fetched_only_for_entries_that_carry_a_summary(
    site: Site, store: Store
) -> None:
    full = " ".join(
        f"<p>Paragraph {i}: the harbour board said on Monday that the ferry returns in May.</p>"
        for i in range(25)
    )
    feed = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Mixed</title>
<item><title>Whole story</title><link>{site.url("/mixed/whole.html")}</link>
<pubDate>Tue, 14 Oct 2025 09:30:00 +0100</pubDate><description>A teaser.</description>
<content:encoded><![CDATA[{full}]]></content:encoded></item>
<item><title>Teaser only</title><link>{site.url("/gazette/ferry.html")}</link>
<pubDate>Tue, 14 Oct 2025 10:00:00 +0100</pubDate>
<description>The ferry story, in short.</description></item>
</channel></rss>"""
    site.add("/mixed/feed.xml", feed.encode(), content_type="application/rss+xml")
    (outcome,) = run_once(config(gazette(site.url("/mixed/feed.xml"))), store)
    assert outcome.status is Status.OK, outcome.errors
    assert outcome.documents_new == 2
    assert site.hits["/mixed/whole.html"] == 0  # the feed carried the article itself
    assert site.hits["/gazette/ferry.html"] == 1  # a teaser: the page holds the text
    found = [m for e in store.events() for m in e.mentions if m.url.endswith("whole.html")]
    assert {m.quote for m in found} == {"Monday", "May"}
    assert any(m.sentence.startswith("Paragraph 24: ") for m in found)  # the whole text


def test_entries_that_carry_their_text_are_saved_in_one_transaction(
    site: Site, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The feed's fetch is the document of every entry that carries its text: they are
    saved as one batch; an entry whose page is fetched is saved on its own, as it is."""

    def text(verb: str) -> str:  # long enough to be the article (pipeline.FULL_TEXT_CHARS)
        return " ".join(f"<p>{n}: the harbour board {verb} on Monday.</p>" for n in range(60))

    items = "".join(
        f"<item><title>Story {n}</title><link>{site.url(f'/carried/{n}')}</link>"
        "<pubDate>Tue, 14 Oct 2025 09:30:00 +0100</pubDate><description>A teaser.</description>"
        f"<content:encoded><![CDATA[{text(verb)}]]></content:encoded></item>"
        for n, verb in enumerate(("met", "voted", "resigned"))
    )
    teaser = (
        f"<item><title>Teaser</title><link>{site.url('/gazette/ferry.html')}</link>"
        "<pubDate>Tue, 14 Oct 2025 10:00:00 +0100</pubDate><description>Short.</description></item>"
    )
    feed = (
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>T</title>{items}{teaser}"
    )
    site.add(
        "/batched.xml", (feed + "</channel></rss>").encode(), content_type="application/rss+xml"
    )
    batches: list[list[str]] = []
    save_documents = store.save_documents

    def spy(batch: list[tuple[Document, list[Mention]]], *args: Any) -> list[SaveResult]:
        batches.append([doc.url for doc, _ in batch])
        return save_documents(batch, *args)

    monkeypatch.setattr(store, "save_documents", spy)
    source = replace(gazette(site.url("/batched.xml")), fetch_articles=True)
    (outcome,) = run_once(config(source), store)
    assert (outcome.status, outcome.documents_new, outcome.errors) == (Status.OK, 4, ())
    assert sorted(map(sorted, batches)) == [
        [site.url("/carried/0"), site.url("/carried/1"), site.url("/carried/2")],
        [site.url("/gazette/ferry.html")],
    ]
    (outcome,) = run_once(config(replace(source, url=site.url("/batched.xml?again"))), store)
    assert (outcome.documents_new, outcome.documents_unchanged) == (0, 4)


def test_an_entry_link_httpx_cannot_read_is_one_bad_article(site: Site, store: Store) -> None:
    # A host with a character IDNA refuses, and one with a tab in it: httpx raises its own
    # InvalidURL, no HTTPError; it must be the entry's error, not the whole feed's.
    bad_items = "".join(
        f"<item><title>Odd</title><link>{link}</link>"
        "<pubDate>Tue, 14 Oct 2025 09:00:00 +0000</pubDate></item>"
        for link in ("http://snow\u2603man.example/a", "http://tab\tbed.example/b")
    )
    body = (
        (GAZETTE / "feed.xml")
        .read_bytes()
        .replace(b"http://SITE", site.base.encode())
        .replace(b"<item>", bad_items.encode() + b"<item>", 1)
    )
    site.add("/odd-feed.xml", body, content_type="application/rss+xml; charset=utf-8")
    (outcome,) = run_once(config(gazette(site.url("/odd-feed.xml"))), store)
    assert outcome.status is Status.OK, outcome.errors
    assert outcome.documents_new == 2
    assert len(outcome.errors) == 2
    for error in outcome.errors:
        assert error.startswith("source 'gazette': http://") and "not a valid web address" in error


def test_an_entry_repeated_in_one_feed_is_read_once(site: Site, store: Store) -> None:
    # Feeds repeat an item (two categories, a re-post with a new guid). Its page costs one
    # request, and two different texts under one link must not replace each other: then
    # every cycle would rewrite the document and its events, twice.
    feed = (GAZETTE / "feed.xml").read_bytes().replace(b"http://SITE", site.base.encode())
    repeat = (
        f"<item><title>Bridge, again</title><link>{site.url('/gazette/bridge.html')}</link>"
        "<guid>gazette-bridge-again</guid>"
        "<pubDate>Tue, 14 Oct 2025 09:30:00 +0000</pubDate></item></channel>"
    ).encode()
    site.add("/twice.xml", feed.replace(b"</channel>", repeat), content_type="application/rss+xml")
    (outcome,) = run_once(config(gazette(site.url("/twice.xml"))), store)
    assert (outcome.documents_new, outcome.documents_unchanged, outcome.errors) == (2, 0, ())
    assert site.hits["/gazette/bridge.html"] == 1

    full_text = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        + "".join(
            f"<item><title>Vote</title><link>https://wire.example/vote</link>"
            "<pubDate>Tue, 14 Oct 2025 09:30:00 +0000</pubDate>"
            f"<description>The council {words} on Monday.</description></item>"
            for words in ("voted", "met")
        )
        + "</channel></rss>"
    ).encode()
    site.add("/full.xml", full_text, content_type="application/rss+xml")
    source = replace(gazette(site.url("/full.xml"), name="wire"), fetch_articles=False)
    first = run_once(config(source), store)[0]
    again = run_once(config(source), store)[0]
    assert (first.documents_new, first.documents_updated) == (1, 0)
    assert (again.documents_unchanged, again.documents_updated) == (1, 0)
