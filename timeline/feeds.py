"""Feed bodies (RSS 0.9x, 1.0, 2.0 and Atom) -> `Entry` objects.

Owns: reading a fetched feed body into entries with absolute URLs, plain-text summaries and
aware publish times, and saying in words why a body is not a feed (`FeedError`).
Input: the body bytes, the feed's final URL (to resolve relative links), the source name (for
error messages) and the HTTP Content-Type. Output: `list[Entry]` in feed order.

Must not: fetch anything, read the clock, touch the store, or walk XML by hand; feedparser
does the parsing (encodings, entities, the loose fallback for broken XML, date formats).
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
from selectolax.lexbor import LexborHTMLParser

from timeline.errors import FeedError
from timeline.model import Entry
from timeline.text import normalize

# Elements after which a summary's text starts a new paragraph.
_BLOCK_TAGS = frozenset(
    "p div li ul ol blockquote pre h1 h2 h3 h4 h5 h6 table tr section article figure".split()
)
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
_SUMMARY_MAX_CHARS = 20_000  # a summary is a teaser; some feeds put the whole article in it


def parse_feed(body: bytes, *, url: str, source: str, content_type: str = "") -> list[Entry]:
    """Entries of an RSS or Atom feed; raise `FeedError` when `body` is not a feed.

    A feed with XML errors but readable entries is accepted: feedparser sets `bozo` for
    anything from a wrong declared encoding to an unescaped `&`, and real feeds have both.
    Entries without a link are skipped: a timeline item must point somewhere.
    """
    if not body.strip():
        raise FeedError(source, f"feed is empty (got 0 bytes{_described_type(content_type)})")
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=True)
    version = str(parsed.get("version") or "")
    raw_entries: list[Any] = list(parsed.get("entries") or [])
    if not version and not raw_entries:
        raise FeedError(source, _not_a_feed(body, content_type, parsed.get("bozo_exception")))
    entries: list[Entry] = []
    for raw in raw_entries:
        entry = _entry(raw, feed_url=url)
        if entry is not None:
            entries.append(entry)
    return entries


def _entry(raw: Any, *, feed_url: str) -> Entry | None:
    link = _link(raw)
    if not link:
        return None
    absolute = urljoin(feed_url, link.strip())
    if urlsplit(absolute).scheme not in ("http", "https"):
        return None  # "javascript:", "mailto:" and friends are not articles
    guid = raw.get("id")
    return Entry(
        url=absolute,
        title=_plain(raw.get("title_detail") or raw.get("title") or ""),
        guid=(str(guid).strip() or None) if guid else None,
        published=_published(raw),
        summary=_plain(raw.get("summary_detail") or raw.get("summary") or ""),
    )


def _link(raw: Any) -> str:
    link = raw.get("link")
    if link:
        return str(link)
    # Atom entries may carry only typed links; feedparser fills `link` from rel=alternate,
    # so what is left is an entry whose only links are enclosures or "related".
    for candidate in raw.get("links") or []:
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            return str(candidate["href"])
    return ""


def _published(raw: Any) -> datetime | None:
    # Atom requires <updated> and makes <published> optional, so many Atom feeds carry only
    # <updated>; it is the best publish time such a feed offers. feedparser's tuples are UTC.
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        # dict.get, not FeedParserDict.get: feedparser 6 maps a missing published_parsed to
        # updated_parsed with a DeprecationWarning (its issue 310); we choose the fallback here.
        parsed: time.struct_time | None = dict.get(raw, key)
        if parsed is not None:
            try:
                return datetime(*parsed[:6], tzinfo=UTC)
            except (TypeError, ValueError):
                continue
    return None


def _plain(detail: Any) -> str:
    """Plain text of a feed text construct (a feedparser `*_detail` dict or a string)."""
    if isinstance(detail, str):
        value, kind = detail, "text/html"
    else:
        value, kind = str(detail.get("value") or ""), str(detail.get("type") or "text/html")
    value = value[:_SUMMARY_MAX_CHARS]
    if "html" not in kind or "<" not in value:
        return normalize(value)
    root = LexborHTMLParser(value).body
    if root is None:
        return ""
    parts: list[str] = []
    for node in root.traverse(include_text=True):
        if node.is_text_node:
            parts.append(node.text_content or "")
        elif node.tag == "br":
            parts.append("\n")
        elif node.tag in _BLOCK_TAGS:
            parts.append("\n\n")
    return normalize("".join(parts))


def _not_a_feed(body: bytes, content_type: str, problem: object) -> str:
    media_type = content_type.split(";")[0].strip().lower()
    if _HTML_START.match(body[:4096]) or media_type in ("text/html", "application/xhtml+xml"):
        return f"feed is not XML (got {media_type or 'an HTML page'}); is the URL a web page?"
    if not body.lstrip().startswith(b"<"):
        return f"feed is not XML (got {len(body)} bytes{_described_type(content_type)} of text)"
    detail = f": {problem}" if problem else ""
    return f"body is XML but not RSS or Atom{detail}{_described_type(content_type, lead='; ')}"


def _described_type(content_type: str, *, lead: str = ", ") -> str:
    media_type = content_type.split(";")[0].strip()
    return f"{lead}Content-Type {media_type}" if media_type else ""
