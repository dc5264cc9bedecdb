"""TIMEX3 value arithmetic: calendar units <-> value strings <-> intervals.

Owns the TimeML 1.2.1 value grammar this package produces ("2025", "2025-03", "2025-03-07",
"2025-W11", "2025-W11-WE", "2025-Q1", "2025-H2", "2025-SP", "199X", "19", "2025-03-06TNI",
"2025-03-07T10:30") and the calendar behind it: ISO weeks, quarters, seasons, parts of day,
decades and centuries. Input is a value (and the zone of the document, for clock times); output
is the `Granularity` and half-open `Interval` the value names, or None when the value names no
concrete stretch of calendar (durations, sets, *_REF, anything with an X). Pure: no clock, no
text.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo

from timeline.model import Granularity, Interval

# Seasons as meteorological (northern) quarters, as TimeML leaves their bounds open:
# winter is the December that starts it through February of the next year.
_SEASON_MONTHS = {"SP": (3, 6), "SU": (6, 9), "FA": (9, 12), "WI": (12, 15)}
PARTS_OF_DAY = ("MO", "AF", "EV", "NI")

_VALUE = re.compile(
    r"(?P<year>\d{4})(?:"
    r"-(?P<month>\d\d)(?:-(?P<day>\d\d)(?:T(?P<pod>MO|AF|EV|NI)"
    r"|T(?P<hour>\d\d)(?::(?P<minute>\d\d))?)?)?"
    r"|-W(?P<week>\d\d)(?P<weekend>-WE)?"
    r"|-Q(?P<quarter>[1-4])"
    r"|-H(?P<half>[12])"
    r"|-(?P<season>SP|SU|FA|WI)"
    r")?"
)
_DECADE = re.compile(r"(?P<decade>\d{3})X?")
_CENTURY = re.compile(r"(?P<century>\d\d)")


# --- building values -------------------------------------------------------------------------


def day_value(day: date) -> str:
    return day.isoformat()


def month_value(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def week_value(day: date) -> str:
    """The ISO week holding `day` (ISO 8601 weeks start on Monday; week 1 holds 4 January)."""
    iso = day.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def quarter_of(month: int) -> int:
    return (month - 1) // 3 + 1


def quarter_value(year: int, quarter: int) -> str:
    return f"{year:04d}-Q{quarter}"


def decade_value(year: int) -> str:
    # TimeML 1.2.1 writes the 1990s as "199" (TimeBank sometimes "199X"; both are read back).
    return f"{year // 10:03d}"


def century_value(century_number: int) -> str:
    # The 20th century is "19": TimeML keeps the leading digits of its years.
    return f"{century_number - 1:02d}"


# --- calendar steps --------------------------------------------------------------------------


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def add_quarters(year: int, quarter: int, delta: int) -> tuple[int, int]:
    index = year * 4 + (quarter - 1) + delta
    return index // 4, index % 4 + 1


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def shift_weekday(anchor: date, weekday: int, direction: int) -> date:
    """The `weekday` (0 = Monday) nearest `anchor` in `direction` (-1 past, +1 future, 0 same
    week). A weekday equal to the anchor's is the anchor itself: "on Friday" in a Friday
    article is that day (TimeBank annotates it so in most cases)."""
    delta = weekday - anchor.weekday()
    if delta == 0:
        return anchor
    if direction < 0 and delta > 0:
        delta -= 7
    elif direction > 0 and delta < 0:
        delta += 7
    return anchor + timedelta(days=delta)


# --- values -> intervals ---------------------------------------------------------------------


def interval(value: str, zone: tzinfo) -> tuple[Granularity, Interval] | None:
    """The stretch of calendar a concrete value names, or None (durations, sets, X, *_REF)."""
    try:
        return _interval(value, zone)
    except (ValueError, OverflowError):
        return None


def _interval(value: str, zone: tzinfo) -> tuple[Granularity, Interval] | None:
    if "X" in value[:4] or value.startswith("P") or value.endswith("_REF"):
        return _coarse(value)
    if "X" in value:
        return None
    match = _VALUE.fullmatch(value)
    if match is None:
        return _coarse(value)
    year = int(match["year"])
    if match["month"]:
        return _month_part(match, year, zone)
    if match["week"]:
        monday = date.fromisocalendar(year, int(match["week"]), 1)
        if match["weekend"]:
            saturday = monday + timedelta(days=5)
            return Granularity.WEEK, Interval(start=saturday, end=saturday + timedelta(days=2))
        return Granularity.WEEK, Interval(start=monday, end=monday + timedelta(days=7))
    if match["quarter"]:
        first = (int(match["quarter"]) - 1) * 3 + 1
        return Granularity.QUARTER, _months(year, first, 3)
    if match["half"]:
        # No granularity of its own: a half year is placed as precisely as its year.
        return Granularity.YEAR, _months(year, (int(match["half"]) - 1) * 6 + 1, 6)
    if match["season"]:
        first, stop = _SEASON_MONTHS[match["season"]]
        return Granularity.SEASON, _months(year, first, stop - first)
    return Granularity.YEAR, Interval(start=date(year, 1, 1), end=date(year + 1, 1, 1))


def _coarse(value: str) -> tuple[Granularity, Interval] | None:
    """Decades ("199X", "199") and centuries ("19"); anything else is not concrete."""
    decade = _DECADE.fullmatch(value)
    if decade and value[:3].isdigit():
        first = int(decade["decade"]) * 10
        return Granularity.DECADE, Interval(start=date(first, 1, 1), end=date(first + 10, 1, 1))
    century = _CENTURY.fullmatch(value)
    if century:
        first = max(int(century["century"]) * 100, 1)
        return Granularity.CENTURY, Interval(
            start=date(first, 1, 1), end=date(min(first + 100, 9999), 1, 1)
        )
    return None


def _month_part(match: re.Match[str], year: int, zone: tzinfo) -> tuple[Granularity, Interval]:
    month = int(match["month"])
    if not match["day"]:
        return Granularity.MONTH, _months(year, month, 1)
    day = date(year, month, int(match["day"]))
    whole_day = Interval(start=day, end=day + timedelta(days=1))
    if match["pod"]:
        # A part of day is kept as its calendar day: "overnight" (TNI) in a morning article
        # is the night that began the evening before, dated by that evening.
        return Granularity.PART_OF_DAY, whole_day
    if match["hour"] is None:
        return Granularity.DAY, whole_day
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if hour == 24:  # "midnight Friday" is T24: the end of that day
        at = datetime.combine(day + timedelta(days=1), time(0, minute), tzinfo=zone)
    else:
        at = datetime.combine(day, time(hour, minute), tzinfo=zone)
    return Granularity.TIME, Interval(start=day, end=day + timedelta(days=1), at=at)


def _months(year: int, first: int, count: int) -> Interval:
    end_year, end_month = add_months(year, first, count)
    start_year, start_month = add_months(year, first, 0)
    return Interval(start=date(start_year, start_month, 1), end=date(end_year, end_month, 1))
