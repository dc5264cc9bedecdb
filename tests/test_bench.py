"""Each bench/ script runs once on tiny input, so it keeps working between real runs."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parents[1] / "bench" / "store.py"


def test_store_bench_prints_its_table() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--events", "300", "--saves", "10"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    header, sqlite = result.stdout.strip().splitlines()
    assert header.split()[:3] == ["db", "events", "mentions"]
    assert sqlite.split()[:2] == ["sqlite", "300"]


def test_render_bench_prints_its_table() -> None:
    bench = BENCH.parent / "render.py"
    result = subprocess.run(
        [sys.executable, str(bench), "--events", "50", "--rounds", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    labels = [line.split("  ")[0] for line in result.stdout.splitlines()[2:]]
    assert labels == [
        "ical (ours)",
        "ical (icalendar peer)",
        "json (ours)",
        "json (json.dumps peer)",
        "html page",
        "terminal",
    ]


def test_cycle_bench_prints_its_table() -> None:
    bench = BENCH.parent / "cycle.py"
    result = subprocess.run(
        [sys.executable, str(bench), "--feeds", "6", "--items", "3", "--hosts", "2"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    lines = result.stdout.strip().splitlines()
    assert [line[:30].strip() for line in lines[2:5]] == [
        "plain httpx loop (parse only)",
        "timeline, first cycle",
        "timeline, conditional cycle",
    ]
    assert lines[-1].startswith("entries parsed by the plain loop: 18; documents stored: 18")
