"""temporal.tag: what is not a temporal expression although it looks like one (ages, shares,
counts), and what still is. Sentences are our own."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from timeline.temporal import tag

TUESDAY = datetime(2025, 10, 14, 9, 0, tzinfo=UTC)

# (sentence, expected [(text, type, value)]), all published on TUESDAY
TABLE = [
    # Ages are not durations, with a hyphen or without.
    ("The chef, 41 years old, opened a bakery.", []),
    # A share of something is not a quarter of a year.
    ("Imports make up about three-quarters of its grain.", []),
    ("Pension funds hold a quarter of the market.", []),
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
]


@pytest.mark.parametrize(("sentence", "expected"), TABLE)
def test_table(sentence: str, expected: list[tuple[str, str, str]]) -> None:
    assert [(t.text, t.type, t.value) for t in tag(sentence, TUESDAY)] == expected
