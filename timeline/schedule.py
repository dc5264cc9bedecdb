"""apscheduler runs each source on its interval or cron expression.

`run_once` schedules every source once, now, and waits for all of them (the `--once` cycle
and the demo). `run_forever` keeps one job per source with at most one fetch in flight
(`max_instances=1`), missed runs coalesced, and a random jitter; SIGINT/SIGTERM stop taking
new work, let the fetches in flight finish, and return.

This is one of the two places that read the clock; `now` is handed down from here.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from timeline.config import Config
from timeline.errors import ConfigError, TimelineError
from timeline.fetch import make_client
from timeline.model import Source, SourceOutcome
from timeline.pipeline import run_source, write_exports
from timeline.store import Store

log = logging.getLogger("timeline")

WORKERS = 4  # sources fetched at the same time


def run_once(config: Config, store: Store) -> list[SourceOutcome]:
    """One cycle over every source, through the scheduler; returns each source's outcome."""
    outcomes: list[SourceOutcome] = []
    done = threading.Event()
    remaining = len(config.sources)
    if remaining == 0:
        return outcomes
    lock = threading.Lock()

    def finished(_event: object) -> None:
        nonlocal remaining
        with lock:
            remaining -= 1
            if remaining == 0:
                done.set()

    with make_client(config.fetch) as client:
        scheduler = _scheduler()
        scheduler.add_listener(finished, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
        now = datetime.now(UTC)
        for source in config.sources:
            scheduler.add_job(
                _job(source, config, store, client, outcomes.append),
                id=source.name,
                name=source.name,
                next_run_time=now,
            )
        scheduler.start()
        done.wait()
        scheduler.shutdown(wait=True)
    return sorted(outcomes, key=lambda o: o.source)


def run_forever(config: Config, store: Store, *, stop: threading.Event | None = None) -> None:
    """Fetch each source on its schedule until SIGINT/SIGTERM (or `stop` is set)."""
    stop = stop or threading.Event()
    with make_client(config.fetch) as client:
        scheduler = _scheduler()
        now = datetime.now(UTC)
        for source in config.sources:
            scheduler.add_job(
                _job(source, config, store, client, lambda _outcome: None),
                trigger=_trigger(source, config),
                id=source.name,
                name=source.name,
                next_run_time=now,  # a fresh start fetches everything once
            )
        previous = _install_signal_handlers(stop)
        scheduler.start()
        log.info("running %d sources; Ctrl-C or SIGTERM stops", len(config.sources))
        try:
            stop.wait()
        finally:
            log.info("stopping: waiting for the fetches in flight")
            scheduler.shutdown(wait=True)
            _restore_signal_handlers(previous)


def _scheduler() -> BackgroundScheduler:
    return BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(WORKERS)},
        job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
        timezone=UTC,
    )


def _trigger(source: Source, config: Config) -> IntervalTrigger | CronTrigger:
    jitter = config.jitter_s or None
    if source.schedule.cron:
        try:
            return CronTrigger.from_crontab(source.schedule.cron, timezone=UTC)
        except ValueError as exc:
            raise ConfigError(f"{config.path}: source {source.name!r}: cron: {exc}") from exc
    return IntervalTrigger(seconds=source.schedule.interval_s or 3600, jitter=jitter)


def _job(
    source: Source,
    config: Config,
    store: Store,
    client: Any,
    report: Callable[[SourceOutcome], None],
) -> Callable[[], None]:
    def job() -> None:
        outcome = run_source(
            source, client=client, store=store, settings=config.fetch, now=datetime.now(UTC)
        )
        report(outcome)
        if config.export.any and (outcome.documents_new or outcome.documents_updated):
            _export(config, store)

    return job


_export_lock = threading.Lock()


def _export(config: Config, store: Store) -> None:
    """Rewrite the export files; one writer at a time, and a failure is logged, not fatal."""
    with _export_lock:
        try:
            now = datetime.now(UTC)
            written = write_exports(
                config.export, store, now=now, tz=now.astimezone().tzinfo or UTC
            )
            log.info("exported %s", ", ".join(str(path) for path in written))
        except (OSError, TimelineError) as exc:
            log.error("export failed: %s", exc)


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
