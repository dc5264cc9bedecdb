"""When an article page says it was published, and on what evidence.

Owns: finding the publish time (and, apart, the modified time) of a page, in order of trust:
JSON-LD, Open Graph `article:published_time`, microdata, common `<meta>` names, `<time
datetime>`, and last a date in the URL path. Offsets written in the page are kept; a value
without one is read in the source's zone; a date without a time is midnight there.
Input: a `Page` (or body bytes for `extract_published`), the page URL and an IANA zone name.
Output: a `Published` naming its evidence ("json-ld", "meta:article:published_time", "time"…).

Must not: raise on bad HTML or odd date strings (they are skipped), read the clock (relative
dates such as "2 hours ago" are ignored, not resolved), or fetch anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import dateparser
from selectolax.lexbor import LexborNode

from timeline.article.page import Page, ld_types, read_page

# schema.org CreativeWork types a news page describes itself with (Article and its subtypes).
ARTICLE_TYPES = frozenset(
    """Article NewsArticle ReportageNewsArticle AnalysisNewsArticle OpinionNewsArticle
    BackgroundNewsArticle ReviewNewsArticle AskPublicNewsArticle BlogPosting LiveBlogPosting
    SocialMediaPosting TechArticle ScholarlyArticle Report SatiricalArticle""".split()
)
# Open Graph and friends, most specific first; the evidence name is "meta:" + the key.
_META_PUBLISHED = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "article.published",
    "article_date_original",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "citation_publication_date",
    "original-publish-date",
    "date",
)
_META_MODIFIED = (
    "article:modified_time",
    "og:updated_time",
    "dcterms.modified",
    "last-modified",
)
_UPDATED_HINT = re.compile(r"modif|updat|edited", re.I)
_SKIP_HINT = re.compile(r"comment|related|recirc|recommend|promo|sidebar|footer|teaser", re.I)
_TIME_SELECTORS = (
    "time[pubdate]",
    "article header time[datetime]",
    "article time[datetime]",
    "main time[datetime]",
    "header time[datetime]",
    "time[datetime]",
)
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_URL_DATES = (
    re.compile(r"/((?:19|20)\d\d)/(\d{1,2})/(\d{1,2})(?=/|$|[-_.])"),  # /2025/03/07/
    re.compile(r"/((?:19|20)\d\d)/([a-z]{3})/(\d{1,2})(?=/|$)", re.I),  # /2025/mar/07/
    re.compile(r"(?<![\d])((?:19|20)\d\d)-(\d\d)-(\d\d)(?![\d])"),  # /2025-03-07-slug
)
_EPOCH = re.compile(r"\d{10}(?:\d{3})?")
_DATE_ONLY = re.compile(r"(\d{4})-?(\d\d)-?(\d\d)")
_ISO_LIKE = re.compile(r"\d{4}-?\d\d-?\d\d[T ]\d\d", re.I)
_DATEPARSER_SETTINGS: dict[str, Any] = {
    "PARSERS": ["absolute-time"],  # never "relative-time": that would read the clock
    "REQUIRE_PARTS": ["day", "month", "year"],
    "RELATIVE_BASE": datetime(2000, 1, 1),  # noqa: DTZ001 - only keeps dateparser off the clock
}
_MAX_VALUE_CHARS = 100
_YEARS = range(1970, 2101)


@dataclass(frozen=True, slots=True, kw_only=True)
class Published:
    """A page's publish time and the evidence for it; `published_from` is "" when none."""

    published: datetime | None
    published_from: str
    modified: datetime | None = None


def extract_published(
    body: bytes, *, url: str, timezone: str, content_type: str = ""
) -> tuple[datetime | None, str]:
    """(publish time, evidence) of an article page, or (None, "") when it gives none.

    The code path `extract_article` uses; it never raises on bad HTML. An unknown `timezone`
    is a configuration error and does raise (`ZoneInfoNotFoundError`).
    """
    zone = ZoneInfo(timezone)
    found = find_published(read_page(body, content_type=content_type), url=url, zone=zone)
    return found.published, found.published_from


def find_published(page: Page, *, url: str, zone: tzinfo) -> Published:
    languages = _languages(page)
    modified = _modified(page, zone, languages)
    for published, evidence in _candidates(page, url=url, zone=zone, languages=languages):
        if published is not None:
            return Published(published=published, published_from=evidence, modified=modified)
    return Published(published=None, published_from="", modified=modified)


def _candidates(
    page: Page, *, url: str, zone: tzinfo, languages: tuple[str, ...]
) -> Iterator[tuple[datetime | None, str]]:
    """Publish-time evidence, most trusted first, parsed lazily so the first hit stops work."""
    for item in _ld_articles(page):
        yield _parse_first(item.get("datePublished"), zone, languages), "json-ld"
    for key in _META_PUBLISHED:
        if key in page.meta:
            yield parse_datetime(page.meta[key], zone, languages), f"meta:{key}"
    for node in page.tree.css('[itemprop="datePublished"]'):
        value = node.attributes.get("datetime") or node.attributes.get("content")
        if value:
            yield parse_datetime(value, zone, languages), "microdata"
    for node in _time_nodes(page):
        yield parse_datetime(node.attributes.get("datetime") or "", zone, languages), "time"
    canonical = page.tree.css_first('link[rel="canonical"]')
    canonical_url = (canonical.attributes.get("href") or "") if canonical else ""
    for candidate in (url, urljoin(url, canonical_url) if canonical_url else ""):
        yield url_date(candidate, zone), "url"
    # JSON-LD that describes only the WebPage is weaker than anything the page shows.
    for item in page.ld:
        if "datePublished" in item and not ld_types(item) & ARTICLE_TYPES:
            yield _parse_first(item.get("datePublished"), zone, languages), "json-ld:webpage"


def _ld_articles(page: Page) -> Iterator[dict[str, Any]]:
    return (item for item in page.ld if ld_types(item) & ARTICLE_TYPES)


def _modified(page: Page, zone: tzinfo, languages: tuple[str, ...]) -> datetime | None:
    values: list[Any] = [item.get("dateModified") for item in _ld_articles(page)]
    values += [page.meta.get(key) for key in _META_MODIFIED]
    for node in page.tree.css('[itemprop="dateModified"]'):
        values.append(node.attributes.get("datetime") or node.attributes.get("content"))
    for value in values:
        parsed = _parse_first(value, zone, languages)
        if parsed is not None:
            return parsed
    return None


def _time_nodes(page: Page) -> Iterator[LexborNode]:
    seen: set[int] = set()
    for selector in _TIME_SELECTORS:
        for node in page.tree.css(selector):
            if node.mem_id in seen:
                continue
            seen.add(node.mem_id)
            if not _is_publish_time(node):
                continue
            yield node


def _is_publish_time(node: LexborNode) -> bool:
    """False for an "updated" stamp, or a time in comments, related links or a sidebar."""
    hints = " ".join(
        node.attributes.get(name) or "" for name in ("class", "id", "itemprop", "data-testid")
    )
    if _UPDATED_HINT.search(hints):
        return False
    ancestor = node.parent
    for _ in range(12):  # enough to reach the enclosing section; bounded on deep markup
        if ancestor is None or ancestor.tag in ("article", "body", "main"):
            break
        attrs = ancestor.attributes
        if ancestor.tag in ("aside", "footer", "nav") or _SKIP_HINT.search(
            f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
        ):
            return False
        ancestor = ancestor.parent
    return True


def url_date(url: str, zone: tzinfo) -> datetime | None:
    """Midnight in `zone` of a date written in the URL path (/2025/03/07/, /2025/mar/07/)."""
    if not url:
        return None
    path = urlsplit(url).path
    for pattern in _URL_DATES:
        match = pattern.search(path)
        if match is None:
            continue
        year, month_text, day = match.groups()
        month = _MONTHS.get(month_text.lower()) if month_text.isalpha() else int(month_text)
        local = _local_midnight(int(year), month or 0, int(day), zone)
        if local is not None:
            return local
    return None


def parse_datetime(value: str, zone: tzinfo, languages: Iterable[str] = ("en",)) -> datetime | None:
    """An aware datetime from a machine- or human-written date; None when it is not one.

    An offset in the value is kept; a value without one is read in `zone`; a date alone is
    midnight in `zone`. Relative phrases ("yesterday") give None: resolving them needs a now.
    """
    text = value.strip()
    if not text or len(text) > _MAX_VALUE_CHARS:
        return None
    if _EPOCH.fullmatch(text):
        # parsely and sailthru sometimes write Unix time, in seconds or milliseconds.
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return _checked(datetime.fromtimestamp(seconds, tz=UTC), zone)
    date_only = _DATE_ONLY.fullmatch(text)
    if date_only:
        year, month, day = (int(part) for part in date_only.groups())
        return _local_midnight(year, month, day, zone)
    return (
        _from_iso(text, zone)
        or _from_rfc2822(text, zone)
        or _from_dateparser(text, zone, tuple(languages))
    )


def _from_iso(text: str, zone: tzinfo) -> datetime | None:
    if not _ISO_LIKE.match(text):
        return None
    cleaned = re.sub(r"\s*(?:UTC|GMT)$", "+00:00", text, flags=re.I)
    cleaned = re.sub(r"\s+([+-]\d\d:?\d\d)$", r"\1", cleaned)  # "08:00:00 +0100"
    try:
        return _checked(datetime.fromisoformat(cleaned), zone)
    except ValueError:
        return None


def _from_rfc2822(text: str, zone: tzinfo) -> datetime | None:
    if not re.search(r"\d\d:\d\d", text):
        return None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return _checked(parsed, zone)


def _from_dateparser(text: str, zone: tzinfo, languages: tuple[str, ...]) -> datetime | None:
    if not re.search(r"\d{4}", text):
        return None  # a publish date names its year; this also keeps dateparser off "today"
    try:
        parsed = dateparser.parse(text, languages=list(languages), settings=_DATEPARSER_SETTINGS)
    except ValueError:
        # An unknown language code from <html lang>: retry with English alone.
        parsed = dateparser.parse(text, languages=["en"], settings=_DATEPARSER_SETTINGS)
    except (OverflowError, RecursionError):
        return None
    return _checked(parsed, zone) if parsed is not None else None


def _checked(parsed: datetime, zone: tzinfo) -> datetime | None:
    if parsed.year not in _YEARS:
        return None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return parsed.replace(tzinfo=zone)
    return parsed


def _local_midnight(year: int, month: int, day: int, zone: tzinfo) -> datetime | None:
    if year not in _YEARS:
        return None
    try:
        return datetime.combine(date(year, month, day), time(0), tzinfo=zone)
    except ValueError:
        return None


def _parse_first(value: Any, zone: tzinfo, languages: tuple[str, ...]) -> datetime | None:
    # JSON-LD may give a list of dates, or a nested {"@value": ...}.
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value")
    return parse_datetime(value, zone, languages) if isinstance(value, str) else None


def _languages(page: Page) -> tuple[str, ...]:
    html = page.tree.css_first("html")
    lang = (html.attributes.get("lang") or "") if html else ""
    primary = lang.strip().split("-")[0].split("_")[0].lower()
    return (primary, "en") if primary.isalpha() and primary != "en" else ("en",)
