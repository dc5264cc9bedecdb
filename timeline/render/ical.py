"""Events -> an iCalendar feed (RFC 5545) that calendar apps subscribe to.

Input: events and `now` (the DTSTAMP); output: the bytes of one VCALENDAR. Calendar-day
entries (a day, a part of a day, a week, a month, a year …) become all-day events whose
DTEND is the exclusive `interval.end`, exactly as the model's half-open interval is; clock
times become timed events in UTC, so the feed needs no VTIMEZONE. The UID is made from
`event.key` alone, so a re-export updates entries in a subscribed calendar instead of
duplicating them. Written directly (escaping and folding below, RFC 5545 3.1 and 3.3.11):
the icalendar library builds about 6,500 events a second here, too slow for 10,000-event
feeds; tests read the output back with vobject, icalendar and Mozilla's ical.js.
Must not read the clock or any store.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from timeline.model import Event, Mention
from timeline.render.labels import clean_line, short_day

PRODID = "-//timeline//timeline render//EN"
UID_DOMAIN = "timeline"
# How often subscribers should re-fetch: REFRESH-INTERVAL is RFC 7986 section 5.7;
# X-PUBLISHED-TTL is the older Apple/Microsoft spelling that Outlook still reads.
REFRESH = "PT1H"
# RFC 5545 3.3.11: TEXT may hold any character but the controls (HTAB aside); a newline is
# written as the escape "\n". Everything else in C0/C1 and DEL would make the file invalid.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def uid(key: str) -> str:
    """The UID of an event: stable across runs because `key` is (RFC 5545 3.8.4.7)."""
    return f"{key}@{UID_DOMAIN}"


def to_ics(events: Sequence[Event], *, name: str, now: datetime) -> bytes:
    """A VCALENDAR named `name` holding one VEVENT per event; `now` must be aware."""
    if now.tzinfo is None:
        raise ValueError("to_ics: `now` must be timezone-aware (DTSTAMP is UTC)")
    stamp = _utc(now)
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{_escape(PRODID)}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{_escape(name)}",  # RFC 7986 5.1
        f"X-WR-CALNAME:{_escape(name)}",  # what Apple and Google read
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}",
        f"X-PUBLISHED-TTL:{REFRESH}",
    ]
    for event in events:
        lines += _vevent(event, stamp)
    lines.append("END:VCALENDAR")
    return b"".join(_fold(line) for line in lines)


def _vevent(event: Event, stamp: str) -> list[str]:
    interval = event.interval
    lines = ["BEGIN:VEVENT", f"UID:{_escape(uid(event.key))}", f"DTSTAMP:{stamp}"]
    if interval.at is not None:
        # No DTEND: RFC 5545 3.6.1 says such an event ends when it starts; DTEND equal to
        # DTSTART would be invalid (3.8.2.2 wants it later), and any length would be made up.
        lines.append(f"DTSTART:{_utc(interval.at)}")
    else:
        # DTEND of an all-day event is exclusive, like our interval end; a malformed empty
        # interval still gets one day so no client rejects the whole feed.
        end = max(interval.end, interval.start + timedelta(days=1))
        lines.append(f"DTSTART;VALUE=DATE:{interval.start:%Y%m%d}")
        lines.append(f"DTEND;VALUE=DATE:{end:%Y%m%d}")
    lines.append(f"SUMMARY:{_escape(event.title)}")
    lines.append(f"DESCRIPTION:{_escape(_description(event))}")
    url = next((m.url for m in event.mentions if m.url), "")
    if url:
        lines.append(f"URL:{_CONTROLS.sub('', url)}")  # a URI value: not TEXT-escaped
    lines.append(f"CATEGORIES:{_escape(event.granularity.value)}")
    # News happened to other people: it must not mark the subscriber busy (RFC 5545 3.8.2.7).
    lines.append("TRANSP:TRANSPARENT")
    lines.append("END:VEVENT")
    return lines


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11): backslash, semicolon, comma and newline."""
    text = _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> bytes:
    """One content line as UTF-8, folded at 75 octets (RFC 5545 3.1) without splitting a
    character, ended with CRLF."""
    data = line.encode()
    if len(data) <= 75:
        return data + b"\r\n"
    parts = []
    start, limit = 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # inside a UTF-8 sequence
            end -= 1
        parts.append(data[start:end])
        start, limit = end, 74  # a continuation line starts with one space
    return b"\r\n ".join(parts) + b"\r\n"


def _description(event: Event) -> str:
    names = [name for name in event.sources if name]
    parts = [f"Sources: {', '.join(names)}" if names else "Sources: none recorded"]
    for mention in event.mentions:
        parts.append(_evidence(mention))
    return "\n\n".join(parts)


def _evidence(mention: Mention) -> str:
    who = mention.source or "unknown source"
    if mention.published is not None:
        who += f", {short_day(mention.published.astimezone(UTC).date())}"
    lines = [f"{who}: “{clean_line(mention.sentence)}”", f"({mention.quote} = {mention.value})"]
    if mention.url:
        lines.append(mention.url)
    return "\n".join(lines)
