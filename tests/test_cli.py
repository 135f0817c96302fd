"""The command line, run as a child process on real history folders."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import skipped, summary

NAME = "framework-metrics-20250101T0000{:02d}000000Z-00000000000000{:02d}.json"


def document(
    production_file: str = "src/pkg/mod.py",
    test_type: str = "unit",
    pylint_score: float = 10.0,
    seconds: float = 40.0,
    phases: bool = True,
    generated_file: str | None = None,
) -> dict[str, Any]:
    """A metrics document in the task's schema, with the collector's phases list if asked."""
    execution: dict[str, Any] = {
        "total_time_seconds": seconds,
        "phases_completed": 8,
        "memory_peak_mb": 128.5,
    }
    if phases:
        execution["phases"] = [
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
        "execution_metrics": execution,
        "quality_metrics": {
            "pylint_score": pylint_score,
            "mypy_errors": 0,
            "black_formatted": True,
            "test_pass_rate": 100.0,
            "coverage_percentage": 92.5,
        },
        "framework_success": {
            "all_targets_met": pylint_score == 10.0,
            "critical_failures": int(pylint_score != 10.0),
            "improvement_areas": [] if pylint_score == 10.0 else ["pylint_score: target not met"],
        },
        "production_file": production_file,
        "test_type": test_type,
        "generated_file": generated_file or "tests/unit/test_" + Path(production_file).stem + ".py",
    }


def write(folder: Path, *documents: dict[str, Any]) -> list[Path]:
    """The documents as metrics files, oldest first, a second apart."""
    folder.mkdir(exist_ok=True)
    paths = [folder / NAME.format(second, second) for second in range(len(documents))]
    for path, content in zip(paths, documents):
        path.write_text(json.dumps(content), encoding="utf-8")
    return paths


def rows(output: str) -> dict[str, list[str]]:
    """The summary's rows: each figure's name and the words after it."""
    return {line.split()[0]: line.split()[1:] for line in output.splitlines()}


def test_the_latest_run_is_named_and_every_figure_shown(tmp_path: Path) -> None:
    paths = write(tmp_path, document(pylint_score=9.5), document(seconds=41.5))
    result = summary("--metrics-dir", tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    shown = rows(result.stdout)
    assert shown["file"] == [json.dumps(str(paths[1]))]
    assert shown["production_file"] == ['"src/pkg/mod.py"']
    assert shown["test_type"] == ['"unit"']
    assert shown["generated_file"] == ['"tests/unit/test_mod.py"']
    assert shown["pylint_score"] == ["10.0", "+0.5"]
    assert shown["total_time_seconds"] == ["41.5", "+1.5"]
    assert shown["black_formatted"] == ["true"]
    assert shown["improvement_areas"] == ["[]"]
    figures = {
        *document()["execution_metrics"],
        *document()["quality_metrics"],
        *document()["framework_success"],
    } - {"phases"}
    assert figures <= set(shown)


def test_an_integer_change_is_an_integer_and_every_change_is_signed(tmp_path: Path) -> None:
    before, after = document(), document(seconds=39.25)
    before["quality_metrics"]["mypy_errors"] = 3
    write(tmp_path, before, after)
    shown = rows(summary("--metrics-dir", tmp_path).stdout)
    assert shown["mypy_errors"] == ["0", "-3"]
    assert shown["total_time_seconds"] == ["39.25", "-0.75"]
    assert shown["phases_completed"] == ["8", "+0"]


def test_the_change_is_against_the_same_file_and_test_type(tmp_path: Path) -> None:
    write(
        tmp_path,
        document(seconds=40.0),
        document(production_file="src/other.py", seconds=10.0),
        document(test_type="integration", seconds=20.0),
        document(seconds=45.0),
        document(production_file="src/other.py", seconds=11.0),
        document(test_type="integration", seconds=23.0),
    )
    assert rows(summary("--metrics-dir", tmp_path).stdout)["total_time_seconds"] == ["23.0", "+3"]
    (tmp_path / NAME.format(5, 5)).unlink()
    (tmp_path / NAME.format(4, 4)).unlink()
    assert rows(summary("--metrics-dir", tmp_path).stdout)["total_time_seconds"] == ["45.0", "+5"]


def test_the_change_is_against_the_same_generated_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        document(seconds=40.0, generated_file="tests/unit/test_a.py"),
        document(seconds=10.0, generated_file="tests/unit/test_b.py"),
        document(seconds=45.0, generated_file="tests/unit/test_a.py"),
    )
    shown = rows(summary("--metrics-dir", tmp_path).stdout)
    assert shown["generated_file"] == ['"tests/unit/test_a.py"']
    assert shown["total_time_seconds"] == ["45.0", "+5"]


def test_a_run_with_no_earlier_run_of_its_file_has_no_change(tmp_path: Path) -> None:
    write(tmp_path, document(), document(production_file="src/new.py", pylint_score=7.5))
    shown = rows(summary("--metrics-dir", tmp_path).stdout)
    assert shown["production_file"] == ['"src/new.py"']
    assert shown["pylint_score"] == ["7.5"]


def test_the_verdict_comes_before_the_figures(tmp_path: Path) -> None:
    write(tmp_path, document(pylint_score=9.0))
    names = list(rows(summary("--metrics-dir", tmp_path).stdout))
    assert names.index("improvement_areas") < names.index("pylint_score")
    assert names.index("all_targets_met") < names.index("total_time_seconds")
    assert names[:6] == [
        "file",
        "timestamp",
        "framework_version",
        "production_file",
        "test_type",
        "generated_file",
    ]


def test_a_document_without_phases_is_read(tmp_path: Path) -> None:
    write(tmp_path, document(phases=False, seconds=45.2), document(phases=False, seconds=44.7))
    result = summary("--metrics-dir", tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert rows(result.stdout)["total_time_seconds"] == ["44.7", "-0.5"]


def test_the_summary_reads_no_further_than_the_previous_run(tmp_path: Path) -> None:
    write(tmp_path, document(), document(), document())
    (tmp_path / NAME.format(0, 0)).write_text("{broken", encoding="utf-8")
    result = summary("--metrics-dir", tmp_path)
    assert (result.returncode, result.stderr) == (0, "")


def test_hidden_and_other_files_are_not_runs(tmp_path: Path) -> None:
    write(tmp_path, document(seconds=40.0), document(seconds=42.0))
    (tmp_path / f".{NAME.format(9, 9)}.tmp").write_text("{partial", encoding="utf-8")
    (tmp_path / "notes.json").write_text("[]", encoding="utf-8")
    (tmp_path / NAME.format(9, 9).replace(".json", ".txt")).write_text("x", encoding="utf-8")
    result = summary("--metrics-dir", tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert rows(result.stdout)["total_time_seconds"] == ["42.0", "+2"]


@pytest.mark.parametrize("kind", ["missing", "file", "empty", "hidden only"])
def test_no_metrics_file_exits_1_saying_where_it_looked(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "metrics"
    if kind == "file":
        folder.write_text("", encoding="utf-8")
    elif kind != "missing":
        folder.mkdir()
    if kind == "hidden only":
        (folder / f".{NAME.format(0, 0)}.tmp").write_text("{}", encoding="utf-8")
    result = summary("--metrics-dir", folder)
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert str(folder) in result.stderr and "save" in result.stderr


@pytest.mark.parametrize("arguments", [["--metrics-dir"], ["--bogus"], ["extra"]])
def test_usage_errors_exit_2(arguments: list[str]) -> None:
    result = summary(*arguments)
    assert result.returncode == 2
    assert "usage" in result.stderr and "Traceback" not in result.stderr


def test_default_folder_is_the_repository_metrics_folder(repo_copy: Path, tmp_path: Path) -> None:
    script = repo_copy / "scripts" / "framework-metrics-collector.py"
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert result.returncode == 1
    assert re.search(re.escape(str(repo_copy / "metrics")), result.stderr)
    write(repo_copy / "metrics", document(seconds=40.0), document(seconds=42.0))
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert rows(result.stdout)["total_time_seconds"] == ["42.0", "+2"]


# --- files that are not metrics documents ----------------------------------------------------

SECTIONLESS = {k: v for k, v in document().items() if k != "quality_metrics"}
BROKEN: dict[str, bytes] = {
    "empty": b"",
    "truncated": json.dumps(document()).encode()[:120],
    "not json": b"not json at all",
    "not utf-8": b'{"production_file": "\xff\xfe"}',
    "trailing garbage": json.dumps(document()).encode() + b" and more",
    "an array": b"[1, 2]",
    "null": b"null",
    "a number": b"42",
    "nested too deep": b"[" * 100_000 + b"]" * 100_000,
    "a missing section": json.dumps(SECTIONLESS).encode(),
    "a section that is a list of pairs": json.dumps(
        document() | {"quality_metrics": [["pylint_score", 10.0]]}
    ).encode(),
    "a section that is a number": json.dumps(document() | {"framework_success": 3}).encode(),
    "a section that is null": json.dumps(document() | {"execution_metrics": None}).encode(),
    # whole documents in another encoding: Python's json would guess these from the bytes
    "latin-1": json.dumps(document(production_file="src/mod\u00e9.py"), ensure_ascii=False).encode(
        "latin-1"
    ),
    "utf-16": json.dumps(document()).encode("utf-16"),
    "utf-8 with a byte order mark": json.dumps(document()).encode("utf-8-sig"),
}
BETWEEN = "framework-metrics-20250101T000000500000Z-broken-between.json"
NEWEST = "framework-metrics-20990101T000000000000Z-broken-newest.json"


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_a_broken_file_is_named_and_skipped(tmp_path: Path, kind: str) -> None:
    write(tmp_path, document(seconds=40.0), document(seconds=42.0))
    for name in (BETWEEN, NEWEST):
        (tmp_path / name).write_bytes(BROKEN[kind])
    result = summary("--metrics-dir", tmp_path)
    assert result.returncode == 0
    assert skipped(result.stderr.splitlines()) == [str(tmp_path / NEWEST), str(tmp_path / BETWEEN)]
    shown = rows(result.stdout)
    assert shown["file"] == [json.dumps(str(tmp_path / NAME.format(1, 1)))]
    assert shown["total_time_seconds"] == ["42.0", "+2"]


def test_a_folder_or_an_unreadable_file_under_a_metrics_name_is_skipped(tmp_path: Path) -> None:
    write(tmp_path, document(seconds=40.0), document(seconds=42.0))
    (tmp_path / NEWEST).mkdir()
    (tmp_path / BETWEEN).symlink_to(BETWEEN)  # a loop: unreadable even for root
    denied = tmp_path / BETWEEN.replace("500000Z", "400000Z")
    denied.write_text(json.dumps(document()), encoding="utf-8")
    denied.chmod(0)
    result = summary("--metrics-dir", tmp_path)
    denied.chmod(0o644)
    assert result.returncode == 0
    expected = [tmp_path / NEWEST, tmp_path / BETWEEN]
    expected += [] if os.geteuid() == 0 else [denied]  # root reads any file
    assert skipped(result.stderr.splitlines()) == [str(path) for path in expected]
    assert (
        "IsADirectoryError" in result.stderr
        and "Too many levels of symbolic links" in result.stderr
    )
    assert rows(result.stdout)["total_time_seconds"][0] == "42.0"


def test_a_document_the_public_api_saved_without_sections_is_skipped(
    fmc: ModuleType, tmp_path: Path
) -> None:
    write(tmp_path, document(seconds=40.0), document(seconds=42.0))
    foreign = fmc.save_metrics_to_json({"note": "x"}, datetime.now(timezone.utc), tmp_path)
    result = summary("--metrics-dir", tmp_path)
    assert result.returncode == 0
    assert skipped(result.stderr.splitlines()) == [str(foreign)]
    assert "KeyError" in result.stderr
    assert rows(result.stdout)["total_time_seconds"] == ["42.0", "+2"]


def test_nothing_readable_exits_1_after_naming_each_file(tmp_path: Path) -> None:
    (tmp_path / BETWEEN).write_bytes(b"")
    (tmp_path / NEWEST).write_bytes(b"[]")
    result = summary("--metrics-dir", tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    *named, last = result.stderr.splitlines()
    assert skipped(named) == [
        str(tmp_path / NEWEST),
        str(tmp_path / BETWEEN),
    ]
    assert last == f"no readable metrics file in {tmp_path}: a collector's save writes one"
