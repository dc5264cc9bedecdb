"""One cycle over every fault of tests/faults.py beside two healthy sources: the healthy ones
land in full, each fault is recorded for its own source, and the cycle ends in bounded time."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from timeline.config import Config, FetchSettings
from timeline.model import Source, Status
from timeline.schedule import run_once
from timeline.store import Store

from .conftest import Site
from .faults import FAULTS, FaultServer

GAZETTE = Path(__file__).parent / "site" / "gazette"
SETTINGS = FetchSettings(timeout_s=1.0, max_bytes=1_000_000, allow_loopback=True, host_delay_s=0.0)


@pytest.fixture
def faults() -> Iterator[FaultServer]:
    server = FaultServer()
    yield server
    server.close()


def healthy_sources(site: Site) -> list[Source]:
    """The gazette as RSS, and the same two articles as a JSON Feed from a second URL."""
    rss = (GAZETTE / "feed.xml").read_bytes().replace(b"http://SITE", site.base.encode())
    site.add("/gazette/feed.xml", rss, content_type="application/rss+xml")
    json_feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "The Harbour Gazette, in JSON",
        "items": [
            {
                "id": f"json-{name}",
                "url": site.url(f"/gazette/{name}.html?via=json"),
                "title": name,
                "date_published": "2025-10-14T09:30:00Z",
            }
            for name in ("bridge", "ferry")
        ],
    }
    site.add(
        "/gazette/feed.json", json.dumps(json_feed).encode(), content_type="application/feed+json"
    )
    return [
        Source(name="gazette", url=site.url("/gazette/feed.xml"), timezone="Europe/London"),
        Source(name="gazette-json", url=site.url("/gazette/feed.json"), timezone="Europe/London"),
    ]


def fault_name(path: str) -> str:
    return "fault" + path.replace("/", "-")


def test_faults_fail_alone_and_the_healthy_sources_land_in_full(
    site: Site, faults: FaultServer, store: Store
) -> None:
    sources = healthy_sources(site) + [
        # Article pages of the feeds that parse point at example hosts: read the feed only.
        Source(name=fault_name(path), url=faults.url(path), fetch_articles=False)
        for path in FAULTS
    ]
    start = time.monotonic()
    outcomes = {
        o.source: o for o in run_once(Config(fetch=SETTINGS, sources=tuple(sources)), store)
    }
    seconds = time.monotonic() - start

    for name in ("gazette", "gazette-json"):
        outcome = outcomes[name]
        assert outcome.status is Status.OK, outcome.errors
        assert outcome.errors == ()
        assert outcome.documents_new + outcome.documents_unchanged == 2
    health = {h.name: h for h in store.source_health()}
    assert health["gazette"].last_error is None
    assert health["gazette-json"].last_error is None

    for path, words in FAULTS.items():
        name = fault_name(path)
        outcome = outcomes[name]
        if not words:  # a body that is odd but a feed: billion laughs, broken XML, cp1251
            assert outcome.status is Status.OK, (name, outcome.errors)
            assert health[name].last_error is None
            continue
        assert outcome.status is Status.FAILED, name
        (error,) = outcome.errors
        assert error.startswith(f"source {name!r}: "), error
        assert words in error, error
        assert health[name].last_error == error
        assert health[name].consecutive_errors == 1

    # Four workers; the two time-outs cost a second each, everything else milliseconds.
    assert seconds < 10, seconds
    documents = store.counts()["documents"]
    # the gazette's two articles (stored once for both feeds) and the feeds read without pages
    assert documents == 2 + 1 + 2 + 1, documents
