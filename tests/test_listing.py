"""parse_listing: a news index read with a source's CSS selectors -> Entry; a selector that
matches nothing is a FeedError naming the source, the selector and the page."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timeline.errors import FeedError
from timeline.listing import parse_listing
from timeline.model import Entry, ListingSelectors

URL = "https://city.example/news/"
PARIS = ZoneInfo("Europe/Paris")

CARDS = """<!doctype html><html lang="en"><head><title>News</title></head><body>
<nav><a href="/">Home</a></nav>
<main>
  <article class="card">
    <h2><a class="headline" href="/news/bridge">Bridge  repairs
      to start</a></h2>
    <time datetime="2025-10-14T10:30:00+01:00">14 Oct</time>
  </article>
  <article class="card">
    <h2><a class="headline" href="https://other.example/ferry?id=2#top">Ferry strike ends</a></h2>
    <time datetime="2025-10-15">Wednesday</time>
  </article>
  <article class="card">
    <h2><a class="headline" href="library">Library hours</a></h2>
    <time>2 hours ago</time>
  </article>
</main>
<aside><article class="teaser"><a href="/ad">Advert</a></article></aside>
</body></html>"""


def listing(html: str | bytes, selectors: ListingSelectors, **kwargs: str) -> list[Entry]:
    body = html.encode() if isinstance(html, str) else html
    return parse_listing(
        body,
        url=kwargs.pop("url", URL),
        source="city-hall",
        selectors=selectors,
        timezone=kwargs.pop("timezone", "Europe/Paris"),
        **kwargs,
    )


def test_cards_with_time_datetime() -> None:
    selectors = ListingSelectors(item="article.card", link="a.headline", date="time")
    bridge, ferry, library = listing(CARDS, selectors)
    assert bridge == Entry(
        url="https://city.example/news/bridge",
        title="Bridge repairs to start",
        published=datetime(2025, 10, 14, 9, 30, tzinfo=UTC),
    )
    assert bridge.published is not None and bridge.published.utcoffset() is not None
    # Absolute links are kept (fragment dropped); a date alone is midnight in the zone.
    assert ferry.url == "https://other.example/ferry?id=2"
    assert ferry.published == datetime(2025, 10, 15, tzinfo=PARIS)
    # Relative to the page's URL; "2 hours ago" needs a clock, which this stage never reads.
    assert library.url == "https://city.example/news/library"
    assert library.published is None


def test_table_of_links_with_text_dates() -> None:
    page = """<html lang="en"><body><table class="news">
      <tr><th>Title</th><th>Date</th></tr>
      <tr><td class="t"><a href="/n/1">Council budget approved</a></td>
          <td class="d">Published 3 March 2025</td></tr>
      <tr><td class="t"><a href="/n/2">Road closure on Elm Street</a></td>
          <td class="d">March 4, 2025, 4:15 PM</td></tr>
      <tr><td class="t"><a href="/n/3">Harbour festival</a></td><td class="d">soon</td></tr>
    </table></body></html>"""
    selectors = ListingSelectors(item="table.news tr", link="td.t a", date="td.d")
    entries = listing(page, selectors)
    assert [(e.url, e.title, e.published) for e in entries] == [
        ("https://city.example/n/1", "Council budget approved", datetime(2025, 3, 3, tzinfo=PARIS)),
        (
            "https://city.example/n/2",
            "Road closure on Elm Street",
            datetime(2025, 3, 4, 16, 15, tzinfo=PARIS),
        ),
        ("https://city.example/n/3", "Harbour festival", None),
    ]


def test_items_without_a_link_are_skipped_and_repeats_kept_once() -> None:
    page = """<ul>
      <li class="item"><span class="t">Notice: offices closed</span></li>
      <li class="item"><a href="javascript:void(0)">Share</a><span class="t">Share</span></li>
      <li class="item"><a href="#">Top</a></li>
      <li class="item"><a href="/a">First</a><span class="t">First story</span></li>
      <li class="item"><a href="/a#comments">First again</a><span class="t">Again</span></li>
      <li class="item"><a href="/b">Second</a></li>
    </ul>"""
    selectors = ListingSelectors(item="li.item", link="a", title="span.t")
    entries = listing(page, selectors)
    # An item whose title selector matches nothing takes the link's words.
    assert [(e.url, e.title) for e in entries] == [
        ("https://city.example/a", "First story"),
        ("https://city.example/b", "Second"),
    ]


def test_link_without_href_uses_the_first_link_inside_and_item_may_be_the_link() -> None:
    page = """<div class="story"><h3 class="headline"><span>Ferry</span>
      <a href="/ferry">strike</a> <a href="/other">ends</a></h3></div>
      <a class="tile" href="/tile"><b>Tile story</b></a>"""
    (ferry,) = listing(page, ListingSelectors(item="div.story", link="h3.headline"))
    assert (ferry.url, ferry.title) == ("https://city.example/ferry", "Ferry strike ends")
    (tile,) = listing(page, ListingSelectors(item="a.tile", link="a.tile"))
    assert (tile.url, tile.title) == ("https://city.example/tile", "Tile story")


def test_base_href_and_meta_content_dates() -> None:
    page = """<html><head><base href="https://cdn.city.example/archive/"></head><body>
      <div class="row" itemscope><a href="one">One</a>
        <meta itemprop="datePublished" content="2025-01-02T08:00:00Z"></div></body></html>"""
    selectors = ListingSelectors(item="div.row", link="a", date="meta[itemprop]")
    (entry,) = listing(page, selectors)
    assert entry.url == "https://cdn.city.example/archive/one"
    assert entry.published == datetime(2025, 1, 2, 8, tzinfo=UTC)


def test_page_charset_is_honoured() -> None:
    page = (
        '<meta charset="windows-1252"><li><a href="/x">Caf\xe9 \u201cLe Port\u201d reopens</a></li>'
    )
    selectors = ListingSelectors(item="li", link="a")
    (entry,) = listing(page.encode("cp1252"), selectors)
    assert entry.title == "Café “Le Port” reopens"
    (declared,) = listing(
        "<li><a href='/x'>Caf\xe9</a></li>".encode("latin-1"),
        selectors,
        content_type="text/html; charset=ISO-8859-1",
    )
    assert declared.title == "Café"


def test_dates_in_the_page_language() -> None:
    page = """<html lang="de"><body><div class="n"><a href="/x">Stadtrat tagt</a>
      <span class="datum">5. März 2025</span></div></body></html>"""
    (entry,) = listing(page, ListingSelectors(item="div.n", link="a", date=".datum"))
    assert entry.published == datetime(2025, 3, 5, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("selectors", "expected"),
    [
        (
            ListingSelectors(item="article.news", link="a"),
            "source 'city-hall': listing.item selector 'article.news' matches nothing on "
            "https://city.example/news/; has the site changed its layout?",
        ),
        (
            ListingSelectors(item="article.card", link="a.title"),
            "source 'city-hall': listing.link selector 'a.title' matches nothing in any of "
            "the 3 items 'article.card' on https://city.example/news/; has the site changed",
        ),
        (
            ListingSelectors(item="article.card", link="a", title="h3"),
            "listing.title selector 'h3' matches nothing in any of the 3 items",
        ),
        (
            ListingSelectors(item="article.card", link="a", date="span.date"),
            "listing.date selector 'span.date' matches nothing in any of the 3 items",
        ),
    ],
)
def test_a_selector_that_matches_nothing_names_source_and_selector(
    selectors: ListingSelectors, expected: str
) -> None:
    with pytest.raises(FeedError) as caught:
        listing(CARDS, selectors)
    assert expected in str(caught.value)
    assert caught.value.source == "city-hall"


def test_items_whose_links_lead_nowhere_are_an_error_too() -> None:
    page = "<li><a href='javascript:more()'>More</a></li><li><a href='#top'>Top</a></li>"
    with pytest.raises(FeedError) as caught:
        listing(page, ListingSelectors(item="li", link="a"))
    assert str(caught.value) == (
        "source 'city-hall': listing.link selector 'a' matches no link to a page in any of "
        "the 2 items 'li' on https://city.example/news/; has the site changed its layout?"
    )


def test_empty_and_non_html_bodies_match_nothing() -> None:
    for body in (b"", b"\x00\xff\xfe garbage", b'{"items": []}'):
        with pytest.raises(FeedError, match="matches nothing"):
            listing(body, ListingSelectors(item="li", link="a"))


_SOUP = st.sampled_from(
    [
        "<li class='n'>",
        "</li>",
        "<a href='/x'>",
        "<a href='javascript:go()'>",
        "<a href='https://other.example/y?a=1#f'>",
        "<a>",
        "</a>",
        "<time datetime='2025-03-05'>",
        "<time datetime='not a date'>",
        "</time>",
        "<span class='d'>",
        "</span>",
        "3 March 2025",
        "2 hours ago",
        "<base href='../up/'>",
        "<meta charset='koi8-r'>",
        "<div>",
        "</div>",
        "<!--",
        "-->",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_SOUP, st.text(max_size=20)), max_size=60))
def test_entries_always_point_somewhere_or_a_selector_is_named(parts: list[str]) -> None:
    selectors = ListingSelectors(item="li.n", link="a", date="time, span.d")
    try:
        entries = listing("".join(parts), selectors)
    except FeedError as exc:
        assert "selector" in str(exc)
        assert "matches nothing" in str(exc) or "matches no link to a page" in str(exc)
        return
    urls = [entry.url for entry in entries]
    assert entries and len(set(urls)) == len(urls)
    assert all(url.startswith(("https://", "http://")) and "#" not in url for url in urls)
    assert all(e.published is None or e.published.utcoffset() is not None for e in entries)
