"""Events -> the text `timeline show` prints: grouped by day, wrapped, optionally coloured.

Input: events already in timeline order (by interval start, end, key, as the store returns
them), `now` and the reader's zone `tz`. Output: one string, no trailing newline.
Coarser entries (a week, a year) sit at their first day, labelled with their extent; clock
times are shown in `tz`. Whether to colour is the caller's decision (NO_COLOR, a tty):
this module never looks at the environment, the clock or the terminal.

Titles and quotes are scraped text, so every control character is dropped before output
(see `labels.clean_line`): a feed must not be able to send escape sequences to a terminal.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Sequence
from datetime import date, datetime, tzinfo
from enum import Enum, auto
from itertools import groupby

from timeline.model import Event, Mention
from timeline.render.labels import (
    clean_line,
    clock,
    day_heading,
    display_day,
    extent,
    quote_parts,
    short_day,
)

EMPTY = "No events yet. Run `timeline run --once` or `timeline demo`."
UPCOMING = "[upcoming]"
MAX_SOURCES = 3  # names listed before "and N more"
_MIN_WIDTH = 40  # below this the indents leave no room for words
_INDENT = "    "


class _Style(Enum):
    HEADING = auto()
    LABEL = auto()
    UPCOMING = auto()
    SOURCES = auto()
    QUOTE = auto()
    URL = auto()


# ANSI SGR codes (ECMA-48 8.3.117); every span is closed with a full reset. Kept apart from
# the Enum because equal values would make members aliases of each other.
_SGR = {
    _Style.HEADING: "\x1b[1m",
    _Style.LABEL: "\x1b[36m",
    _Style.UPCOMING: "\x1b[1;33m",
    _Style.SOURCES: "\x1b[2m",
    _Style.QUOTE: "\x1b[1m",
    _Style.URL: "\x1b[2m",
}


_RESET = "\x1b[0m"
# Private-use characters mark styled spans while text is wrapped; input never contains them
# (clean_line drops category Co). Each marker is one character, so wrapping stays honest
# except that a coloured line may end a few columns short.
_OPEN = {style: chr(0xE000 + i) for i, style in enumerate(_Style)}
_CLOSE = {style: chr(0xE080 + i) for i, style in enumerate(_Style)}
# Without colour the quote is still marked, with guillemets: one column each, as the markers.
_PLAIN_QUOTE = ("«", "»")


def render_terminal(
    events: Sequence[Event],
    *,
    now: datetime,
    tz: tzinfo,
    verbose: bool = False,
    color: bool = False,
    width: int = 100,
) -> str:
    """The timeline as text, `width` columns wide (code points; wide CJK glyphs count as one).

    An entry is upcoming when the day it is listed under is after `now`'s date in `tz`.
    With `verbose`, each mention follows: outlet, publish time, the sentence with the quote
    marked, and the article URL (never wrapped, so it stays clickable).
    """
    if now.tzinfo is None:
        # astimezone() would read a naive `now` in the machine's zone: the TZ leak we forbid.
        raise ValueError("render_terminal: `now` must be timezone-aware")
    if not events:
        return EMPTY
    width = max(width, _MIN_WIDTH)
    today = now.astimezone(tz).date()
    blocks: list[str] = []
    for day, group in _by_day(events, tz):
        lines = [_styled(_span(_Style.HEADING, day_heading(day)), color=color)]
        for event in group:
            lines += _entry(
                event, day=day, today=today, tz=tz, verbose=verbose, color=color, width=width
            )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _by_day(events: Sequence[Event], tz: tzinfo) -> Iterator[tuple[date, list[Event]]]:
    # A stable sort by listing day keeps the caller's order everywhere except where a clock
    # time falls on another day in `tz` than its interval says; within a day, clock times
    # take their own slots in time order (the store orders them by key, not by time).
    ordered = sorted(events, key=lambda event: display_day(event, tz))
    for day, run in groupby(ordered, key=lambda event: display_day(event, tz)):
        group = list(run)
        slots = [i for i, event in enumerate(group) if event.interval.at is not None]
        timed = sorted((group[i] for i in slots), key=_at)
        for i, event in zip(slots, timed, strict=True):
            group[i] = event
        yield day, group


def _at(event: Event) -> datetime:
    assert event.interval.at is not None
    return event.interval.at


def _entry(
    event: Event, *, day: date, today: date, tz: tzinfo, verbose: bool, color: bool, width: int
) -> list[str]:
    head = ""
    if day > today:
        head += _span(_Style.UPCOMING, UPCOMING) + " "
    label = extent(event, tz)
    if label:
        head += _span(_Style.LABEL, label + ":") + " "
    title = clean_line(event.title) or "(untitled)"
    lines = _wrap(head + title, first="  - ", rest=_INDENT, color=color, width=width)
    sources = _sources(event)
    if sources:
        lines += _wrap(
            _span(_Style.SOURCES, sources), first=_INDENT, rest=_INDENT, color=color, width=width
        )
    if verbose:
        for mention in event.mentions:
            lines += _mention(mention, tz=tz, color=color, width=width)
    return lines


def _sources(event: Event) -> str:
    names = [clean_line(name) for name in event.sources if clean_line(name)]
    if len(names) > MAX_SOURCES:
        shown = ", ".join(names[:MAX_SOURCES])
        return f"{shown} and {len(names) - MAX_SOURCES} more"
    if len(names) > 1:
        return f"{', '.join(names[:-1])} and {names[-1]}"
    return names[0] if names else ""


def _mention(mention: Mention, *, tz: tzinfo, color: bool, width: int) -> list[str]:
    who = clean_line(mention.source) or "unknown source"
    if mention.published is not None:
        local = mention.published.astimezone(tz)
        who += f", {short_day(local.date())} {clock(local, tz)}"
    lines = _wrap(
        f"{who}: “{_quoted(mention)}”",
        first=_INDENT + "> ",
        rest=_INDENT + "  ",
        color=color,
        width=width,
    )
    url = clean_line(mention.url)
    if url:
        lines.append(_styled(_INDENT + "  " + _span(_Style.URL, url), color=color))
    return lines


def _quoted(mention: Mention) -> str:
    """The sentence with the quote marked; offsets first, then a search, then the quote alone."""
    parts = quote_parts(mention)
    if parts is None:
        return clean_line(mention.sentence) + f" ({_span(_Style.QUOTE, clean_line(mention.quote))})"
    # Clean the three parts apart so the offsets stay meaningful, then rejoin with the spaces
    # that cleaning trimmed from the edges.
    before, inside, after = parts
    left = clean_line(before) + (" " if before[-1:].isspace() else "")
    right = (" " if after[:1].isspace() else "") + clean_line(after)
    return left.lstrip() + _span(_Style.QUOTE, clean_line(inside)) + right.rstrip()


def _span(style: _Style, text: str) -> str:
    return f"{_OPEN[style]}{text}{_CLOSE[style]}"


def _wrap(text: str, *, first: str, rest: str, color: bool, width: int) -> list[str]:
    if not color:
        text = _styled(text, color=False)
    wrapper = textwrap.TextWrapper(
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,  # "US-Ukraine" and URLs read badly split at a hyphen
    )
    return [_styled(line, color=color) for line in wrapper.wrap(text)]


def _styled(text: str, *, color: bool) -> str:
    """Turn span markers into ANSI codes, or into nothing (guillemets for the quote)."""
    for style in _Style:
        if color:
            opening, closing = _SGR[style], _RESET
        elif style is _Style.QUOTE:
            opening, closing = _PLAIN_QUOTE
        else:
            opening = closing = ""
        text = text.replace(_OPEN[style], opening).replace(_CLOSE[style], closing)
    return text
