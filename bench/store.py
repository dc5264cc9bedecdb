"""Store benchmark: load N events with their mentions and documents, then time the reads.

    .venv/bin/python bench/store.py                      # 1,000,000 events, SQLite
    .venv/bin/python bench/store.py --pg postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/store.py --events 20000       # a quick look

For each database it prints: the bulk insert rate through `Store.load` (mentions/s and
events/s; one import fed chunk by chunk, the time spent generating chunks left out) beside a
plain SQLAlchemy Core executemany of the same mention rows into a bare table (the peer,
measured in the same run, so the ratio survives a noisy machine); the per-document
`save_document` rate (merging included, one transaction per document) on a sample; the
median in-process time of the query behind the first page of `timeline show --from --to`
over one month (`page ms`: each event with its sources, all `show` prints without -v),
and of the same page with every report (`full ms`: what `show -v`, `--json` and the
exports read); and the whole `timeline show` command's median wall time on that month
(start-up included).

The issue's load targets were set where the peer inserted 158,000 rows/s into SQLite and
90,000 into PostgreSQL; as ratios to the peer they are >= 0.32 (SQLite, 50,000/s) and
>= 0.33 (PostgreSQL, 30,000/s), the `ratio` column.

PostgreSQL: --pg names a server database to create a scratch database from (dropped after).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Column, Date, Integer, MetaData, String, Table, Text, create_engine, text
from sqlalchemy.engine import make_url

from timeline.events import join_cues, key_stems, may_join, merge
from timeline.model import Document, Event, Granularity, Interval, Mention, Tense
from timeline.store import Store
from timeline.store.read import EventFilter
from timeline.store.store import normalize_url

FIRST_DAY = date(2016, 1, 1)
DAYS = 3650
MENTIONS_PER_DOCUMENT = 12
CHUNK_EVENTS = 20_000
PAGE = 50
WORDS = (
    "talks ministers summit vote court strike storm election budget treaty ceasefire "
    "council port airline bank rates inquiry protest merger launch verdict"
).split()
PLACES = "Brussels Kyiv Leeds Lagos Lima Oslo Perth Quito Riga Seoul".split()
_SYLLABLES = "ka lo mi ra ten vos dru pel sa tor bin qua ze hol".split()
NAMES = [f"{a.title()}{b}{c}" for a in _SYLLABLES for b in _SYLLABLES for c in ("n", "r", "s")]
NOUNS = [f"{a}{b}ment" for a in _SYLLABLES for b in _SYLLABLES]
VERBS = "opened closed signed rejected announced cancelled approved blocked won lost".split()
# Roughly what news yields: mostly days, some weeks and months, a few longer spans.
MIX = [
    (Granularity.DAY, 80),
    (Granularity.WEEK, 7),
    (Granularity.MONTH, 5),
    (Granularity.PART_OF_DAY, 4),
    (Granularity.YEAR, 2),
    (Granularity.QUARTER, 1),
    (Granularity.TIME, 1),
]


def interval_of(granularity: Granularity, day: date) -> Interval:
    if granularity is Granularity.WEEK:
        monday = day - timedelta(days=day.weekday())
        return Interval(start=monday, end=monday + timedelta(days=7))
    if granularity is Granularity.MONTH:
        first = day.replace(day=1)
        return Interval(start=first, end=(first + timedelta(days=32)).replace(day=1))
    if granularity is Granularity.QUARTER:
        first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Interval(start=first, end=(first + timedelta(days=95)).replace(day=1))
    if granularity is Granularity.YEAR:
        return Interval(start=date(day.year, 1, 1), end=date(day.year + 1, 1, 1))
    at = datetime(day.year, day.month, day.day, 14, 30, tzinfo=UTC)
    return Interval(
        start=day,
        end=day + timedelta(days=1),
        at=at if granularity is Granularity.TIME else None,
    )


@dataclass
class _Filling:
    url: str
    left: int


def generate(count: int, seed: int = 7) -> Iterator[tuple[list[Document], list[Event]]]:
    """Chunks of (documents, events); each event has 1-3 mentions from different documents."""
    rng = random.Random(seed)
    kinds = [g for g, weight in MIX for _ in range(weight)]
    serial = 0
    for chunk_start in range(0, count, CHUNK_EVENTS):
        docs: dict[str, Document] = {}
        grouped: list[Event] = []
        # Documents being filled, each with the mention slots it has left; an event's
        # reports come from different documents.
        filling: list[_Filling] = []
        for number in range(chunk_start, min(count, chunk_start + CHUNK_EVENTS)):
            day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
            granularity = rng.choice(kinds)
            interval = interval_of(granularity, day)
            # Varied like news: who did what where; few sentences of one day share words.
            sentence = (
                f"{rng.choice(NAMES)} {rng.choice(VERBS)} the {rng.choice(WORDS)} "
                f"{rng.choice(NOUNS)} in {rng.choice(PLACES)} ({number})."
            )
            stems = key_stems(sentence)  # as find_mentions gives every stored mention
            cues = join_cues(sentence)
            reported: list[Mention] = []
            for slot in range(rng.choice((1, 2, 2, 3))):
                while len(filling) <= slot:
                    serial += 1
                    url = f"https://news{serial % 50}.example/story/{serial}"
                    published = datetime.combine(
                        day + timedelta(days=1), datetime.min.time(), tzinfo=UTC
                    )
                    docs[url] = Document(
                        source=f"outlet-{serial % 50}",
                        url=url,
                        canonical_url=url,
                        title=f"Story {serial}",
                        text=sentence,
                        published=published,
                        published_from="json-ld",
                        fetched=published,
                    )
                    filling.append(_Filling(url=url, left=MENTIONS_PER_DOCUMENT))
                url = filling[slot].url
                filling[slot].left -= 1
                if filling[slot].left == 0:
                    filling.pop(slot)
                reported.append(
                    Mention(
                        sentence=sentence,
                        quote="on Friday",
                        quote_start=0,
                        quote_end=9,
                        value=interval.start.isoformat(),
                        granularity=granularity,
                        interval=interval,
                        tense=Tense.PAST,
                        source=docs[url].source,
                        url=url,
                        published=docs[url].published,
                        stems=stems,
                        cues=cues,
                    )
                )
            grouped.append(
                Event(
                    key=f"bench-{number}",
                    value=interval.start.isoformat(),
                    granularity=granularity,
                    interval=interval,
                    title=sentence,
                    mentions=tuple(reported),
                )
            )
        yield list(docs.values()), grouped


def bench_load(store: Store, count: int) -> tuple[float, int, int]:
    """Seconds spent loading (generating the rows not included), mentions, events."""
    generating = 0.0
    mention_count = event_count = 0

    def batches() -> Iterator[tuple[list[Document], list[Event]]]:
        nonlocal generating, mention_count, event_count
        chunks = generate(count)
        while True:
            began = time.perf_counter()
            chunk = next(chunks, None)
            generating += time.perf_counter() - began
            if chunk is None:
                return
            event_count += len(chunk[1])
            mention_count += sum(len(e.mentions) for e in chunk[1])
            yield chunk

    began = time.perf_counter()
    store.load(batches())  # one transaction, fed chunk by chunk
    seconds = time.perf_counter() - began - generating
    return seconds, mention_count, event_count


def bench_peer(url: str, rows: int) -> float:
    """Plain Core executemany of mention-shaped rows into a bare table: rows per second."""
    engine = create_engine(normalize_url(url))
    meta = MetaData()
    table = Table(
        "peer_rows",
        meta,
        Column("id", Integer, primary_key=True),
        Column("event_id", Integer),
        Column("sentence", Text),
        Column("value", String(64)),
        Column("start", Date),
        Column("end", Date),
    )
    meta.create_all(engine)
    payload = [
        {
            "event_id": i,
            "sentence": f"The talks in Oslo drew {i} people, officials said.",
            "value": "2025-03-07",
            "start": date(2025, 3, 7),
            "end": date(2025, 3, 8),
        }
        for i in range(rows)
    ]
    began = time.perf_counter()
    for offset in range(0, rows, 50_000):
        with engine.begin() as connection:
            connection.execute(table.insert(), payload[offset : offset + 50_000])
    seconds = time.perf_counter() - began
    meta.drop_all(engine)
    engine.dispose()
    return rows / seconds


def bench_saves(store: Store, documents: int) -> float:
    """Documents per second through save_document (merge and one transaction each)."""
    (docs, grouped), *_ = generate(documents * 3, seed=99)
    by_url: dict[str, list[Mention]] = {}
    for event in grouped:
        for m in event.mentions:
            by_url.setdefault(m.url, []).append(m)
    run = uuid.uuid4().hex[:6]  # new documents on every run, even against one store
    sample = [
        (replace(d, canonical_url=f"{d.url}#save-{run}"), by_url[d.url]) for d in docs[:documents]
    ]
    began = time.perf_counter()
    for doc, found in sample:
        moved = [_with_url(m, doc.canonical_url) for m in found]
        store.save_document(doc, moved, merge, may_join)
    return len(sample) / (time.perf_counter() - began)


def _with_url(mention: Mention, url: str) -> Mention:
    return replace(mention, url=url)


def bench_query(store: Store, rounds: int = 200, *, reports: bool = False) -> float:
    """Median ms of the first page of one month, over months spread through the data; as
    `timeline show` reads it (only who reported each event), or with every report."""
    rng = random.Random(3)
    times = []
    for _ in range(rounds):
        first = date(2016 + rng.randrange(10), rng.randrange(1, 13), 1)
        after = (first + timedelta(days=32)).replace(day=1)
        wanted = EventFilter(start=first, end=after, limit=PAGE, reports=reports)
        began = time.perf_counter()
        store.read(wanted)
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def bench_command(
    url: str, first: str = "2021-06", last: str = "2021-06", rounds: int = 5
) -> float:
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "timeline",
                "show",
                "--db",
                url,
                "--from",
                first,
                "--to",
                last,
                "--limit",
                str(PAGE),
            ],
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


@contextmanager
def scratch_pg(admin: str) -> Iterator[str]:
    admin = normalize_url(admin)
    name = f"timeline_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def run(label: str, url: str, count: int, saves: int) -> dict[str, float]:
    with Store.open(url) as store:
        seconds, mention_count, event_count = bench_load(store, count)
        store.analyze()  # as after any bulk import: the planner needs the new sizes
        peer = bench_peer(url, min(mention_count, 400_000))
        save_rate = bench_saves(store, saves)
        query_ms = bench_query(store)
        full_ms = bench_query(store, reports=True)
    command_ms = bench_command(url)
    return {
        "label": label,  # type: ignore[dict-item]
        "events": event_count,
        "mentions": mention_count,
        "mentions_per_s": mention_count / seconds,
        "events_per_s": event_count / seconds,
        "peer_rows_per_s": peer,
        "ratio": (mention_count / seconds) / peer,
        "saves_per_s": save_rate,
        "query_ms": query_ms,
        "full_ms": full_ms,
        "command_ms": command_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--saves", type=int, default=500, help="documents saved one by one")
    parser.add_argument("--pg", default=None, metavar="URL", help="PostgreSQL admin URL")
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        rows.append(
            run("sqlite", f"sqlite:///{Path(folder) / 'bench.db'}", args.events, args.saves)
        )
    if args.pg:
        with scratch_pg(args.pg) as url:
            rows.append(run("postgresql", url, args.events, args.saves))

    print(
        f"{'db':<11}{'events':>10}{'mentions':>10}{'mentions/s':>12}{'events/s':>10}"
        f"{'peer rows/s':>13}{'ratio':>7}{'saves/s':>9}{'page ms':>9}{'full ms':>9}{'show ms':>9}"
    )
    for r in rows:
        print(
            f"{r['label']:<11}{r['events']:>10,.0f}{r['mentions']:>10,.0f}"
            f"{r['mentions_per_s']:>12,.0f}{r['events_per_s']:>10,.0f}"
            f"{r['peer_rows_per_s']:>13,.0f}{r['ratio']:>7.2f}{r['saves_per_s']:>9,.0f}"
            f"{r['query_ms']:>9.2f}{r['full_ms']:>9.2f}{r['command_ms']:>9.0f}"
        )


if __name__ == "__main__":
    main()
