"""Sentence similarity over every pair of a day's sentences, as merging asks it (issue 4).

    .venv/bin/python bench/similarity.py [--sentences 2000] [--answers FILE]

The sentences are reports of one day from `bench/cycle.py`'s stories (five outlets each: what
a first cycle compares) and, with --answers, those of `tests/merge_pairs.jsonl` and both
sentences of some stories too. It prints the time of `similarity` and of `may_join` (the
stems prefilter, then similarity: what the store asks of each stored mention) over every
pair, after parsing each sentence once, and the time of that parsing.

--answers FILE writes every answer instead: each sentence's keywords, names, leading actor
and stems, then `similarity` and `may_join` of every pair with a non-zero similarity, and a
count of the rest. Run in two trees and diff the files to show a change of speed changes no
answer. --fixture FILE writes a smaller sample's sentences and non-zero answers as JSON, for
tests/test_events.py to hold similarity to.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from cycle import OUTLETS_PER_STORY, WHEN, story  # noqa: E402

from timeline.events import (  # noqa: E402
    key_stems,
    keywords,
    leading_actor,
    may_join,
    names,
    similarity,
)
from timeline.model import Granularity, Interval, Mention, Tense  # noqa: E402
from timeline.text import sentence_spans  # noqa: E402

PAIRS = ROOT / "tests" / "merge_pairs.jsonl"
DAY = date(2025, 3, 6)
THURSDAY = ("yesterday", "on Thursday night")  # as of the stories' publish day, 7 March


def story_sentences(count: int) -> list[str]:
    """`count` reports of one day: the first sentences of the stories that happened
    "yesterday" or "on Thursday night" (the Thursday before the cycle's publish day), as
    each outlet words them. A first cycle compares each with the others of its day."""
    found: list[str] = []
    number = 0
    while len(found) < count:
        if WHEN[number % len(WHEN)] in THURSDAY:
            for outlet in range(OUTLETS_PER_STORY):
                _, text = story(number, outlet)
                start, end = sentence_spans(text)[0]
                found.append(text[start:end])
        number += 1
    return found[:count]


def every_sentence(stories: int) -> list[str]:
    """Both sentences of the first `stories` stories, as each outlet words them (the
    follow-ups lead with a surname, or with no one)."""
    found: list[str] = []
    for number in range(stories):
        for outlet in range(OUTLETS_PER_STORY):
            _, text = story(number, outlet)
            found += [text[start:end] for start, end in sentence_spans(text)]
    return list(dict.fromkeys(found))


def pair_sentences() -> list[str]:
    found: list[str] = []
    for line in PAIRS.read_text().splitlines():
        pair = json.loads(line)
        found += [pair["a"]["sentence"], pair["b"]["sentence"]]
    return list(dict.fromkeys(found))


def mention_of(sentence: str) -> Mention:
    return Mention(
        sentence=sentence,
        quote="",
        quote_start=0,
        quote_end=0,
        value=DAY.isoformat(),
        granularity=Granularity.DAY,
        interval=Interval(start=DAY, end=date(2025, 3, 4)),
        tense=Tense.PAST,
        source="a.example",
        url="https://a.example/1",
        published=datetime(2025, 3, 4, tzinfo=UTC),
        stems=key_stems(sentence),
    )


def answers(sentences: list[str], out: Path) -> None:
    zero = 0
    with out.open("w") as file:
        for sentence in sentences:
            parts = [
                sorted(keywords(sentence)),
                sorted(names(sentence)),
                sorted(leading_actor(sentence)),
                list(key_stems(sentence)),
            ]
            file.write(json.dumps([sentence, *parts]) + "\n")
        for i, a in enumerate(sentences):
            joins = may_join(mention_of(a))
            for j in range(i + 1, len(sentences)):
                b = sentences[j]
                value = similarity(a, b)
                joined = joins(b, key_stems(b))
                if value or joined:
                    file.write(f"{i} {j} {value!r} {joined}\n")
                else:
                    zero += 1
        file.write(f"zero {zero}\n")
    print(f"{len(sentences)} sentences, {zero} pairs with similarity 0, answers in {out}")


def fixture(out: Path) -> None:
    """The sentences of the labelled pairs and of some stories, and every pair among them that
    similarity does not rule out, with its answer."""
    sentences = list(dict.fromkeys(pair_sentences() + story_sentences(100) + every_sentence(10)))
    similar = [
        [i, j, value]
        for i, a in enumerate(sentences)
        for j in range(i + 1, len(sentences))
        if (value := similarity(a, sentences[j]))
    ]
    rows = [
        '{"sentences": [',
        ",\n".join(map(json.dumps, sentences)),
        '], "similar": [',
        ",\n".join(map(json.dumps, similar)),
        "]}",
    ]
    out.write_text("\n".join(rows) + "\n")  # one sentence or pair a line
    print(f"{len(sentences)} sentences, {len(similar)} similar pairs, in {out}")


def timings(sentences: list[str]) -> None:
    started = time.perf_counter()
    stems = [key_stems(sentence) for sentence in sentences]  # parses each sentence once
    parsed = time.perf_counter() - started
    pairs = len(sentences) * (len(sentences) - 1) // 2

    started = time.perf_counter()
    similar = 0
    for i, a in enumerate(sentences):
        for b in sentences[i + 1 :]:
            similar += similarity(a, b) > 0
    pairwise = time.perf_counter() - started

    started = time.perf_counter()
    joined = 0
    for i, a in enumerate(sentences):
        joins = may_join(mention_of(a))
        for j in range(i + 1, len(sentences)):
            joined += joins(sentences[j], stems[j])
    asked = time.perf_counter() - started

    print(f"{len(sentences)} sentences, {pairs:,} pairs, {similar:,} similar, {joined:,} joined")
    print(f"{'what':<24}{'s':>9}{'us/pair':>9}")
    print(f"{'parse each sentence':<24}{parsed:>9.2f}{parsed / len(sentences) * 1e6:>9.1f}")
    print(f"{'similarity':<24}{pairwise:>9.2f}{pairwise / pairs * 1e6:>9.2f}")
    print(f"{'may_join':<24}{asked:>9.2f}{asked / pairs * 1e6:>9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=2000, help="story sentences")
    parser.add_argument("--answers", type=Path, help="write every answer to this file")
    parser.add_argument("--fixture", type=Path, help="write the tests' answers to this file")
    args = parser.parse_args()
    sentences = story_sentences(args.sentences)
    if args.fixture:
        fixture(args.fixture)
    elif args.answers:
        answers(pair_sentences() + sentences + every_sentence(args.sentences // 10), args.answers)
    else:
        timings(sentences)


if __name__ == "__main__":
    main()
