"""Benchmark the collector against its peers and its physical floor; print one table.

Run: python tests/bench_collector.py [--quick]
Every figure is a ratio of two things measured in this run (medians of several repetitions),
so a busy machine moves both sides together. Not collected by pytest: timings are no tests.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import psutil
from loader import SCRIPTS, load_script

SCRIPT = SCRIPTS / "framework-metrics-collector.py"
SPIKE_MB = 300
MB = 2**20


def spike() -> int:
    """Fill and free a 300 MB buffer inside one call: the buffer never outlives len()."""
    return len(b"\x01" * (SPIKE_MB * MB))


def kernel_peak_mb() -> float:
    """The kernel's high-water mark of this process's resident memory."""
    status = Path("/proc/self/status").read_text(encoding="utf-8")
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def sampled_peak_mb(action: Callable[[], Any], interval: float) -> float:
    """The highest RSS a psutil thread sees while the action runs, polling every interval."""
    process, highest, done = psutil.Process(), [0.0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            highest[0] = max(highest[0], process.memory_info().rss / MB)
            time.sleep(interval)

    sampler = threading.Thread(target=sample)
    sampler.start()
    time.sleep(3 * interval)
    action()
    time.sleep(3 * interval)
    done.set()
    sampler.join()
    return highest[0]


def peak_capture(fmc: ModuleType, repetitions: int) -> dict[str, float]:
    """Share of the kernel-measured spike that each method reports as the phase's peak."""
    shares: dict[str, list[float]] = {"collector": [], "psutil thread, 10 ms": []}
    try:
        from memory_profiler import memory_usage  # type: ignore[import-untyped]
    except ImportError:
        memory_usage = None
    else:
        shares["memory_profiler, default interval"] = []
    for _ in range(repetitions):
        collector = fmc.FrameworkMetricsCollector(tempfile.gettempdir())
        base = psutil.Process().memory_info().rss / MB
        spike()
        kernel = kernel_peak_mb() - base
        collector.record_phase_completion(1)
        shares["collector"].append((collector.phases[0]["memory_peak_mb"] - base) / kernel)
        collector.start_execution()  # restarts the kernel's mark for the peers' turn
        base = psutil.Process().memory_info().rss / MB
        seen = sampled_peak_mb(spike, 0.010) - base
        shares["psutil thread, 10 ms"].append(max(seen, 0) / (kernel_peak_mb() - base))
        if memory_usage is not None:
            collector.start_execution()
            base = psutil.Process().memory_info().rss / MB
            seen = memory_usage((spike, (), {}), max_usage=True) - base
            shares["memory_profiler, default interval"].append(
                max(seen, 0) / (kernel_peak_mb() - base)
            )
    return {name: statistics.median(values) for name, values in shares.items()}


def timed(action: Callable[[], Any], count: int) -> float:
    """Seconds per call, over count calls."""
    start = time.perf_counter()
    for _ in range(count):
        action()
    return (time.perf_counter() - start) / count


def own_peak_kib() -> int:
    """The floor's reading of this process's own high-water mark: open, read and parse VmHWM."""
    with open("/proc/self/status", "rb") as status:
        return int(status.read().split(b"VmHWM:")[1].split()[0])


def phase_record_ratio(fmc: ModuleType, repetitions: int, count: int) -> float:
    """One measured record_phase_completion over one RSS read plus one read of VmHWM."""
    process, ratios = psutil.Process(), []
    for _ in range(repetitions):
        collector = fmc.FrameworkMetricsCollector(tempfile.gettempdir())
        record = timed(functools.partial(collector.record_phase_completion, 1), count)
        floor = timed(lambda: (process.memory_info(), own_peak_kib()), count)
        ratios.append(record / floor)
    return statistics.median(ratios)


def save_ratio(fmc: ModuleType, repetitions: int, count: int) -> float:
    """save_execution_metrics over json.dumps of the same document written to a new file."""
    ratios = []
    with tempfile.TemporaryDirectory() as folder:
        collector = fmc.FrameworkMetricsCollector(folder, production_file="src/pkg/module.py")
        for phase in range(1, 9):
            collector.record_phase_completion(phase)
        collector.record_quality_results(10.0, 0, 92.5, black_formatted=True, test_pass_rate=100)
        document = json.loads(collector.save_execution_metrics().read_text(encoding="utf-8"))

        def floor() -> None:
            text = json.dumps(document, indent=2)
            with open(
                Path(folder) / f"floor-{time.perf_counter_ns()}.json", "x", encoding="utf-8"
            ) as h:
                h.write(text)

        for _ in range(repetitions):
            ratios.append(timed(collector.save_execution_metrics, count) / timed(floor, count))
    return statistics.median(ratios)


def wall_seconds(command: list[str]) -> float:
    """Wall time of a command run once, in a child process."""
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def summary_ratios(fmc: ModuleType, sizes: list[int], repetitions: int) -> dict[str, float]:
    """The summary's time with each history size over 10 files, and 10 files over bare Python.

    Each history is a folder of its own, made before any timing; the repetitions interleave the
    sizes and the bare interpreter, so that a machine that slows down slows every side alike.
    """
    bare = [sys.executable, "-c", "import json, argparse, pathlib"]
    times: dict[int | None, list[float]] = {size: [] for size in [None, *sizes]}
    with tempfile.TemporaryDirectory() as scratch:
        collector = fmc.FrameworkMetricsCollector(scratch, production_file="src/pkg/module.py")
        for phase in range(1, 9):
            collector.record_phase_completion(phase)
        collector.record_quality_results(10.0, 0, 92.5, black_formatted=True, test_pass_rate=100)
        template = collector.save_execution_metrics()
        commands: dict[int | None, list[str]] = {None: bare}
        for size in sizes:
            folder = Path(scratch) / str(size)
            folder.mkdir()
            for number in range(size):
                moment = datetime(2020, 1, 1, tzinfo=timezone.utc).timestamp() + number
                stamp = datetime.fromtimestamp(moment, timezone.utc).strftime("%Y%m%dT%H%M%S")
                shutil.copyfile(template, folder / f"framework-metrics-{stamp}000000Z-b.json")
            commands[size] = [sys.executable, str(SCRIPT), "--metrics-dir", str(folder)]
        for _ in range(repetitions):
            for size, command in commands.items():
                times[size].append(wall_seconds(command))
    median = {size: statistics.median(values) for size, values in times.items()}
    ratios = {
        f"summary, {size:,} files / 10 files": median[size] / median[10] for size in sizes[1:]
    }
    return {
        "summary, 10 files / bare python -c 'import json, argparse, pathlib'": median[10]
        / median[None],
        **ratios,
    }


def main() -> None:
    """Measure everything and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and files")
    quick = parser.parse_args().quick
    fmc = load_script(SCRIPT, "framework_metrics_collector")
    reps = 3 if quick else 7
    sizes = [10, 1_000] if quick else [10, 1_000, 10_000, 100_000]
    rows: list[tuple[str, float, str]] = []
    for name, share in peak_capture(fmc, reps).items():
        rows.append(
            (
                f"peak capture, {name} (share of the spike)",
                share,
                ">= 0.95" if name == "collector" else "(peer)",
            )
        )
    rows.append(("record_phase_completion / floor", phase_record_ratio(fmc, reps, 2000), "<= 1.5"))
    rows.append(("save_execution_metrics / floor", save_ratio(fmc, reps, 20), "(no goal)"))
    for name, ratio in summary_ratios(fmc, sizes, reps).items():
        goal = "<= 2.5" if "bare" in name else "<= 1.5" if "10,000" in name else "(no goal)"
        rows.append((name, ratio, goal))
    print(
        f"{datetime.now(timezone.utc):%Y-%m-%d}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, {'quick' if quick else 'full'} run, medians of {reps}"
    )
    start = time.perf_counter()
    spike()
    print(f"the {SPIKE_MB} MB spike lasts {(time.perf_counter() - start) * 1000:.0f} ms here")
    print("| figure | ratio | goal |\n|---|---:|---|")
    for name, ratio, goal in rows:
        print(f"| {name} | {ratio:.2f} | {goal} |")


if __name__ == "__main__":
    main()
