"""The command line: period phrases, and a read path that stays light."""

import argparse
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from timeline.cli import day_range

WEDNESDAY = date(2025, 3, 12)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("2025", (date(2025, 1, 1), date(2026, 1, 1))),
        ("2025-02", (date(2025, 2, 1), date(2025, 3, 1))),
        ("2024-12", (date(2024, 12, 1), date(2025, 1, 1))),
        ("2025-03-07", (date(2025, 3, 7), date(2025, 3, 8))),
        ("today", (WEDNESDAY, date(2025, 3, 13))),
        ("Yesterday", (date(2025, 3, 11), WEDNESDAY)),
        ("this week", (date(2025, 3, 10), date(2025, 3, 17))),
        ("last  week", (date(2025, 3, 3), date(2025, 3, 10))),
        ("next month", (date(2025, 4, 1), date(2025, 5, 1))),
        ("last year", (date(2024, 1, 1), date(2025, 1, 1))),
        ("3 days ago", (date(2025, 3, 9), date(2025, 3, 10))),
        ("2 months ago", (date(2025, 1, 1), date(2025, 1, 2))),
    ],
)
def test_day_range(phrase: str, expected: tuple[date, date]) -> None:
    assert day_range(phrase, WEDNESDAY) == expected


@pytest.mark.parametrize("phrase", ["lst week", "2025-13", "soon", "-3 days ago"])
def test_day_range_refuses_nonsense(phrase: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="is not a date or period"):
        day_range(phrase, WEDNESDAY)


def test_show_never_imports_the_fetch_schedule_or_tagging_stack(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 't.db'}"
    subprocess.run([sys.executable, "-m", "timeline", "db", "upgrade", "--db", db], check=True)
    probe = (
        f"import sys; from timeline.cli import main; main(['show', '--db', {db!r}]);"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    loaded = set(result.stderr.split())
    heavy = {
        "timeline.fetch",
        "timeline.feeds",
        "timeline.schedule",
        "timeline.pipeline",
        "timeline.temporal",
        "timeline.article",
        "httpx",
        "apscheduler",
        "dateparser",
        "feedparser",
        "alembic",
        "sqlalchemy.orm",
    }
    assert loaded & heavy == set()


GAZETTE = Path(__file__).parent / "site" / "gazette"


def run_timeline(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "timeline", *args], capture_output=True, text=True, check=False
    )


def test_inspect_a_file() -> None:
    result = run_timeline("inspect", str(GAZETTE / "bridge.html"), "--timezone", "Europe/London")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "published: 2025-10-14T10:30:00+01:00 (from meta:article:published_time)" in out
    assert "canonical: https://gazette.example/news/bridge-repairs" in out
    assert "Engineers found cracks" in out and "© The Harbour Gazette" not in out
    assert "2025-W43" in out  # "will begin next week"


def test_inspect_a_url_through_the_fetcher(tmp_path: Path) -> None:
    from .conftest import Site

    site = Site(GAZETTE.parent)
    config = tmp_path / "config.toml"
    config.write_text("[fetch]\nallow_loopback = true\n")
    try:
        result = run_timeline("inspect", site.url("/gazette/ferry.html"), "--config", str(config))
    finally:
        site.close()
    assert result.returncode == 0, result.stderr
    assert "(from json-ld)" in result.stdout


def test_inspect_reports_what_is_wrong() -> None:
    missing = run_timeline("inspect", "/no/such/page.html")
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    zone = run_timeline("inspect", str(GAZETTE / "bridge.html"), "--timezone", "Mars/Base")
    assert zone.returncode == 1 and "not an IANA time zone" in zone.stderr
