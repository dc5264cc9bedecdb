"""HTTP: a URL and its cache validators in, a `FetchResult` out, or a FetchError in words.

Owns timeouts, the User-Agent, redirects, conditional GET (ETag / Last-Modified), decoding of
gzip and deflate, politeness, and every bound a hostile or broken server could push against
(issue 4, "bounded everything"):

- `Fetcher` is what the daemon uses: one small httpx client per host (scheme, name, port),
  at most `fetch.per_host` requests in flight to a host and `fetch.host_delay_s` between
  their starts (longer if the host's robots.txt asks for a Crawl-delay), and robots.txt
  read once a day per host and obeyed (protego, RFC 9309). Small per-host clients also keep
  httpx's connection pool short: one shared pool is rescanned for every waiting request.
  The global limit is the number of sources fetched at once (`fetch.concurrency`, the
  scheduler's workers).

- time: `fetch.timeout_s` is the budget of one whole fetch, redirects included. Every socket
  operation waits at most what is left of it, so a server that drips a byte a second, or
  accepts and never answers, frees the worker when the budget is spent.
- size: at most `fetch.max_bytes` on the wire (a too large Content-Length is refused before
  reading) and at most `fetch.max_bytes` after decompression; we decompress ourselves with
  zlib's `max_length`, so a gzip bomb never grows past the cap in memory.
- redirects: at most `fetch.max_redirects`, and a loop is named as one.
- addresses: every connection, redirects included, goes to an address checked after DNS
  resolution; the socket connects to that very address, so a second lookup cannot steer it
  elsewhere. Only public addresses are fetched, and loopback when the config allows it.
- 429 and 503 raise `RateLimited`, which carries the server's Retry-After in seconds.

It does not parse what it fetches. It reads no clock but the monotonic one for its budget
(Retry-After given as a date is measured against the response's own Date header).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx
from protego import Protego

from timeline.config import FetchSettings
from timeline.errors import FetchError
from timeline.model import FetchResult, Validators

# Every status a user may meet, put into words (miniflux's response_handler does the same).
_STATUS_WORDS = {
    400: "the server calls our request bad (400)",
    401: "the server wants a login (401)",
    403: "the server refused access (403)",
    404: "not found (404): check the URL",
    405: "the server does not allow GET here (405)",
    406: "the server has nothing in a form we accept (406)",
    408: "the server timed out waiting for our request (408)",
    410: "gone (410): the server says it was removed for good",
    429: "too many requests (429): the server asks us to slow down",
    451: "unavailable for legal reasons (451)",
    500: "server error (500)",
    502: "bad gateway (502)",
    503: "service unavailable (503)",
    504: "gateway timeout (504)",
}
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CONNECT_TIMEOUT_MAX_S = 10.0
ROBOTS_MAX_AGE_S = 24 * 3600  # RFC 9309 2.4: a cached robots.txt is good for a day
ROBOTS_RETRY_S = 600  # an unreachable robots.txt is asked again after this
ROBOTS_MAX_BYTES = 500_000  # RFC 9309 2.5: at least 500 KiB must be read; we read no more
MAX_CRAWL_DELAY_S = 60.0  # a robots.txt cannot park a source for hours
MAX_HOSTS = 512  # clients kept open; the least recently used idle ones are closed
DRAIN_MAX_BYTES = 16_384  # an unread body this small is read to keep its connection


class HTTPStatusError(FetchError):
    """The server answered with an error status (4xx, 5xx)."""

    def __init__(self, source: str, problem: str, *, status: int) -> None:
        super().__init__(source, problem)
        self.status = status


class RateLimited(HTTPStatusError):
    """429 or 503: the server asks us to come back later, in `retry_after_s` if it said."""

    def __init__(
        self, source: str, problem: str, *, status: int, retry_after_s: float | None
    ) -> None:
        super().__init__(source, problem, status=status)
        self.retry_after_s = retry_after_s


def make_client(
    settings: FetchSettings, *, ssl_context: ssl.SSLContext | None = None
) -> httpx.Client:
    """A client that keeps connections alive between fetches.

    Redirects are followed by `fetch`, not by httpx, to name loops. The environment's proxy
    settings are ignored (trust_env=False): through a proxy, the address check would see the
    proxy, not the server. Without `ssl_context`, the process's default one (`_ssl_context`).
    """
    client = httpx.Client(
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        timeout=httpx.Timeout(
            settings.timeout_s, connect=min(_CONNECT_TIMEOUT_MAX_S, settings.timeout_s)
        ),
        follow_redirects=False,
        transport=_GuardedTransport(
            allow_loopback=settings.allow_loopback,
            ssl_context=ssl_context or _ssl_context(),
            max_connections=max(settings.per_host, 1),
        ),
        trust_env=False,
    )
    # Set behind httpx's back (0.28): its setter would copy the jar into a plain Cookies.
    # tests/test_fetch.py checks that a cookie a host sets still goes back to it.
    client._cookies = _Cookies()
    return client


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """httpx's default context (certifi's roots), built once per process: it costs ~35 ms,
    once per `run_once` cycle before. Only read after it is built, so threads may share it."""
    return httpx.create_ssl_context()


class _Cookies(httpx.Cookies):
    """A client's cookies as httpx keeps them, but a response that sets none is not handed
    to http.cookiejar: httpx builds a urllib request from every response's URL for it, ~5 %
    of the CPU of a 304 (issue 4)."""

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers:
            super().extract_cookies(response)


class Fetcher:
    """The daemon's HTTP side: per-host clients, limits, delays and robots.txt.

    Thread-safe: the scheduler's workers share one. Waiting for a host's turn does not count
    against `fetch.timeout_s`, which starts when the request does.
    """

    def __init__(self, settings: FetchSettings, *, max_hosts: int = MAX_HOSTS) -> None:
        self.settings = settings
        self.max_hosts = max_hosts
        self._ssl_context = _ssl_context()
        self._hosts: OrderedDict[str, _Host] = OrderedDict()  # least recently used first
        self._lock = threading.Lock()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            hosts, self._hosts = list(self._hosts.values()), OrderedDict()
        for host in hosts:
            host.client.close()

    def get(
        self,
        url: str,
        *,
        source: str,
        validators: Validators | None = None,
        robots: bool = True,
    ) -> FetchResult:
        """GET `url` politely: robots.txt first (if `robots`), then in the host's turn. A
        redirect to another site is followed as a new request to that site: its robots.txt,
        its turn and its client (a feed proxy or a tracking link must not take us past a
        site's rules); loops and the redirect limit count over the whole chain."""
        chain = _Chain()
        while True:
            host = self._host(url, source)
            try:
                if robots:
                    self._check_robots(host, url, source)
                with host.turn():
                    return fetch(
                        host.client,
                        url,
                        source=source,
                        settings=self.settings,
                        validators=validators,
                        chain=chain,
                    )
            except _ElsewhereRedirect as redirect:
                url = redirect.target
            finally:
                with self._lock:
                    host.users -= 1

    def _host(self, url: str, source: str) -> _Host:
        try:
            origin = _origin(url)
        except ValueError as exc:
            raise FetchError(source, f"{url}: {exc}") from exc
        try:
            _parsed(url)  # httpx's own checks (IDNA, control characters), before robots.txt
        except httpx.InvalidURL as exc:
            raise FetchError(source, f"{url}: not a valid web address ({exc})") from exc
        with self._lock:
            host = self._hosts.get(origin)
            if host is None:
                client = make_client(self.settings, ssl_context=self._ssl_context)
                host = self._hosts[origin] = _Host(origin, client, self.settings)
            self._hosts.move_to_end(origin)
            host.users += 1
            self._forget_idle_hosts()
            return host

    def _forget_idle_hosts(self) -> None:
        """Past `max_hosts`, close the least recently used hosts nobody is fetching from: a
        daemon that follows article links meets thousands of sites over its months."""
        excess = len(self._hosts) - self.max_hosts
        if excess <= 0:  # the common case; the scan below would cost every fetch
            return
        idle = [o for o, h in self._hosts.items() if h.users == 0]
        for origin in idle[:excess]:
            self._hosts.pop(origin).client.close()

    def _check_robots(self, host: _Host, url: str, source: str) -> None:
        rules = self._robots(host, source)
        agent = self.settings.user_agent
        if not rules.can_fetch(url, agent):
            raise FetchError(
                source,
                f"{url}: {host.origin}/robots.txt does not allow it for our user agent "
                "(set robots = false for this source to fetch it anyway)",
            )

    def _robots(self, host: _Host, source: str) -> Protego:
        with host.robots_lock:
            now = time.monotonic()
            if host.robots_error and now < host.robots_expires:
                raise FetchError(source, host.robots_error)
            if host.robots is None or now >= host.robots_expires:
                host.robots, host.robots_error = self._read_robots(host, source), ""
                host.robots_expires = now + ROBOTS_MAX_AGE_S
                delay = host.robots.crawl_delay(self.settings.user_agent)
                if delay is not None:
                    host.delay_s = max(self.settings.host_delay_s, min(delay, MAX_CRAWL_DELAY_S))
            return host.robots

    def _read_robots(self, host: _Host, source: str) -> Protego:
        """RFC 9309 2.3.1: a 4xx means no rules; a 5xx or no answer means nothing is allowed
        until robots.txt can be read (asked again after ROBOTS_RETRY_S)."""
        url = f"{host.origin}/robots.txt"
        limited = replace(self.settings, max_bytes=min(self.settings.max_bytes, ROBOTS_MAX_BYTES))
        try:
            with host.turn():
                result = fetch(host.client, url, source=source, settings=limited)
        except HTTPStatusError as exc:
            if 400 <= exc.status < 500 and exc.status != 429:
                return Protego.parse("")
            problem = exc.problem
        except FetchError as exc:
            problem = exc.problem
        else:
            return Protego.parse(result.body.decode("utf-8", errors="replace"))
        host.robots_error = (
            f"robots.txt cannot be read ({problem}); the site is not fetched until it can be"
        )
        host.robots_expires = time.monotonic() + ROBOTS_RETRY_S
        raise FetchError(source, host.robots_error)


@functools.lru_cache(maxsize=4096)
def _origin(url: str) -> str:
    """`scheme://host:port`, the key of a URL's host; ValueError, in words, if it has none.
    Cached, as `_parsed`: a daemon fetches the same feeds' URLs again and again."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("not an http(s) address we can fetch")
    port = parts.port or (443 if parts.scheme == "https" else 80)  # ValueError if bad
    return f"{parts.scheme}://{parts.hostname}:{port}"


@functools.lru_cache(maxsize=4096)
def _parsed(url: str) -> httpx.URL:
    """httpx's parse of `url` (immutable, so shared): httpx parses a URL given as text
    for every request, ~5 % of the CPU of a 304 (issue 4)."""
    return httpx.URL(url)


class _Host:
    """One origin: its client, its turn (concurrency and delay) and its robots.txt."""

    def __init__(self, origin: str, client: httpx.Client, settings: FetchSettings) -> None:
        self.origin = origin
        self.client = client
        self.users = 0  # fetches using this host now (under the Fetcher's lock)
        self.delay_s = settings.host_delay_s
        self._slots = threading.BoundedSemaphore(max(settings.per_host, 1))
        self._next_start = 0.0
        self._clock = threading.Lock()
        self.robots: Protego | None = None
        self.robots_error = ""
        self.robots_expires = 0.0
        self.robots_lock = threading.Lock()

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        """Hold one of the host's slots, starting at least `delay_s` after the last start."""
        with self._slots:
            with self._clock:
                now = time.monotonic()
                start = max(now, self._next_start)
                self._next_start = start + self.delay_s
            if start > now:
                time.sleep(start - now)
            yield


def fetch(
    client: httpx.Client,
    url: str,
    *,
    source: str,
    settings: FetchSettings,
    validators: Validators | None = None,
    chain: _Chain | None = None,
) -> FetchResult:
    """GET `url`; a 304 comes back as `not_modified` with an empty body.

    Redirects are followed on `client`, unless a `chain` is given: then a redirect to
    another origin raises _ElsewhereRedirect for the caller to follow there, with the same
    chain (the addresses so far, and the deadline of the whole fetch)."""
    headers = {}
    if validators is not None and validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators is not None and validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    hop_sites = chain is not None
    if chain is None:
        chain = _Chain()
    if chain.deadline is None:
        chain.deadline = time.monotonic() + settings.timeout_s
    deadline = chain.deadline
    token = _DEADLINE.set(deadline)
    try:
        return _fetch(
            client,
            url,
            headers,
            source=source,
            settings=settings,
            validators=validators,
            chain=chain,
            hop_sites=hop_sites,
        )
    except httpx.TimeoutException as exc:
        raise FetchError(
            source, f"{chain.named(url)}: {_timeout_words(exc, settings, deadline)}"
        ) from exc
    except httpx.HTTPError as exc:
        raise FetchError(source, f"{chain.named(url)}: {_describe(exc)}") from exc
    except httpx.InvalidURL as exc:  # not an HTTPError: a feed's link httpx cannot parse
        raise FetchError(source, f"{chain.named(url)}: not a valid web address ({exc})") from exc
    except _RefusedAddress as exc:
        raise FetchError(source, f"{chain.named(url)}: {exc}") from exc
    finally:
        _DEADLINE.reset(token)


def _fetch(
    client: httpx.Client,
    url: str,
    headers: dict[str, str],
    *,
    source: str,
    settings: FetchSettings,
    validators: Validators | None,
    chain: _Chain,
    hop_sites: bool,
) -> FetchResult:
    visited = chain.visited
    if not visited:
        visited.append(url)
    first = visited[0]
    response = client.send(client.build_request("GET", _parsed(url), headers=headers), stream=True)
    try:
        while response.status_code in _REDIRECTS and "location" in response.headers:
            next_request = response.next_request
            _release(response)
            if next_request is None:  # httpx builds it for every redirect with a Location
                raise FetchError(source, f"{first}: redirect without a usable Location")
            target = str(next_request.url)
            if target in visited:
                circle = " -> ".join([*visited[visited.index(target) :], target])
                raise FetchError(source, f"{first}: redirect loop ({circle})")
            if len(visited) > settings.max_redirects:
                raise FetchError(
                    source,
                    f"{first}: more than {settings.max_redirects} redirects "
                    f"({' -> '.join([*visited, target])})",
                )
            visited.append(target)
            if hop_sites and not _same_origin(target, str(response.url)):
                raise _ElsewhereRedirect(target)
            response = client.send(next_request, stream=True)

        final_url = str(response.url)
        content_type = response.headers.get("content-type", "")
        if response.status_code == 304:
            # A 304 has no body (RFC 9110 15.4.5), but httpcore keeps the connection only
            # for a response read to its end: closing it unread would cost every conditional
            # fetch a new connection (and the server an accept). Raw: nothing to decode.
            for _ in response.iter_raw():
                pass
            return FetchResult(
                url=final_url,
                status=304,
                content_type=content_type,
                body=b"",
                validators=validators or Validators(),
                not_modified=True,
            )
        where = chain.named(final_url)
        if response.status_code in (429, 503):
            retry_after_s = _retry_after_s(response.headers)
            words = _STATUS_WORDS[response.status_code]
            if retry_after_s is not None:
                words += f"; retry in {retry_after_s:g} s"
            raise RateLimited(
                source,
                f"{where}: {words}",
                status=response.status_code,
                retry_after_s=retry_after_s,
            )
        if response.status_code >= 400:
            words = _STATUS_WORDS.get(response.status_code, f"HTTP {response.status_code}")
            raise HTTPStatusError(source, f"{where}: {words}", status=response.status_code)
        body = _read_body(response, settings.max_bytes, source=source, where=where)
        return FetchResult(
            url=final_url,
            status=response.status_code,
            content_type=content_type,
            body=body,
            validators=Validators(
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
            ),
        )
    finally:
        _release(response)


def _release(response: httpx.Response) -> None:
    """Close `response`, first reading a small body nobody read (an error page, a redirect's
    note) to its end: httpcore keeps a connection only for a response read to its end, and
    a robots.txt answered 404 cost every host a second connection each cycle (issue 4).

    Then its stream is dropped: httpx ties a response and its stream into a reference cycle,
    so every fetch left ~40 objects (response, request, headers, httpcore's request, events
    and locks) for the garbage collector to find, ~10 % of the CPU of a 304, and more in a
    process that holds much else (issue 4). Without the cycle they go when we let go."""
    announced = response.headers.get("content-length", "")
    small = announced.isdigit() and int(announced) <= DRAIN_MAX_BYTES
    if small and not response.is_stream_consumed:
        with contextlib.suppress(httpx.HTTPError):  # what the status said is the news
            for _ in response.iter_raw():
                pass
    response.close()
    response.stream = _CLOSED


_CLOSED = httpx.ByteStream(b"")  # a closed response's stream: empty, and shared


# -- the body: size on the wire, size decoded ------------------------------------------------


def _read_body(response: httpx.Response, max_bytes: int, *, source: str, where: str) -> bytes:
    announced = response.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > max_bytes:
        raise FetchError(
            source,
            f"{where}: body of {int(announced):,} bytes announced, more than the "
            f"{max_bytes:,} allowed (fetch.max_bytes); not read",
        )
    encodings = [
        e.strip().lower()
        for e in response.headers.get("content-encoding", "").split(",")
        if e.strip().lower() not in ("", "identity")
    ]
    # Content-Encoding lists codings in the order they were applied; undo them backwards.
    decoders = [
        _decoder(e, max_bytes=max_bytes, source=source, where=where) for e in reversed(encodings)
    ]
    body = bytearray()
    received = 0
    for chunk in response.iter_raw():
        received += len(chunk)
        if received > max_bytes:
            raise FetchError(
                source,
                f"{where}: body larger than {max_bytes:,} bytes (fetch.max_bytes); stopped reading",
            )
        data = chunk
        for decoder in decoders:
            data = decoder.decode(data, max_bytes - len(body))
        body += data
    for decoder in decoders:
        decoder.finish()
    return bytes(body)


class _Decoder:
    """gzip or deflate, never producing more than it is allowed (a compression bomb)."""

    def __init__(self, coding: str, *, max_bytes: int, source: str, where: str) -> None:
        self.coding = coding
        self.max_bytes = max_bytes
        self.source = source
        self.where = where
        # deflate: RFC 9110 means zlib-wrapped; some servers send it raw (httpx tries both).
        self.wbits = zlib.MAX_WBITS | 16 if coding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self.zlib = zlib.decompressobj(self.wbits)
        self.started = False

    def decode(self, data: bytes, room: int) -> bytes:
        try:
            out = self.zlib.decompress(data, room + 1)
        except zlib.error as exc:
            if self.coding == "deflate" and not self.started:
                self.zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                self.started = True
                return self.decode(data, room)
            raise FetchError(
                self.source, f"{self.where}: body is not valid {self.coding} ({exc})"
            ) from exc
        self.started = True
        if len(out) > room or self.zlib.unconsumed_tail:
            raise FetchError(
                self.source,
                f"{self.where}: {self.coding} body decompresses to more than "
                f"{self.max_bytes:,} bytes (fetch.max_bytes); a compression bomb? not read",
            )
        return out

    def finish(self) -> None:
        if self.started and not self.zlib.eof:
            raise FetchError(self.source, f"{self.where}: {self.coding} body is cut short")


def _decoder(coding: str, *, max_bytes: int, source: str, where: str) -> _Decoder:
    if coding not in ("gzip", "x-gzip", "deflate"):
        raise FetchError(
            source,
            f"{where}: the server used Content-Encoding {coding!r}, which we did not ask for",
        )
    return _Decoder(coding, max_bytes=max_bytes, source=source, where=where)


def _retry_after_s(headers: httpx.Headers) -> float | None:
    """Retry-After (RFC 9110 10.2.3): delta-seconds, or an HTTP date read against `Date`."""
    value = headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    try:
        then = parsedate_to_datetime(value)
        now = parsedate_to_datetime(headers.get("date", ""))
    except (TypeError, ValueError, IndexError):
        return None
    if then.tzinfo is None or now.tzinfo is None:
        return None
    return max(0.0, (then - now).total_seconds())


# -- errors in words -------------------------------------------------------------------------


def _timeout_words(exc: httpx.TimeoutException, settings: FetchSettings, deadline: float) -> str:
    if time.monotonic() >= deadline - 0.01:
        return (
            f"timed out: no complete answer within {settings.timeout_s:g} s (fetch.timeout_s "
            "bounds the whole fetch, so a server sending slowly is cut off too)"
        )
    if isinstance(exc, httpx.ConnectTimeout):
        connect_s = min(_CONNECT_TIMEOUT_MAX_S, settings.timeout_s)
        return f"timed out: could not connect within {connect_s:g} s"
    return f"timed out: the server sent nothing for {settings.timeout_s:g} s"


def _describe(exc: httpx.HTTPError) -> str:
    causes = _causes(exc)
    if any(isinstance(c, ConnectionResetError) for c in causes):
        return "the server reset the connection (connection reset by peer)"
    if isinstance(exc, httpx.ConnectError):
        if any(isinstance(c, ConnectionRefusedError) for c in causes):
            return "connection refused: nothing listens at that address and port"
        return f"cannot connect ({exc})"
    if isinstance(exc, httpx.RemoteProtocolError):
        text = str(exc)
        if "without sending a response" in text:
            return "the server closed the connection without answering"
        if "incomplete" in text or "without sending complete message body" in text:
            return "the server closed the connection before the body was complete"
        return f"the server broke the HTTP protocol ({exc})"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return f"the connection failed ({exc or type(exc).__name__})"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return f"not a web address we can fetch ({exc})"
    return f"{type(exc).__name__}: {exc}"


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


# -- the transport: a per-fetch deadline and the address check, at the socket ---------------

# When the fetch running in this thread must be over (time.monotonic()); None outside fetch().
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "timeline_fetch_deadline", default=None
)


def _remaining(timeout: float | None, error: type[Exception]) -> float | None:
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the fetch used up its time")
    return left if timeout is None else min(timeout, left)


class _RefusedAddress(Exception):
    pass


def _same_origin(a: str, b: str) -> bool:
    try:
        return _origin(a) == _origin(b)
    except ValueError:
        return True  # not a site at all ("ftp://"): the client refuses it, in words, as before


@dataclass
class _Chain:
    """One Fetcher.get's redirects across sites: the addresses so far, and the deadline of
    the whole fetch, set by its first request (`timeout_s` covers every hop)."""

    visited: list[str] = field(default_factory=list)
    deadline: float | None = None

    def named(self, url: str) -> str:
        """`url` as an error names it: with the address the chain started at."""
        first = self.visited[0] if self.visited else url
        return url if first == url else f"{first} (redirected to {url})"


class _ElsewhereRedirect(Exception):
    """A redirect to another origin, for Fetcher.get to follow through that origin's host."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


def _allowed_addresses(host: str, port: int, allow_loopback: bool) -> list[str]:
    """Resolve `host`; refuse it if any address is not public (loopback only if allowed)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise httpcore.ConnectError(f"cannot resolve {host!r}: {exc}") from exc
    addresses: list[str] = []
    for info in infos:
        text = str(info[4][0])
        address = ipaddress.ip_address(text.split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if address.is_loopback and allow_loopback:
            pass
        elif not address.is_global or address.is_multicast:
            hint = " (set fetch.allow_loopback = true only for local testing)"
            raise _RefusedAddress(
                f"refused: {host} resolves to internal address {address}"
                + (hint if address.is_loopback else "; internal networks are never fetched")
            )
        if text not in addresses:
            addresses.append(text)
    return addresses


class _Stream(httpcore.NetworkStream):
    """A socket whose every wait is cut to what is left of the fetch's time."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _remaining(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _remaining(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(
            ssl_context, server_hostname, _remaining(timeout, httpcore.ConnectTimeout)
        )
        return _Stream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, *, allow_loopback: bool) -> None:
        self._inner = httpcore.SyncBackend()
        self._allow_loopback = allow_loopback

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        failure: Exception | None = None
        for address in _allowed_addresses(host, port, self._allow_loopback):
            try:
                inner = self._inner.connect_tcp(
                    address,
                    port,
                    _remaining(timeout, httpcore.ConnectTimeout),
                    local_address,
                    socket_options,
                )
            except httpcore.ConnectError as exc:  # try the host's next address
                failure = exc
                continue
            return _Stream(inner)
        raise failure or httpcore.ConnectError(f"{host!r} has no address")

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    def __init__(
        self, *, allow_loopback: bool, ssl_context: ssl.SSLContext, max_connections: int
    ) -> None:
        super().__init__(verify=ssl_context)  # reusing the context: its build costs ~20 ms
        # httpx takes no network backend; swap the pool it built for one that has ours.
        # A small pool: httpcore scans every connection of it for each waiting request.
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=5.0,
            network_backend=_Backend(allow_loopback=allow_loopback),
        )
