"""Benchmark the query command as a user runs it, against a plain Python loop; print one table.

Run: python tests/bench_queries.py [--quick]
Each program runs as a fresh process, started by a small launcher process that times it and
reads its peak memory (ru_maxrss from wait4): a child's ru_maxrss also holds the peak of the
process that started it, so this benchmark, which holds the histories' names, must not be that
process. The programs are the command (scripts/query-metrics.py QUERY --metrics-dir DIR, output
to /dev/null), the regression alert (scripts/query-metrics.py alert --metrics-dir DIR, which
exits 1 here: the copies hold the examples' regressions), its start-up alone (--help) and the
loop (a Python process that opens and parses every metrics file of DIR with json.load).
Histories of 1,000, 10,000 and 100,000 documents are copies of the example history under new
names; every round runs every program over every size, in an order that is
reversed from one round to the next, after one unmeasured pass over each history. A ratio is a
command's time over the loop's time in the same round: the table gives the median of the
rounds and their range. A second table says where the command's time goes over the largest
history: each stage timed with perf_counter in this process, the median of three passes.
--quick: histories of 100 and 1,000 documents, two rounds (for CI, so that the benchmark cannot
rot; no timing is asserted anywhere). Not collected by pytest.
"""

from __future__ import annotations

import argparse
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
from importlib.metadata import version
from pathlib import Path
from types import ModuleType

from loader import load_script

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "scripts" / "query-metrics.py"
EXAMPLES = ROOT / "metrics" / "examples"
LOOP = """
import glob, json, os, sys
parsed = 0
for name in glob.glob("framework-metrics-*.json", root_dir=sys.argv[1]):
    with open(os.path.join(sys.argv[1], name), encoding="utf-8") as handle:
        parsed += isinstance(json.load(handle), dict)
print(parsed)
"""
LAUNCHER = """
import os, sys, time
actions = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
start = time.perf_counter()
child = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ, file_actions=actions)
_, status, usage = os.wait4(child, 0)
seconds = time.perf_counter() - start
print(os.waitstatus_to_exitcode(status), seconds, usage.ru_maxrss / 1024)
"""
QUERIES = ("by_week", "by_file", "by_phase", "missed_targets")
GOALS = {10_000: 3.0, 100_000: 2.0}


def history(folder: Path, size: int) -> None:
    """size copies of the example documents, each under its own metrics name."""
    examples = sorted(EXAMPLES.glob("framework-metrics-*.json"))
    folder.mkdir()
    for number in range(size):
        name = f"framework-metrics-2025{number:010d}000000Z-{number:016x}.json"
        shutil.copyfile(examples[number % len(examples)], folder / name)


def launch(program: list[str], codes: tuple[str, ...] = ("0",)) -> tuple[float, float]:
    """Wall seconds and peak resident MB of the program, as a child of a small launcher."""
    result = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *program],
        capture_output=True,
        text=True,
        check=True,
    )
    code, seconds, peak = result.stdout.split()
    if code not in codes:
        raise RuntimeError(f"{program} exited {code}: {result.stderr}")
    return float(seconds), float(peak)


def programs(folder: Path, runner: Path) -> dict[str, list[str]]:
    """The loop and each query command over the folder."""
    loop = {"loop": [sys.executable, "-c", LOOP, str(folder)]}
    start_up = {"start-up": [sys.executable, str(runner), "--help"]}  # imports, reads nothing
    return (
        loop
        | start_up
        | {
            name: [sys.executable, str(runner), name, "--metrics-dir", str(folder)]
            for name in (*QUERIES, "alert")
        }
    )


def stages(runner: ModuleType, folder: Path) -> dict[str, float]:
    """Seconds of each stage of connect() and a query over the folder, in this process."""
    spent = dict.fromkeys(
        [
            "list the folder",
            "read each file's bytes",
            "decode and parse it (json)",
            "collect its values (Runs.add)",
            "check them, column by column (Runs.tables)",
            "hand them to DuckDB (runs.sql)",
            "run by_week and draw its table",
        ],
        0.0,
    )
    steps = iter(spent)
    start = time.perf_counter()

    def lap(step: str | None = None) -> None:
        nonlocal start
        now = time.perf_counter()
        spent[step or next(steps)] += now - start
        start = now

    names = [name for name in os.listdir(folder) if name.startswith("framework-metrics-")]
    lap()
    runs = runner.Runs()
    reading, parsing, collecting = next(steps), next(steps), next(steps)
    for name in names:
        data = runner.file_bytes(os.path.join(folder, name))
        lap(reading)
        document = json.loads(data.decode("utf-8"))
        lap(parsing)
        runs.add(os.path.join(folder, name), document)
        lap(collecting)
    tables = runs.tables()
    lap()
    connection = runner.duckdb.connect()
    for table, columns in tables.items():
        connection.register(table, columns)
    for variable in ("production_file", "since", "until"):
        connection.execute(f"SET VARIABLE {variable} = NULL")
    connection.execute((runner.QUERIES / "runs.sql").read_text(encoding="utf-8"))
    lap()
    relation = runner.query(connection, "by_week")
    runner.table(relation.columns, relation.fetchall())
    lap()
    return spent


def spread(values: list[float], digits: int) -> str:
    """The median and the range of the rounds' values."""
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small histories, two rounds")
    parser.add_argument(
        "--runner",
        type=Path,
        default=RUNNER,
        help="the query-metrics.py to measure, such as an older checkout's (no stage table then)",
    )
    arguments = parser.parse_args()
    quick, runner_path = arguments.quick, arguments.runner.absolute()
    sizes = (100, 1_000) if quick else (1_000, 10_000, 100_000)
    rounds = 2 if quick else 5
    seconds: dict[tuple[int, str], list[float]] = {}
    peaks: dict[tuple[int, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folders = {size: Path(scratch) / str(size) for size in sizes}
        for size, folder in folders.items():
            history(folder, size)
            launch(
                programs(folder, runner_path)["loop"]
            )  # unmeasured: the files into the page cache
        for round_ in range(rounds):
            runs = [(size, name) for size in sizes for name in programs(folders[size], runner_path)]
            for size, name in runs if round_ % 2 == 0 else reversed(runs):
                codes = ("0", "1") if name == "alert" else ("0",)
                elapsed, peak = launch(programs(folders[size], runner_path)[name], codes)
                seconds.setdefault((size, name), []).append(elapsed)
                peaks.setdefault((size, name), []).append(peak)
        timed: dict[str, list[float]] = {}
        if runner_path == RUNNER:
            runner = load_script(RUNNER, "query_metrics")
            for _ in range(3):
                for stage, spent in stages(runner, folders[sizes[-1]]).items():
                    timed.setdefault(stage, []).append(spent)
    print(
        f"{datetime.now(timezone.utc):%Y-%m-%d}, Python {platform.python_version()}, "
        f"duckdb {version('duckdb')}, {os.cpu_count()} cores, "
        f"{'quick' if quick else 'full'} run, {rounds} rounds"
        + ("" if runner_path == RUNNER else f", {runner_path}")
        + "; the loop took "
        + ", ".join(
            f"{statistics.median(seconds[size, 'loop']):.2f} s over {size:,}" for size in sizes
        )
    )
    print(f"| figure | {' | '.join(f'{size:,} documents' for size in sizes)} | goal |")
    print(f"|---|{'---:|' * len(sizes)}---|")
    goal = ", ".join(f"<= {ratio} at {size:,}" for size, ratio in GOALS.items())
    for name in QUERIES:
        ratios = [
            spread(
                [
                    command / loop
                    for command, loop in zip(seconds[size, name], seconds[size, "loop"])
                ],
                2,
            )
            for size in sizes
        ]
        print(f"| {name} / loop, time | {' | '.join(ratios)} | {goal} |")
    alert_ratios = [
        spread([a / b for a, b in zip(seconds[size, "alert"], seconds[size, "by_week"])], 2)
        for size in sizes
    ]
    print(f"| alert / by_week, time | {' | '.join(alert_ratios)} | <= 1.5 at 10,000 |")
    alert_loop = [
        spread([a / b for a, b in zip(seconds[size, "alert"], seconds[size, "loop"])], 2)
        for size in sizes
    ]
    print(f"| alert / loop, time | {' | '.join(alert_loop)} | (no goal) |")
    cells = [spread(seconds[size, "start-up"], 2) for size in sizes]
    print(f"| start-up (--help: the imports, no reading), seconds | {' | '.join(cells)} | |")
    largest, before = sizes[-1], sizes[-2]
    for name in QUERIES:
        growth = [
            large / small for large, small in zip(seconds[largest, name], seconds[before, name])
        ]
        cells = ["" for _ in sizes[:-1]] + [spread(growth, 2)]
        print(
            f"| {name}, {largest:,} documents / {before:,}, time | {' | '.join(cells)} "
            f"| {'<= 10.5' if largest == 100_000 else '(no goal)'} |"
        )
    for name in ("loop", *QUERIES, "alert"):
        cells = [spread(peaks[size, name], 0) for size in sizes]
        print(
            f"| {name}, peak memory (MB) | {' | '.join(cells)} "
            f"| {'< 200 at 10,000' if name in QUERIES else '(no goal)'} |"
        )
    if timed:
        print(f"\n| stage, {largest:,} documents, in one process | seconds |\n|---|---:|")
    for stage, values in timed.items():
        print(f"| {stage} | {statistics.median(values):.3f} |")


if __name__ == "__main__":
    main()
