"""Several daemons on one PostgreSQL (issue 4): each is its own process with its own
connections, so the write lock inside one Store does not order their saves. Two reports of
one happening saved at the same moment on two machines must still make one event."""

import threading
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

        def slow_merge(found: Any, candidates: Any) -> Any:
            # The first machine has read its candidates (none yet) and holds its
            # transaction open while the second machine saves.
            inside.set()
            release.wait(10)
            return merge(found, candidates)

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
