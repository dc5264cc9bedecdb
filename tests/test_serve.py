"""`timeline serve` over real HTTP on 127.0.0.1, reading a real store."""

import json
import time
from collections.abc import Iterator
from datetime import date

import httpx
import pytest
import vobject

from timeline.events import merge
from timeline.serve import serving
from timeline.store import Store

from .test_store import HEALEY, THURSDAY, document, mention


@pytest.fixture
def served(store: Store) -> Iterator[str]:
    a = document("https://a.example/1")
    b = document("https://b.example/2", source="courier")
    store.save_document(a, [mention(a, HEALEY, THURSDAY)], merge)
    store.save_document(b, [mention(b, "A vote in parliament.", date(2025, 3, 20))], merge)
    with serving(store, port=0) as server:
        yield f"http://127.0.0.1:{server.server_port}"


def test_json_with_filters(served: str) -> None:
    everything = httpx.get(f"{served}/timeline.json").json()
    assert [e["interval"]["start"] for e in everything["events"]] == ["2025-03-06", "2025-03-20"]
    courier = httpx.get(f"{served}/timeline.json", params={"source": "courier"}).json()
    assert [e["title"] for e in courier["events"]] == ["A vote in parliament."]
    march = httpx.get(f"{served}/timeline.json", params={"from": "2025-03-10", "to": "2025-03"})
    assert [e["interval"]["start"] for e in march.json()["events"]] == ["2025-03-20"]
    words = httpx.get(f"{served}/timeline.json", params={"query": "hegseth"}).json()
    assert len(words["events"]) == 1


def test_ics_with_etag_and_304(served: str) -> None:
    first = httpx.get(f"{served}/timeline.ics")
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/calendar")
    calendar = vobject.readOne(first.text)
    assert len(calendar.vevent_list) == 2
    time.sleep(1.1)  # DTSTAMP moves on; what the calendar shows does not
    again = httpx.get(f"{served}/timeline.ics", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    other = httpx.get(
        f"{served}/timeline.ics?source=courier", headers={"If-None-Match": first.headers["etag"]}
    )
    assert other.status_code == 200  # other events, another tag


def test_bad_requests_say_what_is_wrong(served: str) -> None:
    bad = httpx.get(f"{served}/timeline.json", params={"from": "someday"})
    assert bad.status_code == 400 and "'someday' is not a date or period" in bad.text
    assert httpx.get(f"{served}/timeline.json", params={"colour": "red"}).status_code == 400
    ancient = httpx.get(f"{served}/timeline.json", params={"from": "9999999 days ago"})
    assert ancient.status_code == 400 and "before year 1" in ancient.text
    negative = httpx.get(f"{served}/timeline.json", params={"limit": "-1"})
    assert negative.status_code == 400 and "limit" in negative.text
    assert httpx.get(f"{served}/nothing-here").status_code == 404


def test_serve_never_writes(served: str, store: Store) -> None:
    before = store.counts()
    for path in ("/timeline.json", "/timeline.ics"):
        httpx.get(served + path)
    assert store.counts() == before
    assert json.loads(httpx.get(f"{served}/timeline.json").text)["version"] == 1
