"""`timeline serve`: the timeline over HTTP, read-only, from the store.

    /               the HTML page (a search box filters it in place)
    /timeline.ics   the iCal feed, for calendar subscriptions
    /timeline.json  the JSON document (timeline/render/timeline.schema.json)

Query parameters filter as `timeline show` does: from, to, source, query, upcoming, limit
(`/timeline.ics?source=bbc-world&from=last+month`). Every answer carries an ETag made from
the events it shows, so a calendar app polling an unchanged timeline gets 304, no body, and
costs no rendering. The server
binds to 127.0.0.1 unless told otherwise; it never writes to the store.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, tzinfo
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from timeline.model import Event
from timeline.periods import day_range
from timeline.render.ical import to_ics
from timeline.render.jsonexport import to_json
from timeline.store import Store

log = logging.getLogger("timeline")


class _BadRequest(Exception):
    pass


def filters_of(query: str, today: date) -> dict[str, Any]:
    """Store filters from a URL query string; a bad value is a _BadRequest naming it."""
    params = {key: values[-1] for key, values in parse_qs(query).items()}
    unknown = set(params) - {"from", "to", "source", "query", "upcoming", "limit"}
    if unknown:
        raise _BadRequest(f"unknown parameter {sorted(unknown)[0]!r}")
    try:
        start = day_range(params["from"], today)[0] if "from" in params else None
        end = day_range(params["to"], today)[1] if "to" in params else None
        limit = int(params["limit"]) if "limit" in params else None
    except ValueError as exc:
        raise _BadRequest(str(exc)) from exc
    if limit is not None and limit < 0:  # SQLite reads -1 as no limit, PostgreSQL refuses it
        raise _BadRequest(f"limit must be 0 or more, got {limit}")
    return {
        "start": start,
        "end": end,
        "source": params.get("source"),
        "words": tuple(params.get("query", "").split()),
        "starting_from": today if params.get("upcoming") in ("1", "true", "yes") else None,
        "limit": limit,
    }


def make_handler(store: Store, *, tz: tzinfo, name: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "timeline"

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            render = _RENDERERS.get(parts.path)
            if render is None:
                self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")
                return
            now = datetime.now(UTC)
            try:
                events = store.events(**filters_of(parts.query, now.astimezone(tz).date()))
            except _BadRequest as exc:
                self._send(HTTPStatus.BAD_REQUEST, f"{exc}\n".encode(), "text/plain; charset=utf-8")
                return
            # The ETag names what is shown, not the bytes: the body carries the time it was
            # made (DTSTAMP, "generated"), which changes every second while the timeline
            # does not. Today's date is part of it, since it decides what is "upcoming".
            shown = repr((self.path, now.astimezone(tz).date(), events)).encode()
            etag = '"' + hashlib.sha256(shown).hexdigest()[:32] + '"'
            content_type = _CONTENT_TYPES[parts.path]
            if etag in self.headers.get("If-None-Match", ""):
                self._send(HTTPStatus.NOT_MODIFIED, b"", content_type, etag=etag)
                return
            body = render(events, now=now, tz=tz, name=name)
            self._send(HTTPStatus.OK, body, content_type, etag=etag)

        def _send(
            self, status: HTTPStatus, body: bytes, content_type: str, etag: str | None = None
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Cache-Control", "no-cache")  # revalidate; the ETag makes it cheap
            if etag:
                self.send_header("ETag", etag)
            if status != HTTPStatus.NOT_MODIFIED:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != HTTPStatus.NOT_MODIFIED:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            log.debug("serve: " + format, *args)

    return Handler


def _ics(events: list[Event], *, now: datetime, tz: tzinfo, name: str) -> bytes:
    return to_ics(events, name=name, now=now)


def _json(events: list[Event], *, now: datetime, tz: tzinfo, name: str) -> bytes:
    return to_json(events, now=now).encode()


def _html(events: list[Event], *, now: datetime, tz: tzinfo, name: str) -> bytes:
    from timeline.render.html import to_html

    return to_html(events, now=now, tz=tz, title=name).encode()


_RENDERERS = {"/": _html, "/index.html": _html, "/timeline.ics": _ics, "/timeline.json": _json}
_CONTENT_TYPES = {
    "/": "text/html; charset=utf-8",
    "/index.html": "text/html; charset=utf-8",
    "/timeline.ics": "text/calendar; charset=utf-8",
    "/timeline.json": "application/json",
}


@contextmanager
def serving(
    store: Store,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    tz: tzinfo = UTC,
    name: str = "timeline",
) -> Iterator[ThreadingHTTPServer]:
    """Serve in a background thread until the block ends (the CLI blocks on it)."""
    server = ThreadingHTTPServer((host, port), make_handler(store, tz=tz, name=name))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="serve", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
