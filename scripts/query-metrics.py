"""Run a saved DuckDB query from metrics/queries/ over a folder of metrics documents.

Usage: python scripts/query-metrics.py QUERY [--metrics-dir DIR] [--production-file FILE]
                                             [--chart PNG]
Needs the analysis extra (pip install ".[analysis]"); the collector itself never imports it.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path
from typing import Any, Sequence

import duckdb

QUERIES = Path(__file__).absolute().parent.parent / "metrics" / "queries"
DEFAULT_METRICS_DIR = QUERIES.parent
NAMES = sorted(path.stem for path in QUERIES.glob("*.sql") if path.stem != "runs")
CHARTED = {
    "total_time_seconds": "total time (s)",
    "memory_peak_mb": "peak memory (MB)",
    "pylint_score": "pylint score",
    "coverage_percentage": "coverage (%)",
}
TARGET_LINES = {"pylint_score": 10.0, "coverage_percentage": 90.0}  # coverage: unit tests


def connect(
    metrics_dir: Path | str, production_file: str | None = None
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection whose view `runs` reads every metrics document in metrics_dir."""
    connection = duckdb.connect()
    connection.execute("SET VARIABLE metrics_dir = ?", [str(metrics_dir)])
    connection.execute("SET VARIABLE production_file = ?", [production_file])
    connection.execute((QUERIES / "runs.sql").read_text(encoding="utf-8"))
    return connection


def query(connection: duckdb.DuckDBPyConnection, name: str) -> duckdb.DuckDBPyRelation:
    """The relation of the saved query metrics/queries/<name>.sql."""
    return connection.sql((QUERIES / f"{name}.sql").read_text(encoding="utf-8"))


def chart(
    columns: list[str], rows: list[tuple[Any, ...]], production_file: str, path: Path
) -> None:
    """Draw the trend query's rows as one panel per figure over the runs, into a PNG."""
    # imported here, so that only a chart pays for matplotlib (about 40 MB and 0.3 s here)
    matplotlib_figure = importlib.import_module("matplotlib.figure")
    times = [row[columns.index("run_time")] for row in rows]
    figure = matplotlib_figure.Figure(figsize=(8, 9), layout="constrained")
    figure.suptitle(f"{production_file}: {len(rows)} runs")
    for axis, (column, label) in zip(
        figure.subplots(len(CHARTED), 1, sharex=True), CHARTED.items()
    ):
        axis.plot(times, [row[columns.index(column)] for row in rows], marker="o")
        if column in TARGET_LINES:
            axis.axhline(TARGET_LINES[column], color="green", linestyle="--", label="target")
            axis.legend(loc="lower right")
        axis.set_ylabel(label)
        axis.grid(True, alpha=0.3)
    figure.autofmt_xdate()
    figure.savefig(path, dpi=100)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the query's table (and draw the trend chart if asked); return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("query", choices=NAMES, help="a saved query in metrics/queries/")
    parser.add_argument("--metrics-dir", type=Path, default=DEFAULT_METRICS_DIR)
    parser.add_argument("--production-file", help="the file of the trend (and by_phase) query")
    parser.add_argument("--chart", type=Path, help="with trend: also draw it into this PNG")
    args = parser.parse_args(argv)
    if args.query == "trend" and args.production_file is None:
        parser.error("the trend query needs --production-file")
    if args.chart is not None and args.query != "trend":
        parser.error("--chart draws the trend query only")
    connection = connect(args.metrics_dir, args.production_file)
    try:
        [(runs,)] = connection.sql("SELECT count(*) FROM runs").fetchall()
    except duckdb.IOException:  # read_blob found no file at all
        runs = 0
    if not runs:
        print(f"no metrics documents in {args.metrics_dir}", file=sys.stderr)
        return 1
    relation = query(connection, args.query)
    try:
        relation.show(max_width=100_000, max_rows=1_000_000)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader has gone, as `| head` does: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    if args.chart is not None:
        rows = relation.fetchall()  # a relation keeps no result: this runs the query again
        if not rows:
            print(f"no runs of {args.production_file} in {args.metrics_dir}", file=sys.stderr)
            return 1
        chart(relation.columns, rows, args.production_file, args.chart)
        print(f"chart: {args.chart}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
