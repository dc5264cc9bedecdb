"""Migrations build the schema on both databases, undo it, and agree with the tables."""

from datetime import UTC, date, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, insert, inspect, select

from timeline.events import join_cues, key_stems
from timeline.store import SCHEMA_REVISION, Store
from timeline.store.tables import documents, events, mentions, metadata

PUBLISHED = datetime(2025, 3, 7, 8, 0, tzinfo=UTC)


def test_upgrade_then_downgrade(db_url: str) -> None:
    with Store.open(db_url, migrate=False) as store:
        assert store.current_revision() is None
        store.upgrade()
        assert store.current_revision() == SCHEMA_REVISION
        tables = set(inspect(store.engine).get_table_names())
        assert {"sources", "documents", "events", "mentions"} <= tables
        store.downgrade("base")
        assert store.current_revision() is None
        assert set(inspect(store.engine).get_table_names()) <= {"alembic_version"}


def test_tables_match_migrated_schema(db_url: str) -> None:
    with Store.open(db_url) as store, store.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []


def test_schema_revision_is_the_migrations_head() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from timeline.store import SCHEMA_REVISION
    from timeline.store.store import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_heads() == [SCHEMA_REVISION]


def test_a_current_store_opens_without_alembic(db_url: str) -> None:
    with Store.open(db_url) as store:
        assert store.is_current()
        store.downgrade("base")
        assert not store.is_current()
    with Store.open(db_url) as store:  # migrates again on open
        assert store.is_current()


DAY = {"start": date(2025, 3, 6), "end": date(2025, 3, 7), "value": "2025-03-06"}


def _insert_report(
    connection: Connection, sentence: str, quote: str, mentions_columns: list[dict[str, object]]
) -> None:
    """A document of one sentence, an event, and a mention of it per entry of
    `mentions_columns` (the columns a mention had at the revision, besides the common ones),
    inserted as rows, as an older revision's code left them."""
    connection.execute(
        insert(documents).values(
            id=1,
            source="wire",
            url="https://a.example/1?utm=x",
            canonical_url="https://a.example/1",
            title="Talks",
            text=sentence,
            published=PUBLISHED,
            published_from="json-ld",
            fetched=PUBLISHED,
            content_hash="h",
            timezone="Europe/London",
        )
    )
    connection.execute(insert(events).values(id=1, key="k", granularity="day", title="T.", **DAY))
    start = sentence.index(quote)
    for columns in mentions_columns:
        connection.execute(
            insert(mentions).values(
                document_id=1,
                event_id=1,
                sentence=sentence,
                sentence_start=0,
                quote=quote,
                quote_start=start,
                quote_end=start + len(quote),
                granularity="day",
                tense="past",
                **DAY,
                **columns,
            )
        )


def test_mentions_stored_before_0005_get_their_documents_provenance(db_url: str) -> None:
    """0005 copies each document's source, canonical URL and publish time into its mentions,
    and the events read back with them as before."""
    with Store.open(db_url, migrate=False) as store:
        store.upgrade("0004")
        with store.engine.begin() as connection:
            _insert_report(connection, "Talks on Thursday.", "Thursday", [{}])
        store.upgrade()
        (found,) = store.events()
    (mention,) = found.mentions
    assert (mention.source, mention.url, mention.published) == (
        "wire",
        "https://a.example/1",
        PUBLISHED,
    )


def test_mention_stems_are_worked_out_again_at_0009(db_url: str) -> None:
    """0009 replaces stored stems by what key_stems gives for their sentence now (a source's
    words are no longer key words); mentions stored without stems keep none."""
    credited = "The ferry was suspended on Tuesday, officials said."
    provenance = {"source": "wire", "canonical_url": "https://a.example/1", "published": PUBLISHED}
    with Store.open(db_url, migrate=False) as store:
        store.upgrade("0008")
        with store.engine.begin() as connection:
            _insert_report(
                connection,
                credited,
                "Tuesday",
                [
                    {"id": 1, "stems": "ferr offi susp", **provenance},
                    {"id": 2, "stems": "", **provenance},
                ],
            )
        store.upgrade()
        with store.engine.connect() as connection:
            stored = dict(connection.execute(select(mentions.c.id, mentions.c.stems)).all())
    assert stored == {1: " ".join(key_stems(credited)), 2: ""}
    assert "offi" not in stored[1]


def test_mentions_get_their_cues_at_0010(db_url: str) -> None:
    """0010 gives each stored mention with stems what join_cues gives for its sentence
    (the candidate index files it under them); one stored without stems gets none, and
    stays a candidate of every new mention."""
    sentence = "Judge Helen Carver jailed the Kalomi brothers on Tuesday, police said."
    provenance = {"source": "wire", "canonical_url": "https://a.example/1", "published": PUBLISHED}
    with Store.open(db_url, migrate=False) as store:
        store.upgrade("0009")
        with store.engine.begin() as connection:
            _insert_report(
                connection,
                sentence,
                "Tuesday",
                [
                    {"id": 1, "stems": " ".join(key_stems(sentence)), **provenance},
                    {"id": 2, "stems": "", **provenance},
                ],
            )
        store.upgrade()
        with store.engine.connect() as connection:
            stored = dict(connection.execute(select(mentions.c.id, mentions.c.cues)).all())
    assert stored == {1: " ".join(join_cues(sentence)), 2: ""}
    assert "poli" in stored[1]  # the source's word: a name, not a key word
