"""Feeds per second: feedparser against `timeline.feeds.parse_feed` on generated 50-item feeds.

Each row parses the same generated body again and again for about `--seconds` and reports
feeds per second and microseconds per feed. "feedparser" is feedparser reading the body into
the same `Entry` objects (the path `parse_feed` takes for broken feeds); "parse_feed" is
what the pipeline calls. The broken RSS (an unescaped `&` in every item) shows what an
ill-formed feed costs, since it goes through feedparser's tolerant parser.

    .venv/bin/python bench/feeds.py [--items 50] [--seconds 1.0]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timeline.feeds import _feedparser_entries, parse_feed  # noqa: E402

URL = "https://bench.example/feed"
START = datetime(2025, 3, 7, 8, 0, tzinfo=UTC)


def rss(items: int, *, broken: bool = False) -> bytes:
    amp = "&" if broken else "&amp;"
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Bench Gazette</title>'
        "<link>https://bench.example/</link><description>Generated</description>"
    ]
    for i in range(items):
        published = format_datetime(START - timedelta(hours=i))
        parts.append(
            f"<item><title>Council votes on harbour plan {i} {amp} budget</title>"
            f"<link>https://bench.example/news/{i}</link>"
            f'<guid isPermaLink="false">bench-{i}</guid><pubDate>{published}</pubDate>'
            f"<dc:creator>Desk {i}</dc:creator>"
            f"<description><![CDATA[<p>The council met on Monday to discuss item {i}.</p>"
            f"<p>A decision is expected <b>next week</b>.</p>]]></description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def atom(items: int) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
        'xml:base="https://bench.example/"><title>Bench Blog</title><id>tag:bench,2025:feed</id>'
        "<updated>2025-03-07T08:00:00Z</updated>"
    ]
    for i in range(items):
        stamp = (START - timedelta(hours=i)).isoformat()
        parts.append(
            f"<entry><title>Garden note {i}</title><id>tag:bench,2025:{i}</id>"
            f'<link rel="alternate" type="text/html" href="posts/{i}"/>'
            f"<published>{stamp}</published><updated>{stamp}</updated>"
            f'<summary type="html">&lt;p&gt;Planting day {i} is on Saturday.&lt;/p&gt;'
            f"&lt;p&gt;Bring gloves.&lt;/p&gt;</summary></entry>"
        )
    parts.append("</feed>")
    return "".join(parts).encode()


def rate(parse: Callable[[], object], seconds: float) -> float:
    """Feeds per second, over at least `seconds` (and at least three runs)."""
    parse()  # warm up: imports, caches
    runs = 0
    start = time.perf_counter()
    elapsed = 0.0
    while elapsed < seconds or runs < 3:
        parse()
        runs += 1
        elapsed = time.perf_counter() - start
    return runs / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=50, help="items per feed")
    parser.add_argument("--seconds", type=float, default=1.0, help="time per row")
    args = parser.parse_args(argv)

    bodies = {
        "RSS 2.0": rss(args.items),
        "Atom": atom(args.items),
        "RSS 2.0, broken": rss(args.items, broken=True),
    }
    print(f"{args.items} items per feed; feeds/second (µs per feed)")
    print(f"{'feed':<18} {'feedparser':>18} {'parse_feed':>18} {'speed-up':>9}")
    for name, body in bodies.items():
        fast_count = len(parse_feed(body, url=URL, source="bench"))
        slow_count = len(_feedparser_entries(body, url=URL, source="bench", content_type=""))
        if fast_count != slow_count:
            print(f"{name}: parse_feed gave {fast_count} entries, feedparser {slow_count}")
            return 1
        slow = rate(
            partial(_feedparser_entries, body, url=URL, source="bench", content_type=""),
            args.seconds,
        )
        fast = rate(partial(parse_feed, body, url=URL, source="bench"), args.seconds)
        print(
            f"{name:<18} {slow:>9.0f} ({1e6 / slow:>6.0f})"
            f" {fast:>9.0f} ({1e6 / fast:>6.0f}) {fast / slow:>8.1f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
