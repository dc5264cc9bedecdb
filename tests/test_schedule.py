"""The daemon as a real process: it fetches on start, and SIGTERM/SIGINT stop it cleanly."""

import gc
import json
import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest
import vobject

from timeline import schedule
from timeline.render.jsonexport import load_schema
from timeline.store import Store

from .conftest import Site
from .test_pipeline import serve_gazette


def write_config(folder: Path, feed_url: str) -> Path:
    path = folder / "config.toml"
    path.write_text(
        f"""
[storage]
url = "sqlite:///{folder / "timeline.db"}"

[fetch]
allow_loopback = true
host_delay_s = 0
timeout_s = 5

[export]
ics = "{folder / "out" / "timeline.ics"}"
json = "{folder / "out" / "timeline.json"}"
html = "{folder / "out" / "index.html"}"
name = "Harbour news"

[[sources]]
name = "gazette"
url = "{feed_url}"
timezone = "Europe/London"
interval_s = 60
"""
    )
    return path


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_daemon_fetches_then_stops_cleanly(site: Site, tmp_path: Path, sig: signal.Signals) -> None:
    config = write_config(tmp_path, serve_gazette(site))
    daemon = subprocess.Popen(
        [sys.executable, "-m", "timeline", "run", "--config", str(config)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with Store.open(f"sqlite:///{tmp_path / 'timeline.db'}") as store:
                if store.counts()["documents"] == 2:
                    break
            time.sleep(0.2)
        else:
            pytest.fail("the daemon stored nothing within 60 s")
        daemon.send_signal(sig)
        _, stderr = daemon.communicate(timeout=30)
    finally:
        daemon.kill()
    assert daemon.returncode == 0, stderr
    assert "stopping" in stderr
    # One logfmt line per fetch: source, outcome, HTTP status, bytes, ms, documents.
    line = next(line for line in stderr.splitlines() if "source=gazette " in line)
    fields = dict(part.split("=", 1) for part in line.split() if "=" in part)
    assert fields["status"] == "ok" and fields["http"] == "200" and fields["new"] == "2"
    assert int(fields["bytes"]) > 1000 and int(fields["ms"]) >= 0
    # After a fetch that changed the timeline, the daemon rewrote its export files.
    out = tmp_path / "out"
    calendar = vobject.readOne((out / "timeline.ics").read_text(encoding="utf-8"))
    assert calendar.x_wr_calname.value == "Harbour news"
    assert len(calendar.vevent_list) >= 3
    document = json.loads((out / "timeline.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, load_schema())
    assert "Harbour news" in (out / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "timeline.ics", "timeline.json"]


def test_run_without_sources_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\nurl = "sqlite:///{tmp_path / "t.db"}"\n')
    result = subprocess.run(
        [sys.executable, "-m", "timeline", "run", "--once", "--config", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "no [[sources]] to fetch" in result.stderr


def test_run_by_hand_in_a_terminal_shows_progress(site: Site, tmp_path: Path) -> None:
    """stderr a terminal: a status line counts sources and documents under the log lines;
    stderr a pipe (cron, systemd): the log lines only."""
    config = write_config(tmp_path, serve_gazette(site))
    command = [sys.executable, "-m", "timeline", "run", "--once", "--config", str(config)]
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=follower, check=False)
        os.close(follower)
        terminal = _read_all(leader)
    finally:
        os.close(leader)
    assert done.returncode == 0
    assert "1/1 sources fetched, 2 new and 0 updated documents, 0 failed" in terminal
    assert "source=gazette status=ok" in terminal
    assert terminal.endswith("\r\x1b[K")  # the status line is cleared before the summary
    assert b"gazette: ok, 2 new" in done.stdout

    piped = subprocess.run(command, capture_output=True, text=True, check=False)
    assert piped.returncode == 0 and "source=gazette status=not_modified" in piped.stderr
    assert "sources fetched" not in piped.stderr and "\x1b" not in piped.stderr


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode()


def test_ctrl_c_stops_run_once_without_starting_the_queued_sources(
    site: Site, tmp_path: Path
) -> None:
    for i in range(6):
        site.add_hang(f"/slow-{i}", seconds=2)
    sources = "".join(
        f'[[sources]]\nname = "slow-{i}"\nurl = "{site.url(f"/slow-{i}")}"\n' for i in range(6)
    )
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\nurl = "sqlite:///{tmp_path / "t.db"}"\n'
        "[fetch]\nallow_loopback = true\nconcurrency = 1\ntimeout_s = 10\n" + sources
    )
    run = subprocess.Popen(
        [sys.executable, "-m", "timeline", "run", "--once", "--config", str(config)],
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while sum(site.hits.values()) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    run.send_signal(signal.SIGINT)
    run.communicate(timeout=30)
    # The fetch in flight (at most 2 s) ends; the five queued ones (10 s) never start.
    assert time.monotonic() - started < 6
    assert run.returncode == 130
    assert sum(site.hits[f"/slow-{i}"] for i in range(6)) == 1


def test_the_cycle_collector_runs_less_often_while_fetching_and_as_before_after() -> None:
    before = gc.get_threshold()
    with schedule._fewer_collections():
        assert gc.get_threshold()[0] >= schedule.GC_FIRST_THRESHOLD
        assert gc.get_threshold()[1:] == before[1:]
    assert gc.get_threshold() == before
