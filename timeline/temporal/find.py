"""Candidate finding: where the temporal expressions of a text are, and of which kind.

Owns the English surface grammar of temporal expressions, compiled once into a single regular
expression with one named alternative per rule, so a text is scanned in one pass. Input is
text; output is `Candidate`s (span and rule name), sorted and non-overlapping. It does not
resolve anything: `resolve` re-reads each span with the rule's own pattern.

Span conventions follow the TimeML 1.2.1 guidelines as TimeBank applies them: a leading
preposition stays outside ("on [Friday]"), determiners and modifiers come inside
("[the last week]", "[nearly forty years]", "[early next year]").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# --- vocabulary ------------------------------------------------------------------------------

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6, "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3,
    "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip
SEASONS = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000, "dozen": 12,
    "couple": 2,
}  # fmt: skip
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
}  # fmt: skip


def _words(names: Iterable[str]) -> str:
    """An alternation of words, longest first so that "sept" is tried before "sep"."""
    return "|".join(sorted(names, key=len, reverse=True))


# Month names are matched with their capital only: "may" and "march" are also verbs.
_MONTH_FULL = "|".join(n.capitalize() for n in MONTHS if len(n) > 3 or n == "may")
# "May", "June", "July" are whole names: a stop after one ends the sentence ("since June.").
_FULL_SHORT = frozenset({"may", "june", "july"})
_MONTH_ABBR = "|".join(n.capitalize() for n in MONTHS if len(n) <= 4 and n not in _FULL_SHORT)
MONTH = rf"(?-i:(?:{_MONTH_ABBR})\.|(?:{_MONTH_FULL})\b|(?:{_MONTH_FULL.upper()})\b)"
WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
SEASON = r"(?:spring|summer|fall|autumn|winter)"
PART = r"(?:morning|afternoon|evening|night)"
_NUMWORD = _words(n for n in NUMBERS if n not in ("a", "an", "couple"))
NUM = (
    rf"(?:\d+(?:\.\d+)?(?:\s+1/2)?|(?:{_NUMWORD})(?:[-\s](?:{_NUMWORD}))*(?:\s+and\s+a\s+half)?"
    r"|a\s+few|a\s+couple\s+of|several|a(?!\s+\w+s-long\b)|an|some|a\s+dozen|many|few|couple\s+of)"
)
UNIT = r"(?:second|minute|hour|day|week|fortnight|month|quarter|year|decade|century|centuries)"
UNITS = rf"(?:{UNIT}s?)"
YEAR = r"(?:1[5-9]\d\d|20\d\d)(?![\d,.]\d|s\b|-\d)"
DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
APPROX = (
    r"(?:about|around|nearly|almost|roughly|approximately|more\s+than|less\s+than|at\s+least"
    r"|up\s+to|no\s+more\s+than|over(?!\s+(?:the|its)\b)|some)"
)
EDGE = r"(?:early|late|mid-?|earlier|later|the\s+end\s+of|the\s+beginning\s+of)"
RELATIVE = r"(?:this|next|last|past|previous|coming|following|current)"
CLOCK = (
    r"(?:(?:[01]?\d|2[0-3])(?::[0-5]\d)?\s*(?:a\.m\.?|p\.m\.?|am\b|pm\b)"
    # "high noon" is a showdown, not twelve o'clock
    r"|(?:[01]?\d|2[0-3]):[0-5]\d\b|(?<!\bhigh\s)noon|midday|midnight)"
)
ZONE = r"(?:\s+(?-i:[ECMP][SD]T|GMT|BST|UTC))?"

_TEENS = "eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
# "nineteen ninety-six", "twenty twelve"; "twenty six" is a count ("twenty six percent"): a
# spelled year's second half is tens or teens.
SPELLED_YEAR = (
    r"(?:nineteen|twenty)\s+(?:(?:ten|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    rf"(?:-(?:{_NUMWORD}))?|(?:{_TEENS}))\b"
)
# "three-quarters of its food", "a quarter of the market", "three-quarters of voters": a share
# of something, not a time ("several quarters of losses" still is one).
_NOT_FRACTION = (
    r"(?!(?:(?<=quarter)|(?<=quarters))\s+of\s+(?:its|the|their|his|her|our|all|an?)\b"
    r"(?!\s+(?:current\s+|fiscal\s+|calendar\s+)?year\b)"
    r"|(?<=-quarters)\s+of\b)"
)
# "a second term", "a second group": an ordinal before its noun, not a second of time
# ("a second later" still is one).
_NOT_ORDINAL = r"(?!(?<=\ba\ssecond)\s+(?!(?:later|earlier|before|after|ago|or|and|to)\b)[a-z])"

# "(at least) the first two quarters of 1990" is a half year (the `half` rule), not two quarters
# long ("two quarters of losses" still is).
_HALF_OF_A_YEAR = (
    rf"(?<=two\squarters)\s+of\s+(?:(?:fiscal\s+)?{YEAR}|(?:this|next|last|the)\s+year\b)"
)

# --- rules, most specific first: at one position the first alternative that matches wins ---

RULES: dict[str, str] = {
    # "10 p.m. Wednesday", "noon Thursday", "5 p.m. EST, Nov. 9", "4 in the morning"
    # "4 in the morning", "10 at night"
    "clock": rf"(?:{CLOCK}|(?:[01]?\d|2[0-3])\s+(?:in\s+the\s+(?:morning|afternoon|evening)"
    rf"|at\s+night)\b){ZONE}(?:,?\s+(?:{WEEKDAY}|{MONTH}\s+{DAY}\b|yesterday|today|tomorrow))?",
    # "2025-03-07"
    "iso_date": r"\d{4}-[01]\d-[0-3]\d\b",
    # "Friday, March 7, 2025", "March 7th", "Mar. 7, 2025", "March 2025", "March of 2025";
    # "the week of March 6" (the ISO week holding that day: a rule of its own costs the scan)
    "month_day": rf"(?:{WEEKDAY},?\s+|the\s+week\s+of\s+)?{MONTH}\s+{DAY}(?!\d)(?:,?\s+{YEAR})?\b",
    "day_month": rf"(?:{WEEKDAY},?\s+)?(?:the\s+)?{DAY}\s+(?:of\s+)?{MONTH}(?:,?\s+{YEAR})?",
    # "January nineteen ninety-seven", "the winter of 1994"
    "month_year": rf"(?:{EDGE}\s*)?(?:{MONTH},?\s+(?:of\s+)?|(?:the\s+)?{SEASON}\s+of\s+)"
    rf"(?:{YEAR}|{SPELLED_YEAR})",
    # "January this year", "June last year", "early October this year"
    "month_rel_year": rf"(?:{EDGE}\s*)?{MONTH}\s+(?:this|last|next)\s+year",
    # "Friday morning", "late Wednesday night", "last Friday", "Friday's"
    "weekday": rf"(?:(?:early|late|earlier|later)\s+)?(?:(?:last|next|this|coming)\s+)?"
    # "Mondays", "Tuesday nights": every one of them (a SET)
    rf"(?<!(?-i:Good)\s){WEEKDAY}s?(?:\s+{PART}s?)?\b",
    # "yesterday", "late yesterday", "tomorrow morning", "tonight", "this morning",
    # "last night", "overnight", "later this afternoon"
    "rel_day": rf"(?:(?:early|late|earlier|later|mid-?)\s*)?(?:yesterday|today|tomorrow)"
    rf"(?:\s+{PART})?|tonight|overnight|(?:(?:earlier|later)\s+)?this\s+{PART}"
    rf"|(?:mid[-\s]?|late\s+|early\s+)(?:morning|afternoon)(?:\s+(?:yesterday|today))?"
    r"|last\s+night",
    # "the third quarter", "third-quarter", "the fiscal first quarter", "the latest quarter",
    # "this year's third quarter", "the year-ago quarter", "the quarter"
    # "the year-ago period", "the comparable year-earlier quarter", "the 1988 second quarter"
    # "the quarter a year ago", "the corresponding period last year"
    "period": r"(?:the\s+)?(?:(?:comparable|corresponding|same)\s+)?(?:quarter|period)"
    r"\s+(?:a\s+year\s+(?:ago|earlier)|(?:of\s+)?last\s+year)\b"
    r"|the\s+latest\s+period\b|the\s+(?:full|(?:latest|current)\s+fiscal)\s+year\b"
    r"|(?:the\s+)?(?:(?:comparable|corresponding|same)\s+)?(?:year-ago|year-earlier"
    r"|(?:1[89]|20)\d\d)\s+(?:(?:first|second|third|fourth)\s+)?(?:quarter|period)\b",
    # ("quarter-to-quarter" is a comparison, not a quarter)
    "quarter": r"(?<!-)(?:(?:the|its|this\s+year's|last\s+year's|next\s+year's)\s+)?"
    r"(?:fiscal[-\s]+)?(?:(?:first|second|third|fourth|1st|2nd|3rd|4th|latest|current"
    r"|year-ago|year-earlier|comparable|same|previous|last|past|next|fiscal)[-\s]+)?"
    r"(?:fiscal\s+)?quarter\b"
    r"(?:\s+of\s+(?:1[89]|20)\d\d\b)?(?!\s+(?:century|mile)|-\w)" + _NOT_FRACTION,
    # "today is the eighth day of the strike", "it's the second day of talks": a day counted
    # in the present tense is the day of writing
    "nth_day": r"(?:(?<=\bis\s)|(?<='s\s)|(?<=\u2019s\s))the\s+(?:first|second|third|fourth"
    r"|fifth|sixth|seventh|eighth|ninth|tenth|\d{1,3}(?:st|nd|rd|th))"
    r"\s+(?:(?:straight|consecutive|successive)\s+)?day\b(?=\s+of\b)",
    # "the following day", "that year", "later that month", "the next morning": anaphora,
    # resolved against the date the text last named
    # "the previous Friday": the Friday before the date last named
    "anaphor": r"(?:(?:earlier|later)\s+)?(?:(?:the|that)\s+(?:following|next|previous|prior|same)"
    rf"\s+(?:day|morning|evening|night|week|month|year|{WEEKDAY})"
    r"|that\s+(?:same\s+)?(?:day|month|year))\b",
    # "Thanksgiving Day", "last Christmas", "New Year's Eve": holidays with a fixed rule
    "holiday": r"(?:(?:last|next|this)\s+)?(?-i:Thanksgiving(?:\s+Day)?"
    r"|Christmas(?:\s+(?:Day|Eve))?|New\s+Year's\s+(?:Day|Eve)|Independence\s+Day|Halloween"
    r"|Valentine's\s+Day|Election\s+Day|Labou?r\s+Day|Memorial\s+Day|Good\s+Friday"
    r"|Easter(?:\s+(?:Sunday|Monday|week))?)\b"
    # the Good Friday Agreement, Easter Island: names, not days
    r"(?!\s+(?-i:Agreement|Accords?|Islands?|Rising))",
    # "the year ended Sept. 30": a reporting period measured, not the calendar year
    "year_ended": r"the\s+(?:fiscal\s+)?year(?=\s+end(?:ed|ing)\b)",
    # "the year 2000", "the year two thousand", "the fiscal year"
    "the_year": r"the\s+year\s+(?:(?:1[5-9]|20)\d\d\b|two\s+thousand\b)|the\s+fiscal\s+year\b",
    # "a year ago", "two days ago", "a year earlier", "three weeks from now"
    # "a week or so ago": the approximation inside the count
    "ago": rf"(?:(?:{APPROX})\s+)?{NUM}\s+(?:more\s+)?{UNITS}\s+(?:or\s+so\s+)?"
    r"(?:ago|earlier|from\s+now|hence)\b",
    # "last week", "next month", "earlier this year", "late last week", "last fall",
    # "this summer", "last November", "the past year", "the year", "the weekend"
    "rel_unit": rf"(?:{EDGE}\s*)?(?:(?:the|this|that|next|last|past|previous|coming|following|"
    rf"current)\s+)(?:(?:past|last|next|coming|current|following|previous)\s+)?"
    rf"(?:week(?:end)?|month|year|decade|century|{SEASON}|(?<!the\s)(?-i:{_MONTH_FULL})\b)\b"
    rf"(?![-\s](?:old|long)|-(?:ago|earlier|end))"
    rf"|(?:{EDGE}\s*)(?:week(?:end)?|month|year|{SEASON})\b",
    # "year-earlier", "year-ago", "year-end"; "by year end", "by year's end", "around year end"
    # (a fiscal year's end is a company's own date, not the calendar year's)
    "year_word": r"year-(?:earlier|ago|end)\b|(?:the\s+)?(?:fiscal\s+)?year-end\b"
    r"|(?:around\s+)?(?<!fiscal\s)year(?:'s|\u2019s)?\s+end\b(?![-\s](?:of|results?)\b)",
    # "the past two months", "three years", "nearly forty years", "a two-year", "5 1/2 hours",
    # "the first nine months", "the last twenty four hours", "10-year"
    # (before an adjective, "the [eight-year] war", the determiner is the noun's: TimeML 1.2.1)
    # "will one day be", "she one day hopes to": after a modal or a subject, "one day" is
    # some day to come, not a day's length
    # "the second half of 1989", "the first two quarters of 1990", "the first half of next
    # year" (TimeML H1, H2); without its year "the second half" may be a match's
    "half": r"(?:the\s+|its\s+)?(?:(?:first|second|last|latter)\s+half"
    r"|(?:first|last)\s+two\s+quarters)\s+of\s+"
    rf"(?:(?:fiscal\s+)?{YEAR}|(?:this|next|last|the)\s+year\b)",
    "someday": r"(?=one\s)(?:(?<=will\s)|(?<=would\s)|(?<=could\s)|(?<=might\s)|(?<=may\s)"
    r"|(?<=can\s)|(?<=\bhe\s)|(?<=she\s)|(?<=they\s)|(?<=\bwe\s)|(?<=\bI\s))one\s+day\b"
    r"(?!\s+(?:of|after|before|later|earlier|ago|and|or)\b)",
    # "the year-earlier nine months": the same span of the year before is still nine months long
    "duration": rf"(?:(?:{APPROX})\s+)?(?:(?:the|its)\s+(?![\w.]+-{UNITS}\b))?"
    rf"(?:year-(?:earlier|ago)\s+)?(?:(?:past|last|next|first|previous"
    rf"|coming|following|latest|final)\s+)?(?:{NUM})"
    r"(?:[-\s]+(?:more|additional|full|trading|business|working))?"
    rf"[-\s]+{UNITS}\b(?:\s+and\s+a\s+half\b)?(?:-long)?(?!-(?:old|earlier|ago|end|century)"
    rf"|\s+old\b|{_HALF_OF_A_YEAR}){_NOT_FRACTION}" + _NOT_ORDINAL,
    # "the 1990s", "the late 1970s", "mid-1990s", "the 20th century"
    "decade": r"(?:the\s+)?(?:(?:early|late|mid-?)\s*)?(?:1[5-9]|20)\d0'?s\b",
    "century": r"(?:the\s+)?(?:\d{1,2}(?:st|nd|rd|th)|first|second|nineteenth|twentieth"
    r"|twenty-first)\s+century",
    # "fiscal 1989", "early 1991", "mid-1996", "the end of 1990", "1990"
    # "post-1959", "pre-1990": the year with its prefix, as "mid-1996"
    "year": rf"(?:(?:fiscal|calendar|{EDGE})\s*|(?:pre|post)-)?"
    rf"(?:(?<=mid-)|(?<=pre-)|(?<=post-)|(?<![$£€\d.,/-])){YEAR}",
    # "nineteen ninety-six", "the nineties"
    "spelled_year": rf"{SPELLED_YEAR}|(?:the\s+)?(?:nineteen-)?(?:twenties"
    r"|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b",
    # "early November", "late September", "mid-November", "March"
    # ("the March for Life", "a March on Washington": a procession with a name, not the month)
    "month": rf"(?:{EDGE}\s*)?{MONTH}(?!\s+\d)"
    r"(?!(?:(?<=the\sMarch)|(?<=\ba\sMarch)|(?<=annual\sMarch)|(?<=[`\"]March))"
    r"\s+(?:for|of|on|against)\s+(?:the\s+)?(?-i:[A-Z]))",
    # "spring", "the summer"
    # "the summer", "in spring": a bare "fall" or "spring" is usually a verb or a noun.
    "season": rf"(?:the\s+|(?<=\bin\s)|(?<=\bby\s)|(?<=\bduring\s)|(?<=\bsince\s)"
    rf"|(?<=\buntil\s)){SEASON}\b"
    r"(?!\s+(?:of\s+)?\d)",
    # "daily", "every day", "each Thursday", "every other week", "annually"
    "set": rf"daily|weekly|monthly|annually|yearly|hourly|nightly"
    rf"|(?:every|each)\s+(?:other\s+)?(?:{UNIT}|{WEEKDAY}|(?-i:{_MONTH_FULL}))\b"
    r"|(?:a|per)\s+(?:year|month|week|day)(?=\s*[,.;]|\s+(?:for|in|on|by|to|and)\b)",
    # "now", "currently", "recently", "the past", "the future", "recent years", "the then
    # current price" (a present seen from the past)
    "ref": r"(?:the\s+(?:near|short)\s+(?:future|term)|past\s+years"
    r"|(?:right\s+)?now|currently|(?:(?<=\bthe\s)then\s+|then-)?current|recently|recent\s+(?:years|months"
    r"|weeks|days|quarters)|recent|the\s+(?:past|future)|(?:the\s+)?coming\s+(?:years|months"
    r"|weeks|days|quarters)|a\s+later\s+date|nowadays|these\s+days"
    # "will soon", "soon will": not "as soon as", "soon after" (a conjunction's part) nor a past
    # narrative's "was soon released", "soon became"
    r"|(?<!\bas\s)(?<!\bwas\s)(?<!\bwere\s)soon(?!\s+(?:as|after|afterwards?|thereafter"
    r"|became|\w+ed)\b))\b",
    # bare plural units after "for": "for years", "for weeks" (TimeML: DURATION PXY)
    # and "within weeks", "for the first time in years"
    # "a day-long meeting", "a decades-long feud": a duration as an adjective
    "long": r"(?:second|minute|hour|day|week|month|year|decade|century|centurie)s?-long\b",
    "plural": r"(?:(?<=for\s)|(?<=within\s)|(?<=\bin\s))(?:years|months|weeks|days|hours|decades"
    r"|centuries)\b(?!\s+(?:of|ago|before|after|later|earlier|that)\b)"
    # "in the weeks ahead": as long as "the next few weeks", PXW
    r"|the\s+(?:years|months|weeks|days)\s+ahead\b(?!\s+of\b)"
    # "over the years", "in the decades that followed": a stretch of no stated length
    r"|(?<=\bover\s)the\s+(?:years|months|weeks|decades|centuries)\b"
    r"(?!\s+(?:of|ahead|before|after|to)\b)"
    r"|(?<=\bin\s)the\s+(?:years|months|weeks|decades)(?=\s+(?:that\s+)?(?:followed|since)\b)",
    # "for a while": a duration of no stated length (not "once in a while", a frequency)
    "while": r"(?<=for\s)a\s+(?:little\s+)?while\b",
}

# One word-boundary test before the alternation, not one per rule: the scan tries every
# position, and most positions are inside words.
_MASTER = re.compile(
    r"\b(?:" + "|".join(rf"(?P<{name}>{pattern})" for name, pattern in RULES.items()) + ")",
    re.IGNORECASE,
)
PATTERNS = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in RULES.items()}


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """A span the grammar recognised, and the rule that recognised it."""

    start: int
    end: int
    rule: str


# Every rule contains one of these words (or a digit). Scanning for them first and running the
# full grammar only near them is what makes the tagger fast: most text holds no trigger.
_TRIGGER_WORDS = """january february march april may june july august september october november
    december monday tuesday wednesday thursday friday saturday sunday second minute hour day week
    fortnight month quarter year decade centur now current recent soon today yesterday tomorrow
    tonight overnight morning afternoon evening night noon midday midnight future past daily
    weekly monthly annually yearly hourly nightly spring summer autumn winter period nineteen
    twent thirties forties fifties sixties seventies eighties nineties date thanksgiving christmas
    independence halloween valentine easter midweek midmonth midyear midspring midsummer midfall
    midautumn midwinter while""".split()
_TRIGGER_PIECES = [
    *_TRIGGER_WORDS,
    *(
        rf"{abbreviation}\."
        for abbreviation in "jan feb mar apr jun jul aug sep sept oct nov dec".split()
    ),
    *(rf"{word}\b" for word in ("fall", "term", "half")),  # not "fallen", "terms", "halfway"
]


def _by_first_letter(pieces: Iterable[str]) -> str:
    """An alternation of `pieces` grouped by their first letter ("m(?:ay|arch)"): the scan
    then tries one group at a word start, not every piece (2.5x faster over news text)."""
    groups: dict[str, list[str]] = {}
    for piece in pieces:
        groups.setdefault(piece[0], []).append(piece[1:])
    return "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in groups.items())


_TRIGGER = re.compile(rf"\b(?:\d|{_by_first_letter(_TRIGGER_PIECES)})")
# The most text a match can hold before its first trigger ("no more than the first sixty").
_LOOKBACK = 48
# Before a digit only a prefix can come ("the beginning of 1990", "fiscal 1989", "the mid-1990s"):
# a longer stretch before a number ("nearly forty years") holds a unit word, a trigger of its own.
_DIGIT_LOOKBACK = len("the beginning of ") + 3


_WORD_START = re.compile(r"\b\w")
_WORD = re.compile(r"[^\W\d_]+")
# The words a match can begin with (a digit aside), read off the rules above: the grammar is
# tried only at word starts among them. Most words near a trigger ("shares", "said") are not,
# and a failed try of the whole grammar costs more than this look-up.
# tests/test_temporal.py checks `find` against `find_by_full_scan`, which does not filter.
_FIRST_WORDS = frozenset(MONTHS) | set(WEEKDAYS) | set(SEASONS) | set(NUMBERS) | set(ORDINALS)
_FIRST_WORDS |= {f"{weekday}s" for weekday in WEEKDAYS}  # "Mondays"
_FIRST_WORDS |= set(
    """the a an its this that these next last past previous prior coming following current latest
    final early late earlier later mid fiscal calendar comparable corresponding same quarter
    period year years months weeks days hours decades centuries noon midday midnight
    yesterday today tomorrow tonight overnight thanksgiving christmas new independence
    halloween valentine election labor labour memorial good easter about around nearly
    almost roughly approximately more less at up no over some several many few every each
    per daily weekly monthly annually yearly hourly nightly right now currently recently soon
    recent nowadays nineteenth twentieth twenties thirties forties fifties sixties seventies
    eighties nineties latter pre post then""".split()
)


def find(text: str) -> list[Candidate]:
    """Every candidate span of `text`, in order, non-overlapping.

    Equivalent to one left-to-right scan of the whole grammar (`find_by_full_scan`), but the
    grammar is only tried at the word starts shortly before each trigger: every match holds a
    trigger and starts at most `_LOOKBACK` characters before it.
    """
    found: list[Candidate] = []
    cursor = 0  # end of the last match: matches do not overlap
    tried = -1  # last position tried: a position matches or not whatever trigger led to it
    lowered = text.lower()  # same length: str.lower keeps offsets for the scripts we meet
    if len(lowered) != len(text):
        lowered = text
    for trigger in _TRIGGER.finditer(lowered):
        at = trigger.start()
        if at < cursor:
            continue
        lookback = _DIGIT_LOOKBACK if lowered[at].isdigit() else _LOOKBACK
        for word in _WORD_START.finditer(text, max(cursor, tried + 1, at - lookback), at + 1):
            if word.start() < cursor:
                continue
            tried = word.start()
            if not lowered[tried].isdigit() and not _may_begin(lowered, tried):
                continue
            match = _MASTER.match(text, tried)
            if match is None or match.lastgroup is None or match.end() == match.start():
                continue
            found.append(Candidate(start=match.start(), end=match.end(), rule=match.lastgroup))
            cursor = match.end()
            second = _second_day(text, found[-1])
            if second is not None:
                found.append(second)
                cursor = second.end
    return found


def _may_begin(lowered: str, at: int) -> bool:
    word = _WORD.match(lowered, at)
    if word is None:
        return True  # not a letter: leave it to the grammar
    letters = word.group().lower()  # `lowered` is the text itself when lowering changed lengths
    if letters in _FIRST_WORDS or letters.startswith("mid"):  # "midweek", "mid-1990s"
        return True
    # A unit word begins a match only as an adjective: "day-long", "decades-long". Trying the
    # grammar at every "day" and "week" would cost the scan its speed.
    return letters.rstrip("s") in _LONG_UNITS and lowered.startswith("-long", word.end())


_LONG_UNITS = frozenset("second minute hour day week month year decade century centurie".split())


# "April 24 and 25", "on Dec. 14 or 15": a second day of the month just named.
_SECOND_DAY = re.compile(
    r"\s+(?:and|or)\s+([0-3]?\d)(?:st|nd|rd|th)?\b(?![.,]\d)"
    r"(?=\s*[^\w\s%]|\s+(?:in|at|on|to|for|when|while|as|and|with|the|of|from)\b|\s*\Z)"
)


def _second_day(text: str, candidate: Candidate) -> Candidate | None:
    if candidate.rule != "month_day":
        return None
    match = _SECOND_DAY.match(text, candidate.end)
    if match is None:
        return None
    return Candidate(start=match.start(1), end=match.end(), rule="second_day")


def find_by_full_scan(text: str) -> list[Candidate]:
    """The reference `find` is equivalent to: one scan of the grammar over all of `text`."""
    found: list[Candidate] = []
    cursor = 0
    for match in _MASTER.finditer(text):
        if match.lastgroup is None or match.end() == match.start() or match.start() < cursor:
            continue
        found.append(Candidate(start=match.start(), end=match.end(), rule=match.lastgroup))
        second = _second_day(text, found[-1])
        if second is not None:
            found.append(second)
            cursor = second.end
    return found


# --- tense cues ------------------------------------------------------------------------------

# The governing verb decides which way a bare weekday or month points ("said on Thursday" is
# the Thursday past, "will meet on Monday" the one to come). Without a parser, the verb cue
# nearest the expression stands for it, preferring the cues before it in its sentence.
_FUTURE_CUES = (
    r"will|won't|wo|'ll|shall|going\s+to|plans?\s+to|scheduled|is\s+to|are\s+to|expected\s+to"
    # "said it would close on [Saturday]": reported speech takes the reported clause's tense
    r"|would(?!\s+(?:have|not|n't)\b)|due\s+to|to\s+be\s+held|set\s+to|upcoming"
    r"|next(?!\s+to\b)|tomorrow"
    r"|planned\s+to|planning\s+to|supposed\s+to|slated"
    r"|as\s+soon\s+as|until|expects?|expected"
)
# An agreement or a decision to act, before the date, looks ahead to the act ("agreed to buy
# the unit in [February]"); after it, the agreeing is what the date is of ("On [Thursday],
# leaders agreed to raise spending").
_PROSPECT_CUES = r"agreed\s+to|agreements?\s+to|decided\s+to"
# Reporting verbs date the report, not the event reported ("said it would ship in March"):
# they count only when no other verb is near.
_REPORT_CUES = r"said|says|told|reported|announced|added|according"
_PAST_CUES = (
    # "was due to expire [Friday]": a plan seen from the past, not one still ahead
    r"(?:was|were|had\s+been)\s+(?:due|scheduled|expected|set|slated|supposed)\s+to"
    r"|was|were|had|did|took|met|made|came|went|gave|got|held|left|saw|began"
    r"|fell|rose|won|lost|sold|bought|paid|found|thought|brought|kept|led|spoke|wrote|struck"
    r"|became|broke|chose|drove|flew|grew|knew|meant|sent|spent|stood|ran|hit|ago|last|earlier"
    r"|yesterday|since"
)
# Any other word in -ed is a past verb only by guess: it may be an adjective ("preferred
# shares", "a still unspecified date"), so a modal before it in the clause outranks it.
_GUESSED_PAST = (
    r"(?!(?:need|speed|indeed|hundred|red|bed|united|limited|based|related|proposed"
    r"|scheduled|used|concerned|expected|reported|announced|added)\b)\w{2,}ed"
)
# Words that set a date ahead of the text that names it, right before the date: payment and
# record dates, effective dates, deadlines and expiries ("payable [Dec. 1] to stock of record
# [Nov. 10]", "effective [Feb. 1]", "extended its offer to [Nov. 20]", "expires [Monday]").
# Their verb is often a past one ("declared a dividend payable ..."), which must not win.
_AHEAD = re.compile(
    r"\b(?:payable|effective|of\s+record|record\s+date\s+is|expires|expiring"
    r"|takes?\s+effect|extended(?:\s+\w+){0,2}\s+to|deadline\s+of"
    # a present tense schedule: "Congress reconvenes [Jan. 24]", "the fair opens [Friday]",
    # "the two leaders meet separately [Monday]" (not "the close [Friday]", a noun)
    r"|(?<!\bthe\s)(?<!\bdid\snot\s)(?<!\bdidn.t\s)"
    r"(?:begin|start|open|end|close|resume|reconvene|convene|meet|arrive|depart|return)s?"
    r"(?:\s+\w+ly)?)"
    r"\s+(?:(?:on|in)\s+)?\Z"
)
_FRONT = ("", "up")  # what may come before a sentence's opening "until"
_AHEAD_REACH = len("extended the tender offer to ")
_CUE_BEFORE, _CUE_AFTER = 160, 80
_ADJACENT = len(" on ")
# Matched against lowered text, case-sensitively: IGNORECASE makes this scan several times slower.
_CUE = re.compile(
    rf"\b(?:(?P<prospect>{_PROSPECT_CUES})|(?P<future>{_FUTURE_CUES})|(?P<report>{_REPORT_CUES})"
    # A participle after "be" is passive, not past: "will be paid in [January]".
    rf"|(?<!\bbe )(?<!being )(?:(?P<past>{_PAST_CUES})|(?P<guess>{_GUESSED_PAST})))\b"
)


def tense_direction(lowered: str, sentence: tuple[int, int], offset: int) -> int:
    """-1 (past), +1 (future) or 0 (no cue) for an expression at `offset` of the lowered text,
    inside `sentence` (start, end offsets)."""
    return tense_cue(lowered, sentence, offset)[0]


def tense_cue(lowered: str, sentence: tuple[int, int], offset: int) -> tuple[int, bool]:
    """The tense direction of the expression at `offset` (as `tense_direction`), and whether it
    is sure: the word right before decides it ("ended [Jan. 31]", "said [Thursday]", "since
    [March]", "payable [Dec. 1]"), where a cue further away only suggests.

    Only the clause-sized stretch around the expression is read: a verb further away rarely
    governs it, and reading whole sentences per expression would cost the tagger its speed.
    """
    if lowered.endswith(("since ", "ago "), 0, offset):
        return -1, True  # "since [March]" reaches back from now, whatever the verb
    if _AHEAD.search(lowered, max(0, offset - _AHEAD_REACH), offset):
        return 1, True  # "payable [Dec. 1]", "extended to [Nov. 6]": a date set ahead
    before: int = 0
    certain = 0  # the last cue before that is not a guess
    after: int = 0
    reported = 0
    start = max(sentence[0], offset - _CUE_BEFORE)
    end = min(sentence[1], offset + _CUE_AFTER)
    for match in _CUE.finditer(lowered, start, end):
        if match.lastgroup == "report":
            if 0 <= offset - match.end() <= _ADJACENT:
                return -1, True  # "said [Thursday]", "said on [Thursday]": the report is dated
            if match.start() > offset and not after:
                after = -1  # "In [September], it announced plans to ...": the report governs
            reported = -1
            continue
        if match.group() == "until" and lowered[sentence[0] : match.start()].strip() in _FRONT:
            continue  # "Until [Thursday], they had not called him a suspect": the clause's verb
        sign = 1 if match.lastgroup == "future" else -1
        if match.lastgroup == "prospect":
            sign = 1 if match.end() <= offset else -1
        if sign < 0 and 0 <= offset - match.end() <= _ADJACENT:
            return -1, True  # "closed [Wednesday]", "issued on [July 1]": the verb right before
        if match.end() <= offset:
            # Keep the last cue before the expression; a guessed past does not undo a modal.
            guess = match.lastgroup == "guess"
            before = certain if guess and certain == 1 else sign
            certain = certain if guess else sign
        elif match.start() > offset and not after:
            after = sign
    return before or after or reported, False
