"""Every error `timeline` raises on purpose, in one shallow tree.

    TimelineError
    ├── ConfigError       config.toml is missing, not TOML, or has a wrong key or value
    ├── SourceError       one source failed this cycle; other sources go on
    │   ├── FetchError    the network or the server: timeouts, refused, HTTP status
    │   ├── FeedError     the body is not a feed we can read, or a listing page has
    │   │                 changed so that its configured selectors match nothing
    │   └── ExtractError  an article page gave nothing usable
    └── StoreError        the database cannot be opened, migrated or written

`str(error)` names the thing and what went wrong, so a log line or a CLI message
needs nothing else: ``source 'bbc-world': feed is not XML (got text/html)``.
Operational failures are wrapped (``raise FetchError(...) from exc``); bugs are not.
"""


class TimelineError(Exception):
    """Root of every error raised on purpose by timeline."""


class ConfigError(TimelineError):
    """The configuration cannot be used as written."""


class SourceError(TimelineError):
    """A source failed; the message starts with the source's name."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"source {source!r}: {problem}")
        self.source = source
        self.problem = problem


class FetchError(SourceError):
    """The server or the network failed us."""


class FeedError(SourceError):
    """The body is not a feed, or not the listing page its selectors were written for."""


class ExtractError(SourceError):
    """An article page yielded no text or no usable date."""


class StoreError(TimelineError):
    """The database cannot be opened, migrated or written."""
