"""Metrics of the V3 test-generation framework: the generator imports this file to save each run.

Run it to print the latest run and how every figure moved over the last runs:
python scripts/framework-metrics-collector.py [--metrics-dir DIR] [--last N]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import resource
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Sequence

import psutil

DEFAULT_METRICS_DIR = Path(__file__).resolve().parent.parent / "metrics"
PREFIX, MB = "framework-metrics-", 1024 * 1024
NUMBER, MAYBE, PATH = (int, float), (int, float, type(None)), (str, os.PathLike)
FIGURE = (bool, int, float, type(None), list)
# the V3 targets: each is its figure's best valid value, except coverage (unit tests only)
TARGETS = {"pylint_score": 10, "mypy_errors": 0, "black_formatted": True, "test_pass_rate": 100}
COVERAGE_TARGET = 90.0
Json = dict[str, Any]


def _check(name: str, value: Any, kinds: Any = NUMBER, high: float = 1e308, low: float = 0) -> Any:
    if not isinstance(value, kinds) or isinstance(value, bool) and bool not in kinds:
        raise TypeError(f"{name} must be {' or '.join(k.__name__ for k in kinds)}, got {value!r}")
    if isinstance(value, NUMBER) and not low <= value <= high:
        raise ValueError(f"{name} must be finite, from {low} to {high:g}, got {value!r}")
    return value


def _peak_mb(reset: bool = False) -> float:
    # the kernel's high-water mark of resident memory catches spikes that sampling threads miss
    try:
        with open("/proc/self/status", "rb") as status:
            peak_mb = int(status.read().split(b"VmHWM:")[1].split()[0]) / 1024
    except FileNotFoundError:  # no procfs: the process's lifetime peak, which nothing resets
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (
            MB if sys.platform == "darwin" else 1024
        )
    if reset:  # writing 5 to clear_refs restarts the mark from the current resident size
        with contextlib.suppress(OSError), open("/proc/self/clear_refs", "wb", buffering=0) as refs:
            refs.write(b"5")
    return peak_mb


def collect_execution_metrics(start_time: float, end_time: float, phases_completed: int) -> Json:
    """Return the execution section: seconds elapsed, phases completed, this process's peak MB."""
    elapsed = _check("end_time", end_time, low=_check("start_time", start_time)) - start_time
    phases = _check("phases_completed", phases_completed, (int,))
    return {"total_time_seconds": elapsed, "phases_completed": phases, "memory_peak_mb": _peak_mb()}


def collect_quality_metrics(
    test_file: str | Path,
    pylint_score: float | None,
    mypy_errors: int | None,
    coverage: float | None,
    *,
    black_formatted: bool | None = None,
    test_pass_rate: float | None = None,
) -> Json:
    """Return the quality section for test_file; a figure given as None was not measured."""
    _check("test_file", test_file, PATH)
    return {
        "pylint_score": _check("pylint_score", pylint_score, MAYBE, 10),
        "mypy_errors": _check("mypy_errors", mypy_errors, (int, type(None))),
        "black_formatted": _check("black_formatted", black_formatted, (bool, type(None))),
        "test_pass_rate": _check("test_pass_rate", test_pass_rate, MAYBE, 100),
        "coverage_percentage": _check("coverage", coverage, MAYBE, 100),
    }


def collect_framework_success_metrics(
    pass_rate: float | None, target_achievement: Mapping[str, bool]
) -> Json:
    """Judge a run by its pass rate and each target's met (True) or missed (False)."""
    achieved = _check("target_achievement", target_achievement, (Mapping,))
    met = {name: _check(f"target_achievement {name}", ok, (bool,)) for name, ok in achieved.items()}
    passed = _check("pass_rate", pass_rate, MAYBE, 100) == 100
    met["test_pass_rate"] = met.get("test_pass_rate", True) and passed
    missed = [name for name, ok in met.items() if not ok]
    fails = sum(name != "coverage_percentage" for name in missed)
    areas = [f"{name}: target not met" for name in missed]
    return {"all_targets_met": not missed, "critical_failures": fails, "improvement_areas": areas}


def save_metrics_to_json(
    metrics_data: Json, timestamp: datetime | str, metrics_dir: str | Path | None = None
) -> Path:
    """Write metrics_data to a new file named by its UTC timestamp, atomically; return its path."""
    try:
        text = json.dumps(_check("metrics_data", metrics_data, (dict,)), indent=2, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise type(error)(f"metrics_data cannot be written as JSON: {error}") from error
    try:
        moment = datetime.fromisoformat(timestamp) if isinstance(timestamp, str) else timestamp
    except ValueError as error:
        raise ValueError(f"timestamp is not ISO 8601: {timestamp!r}") from error
    utc = _check("timestamp", moment, (datetime,)).astimezone(timezone.utc)
    folder = Path(_check("metrics_dir", metrics_dir or DEFAULT_METRICS_DIR, PATH))
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=folder, prefix=f".{PREFIX}"
    ) as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
        path = folder / f"{PREFIX}{utc.year:04}{utc:%m%dT%H%M%S%f}Z-{os.urandom(4).hex()}.json"
        os.link(handle.name, path)  # unlike a rename, a link never replaces an existing file
    return path


@dataclasses.dataclass
class FrameworkMetricsCollector:
    """Record one generator run phase by phase, with its quality results, and save it."""

    metrics_dir: dataclasses.InitVar[str | Path | None] = None
    _: dataclasses.KW_ONLY
    production_file: str = ""
    test_type: str = "unit"
    generated_file: str = ""

    def __post_init__(self, metrics_dir: str | Path | None) -> None:
        if self.test_type not in ("unit", "integration"):
            raise ValueError(f"test_type must be 'unit' or 'integration', got {self.test_type!r}")
        self.production_file = os.fspath(_check("production_file", self.production_file, PATH))
        self.generated_file = os.fspath(_check("generated_file", self.generated_file, PATH))
        self.folder = metrics_dir
        self.quality = collect_quality_metrics(self.generated_file, None, None, None)
        self.phases: list[Json] = []
        self._ends: list[float] = []
        self._process = psutil.Process()
        self.start_execution()

    def start_execution(self) -> None:
        """(Re)start the clock and the memory watch, forgetting the phases recorded so far."""
        self.phases.clear()
        _peak_mb(reset=True)
        self._ends[:] = [time.perf_counter()]

    def record_phase_completion(
        self, phase_number: int, duration: float | None = None, memory_used: float | None = None
    ) -> None:
        """Record a finished phase: its seconds, the memory in use and its own peak, in MB."""
        now, rss_mb = time.perf_counter(), self._process.memory_info().rss / MB
        phase = {
            "phase_number": _check("phase_number", phase_number, (int,), low=1),
            "duration_seconds": (
                now - self._ends[-1] if duration is None else _check("duration", duration)
            ),
            "memory_used_mb": rss_mb if memory_used is None else _check("memory_used", memory_used),
            "memory_peak_mb": _peak_mb(reset=True),
        }
        self.phases.append(phase)
        self._ends.append(now)

    def record_quality_results(
        self,
        pylint_score: float | None,
        mypy_errors: int | None,
        coverage: float | None,
        *,
        black_formatted: bool | None = None,
        test_pass_rate: float | None = None,
    ) -> None:
        """Record the quality gates' figures for the generated test file."""
        self.quality = collect_quality_metrics(
            self.generated_file,
            pylint_score,
            mypy_errors,
            coverage,
            black_formatted=black_formatted,
            test_pass_rate=test_pass_rate,
        )

    def save_execution_metrics(self) -> Path:
        """Save the run as one metrics document in metrics_dir and return the file's path."""
        now = datetime.now(timezone.utc)
        done = len({phase["phase_number"] for phase in self.phases})
        execution = collect_execution_metrics(self._ends[0], time.perf_counter(), done)
        peaks = [execution["memory_peak_mb"]] + [phase["memory_peak_mb"] for phase in self.phases]
        # a figure never measured (None) equals no target
        met = {name: self.quality[name] == target for name, target in TARGETS.items()}
        if self.test_type == "unit":
            met["coverage_percentage"] = (
                self.quality["coverage_percentage"] or 0
            ) >= COVERAGE_TARGET
        document = {
            "timestamp": f"{now:%Y-%m-%dT%H:%M:%S.%f}Z",
            "framework_version": "v3",
            "execution_metrics": execution | {"memory_peak_mb": max(peaks), "phases": self.phases},
            "quality_metrics": self.quality,
            "framework_success": collect_framework_success_metrics(
                self.quality["test_pass_rate"], met
            ),
        }
        return save_metrics_to_json(document | dataclasses.asdict(self), now, self.folder)


def _figures(path: Path) -> Json:
    with path.open(encoding="utf-8") as handle:
        document = json.loads(handle.read(MB))
    figures = {
        "file": str(path),
        "run": "{test_type} test {generated_file} of {production_file}".format_map(document),
    }
    for phase in document["execution_metrics"].pop("phases"):
        number = _check("phase_number", phase.pop("phase_number"), (int,), low=1)
        figures |= {f"phase {number} {name}": _check(name, value) for name, value in phase.items()}
    for part in ("execution_metrics", "quality_metrics", "framework_success"):
        figures |= {name: _check(name, value, FIGURE) for name, value in document[part].items()}
    return figures


def _show(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, float) else json.dumps(value)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the latest run and how each figure moved over the last runs; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metrics-dir", type=Path, default=DEFAULT_METRICS_DIR)
    parser.add_argument("--last", type=int, default=10, help="runs in the trend (default: 10)")
    args = parser.parse_args(argv)
    if args.last < 1:
        parser.error("--last must be at least 1")
    runs: list[Json] = []
    for path in sorted(args.metrics_dir.glob(f"{PREFIX}*.json"), reverse=True):
        try:
            runs.append(_figures(path))
        except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
            print(f"skipped {path}: {error!r}", file=sys.stderr)
        if len(runs) == args.last:
            break
    if not runs:
        print(
            f"no readable metrics file in {args.metrics_dir}: a run saved there makes one",
            file=sys.stderr,
        )
        return 1
    print(f"latest run: {runs[0].pop('file')}\n{runs[0].pop('run')}")
    print(f"{'figure':<34}{'latest':>10}{'change':>10}  last {len(runs)} runs, oldest first")
    for name, value in runs[0].items():
        prior = runs[1].get(name) if len(runs) > 1 else None
        change = f"{value - prior:+.2f}" if {type(value), type(prior)} <= {int, float} else ""
        history = " ".join(_show(run.get(name)) for run in reversed(runs))
        print(f"{name:<34}{_show(value):>10}{change:>10}  {history}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
