"""Words for dates and extents, shared by the terminal and iCal renderers.

Input: model objects (`Event`, `Interval`, `Granularity`) and a time zone; output: short English
labels ("Fri 7 Mar 2025", "week of 10 Mar 2025", "night of 6 Mar", "Q1 2025", "the 1990s").
Month and day names are spelled here, not taken from `strftime`, because `%a`/`%b` follow
the process locale and a CLI that calls `setlocale` would change our output.
Must not read the clock or the locale.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta, tzinfo

from timeline.model import Event, Granularity, Mention

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# TIMEX3 part-of-day codes (TimeML 1.2.1, "TIMEX3 value"): 2025-03-06TNI is the night of 6 March.
_PARTS_OF_DAY = {
    "MO": "morning",
    "MI": "midday",
    "AF": "afternoon",
    "EV": "evening",
    "NI": "night",
    "DT": "daytime",
}
# TIMEX3 season codes: 2025-SP is spring 2025.
_SEASONS = {"SP": "spring", "SU": "summer", "FA": "autumn", "AU": "autumn", "WI": "winter"}
_SUFFIX = re.compile(r"T?([A-Z]{2})$")
_SPACE = re.compile(r"\s+")


def day_heading(day: date) -> str:
    """'Fri 7 Mar 2025'."""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def short_day(day: date) -> str:
    """'7 Mar 2025'."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def clock(at: datetime, tz: tzinfo) -> str:
    """'09:00 GMT': the time in `tz`, with the zone's abbreviation so it is never ambiguous."""
    local = at.astimezone(tz)
    zone = local.tzname() or ""
    return f"{local:%H:%M} {zone}".rstrip()


def display_day(event: Event, tz: tzinfo) -> date:
    """The day an event is listed under: its start, or for a clock time, its date in `tz`.

    A clock time can fall on another calendar day in the reader's zone than in the source's
    (01:00 UTC is the evening before in New York), and the heading must agree with the time shown.
    """
    if event.interval.at is not None:
        return event.interval.at.astimezone(tz).date()
    return event.interval.start


def extent(event: Event, tz: tzinfo) -> str:
    """How much of the calendar an entry covers, in words; '' for a plain single day."""
    interval = event.interval
    start, end = interval.start, interval.end
    if interval.at is not None:
        return clock(interval.at, tz)
    days = (end - start).days
    match event.granularity:
        case Granularity.PART_OF_DAY:
            part = _code_word(event.value, _PARTS_OF_DAY)
            if part == "night":
                # The night runs past midnight; name the evening it starts on, as people do.
                return f"night of {start.day} {_MONTHS[start.month - 1]}"
            return part or "part of the day"
        case Granularity.DAY | Granularity.TIME:
            if days <= 1:
                return ""
            return f"{short_day(start)} to {short_day(end - timedelta(days=1))}"
        case Granularity.WEEK:
            return f"week of {short_day(start)}"
        case Granularity.MONTH:
            return f"{MONTH_NAMES[start.month - 1]} {start.year}"
        case Granularity.SEASON:
            season = _code_word(event.value, _SEASONS) or _season_of(start)
            return f"{season} {start.year}"
        case Granularity.QUARTER:
            return f"Q{(start.month - 1) // 3 + 1} {start.year}"
        case Granularity.YEAR:
            return str(start.year)
        case Granularity.DECADE:
            return f"the {start.year // 10 * 10}s"
        case Granularity.CENTURY:
            return f"the {_ordinal(start.year // 100 + 1)} century"
    return ""  # pragma: no cover - the match above is exhaustive


def quote_parts(mention: Mention) -> tuple[str, str, str] | None:
    """The sentence around its quote, as (before, quote, after): by the stored offsets when
    they still point at the quote, else by a search; None when the quote is not in it."""
    sentence, quote = mention.sentence, mention.quote
    start, end = mention.quote_start, mention.quote_end
    if not (0 <= start < end <= len(sentence)) or sentence[start:end] != quote:
        start = sentence.find(quote) if quote else -1
        end = start + len(quote)
    if start < 0:
        return None
    return sentence[:start], sentence[start:end], sentence[end:]


def clean_line(text: str) -> str:
    """One line of plain text: control and format characters dropped, whitespace collapsed.

    Titles and sentences come from scraped pages; an ESC byte in one would let a page
    restyle or rewrite the reader's terminal, so nothing non-printing gets through.
    """
    kept = "".join(" " if ch.isspace() else ch for ch in text if _printable(ch))
    return _SPACE.sub(" ", kept).strip()


def _printable(ch: str) -> bool:
    # Cc: C0/C1 controls (ESC, BEL, NUL…); Cf: bidi overrides and other invisible formatters;
    # Co: private use, which the terminal renderer keeps for its own style markers.
    return ch.isspace() or unicodedata.category(ch) not in {"Cc", "Cf", "Co", "Cs"}


def _code_word(value: str, words: dict[str, str]) -> str:
    match = _SUFFIX.search(value)
    return words.get(match.group(1), "") if match else ""


def _season_of(start: date) -> str:
    # Meteorological seasons, northern hemisphere: the TIMEX3 convention.
    return ("winter", "spring", "summer", "autumn")[start.month % 12 // 3]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
