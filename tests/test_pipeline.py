"""A whole cycle through a real web server on 127.0.0.1 into a real database.

Broken sources (a feed that is not XML, a server that never answers, a page whose date
makes no sense) must each fail alone, with a message that names them, while the others land.
"""

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from timeline.config import Config, FetchSettings
from timeline.model import Source, Status
from timeline.schedule import run_once
from timeline.store import Store

from .conftest import Site

GAZETTE = Path(__file__).parent / "site" / "gazette"
FAST = FetchSettings(timeout_s=1.0, allow_loopback=True, host_delay_s=0.0)


def serve_gazette(site: Site, *, feed: str = "feed.xml") -> str:
    """Serve the gazette feed with its links pointing at this server; return the feed URL."""
    body = (GAZETTE / feed).read_bytes().replace(b"http://SITE", site.base.encode())
    site.add("/gazette/feed.xml", body, content_type="application/rss+xml", etag='"feed-v1"')
    return site.url("/gazette/feed.xml")


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


def test_edited_article_updates_its_events(site: Site, store: Store) -> None:
    cfg = config(replace(gazette(serve_gazette(site)), fetch_articles=True))
    run_once(cfg, store)
    edited = (GAZETTE / "ferry.html").read_bytes().replace(b"on Wednesday", b"on Tuesday")
    site.add("/gazette/ferry.html", edited, content_type="text/html")
    site.routes.pop("/gazette/feed.xml")  # no ETag this time: the feed is read again
    site.add(
        "/gazette/feed.xml",
        (GAZETTE / "feed.xml").read_bytes().replace(b"http://SITE", site.base.encode()),
        content_type="application/rss+xml",
    )
    (outcome,) = run_once(cfg, store)
    assert (outcome.documents_updated, outcome.documents_unchanged) == (1, 1)
    days = {e.interval.start for e in store.events()}
    assert date(2025, 10, 14) in days and date(2025, 10, 15) not in days


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
