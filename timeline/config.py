"""config.toml -> Config: parsed, validated, typed. Nothing else reads the file.

Every problem is a ConfigError that names the file, the key and what was expected,
e.g. ``config.toml: sources[2].interval_s: expected a whole number of seconds >= 60, got "1h"``.
Unknown keys are errors too: a typo must not silently fall back to a default.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from selectolax.lexbor import LexborHTMLParser, SelectolaxError

from timeline.errors import ConfigError
from timeline.model import ArticleSelectors, ListingSelectors, Schedule, Source, SourceKind

DEFAULT_DB_URL = "sqlite:///timeline.db"
DEFAULT_USER_AGENT = "timeline/0.1 (+https://github.com/timeline-news/timeline)"


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchSettings:
    user_agent: str = DEFAULT_USER_AGENT
    timeout_s: float = 20.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    allow_loopback: bool = False  # only the demo and tests fetch from 127.0.0.1
    concurrency: int = 8  # sources fetched at the same time
    per_host: int = 2  # requests in flight to one host (scheme, name and port) at most
    host_delay_s: float = 1.0  # between the starts of two requests to one host, at least


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportSettings:
    """Files the daemon rewrites after a fetch that changed the timeline (None: off)."""

    ics: Path | None = None
    json: Path | None = None
    html: Path | None = None
    name: str = "timeline"  # the calendar's and the page's name

    @property
    def any(self) -> bool:
        return any((self.ics, self.json, self.html))


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    db_url: str = DEFAULT_DB_URL
    fetch: FetchSettings = field(default_factory=FetchSettings)
    schedule: Schedule = field(default_factory=lambda: Schedule(interval_s=3600))
    jitter_s: int = 0
    sources: tuple[Source, ...] = ()
    export: ExportSettings = field(default_factory=ExportSettings)
    path: str = "config.toml"  # where it was read from, for messages


def load_config(path: Path, *, required: bool = True) -> Config:
    """Read and validate `path`. A missing file is an error only when `required`."""
    if not path.exists():
        if required:
            raise ConfigError(f"{path}: no such file (pass --config PATH or create it)")
        return Config(path=str(path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:  # TOML is UTF-8 (toml.io); an editor saved Latin-1
        raise ConfigError(f"{path}: not UTF-8 text ({exc}); save it as UTF-8") from exc
    return parse_config(data, name=str(path))


def parse_config(data: Mapping[str, Any], *, name: str = "config.toml") -> Config:
    """Validate an already-parsed TOML document."""
    top = _Table(data, name, "")
    top.allow("storage", "fetch", "schedule", "export", "sources")

    storage = top.table("storage")
    storage.allow("url")
    db_url = to_db_url(storage.string("url", DEFAULT_DB_URL))

    fetch_table = top.table("fetch")
    fetch_table.allow(
        "user_agent",
        "timeout_s",
        "max_bytes",
        "max_redirects",
        "allow_loopback",
        "concurrency",
        "per_host",
        "host_delay_s",
    )
    fetch = FetchSettings(
        user_agent=fetch_table.string("user_agent", DEFAULT_USER_AGENT),
        timeout_s=fetch_table.number("timeout_s", 20.0, minimum=1),
        max_bytes=int(fetch_table.number("max_bytes", 10_000_000, minimum=1024, whole=True)),
        max_redirects=int(fetch_table.number("max_redirects", 5, minimum=0, whole=True)),
        allow_loopback=fetch_table.boolean("allow_loopback", False),
        concurrency=int(fetch_table.number("concurrency", 8, minimum=1, whole=True)),
        per_host=int(fetch_table.number("per_host", 2, minimum=1, whole=True)),
        host_delay_s=fetch_table.number("host_delay_s", 1.0, minimum=0),
    )

    schedule_table = top.table("schedule")
    schedule_table.allow("interval_s", "cron", "jitter_s")
    default_schedule = schedule_table.schedule(Schedule(interval_s=3600))
    jitter_s = int(schedule_table.number("jitter_s", 0, minimum=0, whole=True))

    export_table = top.table("export")
    export_table.allow("ics", "json", "html", "name")
    export = ExportSettings(
        ics=export_table.path("ics"),
        json=export_table.path("json"),
        html=export_table.path("html"),
        name=export_table.string("name", "timeline"),
    )

    sources: list[Source] = []
    for index, entry in enumerate(top.array("sources")):
        table = _Table(entry, name, f"sources[{index}].")
        table.allow(
            "name",
            "url",
            "kind",
            "timezone",
            "interval_s",
            "cron",
            "fetch_articles",
            "robots",
            "listing",
            "article",
        )
        kind = table.choice("kind", SourceKind, SourceKind.FEED)
        source = Source(
            name=table.string("name"),
            url=table.url("url"),
            kind=kind,
            timezone=table.timezone("timezone", "UTC"),
            schedule=table.schedule(default_schedule),
            fetch_articles=table.boolean("fetch_articles", True),
            robots=table.boolean("robots", True),
            listing=_listing_selectors(table, kind),
            article=_article_selectors(table.table("article")),
        )
        if any(s.name == source.name for s in sources):
            raise ConfigError(f"{name}: sources[{index}].name: {source.name!r} is used twice")
        sources.append(source)

    return Config(
        db_url=db_url,
        fetch=fetch,
        schedule=default_schedule,
        jitter_s=jitter_s,
        sources=tuple(sources),
        export=export,
        path=name,
    )


def _listing_selectors(source: _Table, kind: SourceKind) -> ListingSelectors | None:
    """[sources.listing]: required for kind = "listing", refused for the other kinds."""
    if kind is not SourceKind.LISTING:
        if "listing" in source.data:
            raise ConfigError(
                f'{source.file}: {source.prefix}listing: only read for kind = "listing", '
                f"and this source's kind is {kind.value!r}"
            )
        return None
    if "listing" not in source.data:
        raise ConfigError(
            f'{source.file}: {source.prefix}listing: required for kind = "listing": a '
            "[sources.listing] table with the CSS selectors item and link (title, date optional)"
        )
    if source.data.get("fetch_articles") is False:
        # A listing holds titles and dates, no text: nothing would be left to read events in.
        raise ConfigError(
            f"{source.file}: {source.prefix}fetch_articles: must be true for kind = "
            '"listing": the text comes from each item\'s page, the listing has none'
        )
    table = source.table("listing")
    table.allow("item", "link", "title", "date")
    return ListingSelectors(
        item=table.selector("item"),
        link=table.selector("link"),
        title=table.optional_selector("title"),
        date=table.optional_selector("date"),
    )


def _article_selectors(table: _Table) -> ArticleSelectors:
    table.allow("body", "title", "date")
    return ArticleSelectors(
        body=table.optional_selector("body"),
        title=table.optional_selector("title"),
        date=table.optional_selector("date"),
    )


def to_db_url(value: str) -> str:
    """Accept a SQLAlchemy URL or a plain file path (taken as SQLite)."""
    if "://" in value:
        return value
    return f"sqlite:///{value}"


class _Table:
    """One TOML table with the path to it, so every error can say exactly where."""

    def __init__(self, data: object, file: str, prefix: str) -> None:
        if not isinstance(data, Mapping):
            raise ConfigError(f"{file}: {prefix.rstrip('.') or 'top level'}: expected a table")
        self.data = data
        self.file = file
        self.prefix = prefix

    def _error(self, key: str, expected: str) -> ConfigError:
        got = self.data.get(key)
        return ConfigError(f"{self.file}: {self.prefix}{key}: expected {expected}, got {got!r}")

    def allow(self, *keys: str) -> None:
        for key in self.data:
            if key not in keys:
                raise ConfigError(
                    f"{self.file}: {self.prefix}{key}: unknown key (allowed: {', '.join(keys)})"
                )

    def table(self, key: str) -> _Table:
        return _Table(self.data.get(key, {}), self.file, f"{self.prefix}{key}.")

    def array(self, key: str) -> list[object]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            raise self._error(key, "an array of tables ([[sources]])")
        return value

    def string(self, key: str, default: str | None = None) -> str:
        if key not in self.data:
            if default is None:
                raise ConfigError(f"{self.file}: {self.prefix}{key}: required key is missing")
            return default
        value = self.data[key]
        if not isinstance(value, str) or not value.strip():
            raise self._error(key, "a non-empty string")
        return value.strip()

    def selector(self, key: str) -> str:
        """A CSS selector, tried once on an empty page so that a typo stops the load rather
        than every fetch (lexbor compiles a selector before it matches anything)."""
        value = self.string(key)
        try:
            LexborHTMLParser("<p></p>").css(value)
        except SelectolaxError:
            raise self._error(key, "a CSS selector such as 'article h2 a'") from None
        return value

    def optional_selector(self, key: str) -> str | None:
        return self.selector(key) if key in self.data else None

    def path(self, key: str) -> Path | None:
        """A file path; an empty string or a missing key means none."""
        value = self.data.get(key, "")
        if not isinstance(value, str):
            raise self._error(key, "a file path (a string)")
        return Path(value) if value.strip() else None

    def url(self, key: str) -> str:
        value = self.string(key)
        if not value.startswith(("http://", "https://")):
            raise self._error(key, "an http:// or https:// URL")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self._error(key, "true or false")
        return value

    def number(self, key: str, default: float, *, minimum: float, whole: bool = False) -> float:
        value = self.data.get(key, default)
        kind = "a whole number" if whole else "a number"
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._error(key, f"{kind} >= {minimum:g}")
        # not `value < minimum` alone: TOML's nan compares false, and inf passes it
        if (whole and not isinstance(value, int)) or not minimum <= value < math.inf:
            raise self._error(key, f"{kind} >= {minimum:g}")
        return float(value)

    def choice(self, key: str, enum: type[SourceKind], default: SourceKind) -> SourceKind:
        value = self.data.get(key, default.value)
        try:
            return enum(value)
        except ValueError:
            raise self._error(key, "one of " + ", ".join(repr(k.value) for k in enum)) from None

    def timezone(self, key: str, default: str) -> str:
        value = self.string(key, default)
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise self._error(key, "an IANA time zone name such as 'Europe/London'") from None
        return value

    def schedule(self, default: Schedule) -> Schedule:
        if "interval_s" in self.data and "cron" in self.data:
            raise ConfigError(f"{self.file}: {self.prefix}cron: give interval_s or cron, not both")
        if "cron" in self.data:
            cron = self.string("cron")
            if len(cron.split()) != 5:
                raise self._error("cron", "five fields: minute hour day month weekday")
            return Schedule(cron=cron)
        if "interval_s" in self.data:
            return Schedule(interval_s=int(self.number("interval_s", 0, minimum=60, whole=True)))
        return default
