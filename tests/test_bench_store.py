"""bench/store.py runs end to end on a tiny store (the real run is 1,000,000 events)."""

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
