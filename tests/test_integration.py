"""A generator-like run: the script loaded by path, eight phases of real work, then the summary."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import LOADER, SCRIPT, metrics_files, summary, validate
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


LAUNCHER_HELD_MB, GENERATOR_SPIKE_MB = 800, 100
# a generator that records three phases, with a spike of its own inside one C call in phase 2;
# before each record it reads its own high-water mark from the kernel, independently
GENERATOR = LOADER + """
import json, resource, psutil

def own_peak_mb():
    status = open("/proc/self/status", encoding="utf-8").read()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024

collector = fmc.FrameworkMetricsCollector(sys.argv[1], production_file="src/a.py")
collector.start_execution()
readings = []
for phase in (1, 2, 3):
    readings.append({"rss": psutil.Process().memory_info().rss / 2**20})
    if phase == 2:
        len(b"\\x01" * (int(sys.argv[2]) << 20))
    readings[-1]["own"] = own_peak_mb()
    collector.record_phase_completion(phase)
path = collector.save_execution_metrics()
ru_maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"path": str(path), "readings": readings, "ru_maxrss_mb": ru_maxrss_mb}))
"""
# a launcher, as a CI runner or tox is: it held far more memory than the generator will
LAUNCHER = """
import subprocess, sys
held = b"\\x01" * (int(sys.argv[1]) << 20)
del held
child = subprocess.run([sys.executable, "-c", *sys.argv[2:]], check=True, stdout=subprocess.PIPE)
print(child.stdout.decode(), end="")
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the carried mark is Linux's")
def test_a_launched_generator_records_its_own_peak_not_its_launchers(tmp_path: Path) -> None:
    launched = subprocess.run(
        [
            sys.executable,
            "-c",
            LAUNCHER,
            str(LAUNCHER_HELD_MB),
            GENERATOR,
            str(tmp_path),
            str(GENERATOR_SPIKE_MB),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    report = json.loads(launched.stdout)
    # the premise: the kernel's ru_maxrss of the generator holds the launcher's mark
    assert report["ru_maxrss_mb"] >= LAUNCHER_HELD_MB
    document = json.loads(Path(report["path"]).read_text(encoding="utf-8"))
    phases = document["execution_metrics"]["phases"]
    for phase, reading in zip(phases, report["readings"]):
        assert reading["own"] - 0.5 <= phase["memory_peak_mb"] <= reading["own"] + 1
    quiet = [phases[0], phases[2]]
    for phase in quiet:
        assert phase["memory_peak_mb"] == pytest.approx(phase["memory_used_mb"], abs=1)
    spiked = phases[1]["memory_peak_mb"] - report["readings"][1]["rss"]
    assert spiked == pytest.approx(GENERATOR_SPIKE_MB, rel=0.01)
    assert document["execution_metrics"]["memory_peak_mb"] == phases[1]["memory_peak_mb"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the restart is Linux's")
def test_after_a_run_the_launcher_sees_the_last_phases_peak(tmp_path: Path) -> None:
    # what the README warns of: /usr/bin/time or a parent's RUSAGE_CHILDREN read the restarted
    # mark, the peak since the last phase, not the run's (the document holds that)
    launcher = (
        "import resource, subprocess, sys\n"
        "child = subprocess.run([sys.executable, '-c', *sys.argv[1:]], check=True, "
        "stdout=subprocess.PIPE)\n"
        "print(child.stdout.decode().strip())\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
    )
    launched = subprocess.run(
        [sys.executable, "-c", launcher, GENERATOR, str(tmp_path), "300"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    report, children_mb = launched.stdout.splitlines()
    document = json.loads(Path(json.loads(report)["path"]).read_text(encoding="utf-8"))
    execution = document["execution_metrics"]
    assert execution["memory_peak_mb"] >= 300
    assert float(children_mb) == pytest.approx(execution["phases"][2]["memory_peak_mb"], abs=2)
