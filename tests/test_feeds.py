"""parse_feed: RSS 0.9x/1.0/2.0 and Atom bodies -> Entry; non-feeds -> FeedError in words."""

from __future__ import annotations

import importlib.util
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timeline.errors import FeedError
from timeline.feeds import _feedparser_entries, parse_feed

FEEDS = Path(__file__).parent / "feeds"


def read(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def test_rss2_entries_in_order_with_absolute_links_and_utc_times() -> None:
    entries = parse_feed(read("rss2.xml"), url="https://gazette.example/feed.xml", source="gz")
    assert [e.url for e in entries] == [
        "https://gazette.example/news/harbour-bridge-reopens",
        "https://gazette.example/news/relative-story",
        "https://gazette.example/news/permalink-guid",
    ]
    first = entries[0]
    assert first.title == "Harbour bridge to reopen & tolls scrapped"
    assert first.guid == "gazette-88231"
    assert first.published == datetime(2025, 3, 7, 8, 0, tzinfo=UTC)
    assert first.summary == "The bridge reopens on Monday.\n\nTolls are scrapped."
    # -0500 in the feed: the same instant, in UTC.
    assert entries[1].published == datetime(2025, 3, 7, 3, 30, tzinfo=UTC)
    assert entries[1].summary == "Plain summary, no markup."


def test_every_published_time_is_aware() -> None:
    for name in ("rss2.xml", "rss1.rdf", "atom.xml", "broken.xml"):
        for entry in parse_feed(read(name), url="https://x.example/feed", source="s"):
            assert entry.published is None or entry.published.utcoffset() is not None


def test_rss1_rdf() -> None:
    entries = parse_feed(read("rss1.rdf"), url="https://science.example/rss", source="sci")
    assert [e.title for e in entries] == [
        "Comet visible to the naked eye next week",
        "Bees learn to count to four",
    ]
    assert entries[0].published == datetime(2025, 3, 5, 18, 0, tzinfo=UTC)
    assert entries[1].published is None
    assert entries[0].summary == "Astronomers say the comet will be brightest on Tuesday."


def test_atom_resolves_xml_base_and_falls_back_to_updated() -> None:
    entries = parse_feed(read("atom.xml"), url="https://blog.example/atom.xml", source="blog")
    # The enclosure-only entry has no page to point at and is skipped.
    assert [e.url for e in entries] == [
        "https://blog.example/posts/city-garden-forest",
        "https://blog.example/posts/winter-mulch",
    ]
    first, second = entries
    assert first.title == "Why our city garden grew a forest"  # type="html" title, tags gone
    assert first.guid == "tag:blog.example,2024:post-41"
    assert first.published == datetime(2024, 11, 18, 8, 30, tzinfo=UTC)
    assert first.summary == "Five years ago it was a car park.\n\nNow it holds 300 trees."
    assert second.published == datetime(2024, 11, 2, 10, 0, tzinfo=UTC)  # only <updated>


def test_broken_but_usable_feed_is_accepted() -> None:
    entries = parse_feed(read("broken.xml"), url="https://towncrier.example/rss", source="tc")
    assert [e.title for e in entries] == [
        "Library extends opening hours",
        "Market moves to the square",
    ]
    assert entries[0].published == datetime(2025, 3, 7, 9, 15, tzinfo=UTC)
    assert entries[1].published is None  # "not a date at all"


def test_html_page_is_not_a_feed() -> None:
    with pytest.raises(FeedError) as info:
        parse_feed(
            read("html_page.html"),
            url="https://gazette.example/",
            source="gazette",
            content_type="text/html; charset=utf-8",
        )
    assert str(info.value).startswith("source 'gazette': feed is not XML (got text/html)")
    assert info.value.source == "gazette"


def test_html_page_without_content_type_is_recognised() -> None:
    with pytest.raises(FeedError, match="feed is not XML"):
        parse_feed(read("html_page.html"), url="https://gazette.example/", source="g")


@pytest.mark.parametrize(
    ("body", "content_type", "words"),
    [
        (b"", "", "feed is empty"),
        (b"   \n", "application/rss+xml", "feed is empty (got 0 bytes, Content-Type application"),
        (b"\x00\x01\x02 binary garbage", "application/octet-stream", "feed is not XML"),
        (b'{"items": []}', "application/json", "Content-Type application/json"),
        (
            b'<?xml version="1.0"?><urlset><url><loc>https://a.example/</loc></url></urlset>',
            "",
            "body is XML but not RSS or Atom",
        ),
    ],
)
def test_bodies_that_are_not_feeds(body: bytes, content_type: str, words: str) -> None:
    with pytest.raises(FeedError) as info:
        parse_feed(body, url="https://a.example/feed", source="a", content_type=content_type)
    assert words in str(info.value)
    assert str(info.value).startswith("source 'a': ")


def test_a_valid_feed_without_items_is_empty_not_an_error() -> None:
    body = b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    assert parse_feed(body, url="https://q.example/rss", source="q") == []


def test_non_http_links_are_skipped() -> None:
    body = (
        b'<rss version="2.0"><channel><title>T</title>'
        b"<item><title>a</title><link>javascript:alert(1)</link></item>"
        b"<item><title>b</title><link>mailto:desk@example.org</link></item>"
        b"<item><title>c</title><link>https://ok.example/c</link></item>"
        b"</channel></rss>"
    )
    entries = parse_feed(body, url="https://ok.example/rss", source="ok")
    assert [e.url for e in entries] == ["https://ok.example/c"]


def test_rss_091_and_declared_encoding() -> None:
    body = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="0.91"><channel>'
        "<title>Caf\u00e9</title><item><title>Cr\u00e8me br\u00fbl\u00e9e</title>"
        "<link>https://cafe.example/creme</link></item></channel></rss>"
    ).encode("iso-8859-1")
    entries = parse_feed(body, url="https://cafe.example/rss", source="cafe")
    assert entries[0].title == "Crème brûlée"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_entries_or_feed_error(body: bytes) -> None:
    try:
        entries = parse_feed(body, url="https://h.example/rss", source="h")
    except FeedError:
        return
    assert all(e.url.startswith(("http://", "https://")) for e in entries)


# -- the fast path (lxml) and the tolerant path (feedparser) agree ---------------------------


@pytest.mark.parametrize("name", ["rss2.xml", "rss1.rdf", "atom.xml"])
def test_fast_path_gives_what_feedparser_gives(name: str) -> None:
    body, url = read(name), "https://x.example/feed"
    fast = parse_feed(body, url=url, source="s")
    slow = _feedparser_entries(body, url=url, source="s", content_type="")
    assert fast == slow


def test_billion_laughs_entities_are_not_expanded() -> None:
    body = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        b'<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
        b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">'
        b']><rss version="2.0"><channel><item><title>&e;&e;&e;&e;&e;&e;&e;&e;</title>'
        b"<link>https://l.example/1</link></item></channel></rss>"
    )
    (entry,) = parse_feed(body, url="https://l.example/rss", source="l")
    assert len(entry.title) < 100


def test_a_header_charset_that_contradicts_the_document_goes_to_feedparser() -> None:
    body = '<rss version="2.0"><channel><item><title>Сводка</title><link>https://r.example/1</link></item></channel></rss>'
    entries = parse_feed(
        body.encode("koi8-r"),
        url="https://r.example/rss",
        source="r",
        content_type="application/rss+xml; charset=koi8-r",
    )
    assert entries[0].title == "Сводка"


def test_summary_markup_becomes_paragraphs_and_scripts_vanish() -> None:
    body = (
        b'<rss version="2.0"><channel><item><link>https://s.example/1</link><description>'
        b"&lt;p&gt;One &amp;amp; two&lt;br&gt;three&lt;/p&gt;&lt;script&gt;evil()&lt;/script&gt;"
        b"&lt;p&gt;4 &lt; 5&lt;/p&gt;</description></item></channel></rss>"
    )
    (entry,) = parse_feed(body, url="https://s.example/rss", source="s")
    assert entry.summary == "One & two\nthree\n\n4 < 5"


# -- JSON Feed 1.1 -------------------------------------------------------------------------


JSON_FEED = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Harbour",
    "items": [
        {
            "id": "1",
            "url": "/news/one",
            "title": "Ferry returns",
            "content_html": "<p>Crews are <b>back</b>.</p>",
            "date_published": "2025-10-15T19:00:00+01:00",
        },
        {"id": "2", "content_text": "no url, skipped"},
        {"id": 3, "external_url": "https://other.example/three", "summary": "Short."},
    ],
}


@pytest.mark.parametrize("content_type", ["application/feed+json", "application/json", ""])
def test_json_feed(content_type: str) -> None:
    body = json.dumps(JSON_FEED).encode()
    one, three = parse_feed(
        body, url="https://h.example/feed.json", source="h", content_type=content_type
    )
    assert one.url == "https://h.example/news/one"
    assert (one.title, one.guid, one.summary) == ("Ferry returns", "1", "Crews are back.")
    assert one.published == datetime(2025, 10, 15, 18, 0, tzinfo=UTC)
    assert (three.url, three.guid, three.summary) == ("https://other.example/three", "3", "Short.")


def test_json_feed_errors_are_in_words() -> None:
    with pytest.raises(FeedError, match="JSON feed is not valid JSON"):
        parse_feed(b'{"version": "https://jsonfeed.org/version/1.1", ', url="u", source="j")
    with pytest.raises(FeedError, match="body is JSON but not a JSON Feed"):
        parse_feed(b'{"version": 2}', url="u", source="j", content_type="application/feed+json")


# -- bench/feeds.py, once, on tiny input ---------------------------------------------------


def test_bench_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(__file__).parent.parent / "bench" / "feeds.py"
    spec = importlib.util.spec_from_file_location("bench_feeds", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--items", "3", "--seconds", "0.01"]) == 0
    out = capsys.readouterr().out
    assert "feedparser" in out and "RSS 2.0, broken" in out


@pytest.mark.parametrize("encoding", ["windows-1251", "koi8-r"])
def test_a_feed_that_names_no_encoding_anywhere_is_guessed_not_read_as_latin1(
    encoding: str,
) -> None:
    titles = [
        "Мост через залив откроют в понедельник, сообщили в мэрии",
        "Городской совет утвердил бюджет на следующий год",
    ]
    items = "".join(
        f"<item><title>{title}</title><link>https://gavan.example/{i}</link>"
        f"<description>Подробности будут объявлены на следующей неделе.</description></item>"
        for i, title in enumerate(titles)
    )
    body = f'<rss version="2.0"><channel><title>Новости</title>{items}</channel></rss>'
    entries = parse_feed(body.encode(encoding), url="https://gavan.example/rss", source="gavan")
    assert [entry.title for entry in entries] == titles
    assert entries[0].summary == "Подробности будут объявлены на следующей неделе."


@pytest.mark.parametrize(
    ("stamp", "published"),
    [
        ("2025-10-14 09:30:00 GMT", datetime(2025, 10, 14, 9, 30, tzinfo=UTC)),  # the time kept
        ("2025-10-14T09:30:00 UTC", datetime(2025, 10, 14, 9, 30, tzinfo=UTC)),
        ("2025-13-01T00:00:00Z", None),  # not next January
        ("2025-02-29", None),  # not 1 March
    ],
)
def test_iso_dates_with_a_zone_name_or_off_the_calendar(
    stamp: str, published: datetime | None
) -> None:
    rss = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        f"<item><title>A</title><link>https://iso.example/a</link><pubDate>{stamp}</pubDate>"
        "</item></channel></rss>"
    ).encode()
    (entry,) = parse_feed(rss, url="https://iso.example/feed", source="iso")
    assert entry.published == published


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_date_at_the_calendars_edge_is_no_date_not_a_crash(stamp: str) -> None:
    # In UTC these fall before year 1 or after 9999, which datetime cannot hold: the entry
    # keeps its link and goes undated, and the rest of the feed is read.
    rss = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        f"<item><title>Edge</title><link>https://edge.example/a</link><pubDate>{stamp}</pubDate>"
        "</item><item><title>Fine</title><link>https://edge.example/b</link>"
        "<pubDate>Tue, 14 Oct 2025 09:30:00 +0000</pubDate></item></channel></rss>"
    ).encode()
    entries = parse_feed(rss, url="https://edge.example/feed", source="edge")
    assert [(e.url, e.published) for e in entries] == [
        ("https://edge.example/a", None),
        ("https://edge.example/b", datetime(2025, 10, 14, 9, 30, tzinfo=UTC)),
    ]
    json_feed = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "items": [{"id": "1", "url": "https://edge.example/a", "date_published": stamp}],
        }
    ).encode()
    (entry,) = parse_feed(json_feed, url="https://edge.example/feed.json", source="edge")
    assert entry.published is None
