"""End to end, as a user runs it: `timeline demo`, then `timeline show --json`.

Real processes, the real demo web server on 127.0.0.1 and a real SQLite file. The seed
article (The Independent, Friday 7 March 2025, 08:00 London) must give exactly the timeline
of its README: each entry on its date and granularity, nothing from the donation box.
"""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SEED_URL = "https://news.example/independent/starmer-european-leaders.html"

# (TIMEX3 value, granularity, words of the sentence that dates it)
SEED_TIMELINE = [
    ("2025-W09", "week", "Oval Office row"),
    ("2025-03-05", "day", "coalition of the willing"),
    ("2025-03-06", "day", "started talks in Washington"),
    ("2025-03-06TNI", "part_of_day", "comments overnight"),
    ("2025-03-07TMO", "part_of_day", "talk to European leaders on Friday morning"),
    ("2025-03-07", "day", "Stephen Kinnock said"),
    ("2025-W11", "week", "talks will take place in Saudi Arabia next week"),
    ("2025", "year", "resistance against Russia"),
]
DONATION_BOX = ("Your support", "donation", "paywalls", "reproductive rights")


def timeline(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "timeline", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """The demo's database URL and what it printed."""
    folder: Path = tmp_path_factory.mktemp("demo")
    db = f"sqlite:///{folder / 'timeline.db'}"
    run = timeline("demo", "--db", db)
    assert run.returncode == 0, run.stderr
    return db, run.stdout


@pytest.fixture(scope="module")
def demo(demo_run: tuple[str, str]) -> tuple[str, list[dict[str, Any]]]:
    """What the demo printed, and its events as `show --json` gives them."""
    db, stdout = demo_run
    show = timeline("show", "--json", "--db", db)
    assert show.returncode == 0, show.stderr
    return stdout, [json.loads(line) for line in show.stdout.splitlines()]


def seed_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if any(m["url"] == SEED_URL for m in e["mentions"])]


def test_seed_article_gives_its_timeline(demo: tuple[str, list[dict[str, Any]]]) -> None:
    _, events = demo
    found = {(e["value"], e["granularity"]): e for e in seed_events(events)}
    assert set(found) == {(value, granularity) for value, granularity, _ in SEED_TIMELINE}
    for value, granularity, words in SEED_TIMELINE:
        sentences = [m["sentence"] for m in found[value, granularity]["mentions"]]
        assert any(words in s for s in sentences), (value, sentences)


def test_the_call_on_friday_joins_the_friday_morning_entry(
    demo: tuple[str, list[dict[str, Any]]],
) -> None:
    _, events = demo
    (morning,) = [e for e in seed_events(events) if e["value"] == "2025-03-07TMO"]
    assert any("The call on Friday" in m["sentence"] for m in morning["mentions"])


def test_intervals_are_iso_dates(demo: tuple[str, list[dict[str, Any]]]) -> None:
    _, events = demo
    (week,) = [e for e in seed_events(events) if e["value"] == "2025-W11"]
    assert week["interval"]["start"] == "2025-03-10"
    assert week["interval"]["end"] == "2025-03-17"
    assert week["mentions"][0]["tense"] == "upcoming"


def test_nothing_from_the_donation_box(demo: tuple[str, list[dict[str, Any]]]) -> None:
    _, events = demo
    for event in events:
        for m in event["mentions"]:
            assert not any(words in m["sentence"] for words in DONATION_BOX)


def test_outlets_merge_into_shared_entries(demo: tuple[str, list[dict[str, Any]]]) -> None:
    _, events = demo
    shared = [e for e in events if len(e["sources"]) >= 2]
    assert shared, "the same happening reported by several outlets shows once"
    (talks,) = [e for e in seed_events(events) if e["value"] == "2025-03-06"]
    assert len(talks["sources"]) >= 2


def test_one_days_stories_stay_apart(demo: tuple[str, list[dict[str, Any]]]) -> None:
    # Trump's remark and the EU summit share a day and words ("spend", "defence"), not a
    # happening.
    _, events = demo
    (summit,) = [e for e in events if any("summit" in m["sentence"] for m in e["mentions"])]
    assert not any("Trump said" in m["sentence"] for m in summit["mentions"])
    assert len(summit["sources"]) >= 2


def test_demo_prints_the_timeline_and_is_idempotent(
    demo: tuple[str, list[dict[str, Any]]], tmp_path: Path
) -> None:
    stdout, events = demo
    assert "Fri 7 Mar 2025" in stdout
    assert "week of 10 Mar 2025" in stdout
    db = f"sqlite:///{tmp_path / 'again.db'}"
    timeline("demo", "--db", db)
    again = timeline("demo", "--db", db)
    assert again.returncode == 0
    for outlet in ("independent", "northern-courier", "meridian-wire"):
        assert f"{outlet}: ok, 0 new, 0 updated, 2 unchanged documents" in again.stdout
    second = [
        json.loads(line)
        for line in timeline("show", "--json", "--db", db).stdout.split("\n")
        if line
    ]
    assert len(second) == len(events)


def test_the_readme_shows_what_the_demo_prints(demo_run: tuple[str, str]) -> None:
    db, _ = demo_run
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    command = "timeline show --from 2025-03-06 --to 2025-03-10"
    assert f"`{command}` prints" in readme
    excerpt = readme.split("```text\n", 1)[1].split("```", 1)[0]
    show = timeline(*command.split()[1:], "--db", db)
    assert show.returncode == 0, show.stderr
    assert show.stdout == excerpt


def test_exports_parse_with_independent_readers(tmp_path: Path) -> None:
    import jsonschema
    import vobject

    from timeline.render.jsonexport import load_schema

    db = f"sqlite:///{tmp_path / 'export.db'}"
    assert timeline("demo", "--db", db).returncode == 0
    ics = tmp_path / "timeline.ics"
    result = timeline("export", "--format", "ics", "-o", str(ics), "--db", db)
    assert result.returncode == 0, result.stderr
    calendar = vobject.readOne(ics.read_text(encoding="utf-8"))
    uids = [event.uid.value for event in calendar.vevent_list]
    assert len(uids) == len(set(uids)) > 0
    starts = {event.dtstart.value.isoformat() for event in calendar.vevent_list}
    assert "2025-03-10" in starts  # the week of the Saudi talks, as an all-day span

    exported = timeline("export", "--format", "json", "--db", db)
    assert exported.returncode == 0, exported.stderr
    document = json.loads(exported.stdout)
    jsonschema.validate(document, load_schema())
    assert len(document["events"]) == len(uids)

    # Stable UIDs: a second export of the same store names every event the same way.
    again = vobject.readOne(timeline("export", "--format", "ics", "--db", db).stdout)
    assert [event.uid.value for event in again.vevent_list] == uids


def test_show_filters(demo: tuple[str, list[dict[str, Any]]], tmp_path: Path) -> None:
    _, events = demo
    db = f"sqlite:///{tmp_path / 'filters.db'}"
    timeline("demo", "--db", db)

    def show(*args: str) -> list[dict[str, Any]]:
        result = timeline("show", "--json", "--db", db, *args)
        assert result.returncode == 0, result.stderr
        return [json.loads(line) for line in result.stdout.splitlines()]

    thursday = show("--from", "2025-03-06", "--to", "2025-03-06")
    assert thursday and all(
        e["interval"]["start"] <= "2025-03-06" < e["interval"]["end"] for e in thursday
    )
    (talks,) = show("--from", "2025-03-06", "--to", "2025-03-06", "--query", "Hegseth Washington")
    assert "Healey" in talks["title"]
    courier = show("--source", "northern-courier")
    assert courier and all("northern-courier" in e["sources"] for e in courier)
    assert len(courier) < len(events)
    assert len(show("--limit", "3")) == 3
    assert show("--upcoming") == []  # the demo's story is long past
    assert "No events match" in timeline("show", "--db", db, "--query", "zebra").stdout


def test_html_export_is_one_self_contained_page(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'page.db'}"
    assert timeline("demo", "--db", db).returncode == 0
    page = tmp_path / "timeline.html"
    result = timeline("export", "--format", "html", "-o", str(page), "--db", db, "--tz", "UTC")
    assert result.returncode == 0, result.stderr
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") or html.lower().startswith("<!doctype html>")
    assert "Sir Keir Starmer will talk to European leaders" in html
    assert "src=" not in html and "@import" not in html
