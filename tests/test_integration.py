"""A generator-like run: the script loaded by path, eight phases of real work, then the summary."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from conftest import SCRIPT, metrics_files, summary, validate
from loader import load_script

ALLOCATIONS_MB = {2: 64, 5: 160}


def run_generator(metrics_dir: Path) -> Path:
    """Eight phases as the generator runs them: allocations, sleeps and a child process."""
    module = load_script(SCRIPT, "framework_metrics_collector_integration")
    collector = module.FrameworkMetricsCollector(
        metrics_dir,
        production_file="src/honeyhive/tracer/instrumentation/initialization.py",
        test_type="unit",
        generated_file="tests/unit/test_tracer_instrumentation_initialization.py",
    )
    collector.start_execution()
    for phase in range(1, 9):
        if phase in ALLOCATIONS_MB:
            kept = bytearray(b"\x01" * (ALLOCATIONS_MB[phase] << 20))
            del kept
        if phase == 7:  # the quality gates run as child processes
            subprocess.run(
                [sys.executable, "-c", "print(sum(range(10**6)))"], check=True, capture_output=True
            )
        time.sleep(0.02)
        collector.record_phase_completion(phase)
    collector.record_quality_results(10.0, 0, 92.5, black_formatted=True, test_pass_rate=100.0)
    return collector.save_execution_metrics()


def test_a_full_run_is_recorded_and_summarized(tmp_path: Path) -> None:
    first = run_generator(tmp_path)
    second = run_generator(tmp_path)
    assert metrics_files(tmp_path) == [first, second]
    document = json.loads(second.read_text(encoding="utf-8"))
    validate(document)
    execution = document["execution_metrics"]
    phases = execution["phases"]
    assert [phase["phase_number"] for phase in phases] == list(range(1, 9))
    assert all(phase["duration_seconds"] >= 0.02 for phase in phases)
    assert execution["total_time_seconds"] >= sum(p["duration_seconds"] for p in phases) * 0.99
    for number, megabytes in ALLOCATIONS_MB.items():
        phase = phases[number - 1]
        assert phase["memory_peak_mb"] - phase["memory_used_mb"] >= megabytes * 0.9
    assert execution["memory_peak_mb"] >= max(phase["memory_peak_mb"] for phase in phases)
    assert document["framework_success"]["all_targets_met"] is True

    result = summary("--metrics-dir", tmp_path)
    assert result.returncode == 0, result.stderr
    assert second.name in result.stdout
    assert "total_time_seconds" in result.stdout and "all_targets_met" in result.stdout
