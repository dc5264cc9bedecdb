"""Render benchmark: exports of N events (10,000 by default), against peers in the same run.

    .venv/bin/python bench/render.py
    .venv/bin/python bench/render.py --events 2000 --rounds 1

Prints, per format, the best wall time of `--rounds` runs and events/second: our iCal writer
beside the icalendar library building the same VEVENTs (the peer the direct writer replaced),
our JSON export beside a bare `json.dumps` of the same data, and the HTML page and terminal
view. Targets (issue 7): iCal <= 0.5 s and JSON <= 0.1 s for 10,000 events.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from timeline.model import Event, Granularity, Interval, Mention, Tense
from timeline.render.html import to_html
from timeline.render.ical import to_ics
from timeline.render.jsonexport import event_to_dict, to_json
from timeline.render.terminal import render_terminal

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def make_events(count: int) -> list[Event]:
    made = []
    for number in range(count):
        day = date(2016, 1, 1) + timedelta(days=number % 3650)
        interval = Interval(start=day, end=day + timedelta(days=1))
        mentions = tuple(
            Mention(
                sentence=f"Officials in Oslo, Riga and Lima met on Friday for talks ({number}).",
                quote="on Friday",
                quote_start=40,
                quote_end=49,
                value=day.isoformat(),
                granularity=Granularity.DAY,
                interval=interval,
                tense=Tense.PAST,
                source=f"outlet-{(number + k) % 40}",
                url=f"https://news{k}.example/story/{number}",
                published=NOW - timedelta(days=number % 3650),
            )
            for k in range(2)
        )
        made.append(
            Event(
                key=f"{number:032x}",
                value=day.isoformat(),
                granularity=Granularity.DAY,
                interval=interval,
                title=mentions[0].sentence,
                mentions=mentions,
            )
        )
    return made


def icalendar_peer(events: list[Event]) -> bytes:
    """The same calendar built with the icalendar library, as ical.py did before."""
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//timeline//bench//EN")
    calendar.add("version", "2.0")
    for event in events:
        vevent = icalendar.Event()
        vevent.add("uid", f"{event.key}@timeline")
        vevent.add("dtstamp", NOW)
        vevent.add("dtstart", event.interval.start)
        vevent.add("dtend", event.interval.end)
        vevent.add("summary", event.title)
        vevent.add("description", "\n".join(m.sentence for m in event.mentions))
        vevent.add("url", event.mentions[0].url)
        calendar.add_component(vevent)
    data: bytes = calendar.to_ical()
    return data


def best(run: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    events = make_events(args.events)
    dicts = [event_to_dict(e) for e in events]
    rows = [
        ("ical (ours)", lambda: to_ics(events, name="bench", now=NOW)),
        ("ical (icalendar peer)", lambda: icalendar_peer(events)),
        ("json (ours)", lambda: to_json(events, now=NOW)),
        ("json (json.dumps peer)", lambda: json.dumps({"events": dicts})),
        ("html page", lambda: to_html(events, now=NOW, tz=UTC)),
        ("terminal", lambda: render_terminal(events, now=NOW, tz=UTC)),
    ]
    print(f"{args.events:,} events, best of {args.rounds}")
    print(f"{'format':<24}{'seconds':>9}{'events/s':>12}")
    for label, run in rows:
        seconds = best(run, args.rounds)
        print(f"{label:<24}{seconds:>9.3f}{args.events / seconds:>12,.0f}")


if __name__ == "__main__":
    main()
