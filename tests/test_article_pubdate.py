"""extract_published: publish time and its evidence, in order of trust; never raises."""

from __future__ import annotations

import importlib.util
import json
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timeline.article import extract_article, extract_published
from timeline.article.dates import days_at, find_day, find_short_day
from timeline.article.page import read_page
from timeline.article.pubdate import find_published, parse_datetime, url_date

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
    # A URL day no offset reconciles with the stamps, so only trust decides.
    dated_url = "https://n.example/2025/01/03/story"
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


# -- a date in the visible text ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "month_first", "expected"),
    [
        ("Posted on March 11, 2020 by editor", False, (2020, 3, 11)),
        ("Samstag, 5. Oktober 2013", False, (2013, 10, 5)),
        ("8.Dezember 2010 um 09:43", False, (2010, 12, 8)),
        ("/ jueves 2 de abril de 2020", False, (2020, 4, 2)),
        ("le 17 mars 2020", False, (2020, 3, 17)),
        ("9 oktober 2020 11:12", False, (2020, 10, 9)),
        ("Sa 13 Jul 2019", False, (2019, 7, 13)),
        ("Von Deutscher Tennis Bund 4. 2. 2022.", False, (2022, 2, 4)),
        ("2020年07月12日", False, (2020, 7, 12)),
        ("2020.03.04 10:11", False, (2020, 3, 4)),
        ("03/05/2021", False, (2021, 5, 3)),
        ("03/05/2021", True, (2021, 3, 5)),
        ("13/05/2021", True, (2021, 5, 13)),  # the calendar rules March 13th... out
        ("Login - 14 | 03 | 2022 Praxis | Video", False, (2022, 3, 14)),
        ("14|03|2022", False, (2022, 3, 14)),
        ("14 | 03/2022", False, None),  # one separator throughout, as for 05/03/2021
        ("31.02.2021 then 1.3.2021", False, (2021, 3, 1)),  # an impossible day is skipped
        ("Published 2 May 2019, updated 3 May 2019", False, (2019, 5, 2)),
        ("Januar 2022", False, None),  # no day written: no day guessed
        ("Acum 15 minute", False, None),
        ("", False, None),
    ],
)
def test_find_day(text: str, month_first: bool, expected: tuple[int, int, int] | None) -> None:
    assert find_day(text, month_first=month_first) == expected


def test_visible_date_next_to_the_byline_in_the_page_language() -> None:
    html = (
        '<html lang="de"><body><article><h1>Titel</h1>'
        '<p class="meta">Von Anna am 5. März 2021, 10:00 Uhr</p><p>Text.</p></article>'
    )
    assert published(html, tz="Europe/Berlin") == (
        datetime(2021, 3, 5, tzinfo=ZoneInfo("Europe/Berlin")),
        "text",
    )


def test_visible_dates_in_comments_teasers_or_updates_are_not_the_publish_date() -> None:
    html = (
        "<html lang='en-GB'><body>"
        "<div class='site-content content-area sidebar'><article><h1>T</h1>"
        "<span class='date-updated'>1 June 2021</span>"
        "<p class='entry-meta'>Last updated 2 June 2021</p>"
        "<p class='post-date'>3 May 2021</p></article></div>"
        "<div class='comment-meta'>4 May 2021</div>"
        "<div class='default-teaser__date'>5 May 2021</div>"
    )
    assert published(html)[0] == datetime(2021, 5, 3, tzinfo=LONDON)
    only_comments = "<div class='comments'><span class='date'>4 May 2021</span></div>"
    assert published(only_comments) == (None, "")


def test_the_url_date_beats_the_visible_text() -> None:
    html = "<p class='date'>3 May 2021</p>"
    assert published(html, url="https://n.example/2021/05/04/s")[1] == "url"


def test_human_meta_value_needs_no_dateparser_in_a_known_language() -> None:
    assert parse_datetime("Apr 08, 2020 04:25 PM", LONDON) == datetime(
        2020, 4, 8, 16, 25, tzinfo=LONDON
    )
    assert parse_datetime("5. März 2021", LONDON) == datetime(2021, 3, 5, tzinfo=LONDON)


def test_a_named_zone_is_left_to_dateparser() -> None:
    when = parse_datetime("Apr 08, 2020 04:25 PM EST", LONDON)
    assert when is not None and when.utcoffset() == timedelta(hours=-5)


def test_head_evidence_needs_no_full_parse() -> None:
    # Not on a whole hour: a UTC stamp on one may be a local midnight, which the page's
    # date line settles (test_a_utc_stamp_takes_the_day_of_the_date_line).
    html = (
        '<html><head><meta property="article:published_time" content="2025-03-07T08:12:00Z">'
        "</head><body>" + "<div><p>x</p></div>" * 1000
    )
    page = read_page(html.encode())
    assert find_published(page, url=URL, zone=LONDON).published_from.startswith("meta:")
    assert page._tree is None  # the body was never parsed


# -- bench/pubdate.py, once, on a scorer stub (a user's clone has no ../shared) ------------


def _bench_module() -> Any:
    path = Path(__file__).parent.parent / "bench" / "pubdate.py"
    spec = importlib.util.spec_from_file_location("bench_pubdate", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_prints_one_table_with_the_speed_ratio(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The stub scores every command alike but for its wall time, which it reads from the
    # command line: "--fast" runs take 2 s, the others 1 s.
    (tmp_path / "score.py").write_text(
        "import json, sys\n"
        "run = sys.argv[sys.argv.index('--run') + 1]\n"
        "wall = 2.0 if '--fast' in run else 1.0\n"
        "print(json.dumps({'pages': 4, 'accuracy': 0.75, 'precision': 1.0, 'recall': 0.75,\n"
        "  'f1': 0.857, 'accuracy_1day': 0.75, 'wall_s': wall, 'pages_per_s': 4 / wall}))\n",
        encoding="utf-8",
    )
    assert _bench_module().main(["--bench", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert [line.split()[0] for line in out.splitlines()[2:5]] == [
        "ours",
        "htmldate-ext",
        "htmldate-fast",
    ]
    assert "speed ratio ours / htmldate-fast: 2.00" in out
    assert "cpu ratio htmldate-fast / ours (scorer included): " in out


def test_bench_without_the_shared_directory_says_where_it_looked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _bench_module().main(["--bench", str(tmp_path / "nowhere")]) == 2
    assert "../shared/bench/pubdate" in capsys.readouterr().err


# -- the last look: visible text around the headline, labels, the one day a page names --


def test_a_date_line_under_the_headline() -> None:
    html = "<body><h1>Brücke wird saniert</h1><div>Handball Schweiz • 02.02.2022</div></body>"
    assert published(html, tz="UTC") == (datetime(2022, 2, 2, tzinfo=UTC), "text:heading")


def test_a_labelled_date_anywhere_in_the_text() -> None:
    html = "<body><p>Intro text here.</p><span>Stand: 04.02.2022</span></body>"
    assert published(html, tz="UTC") == (datetime(2022, 2, 4, tzinfo=UTC), "text:label")
    assert published("<body><p>Datensatz vom 09.03.2016</p></body>", tz="UTC")[1] != "text:label"


def test_the_first_day_is_taken_only_when_it_stands_out() -> None:
    one = "<body><div>Benni</div><p>Some words.</p><p>10. September 2017</p></body>"
    assert published(one, tz="UTC") == (datetime(2017, 9, 10, tzinfo=UTC), "text:first")
    teasers = "<body><p>01. Juli 2020 Corona</p><p>25. Juni 2020 A</p><p>25. Juni 2020 B</p></body>"
    assert published(teasers, tz="UTC") == (None, "")
    updated = "<body><p>This page was last modified on 4 November 2020.</p></body>"
    assert published(updated, tz="UTC") == (None, "")


def test_a_date_in_a_script_built_page() -> None:
    html = '<body><script>var p = {"published_at":"2019-03-02T06:22:28+01:00"};</script></body>'
    found = published(html)
    assert found == (datetime(2019, 3, 2, 6, 22, 28, tzinfo=timezone(timedelta(hours=1))), "script")


def test_more_url_forms() -> None:
    assert url_date("https://n.example/20200428/story", LONDON) == datetime(
        2020, 4, 28, tzinfo=LONDON
    )
    assert url_date("https://n.example/meldungen/29-10-2021", LONDON) == datetime(
        2021, 10, 29, tzinfo=LONDON
    )


def test_arabic_month_names() -> None:
    assert find_day("الأربعاء، 07 أكتوبر 2020 - 12:09 م") == (2020, 10, 7)


def test_a_utc_stamp_takes_the_day_the_page_names() -> None:
    head = '<meta property="article:published_time" content="2023-11-09T03:28:35+00:00">'
    # A zoneless value for the same publication gives the offset exactly.
    naive = head + '<meta name="sailthru.date" content="2023-11-08 22:28:35">'
    found, evidence = published(naive, tz="UTC")
    assert found == datetime(2023, 11, 9, 3, 28, 35, tzinfo=UTC)
    assert found is not None and found.utcoffset() == timedelta(hours=-5)
    assert evidence == "meta:article:published_time+meta:sailthru.date"
    # The URL's day picks the smallest offset that puts the same instant on it.
    found, evidence = published(head, url="https://n.example/2023/11/08/x", tz="UTC")
    assert found is not None and found.date().isoformat() == "2023-11-08"
    assert found == datetime(2023, 11, 9, 3, 28, 35, tzinfo=UTC)
    assert evidence.endswith("+url")
    # Midnight in the outlet's own zone, written in UTC, is that local day...
    midnight = '<meta property="article:published_time" content="2021-11-04T23:00Z">'
    found, _ = published(midnight, tz="Europe/Berlin")
    assert found is not None and found.date().isoformat() == "2021-11-05"
    # ... but a late whole hour in UTC is just that, for an outlet elsewhere.
    found, _ = published(midnight, tz="America/New_York")
    assert found is not None and found.astimezone(UTC).date().isoformat() == "2021-11-04"
    found, _ = published(midnight, tz="UTC")
    assert found is not None and found.date().isoformat() == "2021-11-04"


def test_meta_names_that_agree_outvote_one_alone() -> None:
    html = (
        '<meta name="pubdate" content="2021-12-14T15:41:07+01:00">'
        '<meta name="DC.date.issued" content="2022-02-04T15:33:00+01:00">'
        '<meta name="date" content="2022-02-04 15:33">'
    )
    found, evidence = published(html)
    assert found is not None and found.date().isoformat() == "2022-02-04"
    assert evidence == "meta:dc.date.issued"


def test_the_time_beside_the_headline_beats_a_teaser_marked_pubdate() -> None:
    html = (
        "<body><div class='masthead'><h1 class='logo'>The Daily Example</h1></div>"
        "<div class='box'><article class='card'><a href='/other'>Another story</a>"
        "<time pubdate datetime='2025-05-02T09:00:00Z'>2 May</time></article></div>"
        "<div class='story'><header><h1>Bridge reopens</h1>"
        "<p class='dateline'><time datetime='2025-03-07T08:00:00Z'>7 March 2025</time></p>"
        "</header><p>Words.</p></div></body>"
    )
    assert published(html) == (datetime(2025, 3, 7, 8, tzinfo=UTC), "time")


def test_a_utc_stamp_takes_the_day_of_the_date_line() -> None:
    head = '<meta property="article:published_time" content="2024-02-14T23:00:00Z">'
    next_day = head + "<body><div class='news'><span class='datum'>15.02.2024</span></div>"
    found, evidence = published(next_day, tz="UTC")
    assert found == datetime(2024, 2, 14, 23, tzinfo=UTC)
    assert found is not None and found.date().isoformat() == "2024-02-15"
    assert found.utcoffset() == timedelta(hours=1)
    assert evidence == "meta:article:published_time+text"
    # A date line on the stamp's own UTC day changes nothing.
    same_day = head + "<body><span class='date'>February 14, 2024</span></body>"
    assert published(same_day, tz="UTC") == (
        datetime(2024, 2, 14, 23, tzinfo=UTC),
        "meta:article:published_time",
    )
    # Midnight UTC, or a day alone, is that day: no date line moves it.
    midnight = '<meta property="article:published_time" content="2024-02-15T00:00:00Z">'
    earlier = midnight + "<body><span class='datum'>14.02.2024</span></body>"
    assert published(earlier, tz="UTC")[0] == datetime(2024, 2, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "last", "expected"),
    [
        ("von Anna Muster, 8.5.12 Die Wahl", False, (2012, 5, 8)),
        ("Home › Presse 31.12.99", False, (1999, 12, 31)),
        ("30.02.21 then 01.03.21", False, (2021, 3, 1)),  # an impossible day is skipped
        ("01.03.21 and 02.03.21", True, (2021, 3, 2)),
        ("Version 1.2.3.12", False, None),
        ("2.5.2012", False, None),  # a four-digit year is find_day's
        ("12.30 Uhr", False, None),
    ],
)
def test_find_short_day(text: str, last: bool, expected: tuple[int, int, int] | None) -> None:
    assert find_short_day(text, last=last) == expected


def test_a_two_digit_year_beside_the_headline() -> None:
    after = "<body><h1>Koalition gesucht</h1><p>von Anna Muster, 8.5.12</p><p>Text.</p></body>"
    assert published(after, tz="UTC") == (datetime(2012, 5, 8, tzinfo=UTC), "text:heading")
    before = "<body><p>Start › Presse 02.12.19</p><h1>Neue Kommission</h1><p>Text.</p></body>"
    assert published(before, tz="UTC") == (datetime(2019, 12, 2, tzinfo=UTC), "text:heading")
    # Far from a headline the same shape is not read as a day.
    prose = "<body><h1>Release</h1><p>" + "Words. " * 60 + "Version 8.5.12 is out.</p></body>"
    assert published(prose, tz="UTC") == (None, "")


def test_the_date_line_beside_the_headline_beats_the_mastheads_edition_date() -> None:
    html = (
        "<html lang='fr'><body><header><a class='logo' href='/'>Le Quotidien"
        "<span class='date-edition'>mar. 6 août 2024, édition du soir</span></a></header>"
        "<div class='page'><div class='story-head'><h1>Le pont rouvre</h1>"
        "<ul class='info'><li>27 juin 2024</li><li>Par Anne</li></ul></div>"
        "<p>Texte.</p></div></body></html>"
    )
    assert published(html, tz="UTC") == (datetime(2024, 6, 27, tzinfo=UTC), "text")


def test_an_update_under_the_headline_is_not_the_publish_day() -> None:
    updated = "<body><h1>Rezept</h1><p>Von Anna Aktualisiert am 6. März 2023</p></body>"
    assert published(updated, tz="UTC") == (None, "")
    both = (
        "<body><h1>Rezept</h1><p>Von Anna, 2. März 2023, zuletzt aktualisiert am "
        "6. März 2023</p></body>"
    )
    assert published(both, tz="UTC") == (datetime(2023, 3, 2, tzinfo=UTC), "text:heading")


def test_a_page_republished_under_a_new_date() -> None:
    data = {
        "@type": "NewsArticle",
        "datePublished": "2021-01-01T11:00:00Z",
        "dateModified": "2023-04-01T10:00:00Z",
    }
    shown = "<body><h1>Die besten Router</h1><p>01.04.2023, 12:00 Uhr, Anna Muster</p></body>"
    assert published(ld(data) + shown, tz="UTC") == (
        datetime(2023, 4, 1, 10, tzinfo=UTC),
        "json-ld:modified+text:heading",
    )
    # Shown as an update, or shown as first published, the publish time stays.
    updated = shown.replace("<p>", "<p>Aktualisiert: ")
    assert published(ld(data) + updated, tz="UTC")[1] == "json-ld"
    first = shown.replace("01.04.2023", "01.01.2021")
    assert published(ld(data) + first, tz="UTC")[1] == "json-ld"
    # A modified time a day later is a time-zone matter (the same instant at the page's
    # offset), not a new edition.
    data["dateModified"] = "2021-01-02T10:00:00Z"
    next_day = shown.replace("01.04.2023", "02.01.2021")
    assert published(ld(data) + next_day, tz="UTC") == (
        datetime(2021, 1, 1, 11, tzinfo=UTC),
        "json-ld+text:heading",
    )


def test_bench_lists_our_misses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The stub reports one miss when asked for errors, as the shared scorer's --json does.
    (tmp_path / "score.py").write_text(
        "import json, sys\n"
        "report = {'pages': 1, 'accuracy': 0.0, 'wall_s': 1.0, 'pages_per_s': 1.0}\n"
        "if '--errors' in sys.argv:\n"
        "    report['errors'] = [{'id': 'p1', 'gold': '2025-03-07', 'answer': None}]\n"
        "print(json.dumps(report))\n",
        encoding="utf-8",
    )
    assert _bench_module().main(["--bench", str(tmp_path), "--errors", "5"]) == 0
    out = capsys.readouterr().out
    assert "our misses (1 listed):" in out
    assert "  p1: gold 2025-03-07  answer None" in out


@pytest.mark.parametrize(
    "logo",
    [
        "<h1 class='site-logo'>The Daily Example</h1>",
        "<h1><a class='brand' href='/'>The Daily Example</a></h1>",
        "<h1><a href='/'>The Daily Example</a></h1>",
    ],
)
def test_a_logo_in_an_h1_is_not_the_headline(logo: str) -> None:
    html = (
        f"<body><div class='top'>{logo}<time datetime='2025-06-01'>Sunday, 1 June</time></div>"
        "<div class='story'><div class='head'><h1>Bridge reopens</h1>"
        "<span>By Anna <time datetime='2025-03-07T08:00:00Z'>7 March 2025</time></span>"
        "</div></div></body>"
    )
    assert published(html) == (datetime(2025, 3, 7, 8, tzinfo=UTC), "time")


def test_days_at_with_a_limit_reads_only_the_first_days() -> None:
    text = "Am 5. März 2021, dann 6.3.2021 und March 7, 2021; später 2021-03-08 und 9 mars 2021."
    every = days_at(text)
    assert [day for _, day in every] == [(2021, 3, d) for d in (5, 6, 7, 8, 9)]
    assert days_at(text, limit=2) == every[:2]
    assert days_at(text, limit=10) == every


def test_bench_rounds_take_turns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The stub logs which system each run was, so the order of the rounds can be read back.
    log = tmp_path / "runs.log"
    (tmp_path / "score.py").write_text(
        "import json, sys\n"
        "run = sys.argv[sys.argv.index('--run') + 1]\n"
        "name = 'fast' if '--fast' in run else 'ext' if 'htmldate' in run else 'ours'\n"
        f"open({str(log)!r}, 'a').write(name + '\\n')\n"
        "print(json.dumps({'pages': 1, 'wall_s': 1.0, 'pages_per_s': 1.0}))\n",
        encoding="utf-8",
    )
    assert _bench_module().main(["--bench", str(tmp_path), "--rounds", "2"]) == 0
    assert log.read_text().split() == ["ours", "ext", "fast", "ours", "ext", "fast"]
    assert "2 round(s)" in capsys.readouterr().out


def test_the_headline_date_line_in_any_encoding() -> None:
    html = "<body><h1>Brücke über die Saale</h1><p>Von Jörg Müller, 5. März 2021</p></body>"
    expected = (datetime(2021, 3, 5, tzinfo=UTC), "text:heading")
    assert extract_published(html.encode(), url=URL, timezone="UTC") == expected
    # Read from a legacy charset, and from UTF-8 with a stray invalid byte before the headline.
    latin = html.encode("cp1252")
    assert (
        extract_published(
            latin, url=URL, timezone="UTC", content_type="text/html; charset=windows-1252"
        )
        == expected
    )
    assert extract_published(b"\xff" + html.encode(), url=URL, timezone="UTC") == expected


def test_the_headline_date_line_skips_what_a_reader_never_sees() -> None:
    html = (
        "<body><h1>Title</h1><SCRIPT>var d = '5 May 2021';</Script >"
        "<svg><text>1 May 2021</text></svg><!-- 2 May 2021 --><style>p{}</STYLE>"
        "<p>By Anna, 6 May 2021</p></body>"
    )
    assert published(html, tz="UTC") == (datetime(2021, 5, 6, tzinfo=UTC), "text:heading")


def test_midnight_in_the_outlets_zone_needs_no_look_at_the_page() -> None:
    html = (
        '<html><head><meta property="article:published_time" content="2024-02-14T23:00:00Z">'
        "</head><body><span class='datum'>15.02.2024</span></body></html>"
    )
    page = read_page(html.encode())
    found = find_published(page, url=URL, zone=ZoneInfo("Europe/Berlin"))
    assert found.published is not None and found.published.date().isoformat() == "2024-02-15"
    assert found.published_from == "meta:article:published_time"
    assert page._tree is None  # the outlet's zone said it; the date line was not needed
