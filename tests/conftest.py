"""Shared fixtures: the database (SQLite file and real PostgreSQL) and a loopback web server.

PostgreSQL: set TIMELINE_TEST_PG_URL (CI sets it). Without it the PostgreSQL half of the
storage tests is skipped with the reason shown; in CI (CI=true) a missing or unreachable
server fails the run instead, so the suite can never go green without it.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from timeline.store import Store
from timeline.store.store import normalize_url

TESTS = Path(__file__).parent
PG_ENV = "TIMELINE_TEST_PG_URL"


def _pg_admin_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        reason = f"{PG_ENV} is not set: PostgreSQL storage tests skipped"
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI must run them)")
        pytest.skip(reason)
    return normalize_url(url)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    admin_url = _pg_admin_url()
    name = f"timeline_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        reason = f"PostgreSQL at {admin_url} is not reachable: {exc}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test against a SQLite file and against a real PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'timeline.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store.open(db_url) as opened:
        yield opened


# -- a real web server on 127.0.0.1 ---------------------------------------------------------

Route = Callable[[SimpleHTTPRequestHandler], None]


class _Handler(SimpleHTTPRequestHandler):
    routes: ClassVar[dict[str, Route]] = {}
    hits: ClassVar[Counter[str]] = Counter()
    hits_lock: ClassVar[threading.Lock] = threading.Lock()

    def do_GET(self) -> None:
        with self.hits_lock:
            self.hits[self.path.split("?")[0]] += 1
        route = self.routes.get(self.path.split("?")[0])
        if route is not None:
            route(self)
        else:
            super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


class Site:
    """Serves a folder of tests/ plus programmable routes: faults, headers, slow answers."""

    def __init__(self, root: Path) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()  # requests per path, as the server saw them
        handler = type(
            "Handler",
            (_Handler,),
            {"routes": self.routes, "hits": self.hits, "hits_lock": threading.Lock()},
        )
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def add(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str,
        status: int = 200,
        etag: str | None = None,
    ) -> None:
        """Serve `body` at `path`; with `etag`, answer 304 to a matching If-None-Match."""

        def route(handler: SimpleHTTPRequestHandler) -> None:
            if etag is not None and handler.headers.get("If-None-Match") == etag:
                handler.send_response(304)
                handler.send_header("ETag", etag)
                handler.end_headers()
                return
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            if etag is not None:
                handler.send_header("ETag", etag)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

        self.routes[path] = route

    def add_redirect(self, path: str, location: str, *, status: int = 302) -> None:
        """Answer `path` with a redirect to `location`."""

        def route(handler: SimpleHTTPRequestHandler) -> None:
            handler.send_response(status)
            handler.send_header("Location", location)
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        self.routes[path] = route

    def add_hang(self, path: str, seconds: float) -> None:
        """Accept the request, then say nothing for `seconds`."""

        def route(handler: SimpleHTTPRequestHandler) -> None:
            time.sleep(seconds)

        self.routes[path] = route

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    served = Site(TESTS / "site")
    yield served
    served.close()
