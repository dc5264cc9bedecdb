"""Resolution: a candidate span, read against its anchor, becomes a TIMEX3 type and value.

Owns the meaning of each `find` rule: which day "Thursday" is, which ISO week "last week" is,
what "the first nine months" measures. Inputs are the span text, the rule that found it and a
`Context` (the document creation time, the direction the sentence's tense points in, and the
quarter the document last spoke of); output is a `Reading` or None when the span turns out
not to be temporal. It never reads the clock and never touches text outside the span: the
tense is worked out by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from timeline.model import TimexType
from timeline.temporal import timex
from timeline.temporal.find import MONTHS, NUMBERS, ORDINALS, SEASONS, WEEKDAYS

PAST, SAME, FUTURE = -1, 0, 1

_PART_CODES = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}
_UNIT_CODES = {
    "second": "TS", "minute": "TM", "hour": "TH", "day": "D", "week": "W", "fortnight": "W",
    "month": "M", "quarter": "Q", "year": "Y", "decade": "E", "century": "C", "centurie": "C",
}  # fmt: skip
_VAGUE = frozenset({"few", "several", "some", "many"})
_TOKEN = re.compile(r"1/2|[a-z]+|\d+(?:\.\d+)?")


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """What a span is read against."""

    published: datetime  # aware; its local date is the document creation time
    direction: int  # PAST, SAME or FUTURE, from the tense of the governing verb
    # the direction is sure: the verb right before decided it ("ended [Jan. 31]"), not a cue
    # further away, so it outranks the nearest occurrence of a date written without its year
    sure: bool = False
    quarter: tuple[int, int] | None = None  # (year, quarter) the document last named
    previous: str | None = None  # the last concrete date value before this span, if any
    # the reporting span longer than a quarter ("the first nine months", P9M) the document last
    # named, when no quarter was named after it
    reported_span: str | None = None
    # (month, day) a quarter is said to end on: "the quarter ended [Sept. 30]"
    ends_on: tuple[int, int] | None = None

    @property
    def dct(self) -> date:
        return self.published.date()


@dataclass(frozen=True, slots=True, kw_only=True)
class Reading:
    type: TimexType
    value: str
    anchor: str


def names_quarter(rule: str, span: str) -> bool:
    """Whether a quarter reading names the quarter a report is about ("the third quarter"),
    as opposed to one derived from it ("the year-ago quarter")."""
    # "this year's third quarter" names the quarter reported; "last year's" is derived from it
    low = span.lower().replace("this year's", "")
    derived = ("year", "ago", "earlier", "last", "of 1", "of 2")  # "of 1984": another year's
    return rule == "quarter" and not any(w in low for w in derived)


def read(rule: str, span: str, context: Context) -> Reading | None:
    """The TIMEX3 reading of `span`, found by `rule`, or None if it is not temporal after all."""
    tokens = _TOKEN.findall(span.lower())
    resolver = _RESOLVERS.get(rule)
    if resolver is None or not tokens:
        return None
    return resolver(span, tokens, context)


def _date(value: str, context: Context, kind: TimexType = TimexType.DATE) -> Reading:
    return Reading(type=kind, value=value, anchor=context.dct.isoformat())


def _duration(value: str, context: Context) -> Reading:
    return Reading(type=TimexType.DURATION, value=value, anchor=context.dct.isoformat())


# --- numbers and units -----------------------------------------------------------------------


def _number(tokens: list[str]) -> float | None:
    """The quantity in a number phrase: "twenty four" 24, "2 1/2" 2.5, "a few" None."""
    total, current, seen = 0.0, 0.0, False
    counted = [t for t in tokens if t in NUMBERS or t[0].isdigit() or t in ("half", "1/2")]
    if len(counted) > 1:  # "a two-year": the article is not a number here
        tokens = [t for t in tokens if t not in ("a", "an")]
    for token in tokens:
        if token in _VAGUE:
            return None
        if token == "1/2" or token == "half":
            current += 0.5
            seen = True
        elif token[0].isdigit():
            current += float(token)
            seen = True
        elif token in ("hundred", "thousand"):
            current = max(current, 1.0) * NUMBERS[token]
            if token == "thousand":
                total, current = total + current, 0.0
            seen = True
        elif token in NUMBERS:
            current += NUMBERS[token]
            seen = True
    return total + current if seen else None


def _unit_of(tokens: list[str]) -> str | None:
    for token in reversed(tokens):
        stem = token[:-1] if token.endswith("s") else token
        if stem in _UNIT_CODES:
            return stem
    return None


def _period(amount: float | None, unit: str) -> str:
    """A TIMEX3 duration: P3Y, PT24H, P2Y6M, PXD. Thousands of years are millennia (L)."""
    if unit == "decade" and amount is not None:
        unit, amount = "year", amount * 10  # TimeBank: "two decades" is P20Y
    code = _UNIT_CODES[unit]
    if amount is None:
        return f"PTX{code[1]}" if code.startswith("T") else f"PX{code}"
    whole = int(amount)
    if code == "Y" and whole and whole % 1000 == 0:
        return f"P{whole // 1000}L"
    rest = amount - whole
    smaller = {"Y": ("M", 12), "D": ("TH", 24), "TH": ("M", 60), "TM": ("S", 60)}
    if rest and code in smaller:
        sub, factor = smaller[code]
        tail = f"{int(rest * factor)}{sub[-1]}"
        if code == "D":
            return f"P{whole}DT{tail}" if whole else f"PT{tail}"
        return _with_time(code, f"{whole}{code[-1]}{tail}" if whole else tail)
    if rest:
        return _with_time(code, f"{amount:g}{code[-1]}")
    return _with_time(code, f"{whole}{code[-1]}")


def _with_time(code: str, body: str) -> str:
    return f"PT{body}" if code.startswith("T") else f"P{body}"


# --- calendar helpers ------------------------------------------------------------------------


def _nearest_year(month: int, day: int, context: Context, by_tense: bool = True) -> int:
    """The year of a date written without one. The tense of the governing verb points the way
    ("was signed on Jan. 14" is the last Jan. 14 up to the DCT, "will vote on Jan. 14" the next
    one from it); with no cue, the occurrence nearest the DCT wins (TimeBank reads "Jan. 14" in
    a December article as the coming one, "Dec. 15" in January as the one past)."""
    dct = context.dct
    this_year = (month, day) <= (dct.month, dct.day)  # on or before the DCT this year
    if by_tense and context.direction == PAST:
        return dct.year if this_year else dct.year - 1
    if by_tense and context.direction == FUTURE:
        return dct.year if (month, day) >= (dct.month, dct.day) else dct.year + 1
    best_year, best_distance = dct.year, None
    for year in (dct.year - 1, dct.year, dct.year + 1):
        distance = abs((date(year, month, min(day, 28)) - dct).days)
        if best_distance is None or distance < best_distance - 3:
            best_year, best_distance = year, distance
    return best_year


def _day_year(month: int, day: int, context: Context) -> int:
    """The year of a day written without one ("Oct. 23"): the occurrence nearest the DCT,
    unless that is more than six weeks away and the tense points the other way ("was shot on
    Oct. 23" in a May article is last October's, not the coming one; "bought the mill in
    January" in late October is this year's January, not the next)."""
    if context.sure:
        return _nearest_year(month, day, context)
    nearest = _nearest_year(month, day, context, by_tense=False)
    if context.direction == SAME:
        return nearest
    distance = (date(nearest, month, min(day, 28)) - context.dct).days
    if abs(distance) < _FAR_DAYS or (distance < 0) == (context.direction == PAST):
        return nearest
    return _nearest_year(month, day, context)


# Closer than this, a misread tense costs more than the nearest occurrence does (issue 3).
_FAR_DAYS = 45
_OVERNIGHT_REACH_DAYS = 7


def _shift_unit(context: Context, unit: str, step: int) -> str | None:
    """The calendar unit `step` units away from the DCT, at that unit's granularity."""
    dct = context.dct
    if unit == "day":
        return timex.day_value(dct + timedelta(days=step))
    if unit in ("week", "fortnight"):
        days = 14 if unit == "fortnight" else 7
        return timex.week_value(dct + timedelta(days=days * step))
    if unit == "month":
        return timex.month_value(*timex.add_months(dct.year, dct.month, step))
    if unit == "quarter":
        return timex.quarter_value(*timex.add_quarters(dct.year, timex.quarter_of(dct.month), step))
    if unit == "year":
        return f"{dct.year + step:04d}"
    if unit == "decade":
        return timex.decade_value(dct.year + 10 * step)
    if unit in ("century", "centurie"):
        return timex.century_value((dct.year + 100 * step) // 100 + 1)
    return None


def _relative_step(tokens: list[str]) -> int | None:
    if any(t in ("last", "past", "previous") for t in tokens):
        return -1
    if any(t in ("next", "coming", "following") for t in tokens):
        return 1
    if any(t in ("this", "current", "the", "that") for t in tokens):
        return 0
    return None


# --- resolvers, one per find rule ------------------------------------------------------------


def _iso_date(span: str, tokens: list[str], context: Context) -> Reading | None:
    day = date.fromisoformat(span)
    return _date(timex.day_value(day), context)


def _month_day(span: str, tokens: list[str], context: Context) -> Reading | None:
    month = next((MONTHS[t] for t in tokens if t in MONTHS), None)
    numbers = [int(t.rstrip("stndrh")) for t in re.findall(r"\d+(?:st|nd|rd|th)?", span.lower())]
    if month is None or not numbers:
        return None
    day_number = numbers[0]
    year = numbers[1] if len(numbers) > 1 else _day_year(month, day_number, context)
    day = date(year, month, day_number)
    if tokens[:2] == ["the", "week"]:  # "the week of March 6"
        return _date(timex.week_value(day), context)
    return _date(timex.day_value(day), context)


def _year_of(tokens: list[str]) -> int | None:
    """The year written in a span: "1994", or spelled ("nineteen ninety-four")."""
    year = next((int(t) for t in tokens if t.isdigit() and len(t) == 4), None)
    spelled = next((i for i, t in enumerate(tokens) if t in ("nineteen", "twenty")), None)
    if year is not None or spelled is None:
        return year
    rest = _number(tokens[spelled + 1 :])
    if rest is None or rest >= 100:
        return None
    return (19 if tokens[spelled] == "nineteen" else 20) * 100 + int(rest)


def _second_day(span: str, tokens: list[str], context: Context) -> Reading | None:
    """The "25" of "April 24 and 25": that day of the month just named."""
    named = _DAY.match(context.previous or "")
    if named is None:
        return None
    first = date.fromisoformat(named.group())
    return _date(timex.day_value(first.replace(day=int(tokens[0].rstrip("stndrh")))), context)


def _month_year(span: str, tokens: list[str], context: Context) -> Reading | None:
    month = next((MONTHS[t] for t in tokens if t in MONTHS), None)
    year = _year_of(tokens)
    season = next((SEASONS[t] for t in tokens if t in SEASONS), None)
    if season is not None and year is not None:  # "the winter of 1994"
        return _date(f"{year:04d}-{season}", context)
    if month is None or year is None:
        return None
    return _date(timex.month_value(year, month), context)


def _month_rel_year(span: str, tokens: list[str], context: Context) -> Reading | None:
    month = next((MONTHS[t] for t in tokens if t in MONTHS), None)
    step = {"this": 0, "last": -1, "next": 1}.get(tokens[-2] if len(tokens) > 1 else "", 0)
    if month is None:
        return None
    return _date(timex.month_value(context.dct.year + step, month), context)


def _weekday(span: str, tokens: list[str], context: Context) -> Reading | None:
    # A plural day or part of day ("Mondays", "Tuesday nights") is every such day.
    plural = [t for t in tokens if t[:-1] in WEEKDAYS or t[:-1] in _PART_CODES]
    singular = [t[:-1] if t in plural else t for t in tokens]
    weekday = next((WEEKDAYS[t] for t in singular if t in WEEKDAYS), None)
    if weekday is None:
        return None
    part = next((_PART_CODES[t] for t in singular if t in _PART_CODES), None)
    if plural:
        value = f"XXXX-WXX-{weekday + 1}" + (f"T{part}" if part else "")
        return Reading(type=TimexType.SET, value=value, anchor=context.dct.isoformat())
    direction = context.direction
    dct = context.dct
    if "last" in tokens:
        day = timex.shift_weekday(dct - timedelta(days=1), weekday, PAST)
    elif "next" in tokens or "coming" in tokens:
        day = timex.shift_weekday(dct + timedelta(days=1), weekday, FUTURE)
    elif "this" in tokens:  # "this Friday": the Friday of the publish week
        day = timex.week_start(dct) + timedelta(days=weekday)
    else:
        # No tense cue: news reports what happened, so a bare weekday is the one just past.
        day = timex.shift_weekday(dct, weekday, direction or PAST)
    if part is None:
        return _date(timex.day_value(day), context)
    return _date(f"{timex.day_value(day)}T{part}", context, TimexType.TIME)


def _rel_day(span: str, tokens: list[str], context: Context) -> Reading | None:
    dct = context.dct
    offsets = {"yesterday": -1, "today": 0, "tomorrow": 1, "tonight": 0, "this": 0}
    day, part = dct, None
    for token in tokens:
        if token in offsets:
            day = dct + timedelta(days=offsets[token])
        if token in _PART_CODES:
            part = _PART_CODES[token]
    if "tonight" in tokens:
        part = "NI"
    elif "overnight" in tokens:
        # Overnight in a morning article is the night just gone, dated by its evening; after
        # a day of the past week was named ("London fell Friday on overnight losses in New
        # York"), it is the night before that day.
        part = "NI"
        named = _DAY.match(context.previous or "")
        named_day = date.fromisoformat(named.group()) if named else None
        if named_day is not None and 0 < (dct - named_day).days <= _OVERNIGHT_REACH_DAYS:
            day = named_day - timedelta(days=1)
            value = f"{timex.day_value(day)}TNI"
            return Reading(type=TimexType.TIME, value=value, anchor=named_day.isoformat())
        if context.published.hour < 12:
            day = dct - timedelta(days=1)
    elif tokens[:2] == ["last", "night"]:
        day, part = dct - timedelta(days=1), "NI"
    if part is None:
        return _date(timex.day_value(day), context)
    return _date(f"{timex.day_value(day)}T{part}", context, TimexType.TIME)


def _quarter(span: str, tokens: list[str], context: Context) -> Reading | None:
    dct = context.dct
    current = timex.quarter_of(dct.month)
    number = next((ORDINALS[t] for t in tokens if t in ORDINALS), None)
    year = dct.year
    explicit = next((int(t) for t in tokens if len(t) == 4 and t.isdigit()), None)
    if explicit is not None and number is not None:  # "the third quarter of 1984"
        return _date(timex.quarter_value(explicit, number), context)
    if "year" in tokens and ("this" in tokens or "next" in tokens):  # "next year's first quarter"
        year += 1 if "next" in tokens else 0
        number = number or (context.quarter[1] if context.quarter else current)
        return _date(timex.quarter_value(year, number), context)
    if "last" in tokens and "year" in tokens:  # "last year's (third) quarter"
        year -= 1
        number = number or (context.quarter[1] if context.quarter else current)
    elif "year" in tokens or "ago" in tokens or "earlier" in tokens:  # "the year-ago quarter"
        ref = context.quarter or timex.add_quarters(dct.year, current, -1)
        return _date(timex.quarter_value(ref[0] - 1, number or ref[1]), context)
    if number is None and context.ends_on and context.quarter is None and "year" not in tokens:
        # "the quarter ended Sept. 30": the calendar quarter holding most of the three months
        # up to that day (a quarter ended July 31 is mostly the second). Once a report has
        # named its quarter ("its fiscal first quarter"), TimeML keeps that quarter's number.
        month, day = context.ends_on
        end = date(_nearest_year(month, day, context, by_tense=False), month, min(day, 28))
        middle = end - timedelta(days=45)
        return _date(timex.quarter_value(middle.year, timex.quarter_of(middle.month)), context)
    if number is None:
        step = _relative_step(tokens)
        if "current" in tokens:
            step = 0
        elif step == 0 or step is None:
            # "the quarter", "the latest quarter": in earnings news, the one just reported.
            if context.quarter is not None:
                return _date(timex.quarter_value(*context.quarter), context)
            step = -1
        year, number = timex.add_quarters(dct.year, current, step)
    elif number > current and "this" not in tokens and context.direction != FUTURE:
        year -= 1  # "the fourth quarter" in a February report is last year's
    return _date(timex.quarter_value(year, number), context)


def _ago(span: str, tokens: list[str], context: Context) -> Reading | None:
    unit = _unit_of(tokens)
    if unit is None:
        return None
    amount = _number(tokens[: tokens.index(unit) if unit in tokens else len(tokens)])
    backwards = tokens[-1] in ("ago", "earlier", "before")
    if tokens[-1] == "earlier" and unit in _STORY_UNITS:
        # "A day earlier", "three hours earlier" count back from a time of the story, not from
        # the DCT as "ago" does: TimeBank gives the length, as for "three days later" (P3D).
        return _duration(_period(amount, unit), context)
    if amount is None:
        return _date("PAST_REF" if backwards else "FUTURE_REF", context)
    step = int(amount) * (-1 if backwards else 1)
    if unit == "year" and step == -1 and context.quarter is not None:
        # Earnings news: "a year earlier" is the same quarter of the year before.
        year, quarter = context.quarter
        return _date(timex.quarter_value(year - 1, quarter), context)
    if unit in ("decade", "century", "centurie"):
        step, unit = step * (10 if unit == "decade" else 100), "year"
    if unit in ("hour", "minute", "second"):
        return _date(timex.day_value(context.dct), context)
    value = _shift_unit(context, unit, step)
    return _date(value, context) if value else None


# Units small enough that "N units earlier" is a step inside the story; "a year earlier" in
# earnings news still names the year-ago period.
_STORY_UNITS = frozenset({"second", "minute", "hour", "day", "week"})


def _rel_unit(span: str, tokens: list[str], context: Context) -> Reading | None:
    if _TITLE_UNIT.search(span):
        return None  # "ABC's "This Week"": a capital unit word names a programme, not a week
    dct = context.dct
    head = tokens[-1]
    step = _relative_step(tokens)
    if head in MONTHS:
        return _named_month(MONTHS[head], step, context)
    if head in SEASONS:
        return _season(SEASONS[head], tokens, context)
    if head == "weekend":
        return _weekend(tokens, context)
    if step is None:  # "late week": an edge with no anchor word
        step = 0
    if step == -1 and head == "year" and tokens[0] == "the":
        return _date(f"{dct.year - 1:04d}", context)  # TimeBank: "the past year" is last year
    if step != 0 and any(t in ("the", "past") for t in tokens[:2]) and head != "week":
        # "the past year", "the last decade": a stretch measured back from now.
        return _duration(_period(1, head), context) if head in _UNIT_CODES else None
    if tokens[0] == "the" and len(tokens) == 2 and head in ("year", "month", "decade", "week"):
        if head == "week":
            return _date(f"{dct.isocalendar().year:04d}-WXX", context)
        if head == "year":
            # "For the year, volume was flat", "a high for the year": the year being reported
            # on, the DCT's (a period measured from an end date is the `year_ended` rule).
            return _date(f"{dct.year:04d}", context)
        return _duration(_period(1, head), context)
    value = _shift_unit(context, head, step)
    return _date(value, context) if value else None


_TITLE_UNIT = re.compile(r"\b(?:Week|Weekend|Month|Year|Decade|Century)\b")
# A unit word with a capital after the span's first word: in running text, part of a name.
_TITLE_DURATION = re.compile(
    r"(?<=\w)[-\s]+(?:Second|Minute|Hour|Day|Week|Fortnight|Month|Quarter|Year|Decade|Centur)"
)


def _named_month(month: int, step: int | None, context: Context) -> Reading:
    dct = context.dct
    # Within a year, the month just gone is "last month" and the coming one "next month":
    # "last February" written in March is the February a year before, "next April" in March
    # the April a year ahead. Across New Year the name is what tells them apart ("last
    # December" in January is the one just gone).
    if step == -1:
        year = dct.year if month < dct.month - 1 else dct.year - 1
    elif step == 1:
        year = dct.year if month > dct.month + 1 else dct.year + 1
    else:
        year = dct.year
    return _date(timex.month_value(year, month), context)


def _season(code: str, tokens: list[str], context: Context) -> Reading:
    dct = context.dct
    first = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}[code]
    step = _relative_step(tokens)
    year = dct.year
    started = dct.month >= first
    if step == -1 and "this" in tokens:
        # "this past spring": the latest one that has ended
        year = year if dct.month >= first + 3 else year - 1
    elif step == -1:
        year -= 1  # TimeBank: "last fall" and "last spring" are the previous year's
    elif step == 1:
        year = year + 1 if started else year
    elif step is None and not started and context.direction == PAST:
        year -= 1
    return _date(f"{year:04d}-{code}", context)


def _weekend(tokens: list[str], context: Context) -> Reading:
    dct = context.dct
    step = _relative_step(tokens) or 0
    if step == 0 and dct.weekday() < 5:
        # "the weekend" in a weekday article: the one just past, unless the verb looks ahead.
        step = 0 if context.direction == FUTURE else -1
    monday = timex.week_start(dct) + timedelta(days=7 * step)
    return _date(f"{timex.week_value(monday)}-WE", context)


def _year_word(span: str, tokens: list[str], context: Context) -> Reading | None:
    dct = context.dct
    if "end" in tokens and "-" not in span:
        # "by year end", "by year's end": the end of a calendar year, which TimeML writes as
        # that year (mod END), as it does "the end of the year".
        year = dct.year - 1 if context.direction == PAST and context.sure else dct.year
        return _date(f"{year:04d}", context)
    if "end" in span.lower():
        # "since year-end", "had paid it off by year-end": the last one gone by
        year = (
            dct.year - 1
            if context.direction == PAST and (dct.month, dct.day) != (12, 31)
            else dct.year
        )
        return _date(f"{year:04d}-12-31", context)
    if context.quarter is not None:
        year, quarter = context.quarter
        return _date(timex.quarter_value(year - 1, quarter), context)
    return _date(f"{dct.year - 1:04d}", context)


def _duration_rule(span: str, tokens: list[str], context: Context) -> Reading | None:
    unit = _unit_of(tokens)
    if unit is None or _TITLE_DURATION.search(span):
        return None  # "CBS's "60 Minutes"", "the Six Day War": a capital unit word names a title
    last = max(i for i, token in enumerate(tokens) if token.startswith(unit[:4]))
    before_unit = tokens[:last]
    amount = _number([t for t in before_unit if t not in ("first", "second", "third")])
    if amount is None and not any(t in _VAGUE for t in before_unit):
        return None
    if amount is not None and "half" in tokens[last:]:  # "a year and a half"
        amount += 0.5
    return _duration(_period(amount, unit), context)


def _period_rule(span: str, tokens: list[str], context: Context) -> Reading | None:
    """ "the year-ago period", "the 1988 third quarter": a quarter named by its year;
    "the latest period" the quarter being reported; "the full year" the DCT's year."""
    if "latest" in tokens and "period" in tokens:
        return _quarter(span, ["the", "latest", "quarter"], context)
    if tokens[-1] in ("ago", "earlier") or tokens[-2:] == ["last", "year"]:
        # "the quarter a year ago", "the corresponding period last year"
        return _quarter(span, ["the", "year", "ago", "quarter"], context)
    if tokens[-1] == "year":  # "the full year", "the current fiscal year": the year reported on
        return _date(f"{context.dct.year:04d}", context)
    number = next((ORDINALS[t] for t in tokens if t in ORDINALS), None)
    explicit = next((int(t) for t in tokens if t.isdigit()), None)
    if number is None and explicit is None and context.reported_span is not None:
        # "For the nine months, net rose ... In the year-earlier period, ...": the same span a
        # year before, as long as the one reported (TimeBank gives it that duration).
        return _duration(context.reported_span, context)
    if number is None and explicit is not None and context.reported_span and "period" in tokens:
        # "In the first nine months, ... in the 1988 period": those nine months of 1988, no
        # quarter of it; TimeML can say no more than the year.
        return _date(f"{explicit:04d}", context)
    current = timex.quarter_of(context.dct.month)
    ref = context.quarter or timex.add_quarters(context.dct.year, current, -1)
    year = explicit if explicit is not None else ref[0] - 1
    return _date(timex.quarter_value(year, number or ref[1]), context)


def _year_ended(span: str, tokens: list[str], context: Context) -> Reading | None:
    return _duration("P1Y", context)


def _the_year(span: str, tokens: list[str], context: Context) -> Reading | None:
    """ "the year 2000", "the year two thousand"; "the fiscal year" is the DCT's."""
    explicit = next((int(t) for t in tokens if t.isdigit()), None)
    if explicit is None:
        explicit = 2000 if "thousand" in tokens else context.dct.year
    return _date(f"{explicit:04d}", context)


_TENS = {
    "ten": 10,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}


def _spelled_year(span: str, tokens: list[str], context: Context) -> Reading | None:
    """ "nineteen ninety-six" 1996; "the nineties" the 1990s of the DCT's century."""
    if tokens[-1].endswith("ies"):
        tens = {f"{word[:-1]}ies": value for word, value in _TENS.items()}.get(tokens[-1])
        if tens is None:
            return None
        return _date(timex.decade_value(1900 + tens), context)
    year = _year_of(tokens)
    return _date(f"{year:04d}", context) if year is not None else None


def _decade(span: str, tokens: list[str], context: Context) -> Reading | None:
    digits = re.search(r"\d{4}", span)
    if digits is None:
        return None
    return _date(timex.decade_value(int(digits.group())), context)


def _century(span: str, tokens: list[str], context: Context) -> Reading | None:
    words = {"first": 1, "second": 2, "nineteenth": 19, "twentieth": 20}
    number = next((words[t] for t in tokens if t in words), None)
    if "twenty" in tokens:  # "twenty-first"
        number = 21
    digits = re.search(r"\d+", span)
    if digits:
        number = int(digits.group())
    if not number:
        return None
    return _date(timex.century_value(number), context)


def _year(span: str, tokens: list[str], context: Context) -> Reading | None:
    year = int(next(t for t in tokens if t.isdigit()))
    if year > context.dct.year + 30:  # a count, not a year: "2080 workers"
        return None
    return _date(f"{year:04d}", context)


def _month(span: str, tokens: list[str], context: Context) -> Reading | None:
    month = next((MONTHS[t] for t in tokens if t in MONTHS), None)
    if month is None:
        return None
    return _date(timex.month_value(_day_year(month, 15, context), month), context)


def _season_rule(span: str, tokens: list[str], context: Context) -> Reading | None:
    return _season(SEASONS[tokens[-1]], tokens, context)


def _set(span: str, tokens: list[str], context: Context) -> Reading | None:
    adverbs = {
        "daily": "P1D",
        "weekly": "P1W",
        "monthly": "P1M",
        "annually": "P1Y",
        "yearly": "P1Y",
        "hourly": "PT1H",
        "quarterly": "P1Q",
        "nightly": "XXXX-XX-XXTNI",
    }
    head = tokens[-1]
    if head in adverbs:
        value = adverbs[head]
    elif head in WEEKDAYS:
        value = f"XXXX-WXX-{WEEKDAYS[head] + 1}"
    elif head in MONTHS:
        value = f"XXXX-{MONTHS[head]:02d}"
    elif head in _UNIT_CODES:
        value = _period(2 if "other" in tokens else 1, head)
    else:
        return None
    return Reading(type=TimexType.SET, value=value, anchor=context.dct.isoformat())


def _ref(span: str, tokens: list[str], context: Context) -> Reading | None:
    head = tokens[-1]
    if tokens[0] == "then":  # "the then current price": what was current then
        return _date("PAST_REF", context)
    if head in ("now", "currently", "current", "nowadays", "days") and "recent" not in tokens:
        return _date("PRESENT_REF", context)
    if head in ("future", "date", "term", "soon") or "coming" in tokens:  # "in the near term"
        return _date("FUTURE_REF", context)
    if "recent" in tokens and head in ("months", "weeks", "days"):
        # TimeBank measures "in recent months" as a vague duration.
        return _duration(_period(None, head[:-1]), context)
    return _date("PAST_REF", context)


def _while(span: str, tokens: list[str], context: Context) -> Reading | None:
    return _duration("PXX", context)  # "for a while": TimeML's unknown length


def _plural(span: str, tokens: list[str], context: Context) -> Reading | None:
    unit = tokens[1] if tokens[0] == "the" else tokens[0]  # "the weeks ahead"
    return _duration(_period(None, unit[:-1]), context)


def _half(span: str, tokens: list[str], context: Context) -> Reading | None:
    """ "the second half of 1989" 1989-H2; "the first two quarters of 1990" 1990-H1; "the
    first half of next year" the DCT's year's plus one."""
    head = next(i for i, token in enumerate(tokens) if token in ("half", "quarters"))
    half = 1 if "first" in tokens[:head] else 2  # "last half", "latter half": the second
    rest = tokens[head + 1 :]
    year = next((int(t) for t in rest if t.isdigit()), None)
    if year is None:
        step = {"next": 1, "last": -1}.get(rest[1] if len(rest) > 1 else "", 0)
        year = context.dct.year + step
    return _date(f"{year:04d}-H{half}", context)


def _someday(span: str, tokens: list[str], context: Context) -> Reading | None:
    return _date("FUTURE_REF", context)


def _long(span: str, tokens: list[str], context: Context) -> Reading | None:
    """ "day-long" one day; "decades-long" an unknown number of decades."""
    unit = tokens[0]
    if unit.endswith("s"):
        return _duration(_period(None, unit[:-1]), context)
    return _duration(_period(1, unit), context)


def _clock(span: str, tokens: list[str], context: Context) -> Reading | None:
    low = span.lower()
    match = re.match(r"(\d{1,2})(?::(\d\d))?", low)
    if "noon" in low or "midday" in low:
        hour, minute = 12, 0
    elif "midnight" in low:
        hour, minute = 24, 0
    elif match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        evening = any(part in low for part in ("afternoon", "evening", "night"))
        if ("p" in low[match.end() : match.end() + 3] or evening) and hour < 12:
            hour += 12
        elif "a" in low[match.end() : match.end() + 3] and hour == 12:
            hour = 0
    else:
        return None
    day = _clock_day(span[match.end() if match else 0 :], context)
    return _date(f"{timex.day_value(day)}T{hour:02d}:{minute:02d}", context, TimexType.TIME)


def _clock_day(rest: str, context: Context) -> date:
    """The day a clock time is on: a weekday or date written after it, or the DCT."""
    tokens = _TOKEN.findall(rest.lower())
    weekday = next((WEEKDAYS[t] for t in tokens if t in WEEKDAYS and len(t) > 3), None)
    if weekday is not None:
        return timex.shift_weekday(context.dct, weekday, context.direction)
    offsets = {"yesterday": -1, "today": 0, "tomorrow": 1}
    for token in tokens:
        if token in offsets:
            return context.dct + timedelta(days=offsets[token])
    dated = _month_day(rest, tokens, context) if any(t in MONTHS for t in tokens) else None
    if dated is not None:
        return date.fromisoformat(dated.value)
    previous = _DAY.match(context.previous or "")
    if previous is not None:
        # A bare "at 10 p.m." is on the day the text last named (TimeML anchorTimeID).
        return date.fromisoformat(previous.group())
    return context.dct


_DAY = re.compile(r"\d{4}-\d\d-\d\d")


def _anchor_parts(context: Context) -> tuple[int, int | None, int | None]:
    """(year, month, day) of the date the text last named, or of the DCT when none was."""
    match = _CONCRETE.match(context.previous or "")
    if match is None:
        dct = context.dct
        return dct.year, dct.month, dct.day
    month, day = match["month"], match["day"]
    return int(match["year"]), int(month) if month else None, int(day) if day else None


_CONCRETE = re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d\d)(?:-(?P<day>\d\d))?)?(?![\dX])")


def _nth_day(span: str, tokens: list[str], context: Context) -> Reading | None:
    return _date(timex.day_value(context.dct), context)


def _anaphor(span: str, tokens: list[str], context: Context) -> Reading | None:
    reading = _anaphor_reading(tokens, context)
    if reading is None or context.previous is None:
        return reading
    # The anchor is the date the text named before, not the DCT (TimeML anchorTimeID).
    return Reading(type=reading.type, value=reading.value, anchor=context.previous)


def _anaphor_reading(tokens: list[str], context: Context) -> Reading | None:
    """ "the following day", "that year", "the next morning": TimeML resolves an anaphoric
    expression against the time the discourse last established, not against the DCT (TimeML
    1.2.1 guidelines, anchorTimeID); with no date named before, the DCT stands in."""
    step = 1 if any(t in ("following", "next") for t in tokens) else 0
    if any(t in ("previous", "prior") for t in tokens):
        step = -1
    year, month, day = _anchor_parts(context)
    head = next(t for t in reversed(tokens) if t in _ANAPHOR_UNITS or t in WEEKDAYS)
    if head == "year":
        return _date(f"{year + step:04d}", context)
    if month is None:
        return None  # "the following month" after "in 1995": no month to count from
    if head == "month":
        return _date(timex.month_value(*timex.add_months(year, month, step)), context)
    if day is None:
        return None
    anchor = date(year, month, day)
    if head in WEEKDAYS:  # "the previous Friday": the one before the anchor, or after it
        way = FUTURE if step > 0 else PAST
        value = timex.day_value(
            timex.shift_weekday(anchor + timedelta(days=way), WEEKDAYS[head], way)
        )
        return _date(value, context)
    if head == "week":
        return _date(timex.week_value(anchor + timedelta(days=7 * step)), context)
    value = timex.day_value(anchor + timedelta(days=step))
    if head in _PART_CODES:
        return _date(f"{value}T{_PART_CODES[head]}", context, TimexType.TIME)
    return _date(value, context)


_ANAPHOR_UNITS = frozenset({"day", "week", "month", "year", *_PART_CODES})


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """The nth `weekday` (0 = Monday) of the month; nth = -1 is the last one."""
    if nth < 0:
        last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def _easter(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return date(year, month, day + 1)


# Holidays as the date they fall on in a given year, keyed by their first word (US usage, as
# the news of the corpus: Thanksgiving is the fourth Thursday of November, Election Day the
# Tuesday after the first Monday of November).
_HOLIDAYS: dict[str, Callable[[int], date]] = {
    "thanksgiving": lambda year: _nth_weekday(year, 11, 3, 4),
    "christmas": lambda year: date(year, 12, 25),
    "new": lambda year: date(year, 1, 1),
    "independence": lambda year: date(year, 7, 4),
    "halloween": lambda year: date(year, 10, 31),
    "valentine": lambda year: date(year, 2, 14),
    "election": lambda year: _nth_weekday(year, 11, 0, 1) + timedelta(days=1),
    "labor": lambda year: _nth_weekday(year, 9, 0, 1),
    "labour": lambda year: _nth_weekday(year, 9, 0, 1),
    "memorial": lambda year: _nth_weekday(year, 5, 0, -1),
    "easter": _easter,
    "good": lambda year: _easter(year) - timedelta(days=2),
}


def _holiday_on(name: str, tokens: list[str], year: int) -> date:
    """The day a holiday named by `tokens` falls on in `year`."""
    if name == "new" and "eve" in tokens:
        return date(year, 12, 31)
    day = _HOLIDAYS[name](year)
    if "eve" in tokens:  # Christmas Eve
        return day - timedelta(days=1)
    if name == "easter" and "monday" in tokens:
        return day + timedelta(days=1)
    if tokens[-1] == "week":  # "Easter week": the ISO week that ends on Easter Sunday
        return timex.week_start(day)
    return day


def _holiday(span: str, tokens: list[str], context: Context) -> Reading | None:
    name = next((t for t in tokens if t in _HOLIDAYS), None)
    if name is None:
        return None
    dct = context.dct
    this_year = _holiday_on(name, tokens, dct.year)
    if "last" in tokens or (context.direction == PAST and "next" not in tokens):
        year = dct.year if this_year <= dct else dct.year - 1
    elif "next" in tokens or context.direction == FUTURE:
        year = dct.year if this_year >= dct else dct.year + 1
    else:
        year = _nearest_year(this_year.month, this_year.day, context, False)
    day = _holiday_on(name, tokens, year)
    if tokens[-1] == "week":
        return _date(timex.week_value(day), context)
    return _date(timex.day_value(day), context)


Resolver = Callable[[str, list[str], Context], Reading | None]

_RESOLVERS: dict[str, Resolver] = {
    "clock": _clock,
    "iso_date": _iso_date,
    "month_day": _month_day,
    "day_month": _month_day,
    "second_day": _second_day,
    "month_year": _month_year,
    "month_rel_year": _month_rel_year,
    "weekday": _weekday,
    "rel_day": _rel_day,
    "quarter": _quarter,
    "ago": _ago,
    "year_ended": _year_ended,
    "the_year": _the_year,
    "rel_unit": _rel_unit,
    "nth_day": _nth_day,
    "anaphor": _anaphor,
    "holiday": _holiday,
    "year_word": _year_word,
    "duration": _duration_rule,
    "decade": _decade,
    "period": _period_rule,
    "spelled_year": _spelled_year,
    "century": _century,
    "year": _year,
    "month": _month,
    "season": _season_rule,
    "set": _set,
    "ref": _ref,
    "plural": _plural,
    "while": _while,
    "long": _long,
    "someday": _someday,
    "half": _half,
}
