"""Feed bodies (RSS 0.9x, 1.0, 2.0, Atom and JSON Feed 1.0/1.1) -> `Entry` objects.

Owns: reading a fetched feed body into entries with absolute URLs, plain-text summaries and
aware publish times, and saying in words why a body is not a feed (`FeedError`).
Input: the body bytes, the feed's final URL (to resolve relative links), the source name (for
error messages) and the HTTP Content-Type. Output: `list[Entry]` in feed order.

Two readers, one result (issue 4, "feed parsing must keep pace"):

- the fast path: a well-formed RSS, RDF or Atom document is read with lxml's strict parser
  (entities are never expanded, no DTD or network is loaded, libxml2's size limits stay on)
  and the few elements an `Entry` needs are picked out by hand. About 20x feedparser's speed
  (`bench/feeds.py`).
- everything else (XML errors, an HTTP charset that contradicts the document, an internal
  DTD, Atom 0.3, CDF, a body that is not a feed) goes to feedparser, which tolerates broken
  feeds with its loose parser and words the FeedError. Broken feeds are the minority, so
  feedparser's speed only matters for them.

JSON Feed (https://jsonfeed.org/version/1.1) is read with the json module.

Must not: fetch anything, read the clock or touch the store.
"""

from __future__ import annotations

import codecs
import html
import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_tz
from typing import Any
from urllib.parse import urljoin, urlsplit

import charset_normalizer
import feedparser
from lxml import etree

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

_ATOM = "{http://www.w3.org/2005/Atom}"
_RSS1 = "{http://purl.org/rss/1.0/}"
_RSS090 = "{http://my.netscape.com/rdf/simple/0.9/}"
_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_DCTERMS = "{http://purl.org/dc/terms/}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
_XML_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)")
_INTERNAL_SUBSET = re.compile(rb"<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.S | re.I)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_JSON_FEED_VERSION = re.compile(r"^https?://jsonfeed\.org/version/1(\.\d+)?/?$")


def parse_feed(body: bytes, *, url: str, source: str, content_type: str = "") -> list[Entry]:
    """Entries of an RSS, Atom or JSON feed; raise `FeedError` when `body` is not a feed.

    A feed with XML errors but readable entries is accepted: feedparser sets `bozo` for
    anything from a wrong declared encoding to an unescaped `&`, and real feeds have both.
    Entries without a link are skipped: a timeline item must point somewhere.
    """
    if not body.strip():
        raise FeedError(source, f"feed is empty (got 0 bytes{_described_type(content_type)})")
    if _looks_like_json_feed(body, content_type):
        return _json_feed_entries(body, url=url, source=source, content_type=content_type)
    if _HTML_START.match(body[:4096]):
        raise FeedError(source, _not_a_feed(body, content_type, None))
    body = _undeclared_to_utf8(body, content_type)
    fast = _fast_entries(body, url=url, content_type=content_type)
    if fast is not None:
        return fast
    return _feedparser_entries(body, url=url, source=source, content_type=content_type)


# -- the fast path: well-formed XML through lxml ---------------------------------------------


class _Parsers(threading.local):
    """lxml parsers are not safe to share between threads; the scheduler runs several."""

    def __init__(self) -> None:
        # resolve_entities=False: a billion-laughs DTD stays unexpanded (and sends the body to
        # feedparser, which drops entity declarations). huge_tree stays off: libxml2's depth
        # and text-size limits hold.
        self.strict = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            remove_comments=True,
            remove_pis=True,
            collect_ids=False,
            huge_tree=False,
        )


_PARSERS = _Parsers()


def _fast_entries(body: bytes, *, url: str, content_type: str) -> list[Entry] | None:
    """Entries of a well-formed RSS/RDF/Atom body, or None when feedparser must decide."""
    if _charset_conflict(body, content_type):
        return None
    try:
        root = etree.fromstring(body, parser=_PARSERS.strict, base_url=url)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root.getroottree().docinfo.internalDTD is not None:
        return None  # entity declarations: feedparser replaces them safely
    tag = root.tag
    read: Callable[[Any, str], Entry | None]
    if tag == "rss":
        items: Iterable[Any] = root.iter("item")
        read = _rss_entry
    elif tag == f"{_RDF}RDF":
        items = (e for e in root if e.tag in (f"{_RSS1}item", f"{_RSS090}item"))
        read = _rss_entry
    elif tag == f"{_ATOM}feed":
        items = root.iterchildren(f"{_ATOM}entry")
        read = _atom_entry
    else:
        return None
    entries: list[Entry] = []
    for item in items:
        entry = read(item, url)
        if entry is not None:
            entries.append(entry)
    return entries


def _undeclared_to_utf8(body: bytes, content_type: str) -> bytes:
    """A feed that names its encoding nowhere (no BOM, no XML declaration, no charset in
    Content-Type) is UTF-8 by the XML rules. When its bytes are not UTF-8 it is some legacy
    encoding (windows-1251 and friends are common): charset_normalizer guesses which, and the
    feed goes on as UTF-8, instead of every letter turning into Latin-1 nonsense."""
    if (
        _CHARSET.search(content_type)
        or body.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_BE, codecs.BOM_UTF16_LE))
        or _XML_DECLARED_ENCODING.match(body[:200])
    ):
        return body
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        guess = charset_normalizer.from_bytes(body).best()
        if guess is not None:
            return str(guess).encode("utf-8")
    return body


def _charset_conflict(body: bytes, content_type: str) -> bool:
    """True when the HTTP header names a charset the document itself does not declare.

    Who wins is RFC 7303's business (and feedparser's); the fast path only reads documents
    whose bytes say what they are: a BOM, an XML declaration, or UTF-8 by default.
    """
    match = _CHARSET.search(content_type)
    if match is None or body.startswith(
        (codecs.BOM_UTF8, codecs.BOM_UTF16_BE, codecs.BOM_UTF16_LE)
    ):
        return False
    declared_match = _XML_DECLARED_ENCODING.match(body[:200])
    declared = declared_match.group(1).decode("ascii") if declared_match else "utf-8"
    try:
        return codecs.lookup(declared).name != codecs.lookup(match.group(1)).name
    except LookupError:
        return True


# Where an item's publish time may be, best first; `published` falls back to `updated`.
_RSS_DATES = ("pubDate", f"{_DCTERMS}issued", f"{_ATOM}published", f"{_DC}date")
_RSS_DATES_LATER = (f"{_DCTERMS}modified", f"{_ATOM}updated", f"{_DCTERMS}created")


def _rss_entry(item: Any, feed_url: str) -> Entry | None:
    # One pass over the children, first of each name kept: faster than a find() per field.
    # RSS 1.0 and 0.90 put their own elements in the item's namespace; take them bare.
    children: dict[str, Any] = {}
    atom_links = []
    for child in item:
        tag = child.tag
        if not isinstance(tag, str):
            continue  # comments, entity references
        if tag.startswith((_RSS1, _RSS090)):
            tag = tag[tag.index("}") + 1 :]
        elif tag == f"{_ATOM}link":
            atom_links.append(child)
        children.setdefault(tag, child)
    link = _text(children.get("link"))
    guid_element = children.get("guid")
    about = item.get(f"{_RDF}about") or ""
    guid = _text(guid_element) or about
    if not link:
        link = next(
            (
                str(candidate.get("href"))
                for candidate in atom_links
                if candidate.get("rel", "alternate") == "alternate" and candidate.get("href")
            ),
            "",
        )
    if not link and guid_element is not None and guid_element.get("isPermaLink") != "false":
        link = guid  # RSS 2.0: a guid is a permalink unless it says otherwise
    if not link and about:
        link = about  # RSS 1.0: rdf:about is the item's URI
    published = _first_date(children, _RSS_DATES) or _first_date(children, _RSS_DATES_LATER)
    return _make_entry(
        link=link,
        base=item.base or feed_url,
        title=_html_text(children.get("title")),
        guid=guid,
        published=published,
        summary=_html_text(_either(children, "description", f"{_CONTENT}encoded")),
        content=_html_text(children.get(f"{_CONTENT}encoded")),
    )


def _atom_entry(entry: Any, feed_url: str) -> Entry | None:
    children: dict[str, Any] = {}
    link = ""
    link_base = ""
    for child in entry:
        tag = child.tag
        if tag == f"{_ATOM}link":
            if not link and child.get("rel", "alternate") == "alternate" and child.get("href"):
                link, link_base = str(child.get("href")), child.base or ""
        elif isinstance(tag, str):
            children.setdefault(tag, child)
    guid = _text(children.get(f"{_ATOM}id"))
    # As feedparser does: an entry without an alternate link points at its id (skipped
    # below unless the id is an http(s) URL).
    return _make_entry(
        link=link or guid,
        base=link_base or entry.base or feed_url,
        title=_atom_text(children.get(f"{_ATOM}title")),
        guid=guid,
        published=_first_date(children, (f"{_ATOM}published", f"{_ATOM}updated")),
        summary=_atom_text(_either(children, f"{_ATOM}summary", f"{_ATOM}content")),
        content=_atom_text(children.get(f"{_ATOM}content")),
    )


def _make_entry(
    *,
    link: str,
    base: str,
    title: str,
    guid: str,
    published: datetime | None,
    summary: str,
    content: str = "",
) -> Entry | None:
    if not link:
        return None
    link = link.strip()
    absolute = link if link.startswith(("https://", "http://")) else urljoin(base, link)
    if urlsplit(absolute).scheme not in ("http", "https"):
        return None  # "javascript:", "mailto:" and friends are not articles
    return Entry(
        url=absolute,
        title=title,
        guid=guid.strip() or None,
        published=published,
        summary=summary,
        content=content,
    )


def _either(children: dict[str, Any], first: str, second: str) -> Any:
    # not `a or b`: an lxml element without children is falsy
    found = children.get(first)
    return found if found is not None else children.get(second)


def _text(element: Any) -> str:
    """The text of a simple element: whitespace trimmed, entity references left out."""
    if element is None:
        return ""
    if len(element) == 0:
        return (element.text or "").strip()
    return "".join(t for t in element.itertext(with_tail=True) if isinstance(t, str)).strip()


def _inner_markup(element: Any) -> str:
    """Text and child elements of `element`, as markup (unescaped XHTML in a description)."""
    parts = [html.escape(element.text or "", quote=False)]
    for child in element:
        if isinstance(child.tag, str):
            parts.append(etree.tostring(child, encoding="unicode", with_tail=False))
        parts.append(html.escape(child.tail or "", quote=False))
    return "".join(parts)


def _html_text(element: Any) -> str:
    """RSS text is HTML, escaped or in CDATA; feedparser reads it so too."""
    if element is None:
        return ""
    value = element.text or "" if len(element) == 0 else _inner_markup(element)
    return _plain(value, "text/html")


def _atom_text(element: Any) -> str:
    """An Atom text construct (RFC 4287 3.1): type text, html or xhtml."""
    if element is None:
        return ""
    kind = element.get("type", "text")
    if kind == "xhtml" or len(element) > 0:
        return _plain(_inner_markup(element), "text/html")
    return _plain(element.text or "", "text/html" if "html" in kind else "text/plain")


def _first_date(children: dict[str, Any], tags: Iterable[str]) -> datetime | None:
    for tag in tags:
        element = children.get(tag)
        if element is not None:
            parsed = _parse_date(_text(element))
            if parsed is not None:
                return parsed
    return None


def _parse_date(value: str) -> datetime | None:
    """RFC 822 and ISO 8601 directly; anything odder through feedparser's date parsers."""
    if not value:
        return None
    if value[:1].isdigit() and "-" in value[:10]:
        try:
            # "2025-10-14 09:30:00 GMT": the zone's name, which fromisoformat does not read
            # (feedparser's parser read that date and dropped its time)
            parsed = datetime.fromisoformat(_UTC_NAME.sub("+00:00", value))
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
        except OverflowError:
            return None  # before year 1 or after 9999 in UTC: no date, and no crash
        except ValueError:
            if not _real_iso_day(value):
                return None  # "2025-13-01": feedparser would make it 2026-01-01
    fields = parsedate_tz(value)
    if fields is not None and fields[9] is not None:
        try:
            zone = timezone(timedelta(seconds=fields[9]))
            return datetime(*fields[:6], tzinfo=zone).astimezone(UTC)
        except (ValueError, OverflowError):
            pass
    return _utc(feedparser.datetimes._parse_date(value))


_UTC_NAME = re.compile(r"\s*(?:GMT|UTC)\Z")
_ISO_DAY = re.compile(r"(\d{4})-(\d\d)-(\d\d)")


def _real_iso_day(value: str) -> bool:
    """Whether an ISO-looking value's day is on the calendar (or it has no such day)."""
    match = _ISO_DAY.match(value)
    if match is None:
        return True
    try:
        date(*map(int, match.groups()))
    except ValueError:
        return False
    return True


def _utc(parsed: time.struct_time | None) -> datetime | None:
    if parsed is None:
        return None
    try:
        return datetime(*parsed[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


# -- JSON Feed ---------------------------------------------------------------------------


def _looks_like_json_feed(body: bytes, content_type: str) -> bool:
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == "application/feed+json":
        return True
    return body.lstrip()[:1] == b"{" and b"jsonfeed.org/version/" in body[:4096]


def _json_feed_entries(body: bytes, *, url: str, source: str, content_type: str) -> list[Entry]:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise FeedError(
            source, f"JSON feed is not valid JSON ({exc}){_described_type(content_type, lead='; ')}"
        ) from exc
    version = document.get("version") if isinstance(document, dict) else None
    if not isinstance(version, str) or not _JSON_FEED_VERSION.match(version):
        raise FeedError(
            source,
            'body is JSON but not a JSON Feed (no "version": '
            f'"https://jsonfeed.org/version/1.1"){_described_type(content_type, lead="; ")}',
        )
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedError(source, 'JSON Feed has no "items" list')
    entries: list[Entry] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        entry = _json_entry(item, base=url)
        if entry is not None:
            entries.append(entry)
    return entries


def _json_entry(item: dict[str, Any], *, base: str) -> Entry | None:
    def string(key: str) -> str:
        value = item.get(key)
        return value if isinstance(value, str) else ""

    guid = item.get("id")
    link = string("url") or string("external_url")
    summary = (
        _plain(string("summary"), "text/plain")
        or _plain(string("content_html"), "text/html")
        or _plain(string("content_text"), "text/plain")
    )
    published = _parse_date(string("date_published")) or _parse_date(string("date_modified"))
    return _make_entry(
        link=link,
        base=base,
        title=_plain(string("title"), "text/plain"),
        guid=str(guid) if isinstance(guid, str | int) else "",
        published=published,
        summary=summary,
        content=_plain(string("content_html"), "text/html")
        or _plain(string("content_text"), "text/plain"),
    )


# -- the tolerant path: feedparser -------------------------------------------------------


def _feedparser_entries(body: bytes, *, url: str, source: str, content_type: str) -> list[Entry]:
    # Python's expat expands internal entities (its billion-laughs guard starts only past
    # 8 MiB), and feedparser keeps nested ones: drop the internal DTD subset. A feed whose
    # entities are declared there keeps their references as text; such feeds are rare.
    body = _INTERNAL_SUBSET.sub(b"", body, count=1)
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
        entry = _feedparser_entry(raw, feed_url=url)
        if entry is not None:
            entries.append(entry)
    return entries


def _feedparser_entry(raw: Any, *, feed_url: str) -> Entry | None:
    guid = raw.get("id")
    return _make_entry(
        link=_feedparser_link(raw),
        base=feed_url,
        title=_plain_detail(raw.get("title_detail") or raw.get("title") or ""),
        guid=str(guid) if guid else "",
        published=_feedparser_published(raw),
        summary=_plain_detail(raw.get("summary_detail") or raw.get("summary") or ""),
        content=_plain_detail((raw.get("content") or [""])[0]),
    )


def _feedparser_link(raw: Any) -> str:
    link = raw.get("link")
    if link:
        return str(link)
    # Atom entries may carry only typed links; feedparser fills `link` from rel=alternate,
    # so what is left is an entry whose only links are enclosures or "related".
    for candidate in raw.get("links") or []:
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            return str(candidate["href"])
    return ""


def _feedparser_published(raw: Any) -> datetime | None:
    # Atom requires <updated> and makes <published> optional, so many Atom feeds carry only
    # <updated>; it is the best publish time such a feed offers. feedparser's tuples are UTC.
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        # dict.get, not FeedParserDict.get: feedparser 6 maps a missing published_parsed to
        # updated_parsed with a DeprecationWarning (its issue 310); we choose the fallback here.
        published = _utc(dict.get(raw, key))
        if published is not None:
            return published
    return None


def _plain_detail(detail: Any) -> str:
    """Plain text of a feedparser `*_detail` dict or a string."""
    if isinstance(detail, str):
        return _plain(detail, "text/html")
    return _plain(str(detail.get("value") or ""), str(detail.get("type") or "text/html"))


# -- text --------------------------------------------------------------------------------


def _plain(value: str, kind: str) -> str:
    """Plain text of a feed text construct of media type `kind`.

    Summaries are short, and a regular expression over tags is ten times faster than an HTML
    parser here (bench/feeds.py); only a `<` followed by a letter, `/`, `!` or `?` opens a tag,
    as in HTML's tokenizer, so "a < b" stays text.
    """
    value = value[:_SUMMARY_MAX_CHARS]
    if "html" in kind:
        if "<" in value:
            value = _TAG.sub(_tag_break, _HIDDEN.sub("", value))
        if "&" in value:
            value = html.unescape(value)
    return normalize(value)


_HIDDEN = re.compile(r"<(script|style|template|noscript)\b.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"<!--.*?(?:-->|$)|<(/?)([A-Za-z][^\s/>]*)[^>]*>|<[!?][^>]*>", re.S)


def _tag_break(match: re.Match[str]) -> str:
    name = (match.group(2) or "").lower()
    if name == "br":
        return "\n"
    return "\n\n" if name in _BLOCK_TAGS else ""


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
