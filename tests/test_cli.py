"""The command line, run as a child process on real history folders."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from conftest import SCRIPT, summary

NAME = "framework-metrics-20250101T0000{:02d}000000Z-test.json"


def document(fmc: ModuleType, pylint_score: float, seconds: float) -> dict[str, object]:
    """A metrics document as the collector writes it."""
    quality = fmc.collect_quality_metrics("t.py", pylint_score, 0, 91.0, test_pass_rate=100.0)
    phases = [
        {
            "phase_number": 1,
            "duration_seconds": seconds,
            "memory_used_mb": 50.0,
            "memory_peak_mb": 60.0,
        }
    ]
    return {
        "timestamp": "2025-01-01T00:00:00Z",
        "framework_version": "v3",
        "execution_metrics": {
            "total_time_seconds": seconds,
            "phases_completed": 1,
            "memory_peak_mb": 60.0,
            "phases": phases,
        },
        "quality_metrics": quality,
        "framework_success": fmc.collect_framework_success_metrics(100.0, {}),
        "production_file": "src/pkg/mod.py",
        "test_type": "unit",
        "generated_file": "tests/unit/test_pkg_mod.py",
    }


def write_history(fmc: ModuleType, folder: Path, scores: list[float]) -> None:
    """One document per score, oldest first, a second apart."""
    folder.mkdir(exist_ok=True)
    for second, score in enumerate(scores):
        text = json.dumps(document(fmc, score, 40.0 + second))
        (folder / NAME.format(second)).write_text(text, encoding="utf-8")


def row(output: str, figure: str) -> list[str]:
    """The words of the summary row of one figure."""
    line = next(line for line in output.splitlines() if line.startswith(figure + " "))
    return line.split()


def test_summary_prints_the_latest_run_and_its_trend(fmc: ModuleType, tmp_path: Path) -> None:
    write_history(fmc, tmp_path, [9.0, 9.5, 10.0])
    result = summary("--metrics-dir", tmp_path)
    assert result.returncode == 0, result.stderr
    assert NAME.format(2) in result.stdout
    assert "unit test tests/unit/test_pkg_mod.py of src/pkg/mod.py" in result.stdout
    assert row(result.stdout, "pylint_score") == [
        "pylint_score",
        "10.00",
        "+0.50",
        "9.00",
        "9.50",
        "10.00",
    ]
    assert row(result.stdout, "total_time_seconds")[1:3] == ["42.00", "+1.00"]
    assert row(result.stdout, "phase 1 duration_seconds")[3:] == [
        "42.00",
        "+1.00",
        "40.00",
        "41.00",
        "42.00",
    ]
    for figure in (
        "phases_completed",
        "memory_peak_mb",
        "mypy_errors",
        "black_formatted",
        "test_pass_rate",
        "coverage_percentage",
        "all_targets_met",
        "critical_failures",
        "improvement_areas",
        "phase 1 memory_used_mb",
        "phase 1 memory_peak_mb",
    ):
        assert row(result.stdout, figure)
    assert "improvement areas: none" in result.stdout.splitlines()
    assert result.stderr == ""


def test_improvement_areas_are_named_and_counted(fmc: ModuleType, tmp_path: Path) -> None:
    write_history(fmc, tmp_path, [9.0])
    latest = json.loads((tmp_path / NAME.format(0)).read_text(encoding="utf-8"))
    latest["framework_success"] = fmc.collect_framework_success_metrics(
        90.0, {"pylint_score": False}
    )
    (tmp_path / NAME.format(1)).write_text(json.dumps(latest), encoding="utf-8")
    result = summary("--metrics-dir", tmp_path)
    assert (
        "improvement areas: pylint_score: target not met; test_pass_rate: target not met"
        in result.stdout.splitlines()
    )
    assert row(result.stdout, "improvement_areas")[1:] == ["2", "0", "2"]


def test_a_reader_that_stops_early_gets_no_traceback(fmc: ModuleType, tmp_path: Path) -> None:
    write_history(fmc, tmp_path, [9.0, 9.5])
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write to the pipe now fails, as after `| head -1`
    try:
        result = subprocess.run(
            [sys.executable, str(SCRIPT), "--metrics-dir", str(tmp_path)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (0, "")


def test_last_limits_the_trend_and_the_files_read(fmc: ModuleType, tmp_path: Path) -> None:
    write_history(fmc, tmp_path, [5.0, 6.0, 7.0, 8.0])
    (tmp_path / NAME.format(0)).write_text("{broken", encoding="utf-8")
    result = summary("--metrics-dir", tmp_path, "--last", "2")
    assert result.returncode == 0
    assert row(result.stdout, "pylint_score")[3:] == ["7.00", "8.00"]
    assert result.stderr == ""  # the broken oldest file was never read


def test_a_single_run_has_no_change(fmc: ModuleType, tmp_path: Path) -> None:
    write_history(fmc, tmp_path, [7.5])
    result = summary("--metrics-dir", tmp_path)
    assert row(result.stdout, "pylint_score") == ["pylint_score", "7.50", "7.50"]


def test_broken_files_are_skipped_with_one_line_each(fmc: ModuleType, tmp_path: Path) -> None:
    write_history(fmc, tmp_path, [8.0, 9.0])
    (tmp_path / NAME.format(5)).write_text("not json", encoding="utf-8")
    (tmp_path / NAME.format(6)).write_text("[]", encoding="utf-8")
    result = summary("--metrics-dir", tmp_path)
    assert result.returncode == 0
    assert row(result.stdout, "pylint_score")[1] == "9.00"
    skipped = result.stderr.splitlines()
    assert len(skipped) == 2
    assert NAME.format(5) in result.stderr and NAME.format(6) in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("kind", ["missing", "file", "empty"])
def test_no_readable_file_exits_1_saying_where_it_looked(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "metrics"
    if kind == "file":
        folder.write_text("", encoding="utf-8")
    elif kind == "empty":
        folder.mkdir()
    result = summary("--metrics-dir", folder)
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert str(folder) in result.stderr and "save" in result.stderr


@pytest.mark.parametrize("arguments", [["--last", "0"], ["--last", "x"], ["--bogus"]])
def test_usage_errors_exit_2(tmp_path: Path, arguments: list[str]) -> None:
    result = summary("--metrics-dir", tmp_path, *arguments)
    assert result.returncode == 2
    assert "usage" in result.stderr and "Traceback" not in result.stderr


def test_default_folder_is_the_repository_metrics_folder(repo_copy: Path, tmp_path: Path) -> None:
    script = repo_copy / "scripts" / "framework-metrics-collector.py"
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert result.returncode == 1
    assert re.search(re.escape(str(repo_copy / "metrics")), result.stderr)
