"""When an article page says it was published, and on what evidence.

Owns: finding the publish time (and, apart, the modified time) of a page, in order of trust:
JSON-LD, Open Graph `article:published_time`, microdata, common `<meta>` names, `<time
datetime>`, and last a date in the URL path. A machine publish time gives way to the page's
modified time only when the page shows that later day as its date (`_republished`). Offsets
written in the page are kept; a value without one is read in the source's zone; a date
without a time is midnight there.
Input: a `Page` (or body bytes for `extract_published`), the page URL and an IANA zone name.
Output: a `Published` naming its evidence ("json-ld", "meta:article:published_time", "time"…).

Must not: raise on bad HTML or odd date strings (they are skipped), read the clock (relative
dates such as "2 hours ago" are ignored, not resolved), or fetch anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from itertools import chain
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from selectolax.lexbor import LexborNode

from timeline.article.dates import days_at, find_day, find_day_at, find_short_day
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
_LOGO_HINT = re.compile(r"logo|brand|site-?(?:title|name)|masthead", re.I)
_FRONT_PAGES = frozenset(("/", "./", "index.html", "/index.html"))
_HEADLINE_BLOCK_LEVELS = 4  # <h1> in <div> in <header> in <article>: the article's own header
_REPUBLISHED_AFTER = timedelta(days=2)  # a modified time this much later may be a new edition
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_URL_DATES = (
    re.compile(r"/((?:19|20)\d\d)/(\d{1,2})/(\d{1,2})(?=/|$|[-_.])"),  # /2025/03/07/
    re.compile(r"/((?:19|20)\d\d)/([a-z]{3})/(\d{1,2})(?=/|$)", re.I),  # /2025/mar/07/
    re.compile(r"(?<![\d])((?:19|20)\d\d)-(\d\d)-(\d\d)(?![\d])"),  # /2025-03-07-slug
    re.compile(r"/((?:19|20)\d\d)(\d\d)(\d\d)(?=/)"),  # /20250307/
)
# /07-03-2025 as a whole path segment: day first, as written outside the US.
_URL_DAY_FIRST = re.compile(r"/(\d\d)-(\d\d)-((?:19|20)\d\d)(?=/|$|\.html?$)")
# Microdata properties naming when a work was first out, by trust.
_MICRODATA_PUBLISHED = ("datePublished", "uploadDate", "dateCreated")
# Keys of the JSON that script-built pages embed (Shopify, Next.js, CMS state), with a value
# in ISO form: the machine-written publish time of pages whose markup has none.
# Read value first: a regex led by the keys tries them at every letter of the page, while
# one led by the ":" before an ISO value is a fast literal scan (5x on the shared pages); the
# key is then checked just before the value.
_SCRIPT_VALUE = re.compile(r""":\s*\\?["'](\d{4}-\d\d-\d\d[^"'\\]{0,30})\\?["']""")
_SCRIPT_KEY = re.compile(
    r"(?:datePublished|date_published|published_at|publishedAt|publishDate|publish_date"
    r"|publishedDate|published_date|firstPublished|first_published_at|pubDate|releaseDate)"
    r"""\\?["']\s*\Z"""
)
_SCRIPT_KEY_REACH = 40  # characters before the ":" that hold the key and its quotes
# Visible labels of a publish date ("Veröffentlicht am", "Posted on", "publié le", "Stand:").
_DATE_LABEL = re.compile(
    r"(?<![^\W\d_])(?:ver[öo]ffentlicht|erstellt|publiziert|erschienen|datum|stand|published"
    r"|posted|publication date|date|publié|mis en ligne|publicado|fecha|pubblicato"
    r"|gepubliceerd|geplaatst|data|wurde)(?![^\W\d_])(?:\s+(?:am|on|le|el|il|op|de publication))?"
    r"\s*:?\s*",
    re.I,
)
_LABEL_REACH = 30  # a labelled day starts this close to its label
_HEADING_REACH = 300  # characters of text after an <h1> that may hold its date line
_HEADING_REACH_BEFORE = 80  # and before it (a date line above the headline)
_MAX_HEADINGS = 3
_COMMENT = re.compile(r"(?:[\w-]*[-_])?comment(?:s|list|area)?(?:[-_][\w-]*)?", re.I)
# Whether a page may hold a comment box at all: the word alone, spelled out case by case
# because `_COMMENT.search` over a whole page backtracks on every word (seconds, not ms).
_COMMENT_WORD = re.compile("[cC][oO][mM][mM][eE][nN][tT]")
_MAX_TEXT_DAYS = 60  # days read from the visible text by the last tier
_UPDATE_BEFORE = 40  # characters before a day that may say it is an update ("last modified on")
# The zones in use span UTC-12 to UTC+14.
_OFFSETS_H = sorted(range(-12, 15), key=abs)
_NO_ZONE_ISO = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?")
_DIGIT = re.compile(r"\d")  # any script's decimal digit
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
# The zone words of news pages, as dateparser reads them, but for IST, which is India's on
# the news pages that write it (Israel's and Ireland's are written as offsets or not at all).
# A word not here (or a numeric offset) is still left to dateparser.
_ZONE_ABBREVIATIONS: dict[str, timedelta] = {
    name: timedelta(minutes=minutes)
    for names, minutes in (
        ("UTC GMT Z WET", 0),
        ("BST CET WEST WAT", 60),
        ("CEST EET SAST", 120),
        ("EEST MSK EAT", 180),
        ("PKT", 300),
        ("IST", 330),
        ("ICT WIB", 420),
        ("AWST HKT PHT SGT", 480),
        ("JST KST", 540),
        ("ACST", 570),
        ("AEST", 600),
        ("AEDT", 660),
        ("NZST", 720),
        ("NZDT", 780),
        ("HST", -600),
        ("AKST", -540),
        ("AKDT PST", -480),
        ("PDT MST", -420),
        ("MDT CST", -360),
        ("CDT EST", -300),
        ("EDT", -240),
    )
    for name in names.split()
}
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
    page = read_page(body, content_type=content_type)
    found = find_published(page, url=url, zone=zone, with_modified=False)
    return found.published, found.published_from


def find_published(page: Page, *, url: str, zone: tzinfo, with_modified: bool = True) -> Published:
    """`with_modified=False` leaves `modified` None, for callers that only want the publish
    time (`timeline pubdate`): reading it may cost a parse of the whole page (microdata)."""
    languages = _languages(page)
    modified = _modified(page, zone, languages) if with_modified else None
    for published, evidence in _candidates(page, url=url, zone=zone, languages=languages):
        if published is not None:
            if evidence == "json-ld" or evidence.startswith("meta:"):
                published, evidence = _republished(page, published, evidence, zone, languages)
            if published.utcoffset() == timedelta(0) and not evidence.startswith(("url", "text")):
                published, evidence = _local(page, published, evidence, url=url, zone=zone)
            return Published(published=published, published_from=evidence, modified=modified)
    return Published(published=None, published_from="", modified=modified)


def _republished(
    page: Page, published: datetime, evidence: str, zone: tzinfo, languages: tuple[str, ...]
) -> tuple[datetime, str]:
    """The modified time instead of a machine publish time days before it, when the date
    line under the headline shows the modified day, not as an update: a page republished
    (an evergreen guide brought up to date and dated anew, its text written as of then),
    whose JSON-LD or `<meta>` still carries the first publication. Issue 5: the publish
    day is the day the page shows its readers. A day apart is a time-zone matter (`_local`);
    a date line that says "updated" keeps the publish time."""
    found = (
        (modified, source)
        for value, source in _head_modified_values(page)
        if (modified := _parse_first(value, zone, languages)) is not None
    )
    modified, source = next(found, (None, ""))
    if modified is None or modified - published < _REPUBLISHED_AFTER:
        return published, evidence
    shown = _heading_date(page, zone)
    if shown is None or shown.date() != modified.date():
        return published, evidence
    return modified, f"{source}+text:heading"


def _local(
    page: Page, published: datetime, evidence: str, *, url: str, zone: tzinfo
) -> tuple[datetime, str]:
    """The same instant at the offset the page itself writes, when a UTC stamp and the page
    name different days (issue 5: 2023-11-09T03:28Z on a page that prints "Nov. 8, 2023").

    A value without a zone for the same publication ("2023-11-08 22:28:35") gives the
    offset exactly; else the day in the URL, in the date line under the headline or in an
    element that holds the date ("post-date", "datum") picks the smallest whole-hour offset
    that puts the instant on that day. A page that names no other day keeps UTC.
    """
    utc = published.astimezone(UTC).replace(tzinfo=None)
    for key in _META_PUBLISHED:
        value = page.meta.get(key, "").strip()
        if not _NO_ZONE_ISO.fullmatch(value):
            continue
        try:
            offset = datetime.fromisoformat(value) - utc
        except ValueError:
            continue
        if offset and abs(offset) <= timedelta(hours=14) and not offset % timedelta(minutes=15):
            return published.astimezone(timezone(offset)), f"{evidence}+meta:{key}"
    local_midnight = published.astimezone(zone)
    if local_midnight.time() == time(0) and utc.time() != time(0):
        # A day stored as midnight in the outlet's zone and written out in UTC
        # (2021-11-04T23:00Z for 5 November in Central Europe). Only the outlet's own zone
        # says so: a US story scheduled for 22:00Z is 6 pm in New York, not tomorrow.
        return local_midnight, evidence
    canonical = page.head.css_first('link[rel="canonical"]')
    canonical_url = (canonical.attributes.get("href") or "") if canonical else ""
    named = [
        (url_date(url, zone), "url"),
        (url_date(urljoin(url, canonical_url), zone) if canonical_url else None, "url"),
    ]
    if not any(day for day, _ in named):
        named.append((_heading_date(page, zone), "text:heading"))
    if not any(day for day, _ in named) and utc.time().replace(hour=0) == time(0) < utc.time():
        # A stamp on a whole hour but midnight may be a day stored as midnight in the
        # outlet's zone (23:00Z for a day in Central Europe); the page's date line, which
        # costs a parse of the whole page, says which day. Midnight UTC (or a date alone)
        # and other stamps are read as they are, without that parse.
        named.append((_visible_date(page, zone, _languages(page)), "text"))
    for day, source in named:
        if day is None or day.date() == utc.date():
            continue
        for hours in _OFFSETS_H:
            local = published.astimezone(timezone(timedelta(hours=hours)))
            if local.date() == day.date():
                return local, f"{evidence}+{source}"
        return published, evidence  # a day the instant cannot be on: keep the stamp
    return published, evidence


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
    yield from _meta_published(page, zone, languages)
    for prop in _MICRODATA_PUBLISHED if b'itemprop="' in page.data else ():
        if f'itemprop="{prop}"'.encode() not in page.data:
            continue
        for node in page.tree.css(f'[itemprop="{prop}"]'):
            value = node.attributes.get("datetime") or node.attributes.get("content")
            if value:
                yield parse_datetime(value, zone, languages), "microdata"
    if b"<time" in page.data:
        for node in _time_nodes(page):
            yield parse_datetime(node.attributes.get("datetime") or "", zone, languages), "time"
    canonical = page.head.css_first('link[rel="canonical"]')
    canonical_url = (canonical.attributes.get("href") or "") if canonical else ""
    for candidate in (url, urljoin(url, canonical_url) if canonical_url else ""):
        yield url_date(candidate, zone), "url"
    yield _script_date(page, zone, languages), "script"
    yield _visible_date(page, zone, languages), "text"
    # JSON-LD that describes only the WebPage is weaker than anything the page shows.
    for item in page.ld:
        if "datePublished" in item and not ld_types(item) & ARTICLE_TYPES:
            yield _parse_first(item.get("datePublished"), zone, languages), "json-ld:webpage"
    yield _heading_date(page, zone), "text:heading"
    yield _labelled_date(page, zone, languages), "text:label"
    yield _first_date(page, zone), "text:first"


def _meta_published(
    page: Page, zone: tzinfo, languages: tuple[str, ...]
) -> Iterator[tuple[datetime | None, str]]:
    """Publish-time `<meta>` values, most specific first, except that a day two or more
    other names agree on beats one name alone (a stale "pubdate" beside "date" and
    "dc.date.issued" of the republished page)."""
    keys = [key for key in _META_PUBLISHED if key in page.meta]
    if not keys:
        return
    first = parse_datetime(page.meta[keys[0]], zone, languages)
    if first is None:
        yield first, f"meta:{keys[0]}"
        for key in keys[1:]:
            yield parse_datetime(page.meta[key], zone, languages), f"meta:{key}"
        return
    # Only machine-written values vote: no dateparser for a second opinion.
    found = [(first, f"meta:{keys[0]}")] + [
        (parsed, f"meta:{key}")
        for key in keys[1:]
        if (parsed := parse_datetime(page.meta[key], zone, languages, human=False))
    ]
    votes: dict[date, int] = {}
    for parsed, _ in found:
        votes[parsed.date()] = votes.get(parsed.date(), 0) + 1
    if found and votes[found[0][0].date()] == 1:
        leader = max(votes, key=votes.__getitem__)
        if votes[leader] >= 2:
            found.sort(key=lambda item: item[0].date() != leader)
    yield from found


def _script_date(page: Page, zone: tzinfo, languages: tuple[str, ...]) -> datetime | None:
    """A publish-time key in the JSON of a script-built page, outside JSON-LD (read above,
    where a WebPage's date is weaker than what the page shows)."""
    html = page.html
    count = 0
    for match in _SCRIPT_VALUE.finditer(html):
        start = match.start()
        if not _SCRIPT_KEY.search(html, max(0, start - _SCRIPT_KEY_REACH), start):
            continue
        count += 1
        if count > 5:
            break
        if html.rfind("ld+json", 0, start) > html.rfind("</script", 0, start):
            continue
        return parse_datetime(match.group(1), zone, languages)
    return None


def _ld_articles(page: Page) -> Iterator[dict[str, Any]]:
    return (item for item in page.ld_items() if ld_types(item) & ARTICLE_TYPES)


def _modified(page: Page, zone: tzinfo, languages: tuple[str, ...]) -> datetime | None:
    for value in _modified_values(page):
        parsed = _parse_first(value, zone, languages)
        if parsed is not None:
            return parsed
    return None


def _modified_values(page: Page) -> Iterator[Any]:
    """Modified-time values by trust; lazy, so microdata costs a parse only when needed."""
    for value, _ in _head_modified_values(page):
        yield value
    if b'itemprop="dateModified"' in page.data:
        for node in page.tree.css('[itemprop="dateModified"]'):
            yield node.attributes.get("datetime") or node.attributes.get("content")


def _head_modified_values(page: Page) -> Iterator[tuple[Any, str]]:
    """(value, evidence) of the modified times read without parsing the whole page."""
    for item in _ld_articles(page):
        yield item.get("dateModified"), "json-ld:modified"
    for key in _META_MODIFIED:
        yield page.meta.get(key), f"meta:{key}"


def _time_nodes(page: Page) -> Iterator[LexborNode]:
    seen: set[int] = set()
    found = chain.from_iterable(page.tree.css(selector) for selector in _TIME_SELECTORS)
    for node in chain(_headline_times(page), found):
        if node.mem_id in seen:
            continue
        seen.add(node.mem_id)
        if not _is_publish_time(node):
            continue
        yield node


def _headline_times(page: Page) -> list[LexborNode]:
    """The `<time datetime>`s of the smallest block around an `<h1>` that holds one (the
    article's header): a page's own date line sits with its headline, while a
    `time[pubdate]` or an `<article>` elsewhere may be a teaser of another story."""
    for block in _headline_blocks(page):
        times = [node for node in block.css("time[datetime]") if _is_publish_time(node)]
        if times:
            return times
    return []


def _headline_blocks(page: Page) -> Iterator[LexborNode]:
    """The blocks around each of the first `<h1>`s, smallest first, below `<body>` and
    `<main>`. A site logo set in an `<h1>` reaches `<body>` with nothing found, and the next
    `<h1>` is tried."""
    for heading in page.tree.css("h1")[:_MAX_HEADINGS]:
        if _is_logo(heading):
            continue
        ancestor: LexborNode | None = heading
        for _ in range(_HEADLINE_BLOCK_LEVELS):
            if ancestor is None or ancestor.tag in ("body", "main", "html"):
                break
            yield ancestor
            ancestor = ancestor.parent


def _is_logo(heading: LexborNode) -> bool:
    """Whether an `<h1>` holds the site's name, not a headline: it, its parent or its first
    child is marked as a logo or brand, or it links to the site's front page. Its block is
    the masthead, whose date is the day's edition."""
    child = heading.child
    while child is not None and child.tag == "-text":
        child = child.next
    for node in (heading, heading.parent, child):
        if node is not None and _LOGO_HINT.search(_hints(node)):
            return True
    link = heading.css_first("a[href]")
    return link is not None and (link.attributes.get("href") or "").strip() in _FRONT_PAGES


def _is_publish_time(node: LexborNode) -> bool:
    """False for an "updated" stamp, or a time in comments, related links or a sidebar."""
    hints = " ".join(
        node.attributes.get(name) or "" for name in ("class", "id", "itemprop", "data-testid")
    )
    if _UPDATED_HINT.search(hints):
        return False
    ancestor: LexborNode | None = node
    for _ in range(12):  # enough to reach the enclosing section; bounded on deep markup
        if ancestor is None or ancestor.tag in ("body", "main"):
            break
        if ancestor.tag == "article":
            # An <article> that is an item of a list is a teaser card, not the page's story.
            parent = ancestor.parent
            return parent is None or parent.tag not in ("li", "ul", "ol")
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
    match = _URL_DAY_FIRST.search(path)
    if match is not None:
        day, month, year = (int(part) for part in match.groups())
        return _local_midnight(year, month, day, zone)
    return None


def parse_datetime(
    value: str, zone: tzinfo, languages: Iterable[str] = ("en",), *, human: bool = True
) -> datetime | None:
    """An aware datetime from a machine- or human-written date; None when it is not one.

    An offset in the value is kept; a value without one is read in `zone`; a date alone is
    midnight in `zone`. Relative phrases ("yesterday") give None: resolving them needs a now.
    `human=False` reads only machine forms (ISO 8601, RFC 2822, Unix time).
    """
    text = value.strip()
    if not text or len(text) > _MAX_VALUE_CHARS:
        return None
    if not text.isascii():
        # Digits of other scripts ("২০২০-০৮-২৯"), which the ISO and epoch readers reject.
        text = _DIGIT.sub(lambda digit: str(int(digit[0])), text)
    if _EPOCH.fullmatch(text):
        # parsely and sailthru sometimes write Unix time, in seconds or milliseconds.
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return _checked(datetime.fromtimestamp(seconds, tz=UTC), zone)
    date_only = _DATE_ONLY.fullmatch(text)
    if date_only:
        year, month, day = (int(part) for part in date_only.groups())
        return _local_midnight(year, month, day, zone)
    if not human:
        return _from_iso(text, zone) or _from_rfc2822(text, zone)
    return (
        _from_iso(text, zone)
        or _from_rfc2822(text, zone)
        or _from_table(text, zone)
        or _from_dateparser(text, zone, tuple(languages))
    )


def _from_table(text: str, zone: tzinfo) -> datetime | None:
    """A human-written day ("Apr 08, 2020 04:25 PM", "5. März 2021") read with the month
    table of `dates.py`, in `zone`. A value naming its own zone ("IST") is read at that
    zone's offset from the table above; a zone it does not know is left to dateparser, and
    so is a time this cannot read."""
    zone_words = _ZONE_WORD.findall(text)
    if zone_words:
        offset = _ZONE_ABBREVIATIONS.get(zone_words[0]) if len(zone_words) == 1 else None
        if offset is None:
            return None
        zone = timezone(offset)
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
    # Imported here: email.utils brings socket and hashlib, a few ms of every start-up.
    from email.utils import parsedate_to_datetime

    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return _checked(parsed, zone)


def _from_dateparser(text: str, zone: tzinfo, languages: tuple[str, ...]) -> datetime | None:
    if not re.search(r"[0-9]{4}", text):
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
    comments, related links and sidebars and not marked as an update. Those in the smallest
    block around the headline come first: a masthead's "edition of" date comes before the
    article in the page, not beside its headline."""
    for block in _headline_blocks(page):
        for node in block.css(_DATE_HOLDERS):
            found = _holder_day(node, zone, languages, page.lang)
            if found is not None:
                return _local_midnight(*found, zone)
    for node in page.tree.css(_DATE_HOLDERS):
        found = _holder_day(node, zone, languages, page.lang)
        if found is not None:
            return _local_midnight(*found, zone)
    return None


def _holder_day(
    node: LexborNode, zone: tzinfo, languages: tuple[str, ...], lang: str
) -> tuple[int, int, int] | None:
    """The day a date-holding element shows, unless it is an update or not the article's."""
    hints = _hints(node)
    if _UPDATED_ONLY.search(hints) and not _PUBLISHED_HINT.search(hints):
        return None
    text = " ".join((node.text() or "").split())
    if not (6 <= len(text) <= _MAX_DATE_LINE_CHARS) or not _YEAR_IN_TEXT.search(text):
        return None
    if _UPDATED_TEXT.match(text) or not _is_publish_time(node):
        return None
    found = find_day(text, month_first=lang.lower() in ("en-us", "en"))
    if found is None and languages[0] not in _TABLE_LANGUAGES:
        parsed = _from_dateparser(text, zone, languages)
        found = (parsed.year, parsed.month, parsed.day) if parsed is not None else None
    return found


def _heading_date(page: Page, zone: tzinfo) -> datetime | None:
    """The first day in the text that follows an `<h1>` closely (the date line under a
    headline), else the last one just before it (a date line above it). A day said to be
    an update ("Aktualisiert am …") is not the publish day."""
    month_first = page.lang.lower() in ("en-us", "en")
    for before, after in page.around_headings(_MAX_HEADINGS):
        after, before = after[:_HEADING_REACH], before[-_HEADING_REACH_BEFORE:]
        # The first day is mostly not an update: one quick look, all days only if it is.
        first = find_day_at(after, month_first=month_first)
        found = first[1] if first is not None else None
        if first is not None and _is_update(after, first[0]):
            days = _days_published(after, month_first=month_first)
            found = days[0] if days else None
        if found is None:
            days = _days_published(before, month_first=month_first)
            found = days[-1] if days else None
        if found is None:
            # "von Anna Muster, 8.5.12": a two-digit year, read only this close to a headline.
            found = find_short_day(after) or find_short_day(before, last=True)
        if found is not None:
            return _local_midnight(*found, zone)
    return None


def _days_published(text: str, *, month_first: bool) -> list[tuple[int, int, int]]:
    """The days written in `text`, in order, but those said to be updates."""
    return [
        day for start, day in days_at(text, month_first=month_first) if not _is_update(text, start)
    ]


def _is_update(text: str, start: int) -> bool:
    """Whether the day written at `start` in `text` follows an update label."""
    return _UPDATED_TEXT.search(text[max(0, start - _UPDATE_BEFORE) : start]) is not None


def _labelled_date(page: Page, zone: tzinfo, languages: tuple[str, ...]) -> datetime | None:
    """The first day written right after a publish-date label ("Veröffentlicht am 5. März
    2021", "Stand: 05.03.2021", "Posted on March 5, 2021") anywhere in the visible text."""
    text = page.visible_text
    month_first = page.lang.lower() in ("en-us", "en")
    for count, label in enumerate(_DATE_LABEL.finditer(text)):
        if count > 200:
            break
        window = text[label.end() : label.end() + _LABEL_REACH + 30]
        found = find_day_at(window, month_first=month_first)
        if found is not None and found[0] <= _LABEL_REACH:
            return _local_midnight(*found[1], zone)
    return None


def _without_comments(page: Page) -> str:
    """The visible text of the page without its comment threads, whose dates are readers'.
    Read from a copy of the tree: `page.tree` is shared and never changed (page.py), and a
    copy costs a third of a second parse (and is bounded as `page.tree` is)."""
    tree = page.tree.clone()
    body = tree.body
    if body is None:
        return ""
    doomed = [
        node
        for node in body.css("script, style, noscript, template, [class], [id]")
        if node.tag in ("script", "style", "noscript", "template")
        or any(_COMMENT.fullmatch(token) for token in _hints(node).lower().split())
    ]
    for node in doomed:
        node.decompose()
    return " ".join((body.text(separator=" ") or "").split())


def _first_date(page: Page, zone: tzinfo) -> datetime | None:
    """The first day in the visible text, when it is written more often than any other: on
    a page with one date line that is it; on a list of teasers the days disagree and none
    is taken. Days said to be updates ("last modified on …") are not counted."""
    text = _without_comments(page) if _COMMENT_WORD.search(page.html) else page.visible_text
    month_first = page.lang.lower() in ("en-us", "en")
    counts: dict[tuple[int, int, int], int] = {}
    first: tuple[int, int, int] | None = None
    for start, day in days_at(text, month_first=month_first, limit=_MAX_TEXT_DAYS):
        if _is_update(text, start):
            continue
        counts[day] = counts.get(day, 0) + 1
        first = first or day
    if first is None:
        return None
    others = [count for day, count in counts.items() if day != first]
    if others and counts[first] <= max(others):
        return None  # no day stands out: a list, or a menu, not one article's date
    return _local_midnight(*first, zone)


def _hints(node: LexborNode) -> str:
    attrs = node.attributes
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''} {attrs.get('itemprop') or ''}"
