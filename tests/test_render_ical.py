"""timeline.render.ical: RFC 5545 output checked by an independent parser (vobject)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import SEED_PUBLISHED, SEED_URL, event, interval, mention, seed_events
from timeline.model import Event, Granularity
from timeline.render.ical import to_ics, uid

TIMED_AT = datetime(2025, 3, 7, 14, 30, tzinfo=UTC)
TRICKY_TITLE = "Talks, again; in Zürich\nwith Erdoğan — “no issues” 東京 \\ done"


def _timed() -> Event:
    return event(
        "Press conference at Downing Street",
        key="timed-press",
        value="2025-03-07T14:30",
        granularity=Granularity.TIME,
        span=interval(date(2025, 3, 7), at=TIMED_AT),
    )


def _tricky() -> Event:
    return event(TRICKY_TITLE, key="tricky", quote="Talks,")


def _parse(data: bytes) -> vobject.base.Component:
    return vobject.readOne(data.decode("utf-8"))


def test_seed_entries_are_all_day_with_exclusive_end() -> None:
    events = seed_events()
    cal = _parse(to_ics(events, name="Seed", now=SEED_PUBLISHED))
    vevents = cal.vevent_list
    assert [v.uid.value for v in vevents] == [f"{e.key}@timeline" for e in events]
    for v, e in zip(vevents, events, strict=True):
        assert v.dtstart.params["VALUE"] == ["DATE"]
        assert v.dtend.params["VALUE"] == ["DATE"]
        assert type(v.dtstart.value) is date and v.dtstart.value == e.interval.start
        assert type(v.dtend.value) is date and v.dtend.value == e.interval.end
        assert v.summary.value == e.title
        assert v.categories.value == [e.granularity.value]
        assert v.url.value == SEED_URL
        assert v.transp.value == "TRANSPARENT"


def test_week_year_and_part_of_day_extents() -> None:
    by_key = {e.key: e for e in seed_events()}
    cal = _parse(to_ics(list(by_key.values()), name="Seed", now=SEED_PUBLISHED))
    spans = {v.uid.value.removesuffix("@timeline"): v for v in cal.vevent_list}
    week = spans["seed-saudi-talks"]
    assert (week.dtstart.value, week.dtend.value) == (date(2025, 3, 10), date(2025, 3, 17))
    year = spans["seed-eu-funding"]
    assert (year.dtstart.value, year.dtend.value) == (date(2025, 1, 1), date(2026, 1, 1))
    night = spans["seed-trump-nato-comments"]
    assert (night.dtstart.value, night.dtend.value) == (date(2025, 3, 6), date(2025, 3, 7))
    assert night.categories.value == ["part_of_day"]


def test_timed_event_is_a_utc_date_time_without_dtend() -> None:
    cal = _parse(to_ics([_timed()], name="T", now=SEED_PUBLISHED))
    v = cal.vevent
    assert v.dtstart.value == TIMED_AT
    assert "VALUE" not in v.dtstart.params
    assert not hasattr(v, "dtend")
    assert b"DTSTART:20250307T143000Z" in to_ics([_timed()], name="T", now=SEED_PUBLISHED)


def test_timed_event_keeps_its_instant_from_another_zone() -> None:
    tokyo = datetime(2025, 3, 7, 23, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    e = event("Late", granularity=Granularity.TIME, span=interval(date(2025, 3, 7), at=tokyo))
    v = _parse(to_ics([e], name="T", now=SEED_PUBLISHED)).vevent
    assert v.dtstart.value == tokyo  # same instant
    assert v.dtstart.value.utcoffset() == timedelta(0)


def test_uid_is_stable_across_runs_and_dtstamp_is_now() -> None:
    events = [*seed_events(), _timed()]
    later = SEED_PUBLISHED + timedelta(days=3, hours=2)
    first = _parse(to_ics(events, name="N", now=SEED_PUBLISHED))
    second = _parse(to_ics(events, name="N", now=later))
    assert [v.uid.value for v in first.vevent_list] == [v.uid.value for v in second.vevent_list]
    assert all(v.dtstamp.value == SEED_PUBLISHED for v in first.vevent_list)
    assert all(v.dtstamp.value == later for v in second.vevent_list)
    assert uid("abc") == "abc@timeline"


def test_same_input_gives_same_bytes() -> None:
    events = seed_events()
    assert to_ics(events, name="N", now=SEED_PUBLISHED) == to_ics(
        events, name="N", now=SEED_PUBLISHED
    )


def test_calendar_properties() -> None:
    data = to_ics(seed_events(), name="Ukraine, news; daily", now=SEED_PUBLISHED)
    text = data.decode()
    assert "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text
    assert "\r\nX-PUBLISHED-TTL:PT1H\r\n" in text
    assert "\r\nVERSION:2.0\r\n" in text
    cal = _parse(data)
    assert cal.contents["x-wr-calname"][0].value == "Ukraine, news; daily"
    assert cal.prodid.value


def test_description_lists_sources_and_quotes() -> None:
    e = event(
        "Talks",
        mentions=(
            mention("Talks will happen on Friday.", "on Friday", source="BBC", url="https://b/1"),
            mention("Friday talks, officials say.", "Friday", source="Reuters", url="https://r/2"),
        ),
    )
    v = _parse(to_ics([e], name="N", now=SEED_PUBLISHED)).vevent
    description = v.description.value
    assert description.startswith("Sources: BBC, Reuters")
    assert "“Talks will happen on Friday.”" in description
    assert "(on Friday = 2025-03-07)" in description
    assert "https://r/2" in description
    assert v.url.value == "https://b/1"  # the first mention's


def test_title_with_commas_semicolons_newlines_and_non_ascii_is_escaped() -> None:
    data = to_ics([_tricky()], name="N", now=SEED_PUBLISHED)
    unfolded = data.decode().replace("\r\n ", "")
    assert "SUMMARY:Talks\\, again\\; in Zürich\\nwith Erdoğan — “no issues” 東京 \\\\ done" in (
        unfolded
    )
    assert _parse(data).vevent.summary.value == TRICKY_TITLE
    # Our own writer's library reads it back the same.
    parsed = icalendar.Calendar.from_ical(data)
    (component,) = parsed.walk("VEVENT")
    assert str(component["SUMMARY"]) == TRICKY_TITLE
    assert component.decoded("DTSTART") == date(2025, 3, 7)
    assert component.decoded("DTEND") == date(2025, 3, 8)


def test_lines_are_crlf_and_folded_at_75_octets() -> None:
    long = event("Ü" * 200, quote="Ü" * 200)
    data = to_ics([long, _tricky()], name="N", now=SEED_PUBLISHED)
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert all(len(line) <= 75 for line in lines)


def test_control_characters_are_dropped_and_cr_becomes_a_newline() -> None:
    e = event("Bad\x00 \x1b[31mtitle\r\nnext\rline", quote="Bad")
    v = _parse(to_ics([e], name="N\x07ame", now=SEED_PUBLISHED)).vevent
    assert v.summary.value == "Bad [31mtitle\nnext\nline"


def test_empty_interval_still_gets_a_day() -> None:
    e = event("Odd", span=interval(date(2025, 3, 7), 0))
    v = _parse(to_ics([e], name="N", now=SEED_PUBLISHED)).vevent
    assert v.dtend.value == date(2025, 3, 8)


def test_empty_calendar_is_valid() -> None:
    cal = _parse(to_ics([], name="Empty", now=SEED_PUBLISHED))
    assert not hasattr(cal, "vevent")


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        to_ics([], name="N", now=datetime(2025, 3, 7, 8, 0))


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@given(titles=st.lists(st.text(min_size=1, max_size=200), min_size=1, max_size=4))
def test_any_title_round_trips_through_vobject(titles: list[str]) -> None:
    events = [event(t, key=f"k{i}", quote=t) for i, t in enumerate(titles)]
    cal = _parse(to_ics(events, name="N", now=SEED_PUBLISHED))
    for v, title in zip(cal.vevent_list, titles, strict=True):
        expected = _CONTROLS.sub("", title.replace("\r\n", "\n").replace("\r", "\n"))
        assert v.summary.value == expected
