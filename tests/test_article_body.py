"""extract_article: main text without boilerplate, title, canonical URL, language, author."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timeline.article import extract_article
from timeline.errors import ExtractError
from timeline.model import Article, ArticleSelectors

PAGES = Path(__file__).parent / "pages"
URL = "https://news.example/story"
LEAD = (
    "Sir Keir Starmer will talk to European leaders on Friday morning as he continues his "
    "diplomatic push for peace in Ukraine."
)
SECOND = (
    "The prime minister will be briefed on the outcome of a summit of EU leaders aimed at "
    "boosting support for Ukraine and bolstering the continent's defence capabilities."
)
THIRD = (
    "Officials from around 20 largely European and Commonwealth countries took part in talks "
    "on Wednesday about a coalition of the willing, and more talks are due next week."
)
# Written after the seed article's donation box (tests must not read /work/shared).
APPEAL = [
    "Your support helps us to tell the story",
    "From reproductive rights to climate change to Big Tech, we are on the ground when the "
    "story is developing, parsing out the facts from the messaging.",
    "At such a critical moment we need reporters on the ground. Your donation allows us to "
    "keep sending journalists to speak to both sides of the story.",
    "We choose not to lock readers out of our reporting with paywalls. We believe quality "
    "journalism should be available to everyone, paid for by those who can afford it.",
    "Your support makes all the difference.",
]


def article(html: str | bytes, *, url: str = URL, content_type: str = "") -> str:
    body = html.encode() if isinstance(html, str) else html
    return extract_article(
        body, url=url, source="src", timezone="Europe/London", content_type=content_type
    ).text


def paragraphs(*texts: str) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


# Each page lists every body paragraph in "contains" and its boilerplate in "excludes".
# A paywalled page (paywall_teaser) keeps its teaser as the text rather than raising
# ExtractError: its publish time and title still reach the timeline, and the teaser is
# the article's own words. Only a page with no text at all raises.
@pytest.mark.parametrize("page", sorted(PAGES.glob("*.html")), ids=lambda p: p.stem)
def test_fixture_pages(page: Path) -> None:
    expected = json.loads(page.with_name(f"{page.stem}.expected.json").read_text("utf-8"))
    result = extract_article(
        page.read_bytes(), url=expected["url"], source="fixture", timezone=expected["timezone"]
    )
    assert result.url == expected["url"]
    assert result.title == expected["title"]
    assert result.canonical_url == expected["canonical_url"]
    assert result.language == expected["language"]
    if "author" in expected:
        assert result.author == expected["author"]
    if "modified" in expected:
        assert result.modified is not None
        assert result.modified.isoformat() == expected["modified"]
    for text in expected["contains"]:
        assert text in result.text.split("\n\n"), text
    for text in expected["excludes"]:
        assert text not in result.text, text
    if "first_paragraph" in expected:
        assert result.text.split("\n\n")[0] == expected["first_paragraph"]
    assert "\n\n\n" not in result.text


@pytest.mark.parametrize(
    "box",
    [
        # a box with hashed class names and a "Donate now" button: found by its call to action
        '<div class="sc-3f9a1"><div class="sc-77b0"><h3>{0}</h3><p>{1}</p><p>{2}</p><p>{3}</p>'
        '<p>{4}</p></div><a href="/donate?src=article">Support us</a></div>',
        # a box named for what it is
        '<aside class="support-box">{0}<p>{1}</p><p>{2}</p><p>{3}</p><p>{4}</p></aside>',
        '<div id="donation-ask"><p>{0}</p><p>{1}</p><p>{2}</p><p>{3}</p><p>{4}</p></div>',
        # no structure at all: the appeal is the first paragraphs of the body
        "<p>{0}</p><p>{1}</p><p>{2}</p><p>{3}</p><p>{4}</p>",
        "<h2>{0}</h2><p>{1}</p><p>{2}</p><p>{3}</p><p>{4}</p>",
    ],
    ids=["cta-button", "aside-class", "id-hint", "flat-paragraphs", "flat-with-heading"],
)
def test_seed_like_donation_box_never_reaches_the_text(box: str) -> None:
    html = f"<article><h1>Starmer</h1>{box.format(*APPEAL)}{paragraphs(LEAD, SECOND, THIRD)}"
    text = article(html + "</article>")
    assert text.split("\n\n") == [LEAD, SECOND, THIRD]


def test_donation_box_at_the_end_is_dropped_too() -> None:
    html = f"<main>{paragraphs(LEAD, SECOND, THIRD)}{paragraphs(*APPEAL)}</main>"
    assert article(html).split("\n\n") == [LEAD, SECOND, THIRD]


def test_an_article_about_a_donation_keeps_its_text() -> None:
    story = [
        "A retired teacher has made a donation of two million pounds to the town's hospital, "
        "the largest gift in its history, the hospital trust said on Friday.",
        "The trust said the money would pay for a new children's ward, and thanked her for "
        "her support over many years as a volunteer.",
        "Support us, she told reporters, was all the hospital had ever asked of the town, and "
        "your support, she added, is what keeps the ward open.",
    ]
    assert article(f"<article>{paragraphs(*story)}</article>").split("\n\n") == story


def test_boilerplate_around_the_article() -> None:
    html = f"""
    <body>
      <div id="onetrust-banner-sdk"><p>We use cookies to give you the best experience on our
        website. By continuing you agree to our use of cookies.</p></div>
      <header><a href="/">Home</a><nav><a href="/world">World</a></nav></header>
      <article>
        <div class="social-share"><a href="#">Share on X</a><a href="#">Copy link</a></div>
        {paragraphs(LEAD, SECOND)}
        <div class="newsletter"><p>Sign up to our free morning briefing newsletter for
          the day's headlines in your inbox.</p><input type="email"></div>
        <figure><img src="a.jpg"><figcaption>The prime minister in Downing Street</figcaption>
        </figure>
        <p>Advertisement</p>
        {paragraphs(THIRD)}
        <div class="related-links"><ul><li><a href="/a">Other story about leaders</a></li></ul>
        </div>
      </article>
      <section class="comments"><p>I think the prime minister is completely wrong about
        this and here is a long comment explaining exactly why at length.</p></section>
      <footer><p>Copyright News Example 2025. All rights reserved.</p></footer>
    </body>"""
    assert article(html).split("\n\n") == [LEAD, SECOND, THIRD]


def test_inline_markup_and_line_breaks_are_read_as_text() -> None:
    html = (
        "<article><p>Sir <b>Keir</b> Starmer <a href='/k'>will</a> talk to <em>European</em>"
        " leaders on Friday morning as he continues his diplomatic push.</p>"
        "<p>First line<br>second line of the same paragraph, which goes on a little.</p>"
        f"{paragraphs(SECOND)}</article>"
    )
    text = article(html)
    assert text.startswith("Sir Keir Starmer will talk to European leaders on Friday morning")
    assert "First line\nsecond line" in text


def test_densest_block_when_there_is_no_structure() -> None:
    html = f"""<body>
      <div class="l"><a href="/1">One</a> <a href="/2">Two</a> <a href="/3">Three</a></div>
      <div class="c"><div>{paragraphs(LEAD, SECOND, THIRD)}</div></div>
      <div class="r"><p>Short aside.</p></div>
    </body>"""
    assert article(html).split("\n\n") == [LEAD, SECOND, THIRD]


def test_old_style_text_with_line_breaks_and_no_paragraphs() -> None:
    html = f"<body><table><tr><td><div>{LEAD}<br><br>{SECOND}</div></td></tr></table></body>"
    text = article(html)
    assert LEAD in text
    assert SECOND in text


def test_teaser_articles_do_not_hide_the_main_text() -> None:
    teasers = "".join(f"<article><a href='/{i}'>Teaser {i}</a></article>" for i in range(5))
    html = f"<body>{teasers}<div class='story-body'>{paragraphs(LEAD, SECOND, THIRD)}</div>"
    assert article(html).split("\n\n") == [LEAD, SECOND, THIRD]


def test_title_canonical_language_author() -> None:
    html = f"""<html lang="en_GB"><head><title>Headline here | News Example</title>
      <meta property="og:url" content="/canonical/story">
      <meta name="author" content="Jane Doe"></head>
      <body><article>{paragraphs(LEAD, SECOND)}</article></body></html>"""
    result = extract_article(html.encode(), url=URL, source="s", timezone="UTC")
    assert result.title == "Headline here"
    assert result.canonical_url == "https://news.example/canonical/story"
    assert result.language == "en-GB"
    assert result.author == "Jane Doe"


def test_link_rel_canonical_beats_og_url_and_h1_beats_title() -> None:
    html = f"""<head><title>T</title><link rel="canonical" href="https://a.example/c">
      <meta property="og:url" content="https://a.example/og"></head>
      <body><article><h1>The  headline</h1>{paragraphs(LEAD, SECOND)}</article></body>"""
    result = extract_article(html.encode(), url=URL, source="s", timezone="UTC")
    assert result.canonical_url == "https://a.example/c"
    assert result.title == "The headline"
    assert result.language is None


@pytest.mark.parametrize(
    "main_entity",
    [
        '{"@type": "NewsArticle", "mainEntityOfPage": "https://a.example/story"}',
        '{"@type": "NewsArticle", "mainEntityOfPage": {"@id": "https://a.example/story"}}',
        '{"@type": "WebPage", "url": "https://a.example/story"}, {"@type": "NewsArticle"}',
    ],
)
def test_json_ld_names_the_canonical_url_when_nothing_else_does(main_entity: str) -> None:
    html = f"""<head><script type="application/ld+json">
      {{"@graph": [{main_entity}]}}
      </script></head><body><article>{paragraphs(LEAD, SECOND)}</article></body>"""
    result = extract_article(html.encode(), url=URL, source="s", timezone="UTC")
    assert result.canonical_url == "https://a.example/story"


def test_without_canonical_the_url_is_canonical() -> None:
    html = f"<article>{paragraphs(LEAD, SECOND)}</article>"
    assert extract_article(html.encode(), url=URL, source="s", timezone="UTC").canonical_url == URL


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("<p>Caf\u00e9 “quoted” – dash and more words to make it long.</p>", "text/html"),
        (
            "<p>Caf\u00e9 “quoted” – dash and more words to make it long.</p>".encode("cp1252"),
            "text/html; charset=ISO-8859-1",  # read as windows-1252, as browsers do
        ),
        (
            b'<meta charset="windows-1252">'
            + "<p>Caf\u00e9 “quoted” – dash and more words to make it long.</p>".encode("cp1252"),
            "text/html",
        ),
        (
            b"<meta http-equiv='Content-Type' content='text/html; charset=windows-1252'>"
            + "<p>Caf\u00e9 “quoted” – dash and more words to make it long.</p>".encode("cp1252"),
            "",
        ),
        (
            "\ufeff<p>Caf\u00e9 “quoted” – dash and more words to make it long.</p>".encode(
                "utf-16-le"
            ),
            "text/html; charset=iso-8859-1",  # a byte-order mark beats the header
        ),
    ],
    ids=["utf8-default", "header", "meta-charset", "http-equiv", "bom"],
)
def test_decoding(body: str | bytes, content_type: str) -> None:
    text = article(
        f"<article>{body}</article>" if isinstance(body, str) else body, content_type=content_type
    )
    assert text == "Café “quoted” – dash and more words to make it long."


def test_header_charset_beats_meta() -> None:
    body = b'<meta charset="utf-8"><p>' + "Привет, мир, это длинный абзац текста.".encode("koi8-r")
    text = article(body + b"</p>", content_type="text/html; charset=koi8-r")
    assert text == "Привет, мир, это длинный абзац текста."


def test_undecodable_bytes_are_replaced() -> None:
    text = article(b"<p>Bad \xff\xfe bytes in an otherwise fine paragraph of text.</p>")
    assert text == "Bad \ufffd\ufffd bytes in an otherwise fine paragraph of text."


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<html><body></body></html>",
        "<nav><a href='/'>Home</a><a href='/news'>News</a></nav><footer>(c) 2025</footer>",
        "<div id='cookie-banner'><p>We use cookies to improve your experience on this site, "
        "and to show you relevant adverts.</p></div>",
        "<article><p>Short.</p></article>",
        "\x00\x01\x02",
    ],
    ids=["empty", "empty-body", "nav-only", "cookie-only", "stub", "binary"],
)
def test_nothing_usable_is_an_extract_error(html: str) -> None:
    with pytest.raises(ExtractError) as info:
        article(html)
    assert str(info.value) == f"source 'src': no article text found at {URL}"


def test_deeply_nested_markup_is_bounded() -> None:
    html = f"<article>{paragraphs(LEAD, SECOND)}" + "<div>" * 200_000 + "deep</article>"
    start = time.monotonic()
    text = article(html)
    assert time.monotonic() - start < 10
    assert text.split("\n\n") == [LEAD, SECOND]


def test_nesting_below_the_limit_is_still_read() -> None:
    html = "<div>" * 300 + f"<article>{paragraphs(LEAD, SECOND)}</article>" + "</div>" * 300
    assert article(html).split("\n\n") == [LEAD, SECOND]


def test_huge_page_is_bounded() -> None:
    filler = "<div class='card'><a href='/x'>link</a><p>filler text here.</p></div>" * 120_000
    html = f"<article>{paragraphs(LEAD, SECOND)}</article>{filler}"
    start = time.monotonic()
    text = article(html)
    assert time.monotonic() - start < 20
    assert text.startswith(LEAD)


def test_unclosed_and_misnested_tags() -> None:
    html = f"<article><p>{LEAD}<p>{SECOND}<div><b><i>{THIRD}</b></i><p>tail text"
    assert article(html).split("\n\n")[:3] == [LEAD, SECOND, THIRD]


_SOUP = st.sampled_from(
    [
        "<article>",
        "</article>",
        "<p>",
        "</p>",
        "<div class='share'>",
        "<div>",
        "</div>",
        "<a href='/donate'>",
        "</a>",
        "Your support",
        "<br>",
        "<h1>",
        "<script>",
        "</script>",
        "<main>",
        "<li>",
        "<ul>",
        "&nbsp;",
        "<!--",
        "-->",
        "<table><td>",
        "<time>",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_SOUP, st.text(max_size=40)), max_size=80))
def test_only_extract_error_on_tag_soup(parts: list[str]) -> None:
    try:
        text = article("".join(parts))
    except ExtractError:
        return
    assert text == text.strip()
    assert "\n\n\n" not in text


# -- selectors from config.toml (issue 5) ----------------------------------------------------

PROMO = (
    "Our print edition comes out every Thursday, with puzzles, letters, the week's sport, a "
    "guide to what is on in the town, and a pull-out map of the harbour walks for visitors. "
    "Pick up a copy at any newsagent, or have it delivered to your door for a small fee."
)
STORY = [
    "The town council approved a new harbour budget on Monday, after two hours of debate.",
    "The budget pays for dredging the inner basin and repairing the north quay, officials said.",
    "Work is due to start in the spring and to last about eighteen months.",
]
# The heuristics read this page wrong: the <article> is a promotion, the real story sits in
# a plain div; og:title is the site's, and the JSON-LD date is the template's.
MISREAD = f"""<!doctype html><html lang="en"><head>
<meta property="og:title" content="City News | Home">
<script type="application/ld+json">
{{"@type": "NewsArticle", "datePublished": "2020-01-01T00:00:00Z"}}</script>
</head><body>
<article class="feature"><h2>Read us on paper</h2>{paragraphs(PROMO, PROMO)}</article>
<div class="story">
  <h1 class="headline">Council approves  new
    harbour budget</h1>
  <p class="byline">By Ann Lee, <time datetime="2025-03-03T09:00:00+01:00">3 March 2025</time></p>
  {paragraphs(*STORY)}
  <div class="share-bar"><p>Share this story with your friends and neighbours, please!</p></div>
</div>
</body></html>""".encode()


def with_selectors(page: bytes, **selectors: str) -> Article:
    return extract_article(
        page,
        url=URL,
        source="src",
        timezone="Europe/London",
        selectors=ArticleSelectors(**selectors),
    )


def test_the_heuristics_misread_the_selectors_page() -> None:
    automatic = extract_article(MISREAD, url=URL, source="src", timezone="Europe/London")
    assert PROMO in automatic.text and STORY[0] not in automatic.text
    assert automatic.title == "City News | Home"
    assert automatic.published == datetime(2020, 1, 1, tzinfo=UTC)


def test_selectors_replace_body_title_and_date() -> None:
    result = with_selectors(MISREAD, body="div.story", title="h1.headline", date="p.byline time")
    # Paragraphs stay paragraphs; the byline and the share bar inside are still left out.
    assert result.text == "\n\n".join(STORY)
    assert result.title == "Council approves new harbour budget"
    assert result.published == datetime(2025, 3, 3, 8, tzinfo=UTC)
    assert result.published_from == "selector:p.byline time"
    assert result.notes == ()
    # Only what is configured is overridden.
    assert (
        with_selectors(MISREAD, title="h1.headline").text
        == extract_article(MISREAD, url=URL, source="src", timezone="Europe/London").text
    )


def test_a_selected_date_may_be_written_for_people() -> None:
    result = with_selectors(MISREAD.replace(b" datetime=", b" data-x="), date="p.byline")
    assert result.published == datetime(2025, 3, 3, tzinfo=ZoneInfo("Europe/London"))
    assert result.published_from == "selector:p.byline"


def test_nested_matches_are_read_once() -> None:
    result = with_selectors(MISREAD, body="div.story p, div.story")
    assert result.text == "\n\n".join(STORY)


def test_selectors_that_match_nothing_fall_back_with_notes() -> None:
    automatic = extract_article(MISREAD, url=URL, source="src", timezone="Europe/London")
    result = with_selectors(MISREAD, body="div.missing", title="h2.none", date="span.when")
    assert replace(result, notes=()) == automatic
    assert result.notes == tuple(
        f"source 'src': article.{key} selector {selector!r} matches nothing on {URL}; "
        "the automatic choice is used"
        for key, selector in (("body", "div.missing"), ("title", "h2.none"), ("date", "span.when"))
    )


def test_selectors_that_match_the_wrong_thing_fall_back_with_notes() -> None:
    result = with_selectors(MISREAD, body="h1.headline", date="h1.headline")
    assert PROMO in result.text
    assert result.published == datetime(2020, 1, 1, tzinfo=UTC)
    body_note, date_note = result.notes
    assert "article.body selector 'h1.headline' matches no article text" in body_note
    assert (
        "article.date selector 'h1.headline' matches 'Council approves new harbour budget', "
        "which is not a date" in date_note
    )


def test_a_selected_body_without_text_is_still_an_extract_error() -> None:
    page = b"<html><body><div class='story'><p>Hi.</p></div></body></html>"
    with pytest.raises(ExtractError, match="no article text"):
        with_selectors(page, body="div.story")


@pytest.mark.parametrize(
    "head",
    [
        '<link rel="canonical" href="https://news.example/">',
        '<meta property="og:url" content="https://news.example">',
        '<link rel="canonical" href="/"><meta property="og:url" content="/">',
    ],
)
def test_a_home_page_named_canonical_is_not_the_articles_address(head: str) -> None:
    # A site that names its home page as every article's canonical URL (a template
    # mistake) would store all its articles under one address, each replacing the last.
    html = f"<head>{head}</head><body><article>{paragraphs(LEAD, SECOND)}</article></body>"
    result = extract_article(html.encode(), url=URL, source="s", timezone="UTC")
    assert result.canonical_url == URL


def test_after_a_home_page_canonical_the_next_clue_stands() -> None:
    head = '<link rel="canonical" href="/"><meta property="og:url" content="/c/story">'
    html = f"<head>{head}</head><body><article>{paragraphs(LEAD, SECOND)}</article></body>"
    result = extract_article(html.encode(), url=URL, source="s", timezone="UTC")
    assert result.canonical_url == "https://news.example/c/story"
    home = "https://news.example/"  # the home page itself may say so
    result = extract_article(html.encode(), url=home, source="s", timezone="UTC")
    assert result.canonical_url == home
    html = f'<head><link rel="canonical" href="/"></head><article>{paragraphs(LEAD)}</article>'
    query = "https://news.example/?p=123"  # WordPress without pretty links: an article
    assert extract_article(html.encode(), url=query, source="s", timezone="UTC").canonical_url == (
        query
    )
