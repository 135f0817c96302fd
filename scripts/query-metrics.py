"""Run a saved DuckDB query from metrics/queries/ over a folder of metrics documents.

Usage: python scripts/query-metrics.py QUERY [--metrics-dir DIR] [--production-file FILE]
                                             [--since DATE] [--until DATE] [--chart PATH]
       python scripts/query-metrics.py alert [--metrics-dir DIR] [--accepted FILE]
                                             [--format text|json|github] [--since DATE]
QUERY is one of the files in metrics/queries/ (python scripts/query-metrics.py -h lists them);
--chart belongs to trend only. alert judges each series' latest runs by the rules of
scripts/metrics_alert.py and exits 1 on a regression. Needs the analysis extra
(pip install ".[analysis]"); the collector itself never imports it.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import importlib.util
import json
import math
import os
import stat
import sys
from array import array
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

import duckdb
import numpy

QUERIES = Path(__file__).absolute().parent.parent / "metrics" / "queries"
ALERT_RULES = Path(__file__).absolute().parent / "metrics_alert.py"
DEFAULT_METRICS_DIR = QUERIES.parent
PREFIX = "framework-metrics-"
SUFFIX = ".json"
FILTERS = ("production_file", "since", "until")
# the options each query takes beside --metrics-dir; a query refuses any other (exit 2)
OPTIONS: dict[str, tuple[str, ...]] = {
    "by_file": FILTERS,
    "by_phase": FILTERS,
    "by_week": FILTERS,
    "missed_targets": FILTERS,
    "trend": (*FILTERS, "chart"),
    "alert": ("since", "accepted", "format", "time_floor", "memory_floor", "coverage_tolerance"),
}
REQUIRED = {"trend": {"production_file"}}
# the figures the view reads from a document's sections: column -> (section, SQL type)
FIGURES = {
    "total_time_seconds": ("execution_metrics", "DOUBLE"),
    "phases_completed": ("execution_metrics", "BIGINT"),
    "memory_peak_mb": ("execution_metrics", "DOUBLE"),
    "pylint_score": ("quality_metrics", "DOUBLE"),
    "mypy_errors": ("quality_metrics", "BIGINT"),
    "black_formatted": ("quality_metrics", "BOOLEAN"),
    "test_pass_rate": ("quality_metrics", "DOUBLE"),
    "coverage_percentage": ("quality_metrics", "DOUBLE"),
    "all_targets_met": ("framework_success", "BOOLEAN"),
    "critical_failures": ("framework_success", "BIGINT"),
}
SECTION_FIGURES = {
    section: [column for column, (where, _) in FIGURES.items() if where == section]
    for section in ("execution_metrics", "quality_metrics", "framework_success")
}
FIGURE_ORDER = [column for columns in SECTION_FIGURES.values() for column in columns]
PHASE_FIGURES = {
    "phase_number": "BIGINT",
    "duration_seconds": "DOUBLE",
    "memory_used_mb": "DOUBLE",
    "memory_peak_mb": "DOUBLE",
}
TEXTS = ("production_file", "test_type", "generated_file")
NULL_INTEGER = -(2**63)  # BIGINT's lowest value stands for NULL: integers read end one above
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MICROSECOND = timedelta(microseconds=1)
# the trend query's columns the chart draws, with their labels; the targets it draws, with the
# test type each is for (None: every run)
CHARTED = {
    "total_time_seconds": "total time (s)",
    "memory_peak_mb": "peak memory (MB)",
    "pylint_score": "pylint score",
    "mypy_errors": "mypy errors",
    "test_pass_rate": "test pass rate (%)",
    "coverage_percentage": "coverage (%)",
}
TARGETS: dict[str, tuple[float, str | None]] = {
    "pylint_score": (10.0, None),
    "mypy_errors": (0.0, None),
    "test_pass_rate": (100.0, None),
    "coverage_percentage": (90.0, "unit"),
}
COLOURS = {"unit": "tab:blue", "integration": "tab:orange"}


def _real(value: object) -> float:
    """A JSON number as a finite float, else NaN (unknown): never a bool, a text or infinity."""
    if isinstance(value, float):
        return value if math.isfinite(value) else math.nan
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:  # an integer beyond the largest float
            return math.nan
    return math.nan


def _integer(value: object) -> int:
    """A JSON integer (2.0 is one, as JSON Schema says) within BIGINT, else NULL_INTEGER."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and NULL_INTEGER < value < 2**63:
        return value
    return NULL_INTEGER


def _boolean(value: object) -> int:
    """A JSON true or false as 1 or 0, anything else as -1 (unknown)."""
    return int(value) if isinstance(value, bool) else -1


SCALAR: dict[str, tuple[Callable[[object], float | int], type]] = {
    "DOUBLE": (_real, numpy.float64),
    "BIGINT": (_integer, numpy.int64),
    "BOOLEAN": (_boolean, numpy.int8),
}


def _column(values: list[Any], kind: str) -> numpy.ndarray[Any, Any]:
    """JSON values as a numpy column of the SQL type, each value of the wrong type, NaN or
    infinite as the column's mark for unknown.

    Where every value's type is one numpy converts exactly as the scalar functions above do,
    numpy converts them all at once; otherwise they go one by one.
    """
    types = set(map(type, values))
    try:
        if kind == "DOUBLE" and types <= {float, int, type(None)}:  # None is NaN
            reals = numpy.array(values, dtype=numpy.float64)
            reals[~numpy.isfinite(reals)] = math.nan
            return reals
        if kind == "BIGINT" and types <= {int}:
            return numpy.array(values, dtype=numpy.int64)
        if kind == "BOOLEAN" and types <= {bool}:
            return numpy.array(values, dtype=numpy.int8)
    except OverflowError:  # an integer beyond the largest float or BIGINT
        pass
    convert, dtype = SCALAR[kind]
    return numpy.fromiter(map(convert, values), dtype=dtype, count=len(values))


def _text(value: object) -> str | None:
    """A JSON string that is valid Unicode (no lone surrogate), else None."""
    if not isinstance(value, str):
        return None
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return None
    return value


def _microseconds(value: object) -> int | None:
    """A run time as microseconds since 1970 UTC: what datetime.fromisoformat reads, else None.

    A time without an offset is UTC; one that is not in Python's years 1 to 9999 in UTC is None.
    """
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
        moment = moment.astimezone(timezone.utc) if moment.tzinfo else moment
    except (ValueError, OverflowError):
        return None
    return (moment.replace(tzinfo=timezone.utc) - EPOCH) // MICROSECOND


def _section(document: dict[str, Any], name: str) -> dict[str, Any]:
    """A section of the document: an object, else an empty one (its figures are unknown)."""
    found = document.get(name)
    return found if isinstance(found, dict) else {}


def file_bytes(path: str) -> bytes:
    """A regular file's bytes; anything else (a directory, a FIFO, a device) is an OSError."""
    # O_NONBLOCK: opening a FIFO must not wait for a writer
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        parts = []
        while part := os.read(descriptor, status.st_size + 1):
            parts.append(part)
        return b"".join(parts)
    finally:
        os.close(descriptor)


def _shown(path: str) -> str:
    """A path as text DuckDB can hold: bytes that are not UTF-8 as backslash escapes."""
    if path.isascii():
        return path
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _numpy(column: array[Any]) -> numpy.ndarray[Any, Any]:
    """An array's numbers as a numpy column, without a copy."""
    return numpy.frombuffer(column, dtype=column.typecode)


def _objects(values: list[Any]) -> numpy.ndarray[Any, Any]:
    """Python values as a numpy column of objects (a list stays one value)."""
    return numpy.fromiter(values, dtype=object, count=len(values))


class Runs:
    """The runs read from a folder: each value as JSON gave it, checked in bulk by tables()."""

    def __init__(self) -> None:
        self.texts: dict[str, list[str | None]] = {name: [] for name in ("filename", *TEXTS)}
        self.counts = {name: array("q") for name in ("run_time", "phase_count", "area_count")}
        self.figures: list[Any] = []  # per run, the values of FIGURES, section by section
        self.phases: list[Any] = []  # per phase, the values of PHASE_FIGURES
        self.items = {"phase_run": array("q"), "phase_listed": array("b"), "area_run": array("q")}
        self.areas: list[str] = []

    def add(self, filename: str, document: Any) -> None:
        """Add the document's run, or nothing if it is not one (no run time or production file)."""
        if not isinstance(document, dict):
            return
        run_time = _microseconds(document.get("timestamp"))
        if run_time is None or _text(document.get("production_file")) is None:
            return
        run = len(self.counts["run_time"])
        self.counts["run_time"].append(run_time)
        self.texts["filename"].append(_shown(filename))
        for name in TEXTS:
            self.texts[name].append(_text(document.get(name)))
        for section, columns in SECTION_FIGURES.items():
            self.figures.extend(map(_section(document, section).get, columns))
        execution = _section(document, "execution_metrics")
        self._add_phases(run, execution.get("phases"))
        success = _section(document, "framework_success")
        self._add_areas(run, success.get("improvement_areas"))

    def _add_phases(self, run: int, phases: object) -> None:
        if not isinstance(phases, list):
            self.counts["phase_count"].append(NULL_INTEGER)
            return
        self.counts["phase_count"].append(len(phases))
        self.items["phase_run"].extend([run] * len(phases))
        for phase in phases:
            listed = isinstance(phase, dict)
            self.items["phase_listed"].append(listed)
            self.phases.extend(map((phase if listed else {}).get, PHASE_FIGURES))

    def _add_areas(self, run: int, areas: object) -> None:
        texts = [_text(area) for area in areas] if isinstance(areas, list) else [None]
        listed = [text for text in texts if text is not None]
        if len(listed) < len(texts):  # not a list of strings: unknown
            self.counts["area_count"].append(NULL_INTEGER)
            return
        self.counts["area_count"].append(len(listed))
        self.items["area_run"].extend([run] * len(listed))
        self.areas.extend(listed)

    def tables(self) -> dict[str, dict[str, numpy.ndarray[Any, Any]]]:
        """The source tables of runs.sql, as numpy columns DuckDB scans in place: each value of
        the wrong JSON type, NaN or infinite as its column's mark for unknown."""
        runs = len(self.counts["run_time"])
        return {
            "read_documents": {
                "run": numpy.arange(runs),
                "run_time": _numpy(self.counts["run_time"]).view("datetime64[us]"),
                **{name: _objects(values) for name, values in self.texts.items()},
                **{
                    column: _column(self.figures[index :: len(FIGURES)], FIGURES[column][1])
                    for index, column in enumerate(FIGURE_ORDER)
                },
                "phase_count": _numpy(self.counts["phase_count"]),
                "area_count": _numpy(self.counts["area_count"]),
            },
            "read_phases": {
                "position": numpy.arange(len(self.items["phase_run"])),
                "run": _numpy(self.items["phase_run"]),
                "listed": _numpy(self.items["phase_listed"]),
                **{
                    column: _column(self.phases[index :: len(PHASE_FIGURES)], kind)
                    for index, (column, kind) in enumerate(PHASE_FIGURES.items())
                },
            },
            "read_areas": {
                "position": numpy.arange(len(self.areas)),
                "run": _numpy(self.items["area_run"]),
                "area": _objects(self.areas),
            },
        }


def read_runs(metrics_dir: Path | str) -> Runs:
    """Every run in the folder's metrics documents, read literally: the folder's name is no pattern.

    A file that cannot be read is skipped with one stderr line naming it; a file that is not a
    document (not UTF-8 JSON, not an object, no run time or production file) is no run.
    """
    runs = Runs()
    folder = str(metrics_dir)
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return runs
    for name in names:
        if not (name.startswith(PREFIX) and name.endswith(SUFFIX)):
            continue
        path = os.path.join(folder, name)
        try:
            data = file_bytes(path)
        except OSError as error:
            print(f"skipped {_shown(path)}: {error.strerror or error}", file=sys.stderr)
            continue
        try:
            document = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError):  # not UTF-8, not JSON, nested beyond Python's stack
            continue
        runs.add(path, document)
    return runs


def connect(
    metrics_dir: Path | str,
    production_file: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection over the runs in metrics_dir, each file read once, here.

    Its view all_runs holds every run, its view runs those the filters keep: one production
    file, run times from since to until, both inclusive (a naive datetime is UTC). An OSError
    when the folder exists but cannot be listed.
    """
    tables = read_runs(metrics_dir).tables()
    connection = duckdb.connect()
    for name, columns in tables.items():
        connection.register(name, columns)
    for name, value in (("production_file", production_file), ("since", since), ("until", until)):
        if isinstance(value, datetime):
            value = _naive_utc(value)
        connection.execute(f"SET VARIABLE {name} = ?", [value])
    connection.execute((QUERIES / "runs.sql").read_text(encoding="utf-8"))
    for name in ("read_documents", "read_areas"):  # runs.sql has copied them into tables
        connection.unregister(name)
    return connection


def query(connection: duckdb.DuckDBPyConnection, name: str) -> duckdb.DuckDBPyRelation:
    """The relation of the saved query metrics/queries/<name>.sql."""
    return connection.sql((QUERIES / f"{name}.sql").read_text(encoding="utf-8"))


def _cell(value: object) -> str:
    """A value as DuckDB prints it."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def table(columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> str:
    """The rows drawn as a box, every row of them; numbers right-aligned."""
    cells = [[_cell(value) for value in row] for row in rows]
    numeric = [
        all(type(row[index]) in (int, float) for row in rows if row[index] is not None)
        for index in range(len(columns))
    ]
    widths = [
        max([len(name), *(len(row[index]) for row in cells)]) for index, name in enumerate(columns)
    ]

    def rule(left: str, middle: str, right: str) -> str:
        return left + middle.join("─" * (width + 2) for width in widths) + right

    def line(texts: Sequence[str]) -> str:
        aligned = (
            text.rjust(width) if right else text.ljust(width)
            for text, width, right in zip(texts, widths, numeric)
        )
        return "│ " + " │ ".join(aligned) + " │"

    drawn = [rule("┌", "┬", "┐"), line(columns), rule("├", "┼", "┤")]
    drawn.extend(line(row) for row in cells)
    drawn.append(rule("└", "┴", "┘"))
    return "\n".join(drawn) + "\n"


def chart_formats() -> set[str]:
    """The file name extensions matplotlib writes (importing matplotlib: only for a chart)."""
    matplotlib_figure = importlib.import_module("matplotlib.figure")
    return set(matplotlib_figure.Figure().canvas.get_supported_filetypes())


def _target(axis: Any, column: str, test_types: list[Any]) -> dict[str, Any]:
    """Draw the column's target where a run it is for is drawn; return its legend entry."""
    if column not in TARGETS:
        return {}
    level, test_type = TARGETS[column]
    if test_type is None:
        name, style = "target", "--"
    elif test_type in test_types:
        name, style = f"target, {test_type} runs", ":"
    else:
        return {}
    return {name: axis.axhline(level, color="green", linestyle=style, label=name)}


def chart(columns: Sequence[str], rows: Sequence[tuple[Any, ...]], title: str) -> Any:
    """The trend query's rows as a matplotlib Figure: a panel per figure, a line per test type.

    A target is drawn only where a run it is for is drawn (coverage: unit runs); the legend
    stands below the panels, so that it covers no point.
    """
    matplotlib_figure = importlib.import_module("matplotlib.figure")
    figure = matplotlib_figure.Figure(figsize=(8, 12), layout="constrained")
    figure.suptitle(title)
    runs = [dict(zip(columns, row)) for row in rows]
    test_types = sorted({run["test_type"] for run in runs}, key=str)
    legend: dict[str, Any] = {}
    for axis, (column, label) in zip(
        figure.subplots(len(CHARTED), 1, sharex=True), CHARTED.items()
    ):
        for test_type in test_types:
            drawn = [run for run in runs if run["test_type"] == test_type]
            (legend[str(test_type)],) = axis.plot(
                [run["run_time"] for run in drawn],
                [math.nan if run[column] is None else run[column] for run in drawn],
                marker="o",
                color=COLOURS.get(str(test_type)),
                label=str(test_type),
            )
        legend |= _target(axis, column, test_types)
        axis.set_ylabel(label)
        axis.grid(True, alpha=0.3)
    figure.legend(legend.values(), legend.keys(), loc="outside lower center", ncols=len(legend))
    figure.autofmt_xdate()
    return figure


def _naive_utc(moment: datetime) -> datetime:
    """The time as a naive UTC datetime (a naive one is UTC already)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _moment(text: str, end_of_day: bool) -> datetime:
    """An ISO 8601 date or time as a naive UTC datetime; a date alone is its first or last µs."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an ISO 8601 date or time: {text!r}") from None
        return _naive_utc(moment)
    return datetime.combine(day, time.max if end_of_day else time.min)


def _amount(text: str) -> float:
    """A floor or a tolerance: a finite number, zero or more."""
    try:
        amount = float(text)
    except ValueError:
        amount = math.nan
    if not 0 <= amount < math.inf:
        raise argparse.ArgumentTypeError(f"not a finite number, zero or more: {text!r}")
    return amount


ARGUMENTS: dict[str, tuple[str, dict[str, Any]]] = {
    "production_file": (
        "--production-file",
        {"metavar": "FILE", "help": "only the runs of this production file"},
    ),
    "since": (
        "--since",
        {
            "metavar": "DATE",
            "type": lambda text: _moment(text, end_of_day=False),
            "help": "only runs at or after this UTC date or ISO time",
        },
    ),
    "until": (
        "--until",
        {
            "metavar": "DATE",
            "type": lambda text: _moment(text, end_of_day=True),
            "help": "only runs at or before this UTC date (the whole day) or ISO time",
        },
    ),
    "chart": ("--chart", {"metavar": "PATH", "type": Path, "help": "also draw the chart here"}),
    "accepted": (
        "--accepted",
        {"metavar": "FILE", "type": Path, "help": "accepted changes: a JSON list of entries"},
    ),
    "format": (
        "--format",
        {"choices": ("text", "json", "github"), "default": "text", "help": "default: text"},
    ),
    "time_floor": (
        "--time-floor",
        {
            "metavar": "SECONDS",
            "type": _amount,
            "help": "a time is over only this far above its median (default: 0.2)",
        },
    ),
    "memory_floor": (
        "--memory-floor",
        {
            "metavar": "MB",
            "type": _amount,
            "help": "a memory figure is over only this far above its median (default: 5)",
        },
    ),
    "coverage_tolerance": (
        "--coverage-tolerance",
        {
            "metavar": "POINTS",
            "type": _amount,
            "help": "a unit coverage this far below its best is no regression (default: 0.5)",
        },
    ),
}


def command_line() -> argparse.ArgumentParser:
    """The command line: one subcommand per saved query, with the options OPTIONS gives it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    queries = parser.add_subparsers(dest="query", metavar="QUERY", required=True)
    for name, options in OPTIONS.items():
        summary = (QUERIES / f"{name}.sql").read_text(encoding="utf-8").splitlines()[0]
        subparser = queries.add_parser(name, help=summary.removeprefix("-- "))
        subparser.add_argument("--metrics-dir", type=Path, default=DEFAULT_METRICS_DIR)
        for option in options:
            flag, settings = ARGUMENTS[option]
            subparser.add_argument(flag, required=option in REQUIRED.get(name, ()), **settings)
    return parser


def _chart_problem(path: Path) -> str | None:
    """Why no chart can be written at exactly this path, or None."""
    if path.is_dir():
        return f"--chart {path}: is a directory"
    if not path.parent.is_dir():
        return f"--chart {path}: no folder {path.parent}"
    formats = chart_formats()
    if path.suffix[1:].lower() not in formats:
        return f"--chart {path}: matplotlib writes only {', '.join(sorted(formats))}"
    return None


def alert_rules() -> Any:
    """scripts/metrics_alert.py, the alert's rules, loaded by path (this script may be too)."""
    if "metrics_alert" not in sys.modules:
        spec = importlib.util.spec_from_file_location("metrics_alert", ALERT_RULES)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["metrics_alert"] = module  # its dataclasses look themselves up there
        spec.loader.exec_module(module)
    return sys.modules["metrics_alert"]


def alert_rows(connection: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The rows the alert's rules replay (metrics/queries/alert.sql), one mapping per run."""
    relation = query(connection, "alert")
    return [dict(zip(relation.columns, row)) for row in relation.fetchall()]


def _write(text: str) -> None:
    """Print text; a reader that has gone, as `| head` does, is not an error."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _alert_inputs(rules: Any, args: argparse.Namespace) -> tuple[list[Any], list[dict[str, Any]]]:
    """The accepted entries and the runs the alert judges; ValueError with one line if none."""
    accepted = []
    if args.accepted is not None:
        try:
            accepted = rules.read_accepted(args.accepted.read_bytes())
        except OSError as error:
            raise ValueError(f"--accepted {args.accepted}: {error.strerror or error}") from None
        except ValueError as error:
            raise ValueError(f"--accepted {args.accepted}: {error}") from None
    try:
        connection = connect(args.metrics_dir)
    except OSError as error:  # the folder cannot be listed
        raise ValueError(f"cannot read {args.metrics_dir}: {error.strerror or error}") from None
    rows = alert_rows(connection)
    if not rows:
        raise ValueError(f"no metrics documents in {args.metrics_dir}: nothing to judge")
    if args.since is not None and all(row["run_time"] < args.since for row in rows):
        raise ValueError(f"no runs since {args.since} in {args.metrics_dir}: nothing to judge")
    return accepted, rows


def alert(args: argparse.Namespace) -> int:
    """Judge every series of the folder and print the report in the format asked. The exit
    code: 1 on a regression, 0 without one, 2 when the accepted file or the folder is unusable.
    """
    rules = alert_rules()
    try:
        accepted, rows = _alert_inputs(rules, args)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    margins = {  # those not given are the rules' own defaults
        name: value
        for name, value in (
            ("time_floor_seconds", args.time_floor),
            ("memory_floor_mb", args.memory_floor),
            ("coverage_tolerance", args.coverage_tolerance),
        )
        if value is not None
    }
    report = rules.check(rows, accepted, since=args.since, **margins)
    if args.format == "json":
        for warning in report.warnings:  # the JSON array has no place for them
            print(f"warning: {warning}", file=sys.stderr)
        _write(rules.format_json(report))
    elif args.format == "github":
        _write(rules.format_github(report))
        try:
            rules.append_step_summary(report, os.environ)
        except OSError as error:
            summary = os.environ.get("GITHUB_STEP_SUMMARY")
            print(f"GITHUB_STEP_SUMMARY {summary}: {error.strerror or error}", file=sys.stderr)
    else:
        _write(rules.format_text(report))
    code: int = rules.exit_code(report)
    return code


def print_query(args: argparse.Namespace) -> int:
    """Print the query's table (and draw the trend chart if asked); return the exit code."""
    options = vars(args)
    chart_path: Path | None = options.get("chart")
    if chart_path is not None and (problem := _chart_problem(chart_path)) is not None:
        print(problem, file=sys.stderr)
        return 1
    filters = {name: options.get(name) for name in FILTERS}
    try:
        connection = connect(args.metrics_dir, **filters)
    except OSError as error:  # the folder cannot be listed
        print(f"cannot read {args.metrics_dir}: {error.strerror or error}", file=sys.stderr)
        return 1
    [(every,)] = connection.sql("SELECT count(*) FROM all_runs").fetchall()
    if not every:
        print(f"no metrics documents in {args.metrics_dir}", file=sys.stderr)
        return 1
    [(kept,)] = connection.sql("SELECT count(*) FROM runs").fetchall()
    if not kept:
        wanted = " ".join(
            f"{word} {filters[name]}"
            for name, word in (("production_file", "of"), ("since", "since"), ("until", "until"))
            if filters[name] is not None
        )
        print(f"no runs {wanted} in {args.metrics_dir}", file=sys.stderr)
        return 1
    relation = query(connection, args.query)
    rows = relation.fetchall()
    shown = table(relation.columns, rows)
    if chart_path is not None:
        figure = chart(relation.columns, rows, f"{filters['production_file']}: {len(rows)} runs")
        try:
            figure.savefig(chart_path, dpi=100)  # its extension names a format: checked above
        except (OSError, RuntimeError, ValueError) as error:
            print(f"--chart {chart_path}: {error}", file=sys.stderr)
            return 1
        shown += f"chart: {chart_path}\n"
    _write(shown)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line: a query's table, or the alert; return the exit code."""
    args = command_line().parse_args(argv)
    return alert(args) if args.query == "alert" else print_query(args)


if __name__ == "__main__":
    sys.exit(main())
