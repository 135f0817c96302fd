"""The saved DuckDB queries, checked against figures computed here from the same documents."""

from __future__ import annotations

import json
import math
import os
import random
import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from fnmatch import fnmatch
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import pytest
from conftest import EXAMPLES, metrics_files

JUNK = {
    "empty": b"",
    "null": b"null",
    "array": b"[1, 2]",
    "empty-object": b"{}",
    "truncated": b'{"timestamp": "2026-11-30T00:00:00Z", "production_file": "src/',
    "not-json": b"not json at all",
    "nul-bytes": b"\x00" * 64,
    "invalid-utf8": b'{"timestamp": "2026-11-30T00:00:00Z", "production_file": "\xff\xfe"}',
    "utf8-bom": b'\xef\xbb\xbf{"timestamp": "2026-11-30T00:00:00Z", "production_file": "a"}',
    "trailing-garbage": b'{"timestamp": "2026-11-30T00:00:00Z", "production_file": "a"} x',
    "bad-timestamp": b'{"timestamp": "yesterday", "production_file": "src/a.py"}',
    "named-zone": b'{"timestamp": "2026-11-02T01:00:00 Europe/Berlin", "production_file": "a"}',
    "hour-24": b'{"timestamp": "2026-11-02T24:00:00Z", "production_file": "src/a.py"}',
    "before-year-1": b'{"timestamp": "0001-01-01T00:30:00+01:00", "production_file": "a"}',
    "number-timestamp": b'{"timestamp": 1700000000, "production_file": "src/a.py"}',
    "no-file": b'{"timestamp": "2026-11-30T00:00:00Z", "quality_metrics": {}}',
    "file-number": b'{"timestamp": "2026-11-30T00:00:00Z", "production_file": 123}',
    "file-object": b'{"timestamp": "2026-11-30T00:00:00Z", "production_file": {"a": 1}}',
    "file-surrogate": b'{"timestamp": "2026-11-30T00:00:00Z", "production_file": "\\ud800"}',
    "deep": b"[" * 100_000,
}

# the figures of the view read from a document's sections: column -> (section, JSON type)
FIGURES = {
    "total_time_seconds": ("execution_metrics", "number"),
    "phases_completed": ("execution_metrics", "integer"),
    "memory_peak_mb": ("execution_metrics", "number"),
    "pylint_score": ("quality_metrics", "number"),
    "mypy_errors": ("quality_metrics", "integer"),
    "black_formatted": ("quality_metrics", "boolean"),
    "test_pass_rate": ("quality_metrics", "number"),
    "coverage_percentage": ("quality_metrics", "number"),
    "all_targets_met": ("framework_success", "boolean"),
    "critical_failures": ("framework_success", "integer"),
}
PHASE = {
    "phase_number": "integer",
    "duration_seconds": "number",
    "memory_used_mb": "number",
    "memory_peak_mb": "number",
}


# ---- the view's rows, computed here from the files with json and datetime only ----


def number(value: Any) -> float | None:
    """A JSON number as a finite float: no bool, no text, no NaN or infinity."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        value = float(value)
    except OverflowError:
        return None
    return value if math.isfinite(value) else None


def integer(value: Any) -> int | None:
    """A JSON integer (2.0 is one, as JSON Schema has it) that BIGINT holds, but its lowest."""
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if -(2**63) < value < 2**63 else None


def boolean(value: Any) -> bool | None:
    """true or false, nothing else."""
    return value if isinstance(value, bool) else None


def text(value: Any) -> str | None:
    """A JSON string that is valid Unicode."""
    if not isinstance(value, str):
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return value


KINDS: dict[str, Callable[[Any], Any]] = {
    "number": number,
    "integer": integer,
    "boolean": boolean,
}


def run_time(value: Any) -> datetime | None:
    """What datetime.fromisoformat reads, as a naive UTC time (a time without offset is UTC)."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is not None:
            moment = moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None
    return moment.replace(tzinfo=None)


def expected_runs(folder: Path) -> list[dict[str, Any]]:
    """Every run of the folder as the view `all_runs` must hold it."""
    found = []
    for path in sorted(folder.iterdir()):
        if not fnmatch(path.name, "framework-metrics-*.json") or not path.is_file():
            continue
        try:
            document = json.loads(path.read_bytes().decode("utf-8"))
        except (OSError, ValueError, RecursionError):
            continue
        if not isinstance(document, dict):
            continue
        moment, production_file = run_time(document.get("timestamp")), text(
            document.get("production_file")
        )
        if moment is None or production_file is None:
            continue
        sections = {
            name: document[name] if isinstance(document.get(name), dict) else {}
            for name in ("execution_metrics", "quality_metrics", "framework_success")
        }
        row: dict[str, Any] = {
            "filename": str(path),
            "run_time": moment,
            "production_file": production_file,
            "test_type": text(document.get("test_type")),
            "generated_file": text(document.get("generated_file")),
        }
        for column, (section, kind) in FIGURES.items():
            row[column] = KINDS[kind](sections[section].get(column))
        phases = sections["execution_metrics"].get("phases")
        row["phases"] = (
            [
                (
                    {key: KINDS[kind](phase.get(key)) for key, kind in PHASE.items()}
                    if isinstance(phase, dict)
                    else None
                )
                for phase in phases
            ]
            if isinstance(phases, list)
            else None
        )
        areas = sections["framework_success"].get("improvement_areas")
        row["improvement_areas"] = (
            areas
            if isinstance(areas, list) and all(text(area) is not None for area in areas)
            else None
        )
        found.append(row)
    return found


def kept(
    runs: list[dict[str, Any]],
    production_file: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[dict[str, Any]]:
    """The runs the filters keep, both ends inclusive."""
    return [
        run
        for run in runs
        if (production_file is None or run["production_file"] == production_file)
        and (since is None or run["run_time"] >= since)
        and (until is None or run["run_time"] <= until)
    ]


def oldest_first(run: dict[str, Any]) -> tuple[datetime, str]:
    """Run time, ties broken by file name."""
    return run["run_time"], run["filename"]


def nulls_last(value: Any) -> tuple[bool, Any]:
    """A sort key that puts None after every value, as DuckDB's ascending order does."""
    return value is None, "" if value is None else value


def close(digits: int) -> Callable[[float | None], Any]:
    """A comparison with a figure DuckDB rounded to digits (half away from zero): within half
    a unit of the last digit, and None exactly."""
    return lambda value: (
        None if value is None else pytest.approx(value, abs=0.5 * 10**-digits + 1e-12)
    )


def change(latest: Any, previous: Any) -> Any:
    """The difference of two figures, None where either is unknown."""
    if latest is None or previous is None:
        return None
    return int(latest) - int(previous) if isinstance(latest, bool) else latest - previous


def mean(values: list[Any]) -> float | None:
    """The mean of the known values, None when none is known."""
    known = [value for value in values if value is not None]
    return statistics.mean(known) if known else None


def expected_by_file(every: list[dict[str, Any]], runs: list[dict[str, Any]]) -> list[Any]:
    """by_file's rows: changes are since the run before in the whole folder."""
    history: dict[tuple[Any, Any], list[dict[str, Any]]] = defaultdict(list)
    for run in sorted(every, key=oldest_first):
        history[run["production_file"], run["test_type"]].append(run)
    groups: dict[tuple[Any, Any], list[dict[str, Any]]] = defaultdict(list)
    for run in runs:
        groups[run["production_file"], run["test_type"]].append(run)
    rows = []
    for key in sorted(groups, key=lambda key: (nulls_last(key[0]), nulls_last(key[1]))):
        group = sorted(groups[key], key=oldest_first)
        latest = group[-1]
        position = history[key].index(latest)
        previous = history[key][position - 1] if position else dict.fromkeys(latest)
        rows.append(
            {
                "production_file": key[0],
                "test_type": key[1],
                "runs": len(group),
                "first_run": group[0]["run_time"],
                "last_run": latest["run_time"],
                "all_targets_met": latest["all_targets_met"],
                "pylint_score": latest["pylint_score"],
                "pylint_change": close(2)(change(latest["pylint_score"], previous["pylint_score"])),
                "mypy_errors": latest["mypy_errors"],
                "mypy_change": change(latest["mypy_errors"], previous["mypy_errors"]),
                "black_formatted": latest["black_formatted"],
                "black_change": change(latest["black_formatted"], previous["black_formatted"]),
                "test_pass_rate": latest["test_pass_rate"],
                "pass_rate_change": close(2)(
                    change(latest["test_pass_rate"], previous["test_pass_rate"])
                ),
                "coverage_percentage": latest["coverage_percentage"],
                "coverage_change": close(2)(
                    change(latest["coverage_percentage"], previous["coverage_percentage"])
                ),
                "total_time_seconds": close(3)(latest["total_time_seconds"]),
                "time_change": close(3)(
                    change(latest["total_time_seconds"], previous["total_time_seconds"])
                ),
                "memory_peak_mb": close(1)(latest["memory_peak_mb"]),
                "memory_change": close(1)(
                    change(latest["memory_peak_mb"], previous["memory_peak_mb"])
                ),
            }
        )
    return rows


def expected_by_week(runs: list[dict[str, Any]]) -> list[Any]:
    """by_week's rows: weeks start on Monday, UTC."""
    weeks: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for run in runs:
        day = run["run_time"].date()
        weeks[day - timedelta(days=day.weekday())].append(run)
    rows = []
    for week in sorted(weeks):
        group = weeks[week]
        failures = [
            run["critical_failures"] for run in group if run["critical_failures"] is not None
        ]
        rows.append(
            {
                "week": week,
                "runs": len(group),
                "share_all_targets_met": close(3)(
                    sum(run["all_targets_met"] is True for run in group) / len(group)
                ),
                "mean_pylint_score": close(2)(mean([run["pylint_score"] for run in group])),
                "mean_unit_coverage": close(2)(
                    mean(
                        [run["coverage_percentage"] for run in group if run["test_type"] == "unit"]
                    )
                ),
                "critical_failures": sum(failures) if failures else None,
            }
        )
    return rows


def expected_by_phase(runs: list[dict[str, Any]]) -> list[Any]:
    """by_phase's rows: a phase's growth is its peak minus the previous phase's memory in use."""
    listed: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for run in runs:
        for index, phase in enumerate(run["phases"] or []):
            if phase is None:
                continue
            before = run["phases"][index - 1] if index else None
            used = None if before is None else before["memory_used_mb"]
            listed[phase["phase_number"]].append(
                phase | {"growth_mb": change(phase["memory_peak_mb"], used)}
            )

    def middle(values: list[Any], digits: int) -> Any:
        known = [value for value in values if value is not None]
        return close(digits)(statistics.median(known) if known else None)

    def worst(values: list[Any], digits: int) -> Any:
        known = [value for value in values if value is not None]
        return close(digits)(max(known) if known else None)

    rows = []
    for number_ in sorted(listed, key=nulls_last):
        phases = listed[number_]
        figures = {key: [phase[key] for phase in phases] for key in phases[0]}
        rows.append(
            {
                "phase_number": number_,
                "records": len(phases),
                "median_seconds": middle(figures["duration_seconds"], 4),
                "worst_seconds": worst(figures["duration_seconds"], 4),
                "median_peak_mb": middle(figures["memory_peak_mb"], 1),
                "worst_peak_mb": worst(figures["memory_peak_mb"], 1),
                "median_growth_mb": middle(figures["growth_mb"], 1),
                "worst_growth_mb": worst(figures["growth_mb"], 1),
            }
        )
    return rows


def expected_missed_targets(runs: list[dict[str, Any]]) -> list[Any]:
    """missed_targets's rows: every run not known to have met every target, newest first."""
    missed = [run for run in runs if run["all_targets_met"] is not True]
    return [
        {
            "run_time": run["run_time"],
            "production_file": run["production_file"],
            "test_type": run["test_type"],
            "all_targets_met": run["all_targets_met"],
            "critical_failures": run["critical_failures"],
            "improvement_areas": (
                None if run["improvement_areas"] is None else "; ".join(run["improvement_areas"])
            ),
        }
        for run in sorted(missed, key=oldest_first, reverse=True)
    ]


def expected_trend(runs: list[dict[str, Any]]) -> list[Any]:
    """trend's rows: the runs kept, oldest first."""
    return [
        {
            "run_time": run["run_time"],
            "test_type": run["test_type"],
            "total_time_seconds": close(3)(run["total_time_seconds"]),
            "memory_peak_mb": close(1)(run["memory_peak_mb"]),
            "pylint_score": run["pylint_score"],
            "mypy_errors": run["mypy_errors"],
            "test_pass_rate": run["test_pass_rate"],
            "coverage_percentage": run["coverage_percentage"],
        }
        for run in sorted(runs, key=oldest_first)
    ]


EXPECTED: dict[str, Callable[[list[dict[str, Any]], list[dict[str, Any]]], list[Any]]] = {
    "by_file": expected_by_file,
    "by_phase": lambda every, runs: expected_by_phase(runs),
    "by_week": lambda every, runs: expected_by_week(runs),
    "missed_targets": lambda every, runs: expected_missed_targets(runs),
    "trend": lambda every, runs: expected_trend(runs),
}


# ---- folders ----


def write(folder: Path, name: str, document: Any) -> Path:
    """A metrics file written as given (json.dumps writes NaN and Infinity as Python does)."""
    path = folder / f"framework-metrics-{name}.json"
    path.write_text(
        document if isinstance(document, str) else json.dumps(document, indent=2),
        encoding="utf-8",
    )
    return path


def document(
    timestamp: str, production_file: Any = "src/d.py", test_type: Any = "unit", **figures: Any
) -> dict[str, Any]:
    """A metrics document in the collector's layout with the given figures in their sections."""
    sections: dict[str, dict[str, Any]] = {
        "execution_metrics": {"total_time_seconds": 1.0, "phases_completed": 0, "phases": []},
        "quality_metrics": {"pylint_score": 10.0, "mypy_errors": 0, "coverage_percentage": 95.0},
        "framework_success": {
            "all_targets_met": True,
            "critical_failures": 0,
            "improvement_areas": [],
        },
    }
    lists = {"phases": "execution_metrics", "improvement_areas": "framework_success"}
    for column, value in figures.items():
        sections[FIGURES[column][0] if column in FIGURES else lists[column]][column] = value
    return {
        "timestamp": timestamp,
        **sections,
        "production_file": production_file,
        "test_type": test_type,
        "generated_file": "tests/unit/test_d.py",
    }


@pytest.fixture
def mixed(fmc: ModuleType, tmp_path: Path) -> Path:
    """Real collector runs of two files (one of them unit and integration), a document in the
    task's schema without phases, runs with an offset, a tie, an unknown verdict, and junk."""
    folder = tmp_path / "mixed"
    for production_file, test_type, runs in (
        ("src/a.py", "unit", 3),
        ("src/a.py", "integration", 2),
        ("src/b.py", "unit", 2),
    ):
        for run in range(runs):
            collector = fmc.FrameworkMetricsCollector(
                folder, production_file=production_file, test_type=test_type
            )
            for number_ in range(1, 4 + run):
                collector.record_phase_completion(number_, 0.5 * number_ + run, 40.0 + run)
            collector.record_quality_results(  # not in time order: the queries must order
                (9.5, 8.5, 10.0)[run],
                run,
                (88.0, 85.0, 91.0)[run],
                black_formatted=run != 1,
                test_pass_rate=(100.0, 96.5, 100.0)[run],
            )
            collector.save_execution_metrics()
    task_example = json.loads(metrics_files(EXAMPLES)[0].read_text(encoding="utf-8"))
    del task_example["execution_metrics"]["phases"]
    task_example |= {"production_file": "src/c.py", "timestamp": "2026-01-05T10:00:00Z"}
    fmc.save_metrics_to_json(task_example, "2026-01-05T10:00:00Z", folder)
    write(folder, "offset", document("2026-11-02T01:00:00+02:00", pylint_score=9.0))
    write(folder, "zulu", document("2026-11-02T00:00:00Z", pylint_score=8.0))
    write(folder, "tie-1", document("2026-11-02T00:00:00Z", pylint_score=7.0))
    write(folder, "unknown-verdict", document("2026-11-03T00:00:00", all_targets_met="yes"))
    write(folder, "odd-types", document("2026-11-04T00:00:00Z", "src/e.py", 7, **ODD))
    for kind, content in JUNK.items():
        (folder / f"framework-metrics-2099-{kind}.json").write_bytes(content)
    (folder / "framework-metrics-20990201T000000000000Z-directory.json").mkdir()
    (folder / "framework-metrics-20990201T000000000000Z-directory.json.tmp").write_text("{}")
    return folder


ODD = {  # a value of the wrong type, NaN or infinite for each figure, and phases to match
    "total_time_seconds": "1.5",
    "phases_completed": True,
    "memory_peak_mb": math.inf,
    "pylint_score": math.nan,
    "mypy_errors": 2.5,
    "black_formatted": "true",
    "test_pass_rate": -math.inf,
    "coverage_percentage": [90],
    "all_targets_met": 1,
    "critical_failures": "3",
    "improvement_areas": ["a", 1],
    "phases": [
        {"phase_number": True, "duration_seconds": 1, "memory_used_mb": 10.0, "memory_peak_mb": 1},
        {"phase_number": 2.0, "duration_seconds": None, "memory_used_mb": "x", "memory_peak_mb": 9},
        "not a phase",
        {"phase_number": 2.5, "duration_seconds": math.nan, "memory_peak_mb": 20.0},
    ],
}


@pytest.fixture(params=["examples", "mixed"])
def folder(request: pytest.FixtureRequest) -> Path:
    """The committed example history, then a temporary folder with junk among the documents."""
    if request.param == "examples":
        return EXAMPLES
    path: Path = request.getfixturevalue("mixed")
    return path


def most_runs(runs: list[dict[str, Any]]) -> str:
    """The production file with the most runs."""
    files = [run["production_file"] for run in runs]
    return max(sorted(files), key=files.count)


WINDOWS = {  # filters as functions of the folder's runs
    "everything": lambda runs: {},
    "one file": lambda runs: {  # of the files that missed a target: missed_targets lists some
        "production_file": most_runs([run for run in runs if run["all_targets_met"] is not True])
    },
    "since": lambda runs: {"since": sorted(run["run_time"] for run in runs)[len(runs) // 2]},
    "until": lambda runs: {"until": sorted(run["run_time"] for run in runs)[len(runs) // 2]},
}


def rows(runner: ModuleType, folder: Path, name: str, **filters: Any) -> list[dict[str, Any]]:
    """The saved query's result as dictionaries."""
    relation = runner.query(runner.connect(folder, **filters), name)
    return [dict(zip(relation.columns, row)) for row in relation.fetchall()]


def read_as(runner: ModuleType, folder: Path, column: str, written: str) -> Any:
    """The view's value of a figure written in the document as the given JSON text."""
    text = json.dumps(document("2026-11-02T00:00:00Z", **{column: "?"}))
    write(folder, "x", text.replace(f'"{column}": "?"', f'"{column}": {written}'))
    [(value,)] = runner.connect(folder).sql(f"SELECT {column} FROM runs").fetchall()
    return value


# ---- the view ----


def test_the_view_has_the_columns_and_types_others_build_on(runner: ModuleType) -> None:
    described = runner.connect(EXAMPLES).sql("DESCRIBE runs").fetchall()
    assert [(name, kind) for name, kind, *_ in described] == [
        ("filename", "VARCHAR"),
        ("run_time", "TIMESTAMP"),
        ("production_file", "VARCHAR"),
        ("test_type", "VARCHAR"),
        ("generated_file", "VARCHAR"),
        ("total_time_seconds", "DOUBLE"),
        ("phases_completed", "BIGINT"),
        ("memory_peak_mb", "DOUBLE"),
        (
            "phases",
            "STRUCT(phase_number BIGINT, duration_seconds DOUBLE, memory_used_mb DOUBLE,"
            " memory_peak_mb DOUBLE)[]",
        ),
        ("pylint_score", "DOUBLE"),
        ("mypy_errors", "BIGINT"),
        ("black_formatted", "BOOLEAN"),
        ("test_pass_rate", "DOUBLE"),
        ("coverage_percentage", "DOUBLE"),
        ("all_targets_met", "BOOLEAN"),
        ("critical_failures", "BIGINT"),
        ("improvement_areas", "VARCHAR[]"),
    ]


def test_the_view_holds_every_run_as_read_here(runner: ModuleType, folder: Path) -> None:
    relation = runner.connect(folder).sql("SELECT * FROM runs")
    found = [dict(zip(relation.columns, row)) for row in relation.fetchall()]
    assert sorted(found, key=oldest_first) == sorted(expected_runs(folder), key=oldest_first)


def test_the_mixed_folder_holds_what_the_other_tests_need(mixed: Path) -> None:
    runs = expected_runs(mixed)
    assert len(runs) == 13
    kinds = {(run["production_file"], run["test_type"]) for run in runs}
    assert {("src/a.py", "unit"), ("src/a.py", "integration")} <= kinds
    assert sum(run["all_targets_met"] is None for run in runs) == 2
    assert sum(run["phases"] is None for run in runs) == 1
    times = [run["run_time"] for run in runs]
    assert len(times) - len(set(times)) == 1  # one tie


def test_a_value_of_the_wrong_type_nan_or_infinite_is_null(runner: ModuleType, mixed: Path) -> None:
    relation = runner.connect(mixed).sql("SELECT * FROM runs WHERE production_file = 'src/e.py'")
    [odd] = relation.fetchall()
    assert odd[2:] == (
        "src/e.py",
        None,  # test type 7
        "tests/unit/test_d.py",
        None,  # "1.5"
        None,  # true
        None,  # Infinity
        [
            {
                "phase_number": None,
                "duration_seconds": 1.0,
                "memory_used_mb": 10.0,
                "memory_peak_mb": 1.0,
            },
            {
                "phase_number": 2,
                "duration_seconds": None,
                "memory_used_mb": None,
                "memory_peak_mb": 9.0,
            },
            None,
            {
                "phase_number": None,
                "duration_seconds": None,
                "memory_used_mb": None,
                "memory_peak_mb": 20.0,
            },
        ],
        None,  # NaN
        None,  # 2.5
        None,  # "true"
        None,  # -Infinity
        None,  # [90]
        None,  # 1
        None,  # "3"
        None,  # ["a", 1]
    )


@pytest.mark.parametrize(
    "text_, value",
    [
        ("9.5", 9.5),
        ("10", 10.0),
        ("1e999", None),
        ("-1e999", None),
        ("NaN", None),
        ("Infinity", None),
        ("true", None),
        ('"9.5"', None),
        ("null", None),
        ("{}", None),
        ("1" + "0" * 400, None),
    ],
)
def test_a_number_is_read_only_as_a_finite_json_number(
    runner: ModuleType, tmp_path: Path, text_: str, value: float | None
) -> None:
    assert read_as(runner, tmp_path, "pylint_score", text_) == value


@pytest.mark.parametrize(
    "text_, value",
    [
        ("3", 3),
        ("3.0", 3),
        ("2.5", None),
        ("true", None),
        ('"3"', None),
        ("9223372036854775807", 2**63 - 1),
        ("-9223372036854775807", -(2**63) + 1),
        ("-9223372036854775808", None),  # BIGINT's lowest marks an unknown integer
        ("9223372036854775808", None),
        ("1e30", None),
        ("NaN", None),
    ],
)
def test_an_integer_is_read_only_as_a_json_integer_bigint_holds(
    runner: ModuleType, tmp_path: Path, text_: str, value: int | None
) -> None:
    assert read_as(runner, tmp_path, "critical_failures", text_) == value


@pytest.mark.parametrize(
    "timestamp, expected",
    [
        ("2026-11-02T01:00:00+02:00", datetime(2026, 11, 1, 23, 0)),
        ("2026-11-02T10:00:00+02:00", datetime(2026, 11, 2, 8, 0)),
        ("2026-11-02T01:00:00.5-05:30", datetime(2026, 11, 2, 6, 30, 0, 500_000)),
        ("2026-11-02T01:00:00Z", datetime(2026, 11, 2, 1, 0)),
        ("2026-11-02T01:00:00", datetime(2026, 11, 2, 1, 0)),
        ("2026-11-02", datetime(2026, 11, 2)),
        ("20261102T010000Z", datetime(2026, 11, 2, 1, 0)),
        ("9999-12-31T23:59:59.999999Z", datetime(9999, 12, 31, 23, 59, 59, 999_999)),
        ("2026-11-02T01:00:00 Europe/Berlin", None),
        ("2026-11-02T24:00:00Z", None),
        ("2026-02-30T00:00:00Z", None),
        ("9999-12-31T23:00:00-01:00", None),
        ("1700000000", None),
        ("", None),
    ],
)
def test_a_run_time_is_what_python_reads_in_utc(
    runner: ModuleType, tmp_path: Path, timestamp: str, expected: datetime | None
) -> None:
    write(tmp_path, "x", document(timestamp))
    found = runner.connect(tmp_path).sql("SELECT run_time FROM runs").fetchall()
    assert found == ([] if expected is None else [(expected,)])


def test_an_offset_puts_a_run_in_its_utc_week(runner: ModuleType, tmp_path: Path) -> None:
    write(tmp_path, "sunday", document("2026-11-02T01:00:00+02:00", pylint_score=8.0))  # Sun 23:00
    write(tmp_path, "monday", document("2026-11-02T09:00:00Z", pylint_score=10.0))
    assert [(row["week"], row["runs"]) for row in rows(runner, tmp_path, "by_week")] == [
        (date(2026, 10, 26), 1),
        (date(2026, 11, 2), 1),
    ]


def test_an_offset_decides_which_run_is_the_latest(runner: ModuleType, tmp_path: Path) -> None:
    write(tmp_path, "z", document("2026-11-02T09:00:00Z", pylint_score=10.0))
    write(tmp_path, "offset", document("2026-11-02T10:00:00+02:00", pylint_score=8.0))  # 08:00
    [latest] = rows(runner, tmp_path, "by_file")
    assert (latest["last_run"], latest["pylint_score"], latest["pylint_change"]) == (
        datetime(2026, 11, 2, 9, 0),
        10.0,
        2.0,
    )
    trend = rows(runner, tmp_path, "trend", production_file="src/d.py")
    assert [row["pylint_score"] for row in trend] == [8.0, 10.0]


def test_nan_leaves_a_weeks_mean_to_the_known_scores(runner: ModuleType, tmp_path: Path) -> None:
    write(
        tmp_path,
        "nan",
        '{"timestamp": "2026-11-02T00:00:00Z", "production_file": "a", "quality_metrics": {"pylint_score": NaN}}',
    )
    write(tmp_path, "known", document("2026-11-03T00:00:00Z", pylint_score=9.0))
    [week] = rows(runner, tmp_path, "by_week")
    assert (week["runs"], week["mean_pylint_score"]) == (2, 9.0)


# ---- each query against the figures computed here ----


@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_query_matches_the_figures_computed_here(
    runner: ModuleType, folder: Path, name: str, window: str
) -> None:
    every = expected_runs(folder)
    filters = WINDOWS[window](every)
    if name == "trend" and "production_file" not in filters:  # trend is of one file
        filters["production_file"] = most_runs(kept(every, **filters))
    expected = EXPECTED[name](every, kept(every, **filters))
    assert expected, "a window that keeps no run checks nothing"
    assert rows(runner, folder, name, **filters) == expected


def test_a_run_of_unknown_verdict_counts_as_missed(runner: ModuleType, tmp_path: Path) -> None:
    write(tmp_path, "met", document("2026-11-02T00:00:00Z", all_targets_met=True))
    write(tmp_path, "unknown", document("2026-11-03T00:00:00Z", all_targets_met="yes"))
    [week] = rows(runner, tmp_path, "by_week")
    assert (week["runs"], week["share_all_targets_met"]) == (2, 0.5)
    [missed] = rows(runner, tmp_path, "missed_targets")
    assert (missed["run_time"], missed["all_targets_met"]) == (datetime(2026, 11, 3), None)


def test_ties_in_run_time_are_broken_by_file_name(runner: ModuleType, tmp_path: Path) -> None:
    # 40 files with two runs at the same time each, written in random order: the later name
    # counts as the later run, so each file's latest pylint score is 10
    names = [(f"src/f{file:02}.py", tie) for file in range(40) for tie in (0, 1)]
    random.Random(14).shuffle(names)
    for production_file, tie in names:
        figures = {"pylint_score": 9.0 + tie, "all_targets_met": False, "critical_failures": tie}
        write(
            tmp_path,
            f"{production_file[4:7]}-{tie}",
            document("2026-11-02T00:00:00Z", production_file, **figures),
        )
    by_file = rows(runner, tmp_path, "by_file")
    assert [(row["pylint_score"], row["pylint_change"]) for row in by_file] == [(10.0, 1.0)] * 40
    for production_file in ("src/f00.py", "src/f17.py", "src/f39.py"):
        trend = rows(runner, tmp_path, "trend", production_file=production_file)
        assert [row["pylint_score"] for row in trend] == [9.0, 10.0]
    missed = rows(runner, tmp_path, "missed_targets")
    assert [(row["production_file"], row["critical_failures"]) for row in missed] == sorted(
        names, reverse=True
    )


@pytest.mark.parametrize(
    "name, siblings",
    [
        ("a*b", ["aXb", "a-b", "ab"]),
        ("[abc]", ["a", "b"]),
        ("**", ["x", "y"]),
        ("a?c", ["abc"]),
        ("back\\slash", ["back"]),
        ("{a,b}", ["a", "b"]),
        ("caf\xe9 and space", ["cafe"]),
    ],
)
def test_a_folder_is_read_literally_whatever_its_name(
    runner: ModuleType, tmp_path: Path, name: str, siblings: list[str]
) -> None:
    for sibling in siblings:
        (tmp_path / sibling).mkdir()
        write(tmp_path / sibling, "x", document("2026-10-01T00:00:00Z", "src/sibling.py"))
    (tmp_path / name).mkdir()
    path = write(tmp_path / name, "own", document("2026-11-02T00:00:00Z", "src/own.py"))
    found = runner.connect(tmp_path / name).sql("SELECT filename, production_file FROM runs")
    assert found.fetchall() == [(str(path), "src/own.py")]


def test_by_phase_names_the_phase_that_allocates(
    runner: ModuleType, fmc: ModuleType, tmp_path: Path
) -> None:
    # a real run that allocates 200 MB in phase 4 and holds it to the end: phases 4 to 8 peak
    # alike, and only phase 4 grows
    collector = fmc.FrameworkMetricsCollector(tmp_path, production_file="src/a.py")
    held = b""
    for number_ in range(1, 9):
        if number_ == 4:
            held = b"\x01" * (200 * 2**20)
        collector.record_phase_completion(number_)
    collector.save_execution_metrics()
    del held
    found = {row["phase_number"]: row for row in rows(runner, tmp_path, "by_phase")}
    assert all(found[number_]["median_peak_mb"] > 200 for number_ in range(4, 9))
    assert found[1]["median_growth_mb"] is None
    assert 195 < found[4]["median_growth_mb"] < 205
    assert all(abs(found[number_]["median_growth_mb"]) < 5 for number_ in (2, 3, 5, 6, 7, 8))


def test_connect_takes_since_and_until_with_an_offset(runner: ModuleType, tmp_path: Path) -> None:
    for hour in (7, 8, 9, 10):
        write(tmp_path, str(hour), document(f"2026-11-02T{hour:02}:00:00Z"))
    plus_two = timezone(timedelta(hours=2))
    connection = runner.connect(
        tmp_path,
        since=datetime(2026, 11, 2, 10, tzinfo=plus_two),  # 08:00 UTC
        until=datetime(2026, 11, 2, 9),  # naive: UTC
    )
    assert connection.sql("SELECT hour(run_time) FROM runs ORDER BY 1").fetchall() == [(8,), (9,)]


def test_a_file_name_that_is_not_utf8_is_read(runner: ModuleType, tmp_path: Path) -> None:
    name = os.fsdecode(b"framework-metrics-\xff.json")
    (tmp_path / name).write_text(json.dumps(document("2026-11-02T00:00:00Z")), encoding="utf-8")
    [(filename,)] = runner.connect(tmp_path).sql("SELECT filename FROM runs").fetchall()
    assert filename == f"{tmp_path}/framework-metrics-\\xff.json"


def test_a_week_without_a_known_critical_failure_count_says_so(
    runner: ModuleType, tmp_path: Path
) -> None:
    write(tmp_path, "known", document("2026-11-02T00:00:00Z", critical_failures=2))
    write(tmp_path, "unknown", document("2026-11-10T00:00:00Z", critical_failures="2"))
    weeks = rows(runner, tmp_path, "by_week")
    assert [(row["week"], row["critical_failures"]) for row in weeks] == [
        (date(2026, 11, 2), 2),
        (date(2026, 11, 9), None),
    ]
