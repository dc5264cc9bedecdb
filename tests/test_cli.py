"""The command line: period phrases, and a read path that stays light."""

import socket
import subprocess
import sys
from pathlib import Path

import pytest


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
    assert zone.returncode == 1 and "--timezone 'Mars/Base': not an IANA time zone" in zone.stderr


def test_bad_options_are_usage_errors_not_tracebacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from timeline.cli import main

    db = str(tmp_path / "t.db")
    for args, words in [
        (["show", "--limit", "-1"], "--limit: expected a whole number >= 0, got '-1'"),
        (["export", "--format", "json", "--limit", "x"], "--limit: expected a whole number"),
        (["show", "--from", "9999999 days ago"], "'9999999 days ago' is before year 1"),
        (["serve", "--port", "99999"], "--port: expected a port number from 0 to 65535"),
    ]:
        with pytest.raises(SystemExit) as exited:
            main([*args, "--db", db])
        assert exited.value.code == 2, args
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err, err


def test_files_that_cannot_be_read_or_written_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from timeline.cli import main

    db = str(tmp_path / "t.db")
    missing = str(tmp_path / "missing.jsonl")
    out = str(tmp_path / "out.jsonl")
    not_json = tmp_path / "bad.jsonl"
    not_json.write_text('{"id": "a", "text": "Monday", "dct": "2025-03-07"}\n{"id": "b"}\n')
    blocker = tmp_path / "file"
    blocker.write_text("")
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(b'[export]\nname = "caf\xe9"\n')
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        for args, words in [
            (["tag", "--input", missing, "--output", out], f"{missing}: cannot read"),
            (["pubdate", "--input", missing, "--output", out], f"{missing}: cannot read"),
            (["tag", "--input", str(not_json), "--output", out], f"{not_json}:2: "),
            (
                ["export", "--format", "ics", "-o", str(blocker / "x.ics")],
                f"{blocker / 'x.ics'}: cannot write",
            ),
            (["serve", "--port", port], f"cannot serve on 127.0.0.1:{port}"),
            (["show", "--config", str(latin1)], f"{latin1}: not UTF-8 text"),
        ]:
            assert main([*args, "--db", db]) == 1, args
            err = capsys.readouterr().err
            assert err.startswith("timeline: ") and words in err, err


def test_export_names_the_calendar_and_page_as_the_config_does(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[export]\nname = "Ukraine talks"\n', encoding="utf-8")
    db = f"sqlite:///{tmp_path / 't.db'}"
    ics = run_timeline("export", "--format", "ics", "--config", str(config), "--db", db)
    html = run_timeline("export", "--format", "html", "--config", str(config), "--db", db)
    assert ics.returncode == html.returncode == 0, ics.stderr + html.stderr
    assert "\nX-WR-CALNAME:Ukraine talks\n" in ics.stdout
    assert "<title>Ukraine talks</title>" in html.stdout
