"""Literal model objects for tests: `event()`, `mention()`, the seed timeline, and for the
store suites `report()` (a document with its mention) and `stored_events()`.

`seed_events()` is the canonical timeline of /work/shared/seed/README.md, written out by hand
(not produced by the pipeline), in store order: interval start, end, key.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

from timeline.events import key_stems
from timeline.model import Document, Event, Granularity, Interval, Mention, Tense
from timeline.store import Store

SEED_PUBLISHED = datetime(2025, 3, 7, 8, 0, tzinfo=UTC)
SEED_URL = "https://www.independent.co.uk/news/uk/politics/starmer-european-leaders-ukraine.html"
SEED_SOURCE = "The Independent"


def interval(start: date, days: int = 1, *, at: datetime | None = None) -> Interval:
    return Interval(start=start, end=start + timedelta(days=days), at=at)


def mention(
    sentence: str,
    quote: str,
    *,
    value: str = "2025-03-07",
    granularity: Granularity = Granularity.DAY,
    span: Interval | None = None,
    tense: Tense = Tense.PAST,
    source: str = SEED_SOURCE,
    url: str = SEED_URL,
    published: datetime | None = SEED_PUBLISHED,
) -> Mention:
    """A mention whose quote offsets are found in the sentence (the first occurrence)."""
    start = sentence.find(quote)
    assert start >= 0, f"{quote!r} is not in {sentence!r}"
    return Mention(
        sentence=sentence,
        quote=quote,
        quote_start=start,
        quote_end=start + len(quote),
        value=value,
        granularity=granularity,
        interval=span or interval(date(2025, 3, 7)),
        tense=tense,
        source=source,
        url=url,
        published=published,
    )


def event(
    title: str,
    *,
    key: str = "",
    value: str = "2025-03-07",
    granularity: Granularity = Granularity.DAY,
    span: Interval | None = None,
    mentions: tuple[Mention, ...] | None = None,
    tense: Tense = Tense.PAST,
    quote: str | None = None,
) -> Event:
    """An event with one mention made from its title, unless `mentions` is given."""
    span = span or interval(date(2025, 3, 7))
    if mentions is None:
        quote = quote or title.split()[0]
        mentions = (
            mention(title, quote, value=value, granularity=granularity, span=span, tense=tense),
        )
    return Event(
        key=key or f"{value}-{hashlib.sha256(title.encode()).hexdigest()[:8]}",
        value=value,
        granularity=granularity,
        interval=span,
        title=title,
        mentions=mentions,
    )


def _seed(
    key: str,
    value: str,
    granularity: Granularity,
    span: Interval,
    title: str,
    sentence: str,
    quote: str,
    tense: Tense = Tense.PAST,
) -> Event:
    m = mention(sentence, quote, value=value, granularity=granularity, span=span, tense=tense)
    return Event(
        key=key, value=value, granularity=granularity, interval=span, title=title, mentions=(m,)
    )


def seed_events() -> list[Event]:
    """The seed README's eight entries, sorted as the store sorts: (start, end, key)."""
    events = [
        _seed(
            "seed-oval-office-row",
            "2025-W09",
            Granularity.WEEK,
            interval(date(2025, 2, 24), 7),
            "The dramatic Oval Office row between Trump and Zelensky, before which the "
            "minerals deal was due to be signed",
            "But the fate of the minerals deal that Mr Trump and the Ukrainian president were "
            "due to sign before a dramatic Oval Office row last week remains unclear.",
            "last week",
        ),
        _seed(
            "seed-coalition-talks",
            "2025-03-05",
            Granularity.DAY,
            interval(date(2025, 3, 5)),
            "Officials from around 20 largely European and Commonwealth countries took part in "
            "talks on the “coalition of the willing”",
            "Officials from around 20 largely European and Commonwealth countries took part in "
            "talks on Wednesday about his “coalition of the willing”.",
            "on Wednesday",
        ),
        _seed(
            "seed-healey-hegseth",
            "2025-03-06",
            Granularity.DAY,
            interval(date(2025, 3, 6)),
            "Defence secretary John Healey started talks in Washington with Pete Hegseth",
            "Defence secretary John Healey said Donald Trump has “asked Europe to step up, and "
            "we are” as he started talks in Washington with his US counterpart Pete Hegseth on "
            "Thursday.",
            "on Thursday",
        ),
        _seed(
            "seed-trump-nato-comments",
            "2025-03-06TNI",
            Granularity.PART_OF_DAY,
            interval(date(2025, 3, 6)),
            "Trump's comments that he would not defend Nato countries that do not spend enough "
            "on defence",
            "Asked about Mr Trump’s comments overnight, health minister Stephen Kinnock told "
            "Times Radio that even before Mr Trump took office the US “has been challenging the "
            "other Nato members to step up and boost defence capability and be ready to defend "
            "our own backyard”.",
            "overnight",
        ),
        _seed(
            "seed-kinnock-no-issues",
            "2025-03-07",
            Granularity.DAY,
            interval(date(2025, 3, 7)),
            "Health minister Stephen Kinnock says Trump's comment presents “no issues”",
            "On Friday, health minister Stephen Kinnock said Mr Trump’s comment that he would "
            "not defend Nato countries that do not spend enough on defence presents “no issues”.",
            "On Friday",
        ),
        _seed(
            "seed-starmer-call",
            "2025-03-07TMO",
            Granularity.PART_OF_DAY,
            interval(date(2025, 3, 7)),
            "Starmer talks to European leaders (von der Leyen, Costa, Erdoğan, Trudeau)",
            "Sir Keir Starmer will talk to European leaders on Friday morning as he continues "
            "his diplomatic push for peace in Ukraine.",
            "on Friday morning",
            Tense.ONGOING,
        ),
        _seed(
            "seed-saudi-talks",
            "2025-W11",
            Granularity.WEEK,
            interval(date(2025, 3, 10), 7),
            "US–Ukraine talks in Saudi Arabia",
            "Negotiations between the US and Ukraine could be getting back on track as Volodymyr "
            "Zelensky confirmed talks will take place in Saudi Arabia next week, after a Trump "
            "administration envoy earlier said they were in the works.",
            "next week",
            Tense.UPCOMING,
        ),
        _seed(
            "seed-eu-funding",
            "2025",
            Granularity.YEAR,
            Interval(start=date(2025, 1, 1), end=date(2026, 1, 1)),
            "EU commitment of €30.6bn to fund Ukraine's resistance in 2025",
            "They also committed to providing Ukraine with a total of £30.6 billion euros to fund "
            "Volodymyr Zelensky’s resistance against Russia’s invasion in 2025.",
            "in 2025",
            Tense.ONGOING,
        ),
    ]
    return sorted(events, key=lambda e: (e.interval.start, e.interval.end, e.key))


def stored_events(store: Store) -> set[tuple[object, ...]]:
    """Every stored event with its key, date and title, and its mentions by document and
    sentence: what two ways of storing the same reports must agree on."""
    return {
        (
            e.key,
            e.value,
            e.granularity,
            e.interval,
            e.title,
            tuple((m.url, m.sentence, m.interval, m.published) for m in e.mentions),
        )
        for e in store.events()
    }


def report(
    url: str,
    sentence: str,
    *,
    day: date = date(2025, 3, 6),
    granularity: Granularity = Granularity.DAY,
    published: datetime = datetime(2025, 3, 7, 8, 0, tzinfo=UTC),
    stems: bool = True,
) -> tuple[Document, list[Mention]]:
    """A document of one sentence, published at `published`, and its one mention, dated
    `day` at `granularity` (with the sentence's key stems unless `stems` is false)."""
    doc = Document(
        source=url.split("/")[2],
        url=url,
        canonical_url=url,
        title="Talks",
        text=sentence,
        published=published,
        published_from="json-ld",
        fetched=published + timedelta(hours=1),
        timezone="UTC",
    )
    length = {Granularity.WEEK: 7, Granularity.MONTH: 28}.get(granularity, 1)
    found = Mention(
        sentence=sentence,
        quote="then",
        quote_start=0,
        quote_end=4,
        value=f"{granularity}-{day}",
        granularity=granularity,
        interval=Interval(start=day, end=day + timedelta(days=length)),
        tense=Tense.PAST,
        source=doc.source,
        url=url,
        published=published,
        stems=key_stems(sentence) if stems else (),
    )
    return doc, [found]
