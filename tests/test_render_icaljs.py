"""timeline.render.ical read back by Mozilla's ical.js (Thunderbird's parser) under node.

The second independent parser of issue 7 (the first, vobject, is in test_render_ical.py).
`tests/icaljs/check.js` parses the file with ICAL.parse, ICAL.Component and ICAL.Event and
prints what it understood as JSON. ical.js is pinned in tests/icaljs/package-lock.json and
installed by `npm ci` there (`scripts/test-tools` does it). Without node or that install the
tests skip with the reason shown; under CI (CI set) they fail instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.factories import SEED_PUBLISHED, SEED_URL, event, interval, seed_events
from timeline.model import Event, Granularity
from timeline.render.ical import to_ics, uid

ICALJS = Path(__file__).parent / "icaljs"
TIMED_AT = datetime(2025, 3, 7, 14, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    reason = ""
    if found is None:
        reason = "node is missing: ical.js tests skipped (apt-get install nodejs npm)"
    elif not (ICALJS / "node_modules" / "ical.js" / "package.json").exists():
        reason = (
            "tests/icaljs/node_modules is missing: ical.js tests skipped (run scripts/test-tools)"
        )
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI must run them)")
        pytest.skip(reason)
    assert found is not None
    return found


def _icaljs(node: str, tmp_path: Path, data: bytes) -> dict[str, Any]:
    path = tmp_path / "timeline.ics"
    path.write_bytes(data)
    result = subprocess.run(
        [node, str(ICALJS / "check.js"), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def test_pinned_version_is_the_one_installed(node: str) -> None:
    lock = json.loads((ICALJS / "package-lock.json").read_text())
    pinned = lock["packages"]["node_modules/ical.js"]["version"]
    installed = json.loads((ICALJS / "node_modules/ical.js/package.json").read_text())["version"]
    assert pinned.startswith("2.") and installed == pinned


def test_seed_events_read_back_as_all_day_spans(node: str, tmp_path: Path) -> None:
    events = seed_events()
    out = _icaljs(node, tmp_path, to_ics(events, name="Seed", now=SEED_PUBLISHED))
    got = out["events"]
    assert [e["uid"] for e in got] == [uid(e.key) for e in events]
    for read, ev in zip(got, events, strict=True):
        assert read["summary"] == ev.title
        assert read["isDate"] is True and read["endIsDate"] is True
        assert read["start"] == ev.interval.start.isoformat()
        # DTEND of a DATE event is exclusive: the day after the last day covered.
        assert read["hasDtend"] is True
        assert read["end"] == ev.interval.end.isoformat()
        assert read["categories"] == [ev.granularity.value]
        assert read["url"] == SEED_URL
        assert read["transp"] == "TRANSPARENT"
        assert "Sources: The Independent" in read["description"]
        assert ev.mentions[0].sentence in read["description"]
    spans = {e["uid"]: (e["start"], e["end"], e["duration"]) for e in got}
    assert spans[uid("seed-saudi-talks")] == ("2025-03-10", "2025-03-17", "P1W")
    assert spans[uid("seed-eu-funding")] == ("2025-01-01", "2026-01-01", "P365D")
    assert spans[uid("seed-trump-nato-comments")] == ("2025-03-06", "2025-03-07", "P1D")


def test_calendar_name_and_refresh_interval(node: str, tmp_path: Path) -> None:
    out = _icaljs(node, tmp_path, to_ics(seed_events(), name="Ukraine talks", now=SEED_PUBLISHED))
    assert out["calendar"]["name"] == "Ukraine talks"
    assert out["calendar"]["wrCalname"] == "Ukraine talks"
    assert out["calendar"]["refreshInterval"] == "PT1H"


def test_calendar_name_is_escaped_text_which_icaljs_reads_raw(node: str, tmp_path: Path) -> None:
    # ical.js 2.x has no type for NAME (RFC 7986) or X-WR-CALNAME, so it hands back the value
    # as written, TEXT escapes included (lib/ical/design.js knows neither property). The file
    # is right (RFC 5545 3.3.11 escapes the comma); a name with , ; or \ shows a backslash there.
    out = _icaljs(node, tmp_path, to_ics([], name="Ukraine, talks", now=SEED_PUBLISHED))
    assert out["calendar"]["name"] == "Ukraine\\, talks"
    assert out["calendar"]["wrCalname"] == "Ukraine\\, talks"


def test_uids_are_stable_across_exports(node: str, tmp_path: Path) -> None:
    first = _icaljs(node, tmp_path, to_ics(seed_events(), name="S", now=SEED_PUBLISHED))
    later = SEED_PUBLISHED + timedelta(days=3)
    again = _icaljs(node, tmp_path, to_ics(seed_events()[::-1], name="S", now=later))
    assert sorted(e["uid"] for e in first["events"]) == sorted(e["uid"] for e in again["events"])
    assert len({e["uid"] for e in first["events"]}) == len(seed_events())


def test_timed_event_is_utc_with_no_length(node: str, tmp_path: Path) -> None:
    timed = event(
        "Press conference at Downing Street",
        key="timed-press",
        value="2025-03-07T14:30",
        granularity=Granularity.TIME,
        span=interval(date(2025, 3, 7), at=TIMED_AT),
    )
    (read,) = _icaljs(node, tmp_path, to_ics([timed], name="T", now=SEED_PUBLISHED))["events"]
    assert read["isDate"] is False
    assert read["start"] == "2025-03-07T14:30:00Z"
    assert read["hasDtend"] is False
    assert read["end"] == read["start"]  # RFC 5545 3.6.1: ends when it starts


def test_tricky_text_survives_escaping_and_folding(node: str, tmp_path: Path) -> None:
    title = "Talks, again; in Zürich\nwith Erdoğan — “no issues” 東京 \\ done " + "x" * 120
    tricky: Event = event(title, key="tricky", quote="Talks,")
    (read,) = _icaljs(node, tmp_path, to_ics([tricky], name="T", now=SEED_PUBLISHED))["events"]
    assert read["summary"] == title
    assert read["uid"] == "tricky@timeline"
