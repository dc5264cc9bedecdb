"""`timeline demo`: the whole pipeline, offline, on a bundled sample news site.

Serves `timeline/demo_site/` (three outlets' feeds and article pages, among them the seed
article) from a real HTTP server on 127.0.0.1, runs one scheduled cycle over the three feeds
into the configured database, and hands back what the cycle did.

The site is written with the placeholder origin `http://DEMO_HOST`. In feeds it becomes the
server's real address, so the fetcher can follow the links; in pages (canonical URL,
og:url) it becomes the stable public origin `https://news.example`, so a second demo run on
another port recognises the same articles instead of storing them again.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from timeline.config import Config
from timeline.model import Schedule, Source, SourceKind, SourceOutcome
from timeline.schedule import run_once
from timeline.store import Store

SITE = Path(__file__).parent / "demo_site"
PLACEHOLDER = "http://DEMO_HOST"
PUBLIC_ORIGIN = "https://news.example"

OUTLETS = (
    ("independent", "independent/feed.xml"),
    ("northern-courier", "courier/feed.xml"),
    ("meridian-wire", "wire/feed.xml"),
)


class _SiteHandler(SimpleHTTPRequestHandler):
    """Static files, with the placeholder origin rewritten and no request logging."""

    origin = ""

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.suffix not in (".xml", ".html") or not path.is_file():
            return super().send_head()
        target = self.origin if path.suffix == ".xml" else PUBLIC_ORIGIN
        body = path.read_bytes().replace(PLACEHOLDER.encode(), target.encode())
        self.send_response(200)
        kind = "application/rss+xml" if path.suffix == ".xml" else "text/html"
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_site(root: Path = SITE) -> Iterator[str]:
    """Serve `root` on 127.0.0.1 (a free port) and yield the base URL."""

    class Handler(_SiteHandler):  # a class per server: `origin` is this server's address
        pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
    Handler.origin = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="demo-site", daemon=True)
    thread.start()
    try:
        yield Handler.origin
    finally:
        server.shutdown()
        server.server_close()


def demo_config(config: Config, base_url: str) -> Config:
    """The user's storage settings with the demo's sources, fetched from loopback."""
    sources = tuple(
        Source(
            name=name,
            url=f"{base_url}/{path}",
            kind=SourceKind.FEED,
            timezone="Europe/London",
            schedule=Schedule(interval_s=3600),
        )
        for name, path in OUTLETS
    )
    # Our own server on loopback: no need to wait between requests.
    fetch = replace(config.fetch, allow_loopback=True, host_delay_s=0.0)
    return replace(config, sources=sources, fetch=fetch)


def run_demo(config: Config, store: Store) -> list[SourceOutcome]:
    with serve_site() as base_url:
        return run_once(demo_config(config, base_url), store)
