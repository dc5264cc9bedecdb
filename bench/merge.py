"""Precision and recall of the merge on labelled mention pairs (`tests/merge_pairs.jsonl`).

Each line holds two mentions, `a` and `b`, and whether they report the same happening. A pair
is predicted the same when `merge([a, b], [])` puts both in one event: the date rule and the
sentence similarity together, as the store uses them. Prints the counts, precision, recall and
F1, the time per pair, and with --errors the pairs the merge gets wrong. --first N scores only
the first N pairs (the first 89 are the fixture as it stood when the method was first scored;
the rest were written later to check that changes hold on text they were not tuned on).

    .venv/bin/python bench/merge.py [--pairs tests/merge_pairs.jsonl] [--first N] [--errors]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PAIRS = ROOT / "tests" / "merge_pairs.jsonl"

sys.path.insert(0, str(ROOT))

from timeline.events import merge  # noqa: E402
from timeline.model import Granularity, Interval, Mention, Tense  # noqa: E402

PUBLISHED = datetime(2025, 1, 1, tzinfo=UTC)  # only orders reports; no bearing on the merge


@dataclass(frozen=True, slots=True, kw_only=True)
class Pair:
    a: Mention
    b: Mention
    same: bool
    why: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Score:
    pairs: int
    true_pos: int
    false_pos: int
    false_neg: int
    errors: tuple[Pair, ...]

    @property
    def precision(self) -> float:
        predicted = self.true_pos + self.false_pos
        return self.true_pos / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_pos + self.false_neg
        return self.true_pos / actual if actual else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def mention_of(fields: dict[str, Any], url: str) -> Mention:
    return Mention(
        sentence=fields["sentence"],
        quote="",
        quote_start=0,
        quote_end=0,
        value=fields["value"],
        granularity=Granularity(fields["granularity"]),
        interval=Interval(
            start=date.fromisoformat(fields["start"]), end=date.fromisoformat(fields["end"])
        ),
        tense=Tense.PAST,
        source=url.split("/")[2],
        url=url,
        published=PUBLISHED,
    )


def load(path: Path = PAIRS) -> list[Pair]:
    with path.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    return [
        Pair(
            a=mention_of(row["a"], f"https://a.example/{n}"),
            b=mention_of(row["b"], f"https://b.example/{n}"),
            same=row["same"],
            why=row["why"],
        )
        for n, row in enumerate(rows)
    ]


def predicted_same(pair: Pair) -> bool:
    return len(merge([pair.a, pair.b], [])) == 1


def score(pairs: list[Pair]) -> Score:
    true_pos = false_pos = false_neg = 0
    errors = []
    for pair in pairs:
        predicted = predicted_same(pair)
        true_pos += predicted and pair.same
        false_pos += predicted and not pair.same
        false_neg += pair.same and not predicted
        if predicted != pair.same:
            errors.append(pair)
    return Score(
        pairs=len(pairs),
        true_pos=true_pos,
        false_pos=false_pos,
        false_neg=false_neg,
        errors=tuple(errors),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=PAIRS, help="labelled pairs, JSON lines")
    parser.add_argument("--first", type=int, default=None, help="score only the first N pairs")
    parser.add_argument("--errors", action="store_true", help="list the misclassified pairs")
    args = parser.parse_args()

    pairs = load(args.pairs)[: args.first]
    started = time.perf_counter()
    result = score(pairs)
    per_pair_us = (time.perf_counter() - started) / max(len(pairs), 1) * 1e6
    same = sum(pair.same for pair in pairs)

    print(
        f"{'pairs':>6} {'same':>5} {'diff':>5} {'TP':>4} {'FP':>4} {'FN':>4}"
        f" {'P':>6} {'R':>6} {'F1':>6} {'us/pair':>8}"
    )
    print(
        f"{result.pairs:>6} {same:>5} {result.pairs - same:>5} {result.true_pos:>4}"
        f" {result.false_pos:>4} {result.false_neg:>4} {result.precision:>6.3f}"
        f" {result.recall:>6.3f} {result.f1:>6.3f} {per_pair_us:>8.0f}"
    )
    if args.errors:
        for pair in result.errors:
            label = "missed (same)" if pair.same else "wrongly merged (different)"
            print(f"\n{label}: {pair.why}")
            print(f"  a [{pair.a.value}] {pair.a.sentence}")
            print(f"  b [{pair.b.value}] {pair.b.sentence}")


if __name__ == "__main__":
    main()
