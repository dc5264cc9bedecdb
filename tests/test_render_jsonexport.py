"""timeline.render.jsonexport: the document shape, checked against its own JSON Schema."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import SEED_PUBLISHED, event, interval, mention, seed_events
from timeline.model import Event, Granularity, Interval, Mention, Tense
from timeline.render.jsonexport import SCHEMA_ID, VERSION, event_to_dict, load_schema, to_json

SCHEMA = load_schema()
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)


def _valid(document: Any) -> None:
    VALIDATOR.validate(document)
    # jsonschema checks format "date-time" only with an optional package; check it here.
    instants = [document["generated"]]
    for e in document["events"]:
        instants += [m["published"] for m in e["mentions"] if m["published"] is not None]
        if "at" in e["interval"]:
            instants.append(e["interval"]["at"])
    for instant in instants:
        assert datetime.fromisoformat(instant).tzinfo is not None


def test_schema_is_valid_draft_2020_12_and_documented() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"] == SCHEMA_ID
    defs = SCHEMA["$defs"]
    assert isinstance(defs, dict)
    for name in ("event", "mention", "interval", "date", "instant", "granularity", "timex"):
        assert defs[name]["description"]


def test_schema_enums_match_the_model() -> None:
    defs: Any = SCHEMA["$defs"]
    assert defs["granularity"]["enum"] == [g.value for g in Granularity]
    assert defs["mention"]["properties"]["tense"]["enum"] == [t.value for t in Tense]


def test_seed_document_is_valid_and_complete() -> None:
    text = to_json(seed_events(), now=SEED_PUBLISHED)
    document = json.loads(text)
    _valid(document)
    assert document["schema"] == SCHEMA_ID
    assert document["version"] == VERSION == 1
    assert document["generated"] == "2025-03-07T08:00:00+00:00"
    assert [e["key"] for e in document["events"]] == [e.key for e in seed_events()]
    assert text.endswith("}\n")
    assert "Erdoğan" in text and "€30.6bn" in text  # UTF-8 kept, not \u-escaped


def test_week_event_dict() -> None:
    week = next(e for e in seed_events() if e.value == "2025-W11")
    assert event_to_dict(week) == {
        "key": "seed-saudi-talks",
        "title": "US–Ukraine talks in Saudi Arabia",
        "value": "2025-W11",
        "granularity": "week",
        "interval": {"start": "2025-03-10", "end": "2025-03-17"},
        "sources": ["The Independent"],
        "mentions": [
            {
                "source": "The Independent",
                "url": week.mentions[0].url,
                "published": "2025-03-07T08:00:00+00:00",
                "sentence": week.mentions[0].sentence,
                "quote": "next week",
                "value": "2025-W11",
                "tense": "upcoming",
            }
        ],
    }


def test_year_and_part_of_day_events() -> None:
    by_value = {e.value: event_to_dict(e) for e in seed_events()}
    assert by_value["2025"]["interval"] == {"start": "2025-01-01", "end": "2026-01-01"}
    assert by_value["2025"]["granularity"] == "year"
    assert by_value["2025-03-06TNI"]["granularity"] == "part_of_day"
    assert by_value["2025-03-06TNI"]["interval"] == {"start": "2025-03-06", "end": "2025-03-07"}


def test_timed_event_has_at_with_offset() -> None:
    at = datetime(2025, 3, 7, 14, 30, tzinfo=timezone(timedelta(hours=1)))
    e = event(
        "Vote",
        granularity=Granularity.TIME,
        value="2025-03-07T14:30",
        span=interval(date(2025, 3, 7), at=at),
    )
    d = event_to_dict(e)
    assert d["interval"] == {
        "start": "2025-03-07",
        "end": "2025-03-08",
        "at": "2025-03-07T14:30:00+01:00",
    }
    _valid(json.loads(to_json([e], now=SEED_PUBLISHED)))


def test_sources_are_unique_sorted_and_without_blanks() -> None:
    mentions = (
        mention("On Friday a.", "On Friday", source="Reuters"),
        mention("On Friday b.", "On Friday", source="BBC"),
        mention("On Friday c.", "On Friday", source="Reuters"),
        mention("On Friday d.", "On Friday", source="", url="", published=None),
    )
    d = event_to_dict(event("Talks", mentions=mentions))
    assert d["sources"] == ["BBC", "Reuters"]
    mention_dicts: Any = d["mentions"]
    assert mention_dicts[3]["published"] is None
    _valid(json.loads(to_json([event("Talks", mentions=mentions)], now=SEED_PUBLISHED)))


def test_title_with_punctuation_newlines_and_non_ascii_round_trips() -> None:
    title = 'Talks, again; in Zürich\nwith Erdoğan — “no issues” 東京 \\ "done"'
    document = json.loads(to_json([event(title, quote="Talks,")], now=SEED_PUBLISHED))
    _valid(document)
    assert document["events"][0]["title"] == title


def test_show_json_line_is_one_line() -> None:
    line = json.dumps(event_to_dict(event("a\nb", quote="a")), ensure_ascii=False)
    assert "\n" not in line
    assert json.loads(line)["title"] == "a\nb"


def test_empty_document() -> None:
    document = json.loads(to_json([], now=SEED_PUBLISHED))
    _valid(document)
    assert document["events"] == []


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_json([], now=datetime(2025, 3, 7, 8, 0))


def test_schema_rejects_drift() -> None:
    document = json.loads(to_json(seed_events(), now=SEED_PUBLISHED))
    document["events"][0]["extra"] = 1
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(document)
    document = json.loads(to_json(seed_events(), now=SEED_PUBLISHED))
    document["events"][0]["interval"]["end"] = "7 March"
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(document)


# --- hypothesis: any events the model can hold give a schema-valid document ---------------

_offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
_instants = st.datetimes(
    min_value=datetime(1900, 1, 2), max_value=datetime(2100, 12, 30), timezones=_offsets
)
_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


@st.composite
def _intervals(draw: st.DrawFn) -> Interval:
    start = draw(_dates)
    days = draw(st.integers(min_value=1, max_value=40_000))
    at = draw(st.none() | _instants)
    return Interval(start=start, end=start + timedelta(days=days), at=at)


@st.composite
def _mentions(draw: st.DrawFn) -> Mention:
    sentence = draw(st.text(max_size=200))
    start = draw(st.integers(min_value=0, max_value=len(sentence)))
    end = draw(st.integers(min_value=start, max_value=len(sentence)))
    return Mention(
        sentence=sentence,
        quote=sentence[start:end],
        quote_start=start,
        quote_end=end,
        value=draw(st.text(max_size=20)),
        granularity=draw(st.sampled_from(Granularity)),
        interval=draw(_intervals()),
        tense=draw(st.sampled_from(Tense)),
        source=draw(st.text(max_size=30)),
        url=draw(st.text(max_size=60)),
        published=draw(st.none() | _instants),
    )


@st.composite
def _events(draw: st.DrawFn) -> Event:
    return Event(
        key=draw(st.text(max_size=40)),
        value=draw(st.text(max_size=20)),
        granularity=draw(st.sampled_from(Granularity)),
        interval=draw(_intervals()),
        title=draw(st.text(max_size=200)),
        mentions=tuple(draw(st.lists(_mentions(), max_size=4))),
    )


@given(events=st.lists(_events(), max_size=5), now=_instants)
def test_any_events_give_a_schema_valid_document(events: list[Event], now: datetime) -> None:
    document = json.loads(to_json(events, now=now))
    _valid(document)
    assert document["events"] == [event_to_dict(e) for e in events]
