"""`scripts/query-metrics.py alert` as CI runs it: exit codes, formats, the accepted file, junk."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Sequence

import pytest
from conftest import query_command, query_to_a_closed_pipe
from test_alert import (
    STEP,
    document,
    entry,
    history,
    noisy,
    outputs_history,
    printed_entries,
    save,
    stepped,
)

A_REGRESSION = "src/a.py  unit       total_time_seconds"


def folder_of(tmp_path: Path, documents: Sequence[dict[str, Any]], name: str = "metrics") -> Path:
    """The documents saved as metrics files in a new folder."""
    folder = tmp_path / name
    folder.mkdir()
    save(folder, documents)
    return folder


def alert(*arguments: str | Path, **options: Any) -> subprocess.CompletedProcess[str]:
    """The alert command as CI runs it, in a child process."""
    return query_command("alert", *arguments, **options)


def steady() -> list[dict[str, Any]]:
    """Twenty runs of src/a.py with a little noise in total time: nothing to report."""
    return history(noisy(20))


# ---- exit codes ----


def test_a_regression_exits_1_and_shows_its_row(tmp_path: Path) -> None:
    result = alert("--metrics-dir", folder_of(tmp_path, stepped()))
    assert (result.returncode, result.stderr) == (1, "")
    rows = [line for line in result.stdout.splitlines() if line.startswith("src/a.py")]
    assert [row.split()[-1] for row in rows] == ["regression"] * 3
    assert rows[0].startswith(A_REGRESSION)


def test_nothing_regressed_exits_0(tmp_path: Path) -> None:
    result = alert("--metrics-dir", folder_of(tmp_path, steady()))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "23 series checked: 0 regressions, 0 warnings, 0 improvements,"
        " 0 with insufficient history"
    ]


def test_warnings_improvements_and_short_histories_exit_0(tmp_path: Path) -> None:
    one_outlier = [*steady(), document(20, total_time_seconds=13.0)]
    improved = history(STEP, production_file="src/b.py")
    for late in improved[-2:]:
        late["execution_metrics"]["total_time_seconds"] = 5.0
    new_file = [document(0, "src/c.py")]
    result = alert("--metrics-dir", folder_of(tmp_path, [*one_outlier, *improved, *new_file]))
    assert (result.returncode, result.stderr) == (0, "")
    verdicts = {
        tuple(line.split()[:3]): line.split()[-1]
        for line in result.stdout.splitlines()
        if line.startswith("src/")
    }
    assert verdicts == {
        ("src/a.py", "unit", "total_time_seconds"): "warning",
        ("src/b.py", "unit", "total_time_seconds"): "improvement",
    }
    assert result.stdout.splitlines()[-1].endswith(", 23 with insufficient history")


def test_two_files_of_which_one_regressed(tmp_path: Path) -> None:
    other = [document(run, "src/b.py", total_time_seconds=10.0) for run in range(len(STEP))]
    result = alert("--metrics-dir", folder_of(tmp_path, [*other, *stepped()]))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    regressed = {line.split()[0] for line in lines if line.endswith(" regression")}
    assert regressed == {"src/a.py"}


def test_a_regression_left_unfixed_for_25_runs_still_fails(tmp_path: Path) -> None:
    values = [*noisy(20), *noisy(25, centre=13.0, seed=2)]
    documents = history(values)
    result = alert("--metrics-dir", folder_of(tmp_path, documents))
    assert result.returncode == 1
    assert result.stdout.startswith("file") and A_REGRESSION in result.stdout


# ---- folders and options that are not usable ----


@pytest.mark.parametrize("kind", ["missing", "empty", "junk only"])
def test_a_folder_without_documents_exits_2_with_one_line(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "metrics"
    if kind != "missing":
        folder.mkdir()
    if kind == "junk only":
        (folder / "framework-metrics-20990101T000000000000Z-x.json").write_bytes(b"{}")
    result = alert("--metrics-dir", folder)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"no metrics documents in {folder}: nothing to judge\n"


@pytest.mark.parametrize(
    "arguments",
    [
        ["--format", "xml"],
        ["--chart", "x.png"],
        ["--production-file", "src/a.py"],
        ["--until", "2026-12-01"],
        ["--since", "yesterday"],
        ["--time-floor", "-1"],
        ["--memory-floor", "nan"],
        ["--coverage-tolerance", "inf"],
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, arguments: list[str]) -> None:
    result = alert("--metrics-dir", folder_of(tmp_path, stepped()), *arguments)
    assert (result.returncode, result.stdout) == (2, "")
    assert "usage" in result.stderr and "Traceback" not in result.stderr


def test_junk_and_unreadable_files_are_left_out(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, stepped())
    for name, content in (("empty", b""), ("truncated", b'{"timestamp": "2026-0'), ("nul", b"\0")):
        (folder / f"framework-metrics-20990101T000000000000Z-{name}.json").write_bytes(content)
    (folder / "framework-metrics-20990102T000000000000Z-directory.json").mkdir()
    clean = alert("--metrics-dir", folder_of(tmp_path, stepped(), "clean"))
    result = alert("--metrics-dir", folder)
    assert (result.returncode, result.stdout) == (1, clean.stdout)
    directory = folder / "framework-metrics-20990102T000000000000Z-directory.json"
    assert result.stderr == f"skipped {directory}: not a regular file\n"


def test_the_floors_and_the_tolerance_are_options(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, stepped())
    assert alert("--metrics-dir", folder).returncode == 1
    loose = alert("--metrics-dir", folder, "--time-floor", "5", "--memory-floor", "100")
    assert loose.returncode == 0
    coverage = history([92.0] * 5 + [91.0], "coverage_percentage")
    covered = folder_of(tmp_path, coverage, "coverage")
    assert alert("--metrics-dir", covered).returncode == 1
    assert alert("--metrics-dir", covered, "--coverage-tolerance", "1").returncode == 0


def test_the_default_floors_are_0_2_seconds_and_5_mb(tmp_path: Path) -> None:
    # the last two runs at their floor's edge above the median of the nine before, the first of
    # which is lower, so that the series spans more than its floor: exit code
    cases = {
        "time at the floor": ([0.1] + [0.2] * 8 + [0.4] * 2, "total_time_seconds", 0),
        "time past the floor": ([0.1] + [0.2] * 8 + [0.4 + 1e-9] * 2, "total_time_seconds", 1),
        "memory at the floor": ([35.0] + [40.0] * 8 + [45.0] * 2, "memory_peak_mb", 0),
        "memory past the floor": ([35.0] + [40.0] * 8 + [45.0 + 1e-9] * 2, "memory_peak_mb", 1),
    }
    for name, (values, figure, code) in cases.items():
        result = alert(
            "--metrics-dir", folder_of(tmp_path, history(values, figure), name.replace(" ", "-"))
        )
        assert result.returncode == code, name


def test_a_floor_or_a_tolerance_of_zero_is_taken(tmp_path: Path) -> None:
    cases = {  # a step past the limits but within the default floor or tolerance
        "--time-floor": history([1.0] * 8 + [1.1875] * 2),
        "--memory-floor": history([40.0] * 8 + [44.5] * 2, "memory_peak_mb"),
        "--coverage-tolerance": history([92.0] * 5 + [91.9], "coverage_percentage"),
    }
    for option, documents in cases.items():
        folder = folder_of(tmp_path, documents, option.strip("-"))
        assert alert("--metrics-dir", folder).returncode == 0, option
        result = alert("--metrics-dir", folder, option, "0")
        assert (result.returncode, result.stderr) == (1, ""), option


def test_since_judges_only_the_runs_after_it(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, stepped())
    result = alert("--metrics-dir", folder, "--since", "2026-03-03T05:00:00Z")
    assert result.returncode == 0  # the runs since are the step's three: too few for a baseline
    assert result.stdout.splitlines() == [  # the 8 time and memory series; quality needs one run
        "13 series checked: 0 regressions, 0 warnings, 0 improvements,"
        " 8 with insufficient history"
    ]


def test_a_since_after_every_run_exits_2_with_one_line(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, stepped())
    result = alert("--metrics-dir", folder, "--since", "2026-03-03T07:00:00.000001Z")
    assert (result.returncode, result.stdout) == (2, "")
    assert (
        result.stderr == f"no runs since 2026-03-03 07:00:00.000001 in {folder}: nothing to judge\n"
    )
    last = alert("--metrics-dir", folder, "--since", "2026-03-03T07:00:00Z")
    assert last.returncode == 0 and last.stdout.startswith("13 series checked")


# ---- the accepted file ----


def accepted_file(tmp_path: Path, *entries: dict[str, Any]) -> Path:
    """The entries saved as an accepted file."""
    path = tmp_path / "accepted.json"
    path.write_text(json.dumps(list(entries)), encoding="utf-8")
    return path


def test_the_printed_entries_pasted_into_the_accepted_file_clear_the_alert(
    tmp_path: Path,
) -> None:
    folder = folder_of(tmp_path, stepped())
    failing = alert("--metrics-dir", folder)
    entries = printed_entries(failing.stdout)
    assert len(entries) == 3 and all(entry["from"] == "2026-03-03T05:00:00Z" for entry in entries)
    accepted = tmp_path / "accepted.json"
    accepted.write_text(json.dumps(entries), encoding="utf-8")
    result = alert("--metrics-dir", folder, "--accepted", accepted)
    assert (result.returncode, result.stderr) == (0, "")


def test_accepting_all_figures_of_a_file(tmp_path: Path) -> None:
    accepted = accepted_file(tmp_path, entry("*", "2026-03-03T05:00:00Z", reason="new parser"))
    result = alert("--metrics-dir", folder_of(tmp_path, stepped()), "--accepted", accepted)
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "No such file or directory"),
        (b"[{", "not JSON"),
        (b'{"figure": "*"}', "must be a JSON list of entries"),
        (b'[{"production_file": "src/a.py"}]', "entry 1: no 'test_type'"),
        (b"\xff\xfe", "not JSON"),
    ],
)
def test_an_accepted_file_that_cannot_be_read_exits_2_with_one_line(
    tmp_path: Path, content: bytes | None, reason: str
) -> None:
    accepted = tmp_path / "accepted.json"
    if content is not None:
        accepted.write_bytes(content)
    result = alert("--metrics-dir", folder_of(tmp_path, stepped()), "--accepted", accepted)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(f"--accepted {accepted}: ") and reason in result.stderr
    assert result.stderr.count("\n") == 1


def test_an_entry_naming_no_known_series_is_a_warning(tmp_path: Path) -> None:
    gone = entry("*", "2026-01-01", production_file="src/gone.py", reason="removed")
    accepted = accepted_file(tmp_path, gone)
    result = alert("--metrics-dir", folder_of(tmp_path, steady()), "--accepted", accepted)
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == (
        "warning: accepted entry 1 (src/gone.py, unit, *) names no known series"
    )


# ---- formats ----


def test_the_json_format(tmp_path: Path) -> None:
    result = alert("--metrics-dir", folder_of(tmp_path, outputs_history()), "--format", "json")
    assert (result.returncode, result.stderr) == (1, "")
    report = json.loads(result.stdout)
    first = report[0]
    assert {"production_file", "test_type", "figure", "phase_number", "verdict"} <= set(first)
    assert {"baseline", "latest", "runs"} <= set(first)
    assert (first["production_file"], first["figure"], first["phase_number"]) == (
        "src/a.py",
        "total_time_seconds",
        None,
    )
    assert (first["verdict"], first["baseline"], first["latest"], first["runs"]) == (
        "regression",
        10.0,
        20.0,
        11,  # runs 0 to 10: the step's first run is left out only once the second confirms it
    )
    assert [item["verdict"] for item in report].count("regression") == 2


def test_the_json_format_sends_warnings_to_stderr(tmp_path: Path) -> None:
    accepted = accepted_file(tmp_path, entry("*", "2026-01-01", production_file="src/gone.py"))
    folder = folder_of(tmp_path, steady())
    result = alert("--metrics-dir", folder, "--format", "json", "--accepted", accepted)
    assert (result.returncode, json.loads(result.stdout)) == (0, [])
    assert (
        result.stderr == "warning: accepted entry 1 (src/gone.py, unit, *) names no known series\n"
    )


def test_the_github_format_annotates_and_appends_the_step_summary(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    environment = os.environ | {"GITHUB_STEP_SUMMARY": str(summary)}
    folder = folder_of(tmp_path, outputs_history())
    result = alert("--metrics-dir", folder, "--format", "github", env=environment)
    assert (result.returncode, result.stderr) == (1, "")
    commands = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert [command.split(" ")[0] for command in commands] == ["::error", "::warning", "::notice"]
    assert commands[0].startswith("::error title=2 regressions in src/a.py (unit)::")
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("earlier step\n## Regression alert: 2 regressions\n")
    assert written.index("| regression |") < written.index("<details>")


def test_a_step_summary_that_cannot_be_written_is_one_line_and_the_verdict_stands(
    tmp_path: Path,
) -> None:
    environment = os.environ | {"GITHUB_STEP_SUMMARY": str(tmp_path / "no" / "summary.md")}
    folder = folder_of(tmp_path, outputs_history())
    result = alert("--metrics-dir", folder, "--format", "github", env=environment)
    assert result.returncode == 1 and result.stdout.startswith("::error")
    assert result.stderr == (
        f"GITHUB_STEP_SUMMARY {tmp_path / 'no' / 'summary.md'}: No such file or directory\n"
    )


@pytest.mark.parametrize("output", ["text", "json", "github"])
def test_a_reader_that_has_gone_ends_the_alert_quietly(tmp_path: Path, output: str) -> None:
    folder = folder_of(tmp_path, stepped())
    result = query_to_a_closed_pipe("alert", "--metrics-dir", folder, "--format", output)
    assert (result.returncode, result.stderr) == (1, "")  # the alert's own verdict
