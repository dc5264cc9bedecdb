"""fetch and parse_feed against a misbehaving server (tests/faults.py): every fault ends in
words, within a bounded time and a bounded amount of memory."""

from __future__ import annotations

import gc
import gzip
import itertools
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from timeline.config import FetchSettings
from timeline.errors import FeedError, FetchError
from timeline.feeds import parse_feed
from timeline.fetch import Fetcher, RateLimited, fetch, make_client
from timeline.model import Entry, FetchResult

from .conftest import Site
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


# -- the Fetcher: per-host turns and robots.txt ----------------------------------------------

POLITE = FetchSettings(timeout_s=2.0, allow_loopback=True, host_delay_s=0.0)
ROBOTS = b"User-agent: *\nDisallow: /private/\n\nUser-agent: timeline\nDisallow: /no-bots/\n"


def test_robots_txt_is_read_once_per_host_and_obeyed(site: Site) -> None:
    site.add("/robots.txt", ROBOTS, content_type="text/plain")
    site.add("/news/a", b"a", content_type="text/plain")
    site.add("/no-bots/b", b"b", content_type="text/plain")
    site.add("/private/c", b"c", content_type="text/plain")
    with Fetcher(POLITE) as fetcher:
        assert fetcher.get(site.url("/news/a"), source="s").body == b"a"
        # Our group names us, so it applies instead of the "*" group (RFC 9309 2.2.1).
        assert fetcher.get(site.url("/private/c"), source="s").body == b"c"
        with pytest.raises(FetchError) as refused:
            fetcher.get(site.url("/no-bots/b"), source="s")
        assert fetcher.get(site.url("/no-bots/b"), source="s", robots=False).body == b"b"
    assert str(refused.value) == (
        f"source 's': {site.url('/no-bots/b')}: {site.base}/robots.txt does not allow it for "
        "our user agent (set robots = false for this source to fetch it anyway)"
    )
    assert site.hits["/robots.txt"] == 1
    assert site.hits["/no-bots/b"] == 1  # only the fetch with robots=False reached it


def test_a_redirect_to_another_site_asks_that_sites_robots_txt(site: Site) -> None:
    """A feed proxy or a tracking link must not take us past the target site's rules."""
    other = Site(Path(__file__).parent / "site")  # another port: another origin
    try:
        other.add("/robots.txt", b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
        other.add("/news/a", b"a", content_type="text/plain")
        other.add("/private/b", b"b", content_type="text/plain")
        site.add("/robots.txt", b"", content_type="text/plain", status=404)
        site.add_redirect("/go/a", other.url("/news/a"))
        site.add_redirect("/go/b", other.url("/private/b"))
        with Fetcher(POLITE) as fetcher:
            result = fetcher.get(site.url("/go/a"), source="s")
            with pytest.raises(FetchError) as refused:
                fetcher.get(site.url("/go/b"), source="s")
        assert (result.body, result.url) == (b"a", other.url("/news/a"))
        assert str(refused.value) == (
            f"source 's': {other.url('/private/b')}: {other.base}/robots.txt does not allow it "
            "for our user agent (set robots = false for this source to fetch it anyway)"
        )
        assert (other.hits["/robots.txt"], other.hits["/private/b"]) == (1, 0)
    finally:
        other.close()


def test_a_redirect_loop_across_sites_names_the_circle(site: Site) -> None:
    other = Site(Path(__file__).parent / "site")
    try:
        for served in (site, other):
            served.add("/robots.txt", b"", content_type="text/plain", status=404)
        site.add_redirect("/a", other.url("/b"))
        other.add_redirect("/b", site.url("/a"))
        with Fetcher(POLITE) as fetcher, pytest.raises(FetchError) as looped:
            fetcher.get(site.url("/a"), source="s")
        assert str(looped.value) == (
            f"source 's': {site.url('/a')}: redirect loop "
            f"({site.url('/a')} -> {other.url('/b')} -> {site.url('/a')})"
        )
    finally:
        other.close()


def test_robots_txt_missing_allows_everything(site: Site) -> None:
    site.add("/robots.txt", b"gone", content_type="text/plain", status=404)
    site.add("/news/a", b"a", content_type="text/plain")
    with Fetcher(POLITE) as fetcher:
        assert fetcher.get(site.url("/news/a"), source="s").body == b"a"


def test_robots_txt_unreachable_means_nothing_is_fetched_for_a_while(site: Site) -> None:
    site.add("/robots.txt", b"oops", content_type="text/plain", status=500)
    site.add("/news/a", b"a", content_type="text/plain")
    with Fetcher(POLITE) as fetcher:
        for _ in range(2):
            with pytest.raises(FetchError, match=r"robots.txt cannot be read \(.*server error"):
                fetcher.get(site.url("/news/a"), source="s")
    assert site.hits["/robots.txt"] == 1  # asked again only after ROBOTS_RETRY_S
    assert site.hits["/news/a"] == 0


def _record_starts(site: Site, path: str, starts: list[float], *, hold_s: float = 0.0) -> list[int]:
    """Serve `path` slowly, noting when each request starts; returns [most in flight]."""
    in_flight, peak = [0], [0]
    lock = threading.Lock()

    def route(handler: Any) -> None:
        with lock:
            starts.append(time.monotonic())
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        time.sleep(hold_s)
        with lock:
            in_flight[0] -= 1
        handler.send_response(200)
        handler.send_header("Content-Length", "2")
        handler.end_headers()
        handler.wfile.write(b"ok")

    site.routes[path] = route
    return peak


def test_requests_to_one_host_keep_the_minimum_delay(site: Site) -> None:
    starts: list[float] = []
    site.add("/robots.txt", b"", content_type="text/plain", status=404)
    _record_starts(site, "/slow", starts)
    settings = FetchSettings(timeout_s=2.0, allow_loopback=True, host_delay_s=0.25)
    with Fetcher(settings) as fetcher, ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: fetcher.get(site.url("/slow"), source="s"), range(4)))
    gaps = [b - a for a, b in itertools.pairwise(sorted(starts))]
    assert len(gaps) == 3 and min(gaps) >= 0.24, gaps


def test_robots_crawl_delay_lengthens_the_delay(site: Site) -> None:
    starts: list[float] = []
    site.add("/robots.txt", b"User-agent: *\nCrawl-delay: 0.3\n", content_type="text/plain")
    _record_starts(site, "/slow", starts)
    with Fetcher(POLITE) as fetcher:
        for _ in range(3):
            fetcher.get(site.url("/slow"), source="s")
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.29, gaps


def test_at_most_per_host_requests_are_in_flight_to_one_host(site: Site) -> None:
    starts: list[float] = []
    site.add("/robots.txt", b"", content_type="text/plain", status=404)
    peak = _record_starts(site, "/slow", starts, hold_s=0.2)
    settings = FetchSettings(timeout_s=5.0, allow_loopback=True, host_delay_s=0.0, per_host=2)
    with Fetcher(settings) as fetcher, ThreadPoolExecutor(6) as pool:
        bodies = list(pool.map(lambda _: fetcher.get(site.url("/slow"), source="s").body, range(6)))
    assert bodies == [b"ok"] * 6
    assert peak == [2]


def test_least_recently_used_idle_hosts_are_forgotten() -> None:
    """A daemon meets thousands of sites: past max_hosts, idle ones are closed (and their
    robots.txt read again when they come back)."""
    sites = [Site(Path(__file__).parent / "site") for _ in range(3)]
    try:
        for site in sites:
            site.add("/robots.txt", b"User-agent: *\nDisallow:\n", content_type="text/plain")
            site.add("/a", b"a", content_type="text/plain")
        with Fetcher(POLITE, max_hosts=2) as fetcher:
            for site in [*sites, sites[2], sites[0]]:
                assert fetcher.get(site.url("/a"), source="s").body == b"a"
        # The first site was forgotten when the third came, so its robots.txt was read again;
        # the third was still known when it came back.
        assert [site.hits["/robots.txt"] for site in sites] == [2, 1, 1]
    finally:
        for site in sites:
            site.close()


class _KeepAlive(BaseHTTPRequestHandler):
    """A quiet HTTP/1.1 handler, so a client may keep its connection between requests."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def _serving(handler: type[_KeepAlive]) -> Iterator[str]:
    """Serve `handler` on 127.0.0.1 while the block runs; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_304_keeps_the_connection_for_the_next_fetch() -> None:
    """Conditional fetches are most of a daemon's cycle; each must not cost a connection."""
    from timeline.model import Validators

    peers: list[int] = []

    class Conditional(_KeepAlive):
        def do_GET(self) -> None:
            peers.append(self.client_address[1])
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.send_header("ETag", '"v1"')
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
            self.end_headers()

    with _serving(Conditional) as base, Fetcher(POLITE) as fetcher:
        for _ in range(3):
            result = fetcher.get(
                f"{base}/feed", source="s", validators=Validators(etag='"v1"'), robots=False
            )
            assert result.not_modified
    assert len(peers) == 3
    assert len(set(peers)) == 1  # one connection served all three


def test_a_small_error_page_or_redirect_keeps_the_connection() -> None:
    """robots.txt answered 404, a redirect: their bodies are read, so the fetch after them
    goes over the same connection; a large error page is not read (it closes instead)."""
    peers: list[tuple[str, int]] = []

    class Pages(_KeepAlive):
        def do_GET(self) -> None:
            peers.append((self.path, self.client_address[1]))
            body = b"not here" if self.path != "/big-error" else b"x" * 100_000
            if self.path == "/moved":
                self.send_response(301)
                self.send_header("Location", "/feed")
            elif self.path == "/feed":
                body = b"ok"
                self.send_response(200)
            else:
                self.send_response(404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with _serving(Pages) as base, Fetcher(POLITE) as fetcher:
        assert fetcher.get(f"{base}/moved", source="s").body == b"ok"
        with pytest.raises(FetchError, match="not found"):
            fetcher.get(f"{base}/big-error", source="s")
        assert fetcher.get(f"{base}/feed", source="s").body == b"ok"
    paths = [path for path, _ in peers]
    assert paths == ["/robots.txt", "/moved", "/feed", "/big-error", "/feed"]
    ports = [port for _, port in peers]
    assert len(set(ports[:4])) == 1  # robots.txt's 404 and the redirect kept it
    assert ports[4] != ports[3]  # the large error page was left unread: a new connection


def test_fetches_leave_no_reference_cycles_behind(site: Site) -> None:
    """A 304, a 200, a redirect and robots.txt's 404 each leave nothing for the garbage
    collector: httpx's response and stream refer to each other until fetch parts them."""
    from timeline.model import Validators

    site.add("/robots.txt", b"none here", content_type="text/plain", status=404)
    site.add("/feed", FEED, content_type="application/rss+xml", etag='"v1"')
    site.routes["/moved"] = lambda h: (
        h.send_response(301),
        h.send_header("Location", "/feed"),
        h.send_header("Content-Length", "0"),
        h.end_headers(),
    )
    with Fetcher(POLITE) as fetcher:
        fetcher.get(site.url("/feed"), source="s")  # the host's client and connection
        gc.collect()
        gc.disable()
        try:
            assert fetcher.get(site.url("/feed"), source="s").body == FEED
            assert fetcher.get(site.url("/moved"), source="s").body == FEED
            etag = Validators(etag='"v1"')
            assert fetcher.get(site.url("/feed"), source="s", validators=etag).not_modified
            assert gc.collect() == 0
        finally:
            gc.enable()


def test_a_cookie_a_host_sets_is_sent_back_to_it(site: Site) -> None:
    """Responses without Set-Cookie skip http.cookiejar (fetch._Cookies); one with it still
    gets there, and its cookie goes back with the host's next requests."""
    site.add("/robots.txt", b"", content_type="text/plain", status=404)
    sent: list[str | None] = []

    def route(handler: Any) -> None:
        sent.append(handler.headers.get("Cookie"))
        handler.send_response(200)
        if handler.path == "/login":
            handler.send_header("Set-Cookie", "consent=yes; Path=/")
        handler.send_header("Content-Length", "2")
        handler.end_headers()
        handler.wfile.write(b"ok")

    for path in ("/before", "/login", "/after"):
        site.routes[path] = route
    with Fetcher(POLITE) as fetcher:
        for path in ("/before", "/login", "/after"):
            fetcher.get(site.url(path), source="s")
    assert sent == [None, None, "consent=yes"]
