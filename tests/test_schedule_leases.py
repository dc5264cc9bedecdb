"""Schedules and leases in the store: resume after restart, back off on failure, share
sources between daemons without fetching anything twice, survive kill -9."""

import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from timeline.config import Config, FetchSettings, parse_config
from timeline.errors import ConfigError, StoreError
from timeline.model import Schedule, Source, SourceOutcome, Status
from timeline.schedule import (
    FIRST_BACKOFF,
    MAX_BACKOFF,
    MAX_RETRY_AFTER,
    next_due,
    run_forever,
    run_once,
)
from timeline.store import Store
from timeline.store.tables import sources

from .conftest import Site
from .test_pipeline import serve_gazette

NOW = datetime(2025, 3, 7, 8, 0, tzinfo=UTC)
FAILED = SourceOutcome(source="s", status=Status.FAILED)
FAST = FetchSettings(timeout_s=2.0, allow_loopback=True, host_delay_s=0.0)


def test_success_is_due_on_schedule() -> None:
    ok = SourceOutcome(source="s", status=Status.OK)
    later = NOW + timedelta(minutes=30)
    assert next_due(ok, errors=0, now=NOW, scheduled=later, rng=random.Random(1)) == later


def test_failures_back_off_doubling_with_jitter_up_to_a_cap() -> None:
    rng = random.Random(1)
    for errors, base in [(1, FIRST_BACKOFF), (2, 2 * FIRST_BACKOFF), (3, 4 * FIRST_BACKOFF)]:
        delay = next_due(FAILED, errors=errors, now=NOW, scheduled=None, rng=rng) - NOW
        assert 0.8 * base <= delay <= 1.2 * base
    capped = next_due(FAILED, errors=500, now=NOW, scheduled=None, rng=rng) - NOW
    assert 0.8 * MAX_BACKOFF <= capped <= 1.2 * MAX_BACKOFF


def test_retry_after_is_honoured() -> None:
    limited = SourceOutcome(source="s", status=Status.FAILED, retry_after_s=3600)
    due = next_due(limited, errors=1, now=NOW, scheduled=None, rng=random.Random(1))
    assert due - NOW == timedelta(hours=1)


@pytest.mark.parametrize("retry_after", ["1000000000000000", "9" * 400])
def test_a_retry_after_beyond_the_calendar_is_capped_and_recorded(
    site: Site, store: Store, retry_after: str
) -> None:
    """A server may ask for any number of seconds (400 digits make an infinite float);
    the failure must still be recorded and the source come back, within MAX_RETRY_AFTER."""

    def answer(handler: Any) -> None:
        handler.send_response(503)
        handler.send_header("Retry-After", retry_after)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    site.routes["/resting"] = answer
    config = Config(fetch=FAST, sources=(Source(name="resting", url=site.url("/resting")),))
    (outcome,) = run_once(config, store)
    assert outcome.status is Status.FAILED
    assert "service unavailable (503)" in outcome.errors[0]
    (health,) = store.source_health()
    assert "service unavailable (503)" in (health.last_error or "")
    due = store.next_due("resting")
    assert due is not None
    assert MAX_RETRY_AFTER - timedelta(minutes=1) < due - datetime.now(UTC) <= MAX_RETRY_AFTER


def test_a_bad_cron_is_named_where_it_is_written(store: Store) -> None:
    """Five fields pass config loading; apscheduler refuses "61" minutes when the daemon
    starts, and the message names [schedule] or the source, wherever the value is."""
    config = parse_config(
        {
            "schedule": {"cron": "61 * * * *"},
            "sources": [
                {"name": "a", "url": "https://a.example/feed"},
                {"name": "b", "url": "https://b.example/feed", "cron": "0 25 * * *"},
            ],
        }
    )
    with pytest.raises(ConfigError, match=r"^config.toml: \[schedule\] cron: "):
        run_once(replace(config, sources=config.sources[:1]), store)
    with pytest.raises(ConfigError, match=r"^config.toml: source 'b': cron: "):
        run_once(replace(config, sources=config.sources[1:]), store)


def test_claims_are_exclusive_and_leases_expire(store: Store) -> None:
    store.ensure_sources([("wire", "https://w.example/feed")])
    store.ensure_sources([("wire", "https://w.example/feed")])  # twice is harmless
    lease = timedelta(minutes=15)
    assert store.claim("wire", owner="a", now=NOW, lease=lease)
    assert not store.claim("wire", owner="b", now=NOW, lease=lease)  # a holds it
    assert store.claim("wire", owner="b", now=NOW + lease + timedelta(seconds=1), lease=lease)
    store.finish("wire", owner="b", at=NOW, error=None, next_due=NOW + timedelta(hours=1))
    assert not store.claim("wire", owner="c", now=NOW + timedelta(minutes=30), lease=lease)
    assert store.claim("wire", owner="c", now=NOW + timedelta(hours=1), lease=lease)
    store.finish("wire", owner="not-c", at=NOW, error=None, next_due=NOW)  # only the holder
    assert not store.claim("wire", owner="d", now=NOW + timedelta(hours=1), lease=lease)


def test_a_source_is_due_at_the_very_time_sqlalchemy_stored(store: Store) -> None:
    """The lease statements bypass SQLAlchemy; on SQLite, where times compare as text,
    they must bind a time exactly as it does ("08:00:00.000000", not "08:00:00")."""
    store.ensure_sources([("wire", "https://w.example/feed")])
    with store.engine.begin() as connection:
        connection.execute(update(sources).values(next_due=NOW))
    lease = timedelta(minutes=15)
    assert store.claim("wire", owner="a", now=NOW - timedelta(microseconds=1), lease=lease) is None
    assert store.claim("wire", owner="a", now=NOW, lease=lease) is not None


def test_a_lease_connection_gone_stale_is_replaced_without_a_failure(store: Store) -> None:
    """The lease statements keep one connection between fetches; a server restart (here:
    the connection closed behind the store's back) costs a retry, not a failed fetch."""
    store.ensure_sources([("wire", "https://w.example/feed")])
    lease = timedelta(minutes=15)
    assert store.claim("wire", owner="a", now=NOW, lease=lease) is not None
    store._lease_connection.driver_connection.close()
    store.finish("wire", owner="a", at=NOW, error=None, next_due=NOW, etag='"v2"')
    state = store.claim("wire", owner="b", now=NOW, lease=lease)
    assert state is not None
    assert state.etag == '"v2"'


def test_a_restarted_daemon_resumes_instead_of_refetching(site: Site, store: Store) -> None:
    source = Source(name="gazette", url=serve_gazette(site), schedule=Schedule(interval_s=3600))
    config = Config(fetch=FAST, sources=(source,))
    run_once(config, store)
    fetched = site.hits["/gazette/feed.xml"]
    assert fetched == 1
    due = store.next_due("gazette")
    assert due is not None and due > datetime.now(UTC) + timedelta(minutes=50)
    stop = threading.Event()
    daemon = threading.Thread(target=run_forever, args=(config, store), kwargs={"stop": stop})
    daemon.start()
    time.sleep(1.5)
    stop.set()
    daemon.join(30)
    assert site.hits["/gazette/feed.xml"] == fetched  # not due yet: nothing fetched again


def test_a_failing_source_is_due_again_after_a_backoff(site: Site, store: Store) -> None:
    site.add("/broken", b"", content_type="text/plain", status=500)
    config = Config(fetch=FAST, sources=(Source(name="broken", url=site.url("/broken")),))
    (outcome,) = run_once(config, store)
    assert outcome.status is Status.FAILED
    due = store.next_due("broken")
    assert due is not None
    wait = due - datetime.now(UTC)
    assert timedelta(seconds=30) < wait < timedelta(minutes=2)  # a minute, +-20 %, not an hour


def test_a_second_daemon_on_one_sqlite_file_refuses(site: Site, tmp_path: Path) -> None:
    from .test_schedule import write_config

    config = write_config(tmp_path, serve_gazette(site))
    first = subprocess.Popen(
        [sys.executable, "-m", "timeline", "run", "--config", str(config)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not Path(f"{tmp_path / 'timeline.db'}.lock").exists():
            assert time.monotonic() < deadline
            time.sleep(0.1)
        time.sleep(0.5)
        second = subprocess.run(
            [sys.executable, "-m", "timeline", "run", "--once", "--config", str(config)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert second.returncode == 1
        assert "SQLite serves one daemon per file" in second.stderr
        assert f"timeline pid {first.pid}" in second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=30)


def test_three_daemons_fetch_every_source_exactly_once(
    site: Site, pg_url: str, tmp_path: Path
) -> None:
    """Three real daemons, one PostgreSQL, thirty due sources: each is fetched once."""
    serve_gazette(site)
    feed = site.routes["/gazette/feed.xml"]
    names = [f"feed-{n:02d}" for n in range(30)]
    for name in names:
        site.routes[f"/{name}.xml"] = feed
    sources = "".join(
        f'\n[[sources]]\nname = "{name}"\nurl = "{site.url(f"/{name}.xml")}"\n' for name in names
    )
    config = tmp_path / "config.toml"
    config.write_text(
        f"[fetch]\nallow_loopback = true\nhost_delay_s = 0\ntimeout_s = 10\n{sources}"
    )
    Store.open(pg_url).close()  # migrate once, before the race
    command = [sys.executable, "-m", "timeline", "run", "--config", str(config), "--db", pg_url]
    daemons = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    try:
        deadline = time.monotonic() + 120
        with Store.open(pg_url) as store:
            while sum(1 for h in store.source_health() if h.last_success) < len(names):
                assert time.monotonic() < deadline, "not every source was fetched"
                time.sleep(0.2)
        time.sleep(2)  # time for any second fetch to show up
    finally:
        for daemon in daemons:
            daemon.send_signal(signal.SIGTERM)
        logs = [daemon.communicate(timeout=60)[1] for daemon in daemons]
    assert [d.returncode for d in daemons] == [0, 0, 0], logs
    assert "ERROR" not in "".join(logs), logs
    assert {name: site.hits[f"/{name}.xml"] for name in names} == dict.fromkeys(names, 1)
    assert sum(log.count("status=ok") for log in logs) == len(names)
    with Store.open(pg_url) as store:
        assert store.counts()["documents"] == 2  # the same two articles, stored once


def test_kill_9_mid_run_leaves_a_consistent_store(site: Site, tmp_path: Path) -> None:
    """A daemon killed at any moment loses at most the document it was writing."""
    from .test_schedule import write_config

    serve_gazette(site)
    articles = {}
    for n in range(40):
        page = (Path(__file__).parent / "site" / "gazette" / "bridge.html").read_bytes()
        page = page.replace(b"bridge-repairs", f"bridge-repairs-{n}".encode())
        page = page.replace(b"in August", f"in August, report {n}".encode())
        articles[f"/slow/{n}.html"] = page

    def slow(body: bytes):  # type: ignore[no-untyped-def]
        def route(handler) -> None:  # type: ignore[no-untyped-def]
            time.sleep(0.15)
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

        return route

    for path, body in articles.items():
        site.routes[path] = slow(body)
    items = "".join(
        f"<item><title>{n}</title><link>{site.url(path)}</link>"
        f"<pubDate>Tue, 14 Oct 2025 09:30:00 +0000</pubDate></item>"
        for n, path in enumerate(articles)
    )
    site.add(
        "/slow.xml",
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>S</title>{items}'
        "</channel></rss>".encode(),
        content_type="application/rss+xml",
    )
    config = write_config(tmp_path, site.url("/slow.xml"))
    db = tmp_path / "timeline.db"
    daemon = subprocess.Popen(
        [sys.executable, "-m", "timeline", "run", "--config", str(config)],
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while _documents(db) < 5:
            assert time.monotonic() < deadline, "the daemon stored nothing"
            time.sleep(0.05)
    finally:
        daemon.kill()  # SIGKILL: no clean-up of any kind
        daemon.wait(10)
    stored = _documents(db)
    assert 5 <= stored < 40
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        orphans = connection.execute(
            "SELECT count(*) FROM events e WHERE NOT EXISTS "
            "(SELECT 1 FROM mentions m WHERE m.event_id = e.id)"
        ).fetchone()
        assert orphans == (0,)
        undated = connection.execute(
            "SELECT count(*) FROM documents d WHERE NOT EXISTS "
            "(SELECT 1 FROM mentions m WHERE m.document_id = d.id)"
        ).fetchone()
        assert undated == (0,)  # every stored article came with all its mentions
    # The lease of the killed daemon expires; a fresh cycle finishes the feed.
    with Store.open(f"sqlite:///{db}") as store:
        (outcome,) = run_once(
            Config(fetch=FAST, sources=(Source(name="gazette", url=site.url("/slow.xml")),)),
            store,
        )
        assert outcome.status is Status.SKIPPED  # still leased by the dead daemon
        assert store.counts()["documents"] == stored


def _documents(db: Path) -> int:
    try:
        with sqlite3.connect(db) as connection:
            return int(connection.execute("SELECT count(*) FROM documents").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_claims_and_finishes_of_many_threads_share_transactions_and_each_lands(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = [f"s{i}" for i in range(12)]
    store.ensure_sources([(name, f"https://{name}.example/feed") for name in names])
    lease = timedelta(minutes=15)
    claimed: dict[str, bool] = {}
    failures: list[BaseException] = []
    batches: list[int] = []  # the size of each transaction's batch
    run = store._run_lease_statements
    monkeypatch.setattr(store, "_run_lease_statements", lambda b: [batches.append(len(b)), run(b)])

    def claim(name: str) -> None:
        claimed[name] = store.claim(name, owner="a", now=NOW, lease=lease) is not None

    def finish(name: str) -> None:
        # A value the driver cannot bind fails its own call, not the batch it rode in.
        etag: Any = object() if name == "s3" else f'"{name}"'
        try:
            store.finish(name, owner="a", at=NOW, error=None, next_due=NOW, etag=etag)
        except StoreError as exc:
            failures.append(exc)

    for call in (claim, finish):
        batches.clear()
        with store._write_lock:  # every call queues behind it: they commit as one batch
            threads = [threading.Thread(target=call, args=(name,)) for name in names]
            for thread in threads:
                thread.start()
            while len(store._pending) < len(names):
                time.sleep(0.01)
        for thread in threads:
            thread.join()
        if call is claim:
            assert batches == [len(names)]
        else:  # the batch fails; then each alone (s3 once more, on a new connection)
            assert batches[0] == len(names)
            assert sorted(batches[1:]) == [1] * (len(batches) - 1)
            assert len(names) <= len(batches) - 1 <= len(names) + 1
    assert claimed == dict.fromkeys(names, True)
    assert len(failures) == 1
    assert "recording source 's3' failed" in str(failures[0])
    for name in names:
        # s3's lease was never ended: it is free only once it expires.
        state = store.claim(name, owner="b", now=NOW + lease * 2, lease=lease, force=True)
        assert state is not None
        assert state.etag == (None if name == "s3" else f'"{name}"')


def test_run_once_fetches_every_source_concurrency_at_a_time(
    site: Site, store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """run_once's own workers: `fetch.concurrency` at once, every source once, and a job
    that raises (here: the store, claiming the last source) is logged; the others go on."""
    lock = threading.Lock()
    in_flight, peak = [0], [0]

    def route(handler: Any) -> None:
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        time.sleep(0.2)
        with lock:
            in_flight[0] -= 1
        handler.send_response(304)
        handler.end_headers()

    names = [f"s{n}" for n in range(6)]
    for name in names:
        site.routes[f"/{name}"] = route
    claim = store.claim

    def claim_or_fail(name: str, **kwargs: Any) -> Any:
        if name == "s5":
            raise StoreError("database: claiming source 's5' failed: disk I/O error")
        return claim(name, **kwargs)

    monkeypatch.setattr(store, "claim", claim_or_fail)
    fetch = FetchSettings(timeout_s=5.0, allow_loopback=True, host_delay_s=0.0, concurrency=2)
    config = Config(
        fetch=fetch, sources=tuple(Source(name=n, url=site.url(f"/{n}")) for n in names)
    )
    outcomes = run_once(config, store)
    assert [(o.source, o.status) for o in outcomes] == [(n, Status.NOT_MODIFIED) for n in names[:5]]
    assert [site.hits[f"/{n}"] for n in names] == [1, 1, 1, 1, 1, 0]
    assert peak[0] == 2
    assert "a fetch job failed" in caplog.text and "disk I/O error" in caplog.text


@pytest.mark.parametrize(
    "when",
    [
        NOW,
        NOW + timedelta(microseconds=7),
        datetime(2025, 3, 30, 2, 30, 0, 999999, tzinfo=ZoneInfo("Europe/London")),
        datetime(999, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_lease_statements_bind_times_as_sqlalchemy_does(store: Store, when: datetime) -> None:
    """On SQLite the lease statements write times themselves (faster); it must be the text
    SQLAlchemy binds for the column, or times would not compare with the ones it stored."""
    column = sources.c.next_due.type.dialect_impl(store.engine.dialect)
    sqlalchemy_binds = column.bind_processor(store.engine.dialect)
    assert sqlalchemy_binds is None or store._lease_sql.when(when) == sqlalchemy_binds(when)
    with pytest.raises(ValueError, match="naive"):
        store._lease_sql.when(when.replace(tzinfo=None))
