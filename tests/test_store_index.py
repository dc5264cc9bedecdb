"""The candidate index (timeline/store/index.py): saves through it store the events that
reading every stored mention of their dates (read.select_candidates) would, and it stays
exact when another Store, in this process or another, writes the same database."""

import json
from collections import Counter
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.factories import report, stored_events
from timeline import events as events_module
from timeline.events import key_stems, may_join, merge
from timeline.model import Event, Granularity, Interval, Mention
from timeline.store import Store, index, read, write

THURSDAY = date(2025, 3, 6)
BRIDGE = [  # the first and third only meet through the second (as in test_store.py)
    "Healey started talks in Washington with Hegseth.",
    "Healey and Hegseth held talks at the Pentagon in Washington.",
    "At the Pentagon, Hegseth hosted the British minister.",
]
ELSEWHERE = [
    "The ECB cut interest rates in Frankfurt.",
    "Fans queued overnight for the concert in Cardiff.",
    "Storms closed schools across Leeds.",
]


class _Reference(Store):
    """A store that finds candidates as main did before the index: every stored mention
    of the dates, read from SQL (read.select_candidates)."""

    def _candidates(
        self,
        writer: write.Writer,
        changes: index.Changes,
        found: Sequence[Mention],
        may_join: read.MayJoin | None,
    ) -> tuple[list[Event], list[set[int] | None]]:
        found_events = read.select_candidates(writer.execute, writer.sql.dialect, found, may_join)
        return found_events, [None] * len(found)  # merge asks of every pair


def _open(url: str) -> Store:
    """A store whose index reads a block the first time a save meets it (not the second),
    so these short sequences go through it."""
    store = Store.open(url)
    store._index.read_first_time = True
    return store


def _save(store: Store, url: str, sentence: str, **fields: Any) -> None:
    store.save_document(*report(url, sentence, **fields), merge, may_join)


def _grouped(store: Store) -> set[frozenset[str]]:
    """Each event as the set of its reports' URLs."""
    return {frozenset(m.url for m in e.mentions) for e in store.events()}


def test_the_stem_bound_lets_through_all_that_may_join_does() -> None:
    """The index keeps entries sharing MIN_SHARED_STEMS stems (counted in both sentences):
    a superset of may_join's own first test as long as it asks no more than events does."""
    assert index.MIN_SHARED_STEMS <= events_module.MIN_SHARED_WORDS


_STEMS = st.lists(st.sampled_from("appr plan kalo renv tax offi bud".split()), max_size=6)


@given(st.lists(_STEMS, max_size=12), _STEMS)
def test_a_block_finds_the_entries_sharing_enough_stems(
    stored: list[list[str]], own: list[str]
) -> None:
    """_Cached.sharing, in set operations, keeps exactly the entries whose shared stems,
    each counted as often as in both sentences, reach MIN_SHARED_STEMS; also after some
    are removed again."""
    cached = index._Cached(version=1)
    day = date(2025, 3, 6)
    for mention_id, stems in enumerate(stored):
        cached.add((mention_id, "day", day, day, "", tuple(sorted(stems)), ""))
    for mention_id in range(0, len(stored), 3):
        cached.remove(mention_id)
    mine = Counter(own)
    expected = {
        mention_id
        for mention_id, stems in enumerate(stored)
        if mention_id % 3
        and sum(mine[stem] * stems.count(stem) for stem in set(stems)) >= index.MIN_SHARED_STEMS
    }
    assert cached.sharing(mine) == expected


_CUES = st.lists(st.sampled_from("ann kalo plan+kalo kalo+plan !office !unled".split()), max_size=4)
_NEEDS = st.lists(
    st.tuples(
        st.lists(
            st.sampled_from("ann kalo plan kalo+plan !office".split()),
            min_size=1,
            max_size=3,
            unique=True,
        ).map(tuple),
        st.integers(1, 3),
    ),
    max_size=3,
).map(tuple)


@given(st.lists(st.tuples(_STEMS, _CUES), max_size=12), _NEEDS)
def test_a_block_finds_the_entries_meeting_the_needs(
    stored: list[tuple[list[str], list[str]]], needs: tuple[tuple[tuple[str, ...], int], ...]
) -> None:
    """_Cached.meeting, in set operations, keeps exactly those of the ids asked about whose
    stems and cues together hold `count` of `cues` for one of the needs (as
    tests/test_events.py's _meets counts), and every one without stems or cues, which cues
    can never rule out; also for entries added and removed after the block filed its
    entries by cue (the first time it was asked about enough ids). As events.join_cues
    gives them, an entry's cues leave out its stems."""
    cached = index._Cached(version=1)
    day = date(2025, 3, 6)
    entries = [(sorted(stems), sorted(set(cues) - set(stems))) for stems, cues in stored]
    for mention_id, (stems, cues) in enumerate(entries):
        if mention_id == len(entries) // 2:
            assert cached.meeting(set(), needs, least=0) == set()  # files what it has
        cached.add((mention_id, "day", day, day, "", tuple(stems), " ".join(cues)))
    for mention_id in range(0, len(stored), 3):
        cached.remove(mention_id)
    asked = {mention_id for mention_id in range(len(stored)) if mention_id % 3 and mention_id % 5}
    expected = {
        mention_id
        for mention_id in asked
        if not entries[mention_id][0]
        or not entries[mention_id][1]
        or any(
            len({*entries[mention_id][0], *entries[mention_id][1]}.intersection(cues)) >= count
            for cues, count in needs
        )
    }
    assert cached.meeting(asked, needs, least=0) == expected


def test_a_block_files_by_cue_only_once_asked_about_enough_ids() -> None:
    """A block a save or two use is not filed by cue: below CUES_FROM_IDS ids it lets them
    all through (may_join decides), and files itself the first time it meets that many."""
    cached = index._Cached(version=1)
    day = date(2025, 3, 6)
    for mention_id in range(index.CUES_FROM_IDS):
        cached.add((mention_id, "day", day, day, "", ("plan", "vote"), "kalo"))
    needs = ((("anna",), 1),)
    few = set(range(index.CUES_FROM_IDS - 1))
    assert cached.meeting(few, needs) == few
    assert cached.cued is None
    assert cached.meeting(few | {index.CUES_FROM_IDS - 1}, needs) == set()
    assert cached.cued is not None
    assert cached.meeting(few, needs) == set()  # filed now: the cues decide


def test_what_the_stem_bound_rules_out_may_join_refuses() -> None:
    """Every pair of the 534 sentences of similarity_answers.json (labelled pairs and the
    bench stories): when the index's stem test rules a stored sentence out, may_join does
    too, so the index never misses a candidate main would find."""
    sentences = json.loads((Path(__file__).parent / "similarity_answers.json").read_text())[
        "sentences"
    ]
    stems = [key_stems(sentence) for sentence in sentences]
    ruled_out = 0
    for sentence, own in zip(sentences, stems, strict=True):
        _, (new,) = report("https://a.example/1", sentence)
        joins = may_join(new)
        mine = Counter(own)
        for other, theirs in zip(sentences, stems, strict=True):
            # As the index counts through its postings: each shared stem, as often as in
            # one sentence times as often as in the other.
            product = sum(mine[s] * theirs.count(s) for s in set(mine).intersection(theirs))
            if own and theirs and product < index.MIN_SHARED_STEMS:
                ruled_out += 1
                assert not joins(other, theirs), (sentence, other)
    assert ruled_out > len(sentences) ** 2 // 2  # the bound rules most pairs out


def test_blocks_share_one_for_overlapping_intervals() -> None:
    """Two overlapping intervals of one level share a block (the index finds a stored
    mention through it); a day touches one block, a week at most two."""
    for granularity in (Granularity.DAY, Granularity.WEEK, Granularity.MONTH):
        span = read.MAX_SPAN[granularity].days
        for offset in range(-span, span):
            a_start = THURSDAY
            b_start = THURSDAY + timedelta(days=offset)
            for a_days in range(span + 1):
                for b_days in (1, span):
                    a_end = a_start + timedelta(days=a_days)
                    b_end = b_start + timedelta(days=b_days)
                    if a_start < b_end and a_end > b_start:
                        a = set(index.mention_blocks(granularity.value, a_start, a_end))
                        b = set(index.mention_blocks(granularity.value, b_start, b_end))
                        assert a & b, (granularity, a_start, a_end, b_start, b_end)
    assert len(index.mention_blocks("day", THURSDAY, THURSDAY + timedelta(days=1))) == 1
    assert len(index.mention_blocks("week", THURSDAY, THURSDAY + timedelta(days=7))) <= 2
    # Levels: a time and a day meet, a day and a week do not.
    assert index.mention_blocks("time", THURSDAY, THURSDAY) == index.mention_blocks(
        "day", THURSDAY, THURSDAY + timedelta(days=1)
    )
    assert (
        index.mention_blocks("week", THURSDAY, THURSDAY)[0][0]
        != (index.mention_blocks("day", THURSDAY, THURSDAY)[0][0])
    )


def test_a_block_read_from_sql_holds_what_the_index_keeps(db_url: str) -> None:
    """The SQL that reads a block keeps exactly the stored mentions `_holds` says the block
    keeps (of its level, touching it, starting after its first day minus MAX_SPAN), over
    days, times, weeks and months around block edges, an empty interval among them."""
    reports = []
    for number, (granularity, offset) in enumerate(
        (g, offset)
        for g in (Granularity.DAY, Granularity.TIME, Granularity.WEEK, Granularity.MONTH)
        for offset in range(-40, 40, 3)
    ):
        day = THURSDAY + timedelta(days=offset)
        doc, (found,) = report(f"https://r.example/{number}", BRIDGE[0], day=day)
        length = {Granularity.WEEK: 7, Granularity.MONTH: 30, Granularity.TIME: 0}.get(
            granularity, 1
        )
        found = replace(
            found,
            granularity=granularity,
            interval=Interval(start=day, end=day + timedelta(days=length)),
        )
        reports.append(([doc], merge([found], [])))
    with Store.open(db_url) as store:
        store.load(reports)
        pooled = store.engine.raw_connection()
        try:
            writer = write.Writer(pooled.driver_connection, store._write_sql)
            stored = index.read_mentions(writer, list(range(1, len(reports) + 1)))
            assert len(stored) == len(reports)
            blocks = {b for e in stored for b in index.mention_blocks(*e[1:4])}
            blocks |= {(code, number + step) for code, number in blocks for step in (-1, 1)}
            for block in blocks:
                read_back = index.CandidateIndex._read(writer, block, 1).entries
                assert set(read_back) == {e[0] for e in stored if index._holds(block, e)}
        finally:
            pooled.close()


def test_a_save_on_another_store_is_seen(db_url: str) -> None:
    """Save on A, a report on B, then on A the report that bridges the two: one event. A
    kept the day's block in memory; B's save bumped its version, so A reads it again."""
    with _open(db_url) as a, _open(db_url) as b:
        _save(a, "https://a.example/1", BRIDGE[0])
        _save(b, "https://c.example/3", BRIDGE[2])
        assert len(a.counts()) and a.counts()["events"] == 2
        _save(a, "https://b.example/2", BRIDGE[1])
        assert _grouped(a) == {
            frozenset({"https://a.example/1", "https://b.example/2", "https://c.example/3"})
        }


def test_an_edit_on_another_store_is_seen(db_url: str) -> None:
    """B edits a document (its old mention deleted, a new one inserted): A, which holds the
    day's block, must see the new sentence and not the old one."""
    with _open(db_url) as a, _open(db_url) as b:
        _save(a, "https://c.example/3", BRIDGE[2])
        _save(b, "https://q.example/9", ELSEWHERE[1])
        _save(a, "https://x.example/7", ELSEWHERE[2])  # A reads the block with Q in it
        _save(a, "https://y.example/8", ELSEWHERE[0])  # and keeps it
        _save(b, "https://q.example/9", BRIDGE[0])  # the edit
        _save(a, "https://b.example/2", BRIDGE[1])
        assert _grouped(a) == {
            frozenset({"https://q.example/9", "https://b.example/2", "https://c.example/3"}),
            frozenset({"https://x.example/7"}),
            frozenset({"https://y.example/8"}),
        }


def test_a_prune_on_another_store_is_seen(db_url: str) -> None:
    """B prunes a document A holds in memory, then stores another report, which SQLite
    gives the pruned mention's row id: A must not join the pruned sentence's report to it.
    (A stale entry could only add a candidate, which merge would turn down: this guards
    the outcome, not the bump; the sequence test checks the bumps.)"""
    old = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    with _open(db_url) as a, _open(db_url) as b:
        _save(a, "https://a.example/1", ELSEWHERE[0])
        _save(a, "https://x.example/7", BRIDGE[0], published=old)
        assert b.prune(date(2025, 3, 2), merge) == 1
        _save(b, "https://q.example/9", ELSEWHERE[1])
        _save(a, "https://b.example/2", BRIDGE[1])  # joins only the pruned report
        assert _grouped(a) == {
            frozenset({"https://a.example/1"}),
            frozenset({"https://q.example/9"}),
            frozenset({"https://b.example/2"}),
        }


def test_a_prune_on_this_store_leaves_its_index_exact(db_url: str) -> None:
    old = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    with _open(db_url) as a:
        _save(a, "https://x.example/7", BRIDGE[0], published=old)
        assert a.prune(date(2025, 3, 2), merge) == 1
        assert not any(c.entries for c in a._index.blocks.values())
        _save(a, "https://q.example/9", ELSEWHERE[1])
        _save(a, "https://b.example/2", BRIDGE[1])
        assert _grouped(a) == {
            frozenset({"https://q.example/9"}),
            frozenset({"https://b.example/2"}),
        }


def test_a_load_on_another_store_is_seen(db_url: str) -> None:
    with _open(db_url) as a, _open(db_url) as b:
        _save(a, "https://a.example/1", BRIDGE[0])
        doc, found = report("https://c.example/3", BRIDGE[2])
        b.load([([doc], merge(found, []))])
        _save(a, "https://b.example/2", BRIDGE[1])
        assert _grouped(a) == {
            frozenset({"https://a.example/1", "https://b.example/2", "https://c.example/3"})
        }


def test_a_rolled_back_save_leaves_the_index_as_it_was(db_url: str) -> None:
    """A merge that raises rolls the save back: the index keeps nothing of it (the blocks
    it touched are read again), and the next saves find what is stored."""

    def broken_merge(
        found: Sequence[Mention], candidates: Sequence[Event], joined: object = None
    ) -> list[Event]:
        raise RuntimeError("merge blew up")

    with _open(db_url) as a:
        _save(a, "https://a.example/1", BRIDGE[0])
        before = {block: dict(c.entries) for block, c in a._index.blocks.items()}
        with pytest.raises(RuntimeError):
            a.save_document(*report("https://b.example/2", BRIDGE[1]), broken_merge, may_join)
        after = {block: dict(c.entries) for block, c in a._index.blocks.items()}
        assert all(after[block] == before[block] for block in after)
        assert not any(e[4] == BRIDGE[1] for c in after.values() for e in c.values())
        _save(a, "https://c.example/3", BRIDGE[2])
        _save(a, "https://b.example/2", BRIDGE[1])
        assert len(_grouped(a)) == 1


def test_a_failed_commit_drops_what_it_touched(db_url: str) -> None:
    """If the commit itself fails, nothing of the transaction may reach the cache."""
    with _open(db_url) as a, _open(db_url) as b:
        _save(a, "https://a.example/1", BRIDGE[0])
        changes = index.Changes(versions={block: 99 for block in a._index.blocks})
        a._index.failed(changes)
        assert not a._index.blocks
        _save(b, "https://c.example/3", BRIDGE[2])
        _save(a, "https://b.example/2", BRIDGE[1])
        assert len(_grouped(a)) == 1


# -- any sequence of writes, split over two stores, gives the events of one reference --------

_SENTENCES = [*BRIDGE, *ELSEWHERE, "Healey met Hegseth in Washington for talks."]
_GRANULARITIES = [Granularity.DAY, Granularity.TIME, Granularity.WEEK]


@st.composite
def _operation(draw: st.DrawFn) -> tuple[Any, ...]:
    kind = draw(st.sampled_from(["save", "save", "save", "save", "prune", "load"]))
    on = draw(st.integers(0, 1))  # which of the two stores
    if kind == "prune":
        return ("prune", on, date(2025, 3, 5) + timedelta(days=draw(st.integers(0, 3))))
    report = {
        "url": f"https://r.example/{draw(st.integers(0, 4))}",
        "sentence": draw(st.sampled_from(_SENTENCES)),
        "day": THURSDAY + timedelta(days=draw(st.integers(0, 3))),
        "granularity": draw(st.sampled_from(_GRANULARITIES)),
        "published": datetime(2025, 3, 5, 8, 0, tzinfo=UTC)
        + timedelta(days=draw(st.integers(0, 3)), minutes=draw(st.integers(0, 9))),
        "stems": draw(st.booleans()),
    }
    return (kind, on, report)


def _run(stores: Sequence[Store], operations: Sequence[tuple[Any, ...]]) -> None:
    for number, (kind, on, what) in enumerate(operations):
        store = stores[on % len(stores)]
        if kind == "prune":
            store.prune(what, merge)
        elif kind == "save":
            with suppress(ValueError):  # an event longer than its granularity allows
                store.save_document(*report(**what), merge, may_join)
        else:
            what = {**what, "url": f"https://l.example/{number}"}
            doc, found = report(**what)
            store.load([([doc], merge(found, []))])


def _emptied(store: Store) -> None:
    with store.engine.begin() as connection:
        for table in ("mentions", "events", "documents"):
            connection.execute(text(f"DELETE FROM {table}"))
        connection.execute(text("UPDATE mention_blocks SET version = version + 1"))


@given(operations=st.lists(_operation(), min_size=1, max_size=12))
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_writes_split_over_two_stores_give_the_reference_events(
    db_url: str, operations: list[tuple[Any, ...]]
) -> None:
    """Saves, edits, prunes and loads on two stores (each its own index; one reads blocks
    when it first meets them, the other when it meets them again and keeps room for three
    mentions only, so blocks are evicted) store the events that one store reading
    every candidate from SQL (main's path) stores for the same operations."""
    with Store.open(db_url) as a, Store.open(db_url) as b, _Reference.open(db_url) as reference:
        a._index.read_first_time = True
        b._index.max_mentions = 3  # and b reads a block the second time it meets it
        try:
            _run([a, b], operations)
            ours = stored_events(a), a.counts()
        finally:
            _emptied(a)
        try:
            _run([reference], operations)
            expected = stored_events(reference), reference.counts()
        finally:
            _emptied(reference)
    assert ours == expected
