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
    .venv/bin/python bench/temporal.py --classes 3     # value errors by class, 3 examples each
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


def pairs_of(gold: list[dict[str, Any]], system: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """One-to-one (gold, system) index pairs as the scorer makes them: identical spans first,
    then the largest overlaps, ties to the earliest start."""
    candidates = []
    for gi, g in enumerate(gold):
        for si, s in enumerate(system):
            overlap = min(g["end"], s["end"]) - max(g["start"], s["start"])
            if overlap > 0:
                exact = g["start"] == s["start"] and g["end"] == s["end"]
                candidates.append((not exact, -overlap, g["start"], s["start"], gi, si))
    used_gold: set[int] = set()
    used_system: set[int] = set()
    paired = []
    for *_, gi, si in sorted(candidates):
        if gi not in used_gold and si not in used_system:
            used_gold.add(gi)
            used_system.add(si)
            paired.append((gi, si))
    return paired


_VAGUE_WORDS = re.compile(r"(?i)^(?:right\s+)?(?:now|current(?:ly)?|recent(?:ly)?|the\s+future)$")
_RATE = re.compile(r"(?i)^(?:a|per)\s+(?:year|month|week|day)$|^(?:daily|annually|weekly)$")
_DAY_VALUE = re.compile(r"\d{4}-\d\d-\d\d")
_EARNINGS = re.compile(
    r"(?i)quarter|period|year-(?:earlier|ago)|year\s+(?:ago|earlier)|last\s+year|fiscal"
)


def error_class(
    kind: str, gold: dict[str, Any] | None, mention: dict[str, Any] | None, after: str = ""
) -> str:
    """A coarse class for one value error of the TempEval-3 scorer: `kind` is "missed" (gold
    only), "spurious" (system only) or "wrong value" (both, relaxed pair). The classes that
    start with "gold:" are annotation habits of TBAQ that contradict other TBAQ documents or
    TimeML 1.2.1 on the same construction; the rest are the tagger's to fix."""
    value = gold["value"] if gold else ""
    ours = mention["value"] if mention else ""
    text = (mention or gold or {}).get("text", "")
    if kind == "missed":
        if value.endswith("_REF"):
            return "missed: vague word (soon, future, already, previously)"
        if re.fullmatch(r"(?i)(?:the\s+)?(?:days?|weeks?|months?|years?)", text):
            return "missed: bare unit anchored to an event (the days before the shooting)"
        return "missed: other"
    if kind == "spurious":
        if _VAGUE_WORDS.match(text):
            return "gold: vague now/current/recent annotated in some documents, not others"
        if _RATE.match(text):
            return "spurious: rate or frequency (a year, daily, annually)"
        if mention and mention["type"] == "DURATION":
            return "spurious: duration left unannotated"
        if re.match(r"\s*\([A-Z][\w ]*\)\s*--", after):
            return "gold: dateline date (annotated in most wire datelines, not all)"
        if ours[:1].isdigit() and re.search(r"(?i)\b(?:year|month|quarter|\d{4})\b", text):
            return "gold: plain year, month or quarter left unannotated (last year, 1995)"
        return "spurious: other"
    if "week" in text.lower() and "-W" in ours:
        return "gold: week as WXX, unpadded W6, a month, a day or a duration"
    if re.fullmatch(r"\d{4}-XX(?:-XX)?", value) and ours == value[:4]:
        return "gold: year written YYYY-XX"
    if value.endswith("X") and ours == value[:-1]:
        return "gold: decade 199X beside 199"
    if _EARNINGS.search(text) and (value[:1] == "1" or ours[:1] == "1"):
        return "earnings comparison: year, quarter (QX) or day"
    day, our_day = _DAY_VALUE.match(value), _DAY_VALUE.match(ours)
    if day and our_day and day.group() == our_day.group():
        return "gold: part of day (Friday night as day, TEV or TNI)"
    if day and our_day:
        gap = (date.fromisoformat(day.group()) - date.fromisoformat(our_day.group())).days
        if gap % 7 == 0:
            return "weekday a week off (tense, or gold anchored to another date)"
        return "day: other offset (anchor, tense, gold slip)"
    if value[:4].isdigit() and ours[:4].isdigit() and value[4:] == ours[4:] != "":
        return "month or day without a year: which year"
    if value.endswith("_REF") or ours.endswith("_REF") or "PX" in value or "PX" in ours:
        return "vague: REF or PX"
    if value[:1].isdigit() != ours[:1].isdigit() and "P" in (value[:1], ours[:1]):
        return "date read as a duration or the other way"
    if value.startswith("P") and ours.startswith("P"):
        return "duration amount or unit"
    return "wrong value: other"


def error_classes(documents: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Every value error of `tag` on `documents`, by `error_class`, with its context."""
    classes: dict[str, list[str]] = {}
    for doc in documents:
        text = doc["text"]
        system = [
            {"start": t.start, "end": t.end, "text": t.text, "type": str(t.type), "value": t.value}
            for t in tag(text, published_of(doc["dct"]))
        ]
        gold = doc["timexes"]
        paired = pairs_of(gold, system)
        errors: list[tuple[str, dict[str, Any] | None, dict[str, Any] | None]] = [
            ("wrong value", gold[gi], system[si])
            for gi, si in paired
            if gold[gi]["value"] != system[si]["value"]
        ]
        errors += [
            ("missed", g, None) for i, g in enumerate(gold) if i not in {p[0] for p in paired}
        ]
        errors += [
            ("spurious", None, s) for i, s in enumerate(system) if i not in {p[1] for p in paired}
        ]
        for kind, g, s in errors:
            at = (g or s or {})["start"]
            end = (g or s or {})["end"]
            where = f"{text[max(0, at - 50) : at]}[[{text[at:end]}]]{text[end : end + 30]}"
            note = f"{doc['id']} {doc['dct'][:10]} gold={g and g['value']} ours={s and s['value']}"
            classes.setdefault(error_class(kind, g, s, text[end : end + 20]), []).append(
                f"{note} | {' '.join(where.split())}"
            )
    return classes


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
    parser.add_argument(
        "--classes", type=int, metavar="N", help="count value errors by class, N examples each"
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
    if args.classes is not None:
        classes = error_classes(load(golds[0]))
        lines.append(f"\nvalue errors on {first} by class ({sum(map(len, classes.values()))}):")
        for name, examples in sorted(classes.items(), key=lambda item: (-len(item[1]), item[0])):
            lines.append(f"{len(examples):>5}  {name}")
            lines.extend(f"         {example}" for example in examples[: args.classes])
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
