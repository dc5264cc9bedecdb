"""Listing pages (a site's news index, for sites without a feed) -> `Entry` objects.

Owns: reading a fetched HTML index with the CSS selectors its source gives in config.toml
(issue 4): each element matching `item` becomes an entry, its link, title and date read with
the other selectors within the item (the item itself included, so `link` may equal `item`).
Input: the body bytes, the page's final URL (links are resolved against it, or its
`<base href>`), the source's name, zone and selectors, the Content-Type.
Output: `list[Entry]` in page order, one per link; `FeedError` naming the source and the
selector when a selector matches nothing: the site has most likely changed its layout.

The page is decoded and parsed as article pages are (`article.page`: BOM, HTTP and `<meta>`
charsets, bounded size and nesting), and dates are read as an article's are
(`article.pubdate.parse_datetime`): ISO and RFC 2822 values, "3 March 2025" in the common
languages, dateparser for the rest. An item without a readable date has `published=None`;
its article page's own date is used later, as for a feed entry without one.

Must not: fetch (the article pages are fetched by `pipeline`), read the clock (so "2 hours
ago" is no date), or touch the store.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from selectolax.lexbor import LexborNode

from timeline.article.page import date_text, languages, read_page
from timeline.article.pubdate import parse_datetime
from timeline.errors import FeedError
from timeline.model import Entry, ListingSelectors

_MAX_ITEMS = 500  # an index page lists tens of items; more is a whole archive on one page


def parse_listing(
    body: bytes,
    *,
    url: str,
    source: str,
    selectors: ListingSelectors,
    timezone: str = "UTC",
    content_type: str = "",
) -> list[Entry]:
    """Entries of a listing page, one per item with a link; the first of repeated links.

    Raises `FeedError` when `selectors.item` matches nothing on the page, when another
    selector matches nothing in any item, or when no item links to a page. An item without
    a link is skipped; one without a title or a readable date keeps the link's words as its
    title, or `published=None`.
    """
    page = read_page(body, content_type=content_type)
    tree = page.tree
    items = tree.css(selectors.item)[:_MAX_ITEMS]
    if not items:
        raise FeedError(source, _nothing("item", selectors.item, f"on {url}"))
    for key, selector in (
        ("link", selectors.link),
        ("title", selectors.title),
        ("date", selectors.date),
    ):
        if selector and all(item.css_first(selector) is None for item in items):
            where = f"in any of the {len(items)} items {selectors.item!r} on {url}"
            raise FeedError(source, _nothing(key, selector, where))

    base_tag = tree.css_first("base[href]")
    base_href = (base_tag.attributes.get("href") or "") if base_tag is not None else ""
    base = urljoin(url, base_href.strip())
    zone = ZoneInfo(timezone)
    written_in = languages(page)

    entries: list[Entry] = []
    seen: set[str] = set()
    for item in items:
        link = item.css_first(selectors.link)
        href = _link(link, base) if link is not None else None
        if link is None or href is None or href in seen:
            continue  # no link: a timeline item must point somewhere
        seen.add(href)
        title_node = item.css_first(selectors.title) if selectors.title else None
        if title_node is None:
            title_node = link  # no title selector, or none in this item: the link's words
        date_node = item.css_first(selectors.date) if selectors.date else None
        published = None
        if date_node is not None:
            published = parse_datetime(date_text(date_node), zone, written_in)
        entries.append(
            Entry(url=href, title=" ".join((title_node.text() or "").split()), published=published)
        )
    if not entries:  # links there are, but none to a page: "#", javascript:, no href
        where = f"in any of the {len(items)} items {selectors.item!r} on {url}"
        raise FeedError(source, _nothing("link", selectors.link, where, what="no link to a page"))
    return entries


def _link(node: LexborNode, base: str) -> str | None:
    """The absolute http(s) URL of a link element, or of the first `a[href]` inside it."""
    href = node.attributes.get("href")
    if not href:
        inner = node.css_first("a[href]")
        href = inner.attributes.get("href") if inner is not None else None
    if not href or not href.strip() or href.strip().startswith("#"):
        return None
    absolute = urljoin(base, href.strip())
    if urlsplit(absolute).scheme not in ("http", "https"):
        return None  # javascript:, mailto:
    return absolute.split("#")[0]


def _nothing(key: str, selector: str, where: str, *, what: str = "nothing") -> str:
    return (
        f"listing.{key} selector {selector!r} matches {what} {where}; "
        "has the site changed its layout?"
    )
