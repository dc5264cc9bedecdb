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

from selectolax.lexbor import LexborNode

from timeline.article.dates import find_day
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
# Elements whose class or id says they hold the date line; read in document order.
_DATE_HOLDERS = ", ".join(
    [f"[{attr}*={word} i]" for attr in ("class", "id") for word in ("date", "datum", "fecha")]
    + [
        f"[class*={word} i]"
        for word in ("time", "publish", "posted", "byline", "meta", "author", "info", "stand")
    ]
    + ["time", "[itemprop*=date i]"]
)
_MAX_DATE_LINE_CHARS = 160  # longer is a container or a teaser, not a date line
_YEAR_IN_TEXT = re.compile(r"(?:19|20)\d\d")
_UPDATED_ONLY = re.compile(r"modif|updat|edited|last", re.I)
_PUBLISHED_HINT = re.compile(r"publi|entry-date|post-date|created", re.I)
_UPDATED_TEXT = re.compile(
    r"(?:last\s+)?(?:updated|modified|edited|aktualisiert|geändert|mis à jour|modifié"
    r"|actualizado|aggiornato|bijgewerkt)\b",
    re.I,
)
# Languages whose month names `dates.py` reads; others ask dateparser (lazily imported).
_TABLE_LANGUAGES = frozenset("en de fr es it nl pt ro sv da no nb pl".split())
# A class or id token of a box whose dates are not the article's. Whole tokens, so a layout
# class ("layoutTwoColumnsRightSidebar", "footerRow") does not hide the page's own date.
_SKIP_TOKEN = re.compile(
    r"comment\w*|(?:[\w-]*[-_])?(?:comments?|related|recirc\w*|recommend\w*|promo\w*|sidebar"
    r"|teasers?)(?:[-_][\w-]*)?"
)
_MAIN_TOKEN = re.compile(r"content|main|article|post|entry|story")
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
_RFC2822 = re.compile(
    r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d\d:\d\d(?::\d\d)?"
    r"(?:\s+(?:[+-]\d{4}|UT|GMT|Z|[ECMP][SD]T))?\s*$"
)
_ZONE_WORD = re.compile(r"\b(?:[A-Z]{2,4}T|UTC|GMT|Z)\b|[+-]\d\d:?\d\d\b")
_CLOCK = re.compile(r"(?<!\d)(\d{1,2}):(\d\d)(?::(\d\d))?(?:\s*([ap]\.?m\.?))?", re.I)
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
    """Publish-time evidence, most trusted first, parsed lazily so the first hit stops work.

    The first two tiers need only `<head>` and the JSON-LD text; the whole page is parsed
    (`page.tree`) only when they say nothing, and each later tier first checks the text for
    its marker so that a page without one costs no selector run.
    """
    for item in _ld_articles(page):
        yield _parse_first(item.get("datePublished"), zone, languages), "json-ld"
    for key in _META_PUBLISHED:
        if key in page.meta:
            yield parse_datetime(page.meta[key], zone, languages), f"meta:{key}"
    if "datePublished" in page.html:
        for node in page.tree.css('[itemprop="datePublished"]'):
            value = node.attributes.get("datetime") or node.attributes.get("content")
            if value:
                yield parse_datetime(value, zone, languages), "microdata"
    if "<time" in page.html:
        for node in _time_nodes(page):
            yield parse_datetime(node.attributes.get("datetime") or "", zone, languages), "time"
    canonical = page.head.css_first('link[rel="canonical"]')
    canonical_url = (canonical.attributes.get("href") or "") if canonical else ""
    for candidate in (url, urljoin(url, canonical_url) if canonical_url else ""):
        yield url_date(candidate, zone), "url"
    yield _visible_date(page, zone, languages), "text"
    # JSON-LD that describes only the WebPage is weaker than anything the page shows.
    for item in page.ld:
        if "datePublished" in item and not ld_types(item) & ARTICLE_TYPES:
            yield _parse_first(item.get("datePublished"), zone, languages), "json-ld:webpage"


def _ld_articles(page: Page) -> Iterator[dict[str, Any]]:
    return (item for item in page.ld if ld_types(item) & ARTICLE_TYPES)


def _modified(page: Page, zone: tzinfo, languages: tuple[str, ...]) -> datetime | None:
    for value in _modified_values(page):
        parsed = _parse_first(value, zone, languages)
        if parsed is not None:
            return parsed
    return None


def _modified_values(page: Page) -> Iterator[Any]:
    """Modified-time values by trust; lazy, so microdata costs a parse only when needed."""
    for item in _ld_articles(page):
        yield item.get("dateModified")
    for key in _META_MODIFIED:
        yield page.meta.get(key)
    if 'itemprop="dateModified"' in page.html:
        for node in page.tree.css('[itemprop="dateModified"]'):
            yield node.attributes.get("datetime") or node.attributes.get("content")


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
    ancestor: LexborNode | None = node
    for _ in range(12):  # enough to reach the enclosing section; bounded on deep markup
        if ancestor is None or ancestor.tag in ("article", "body", "main"):
            break
        if ancestor.tag in ("aside", "footer", "nav"):
            return False
        attrs = ancestor.attributes
        tokens = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower().split()
        if any(_SKIP_TOKEN.fullmatch(t) for t in tokens) and not any(
            _MAIN_TOKEN.search(t) for t in tokens
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
        or _from_table(text, zone)
        or _from_dateparser(text, zone, tuple(languages))
    )


def _from_table(text: str, zone: tzinfo) -> datetime | None:
    """A human-written day ("Apr 08, 2020 04:25 PM", "5. März 2021") read with the month
    table of `dates.py`, in `zone`. A value naming its own zone ("IST") is left to
    dateparser, which knows the abbreviations; so is a time this cannot read."""
    if _ZONE_WORD.search(text):
        return None
    found = find_day(text)
    if found is None:
        return None
    clock = _CLOCK.search(text)
    if clock is None:
        return _local_midnight(*found, zone)
    hour, minute, second = (int(part or 0) for part in clock.groups()[:3])
    meridiem = (clock.group(4) or "").lower()
    if meridiem:
        hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return datetime(*found, hour, minute, second, tzinfo=zone)


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
    # Only the RFC's own shape: email.utils is lax and would read "Apr 08, 2020 04:25 PM"
    # as 04:25 and drop a zone word it does not know.
    if not _RFC2822.match(text):
        return None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return _checked(parsed, zone)


def _from_dateparser(text: str, zone: tzinfo, languages: tuple[str, ...]) -> datetime | None:
    if not re.search(r"\d{4}", text):
        return None  # a publish date names its year; this also keeps dateparser off "today"
    # Imported here: it costs more start-up than the rest of the stage, and most pages never
    # need it (ISO values and the month names in `dates.py` cover them).
    import dateparser

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
    primary = page.lang.split("-")[0].split("_")[0].lower()
    return (primary, "en") if primary.isalpha() and primary != "en" else ("en",)


# -- a date in the visible text, beside the byline ----------------------------------------


def _visible_date(page: Page, zone: tzinfo, languages: tuple[str, ...]) -> datetime | None:
    """Midnight in `zone` of the first day written in an element that says it holds a date
    ("post-date", "entry-meta", "byline", "datum", <time> without datetime…), outside
    comments, related links and sidebars and not marked as an update."""
    month_first = page.lang.lower() in ("en-us", "en")
    for node in page.tree.css(_DATE_HOLDERS):
        hints = _hints(node)
        if _UPDATED_ONLY.search(hints) and not _PUBLISHED_HINT.search(hints):
            continue
        text = " ".join((node.text() or "").split())
        if not (6 <= len(text) <= _MAX_DATE_LINE_CHARS) or not _YEAR_IN_TEXT.search(text):
            continue
        if _UPDATED_TEXT.match(text) or not _is_publish_time(node):
            continue
        found = find_day(text, month_first=month_first)
        if found is None and languages[0] not in _TABLE_LANGUAGES:
            parsed = _from_dateparser(text, zone, languages)
            found = (parsed.year, parsed.month, parsed.day) if parsed is not None else None
        if found is not None:
            return _local_midnight(*found, zone)
    return None


def _hints(node: LexborNode) -> str:
    attrs = node.attributes
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''} {attrs.get('itemprop') or ''}"
