"""The saved DuckDB queries, checked against figures computed here from the same documents."""

from __future__ import annotations

import json
import statistics
import struct
import subprocess
import sys
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import ROOT, metrics_files
from loader import load_script

RUNNER = ROOT / "scripts" / "query-metrics.py"
EXAMPLES = ROOT / "metrics" / "examples"
JUNK = {
    "empty": b"",
    "null": b"null",
    "array": b"[1, 2]",
    "empty-object": b"{}",
    "truncated": b'{"timestamp": "2026-11-30T00:00:00Z", "production_file": "src/',
    "not-json": b"not json at all",
    "nul-bytes": b"\x00" * 64,
    "invalid-utf8": b'{"production_file": "\xff\xfe"}',
    "bad-timestamp": b'{"timestamp": "yesterday", "production_file": "src/a.py"}',
    "no-file": b'{"timestamp": "2026-11-30T00:00:00Z", "quality_metrics": {}}',
}


@pytest.fixture(scope="module")
def runner() -> ModuleType:
    """scripts/query-metrics.py, loaded by path."""
    return load_script(RUNNER, "query_metrics")


def documents(folder: Path) -> list[dict[str, Any]]:
    """Every metrics document in a folder that parses as a JSON object, oldest first."""
    found = []
    for path in metrics_files(folder):
        try:
            document = json.loads(path.read_bytes())
        except (OSError, ValueError):
            continue
        if isinstance(document, dict) and "production_file" in document:
            try:
                datetime.fromisoformat(document["timestamp"])
            except ValueError:
                continue
            found.append(document)
    return found


def moment(document: dict[str, Any]) -> datetime:
    """The document's timestamp, as the naive UTC time DuckDB gives back."""
    return datetime.fromisoformat(document["timestamp"]).replace(tzinfo=None)


def rows(runner: ModuleType, folder: Path, name: str, production_file: str | None = None) -> Any:
    """The saved query's result as dictionaries."""
    relation = runner.query(runner.connect(folder, production_file), name)
    return [dict(zip(relation.columns, row)) for row in relation.fetchall()]


@pytest.fixture
def mixed(fmc: ModuleType, tmp_path: Path) -> Path:
    """Real collector runs of two files, a document in the task's schema without phases, junk."""
    for production_file, runs in (("src/a.py", 3), ("src/b.py", 2)):
        for run in range(runs):
            collector = fmc.FrameworkMetricsCollector(tmp_path, production_file=production_file)
            for number in range(1, 4 + run):
                collector.record_phase_completion(number, 0.5 * number + run, 40.0 + run)
            collector.record_quality_results(  # not in time order: the queries must order
                (9.5, 8.5, 10.0)[run],
                0,
                (88.0, 85.0, 91.0)[run],
                black_formatted=True,
                test_pass_rate=100.0,
            )
            collector.save_execution_metrics()
    task_example = json.loads(metrics_files(EXAMPLES)[0].read_text(encoding="utf-8"))
    del task_example["execution_metrics"]["phases"]
    task_example |= {"production_file": "src/c.py", "timestamp": "2026-01-05T10:00:00Z"}
    fmc.save_metrics_to_json(task_example, "2026-01-05T10:00:00Z", tmp_path)
    for number, (kind, content) in enumerate(JUNK.items()):
        (tmp_path / f"framework-metrics-2099010{number}T000000000000Z-{kind}.json").write_bytes(
            content
        )
    (tmp_path / "framework-metrics-20990201T000000000000Z-directory.json").mkdir()
    return tmp_path


FOLDERS = ["examples", "mixed"]


@pytest.fixture(params=FOLDERS)
def folder(request: pytest.FixtureRequest) -> Path:
    """The committed example history, then a temporary folder with junk among the documents."""
    if request.param == "examples":
        return EXAMPLES
    path: Path = request.getfixturevalue("mixed")
    return path


def test_the_view_reads_every_document_and_no_junk(runner: ModuleType, folder: Path) -> None:
    connection = runner.connect(folder)
    listed = connection.sql("SELECT production_file, run_time FROM runs ORDER BY run_time")
    expected = [(d["production_file"], moment(d)) for d in documents(folder)]
    assert sorted(listed.fetchall()) == sorted(expected)


def test_by_file(runner: ModuleType, folder: Path) -> None:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for document in documents(folder):
        groups[document["production_file"], document["test_type"]].append(document)
    result = rows(runner, folder, "by_file")
    assert [(row["production_file"], row["test_type"]) for row in result] == sorted(groups)
    for row in result:
        runs = sorted(groups[row["production_file"], row["test_type"]], key=moment)
        latest, previous = runs[-1], runs[-2] if len(runs) > 1 else None
        assert row["runs"] == len(runs)
        assert (row["first_run"], row["last_run"]) == (moment(runs[0]), moment(latest))
        assert row["all_targets_met"] == latest["framework_success"]["all_targets_met"]
        for section, figure, change, digits in (
            ("quality_metrics", "pylint_score", "pylint_change", 2),
            ("quality_metrics", "coverage_percentage", "coverage_change", 2),
            ("execution_metrics", "total_time_seconds", "time_change", 3),
            ("execution_metrics", "memory_peak_mb", "memory_change", 1),
        ):
            value = latest[section][figure]
            assert row[figure] == pytest.approx(value, abs=10**-digits)
            if previous is None:
                assert row[change] is None
            else:
                difference = value - previous[section][figure]
                assert row[change] == pytest.approx(difference, abs=10**-digits)


def test_by_week(runner: ModuleType, folder: Path) -> None:
    weeks: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for document in documents(folder):
        day = moment(document).date()
        weeks[day - timedelta(days=day.weekday())].append(document)
    result = rows(runner, folder, "by_week")
    assert [row["week"] for row in result] == sorted(weeks)
    for row in result:
        runs = weeks[row["week"]]
        met = [d["framework_success"]["all_targets_met"] is True for d in runs]
        unit = [
            d["quality_metrics"]["coverage_percentage"] for d in runs if d["test_type"] == "unit"
        ]
        assert row["runs"] == len(runs)
        assert row["share_all_targets_met"] == pytest.approx(sum(met) / len(runs), abs=1e-3)
        pylint = statistics.mean(d["quality_metrics"]["pylint_score"] for d in runs)
        assert row["mean_pylint_score"] == pytest.approx(pylint, abs=0.01)
        if unit:
            assert row["mean_unit_coverage"] == pytest.approx(statistics.mean(unit), abs=0.01)
        else:
            assert row["mean_unit_coverage"] is None
        failures = sum(d["framework_success"]["critical_failures"] for d in runs)
        assert row["critical_failures"] == failures


def test_by_phase(runner: ModuleType, folder: Path) -> None:
    phases: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for document in documents(folder):
        for phase in document["execution_metrics"].get("phases", []):
            phases[phase["phase_number"]].append(phase)
    result = rows(runner, folder, "by_phase")
    assert [row["phase_number"] for row in result] == sorted(phases)
    for row in result:
        listed = phases[row["phase_number"]]
        durations = [phase["duration_seconds"] for phase in listed]
        peaks = [phase["memory_peak_mb"] for phase in listed]
        assert row["records"] == len(listed)
        assert row["median_seconds"] == pytest.approx(statistics.median(durations), abs=1e-4)
        assert row["worst_seconds"] == pytest.approx(max(durations), abs=1e-4)
        assert row["median_peak_mb"] == pytest.approx(statistics.median(peaks), abs=0.1)
        assert row["worst_peak_mb"] == pytest.approx(max(peaks), abs=0.1)


def test_by_phase_of_one_file(runner: ModuleType, folder: Path) -> None:
    chosen = documents(folder)[0]["production_file"]
    counted: dict[int, int] = defaultdict(int)
    for document in documents(folder):
        if document["production_file"] == chosen:
            for phase in document["execution_metrics"].get("phases", []):
                counted[phase["phase_number"]] += 1
    result = rows(runner, folder, "by_phase", chosen)
    assert {row["phase_number"]: row["records"] for row in result} == counted


def test_missed_targets(runner: ModuleType, folder: Path) -> None:
    missed = [d for d in documents(folder) if d["framework_success"]["all_targets_met"] is not True]
    missed.sort(key=lambda d: (-moment(d).timestamp(), d["production_file"]))
    assert [
        (
            row["run_time"],
            row["production_file"],
            row["critical_failures"],
            row["improvement_areas"],
        )
        for row in rows(runner, folder, "missed_targets")
    ] == [
        (
            moment(d),
            d["production_file"],
            d["framework_success"]["critical_failures"],
            "; ".join(d["framework_success"]["improvement_areas"]),
        )
        for d in missed
    ]


def test_trend(runner: ModuleType, folder: Path) -> None:
    files = [d["production_file"] for d in documents(folder)]
    chosen = max(files, key=files.count)
    runs = [d for d in documents(folder) if d["production_file"] == chosen]
    result = rows(runner, folder, "trend", chosen)
    assert [row["run_time"] for row in result] == sorted(moment(d) for d in runs)
    for row, document in zip(result, sorted(runs, key=moment)):
        assert row["pylint_score"] == document["quality_metrics"]["pylint_score"]
        assert row["coverage_percentage"] == document["quality_metrics"]["coverage_percentage"]
        peak = document["execution_metrics"]["memory_peak_mb"]
        assert row["memory_peak_mb"] == pytest.approx(peak, abs=0.1)


def query_command(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
    """The runner as a user runs it, in a child process."""
    command = [sys.executable, str(RUNNER), *map(str, arguments)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("name", ["by_file", "by_week", "by_phase", "missed_targets"])
def test_each_query_prints_a_table(name: str, mixed: Path) -> None:
    result = query_command(name, "--metrics-dir", mixed)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("┌") and "└" in result.stdout


@pytest.mark.parametrize("kind", ["missing", "empty", "junk only"])
def test_a_folder_without_documents_exits_1_with_one_line(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "metrics"
    if kind != "missing":
        folder.mkdir()
    if kind == "junk only":
        (folder / "framework-metrics-20990101T000000000000Z-x.json").write_bytes(b"{}")
    result = query_command("by_week", "--metrics-dir", folder)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"no metrics documents in {folder}\n"


@pytest.mark.parametrize(
    "arguments",
    [["nonsense"], ["trend"], ["by_week", "--chart", "x.png"], ["by_week", "--bogus"]],
)
def test_usage_errors_exit_2(arguments: list[str]) -> None:
    result = query_command(*arguments)
    assert result.returncode == 2
    assert "usage" in result.stderr and "Traceback" not in result.stderr


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header, after checking its signature."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n" and header[12:16] == b"IHDR"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_the_trend_chart_is_a_png_of_sensible_size(tmp_path: Path) -> None:
    chart = tmp_path / "trend.png"
    chosen = "src/honeyhive/tracer/instrumentation/initialization.py"
    result = query_command(
        "trend", "--metrics-dir", EXAMPLES, "--production-file", chosen, "--chart", chart
    )
    assert result.returncode == 0, result.stderr
    assert png_size(chart) == (800, 900)
    assert 20_000 < chart.stat().st_size < 1_000_000


def test_no_chart_for_a_file_without_runs(tmp_path: Path) -> None:
    chart = tmp_path / "trend.png"
    result = query_command(
        "trend", "--metrics-dir", EXAMPLES, "--production-file", "src/none.py", "--chart", chart
    )
    assert result.returncode == 1
    assert result.stderr == f"no runs of src/none.py in {EXAMPLES}\n"
    assert not chart.exists()


def test_the_chart_the_readme_shows_is_committed() -> None:
    committed = ROOT / "metrics" / "examples" / "trend-initialization.png"
    assert png_size(committed) == (800, 900)
    assert "(metrics/examples/trend-initialization.png)" in (ROOT / "README.md").read_text()
