"""The storage suite: every test runs on a SQLite file and on a real PostgreSQL database."""

from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.factories import stored_events
from timeline.errors import StoreError
from timeline.events import key_stems, may_join, merge
from timeline.model import Document, Event, Granularity, Interval, Mention, Tense
from timeline.store import SaveResult, SourceState, Store, read
from timeline.store.store import _apart

LONDON = ZoneInfo("Europe/London")
FRIDAY = datetime(2025, 3, 7, 8, 0, tzinfo=LONDON)
FETCHED = datetime(2025, 3, 7, 9, 0, tzinfo=UTC)


def document(
    url: str, text: str = "Talks in Washington on Thursday.", **fields: object
) -> Document:
    base = Document(
        source="wire",
        url=url,
        canonical_url=url,
        title="Talks",
        text=text,
        published=FRIDAY,
        published_from="json-ld",
        fetched=FETCHED,
        timezone="Europe/London",
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def mention(doc: Document, sentence: str, on: date, value: str | None = None) -> Mention:
    return Mention(
        sentence=sentence,
        quote="Thursday",
        quote_start=0,
        quote_end=8,
        value=value or on.isoformat(),
        granularity=Granularity.DAY,
        interval=Interval(start=on, end=on + timedelta(days=1)),
        tense=Tense.PAST,
        source=doc.source,
        url=doc.canonical_url,
        published=doc.published,
    )


THURSDAY = date(2025, 3, 6)
HEALEY = "Healey started talks in Washington with Hegseth on Thursday."


def test_saving_twice_changes_nothing(store: Store) -> None:
    doc = document("https://a.example/1")
    found = [mention(doc, HEALEY, THURSDAY)]
    assert store.save_document(doc, found, merge) is SaveResult.NEW
    before = store.counts()
    assert store.save_document(doc, found, merge) is SaveResult.UNCHANGED
    assert store.counts() == before == {"sources": 0, "documents": 1, "events": 1, "mentions": 1}


def test_round_trip_keeps_zones_and_dates(store: Store) -> None:
    doc = document("https://a.example/1")
    store.save_document(doc, [mention(doc, HEALEY, THURSDAY)], merge)
    (event,) = store.events()
    assert event.interval == Interval(start=THURSDAY, end=date(2025, 3, 7))
    (m,) = event.mentions
    assert m.published == FRIDAY  # same instant; stored as UTC
    assert m.published is not None and m.published.utcoffset() == timedelta(0)
    assert (m.sentence, m.source, m.url, m.tense) == (HEALEY, "wire", doc.url, Tense.PAST)


def test_updated_article_replaces_its_events(store: Store) -> None:
    doc = document("https://a.example/1")
    store.save_document(doc, [mention(doc, HEALEY, THURSDAY)], merge)
    edited = replace(doc, text="Talks moved to Friday.")
    friday = mention(edited, "Healey and Hegseth moved their talks to Friday.", date(2025, 3, 7))
    assert store.save_document(edited, [friday], merge) is SaveResult.UPDATED
    (event,) = store.events()
    assert event.interval.start == date(2025, 3, 7)  # the Thursday event is gone
    assert store.counts()["documents"] == 1


def test_same_event_from_two_outlets_is_one_entry(store: Store) -> None:
    a = document("https://a.example/1")
    b = document("https://b.example/2", source="courier")
    store.save_document(a, [mention(a, HEALEY, THURSDAY)], merge)
    store.save_document(
        b, [mention(b, "In Washington, Healey and Hegseth held talks.", THURSDAY)], merge
    )
    (event,) = store.events()
    assert event.sources == ("courier", "wire")
    assert event.title == HEALEY  # the first report's sentence


def test_filters(store: Store) -> None:
    a = document("https://a.example/1")
    b = document("https://b.example/2", source="courier")
    store.save_document(a, [mention(a, HEALEY, THURSDAY)], merge)
    store.save_document(b, [mention(b, "A vote in parliament.", date(2025, 3, 20))], merge)
    assert [e.interval.start for e in store.events()] == [THURSDAY, date(2025, 3, 20)]
    assert [e.interval.start for e in store.events(start=date(2025, 3, 7))] == [date(2025, 3, 20)]
    assert [e.interval.start for e in store.events(end=date(2025, 3, 7))] == [THURSDAY]
    assert [e.interval.start for e in store.events(source="courier")] == [date(2025, 3, 20)]
    assert len(store.events(limit=1)) == 1


def test_source_state_and_health(store: Store) -> None:
    at = datetime(2025, 3, 7, 9, tzinfo=UTC)
    lease = timedelta(minutes=15)
    store.ensure_sources([("wire", "https://w.example/feed")])

    def fetched(error: str | None, etag: str | None = None) -> SourceState:
        """A fetch under a lease; returns the state the claim handed out before it."""
        state = store.claim("wire", owner="me", now=at, lease=lease, force=True)
        assert state is not None
        store.finish("wire", owner="me", at=at, error=error, next_due=at, etag=etag)
        return state

    fetched(None, etag='"v1"')
    assert fetched("source 'wire': 500").etag == '"v1"'
    fetched("source 'wire': 500")
    state = store.claim("wire", owner="me", now=at, lease=lease, force=True)
    assert state is not None
    assert state.etag == '"v1"'  # a failure keeps the validators of the last success
    assert state.consecutive_errors == 2
    (health,) = store.source_health()
    assert health.last_error == "source 'wire': 500"
    assert health.last_success == at


def test_a_failing_merge_leaves_no_half_document(store: Store) -> None:
    doc = document("https://a.example/1")

    def broken_merge(found: object, candidates: object, joined: object) -> list[object]:
        raise RuntimeError("merge blew up")

    with pytest.raises(RuntimeError):
        store.save_document(doc, [mention(doc, HEALEY, THURSDAY)], broken_merge)  # type: ignore[arg-type]
    assert store.counts() == {"sources": 0, "documents": 0, "events": 0, "mentions": 0}


def test_naive_datetimes_are_refused(store: Store) -> None:
    doc = document("https://a.example/1", published=datetime(2025, 3, 7, 8))
    with pytest.raises(Exception, match="naive datetime"):
        store.save_document(doc, [], merge)


def test_unreachable_database_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match=r"folder .* does not exist"):
        Store.open("sqlite:////no/such/folder/timeline.db")
    with pytest.raises(StoreError, match=r"cannot open: .*Connection refused"):
        Store.open("postgresql://nobody@127.0.0.1:1/none")


BRIDGE = [
    ("https://a.example/1", "Healey started talks in Washington with Hegseth."),
    ("https://b.example/2", "Healey and Hegseth held talks at the Pentagon in Washington."),
    ("https://c.example/3", "At the Pentagon, Hegseth hosted the British minister."),
    ("https://d.example/4", "The ECB cut interest rates in Frankfurt."),
]


@pytest.mark.parametrize(
    ("order", "stems"),
    [((0, 1, 2, 3), False), ((2, 0, 3, 1), False), ((3, 2, 1, 0), True), ((1, 3, 0, 2), True)],
)
def test_stored_events_do_not_depend_on_arrival_order(
    db_url: str, order: tuple[int, ...], stems: bool
) -> None:
    """The first and third reports only meet through the second; any order gives one event,
    whether the store looks for candidates by their key-word stems or reads them all."""
    with Store.open(db_url) as store:
        for index in order:
            url, sentence = BRIDGE[index]
            doc = document(url, text=sentence, published=FRIDAY + timedelta(minutes=index))
            found = [replace(mention(doc, sentence, THURSDAY), stems=key_stems(sentence))]
            store.save_document(doc, found, merge, may_join if stems else None)
        found = {(e.key, e.title, frozenset(m.url for m in e.mentions)) for e in store.events()}
        assert store.counts()["events"] == 2
    assert found == {
        (
            merge([_m(0)], [])[0].key,
            BRIDGE[0][1],
            frozenset(url for url, _ in BRIDGE[:3]),
        ),
        (merge([_m(3)], [])[0].key, BRIDGE[3][1], frozenset({BRIDGE[3][0]})),
    }


def _m(index: int) -> Mention:
    url, sentence = BRIDGE[index]
    doc = document(url, text=sentence, published=FRIDAY + timedelta(minutes=index))
    return mention(doc, sentence, THURSDAY)


def test_only_events_a_mention_may_join_are_read(store: Store) -> None:
    """Candidates are picked among the stored mentions of the day by may_join; events of
    other happenings that day are not read. A mention stored without stems (before they
    were kept) is read whenever its date fits, so nothing is missed."""
    day = [
        ("https://a.example/1", HEALEY, True),
        ("https://b.example/2", "Storms closed schools across Leeds on Thursday.", True),
        ("https://c.example/3", "Fans queued overnight for the concert in Cardiff.", False),
    ]
    for url, sentence, with_stems in day:
        doc = document(url, text=sentence)
        found = mention(doc, sentence, THURSDAY)
        if with_stems:
            found = replace(found, stems=key_stems(sentence))
        store.save_document(doc, [found], merge, may_join)
    sentence = "In Washington, Healey and Hegseth held talks."
    new = replace(
        mention(document("https://d.example/4"), sentence, THURSDAY), stems=key_stems(sentence)
    )
    with store.engine.connect() as connection:
        execute = read.runner(connection.connection.driver_connection)
        picked = read.select_candidates(execute, store.engine.dialect.name, [new], may_join)
        every = read.select_candidates(execute, store.engine.dialect.name, [new])
    assert [e.title for e in picked] == [HEALEY]
    assert len(every) == 3
    other_day = replace(new, interval=Interval(start=FRIDAY.date(), end=date(2025, 3, 8)))
    with store.engine.connect() as connection:
        execute = read.runner(connection.connection.driver_connection)
        assert read.select_candidates(execute, store.engine.dialect.name, [other_day]) == []


def test_editing_out_the_bridge_splits_the_event(store: Store) -> None:
    docs = []
    for index in (0, 1, 2):
        url, sentence = BRIDGE[index]
        doc = document(url, text=sentence, published=FRIDAY + timedelta(minutes=index))
        store.save_document(doc, [mention(doc, sentence, THURSDAY)], merge)
        docs.append(doc)
    assert store.counts()["events"] == 1
    edited = replace(docs[1], text="Nothing dated any more.")
    assert store.save_document(edited, [], merge) is SaveResult.UPDATED
    titles = sorted(e.title for e in store.events())
    assert titles == sorted([BRIDGE[0][1], BRIDGE[2][1]])
    assert store.counts()["mentions"] == 2


def test_word_and_upcoming_filters(store: Store) -> None:
    a = document("https://a.example/1")
    b = document("https://b.example/2", source="courier")
    store.save_document(a, [mention(a, HEALEY, THURSDAY)], merge)
    store.save_document(
        b, [mention(b, "A vote in parliament, 100% sure.", date(2025, 3, 20))], merge
    )
    assert [e.title for e in store.events(words=["hegseth"])] == [HEALEY]
    assert [e.title for e in store.events(words=["WASHINGTON", "talks"])] == [HEALEY]
    assert store.events(words=["washington", "vote"]) == []
    assert len(store.events(words=["100%"])) == 1  # LIKE wildcards are taken literally
    assert store.events(words=["10_%"]) == []
    assert [e.interval.start for e in store.events(starting_from=date(2025, 3, 7))] == [
        date(2025, 3, 20)
    ]


def test_prune_removes_old_documents_and_regroups(store: Store) -> None:
    for index in (0, 1, 2):
        url, sentence = BRIDGE[index]
        published = FRIDAY + timedelta(days=10 * index)  # 7, 17 and 27 March
        doc = document(url, text=sentence, published=published)
        store.save_document(doc, [mention(doc, sentence, THURSDAY)], merge)
    assert store.counts()["events"] == 1
    assert store.prune(date(2025, 3, 20), merge) == 2  # the first two reports go
    (event,) = store.events()
    assert event.title == BRIDGE[2][1]
    assert store.counts() == {"sources": 0, "documents": 1, "events": 1, "mentions": 1}
    assert store.prune(date(2025, 3, 20), merge) == 0


def test_check_finds_a_schema_that_drifted(store: Store) -> None:
    from sqlalchemy import text

    assert store.check() == []
    with store.engine.begin() as connection:
        connection.execute(text("CREATE INDEX ix_extra ON documents (title)"))
    (problem,) = store.check()
    assert "ix_extra" in problem


def test_range_query_finds_long_events_that_began_long_before(store: Store) -> None:
    spans = [
        (Granularity.CENTURY, date(2000, 1, 1), date(2100, 1, 1)),
        (Granularity.DECADE, date(2020, 1, 1), date(2030, 1, 1)),
        (Granularity.YEAR, date(2025, 1, 1), date(2026, 1, 1)),
        (Granularity.QUARTER, date(2025, 1, 1), date(2025, 4, 1)),
        (Granularity.MONTH, date(2025, 3, 1), date(2025, 4, 1)),
        (Granularity.WEEK, date(2025, 3, 3), date(2025, 3, 10)),
        (Granularity.DAY, date(2025, 3, 6), date(2025, 3, 7)),
        (Granularity.YEAR, date(2024, 1, 1), date(2025, 1, 1)),  # over before the window
    ]
    for index, (granularity, first, after) in enumerate(spans):
        doc = document(f"https://a.example/{index}")
        m = replace(
            mention(doc, f"Report number {index} on the treaty.", first),
            granularity=granularity,
            value=f"V{index}",
            interval=Interval(start=first, end=after),
        )
        store.save_document(doc, [m], merge)
    found = {e.value for e in store.events(start=date(2025, 3, 6), end=date(2025, 3, 7))}
    assert found == {f"V{i}" for i in range(7)}


def test_an_event_longer_than_its_granularity_is_refused(store: Store) -> None:
    doc = document("https://a.example/1")
    m = replace(
        mention(doc, HEALEY, THURSDAY), interval=Interval(start=THURSDAY, end=date(2025, 4, 1))
    )
    with pytest.raises(ValueError, match="interval longer than a day"):
        store.save_document(doc, [m], merge)


def test_analyze_runs_on_both_databases(store: Store) -> None:
    doc = document("https://a.example/1")
    store.save_document(doc, [mention(doc, HEALEY, THURSDAY)], merge)
    store.analyze()
    assert len(store.events(start=THURSDAY)) == 1


def _loaded_event(doc: Document, sentence: str, span: Interval, granularity: Granularity) -> Event:
    m = replace(
        mention(doc, sentence, span.start),
        granularity=granularity,
        value=f"{granularity}-{span.start}",
        interval=span,
        sentence_start=7,
        tense=Tense.UPCOMING,
    )
    return merge([m], [])[0]


def test_loaded_events_read_back_as_given(store: Store) -> None:
    """The bulk path writes rows itself (driver executemany or COPY): what it stores must
    read back exactly, beside documents saved the ordinary way, ids continuing after them."""
    saved = document("https://a.example/0")
    store.save_document(saved, [mention(saved, HEALEY, THURSDAY)], merge)
    paris = ZoneInfo("Europe/Paris")
    first = document("https://b.example/1", published=datetime(2025, 3, 1, 23, 30, tzinfo=paris))
    second = document(
        "https://c.example/2", source="courier", guid="g-2", language="fr", timezone="Asia/Tokyo"
    )
    at = datetime(2025, 3, 9, 14, 30, tzinfo=UTC)
    batch_one = [
        _loaded_event(
            first,
            "Ministers meet in Oslo.",
            Interval(start=date(2025, 3, 2), end=date(2025, 3, 3)),
            Granularity.DAY,
        ),
        _loaded_event(
            first,
            "A strike all week, with tabs\tand\nlines \\ too.",
            Interval(start=date(2025, 3, 3), end=date(2025, 3, 10)),
            Granularity.WEEK,
        ),
    ]
    batch_two = [
        _loaded_event(
            second,
            "Kickoff at 14:30 in Leeds.",
            Interval(start=date(2025, 3, 9), end=date(2025, 3, 10), at=at),
            Granularity.TIME,
        ),
        _loaded_event(
            first,
            "The budget year ends.",
            Interval(start=date(2025, 1, 1), end=date(2026, 1, 1)),
            Granularity.YEAR,
        ),
    ]
    store.load(iter([([first], batch_one), ([second], batch_two)]))
    assert store.counts() == {"sources": 0, "documents": 3, "events": 5, "mentions": 5}
    loaded = {e.key: e for e in store.events() if e.mentions[0].url != saved.url}
    given = {e.key: e for e in batch_one + batch_two}
    assert loaded == given
    assert loaded[batch_two[0].key].interval.at == at
    assert all(m.id is not None for e in loaded.values() for m in e.mentions)
    assert store.check() == []  # indexes the import set aside are back
    # A loaded event is a candidate like any other: a new report of it joins it.
    third = document("https://d.example/3")
    store.save_document(third, [mention(third, "Ministers meet in Oslo.", date(2025, 3, 2))], merge)
    (joined,) = [e for e in store.events() if e.key == batch_one[0].key]
    assert {m.url for m in joined.mentions} == {first.url, third.url}


def test_a_load_that_fails_writes_nothing(store: Store) -> None:
    doc = document("https://a.example/1")
    stray = _loaded_event(
        document("https://elsewhere.example/9"),
        "Ministers meet in Oslo.",
        Interval(start=date(2025, 3, 2), end=date(2025, 3, 3)),
        Granularity.DAY,
    )
    with pytest.raises(ValueError, match="is not loaded"):
        store.load([([doc], [stray])])
    assert store.counts() == {"sources": 0, "documents": 0, "events": 0, "mentions": 0}
    store.load([([doc], [replace(stray, mentions=(replace(stray.mentions[0], url=doc.url),))])])
    assert store.counts()["mentions"] == 1
    # The import kept the schema whole (PostgreSQL drops foreign keys for it, then re-adds).
    assert store.check() == []


def test_every_page_of_a_range_is_a_prefix_of_the_whole(store: Store) -> None:
    """The first page is merged from one ordered part per granularity plus the events that
    start inside the range; whatever the limit, it must be the start of the full answer."""
    spans = [
        (Granularity.YEAR, date(2025, 1, 1), date(2026, 1, 1)),
        (Granularity.QUARTER, date(2025, 1, 1), date(2025, 4, 1)),
        (Granularity.MONTH, date(2025, 3, 1), date(2025, 4, 1)),
        (Granularity.WEEK, date(2025, 3, 3), date(2025, 3, 10)),
        (Granularity.WEEK, date(2025, 2, 24), date(2025, 3, 3)),
        (Granularity.DAY, date(2025, 3, 1), date(2025, 3, 2)),
        (Granularity.DAY, date(2025, 3, 6), date(2025, 3, 7)),
        (Granularity.TIME, date(2025, 3, 6), date(2025, 3, 7)),
        (Granularity.DAY, date(2025, 2, 28), date(2025, 3, 1)),  # over before the window
    ]
    events = [
        _loaded_event(
            document(f"https://a.example/{n}"),
            f"Report {n} of the {granularity} in Oslo.",
            Interval(start=first, end=after),
            granularity,
        )
        for n, (granularity, first, after) in enumerate(spans)
    ]
    docs = [document(f"https://a.example/{n}") for n in range(len(spans))]
    store.load([(docs, events)])
    whole = store.events(start=date(2025, 3, 1), end=date(2025, 4, 1))
    assert len(whole) == len(spans) - 1
    assert [(e.interval.start, e.interval.end) for e in whole] == sorted(
        (e.interval.start, e.interval.end) for e in whole
    )
    for limit in range(1, len(whole) + 1):
        assert (
            store.events(start=date(2025, 3, 1), end=date(2025, 4, 1), limit=limit)
            == (whole[:limit])
        )
    # Each part keeps only its tightest bounds on the start day: any mix of bounds still
    # answers what a plain filter of every event does.
    everything = store.events()
    days = [date(2025, 1, 1), date(2025, 2, 27), date(2025, 3, 1), date(2025, 3, 5)]
    for start in days:
        for end in [None, *days]:
            for starting_from in [None, *days]:
                expected = [
                    e
                    for e in everything
                    if e.interval.end > start
                    and (end is None or e.interval.start < end)
                    and (starting_from is None or e.interval.start >= starting_from)
                ]
                found = store.events(start=start, end=end, starting_from=starting_from)
                assert found == expected, (start, end, starting_from)


_SENTENCES = [sentence for _, sentence in BRIDGE] + [
    "The ECB cut rates again in Frankfurt.",
    "Healey met Hegseth in Washington for talks.",
]
_LEVELS = [
    Granularity.DAY,
    Granularity.TIME,
    Granularity.PART_OF_DAY,
    Granularity.WEEK,
    Granularity.MONTH,
]


@st.composite
def _reports(draw: st.DrawFn) -> Mention:
    granularity = draw(st.sampled_from(_LEVELS))
    day = date(2025, 3, 1) + timedelta(days=draw(st.integers(0, 20)))
    span = {
        Granularity.WEEK: Interval(start=day, end=day + timedelta(days=7)),
        Granularity.MONTH: Interval(start=day.replace(day=1), end=day.replace(day=28)),
    }.get(granularity, Interval(start=day, end=day + timedelta(days=1)))
    doc = document(f"https://r.example/{draw(st.integers(0, 9))}")
    return replace(
        mention(doc, draw(st.sampled_from(_SENTENCES)), day),
        granularity=granularity,
        value=f"{granularity}-{span.start}",
        interval=span,
        sentence_start=draw(st.integers(0, 3)),
    )


@given(stored=st.lists(_reports(), max_size=12), found=st.lists(_reports(), max_size=8))
@settings(max_examples=300, deadline=None)
def test_merging_part_by_part_gives_the_same_events(
    stored: list[Mention], found: list[Mention]
) -> None:
    """save_document splits a merge into parts that cannot touch (store._apart); the events
    must be exactly those of one merge over every candidate."""
    candidates = merge(stored, [])
    whole = merge(found, candidates)
    parts = [g for f, c in _apart(found, candidates) for g in merge(f, c)]
    assert Counter(parts) == Counter(whole)


def test_a_read_survives_a_dropped_connection(store: Store) -> None:
    """PostgreSQL reads skip the pool's pre-ping (a round trip per page): a connection the
    server dropped fails its read, and the read runs again on a new one."""
    doc = document("https://a.example/1")
    store.save_document(doc, [mention(doc, HEALEY, THURSDAY)], merge)
    assert len(store.events(start=THURSDAY)) == 1  # a pooled read connection now exists
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    assert len(store.events(start=THURSDAY)) == 1


def _emptied(store: Store) -> None:
    """Delete every document, event and mention behind the store's back, and bump every
    block's version as a writer of mentions must (store/index.py), so candidate indexes
    read their blocks again."""
    with store.engine.begin() as connection:
        for table in ("mentions", "events", "documents"):
            connection.execute(text(f"DELETE FROM {table}"))
        connection.execute(text("UPDATE mention_blocks SET version = version + 1"))


def _report(
    index: int, sentence: str | None = None, *, url: str | None = None, minutes: int | None = None
) -> tuple[Document, list[Mention]]:
    """BRIDGE's report `index` (or another sentence, URL or publish time), with key stems."""
    sentence = sentence or BRIDGE[index][1]
    published = FRIDAY + timedelta(minutes=index if minutes is None else minutes)
    doc = document(url or BRIDGE[index][0], text=sentence, published=published)
    return doc, [replace(mention(doc, sentence, THURSDAY), stems=key_stems(sentence))]


def test_a_batch_stores_what_saving_one_by_one_does(store: Store) -> None:
    """A fetch's documents saved in one transaction give the events, and the results, of
    saving them one at a time: new ones joining each other and stored events (whose
    mentions move to the event keyed by an earlier report), an edited one (its old mention
    forgotten, what it held together regrouped) and an unchanged one."""
    later = _report(1, url="https://e.example/5", minutes=10)
    before = [_report(2), _report(3), later]  # 2 and `later` make one event
    batch = [
        _report(0),  # new: the earliest report of the bridged event, so its key
        _report(1),  # new: bridges 0 and 2
        _report(3),  # unchanged
        _report(2, "At the Pentagon, Hegseth hosted the British minister for talks."),  # edited
    ]
    expected = [SaveResult.NEW, SaveResult.NEW, SaveResult.UNCHANGED, SaveResult.UPDATED]
    for doc, found in before:
        store.save_document(doc, found, merge, may_join)
    one_by_one = [store.save_document(doc, found, merge, may_join) for doc, found in batch]
    alone = stored_events(store), store.counts()
    _emptied(store)
    for doc, found in before:
        store.save_document(doc, found, merge, may_join)
    together = store.save_documents(batch, merge, may_join)
    assert one_by_one == together == expected
    assert (stored_events(store), store.counts()) == alone
    bridged = {url for url, _ in BRIDGE[:3]} | {later[0].url}
    assert {frozenset(m.url for m in e.mentions) for e in store.events()} == {
        frozenset(bridged),
        frozenset({BRIDGE[3][0]}),
    }
    assert store.counts()["events"] == 2
    assert store.save_documents(batch, merge, may_join) == [SaveResult.UNCHANGED] * 4


def test_a_bad_entry_does_not_lose_the_rest_of_its_batch(store: Store) -> None:
    """An entry the store refuses fails the batch's transaction; the batch is then saved
    one document at a time, the others land, and the entry's error is raised as before."""
    good_a, good_b = _report(0), _report(3)
    bad = document("https://bad.example/1")
    too_long = replace(
        mention(bad, "Fans queued overnight for the concert in Cardiff.", THURSDAY),
        interval=Interval(start=THURSDAY, end=THURSDAY + timedelta(days=10)),
    )
    with pytest.raises(ValueError, match="longer than a day"):
        store.save_documents([good_a, (bad, [too_long]), good_b], merge, may_join)
    assert store.counts()["documents"] == 2
    assert {m.url for e in store.events() for m in e.mentions} == {BRIDGE[0][0], BRIDGE[3][0]}
    assert store.save_documents([good_a, good_b], merge) == [SaveResult.UNCHANGED] * 2


def test_a_batch_that_fails_writes_nothing(store: Store) -> None:
    def broken_merge(found: object, candidates: object, joined: object) -> list[object]:
        raise RuntimeError("merge blew up")

    with pytest.raises(RuntimeError):
        store.save_documents([_report(0), _report(1)], broken_merge)  # type: ignore[arg-type]
    assert store.counts() == {"sources": 0, "documents": 0, "events": 0, "mentions": 0}


def test_one_url_twice_in_a_batch_is_saved_twice_in_order(store: Store) -> None:
    first, edited = _report(0), _report(0, "Healey and Hegseth met at the Pentagon.")
    results = store.save_documents([first, edited], merge, may_join)
    assert results == [SaveResult.NEW, SaveResult.UPDATED]
    assert [e.title for e in store.events()] == ["Healey and Hegseth met at the Pentagon."]
