"""Days written for people in a page's visible text: "5. März 2021", "March 5, 2021",
"jueves 2 de abril de 2020", "05.03.2021", "2021. 03. 05.", "2021年3月5日".

Owns: the month names of the languages most news is written in, read with plain regular
expressions, so the common cases cost no dateparser import and no per-call parsing. Other
languages are left to `pubdate.py`, which asks dateparser only for them.
Input: a short text (a byline, a date line) and whether an ambiguous 03/05 is month first.
Output: the first complete day (year, month, day) in the text, or None. A two-digit year
("8.5.12") is read only when asked for (`find_short_day`), in a date line.

Must not: guess a year or a day that is not written, read the clock, or raise on any text.
"""

from __future__ import annotations

import re

# Full names and common abbreviations, lower case; one table for all languages, since no
# spelling means one month in one language and another month in another.
_MONTH_NAMES: dict[int, str] = {
    1: "january jan januar jänner jän janvier janv enero ene gennaio gen januari janeiro "
    "ianuarie stycznia",
    2: "february feb februar feber février fevrier févr fév fev febrero febbraio februari "
    "fevereiro februarie lutego",
    3: "march mar märz maerz mär mars marzo maart mrt março marco martie marts marca",
    4: "april apr avril avr abril aprile aprilie kwietnia",
    5: "may mai maj mayo maggio mag mei maio maja",
    6: "june jun juni juin junio giugno giu junho iunie czerwca",
    7: "july jul juli juillet juil julio luglio lug julho iulie lipca",
    8: "august aug août aout agosto ago augustus augusti sierpnia",
    9: "september sep sept septembre septiembre setiembre settembre set setembro "
    "septembrie września wrzesnia",
    10: "october oct oktober okt octobre octubre ottobre ott outubro out octombrie "
    "października pazdziernika",
    11: "november nov novembre noviembre novembro noiembrie listopada",
    12: "december dec dezember dez décembre decembre déc diciembre dic dicembre dezembro "
    "decembrie desember grudnia",
}
# Arabic: the names used in Egypt and the Gulf (from the Latin months) and in the Levant and
# Iraq (Syriac), both common on news pages; no spelling collides with another month.
_ARABIC_NAMES: dict[int, str] = {
    1: "يناير كانون_الثاني",
    2: "فبراير شباط",
    3: "مارس آذار",
    4: "أبريل ابريل إبريل نيسان",
    5: "مايو أيار",
    6: "يونيو يونيه حزيران",
    7: "يوليو يوليه تموز",
    8: "أغسطس اغسطس آب",
    9: "سبتمبر أيلول",
    10: "أكتوبر اكتوبر تشرين_الأول",
    11: "نوفمبر تشرين_الثاني",
    12: "ديسمبر كانون_الأول",
}
MONTHS: dict[str, int] = {
    name.replace("_", " "): number
    for table in (_MONTH_NAMES, _ARABIC_NAMES)
    for number, names in table.items()
    for name in names.split()
}


def _alternation(names: list[str]) -> str:
    """The names as one regular expression group body, longest first as a plain alternation
    would try them, but grouped by first letter: the engine tries a dozen names where a
    letter can start one, not all of them at every letter of a text (3x on long texts)."""
    by_first: dict[str, list[str]] = {}
    for name in sorted(names, key=len, reverse=True):
        by_first.setdefault(name[0], []).append(name)
    return "|".join(
        re.escape(first) + "(?:" + "|".join(re.escape(name[1:]) for name in group) + ")"
        for first, group in by_first.items()
    )


_NAME = _alternation(list(MONTHS))
_YEAR = r"((?:19|20)\d\d)(?!\d)"
_DAY = r"(?<!\d)(\d{1,2})"
# Each pattern gives (year, month, day) by the group order named beside it.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # 2021-03-05, 2021/03/05, 2021.03.05 (Korean and Chinese pages)
    (re.compile(r"(?<!\d)((?:19|20)\d\d)([-/.])(\d{1,2})\2(\d{1,2})(?!\d)"), "ymd"),
    # 2021. 03. 05. (Hungarian: year first, each part closed by a dot and a space)
    (re.compile(r"(?<!\d)((?:19|20)\d\d)\.\s(\d{1,2})\.\s(\d{1,2})\.(?!\d)"), "ymd"),
    # 2021年3月5日
    (re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"), "ymd"),
    # 5.3.2021, 05. 03. 2021: day first wherever dots are used
    (re.compile(_DAY + r"\.\s?(\d{1,2})\.\s?" + _YEAR), "dmy"),
    # 05/03/2021, 05-03-2021, 05 | 03 | 2021: day or month first, see `month_first`
    (re.compile(_DAY + r"([/-]|\s?\|\s?)(\d{1,2})\2" + _YEAR), "d?y"),
    # 5. März 2021, 5 March 2021, 5th of March, 2021, 2 de abril de 2020, 5 mars 2021
    (
        re.compile(
            _DAY + r"(?:st|nd|rd|th|er|º|°)?\.?\s*(?:of\s+|de\s+)?(" + _NAME + r")\b\.?,?\s*"
            r"(?:de\s+|del\s+)?" + _YEAR,
            re.I,
        ),
        "dmy",
    ),
    # March 5, 2021, Mar. 05 2021
    (
        re.compile(
            r"(?<![^\W\d_])(" + _NAME + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b,?\s+" + _YEAR, re.I
        ),
        "mdy",
    ),
)


# Every pattern above holds a year, so a text is read only around its years: one fast scan
# for them, then the patterns within these spans (most text is prose the month-name patterns
# would otherwise try at every letter; a text without a year costs that one scan). The
# spans reach further than any match does around its year, in text whose whitespace is
# collapsed or short, as the callers' is.
_ANY_YEAR = re.compile(r"(?:19|20)\d\d")
_BEFORE_YEAR = 60  # "5th of September, " before the year; "Wednesday" is not read
_AFTER_YEAR = 30  # "-03-05", "年 3 月 5 日", ". 03. 05." after it


def _spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the parts of `text` that may hold a day: the surroundings of each
    year, merged where they touch."""
    spans: list[tuple[int, int]] = []
    for year in _ANY_YEAR.finditer(text):
        start = max(0, year.start() - _BEFORE_YEAR)
        end = min(len(text), year.end() + _AFTER_YEAR)
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def find_day(text: str, *, month_first: bool = False) -> tuple[int, int, int] | None:
    """The first valid day written in `text`, as (year, month, day).

    `month_first` reads an ambiguous 03/05/2021 as March 5 (American English); a reading
    the calendar rules out (13/05/2021) is never taken either way.
    """
    found = find_day_at(text, month_first=month_first)
    return found[1] if found else None


def find_day_at(text: str, *, month_first: bool = False) -> tuple[int, tuple[int, int, int]] | None:
    """Like `find_day`, with where in `text` the day starts: (offset, (year, month, day))."""
    # Spans are in text order, so the first that holds a day holds the earliest.
    for start, end in _spans(text):
        best: tuple[int, tuple[int, int, int]] | None = None
        for pattern, order in _PATTERNS:
            # pos/endpos, not a slice: look-behinds still see the text before the span.
            for match in pattern.finditer(text, start, end):
                if best is not None and match.start() >= best[0]:
                    break
                day = _day_of(match, order, month_first=month_first)
                if day is not None:
                    best = (match.start(), day)
                    break
        if best is not None:
            return best
    return None


def days_at(
    text: str, *, month_first: bool = False, limit: int | None = None
) -> list[tuple[int, tuple[int, int, int]]]:
    """Every valid day written in `text`, as (offset, (year, month, day)) in text order; a
    reading that overlaps an earlier one is dropped. One pass per pattern and span, so a
    long text costs a few scans, not one per day found. With `limit`, the first that many
    days, and the text past them is not read."""
    days: list[tuple[int, tuple[int, int, int]]] = []
    end = -1
    # Spans are apart and in text order and each match lies within its span, so sorting
    # span by span orders the whole text.
    for span_start, span_end in _spans(text):
        found: list[tuple[int, int, tuple[int, int, int]]] = []
        for pattern, order in _PATTERNS:
            for match in pattern.finditer(text, span_start, span_end):
                day = _day_of(match, order, month_first=month_first)
                if day is not None:
                    found.append((match.start(), match.end(), day))
        found.sort()
        for start, stop, day in found:
            if start >= end:
                days.append((start, day))
                end = stop
        if limit is not None and len(days) >= limit:
            return days[:limit]
    return days


# 8.5.12, 02.12.19: day first with a two-digit year, as German-language date lines write it.
# Only for a date line (`find_short_day`): in prose the same shape is a version or a score.
_SHORT_YEAR = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d\d)(?!\d|\.\d)")


def find_short_day(text: str, *, last: bool = False) -> tuple[int, int, int] | None:
    """The first (or `last`) valid day written as d.m.yy in `text` (a date line, not
    prose), as (year, month, day); the year read as POSIX `%y` does: 69-99 are 1969-1999,
    00-68 are 2000-2068."""
    found = None
    for match in _SHORT_YEAR.finditer(text):
        day, month, short = (int(part) for part in match.groups())
        year = short + (1900 if short >= 69 else 2000)
        if 1 <= month <= 12 and 1 <= day <= _days_in(year, month):
            found = year, month, day
            if not last:
                break
    return found


def _day_of(match: re.Match[str], order: str, *, month_first: bool) -> tuple[int, int, int] | None:
    groups = match.groups()
    if order == "ymd":
        year, month, day = int(groups[0]), int(groups[-2]), int(groups[-1])
    elif order == "mdy":
        month, day, year = MONTHS[groups[0].lower()], int(groups[1]), int(groups[2])
    elif order == "dmy":
        name = groups[1]
        day, year = int(groups[0]), int(groups[2])
        month = int(name) if name.isdigit() else MONTHS[name.lower()]
    else:  # "d?y": 05/03/2021
        first, second, year = int(groups[0]), int(groups[2]), int(groups[3])
        if first > 12 or (second <= 12 and not month_first):
            day, month = first, second
        else:
            month, day = first, second
    if not (1 <= month <= 12 and 1 <= day <= _days_in(year, month)):
        return None
    return year, month, day


def _days_in(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31
