"""temporal.tag: what is not a temporal expression although it looks like one (ages, shares,
counts), what still is, and forms added in issue 3's later passes. Sentences are our own."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from timeline.temporal import tag

TUESDAY = datetime(2025, 10, 14, 9, 0, tzinfo=UTC)

MARCH = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)

# (sentence, publish time, expected [(text, type, value)])
DATED = [
    # "last February" in March: last month would have said "last month".
    ("The rules changed last February.", MARCH, [("last February", "DATE", "2024-02")]),
    ("The rules changed last January.", MARCH, [("last January", "DATE", "2025-01")]),
    ("The site reopens next April.", MARCH, [("next April", "DATE", "2026-04")]),
]


@pytest.mark.parametrize(("sentence", "published", "expected"), DATED)
def test_dated(sentence: str, published: datetime, expected: list[tuple[str, str, str]]) -> None:
    assert [(t.text, t.type, t.value) for t in tag(sentence, published)] == expected


# (sentence, expected [(text, type, value)]), all published on TUESDAY
TABLE = [
    # Ages are not durations, with a hyphen or without.
    ("The chef, 41 years old, opened a bakery.", []),
    # A share of something is not a quarter of a year.
    ("Imports make up about three-quarters of its grain.", []),
    ("Pension funds hold a quarter of the market.", []),
    ("About three-quarters of commuters drive.", []),
    ("Rates sit near a quarter-century high.", []),
    # ... while a count of quarters of something still is a duration.
    ("The firm had several quarters of losses.", [("several quarters", "DURATION", "PXQ")]),
    (
        "Sales rose in the third quarter of the year.",
        [("the third quarter", "DATE", "2025-Q3"), ("the year", "DATE", "2025")],
    ),
    # A spelled year's second half is tens or teens: "twenty six" is a count.
    ("The index lost twenty six percent.", []),
    ("The games opened in twenty twelve.", [("twenty twelve", "DATE", "2012")]),
    # "a second" before a noun is an ordinal; alone it is a second of time.
    ("A second group of directors resigned.", []),
    ("The lights flickered for a second.", [("a second", "DURATION", "PT1S")]),
    # Vague clock durations put the X where the number goes (TimeML: PTXM, PTXH).
    ("Crews waited a few minutes.", [("a few minutes", "DURATION", "PTXM")]),
    ("The hearing ran for several hours.", [("several hours", "DURATION", "PTXH")]),
    # Holidays with a rule: US Election Day, Labor and Memorial Day, Easter by the computus.
    ("Turnout was high on Election Day.", [("Election Day", "DATE", "2024-11-05")]),
    ("The mall will open after Labor Day.", [("Labor Day", "DATE", "2026-09-07")]),
    (
        "Shops shut on Good Friday and Easter Monday.",
        [("Good Friday", "DATE", "2025-04-18"), ("Easter Monday", "DATE", "2025-04-21")],
    ),
    ("Crowds gathered on Memorial Day.", [("Memorial Day", "DATE", "2025-05-26")]),
    ("Pilgrims arrived as Easter week began.", [("Easter week", "DATE", "2025-W16")]),
    ("The Good Friday Agreement holds.", []),
    ("Statues stand on Easter Island.", []),
    # A plural weekday or part of day is every such day (a SET).
    ("The museum is closed on Mondays.", [("Mondays", "SET", "XXXX-WXX-1")]),
    ("Night buses run on Tuesday nights.", [("Tuesday nights", "SET", "XXXX-WXX-2TNI")]),
    # "this Friday" is the Friday of the publish week, even when it is still ahead.
    ("The report is out this Friday.", [("this Friday", "DATE", "2025-10-17")]),
    # A season or month with its year, in figures or spelled as broadcasts say it.
    ("The summer of 1996 was hot.", [("The summer of 1996", "DATE", "1996-SU")]),
    (
        "Oil peaked in the winter of nineteen ninety-four.",
        [("the winter of nineteen ninety-four", "DATE", "1994-WI")],
    ),
    ("January nineteen ninety-seven.", [("January nineteen ninety-seven", "DATE", "1997-01")]),
    # Before an adjectival duration the determiner belongs to the noun (TimeML 1.2.1).
    ("The eight-year war ended.", [("eight-year", "DURATION", "P8Y")]),
    ("Over the past two years, rents rose.", [("the past two years", "DURATION", "P2Y")]),
    # "and a half" after the unit counts.
    ("He spent a year and a half abroad.", [("a year and a half", "DURATION", "P1Y6M")]),
    # A capital unit word names a programme; "quarter-to-quarter" is a comparison.
    ('The minister spoke on "This Week" about the deal.', []),
    ("The senator told 60 Minutes she would run again.", []),
    ("Veterans of the Six Day War marched.", []),
    # ... and so does a capital "Today" after a capital word; a sentence may still open with it.
    ("The poll ran in USA Today on Monday.", [("Monday", "DATE", "2025-10-13")]),
    ("Today, the council votes.", [("Today", "DATE", "2025-10-14")]),
    # "today's world" is the present age; "today's vote" is the day.
    ("Phones shape how today's youth make friends.", []),
    ("Such rules make little sense in today's world.", []),
    ("Turnout for today's vote was low.", [("today", "DATE", "2025-10-14")]),
    # A march with a name is a procession; the month still reads as one.
    ("Thousands joined the annual March for Peace.", []),
    ("Stocks fell in March on Wall Street.", [("March", "DATE", "2025-03")]),
    # "high noon" is a showdown, not twelve o'clock.
    ("The budget vote was high noon for the coalition.", []),
    ("The vote is at noon Friday.", [("noon Friday", "TIME", "2025-10-17T12:00")]),
    ("The quarter-to-quarter comparison improved.", []),
    (
        "Profit rose in the fiscal-first quarter.",
        [("the fiscal-first quarter", "DATE", "2025-Q1")],
    ),
    # The near and short term lie ahead.
    ("Margins will stay thin in the near term.", [("the near term", "DATE", "FUTURE_REF")]),
    # Trading and business days are days.
    ("Refunds take five business days.", [("five business days", "DURATION", "P5D")]),
    # A second day of the month just named is a date of its own; a share is not.
    (
        "The fair runs on May 1 and 2 in Lyon.",
        [("May 1", "DATE", "2025-05-01"), ("2", "DATE", "2025-05-02")],
    ),
    (
        "Sales rose on May 1 and 25 percent of stock changed hands.",
        [("May 1", "DATE", "2025-05-01")],
    ),
    # "the week of" a date is the ISO week holding it.
    ("The trial opens the week of Nov. 3.", [("the week of Nov. 3", "DATE", "2025-W45")]),
    # A weekday named against the date last named, not against the publish time.
    (
        "The ferry docked on Oct. 2 and sailed the following Monday.",
        [("Oct. 2", "DATE", "2025-10-02"), ("the following Monday", "DATE", "2025-10-06")],
    ),
    (
        "Shares closed on Friday 3% below the previous Friday.",
        [("Friday", "DATE", "2025-10-10"), ("the previous Friday", "DATE", "2025-10-03")],
    ),
    # "since year-end" reaches back to the last one; "by year-end" is this year's.
    ("The index is up 9% since year-end.", [("year-end", "DATE", "2024-12-31")]),
    ("The sale should close by year-end.", [("year-end", "DATE", "2025-12-31")]),
    # Written apart, "year end" is the end of a calendar year: TimeML writes that year.
    ("The plant should reopen by year end.", [("year end", "DATE", "2025")]),
    ("New rules take hold by year's end.", [("year's end", "DATE", "2025")]),
    ("Its fiscal year end moved to March.", [("March", "DATE", "2025-03")]),
    # A stop after a whole month name ends the sentence; after an abbreviation it is its own.
    ("Prices have risen since July.", [("July", "DATE", "2025-07")]),
    ("Prices have risen since Jul. 4.", [("Jul. 4", "DATE", "2025-07-04")]),
    # A day counted in the present tense is the day of writing; a past one is not dated.
    ("It's the third day of the dock strike.", [("the third day", "DATE", "2025-10-14")]),
    (
        "Today is the 12th straight day of protests.",
        [("Today", "DATE", "2025-10-14"), ("the 12th straight day", "DATE", "2025-10-14")],
    ),
    ("It was the third day of the strike.", []),
    ("By mid afternoon, crowds had gathered.", [("mid afternoon", "TIME", "2025-10-14TAF")]),
    # A year with "pre-" or "post-" is that year, prefix inside the span as "mid-1996".
    ("The post-1959 exodus split families.", [("post-1959", "DATE", "1959")]),
    ("Rents were lower in pre-1990 leases.", [("pre-1990", "DATE", "1990")]),
    # A clock hour with its part of the day.
    ("The ferry leaves at 4 in the morning.", [("4 in the morning", "TIME", "2025-10-14T04:00")]),
    ("He called at 10 at night.", [("10 at night", "TIME", "2025-10-14T22:00")]),
    # A duration as an adjective, without a number; "a" is the noun's article, not a count.
    ("They met for a third day-long session.", [("day-long", "DURATION", "P1D")]),
    ("A decades-long feud ended.", [("decades-long", "DURATION", "PXE")]),
    # Halves of a named year (TimeML H1, H2); without a year a half may be a match's.
    (
        "Output fell in the first two quarters of 2024.",
        [("the first two quarters of 2024", "DATE", "2024-H1")],
    ),
    (
        "Hiring slows in the latter half of next year.",
        [("the latter half of next year", "DATE", "2026-H2")],
    ),
    (
        "Demand should hold through at least the first two quarters of 2026.",
        [("the first two quarters of 2026", "DATE", "2026-H1")],
    ),
    ("Sales fell for two quarters.", [("two quarters", "DURATION", "P2Q")]),
    # "N days earlier" counts back from a time of the story: a length, as "three days later".
    (
        "The ferry sank on Monday. A day earlier, the crew had radioed for help.",
        [("Monday", "DATE", "2025-10-13"), ("A day earlier", "DURATION", "P1D")],
    ),
    ("Profit rose 4% from a year earlier.", [("a year earlier", "DATE", "2024")]),
    # "early years" of something is no edge of this year.
    ("Growth was fast in the early years of the scheme.", []),
    ("The plant reopens early next year.", [("early next year", "DATE", "2026")]),
    # The same span a year before is still a span of that length.
    (
        "Profit for the year-earlier six months was restated.",
        [("the year-earlier six months", "DURATION", "P6M")],
    ),
    # "the year-earlier period" is as long as the span reported, when that was not a quarter.
    (
        "For the nine months, profit rose. In the year-earlier period, the firm lost money.",
        [("the nine months", "DURATION", "P9M"), ("the year-earlier period", "DURATION", "P9M")],
    ),
    # ... and "the 2024 period" after nine months is those months of 2024: the year, no quarter.
    (
        "In the first nine months, sales rose 4% from the 2024 period.",
        [("the first nine months", "DURATION", "P9M"), ("the 2024 period", "DATE", "2024")],
    ),
    (
        "Profit rose in the third quarter. In the year-earlier period, the firm lost money.",
        [("the third quarter", "DATE", "2025-Q3"), ("the year-earlier period", "DATE", "2024-Q3")],
    ),
    # "or so" inside a count back is part of it: a date, not a duration.
    ("The ferry sank a month or so ago.", [("a month or so ago", "DATE", "2025-09")]),
    # An edge of a month named with its year is one expression.
    ("The plant shut in early March this year.", [("early March this year", "DATE", "2025-03")]),
    ("Talks stalled in late June last year.", [("late June last year", "DATE", "2024-06")]),
    ("The visitors scored twice in the second half.", []),
    # After a modal or a subject, "one day" is some day to come; elsewhere a day's length.
    ("Planners say the port will one day rival Rotterdam.", [("one day", "DATE", "FUTURE_REF")]),
    ("The strike lasted one day.", [("one day", "DURATION", "P1D")]),
    # A rate of a quantity is a unit of measure; a rate of events is a SET.
    ("The plant will make about 4,000 valves a week.", []),
    ("Revenue should grow 12% annually.", []),
    ("The cut saves $3 million a year in rent.", []),
    ("Vendors gather daily outside the hall.", [("daily", "SET", "P1D")]),
    ("The deal took a year to close.", [("a year", "DURATION", "P1Y")]),
    # "soon" looks ahead (TimeML FUTURE_REF), but not as part of a conjunction or a past story.
    ("The agency will soon publish its findings.", [("soon", "DATE", "FUTURE_REF")]),
    ("Prices should ease soon, traders said.", [("soon", "DATE", "FUTURE_REF")]),
    ("Call us as soon as you land.", []),
    ("Soon after the vote, ministers resigned.", []),
    ("He was soon released.", []),
    ("The rebels soon captured the town.", []),
]


@pytest.mark.parametrize(("sentence", "expected"), TABLE)
def test_table(sentence: str, expected: list[tuple[str, str, str]]) -> None:
    assert [(t.text, t.type, t.value) for t in tag(sentence, TUESDAY)] == expected
