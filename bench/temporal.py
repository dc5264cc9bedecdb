"""Benchmark of the temporal stage: TempEval-3 scores, command speed against dateparser, and
in-process throughput of `tag`.

Runs the shared scorer (`../shared/bench/temporal/score.py`, beside the repository) on each gold
file (the TBAQ dev set and the seed article) for two commands through the same
`--input/--output` contract: `timeline tag` and the dateparser baseline `bench/dateparser_tag.py`
(`search_dates`, languages=["en"], RELATIVE_BASE = DCT). The scorer times each whole command,
start-up included, so the two chars/s figures and their ratio come from the same run. Then `tag`
is timed in-process over the first gold file. Prints one table.

With --in-process (or when `timeline tag` is not installed) this script tags the documents
itself and scores the saved output with `score.py --system`; without the scorer it still tags
and times (that path is what tests/test_temporal.py runs on a tiny input of its own).

    .venv/bin/python bench/temporal.py                 # the table of issue 3
    .venv/bin/python bench/temporal.py --no-baseline   # skip dateparser (slow: ~4 s)
    .venv/bin/python bench/temporal.py --errors 20     # and the scorer's error listing
    .venv/bin/python bench/temporal.py --direction     # and how often the tense points right
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT.parent / "shared" / "bench" / "temporal"
GOLDS = (BENCH / "tbaq.jsonl", BENCH / "seed_article.jsonl")
TIMELINE = ROOT / ".venv" / "bin" / "timeline"
BASELINE = Path(__file__).resolve().parent / "dateparser_tag.py"

sys.path.insert(0, str(ROOT))

from timeline.temporal import tag  # noqa: E402
from timeline.temporal.find import find, tense_direction  # noqa: E402
from timeline.text import sentence_spans  # noqa: E402


def published_of(dct: str) -> datetime:
    """As the CLI reads a dct: a date is midnight UTC, a naive datetime is UTC."""
    if len(dct) == 10:
        return datetime.combine(date.fromisoformat(dct), datetime.min.time(), tzinfo=UTC)
    moment = datetime.fromisoformat(dct)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def write_output(documents: list[dict[str, Any]], path: Path) -> int:
    """Tag every document in-process into the contract's OUT.jsonl; returns the mention count."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for doc in documents:
            mentions = [
                {"start": t.start, "end": t.end, "text": t.text, "type": t.type, "value": t.value}
                for t in tag(doc["text"], published_of(doc["dct"]))
            ]
            count += len(mentions)
            out.write(json.dumps({"id": doc["id"], "mentions": mentions}) + "\n")
    return count


def cli_has_tag() -> bool:
    if not TIMELINE.exists():
        return False
    probe = subprocess.run([str(TIMELINE), "tag", "--help"], capture_output=True, check=False)
    return probe.returncode == 0


def run_scorer(scorer: Path, gold: Path, source: list[str]) -> dict[str, Any]:
    """The scorer's JSON summary for `source` (["--run", CMD] or ["--system", OUT])."""
    command = [sys.executable, str(scorer), "--gold", str(gold), "--json", *source]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary


def score_in_process(scorer: Path | None, gold: Path) -> dict[str, Any] | None:
    """Tag `gold` in-process and score the saved output (None without a scorer)."""
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "out.jsonl"
        began = time.perf_counter()
        write_output(load(gold), output)
        wall = time.perf_counter() - began
        if scorer is None:
            return None
        summary = run_scorer(scorer, gold, ["--system", str(output)])
    characters = sum(len(doc["text"]) for doc in load(gold))
    summary["perf"] = {"chars_per_s": characters / wall if wall else 0.0, "in_process": True}
    return summary


def throughput(documents: list[dict[str, Any]], rounds: int = 5) -> float:
    """Characters per second of `tag` over `documents`, best of `rounds`, on one core."""
    inputs = [(doc["text"], published_of(doc["dct"])) for doc in documents]
    characters = sum(len(text) for text, _ in inputs)
    tag("warm up: Friday", datetime(2025, 3, 7, tzinfo=UTC))
    best = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        for text, published in inputs:
            tag(text, published)
        best = min(best, time.perf_counter() - began)
    return characters / best if best > 0 else float("inf")


# Rules whose span may name a day or month without its year, so the tense has to place it.
_UNDATED_RULES = frozenset({"weekday", "month", "month_day", "day_month", "season"})
_HAS_ANCHOR = re.compile(r"\b(?:1[5-9]|20)\d\d\b|\b(?:last|next|this|coming)\b", re.IGNORECASE)
_GOLD_DAY = re.compile(r"(\d{4})-(\d\d)(?:-(\d\d))?")


def direction_accuracy(documents: list[dict[str, Any]]) -> tuple[int, int]:
    """(right, total) for `tense_direction` on gold timexes found by an undated rule ("Friday",
    "March", "Oct. 23"), against the direction the gold value lies in from the DCT."""
    right = total = 0
    for doc in documents:
        text, dct = doc["text"], date.fromisoformat(doc["dct"][:10])
        lowered = text.lower() if len(text.lower()) == len(text) else text
        sentences = sentence_spans(text)
        rules = {candidate.start: candidate.rule for candidate in find(text)}
        for timex in doc["timexes"]:
            found = _GOLD_DAY.match(timex["value"])
            if rules.get(timex["start"]) not in _UNDATED_RULES or found is None:
                continue
            if _HAS_ANCHOR.search(timex["text"]) or found.group(2) is None:
                continue
            year, month, day = int(found[1]), int(found[2]), int(found[3] or 0)
            named = (year, month, day) if day else (year, month, 0)
            here = (dct.year, dct.month, dct.day if day else 0)
            truth = (named > here) - (named < here)
            if truth == 0:
                continue
            sentence = next((s for s in sentences if s[0] <= timex["start"] < s[1]), (0, 0))
            total += 1
            right += tense_direction(lowered, sentence, timex["start"]) == truth
    return right, total


def row(system: str, gold: Path, summary: dict[str, Any]) -> str:
    speed = summary.get("perf", {}).get("chars_per_s")
    return (
        f"{system:<16} {gold.name:<20} {summary['strict']['f1']:>7.3f} "
        f"{summary['relaxed']['f1']:>8.3f} {summary['value']['f1']:>7.3f} "
        f"{summary['type']['accuracy']:>9.3f} " + (f"{speed:>14,.0f}" if speed else f"{'-':>14}")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--in-process", action="store_true", help="call tag() directly")
    parser.add_argument("--no-baseline", action="store_true", help="do not run dateparser")
    parser.add_argument("--errors", type=int, default=0, help="list N misses of each kind")
    parser.add_argument("--gold", type=Path, action="append", help="gold JSONL (repeatable)")
    parser.add_argument("--scorer", type=Path, default=BENCH / "score.py")
    parser.add_argument(
        "--direction", action="store_true", help="also score the tense direction on the gold"
    )
    args = parser.parse_args(argv)
    golds = args.gold or list(GOLDS)
    scorer: Path | None = args.scorer if args.scorer.exists() else None
    if scorer is None:
        print(f"scorer not found at {args.scorer}: tagging and timing only", file=sys.stderr)
    in_process = args.in_process or scorer is None or not cli_has_tag()
    if in_process and not args.in_process and scorer is not None:
        print("`timeline tag` is not available; scoring in-process output instead")
    header = (
        f"{'system':<16} {'gold':<20} {'strict':>7} {'relaxed':>8} {'value':>7} "
        f"{'type acc':>9} {'chars/s':>14}"
    )
    lines, speeds = [header, "-" * len(header)], {}
    # Timed first, before the scorer's subprocesses heat the machine.
    in_process_speed = throughput(load(golds[0]))
    for gold in golds:
        systems: list[tuple[str, dict[str, Any] | None]] = []
        if in_process:
            systems.append(("timeline (tag)", score_in_process(scorer, gold)))
        elif scorer is not None:
            command = ["--run", f"{TIMELINE} tag"]
            systems.append(("timeline tag", run_scorer(scorer, gold, command)))
        if scorer is not None and not args.no_baseline:
            command = ["--run", f"{sys.executable} {BASELINE}"]
            systems.append(("dateparser", run_scorer(scorer, gold, command)))
        for name, summary in systems:
            if summary is not None:
                lines.append(row(name, gold, summary))
                speeds[(name, gold.name)] = summary.get("perf", {}).get("chars_per_s")
    first = golds[0].name
    ours = speeds.get(("timeline tag", first)) or speeds.get(("timeline (tag)", first))
    theirs = speeds.get(("dateparser", first))
    if ours and theirs:
        lines.append(f"\nspeed ratio on {first}: timeline tag / dateparser = {ours / theirs:.1f}x")
    lines.append(f"in-process tag(): {in_process_speed:,.0f} characters/s on {first}")
    if args.direction:
        right, total = direction_accuracy(load(golds[0]))
        share = right / total if total else 0.0
        lines.append(f"tense direction of undated days and months: {right}/{total} = {share:.3f}")
    print("\n".join(lines))
    if args.errors and scorer is not None and not in_process:
        for gold in golds:
            listing = ["--run", f"{TIMELINE} tag", "--errors", str(args.errors)]
            subprocess.run(
                [sys.executable, str(scorer), "--gold", str(gold), *listing], check=False
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
