from datetime import date

import pytest

from timeline.periods import day_range

WEDNESDAY = date(2025, 3, 12)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("2025", (date(2025, 1, 1), date(2026, 1, 1))),
        ("2025-02", (date(2025, 2, 1), date(2025, 3, 1))),
        ("2024-12", (date(2024, 12, 1), date(2025, 1, 1))),
        ("2025-03-07", (date(2025, 3, 7), date(2025, 3, 8))),
        ("today", (WEDNESDAY, date(2025, 3, 13))),
        ("Yesterday", (date(2025, 3, 11), WEDNESDAY)),
        ("this week", (date(2025, 3, 10), date(2025, 3, 17))),
        ("last  week", (date(2025, 3, 3), date(2025, 3, 10))),
        ("next month", (date(2025, 4, 1), date(2025, 5, 1))),
        ("last year", (date(2024, 1, 1), date(2025, 1, 1))),
        ("3 days ago", (date(2025, 3, 9), date(2025, 3, 10))),
        ("2 months ago", (date(2025, 1, 1), date(2025, 1, 2))),
    ],
)
def test_day_range(phrase: str, expected: tuple[date, date]) -> None:
    assert day_range(phrase, WEDNESDAY) == expected


@pytest.mark.parametrize("phrase", ["lst week", "2025-13", "soon", "-3 days ago"])
def test_day_range_refuses_nonsense(phrase: str) -> None:
    with pytest.raises(ValueError, match="is not a date or period"):
        day_range(phrase, WEDNESDAY)


@pytest.mark.parametrize("phrase", ["9999999 days ago", "99999999999 weeks ago", "3000 years ago"])
def test_day_range_refuses_a_day_before_the_calendar(phrase: str) -> None:
    # timedelta overflows (OverflowError, no ValueError) or the year is before 1: both are
    # a bad phrase, which `timeline show --from` and `serve ?from=` turn into a usage error.
    with pytest.raises(ValueError, match="before year 1"):
        day_range(phrase, WEDNESDAY)
