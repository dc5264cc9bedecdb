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
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import UTC, date
from functools import lru_cache
from itertools import pairwise
from sys import intern
from typing import NamedTuple

from rapidfuzz.distance import JaroWinkler, Prefix

from timeline.model import (
    CueNeeds,
    Document,
    Event,
    Granularity,
    Interval,
    Mention,
    Tense,
    Timex,
)
from timeline.text import sentence_spans

MAX_TITLE_CHARS = 240

_PRECISION = {g: i for i, g in enumerate(Granularity)}  # coarsest first

# Two sentences report the same happening when they share at least this many key words,
# and these make up at least this share of the shorter sentence's key words.
MIN_SHARED_WORDS = 2
MIN_OVERLAP = 0.2
# ... and either name each other's leading actor, or share this many neighbouring word pairs.
MIN_SHARED_PAIRS = 2

# Marks among a sentence's cues (join_cues): it names someone by office alone ("the judge"),
# it leads with nobody. No word begins with "!", and "+" (a pair's cue) is in none (_TOKEN).
OFFICE_CUE = "!office"
UNLED_CUE = "!unled"

# A wire story's dateline, "LONDON (Reuters) - " or "KYIV, Ukraine —": a place, not an actor.
_DATELINE = re.compile(r"^[A-Z][A-Z .'-]+(?:, [A-Z][\w .'-]*)?(?: \([^)]*\))? *[-–—] +")
# Words, and numbers with their separators ("2,000", "3.4").
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_][\w'’-]*")
_STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just let me more most my no nor not now of off on once only
    or other our ours out over own same she should so some such than that the their theirs
    them then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your said says say told
    tell added according mr mrs ms sir dame dr prof lord lady new one may might must shall
    also however since still yet already even well back many much per cent percent""".split()
)
# Calendar words carry the date, which is compared separately; as key words they would
# make every "on Friday" sentence look alike.
_CALENDAR_WORDS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday today tomorrow yesterday
    tonight overnight morning afternoon evening night week weeks weekend month months year
    years day days last next earlier later recent recently ago january february march april
    june july august september october november december""".split()
)
_NUMBERS = {
    word: f"#{value}"
    for value, word in enumerate(
        "zero _ two three four five six seven eight nine ten eleven twelve".split()
    )
}
_ORDINALS = frozenset("first second third fourth fifth sixth seventh eighth ninth tenth".split())
_SCALES = {"m": "m", "million": "m", "bn": "bn", "billion": "bn", "k": "k", "thousand": "k"}

# Who someone is rather than their name: "Prime Minister Keir Starmer", "Nato secretary
# general Mark Rutte", "the Kremlin spokesman", "the judge".
_ROLES = frozenset(
    """president prime minister secretary chancellor governor deputy general spokesman
    spokeswoman spokesperson chief executive chairman chairwoman chair captain manager coach
    midfielder striker defender goalkeeper envoy ambassador judge king queen prince princess
    mayor premier senator counterpart leader head commissioner director boss commander
    admiral pope archbishop bishop cardinal emir sultan congressman congresswoman lawmaker
    founder""".split()
)
_SPEECH = frozenset("said says told announced confirmed reported added".split())
_PLACE_WORDS = frozenset("in at from near outside across inside".split())  # "in Jeddah"
# Who told, not what happened: ", officials said", ", the agency reported", ", according to
# local reports", "Police said ...". Outlets credit one happening to different sources and
# unrelated happenings to the same ones, so a speaker's common words are not key words.
_TOLD = frozenset("said says say told tells reported added according".split())
_SAID = frozenset("said says say told tells".split())  # what may follow a speaker who opens
_SPEAKER_REACH = 5  # words a speaker takes, at most ("Reports from the capital say")
_AFTER_TOLD = 3  # words after the verb of a closing attribution ("told reporters on Friday")
_CONNECTORS = frozenset("of for".split())  # "Bank of England", "Office for National Statistics"
# A capitalised first word with these endings is more likely a common noun or adjective
# ("Officials", "Speaking", "Unemployment") than a name.
_COMMON_ENDINGS = ("s", "ing", "ed", "al", "ment", "ion", "ity", "ness", "ive", "ic", "ly")

# Verbs in the past that do not end in -ed, to tell "Starmer met" from "Heavy rain".
_PAST = frozenset(
    """met won held led left made took gave went came hit cut struck spoke saw sent ran set
    put began fell rose chose sold paid lost beat quit fled flew drew kept brought bought
    caught fought thought sought taught told said""".split()
)

# Countries, with what news writing puts for them: the people, the capital, the seat of
# government ("Kyiv backed a US proposal" and "Ukraine said it would accept").
_COUNTRY_WORDS = """
    us usa america american washington
    uk britain british
    ukraine ukrainian kyiv kiev
    russia russian moscow kremlin
    china chinese beijing
    france french paris elysee
    germany german berlin
    denmark danish copenhagen
    israel israeli jerusalem
    iran iranian tehran
    japan japanese tokyo
    india indian delhi
    turkey turkish ankara
    poland polish warsaw
    italy italian rome
    spain spanish madrid
    portugal portuguese lisbon
    canada canadian ottawa
    mexico mexican
    syria syrian damascus
    egypt egyptian cairo
    iraq iraqi baghdad
    lebanon lebanese beirut
    afghanistan afghan kabul
    pakistan pakistani islamabad
    taiwan taiwanese taipei
    netherlands dutch
    belgium belgian
    switzerland swiss
    austria austrian vienna
    sweden swedish stockholm
    norway norwegian oslo
    finland finnish helsinki
    greece greek athens
    hungary hungarian budapest
    romania romanian bucharest
    ireland irish dublin
    saudi riyadh
    scotland scottish edinburgh
    wales welsh cardiff
    australia australian canberra
    brazil brazilian
    venezuela venezuelan caracas
    nigeria nigerian
    kenya kenyan nairobi
    sudan sudanese khartoum
    ethiopia ethiopian
    somalia somali mogadishu
    yemen yemeni sanaa
    qatar qatari doha
    jordan jordanian amman
    libya libyan tripoli
    morocco moroccan rabat
    algeria algerian algiers
    tunisia tunisian tunis
    palestine palestinian palestinians
    belarus belarusian minsk
    serbia serbian belgrade
    croatia croatian zagreb
    bulgaria bulgarian sofia
    czechia czech prague
    slovakia slovak bratislava
    lithuania lithuanian vilnius
    latvia latvian riga
    estonia estonian tallinn
    moldova moldovan chisinau
    armenia armenian yerevan
    azerbaijan azerbaijani baku
    kazakhstan kazakh astana
    thailand thai bangkok
    vietnam vietnamese hanoi
    indonesia indonesian jakarta
    philippines filipino manila
    malaysia malaysian
    bangladesh bangladeshi dhaka
    nepal nepalese kathmandu
    myanmar burmese
    colombia colombian bogota
    chile chilean
    peru peruvian
    argentina argentine argentinian
    cuba cuban havana
    haiti haitian
    jamaica jamaican
"""
_PLACES = {
    word: line.split()[0] for line in _COUNTRY_WORDS.strip().splitlines() for word in line.split()
}
_COUNTRIES = frozenset(_PLACES)
_ALIASES = {
    "united states": "US",
    "united kingdom": "UK",
    "great britain": "Britain",
    "european union": "EU",
}
_ALIAS = re.compile("|".join(rf"\b{re.escape(alias)}\b" for alias in _ALIASES), re.IGNORECASE)

# Two words are spelling variants of one when rapidfuzz's Jaro-Winkler similarity reaches
# this and they share a prefix this long (see `_variants`).
MIN_WORD_SIMILARITY = 0.9
MIN_COMMON_PREFIX = 4

# Words outlets use for one kind of happening, each read as the first word of its line:
# one outlet's "met" is another's "held talks" or "meeting" (issue 6: "talks/met/meeting").
# Two reports that each name a kind, and no kind in common, are of two happenings ("found
# guilty" and "cleared"). General verbs (said, agreed) are left out.
_KIND_WORDS = """
    meet met meeting talk negotiation negotiate summit gathered host hosted
    call phone telephone phoned
    strike walkout strikes
    fire blaze wildfire flames
    earthquake quake tremor
    ceasefire truce
    convicted guilty convict
    acquitted cleared acquit
    sentenced jailed
    arrested detained
    charged
    arrived landed arrival arrive
    cancelled scrapped cancel cancellation abolished abolish axed
    win won victory
    apologised apology sorry apologise apologized
    sacked dismissed fired ousted
    resigned resign resignation quit
    evacuation evacuated evacuate
    injured hurt wounded injury injuries
    killed died dead death deaths
    protest protested protests protesters demonstrators march marched marchers
"""
# Words outlets use for one thing, which do not name a happening of their own.
_SYNONYM_WORDS = """
    reporter reporters journalists journalist press
    dockers dockworkers
    interim temporary caretaker acting
    cut cuts slash slashed reduce reduced lower lowered laying laid layoffs
    job jobs employees staff
    rise rose climbed increased
    fall fell eased slowed dropped declined
    backed supported support endorsed accept accepted
    resume resumed lift lifted restart
    pause paused suspend suspended halt halted
    struck hit
    clashed clash row
    move signing transfer signed joined
    approved approval approve passed voted vote
    greeted received welcomed
    exploded blew explosion blast
    extend extended renew renewed prolong
    election elect elected ballot polls
    figures statistics data
    deal agreement accord pact
    crash crashed collision collided derailed
    visit visited toured
    arms weapons weapon
    plane planes aircraft airliner flight
    released freed
    comments remarks
    address addressed speech spoke speaking
    troops soldiers forces
"""
# Verbs that say a thing was done, not what: "The EU agreed to phase out Russian gas" and "The
# EU agreed to new sanctions against Russia" share who, "agreed" and "Russia", not what.
_GENERAL = frozenset("agreed agree announced confirmed decided reported".split())
# Kinds that the one who leads a report can do only once ("Angela Rayner resigned", "Angela
# Rayner quit as deputy prime minister"): with the same actor, the kind alone is what.
# Not "sacked" and the like: "Trump fired" two officials on one day.
_ONCE = frozenset(["resigned"])
_KINDS = frozenset(line.split()[0] for line in _KIND_WORDS.strip().splitlines())
_SENSE = {
    word: line.split()[0]
    for line in (_KIND_WORDS + _SYNONYM_WORDS).strip().splitlines()
    for word in line.split()
}

# Where a sentence tells what another happening came after or before ("Shares jumped after
# the US and China agreed to cut tariffs"), that happening is not the one it reports.
_REFERENCE = re.compile(r"\b(?:after|before|ahead of|following|until)\b[^,;:]*", re.IGNORECASE)
# A relative clause set off by a comma says more about someone, not what the sentence reports:
# "The prime minister was briefed on a summit of EU leaders, who agreed to spend more".
_ASIDE = re.compile(r",\s+(?:who|which|whose)\b[^,;:]*", re.IGNORECASE)


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
        sentence = document.text[s_start:s_end]
        found.append(
            Mention(
                sentence=sentence,
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
                stems=key_stems(sentence),
                cues=join_cues(sentence),
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


def merge(
    mentions: Sequence[Mention],
    candidates: Sequence[Event],
    joined: Sequence[AbstractSet[int] | None] | None = None,
) -> list[Event]:
    """Join `mentions` with `candidates` and with each other; return every event touched.

    Two mentions report the same happening when their dates are compatible and their
    sentences similar. A mention joins every event holding such a mention, so events it
    bridges become one: the events are the connected groups of that relation, whatever
    order the mentions arrive in. Each event's key, date and title come from its mentions
    by fixed rules, so they do not depend on arrival order either. A candidate absorbed
    into another event is not returned; its mentions are in the event that absorbed it.

    `joined`, when a store knows it, gives for each of `mentions` (None where it does not)
    the ids of the candidates' stored mentions that may_join answered True for it: those
    are all it joins, and no other stored mention is asked again (issue 4: a feed's batch
    meets hundreds of its days' events, which its candidate index had answered already).
    """
    pool: list[tuple[Mention, ...]] = [event.mentions for event in candidates]
    touched: set[int] = set()  # indexes into pool of groups that changed
    for position, mention in enumerate(mentions):
        # may_join answers as similarity does, asking the cheap tests first and each
        # sentence once (a batch of a feed's entries meets its day's events many times).
        joins = may_join(mention)
        known = joined[position] if joined is not None else None
        found = [
            index
            for index, group in enumerate(pool)
            if group
            and any(
                _compatible(mention, other)
                and (
                    other.id in known
                    if known is not None and other.id is not None
                    else joins(other.sentence, other.stems)
                )
                for other in group
            )
        ]
        merged = (*(m for index in found for m in pool[index]), mention)
        for index in found:
            pool[index] = ()
            touched.discard(index)
        pool.append(merged)
        touched.add(len(pool) - 1)
    return [_event_of(pool[index]) for index in sorted(touched)]


def similarity(a: str, b: str) -> float:
    """Share of the shorter sentence's key words that the other one has too (0 when they do
    not report one happening).

    Words match when they are one after folding (accents, plurals, possessives), when news
    writing uses them for one thing ("met", "meeting", "talks"; "Kyiv", "Ukraine",
    "Ukrainian"), or when they are spelling variants of one word ("Zelensky", "Zelenskyy").

    Sentences of one story share its cast ("Trump", "Nato", "Ukraine"), so shared words
    alone would join different happenings of one day. Four more things must hold:

    - they share words beyond who leads them: "Trump paused military aid" and "Trump paused
      tariffs" share who and the act, not what (see `_cast`);
    - each sentence's main clause shares a word that is not a name with the other: "Shares
      jumped after the US and China agreed to cut tariffs" reports the jump, not the deal,
      and an aside about someone (", who agreed to spend more") is not the main clause;
      when both say what they came after, that has something in common;
    - they do not name two different kinds of happening ("found guilty", "cleared"), nor
      tell one kind of thing apart by name or ordinal ("the Hexford by-election", "the
      Dunmere by-election"; "second reading", "third reading");
    - each names the other's leading actor ("Healey started talks ... Trump" and "Asked
      about Mr Trump's comments, Kinnock told ..." are two events; "Sir Keir Starmer will
      talk to European leaders" and "The call will see Sir Keir speaking to von der Leyen"
      one), or they share neighbouring word pairs ("oval office row").
    """
    if b < a:  # the tests below are not all symmetric; merging needs one answer per pair
        a, b = b, a
    return _similarity(_parse(a), _parse(b))


def _similarity(pa: _Parse, pb: _Parse) -> float:
    """similarity() of two parsed sentences, `pa` the one whose sentence sorts first."""
    short, long = (pa, pb) if len(pa.keywords) <= len(pb.keywords) else (pb, pa)
    shorter, longer = short.keywords, long.keywords
    # Every test below must hold, so their order changes no answer. The cheapest go first:
    # the stems, then whether they name each other, which rules out most pairs of a day's
    # news that share words (two people, or two places of one kind; issue 4).
    if not _enough_stems(short, long):
        return 0.0
    if not _name_each_other(pa, pb):
        return 0.0
    # The words themselves, then spelling variants among the rest.
    shared = [*(shorter & longer), *(w for w in shorter - longer if _has_word(longer, w))]
    if len(shared) < MIN_SHARED_WORDS:
        return 0.0
    overlap = len(shared) / len(shorter)
    if overlap < MIN_OVERLAP:
        return 0.0
    cast = _cast(pa, pb)
    if sum(
        1 for word in shared if word not in cast and word not in _GENERAL
    ) < MIN_SHARED_WORDS and not (pa.kinds & pb.kinds & _ONCE):
        return 0.0
    if not _main_clause_shared(pa, pb) or not _main_clause_shared(pb, pa):
        return 0.0
    if pa.kinds and pb.kinds and not pa.kinds & pb.kinds:
        return 0.0
    if pa.reference and pb.reference and not any(_has_word(pb.reference, w) for w in pa.reference):
        return 0.0  # arrests "after a fire destroyed a warehouse", "after a car hit a cyclist"
    if _rivals(pa, pb):
        return 0.0
    return overlap


def key_stems(sentence: str) -> tuple[str, ...]:
    """The first MIN_COMMON_PREFIX letters of each of the sentence's key words, sorted (a
    stem twice when two key words share it): enough to rule most pairs out (`may_join`)."""
    return _parse(sentence).stems


def join_cues(sentence: str) -> tuple[str, ...]:
    """What a store files a stored sentence under besides its key_stems, for `may_join`'s
    `needs` (sorted): the first MIN_COMMON_PREFIX letters of its names and other words that
    are not key words, those of each neighbouring pair of key words ("kalo+plan"), and
    OFFICE_CUE and UNLED_CUE when they hold. Enough to tell, without parsing it, that it
    can name no new sentence's leading actor nor share its pairs (see _join_needs)."""
    parse = _parse(sentence)
    cues = {*parse.word_stems.difference(parse.stemset), *_pair_cues(parse)}
    if parse.offices:
        cues.add(OFFICE_CUE)
    if parse.leader is None:
        cues.add(UNLED_CUE)
    return tuple(sorted(cues))


def _pair_cues(parse: _Parse) -> set[str]:
    """Each neighbouring pair of key words as its stems: pairs that match have equal ones."""
    return {intern(f"{a[:MIN_COMMON_PREFIX]}+{b[:MIN_COMMON_PREFIX]}") for a, b in parse.pairs}


def _join_needs(parse: _Parse) -> CueNeeds | None:
    """What a stored sentence's stems and cues (join_cues) must hold when `_name_each_other`
    of this new one and it can be True; None when they need hold nothing. Issue 4: most
    stored mentions of a day share two stems with a new one ("expected to speak", "vote
    due") and fail only when the names are tested, so a store looks this up first.

    Exact, by the cases of _name_each_other, whoever leads the other sentence: True needs
    that it names this one's leading actor (its word stems cover enough of the actor's
    name's or affiliation's, as _may_name counts, or it names someone by office alone:
    OFFICE_CUE), or that they share MIN_SHARED_PAIRS pairs, or that it leads with nobody
    (UNLED_CUE). The leader may be the opening word instead (see _leading): both count.
    With no leader, or one without a name, nothing is needed."""
    if parse.leader is None:
        return None
    needs: list[tuple[tuple[str, ...], int]] = [((OFFICE_CUE,), 1), ((UNLED_CUE,), 1)]
    for actor in (parse.leader, parse.opener):
        if actor is None:
            continue
        if not actor.name or actor.name_needed <= 0:
            return None
        needs.append((actor.name_stems, actor.name_needed))
        if actor.affiliation:
            if actor.affiliation_needed <= 0:
                return None
            needs.append((actor.affiliation_stems, actor.affiliation_needed))
    if len(parse.pairs) >= MIN_SHARED_PAIRS:
        # Two pairs of words may have one pair of stems ("plan+kalo"): fewer cues to share.
        pairs = _pair_cues(parse)
        needed = max(1, MIN_SHARED_PAIRS - (len(parse.pairs) - len(pairs)))
        needs.append((tuple(sorted(pairs)), needed))
    return tuple(needs)


@dataclass(frozen=True, slots=True)
class _Joins:
    """may_join's answer: the test, and what a stored sentence's stems and cues must hold
    for it to be True (`needs`; None: nothing)."""

    test: Callable[[str, Sequence[str]], bool]
    needs: CueNeeds | None

    def __call__(self, sentence: str, stems: Sequence[str]) -> bool:
        return self.test(sentence, stems)


def may_join(mention: Mention) -> _Joins:
    """What `merge` asks of each pair, made ready for one new mention, for a store to ask of
    each stored mention of a compatible date before it reads any event whole: whether
    `mention` reports the same happening as a stored mention of `sentence`. Most stored
    mentions are ruled out by their key_stems alone (`stems`; empty when not known), without
    parsing their sentence: that test is exact, like similarity's own first one. A store
    can rule out more before it asks, by their cues (`needs`, see _join_needs)."""
    own = mention.stems
    own_set = frozenset(own)
    own_count = Counter(own)
    n = len(own)
    parse = _parse(mention.sentence)
    # Each sentence's answer, asked once: a day's stored mentions repeat sentences (wire copy
    # that outlets run as it is, a report stored twice); its stems still decide per mention.
    answers: dict[str, bool] = {}

    def joins(sentence: str, stems: Sequence[str]) -> bool:
        answer = answers.get(sentence)
        if answer is False:
            return False  # the stems below could only rule it out again
        if own and stems:
            # _enough_stems for the two sentences, the shorter one as similarity takes it:
            # the one with fewer key words (one stem each), either on a tie. Each shared stem
            # counts as often as it is in `own`, and as in `stems`: at least once, which
            # is enough for most pairs the candidate index lets through.
            shared = own_set.intersection(stems)  # most stored mentions share one or none
            if not shared:
                return False
            m = len(stems)
            if not (
                _enough(len(shared), min(n, m))
                or (n <= m and _enough(sum(map(own_count.__getitem__, shared)), n))
                or (m <= n and _enough(sum(map(stems.count, shared)), m))
            ):
                return False
        if answer is None:
            # similarity's test of names first, which it must pass too: it rules out most
            # pairs that share enough stems (issue 4), and it is the same both ways round,
            # so it needs neither similarity's sorting of the two nor its stem test again.
            answer = answers[sentence] = (
                _name_each_other(parse, _parse(sentence))
                and similarity(mention.sentence, sentence) > 0
            )
        return answer

    return _Joins(joins, _join_needs(parse))


def _enough_stems(short: _Parse, long: _Parse) -> bool:
    """A cheap bound, tried first (merging compares a mention with every event of its day):
    words that match, even as spelling variants, share their first MIN_COMMON_PREFIX letters,
    so too few shared stems means too few shared words."""
    if len(short.stemset) == len(short.stems):  # each stem once, the usual case
        return _enough(len(short.stemset & long.stemset), len(short.stems))
    return _enough(sum(1 for stem in short.stems if stem in long.stemset), len(short.stems))


def _enough(shared: int, short_length: int) -> bool:
    """The bound itself: at least MIN_SHARED_WORDS shared, and MIN_OVERLAP of the shorter
    sentence's key words (one stem each)."""
    return shared >= MIN_SHARED_WORDS and shared >= MIN_OVERLAP * short_length


class _Token(NamedTuple):  # a tuple: built ~40 times per sentence parsed (issue 4)
    word: str  # lower case, accents, plural and possessive folded, a place as its country
    form: str  # lower case as written
    key: str  # the key word: the word's sense, a number as "#6"; "" for a stop word
    capitalised: bool
    quoted: bool  # inside quotation marks: names there are not actors
    comma: bool = False  # a comma comes right before it
    possessive: bool = False  # "Skyline's"


_NONE: frozenset[str] = frozenset()  # shared: each empty frozenset() is a new object
_END = _Token(word="", form="", key="", capitalised=False, quoted=False)  # closes the last run


@dataclass(frozen=True, slots=True)
class _Actor:
    """Who a run of names is: "Danish prime minister Mette Frederiksen" has the name
    {mette, frederiksen}, the titles {prime, minister} and the affiliation {denmark}; "the
    Ukrainian president" has a title and an affiliation but no name."""

    name: frozenset[str]
    titles: frozenset[str]
    affiliation: frozenset[str]
    place: bool  # "in Jeddah", "at Sandringham": where, not who
    definite: bool  # "the judge", "the Ukrainian president": someone the reader knows
    source: bool = False  # ", the Met Office said": who tells, not who acts
    # What _may_name asks of thousands of other sentences, worked out once (issue 4): the
    # first letters of the words of the name and of the affiliation, each with how many of
    # them must begin a word of a sentence that names it (see _stem_bound).
    name_stems: tuple[str, ...] = field(init=False, repr=False, compare=False)
    name_needed: int = field(init=False, repr=False, compare=False)
    affiliation_stems: tuple[str, ...] = field(init=False, repr=False, compare=False)
    affiliation_needed: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_field = object.__setattr__  # the way into a frozen dataclass's own fields
        stems, needed = _stem_bound(self.name)
        set_field(self, "name_stems", stems)
        set_field(self, "name_needed", needed)
        stems, needed = _stem_bound(self.affiliation)
        set_field(self, "affiliation_stems", stems)
        set_field(self, "affiliation_needed", needed)


@lru_cache(maxsize=16384)  # names recur across a day's sentences (issue 4)
def _stem_bound(words: frozenset[str]) -> tuple[tuple[str, ...], int]:
    """The first MIN_COMMON_PREFIX letters of `words`, and how many of them at least begin
    one of a sentence's words when `_named(words, ...)` holds there: half of the words, as
    `_named` counts, less those that share their first letters with another (a word and its
    spelling variants begin alike, see `_variants`)."""
    if not words:  # most actors' affiliation
        return (), 0
    stems = tuple(sorted({intern(word[:MIN_COMMON_PREFIX]) for word in words}))  # each once
    return stems, (len(words) + 1) // 2 - (len(words) - len(stems))


_NOBODY = _Actor(
    name=frozenset(), titles=frozenset(), affiliation=frozenset(), place=False, definite=False
)


@dataclass(frozen=True, slots=True)
class _Parse:
    keywords: frozenset[str]
    stems: tuple[str, ...]  # each key word's first MIN_COMMON_PREFIX letters
    stemset: frozenset[str]
    names: frozenset[str]
    pairs: frozenset[tuple[str, str]]
    main: frozenset[str]  # key words of the main clause that are not names
    reference: frozenset[str]  # key words of what it happened after or before
    kinds: frozenset[str]  # kinds of happening the main clause names
    actors: tuple[_Actor, ...]
    before: dict[str, frozenset[str]]  # a word -> the name or ordinal right before it
    opening: str  # the first word, when capitalised and not taken for a name
    # What merging asks of a sentence about each of thousands of others, worked out once
    # (issue 4): its names and key words together, who leads it (see _leading), and the
    # titles of those it names by office alone ("the judge").
    words: frozenset[str]
    word_stems: frozenset[str]  # each of words' first MIN_COMMON_PREFIX letters
    leader: _Actor | None  # the first one named who is not a place
    opener: _Actor | None  # the opening word as a name, when the other sentence names it
    offices: tuple[frozenset[str], ...]  # titles of the definite actors without a name
    full_names: tuple[frozenset[str], ...]  # the names of two words or more


@lru_cache(maxsize=16384)
def _parse(sentence: str) -> _Parse:
    sentence = _undated(sentence)
    tokens = _tokens(sentence)
    main = _ASIDE.sub(",", _REFERENCE.sub(",", sentence))
    actors = _actors(tokens)
    opening = ""
    if tokens and tokens[0].capitalised and tokens[0].key and not _is_name(tokens, 0):
        opening = tokens[0].word
    names = frozenset(word for actor in actors for word in actor.name | actor.affiliation)
    keys, speakers = _key_words(tokens)
    # Most sentences are their main clause (no aside, no reference): their tokens again.
    main_keys = frozenset(keys if main == sentence else _key_words(_tokens(main))[0])
    # Stems interned, one string each for every parse and the store's candidate index: less
    # memory, and the name and stem tests of thousands of pairs compare them by identity.
    stems = tuple(sorted(intern(key[:MIN_COMMON_PREFIX]) for key in frozenset(keys)))
    stemset = frozenset(stems)
    keywords = frozenset(keys)
    # A parse is kept for thousands of comparisons (issue 4): a set that equals another is
    # that one, and an empty one is _NONE.
    words = names | keywords | speakers
    words = keywords if len(words) == len(keywords) else words
    word_stems = stemset.union(intern(word[:MIN_COMMON_PREFIX]) for word in names | speakers)
    word_stems = stemset if len(word_stems) == len(stemset) else word_stems
    return _Parse(
        keywords=keywords,
        stems=stems,
        stemset=stemset,
        names=names,
        pairs=frozenset(pairwise(keys)),
        main=main_keys - names or _NONE,
        reference=frozenset(
            token.key
            for clause in _REFERENCE.findall(sentence)
            for token in _tokens(clause)
            if token.key
        )
        or _NONE,
        kinds=frozenset(key for key in main_keys if key in _KINDS) or _NONE,
        actors=actors,
        before=_named_words(tokens),
        opening=opening,
        words=words,
        word_stems=word_stems,
        leader=next(
            (
                actor
                for actor in actors
                if (actor.name or actor.definite) and not actor.place and not actor.source
            ),
            None,
        ),
        opener=replace(_NOBODY, name=frozenset({opening})) if opening else None,
        offices=tuple(actor.titles for actor in actors if not actor.name and actor.definite),
        full_names=tuple(actor.name for actor in actors if len(actor.name) >= 2),
    )


def _cast(a: _Parse, b: _Parse) -> frozenset[str]:
    """The leading actors' names and titles, which alone do not tell one happening from another:
    "Trump paused military aid" and "Trump paused tariffs" share who and the act, not what.
    When the sentences lead with two people that both name ("Trump and Putin spoke", "Putin
    and Trump held a call"), each is the other's counterpart, part of what happened."""
    actor_a, actor_b = _leading(a, b), _leading(b, a)
    if actor_a is None or actor_b is None:
        actor = actor_a or actor_b or _NOBODY
        return actor.name | actor.titles
    words_a, words_b = a.words, b.words
    if (
        not _named(actor_a.name, actor_b.name)  # two people, not "Zelensky" and "Zelenskyy"
        and _named(actor_a.name, words_b)
        and _named(actor_b.name, words_a)
    ):
        return frozenset()
    return actor_a.name | actor_a.titles | actor_b.name | actor_b.titles


def _main_clause_shared(a: _Parse, b: _Parse) -> bool:
    """`a`'s main clause shares a word that is not a name with `b`."""
    return any(_has_word(b.keywords, word) for word in a.main)


def _rivals(a: _Parse, b: _Parse) -> bool:
    """One kind of thing told apart by a name or ordinal: "the Hexford by-election" and "the
    Dunmere by-election", "Castlebridge port" and "Dover port", "second reading" and "third
    reading". Both sentences put a name right before the same word, and neither has the
    other's."""
    words_a, words_b = a.words, b.words
    return any(
        not _named(run_a, words_b) and not _named(b.before[word], words_a)
        for word, run_a in a.before.items()
        if word in b.before
    )


def _name_each_other(a: _Parse, b: _Parse) -> bool:
    """Whether each sentence names the one the other leads with, or only one of them does
    and they share MIN_SHARED_PAIRS neighbouring word pairs ("oval office row"). False when
    neither does ("Israel" and "Russia"). The same both ways round (may_join asks it first).

    Named means most words of the actor's name are among the other sentence's names and key
    words: "Sir Keir Starmer" is named by "Sir Keir", but "Castlebridge Harbour Ltd" is not
    named by "Castlebridge port", nor "Swiss National Bank" by "Bank of England". Someone
    is named by their affiliation too ("Dmitry Peskov, the Kremlin spokesman" by "the
    Kremlin"), and by a title the other sentence gives no name ("Judge Helen Carver" by
    "the judge"). A description ("the Ukrainian leader", "Ukraine's president") is named by
    its country, or may be the other's leading actor when that one is not named beside it.
    """
    actor_a, actor_b = _leading(a, b), _leading(b, a)
    if actor_a is not None and actor_b is not None:
        # Most pairs of a day's news lead with two people neither names (issue 4): a test
        # on first letters alone rules that out before the full one, which it never
        # contradicts (see _may_name). The second actor is asked about only when its
        # answer counts: both named, or one and the shared pairs.
        if _may_name(b, actor_a) and _names_actor(b, actor_a, a, actor_b):
            return _shared_pairs(a, b) or (
                _may_name(a, actor_b) and _names_actor(a, actor_b, b, actor_a)
            )
        return (
            _may_name(a, actor_b) and _shared_pairs(a, b) and _names_actor(a, actor_b, b, actor_a)
        )
    # Only one leads with someone. If that is a person with a title, what they did or said
    # is theirs ("Chancellor Rachel Reeves said the fall in inflation was welcome"), not an
    # impersonal report of the same day ("Official figures showed inflation eased"): the
    # other must name them, or share pairs with them.
    if actor_a is not None and actor_a.name and actor_a.titles:
        return _shared_pairs(a, b) or _names_actor(b, actor_a, a, _NOBODY)
    if actor_b is not None and actor_b.name and actor_b.titles:
        return _shared_pairs(a, b) or _names_actor(a, actor_b, b, _NOBODY)
    return True


def _shared_pairs(a: _Parse, b: _Parse) -> bool:
    return len(a.pairs & b.pairs) >= MIN_SHARED_PAIRS


def _leading(parse: _Parse, other: _Parse) -> _Actor | None:
    """The first one named who is not a place. A first word taken for a common noun is a
    name after all when the other sentence names it ("Rovers named", "Ashford Rovers")."""
    if parse.opener is not None and parse.opening in other.names:
        return parse.opener
    return parse.leader


def _names_actor(parse: _Parse, actor: _Actor, own: _Parse, own_leader: _Actor) -> bool:
    """`parse` names `actor`, who leads `own`; `own_leader` is who leads `parse`."""
    words = parse.words
    if not actor.name:  # "the King", "Ukraine's president": whoever holds the office
        # ... may be the other's leading actor, unless that one is named beside it.
        return _named(actor.affiliation, words) or (
            bool(own_leader.name) and not _named(own_leader.name, own.words)
        )
    if _named(actor.name, words) and not _someone_else(actor.name, parse.full_names):
        return True
    if actor.affiliation and _named(actor.affiliation, words):
        return True
    # Someone named by office alone ("the judge"), with one of the actor's titles if any.
    return any(not actor.titles or actor.titles & titles for titles in parse.offices)


def _may_name(parse: _Parse, actor: _Actor) -> bool:
    """False only when `_names_actor(parse, actor, ...)` is False, whoever leads `parse`:
    too few words of a named actor's name, and of their affiliation, begin as any word of
    `parse` does (spelling variants begin alike), and `parse` names nobody by office alone.
    Cheaper than the full test, not a replacement."""
    if not actor.name or parse.offices:
        return True
    stems = parse.word_stems
    if len(stems.intersection(actor.name_stems)) >= actor.name_needed:
        return True
    return (
        bool(actor.affiliation)
        and len(stems.intersection(actor.affiliation_stems)) >= actor.affiliation_needed
    )


@lru_cache(maxsize=65536)
def _someone_else(name: frozenset[str], full_names: tuple[frozenset[str], ...]) -> bool:
    """Whether the full names of a sentence (`full_names`, its names of two words or more)
    that share part of the full `name` are all another person's: "Sven Gusaka" and "Sven
    Kamika" are two people, though half of each name is the other's. A full name and a part
    of it ("Keir Starmer", "Sir Keir", "Starmer") are one. Cached on what it reads: a day's
    reports of one story name the same people, each compared with thousands of others."""
    if len(name) < 2:
        return False
    namesakes = [
        other
        for other in full_names
        if not other.isdisjoint(name) or any(_has_word(other, word) for word in name - other)
    ]
    return bool(namesakes) and not any(
        _all_named(name, other) or _all_named(other, name) for other in namesakes
    )


def _all_named(name: frozenset[str], words: frozenset[str]) -> bool:
    return name <= words or all(_has_word(words, word) for word in name - words)


def _named(actor: frozenset[str], words: frozenset[str]) -> bool:
    """Most words of `actor` (half or more) are among `words`, or spelling variants of them."""
    found = len(actor & words)  # the words themselves; only the rest may be variants
    if 2 * found < len(actor):
        by_stem = _by_stem(words)
        for word in actor - words:
            alike = by_stem.get(word[:MIN_COMMON_PREFIX])
            if alike and any(_variants(word, other) for other in alike):
                found += 1
    return 2 * found >= len(actor)


def _has_word(words: frozenset[str], word: str) -> bool:
    """`word` or a spelling variant of it is among `words`."""
    if word in words:
        return True
    # Variants share their first letters (see _variants): only those words are tried.
    alike = _by_stem(words).get(word[:MIN_COMMON_PREFIX], ())
    return any(_variants(word, other) for other in alike)


@lru_cache(maxsize=16384)
def _by_stem(words: frozenset[str]) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for word in words:
        stem = word[:MIN_COMMON_PREFIX]
        found[stem] = (*found.get(stem, ()), word)
    return found


@lru_cache(maxsize=65536)
def _variants(a: str, b: str) -> bool:
    """Two spellings of one word: rapidfuzz's Jaro-Winkler score is high and they share a
    stem ("ukraine"/"ukrainian", "council"/"councillor", "zelensky"/"zelenskyy"). The common
    prefix keeps look-alike names apart ("starmer"/"stammer", "hexford"/"hereford")."""
    if min(len(a), len(b)) < MIN_COMMON_PREFIX or a[0] == "#" or b[0] == "#":
        return False
    return (
        Prefix.similarity(a, b) >= MIN_COMMON_PREFIX
        and JaroWinkler.similarity(a, b, score_cutoff=MIN_WORD_SIMILARITY) > 0
    )


def names(sentence: str, known: frozenset[str] = frozenset()) -> frozenset[str]:
    """Lower-cased words of the names in a sentence (titles left out, places as their
    country): who acts, where, and for whom. `known` is no longer needed (a first word is
    read as a name by what follows it) and is kept for callers."""
    return _parse(sentence).names


def leading_actor(sentence: str, known: frozenset[str] = frozenset()) -> frozenset[str]:
    """The name of the first one in the sentence who is not a place: usually who acts or
    speaks."""
    parse = _parse(sentence)
    if parse.opening and parse.opening in known:
        return frozenset({parse.opening})
    actor = _leading(parse, parse)
    return actor.name if actor else frozenset()


def keywords(sentence: str) -> frozenset[str]:
    """Lower-cased content words with a light plural/possessive folding, each word of a
    kind of happening written as its sense ("talks" as "meet"), places as their country
    ("Kyiv" as "ukraine") and numbers as "#" and their value ("£8 million" as "#8m").
    A source the sentence credits is who told, not what happened: its common words are left
    out (", officials said", "according to local reports"; see `_told`)."""
    return _parse(sentence).keywords


@lru_cache(maxsize=16384)
def _undated(sentence: str) -> str:
    sentence = _DATELINE.sub("", sentence, count=1)
    return _ALIAS.sub(lambda match: _ALIASES[match.group().lower()], sentence)


def _tokens(sentence: str) -> list[_Token]:
    tokens: list[_Token] = []
    matches = list(_TOKEN.finditer(sentence))
    opened = closed = straight = 0  # quotation marks so far: they stand between tokens
    marks = "“" in sentence or "”" in sentence or '"' in sentence  # most sentences have none
    quoted = False
    end = 0
    for index, match in enumerate(matches):
        text = match.group()
        between = sentence[end : match.start()]
        end = match.end()
        if marks and between:
            opened += between.count("“")
            closed += between.count("”")
            straight += between.count('"')
            quoted = opened > closed or straight % 2 == 1
        comma = index > 0 and "," in between
        if text[0].isdigit():
            following = matches[index + 1].group().lower() if index + 1 < len(matches) else ""
            scale = _SCALES.get(following, "") if following else ""
            number = "#" + text.replace(",", "") + scale
            tokens.append(
                _Token(
                    word=number,
                    form=text,
                    key=number,
                    capitalised=False,
                    quoted=quoted,
                    comma=comma,
                )
            )
            continue
        word, form, fixed, sense, capitalised, possessive = _word_of(text)
        key = fixed
        if key is None:  # a capitalised word after the first is a name's: "the Met Office"
            key = word if capitalised and index > 0 else sense
        tokens.append(
            _Token(
                word=word,
                form=form,
                key=key,
                capitalised=capitalised,
                quoted=quoted,
                comma=comma,
                possessive=possessive,
            )
        )
    return tokens


@lru_cache(maxsize=32768)
def _word_of(text: str) -> tuple[str, str, str | None, str, bool, bool]:
    """What a word token is wherever it stands (issue 4: a sentence is parsed for each of
    thousands of comparisons, and its words recur in most of them): the word, as written
    (lower case), its key when that does not depend on its place (None when it does: a
    capitalised word after the first is a name's), its sense otherwise, whether it is
    capitalised, and whether possessive. A number's token depends on the next word."""
    raw = _fold(text)
    lower = raw.lower().removesuffix("'s").strip("'-")
    if raw.isupper() and len(raw) > 1:  # "US", "UK", "IT": an acronym, not a stop word
        word = lower
    elif lower in _SCALES or len(lower) < 2 or lower in _STOPWORDS:
        return lower, lower, "", "", False, False
    else:
        word = _plain(lower)
    # Interned: parses kept by the thousand share one string per word (issue 4).
    word = intern(_PLACES.get(word, word))
    capitalised = raw[0].isupper()
    possessive = raw.lower().endswith("'s")
    if lower in _CALENDAR_WORDS and (capitalised or lower != "march"):
        return word, lower, "", "", False, possessive
    if lower in _NUMBERS:
        return word, lower, _NUMBERS[lower], "", capitalised, possessive
    return (
        word,
        lower,
        None,
        intern(_SENSE.get(lower) or _SENSE.get(word) or word),
        capitalised,
        possessive,
    )


def _key_words(tokens: Sequence[_Token]) -> tuple[list[str], frozenset[str]]:
    """The key words of a sentence's tokens, in order, without the common words of those it
    credits (`_told`), and those words apart: they still name someone ("Police arrested
    three men" and "..., police said"). Names stay key words, and so do kinds of happening
    ("Protesters said they would march")."""
    told = _told(tokens)
    keys: list[str] = []
    speakers: set[str] = set()
    for index, token in enumerate(tokens):
        if not token.key:
            continue
        if index in told and token.key not in _KINDS and not _is_name(tokens, index):
            speakers.add(token.key)
        else:
            keys.append(token.key)
    return keys, frozenset(speakers)


def _told(tokens: Sequence[_Token]) -> set[int]:
    """Indexes of the tokens that say who told: a speaker without a comma who opens the
    sentence ("Officials said", "Reports from Renvi say") and the closing clause after the
    last comma, up to its verb ("..., officials said", "..., the agency reported on Friday",
    "..., which officials said would cost more"), or all of it after "according to"."""
    told: set[int] = set()
    for index, token in enumerate(tokens[: _SPEAKER_REACH + 1]):
        if index and token.comma:
            break
        if token.form in _SAID and index:
            told.update(range(index + 1))
            break
        if token.form == "according":  # "According to local reports, ..."
            end = next((i for i in range(index + 1, len(tokens)) if tokens[i].comma), index)
            told.update(range(index, end))
            break
    last = max((i for i, token in enumerate(tokens) if token.comma), default=None)
    if last is not None:
        for index in range(last, min(len(tokens), last + _SPEAKER_REACH + 2)):
            form = tokens[index].form
            if form == "according":
                told.update(range(last, len(tokens)))
                break
            if form in _TOLD and len(tokens) - index - 1 <= _AFTER_TOLD:
                told.update(range(last, index + 1))
                break
    return told


def _actors(tokens: Sequence[_Token]) -> tuple[_Actor, ...]:
    """Runs of names with their titles and affiliations, in sentence order."""
    found: list[tuple[int, int, _Actor]] = []  # first and last token, actor
    run: list[str] = []
    titles: list[str] = []
    affiliation: list[str] = []
    first = 0
    for index, token in enumerate([*tokens, _END]):
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if not run and not titles:
            first = index
        if token.word in _ROLES and not token.quoted:
            if run:  # "Nato secretary general Mark Rutte": Nato is who he works for
                affiliation, run = run, []
            titles.append(token.word)
            continue
        if _is_name(tokens, index) and not (run and token.comma):
            run.append(token.word)
            if token.possessive and _is_name(tokens, index + 1):
                affiliation, run = run, []  # "Elon Musk's Starship": whose, then what
            continue
        if run and token.word in _CONNECTORS and following and following.capitalised:
            continue  # "Bank of England", "Office for National Statistics"
        if run or titles:
            before = [token.word for token in tokens[max(first - 2, 0) : first]]
            actor = _Actor(
                name=frozenset(run),
                titles=frozenset(titles) if titles else _NONE,
                affiliation=frozenset(affiliation) if affiliation else _NONE,
                place=bool(
                    _PLACE_WORDS.intersection(before[-1:] if before[-1:] != ["the"] else before)
                ),
                definite=before[-1:] == ["the"]
                or (not run and bool(affiliation))
                or (first > 1 and tokens[first - 1].possessive and before[0] == "the"),
                source=token.form in _SPEECH
                and (tokens[first].comma or (first > 0 and tokens[first - 1].comma)),
            )
            found.append((first, index - 1, actor))
        run, titles, affiliation = [], [], []
        if _is_name(tokens, index):  # a comma ended the run: "At the Pentagon, Hegseth"
            run, first = [token.word], index
    actors = [actor for _, _, actor in found]
    for at, ((_, end, actor), (start, _, described)) in enumerate(pairwise(found)):
        # "Dmitry Peskov, the Kremlin spokesman,": the description after a name is theirs.
        if actor.name and not described.name and start == end + 2 and tokens[end + 1].comma:
            actors[at] = replace(
                actor,
                titles=actor.titles | described.titles,
                affiliation=actor.affiliation | described.affiliation,
            )
    return tuple(actors)


def _is_name(tokens: Sequence[_Token], index: int) -> bool:
    """A capitalised word that is not a stop word. The sentence's first word is
    capitalised anyway, so it counts only when a capitalised word follows it ("Keir Starmer
    said"), it is possessive ("Skyline's chief executive"), or it is followed by what looks
    like a verb and does not look like a common noun itself: "Trump said", but not
    "Officials said", "Unemployment rose", "Speaking in Moscow" or "Defence secretary John
    Healey"."""
    if index >= len(tokens):
        return False
    token = tokens[index]
    if not token.capitalised or token.quoted or not token.key or token.key[0] == "#":
        return False
    if index > 0:
        return True
    following = tokens[1] if len(tokens) > 1 else _END
    if following.word in _ROLES:  # "Danish prime minister", not "Defence secretary"
        return token.possessive or token.form in _COUNTRIES
    if following.capitalised or token.possessive:
        return True
    # Otherwise it is a name when a verb follows ("Trump said", "Kyiv backed"), not a noun
    # ("Heavy rain", "UK interest rates").
    verb = not following.key or following.form.endswith("ed") or following.form in _PAST
    return verb and (token.form in _COUNTRIES or not token.form.endswith(_COMMON_ENDINGS))


def _named_words(tokens: Sequence[_Token]) -> dict[str, frozenset[str]]:
    """Key words that directly follow a name or an ordinal, with that name or ordinal.
    Counts are left out: outlets count differently ("390 prisoners each", "780 prisoners")."""
    found: dict[str, frozenset[str]] = {}
    run: list[str] = []
    for index, token in enumerate(tokens):
        if run and token.comma:
            run = []
        if token.word in _ORDINALS or _is_name(tokens, index):
            run.append(token.word)
            continue
        if run and token.key:
            found.setdefault(token.key, frozenset(run))
        run = []
    return found


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


# Who told it, at the end of a sentence: ", officials said.", ", his office said.",
# ", according to local reports." The report itself is what a title summarises.
_ATTRIBUTION = re.compile(
    r",\s+(?:according\s+to\s+[^,;]+|(?:[\w'’.-]+\s+){1,5}?(?:said|says|reported|reports))\.?$"
)


def _title(sentence: str) -> str:
    """A short summary of the sentence: without a wire dateline or a closing attribution, cut
    at a word boundary when still long (a clause boundary might cut off the dated part)."""
    sentence = _DATELINE.sub("", " ".join(sentence.split()), count=1)
    reported = _ATTRIBUTION.sub(".", sentence)
    if len(reported.split()) >= 5:  # "Prices rose, traders said." keeps its teller
        sentence = reported
    if len(sentence) <= MAX_TITLE_CHARS:
        return sentence
    return sentence[: MAX_TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"
