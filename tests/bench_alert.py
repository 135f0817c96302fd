"""Benchmark the regression-alert engine (scripts/metrics_alert.py) over large histories.

Run: python tests/bench_alert.py [--quick]
The rows are made here as metrics/queries/alert.sql gives them: 10,000 runs (2,000 with --quick) over 4
and over 300 production files, three of four files unit runs, eight phases a run; times and
memory with log-normal noise, a quarter of the files on a pool of runners at two speeds, a tenth
with a step of +30% in total time and phase 3 late in their history, and now and then a quality
figure that drops. The engine is timed alone (check, with and without an accepted file of 50
entries) and with each formatter; every time is the median of several repetitions in this
process. The last line says what the alert makes of the 300 files' noise alone: of the files
without a step, how many show a regression or a warning. Not collected by pytest: timings are
no tests, and no timing is asserted.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from typing import Any, Callable

from loader import SCRIPTS, load_script

alert = load_script(SCRIPTS / "metrics_alert.py", "metrics_alert")
START = datetime(2026, 1, 1)
FILE = "src/package/module_{:03d}.py"


def history(runs: int, files: int, seed: int = 15) -> list[dict[str, Any]]:
    """runs view rows spread over files production files, in no particular order."""
    randomness = random.Random(seed)
    rows = []
    per_file = runs // files
    for number in range(files):
        production_file = FILE.format(number)
        test_type = "integration" if number % 4 == 3 else "unit"
        base_seconds = randomness.uniform(20, 60)
        base_mb = randomness.uniform(80, 300)
        two_speed = number % 4 == 1
        stepped = number % 10 == 0
        for run in range(per_file):
            speed = 1.35 if two_speed and randomness.random() < 0.4 else 1.0
            step = 1.3 if stepped and run >= per_file - 5 else 1.0
            noise = randomness.lognormvariate(0, 0.03) * speed
            numbers = list(range(1, 9))
            durations = [base_seconds / 8 * noise * (step if n == 3 else 1) for n in numbers]
            peaks = [base_mb * (0.9 + n / 80) + randomness.uniform(0, 2) for n in numbers]
            rows.append(
                {
                    "filename": f"framework-metrics-{number:03d}-{run:06d}.json",
                    "run_time": START + timedelta(minutes=run * 7 + number),
                    "production_file": production_file,
                    "test_type": test_type,
                    "total_time_seconds": base_seconds * noise * step,
                    "memory_peak_mb": base_mb + randomness.uniform(0, 3),
                    "pylint_score": 10.0 if randomness.random() > 0.002 else 9.5,
                    "mypy_errors": 0,
                    "black_formatted": True,
                    "test_pass_rate": 100.0,
                    "coverage_percentage": 92.0 if test_type == "unit" else None,
                    "phase_numbers": numbers,  # the phases as alert.sql gives them
                    "phase_durations": durations,
                    "phase_peaks": peaks,
                }
            )
    randomness.shuffle(rows)
    return rows


def accepted_entries(rows: list[dict[str, Any]], count: int) -> list[Any]:
    """count accepted entries over the rows' files, each from the middle of their history."""
    files = sorted({(row["production_file"], row["test_type"]) for row in rows})
    middle = max(row["run_time"] for row in rows) - timedelta(days=1)
    entries = [
        {
            "production_file": files[number % len(files)][0],
            "test_type": files[number % len(files)][1],
            "figure": alert.FIGURES[number % len(alert.FIGURES)],
            "from": middle.isoformat(),
            "reason": "benchmark",
        }
        for number in range(count)
    ]
    return alert.read_accepted(entries)


def formatted(formatter: Callable[[Any], str], rows: list[dict[str, Any]]) -> str:
    """The report of the rows, formatted."""
    return formatter(alert.check(rows))


def seconds(
    action: Callable[..., Any], arguments: tuple[Any, ...], repetitions: int
) -> tuple[float, float, float]:
    """Median, lowest and highest wall time of the action."""
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        action(*arguments)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times)


def main() -> None:
    """Time the engine over the histories and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 runs, fewer repetitions")
    args = parser.parse_args()
    runs, repetitions = (2_000, 3) if args.quick else (10_000, 7)
    print(
        f"Python {platform.python_version()}, {'quick' if args.quick else 'full'} run, "
        f"{runs:,} runs, medians of {repetitions}"
    )
    print(
        f"{'files':>5} {'what':<26} {'series':>7} {'points':>8} {'median s':>9}"
        f" {'min s':>7} {'max s':>7} {'us/point':>9}  verdicts"
    )
    for files in (4, 300):
        rows = history(runs, files)
        entries = accepted_entries(rows, 50)
        report = alert.check(rows)
        points = sum(
            1
            for row in rows
            for value in (
                row["total_time_seconds"],
                row["memory_peak_mb"],
                row["pylint_score"],
                row["mypy_errors"],
                row["black_formatted"],
                row["test_pass_rate"],
                row["coverage_percentage"],
                *row["phase_durations"],
                *row["phase_peaks"],
            )
            if value is not None
        )
        verdicts = ", ".join(f"{report.count(v)} {v}" for v in alert.VERDICTS if report.count(v))
        cases: list[tuple[str, Callable[..., Any], tuple[Any, ...]]] = [
            ("check", alert.check, (rows,)),
            ("check, 50 accepted entries", alert.check, (rows, entries)),
            ("check + format_text", formatted, (alert.format_text, rows)),
            ("check + format_json", formatted, (alert.format_json, rows)),
            ("check + format_github", formatted, (alert.format_github, rows)),
        ]
        for name, action, arguments in cases:
            median, low, high = seconds(action, arguments, repetitions)
            print(
                f"{files:>5} {name:<26} {report.checked:>7} {points:>8} {median:>9.3f}"
                f" {low:>7.3f} {high:>7.3f} {median / points * 1e6:>9.2f}  {verdicts}"
            )
    print(noise_verdicts(alert.check(history(runs, 300)), 300))
    sys.stdout.flush()


def noise_verdicts(report: Any, files: int) -> str:
    """What the alert says of the files whose runs change by noise alone (no step)."""
    said = []
    for kind, two_speed in (("two-speed", True), ("one-speed", False)):
        found: dict[int, set[str]] = {
            number: set()
            for number in range(files)
            if (number % 4 == 1) == two_speed and number % 10 != 0
        }
        for result in report.results:
            number = int(result.series.production_file[-6:-3])
            if number in found:
                found[number].add(result.verdict)
        regressed = sum(alert.REGRESSION in verdicts for verdicts in found.values())
        warned = sum(
            alert.WARNING in verdicts and alert.REGRESSION not in verdicts
            for verdicts in found.values()
        )
        said.append(
            f"{len(found)} {kind} files: {regressed} with a regression, {warned} more with a warning"
        )
    return f"of the {files} files, those without a step: " + "; ".join(said)


if __name__ == "__main__":
    main()
