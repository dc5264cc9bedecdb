"""apscheduler runs each source on its interval or cron expression; the store remembers when
each source is due and which daemon is fetching it.

- `run_forever`: one job per source (at most one fetch in flight, missed runs coalesced).
  A job first runs when the store says the source is due, so a restarted daemon resumes
  instead of refetching everything. Each run claims the source's lease in the store; a
  source that is not due, or that another daemon holds, is skipped and the job waits for
  the stored due time. After a fetch the source is due again at the trigger's next fire
  time, or, after a failure, after an exponential backoff with jitter (capped, and never
  sooner than a server's Retry-After, of up to a day). SIGINT/SIGTERM stop taking new work
  and wait for the fetches in flight, at most STOP_WAIT_S; each document is one transaction,
  so stopping later loses nothing but an unfinished document, which the next run fetches
  again.
- `run_once`: every source once, now, due or not (`timeline run --once`, the demo), on a
  plain thread pool; a source another daemon is fetching at that moment is skipped.
- SQLite serves one daemon per file: a second one refuses to start (a lock file beside the
  database), since SQLite cannot share leases between processes safely.

This is one of the two places that read the clock; `now` is handed down from here.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import logging
import os
import random
import signal
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor as SchedulerPool
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from timeline.config import Config
from timeline.errors import ConfigError, StoreError, TimelineError
from timeline.fetch import Fetcher
from timeline.model import Schedule, Source, SourceOutcome, Status, Validators
from timeline.pipeline import run_source, write_exports
from timeline.store import Store

log = logging.getLogger("timeline")

LEASE = timedelta(minutes=15)  # a crashed daemon's sources are free again after this
FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=6)
# A server's Retry-After is honoured up to this: it cannot park a source for years, and a
# delay past datetime's range (a Retry-After of 10**15 s) would lose the fetch's outcome.
MAX_RETRY_AFTER = timedelta(days=1)
STOP_WAIT_S = 60.0
# A fetch cycle allocates objects by the million, nearly all short-lived, beside caches that
# live long (parsed sentences, the candidate index). At Python's default of 700 allocations
# the cycle collector ran ~800 times a cycle over that growing heap: 8% of a first cycle of
# bench/cycle.py --feeds 200 --items 50, 2% at this threshold (issue 4).
GC_FIRST_THRESHOLD = 20_000


@dataclass(frozen=True, slots=True)
class _Cycle:
    """What a job needs besides its source: shared by all jobs of one scheduler."""

    config: Config
    store: Store
    fetcher: Fetcher
    owner: str
    report: Callable[[SourceOutcome], None]
    once: bool = False  # a --once cycle: fetch every source now, due or not
    # Backoff jitter for all jobs: seeding a Random per job read os.urandom once per source.
    rng: random.Random = field(default_factory=random.Random)


def run_once(
    config: Config, store: Store, *, report: Callable[[SourceOutcome], None] | None = None
) -> list[SourceOutcome]:
    """Every source once, now, `fetch.concurrency` at a time; returns each source's outcome
    (and hands each to `report` as it comes, for a progress line)."""
    outcomes: list[SourceOutcome] = []

    def heard(outcome: SourceOutcome) -> None:
        outcomes.append(outcome)
        if report is not None:
            report(outcome)

    with _fewer_collections(), _one_daemon_per_sqlite_file(store), Fetcher(config.fetch) as fetcher:
        store.ensure_sources([(s.name, s.url) for s in config.sources])
        cycle = _Cycle(config, store, fetcher, _owner(), heard, once=True)
        # A trigger per schedule, not per source: it depends on nothing else, and one per
        # source cost the main thread ~1.5 % of a conditional cycle (issue 4).
        triggers: dict[Schedule, IntervalTrigger | CronTrigger] = {}
        jobs = []
        for source in config.sources:
            if source.schedule not in triggers:
                triggers[source.schedule] = _trigger(source, config)
            jobs.append(_job(source, cycle, triggers[source.schedule], None))
        _run_on_workers(jobs, workers=config.fetch.concurrency)
    return sorted(outcomes, key=lambda o: o.source)


def _run_on_workers(jobs: list[Callable[[], None]], *, workers: int) -> None:
    """Run `jobs`, `workers` at a time, each thread taking the next job when it is free.

    Not a ThreadPoolExecutor: its future per job, and the main thread woken for each one's
    result, held the GIL for ~15 % of a conditional cycle (py-spy; issue 4). A job that
    raises is logged, as apscheduler does with a failed job. On Ctrl-C the jobs in flight
    end and the rest never start.
    """
    queued = iter(jobs)
    lock = threading.Lock()  # for `queued` and `running`
    running = min(workers, len(jobs))
    stopping = threading.Event()
    finished = threading.Event()

    def work() -> None:
        nonlocal running
        try:
            while not stopping.is_set():
                with lock:
                    job = next(queued, None)
                if job is None:
                    return
                try:
                    job()
                except Exception:
                    log.exception("a fetch job failed")
        finally:
            with lock:
                running -= 1
                if running == 0:
                    finished.set()

    if running == 0:
        return
    for n in range(running):
        threading.Thread(target=work, name=f"fetch_{n}", daemon=True).start()
    # Waited for on an Event: a Thread.join() cut short by Ctrl-C may take the thread for
    # ended while it still runs (CPython gh-90882), and the next join would not wait.
    try:
        finished.wait()
    except BaseException:
        stopping.set()
        finished.wait()
        raise


def run_forever(
    config: Config,
    store: Store,
    *,
    stop: threading.Event | None = None,
    report: Callable[[SourceOutcome], None] | None = None,
) -> None:
    """Fetch each source when it is due until SIGINT/SIGTERM (or `stop` is set); `report`
    hears each source's outcome (the CLI's progress line)."""
    stop = stop or threading.Event()
    with _fewer_collections(), _one_daemon_per_sqlite_file(store), Fetcher(config.fetch) as fetcher:
        store.ensure_sources([(s.name, s.url) for s in config.sources])
        cycle = _Cycle(config, store, fetcher, _owner(), report or (lambda _outcome: None))
        scheduler = _scheduler(config)
        now = datetime.now(UTC)
        for source in config.sources:
            trigger = _trigger(source, config)
            due = store.next_due(source.name)
            scheduler.add_job(
                _job(source, cycle, trigger, scheduler),
                trigger=trigger,
                id=source.name,
                name=source.name,
                next_run_time=max(due, now) if due else now,  # resume where we stopped
            )
        previous = _install_signal_handlers(stop)
        scheduler.start()
        log.info(
            "running %d sources as %s; Ctrl-C or SIGTERM stops", len(config.sources), cycle.owner
        )
        try:
            stop.wait()
        finally:
            log.info("stopping: no new fetches; waiting for the ones in flight")
            _shutdown_within(scheduler, STOP_WAIT_S)
            _restore_signal_handlers(previous)


def next_due(
    outcome: SourceOutcome,
    *,
    errors: int,
    now: datetime,
    scheduled: datetime | None,
    rng: random.Random,
) -> datetime:
    """When a source is due after this fetch: its schedule after a success, a backoff after
    `errors` failures in a row (doubling from FIRST_BACKOFF, capped at MAX_BACKOFF, with
    +-20 % jitter so failing sources do not retry in step), never before Retry-After (of up
    to MAX_RETRY_AFTER)."""
    if outcome.status is not Status.FAILED:
        return scheduled or now + timedelta(hours=1)
    doublings = min(max(0, errors - 1), 20)  # 2**20 minutes is far past the cap already
    delay = min(MAX_BACKOFF, FIRST_BACKOFF * (1 << doublings)) * rng.uniform(0.8, 1.2)
    if outcome.retry_after_s is not None:
        asked_s = min(outcome.retry_after_s, MAX_RETRY_AFTER.total_seconds())
        delay = max(delay, timedelta(seconds=asked_s))
    return now + delay


def _job(
    source: Source, cycle: _Cycle, trigger: IntervalTrigger | CronTrigger, scheduler: Any
) -> Callable[[], None]:
    def job() -> None:
        now = datetime.now(UTC)
        store = cycle.store
        state = store.claim(source.name, owner=cycle.owner, now=now, lease=LEASE, force=cycle.once)
        if state is None:
            cycle.report(SourceOutcome(source=source.name, status=Status.SKIPPED))
            due = store.next_due(source.name)
            if not cycle.once and due is not None and due > now:
                _reschedule(scheduler, source.name, due)
            return
        outcome = SourceOutcome(
            source=source.name,
            status=Status.FAILED,
            errors=(f"source {source.name!r}: the fetch was interrupted",),
        )
        try:
            outcome = run_source(source, state=state, fetcher=cycle.fetcher, store=store, now=now)
        finally:
            failed = outcome.status is Status.FAILED
            after = datetime.now(UTC)
            due = next_due(
                outcome,
                errors=state.consecutive_errors + 1 if failed else 0,
                now=after,
                scheduled=trigger.get_next_fire_time(None, after),
                rng=cycle.rng,
            )
            kept = outcome.validators or Validators()
            store.finish(
                source.name,
                owner=cycle.owner,
                at=now,
                error=outcome.errors[0] if failed else None,
                next_due=due,
                etag=kept.etag,
                last_modified=kept.last_modified,
            )
            if not cycle.once:
                _reschedule(scheduler, source.name, due)
        cycle.report(outcome)
        export = cycle.config.export
        if export.any and (outcome.documents_new or outcome.documents_updated):
            _export(cycle.config, store)

    return job


def _reschedule(scheduler: Any, job_id: str, when: datetime) -> None:
    with contextlib.suppress(Exception):  # the scheduler is shutting down: nothing to move
        scheduler.modify_job(job_id, next_run_time=when)


_export_lock = threading.Lock()


def _export(config: Config, store: Store) -> None:
    """Rewrite the export files; one writer at a time, and a failure is logged, not fatal."""
    with _export_lock:
        try:
            now = datetime.now(UTC)
            zone = now.astimezone().tzinfo or UTC
            written = write_exports(config.export, store, now=now, tz=zone)
            log.info("exported %s", ", ".join(str(path) for path in written))
        except (OSError, TimelineError) as exc:
            log.error("export failed: %s", exc)


def _scheduler(config: Config) -> BackgroundScheduler:
    return BackgroundScheduler(
        executors={"default": SchedulerPool(config.fetch.concurrency)},
        job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
        timezone=UTC,
    )


def _trigger(source: Source, config: Config) -> IntervalTrigger | CronTrigger:
    jitter = config.jitter_s or None
    if source.schedule.cron:
        try:
            return CronTrigger.from_crontab(source.schedule.cron, timezone=UTC)
        except ValueError as exc:
            # A source without a schedule of its own has [schedule]'s: name where it is written.
            where = (
                "[schedule]" if source.schedule == config.schedule else f"source {source.name!r}:"
            )
            raise ConfigError(f"{config.path}: {where} cron: {exc}") from exc
    return IntervalTrigger(seconds=source.schedule.interval_s or 3600, jitter=jitter)


def _owner() -> str:
    """This daemon's name in leases: host, process and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Python's cycle collector first runs after GC_FIRST_THRESHOLD allocations, not 700,
    while the daemon fetches; as it was after."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], GC_FIRST_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextlib.contextmanager
def _one_daemon_per_sqlite_file(store: Store) -> Iterator[None]:
    """Hold an exclusive lock beside a SQLite database while fetching; refuse if taken."""
    if store.engine.dialect.name != "sqlite" or not store.engine.url.database:
        yield
        return
    path = Path(f"{store.engine.url.database}.lock")
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise StoreError(
                f"database {store.display_url} is being fetched into by {holder}; SQLite "
                "serves one daemon per file (stop it, or use PostgreSQL for several)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"timeline pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _shutdown_within(scheduler: BackgroundScheduler, seconds: float) -> None:
    """Wait for the fetches in flight, at most `seconds`; then leave them (their leases
    expire, and an unfinished document is simply fetched again next time)."""
    stopper = threading.Thread(target=scheduler.shutdown, kwargs={"wait": True}, daemon=True)
    stopper.start()
    stopper.join(seconds)
    if stopper.is_alive():
        log.warning("fetches still running after %.0f s; stopping without them", seconds)
        os._exit(0)


def _install_signal_handlers(stop: threading.Event) -> dict[int, Any]:
    if threading.current_thread() is not threading.main_thread():
        return {}

    def handle(signum: int, _frame: object) -> None:
        log.info("received %s", signal.Signals(signum).name)
        stop.set()

    return {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}


def _restore_signal_handlers(previous: dict[int, Any]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)
