"""The temporal stage: text plus its publish time -> the temporal expressions in it.

Owns `tag`, the one entry point: find candidate spans (`find`), read each against the
document creation time and the tense of its sentence (`resolve`), and attach the calendar
interval its value names (`timex`). Input is article text and the aware publish time, whose
local date is the DCT; output is `Timex`es sorted by start, non-overlapping, with offsets into
the text and TIMEX3 type/value as TimeML 1.2.1 (and TimeBank's annotation of it) has them.
It never reads the clock and never raises on any text: what it cannot read, it leaves out.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import date, datetime, timedelta

from timeline.model import Timex, TimexType
from timeline.temporal import timex
from timeline.temporal.find import MONTH, MONTHS, Candidate, find, tense_cue
from timeline.temporal.resolve import Context, Reading, names_quarter, read
from timeline.text import sentence_spans

__all__ = ["tag"]

# Reporting periods longer than a quarter ("the first nine months", "the first half").
_REPORTING_SPANS = frozenset({"P6M", "P9M", "P1Y"})


def tag(text: str, published: datetime) -> list[Timex]:
    """Every temporal expression of `text`, resolved against `published` (aware)."""
    sentences = sentence_spans(text)
    starts = [start for start, _ in sentences]
    quarter: tuple[int, int] | None = None
    reported_span: str | None = None  # "the first nine months" (P9M), until a quarter is named
    previous: str | None = None  # the last concrete date named: anaphora resolve against it
    found: list[Timex] = []
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters change length when lowered
        lowered = text
    candidates = find(text)
    for index, candidate in enumerate(candidates):
        if candidate.rule == "rel_day" and (
            _names_a_title(text, candidate.start) or _names_the_era(text, candidate)
        ):
            continue
        if _is_rate(candidate, text):
            continue
        sentence = _sentence_of(sentences, starts, candidate.start)
        if candidate.rule == "weekday" and text.startswith(_POSSESSIVE, candidate.end):
            # "Wednesday's ruling": news names an event this way once it has happened, whatever
            # the verb governing the noun ("would look for ways around Wednesday's ruling").
            direction, sure = -1, False
        else:
            direction, sure = tense_cue(lowered, sentence, candidate.start)
        context = Context(
            published=published,
            direction=direction,
            sure=sure,
            quarter=quarter,
            reported_span=reported_span,
            previous=previous,
            ends_on=_ends_on(text, candidate) if candidate.rule == "quarter" else None,
        )
        reading = _read(candidate, text, context)
        if reading is None:
            continue
        if candidate.rule == "weekday" and index + 1 < len(candidates):
            reading = _shared_plural(candidate, candidates[index + 1], text, context) or reading
        candidate, reading = _next_to_a_day(candidate, text, reading, found)
        found.append(_timex(candidate, text, reading, published))
        if reading.type in (TimexType.DATE, TimexType.TIME) and reading.value[:4].isdigit():
            previous = reading.value
        if reading.type is TimexType.DURATION and reading.value in _REPORTING_SPANS:
            # "In the first nine months, ... a year earlier": the comparison is now yearly.
            quarter = None
            reported_span = reading.value
        named = _reported_quarter(
            candidate.rule, found[-1].text, reading.value, published, direction
        )
        fiscal = "fiscal" in found[-1].text.lower()
        if named is not None and (quarter is None or named > quarter or fiscal):
            # Later "a year earlier" and "the quarter" in earnings news refer to this quarter;
            # an earlier one named after it ("after a flat second quarter") is background. A
            # fiscal quarter is numbered on another calendar: it starts a report of its own.
            quarter = named
            reported_span = None
    return found


def _reported_quarter(
    rule: str, span: str, value: str, published: datetime, direction: int
) -> tuple[int, int] | None:
    """The quarter an earnings report is about, if `span` names one: a quarter already over at
    the publish time. A quarter still running or ahead ("a fourth-quarter charge is expected")
    is a forecast, not the period the report's comparisons refer to, unless the past tense
    reports it: "reported a drop in fourth-quarter profit" in November is a fiscal quarter
    that has ended."""
    if not names_quarter(rule, span) or value[4:6] != "-Q" or not value[6:].isdigit():
        return None
    named = (int(value[:4]), int(value[6:]))
    current = (published.year, timex.quarter_of(published.month))
    return named if named < current or (named == current and direction < 0) else None


_POSSESSIVE = ("'s", "\u2019s")

_JOINED = re.compile(r"\s+(?:and|or)\s+")
_PARTS = frozenset({"mornings", "afternoons", "evenings", "nights"})


def _shared_plural(
    candidate: Candidate, following: Candidate, text: str, context: Context
) -> Reading | None:
    """ "Monday and Tuesday nights", "Saturdays or Sundays": a bare weekday joined to a plural
    one shares its plural, and is a SET as well. None when `candidate` stands on its own."""
    if following.rule != "weekday" or not _JOINED.fullmatch(text, candidate.end, following.start):
        return None
    span = text[candidate.start : candidate.end]
    head = text[following.start : following.end].split()[-1].lower()
    if " " in span or span.lower().endswith("s") or not head.endswith("s"):
        return None  # "last Monday and Tuesdays": its own modifier; "Monday and Tuesday"
    return read(candidate.rule, f"{span} {head}" if head in _PARTS else f"{span}s", context)


# "the day before yesterday", "the day after Christmas", "the day before last Tuesday's
# hearing": a day counted from the day named right after.
_DAY_NEXT_TO = re.compile(r"\bthe\s+day\s+(?P<way>before|after)\s+\Z", re.IGNORECASE)
_DAY_NEXT_TO_REACH = len("the  day  before  ")


def _next_to_a_day(
    candidate: Candidate, text: str, reading: Reading, found: list[Timex]
) -> tuple[Candidate, Reading]:
    """The span and reading of "the day before/after" a day `candidate` names, or the
    candidate's own when no such words come right before it."""
    if reading.type is not TimexType.DATE or not _DAY_VALUE.fullmatch(reading.value):
        return candidate, reading
    start = max(found[-1].end if found else 0, candidate.start - _DAY_NEXT_TO_REACH)
    match = _DAY_NEXT_TO.search(text, start, candidate.start)
    if match is None:
        return candidate, reading
    step = timedelta(days=-1 if match["way"].lower() == "before" else 1)
    try:
        day = date.fromisoformat(reading.value) + step
    except OverflowError:  # the day before 0001-01-01
        return candidate, reading
    return (
        Candidate(start=match.start(), end=candidate.end, rule=candidate.rule),
        Reading(type=reading.type, value=timex.day_value(day), anchor=reading.value),
    )


_DAY_VALUE = re.compile(r"\d{4}-\d\d-\d\d")

_ENDED = re.compile(rf"\s+(?:ended|ending)\s+(?P<month>{MONTH})\s*(?P<day>\d{{1,2}})\b")


def _ends_on(text: str, candidate: Candidate) -> tuple[int, int] | None:
    """(month, day) of "the quarter [ended Sept. 30]", the words right after a quarter."""
    match = _ENDED.match(text, candidate.end)
    if match is None:
        return None
    month = MONTHS.get(match["month"].lower().rstrip("."))
    day = int(match["day"])
    return (month, day) if month is not None and 1 <= day <= 31 else None


# A capitalised word right before: "USA Today", "VOA Today" (a sentence's first word follows a
# stop or a line break, not a capitalised word and a space).
_CAPITAL_WORD_BEFORE = re.compile(r"\b[A-Z][\w&']* \Z")


# A rate whose numerator is a quantity ("$2 million a year", "20% annually", "700 seats a
# week") is a unit of measure: TimeBank leaves it unannotated, while a rate of events ("rallies
# almost daily", "every Friday", "three times a year") is a SET. The quantity is a number, or
# a number and the noun it counts, right before.
_QUANTITY_BEFORE = re.compile(
    r"(?:\d[\d,.]*%?|\b(?:percent|hundred|thousand|million|billion|trillion"
    r"|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|fifty|hundreds|thousands))"
    r"(?:\s+(?!times\b)[a-z]+)?\s+\Z"
)


_PER_UNIT = re.compile(r"(?:a|an|per)\s+(?:year|month|week|day|hour)", re.IGNORECASE)


def _is_rate(candidate: Candidate, text: str) -> bool:
    """Whether `candidate` is the denominator of a quantity's rate ("$2 million [a year]")."""
    if candidate.rule == "duration":
        if not _PER_UNIT.fullmatch(text, candidate.start, candidate.end):
            return False
    elif candidate.rule != "set":
        return False
    return _QUANTITY_BEFORE.search(text, max(0, candidate.start - 40), candidate.start) is not None


# "today's world", "today's youth": the present age, not the day (TimeBank leaves it out).
_ERA = re.compile(
    r"(?:'s|\u2019s)\s+(?:world|society|youth|young|generation|children|kids|teenagers"
    r"|culture|standards)\b"
)


def _names_the_era(text: str, candidate: Candidate) -> bool:
    if text[candidate.start : candidate.end].lower() != "today":
        return False
    return _ERA.match(text, candidate.end) is not None


def _names_a_title(text: str, start: int) -> bool:
    """Whether a capitalised "Today" at `start` is part of a name: a paper or a programme."""
    if not text.startswith("Today", start):
        return False
    return _CAPITAL_WORD_BEFORE.search(text, max(0, start - 24), start) is not None


def _sentence_of(
    sentences: list[tuple[int, int]], starts: list[int], offset: int
) -> tuple[int, int]:
    index = bisect_right(starts, offset) - 1
    return sentences[index] if index >= 0 else (0, 0)


def _read(candidate: Candidate, text: str, context: Context) -> Reading | None:
    try:
        return read(candidate.rule, text[candidate.start : candidate.end], context)
    except (ValueError, OverflowError):
        # Impossible calendar arithmetic ("Feb. 30", year 9999 + 1): not a date we can use.
        return None


def _timex(candidate: Candidate, text: str, reading: Reading, published: datetime) -> Timex:
    concrete = None
    if reading.type in (TimexType.DATE, TimexType.TIME):
        zone = published.tzinfo or published.astimezone().tzinfo
        concrete = timex.interval(reading.value, zone) if zone is not None else None
    return Timex(
        start=candidate.start,
        end=candidate.end,
        text=text[candidate.start : candidate.end],
        type=reading.type,
        value=reading.value,
        granularity=concrete[0] if concrete else None,
        interval=concrete[1] if concrete else None,
        anchor=reading.anchor,
    )
