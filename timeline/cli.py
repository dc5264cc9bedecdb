"""The `timeline` command: reads argv, the environment and config.toml, calls the stages.

Imports are made inside each command, so `timeline --help` and `timeline show` do not pay
for the fetch, scheduling and tagging stack. Errors the user can act on (TimelineError)
print one line and exit 1; anything else is a bug and shows its traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from timeline.periods import DAY_HELP, day_range

if TYPE_CHECKING:
    from timeline.config import Config
    from timeline.model import Event
    from timeline.store import Store

DB_ENV = "TIMELINE_DB_URL"

DESCRIPTION = """\
Follow a story across news feeds: fetch articles, find what happened (or will happen) when,
resolve each relative date against the article's publish time, merge the same event reported
by several outlets, and show one chronological timeline.

Start with `timeline demo` (offline, on a bundled sample site), then list your own feeds in
config.toml and run `timeline run`."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # Our own log lines at INFO (one per fetch); libraries only when something is wrong.
    logging.basicConfig(
        level=logging.DEBUG if args.verbose_log else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("timeline").setLevel(logging.DEBUG if args.verbose_log else logging.INFO)
    from timeline.errors import TimelineError

    try:
        result: int = args.handler(args)
        return result
    except TimelineError as exc:
        print(f"timeline: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `timeline show | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        type=Path,
        default=None,
        metavar="PATH",
        help="configuration file (default: ./config.toml, used if present)",
    )
    common.add_argument(
        "--db",
        default=None,
        metavar="URL",
        help=f"database URL or SQLite path; overrides the config (env: {DB_ENV})",
    )
    common.add_argument(
        "--log-debug", dest="verbose_log", action="store_true", help="log debug details"
    )

    parser = argparse.ArgumentParser(prog="timeline", description=DESCRIPTION)
    parser.set_defaults(verbose_log=False, handler=lambda _args: _usage(parser))
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(name: str, help: str, handler: Any) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, parents=[common], help=help, description=help)
        sub.set_defaults(handler=handler)
        return sub

    command(
        "demo",
        "serve the bundled sample news site on 127.0.0.1, run one fetch cycle into the "
        "database and print the timeline",
        cmd_demo,
    )

    run = command("run", "fetch every source on its schedule until Ctrl-C or SIGTERM", cmd_run)
    run.add_argument(
        "--once", action="store_true", help="run one cycle over every source, then exit"
    )

    show = command("show", "print the timeline, oldest first, grouped by day", cmd_show)
    _add_filters(show)
    show.add_argument("--json", action="store_true", help="one JSON object per event and line")
    show.add_argument(
        "-v", "--verbose", action="store_true", help="show each report's quote and link"
    )
    show.add_argument("--tz", default=None, help="time zone for clock times (default: local)")

    export = command(
        "export",
        "write the timeline as an iCal feed, a JSON document or a self-contained HTML page",
        cmd_export,
    )
    _add_filters(export)
    export.add_argument("--format", choices=("ics", "json", "html"), required=True)
    export.add_argument("--tz", default=None, help="time zone for clock times (default: local)")
    export.add_argument(
        "-o", "--output", type=Path, default=None, help="file to write (default: stdout)"
    )

    command("sources", "show each source's health: last success, last error, counts", cmd_sources)

    tag = command(
        "tag",
        "find and resolve temporal expressions in JSONL documents "
        '({"id", "text", "dct"} per line) and write their TIMEX3 mentions',
        cmd_tag,
    )
    tag.add_argument("--input", type=Path, required=True, metavar="IN.jsonl")
    tag.add_argument("--output", type=Path, required=True, metavar="OUT.jsonl")

    pubdate = command(
        "pubdate",
        'find the publish date of saved pages ({"id", "file", "url"} per line)',
        cmd_pubdate,
    )
    pubdate.add_argument("--input", type=Path, required=True, metavar="IN.jsonl")
    pubdate.add_argument("--output", type=Path, required=True, metavar="OUT.jsonl")

    inspect = command(
        "inspect",
        "show what the pipeline sees in one page: publish time and its evidence, title, "
        "canonical URL, the text, and the dated events",
        cmd_inspect,
    )
    inspect.add_argument("page", metavar="URL-or-FILE")
    inspect.add_argument(
        "--timezone",
        help="the outlet's IANA zone, for times without an offset (default: the --source's, "
        "else UTC)",
    )
    inspect.add_argument(
        "--source",
        metavar="NAME",
        help="read the page as this configured source does: its time zone and its "
        "[sources.article] selectors (to try selectors before the daemon uses them)",
    )

    serve = command(
        "serve",
        "serve the timeline read-only over HTTP: / (page), /timeline.ics, /timeline.json; "
        "query parameters filter like show (from, to, source, query, upcoming, limit)",
        cmd_serve,
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8080, help="port (default: 8080)")
    serve.add_argument("--tz", default=None, help="time zone for clock times (default: local)")

    db = command("db", "manage the database schema", cmd_db)
    db.add_argument(
        "action",
        choices=("upgrade", "current", "check"),
        help="upgrade: apply pending migrations; current: print the schema revision; "
        "check: compare the live schema with the code's (exit 1 when they differ)",
    )

    prune = command(
        "prune",
        "delete articles published before a day, their mentions and the events left empty",
        cmd_prune,
    )
    prune.add_argument(
        "--before", required=True, type=_phrase, metavar="WHEN", help=f"a day ({DAY_HELP})"
    )
    return parser


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from",
        dest="start",
        type=_phrase,
        default=None,
        metavar="WHEN",
        help=f"only events on or after WHEN ({DAY_HELP})",
    )
    parser.add_argument(
        "--to",
        dest="end",
        type=_phrase,
        default=None,
        metavar="WHEN",
        help="only events on or before WHEN (same forms; 'last week' includes all of it)",
    )
    parser.add_argument("--source", default=None, help="only events reported by this source")
    parser.add_argument(
        "--query",
        default=None,
        metavar="WORDS",
        help="only events whose title or reports contain every one of these words",
    )
    parser.add_argument(
        "--upcoming", action="store_true", help="only events that start today or later"
    )
    parser.add_argument("--limit", type=_count, default=None, help="at most this many events")


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    """The store's event filters from the command line; relative phrases read today's date."""
    today = datetime.now().astimezone().date()
    return {
        "start": day_range(args.start, today)[0] if args.start else None,
        "end": day_range(args.end, today)[1] if args.end else None,
        "source": args.source,
        "words": tuple(args.query.split()) if args.query else (),
        "starting_from": today if args.upcoming else None,
        "limit": args.limit,
    }


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


# -- commands ---------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    from timeline.demo import run_demo

    config = _config(args)
    with _open_store(args, config) as store:
        outcomes = run_demo(config, store)
        for outcome in outcomes:
            _print_outcome(outcome)
        print(f"Stored in {store.display_url}\n")
        _print_timeline(store.events(), args)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from timeline.errors import ConfigError
    from timeline.schedule import run_forever, run_once

    config = _config(args)
    if not config.sources:
        raise ConfigError(f"{config.path}: no [[sources]] to fetch")
    progress = _Progress.install(total=len(config.sources) if args.once else None)
    report = progress.report if progress else None
    outcomes = []
    try:
        with _open_store(args, config) as store:
            if args.once:
                outcomes = run_once(config, store, report=report)
            else:
                run_forever(config, store, report=report)
    finally:
        if progress is not None:
            progress.close()  # the status line goes before the summary is printed
    for outcome in outcomes:
        _print_outcome(outcome)
    return 0


class _Progress(logging.Handler):
    """`timeline run` by hand in a terminal: log lines scroll by while one status line at
    the bottom counts sources, documents and failures. Not used when stderr is a file or a
    pipe (cron, systemd), where only the log lines are written."""

    def __init__(self, stream: Any, total: int | None) -> None:
        super().__init__()
        self.stream = stream
        self.total = total
        self.fetched = self.new = self.updated = self.failed = 0
        self.last = ""
        self.shown = False
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))

    @classmethod
    def install(cls, *, total: int | None) -> _Progress | None:
        if not sys.stderr.isatty():
            return None
        progress = cls(sys.stderr, total)
        root = logging.getLogger()
        for handler in root.handlers[:]:
            root.removeHandler(handler)
        root.addHandler(progress)
        return progress

    def emit(self, record: logging.LogRecord) -> None:
        # logging.Handler.handle holds self.lock (an RLock) around emit.
        self.stream.write(f"\r\x1b[K{self.format(record)}\n")
        self._draw()

    def report(self, outcome: Any) -> None:
        with self.lock:  # type: ignore[union-attr]  # createLock() made it
            self.fetched += 1
            self.new += outcome.documents_new
            self.updated += outcome.documents_updated
            self.failed += outcome.status.value == "failed"
            self.last = f"{outcome.source} {outcome.status.value}"
            self._draw()

    def _draw(self) -> None:
        done = f"{self.fetched}/{self.total}" if self.total else f"{self.fetched}"
        self.stream.write(
            f"\r\x1b[K{done} sources fetched, {self.new} new and {self.updated} updated "
            f"documents, {self.failed} failed; last: {self.last or '-'}"
        )
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            if self.shown:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
                self.shown = False
        super().close()


def cmd_show(args: argparse.Namespace) -> int:
    events = _read_events(args, _config(args))
    if args.json:
        from timeline.render.jsonexport import event_to_dict

        for event in events:
            print(json.dumps(event_to_dict(event), ensure_ascii=False))
    else:
        _print_timeline(events, args)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    config = _config(args)
    with _open_store(args, config) as store:
        events = store.events(**_filters(args))
    now = datetime.now(UTC)
    if args.format == "ics":
        from timeline.render.ical import to_ics

        data = to_ics(events, name=config.export.name, now=now)
    elif args.format == "json":
        from timeline.render.jsonexport import to_json

        data = to_json(events, now=now).encode()
    else:
        from timeline.render.html import to_html

        data = to_html(events, now=now, tz=_zone(args.tz), title=config.export.name).encode()
    if args.output is None:
        sys.stdout.buffer.write(data)
    else:
        from timeline.errors import TimelineError
        from timeline.files import write_atomically

        try:
            write_atomically(args.output, data)
        except OSError as exc:
            raise TimelineError(f"{args.output}: cannot write: {exc.strerror}") from exc
        print(f"wrote {len(events)} events to {args.output}", file=sys.stderr)
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    config = _config(args)
    with _open_store(args, config) as store:
        health = {h.name: h for h in store.source_health()}
    names = [s.name for s in config.sources] + sorted(
        set(health) - {s.name for s in config.sources}
    )
    if not names:
        print("No sources configured or seen yet.")
    for name in names:
        h = health.get(name)
        if h is None:
            print(f"{name}: never fetched")
            continue
        success = h.last_success.isoformat(timespec="seconds") if h.last_success else "never"
        due = h.next_due.isoformat(timespec="seconds") if h.next_due else "now"
        print(
            f"{name}: {h.documents} documents, {h.events} events, "
            f"last success {success}, next due {due}"
        )
        if h.last_error:
            print(f"  last error ({h.consecutive_errors} in a row): {h.last_error}")
    return 0


def cmd_tag(args: argparse.Namespace) -> int:
    from timeline.errors import TimelineError
    from timeline.temporal import tag

    with _jsonl(args.input, "id", "text", "dct") as docs, _writing(args.output) as out:
        for number, doc in docs:
            try:
                dct = _dct(doc["dct"])
            except (TypeError, ValueError) as exc:
                raise TimelineError(f"{args.input}:{number}: dct: not an ISO date ({exc})") from exc
            mentions = [
                {
                    "start": t.start,
                    "end": t.end,
                    "text": t.text,
                    "type": t.type.value,
                    "value": t.value,
                }
                for t in tag(str(doc["text"]), dct)
            ]
            out.write(json.dumps({"id": doc["id"], "mentions": mentions}) + "\n")
    return 0


def cmd_pubdate(args: argparse.Namespace) -> int:
    from timeline.article import extract_published

    base = args.input.resolve().parent
    with _jsonl(args.input, "id", "file") as pages, _writing(args.output) as out:
        for _number, page in pages:
            published = None
            try:
                body = (base / page["file"]).read_bytes()
                found, _origin = extract_published(body, url=page.get("url", ""), timezone="UTC")
                published = found.isoformat() if found else None
            except OSError as exc:
                print(f"timeline: {page['file']}: cannot read: {exc.strerror}", file=sys.stderr)
            out.write(json.dumps({"id": page["id"], "published": published}) + "\n")
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    from timeline.errors import ConfigError
    from timeline.pipeline import inspect_page

    config = _config(args)
    source = next((s for s in config.sources if s.name == args.source), None)
    if args.source is not None and source is None:
        names = ", ".join(s.name for s in config.sources) or "none"
        raise ConfigError(f"{config.path}: no source named {args.source!r} (configured: {names})")
    timezone = args.timezone or (source.timezone if source else "UTC")
    _zone(timezone, option="--timezone")  # a clear error for a wrong zone name
    now = datetime.now(UTC)
    if args.page.startswith(("http://", "https://")):
        from timeline.fetch import Fetcher

        with Fetcher(config.fetch) as fetcher:
            # One page a person asked for, as a browser would: robots.txt is for crawlers.
            page = fetcher.get(args.page, source="inspect", robots=False)
        body, url, content_type = page.body, page.url, page.content_type
    else:
        from timeline.errors import ExtractError

        try:
            body = Path(args.page).read_bytes()
        except OSError as exc:
            raise ExtractError("inspect", f"{args.page}: cannot read: {exc.strerror}") from exc
        url, content_type = Path(args.page).resolve().as_uri(), ""
    seen = inspect_page(
        body,
        url=url,
        timezone=timezone,
        now=now,
        content_type=content_type,
        selectors=source.article if source else None,
    )
    for note in seen.article.notes:
        print(f"note:      {note}")
    doc = seen.document
    print(f"title:     {doc.title}")
    print(f"canonical: {doc.canonical_url}")
    print(f"published: {doc.published.isoformat()} (from {doc.published_from})")
    if seen.article.modified:
        print(f"modified:  {seen.article.modified.isoformat()}")
    print(f"language:  {doc.language or 'unknown'}")
    print(f"\n{doc.text}\n")
    print(f"{len(seen.events)} dated events:")
    for event in seen.events:
        for m in event.mentions:
            print(f"  {m.value:<16} {m.granularity.value:<12} {m.tense.value:<9} {m.quote!r}")
            print(f"    {m.sentence}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import threading

    from timeline.errors import TimelineError
    from timeline.serve import serving

    config = _config(args)
    tz = _zone(args.tz)
    with contextlib.ExitStack() as stack:
        store = stack.enter_context(_open_store(args, config))
        try:
            server = stack.enter_context(
                serving(store, host=args.host, port=args.port, tz=tz, name=config.export.name)
            )
        except OSError as exc:  # the port is taken, or the address is not this machine's
            raise TimelineError(
                f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}"
            ) from exc
        print(
            f"serving http://{args.host}:{server.server_port}/ (timeline.ics, timeline.json); "
            "Ctrl-C stops",
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from timeline.store import Store

    config = _config(args)
    store = Store.open(_db_url(args, config), migrate=args.action == "upgrade")
    with store:
        if args.action == "check":
            problems = store.check()
            for problem in problems:
                print(f"{store.display_url}: {problem}")
            if problems:
                return 1
            print(f"{store.display_url}: schema matches the code")
            return 0
        print(store.current_revision() or "(empty: no migration applied)")
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    from timeline.events import merge

    before = day_range(args.before, datetime.now().astimezone().date())[0]
    with _open_store(args, _config(args)) as store:
        removed = store.prune(before, merge)
    print(f"removed {removed} documents published before {before.isoformat()}")
    return 0


# -- helpers ----------------------------------------------------------------------------


def _config(args: argparse.Namespace) -> Config:
    from timeline.config import load_config

    if args.config is not None:
        return load_config(args.config)
    return load_config(Path("config.toml"), required=False)


def _db_url(args: argparse.Namespace, config: Config) -> str:
    from timeline.config import to_db_url

    url = args.db or os.environ.get(DB_ENV)
    return to_db_url(url) if url else config.db_url


def _read_events(args: argparse.Namespace, config: Config) -> list[Event]:
    """The filtered timeline, read with the database driver alone when the store is ready
    (no SQLAlchemy import: `show` answers in a fraction of a second); else through Store,
    which migrates a new database and explains what is wrong with a broken one."""
    from timeline.store import SCHEMA_REVISION
    from timeline.store.read import EventFilter, open_reader

    # Without -v or --json, each event's sources are all that is printed of its reports.
    reports = bool(getattr(args, "verbose", False) or getattr(args, "json", False))
    wanted = EventFilter(**_filters(args), reports=reports)
    reader = open_reader(_db_url(args, config), SCHEMA_REVISION)
    if reader is None:
        with _open_store(args, config) as store:
            return store.read(wanted)
    try:
        return reader.events(wanted)
    finally:
        reader.close()


def _open_store(args: argparse.Namespace, config: Config) -> Store:
    from timeline.store import Store

    return Store.open(_db_url(args, config))


def _print_timeline(events: Sequence[Event], args: argparse.Namespace) -> None:
    from timeline.render.terminal import render_terminal

    filtered = any(getattr(args, name, None) for name in ("start", "end", "source", "query"))
    if not events and (filtered or getattr(args, "upcoming", False)):
        print("No events match these filters.")
        return

    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    width = min(os.get_terminal_size().columns, 120) if sys.stdout.isatty() else 100
    print(
        render_terminal(
            events,
            now=datetime.now(UTC),
            tz=_zone(getattr(args, "tz", None)),
            verbose=getattr(args, "verbose", False),
            color=color,
            width=width,
        )
    )


def _print_outcome(outcome: Any) -> None:
    if outcome.status.value == "skipped":
        print(f"{outcome.source}: skipped (another daemon is fetching it)")
        return
    line = (
        f"{outcome.source}: {outcome.status.value}, {outcome.documents_new} new, "
        f"{outcome.documents_updated} updated, {outcome.documents_unchanged} unchanged "
        f"documents, {outcome.events} dated mentions"
    )
    print(line)
    for error in outcome.errors:
        print(f"  error: {error}")


def _zone(name: str | None, *, option: str = "--tz") -> tzinfo:
    from timeline.errors import ConfigError

    if name is None:
        local = datetime.now().astimezone().tzinfo
        return local or UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{option} {name!r}: not an IANA time zone such as 'Europe/London'"
        ) from None


def _dct(value: str) -> datetime:
    """A benchmark DCT: a date (midnight UTC) or an ISO datetime (UTC when naive)."""
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@contextlib.contextmanager
def _jsonl(path: Path, *keys: str) -> Iterator[Iterator[tuple[int, dict[str, Any]]]]:
    """(line number, object) for each line of a JSONL input; a file that cannot be read or a
    line without `keys` stops the command with a message naming the file and the line."""
    from timeline.errors import TimelineError

    try:
        lines = path.open(encoding="utf-8")
    except OSError as exc:
        raise TimelineError(f"{path}: cannot read: {exc.strerror}") from exc

    def objects() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError as exc:
                raise TimelineError(f"{path}:{number}: not JSON ({exc})") from exc
            missing = [key for key in keys if not isinstance(item, dict) or key not in item]
            if missing:
                raise TimelineError(
                    f"{path}:{number}: expected an object with {', '.join(map(repr, keys))}; "
                    f"{missing[0]!r} is missing"
                )
            yield number, item

    with lines:
        yield objects()


@contextlib.contextmanager
def _writing(path: Path) -> Iterator[IO[str]]:
    from timeline.errors import TimelineError

    try:
        out = path.open("w", encoding="utf-8")
    except OSError as exc:
        raise TimelineError(f"{path}: cannot write: {exc.strerror}") from exc
    with out:
        yield out


def _count(value: str) -> int:
    """A --limit: a whole number, 0 or more (SQLite reads -1 as no limit, PostgreSQL fails)."""
    if not value.strip().isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {value!r}")
    return int(value)


def _port(value: str) -> int:
    if not value.strip().isdigit() or int(value) > 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, got {value!r}")
    return int(value)


def _phrase(value: str) -> str:
    """Check a --from/--to phrase at parse time, so a typo is a usage error."""
    try:
        day_range(value, date(2000, 1, 1))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


if __name__ == "__main__":
    sys.exit(main())
