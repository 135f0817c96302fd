"""Save each V3 test-generator run as one timestamped JSON file; run directly, show the latest."""

import argparse
import contextlib
import glob
import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from resource import RUSAGE_SELF, getrusage
from typing import Any

import psutil

DEFAULT_METRICS_DIR = Path(__file__).absolute().parent.parent / "metrics"
PREFIX = "framework-metrics-"
DOCUMENT = "timestamp framework_version execution_metrics quality_metrics framework_success".split()
EXECUTION = "total_time_seconds phases_completed memory_peak_mb".split()
GATES = "pylint_score mypy_errors black_formatted test_pass_rate coverage_percentage".split()
PHASE = "phase_number duration_seconds memory_used_mb memory_peak_mb".split()
RUN = ("production_file", "test_type", "generated_file")  # the summary compares runs alike in these
TARGETS = {"test_pass_rate": 100.0, "pylint_score": 10.0, "mypy_errors": 0, "black_formatted": True}
MIN_COVERAGE = {"unit": 90.0, "integration": 0.0}  # by test type; its miss is not critical
Json = dict[str, Any]
Folder = str | Path | None
Moment = datetime | str


def _peak_mb() -> float:  # the high-water mark of resident memory since the last reading, in MB
    peak_mb = getrusage(RUSAGE_SELF).ru_maxrss / (2**20 if sys.platform == "darwin" else 1024)
    with contextlib.suppress(OSError, IndexError), open("/proc/self/status", "rb") as status:
        peak_mb = int(status.read().split(b"VmHWM:")[1].split()[0]) / 1024  # this process's own
        with open("/proc/self/clear_refs", "wb", buffering=0) as refs:
            refs.write(b"5")  # restarts the mark from the current resident size (Linux 4.0+)
    return peak_mb


def collect_execution_metrics(start_time: float, end_time: float, phases_completed: int) -> Json:
    """Return the execution section: seconds elapsed, phases completed, this process's peak MB."""
    return dict(zip(EXECUTION, (end_time - start_time, phases_completed, _peak_mb())))


def collect_quality_metrics(
    test_file: str | Path,
    pylint_score: float | None,
    mypy_errors: int | None,
    coverage: float | None,
    *,
    black_formatted: bool | None = None,
    test_pass_rate: float | None = None,
) -> Json:
    """Return the quality section of test_file's run; a figure given as None was not measured."""
    del test_file  # the document names it once, as generated_file
    return dict(zip(GATES, (pylint_score, mypy_errors, black_formatted, test_pass_rate, coverage)))


def collect_framework_success_metrics(pass_rate: float | None, target_achievement: Json) -> Json:
    """Judge a run by its test pass rate and each other target's met (True) or missed (False)."""
    met = {**target_achievement, "test_pass_rate": pass_rate == TARGETS["test_pass_rate"]}
    areas = [f"{name}: target not met" for name, ok in met.items() if not ok]
    fails = sum(not ok for name, ok in met.items() if name in TARGETS)
    return {"all_targets_met": not areas, "critical_failures": fails, "improvement_areas": areas}


def save_metrics_to_json(metrics_data: Json, timestamp: Moment, metrics_dir: Folder = None) -> Path:
    """Write metrics_data to a new file named by its UTC timestamp; return the file's path."""
    text = json.dumps(metrics_data, indent=2, allow_nan=False, default=os.fspath)
    utc = datetime.fromisoformat(str(timestamp)).astimezone(UTC)
    folder = Path(metrics_dir or DEFAULT_METRICS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{PREFIX}{utc:%Y%m%dT%H%M%S%f}Z-{os.urandom(8).hex()}.json"
    with open(path, "x", encoding="utf-8") as file:  # "x" never replaces a file
        file.write(text)
    return path


@dataclass(kw_only=True)
class FrameworkMetricsCollector:
    """Record one generator run phase by phase, with its quality results, and save it."""

    metrics_dir: Folder = field(default=None, kw_only=False)
    production_file: str = ""
    test_type: str = "unit"
    generated_file: str = ""

    def __post_init__(self) -> None:
        self.memory_info = psutil.Process().memory_info
        self.quality = dict.fromkeys(GATES)
        self.start_execution()

    def start_execution(self) -> None:
        """Start the run's clock and memory watch again, forgetting the phases recorded so far."""
        self.phases: list[Json] = []
        self.ends = [time.perf_counter()]  # the run's start, then each phase's end
        _peak_mb()

    def record_phase_completion(
        self, phase_number: int, duration: float | None = None, memory_used: float | None = None
    ) -> None:
        """Record a finished phase: its seconds, the memory in use and its own peak, in MB."""
        self.ends.append(time.perf_counter())
        duration = self.ends[-1] - self.ends[-2] if duration is None else duration
        memory_used = self.memory_info().rss / 2**20 if memory_used is None else memory_used
        self.phases.append(dict(zip(PHASE, (phase_number, duration, memory_used, _peak_mb()))))

    def record_quality_results(self, *figures: Any, **named: Any) -> None:
        """Record the quality figures: collect_quality_metrics's arguments after test_file."""
        self.quality = collect_quality_metrics(self.generated_file, *figures, **named)

    def save_execution_metrics(self) -> Path:
        """Save the run as one metrics document in metrics_dir and return the file's path."""
        now = datetime.now(UTC)
        execution = collect_execution_metrics(self.ends[0], time.perf_counter(), len(self.phases))
        peaks = [execution["memory_peak_mb"]] + [phase["memory_peak_mb"] for phase in self.phases]
        execution |= {"memory_peak_mb": max(peaks), "phases": self.phases}
        met = {name: self.quality[name] == target for name, target in TARGETS.items()}
        coverage = self.quality["coverage_percentage"] or 0  # never measured (None) counts as 0
        met["coverage_percentage"] = coverage >= MIN_COVERAGE[self.test_type]
        success = collect_framework_success_metrics(self.quality["test_pass_rate"], met)
        sections = (f"{now:%Y-%m-%dT%H:%M:%S.%f}Z", "v3", execution, self.quality, success)
        document = dict(zip(DOCUMENT, sections)) | {key: getattr(self, key) for key in RUN}
        return save_metrics_to_json(document, now, self.metrics_dir)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--metrics-dir", type=Path, default=DEFAULT_METRICS_DIR)
    metrics = parser.parse_args().metrics_dir
    runs: list[Json] = []
    for name in sorted(glob.glob(f"{PREFIX}*.json", root_dir=metrics), reverse=True):
        try:
            run = {"file": str(metrics / name)} | json.loads((metrics / name).read_text("utf-8"))
            for part in reversed(DOCUMENT[2:]):  # the verdict first; a section is an object
                run |= {**run.pop(part)}
            run.pop("phases", None)
            if not runs or all(run.get(key) == runs[0].get(key) for key in RUN):
                runs.append(run)
        except (OSError, ValueError, TypeError, KeyError, RecursionError) as error:
            print(f"{metrics / name}: not a metrics document, skipped ({error!r})", file=sys.stderr)
        if len(runs) == 2:
            break
    if not runs:
        sys.exit(f"no readable metrics file in {metrics}: a collector's save writes one")
    for key, value in runs[0].items():
        numbers = {type(value), type(runs[-1].get(key))} <= {int, float} and len(runs) > 1
        print(f"{key:30}{json.dumps(value):>20}", f"{value - runs[-1][key]:+9g}" if numbers else "")
