"""temporal.tag: which way the text points (tense, modality, deadlines) and what earnings news
compares against. Sentences are our own; each pins one behaviour of issue 3's later passes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from timeline.temporal import tag

TUESDAY = datetime(2025, 10, 14, 9, 0, tzinfo=UTC)  # Tuesday 14 October 2025
NOVEMBER = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)
EARNINGS = datetime(2025, 11, 4, 9, 0, tzinfo=UTC)  # early in the fourth quarter
LATE_OCTOBER = datetime(2025, 10, 28, 9, 0, tzinfo=UTC)
EARLY_MARCH = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)

# (sentence, publish time, expected [(text, type, value)])
TABLE = [
    # Payment, record, effective and expiry dates are set ahead, whatever the verb before.
    ("The discount code expires Monday.", TUESDAY, [("Monday", "DATE", "2025-10-20")]),
    ("The new fares are effective Saturday.", TUESDAY, [("Saturday", "DATE", "2025-10-18")]),
    (
        "The brewer declared a dividend payable in June to holders of record.",
        NOVEMBER,
        [("June", "DATE", "2026-06")],
    ),
    (
        "The buyer extended its offer to Friday.",
        TUESDAY,
        [("Friday", "DATE", "2025-10-17")],
    ),
    # The verb right before a date without its year decides, even where the other year's date
    # is nearer: a period that "ended" is over.
    (
        "The chain had sales of $60 million in the fiscal year ended Jan. 31.",
        TUESDAY,
        [("the fiscal year", "DURATION", "P1Y"), ("Jan. 31", "DATE", "2025-01-31")],
    ),
    (
        "The chain expects sales of $60 million in the fiscal year ending Jan. 31.",
        TUESDAY,
        [("the fiscal year", "DURATION", "P1Y"), ("Jan. 31", "DATE", "2026-01-31")],
    ),
    ("The period ended Oct. 18 was weak.", TUESDAY, [("Oct. 18", "DATE", "2024-10-18")]),
    # A sentence that opens with "Until" takes its direction from the clause after it.
    (
        "Until Friday, the council had not named a successor.",
        TUESDAY,
        [("Friday", "DATE", "2025-10-10")],
    ),
    ("The shop stays closed until Friday.", TUESDAY, [("Friday", "DATE", "2025-10-17")]),
    # A present tense schedule points ahead: "the fair opens Friday".
    ("The book fair opens Friday.", TUESDAY, [("Friday", "DATE", "2025-10-17")]),
    # A possessive weekday names an event already reported, whatever verb governs its noun.
    (
        "The mayor said the city would appeal Friday's ruling.",
        TUESDAY,
        [("Friday", "DATE", "2025-10-10")],
    ),
    # "overnight" after a day of the past week is the night before that day.
    (
        "Bonds fell on Friday after overnight selling in Tokyo.",
        TUESDAY,
        [("Friday", "DATE", "2025-10-10"), ("overnight", "TIME", "2025-10-09TNI")],
    ),
    ("Bonds fell overnight.", TUESDAY, [("overnight", "TIME", "2025-10-13TNI")]),
    # ... with a plural subject too, an adverb between; a negated past does not.
    (
        "Union leaders said the two sides meet separately Monday.",
        TUESDAY,
        [("Monday", "DATE", "2025-10-20")],
    ),
    ("The plant did not open Monday.", TUESDAY, [("Monday", "DATE", "2025-10-13")]),
    # A word in -ed is only guessed to be a past verb: it does not undo a modal before it.
    (
        "The lender said it will buy back its preferred shares on Monday.",
        TUESDAY,
        [("Monday", "DATE", "2025-10-20")],
    ),
    # ... but a past verb right before the date governs it.
    (
        "Fans will march on the ground, the club's owner predicted Sunday.",
        TUESDAY,
        [("Sunday", "DATE", "2025-10-12")],
    ),
    # A month without its year more than six weeks from the publish time goes the way the
    # tense points, though the other year's is nearer.
    ("The bakery bought the old mill in January.", LATE_OCTOBER, [("January", "DATE", "2025-01")]),
    (
        "The museum will open its new wing in December.",
        EARLY_MARCH,
        [("December", "DATE", "2025-12")],
    ),
    # ... and an agreement or a decision to act looks ahead, whatever the tense of "agreed".
    (
        "The council agreed to sell the bus depot in January.",
        LATE_OCTOBER,
        [("January", "DATE", "2026-01")],
    ),
    (
        "The league decided to expand the playoffs in February.",
        LATE_OCTOBER,
        [("February", "DATE", "2026-02")],
    ),
    (
        "At a meeting on Thursday, the ministers agreed to raise fees.",
        TUESDAY,
        [("Thursday", "DATE", "2025-10-09")],
    ),
    # A quarter still ahead is a forecast: "a year ago" keeps to the quarter reported.
    (
        "Third-quarter sales rose 4% from a year ago. The chain expects a fourth-quarter "
        "charge. Margins were thinner than a year ago.",
        EARNINGS,
        [
            ("Third-quarter", "DATE", "2025-Q3"),
            ("a year ago", "DATE", "2024-Q3"),
            ("fourth-quarter", "DATE", "2025-Q4"),
            ("a year ago", "DATE", "2024-Q3"),
        ],
    ),
    # A quarter reported in the past tense while its calendar quarter runs is a fiscal one that
    # has ended: later comparisons are with it.
    (
        "The grocer reported a 12% drop in fourth-quarter profit. Sales rose 3% from a year "
        "earlier.",
        EARNINGS,
        [("fourth-quarter", "DATE", "2025-Q4"), ("a year earlier", "DATE", "2024-Q4")],
    ),
    # ... but a fiscal quarter is numbered on another calendar: it starts a report of its own.
    (
        "Third-quarter profit rose 8% from a year ago. A rival posted a loss for its fiscal "
        "second quarter. The latest period included a charge.",
        EARNINGS,
        [
            ("Third-quarter", "DATE", "2025-Q3"),
            ("a year ago", "DATE", "2024-Q3"),
            ("its fiscal second quarter", "DATE", "2025-Q2"),
            ("The latest period", "DATE", "2025-Q2"),
        ],
    ),
    # An earlier quarter named after the reported one is background.
    (
        "Third-quarter profit rose 8%. After a weak second quarter, margins recovered and "
        "were wider than a year ago.",
        EARNINGS,
        [
            ("Third-quarter", "DATE", "2025-Q3"),
            ("second quarter", "DATE", "2025-Q2"),
            ("a year ago", "DATE", "2024-Q3"),
        ],
    ),
]


@pytest.mark.parametrize(("sentence", "published", "expected"), TABLE)
def test_table(sentence: str, published: datetime, expected: list[tuple[str, str, str]]) -> None:
    assert [(t.text, t.type, t.value) for t in tag(sentence, published)] == expected
