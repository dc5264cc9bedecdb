"""extract_published: publish time and its evidence, in order of trust; never raises."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timeline.article import extract_article, extract_published
from timeline.article.pubdate import parse_datetime, url_date

PAGES = Path(__file__).parent / "pages"
LONDON = ZoneInfo("Europe/London")
URL = "https://news.example/story"


def published(
    html: str, *, url: str = URL, tz: str = "Europe/London"
) -> tuple[datetime | None, str]:
    return extract_published(html.encode(), url=url, timezone=tz)


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


@pytest.mark.parametrize("page", sorted(PAGES.glob("*.html")), ids=lambda p: p.stem)
def test_fixture_pages(page: Path) -> None:
    expected = json.loads(page.with_name(f"{page.stem}.expected.json").read_text("utf-8"))
    when, evidence = extract_published(
        page.read_bytes(), url=expected["url"], timezone=expected["timezone"]
    )
    assert when is not None
    assert when.isoformat() == expected["published"]
    assert evidence == expected["published_from"]


def test_same_answer_as_extract_article() -> None:
    for page in sorted(PAGES.glob("*.html")):
        expected = json.loads(page.with_name(f"{page.stem}.expected.json").read_text("utf-8"))
        body, url, tz = page.read_bytes(), expected["url"], expected["timezone"]
        article = extract_article(body, url=url, source="s", timezone=tz)
        assert (article.published, article.published_from) == extract_published(
            body, url=url, timezone=tz
        )


def test_json_ld_in_graph() -> None:
    html = ld(
        {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "WebPage", "datePublished": "2020-01-01T00:00:00Z"},
                {"@type": "ReportageNewsArticle", "datePublished": "2025-03-07T08:00:00+00:00"},
            ],
        }
    )
    assert published(html) == (datetime(2025, 3, 7, 8, tzinfo=UTC), "json-ld")


def test_json_ld_array_and_type_list_and_prefixed_type() -> None:
    html = ld(
        [
            {"@type": "Organization", "name": "X"},
            {
                "@type": ["schema:NewsArticle", "Thing"],
                "datePublished": "2025-03-07T09:00:00+01:00",
            },
        ]
    )
    when, evidence = published(html)
    assert evidence == "json-ld"
    assert when == datetime(2025, 3, 7, 9, tzinfo=timezone(timedelta(hours=1)))
    assert when is not None and when.utcoffset() == timedelta(hours=1)  # the offset is kept


def test_json_ld_nested_under_main_entity() -> None:
    html = ld(
        {
            "@type": "WebPage",
            "mainEntity": {"@type": "BlogPosting", "datePublished": "2025-01-02T03:04:05Z"},
        }
    )
    assert published(html) == (datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC), "json-ld")


def test_broken_json_ld_falls_through_to_meta() -> None:
    html = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": </script>'
        '<meta property="article:published_time" content="2025-03-07T08:00:00Z">'
    )
    assert published(html) == (datetime(2025, 3, 7, 8, tzinfo=UTC), "meta:article:published_time")


def test_webpage_only_json_ld_is_weaker_than_the_url() -> None:
    html = ld({"@type": "WebPage", "datePublished": "2025-03-01T10:00:00Z"})
    assert published(html, url="https://n.example/2025/03/07/x")[1] == "url"
    assert published(html) == (datetime(2025, 3, 1, 10, tzinfo=UTC), "json-ld:webpage")


def test_order_of_trust() -> None:
    json_ld = ld({"@type": "NewsArticle", "datePublished": "2025-03-07T08:00:00Z"})
    og = '<meta property="article:published_time" content="2025-03-06T08:00:00Z">'
    name = '<meta name="pubdate" content="2025-03-05T08:00:00Z">'
    tag = '<article><time datetime="2025-03-04T08:00:00Z">4 March</time></article>'
    dated_url = "https://n.example/2025/03/03/story"
    assert published(json_ld + og + name + tag, url=dated_url)[1] == "json-ld"
    assert published(og + name + tag, url=dated_url)[1] == "meta:article:published_time"
    assert published(name + tag, url=dated_url)[1] == "meta:pubdate"
    assert published(tag, url=dated_url)[1] == "time"
    assert published("<p>nothing</p>", url=dated_url)[1] == "url"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("pubdate", "2025-03-07T08:00:00Z"),
        ("publish-date", "2025-03-07T08:00:00Z"),
        ("date", "2025-03-07T08:00:00Z"),
        ("dc.date", "2025-03-07T08:00:00Z"),
        ("DC.date.issued", "2025-03-07T08:00:00Z"),
        ("parsely-pub-date", "2025-03-07T08:00:00Z"),
        ("sailthru.date", "Fri, 07 Mar 2025 08:00:00 +0000"),
    ],
)
def test_common_meta_names(name: str, value: str) -> None:
    html = f'<meta name="{name}" content="{value}">'
    assert published(html) == (datetime(2025, 3, 7, 8, tzinfo=UTC), f"meta:{name.lower()}")


def test_modified_is_kept_apart() -> None:
    html = '<meta property="og:updated_time" content="2025-03-08T10:00:00Z">' + ld(
        {"@type": "NewsArticle", "dateModified": "2025-03-08T11:00:00Z"}
    )
    assert published(html) == (None, "")
    article = extract_article(
        (html + "<article><p>" + "Words of the article. " * 20 + "</p></article>").encode(),
        url=URL,
        source="s",
        timezone="UTC",
    )
    assert article.published is None
    assert article.modified == datetime(2025, 3, 8, 11, tzinfo=UTC)


def test_updated_time_element_is_not_the_publish_time() -> None:
    html = (
        '<article><header><time class="updated" datetime="2025-03-08T10:00:00Z">x</time>'
        '<time datetime="2025-03-07T10:00:00Z">y</time></header></article>'
    )
    assert published(html) == (datetime(2025, 3, 7, 10, tzinfo=UTC), "time")


def test_time_in_comments_or_related_is_ignored() -> None:
    html = (
        '<div id="comments"><time datetime="2025-03-09T10:00:00Z">c</time></div>'
        '<div class="related"><time datetime="2025-01-01T10:00:00Z">r</time></div>'
    )
    assert published(html) == (None, "")


def test_time_prefers_article_header() -> None:
    html = (
        '<header class="site"><time datetime="2025-03-10">today</time></header>'
        '<article><header><time datetime="2025-03-07T08:00:00Z">7 March</time></header>'
        "</article>"
    )
    assert published(html)[0] == datetime(2025, 3, 7, 8, tzinfo=UTC)


def test_value_without_zone_is_read_in_the_source_zone() -> None:
    html = '<meta property="article:published_time" content="2025-07-01T09:30:00">'
    when, _ = published(html, tz="America/New_York")
    assert when == datetime(2025, 7, 1, 9, 30, tzinfo=ZoneInfo("America/New_York"))
    assert when is not None and when.utcoffset() == timedelta(hours=-4)


def test_date_only_is_local_midnight() -> None:
    html = '<meta name="date" content="2025-03-07">'
    when, _ = published(html, tz="Asia/Tokyo")
    assert when == datetime(2025, 3, 7, tzinfo=ZoneInfo("Asia/Tokyo"))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://n.example/2025/03/07/slug", datetime(2025, 3, 7, tzinfo=LONDON)),
        ("https://n.example/world/2025/mar/07/slug", datetime(2025, 3, 7, tzinfo=LONDON)),
        ("https://n.example/news/2025-03-07-slug.html", datetime(2025, 3, 7, tzinfo=LONDON)),
        ("https://n.example/2025/3/7/", datetime(2025, 3, 7, tzinfo=LONDON)),
        ("https://n.example/2025/13/45/slug", None),
        ("https://n.example/story/20250307", None),
        ("https://n.example/?date=2025/03/07/", None),  # the query is not the path
    ],
)
def test_url_dates(url: str, expected: datetime | None) -> None:
    assert url_date(url, LONDON) == expected


def test_canonical_url_date_is_used_when_the_url_has_none() -> None:
    html = '<link rel="canonical" href="/2025/03/07/story">'
    assert published(html, url="https://n.example/s?id=4") == (
        datetime(2025, 3, 7, tzinfo=LONDON),
        "url",
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-07T08:00:00Z", datetime(2025, 3, 7, 8, tzinfo=UTC)),
        ("2025-03-07T08:00:00.000+0000", datetime(2025, 3, 7, 8, tzinfo=UTC)),
        ("2025-03-07 08:00:00 +0100", datetime(2025, 3, 7, 7, tzinfo=UTC)),
        ("2025-03-07 08:00:00 UTC", datetime(2025, 3, 7, 8, tzinfo=UTC)),
        ("20250307", datetime(2025, 3, 7, tzinfo=LONDON)),
        ("Fri, 07 Mar 2025 08:00:00 GMT", datetime(2025, 3, 7, 8, tzinfo=UTC)),
        ("1741334400", datetime(2025, 3, 7, 8, tzinfo=UTC)),
        ("1741334400000", datetime(2025, 3, 7, 8, tzinfo=UTC)),
        ("March 7, 2025 8:00 am", datetime(2025, 3, 7, 8, tzinfo=LONDON)),
        ("7 March 2025", datetime(2025, 3, 7, tzinfo=LONDON)),
        ("2025-06-07T08:00:00", datetime(2025, 6, 7, 8, tzinfo=LONDON)),  # BST applies
        ("", None),
        ("yesterday", None),
        ("2 hours ago", None),
        ("not a date", None),
        ("0000-00-00", None),
        ("1850-01-01", None),
        ("x" * 500, None),
    ],
)
def test_parse_datetime(value: str, expected: datetime | None) -> None:
    assert parse_datetime(value, LONDON) == expected


def test_unknown_html_lang_does_not_break_human_dates() -> None:
    html = '<html lang="xx-zz"><meta name="date" content="7 March 2025 10:00">'
    assert published(html)[0] == datetime(2025, 3, 7, 10, tzinfo=LONDON)


def test_nothing_found() -> None:
    assert published("<p>No date here.</p>") == (None, "")
    assert extract_published(b"", url=URL, timezone="UTC") == (None, "")


def test_deep_nesting_is_bounded() -> None:
    html = "<div>" * 100_000 + "<time datetime='2025-03-07T08:00:00Z'>x</time>" + "</div>" * 5
    start = time.monotonic()
    when, _ = published(html, url="https://n.example/2025/03/07/deep")
    assert time.monotonic() - start < 10
    assert when is not None


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600))
def test_never_raises_on_bytes(body: bytes) -> None:
    when, evidence = extract_published(body, url=URL, timezone="Europe/London")
    assert (when is None) == (evidence == "")
    assert when is None or when.utcoffset() is not None


_TAGS = st.sampled_from(
    [
        "<div>",
        "</div>",
        "<article>",
        "<time datetime='2025-03-07'>",
        "<time datetime='x'>",
        "<meta name='date' content='",
        "'>",
        "<script type='application/ld+json'>",
        "</script>",
        '{"@type":"NewsArticle","datePublished":',
        '"2025-02-30"',
        "[",
        "]",
        "{",
        "}",
        "<header>",
        "<p>",
        "&amp;",
        "<!--",
        "-->",
        "2025/03/07",
        "\x00",
        "\ufffd",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_TAGS, st.text(max_size=20)), max_size=60))
def test_never_raises_on_tag_soup(parts: list[str]) -> None:
    when, evidence = published("".join(parts))
    assert (when is None) == (evidence == "")
