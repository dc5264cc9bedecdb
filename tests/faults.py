"""A misbehaving web server on 127.0.0.1, on raw sockets (issue 4, "fault-injecting server").

http.server cannot reset a connection, drip a byte at a time or stream 2 GB it never stores,
so this one writes its answers to the socket by hand. Each fault has a path (`FAULTS` lists
them with what a client should see); `FaultServer.url(path)` gives its URL. Big bodies are
generated while sending and stop when the client hangs up.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
import time
import zlib
from collections.abc import Callable
from email.utils import formatdate
from typing import ClassVar

GIB = 1024**3
CHUNK = 64 * 1024

FEED_ITEM = (
    "<item><title>{title}</title><link>{link}</link>"
    "<pubDate>Tue, 14 Oct 2025 09:30:00 +0000</pubDate></item>"
)

# Ten levels of ten: 10**9 "lol"s if an XML parser expanded it (it must not).
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY lol0 "lol">\n'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">\n' for i in range(1, 10))
    + ']>\n<rss version="2.0"><channel><title>&lol9;</title>'
    + "<item><title>&lol9;</title><link>https://laughs.example/1</link>"
    + "<pubDate>Tue, 14 Oct 2025 09:30:00 +0000</pubDate></item></channel></rss>"
).encode()

# Not well-formed: a bare "&", an unclosed <b>, an unknown entity, the closing tags missing.
INVALID_XML = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Broken & Co'
    b"</title><item><title>First <b>bold story</title>"
    b"<link>https://broken.example/first</link>"
    b"<pubDate>Tue, 14 Oct 2025 09:30:00 +0000</pubDate></item>"
    b"<item><title>Second &nbsp; story</title><link>https://broken.example/second</link>"
    b"<pubDate>Tue, 14 Oct 2025 10:30:00 +0000</pubDate></item>"
)

CYRILLIC_TITLE = "Мост через залив откроют в понедельник"
WINDOWS_1251 = (
    '<?xml version="1.0" encoding="windows-1251"?>\n<rss version="2.0"><channel>'
    "<title>Новости гавани</title>"
    + FEED_ITEM.format(title=CYRILLIC_TITLE, link="https://gavan.example/most")
    + "</channel></rss>"
).encode("windows-1251")

HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>Gazette</title></head>"
    b"<body><h1>Welcome</h1><p>Read our news.</p></body></html>"
)

# path -> (what it does, what a fetch or parse should say)
FAULTS: dict[str, str] = {
    "/status-500": "server error (500)",
    "/rate-limited": "too many requests (429)",
    "/unavailable": "service unavailable (503)",
    "/silent": "timed out",
    "/drip": "timed out: no complete answer within",
    "/reset": "the server reset the connection",
    "/hang-up": "the server closed the connection without answering",
    "/loop/a": "redirect loop",
    "/hop/0": "more than",
    "/to-link-local": "internal address 169.254.169.254",
    "/huge": "announced, more than",
    "/huge-unannounced": "body larger than",
    "/gzip-bomb": "a compression bomb",
    "/billion-laughs": "",
    "/invalid-xml": "",
    "/windows-1251": "",
    "/empty": "feed is empty",
    "/html": "feed is not XML (got text/html)",
}

Reply = Callable[["_Handler"], None]


class _Handler(socketserver.StreamRequestHandler):
    routes: ClassVar[dict[str, Reply]] = {}
    closing: ClassVar[threading.Event]

    def handle(self) -> None:
        request_line = self.rfile.readline(65536).decode("latin-1")
        if not request_line:
            return
        while self.rfile.readline(65536) not in (b"\r\n", b"\n", b""):
            pass  # headers: no fault depends on them
        path = request_line.split(" ")[1] if " " in request_line else "/"
        route = self.routes.get(path.split("?")[0])
        try:
            if route is None:
                self.answer(404, b"no such fault", content_type="text/plain")
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            pass  # the client gave up on us, as it should

    def head(self, status: int, headers: dict[str, str]) -> None:
        lines = [f"HTTP/1.1 {status} Fault\r\n"]
        lines += [f"{name}: {value}\r\n" for name, value in headers.items()]
        self.wfile.write(("".join(lines) + "\r\n").encode("latin-1"))
        self.wfile.flush()

    def answer(
        self, status: int, body: bytes, *, content_type: str, extra: dict[str, str] | None = None
    ) -> None:
        headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
        headers["Connection"] = "close"
        self.head(status, headers | (extra or {}))
        self.wfile.write(body)

    def wait(self, seconds: float) -> None:
        """Sleep, but wake when the server shuts down."""
        self.closing.wait(seconds)


def _status(status: int, extra: dict[str, str] | None = None) -> Reply:
    return lambda h: h.answer(status, b"fault", content_type="text/plain", extra=extra)


def _unavailable(h: _Handler) -> None:
    now = time.time()
    h.answer(
        503,
        b"down for maintenance",
        content_type="text/plain",
        extra={"Date": formatdate(now, usegmt=True), "Retry-After": formatdate(now + 30, True)},
    )


def _silent(h: _Handler) -> None:
    h.wait(60)  # accepted, request read, not a byte back


def _drip(h: _Handler) -> None:
    h.head(200, {"Content-Type": "application/rss+xml", "Content-Length": "100000"})
    while not h.closing.is_set():
        h.wfile.write(b" ")  # a byte every 50 ms: never idle long enough for a read timeout
        h.wfile.flush()
        h.wait(0.05)


def _reset(h: _Handler) -> None:
    # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.connection.close()


def _hang_up(h: _Handler) -> None:
    h.connection.shutdown(socket.SHUT_RDWR)


def _redirect(location: str) -> Reply:
    return lambda h: h.answer(302, b"", content_type="text/plain", extra={"Location": location})


def _zeros(h: _Handler, total: int) -> None:
    block = bytes(CHUNK)
    sent = 0
    while sent < total and not h.closing.is_set():
        h.wfile.write(block)
        sent += CHUNK


def _huge(h: _Handler) -> None:
    h.head(200, {"Content-Type": "application/rss+xml", "Content-Length": str(2 * GIB)})
    _zeros(h, 2 * GIB)


def _huge_unannounced(h: _Handler) -> None:
    h.head(200, {"Content-Type": "application/rss+xml", "Connection": "close"})
    _zeros(h, 2 * GIB)


def _gzip_bomb(h: _Handler) -> None:
    """1 GiB of zeros, gzipped while sending (about 1 MB on the wire)."""
    h.head(
        200,
        {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip", "Connection": "close"},
    )
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(1024 * 1024)
    for _ in range(1024):
        if h.closing.is_set():
            return
        data = compressor.compress(block)
        if data:
            h.wfile.write(data)
    h.wfile.write(compressor.flush())


def _body(body: bytes, content_type: str) -> Reply:
    return lambda h: h.answer(200, body, content_type=content_type)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


class FaultServer:
    """Serves every fault in `FAULTS`, plus whatever `add` puts beside them."""

    def __init__(self) -> None:
        self.closing = threading.Event()
        self.routes: dict[str, Reply] = {
            "/status-500": _status(500),
            "/rate-limited": _status(429, {"Retry-After": "120"}),
            "/unavailable": _unavailable,
            "/silent": _silent,
            "/drip": _drip,
            "/reset": _reset,
            "/hang-up": _hang_up,
            "/loop/a": _redirect("/loop/b"),
            "/loop/b": _redirect("/loop/c"),
            "/loop/c": _redirect("/loop/a"),
            "/to-link-local": _redirect("http://169.254.169.254/latest/meta-data/"),
            "/huge": _huge,
            "/huge-unannounced": _huge_unannounced,
            "/gzip-bomb": _gzip_bomb,
            "/billion-laughs": _body(BILLION_LAUGHS, "application/rss+xml"),
            "/invalid-xml": _body(INVALID_XML, "application/rss+xml"),
            "/windows-1251": _body(WINDOWS_1251, "application/rss+xml"),
            "/empty": _body(b"", "application/rss+xml"),
            "/html": _body(HTML_PAGE, "text/html; charset=utf-8"),
        }
        for hop in range(20):
            self.routes[f"/hop/{hop}"] = _redirect(f"/hop/{hop + 1}")
        handler = type("Handler", (_Handler,), {"routes": self.routes, "closing": self.closing})
        self.server = _Server(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: bytes, *, content_type: str) -> None:
        self.routes[path] = _body(body, content_type)

    def close(self) -> None:
        self.closing.set()
        self.server.shutdown()
        self.server.server_close()
