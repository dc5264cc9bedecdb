"""timeline.render.html: pure checks of the page, then the page in headless Chromium.

The browser half needs Debian's Chromium at /usr/bin/chromium (`scripts/test-tools` installs
it). Without it those tests skip with the reason shown; under CI (CI set) they fail instead,
so CI can never go green without having looked at the page in a browser.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import struct
import subprocess
import zlib
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import SEED_PUBLISHED, SEED_URL, event, interval, mention, seed_events
from timeline.model import Event, Granularity
from timeline.render.html import CSP, EMPTY, to_html
from timeline.render.labels import clean_line

LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")
CHROMIUM = Path("/usr/bin/chromium")
SEED_KEYS = [e.key for e in seed_events()]
VOID = {"meta", "input", "br", "img", "link", "hr", "wbr", "source", "area", "base", "col"}


class _Page(HTMLParser):
    """What a test needs from the markup: tags, balance, entries by month, attributes, text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.doctype = ""
        self.months: dict[str, list[str]] = {}
        self.hidden: set[str] = set()  # entry keys and month ids carrying `hidden`
        self.upcoming: list[str] = []
        self.titles: list[str] = []
        self.hrefs: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []  # (tag, name, value) for every attribute
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.search_hidden: bool | None = None
        self._month = ""
        self._capture: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        self.attrs += [(tag, name, value) for name, value in a.items()]
        if tag not in VOID:
            self.stack.append(tag)
        classes = a.get("class", "").split()
        if tag == "section" and "month" in classes:
            self._month = a["aria-labelledby"]
            self.months[self._month] = []
            if "hidden" in a:
                self.hidden.add(self._month)
        if tag == "li" and "entry" in classes:
            self.months[self._month].append(a["data-key"])
            if "hidden" in a:
                self.hidden.add(a["data-key"])
            if "upcoming" in classes:
                self.upcoming.append(a["data-key"])
        if tag == "a":
            self.hrefs.append(a["href"])
        if a.get("id") == "search":
            self.search_hidden = "hidden" in a
        if tag == "p" and "title" in classes:
            self._capture = self.titles
            self.titles.append("")
        if tag in {"script", "style"}:
            self._capture = self.scripts if tag == "script" else self.styles
            self._capture.append("")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()
        if tag in {"p", "script", "style"}:
            self._capture = None

    def handle_data(self, data: str) -> None:
        if self._capture is not None:
            self._capture[-1] += data


def _seed_page(now: datetime = SEED_PUBLISHED, tz: ZoneInfo = LONDON) -> str:
    return to_html(seed_events(), now=now, tz=tz, title="Seed")


def _timed(at: datetime, key: str = "timed") -> Event:
    return event(
        "Press conference at Downing Street",
        key=key,
        value=at.strftime("%Y-%m-%dT%H:%M"),
        granularity=Granularity.TIME,
        span=interval(at.date(), at=at),
    )


# --- pure ---------------------------------------------------------------------------------


def test_seed_page_is_well_formed_html5() -> None:
    page = _Page(_seed_page())
    assert page.doctype == "DOCTYPE html"
    assert page.errors == [] and page.stack == []
    assert ("html", "lang", "en") in page.attrs
    assert ("meta", "charset", "utf-8") in page.attrs
    assert len(page.scripts) == 1 and len(page.styles) == 1


def test_seed_entries_are_grouped_by_month_of_their_first_day() -> None:
    page = _Page(_seed_page())
    assert (
        page.months
        == {
            "m-2025-01": ["seed-eu-funding"],  # the year 2025 sits at 1 January
            "m-2025-02": ["seed-oval-office-row"],  # the week of 24 Feb, though it ends in March
            "m-2025-03": SEED_KEYS[2:],
        }
    )
    text = _seed_page()
    assert '<h2 id="m-2025-02">February 2025</h2>' in text
    assert page.hidden == set()  # without JS everything is shown
    assert page.search_hidden is True  # …and the box that would do nothing is not


def test_date_labels_come_from_labels() -> None:
    text = _seed_page()
    assert '<time datetime="2025-03-10">week of 10 Mar 2025</time>' in text
    assert '<time datetime="2025-01-01">2025</time>' in text
    assert '<time datetime="2025-03-06">night of Thu 6 Mar 2025</time>' in text
    assert '<time datetime="2025-03-07">Fri 7 Mar 2025</time>, morning' in text
    assert '<time datetime="2025-03-05">Wed 5 Mar 2025</time>' in text


def test_upcoming_is_relative_to_now_in_the_readers_zone() -> None:
    assert _Page(_seed_page()).upcoming == ["seed-saudi-talks"]
    assert _seed_page().count('<span class="badge">upcoming</span>') == 1
    # 23:30 UTC on Sunday 9 March is already Monday 10 March in Tokyo: the week has begun.
    late_sunday = datetime(2025, 3, 9, 23, 30, tzinfo=UTC)
    assert _Page(_seed_page(late_sunday, LONDON)).upcoming == ["seed-saudi-talks"]
    assert _Page(_seed_page(late_sunday, TOKYO)).upcoming == []
    assert _Page(_seed_page(datetime(2024, 12, 31, 12, tzinfo=UTC))).upcoming == SEED_KEYS


def test_clock_times_are_listed_in_the_readers_zone_and_month() -> None:
    at = datetime(2025, 3, 31, 23, 30, tzinfo=UTC)  # 08:30 on 1 April in Tokyo
    events = [_timed(at), event("Budget day", key="budget", span=interval(date(2025, 3, 31)))]
    london = to_html(events, now=SEED_PUBLISHED, tz=LONDON)
    tokyo = to_html(events, now=SEED_PUBLISHED, tz=TOKYO)
    assert _Page(london).months == {"m-2025-04": ["timed"], "m-2025-03": ["budget"]}
    assert "Tue 1 Apr 2025</time>, 00:30 BST" in london
    assert _Page(tokyo).months == {"m-2025-03": ["budget"], "m-2025-04": ["timed"]}
    assert "Tue 1 Apr 2025</time>, 08:30 JST" in tokyo


def test_clock_times_follow_the_days_other_entries_in_time_order() -> None:
    day = date(2025, 3, 7)
    events = [
        _timed(datetime(2025, 3, 7, 15, tzinfo=UTC), key="a-late"),
        _timed(datetime(2025, 3, 7, 9, tzinfo=UTC), key="b-early"),
        event("All day", key="c-day", span=interval(day)),
    ]
    page = _Page(to_html(events, now=SEED_PUBLISHED, tz=UTC))
    assert page.months == {"m-2025-03": ["c-day", "b-early", "a-late"]}


def test_hostile_text_is_escaped_and_hostile_links_are_not_followed() -> None:
    hostile = '<script>alert(1)</script> & "quotes" <img src=x onerror=alert(2)>'
    sentence = f"On Friday {hostile} happened."
    m = mention(
        sentence,
        "On Friday",
        source='Evil"><b>Outlet',
        url="javascript:alert(3)//https://x",
    )
    text = to_html(
        [event(hostile, key='k"><i>', mentions=(m,))],
        now=SEED_PUBLISHED,
        tz=UTC,
        title="</title><script>alert(4)</script>",
    )
    page = _Page(text)
    assert page.errors == [] and page.stack == []
    assert len(page.scripts) == 1 and "alert" not in page.scripts[0]
    assert "<img" not in text and "<b>" not in text and "<i>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert page.titles == [clean_line(hostile)]
    assert page.hrefs == []  # a javascript: URL is shown as text, never linked
    assert "javascript:alert(3)//https://x" in text
    assert page.months == {"m-2025-03": ['k"><i>']}


def test_control_characters_never_reach_the_page() -> None:
    title = "Talks\x00 in\x1b[31m Zürich\u202e\x07"
    text = to_html([event(title, key="ctl", quote="Talks")], now=SEED_PUBLISHED, tz=UTC)
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202e]", text)
    assert _Page(text).titles == ["Talks in[31m Zürich"]


@given(st.text(max_size=60))
def test_any_title_is_text_never_markup(title: str) -> None:
    text = to_html(
        [event(title or "x", key="t", quote=(title or "x")[:1])], now=SEED_PUBLISHED, tz=UTC
    )
    page = _Page(text)
    assert page.errors == [] and page.stack == []
    assert page.titles == [clean_line(title or "x") or "(untitled)"]
    assert len(page.scripts) == 1


def test_no_external_resources_only_article_links() -> None:
    text = _seed_page()
    page = _Page(text)
    assert page.hrefs == [SEED_URL] * len(SEED_KEYS)
    without_links = re.sub(r'<a href="[^"]*"', "<a", text)
    assert not re.search(r"https?:", without_links, re.IGNORECASE)
    assert "//" not in without_links
    for needle in ("src=", "@import", "url(", "<link", "<img", "<iframe", "srcset", "@font-face"):
        assert needle not in text.lower(), needle
    for tag, name, _ in page.attrs:
        assert name not in {"src", "srcset", "poster", "data", "action", "formaction"}, tag


def test_csp_forbids_everything_but_the_inline_style_and_script() -> None:
    page = _Page(_seed_page())
    (policy,) = [v for t, n, v in page.attrs if t == "meta" and n == "content" and "src" in v]
    assert policy == CSP
    assert policy.startswith("default-src 'none';")

    def digest(code: str) -> str:
        return base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()

    assert f"script-src 'sha256-{digest(page.scripts[0])}'" in policy
    assert f"style-src 'sha256-{digest(page.styles[0])}'" in policy


def test_details_hold_the_quote_marked_and_the_article_link() -> None:
    text = _seed_page()
    assert "<summary>1 report</summary>" in text
    assert "talks will take place in Saudi Arabia <mark>next week</mark>, after" in text
    assert f'<a href="{SEED_URL}" rel="noopener noreferrer nofollow">independent.co.uk</a>' in text
    assert '<span class="source">The Independent</span>, <time' in text
    assert "7 Mar 2025 08:00 GMT</time>" in text


def test_many_sources_are_counted_and_all_listed_in_the_reports() -> None:
    names = ["BBC", "Reuters", "AP", "Le Monde", "NHK"]
    mentions = tuple(mention("On Friday talks.", "On Friday", source=n) for n in names)
    text = to_html([event("Talks", key="t", mentions=mentions)], now=SEED_PUBLISHED, tz=UTC)
    assert '<p class="sources">AP, BBC, Le Monde and 2 more</p>' in text
    assert "<summary>5 reports</summary>" in text
    assert all(f'<span class="source">{n}</span>' in text for n in names)


def test_empty_timeline_says_so() -> None:
    text = to_html([], now=SEED_PUBLISHED, tz=UTC)
    assert clean_line(EMPTY) in text
    assert _Page(text).months == {}
    assert "0 entries" in text


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        to_html(seed_events(), now=datetime(2025, 3, 7), tz=UTC)


def test_is_pure() -> None:
    assert _seed_page() == _seed_page()


# --- in Chromium --------------------------------------------------------------------------


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: browser tests skipped (scripts/test-tools installs it)"
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI must run them)")
        pytest.skip(reason)
    return CHROMIUM


def _run_chromium(binary: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    command = [
        str(binary),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture
def seed_file(tmp_path: Path) -> Path:
    path = tmp_path / "timeline.html"
    path.write_text(_seed_page(), encoding="utf-8")
    return path


def _shown(binary: Path, tmp_path: Path, url: str, *flags: str) -> _Page:
    dom = _run_chromium(binary, tmp_path, *flags, "--dump-dom", url).stdout
    assert "<main" in dom, dom[:2000]
    return _Page(dom)


def _visible(page: _Page) -> list[str]:
    return [k for keys in page.months.values() for k in keys if k not in page.hidden]


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("", SEED_KEYS),
        ("?q=saudi", ["seed-saudi-talks"]),
        ("#q=ERDOGAN", ["seed-starmer-call"]),  # case- and accent-insensitive
        ("#q=Kinnock%20%E2%80%9Cno%20issues", ["seed-kinnock-no-issues"]),  # every word
        ("#q=overnight", ["seed-trump-nato-comments"]),  # words of the sentence, not the title
        ("?q=independent", SEED_KEYS),  # sources
        ("?q=talks%20washington", ["seed-healey-hegseth"]),
    ],
)
def test_query_in_the_address_filters_on_load(
    chromium: Path, seed_file: Path, tmp_path: Path, address: str, expected: list[str]
) -> None:
    page = _shown(chromium, tmp_path, seed_file.as_uri() + address)
    assert _visible(page) == expected
    assert page.search_hidden is False  # the script ran (the CSP hash let it) and showed the box
    empty_months = {m for m, keys in page.months.items() if set(keys) <= page.hidden}
    assert {m for m in page.months if m in page.hidden} == empty_months


def test_query_matching_nothing_hides_every_month_and_says_so(
    chromium: Path, seed_file: Path, tmp_path: Path
) -> None:
    dom = _run_chromium(chromium, tmp_path, "--dump-dom", seed_file.as_uri() + "#q=zzzz").stdout
    page = _Page(dom)
    assert _visible(page) == []
    assert set(page.months) <= page.hidden
    assert '<p class="empty" id="no-match">' in dom
    assert ">0 of 8</output>" in dom


def test_without_javascript_everything_is_shown(chromium: Path, tmp_path: Path) -> None:
    # --dump-dom itself needs scripting, so "JS off" is the page with its script cut out.
    text = re.sub(r"<script>.*?</script>", "", _seed_page(), flags=re.DOTALL)
    assert "<script" not in text
    path = tmp_path / "nojs.html"
    path.write_text(text, encoding="utf-8")
    page = _shown(chromium, tmp_path, path.as_uri() + "?q=saudi")
    assert _visible(page) == SEED_KEYS
    assert page.hidden == set()
    assert page.search_hidden is True


def test_csp_stops_a_script_that_is_not_ours(chromium: Path, tmp_path: Path) -> None:
    # Defence in depth: were escaping ever to fail, an injected inline script would not run.
    injected = '<script>document.body.setAttribute("data-pwned", "yes")</script>'
    text = _seed_page().replace("</main>", injected + "</main>")
    path = tmp_path / "injected.html"
    path.write_text(text, encoding="utf-8")
    dom = _run_chromium(chromium, tmp_path, "--dump-dom", path.as_uri() + "#q=saudi").stdout
    assert "data-pwned" in dom  # the tag is there (dump-dom shows its source) …
    assert 'data-pwned="yes"' not in dom  # … but it never ran
    assert _visible(_Page(dom)) == ["seed-saudi-talks"]  # while our own script did


def test_screenshot_is_a_real_picture(chromium: Path, seed_file: Path, tmp_path: Path) -> None:
    png = tmp_path / "shot.png"
    _run_chromium(
        chromium,
        tmp_path,
        "--hide-scrollbars",
        "--window-size=1000,1400",
        f"--screenshot={png}",
        seed_file.as_uri(),
    )
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # IHDR follows the signature
    assert (width, height) == (1000, 1400)
    assert len(data) > 20_000, len(data)  # a blank page compresses to a few kilobytes
    pixels = zlib.decompress(b"".join(_chunks(data, b"IDAT")))
    assert len(set(pixels)) > 50  # text and colours, not a flat fill


def _chunks(data: bytes, kind: bytes) -> list[bytes]:
    found, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        if data[at + 4 : at + 8] == kind:
            found.append(data[at + 8 : at + 8 + length])
        at += 12 + length
    return found
