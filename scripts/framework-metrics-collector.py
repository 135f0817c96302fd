"""Metrics of the V3 test-generation framework: the generator imports this file to save each run.

Run it to print the latest run and how every figure moved over the last runs:
python scripts/framework-metrics-collector.py [--metrics-dir DIR] [--last N]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Sequence

import psutil

DEFAULT_METRICS_DIR = Path(__file__).absolute().parent.parent / "metrics"
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
        status = os.open("/proc/self/status", os.O_RDONLY)
    except FileNotFoundError:  # no procfs: the process's lifetime peak, which nothing resets
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return maxrss / (MB if sys.platform == "darwin" else 1024)
    try:
        peak_mb = int(os.read(status, 1 << 16).split(b"VmHWM:")[1].split()[0]) / 1024
    finally:
        os.close(status)
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
    folder = Path(_check("metrics_dir", metrics_dir, PATH + (type(None),)) or DEFAULT_METRICS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    token = os.urandom(8).hex()
    temporary = folder / f".{PREFIX}{token}.tmp"
    try:
        with open(temporary, "x", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        path = folder / f"{PREFIX}{utc.year:04}{utc:%m%dT%H%M%S%f}Z-{token}.json"
        os.link(temporary, path)  # unlike a rename, a link never replaces an existing file
        return path
    finally:
        temporary.unlink(missing_ok=True)


class FrameworkMetricsCollector:
    """Record one generator run phase by phase, with its quality results, and save it."""

    def __init__(
        self,
        metrics_dir: str | Path | None = None,
        *,
        production_file: str | Path = "",
        test_type: str = "unit",
        generated_file: str | Path = "",
    ) -> None:
        if test_type not in ("unit", "integration"):
            raise ValueError(f"test_type must be 'unit' or 'integration', got {test_type!r}")
        self.metrics_dir = _check("metrics_dir", metrics_dir, PATH + (type(None),))
        self.production_file = os.fspath(_check("production_file", production_file, PATH))
        self.test_type = test_type
        self.generated_file = os.fspath(_check("generated_file", generated_file, PATH))
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
        now = time.perf_counter()
        if duration is None:
            duration = now - self._ends[-1]
        if memory_used is None:
            memory_used = self._process.memory_info().rss / MB
        phase = {
            "phase_number": _check("phase_number", phase_number, (int,), low=1),
            "duration_seconds": _check("duration", duration),
            "memory_used_mb": _check("memory_used", memory_used),
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
            coverage = self.quality["coverage_percentage"]
            met["coverage_percentage"] = coverage is not None and coverage >= COVERAGE_TARGET
        success = collect_framework_success_metrics(self.quality["test_pass_rate"], met)
        document = {
            "timestamp": f"{now:%Y-%m-%dT%H:%M:%S.%f}Z",
            "framework_version": "v3",
            "execution_metrics": execution | {"memory_peak_mb": max(peaks), "phases": self.phases},
            "quality_metrics": self.quality,
            "framework_success": success,
            "production_file": self.production_file,
            "test_type": self.test_type,
            "generated_file": self.generated_file,
        }
        return save_metrics_to_json(document, now, self.metrics_dir)


def _figures(path: Path) -> Json:
    with path.open(encoding="utf-8") as handle:
        document = json.loads(handle.read(MB))
    run = "{test_type} test {generated_file} of {production_file}".format_map(document)
    figures: Json = {"file": str(path), "run": run}
    for part in ("execution_metrics", "quality_metrics", "framework_success"):
        figures |= {name: _check(name, value, FIGURE) for name, value in document[part].items()}
    for phase in figures.pop("phases"):
        number = _check("phase_number", phase.pop("phase_number"), (int,), low=1)
        figures |= {f"phase {number} {name}": _check(name, value) for name, value in phase.items()}
    return figures


def _show(value: Any) -> str:
    if isinstance(value, list):  # the improvement areas: the table shows how many
        return str(len(value))
    return f"{value:.2f}" if isinstance(value, float) else json.dumps(value)


def _summary(runs: list[Json]) -> str:
    latest = runs[0]
    areas = latest.get("improvement_areas")
    named = "; ".join(map(str, areas)) if isinstance(areas, list) else ""
    lines = [
        f"latest run: {latest.pop('file')}",
        str(latest.pop("run")),
        f"improvement areas: {named or 'none'}",
        f"{'figure':<34}{'latest':>10}{'change':>10}  last {len(runs)} runs, oldest first",
    ]
    for name, value in latest.items():
        prior = runs[1].get(name) if len(runs) > 1 else None
        change = f"{value - prior:+.2f}" if {type(value), type(prior)} <= {int, float} else ""
        trend = " ".join(_show(run.get(name)) for run in reversed(runs))
        lines.append(f"{name:<34}{_show(value):>10}{change:>10}  {trend}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the latest run and how each figure moved over the last runs; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metrics-dir", type=Path, default=DEFAULT_METRICS_DIR)
    parser.add_argument("--last", type=int, default=10, help="runs in the trend (default: 10)")
    args = parser.parse_args(argv)
    if args.last < 1:
        parser.error("--last must be at least 1")
    runs: list[Json] = []
    names: list[str] = []
    with contextlib.suppress(OSError):  # a missing or unreadable folder holds no metrics file
        names = sorted(os.listdir(args.metrics_dir), reverse=True)
    for path in (
        args.metrics_dir / n for n in names if n.startswith(PREFIX) and n.endswith(".json")
    ):
        try:
            runs.append(_figures(path))
        except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
            print(f"skipped {path}: {error!r}", file=sys.stderr)
        if len(runs) == args.last:
            break
    if not runs:
        save = "FrameworkMetricsCollector(metrics_dir).save_execution_metrics() writes one"
        print(f"no readable metrics file in {args.metrics_dir}: {save}", file=sys.stderr)
        return 1
    try:
        print(_summary(runs), flush=True)
    except BrokenPipeError:  # the reader stopped early, as `| head` does: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
