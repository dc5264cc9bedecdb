"""The command line: period phrases, and a read path that stays light."""

import subprocess
import sys
from pathlib import Path


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
        "sqlalchemy",
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


def test_inspect_reads_a_page_as_a_configured_source_does(tmp_path: Path) -> None:
    """--source: the source's zone and [sources.article] selectors, to try them by hand."""
    config = tmp_path / "config.toml"
    config.write_text(
        '[[sources]]\nname = "gazette"\nurl = "https://gazette.example/feed.xml"\n'
        'timezone = "Europe/London"\n[sources.article]\nbody = "article p:nth-of-type(3)"\n'
        'date = "span.dateline"\n'
    )
    page = str(GAZETTE / "bridge.html")
    result = run_timeline("inspect", page, "--config", str(config), "--source", "gazette")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # The selected body is the one paragraph; the other three are left out.
    assert "Maria Okafor, said the bridge would close" in out
    assert "Engineers found cracks" not in out
    assert "note:" in out and "span.dateline" in out  # matched nothing: automatic date kept
    assert "published: 2025-10-14T10:30:00+01:00" in out

    unknown = run_timeline("inspect", page, "--config", str(config), "--source", "courier")
    assert unknown.returncode == 1
    assert "no source named 'courier' (configured: gazette)" in unknown.stderr


def test_inspect_reports_what_is_wrong() -> None:
    missing = run_timeline("inspect", "/no/such/page.html")
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    zone = run_timeline("inspect", str(GAZETTE / "bridge.html"), "--timezone", "Mars/Base")
    assert zone.returncode == 1 and "not an IANA time zone" in zone.stderr
