"""Benchmark of the temporal stage: TempEval-3 scores and in-process throughput of `tag`.

Runs the shared scorer (`../shared/bench/temporal/score.py`, beside the repository) on the
TBAQ dev set and on the seed article, then times `tag` over the TBAQ texts. The command under
test is `.venv/bin/timeline tag` when the CLI has it; otherwise (or with --in-process) this
script writes the system output itself and scores it with `score.py --system`.

    .venv/bin/python bench/temporal.py [--in-process] [--errors N] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT.parent / "shared" / "bench" / "temporal"
GOLDS = ("tbaq.jsonl", "seed_article.jsonl")

sys.path.insert(0, str(ROOT))

from timeline.temporal import tag  # noqa: E402


def published_of(dct: str) -> datetime:
    """As the CLI reads a dct: a date is midnight UTC, a naive datetime is UTC."""
    if len(dct) == 10:
        return datetime.combine(date.fromisoformat(dct), datetime.min.time(), tzinfo=UTC)
    moment = datetime.fromisoformat(dct)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def load(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def write_output(documents: list[dict[str, str]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for doc in documents:
            mentions = [
                {"start": t.start, "end": t.end, "text": t.text, "type": t.type, "value": t.value}
                for t in tag(doc["text"], published_of(doc["dct"]))
            ]
            out.write(json.dumps({"id": doc["id"], "mentions": mentions}) + "\n")


def cli_has_tag() -> bool:
    command = ROOT / ".venv" / "bin" / "timeline"
    if not command.exists():
        return False
    probe = subprocess.run([str(command), "tag", "--help"], capture_output=True, check=False)
    return probe.returncode == 0


def score(gold: Path, extra: list[str], in_process: bool) -> None:
    scorer = [sys.executable, str(BENCH / "score.py"), "--gold", str(gold), *extra]
    print(f"\n== {gold.name} ==", flush=True)
    if in_process:
        with tempfile.TemporaryDirectory() as scratch:
            output = Path(scratch) / "out.jsonl"
            write_output(load(gold), output)
            subprocess.run([*scorer, "--system", str(output)], check=True)
    else:
        command = f"{ROOT / '.venv' / 'bin' / 'timeline'} tag"
        subprocess.run([*scorer, "--run", command], check=True)


def throughput(gold: Path, rounds: int = 3) -> None:
    documents = [(doc["text"], published_of(doc["dct"])) for doc in load(gold)]
    characters = sum(len(text) for text, _ in documents)
    tag("warm up: Friday", datetime(2025, 3, 7, tzinfo=UTC))
    best = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        for text, published in documents:
            tag(text, published)
        best = min(best, time.perf_counter() - began)
    print(
        f"\nthroughput: {characters / best:,.0f} characters/s in-process "
        f"({characters:,} characters, {len(documents)} documents, best of {rounds})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--in-process", action="store_true", help="call tag() directly")
    parser.add_argument("--errors", type=int, default=0, help="list N misses of each kind")
    parser.add_argument("--by-type", action="store_true", help="split scores by type")
    args = parser.parse_args()
    if not (BENCH / "score.py").exists():
        print(
            f"benchmark not found: expected {BENCH}/score.py (the shared checkout beside the "
            "repository); nothing to score",
            file=sys.stderr,
        )
        return 2
    in_process = args.in_process or not cli_has_tag()
    if in_process and not args.in_process:
        print("`timeline tag` is not available; scoring in-process output instead")
    extra = (["--errors", str(args.errors)] if args.errors else []) + (
        ["--by-type"] if args.by_type else []
    )
    for name in GOLDS:
        score(BENCH / name, extra, in_process)
    throughput(BENCH / GOLDS[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
