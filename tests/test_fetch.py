"""fetch and parse_feed against a misbehaving server (tests/faults.py): every fault ends in
words, within a bounded time and a bounded amount of memory."""

from __future__ import annotations

import gzip
import socket
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from timeline.config import FetchSettings
from timeline.errors import FeedError, FetchError
from timeline.feeds import parse_feed
from timeline.fetch import RateLimited, fetch, make_client
from timeline.model import Entry, FetchResult

from .faults import CYRILLIC_TITLE, WINDOWS_1251, FaultServer

MAX_BYTES = 1_000_000
SETTINGS = FetchSettings(timeout_s=1.0, max_bytes=MAX_BYTES, allow_loopback=True)
MEMORY_BOUND = 4 * MAX_BYTES  # the cap, the decoded copy and the chunks in flight, with room
FEED = b'<rss version="2.0"><channel><title>Ok</title><item><title>Fine</title>' + (
    b"<link>https://ok.example/fine</link></item></channel></rss>"
)


@pytest.fixture(scope="module")
def faults() -> Iterator[FaultServer]:
    server = FaultServer()
    server.add("/feed", FEED, content_type="application/rss+xml")
    server.routes["/moved"] = lambda h: h.answer(
        301, b"", content_type="text/plain", extra={"Location": "/windows-1251"}
    )
    server.routes["/gzip-feed"] = lambda h: h.answer(
        200, gzip.compress(FEED), content_type="application/rss+xml", extra=_coding("gzip")
    )
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    raw_deflate = raw.compress(FEED) + raw.flush()
    server.routes["/raw-deflate-feed"] = lambda h: h.answer(
        200, raw_deflate, content_type="application/rss+xml", extra=_coding("deflate")
    )
    server.routes["/brotli"] = lambda h: h.answer(
        200, b"\x0b\x01\x80", content_type="application/rss+xml", extra=_coding("br")
    )
    yield server
    server.close()


def _coding(name: str) -> dict[str, str]:
    return {"Content-Encoding": name}


@dataclass
class Measured:
    seconds: float
    peak_bytes: int
    error: Exception | None
    value: Any = None


def measure(call: Callable[[], Any]) -> Measured:
    """Run `call`; its time, the peak of Python memory meanwhile, and what it raised."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    start = time.perf_counter()
    error: Exception | None = None
    value = None
    try:
        value = call()
    except Exception as exc:
        error = exc
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return Measured(seconds=seconds, peak_bytes=peak, error=error, value=value)


def get(faults: FaultServer, path: str, settings: FetchSettings = SETTINGS) -> FetchResult:
    with make_client(settings) as client:
        return fetch(client, faults.url(path), source="fault", settings=settings)


# path, words in the FetchError, most seconds it may take
FETCH_FAULTS = [
    ("/status-500", "server error (500)", 1.0),
    ("/silent", "timed out", 2.0),
    ("/drip", "timed out: no complete answer within 1 s", 2.0),
    ("/reset", "the server reset the connection", 1.0),
    ("/hang-up", "the server closed the connection without answering", 1.0),
    ("/huge", "body of 2,147,483,648 bytes announced, more than the 1,000,000 allowed", 1.0),
    ("/huge-unannounced", "body larger than 1,000,000 bytes (fetch.max_bytes)", 2.0),
    ("/gzip-bomb", "gzip body decompresses to more than 1,000,000 bytes", 2.0),
    ("/loop/a", "redirect loop (", 1.0),
    ("/hop/0", "more than 5 redirects", 1.0),
    ("/to-link-local", "internal address 169.254.169.254", 1.0),
    ("/brotli", "Content-Encoding 'br', which we did not ask for", 1.0),
]


@pytest.mark.parametrize(("path", "words", "seconds"), FETCH_FAULTS)
def test_fetch_faults_end_in_words_quickly_and_in_bounded_memory(
    faults: FaultServer, path: str, words: str, seconds: float
) -> None:
    run = measure(lambda: get(faults, path))
    assert isinstance(run.error, FetchError), run.error or run.value
    message = str(run.error)
    assert message.startswith(f"source 'fault': {faults.url(path)}"), message
    assert words in message, message
    assert run.seconds < seconds, (message, run.seconds)
    assert run.peak_bytes < MEMORY_BOUND, (message, run.peak_bytes)


def test_redirect_loop_names_the_circle(faults: FaultServer) -> None:
    with pytest.raises(FetchError) as info:
        get(faults, "/loop/a")
    a, b, c = (faults.url(f"/loop/{x}") for x in "abc")
    assert f"redirect loop ({a} -> {b} -> {c} -> {a})" in str(info.value)


def test_no_redirects_allowed_when_max_redirects_is_zero(faults: FaultServer) -> None:
    settings = FetchSettings(timeout_s=1.0, max_redirects=0, allow_loopback=True)
    with pytest.raises(FetchError, match="more than 0 redirects"):
        get(faults, "/moved", settings)


def test_a_redirect_is_followed_and_the_final_url_kept(faults: FaultServer) -> None:
    result = get(faults, "/moved")
    assert result.url == faults.url("/windows-1251")
    assert result.body == WINDOWS_1251


def test_429_carries_retry_after_seconds(faults: FaultServer) -> None:
    with pytest.raises(RateLimited) as info:
        get(faults, "/rate-limited")
    assert info.value.retry_after_s == 120
    assert "too many requests (429)" in str(info.value)
    assert "retry in 120 s" in str(info.value)


def test_503_retry_after_as_a_date_is_read_against_the_server_date(faults: FaultServer) -> None:
    with pytest.raises(RateLimited) as info:
        get(faults, "/unavailable")
    assert info.value.retry_after_s == pytest.approx(30, abs=1)
    assert "service unavailable (503)" in str(info.value)


def test_connection_refused_is_put_into_words() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with make_client(SETTINGS) as client, pytest.raises(FetchError) as info:
        fetch(client, f"http://127.0.0.1:{port}/", source="fault", settings=SETTINGS)
    assert "connection refused" in str(info.value)


def test_loopback_is_refused_unless_allowed(faults: FaultServer) -> None:
    settings = FetchSettings(timeout_s=1.0)
    with pytest.raises(FetchError, match=r"internal address 127\.0\.0\.1 \(set fetch"):
        get(faults, "/feed", settings)


@pytest.mark.parametrize("path", ["/gzip-feed", "/raw-deflate-feed"])
def test_compressed_bodies_are_decoded(faults: FaultServer, path: str) -> None:
    assert get(faults, path).body == FEED


def test_one_client_serves_faults_and_healthy_fetches_alike(faults: FaultServer) -> None:
    with make_client(SETTINGS) as client:
        for path in ("/reset", "/feed", "/silent", "/feed", "/gzip-bomb", "/feed"):
            try:
                result = fetch(client, faults.url(path), source="fault", settings=SETTINGS)
            except FetchError:
                assert path != "/feed"
            else:
                assert result.body == FEED


# -- bodies that arrive whole but are no good feed -------------------------------------------


def fetched_entries(faults: FaultServer, path: str) -> list[Entry]:
    result = get(faults, path)
    return parse_feed(result.body, url=result.url, source="fault", content_type=result.content_type)


def test_billion_laughs_is_not_expanded(faults: FaultServer) -> None:
    run = measure(lambda: fetched_entries(faults, "/billion-laughs"))
    assert run.error is None, run.error
    (entry,) = run.value
    assert entry.url == "https://laughs.example/1"
    assert len(entry.title) < 100
    assert run.seconds < 1.0
    assert run.peak_bytes < MEMORY_BOUND


def test_invalid_xml_still_gives_its_entries(faults: FaultServer) -> None:
    entries = fetched_entries(faults, "/invalid-xml")
    assert [e.url for e in entries] == [
        "https://broken.example/first",
        "https://broken.example/second",
    ]
    assert entries[0].title.startswith("First")


def test_windows_1251_without_a_header_charset_decodes(faults: FaultServer) -> None:
    result = get(faults, "/windows-1251")
    assert "charset" not in result.content_type
    (entry,) = parse_feed(result.body, url=result.url, source="fault")
    assert entry.title == CYRILLIC_TITLE


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/empty", "source 'fault': feed is empty (got 0 bytes, Content-Type application/rss+xml)"),
        ("/html", "source 'fault': feed is not XML (got text/html); is the URL a web page?"),
    ],
)
def test_bodies_that_are_no_feed_say_so(faults: FaultServer, path: str, words: str) -> None:
    with pytest.raises(FeedError) as info:
        fetched_entries(faults, path)
    assert str(info.value) == words
