"""Record the example history in metrics/examples/ by driving the collector through simulated runs.

Run: python tests/record_examples.py [--out DIR]
Each run is a real FrameworkMetricsCollector run: eight phases (or fewer, for a run stopped early)
that really sleep and allocate memory, so times and memory are measured, not made up. What is
simulated is the generator's work and its quality figures, which improve from run to run as a
framework under development would. Two files show what the regression alert is for: phase 6 of
evaluators.py gets slower in its last two runs, phase 5 of dotdict.py allocates less in its last
two. The collector saves each run in a temporary folder; the document is then saved again with
save_metrics_to_json under a timestamp that spreads the runs over six weeks, as a real history
would be, and that timestamp replaces the document's own.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType

from loader import SCRIPTS, load_script

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 10, 19, 9, 0, tzinfo=timezone.utc)
# production file, test type, then per run: (days after START, phases run, pylint, mypy
# errors, black formatted, pass rate, coverage), and for the alert's examples what changed in
# the run's work: {"slower": seconds phase 6 sleeps more, "phase_5_mb": what phase 5 allocates}
RUNS = [
    (
        "src/honeyhive/tracer/instrumentation/initialization.py",
        "unit",
        [
            (0, 8, 8.75, 3, False, 92.0, 78.5),
            (6, 8, 9.5, 1, True, 100.0, 86.0),
            (13, 8, 10.0, 0, True, 100.0, 88.5),
            (22, 8, 10.0, 0, True, 100.0, 93.0),
            (37, 8, 10.0, 0, True, 100.0, 94.5),
        ],
    ),
    (
        "src/honeyhive/api/client.py",
        "unit",
        [
            (2, 8, 9.25, 2, True, 96.5, 81.0),
            (15, 8, 9.75, 0, True, 100.0, 90.5),
            (29, 8, 10.0, 0, True, 100.0, 91.0),
            (38, 8, 10.0, 0, True, 100.0, 89.5),
        ],
    ),
    (
        "src/honeyhive/utils/config.py",
        "unit",
        [
            (9, 8, 10.0, 0, True, 100.0, 95.0),
            (30, 8, 10.0, 0, True, 100.0, 97.5),
        ],
    ),
    (
        "src/honeyhive/tracer/core/tracer.py",
        "integration",
        [
            (4, 5, 9.0, 1, True, 87.5, 41.0),
            (18, 8, 10.0, 0, True, 100.0, 52.5),
            (33, 8, 10.0, 0, False, 100.0, 55.0),
        ],
    ),
    (  # a real regression: from its eighth run on, phase 6 takes 0.35 s longer
        "src/honeyhive/evaluation/evaluators.py",
        "unit",
        [
            *((days, 8, 10.0, 0, True, 100.0, 93.0) for days in (1, 5, 10, 14, 19, 23, 27)),
            (31, 8, 10.0, 0, True, 100.0, 93.0, {"slower": 0.35}),
            (35, 8, 10.0, 0, True, 100.0, 93.0, {"slower": 0.35}),
        ],
    ),
    (  # an improvement: from its eighth run on, phase 5 allocates 8 MB instead of 64
        "src/honeyhive/utils/dotdict.py",
        "unit",
        [
            *(
                (days, 8, 10.0, 0, True, 100.0, 96.0, {"phase_5_mb": 64})
                for days in (3, 7, 11, 16, 20, 24, 28)
            ),
            (32, 8, 10.0, 0, True, 100.0, 96.0, {"phase_5_mb": 8}),
            (36, 8, 10.0, 0, True, 100.0, 96.0, {"phase_5_mb": 8}),
        ],
    ),
]


def simulated_phase(number: int, run: int, changes: dict[str, float]) -> None:
    """Some real work: a short sleep, and in phases 3 and 5 a buffer made and freed."""
    time.sleep(
        0.004 * number + 0.002 * (run % 5) + (changes.get("slower", 0) if number == 6 else 0)
    )
    if number in (3, 5):
        megabytes = 16 + 8 * number - 4 * (run % 5)
        buffer = bytearray(int(changes.get(f"phase_{number}_mb", megabytes)) << 20)
        del buffer


def record(fmc: ModuleType, out: Path) -> list[Path]:
    """Every run of RUNS, saved in out; return the files written."""
    written = []
    for production_file, test_type, runs in RUNS:
        dotted = "_".join(Path(production_file).with_suffix("").parts[2:])
        generated = f"tests/{test_type}/test_{dotted}.py"
        for run, (days, phases, *figures) in enumerate(runs):
            changes = figures.pop() if isinstance(figures[-1], dict) else {}
            with tempfile.TemporaryDirectory() as scratch:
                collector = fmc.FrameworkMetricsCollector(
                    scratch,
                    production_file=production_file,
                    test_type=test_type,
                    generated_file=generated,
                )
                collector.start_execution()
                for number in range(1, phases + 1):
                    simulated_phase(number, run, changes)
                    collector.record_phase_completion(number)
                pylint, mypy, black, pass_rate, coverage = figures
                collector.record_quality_results(
                    pylint, mypy, coverage, black_formatted=black, test_pass_rate=pass_rate
                )
                path = collector.save_execution_metrics()
                document = json.loads(path.read_text(encoding="utf-8"))
            moment = START + timedelta(days=days, minutes=17 * run)
            document["timestamp"] = f"{moment:%Y-%m-%dT%H:%M:%S.%f}Z"
            written.append(fmc.save_metrics_to_json(document, moment, out))
    return written


def main() -> None:
    """Record the example history."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "metrics" / "examples")
    out = parser.parse_args().out
    for old in out.glob("framework-metrics-*.json"):
        old.unlink()
    for path in record(load_script(SCRIPTS / "framework-metrics-collector.py", "fmc"), out):
        print(path)


if __name__ == "__main__":
    main()
