"""One HTML page, decoded and parsed once for `body.py` and `pubdate.py`.

Owns: turning response bytes into text the way a crawler does (BOM, HTTP charset, `<meta>`
charset, else UTF-8 with replacement), bounding what the HTML parser is given, and the
page-wide readers both halves need: `<meta>` values and JSON-LD objects; and what an element
picked by a configured CSS selector says as a date (`date_text`, for body.py and listing.py).
Input: body bytes and the Content-Type header. Output: a `Page`.

Work is paid for when it is needed: `<head>` is parsed alone for `<meta>`, `<html lang>` and
`<link>`; JSON-LD is cut from the text; the whole page is parsed on first use of `Page.tree`.
Most pages state their publish time in their head, so `timeline pubdate` rarely parses more
(issue 5: throughput at least twice htmldate's fast mode). A UTF-8 page is read from its bytes
(head, JSON-LD, markers, the text around its headlines, the parser) and decoded whole only
when a reader needs its whole text.

Must not: raise on any input (a page that cannot be read is an empty `Page`), fetch, or read
the clock. It never mutates the tree, so the two readers can run in any order.
"""

from __future__ import annotations

import codecs
import html as html_entities
import json
import re
from collections.abc import Iterator
from itertools import accumulate
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

# Beyond this a page is not an article but a dump; cutting keeps parse time bounded.
MAX_HTML_CHARS = 5_000_000
# lexbor's tree builder is quadratic in the depth of nested <div>s (40k levels take seconds);
# real pages stay under ~100 levels, so markup past this depth is cut off before parsing.
MAX_NESTING = 512
# Where <head> ends; a page without one is looked at whole (`Page.tree`).
_HEAD_END = re.compile(r"<body[\s>]|</head\s*>", re.I)
_HEAD_END_BYTES = re.compile(rb"<body[\s>]|</head\s*>", re.I)
_MAX_HEAD_CHARS = 1_000_000
_SCRIPT_END = re.compile(rb"</script\s*>", re.I)
# Start tags that make lexbor look down its stack of open elements ("a <p> in button scope"),
# hence the quadratic time; phrasing tags (<span>, <b>) nest cheaply and are not counted.
# Grouped by first letter, so the common tags (<a>, <span>, <img>) fail after a few tries:
# this scan runs over every page that is parsed whole.
# Read from the UTF-8 bytes: half the memory of a page with one curly quote (a 2-byte str).
_BLOCK_OPEN = re.compile(
    rb"<(/?)(?:d(?:iv|l|etails|ialog|ir)|s(?:ection|ummary|earch)|a(?:rticle|side|ddress)"
    rb"|blockquote|center|f(?:ooter|orm|ieldset|igure|igcaption)|h(?:[1-6]|eader|group)"
    rb"|listing|m(?:ain|enu)|nav|[uo]l|p(?:re)?|table)[\s>/]",
    re.I,
)
# For `Page.visible_text`: what a reader never sees, the start of a heading, any other tag.
# One alternative per element rather than a group and a back-reference: the lazy scan for
# the end tag then compares a literal at each character (40% faster on a whole page).
_INVISIBLE = re.compile(
    "|".join(
        rf"<{name}\b[^>]*>.*?</{name}\s*>"
        for name in ("script", "style", "noscript", "template", "svg", "select", "textarea")
    )
    + r"|<!--.*?-->",
    re.I | re.S,
)
_H1_OPEN = re.compile(r"<h1\b[^>]*>", re.I)
_H1_OPEN_BYTES = re.compile(rb"<h1\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]*>")
HEADING_MARK = "\x01"  # where an <h1> opens, in `Page.visible_text`
_AROUND_CHARS = 2_000  # markup bytes read before an <h1> by `Page.around_headings`; 4x after
_MAX_JSON_LD_CHARS = 1_000_000
_MAX_JSON_LD_SCRIPTS = 50
_MAX_JSON_LD_NODES = 5_000

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
# WHATWG Encoding: browsers read these labels as a superset, and pages rely on it
# (a "latin-1" page with curly quotes is really windows-1252).
_SUPERSETS = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "euc-kr": "cp949",
    "big5": "big5hkscs",
}
_TAG = re.compile(r"<(/?)([a-zA-Z][^\s/>]*)[^>]*?(/?)>")
# Elements that are void, or whose end tag may be left out: they do not deepen a page that
# is written validly, so they are not counted towards MAX_NESTING.
_NOT_NESTING = frozenset(
    """area base br col embed hr img input link meta param source track wbr keygen
    p li dt dd option optgroup tr td th thead tbody tfoot colgroup rb rt rp html head body
    script style""".split()
)


class Page:
    """A page and the page-wide facts read from it once; the whole tree is parsed lazily.

    `head` is `<head>` parsed alone (the whole page when it has no head); `meta` maps a
    lower-cased name/property/http-equiv to its first content; `ld` holds every JSON-LD
    object with an @type, @graph flattened; `lang` is `<html lang>` as written, or "".

    `data` is the page in UTF-8 (the body itself when it came as UTF-8): the head, the
    whole-page scans for ASCII markers (`ld+json`, `<time`, `itemprop`) and the parser read
    it, at one byte a character where a page with one curly quote decodes to a 2-byte str,
    and `html` (the text) is decoded from it on first use: a page dated by its head and its
    JSON-LD is never decoded whole. Cuts at ASCII markup give the same text from either.
    """

    __slots__ = ("_html", "_ld", "_ld_rest", "_text", "_tree", "data", "head", "lang", "meta")

    def __init__(self, html: str | None = None, data: bytes | None = None) -> None:
        """From the text, or from `data` alone when it is meant as UTF-8 (`read_page`)."""
        self._html = html
        # "ignore", as the parser encodes a str (selectolax), so both parse the same bytes.
        self.data = (html or "").encode("utf-8", errors="ignore") if data is None else data
        self._tree: LexborHTMLParser | None = None
        self._text: str | None = None
        end = _HEAD_END_BYTES.search(self.data, 0, _MAX_HEAD_CHARS)
        # scripting=True keeps <noscript> as text, as a browser does: otherwise a tracking
        # pixel in a <noscript> inside <head> ends <head> and moves <link rel=canonical> out.
        head = self.data[: end.start()] if end else None
        self.head = LexborHTMLParser(head, scripting=True) if head is not None else self.tree
        self.meta = _meta(self.head)
        root = self.head.css_first("html")
        self.lang = (root.attributes.get("lang") or "").strip() if root is not None else ""
        self._ld: list[dict[str, Any]] = []
        self._ld_rest: Iterator[dict[str, Any]] | None = _json_ld(self.data)

    @property
    def html(self) -> str:
        if self._html is None:
            try:
                self._html = self.data.decode("utf-8")
            except UnicodeDecodeError:
                # As a browser reads it; the parser is then given the same text.
                self._html = self.data.decode("utf-8", errors="replace")
                self.data = self._html.encode("utf-8", errors="ignore")
        return self._html

    @property
    def ld(self) -> tuple[dict[str, Any], ...]:
        return tuple(self.ld_items())

    def ld_items(self) -> Iterator[dict[str, Any]]:
        """`ld` one object at a time: a reader that stops at its first answer leaves the
        rest of the page unsearched."""
        index = 0
        while True:
            if index < len(self._ld):
                yield self._ld[index]
                index += 1
                continue
            if self._ld_rest is None:
                return
            item = next(self._ld_rest, None)
            if item is None:
                self._ld_rest = None
                return
            self._ld.append(item)

    @property
    def tree(self) -> LexborHTMLParser:
        if self._tree is None:
            html = self.html  # first, so that `data` is valid UTF-8
            self._tree = LexborHTMLParser(_bounded(html, self.data), scripting=True)
        return self._tree

    @property
    def visible_text(self) -> str:
        """The words of `<body>` as a reader sees them, one space between, without building
        the tree: scripts, styles and comments dropped, tags read as spaces, entities decoded.
        Each `<h1>` start is marked with `HEADING_MARK`. Cut from the text, so it is cheap
        enough for a last look at a page whose markup says nothing (pubdate.py)."""
        if self._text is None:
            end = _HEAD_END.search(self.html, 0, _MAX_HEAD_CHARS)
            self._text = _words(self.html[end.start() if end else 0 :])
        return self._text

    def around_headings(self, limit: int) -> Iterator[tuple[str, str]]:
        """(text before, text after) each of the first `limit` `<h1>`s, as `visible_text`
        reads them but cut from a slice of the markup around each, so a page asked only
        about its headline is not stripped whole. Found and cut in `data`, with only the
        slices decoded: most pages that get here are dated by their head and never need
        their whole text (`_local` in pubdate.py)."""
        position = 0
        data = self.data
        for _ in range(limit):
            found = _H1_OPEN_BYTES.search(data, position)
            if found is None:
                return
            position = found.end()
            before = data[max(0, found.start() - _AROUND_CHARS) : found.start()]
            after = data[found.end() : found.end() + 4 * _AROUND_CHARS]
            # "replace", as `html` decodes; a character cut at a slice's edge becomes U+FFFD.
            before_text = _words(before.decode("utf-8", "replace"))
            after_text = _words(after.decode("utf-8", "replace"))
            yield before_text.split(HEADING_MARK)[-1], after_text.split(HEADING_MARK)[0]


def _words(markup: str) -> str:
    markup = _INVISIBLE.sub(" ", markup)
    markup = _H1_OPEN.sub(f" {HEADING_MARK} ", markup)
    return " ".join(html_entities.unescape(_ANY_TAG.sub(" ", markup)).split())


def read_page(body: bytes, *, content_type: str = "") -> Page:
    encoding, bom = _encoding(body, content_type)
    if encoding == "utf-8" and len(body) <= MAX_HTML_CHARS:
        return Page(data=body[bom:])  # decoded when first needed (`Page.html`)
    return Page(body[bom:].decode(encoding, errors="replace")[:MAX_HTML_CHARS])


def decode_html(body: bytes, *, content_type: str = "") -> str:
    """Text of an HTML body, decoded as a browser would; never raises."""
    encoding, bom = _encoding(body, content_type)
    return body[bom:].decode(encoding, errors="replace")


def _encoding(body: bytes, content_type: str) -> tuple[str, int]:
    """The codec a browser reads `body` with, and the length of its byte-order mark."""
    # The HTML Standard lets a byte-order mark override even the HTTP header.
    for bom, bom_encoding in _BOMS:
        if body.startswith(bom):
            return bom_encoding, len(bom)
    declared = _HEADER_CHARSET.search(content_type)
    encoding = _codec(declared.group(1)) if declared else None
    if encoding is None:
        # The Standard's prescan stops at 1024 bytes; pages with long <head>s put the
        # declaration later and browsers still honour it via the tree builder, so look further.
        meta = _META_CHARSET.search(body[:8192])
        encoding = _codec(meta.group(1).decode("ascii", "replace")) if meta else None
        if encoding is not None and encoding.startswith("utf-16"):
            encoding = "utf-8"  # a meta tag readable as ASCII cannot be in UTF-16 (Standard)
    return encoding or "utf-8", 0


def _codec(label: str) -> str | None:
    label = label.strip().strip("\"'").lower()
    label = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _bounded(html: str, data: bytes) -> str | bytes:
    """What the parser is given: `data` (the same text as UTF-8 bytes, which lexbor reads
    without the encode a str costs), or `html` cut where it nests past MAX_NESTING."""
    # Fast pass: the deepest nesting of the tags that cost lexbor time, stray end tags
    # ignored. Only a page that may pass the limit gets the exact, slower walk below.
    steps = (-1 if closing else 1 for closing in _BLOCK_OPEN.findall(data))
    if max(accumulate(steps), default=0) <= MAX_NESTING // 2:
        return data if len(html) <= MAX_HTML_CHARS else html[:MAX_HTML_CHARS]
    html = html[:MAX_HTML_CHARS]
    depth = 0
    for match in _TAG.finditer(html):
        closing, name, self_closing = match.groups()
        if name.lower() in _NOT_NESTING or self_closing:
            continue
        if closing:
            depth = max(0, depth - 1)
            continue
        depth += 1
        if depth > MAX_NESTING:
            return html[: match.start()]
    return html


def _meta(tree: LexborHTMLParser) -> dict[str, str]:
    values: dict[str, str] = {}
    for node in tree.css("meta"):
        attrs = node.attributes
        content = attrs.get("content")
        if content is None:
            continue
        # itemprop is microdata, read where it sits (pubdate.py), not as a page-wide <meta>.
        for key_attr in ("property", "name", "http-equiv"):
            key = (attrs.get(key_attr) or "").strip().lower()
            if key and key not in values:
                values[key] = content.strip()
    return values


def _json_ld(html: bytes) -> Iterator[dict[str, Any]]:
    """JSON-LD objects of every `<script type="application/ld+json">`, cut from the text.

    A script's content is raw text up to `</script`, for a parser as here, so reading it
    without building the tree gives the same text, and the head-only path stays cheap.
    """
    position = 0
    for _ in range(_MAX_JSON_LD_SCRIPTS):
        found = html.find(b"ld+json", position)
        if found == -1:
            return
        start = html.rfind(b"<", 0, found)
        open_end = html.find(b">", found)
        if open_end == -1:
            return
        position = open_end + 1
        if start == -1 or html[start : start + 7].lower() != b"<script":
            continue  # the words in text or in another attribute, not a script's type
        end = _SCRIPT_END.search(html, position)
        content = html[position : end.start() if end else len(html)].decode("utf-8", "replace")
        position = end.end() if end else len(html)
        data = _loads(content[:_MAX_JSON_LD_CHARS])
        if data is not None:
            yield from _typed_objects(data)


def _loads(text: str) -> Any:
    try:
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):
        pass
    # Hand-written JSON-LD is often wrapped in HTML comments or CDATA, or has trailing commas.
    cleaned = re.sub(r"^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$", "", text)
    cleaned = re.sub(r",\s*([}\]])", r"\1", cleaned)
    try:
        return json.loads(cleaned, strict=False)
    except (ValueError, RecursionError):
        return None


def _typed_objects(data: Any) -> Iterator[dict[str, Any]]:
    """Every dict with an @type, breadth-first: top-level and @graph before nested ones."""
    queue: list[Any] = [data]
    seen = 0
    while queue and seen < _MAX_JSON_LD_NODES:
        item = queue.pop(0)
        seen += 1
        if isinstance(item, list):
            queue.extend(item)
        elif isinstance(item, dict):
            if "@type" in item:
                yield item
            queue.extend(v for v in item.values() if isinstance(v, dict | list))


def languages(page: Page) -> tuple[str, ...]:
    """Languages to read the page's human-written dates in: its own, then English."""
    primary = page.lang.split("-")[0].split("_")[0].lower()
    return (primary, "en") if primary.isalpha() and primary != "en" else ("en",)


def date_text(node: LexborNode) -> str:
    """What an element chosen to hold a date says (a configured selector's match): its
    `datetime` or `content` attribute (`<time>`, `<meta>`, microdata), else that of a
    `<time datetime>` inside it, else its text with whitespace collapsed."""
    for candidate in (node, node.css_first("[datetime]")):
        if candidate is None:
            continue
        for attribute in ("datetime", "content"):
            value = (candidate.attributes.get(attribute) or "").strip()
            if value:
                return value
    return " ".join((node.text() or "").split())


def ld_types(item: dict[str, Any]) -> set[str]:
    """Schema.org type names of a JSON-LD object, without prefixes ("schema:", URLs)."""
    raw = item.get("@type")
    names = raw if isinstance(raw, list) else [raw]
    return {re.split(r"[/:#]", n)[-1] for n in names if isinstance(n, str)}
