"""Benchmark the saved DuckDB queries over large histories; print one table.

Run: python tests/bench_queries.py [--quick]
Histories of 1,000 and 10,000 documents are copies of the example history under new names.
Every time is the median of several repetitions in this process; the ratios compare two things
measured in the same run. The peak memory is that of a child process that runs queries 2
(by_week) and 3 (by_phase) over 10,000 documents. Not collected by pytest: timings are no tests.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from loader import SCRIPTS, load_script

ROOT = Path(__file__).resolve().parent.parent
RUNNER = SCRIPTS / "query-metrics.py"
EXAMPLES = ROOT / "metrics" / "examples"


def history(folder: Path, size: int) -> None:
    """size copies of the example documents, each under its own metrics name."""
    examples = sorted(EXAMPLES.glob("framework-metrics-*.json"))
    for number in range(size):
        name = f"framework-metrics-2025{number:010d}000000Z-{number:016x}.json"
        shutil.copyfile(examples[number % len(examples)], folder / name)


def seconds(action: Callable[[], Any], repetitions: int) -> float:
    """Median wall time of the action."""
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def python_loop(folder: Path) -> int:
    """Open and parse every metrics document in the folder, as a plain Python loop does."""
    parsed = 0
    for path in glob.glob(os.path.join(folder, "framework-metrics-*.json")):
        with open(path, encoding="utf-8") as handle:
            parsed += isinstance(json.load(handle), dict)
    return parsed


PEAK = """
import importlib.util, resource, sys
spec = importlib.util.spec_from_file_location("query_metrics", sys.argv[1])
runner = importlib.util.module_from_spec(spec)
spec.loader.exec_module(runner)
connection = runner.connect(sys.argv[2])
for name in ("by_week", "by_phase"):
    runner.query(connection, name).fetchall()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    quick = parser.parse_args().quick
    runner = load_script(RUNNER, "query_metrics")
    repetitions = 3 if quick else 7
    times: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for size in (1_000, 10_000):
            folder = Path(scratch) / str(size)
            folder.mkdir()
            history(folder, size)
            connection = runner.connect(folder)
            times[size] = seconds(
                lambda: runner.query(connection, "by_week").fetchall(), repetitions
            )
            if size == 10_000:
                loop = seconds(lambda: python_loop(folder), repetitions)
                peak = subprocess.run(
                    [sys.executable, "-c", PEAK, str(RUNNER), str(folder)],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
    print(
        f"{datetime.now(timezone.utc):%Y-%m-%d}, Python {platform.python_version()}, "
        f"duckdb {runner.duckdb.__version__}, {os.cpu_count()} cores, "
        f"{'quick' if quick else 'full'} run, medians of {repetitions}; "
        f"by_week over 10,000 documents took {times[10_000]:.2f} s, the Python loop {loop:.2f} s"
    )
    print("| figure | value | goal |\n|---|---:|---|")
    print(
        f"| by_week, 10,000 documents / Python loop over them | {times[10_000] / loop:.2f} | <= 2.5 |"
    )
    print(
        f"| by_week, 10,000 documents / 1,000 documents | {times[10_000] / times[1_000]:.2f} | <= 10.5 |"
    )
    print(
        f"| peak memory running by_week and by_phase over 10,000 documents (MB) | {float(peak):.0f} | < 200 |"
    )


if __name__ == "__main__":
    main()
