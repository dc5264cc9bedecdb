"""An article page -> `Article`: main text, title, canonical URL, language, author.

Owns: finding the element that holds the article (itemprop=articleBody, <article>, <main>,
a class like "article-body", else the densest block of paragraphs) and reading its
paragraphs while leaving out what surrounds news on the web: navigation, headers and footers,
share bars, related links, comments, cookie banners and donation or subscription appeals.
The rules are general (structure, link density, class/id words, calls to action), never
written for one site. The publish time comes from `pubdate.py`, on the same parsed page.
For the sites these rules get wrong, a source may name the body, title or date element with
CSS selectors in config.toml (`ArticleSelectors`, issue 5); they win where they match.
Input: body bytes, the page URL, the source name and zone, the Content-Type, the selectors.
Output: an `Article`; `ExtractError` when the page holds no article text.

Must not: fetch, read the clock, or mutate the parsed tree (the readers share it). Work is
bounded: `page.py` caps size and nesting, and the walk below is iterative and linear.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from selectolax.lexbor import LexborNode

from timeline.article.page import Page, date_text, languages, ld_types, read_page
from timeline.article.pubdate import ARTICLE_TYPES, find_published, parse_datetime
from timeline.errors import ExtractError
from timeline.model import Article, ArticleSelectors
from timeline.text import normalize

# Never article text, wherever they are.
_SKIP_TAGS = frozenset(
    """script style noscript template svg math iframe object embed canvas video audio
    nav aside footer button select textarea input label dialog figure menu
    h1 head title""".split()
)
# Each starts a paragraph of its own.
_BLOCK_TAGS = frozenset("p li blockquote pre dd dt h2 h3 h4 h5 h6 caption".split())
# Kept in the text when they pass the filters; headings and cells are read but left out.
_TEXT_TAGS = frozenset("p blockquote pre li dd #loose".split())
_HEADING_TAGS = frozenset("h2 h3 h4 h5 h6".split())
_INLINE_TAGS = frozenset(
    """a abbr b bdi bdo cite code data dfn em i kbd mark q s samp small span strong sub sup
    time u var font ins del""".split()
)
_BOILERPLATE_ROLES = frozenset(
    "navigation banner contentinfo complementary dialog alertdialog search menu menubar".split()
)
# Words in class/id that mark boilerplate. Matched as whole words of the attribute
# ("share-bar" and "shareBar" match; "commentary" and "shared-story" do not).
_NEGATIVE = re.compile(
    r"(?:^|[\s_-])(?:ads?|advert\w*|adslot|banner|breadcrumbs?|byline|cmp|comments?|commentlist"
    r"|datelines?|timestamps?"
    r"|consent|contribut\w*|cookies?|disqus|donat\w*|gdpr|masthead|membership|menu|modal"
    r"|more-stories|most-read|mostread|nav|navbar|navigation|newsletters?|onetrust\w*|outbrain"
    r"|paywall|popular|popup|promos?|promo\w*|recirc\w*|recommend\w*|related|sharebar"
    r"|share|shares|sharing|sidebar|signup|social|sponsor\w*|subscri\w*|support|supporters?"
    r"|taboola|tags|toolbar|trending|widgets?|read-more|readmore|skip-link"
    # a pull quote repeats the text; a signature line is a byline (French "signature")
    r"|pull-?quotes?|signature"
    # subscription boxes in other languages: Spanish "suscripción", French/German "abonn…"
    r"|suscri\w*|abonn\w*)(?=$|[\s_-])",
)
# ... unless the same attribute says it is the article text itself ("article-body share-on").
_BODY_HINT = re.compile(
    r"(?:article|story|post|entry|news)[-_]?(?:body|content|text)|articlebody|^content$", re.I
)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
# An appeal to the reader for money, an account or an address.
_APPEAL = re.compile(
    r"\b(?:your (?:support|donation|contribution|subscription|gift)"
    r"|support (?:us|our|independent|quality|trusted) ?\w*"
    r"|donate (?:now|today|to)|make a (?:donation|contribution|gift)"
    r"|become a (?:member|supporter|subscriber|patron)"
    r"|subscribe (?:now|today|to)|sign up (?:for|to) (?:our|the) \w*"
    r"|help us (?:to )?(?:keep|tell|continue|fund))\b",
    re.I,
)
# Where a call-to-action link leads, or what its label says.
_CTA = re.compile(
    r"donat|contribut|/support|support us|subscri|membership|/join\b|newsletter|checkout", re.I
)
_CTA_BOXES = frozenset("div section aside form figure header footer".split())
_BOILERPLATE_LINE = re.compile(
    r"^(?:advertisement|sponsored|read more\b|related\b|see also\b|more on this\b|follow us\b"
    r"|share this\b|click (?:here|to)\b|sign up\b|subscribe\b|listen to (?:this|the) article"
    r"|(?:photo|image|picture|credit)s?\s*:)",
    re.I,
)
_MAX_WALK_DEPTH = 400  # below `page.MAX_NESTING`; deeper content is not read
_MAX_CANDIDATES = 40
_MIN_TEXT_CHARS = 25  # less than this is a caption or a stub, not an article
_MIN_STRUCTURAL_CHARS = 200  # an <article> with less is a teaser card; try the next clue
_LANG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


@dataclass(slots=True, kw_only=True)
class _Block:
    """One paragraph being read. Mutable on purpose: the walk appends text as it goes."""

    tag: str
    owner: int  # mem_id of the nearest non-inline element holding the block
    grand_owner: int  # and of that element's own nearest non-inline ancestor
    parts: list[str] = field(default_factory=list)
    link_chars: int = 0

    def text(self) -> str:
        return normalize("".join(self.parts))


@dataclass(frozen=True, slots=True, kw_only=True)
class _Walk:
    blocks: tuple[_Block, ...]
    elements: dict[int, LexborNode]  # mem_id -> owner element, for choosing a container


def extract_article(
    body: bytes,
    *,
    url: str,
    source: str,
    timezone: str,
    content_type: str = "",
    selectors: ArticleSelectors | None = None,
) -> Article:
    """The article on a page: its text, title, canonical URL, publish time and more.

    `selectors` (a source's [sources.article] in config.toml) override the automatic body,
    title or publish time where they match (issue 5); one that matches nothing usable on
    this page leaves the automatic choice and says so in `Article.notes`.

    Raises `ExtractError` when the page holds no article text (a login wall, an index page,
    an empty body). Malformed or huge HTML is read as far as it goes; it does not raise.
    """
    chosen = selectors or ArticleSelectors()
    page = read_page(body, content_type=content_type)
    zone = ZoneInfo(timezone)
    found = find_published(page, url=url, zone=zone)
    problems: list[tuple[str, str, str]] = []  # (key, selector, what went wrong)

    container: LexborNode | None = None
    paragraphs: list[str] = []
    if chosen.body:
        container, paragraphs, problem = _selected_body(page, chosen.body)
        if problem:
            problems.append(("body", chosen.body, problem))
    if container is None:
        container = _container(page)
        paragraphs = _paragraphs(container, cta_boxes=_cta_boxes(container)) if container else []
    text = "\n\n".join(paragraphs)
    if len(text) < _MIN_TEXT_CHARS:
        raise ExtractError(source, f"no article text found at {url}")

    title = ""
    if chosen.title:
        title, problem = _selected_title(page, chosen.title)
        if problem:
            problems.append(("title", chosen.title, problem))
    published, published_from = found.published, found.published_from
    if chosen.date:
        stated, problem = _selected_date(page, chosen.date, zone)
        if stated is not None:
            published, published_from = stated, f"selector:{chosen.date}"
        else:
            problems.append(("date", chosen.date, problem))
    return Article(
        url=url,
        canonical_url=_canonical_url(page, url),
        title=title or _title(page, container),
        text=text,
        published=published,
        published_from=published_from,
        modified=found.modified,
        language=_language(page),
        author=_author(page),
        notes=tuple(
            f"source {source!r}: article.{key} selector {selector!r} {problem} on {url}; "
            "the automatic choice is used"
            for key, selector, problem in problems
        ),
    )


# -- configured selectors (issue 5) ------------------------------------------------------


def _selected_body(page: Page, selector: str) -> tuple[LexborNode | None, list[str], str]:
    """(first element, paragraphs, "") of the elements `selector` names, read as the
    automatic container is; (None, [], what went wrong) when they hold no article text."""
    nodes = _outermost(page.tree.css(selector))
    paragraphs = [p for node in nodes for p in _paragraphs(node, cta_boxes=_cta_boxes(node))]
    if len("\n\n".join(paragraphs)) >= _MIN_TEXT_CHARS:
        return nodes[0], paragraphs, ""
    return None, [], "matches no article text" if nodes else "matches nothing"


def _selected_title(page: Page, selector: str) -> tuple[str, str]:
    nodes = page.tree.css(selector)
    for node in nodes:
        title = " ".join((node.text() or "").split())  # one line, as a headline is
        if title:
            return title, ""
    return "", "matches no text" if nodes else "matches nothing"


def _selected_date(page: Page, selector: str, zone: tzinfo) -> tuple[datetime | None, str]:
    """The first date read from the elements `selector` names (`page.date_text`)."""
    values = [date_text(node) for node in page.tree.css(selector)]
    for value in values:
        published = parse_datetime(value, zone, languages(page))
        if published is not None:
            return published, ""
    return None, f"matches {values[0]!r}, which is not a date," if values else "matches nothing"


def _outermost(nodes: list[LexborNode]) -> list[LexborNode]:
    """`nodes` without those inside another of them, so no paragraph is read twice (a
    selector such as "div.story, div.story p")."""
    matched = {node.mem_id for node in nodes}
    kept = []
    for node in nodes:
        parent = node.parent
        while parent is not None and parent.mem_id not in matched:
            parent = parent.parent  # as deep as the tree, which page.py bounds
        if parent is None:
            kept.append(node)
    return kept


# -- the main text -----------------------------------------------------------------------


def _container(page: Page) -> LexborNode | None:
    """The element that holds the article's paragraphs, by the strongest clue present."""
    tree = page.tree
    tiers: list[list[LexborNode]] = [
        tree.css('[itemprop~="articleBody"]'),
        tree.css("article"),
        tree.css('main, [role="main"]'),
        [node for node in tree.css("[class], [id]") if _BODY_HINT.search(_hints(node))],
    ]
    for nodes in tiers:
        best, best_chars = None, 0
        for node in nodes[:_MAX_CANDIDATES]:
            if _inside_boilerplate(node):
                continue  # a comment written as <article>, a teaser in a "related" rail
            chars = sum(len(p) for p in _paragraphs(node, cta_boxes=frozenset()))
            if chars > best_chars:
                best, best_chars = node, chars
        if best is not None and best_chars >= _MIN_STRUCTURAL_CHARS:
            return best
    return _densest(tree.body) if tree.body is not None else None


def _inside_boilerplate(node: LexborNode) -> bool:
    current: LexborNode | None = node
    for _ in range(20):  # enough for any real page; bounded on deep markup
        if current is None or current.tag in ("body", "html"):
            return False
        if _is_boilerplate(current, (current.tag or "").lower()):
            return True
        current = current.parent
    return False


def _densest(body: LexborNode) -> LexborNode:
    """The element whose paragraphs score highest, readability-style: a paragraph counts
    fully for the element holding it and half for the one above, so the parent of most
    long, comma-rich, link-poor paragraphs wins."""
    walk = _walk(body)
    scores: dict[int, float] = {}
    for block in walk.blocks:
        if block.tag not in _TEXT_TAGS:
            continue
        text = block.text()
        if len(text) < _MIN_TEXT_CHARS:
            continue
        score = (1 + text.count(",") + min(len(text) / 100, 3)) * (1 - _link_density(block))
        scores[block.owner] = scores.get(block.owner, 0) + score
        scores[block.grand_owner] = scores.get(block.grand_owner, 0) + score / 2
    best = max(scores, key=scores.__getitem__, default=None)
    return walk.elements.get(best, body) if best is not None else body


def _paragraphs(container: LexborNode, *, cta_boxes: frozenset[int]) -> list[str]:
    kept: list[tuple[str, bool]] = []  # (text, is a heading); headings only help trim appeals
    for block in _walk(container, skip=cta_boxes).blocks:
        text = block.text()
        if not text or (kept and kept[-1][0] == text):
            continue
        if block.tag in _HEADING_TAGS:
            kept.append((text, True))
            continue
        if block.tag not in _TEXT_TAGS:
            continue
        density = _link_density(block)
        if density > 0.5 or (block.tag == "li" and (density > 0.3 or len(text) < 20)):
            continue  # lists of links: "related", "most read", tag clouds
        if block.tag == "#loose" and (len(text) < 60 or not re.search(r"[.!?…]", text)):
            continue  # stray text outside paragraphs: bylines, labels, "Advertisement"
        if len(text) < 120 and _BOILERPLATE_LINE.match(text):
            continue
        kept.append((text, False))
    return [text for text, heading in _without_appeals(kept) if not heading]


def _without_appeals(blocks: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Drop a run of appeal paragraphs at the top or bottom of the text.

    Donation boxes are often plain paragraphs in the body with nothing structural around
    them (the seed article's first four paragraphs are The Independent's). A run is cut when
    it opens with an appeal ("Your support helps us…"; its heading counts), and at least two
    of its blocks, and at least half, are appeals; it ends at the last appeal within the
    first few blocks. One appeal alone is not enough: news quotes "support us" too.
    """
    window = 6

    def cut(items: list[tuple[str, bool]]) -> int:
        opening = _APPEAL.search(items[0][0]) if items else None
        if opening is None or opening.start() > 2:
            return 0
        hits = [i for i, (text, _) in enumerate(items[:window]) if _APPEAL.search(text)]
        run = hits[-1] + 1
        if len(hits) >= 2 and 2 * len(hits) >= run and run < len(items):
            return run
        return 0

    head = cut(blocks)
    blocks = blocks[head:]
    tail = cut(blocks[::-1])
    return blocks[: len(blocks) - tail]


def _cta_boxes(container: LexborNode) -> frozenset[int]:
    """mem_ids of boxes around call-to-action links ("Donate now", "/subscribe") whose words
    appeal to the reader: the largest such box that leaves most of the container's text."""
    total = len(container.text() or "")
    boxes: set[int] = set()
    links = [
        link
        for link in container.css("a[href], button")
        if _CTA.search(f"{link.attributes.get('href') or ''} {link.text() or ''}")
    ]
    for link in links[:_MAX_CANDIDATES]:
        box: LexborNode | None = None
        node = link.parent
        for _ in range(8):
            if node is None or node.mem_id == container.mem_id:
                break
            if node.tag in _CTA_BOXES:
                text = node.text() or ""
                if len(text) > 0.8 * total:
                    break
                # One appeal in a box that is half the article may be a story about charity;
                # two or more ("your support", "your donation") are a fundraising box.
                appeals = len(_APPEAL.findall(text))
                if appeals >= 2 or (appeals == 1 and len(text) < 0.5 * total):
                    box = node
            node = node.parent
        if box is not None:
            boxes.add(box.mem_id)
    return frozenset(boxes)


def _walk(root: LexborNode, *, skip: frozenset[int] = frozenset()) -> _Walk:
    """Blocks of text under `root` in document order, leaving out boilerplate subtrees.

    Iterative with an explicit stack, so deep markup cannot exhaust Python's recursion, and
    linear: every node is visited once and carries its context down.
    """
    blocks: list[_Block] = []
    elements: dict[int, LexborNode] = {root.mem_id: root}
    loose: dict[int, _Block] = {}  # owner mem_id -> block for text outside any paragraph
    # (node, current block or None, owner, grand owner, inside a link, depth, inside article)
    stack: list[tuple[LexborNode, _Block | None, int, int, bool, int, bool]] = [
        # A container other than <body> is the article, so its <header> is the article's.
        (root, None, root.mem_id, root.mem_id, False, 0, root.tag != "body")
    ]
    while stack:
        node, block, owner, grand, in_link, depth, in_article = stack.pop()
        if node.is_text_node:
            text = node.text_content or ""
            if not text:
                continue
            if block is None:
                block = loose.get(owner)
                if block is None:
                    block = _Block(tag="#loose", owner=owner, grand_owner=grand)
                    loose[owner] = block
                    blocks.append(block)
            block.parts.append(text)
            if in_link:
                block.link_chars += len(text.strip())
            continue
        if not node.is_element_node:
            continue
        tag = (node.tag or "").lower()
        if depth > 0:
            if depth > _MAX_WALK_DEPTH or node.mem_id in skip or _is_boilerplate(node, tag):
                continue
            if tag == "header" and not in_article:
                continue  # the site's masthead; an article's own <header> holds its standfirst
        if tag == "br":
            if block is not None:
                block.parts.append("\n")
            continue
        if tag in _BLOCK_TAGS:
            block = _Block(tag=tag, owner=owner, grand_owner=grand)
            blocks.append(block)
        elif tag not in _INLINE_TAGS and depth > 0:
            elements[node.mem_id] = node
            owner, grand = node.mem_id, owner
        children = list(node.iter(include_text=True))
        in_link = in_link or tag == "a"
        in_article = in_article or tag == "article"
        for child in reversed(children):
            stack.append((child, block, owner, grand, in_link, depth + 1, in_article))
    return _Walk(blocks=tuple(blocks), elements=elements)


def _is_boilerplate(node: LexborNode, tag: str) -> bool:
    if tag in _SKIP_TAGS:
        return True
    attrs = node.attributes
    if "hidden" in attrs or (attrs.get("aria-hidden") or "").lower() == "true":
        return True
    if (attrs.get("role") or "").lower() in _BOILERPLATE_ROLES:
        return True
    style = (attrs.get("style") or "").replace(" ", "").lower()
    if "display:none" in style or "visibility:hidden" in style:
        return True
    hints = _hints(node)
    return bool(hints and _NEGATIVE.search(hints) and not _BODY_HINT.search(hints))


def _hints(node: LexborNode) -> str:
    attrs = node.attributes
    raw = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    return _CAMEL.sub("-", raw).lower().strip()


def _link_density(block: _Block) -> float:
    chars = len("".join(block.parts).strip())
    return min(1.0, block.link_chars / chars) if chars else 0.0


# -- metadata --------------------------------------------------------------------------


def _title(page: Page, container: LexborNode | None) -> str:
    og = page.meta.get("og:title") or page.meta.get("twitter:title")
    if og:
        return normalize(og)
    headings = [container.css_first("h1") if container is not None else None]
    headings += [page.tree.css_first(selector) for selector in ("article h1", "main h1", "h1")]
    for h1 in headings:
        if h1 is not None and (h1.text() or "").strip():
            return normalize(h1.text() or "")
    title = page.tree.css_first("title")
    text = normalize(title.text() or "") if title is not None else ""
    # "Headline | Site name": the site's name is not part of the headline.
    return text.split(" | ")[0].strip() if " | " in text else text


def _canonical_url(page: Page, url: str) -> str:
    for node in page.tree.css("link[rel][href]"):
        rels = (node.attributes.get("rel") or "").lower().split()
        href = _not_home(url, _absolute(url, node.attributes.get("href")))
        if "canonical" in rels and href:
            return href
    og_url = _not_home(url, _absolute(url, page.meta.get("og:url")))
    if og_url:
        return og_url
    # Wire and agency pages often say it only in their JSON-LD: the article's own url or
    # mainEntityOfPage, else the WebPage object that describes the page itself.
    values: list[object] = []
    for item in page.ld:
        if ld_types(item) & ARTICLE_TYPES:
            values += [item.get("url"), item.get("mainEntityOfPage")]
    values += [item.get("url") for item in page.ld if "WebPage" in ld_types(item)]
    for value in values:
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        found = _not_home(url, _absolute(url, value)) if isinstance(value, str) else None
        if found:
            return found
    return url


def _not_home(url: str, canonical: str | None) -> str | None:
    """`canonical`, unless it is a site's home page named by a page that is not one: a
    template that gives every article the home page's address (often og:url) would store
    all of a site's articles under one URL, each replacing the last."""
    if canonical is None or not _is_home(canonical) or _is_home(url):
        return canonical
    return None


def _is_home(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query  # "/?p=123" is a WordPress article


def _absolute(base: str, href: str | None) -> str | None:
    if not href or not href.strip():
        return None
    absolute = urljoin(base, href.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def _language(page: Page) -> str | None:
    html = page.tree.css_first("html")
    candidates = [
        (html.attributes.get("lang") or "") if html is not None else "",
        page.meta.get("content-language", "").split(",")[0],
        page.meta.get("og:locale", ""),
    ]
    for candidate in candidates:
        lang = candidate.strip().replace("_", "-")
        if _LANG.fullmatch(lang):
            return lang
    return None


def _author(page: Page) -> str | None:
    for item in page.ld:
        if ld_types(item) & ARTICLE_TYPES and item.get("author"):
            names = list(_names(item["author"]))
            if names:
                return ", ".join(dict.fromkeys(names))
    for key in ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator"):
        value = normalize(page.meta.get(key, ""))
        if value and not value.startswith(("http://", "https://")):
            return value
    node = page.tree.css_first('[rel="author"], [itemprop="author"]')
    text = normalize(node.text() or "") if node is not None else ""
    return text if 0 < len(text) <= 100 else None


def _names(author: Any) -> Iterator[str]:
    items = author if isinstance(author, list) else [author]
    for item in items[:20]:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip() and not name.startswith(("http:", "https:")):
            yield normalize(name)
