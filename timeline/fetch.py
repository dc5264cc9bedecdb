"""HTTP: a URL and its cache validators in, a `FetchResult` out, or a FetchError in words.

Owns timeouts, the User-Agent, redirects, conditional GET (ETag / Last-Modified), the body
size cap (enforced while streaming, so a huge or endless body is cut off early), and the
refusal of private and loopback addresses unless the config allows loopback (the demo and
the tests serve from 127.0.0.1). It does not parse what it fetches.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from timeline.config import FetchSettings
from timeline.errors import FetchError
from timeline.model import FetchResult, Validators

# Every status a user may meet, put into words (miniflux's response_handler does the same).
_STATUS_WORDS = {
    401: "the server wants a login (401)",
    403: "the server refused access (403)",
    404: "not found (404): check the URL",
    410: "gone (410): the server says it was removed for good",
    429: "too many requests (429): the server asks us to slow down",
    500: "server error (500)",
    502: "bad gateway (502)",
    503: "service unavailable (503)",
    504: "gateway timeout (504)",
}


def make_client(settings: FetchSettings) -> httpx.Client:
    """One client per daemon: keeps connections alive between fetches of a host."""
    timeout = httpx.Timeout(settings.timeout_s, connect=min(10.0, settings.timeout_s))
    return httpx.Client(
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        timeout=timeout,
        follow_redirects=True,
        max_redirects=settings.max_redirects,
        event_hooks={"request": [_address_guard(settings.allow_loopback)]},
    )


def fetch(
    client: httpx.Client,
    url: str,
    *,
    source: str,
    settings: FetchSettings,
    validators: Validators | None = None,
) -> FetchResult:
    """GET `url`; a 304 comes back as `not_modified` with an empty body."""
    headers = {}
    if validators is not None and validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators is not None and validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    try:
        with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return FetchResult(
                    url=str(response.url),
                    status=304,
                    content_type=response.headers.get("content-type", ""),
                    body=b"",
                    validators=validators or Validators(),
                    not_modified=True,
                )
            if response.status_code >= 400:
                words = _STATUS_WORDS.get(response.status_code, f"HTTP {response.status_code}")
                raise FetchError(source, f"{url}: {words}")
            body = _read_capped(response, settings.max_bytes, source, url)
            return FetchResult(
                url=str(response.url),
                status=response.status_code,
                content_type=response.headers.get("content-type", ""),
                body=body,
                validators=Validators(
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                ),
            )
    except httpx.TimeoutException as exc:
        raise FetchError(
            source, f"{url}: timed out after {settings.timeout_s:g} s ({type(exc).__name__})"
        ) from exc
    except httpx.TooManyRedirects as exc:
        raise FetchError(source, f"{url}: more than {settings.max_redirects} redirects") from exc
    except httpx.HTTPError as exc:
        raise FetchError(source, f"{url}: {_describe(exc)}") from exc
    except _RefusedAddress as exc:
        raise FetchError(source, f"{url}: {exc}") from exc


def _read_capped(response: httpx.Response, max_bytes: int, source: str, url: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(source, f"{url}: body larger than {max_bytes} bytes; not read")
        chunks.append(chunk)
    return b"".join(chunks)


def _describe(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect ({exc})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the server broke the connection ({exc})"
    return f"{type(exc).__name__}: {exc}"


class _RefusedAddress(Exception):
    pass


def _address_guard(allow_loopback: bool) -> Callable[[httpx.Request], None]:
    """Refuse requests (redirects included) that resolve to internal addresses."""

    def guard(request: httpx.Request) -> None:
        host = urlsplit(str(request.url)).hostname or ""
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except OSError as exc:
            raise httpx.ConnectError(f"cannot resolve {host!r}: {exc}", request=request) from exc
        for info in infos:
            address = ipaddress.ip_address(info[4][0])
            if address.is_loopback and allow_loopback:
                continue
            if address.is_private or address.is_loopback or address.is_link_local:
                raise _RefusedAddress(
                    f"refused: {host} resolves to internal address {address} "
                    "(set fetch.allow_loopback = true only for local testing)"
                )

    return guard
