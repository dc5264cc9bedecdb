"""Events -> one self-contained HTML page: a vertical timeline grouped by month, with search.

Input: events (in timeline order, as the store returns them), `now` and the reader's zone `tz`.
Output: the text of one HTML5 document. Entries sit in the month of the day they are listed
under (`labels.display_day`: a week or a year at its first day, a clock time on its date in
`tz`); each shows its date label, title, sources, an "upcoming" badge when that day is after
`now`'s date in `tz`, and a <details> with every report: the sentence with the quote marked,
the outlet, the publish time and a link to the article.

The page makes no request of its own (issue 7): CSS and JS are inline, fonts are the system's,
there are no images, and a Content-Security-Policy of `default-src 'none'` with hashes of the
one <style> and the one <script> makes the browser enforce it (and refuse any script that
slipped in through the data). The only URLs in it are the article links, and only http(s)
ones become links: a `javascript:` URL in a feed stays inert text.

Search: a box filters entries in place, case- and accent-insensitively, over titles, sources,
sentences and quotes; every word typed must occur. Months left empty hide. The page applies
a query given in its address on load, `page.html?q=saudi` or `page.html#q=saudi` (the hash form
works for a file opened from disk and is what typing writes back, so a filtered view can be
shared). With JS off everything is shown and the useless box stays hidden.

All text goes through `labels.clean_line` (controls are invalid in HTML) and `html.escape`.
Must not read the clock, the locale or any store.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator, Sequence
from datetime import date, datetime, tzinfo
from html import escape
from itertools import groupby

from timeline.model import Event, Granularity, Mention
from timeline.render.labels import (
    MONTH_NAMES,
    clean_line,
    clock,
    day_heading,
    display_day,
    extent,
    quote_parts,
    short_day,
)

EMPTY = "No events yet. Run `timeline run --once` or `timeline demo`."
UPCOMING = "upcoming"
MAX_SOURCES = 3  # names listed on an entry before "and N more"; the reports list them all
QUERY_PARAM = "q"  # ?q=… or #q=…: the search applied on load
# Granularities whose extent label names its own dates ("week of 10 Mar 2025", "2025"): shown
# alone. Finer ones ("morning", "09:00 GMT") are shown after the day they belong to.
_SELF_DATED = frozenset(
    {
        Granularity.CENTURY,
        Granularity.DECADE,
        Granularity.YEAR,
        Granularity.QUARTER,
        Granularity.SEASON,
        Granularity.MONTH,
        Granularity.WEEK,
    }
)

_CSS = """
:root {
  color-scheme: light dark;
  --bg: #fbfaf7; --fg: #1d1d1f; --muted: #5f6368; --line: #d5d2ca; --card: #ffffff;
  --accent: #1a5fb4; --up: #b35c00; --up-bg: #fff1dc; --mark: #fff3a8;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #17181a; --fg: #e8e6e3; --muted: #a3a7ad; --line: #3a3d42; --card: #202226;
    --accent: #8ab4f8; --up: #ffb86b; --up-bg: #3a2a14; --mark: #5c5000;
  }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
}
header, main { max-width: 52rem; margin: 0 auto; padding: 0 1.25rem; }
header { padding-top: 2rem; padding-bottom: 1rem; }
h1 { margin: 0 0 .25rem; font-size: 1.9rem; letter-spacing: -.01em; }
.generated { margin: 0; color: var(--muted); font-size: .9rem; }
.search { display: flex; gap: .75rem; align-items: center; margin-top: 1rem; }
.search input {
  flex: 1; font: inherit; padding: .5rem .75rem; border: 1px solid var(--line);
  border-radius: .5rem; background: var(--card); color: inherit;
}
.search output { color: var(--muted); font-size: .9rem; white-space: nowrap; }
.month h2 {
  position: sticky; top: 0; z-index: 1; margin: 1rem 0 .4rem; padding: .3rem 0;
  background: var(--bg); font-size: 1.15rem; color: var(--muted);
}
.entries { list-style: none; margin: 0; padding: 0 0 0 1.5rem; border-left: 2px solid var(--line); }
.entry { position: relative; margin: 0 0 .6rem; padding: .55rem .9rem; background: var(--card);
  border: 1px solid var(--line); border-radius: .6rem; }
.entry::before {
  content: ""; position: absolute; left: calc(-1.5rem - 7px); top: .9rem; width: 12px;
  height: 12px; border-radius: 50%; background: var(--accent); border: 2px solid var(--bg);
}
.entry.upcoming::before { background: var(--up); }
.when { margin: 0; font-size: .88rem; color: var(--muted); }
.when time { font-weight: 600; color: var(--accent); }
.entry.upcoming .when time { color: var(--up); }
.badge {
  display: inline-block; margin-left: .4rem; padding: 0 .45rem; border-radius: .3rem;
  background: var(--up-bg); color: var(--up); font-size: .75rem; font-weight: 700;
  text-transform: uppercase; letter-spacing: .04em;
}
.title { margin: .1rem 0; font-size: 1rem; font-weight: 600; }
.sources { margin: 0; color: var(--muted); font-size: .9rem; }
details { margin-top: .2rem; font-size: .9rem; }
summary { cursor: pointer; color: var(--accent); }
.reports { list-style: none; margin: .5rem 0 0; padding: 0; }
.reports li { margin: 0 0 .6rem; }
blockquote { margin: 0; padding-left: .75rem; border-left: 3px solid var(--line); }
mark { background: var(--mark); color: inherit; padding: 0 .1em; }
.cite { margin: .2rem 0 0 .75rem; color: var(--muted); font-size: .85rem; }
a { color: var(--accent); }
.empty { color: var(--muted); }
""".strip()

# Reads only textContent and toggles `hidden`: no innerHTML, so data can never become markup.
_JS = """
(function () {
  "use strict";
  var box = document.getElementById("search");
  var input = document.getElementById("q");
  var count = document.getElementById("count");
  var none = document.getElementById("no-match");
  var entries = Array.prototype.slice.call(document.querySelectorAll(".entry"));
  var months = Array.prototype.slice.call(document.querySelectorAll(".month"));
  function fold(text) {
    return text.normalize("NFD").replace(/[\\u0300-\\u036f]/g, "").toLowerCase();
  }
  var haystacks = entries.map(function (entry) {
    var parts = entry.querySelectorAll(".title, .sources, .source, blockquote");
    return fold(Array.prototype.map.call(parts, function (p) { return p.textContent; }).join(" "));
  });
  function apply(query) {
    var words = fold(query).split(/\\s+/).filter(Boolean);
    var shown = 0;
    entries.forEach(function (entry, i) {
      var match = words.every(function (w) { return haystacks[i].indexOf(w) !== -1; });
      entry.hidden = !match;
      if (match) { shown += 1; }
    });
    months.forEach(function (month) {
      month.hidden = !month.querySelector(".entry:not([hidden])");
    });
    count.textContent = words.length ? shown + " of " + entries.length : "";
    none.hidden = shown > 0 || entries.length === 0;
  }
  function fromAddress() {
    var hash = new URLSearchParams(location.hash.replace(/^#/, "")).get("q");
    var search = new URLSearchParams(location.search).get("q");
    return hash !== null ? hash : (search !== null ? search : "");
  }
  input.addEventListener("input", function () {
    apply(input.value);
    var target = input.value
      ? "#q=" + encodeURIComponent(input.value)
      : location.pathname + location.search;
    try {
      history.replaceState(null, "", target);
    } catch (e) { /* some file: contexts refuse; the filter still works */ }
  });
  window.addEventListener("hashchange", function () {
    input.value = fromAddress();
    apply(input.value);
  });
  box.hidden = false;
  input.value = fromAddress();
  apply(input.value);
})();
""".strip()


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


# Hash sources (CSP Level 2, "script-src"): only our exact <style> and <script> may apply.
CSP = (
    "default-src 'none'; "
    f"style-src 'sha256-{_sha256(_CSS)}'; "
    f"script-src 'sha256-{_sha256(_JS)}'; "
    "base-uri 'none'; form-action 'none'"
)


def to_html(events: Sequence[Event], *, now: datetime, tz: tzinfo, title: str = "Timeline") -> str:
    """The page: `title` as heading, entries grouped by month of their listing day in `tz`."""
    if now.tzinfo is None:
        # astimezone() would read a naive `now` in the machine's zone: the TZ leak we forbid.
        raise ValueError("to_html: `now` must be timezone-aware")
    today = now.astimezone(tz).date()
    heading = _text(title) or "Timeline"
    local_now = now.astimezone(tz)
    count = f"{len(events)} {'entry' if len(events) == 1 else 'entries'}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="generator" content="timeline">',
        f"<title>{heading}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{heading}</h1>",
        f'<p class="generated">{count}, as of '
        f'<time datetime="{escape(local_now.isoformat())}">'
        f"{escape(short_day(local_now.date()))} {escape(clock(local_now, tz))}</time></p>",
        # Hidden until the script runs: without JS a search box would do nothing.
        '<div class="search" id="search" role="search" hidden>',
        '<input id="q" type="search" placeholder="Search titles, sources and quotes"'
        ' aria-label="Search titles, sources and quotes" autocomplete="off">',
        '<output id="count" for="q" aria-live="polite"></output>',
        "</div>",
        "</header>",
        '<main id="timeline">',
    ]
    if not events:
        out.append(f'<p class="empty">{_text(EMPTY)}</p>')
    for (year, month), group in _by_month(events, tz):
        month_id = f"m-{year:04d}-{month:02d}"
        out.append(f'<section class="month" aria-labelledby="{month_id}">')
        out.append(f'<h2 id="{month_id}">{MONTH_NAMES[month - 1]} {year}</h2>')
        out.append('<ol class="entries">')
        for event in group:
            out.append(_entry(event, tz=tz, today=today))
        out.append("</ol>")
        out.append("</section>")
    out += [
        '<p class="empty" id="no-match" hidden>No entry matches the search.</p>',
        "</main>",
        f"<script>{_JS}</script>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(out)


def _by_month(events: Sequence[Event], tz: tzinfo) -> Iterator[tuple[tuple[int, int], list[Event]]]:
    # Stable: the caller's order holds within a day, except that clock times follow the
    # day-long entries of their day, in time order (the store orders them by key).
    def order(event: Event) -> tuple[date, bool, datetime | date]:
        at = event.interval.at
        day = display_day(event, tz)
        return (day, at is not None, at if at is not None else day)

    ordered = sorted(events, key=order)
    for month, run in groupby(ordered, key=lambda e: _month(display_day(e, tz))):
        yield month, list(run)


def _month(day: date) -> tuple[int, int]:
    return (day.year, day.month)


def _entry(event: Event, *, tz: tzinfo, today: date) -> str:
    day = display_day(event, tz)
    upcoming = day > today
    label = extent(event, tz)
    at = event.interval.at
    stamp = at.astimezone(tz).isoformat() if at is not None else event.interval.start.isoformat()
    if event.granularity in _SELF_DATED and label:
        when = f'<time datetime="{escape(stamp)}">{escape(label)}</time>'
    elif label.startswith("night of "):
        # "night of 6 Mar" already names its evening; give it the weekday and year too.
        when = f'<time datetime="{escape(stamp)}">night of {escape(day_heading(day))}</time>'
    else:
        when = f'<time datetime="{escape(stamp)}">{escape(day_heading(day))}</time>'
        if label:
            when += f", {escape(label)}"
    if upcoming:
        when += f' <span class="badge">{UPCOMING}</span>'
    lines = [
        f'<li class="entry{" upcoming" if upcoming else ""}" data-key="{escape(event.key)}">',
        f'<p class="when">{when}</p>',
        f'<p class="title">{_text(event.title) or "(untitled)"}</p>',
    ]
    sources = _sources(event)
    if sources:
        lines.append(f'<p class="sources">{sources}</p>')
    if event.mentions:
        n = len(event.mentions)
        lines.append("<details>")
        lines.append(f"<summary>{n} {'report' if n == 1 else 'reports'}</summary>")
        lines.append('<ol class="reports">')
        lines += [_report(mention, tz=tz) for mention in event.mentions]
        lines.append("</ol>")
        lines.append("</details>")
    lines.append("</li>")
    return "\n".join(lines)


def _sources(event: Event) -> str:
    names = [_text(name) for name in event.sources if clean_line(name)]
    if len(names) > MAX_SOURCES:
        return f"{', '.join(names[:MAX_SOURCES])} and {len(names) - MAX_SOURCES} more"
    if len(names) > 1:
        return f"{', '.join(names[:-1])} and {names[-1]}"
    return names[0] if names else ""


def _report(mention: Mention, *, tz: tzinfo) -> str:
    cite = f'<span class="source">{_text(mention.source) or "unknown source"}</span>'
    if mention.published is not None:
        local = mention.published.astimezone(tz)
        cite += (
            f', <time datetime="{escape(local.isoformat())}">'
            f"{escape(short_day(local.date()))} {escape(clock(local, tz))}</time>"
        )
    url = clean_line(mention.url)
    if _linkable(url):
        cite += (
            f' · <a href="{escape(url)}" rel="noopener noreferrer nofollow">'
            f"{escape(_shown_url(url))}</a>"
        )
    elif url:
        cite += f" · {escape(url)}"  # not http(s): shown, never followed
    return f'<li><blockquote>{_marked(mention)}</blockquote><p class="cite">{cite}</p></li>'


def _linkable(url: str) -> bool:
    # Only web addresses become links: `javascript:`, `data:` and friends from a feed must not.
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    return scheme in {"http", "https"} and url.split(":", 1)[1].startswith("//")


def _shown_url(url: str) -> str:
    # The host is what a reader needs to recognise the outlet; the path is in the href.
    host = url.split("//", 1)[1].split("/", 1)[0]
    return host.removeprefix("www.") or url


def _marked(mention: Mention) -> str:
    """The sentence, escaped, with the quote in <mark>: offsets first, then a search."""
    parts = quote_parts(mention)
    if parts is None:
        return f"{_text(mention.sentence)} (<mark>{_text(mention.quote)}</mark>)"
    before, inside, after = parts
    # Clean the parts apart so the offsets stay meaningful; keep the spaces cleaning trims.
    left = _text(before) + (" " if before[-1:].isspace() and before.strip() else "")
    right = (" " if after[:1].isspace() and after.strip() else "") + _text(after)
    return f"{left}<mark>{_text(inside)}</mark>{right}"


def _text(text: str) -> str:
    return escape(clean_line(text))
