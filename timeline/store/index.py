"""The candidate index: this process's copy of the stored mentions by block of days, so a
save finds the stored mentions its own may join without reading every mention of their dates.

Issue #4: each save read from SQL every stored mention of an overlapping date and asked
`may_join` of each (8.5M calls in a first cycle of 5,000 documents), so the cost of a save
grew with the mentions already stored for its dates. Here those mentions stay in memory,
indexed by key-word stem, and a save asks `may_join` only of those sharing enough stems
and, in a busy block, meeting the new mention's needs by their cues (events.join_cues: who
they can name, which word pairs they hold). Its answers go to events.merge, which asks no
stored mention again.

Blocks: per level (reports of one level can be of one happening: Granularity.within_a_day,
or the granularity itself), days are cut into blocks as long as the level's longest
interval (MAX_SPAN), so an interval touches one or two blocks and two overlapping intervals
share one (`blocks_of`). A cached block holds the stored mentions of its level that touch it
and start after the block's first day minus MAX_SPAN (select_candidates reads no earlier
start, and a mention it reads shares with the new one a day whose block holds it).

Exact across processes: the table `mention_blocks` keeps a version per block. Every
transaction that inserts or deletes mentions bumps the version of each block they touch,
in one sorted order, before it reads candidates (`CandidateIndex.bump`). A cached block is
used only when its version is the bumped one minus one, that is when nobody else wrote
the block since this process last saw it; otherwise it is read again from SQL. On
PostgreSQL the bump's row lock also orders two daemons' saves of the same dates (what
advisory locks did before): the second waits for the first's commit, then reads it.
The cache holds no event ids: the chosen mentions' events are read from SQL, as they are
now, so a merge that moves mentions to another event changes nothing here.

A transaction's changes (`Changes`) reach the cache only after its commit; if it fails,
the blocks it touched are dropped, to be read again. This module must not commit, and
holds no state of its own outside `CandidateIndex`; callers serialise it (Store's write
lock).
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from sys import intern
from typing import Any

from timeline.model import CueNeeds, Granularity, Mention
from timeline.store.read import MAX_SPAN, MayJoin
from timeline.store.write import Writer

Block = tuple[int, int]  # (level code, block number)

# Reports that can be of one happening share a level (Granularity.within_a_day).
LEVELS = {g: "within a day" if g.within_a_day else g.value for g in Granularity}
LEVEL_CODES = {level: code for code, level in enumerate(sorted(set(LEVELS.values())))}
_CODE = {g.value: LEVEL_CODES[LEVELS[g]] for g in Granularity}
_DAYS = {g.value: MAX_SPAN[g].days for g in Granularity}  # the same for a level's members
_GRANULARITIES_OF = {
    code: tuple(g.value for g in Granularity if LEVEL_CODES[LEVELS[g]] == code)
    for code in LEVEL_CODES.values()
}
_SPAN = {g.value: MAX_SPAN[g] for g in Granularity}

# events.may_join rules a stored mention out unless the two sentences share at least
# MIN_SHARED_WORDS key-word stems (counted as often as in either sentence). The search
# below keeps every entry whose stems, counted as often as in both (a product, never less
# than either), reach this: a superset of what may_join lets through, as long as this is
# no more than events.MIN_SHARED_WORDS (tests/test_store_index.py holds it there).
MIN_SHARED_STEMS = 2  # _Cached.sharing counts to two, no further

# A block is read whole when a save meets it for this many times (`_block`); the blocks
# met fewer times are remembered up to a number (a few MB).
MEETINGS_BEFORE_READ = 3
MAX_MET_BLOCKS = 100_000

# The most stored mentions kept in memory (about 1 KB each with their sentence); blocks
# used least recently go first.
MAX_CACHED_MENTIONS = 100_000


def blocks_of(granularity: str, start: date, end: date) -> range:
    """The block numbers an interval of this granularity touches, at its level: blocks of
    days as long as the level's longest interval, so an interval touches one or two and
    overlapping intervals at one level share one."""
    days = _DAYS[granularity]
    first = start.toordinal() // days
    last = (end.toordinal() - 1) // days
    return range(first, max(first, last) + 1)


def mention_blocks(granularity: str, start: date, end: date) -> list[Block]:
    code = _CODE[granularity]
    return [(code, block) for block in blocks_of(granularity, start, end)]


def entries_blocks(entries: Iterable[_Entry]) -> set[Block]:
    """The blocks the stored mentions `entries` (as read_mentions gives them) touch."""
    return {block for entry in entries for block in _entry_blocks(entry)}


def _entry_blocks(entry: _Entry) -> list[Block]:
    return mention_blocks(entry[1], entry[2], entry[3])


def _block_start(granularity: str, block: int) -> date:
    return date.fromordinal(block * _DAYS[granularity])


# A stored mention as the index keeps it: id, granularity (its value), start, end (dates),
# sentence, key-word stems (sorted, a stem twice when two key words share it), cues (as
# stored: space-separated, split only when a block files its entries by cue).
_Entry = tuple[int, str, date, date, str, tuple[str, ...], str]

# A block files its entries by cue the first time a new mention's candidates there number
# this many (`_Cached.meeting`): below it may_join is asked of them all, which costs less
# than filing a block that a save or two use (a backfill's scattered dates: bench/store.py's
# saves, 62 -> 44 a second when every block read was filed at once).
CUES_FROM_IDS = 32


class _Cached:
    """One block's stored mentions: by id; by stem, the ids whose sentence has it, and
    apart those that have it twice or more; and those without stems, which stems can never
    rule out. By cue likewise, once asked to (`cued`, None until then), and those without
    cues (or stems), which cues can never rule out."""

    __slots__ = ("cued", "doubles", "entries", "postings", "uncued", "unstemmed", "version")

    def __init__(self, version: int) -> None:
        self.version = version
        self.entries: dict[int, _Entry] = {}
        self.postings: dict[str, set[int]] = {}
        self.doubles: dict[str, set[int]] = {}
        self.unstemmed: set[int] = set()
        self.cued: dict[str, set[int]] | None = None
        self.uncued: set[int] = set()

    def add(self, entry: _Entry) -> None:
        mention_id, stems, cues = entry[0], entry[5], entry[6]
        if mention_id in self.entries:
            return
        self.entries[mention_id] = entry
        if not stems:
            self.unstemmed.add(mention_id)
        if not stems or not cues:
            self.uncued.add(mention_id)
        elif self.cued is not None:
            self._file(mention_id, cues)
        postings = self.postings
        for stem in stems:
            posting = postings.get(stem)
            if posting is None:
                postings[stem] = {mention_id}
            elif mention_id in posting:
                self.doubles.setdefault(stem, set()).add(mention_id)
            else:
                posting.add(mention_id)

    def remove(self, mention_id: int) -> None:
        entry = self.entries.pop(mention_id, None)
        if entry is None:
            return
        self.unstemmed.discard(mention_id)
        self.uncued.discard(mention_id)
        if self.cued is not None:
            for cue in entry[6].split():
                cued = self.cued.get(cue)
                if cued is not None:
                    cued.discard(mention_id)
                    if not cued:
                        del self.cued[cue]
        for stem in set(entry[5]):
            posting = self.postings[stem]
            posting.discard(mention_id)
            if not posting:
                del self.postings[stem]
            double = self.doubles.get(stem)
            if double is not None:
                double.discard(mention_id)
                if not double:
                    del self.doubles[stem]

    def sharing(self, own: Counter[str]) -> set[int]:
        """The ids whose stems, each counted as often as in both sentences (a product),
        reach MIN_SHARED_STEMS (two) with `own`'s: those sharing two stems, or one that is
        twice in either sentence. In set operations, not one stored mention at a time: a
        day's common stems (a first name, a verb) have postings of thousands."""
        seen: set[int] = set()
        enough: set[int] = set()
        for stem, times in own.items():
            posting = self.postings.get(stem)
            if posting is None:
                continue
            if times >= MIN_SHARED_STEMS:
                enough |= posting
                continue
            enough |= seen & posting
            double = self.doubles.get(stem)
            if double is not None:
                enough |= double
            seen |= posting
        return enough

    def _file(self, mention_id: int, cues: str) -> None:
        assert self.cued is not None
        for cue in cues.split():
            cue = intern(cue)  # one string per distinct cue, as for stems (see _entry)
            posting = self.cued.get(cue)
            if posting is None:
                self.cued[cue] = {mention_id}
            else:
                posting.add(mention_id)

    def meeting(self, ids: set[int], needs: CueNeeds, least: int = CUES_FROM_IDS) -> set[int]:
        """Those of `ids` whose stems and cues together hold at least `count` of `cues` for
        one of the `needs`, and those without cues; all of `ids` when they are fewer than
        `least` and the block has not filed its entries by cue yet. A cue is looked up among
        the stems too: a stored sentence's cues leave out its key words' stems
        (events.join_cues). Each posting is met with `ids` (a few hundred), whatever its
        size."""
        if self.cued is None:
            if len(ids) < least:
                return ids
            self.cued = {}
            for mention_id, entry in self.entries.items():
                if entry[5] and entry[6]:
                    self._file(mention_id, entry[6])
        found = ids & self.uncued
        postings, cued = self.postings, self.cued
        for cues, count in needs:
            times: Counter[int] = Counter()
            for cue in cues:
                for posting in (postings.get(cue), cued.get(cue)):
                    if posting is not None:
                        having = ids & posting
                        if count == 1:
                            found |= having
                        else:
                            times.update(having)
            if times:
                found.update(mention_id for mention_id, n in times.items() if n >= count)
        return found


@dataclass
class Changes:
    """What one transaction did to the indexed blocks, applied to the cache after commit."""

    versions: dict[Block, int] = field(default_factory=dict)  # the bumped blocks' new ones
    loaded: dict[Block, _Cached] = field(default_factory=dict)  # read from SQL here
    removed: dict[Block, set[int]] = field(default_factory=dict)  # mention ids deleted
    removed_ids: set[int] = field(default_factory=set)
    added: list[_Entry] = field(default_factory=list)  # mentions inserted (read back)

    def remove(self, entries: Iterable[_Entry]) -> None:
        for entry in entries:
            self.removed_ids.add(entry[0])
            for block in _entry_blocks(entry):
                self.removed.setdefault(block, set()).add(entry[0])


# Dialect difference: none; both spell the upsert so (SQLite >= 3.35 for RETURNING).
_BUMP = (
    "INSERT INTO mention_blocks (level, block, version) VALUES {rows} "
    "ON CONFLICT (level, block) DO UPDATE SET version = mention_blocks.version + 1 "
    "RETURNING level, block, version"
)
_BUMP_CHUNK = 300


def bump_statements(dialect: str, blocks: Iterable[Block]) -> list[tuple[str, list[object]]]:
    """The statements that bump these blocks' versions, in sorted order (so two writers
    lock rows in one order and neither waits for what the other holds), in chunks."""
    mark = "%s" if dialect == "postgresql" else "?"
    ordered = sorted(set(blocks))
    statements = []
    for chunk in range(0, len(ordered), _BUMP_CHUNK):
        part = ordered[chunk : chunk + _BUMP_CHUNK]
        rows = ", ".join(f"({mark}, {mark}, 1)" for _ in part)
        params: list[object] = [v for block in part for v in block]
        statements.append((_BUMP.format(rows=rows), params))
    return statements


def read_mentions(writer: Writer, document_ids: Sequence[int]) -> list[_Entry]:
    """The stored mentions of these documents, as the index keeps them."""
    if not document_ids:
        return []
    rows = writer.select_in(
        'SELECT id, granularity, start, "end", sentence, stems, cues FROM mentions '
        "WHERE document_id {among}",
        document_ids,
    )
    return [_entry(row) for row in rows]


def _entry(row: tuple[Any, ...]) -> _Entry:
    mention_id, granularity, start, end, sentence, stems, cues = row
    if start.__class__ is str:  # SQLite keeps dates as ISO text
        start, end = date.fromisoformat(start), date.fromisoformat(end)
    # One string per distinct stem (a few thousand), not one per stored mention's stem: less
    # memory for MAX_CACHED_MENTIONS, and may_join's stem test reads strings it has just read.
    return (
        mention_id,
        granularity,
        start,
        end,
        sentence,
        tuple(map(intern, stems.split())),
        cues,
    )


class CandidateIndex:
    """The cache of blocks, least recently used first, and the search over it."""

    def __init__(self, max_mentions: int = MAX_CACHED_MENTIONS) -> None:
        self.max_mentions = max_mentions
        self.blocks: OrderedDict[Block, _Cached] = OrderedDict()
        # Blocks met once and not read (see _block), least recently met first.
        self.met: OrderedDict[Block, int] = OrderedDict()  # -> how many times
        self.read_first_time = False  # read a block the first time it is met (tests)
        self.size = 0  # entries over all cached blocks

    # -- in a transaction ------------------------------------------------------------------

    def bump(self, writer: Writer, changes: Changes, blocks: Iterable[Block]) -> None:
        """Bump these blocks' versions in the database (those this transaction has not
        bumped yet) and note the new ones."""
        fresh = set(blocks).difference(changes.versions)
        for statement, params in bump_statements(writer.sql.dialect, fresh):
            for level, block, version in writer.execute(statement, params):
                changes.versions[level, block] = version

    def candidates(
        self,
        writer: Writer,
        changes: Changes,
        found: Sequence[Mention],
        may_join: MayJoin | None,
    ) -> tuple[list[set[int] | None], list[Mention]]:
        """For each of the new mentions `found`, the ids of the stored mentions it may
        join: those that read.select_candidates would pick for it, through their blocks
        (bumped already) instead of every stored mention of their dates; with `may_join`,
        exactly those it answers True for (events.merge then asks no other). None for the
        mentions left for select_candidates, those with a block this process has not met
        before (see `_block`), which are also returned apart."""
        joined: list[set[int] | None] = []
        removed = changes.removed_ids
        left: list[Mention] = []
        for m in found:
            granularity = m.granularity.value
            code = _CODE[granularity]
            new_start, new_end = m.interval.start, m.interval.end
            blocks = blocks_of(granularity, new_start, new_end)
            views = [self._block(writer, changes, (code, block)) for block in blocks]
            if None in views:
                joined.append(None)
                left.append(m)
                continue
            joins = may_join(m) if may_join is not None else None
            needs = joins.needs if joins is not None else None
            own = Counter(m.stems) if joins is not None else None
            levels = _GRANULARITIES_OF[code]
            mine: set[int] = set()
            # A stored mention in two of these blocks (a month's often is) is asked once.
            asked: set[int] | None = set() if len(blocks) > 1 else None
            for cached in views:
                assert cached is not None
                entries = cached.entries
                # Without stems of its own (or without may_join), all may join.
                ids: Iterable[int] = cached.sharing(own) | cached.unstemmed if own else entries
                if needs is not None:
                    ids = cached.meeting(set(ids), needs)
                if asked is not None:
                    ids = set(ids) - asked
                    asked |= ids
                for mention_id in ids:
                    if mention_id in removed:
                        continue
                    _, stored, start, end, sentence, stems, _ = entries[mention_id]
                    # select_candidates' test, as it is: a compatible level, overlapping
                    # days, a start no earlier than MAX_SPAN before the new one's.
                    if (
                        stored in levels
                        and start < new_end
                        and end > new_start
                        and start > new_start - _SPAN[stored]
                        and (joins is None or joins(sentence, stems))
                    ):
                        mine.add(mention_id)
            joined.append(mine)
        return joined, left

    def _block(self, writer: Writer, changes: Changes, block: Block) -> _Cached | None:
        """A bumped block as this transaction sees it (before its own inserts): the cached
        one if nobody else wrote it since, else read from SQL; None (select_candidates
        reads the save's own dates instead) until this process has met it
        MEETINGS_BEFORE_READ times. A block read whole and indexed for a save or two costs
        more than select_candidates reading those saves' dates (a store just loaded, a
        backfill's scattered dates: bench/store.py's saves, 100/s before the index, 45 when
        every block met was read)."""
        loaded = changes.loaded.get(block)
        if loaded is not None:
            return loaded
        version = changes.versions[block]
        cached = self.blocks.get(block)
        if cached is not None and cached.version == version - 1:
            self.blocks.move_to_end(block)
            return cached
        if not self.read_first_time:
            meetings = self.met.pop(block, 0) + 1
            if meetings < MEETINGS_BEFORE_READ:
                self.met[block] = meetings
                while len(self.met) > MAX_MET_BLOCKS:
                    self.met.popitem(last=False)
                return None
        loaded = changes.loaded[block] = self._read(writer, block, version)
        return loaded

    @staticmethod
    def _read(writer: Writer, block: Block, version: int) -> _Cached:
        code, number = block
        levels = _GRANULARITIES_OF[code]
        first = levels[0]
        start = _block_start(first, number)
        end = _block_start(first, number + 1)
        day = writer.sql.day
        # What _holds keeps, on the (granularity, start, end) index: of the level, starting
        # after the block's first day minus MAX_SPAN and before its end (the first block it
        # touches is no later), and ending after its first day or starting on or after it
        # (the last block it touches is no earlier).
        query = (
            'SELECT id, granularity, start, "end", sentence, stems, cues FROM mentions '
            f"WHERE granularity IN ({', '.join('?' for _ in levels)}) "
            'AND start > ? AND start < ? AND ("end" > ? OR start >= ?)'
        )
        if writer.sql.postgresql:
            query = query.replace("?", "%s")
        params = [*levels, day(start - _SPAN[first]), day(end), day(start), day(start)]
        cached = _Cached(version - 1)
        for row in writer.execute(query, params):
            cached.add(_entry(row))
        return cached

    # -- after the transaction -------------------------------------------------------------

    def committed(self, changes: Changes) -> None:
        """Bring the cached blocks this transaction bumped to their new versions."""
        try:
            self._apply(changes)
        except BaseException:
            self.clear()  # a bug: better read everything again than trust half of it
            raise

    def _apply(self, changes: Changes) -> None:
        touched: dict[Block, _Cached] = {}
        for block, version in changes.versions.items():
            cached = changes.loaded.get(block)
            if cached is None:
                cached = self.blocks.get(block)
                if cached is None or cached.version != version - 1:
                    self._drop(block)
                    continue
            self._drop(block)
            for mention_id in changes.removed.get(block, ()):
                cached.remove(mention_id)
            cached.version = version
            touched[block] = cached
        for entry in changes.added:
            for block in _entry_blocks(entry):
                cached = touched.get(block)
                if cached is not None and _holds(block, entry):
                    cached.add(entry)
        for block, cached in touched.items():
            self.blocks[block] = cached
            self.size += len(cached.entries)
        while self.size > self.max_mentions and self.blocks:
            _, oldest = self.blocks.popitem(last=False)
            self.size -= len(oldest.entries)

    def failed(self, changes: Changes) -> None:
        """The transaction did not commit (or may not have): forget the blocks it touched."""
        for block in changes.versions:
            self._drop(block)

    def _drop(self, block: Block) -> None:
        cached = self.blocks.pop(block, None)
        if cached is not None:
            self.size -= len(cached.entries)

    def clear(self) -> None:
        self.blocks.clear()
        self.size = 0


def _holds(block: Block, entry: _Entry) -> bool:
    """Whether a cached block keeps this stored mention: of its level, touching it, and
    starting after the block's first day minus MAX_SPAN (see the module's docstring)."""
    _, granularity, start, end, _, _, _ = entry
    code, number = block
    return (
        _CODE[granularity] == code
        and number in blocks_of(granularity, start, end)
        and start > _block_start(granularity, number) - _SPAN[granularity]
    )
