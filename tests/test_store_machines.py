"""Several daemons on one PostgreSQL (issue 4): each is its own process with its own
connections, so the write lock inside one Store does not order their saves. Two reports of
one happening saved at the same moment on two machines must still make one event."""

import threading
import time
from typing import Any

from tests.factories import report
from timeline.events import may_join, merge
from timeline.model import Document, Mention
from timeline.store import Store

REPORTS = {
    "https://a.example/1": "Healey started talks in Washington with Hegseth on Thursday.",
    "https://b.example/2": "Healey and Hegseth held talks in Washington on Thursday.",
}


def _report(url: str) -> tuple[Document, list[Mention]]:
    return report(url, REPORTS[url])


def test_two_machines_saving_one_happening_at_once_make_one_event(pg_url: str) -> None:
    with Store.open(pg_url) as one, Store.open(pg_url) as two:
        inside, release = threading.Event(), threading.Event()

        def slow_merge(found: Any, candidates: Any, joined: Any = None) -> Any:
            # The first machine has read its candidates (none yet) and holds its
            # transaction open while the second machine saves.
            inside.set()
            release.wait(10)
            return merge(found, candidates, joined)

        first = threading.Thread(
            target=one.save_document, args=(*_report("https://a.example/1"), slow_merge, may_join)
        )
        first.start()
        assert inside.wait(10)
        second = threading.Thread(
            target=two.save_document, args=(*_report("https://b.example/2"), merge, may_join)
        )
        second.start()
        second.join(1.0)  # without a lock between machines it has long finished
        waited = second.is_alive()
        release.set()
        first.join(10)
        second.join(10)

        (event,) = one.events()
        assert {m.url for m in event.mentions} == set(REPORTS)
        assert waited, "the second save should wait for the first one's transaction"


def test_a_load_on_another_machine_does_not_deadlock_with_a_save(pg_url: str) -> None:
    """A save bumps the versions of its blocks, then reads mentions; a bulk load sets the
    mentions table's foreign keys aside (locking it) and bumps its blocks at the end. A
    load that starts between a save's bump and its read would wait for the save's row
    while the save waits for the table: the load locks the table of versions first, so it
    waits for the save from the start."""
    loaded_doc, (loaded,) = _report("https://a.example/1")
    saved_doc, saved = _report("https://b.example/2")
    bumped, loading = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def slow_may_join(m: Mention) -> Any:
        bumped.set()  # asked before the candidates are read, after the bump
        loading.wait(10)
        time.sleep(0.5)  # the load has started and taken what locks it could
        return may_join(m)

    def save() -> None:
        try:
            with Store.open(pg_url) as two:
                two.save_document(saved_doc, saved, merge, slow_may_join)
        except BaseException as exc:
            errors.append(exc)

    def load() -> None:
        try:
            with Store.open(pg_url) as one:
                loading.set()
                one.load([([loaded_doc], merge([loaded], []))])
        except BaseException as exc:
            errors.append(exc)

    second = threading.Thread(target=save)
    second.start()
    assert bumped.wait(10)
    first = threading.Thread(target=load)
    first.start()
    first.join(20)
    second.join(20)
    assert not errors, errors
    with Store.open(pg_url) as store:
        assert store.counts()["documents"] == 2
