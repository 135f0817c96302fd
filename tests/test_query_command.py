"""scripts/query-metrics.py as a user runs it: options, exit codes, pipes, files, the chart."""

from __future__ import annotations

import importlib
import json
import math
import os
import re
import struct
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import EXAMPLES, ROOT, RUNNER, query_command, query_to_a_closed_pipe

INITIALIZATION = "src/honeyhive/tracer/instrumentation/initialization.py"
QUERIES = ["by_file", "by_phase", "by_week", "missed_targets", "trend"]
ARGUMENTS = {  # a valid value for each option
    "--production-file": INITIALIZATION,
    "--since": "2026-10-01",
    "--until": "2026-12-31",
    "--chart": "chart.png",
}
TAKES = {  # the options each query takes, as the README lists them
    "by_file": {"--production-file", "--since", "--until"},
    "by_phase": {"--production-file", "--since", "--until"},
    "by_week": {"--production-file", "--since", "--until"},
    "missed_targets": {"--production-file", "--since", "--until"},
    "trend": {"--production-file", "--since", "--until", "--chart"},
}
ALERT_TAKES = {  # tests/test_alert_command.py runs them
    "--since",
    "--accepted",
    "--format",
    "--time-floor",
    "--memory-floor",
    "--coverage-tolerance",
}


def arguments_for(name: str, chart: Path | None = None) -> list[str]:
    """The command line of a query over the example history (trend needs its file)."""
    extra = ["--production-file", INITIALIZATION] if name == "trend" else []
    if chart is not None:
        extra += ["--chart", str(chart)]
    return [name, "--metrics-dir", str(EXAMPLES), *extra]


def save(folder: Path, name: str, timestamp: str, **fields: Any) -> None:
    """A small metrics document."""
    document = {
        "timestamp": timestamp,
        "production_file": "src/a.py",
        "test_type": "unit",
        "quality_metrics": {"pylint_score": 9.0},
        "framework_success": {"all_targets_met": False, "improvement_areas": ["x"]},
    } | fields
    (folder / f"framework-metrics-{name}.json").write_text(json.dumps(document), encoding="utf-8")


def data_lines(printed: str) -> list[str]:
    """The rows of a printed table, without its header and rules."""
    lines = printed.splitlines()
    closing = next(index for index, line in enumerate(lines) if line.startswith("└"))
    return lines[3:closing]


# ---- what it prints ----


def test_the_table_shows_every_value_as_duckdb_prints_it(runner: ModuleType) -> None:
    drawn = runner.table(
        ["name", "number", "flag", "when"],
        [("a", 1.5, True, datetime(2026, 11, 2, 9)), (None, -12, False, None)],
    )
    assert drawn == (
        "┌──────┬────────┬───────┬─────────────────────┐\n"
        "│ name │ number │ flag  │ when                │\n"
        "├──────┼────────┼───────┼─────────────────────┤\n"
        "│ a    │    1.5 │ true  │ 2026-11-02 09:00:00 │\n"
        "│ NULL │    -12 │ false │ NULL                │\n"
        "└──────┴────────┴───────┴─────────────────────┘\n"
    )


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 files, 3 runs each over 12 weeks, of 12 phases, none meeting every target, and one
    file with 12 runs: every query's table has more than 10 rows."""
    folder = tmp_path_factory.mktemp("many")
    phases = [
        {"phase_number": n, "duration_seconds": 0.1, "memory_used_mb": 1.0, "memory_peak_mb": 2.0}
        for n in range(1, 13)
    ]
    for file in range(12):
        for run in range(3 if file else 12):
            save(
                folder,
                f"{file}-{run}",
                f"2026-{9 + run // 4:02}-{1 + 7 * (run % 4) + file % 7:02}T09:00:00Z",
                production_file=f"src/f{file:02}.py",
                execution_metrics={"phases": phases},
            )
    return folder


@pytest.mark.parametrize("name", QUERIES)
def test_each_query_prints_every_row(runner: ModuleType, many: Path, name: str) -> None:
    filters = {"production_file": "src/f00.py"} if name == "trend" else {}
    relation = runner.query(runner.connect(many, **filters), name)
    expected = relation.fetchall()
    assert len(expected) > 10
    words = ["--production-file", "src/f00.py"] if name == "trend" else []
    result = query_command(name, "--metrics-dir", many, *words)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == runner.table(relation.columns, expected)
    assert len(data_lines(result.stdout)) == len(expected)


# ---- exit codes ----


@pytest.mark.parametrize("kind", ["missing", "empty", "junk only", "a file"])
def test_a_folder_without_documents_exits_1_with_one_line(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "metrics"
    if kind == "a file":
        folder.write_text("{}", encoding="utf-8")
    elif kind != "missing":
        folder.mkdir()
    if kind == "junk only":
        (folder / "framework-metrics-20990101T000000000000Z-x.json").write_bytes(b"{}")
    result = query_command("by_week", "--metrics-dir", folder)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"no metrics documents in {folder}\n"


def test_a_folder_that_cannot_be_listed_exits_1_with_one_line(tmp_path: Path) -> None:
    folder = tmp_path / ("x" * 300)  # longer than a file name may be
    result = query_command("by_week", "--metrics-dir", folder)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"cannot read {folder}: File name too long\n"


@pytest.mark.parametrize(
    "filters, said",
    [
        (["--production-file", "src/none.py"], "of src/none.py"),
        (["--since", "2026-11-27"], "since 2026-11-27 00:00:00"),
        (["--until", "2026-10-18T23:00:00-02:00"], "until 2026-10-19 01:00:00"),
        (
            ["--production-file", INITIALIZATION, "--since", "2026-11-26"],
            f"of {INITIALIZATION} since 2026-11-26 00:00:00",
        ),
        (["--since", "2026-11-02", "--until", "2026-11-01"], "since 2026-11-02 00:00:00 until"),
    ],
)
@pytest.mark.parametrize("name", QUERIES)
def test_a_filter_that_keeps_no_run_exits_1_with_one_line(
    name: str, filters: list[str], said: str
) -> None:
    words = filters if "--production-file" in filters or name != "trend" else []
    if not words:
        words = ["--production-file", INITIALIZATION, *filters]
        said = f"of {INITIALIZATION} {said}"
    result = query_command(name, "--metrics-dir", EXAMPLES, *words)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith(f"no runs {said}")
    assert result.stderr.endswith(f" in {EXAMPLES}\n") and result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "name, option",
    [
        (name, option)
        for name in QUERIES
        for option in ARGUMENTS
        if option not in arguments_for(name)  # trend's --production-file is there already
    ],
)
def test_each_query_takes_exactly_its_options(name: str, option: str, tmp_path: Path) -> None:
    result = query_command(*arguments_for(name), option, ARGUMENTS[option], cwd=tmp_path)
    if option in TAKES[name]:
        assert (result.returncode, result.stderr) == (0, "")
    else:
        assert result.returncode == 2
        assert "usage" in result.stderr and "unrecognized arguments" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "arguments",
    [
        ["nonsense"],
        ["trend"],
        ["by_week", "--bogus"],
        ["by_week", "--since", "yesterday"],
        ["by_week", "--until", "2026-13-01"],
        [],
    ],
)
def test_usage_errors_exit_2(arguments: list[str]) -> None:
    result = query_command(*arguments)
    assert result.returncode == 2
    assert "usage" in result.stderr and "Traceback" not in result.stderr


def test_the_options_of_each_query_are_the_readmes(runner: ModuleType) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### The command")[1].split("###")[0]
    every = [*QUERIES, "alert"]
    taken: dict[str, set[str]] = {name: set() for name in every}
    for flag, queries in re.findall(r"^\| `(--[a-z-]+)[^`]*` \| ([^|]+) \|", section, re.M):
        named = re.findall(r"[a-z_]+", queries.split(" (")[0])
        for name in every if named == ["all"] else named:
            taken[name].add(flag)
    assert taken == TAKES | {"alert": ALERT_TAKES}
    listed = {path.stem for path in (ROOT / "metrics" / "queries").glob("*.sql")} - {"runs"}
    assert set(runner.OPTIONS) == listed == set(every)
    for name, options in runner.OPTIONS.items():
        assert {"--" + option.replace("_", "-") for option in options} == taken[name]
    assert runner.REQUIRED == {"trend": {"production_file"}}


# ---- since and until ----


def test_since_and_until_are_inclusive_and_utc(tmp_path: Path) -> None:
    for name, timestamp in (
        ("before", "2026-10-31T23:59:59.999999Z"),
        ("first", "2026-11-01T00:00:00Z"),
        ("last", "2026-11-01T23:59:59.999999+00:00"),
        ("offset", "2026-11-02T00:30:00+01:00"),  # 23:30 UTC on the 1st
        ("after", "2026-11-02T00:00:00Z"),
    ):
        save(tmp_path, name, timestamp)

    def shown(*filters: str) -> list[str]:
        result = query_command(
            "trend", "--metrics-dir", tmp_path, "--production-file", "src/a.py", *filters
        )
        assert (result.returncode, result.stderr) == (0, "")
        return [line.split("│")[1].strip() for line in data_lines(result.stdout)]

    day = ["2026-11-01 00:00:00", "2026-11-01 23:30:00", "2026-11-01 23:59:59.999999"]
    assert shown("--since", "2026-11-01", "--until", "2026-11-01") == day
    assert (
        shown("--since", "2026-11-01T01:00:00+01:00", "--until", "2026-11-02T00:59:59.999999+01:00")
        == day
    )
    assert shown("--since", "2026-11-01T23:30:00") == day[1:] + ["2026-11-02 00:00:00"]
    assert shown("--until", "2026-11-01T00:00:00Z") == ["2026-10-31 23:59:59.999999", day[0]]


# ---- unreadable files ----


def test_an_unreadable_file_is_skipped_and_named(tmp_path: Path) -> None:
    save(tmp_path, "good-1", "2026-11-02T09:00:00Z")
    save(tmp_path, "good-2", "2026-11-03T09:00:00Z")
    broken = {
        "dangling": tmp_path / "framework-metrics-dangling.json",
        "loop": tmp_path / "framework-metrics-loop.json",
        "directory": tmp_path / "framework-metrics-directory.json",
        "fifo": tmp_path / "framework-metrics-fifo.json",
    }
    broken["dangling"].symlink_to(tmp_path / "gone.json")
    broken["loop"].symlink_to(broken["loop"])
    broken["directory"].mkdir()
    os.mkfifo(broken["fifo"])  # opening it must not wait for a writer
    result = query_command("by_week", "--metrics-dir", tmp_path)
    assert result.returncode == 0
    assert sorted(result.stderr.splitlines()) == sorted(
        [
            f"skipped {broken['dangling']}: No such file or directory",
            f"skipped {broken['loop']}: Too many levels of symbolic links",
            f"skipped {broken['directory']}: not a regular file",
            f"skipped {broken['fifo']}: not a regular file",
        ]
    )
    [week] = data_lines(result.stdout)
    assert week.split("│")[1:3] == [" 2026-11-02 ", "    2 "]


# ---- a closed pipe ----


@pytest.mark.parametrize("name", [*QUERIES, "trend --chart"])
def test_a_reader_that_has_gone_ends_the_command_quietly(name: str, tmp_path: Path) -> None:
    chart = tmp_path / "trend.png" if name.endswith("--chart") else None
    result = query_to_a_closed_pipe(*arguments_for(name.split()[0], chart))
    assert (result.returncode, result.stderr) == (0, "")
    if chart is not None:
        assert png_size(chart) == (800, 1200)


# ---- the chart's file ----


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header, after checking its signature."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n" and header[12:16] == b"IHDR"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


@pytest.mark.parametrize(
    "name, signature",
    [
        ("trend.png", b"\x89PNG"),
        ("TREND.PNG", b"\x89PNG"),
        ("trend.svg", b"<?xml"),
        ("t.pdf", b"%PDF"),
    ],
)
def test_the_chart_is_written_at_exactly_the_path_given(
    tmp_path: Path, name: str, signature: bytes
) -> None:
    path = tmp_path / name
    result = query_command(*arguments_for("trend", path))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.endswith(f"┘\nchart: {path}\n")
    assert [entry.name for entry in tmp_path.iterdir()] == [name]
    assert path.read_bytes().startswith(signature)


def test_the_trend_chart_is_an_800_by_1200_png(tmp_path: Path) -> None:
    path = tmp_path / "trend.png"
    assert query_command(*arguments_for("trend", path)).returncode == 0
    assert png_size(path) == (800, 1200)
    assert 40_000 < path.stat().st_size < 1_000_000


@pytest.mark.parametrize("kind", ["missing folder", "directory", "unknown extension", "none"])
def test_a_chart_that_cannot_be_written_is_refused_before_the_query(
    tmp_path: Path, kind: str
) -> None:
    path, said = {
        "missing folder": (tmp_path / "no" / "trend.png", f"no folder {tmp_path / 'no'}"),
        "directory": (tmp_path, "is a directory"),
        "unknown extension": (tmp_path / "trend.xyz", "matplotlib writes only "),
        "none": (tmp_path / "trend", "matplotlib writes only "),
    }[kind]
    nowhere = tmp_path / "no metrics here"  # the query would fail too, had it run first
    result = query_command(
        "trend", "--metrics-dir", nowhere, "--production-file", "src/a.py", "--chart", path
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith(f"--chart {path}: {said}") and result.stderr.count("\n") == 1
    assert "png" in result.stderr or kind in ("missing folder", "directory")
    assert sorted(entry.name for entry in tmp_path.iterdir()) == []


def test_matplotlib_is_imported_only_for_a_chart(tmp_path: Path) -> None:
    probe = (
        "import runpy, sys\n"
        "sys.argv = sys.argv[1:]\n"
        "try:\n"
        "    runpy.run_path(sys.argv[0], run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('matplotlib' in sys.modules, file=sys.stderr)\n"
    )
    for arguments, imported in (
        (arguments_for("trend"), "False"),
        (arguments_for("by_week"), "False"),
        (arguments_for("trend", tmp_path / "trend.png"), "True"),
    ):
        result = subprocess.run(
            [sys.executable, "-c", probe, str(RUNNER), *arguments],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        assert result.stderr == f"{imported}\n"


# ---- the chart's content, through the Figure the command saves ----


def figure_of(runner: ModuleType, folder: Path, production_file: str) -> Any:
    """The trend chart of one file, as the command draws it."""
    relation = runner.query(runner.connect(folder, production_file=production_file), "trend")
    return runner.chart(relation.columns, relation.fetchall(), production_file), relation


@pytest.fixture
def two_types(tmp_path: Path) -> Path:
    """One file's unit and integration runs, interleaved, one figure unknown."""
    for number, (timestamp, test_type, pylint, coverage) in enumerate(
        [
            ("2026-11-01T09:00:00Z", "unit", 9.0, 80.0),
            ("2026-11-02T09:00:00Z", "integration", 8.0, 40.0),
            ("2026-11-03T09:00:00Z", "unit", 10.0, None),
            ("2026-11-04T09:00:00Z", "integration", 9.5, 45.0),
        ]
    ):
        save(
            tmp_path,
            str(number),
            timestamp,
            test_type=test_type,
            execution_metrics={"total_time_seconds": 1.0 + number, "memory_peak_mb": 50.0},
            quality_metrics={
                "pylint_score": pylint,
                "mypy_errors": number,
                "test_pass_rate": 100.0 - number,
                "coverage_percentage": coverage,
            },
        )
    return tmp_path


PANELS = [
    ("total_time_seconds", "total time (s)"),
    ("memory_peak_mb", "peak memory (MB)"),
    ("pylint_score", "pylint score"),
    ("mypy_errors", "mypy errors"),
    ("test_pass_rate", "test pass rate (%)"),
    ("coverage_percentage", "coverage (%)"),
]


def test_the_chart_draws_each_test_type_apart(runner: ModuleType, two_types: Path) -> None:
    figure, relation = figure_of(runner, two_types, "src/a.py")
    rows = [dict(zip(relation.columns, row)) for row in relation.fetchall()]
    assert [axis.get_ylabel() for axis in figure.axes] == [label for _, label in PANELS]
    for axis, (column, _) in zip(figure.axes, PANELS):
        drawn = {line.get_label(): line for line in axis.get_lines() if line.get_linestyle() == "-"}
        assert sorted(drawn) == ["integration", "unit"]
        for test_type, line in drawn.items():
            runs = [row for row in rows if row["test_type"] == test_type]
            assert list(line.get_xdata()) == [row["run_time"] for row in runs]
            values = [row[column] for row in runs]
            assert [None if math.isnan(y) else y for y in line.get_ydata()] == values


def test_the_chart_draws_each_target_where_it_applies(
    runner: ModuleType, two_types: Path, tmp_path: Path
) -> None:
    figure, _ = figure_of(runner, two_types, "src/a.py")
    targets = [
        [
            (line.get_label(), line.get_linestyle(), tuple(line.get_ydata()))
            for line in axis.get_lines()
            if line.get_linestyle() != "-"
        ]
        for axis in figure.axes
    ]
    assert targets == [
        [],
        [],
        [("target", "--", (10.0, 10.0))],
        [("target", "--", (0.0, 0.0))],
        [("target", "--", (100.0, 100.0))],
        [("target, unit runs", ":", (90.0, 90.0))],
    ]
    integration = tmp_path / "integration"
    integration.mkdir()
    save(integration, "1", "2026-11-01T09:00:00Z", test_type="integration")
    figure, _ = figure_of(runner, integration, "src/a.py")
    coverage = figure.axes[-1]
    assert [line.get_label() for line in coverage.get_lines()] == ["integration"]


def test_the_legend_covers_no_point(runner: ModuleType, two_types: Path) -> None:
    figure, _ = figure_of(runner, two_types, "src/a.py")
    backend_agg = importlib.import_module("matplotlib.backends.backend_agg")
    renderer = backend_agg.FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    [legend] = figure.legends
    assert [text.get_text() for text in legend.get_texts()] == [
        "integration",
        "unit",
        "target",
        "target, unit runs",
    ]
    box = legend.get_window_extent(renderer)
    for axis in figure.axes:
        assert not box.overlaps(axis.get_window_extent(renderer))
        for line in axis.get_lines():
            for x, y in line.get_xydata():
                if not math.isnan(y):
                    assert not box.contains(*axis.transData.transform((x, y)))
