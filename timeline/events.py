"""Dated sentences -> mentions -> events, and the merge of mentions into events.

Input: a stored-to-be `Document` and the `Timex`es found in its text. Output: one `Mention`
per dated expression, with the sentence it stands in as its text; then `merge()` joins
mentions that report the same happening (overlapping dates of compatible granularity and
sentences that share names and key words) into `Event`s. Pure: no database, no clock, and
it never raises on text; odd input gives fewer mentions.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date
from functools import lru_cache
from itertools import pairwise

from rapidfuzz.distance import JaroWinkler, Prefix

from timeline.model import Document, Event, Granularity, Interval, Mention, Tense, Timex
from timeline.text import sentence_spans

MAX_TITLE_CHARS = 240

_PRECISION = {g: i for i, g in enumerate(Granularity)}  # coarsest first

# Two sentences report the same happening when they share at least this many key words,
# and these make up at least this share of the shorter sentence's key words.
MIN_SHARED_WORDS = 2
MIN_OVERLAP = 0.2
# ... and either name each other's leading actor, or share this many neighbouring word pairs.
MIN_SHARED_PAIRS = 2

# A wire story's dateline, "LONDON (Reuters) - " or "KYIV, Ukraine —": a place, not an actor.
_DATELINE = re.compile(r"^[A-Z][A-Z .'-]+(?:, [A-Z][\w .'-]*)?(?: \([^)]*\))? *[-–—] +")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just let me more most my no nor not now of off on once only
    or other our ours out over own same she should so some such than that the their theirs
    them then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your said says say told
    tell added according mr mrs ms sir dr new one two three four five six seven eight nine ten
    may might must shall also however since still yet already even well back many much""".split()
)
# Calendar words carry the date, which is compared separately; as key words they would
# make every "on Friday" sentence look alike.
_TITLES = frozenset(
    """mr mrs ms miss sir dame dr prof lord lady president prime minister secretary chancellor
    king queen prince general governor judge the a an""".split()
)
_CALENDAR_WORDS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday today tomorrow yesterday
    tonight overnight morning afternoon evening night week weeks weekend month months year
    years day days last next earlier later recent recently ago january february march april
    june july august september october november december""".split()
)
_NOT_NAMES = _STOPWORDS | _CALENDAR_WORDS

# Two words are spelling variants of one when rapidfuzz's Jaro-Winkler similarity reaches
# this and they share a prefix this long (see `_variants`).
MIN_WORD_SIMILARITY = 0.9
MIN_COMMON_PREFIX = 4

# Words outlets use for one kind of happening, each read as the first word of its line:
# one outlet's "met" is another's "held talks" or "meeting" (issue 6: "talks/met/meeting").
# Only words that name the happening itself; general verbs (said, agreed) are left alone.
_SENSES = """
    meet met meeting meetings talk talks negotiation negotiations negotiate
    call phone telephone phoned
    strike walkout strikes
    fire blaze wildfire flames
    earthquake quake tremor
    ceasefire truce
    convicted guilty
    arrived landed arrival
    cancelled scrapped cancel
    win won victory
    apologised apology sorry
"""
_SENSE = {word: line.split()[0] for line in _SENSES.strip().splitlines() for word in line.split()}


def find_mentions(document: Document, timexes: Iterable[Timex]) -> list[Mention]:
    """One mention per dated expression, carrying the sentence it stands in."""
    published_day = document.published.date()
    spans = sentence_spans(document.text)
    found: list[Mention] = []
    seen: set[tuple[int, str]] = set()
    for timex in timexes:
        if timex.interval is None or timex.granularity is None:
            continue  # durations, sets, "now": nothing to place on a calendar
        sentence_index = _sentence_of(spans, timex.start)
        if sentence_index is None or (sentence_index, timex.value) in seen:
            continue
        seen.add((sentence_index, timex.value))
        s_start, s_end = spans[sentence_index]
        found.append(
            Mention(
                sentence=document.text[s_start:s_end],
                quote=timex.text,
                quote_start=timex.start - s_start,
                quote_end=timex.end - s_start,
                value=timex.value,
                granularity=timex.granularity,
                interval=timex.interval,
                tense=tense_of(timex.interval, published_day),
                sentence_start=s_start,
                source=document.source,
                url=document.canonical_url,
                published=document.published,
            )
        )
    return found


def tense_of(interval: Interval, published_day: date) -> Tense:
    """Past, ongoing or upcoming as of the publish day."""
    if interval.end <= published_day:
        return Tense.PAST
    if interval.start > published_day:
        return Tense.UPCOMING
    return Tense.ONGOING


def merge(mentions: Sequence[Mention], candidates: Sequence[Event]) -> list[Event]:
    """Join `mentions` with `candidates` and with each other; return every event touched.

    Two mentions report the same happening when their dates are compatible and their
    sentences similar. A mention joins every event holding such a mention, so events it
    bridges become one: the events are the connected groups of that relation, whatever
    order the mentions arrive in. Each event's key, date and title come from its mentions
    by fixed rules, so they do not depend on arrival order either. A candidate absorbed
    into another event is not returned; its mentions are in the event that absorbed it.
    """
    pool: list[tuple[Mention, ...]] = [event.mentions for event in candidates]
    touched: set[int] = set()  # indexes into pool of groups that changed
    for mention in mentions:
        joined = [
            index
            for index, group in enumerate(pool)
            if group and any(_same_happening(mention, other) for other in group)
        ]
        merged = (*(m for index in joined for m in pool[index]), mention)
        for index in joined:
            pool[index] = ()
            touched.discard(index)
        pool.append(merged)
        touched.add(len(pool) - 1)
    return [_event_of(pool[index]) for index in sorted(touched)]


def _same_happening(a: Mention, b: Mention) -> bool:
    return _compatible(a, b) and similarity(a.sentence, b.sentence) > 0


def similarity(a: str, b: str) -> float:
    """Share of the shorter sentence's key words that the other one has too (0 when too few).

    Words match when they are one after folding (accents, plurals, possessives), when news
    writing uses them for one kind of happening ("met", "meeting", "talks"), or when they
    are spelling variants of one word ("Ukraine", "Ukrainian"; "Zelensky", "Zelenskyy").

    Sentences of one story share its cast ("Trump", "Nato", "Ukraine"), so shared words
    alone would join different happenings of one day. When both sentences name someone,
    each must also name the other's leading actor: "Healey started talks ... Trump" and
    "Asked about Mr Trump's comments, Kinnock told ..." are two events, while "Sir Keir
    Starmer will talk to European leaders" and "The call will see Sir Keir speaking to
    von der Leyen" are one. Sharing word pairs ("oval office row") is evidence enough too.
    """
    a, b = _undated(a), _undated(b)
    words_a, words_b = keywords(a), keywords(b)
    shorter, longer = sorted((words_a, words_b), key=len)
    # A cheap bound first (merging compares a mention with every event of its day): words
    # that match, even as spelling variants, share their first MIN_COMMON_PREFIX letters.
    longer_stems = _stems(longer)
    if sum(1 for word in shorter if word[:MIN_COMMON_PREFIX] in longer_stems) < max(
        MIN_SHARED_WORDS, MIN_OVERLAP * len(shorter)
    ):
        return 0.0
    shared = [word for word in shorter if _has_word(longer, word)]
    if len(shared) < MIN_SHARED_WORDS:
        return 0.0
    overlap = len(shared) / len(shorter)
    if overlap < MIN_OVERLAP:
        return 0.0
    if _rival_names(a, b):
        return 0.0
    if _name_each_other(a, b) or len(_pairs(a) & _pairs(b)) >= MIN_SHARED_PAIRS:
        return overlap
    return 0.0


@lru_cache(maxsize=16384)
def _undated(sentence: str) -> str:
    return _DATELINE.sub("", sentence, count=1)


@lru_cache(maxsize=16384)
def _stems(words: frozenset[str]) -> frozenset[str]:
    return frozenset(word[:MIN_COMMON_PREFIX] for word in words)


def _rival_names(a: str, b: str) -> bool:
    """One kind of thing named two ways: "the Hexford by-election" and "the Dunmere
    by-election", "Castlebridge port" and "Dover port". Both sentences put a name right
    before the same word, and neither names the other's."""
    before_a, before_b = _named_words(a), _named_words(b)
    words_a, words_b = names(a) | keywords(a), names(b) | keywords(b)
    return any(
        not _named(run_a, words_b) and not _named(before_b[word], words_a)
        for word, run_a in before_a.items()
        if word in before_b
    )


@lru_cache(maxsize=16384)
def _named_words(sentence: str) -> dict[str, frozenset[str]]:
    """Lower-case words that directly follow a name, with that name."""
    found: dict[str, frozenset[str]] = {}
    run: list[str] = []
    for match in _WORD.finditer(sentence):
        raw = _fold(match.group())
        word = _plain(raw.lower().removesuffix("'s"))
        if raw[0].isupper() and word not in _NOT_NAMES:
            run.append(word)
            continue
        if run and word not in _STOPWORDS:
            found.setdefault(word, frozenset(run))
        run = []
    return found


def _name_each_other(a: str, b: str) -> bool:
    """True unless a sentence leads with someone the other one does not name.

    Named means most words of the actor's name are among the other sentence's names and key
    words: "Sir Keir Starmer" is named by "Sir Keir", but "Castlebridge Harbour Ltd" is not
    named by "Castlebridge port", nor "Swiss National Bank" by "Bank of England".
    """
    names_a, names_b = names(a), names(b)
    actor_a, actor_b = leading_actor(a, known=names_b), leading_actor(b, known=names_a)
    if not actor_a or not actor_b:
        return True
    return _named(actor_a, names_b | keywords(b)) and _named(actor_b, names_a | keywords(a))


def _named(actor: frozenset[str], words: frozenset[str]) -> bool:
    found = sum(1 for word in actor if _has_word(words, word))
    return 2 * found >= len(actor)


def _has_word(words: frozenset[str], word: str) -> bool:
    """`word` or a spelling variant of it is among `words`."""
    return word in words or any(_variants(word, other) for other in words)


@lru_cache(maxsize=65536)
def _variants(a: str, b: str) -> bool:
    """Two spellings of one word: rapidfuzz's Jaro-Winkler score is high and they share a
    stem ("ukraine"/"ukrainian", "council"/"councillor", "zelensky"/"zelenskyy"). The common
    prefix keeps look-alike names apart ("starmer"/"stammer", "hexford"/"hereford")."""
    if min(len(a), len(b)) < MIN_COMMON_PREFIX:
        return False
    return (
        Prefix.similarity(a, b) >= MIN_COMMON_PREFIX
        and JaroWinkler.similarity(a, b, score_cutoff=MIN_WORD_SIMILARITY) > 0
    )


@lru_cache(maxsize=65536)
def names(sentence: str, known: frozenset[str] = frozenset()) -> frozenset[str]:
    """Lower-cased words of the capitalised names in a sentence, titles left out."""
    return frozenset(word for run in _name_runs(sentence, known) for word in run)


def leading_actor(sentence: str, known: frozenset[str] = frozenset()) -> frozenset[str]:
    """The first name in the sentence: usually who acts or speaks."""
    return frozenset(next(iter(_name_runs(sentence, known)), []))


def _name_runs(sentence: str, known: frozenset[str]) -> Iterator[list[str]]:
    """Runs of capitalised words. The sentence's first word is capitalised anyway, so it
    counts only when a capitalised word follows it ("Keir Starmer said"), it is `known`, or
    it is possessive ("Skyline's chief executive")."""
    run: list[str] = []
    for index, match in enumerate(_WORD.finditer(sentence)):
        raw = _fold(match.group())
        word = _plain(raw.lower().removesuffix("'s"))
        capitalised = raw[0].isupper() and word not in _NOT_NAMES
        if index == 0 and capitalised and word not in known:
            following = _WORD.search(sentence, match.end())
            capitalised = (
                following is not None and following.group()[0].isupper()
            ) or raw.endswith("'s")
        if capitalised and word in _TITLES:
            continue  # "Sir Keir", "Mr Trump": the title neither starts nor ends a name
        if capitalised:
            run.append(word)
        elif run:
            yield run
            run = []
    if run:
        yield run


@lru_cache(maxsize=16384)
def keywords(sentence: str) -> frozenset[str]:
    """Lower-cased content words with a light plural/possessive folding, each word of a
    kind of happening written as its sense ("talks" as "meet")."""
    return frozenset(_content_words(sentence))


@lru_cache(maxsize=16384)
def _pairs(sentence: str) -> frozenset[tuple[str, str]]:
    """Neighbouring content words: "oval office", "office row", "saudi arabia"."""
    words = _content_words(sentence)
    return frozenset(pairwise(words))


def _content_words(sentence: str) -> list[str]:
    words = []
    for match in _WORD.finditer(sentence):
        word = _fold(match.group()).lower()
        word = word.removesuffix("'s").strip("'-")
        if len(word) < 2 or word in _STOPWORDS or word in _CALENDAR_WORDS:
            continue
        words.append(_SENSE.get(word) or _plain(word))
    return words


def _plain(word: str) -> str:
    """A light plural folding, the same for names and key words ("talks", "Rovers")."""
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@lru_cache(maxsize=65536)
def _fold(word: str) -> str:
    """Accents off and one apostrophe: "Erdoğan" is "Erdogan", "Trump’s" is "Trump's"."""
    decomposed = unicodedata.normalize("NFKD", word.replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def event_key(mention: Mention) -> str:
    """A stable key for the event a mention founds: same input, same key, on every run."""
    payload = "\x1f".join([mention.value, mention.url, mention.sentence])
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def _sentence_of(spans: Sequence[tuple[int, int]], offset: int) -> int | None:
    for index, (start, end) in enumerate(spans):
        if start <= offset < end:
            return index
    return None


def _compatible(a: Mention, b: Mention) -> bool:
    if a.interval.start >= b.interval.end or b.interval.start >= a.interval.end:
        return False
    if a.granularity.within_a_day and b.granularity.within_a_day:
        return True
    return a.granularity == b.granularity


def _event_of(mentions: Sequence[Mention]) -> Event:
    """The event a group of mentions makes: dated by its most precise report, titled and
    keyed by its earliest one (ties broken by report order, so any arrival order agrees)."""
    ordered = sorted(mentions, key=_report_order)
    first = ordered[0]
    precise = max(ordered, key=lambda m: _PRECISION[m.granularity])  # max keeps the earliest
    return Event(
        key=event_key(first),
        value=precise.value,
        granularity=precise.granularity,
        interval=precise.interval,
        title=_title(first.sentence),
        mentions=tuple(ordered),
    )


def _report_order(mention: Mention) -> tuple[str, str, int, int]:
    published = mention.published.astimezone(UTC).isoformat() if mention.published else ""
    return (published, mention.url, mention.sentence_start, mention.quote_start)


def _title(sentence: str) -> str:
    """The sentence, without a wire dateline, cut at a word boundary when long."""
    sentence = _DATELINE.sub("", " ".join(sentence.split()), count=1)
    if len(sentence) <= MAX_TITLE_CHARS:
        return sentence
    return sentence[: MAX_TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"
