"""Periods named in words, for filters: "last week", "2025-03", "3 days ago".

Used by `timeline show`/`export` options and `timeline serve` query parameters. Pure: the
caller says what today is.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

DAY_HELP = (
    "YYYY-MM-DD, YYYY-MM, YYYY, today, yesterday, tomorrow, "
    "this/last/next week|month|year, or 'N days|weeks|months|years ago'"
)


_UNITS = {"day": 1, "week": 7}
_AGO = re.compile(r"(\d+) (day|week|month|year)s? ago")


def day_range(value: str, today: date) -> tuple[date, date]:
    """A day, week, month or year named by `value`, as [first day, day after the last)."""
    phrase = " ".join(value.lower().split())
    if match := _AGO.fullmatch(phrase):
        count, unit = int(match.group(1)), match.group(2)
        try:
            if unit in _UNITS:
                day = today - timedelta(days=count * _UNITS[unit])
                return day, day + timedelta(days=1)
            months = count * (12 if unit == "year" else 1)
            first = _add_months(today.replace(day=1), -months)
            return first, first + timedelta(days=1)
        except (OverflowError, ValueError):  # timedelta and date say so in their own ways
            raise ValueError(f"{value!r} is before year 1") from None
    relative = {"yesterday": -1, "today": 0, "tomorrow": 1}
    if phrase in relative:
        day = today + timedelta(days=relative[phrase])
        return day, day + timedelta(days=1)
    words = phrase.split()
    if len(words) == 2 and words[0] in ("this", "last", "next"):
        step = {"this": 0, "last": -1, "next": 1}[words[0]]
        if words[1] == "week":
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=step)
            return monday, monday + timedelta(weeks=1)
        if words[1] == "month":
            first = _add_months(today.replace(day=1), step)
            return first, _add_months(first, 1)
        if words[1] == "year":
            year = today.year + step
            return date(year, 1, 1), date(year + 1, 1, 1)
    try:
        if re.fullmatch(r"\d{4}", phrase):
            return date(int(phrase), 1, 1), date(int(phrase) + 1, 1, 1)
        if re.fullmatch(r"\d{4}-\d{2}", phrase):
            first = date.fromisoformat(phrase + "-01")
            return first, _add_months(first, 1)
        day = date.fromisoformat(phrase)
        return day, day + timedelta(days=1)
    except ValueError:
        pass
    raise ValueError(f"{value!r} is not a date or period ({DAY_HELP})")


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
