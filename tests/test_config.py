from pathlib import Path

import pytest

from timeline.config import DEFAULT_DB_URL, load_config, parse_config
from timeline.errors import ConfigError
from timeline.model import ArticleSelectors, ListingSelectors, Schedule, SourceKind

ROOT = Path(__file__).parents[1]


def test_example_config_is_valid() -> None:
    config = load_config(ROOT / "config.toml")
    assert config.sources, "the example config lists real feeds"
    assert all(s.url.startswith("https://") for s in config.sources)


def test_defaults() -> None:
    config = parse_config({})
    assert config.db_url == DEFAULT_DB_URL
    assert config.sources == ()
    assert config.schedule == Schedule(interval_s=3600)


def test_source_fields_and_inherited_schedule() -> None:
    config = parse_config(
        {
            "schedule": {"interval_s": 900},
            "sources": [
                {"name": "a", "url": "https://a.example/feed", "timezone": "Europe/London"},
                {"name": "b", "url": "https://b.example/", "kind": "page", "cron": "0 * * * *"},
            ],
        }
    )
    a, b = config.sources
    assert a.schedule == Schedule(interval_s=900)
    assert a.timezone == "Europe/London"
    assert b.kind is SourceKind.PAGE
    assert b.schedule == Schedule(cron="0 * * * *")


def test_plain_path_is_sqlite() -> None:
    assert parse_config({"storage": {"url": "data/t.db"}}).db_url == "sqlite:///data/t.db"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"storag": {}}, "storag: unknown key"),
        ({"sources": [{"name": "a"}]}, "sources[0].url: required key is missing"),
        ({"sources": [{"name": "a", "url": "ftp://x"}]}, "sources[0].url: expected an http"),
        (
            {"sources": [{"name": "a", "url": "https://x", "timezone": "Mars/Olympus"}]},
            "sources[0].timezone: expected an IANA time zone",
        ),
        (
            {"sources": [{"name": "a", "url": "https://x", "interval_s": "1h"}]},
            "sources[0].interval_s: expected a whole number >= 60, got '1h'",
        ),
        (
            {"sources": [{"name": "a", "url": "https://x", "kind": "podcast"}]},
            "sources[0].kind: expected one of 'feed', 'page'",
        ),
        (
            {"sources": [{"name": "a", "url": "https://x"}, {"name": "a", "url": "https://y"}]},
            "sources[1].name: 'a' is used twice",
        ),
        ({"fetch": {"timeout_s": 0}}, "fetch.timeout_s: expected a number >= 1"),
        # TOML has inf and nan; every fetch then failed with an OverflowError or ValueError.
        ({"fetch": {"timeout_s": float("inf")}}, "fetch.timeout_s: expected a number >= 1"),
        ({"fetch": {"host_delay_s": float("nan")}}, "fetch.host_delay_s: expected a number >= 0"),
    ],
)
def test_errors_name_file_key_and_expectation(data: dict[str, object], expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(data, name="my.toml")
    assert str(caught.value).startswith("my.toml: ")
    assert expected in str(caught.value)


def test_broken_toml_and_missing_file(tmp_path: Path) -> None:
    broken = tmp_path / "config.toml"
    broken.write_text("[storage\nurl = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(broken)
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "missing.toml")
    assert load_config(tmp_path / "missing.toml", required=False).sources == ()


LISTING_TOML = """
[[sources]]
name = "city-hall"
url = "https://city.example/news"
kind = "listing"
[sources.listing]
item = "article.news-item"
link = "a.headline"
title = "a.headline"
date = "time"
[sources.article]
body = "div.story"
title = "h1.headline"
date = "p.byline time"

[[sources]]
name = "plain"
url = "https://plain.example/feed"
"""


def test_listing_and_article_selectors(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(LISTING_TOML)
    city, plain = load_config(path).sources
    assert city.kind is SourceKind.LISTING
    assert city.listing == ListingSelectors(
        item="article.news-item", link="a.headline", title="a.headline", date="time"
    )
    assert city.article == ArticleSelectors(
        body="div.story", title="h1.headline", date="p.byline time"
    )
    assert plain.listing is None
    assert plain.article == ArticleSelectors()


def source(**fields: object) -> dict[str, object]:
    return {"sources": [{"name": "city-hall", "url": "https://city.example/", **fields}]}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            source(kind="listing"),
            'sources[0].listing: required for kind = "listing": a [sources.listing] table',
        ),
        (
            source(kind="listing", listing={"link": "a"}),
            "sources[0].listing.item: required key is missing",
        ),
        (
            source(kind="listing", listing={"item": "li"}),
            "sources[0].listing.link: required key is missing",
        ),
        (
            source(kind="listing", listing={"item": "li", "link": "a", "summary": "p"}),
            "sources[0].listing.summary: unknown key (allowed: item, link, title, date)",
        ),
        (
            source(kind="listing", listing={"item": "li >", "link": "a"}),
            "sources[0].listing.item: expected a CSS selector such as 'article h2 a', got 'li >'",
        ),
        (
            source(kind="listing", listing={"item": "li", "link": "a", "date": ""}),
            "sources[0].listing.date: expected a non-empty string, got ''",
        ),
        (
            source(kind="listing", listing="li a"),
            "sources[0].listing: expected a table",
        ),
        (
            source(listing={"item": "li", "link": "a"}),
            'sources[0].listing: only read for kind = "listing", '
            "and this source's kind is 'feed'",
        ),
        (
            source(article={"text": "div.story"}),
            "sources[0].article.text: unknown key (allowed: body, title, date)",
        ),
        (
            source(article={"date": "p.byline time:contains(2025)"}),
            "sources[0].article.date: expected a CSS selector",
        ),
        (source(article={"title": 3}), "sources[0].article.title: expected a non-empty string"),
        (source(kind="listings"), "sources[0].kind: expected one of 'feed', 'page', 'listing'"),
        (
            source(kind="listing", fetch_articles=False, listing={"item": "li", "link": "a"}),
            'sources[0].fetch_articles: must be true for kind = "listing"',
        ),
    ],
)
def test_selector_errors_name_file_and_key(data: dict[str, object], expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(data, name="my.toml")
    assert str(caught.value).startswith("my.toml: ")
    assert expected in str(caught.value)
