"""Baseline for bench/temporal.py: dateparser's `search_dates` behind the `timeline tag` contract.

Reads `--input IN.jsonl` (lines `{"id", "text", "dct"}`) and writes `--output OUT.jsonl`
(lines `{"id", "mentions": [{"start", "end", "text", "type", "value"}]}`), as the shared
TempEval-3 scorer runs any tagger. Every date dateparser finds becomes a DATE mention whose
value is the calendar day it parsed (dateparser has no TIMEX3 types, durations or sets), with
`languages=["en"]` (no language detection) and `RELATIVE_BASE` set to the document's DCT. It is
the reference the throughput acceptance of issue 3 compares `timeline tag` against; it must not
import `timeline`, so that its start-up time is dateparser's own.

    .venv/bin/python bench/dateparser_tag.py --input IN.jsonl --output OUT.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from dateparser.search import search_dates


def dct_of(dct: str) -> datetime:
    """The DCT as the naive datetime dateparser's RELATIVE_BASE expects."""
    return datetime.fromisoformat(dct).replace(tzinfo=None)


def mentions_of(text: str, dct: str) -> list[dict[str, Any]]:
    """dateparser's finds in `text`, located left to right (it returns strings, not offsets)."""
    try:
        found = search_dates(text, languages=["en"], settings={"RELATIVE_BASE": dct_of(dct)})
    except Exception:  # a document the baseline cannot handle gets no mentions
        return []
    mentions: list[dict[str, Any]] = []
    cursor = 0
    for phrase, moment in found or []:
        start = text.find(phrase, cursor)
        if start < 0:
            continue
        end = start + len(phrase)
        cursor = end
        mentions.append(
            {
                "start": start,
                "end": end,
                "text": phrase,
                "type": "DATE",
                "value": moment.date().isoformat(),
            }
        )
    return mentions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    with args.input.open(encoding="utf-8") as src, args.output.open("w", encoding="utf-8") as out:
        for line in src:
            if not line.strip():
                continue
            doc = json.loads(line)
            mentions = mentions_of(doc["text"], doc["dct"])
            out.write(json.dumps({"id": doc["id"], "mentions": mentions}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
