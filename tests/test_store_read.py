"""The light read path (driver only, no SQLAlchemy) answers exactly as the Store does."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from timeline.cli import main
from timeline.events import merge
from timeline.model import Document, Event, Granularity, Interval, Mention, Tense
from timeline.render.terminal import render_terminal
from timeline.store import SCHEMA_REVISION, Store, read
from timeline.store.read import EventFilter, open_reader

from .test_store import BRIDGE, FRIDAY, THURSDAY, document, mention

FILTERS = [
    EventFilter(),
    EventFilter(start=date(2025, 3, 6), end=date(2025, 3, 7)),
    EventFilter(start=date(2025, 3, 7)),
    EventFilter(end=date(2025, 3, 7), limit=1),
    EventFilter(source="courier"),
    EventFilter(words=("hegseth", "WASHINGTON")),
    EventFilter(words=("100%",)),
    EventFilter(starting_from=date(2025, 3, 10)),
]


@pytest.mark.parametrize("wanted", FILTERS)
def test_reader_and_store_agree(db_url: str, wanted: EventFilter) -> None:
    with Store.open(db_url) as store:
        for index, (url, sentence) in enumerate(BRIDGE):
            doc = document(url, text=sentence, published=FRIDAY + timedelta(minutes=index))
            store.save_document(doc, [mention(doc, sentence, THURSDAY)], merge)
        vote = document("https://v.example/1", source="courier")
        store.save_document(
            vote, [mention(vote, "A vote in parliament, 100% sure.", date(2025, 3, 20))], merge
        )
        expected = store.read(wanted)
    reader = open_reader(db_url, SCHEMA_REVISION)
    assert reader is not None
    try:
        assert reader.events(wanted) == expected
    finally:
        reader.close()
    assert expected or wanted.words or wanted.starting_from  # the filters select something


def test_reader_declines_what_it_cannot_read(tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path / 'missing.db'}"
    assert open_reader(missing, SCHEMA_REVISION) is None
    assert not (tmp_path / "missing.db").exists()  # never created by a reader
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    assert open_reader(f"sqlite:///{empty}", SCHEMA_REVISION) is None
    with Store.open(f"sqlite:///{tmp_path / 'old.db'}") as store:
        store.downgrade("0001")
    assert open_reader(f"sqlite:///{tmp_path / 'old.db'}", SCHEMA_REVISION) is None
    assert open_reader("mysql://nobody@localhost/x", SCHEMA_REVISION) is None


NOON = datetime(2025, 3, 7, 12, 0, tzinfo=UTC)


def _report(
    doc: Document,
    granularity: Granularity,
    interval: Interval,
    value: str,
    sentence_start: int = 0,
) -> Mention:
    return Mention(
        sentence=f"{doc.url} reports {value}.",
        quote=value,
        quote_start=0,
        quote_end=len(value),
        value=value,
        granularity=granularity,
        interval=interval,
        tense=Tense.PAST,
        sentence_start=sentence_start,
        source=doc.source,
        url=doc.canonical_url,
        published=doc.published,
    )


def _day(day: date) -> Interval:
    return Interval(start=day, end=day + timedelta(days=1))


def test_a_page_of_a_range_holds_its_events_whole(db_url: str) -> None:
    """The first page of a range comes as an event's row, then its mentions' rows, which
    leave out the interval columns they share with their event: it must hold the same
    events, mentions (ids included) and order as the events read whole, by id."""
    early = document("https://b.example/1", published=NOON - timedelta(hours=1))
    first = document("https://a.example/1", published=NOON)
    second = document("https://a.example/2", published=NOON)  # same time: by URL
    late = document("https://c.example/1", published=NOON + timedelta(hours=1), source="courier")
    year = Interval(start=date(2025, 1, 1), end=date(2026, 1, 1))
    kickoff = Interval(start=THURSDAY, end=FRIDAY.date(), at=NOON - timedelta(days=1))

    def event(key: str, granularity: Granularity, interval: Interval, *found: Mention) -> Event:
        value = found[0].value if found else interval.start.isoformat()
        return Event(
            key=key,
            value=value,
            granularity=granularity,
            interval=interval,
            title=f"Event {key}",
            mentions=found,
        )

    events = [
        # A long event, as merging makes them: reports of its year, and of a day in it.
        event(
            "year",
            Granularity.YEAR,
            year,
            _report(second, Granularity.YEAR, year, "2025"),
            _report(first, Granularity.YEAR, year, "2025", sentence_start=40),
            _report(first, Granularity.YEAR, year, "2025"),
            _report(early, Granularity.DAY, _day(THURSDAY), "2025-03-06"),
            _report(late, Granularity.YEAR, year, "this year"),
        ),
        # The same days as its event's, but no time of day.
        event(
            "kickoff",
            Granularity.TIME,
            kickoff,
            _report(first, Granularity.TIME, kickoff, "2025-03-06T12:00"),
            _report(early, Granularity.DAY, _day(THURSDAY), "2025-03-06"),
        ),
        event(
            "talks-b",
            Granularity.DAY,
            _day(THURSDAY),
            _report(late, Granularity.DAY, _day(THURSDAY), "2025-03-06"),
        ),
        event(
            "talks-a",
            Granularity.DAY,
            _day(THURSDAY),
            _report(second, Granularity.DAY, _day(THURSDAY), "2025-03-06"),
        ),
        event("unreported", Granularity.DAY, _day(date(2025, 3, 7))),
        event(
            "week",
            Granularity.WEEK,
            Interval(start=date(2025, 3, 3), end=date(2025, 3, 10)),
            _report(late, Granularity.DAY, _day(date(2025, 3, 4)), "2025-03-04"),
        ),
        event(
            "before",
            Granularity.DAY,
            _day(date(2025, 2, 27)),
            _report(early, Granularity.DAY, _day(date(2025, 2, 27)), "2025-02-27"),
        ),
    ]
    with Store.open(db_url) as store:
        store.load([([early, first, second, late], events)])
        whole = store.events()
        pages = {}
        for start, end in [(date(2025, 3, 1), date(2025, 4, 1)), (THURSDAY, FRIDAY.date())]:
            within = [e for e in whole if e.interval.start < end and e.interval.end > start]
            for limit in [None, *range(1, len(within) + 1)]:
                wanted = EventFilter(start=start, end=end, limit=limit)
                pages[wanted] = within[:limit], store.read(wanted)
        pages[EventFilter(start=THURSDAY, source="courier")] = (
            [e for e in whole if e.key in ("year", "talks-b", "week")],
            store.read(EventFilter(start=THURSDAY, source="courier")),
        )
    keys = ["year", "before", "week", "kickoff", "talks-a", "talks-b", "unreported"]
    assert [e.key for e in whole] == keys
    assert [m.url for m in whole[0].mentions] == [
        early.url,
        first.url,
        first.url,
        second.url,
        late.url,
    ]
    reader = open_reader(db_url, SCHEMA_REVISION)
    assert reader is not None
    try:
        for wanted, (expected, page) in pages.items():
            assert page == expected, wanted
            assert _mention_ids(page) == _mention_ids(expected), wanted
            assert reader.events(wanted) == expected, wanted
    finally:
        reader.close()


def _mention_ids(events: list[Event]) -> list[list[int | None]]:
    return [[m.id for m in e.mentions] for e in events]


def test_postgresql_reads_get_times_in_utc(pg_url: str) -> None:
    """Read sessions ask for times in UTC, as they are kept, whatever the server's zone:
    then no publish time of a page needs converting (POSTGRESQL_SESSION)."""
    with Store.open(pg_url) as store:
        doc = document("https://a.example/1")
        store.save_document(doc, [mention(doc, "Talks on Thursday.", THURSDAY)], merge)
        with store.engine.connect() as connection:
            database = connection.execute(text("SELECT current_database()")).scalar_one()
            connection.execute(
                text(f"ALTER DATABASE \"{database}\" SET TimeZone = 'Asia/Kathmandu'")
            )
            connection.commit()
        with store._reads.connect() as connection:
            assert connection.execute(text("SHOW TimeZone")).scalar_one() == "UTC"
        (event,) = store.events(start=THURSDAY)
    reader = open_reader(pg_url, SCHEMA_REVISION)
    assert reader is not None
    try:
        assert reader.execute("SHOW TimeZone", []) == [("UTC",)]
        assert reader.events(EventFilter(start=THURSDAY)) == [event]
    finally:
        reader.close()
    (found,) = event.mentions
    assert found.published == FRIDAY
    assert found.published is not None and found.published.tzinfo is UTC


def test_page_rows_become_the_events_the_model_makes() -> None:
    """`_page_events` builds events and mentions without their __init__ (read.py's
    builders): they must equal the model's own, and a publish time in any other zone than
    UTC (or naive, or ISO text as SQLite keeps it) still comes back as UTC."""
    kyiv = timezone(timedelta(hours=2))
    times = [
        FRIDAY,  # as a PostgreSQL session in UTC sends it: taken as it is
        FRIDAY.astimezone(kyiv),
        FRIDAY.replace(tzinfo=None),
        FRIDAY.replace(tzinfo=None).isoformat(sep=" "),
    ]
    day = _day(THURSDAY)
    event_row = (1, None, "2025-03-06", "day", THURSDAY, day.end, None, "k", "Talks", *[None] * 9)
    rows = [event_row]
    for n, published in enumerate(times):
        shared = (None,) * 7  # value, granularity, start, end and at: the event's; key, title
        quoted = ("Talks on Thursday.", n, "on Thursday", 6, 17, "past")
        rows.append((1, 10 + n, *shared, *quoted, "courier", f"https://a.example/{n}", published))
    (event,) = read._page_events(rows, read._Parser())
    expected = [
        Mention(
            sentence="Talks on Thursday.",
            quote="on Thursday",
            quote_start=6,
            quote_end=17,
            value="2025-03-06",
            granularity=Granularity.DAY,
            interval=day,
            tense=Tense.PAST,
            sentence_start=n,
            id=10 + n,
            source="courier",
            url=f"https://a.example/{n}",
            published=FRIDAY,
        )
        for n in range(len(times))
    ]
    assert event == Event(
        key="k",
        value="2025-03-06",
        granularity=Granularity.DAY,
        interval=day,
        title="Talks",
        mentions=tuple(expected),
    )
    assert [m.id for m in event.mentions] == [m.id for m in expected]
    assert all(m.published is not None and m.published.tzinfo is UTC for m in event.mentions)
    assert all(m.stems == () for m in event.mentions)


def test_a_page_without_reports_names_the_same_events_and_sources(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`timeline show` without -v reads only who reported each event (reports=False): the
    page must hold the same events, in the same order, with the same sources, and print the
    same lines, without the mentions."""
    wire = document("https://a.example/1", published=NOON)
    courier = document("https://b.example/1", published=NOON, source="courier")
    herald = document("https://c.example/1", published=NOON, source="herald")
    year = Interval(start=date(2025, 1, 1), end=date(2026, 1, 1))
    events = [
        Event(
            key=f"e{n}",
            value=interval.start.isoformat(),
            granularity=granularity,
            interval=interval,
            title=f"Event {n}",
            mentions=tuple(
                _report(doc, granularity, interval, f"{n}", sentence_start=i)
                for i, doc in enumerate(docs)
            ),
        )
        for n, (granularity, interval, docs) in enumerate(
            [
                (Granularity.YEAR, year, [herald, wire, courier, wire]),
                (Granularity.DAY, _day(THURSDAY), [wire]),
                (Granularity.DAY, _day(THURSDAY), [courier, wire]),
                (Granularity.DAY, _day(date(2025, 3, 8)), [herald]),
                (Granularity.DAY, _day(date(2025, 2, 27)), [courier]),
            ]
        )
    ]
    events.append(replace(events[1], key="unreported", mentions=()))
    now = datetime(2025, 3, 7, tzinfo=UTC)
    with Store.open(db_url) as store:
        store.load([([wire, courier, herald], events)])
        for start, end in [(date(2025, 3, 1), date(2025, 4, 1)), (THURSDAY, FRIDAY.date())]:
            for limit in [None, 1, 2, 3, 10]:
                full = store.read(EventFilter(start=start, end=end, limit=limit))
                brief = store.read(EventFilter(start=start, end=end, limit=limit, reports=False))
                assert [_summary(e) for e in brief] == [_summary(e) for e in full]
                assert render_terminal(brief, now=now, tz=UTC) == render_terminal(
                    full, now=now, tz=UTC
                )
                assert all(e.mentions == () and e.reported_by is not None for e in brief)
        full = store.read(EventFilter(start=date(2025, 1, 1)))
        march = store.read(EventFilter(start=date(2025, 3, 1), end=date(2025, 4, 1)))
    # `timeline show` reads that way without -v, through the light reader, and prints what
    # the events read whole print.
    assert (
        main(["show", "--db", db_url, "--from", "2025-03", "--to", "2025-03", "--tz", "UTC"]) == 0
    )
    assert capsys.readouterr().out == render_terminal(march, now=datetime.now(UTC), tz=UTC) + "\n"
    assert [e.sources for e in full] == [
        ("courier", "herald", "wire"),
        ("courier",),
        ("wire",),
        ("courier", "wire"),
        (),
        ("herald",),
    ]


def _summary(event: Event) -> tuple[object, ...]:
    return event.key, event.value, event.granularity, event.interval, event.title, event.sources
