"""The light read path (driver only, no SQLAlchemy) answers exactly as the Store does."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from timeline.events import merge
from timeline.store import SCHEMA_REVISION, Store
from timeline.store.read import EventFilter, open_reader

from .test_store import BRIDGE, FRIDAY, THURSDAY, document, mention

FILTERS = [
    EventFilter(),
    EventFilter(start=date(2025, 3, 6), end=date(2025, 3, 7)),
    EventFilter(start=date(2025, 3, 7)),
    EventFilter(end=date(2025, 3, 7), limit=1),
    EventFilter(source="courier"),
    EventFilter(words=("hegseth", "WASHINGTON")),
    EventFilter(words=("100%",)),
    EventFilter(starting_from=date(2025, 3, 10)),
]


@pytest.mark.parametrize("wanted", FILTERS)
def test_reader_and_store_agree(db_url: str, wanted: EventFilter) -> None:
    with Store.open(db_url) as store:
        for index, (url, sentence) in enumerate(BRIDGE):
            doc = document(url, text=sentence, published=FRIDAY + timedelta(minutes=index))
            store.save_document(doc, [mention(doc, sentence, THURSDAY)], merge)
        vote = document("https://v.example/1", source="courier")
        store.save_document(
            vote, [mention(vote, "A vote in parliament, 100% sure.", date(2025, 3, 20))], merge
        )
        expected = store.read(wanted)
    reader = open_reader(db_url, SCHEMA_REVISION)
    assert reader is not None
    try:
        assert reader.events(wanted) == expected
    finally:
        reader.close()
    assert expected or wanted.words or wanted.starting_from  # the filters select something


def test_reader_declines_what_it_cannot_read(tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path / 'missing.db'}"
    assert open_reader(missing, SCHEMA_REVISION) is None
    assert not (tmp_path / "missing.db").exists()  # never created by a reader
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    assert open_reader(f"sqlite:///{empty}", SCHEMA_REVISION) is None
    with Store.open(f"sqlite:///{tmp_path / 'old.db'}") as store:
        store.downgrade("0001")
    assert open_reader(f"sqlite:///{tmp_path / 'old.db'}", SCHEMA_REVISION) is None
    assert open_reader("mysql://nobody@localhost/x", SCHEMA_REVISION) is None
