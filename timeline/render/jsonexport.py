"""Events -> JSON: the export document and the per-event dict that `timeline show --json` prints.

Input: events and `now` (the document's `generated` time); output: plain dicts and JSON text
in the shape that `timeline.schema.json` (next to this file, JSON Schema draft 2020-12)
describes. Dates are ISO 8601 "YYYY-MM-DD" with `end` exclusive, as the model's intervals
are; datetimes are ISO 8601 with their offset. Bump `VERSION` on any change a consumer could
trip on, and change the schema in the same commit.
Must not read the clock or any store.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from importlib import resources

import orjson

from timeline.model import Event, Mention

SCHEMA_FILE = "timeline.schema.json"
# A relative reference on purpose: the project has no domain to host the schema on, and a
# made-up https address would look resolvable. It names the file shipped in this package.
SCHEMA_ID = SCHEMA_FILE
VERSION = 1


def event_to_dict(event: Event) -> dict[str, object]:
    """One event as a JSON-ready dict; `sources` are outlet names, sorted, without tense."""
    interval: dict[str, object] = {
        "start": event.interval.start.isoformat(),
        "end": event.interval.end.isoformat(),
    }
    if event.interval.at is not None:
        interval["at"] = _instant(event.interval.at)
    return {
        "key": event.key,
        "title": event.title,
        "value": event.value,
        "granularity": event.granularity,  # a StrEnum is a str: json writes its value
        "interval": interval,
        "sources": [name for name in event.sources if name],
        "mentions": [_mention_to_dict(m) for m in event.mentions],
    }


def to_json(events: Sequence[Event], *, now: datetime) -> str:
    """The export document on one line, UTF-8 text kept as is, ending in a newline.

    Encoded with orjson: the standard json module takes 55 ms for 10,000 events here and
    orjson a tenth of that (bench/render.py), which keeps a 10,000-event export under the
    0.1 s of issue 7. `python -m json.tool` indents it for reading.
    """
    document = {
        "schema": SCHEMA_ID,
        "version": VERSION,
        "generated": _instant(now),
        "events": [event_to_dict(event) for event in events],
    }
    return orjson.dumps(document, option=orjson.OPT_APPEND_NEWLINE).decode()


def load_schema() -> dict[str, object]:
    """The JSON Schema of `to_json` documents, read from the package."""
    text = resources.files(__package__ or "timeline.render").joinpath(SCHEMA_FILE).read_text()
    schema: dict[str, object] = json.loads(text)
    return schema


def _mention_to_dict(mention: Mention) -> dict[str, object]:
    return {
        "source": mention.source,
        "url": mention.url,
        "published": _instant(mention.published) if mention.published is not None else None,
        "sentence": mention.sentence,
        "quote": mention.quote,
        "value": mention.value,
        "tense": mention.tense,
    }


def _instant(moment: datetime) -> str:
    if moment.tzinfo is None:
        # The model promises aware datetimes; a naive one is a bug upstream, not input to guess.
        raise ValueError(f"naive datetime {moment.isoformat()} cannot be exported")
    return moment.isoformat()
