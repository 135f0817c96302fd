"""The public functions and the collector class, one promise per test."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType

import psutil
import pytest
from conftest import SCRIPT, load_script, metrics_files, validate

LINUX = sys.platform.startswith("linux")
SPIKE_MB = 200


def spike(megabytes: int = SPIKE_MB) -> None:
    """Fill and free a buffer in one C call: no Python thread runs while it exists."""
    buffer = b"\x01" * (megabytes << 20)
    del buffer


# --- importing -------------------------------------------------------------------------------


def test_import_touches_no_file(tmp_path: Path) -> None:
    probe = f"""
import importlib.util, os, sys
events = []
sys.addaudithook(lambda event, args: events.append((event, args)))
spec = importlib.util.spec_from_file_location("fmc", {str(SCRIPT)!r})
module = importlib.util.module_from_spec(spec)
sys.modules["fmc"] = module
spec.loader.exec_module(module)
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


def test_execution_metrics_measure_time_phases_and_peak(fmc: ModuleType) -> None:
    start = time.perf_counter()
    spike(150)
    end = time.perf_counter()
    section = fmc.collect_execution_metrics(start, end, 8)
    assert section["total_time_seconds"] == end - start
    assert section["phases_completed"] == 8
    assert section["memory_peak_mb"] >= psutil.Process().memory_info().rss / 2**20 + 140


@pytest.mark.parametrize(
    ("arguments", "error", "name"),
    [
        ((2.0, 1.0, 8), ValueError, "end_time"),
        ((1.0, 2.0, -1), ValueError, "phases_completed"),
        ((1.0, 2.0, 8.0), TypeError, "phases_completed"),
        ((1.0, 2.0, True), TypeError, "phases_completed"),
        ((math.nan, 2.0, 8), ValueError, "start_time"),
        ((1.0, math.inf, 8), ValueError, "end_time"),
        (("1", 2.0, 8), TypeError, "start_time"),
    ],
)
def test_execution_metrics_refuse_bad_input(
    fmc: ModuleType, arguments: tuple[object, ...], error: type[Exception], name: str
) -> None:
    with pytest.raises(error, match=name):
        fmc.collect_execution_metrics(*arguments)


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


@pytest.mark.parametrize(
    ("arguments", "keywords", "error", "name"),
    [
        (("t.py", 10.5, 0, 90.0), {}, ValueError, "pylint_score"),
        (("t.py", -0.1, 0, 90.0), {}, ValueError, "pylint_score"),
        (("t.py", 10.0, 0.0, 90.0), {}, TypeError, "mypy_errors"),
        (("t.py", 10.0, -1, 90.0), {}, ValueError, "mypy_errors"),
        (("t.py", 10.0, 0, 100.1), {}, ValueError, "coverage"),
        (("t.py", 10.0, 0, math.nan), {}, ValueError, "coverage"),
        (("t.py", True, 0, 90.0), {}, TypeError, "pylint_score"),
        (("t.py", 10.0, 0, 90.0), {"black_formatted": 1}, TypeError, "black_formatted"),
        (("t.py", 10.0, 0, 90.0), {"test_pass_rate": 101}, ValueError, "test_pass_rate"),
        ((7, 10.0, 0, 90.0), {}, TypeError, "test_file"),
    ],
)
def test_quality_metrics_refuse_bad_input(
    fmc: ModuleType,
    arguments: tuple[object, ...],
    keywords: dict[str, object],
    error: type[Exception],
    name: str,
) -> None:
    with pytest.raises(error, match=name):
        fmc.collect_quality_metrics(*arguments, **keywords)


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
    assert success["improvement_areas"][0].startswith("test_pass_rate")


def test_missed_coverage_is_not_critical(fmc: ModuleType) -> None:
    met = {"pylint_score": False, "coverage_percentage": False, "mypy_errors": True}
    success = fmc.collect_framework_success_metrics(100, met)
    assert success["critical_failures"] == 1
    assert [area.split(":")[0] for area in success["improvement_areas"]] == [
        "pylint_score",
        "coverage_percentage",
    ]


def test_unmeasured_pass_rate_is_a_miss(fmc: ModuleType) -> None:
    assert fmc.collect_framework_success_metrics(None, {})["all_targets_met"] is False


@pytest.mark.parametrize(
    ("pass_rate", "met", "error", "name"),
    [
        (100, {"pylint_score": "yes"}, TypeError, "target_achievement"),
        (100, [("pylint_score", True)], TypeError, "target_achievement"),
        (100.5, {}, ValueError, "pass_rate"),
        ("100", {}, TypeError, "pass_rate"),
    ],
)
def test_success_refuses_bad_input(
    fmc: ModuleType, pass_rate: object, met: object, error: type[Exception], name: str
) -> None:
    with pytest.raises(error, match=name):
        fmc.collect_framework_success_metrics(pass_rate, met)


# --- save_metrics_to_json --------------------------------------------------------------------


def test_save_names_the_file_by_utc_time_and_returns_it(fmc: ModuleType, tmp_path: Path) -> None:
    moment = datetime(2025, 9, 21, 22, 30, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    path = fmc.save_metrics_to_json({"a": 1}, moment, str(tmp_path / "new" / "dir"))
    assert path.parent == tmp_path / "new" / "dir"
    assert path.name.startswith("framework-metrics-20250921T203000123456Z")
    assert json.loads(path.read_text(encoding="utf-8")) == {"a": 1}


def test_naive_timestamps_are_local_time(fmc: ModuleType, tmp_path: Path) -> None:
    naive = datetime(2025, 1, 2, 3, 4, 5)
    expected = naive.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%S")
    assert expected in fmc.save_metrics_to_json({}, naive, tmp_path).name


def test_iso_strings_are_accepted(fmc: ModuleType, tmp_path: Path) -> None:
    path = fmc.save_metrics_to_json({}, "2025-09-21T22:30:00Z", tmp_path)
    assert path.name.startswith("framework-metrics-20250921T223000000000Z")


def test_names_sort_in_time_order(fmc: ModuleType, tmp_path: Path) -> None:
    base = datetime(2025, 1, 1, tzinfo=timezone.utc)
    moments = [base + timedelta(microseconds=step) for step in (5, 1, 999_999, 10**7, 3)]
    for moment in moments:
        fmc.save_metrics_to_json({"moment": moment.isoformat()}, moment, tmp_path)
    read = [json.loads(path.read_text())["moment"] for path in metrics_files(tmp_path)]
    assert read == sorted(moment.isoformat() for moment in moments)


def test_same_timestamp_twice_gives_two_files(fmc: ModuleType, tmp_path: Path) -> None:
    moment = datetime.now(timezone.utc)
    first = fmc.save_metrics_to_json({"run": 1}, moment, tmp_path)
    second = fmc.save_metrics_to_json({"run": 2}, moment, tmp_path)
    assert first != second
    assert json.loads(first.read_text())["run"] == 1
    assert json.loads(second.read_text())["run"] == 2


def test_save_leaves_only_the_document(fmc: ModuleType, tmp_path: Path) -> None:
    path = fmc.save_metrics_to_json({"a": [1, 2]}, datetime.now(), tmp_path)
    assert list(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize(
    ("data", "timestamp", "error", "name"),
    [
        ({"x": math.nan}, "2025-01-01T00:00:00Z", ValueError, "metrics_data"),
        ({"x": math.inf}, "2025-01-01T00:00:00Z", ValueError, "metrics_data"),
        ({"x": {1, 2}}, "2025-01-01T00:00:00Z", TypeError, "metrics_data"),
        ([1, 2], "2025-01-01T00:00:00Z", TypeError, "metrics_data"),
        ({}, "yesterday", ValueError, "timestamp"),
        ({}, 1700000000, TypeError, "timestamp"),
    ],
)
def test_save_refuses_bad_input_and_writes_nothing(
    fmc: ModuleType,
    tmp_path: Path,
    data: object,
    timestamp: object,
    error: type[Exception],
    name: str,
) -> None:
    with pytest.raises(error, match=name):
        fmc.save_metrics_to_json(data, timestamp, tmp_path / "out")
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


@pytest.mark.parametrize("folder", [42, 0, False, [], b"bytes"])
def test_save_refuses_a_bad_folder_type(fmc: ModuleType, folder: object) -> None:
    with pytest.raises(TypeError, match="metrics_dir"):
        fmc.save_metrics_to_json({}, datetime.now(), folder)


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


def test_test_type_must_be_unit_or_integration(fmc: ModuleType) -> None:
    with pytest.raises(ValueError, match="test_type"):
        fmc.FrameworkMetricsCollector(test_type="e2e")


@pytest.mark.parametrize("name", ["production_file", "generated_file"])
def test_file_names_must_be_text_or_paths(fmc: ModuleType, name: str) -> None:
    with pytest.raises(TypeError, match=name):
        fmc.FrameworkMetricsCollector(**{name: 3})


def test_phase_defaults_are_measured(fmc: ModuleType, tmp_path: Path) -> None:
    started = time.perf_counter()
    collector = fmc.FrameworkMetricsCollector(tmp_path)
    time.sleep(0.05)
    collector.record_phase_completion(1)
    returned = time.perf_counter()
    rss_mb = psutil.Process().memory_info().rss / 2**20
    phase = collector.phases[0]
    assert set(phase) == {"phase_number", "duration_seconds", "memory_used_mb", "memory_peak_mb"}
    assert 0.05 <= phase["duration_seconds"] <= returned - started
    assert abs(phase["memory_used_mb"] - rss_mb) < 20
    assert phase["memory_peak_mb"] >= phase["memory_used_mb"] - 1


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
    document = json.loads(collector.save_execution_metrics().read_text())
    saved = time.perf_counter()
    assert len(document["execution_metrics"]["phases"]) == 1
    assert document["execution_metrics"]["total_time_seconds"] <= saved - restart_called


def test_phase_peak_catches_a_spike_freed_inside_one_c_call(
    fmc: ModuleType, tmp_path: Path
) -> None:
    collector = fmc.FrameworkMetricsCollector(tmp_path)
    collector.record_phase_completion(1)
    spike()
    collector.record_phase_completion(2)
    spiked = collector.phases[1]
    assert spiked["memory_peak_mb"] - spiked["memory_used_mb"] >= SPIKE_MB * 0.95


@pytest.mark.skipif(not LINUX, reason="the per-phase reset of the high-water mark is Linux's")
def test_each_phase_has_its_own_peak(fmc: ModuleType, tmp_path: Path) -> None:
    collector = fmc.FrameworkMetricsCollector(tmp_path)
    spike()
    collector.record_phase_completion(1)
    collector.record_phase_completion(2)
    first, second = collector.phases
    assert first["memory_peak_mb"] - second["memory_peak_mb"] >= SPIKE_MB * 0.9
    document = json.loads(collector.save_execution_metrics().read_text())
    assert document["execution_metrics"]["memory_peak_mb"] >= first["memory_peak_mb"]


@pytest.mark.parametrize(
    ("arguments", "error", "name"),
    [
        ((0,), ValueError, "phase_number"),
        ((1.0,), TypeError, "phase_number"),
        ((True,), TypeError, "phase_number"),
        ((1, -0.5), ValueError, "duration"),
        ((1, math.nan), ValueError, "duration"),
        ((1, None, -1), ValueError, "memory_used"),
        ((1, None, math.inf), ValueError, "memory_used"),
        ((1, None, False), TypeError, "memory_used"),
    ],
)
def test_record_phase_refuses_bad_input(
    fmc: ModuleType,
    tmp_path: Path,
    arguments: tuple[object, ...],
    error: type[Exception],
    name: str,
) -> None:
    collector = fmc.FrameworkMetricsCollector(tmp_path)
    with pytest.raises(error, match=name):
        collector.record_phase_completion(*arguments)
    assert not collector.phases


def test_record_quality_refuses_bad_input_and_keeps_the_last_good(
    fmc: ModuleType, tmp_path: Path
) -> None:
    collector = fmc.FrameworkMetricsCollector(tmp_path)
    collector.record_quality_results(10.0, 0, 95.0, black_formatted=True, test_pass_rate=100.0)
    with pytest.raises(ValueError, match="pylint_score"):
        collector.record_quality_results(11.0, 0, 95.0)
    assert collector.quality["pylint_score"] == 10.0


def test_saved_document_follows_the_schema(fmc: ModuleType, tmp_path: Path) -> None:
    collector = fmc.FrameworkMetricsCollector(
        tmp_path,
        production_file=Path("src/honeyhive/tracer/instrumentation/initialization.py"),
        generated_file="tests/unit/test_tracer_instrumentation_initialization.py",
    )
    for number in (1, 2, 2, 3):
        collector.record_phase_completion(number)
    collector.record_quality_results(10.0, 0, 92.5, black_formatted=True, test_pass_rate=100.0)
    document = json.loads(collector.save_execution_metrics().read_text(encoding="utf-8"))
    validate(document)
    assert document["timestamp"].endswith("Z")
    assert document["framework_version"] == "v3"
    assert document["execution_metrics"]["phases_completed"] == 3
    assert len(document["execution_metrics"]["phases"]) == 4
    assert document["production_file"] == "src/honeyhive/tracer/instrumentation/initialization.py"
    assert document["framework_success"] == {
        "all_targets_met": True,
        "critical_failures": 0,
        "improvement_areas": [],
    }


def test_unit_runs_have_a_coverage_target(fmc: ModuleType, tmp_path: Path) -> None:
    collector = fmc.FrameworkMetricsCollector(tmp_path, test_type="unit")
    collector.record_quality_results(10.0, 0, 89.9, black_formatted=True, test_pass_rate=100.0)
    success = json.loads(collector.save_execution_metrics().read_text())["framework_success"]
    assert success == {
        "all_targets_met": False,
        "critical_failures": 0,
        "improvement_areas": [success["improvement_areas"][0]],
    }
    assert success["improvement_areas"][0].startswith("coverage_percentage")


def test_integration_runs_have_no_coverage_target(fmc: ModuleType, tmp_path: Path) -> None:
    collector = fmc.FrameworkMetricsCollector(tmp_path, test_type="integration")
    collector.record_quality_results(10.0, 0, 10.0, black_formatted=True, test_pass_rate=100.0)
    document = json.loads(collector.save_execution_metrics().read_text())
    assert document["framework_success"]["all_targets_met"] is True


def test_unrecorded_figures_are_null_and_never_met(fmc: ModuleType, tmp_path: Path) -> None:
    document = json.loads(
        fmc.FrameworkMetricsCollector(tmp_path).save_execution_metrics().read_text()
    )
    validate(document)
    assert set(document["quality_metrics"].values()) == {None}
    success = document["framework_success"]
    assert success["all_targets_met"] is False
    assert success["critical_failures"] == 4
    named = sorted(area.split(":")[0] for area in success["improvement_areas"])
    assert named == sorted(
        ["pylint_score", "mypy_errors", "black_formatted", "test_pass_rate", "coverage_percentage"]
    )


def test_each_target_is_judged(fmc: ModuleType, tmp_path: Path) -> None:
    good = {"pylint_score": 10.0, "mypy_errors": 0, "coverage": 90.0}
    flags = {"black_formatted": True, "test_pass_rate": 100.0}
    for name, bad in [
        ("pylint_score", 9.99),
        ("mypy_errors", 1),
        ("coverage", 89.99),
        ("black_formatted", False),
        ("test_pass_rate", 99.0),
    ]:
        figures = good | flags | {name: bad}
        collector = fmc.FrameworkMetricsCollector(tmp_path)
        collector.record_quality_results(
            figures["pylint_score"],
            figures["mypy_errors"],
            figures["coverage"],
            black_formatted=figures["black_formatted"],
            test_pass_rate=figures["test_pass_rate"],
        )
        success = json.loads(collector.save_execution_metrics().read_text())["framework_success"]
        assert success["all_targets_met"] is False, name
        assert success["improvement_areas"][0].startswith(name), name
        assert success["critical_failures"] == (0 if name == "coverage" else 1), name


def test_folder_may_be_str_or_path(fmc: ModuleType, tmp_path: Path) -> None:
    by_str = fmc.FrameworkMetricsCollector(str(tmp_path / "s")).save_execution_metrics()
    by_path = fmc.FrameworkMetricsCollector(tmp_path / "p").save_execution_metrics()
    assert (by_str.parent, by_path.parent) == (tmp_path / "s", tmp_path / "p")
    assert os.path.isfile(by_str) and os.path.isfile(by_path)
