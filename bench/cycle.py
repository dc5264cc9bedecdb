"""A whole fetch cycle over many feeds on loopback, against a plain httpx loop (issue 4).

    .venv/bin/python bench/cycle.py [--feeds 1000] [--items 50] [--hosts 50] [--concurrency 50]

A feed server (a separate process: asyncio, HTTP/1.1 keep-alive, ETag and 304) serves
`--feeds` RSS feeds of `--items` entries each, spread over `--hosts` loopback ports, as feeds
are spread over many sites. Each story is reported by five feeds in their own words: a
sentence of what happened and one of what comes next, both dated. Stories draw their words
from pools about as varied as a day's news (18 verbs, 12 kinds of thing, 400 subjects, 200
places, 16 first names), so unrelated stories share reporting phrases and the odd word, as
real ones do; until 2026-11-25 every story was one template with a dozen acts and places,
which made every report look like every other of its day. Three rows, each in its own
process so peak memory is its own:

- plain loop: one httpx.AsyncClient, `--concurrency` requests in flight, every body parsed
  with `timeline.feeds.parse_feed`, nothing stored: the peer.
- timeline, first cycle: `timeline.schedule.run_once` over all feeds into an empty SQLite
  store (fetch, parse, tag, merge, store; feeds carry their text, so no article pages).
- timeline, conditional cycle: the same again; every feed answers 304 Not Modified. Run three
  times; the table gives the median, the line under it the range.

It prints wall time, sources/second, peak memory (max RSS), the ratio to the plain loop, and
the CPU time of the plain loop and of the first cycle (all threads of the row's process): on a
shared machine it moves less than wall time does when comparing two versions.
Targets: first cycle within 2x the plain loop, conditional cycle >= 1,000 sources/s, peak
memory under 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

START = datetime(2025, 3, 7, 8, 0, tzinfo=UTC)
# A conditional cycle takes about a second: one sample on a shared machine is noise, so the
# table gives the median of three (and their range).
CONDITIONAL_CYCLES = 3
OUTLETS_PER_STORY = 5  # each story is reported by five feeds, in their own words
# Stories draw their words from pools about as varied as a day's news: unrelated stories
# share the odd verb, place or first name (and the reporting phrases), not their subject.
SYLLABLES = "ka lo mi ren sa tor vi bel dan fa gu han jo kes mar nor pe ros ul zen".split()
FIRST = "Anna Carlos Erik Greta Ivan Karin Marta Omar Paula Rui Sven Tomas Ulla Vera Yusuf Zoe"
VERBS = (
    "approved rejected delayed announced cancelled blocked defended unveiled scrapped "
    "signed challenged postponed backed criticised launched suspended expanded reviewed"
).split()
THINGS = "plan deal budget law strike bridge contract tax scheme inquiry merger reform".split()
WHEN = ["on Monday", "last week", "yesterday", "earlier this month", "on Thursday night"]
NEXT = ["next week", "on Friday", "in two weeks", "by the end of the month", "in March"]
WORDING = [
    "{who} {verb} the {topic} {thing} in {place} {when}, officials said.",
    "Officials said {who} {verb} the {topic} {thing} {when} in {place}.",
    "In {place}, {who} {verb} the {topic} {thing} {when}, according to local reports.",
    "{who} {verb} the {topic} {thing} in {place} {when}, the agency reported.",
    "Reports from {place} say {who} {verb} the {topic} {thing} {when}.",
]
FOLLOW_UP = [
    "{surname} is expected to speak about the {topic} {thing} {then}.",
    "A vote on the {topic} {thing} is due {then}.",
    "{surname} will face questions over the {topic} {thing} {then}.",
    "Talks on the {topic} {thing} resume in {place} {then}.",
    "The {topic} {thing} goes before the council {then}.",
]


def _word(number: int, syllables: int) -> str:
    n = len(SYLLABLES)
    return "".join(SYLLABLES[number // n**k % n] for k in range(syllables))


def story(number: int, outlet: int) -> tuple[str, str]:
    """A title and two sentences about story `number`, worded as outlet `outlet` would."""
    surname = _word(number, 3).capitalize()  # one of its own for 8,000 stories
    first = FIRST.split()
    who = f"{first[(number * 7 + number // 20) % len(first)]} {surname}"
    fields = {
        "who": who,
        "surname": surname,
        "verb": VERBS[number % len(VERBS)],
        "topic": _word(number * 13 % 400 + 20, 2).capitalize() + "ian",  # 400 subjects
        "thing": THINGS[number // 7 % len(THINGS)],
        "place": _word(number * 31 % 200 + 400, 2).capitalize() + "burg",  # 200 places
        "when": WHEN[number % len(WHEN)],
        "then": NEXT[number // 5 % len(NEXT)],
    }
    text = WORDING[outlet % len(WORDING)].format(**fields)
    follow_up = FOLLOW_UP[number // 3 % len(FOLLOW_UP)].format(**fields)
    return f"{who} {fields['verb']} the {fields['topic']} {fields['thing']}", f"{text} {follow_up}"


def rss(feed: int, items: int) -> bytes:
    """A feed of `items` entries, each a title and two sentences, most with dates. Feeds
    come in groups of OUTLETS_PER_STORY that report the same stories in their own words."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>Gazette {feed}</title><link>https://gazette{feed}.example/</link>"
        "<description>Generated</description>"
    ]
    for i in range(items):
        number = feed // OUTLETS_PER_STORY * items + i
        title, text = story(number, feed)
        published = format_datetime(START - timedelta(minutes=37 * i + feed % 60))
        parts.append(
            f"<item><title>{title}</title>"
            f"<link>https://gazette{feed}.example/news/{number}</link>"
            f"<guid isPermaLink='false'>gazette{feed}-{number}</guid>"
            f"<pubDate>{published}</pubDate>"
            f"<description><![CDATA[<p>{text}</p>]]></description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


# -- the feed server -----------------------------------------------------------------------


def serve(feeds: int, items: int, hosts: int) -> None:
    """Run the feed server; print its ports as one JSON line, then serve until killed."""
    bodies = {f"/feed/{i}".encode(): rss(i, items) for i in range(feeds)}
    etag = b'"v1"'

    class Feeds(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            assert isinstance(transport, asyncio.Transport)
            self.transport = transport
            self.buffer = b""

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while b"\r\n\r\n" in self.buffer:
                head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
                lines = head.split(b"\r\n")
                body = bodies.get(lines[0].split(b" ")[1])
                conditional = any(
                    line.lower().startswith(b"if-none-match:") and line[14:].strip() == etag
                    for line in lines[1:]
                )
                if body is None:
                    self.transport.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                elif conditional:
                    self.transport.write(
                        b"HTTP/1.1 304 Not Modified\r\nETag: " + etag + b"\r\n\r\n"
                    )
                else:
                    self.transport.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: "
                        + etag
                        + f"\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                        + body
                    )

    async def main() -> None:
        loop = asyncio.get_running_loop()
        servers = [
            await loop.create_server(Feeds, "127.0.0.1", 0, backlog=1024) for _ in range(hosts)
        ]
        ports = [server.sockets[0].getsockname()[1] for server in servers]
        print(json.dumps(ports), flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


def urls(ports: list[int], feeds: int) -> list[str]:
    return [f"http://127.0.0.1:{ports[i % len(ports)]}/feed/{i}" for i in range(feeds)]


# -- the rows, each run in its own process -------------------------------------------------


def plain_loop(feed_urls: list[str], concurrency: int) -> dict[str, float]:
    import httpx

    from timeline.feeds import parse_feed

    async def main() -> int:
        gate = asyncio.Semaphore(concurrency)
        entries = 0
        async with httpx.AsyncClient() as client:

            async def one(url: str) -> None:
                nonlocal entries
                async with gate:
                    response = await client.get(url)
                entries += len(parse_feed(response.content, url=url, source=url))

            await asyncio.gather(*(one(url) for url in feed_urls))
        return entries

    started, cpu = time.perf_counter(), time.process_time()
    entries = asyncio.run(main())
    return {
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "entries": entries,
    }


def timeline_cycles(feed_urls: list[str], concurrency: int) -> dict[str, float]:
    from timeline.config import Config, FetchSettings
    from timeline.model import Source, Status
    from timeline.schedule import run_once
    from timeline.store import Store

    sources = tuple(
        Source(name=f"feed-{i}", url=url, fetch_articles=False) for i, url in enumerate(feed_urls)
    )
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        config = Config(
            db_url=f"sqlite:///{scratch}/bench.db",
            fetch=FetchSettings(allow_loopback=True, concurrency=concurrency, host_delay_s=0.0),
            sources=sources,
        )
        with Store.open(config.db_url) as store:
            conditional = []
            for cycle in ("first", *["conditional"] * CONDITIONAL_CYCLES):
                started, cpu = time.perf_counter(), time.process_time()
                outcomes = run_once(config, store)
                seconds = time.perf_counter() - started
                failed = [o for o in outcomes if o.status is Status.FAILED]
                if failed:
                    raise SystemExit(f"{len(failed)} sources failed, e.g. {failed[0].errors}")
                if cycle == "first":
                    figures["first"] = seconds
                    figures["first_cpu"] = time.process_time() - cpu
                else:
                    conditional.append(seconds)
                figures[f"{cycle}_new"] = sum(o.documents_new for o in outcomes)
            figures["conditional"] = statistics.median(conditional)
            figures["conditional_min"] = min(conditional)
            figures["conditional_max"] = max(conditional)
            figures["documents"] = store.counts()["documents"]
    return figures


def _row(kind: str, feed_urls: list[str], concurrency: int) -> None:
    figures = (plain_loop if kind == "plain" else timeline_cycles)(feed_urls, concurrency)
    figures["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def _run_row(kind: str, feed_urls: list[str], concurrency: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--row", kind, "--concurrency", str(concurrency)],
        input=json.dumps(feed_urls),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{kind} row failed:\n{done.stderr[-3000:]}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--row", choices=["plain", "timeline"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.feeds, args.items, args.hosts)
        return
    if args.row:
        _row(args.row, json.loads(sys.stdin.read()), args.concurrency)
        return

    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--feeds", str(args.feeds), "--items",
         str(args.items), "--hosts", str(args.hosts)],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        feed_urls = urls(json.loads(server.stdout.readline()), args.feeds)
        plain = _run_row("plain", feed_urls, args.concurrency)
        ours = _run_row("timeline", feed_urls, args.concurrency)
    finally:
        server.kill()

    n = args.feeds
    print(
        f"{n} feeds x {args.items} entries on {args.hosts} loopback hosts, "
        f"concurrency {args.concurrency}, {os.cpu_count()} cores"
    )
    print(f"{'row':<30}{'wall s':>9}{'sources/s':>11}{'x plain':>9}{'peak MB':>9}{'cpu s':>9}")
    rows = [
        ("plain httpx loop (parse only)", plain["seconds"], plain["max_rss_mb"], plain["cpu"]),
        ("timeline, first cycle", ours["first"], ours["max_rss_mb"], ours["first_cpu"]),
        ("timeline, conditional cycle", ours["conditional"], ours["max_rss_mb"], None),
    ]
    for name, seconds, peak, cpu in rows:
        ratio = seconds / plain["seconds"]
        print(
            f"{name:<30}{seconds:>9.2f}{n / seconds:>11,.0f}{ratio:>9.2f}{peak:>9.0f}"
            + ("" if cpu is None else f"{cpu:>9.2f}")
        )
    print(
        f"conditional cycle: median of {CONDITIONAL_CYCLES}, from "
        f"{n / ours['conditional_max']:,.0f} to {n / ours['conditional_min']:,.0f} sources/s"
    )
    print(
        f"entries parsed by the plain loop: {plain['entries']:,.0f}; documents stored: "
        f"{ours['documents']:,.0f} (new in the conditional cycle: {ours['conditional_new']:,.0f})"
    )


if __name__ == "__main__":
    main()
