"""The public functions and the collector class, one promise per test."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import psutil
import pytest
from conftest import LOADER, SCRIPT, metrics_files, validate
from loader import load_script

LINUX = sys.platform.startswith("linux")
LINUX_ONLY = pytest.mark.skipif(
    not LINUX, reason="the kernel's own mark of this process is Linux's"
)
SPIKE_MB = 200
GOOD = {"black_formatted": True, "test_pass_rate": 100.0}


def spike(megabytes: int = SPIKE_MB) -> None:
    """Fill and free a buffer in one C call: no Python thread runs while it exists."""
    buffer = b"\x01" * (megabytes << 20)
    del buffer


def saved(path: Path) -> Any:
    """The document saved at path."""
    return json.loads(path.read_text(encoding="utf-8"))


def kernel_peak_mb() -> float:
    """This process's high-water mark as the kernel reports it, read here independently."""
    status = Path("/proc/self/status").read_text(encoding="utf-8")
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def rss_mb() -> float:
    """This process's resident memory now, in MB."""
    return psutil.Process().memory_info().rss / 2**20


# --- importing -------------------------------------------------------------------------------


def test_import_touches_no_file(tmp_path: Path) -> None:
    probe = """
import sys
events = []
sys.addaudithook(lambda event, args: events.append((event, args)))
"""
    probe += LOADER
    probe += """
writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
writes = [a for e, a in events if e == "open" and a[2] & writing]
made = [a for e, a in events if e in ("os.mkdir", "os.rename", "os.link", "os.remove")]
print(writes, made)
"""
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert result.stdout.strip() == "[] []"
    assert not list(tmp_path.iterdir())


def test_nothing_is_written_before_a_save(repo_copy: Path) -> None:
    module = load_script(repo_copy / "scripts" / SCRIPT.name, "fmc_copy_nowrite")
    collector = module.FrameworkMetricsCollector(production_file="src/a.py")
    collector.record_phase_completion(1)
    collector.record_quality_results(10.0, 0, 95.0)
    assert not (repo_copy / "metrics").exists()
    collector.save_execution_metrics()
    assert len(metrics_files(repo_copy / "metrics")) == 1


# --- collect_execution_metrics ---------------------------------------------------------------


@LINUX_ONLY
def test_execution_metrics_measure_time_phases_and_peak(fmc: ModuleType) -> None:
    fmc.collect_execution_metrics(0.0, 0.0, 0)  # a reading restarts the mark
    before = rss_mb()
    start = time.perf_counter()
    spike(150)
    end = time.perf_counter()
    kernel = kernel_peak_mb()
    section = fmc.collect_execution_metrics(start, end, 8)
    assert section["total_time_seconds"] == end - start
    assert section["phases_completed"] == 8
    assert kernel - 0.5 <= section["memory_peak_mb"] <= kernel + 1
    assert section["memory_peak_mb"] - before == pytest.approx(150, rel=0.01)


# --- collect_quality_metrics -----------------------------------------------------------------


def test_quality_metrics_hold_the_five_figures(fmc: ModuleType) -> None:
    section = fmc.collect_quality_metrics(
        "tests/unit/test_a.py", 9.5, 2, 91.0, black_formatted=True, test_pass_rate=97.5
    )
    assert section == {
        "pylint_score": 9.5,
        "mypy_errors": 2,
        "black_formatted": True,
        "test_pass_rate": 97.5,
        "coverage_percentage": 91.0,
    }


def test_quality_figures_not_given_are_null(fmc: ModuleType) -> None:
    section = fmc.collect_quality_metrics(Path("t.py"), None, 0, None)
    assert section["pylint_score"] is None
    assert section["coverage_percentage"] is None
    assert section["black_formatted"] is None
    assert section["test_pass_rate"] is None


def test_quality_keywords_are_keyword_only(fmc: ModuleType) -> None:
    with pytest.raises(TypeError):
        fmc.collect_quality_metrics("t.py", 10.0, 0, 90.0, True, 100.0)


# --- collect_framework_success_metrics -------------------------------------------------------


def test_success_when_every_target_is_met(fmc: ModuleType) -> None:
    met = {"pylint_score": True, "mypy_errors": True, "coverage_percentage": True}
    assert fmc.collect_framework_success_metrics(100.0, met) == {
        "all_targets_met": True,
        "critical_failures": 0,
        "improvement_areas": [],
    }


def test_pass_rate_under_100_is_a_critical_miss(fmc: ModuleType) -> None:
    success = fmc.collect_framework_success_metrics(99.9, {"test_pass_rate": True})
    assert success["all_targets_met"] is False
    assert success["critical_failures"] == 1
    assert success["improvement_areas"] == ["test_pass_rate: target not met"]


def test_missed_coverage_is_not_critical(fmc: ModuleType) -> None:
    met = {"pylint_score": False, "coverage_percentage": False, "mypy_errors": True}
    success = fmc.collect_framework_success_metrics(100, met)
    assert success["critical_failures"] == 1
    assert success["improvement_areas"] == [
        "pylint_score: target not met",
        "coverage_percentage: target not met",
    ]


def test_unmeasured_pass_rate_is_a_miss(fmc: ModuleType) -> None:
    assert fmc.collect_framework_success_metrics(None, {})["all_targets_met"] is False


# --- save_metrics_to_json --------------------------------------------------------------------


def test_save_names_the_file_by_utc_time_and_returns_it(fmc: ModuleType, tmp_path: Path) -> None:
    moment = datetime(2025, 9, 21, 22, 30, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    path = fmc.save_metrics_to_json({"a": 1}, moment, str(tmp_path / "new" / "dir"))
    assert path.parent == tmp_path / "new" / "dir"
    assert path.name.startswith("framework-metrics-20250921T203000123456Z-")
    assert len(path.name.split("Z-")[1]) == len("0123456789abcdef.json")
    assert saved(path) == {"a": 1}


@pytest.mark.parametrize(
    ("zone", "utc_name"),
    [("Asia/Tokyo", "20250101T180405"), ("America/New_York", "20250102T080405")],
)
def test_naive_timestamps_are_local_time(tmp_path: Path, zone: str, utc_name: str) -> None:
    # in a child whose local time is not UTC: on a UTC machine the test would prove nothing
    child = LOADER + f"""
from datetime import datetime
print(fmc.save_metrics_to_json({{}}, datetime(2025, 1, 2, 3, 4, 5), {str(tmp_path)!r}).name)
"""
    result = subprocess.run(
        [sys.executable, "-c", child],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TZ": zone},
    )
    assert result.stdout.startswith(f"framework-metrics-{utc_name}000000Z-")


def test_iso_strings_are_accepted(fmc: ModuleType, tmp_path: Path) -> None:
    path = fmc.save_metrics_to_json({}, "2025-09-21T22:30:00Z", tmp_path)
    assert path.name.startswith("framework-metrics-20250921T223000000000Z")
    offset = fmc.save_metrics_to_json({}, "2025-09-22T00:30:00+02:00", tmp_path)
    assert offset.name.startswith("framework-metrics-20250921T223000000000Z")


def test_names_sort_in_time_order(fmc: ModuleType, tmp_path: Path) -> None:
    base = datetime(2025, 1, 1, tzinfo=timezone.utc)
    moments = [base + timedelta(microseconds=step) for step in (5, 1, 999_999, 10**7, 3)]
    for moment in moments:
        fmc.save_metrics_to_json({"moment": moment.isoformat()}, moment, tmp_path)
    read = [saved(path)["moment"] for path in metrics_files(tmp_path)]
    assert read == sorted(moment.isoformat() for moment in moments)


def test_same_timestamp_twice_gives_two_files(fmc: ModuleType, tmp_path: Path) -> None:
    moment = datetime.now(timezone.utc)
    first = fmc.save_metrics_to_json({"run": 1}, moment, tmp_path)
    second = fmc.save_metrics_to_json({"run": 2}, moment, tmp_path)
    assert first != second
    assert saved(first)["run"] == 1
    assert saved(second)["run"] == 2


def test_a_name_taken_already_raises_rather_than_replace_it(
    fmc: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fmc.os, "urandom", lambda size: bytes(size))  # force the same name
    moment = datetime(2025, 1, 1, tzinfo=timezone.utc)
    first = fmc.save_metrics_to_json({"run": 1}, moment, tmp_path)
    with pytest.raises(FileExistsError):
        fmc.save_metrics_to_json({"run": 2}, moment, tmp_path)
    assert list(tmp_path.iterdir()) == [first]
    assert saved(first) == {"run": 1}


def test_save_leaves_only_the_document(fmc: ModuleType, tmp_path: Path) -> None:
    path = fmc.save_metrics_to_json({"a": [1, 2]}, datetime.now(), tmp_path)
    assert list(tmp_path.iterdir()) == [path]


def test_paths_in_the_data_are_written_as_text(fmc: ModuleType, tmp_path: Path) -> None:
    path = fmc.save_metrics_to_json({"file": Path("src/a.py")}, datetime.now(), tmp_path)
    assert saved(path) == {"file": "src/a.py"}


@pytest.mark.parametrize("timestamp", ["yesterday", 1700000000, "2025-13-01T00:00:00Z"])
def test_a_timestamp_that_is_not_iso_8601_is_refused_and_writes_nothing(
    fmc: ModuleType, tmp_path: Path, timestamp: object
) -> None:
    with pytest.raises(ValueError):
        fmc.save_metrics_to_json({}, timestamp, tmp_path / "out")
    assert not (tmp_path / "out").exists()


# --- FrameworkMetricsCollector ---------------------------------------------------------------


def test_default_folder_is_the_repository_metrics_folder(
    repo_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load_script(repo_copy / "scripts" / SCRIPT.name, "fmc_copy_default")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    path = module.FrameworkMetricsCollector().save_execution_metrics()
    assert path.parent == repo_copy / "metrics"
    assert not list(elsewhere.iterdir())


def test_folder_may_be_str_or_path(fmc: ModuleType, tmp_path: Path) -> None:
    by_str = fmc.FrameworkMetricsCollector(str(tmp_path / "s")).save_execution_metrics()
    by_path = fmc.FrameworkMetricsCollector(tmp_path / "p").save_execution_metrics()
    assert (by_str.parent, by_path.parent) == (tmp_path / "s", tmp_path / "p")
    assert os.path.isfile(by_str) and os.path.isfile(by_path)


def test_only_the_folder_is_positional(fmc: ModuleType, tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        fmc.FrameworkMetricsCollector(tmp_path, "src/a.py")


def test_phase_defaults_are_measured(fmc: ModuleType, tmp_path: Path) -> None:
    started = time.perf_counter()
    collector = fmc.FrameworkMetricsCollector(tmp_path)
    time.sleep(0.05)
    collector.record_phase_completion(1)
    returned = time.perf_counter()
    resident = rss_mb()
    phase = collector.phases[0]
    assert set(phase) == {"phase_number", "duration_seconds", "memory_used_mb", "memory_peak_mb"}
    assert 0.05 <= phase["duration_seconds"] <= returned - started
    assert phase["memory_used_mb"] == pytest.approx(resident, abs=1)
    assert phase["memory_peak_mb"] == pytest.approx(resident, abs=1)


def test_duration_counts_from_the_previous_phase(fmc: ModuleType, tmp_path: Path) -> None:
    collector = fmc.FrameworkMetricsCollector(tmp_path)
    time.sleep(0.1)
    first_called = time.perf_counter()
    collector.record_phase_completion(1)
    first_returned = time.perf_counter()
    time.sleep(0.02)
    second_called = time.perf_counter()
    collector.record_phase_completion(2)
    second_returned = time.perf_counter()
    duration = collector.phases[1]["duration_seconds"]
    assert second_called - first_returned <= duration <= second_returned - first_called


def test_given_values_win_over_measured_ones(fmc: ModuleType, tmp_path: Path) -> None:
    collector = fmc.FrameworkMetricsCollector(tmp_path)
    collector.record_phase_completion(4, 0.0, 0.0)
    collector.record_phase_completion(5, duration=12.5, memory_used=512)
    assert [(p["duration_seconds"], p["memory_used_mb"]) for p in collector.phases] == [
        (0.0, 0.0),
        (12.5, 512),
    ]


def test_start_execution_restarts_the_run(fmc: ModuleType, tmp_path: Path) -> None:
    collector = fmc.FrameworkMetricsCollector(tmp_path)
    collector.record_phase_completion(1)
    time.sleep(0.1)
    restart_called = time.perf_counter()
    collector.start_execution()
    collector.record_phase_completion(1)
    document = saved(collector.save_execution_metrics())
    done = time.perf_counter()
    assert len(document["execution_metrics"]["phases"]) == 1
    assert document["execution_metrics"]["total_time_seconds"] <= done - restart_called


@LINUX_ONLY
def test_a_phase_peak_is_the_kernels_mark_of_a_spike_freed_inside_one_c_call(
    fmc: ModuleType, tmp_path: Path
) -> None:
    collector = fmc.FrameworkMetricsCollector(tmp_path)
    collector.record_phase_completion(1)
    before = rss_mb()
    spike()
    kernel = kernel_peak_mb()  # read independently, just before the collector reads it
    collector.record_phase_completion(2)
    peak = collector.phases[1]["memory_peak_mb"]
    assert kernel - 0.5 <= peak <= kernel + 1
    assert peak - before == pytest.approx(SPIKE_MB, rel=0.01)


@LINUX_ONLY
def test_each_phase_has_its_own_peak_and_the_run_the_highest(
    fmc: ModuleType, tmp_path: Path
) -> None:
    collector = fmc.FrameworkMetricsCollector(tmp_path)
    before = rss_mb()
    spike()
    collector.record_phase_completion(1)
    collector.record_phase_completion(2)
    first, second = collector.phases
    assert first["memory_peak_mb"] - before == pytest.approx(SPIKE_MB, rel=0.01)
    assert second["memory_peak_mb"] == pytest.approx(second["memory_used_mb"], abs=1)
    execution = saved(collector.save_execution_metrics())["execution_metrics"]
    assert execution["memory_peak_mb"] == first["memory_peak_mb"]


@LINUX_ONLY
def test_a_spike_before_start_execution_is_not_phase_ones(fmc: ModuleType, tmp_path: Path) -> None:
    collector = fmc.FrameworkMetricsCollector(tmp_path)
    spike()
    collector.start_execution()
    collector.record_phase_completion(1)
    phase = collector.phases[0]
    assert phase["memory_peak_mb"] == pytest.approx(phase["memory_used_mb"], abs=1)


@LINUX_ONLY
def test_the_run_peak_counts_the_time_after_the_last_phase(fmc: ModuleType, tmp_path: Path) -> None:
    collector = fmc.FrameworkMetricsCollector(tmp_path)
    collector.record_phase_completion(1)
    before = rss_mb()
    spike()
    execution = saved(collector.save_execution_metrics())["execution_metrics"]
    assert execution["memory_peak_mb"] - before == pytest.approx(SPIKE_MB, rel=0.01)


ROOT_AND_UNSHARE = pytest.mark.skipif(
    not LINUX or os.geteuid() != 0 or shutil.which("unshare") is None,
    reason="changing what /proc shows a child takes root and unshare",
)
# a child that records one phase after a 200 MB spike, then prints its peak, its ru_maxrss in
# MB (KiB on Linux) and what its /proc/self/status holds; it is process 1 of its own namespace
SPIKED_CHILD = LOADER + """
import resource
collector = fmc.FrameworkMetricsCollector(sys.argv[1])
len(b"\\x01" * (200 << 20))
collector.record_phase_completion(1)
maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
status = open("/proc/self/status", "rb").read() if os.path.isfile("/proc/self/status") else b"-"
vmhwm_kib = status.split(b"VmHWM:")[1].split()[0].decode() if b"VmHWM:" in status else "-"
print(collector.phases[0]["memory_peak_mb"], maxrss_mb, vmhwm_kib)
"""


def with_proc_changed(tmp_path: Path, mounts: str, child: str = SPIKED_CHILD) -> list[str]:
    """Run the child in a namespace of its own after the shell commands change its /proc."""
    command = [
        "unshare",
        "--pid",
        "--fork",
        "--mount-proc",
        "sh",
        "-c",
        f'{mounts} && exec "$0" "$@"',
    ]
    result = subprocess.run(
        [*command, sys.executable, "-c", child, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.split()


@ROOT_AND_UNSHARE
def test_where_the_kernel_shows_no_vmhwm_the_peak_is_ru_maxrss(tmp_path: Path) -> None:
    # /proc/self/status an empty file, as some sandboxes' /proc lacks VmHWM
    peak, maxrss_mb, vmhwm = with_proc_changed(tmp_path, "mount --bind /dev/null /proc/1/status")
    assert vmhwm == "-"
    assert float(maxrss_mb) - 1 <= float(peak) <= float(maxrss_mb)
    assert float(peak) >= 200


@ROOT_AND_UNSHARE
def test_where_status_cannot_be_opened_the_peak_is_ru_maxrss(tmp_path: Path) -> None:
    # a socket bound over /proc/self/status: opening it fails (ENXIO), as it does without /proc
    # (macOS); psutil still reads the rest of /proc
    socket_path = tmp_path / "socket"
    with socket.socket(socket.AF_UNIX) as bound:
        bound.bind(str(socket_path))
    mounts = f"mount --bind {socket_path} /proc/1/status"
    peak, maxrss_mb, _ = with_proc_changed(tmp_path, mounts)
    assert float(maxrss_mb) - 1 <= float(peak) <= float(maxrss_mb)
    assert float(peak) >= 200


@ROOT_AND_UNSHARE
def test_a_mark_that_cannot_be_restarted_still_gives_vmhwm(tmp_path: Path) -> None:
    # clear_refs read-only (EROFS; kernels before 4.0 refuse "5" with EINVAL): the run goes on
    blocker = tmp_path / "blocker"
    blocker.write_bytes(b"")
    mounts = (
        f"mount --bind {blocker} /proc/1/clear_refs"
        " && mount -o remount,ro,bind /proc/1/clear_refs"
    )
    peak, _, vmhwm_kib = with_proc_changed(tmp_path, mounts)
    assert float(peak) == int(vmhwm_kib) / 1024  # never restarted: the mark still stands
    assert float(peak) >= 200


@ROOT_AND_UNSHARE
def test_where_the_platform_is_macos_ru_maxrss_is_read_as_bytes(tmp_path: Path) -> None:
    # macOS counts ru_maxrss in bytes, Linux in KiB; only the platform's name can be changed
    # here, so this checks the unit the fallback applies, not a reading on a real macOS
    child = SPIKED_CHILD.replace("import resource", "import resource\nsys.platform = 'darwin'")
    peak, maxrss_mb, _ = with_proc_changed(tmp_path, "mount --bind /dev/null /proc/1/status", child)
    assert float(peak) == float(maxrss_mb) * 1024 / 2**20


def test_quality_results_take_both_keywords_by_name(fmc: ModuleType, tmp_path: Path) -> None:
    collector = fmc.FrameworkMetricsCollector(tmp_path)
    collector.record_quality_results(9.0, 1, 80.0, test_pass_rate=50.0, black_formatted=False)
    assert collector.quality == {
        "pylint_score": 9.0,
        "mypy_errors": 1,
        "black_formatted": False,
        "test_pass_rate": 50.0,
        "coverage_percentage": 80.0,
    }


def test_quality_results_refuse_an_unknown_keyword(fmc: ModuleType, tmp_path: Path) -> None:
    collector = fmc.FrameworkMetricsCollector(tmp_path)
    with pytest.raises(TypeError, match="black"):
        collector.record_quality_results(10.0, 0, 90.0, black=True)


def test_saved_document_follows_the_schema(fmc: ModuleType, tmp_path: Path) -> None:
    collector = fmc.FrameworkMetricsCollector(
        tmp_path,
        production_file=Path("src/honeyhive/tracer/instrumentation/initialization.py"),
        generated_file="tests/unit/test_tracer_instrumentation_initialization.py",
    )
    for number in (1, 2, 3):
        collector.record_phase_completion(number)
    collector.record_quality_results(10.0, 0, 92.5, **GOOD)
    document = saved(collector.save_execution_metrics())
    validate(document)
    assert list(document) == [
        "timestamp",
        "framework_version",
        "execution_metrics",
        "quality_metrics",
        "framework_success",
        "production_file",
        "test_type",
        "generated_file",
    ]
    assert str(document["timestamp"]).endswith("Z")
    assert document["framework_version"] == "v3"
    assert document["execution_metrics"]["phases_completed"] == 3
    assert document["production_file"] == "src/honeyhive/tracer/instrumentation/initialization.py"
    assert document["framework_success"] == {
        "all_targets_met": True,
        "critical_failures": 0,
        "improvement_areas": [],
    }


def test_the_file_name_carries_the_documents_timestamp(fmc: ModuleType, tmp_path: Path) -> None:
    path = fmc.FrameworkMetricsCollector(tmp_path).save_execution_metrics()
    stamp = saved(path)["timestamp"]
    compact = stamp.replace("-", "").replace(":", "").replace(".", "")
    assert path.name.startswith(f"framework-metrics-{compact}-")


def test_unit_runs_have_a_coverage_target(fmc: ModuleType, tmp_path: Path) -> None:
    collector = fmc.FrameworkMetricsCollector(tmp_path, test_type="unit")
    collector.record_quality_results(10.0, 0, 89.9, **GOOD)
    success = saved(collector.save_execution_metrics())["framework_success"]
    assert success == {
        "all_targets_met": False,
        "critical_failures": 0,
        "improvement_areas": ["coverage_percentage: target not met"],
    }


def test_integration_runs_have_no_coverage_target(fmc: ModuleType, tmp_path: Path) -> None:
    for coverage in (10.0, None):
        collector = fmc.FrameworkMetricsCollector(tmp_path, test_type="integration")
        collector.record_quality_results(10.0, 0, coverage, **GOOD)
        success = saved(collector.save_execution_metrics())["framework_success"]
        assert success["all_targets_met"] is True


def test_unrecorded_figures_are_null_and_never_met(fmc: ModuleType, tmp_path: Path) -> None:
    document = saved(fmc.FrameworkMetricsCollector(tmp_path).save_execution_metrics())
    validate(document)
    assert set(document["quality_metrics"].values()) == {None}
    assert document["framework_success"] == {
        "all_targets_met": False,
        "critical_failures": 4,
        "improvement_areas": [
            "test_pass_rate: target not met",
            "pylint_score: target not met",
            "mypy_errors: target not met",
            "black_formatted: target not met",
            "coverage_percentage: target not met",
        ],
    }


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("pylint_score", 9.99),
        ("mypy_errors", 1),
        ("coverage", 89.99),
        ("black_formatted", False),
        ("test_pass_rate", 99.0),
    ],
)
def test_each_target_is_judged(fmc: ModuleType, tmp_path: Path, name: str, bad: object) -> None:
    figures = {"pylint_score": 10.0, "mypy_errors": 0, "coverage": 90.0, **GOOD, name: bad}
    collector = fmc.FrameworkMetricsCollector(tmp_path)
    collector.record_quality_results(**figures)
    success = saved(collector.save_execution_metrics())["framework_success"]
    figure = "coverage_percentage" if name == "coverage" else name
    assert success == {
        "all_targets_met": False,
        "critical_failures": 0 if name == "coverage" else 1,
        "improvement_areas": [f"{figure}: target not met"],
    }
