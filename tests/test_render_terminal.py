"""timeline.render.terminal: grouping by day, extent labels, wrapping, colour, verbose, safety."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import SEED_PUBLISHED, event, interval, mention, seed_events
from timeline.model import Event, Granularity, Interval, Tense
from timeline.render.terminal import EMPTY, render_terminal

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
ANSI = re.compile(r"\x1b\[[0-9;]*m")

SEED_EXPECTED = """\
Wed 1 Jan 2025
  - 2025: EU commitment of €30.6bn to fund Ukraine's resistance in 2025
    The Independent

Mon 24 Feb 2025
  - week of 24 Feb 2025: The dramatic Oval Office row between Trump and
    Zelensky, before which the minerals deal was due to be signed
    The Independent

Wed 5 Mar 2025
  - Officials from around 20 largely European and Commonwealth countries took
    part in talks on the “coalition of the willing”
    The Independent

Thu 6 Mar 2025
  - Defence secretary John Healey started talks in Washington with Pete Hegseth
    The Independent
  - night of 6 Mar: Trump's comments that he would not defend Nato countries
    that do not spend enough on defence
    The Independent

Fri 7 Mar 2025
  - Health minister Stephen Kinnock says Trump's comment presents “no issues”
    The Independent
  - morning: Starmer talks to European leaders (von der Leyen, Costa, Erdoğan,
    Trudeau)
    The Independent

Mon 10 Mar 2025
  - [upcoming] week of 10 Mar 2025: US–Ukraine talks in Saudi Arabia
    The Independent"""


def test_seed_timeline_renders_as_expected() -> None:
    out = render_terminal(seed_events(), now=SEED_PUBLISHED, tz=LONDON, width=80)
    assert out == SEED_EXPECTED


def test_empty_list_gives_a_friendly_line() -> None:
    assert render_terminal([], now=SEED_PUBLISHED, tz=UTC) == EMPTY
    assert "timeline demo" in EMPTY


def test_one_heading_per_day_and_order_kept() -> None:
    a = event("First thing", key="a")
    b = event("Second thing", key="b")
    out = render_terminal([a, b], now=SEED_PUBLISHED, tz=UTC)
    assert out.count("Fri 7 Mar 2025") == 1
    assert out.index("First thing") < out.index("Second thing")


def test_coarse_granularities_are_labelled_with_their_extent() -> None:
    cases = [
        (Granularity.WEEK, "2025-W11", Interval(start=date(2025, 3, 10), end=date(2025, 3, 17))),
        (Granularity.MONTH, "2025-03", Interval(start=date(2025, 3, 1), end=date(2025, 4, 1))),
        (Granularity.QUARTER, "2025-Q1", Interval(start=date(2025, 1, 1), end=date(2025, 4, 1))),
        (Granularity.SEASON, "2025-SP", Interval(start=date(2025, 3, 1), end=date(2025, 6, 1))),
        (Granularity.YEAR, "2025", Interval(start=date(2025, 1, 1), end=date(2026, 1, 1))),
        (Granularity.DECADE, "199", Interval(start=date(1990, 1, 1), end=date(2000, 1, 1))),
        (Granularity.CENTURY, "20", Interval(start=date(2000, 1, 1), end=date(2100, 1, 1))),
    ]
    expected = [
        ("Mon 10 Mar 2025", "week of 10 Mar 2025: "),
        ("Sat 1 Mar 2025", "March 2025: "),
        ("Wed 1 Jan 2025", "Q1 2025: "),
        ("Sat 1 Mar 2025", "spring 2025: "),
        ("Wed 1 Jan 2025", "2025: "),
        ("Mon 1 Jan 1990", "the 1990s: "),
        ("Sat 1 Jan 2000", "the 21st century: "),
    ]
    for (granularity, value, span), (heading, label) in zip(cases, expected, strict=True):
        e = event("Something happened", value=value, granularity=granularity, span=span)
        out = render_terminal([e], now=datetime(2030, 1, 1, tzinfo=UTC), tz=UTC)
        assert out.splitlines()[0] == heading
        assert out.splitlines()[1] == f"  - {label}Something happened"


def test_part_of_day_labels() -> None:
    night = event(
        "Comments",
        value="2025-03-06TNI",
        granularity=Granularity.PART_OF_DAY,
        span=interval(date(2025, 3, 6)),
    )
    evening = event(
        "Speech",
        value="2025-03-06TEV",
        granularity=Granularity.PART_OF_DAY,
        span=interval(date(2025, 3, 6)),
    )
    out = render_terminal([night, evening], now=SEED_PUBLISHED, tz=UTC)
    assert "  - night of 6 Mar: Comments" in out
    assert "  - evening: Speech" in out


def test_multi_day_range_is_labelled() -> None:
    e = event("Summit", span=interval(date(2025, 3, 7), 3))
    out = render_terminal([e], now=SEED_PUBLISHED, tz=UTC)
    assert "7 Mar 2025 to 9 Mar 2025: Summit" in out


def test_clock_time_is_shown_in_the_readers_zone() -> None:
    at = datetime(2025, 3, 7, 14, 30, tzinfo=UTC)
    e = event(
        "Press conference",
        value="2025-03-07T14:30",
        granularity=Granularity.TIME,
        span=interval(date(2025, 3, 7), at=at),
    )
    london = render_terminal([e], now=SEED_PUBLISHED, tz=LONDON)
    assert "  - 14:30 GMT: Press conference" in london
    tokyo = render_terminal([e], now=SEED_PUBLISHED, tz=timezone(timedelta(hours=9)))
    assert "23:30 UTC+09:00: Press conference" in tokyo


def test_clock_time_moves_to_its_local_day() -> None:
    # 01:00 UTC on the 7th is 20:00 on the 6th in New York: it belongs under Thu 6 Mar there.
    at = datetime(2025, 3, 7, 1, 0, tzinfo=UTC)
    late = event(
        "Late vote",
        key="z",
        value="2025-03-07T01:00",
        granularity=Granularity.TIME,
        span=interval(date(2025, 3, 7), at=at),
    )
    thursday = event("Thursday thing", key="a", span=interval(date(2025, 3, 6)))
    out = render_terminal([thursday, late], now=SEED_PUBLISHED, tz=NEW_YORK)
    assert out.splitlines()[0] == "Thu 6 Mar 2025"
    assert "20:00 EST: Late vote" in out
    assert "Fri 7 Mar 2025" not in out


def test_clock_times_within_a_day_are_in_time_order() -> None:
    def timed(title: str, key: str, hour: int) -> Event:
        at = datetime(2025, 3, 7, hour, tzinfo=UTC)
        return event(
            title,
            key=key,
            granularity=Granularity.TIME,
            value="2025-03-07T00:00",
            span=interval(date(2025, 3, 7), at=at),
        )

    day = event("Whole day", key="m")
    out = render_terminal(
        [timed("Late", "a", 18), day, timed("Early", "z", 9)],
        now=SEED_PUBLISHED,
        tz=UTC,
    )
    assert out.index("Early") < out.index("Whole day") < out.index("Late")


def test_upcoming_marker_depends_on_now_in_tz() -> None:
    e = event("Tomorrow's talks", span=interval(date(2025, 3, 8)))
    assert "[upcoming]" in render_terminal([e], now=SEED_PUBLISHED, tz=UTC)
    # 23:30 UTC on the 7th is already the 8th in Tokyo: not upcoming any more.
    late = datetime(2025, 3, 7, 23, 30, tzinfo=UTC)
    assert "[upcoming]" not in render_terminal([e], now=late, tz=timezone(timedelta(hours=9)))
    today = event("Today", span=interval(date(2025, 3, 7)))
    assert "[upcoming]" not in render_terminal([today], now=SEED_PUBLISHED, tz=UTC)


def test_many_sources_are_summarised() -> None:
    sentence = "Talks on Friday."
    mentions = tuple(mention(sentence, "on Friday", source=f"outlet-{i}") for i in range(6))
    e = event("Talks", mentions=mentions)
    out = render_terminal([e], now=SEED_PUBLISHED, tz=UTC)
    assert "    outlet-0, outlet-1, outlet-2 and 3 more" in out
    two = event("Talks", mentions=mentions[:2])
    assert "    outlet-0 and outlet-1" in render_terminal([two], now=SEED_PUBLISHED, tz=UTC)


def test_verbose_shows_quote_in_context_and_url() -> None:
    e = seed_events()[-1]
    out = render_terminal([e], now=SEED_PUBLISHED, tz=LONDON, verbose=True, width=400)
    assert "> The Independent, 7 Mar 2025 08:00 GMT: “Negotiations" in out
    assert "in Saudi Arabia «next week», after" in out
    assert "      https://www.independent.co.uk/" in out
    assert "«" not in render_terminal([e], now=SEED_PUBLISHED, tz=LONDON)


def test_verbose_survives_wrong_quote_offsets() -> None:
    m = mention("It happened on Friday.", "on Friday")
    broken = replace(m, quote_start=50)
    out = render_terminal(
        [event("X", mentions=(broken,))], now=SEED_PUBLISHED, tz=UTC, verbose=True
    )
    assert "It happened «on Friday»." in out


def test_title_is_wrapped_to_width() -> None:
    e = event(" ".join(["word"] * 60))
    for width in (40, 60, 100):
        out = render_terminal([e], now=SEED_PUBLISHED, tz=UTC, width=width)
        assert max(len(line) for line in out.splitlines()) <= width
        assert out.count("word") == 60


def test_color_adds_ansi_and_plain_has_none() -> None:
    events = seed_events()
    plain = render_terminal(events, now=SEED_PUBLISHED, tz=LONDON, verbose=True)
    colored = render_terminal(events, now=SEED_PUBLISHED, tz=LONDON, verbose=True, color=True)
    assert "\x1b" not in plain
    assert "\x1b[1mFri 7 Mar 2025\x1b[0m" in colored
    assert "\x1b[1;33m[upcoming]\x1b[0m" in colored
    # Stripped of styling, the words are the same (quote marks aside).
    unstyled = ANSI.sub("", colored).split()
    assert unstyled == plain.replace("«", "").replace("»", "").split()


def test_escape_sequences_in_scraped_text_are_dropped() -> None:
    title = "Evil\x1b[2J\x1b]0;pwned\x07 title\u202e with\r\nbreaks\tand tabs"
    e = event(title, quote="Evil")
    out = render_terminal([e], now=SEED_PUBLISHED, tz=UTC, verbose=True)
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out and "\r" not in out
    assert "Evil[2J]0;pwned title with breaks and tabs" in out


def test_title_with_punctuation_newlines_and_non_ascii() -> None:
    e = event("Talks, again; in Zürich\nwith Erdoğan — 東京", quote="Talks,", tense=Tense.ONGOING)
    out = render_terminal([e], now=SEED_PUBLISHED, tz=UTC)
    assert "  - Talks, again; in Zürich with Erdoğan — 東京" in out


@given(
    titles=st.lists(st.text(max_size=300), min_size=1, max_size=5),
    width=st.integers(min_value=1, max_value=200),
    color=st.booleans(),
    verbose=st.booleans(),
)
def test_any_text_renders_within_width_without_controls(
    titles: list[str], width: int, color: bool, verbose: bool
) -> None:
    events = [
        event(t or "x", mentions=(mention("x " + t, "x"),), key=str(i))
        for i, t in enumerate(titles)
    ]
    out = render_terminal(
        events, now=SEED_PUBLISHED, tz=UTC, width=width, color=color, verbose=verbose
    )
    visible = ANSI.sub("", out)
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", visible)
    limit = max(width, 40)
    for line in visible.splitlines():
        assert len(line) <= limit or line.lstrip().startswith("https://")


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        render_terminal([], now=datetime(2025, 3, 7, 8, 0), tz=UTC)
