"""Events -> an iCalendar feed (RFC 5545) that calendar apps subscribe to.

Input: events and `now` (the DTSTAMP); output: the bytes of one VCALENDAR. Calendar-day
entries (a day, a part of a day, a week, a month, a year …) become all-day events whose
DTEND is the exclusive `interval.end`, exactly as the model's half-open interval is; clock
times become timed events in UTC, so the feed needs no VTIMEZONE. The UID is made from
`event.key` alone, so a re-export updates entries in a subscribed calendar instead of
duplicating them. Escaping and line folding are the icalendar library's job.
Must not read the clock or any store.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, vDuration, vText
from icalendar import Event as VEvent

from timeline.model import Event, Mention
from timeline.render.labels import clean_line, short_day

PRODID = "-//timeline//timeline render//EN"
UID_DOMAIN = "timeline"
# How often subscribers should re-fetch: REFRESH-INTERVAL is RFC 7986 section 5.7;
# X-PUBLISHED-TTL is the older Apple/Microsoft spelling that Outlook still reads.
REFRESH = timedelta(hours=1)
# RFC 5545 3.3.11: TEXT may hold any character but the controls (HTAB aside); a newline is
# escaped by the library. Everything else in C0/C1 and DEL would make the file invalid.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def uid(key: str) -> str:
    """The UID of an event: stable across runs because `key` is (RFC 5545 3.8.4.7)."""
    return f"{key}@{UID_DOMAIN}"


def to_ics(events: Sequence[Event], *, name: str, now: datetime) -> bytes:
    """A VCALENDAR named `name` holding one VEVENT per event; `now` must be aware."""
    if now.tzinfo is None:
        raise ValueError("to_ics: `now` must be timezone-aware (DTSTAMP is UTC)")
    stamp = now.astimezone(UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", vText(_text(name)))  # RFC 7986 5.1
    calendar.add("x-wr-calname", vText(_text(name)))  # what Apple and Google read
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    for event in events:
        calendar.add_component(_vevent(event, stamp))
    data: bytes = calendar.to_ical()
    return data


def _vevent(event: Event, stamp: datetime) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", uid(event.key))
    vevent.add("dtstamp", stamp)
    interval = event.interval
    if interval.at is not None:
        # No DTEND: RFC 5545 3.6.1 says such an event ends when it starts; DTEND equal to
        # DTSTART would be invalid (3.8.2.2 wants it later), and any length would be made up.
        vevent.add("dtstart", interval.at.astimezone(UTC))
    else:
        vevent.add("dtstart", interval.start)
        # DTEND of an all-day event is exclusive, like our interval end; a malformed empty
        # interval still gets one day so no client rejects the whole feed.
        vevent.add("dtend", max(interval.end, interval.start + timedelta(days=1)))
    vevent.add("summary", _text(event.title))
    vevent.add("description", _description(event))
    url = next((m.url for m in event.mentions if m.url), "")
    if url:
        vevent.add("url", url)
    vevent.add("categories", [event.granularity.value])
    # News happened to other people: it must not mark the subscriber busy (RFC 5545 3.8.2.7).
    vevent.add("transp", "TRANSPARENT")
    return vevent


def _description(event: Event) -> str:
    names = [name for name in event.sources if name]
    parts = [f"Sources: {', '.join(names)}" if names else "Sources: none recorded"]
    for mention in event.mentions:
        parts.append(_evidence(mention))
    return _text("\n\n".join(parts))


def _evidence(mention: Mention) -> str:
    who = mention.source or "unknown source"
    if mention.published is not None:
        who += f", {short_day(mention.published.astimezone(UTC).date())}"
    lines = [f"{who}: “{clean_line(mention.sentence)}”", f"({mention.quote} = {mention.value})"]
    if mention.url:
        lines.append(mention.url)
    return "\n".join(lines)


def _text(text: str) -> str:
    # CRLF and lone CR become LF, which the library writes as the escape "\n".
    return _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
