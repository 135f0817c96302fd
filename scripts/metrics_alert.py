"""Regression alerts over metrics runs: fail CI when a file's latest runs are really worse.

The engine behind `scripts/query-metrics.py alert`: pure Python over the rows of the saved query
metrics/queries/alert.sql, no DuckDB and no I/O but what append_step_summary writes. A row is one
mapping per run: filename, run_time (naive UTC), production_file, test_type, total_time_seconds,
memory_peak_mb, the five quality figures, and the run's phases as three lists of one length,
phase_numbers, phase_durations and phase_peaks (None without a phases list): lists of numbers
cross from DuckDB to Python several times faster than a list of structures does.

    report = check(rows, read_accepted(text), since=None)
    print(format_text(report)); sys.exit(exit_code(report))

The rules (issue 15), and the choices made where it is silent:
- A series is one production file, test type and figure: total_time_seconds and the run's
  memory_peak_mb, each phase's duration_seconds and memory_peak_mb, and the quality figures
  (coverage_percentage of unit runs only). Runs are ordered by (run_time, filename). A missing
  value (None) is no point of the series and does not break it; neither is a time or memory that
  is not a positive finite number (the logarithm needs one), nor a quality figure that is not
  finite. A row without a test type (it is not a string) is no run of any series. A phase
  recorded twice in one run counts with the sum of its durations and the highest of its peaks; a
  phase without a number is left out.
- The anchor is the first run at or after the newest `from` (the latest time, wherever it stands
  in the file) of the accepted entries that cover the series, and not before `since`. Runs
  before it are not looked at.
- Times and memory are replayed run by run on the logarithm of each value. A run's baseline is
  the last 30 runs before it since the anchor that are not left out; so a regression nobody
  fixes keeps failing however long it lasts, because the baseline reaches back past it. centre =
  median; spread = max(3 x 1.4826 x MAD, ln 1.10); limit = centre + max(spread, p95 - centre),
  computed as max(centre + spread, p95) so that a run equal to p95 is never above it.
  Percentiles interpolate linearly between order statistics (numpy's default, Hyndman and Fan
  type 7) over the logarithms; medians average the two middle values. A run is over when its
  logarithm is above the limit and it exceeds the baseline's median (of the values, not their
  logarithms) by more than the floor. A run is below when its logarithm is under
  centre - max(spread, centre - p5) and it is under the median by more than the floor: the
  same margin, mirrored, so that a pool of runners at two speeds gives no improvement either.
- A run that is over while one of the two runs before it was over confirms a regression: it and
  those over runs among the two before it are left out of every later baseline (the first over
  run belongs to the regression too). A lone over run stays in. A run is judged against its
  baseline as it stood on arrival, which may still hold the first over run of a step.
- Verdict from the last three points: regression when the latest and another are over, warning
  when only the latest is, improvement when the latest and another are below (the notice).
  Fewer than 5 runs in the latest run's baseline: insufficient history.
- Quality figures: the latest run against the best value of its window, the last 30 runs before
  it since the anchor that did not regress themselves (so a regression stays however many runs
  follow, until it is fixed or accepted). Worse is a lower pylint score or pass rate, more mypy
  errors, black_formatted false where the best was true, a coverage lower than the best by more
  than the tolerance. No earlier run: insufficient history. Quality figures give no improvement
  notices and no warnings: one run is enough to fail.
- A regression comes with the accepted entry that would accept it: its `from` is the first run
  of the regression (the earliest over run linked to the latest by over runs at most two runs
  apart; for a quality figure the first of the unbroken run of regressed runs).
- Accepted entries: production_file, test_type, figure (a figure name or "*"), from, reason
  (a non-empty string), and optionally phase_number: absent covers the figure in every phase
  and the whole run, null the whole run's only, N phase N only. Any other key, or a figure no
  series can have, is an error, so a typo cannot silently accept nothing. An entry that covers
  no series of the runs is a warning (Report.warnings): the text and github outputs print it,
  the JSON array has no room for it.
- Outputs: the text table and the Markdown summary list regressions, warnings and improvements
  (in that order); series with insufficient history are only counted. The github output is the
  workflow commands followed by the text report, so that the log shows the table and the
  entries to paste. A suggested entry's reason is a TODO to replace before it is committed.
- Known limit of the rules: a pool of runners at two speeds whose first runs came mostly from
  one speed can see a pair of the other speed as a confirmed regression; those runs are then
  left out, so the series keeps failing until accepted (2 of the 75 two-speed files of
  tests/bench_alert.py's 300-file history, 40% slow runs at +35%).
"""

from __future__ import annotations

import json
import math
from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import groupby
from typing import Any, NamedTuple

REGRESSION = "regression"
WARNING = "warning"
IMPROVEMENT = "improvement"
INSUFFICIENT_HISTORY = "insufficient history"
VERDICTS = (REGRESSION, WARNING, IMPROVEMENT, INSUFFICIENT_HISTORY)

WINDOW_RUNS = 30
MIN_BASELINE_RUNS = 5
LAST_RUNS = 3
MAD_FACTOR = 3 * 1.4826
LOG_MARGIN = math.log(1.10)
# the limits lie at least ln 1.10 from the centre, which lies between the two middle values: a
# run within 9% of them cannot pass (9%, not 10%, leaves room for rounding)
_CANNOT_PASS = 1.09
TIME_FLOOR_SECONDS = 0.2
MEMORY_FLOOR_MB = 5.0
COVERAGE_TOLERANCE = 0.5

RUN_FIGURES = ("total_time_seconds", "memory_peak_mb")
PHASE_FIGURES = ("duration_seconds", "memory_peak_mb")
# the quality figures and the direction in which each gets better
QUALITY_FIGURES = {
    "pylint_score": 1,
    "mypy_errors": -1,
    "black_formatted": 1,
    "test_pass_rate": 1,
    "coverage_percentage": 1,
}
FIGURES = (*RUN_FIGURES, "duration_seconds", *QUALITY_FIGURES)
_ORDER = {figure: rank for rank, figure in enumerate(FIGURES)}
_ENTRY_KEYS = {"production_file", "test_type", "figure", "from", "reason", "phase_number"}
ACCEPT_REASON = "TODO: why this change is expected"


class Series(NamedTuple):
    """One series: a production file's runs of one test type, one figure (of one phase)."""

    production_file: str
    test_type: str
    figure: str
    phase_number: int | None  # None for the run's figures and the quality figures

    @property
    def label(self) -> str:
        """The figure, with its phase."""
        if self.phase_number is None:
            return self.figure
        return f"{self.figure} (phase {self.phase_number})"


@dataclass(frozen=True)
class Acceptance:
    """One entry of the accepted file: the series it covers restart at the run `start`."""

    production_file: str
    test_type: str
    figure: str  # a figure or "*"
    start: datetime
    reason: str
    phase_number: int | None = None
    every_phase: bool = True  # the entry names no phase_number

    def covers(self, series: Series) -> bool:
        """Whether this entry accepts the series."""
        return (
            self.production_file == series.production_file
            and self.test_type == series.test_type
            and self.figure in ("*", series.figure)
            and (self.every_phase or self.phase_number == series.phase_number)
        )


@dataclass(frozen=True)
class SeriesResult:
    """The verdict of one series, with what the outputs show of it."""

    series: Series
    verdict: str
    baseline: float | None  # the median, or the best value of a quality figure
    runs: int  # how many runs that baseline (or window) holds
    last_values: tuple[float, ...]  # the last three points, oldest first
    latest_run: datetime
    first_run: datetime | None = None  # a regression's first run: the `from` to accept it

    @property
    def latest(self) -> float:
        """The latest value of the series."""
        return self.last_values[-1]

    @property
    def change_percent(self) -> float | None:
        """The latest value's change from the baseline in percent, where that has a meaning."""
        if isinstance(self.latest, bool) or not self.baseline:
            return None
        return (self.latest - self.baseline) / abs(self.baseline) * 100

    def acceptance(self) -> dict[str, Any]:
        """The accepted-file entry that would accept this series from its first run."""
        entry: dict[str, Any] = {
            "production_file": self.series.production_file,
            "test_type": self.series.test_type,
            "figure": self.series.figure,
        }
        if self.series.figure in PHASE_FIGURES:
            entry["phase_number"] = self.series.phase_number
        when = self.first_run or self.latest_run
        return entry | {"from": when.isoformat() + "Z", "reason": ACCEPT_REASON}


@dataclass(frozen=True)
class Report:
    """Every series with a verdict (regressions first), how many were checked, and warnings."""

    results: tuple[SeriesResult, ...]
    checked: int
    warnings: tuple[str, ...] = ()

    def count(self, verdict: str) -> int:
        """How many series have this verdict."""
        return sum(result.verdict == verdict for result in self.results)

    def of(self, verdict: str) -> list[SeriesResult]:
        """The series with this verdict, in report order."""
        return [result for result in self.results if result.verdict == verdict]


def read_accepted(source: Any) -> list[Acceptance]:
    """The entries of an accepted file, given as its text or parsed JSON; ValueError if invalid."""
    if isinstance(source, (str, bytes, bytearray)):
        try:
            source = json.loads(source)
        except ValueError as error:
            raise ValueError(f"not JSON: {error}") from None
    if not isinstance(source, list):
        raise ValueError(f"must be a JSON list of entries, not {type(source).__name__}")
    return [_acceptance(number, entry) for number, entry in enumerate(source, 1)]


def _acceptance(number: int, entry: Any) -> Acceptance:
    """One validated entry; number counts from 1 for the message."""
    if not isinstance(entry, dict):
        raise ValueError(f"entry {number} is not an object")
    unknown = sorted(set(entry) - _ENTRY_KEYS)
    if unknown:
        raise ValueError(f"entry {number}: unknown key {unknown[0]!r}")
    for key in ("production_file", "test_type", "figure", "from", "reason"):
        if key not in entry:
            raise ValueError(f"entry {number}: no {key!r}")
        if not isinstance(entry[key], str):
            raise ValueError(f"entry {number}: {key!r} must be a string, not {entry[key]!r}")
    if entry["figure"] not in (*FIGURES, "*"):
        raise ValueError(f"entry {number}: unknown figure {entry['figure']!r}")
    if not entry["reason"].strip():
        raise ValueError(f"entry {number}: 'reason' is empty: say why the change is accepted")
    phase_number = entry.get("phase_number")
    if isinstance(phase_number, bool) or not isinstance(phase_number, (int, type(None))):
        raise ValueError(f"entry {number}: 'phase_number' must be an integer or null")
    try:
        start = _naive_utc(datetime.fromisoformat(entry["from"]))
    except ValueError:
        raise ValueError(f"entry {number}: 'from' is no ISO timestamp: {entry['from']!r}") from None
    return Acceptance(
        entry["production_file"],
        entry["test_type"],
        entry["figure"],
        start,
        entry["reason"],
        phase_number,
        "phase_number" not in entry,
    )


def _naive_utc(moment: datetime) -> datetime:
    """The time as a naive UTC datetime (a naive one is UTC already)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def check(
    rows: Iterable[Mapping[str, Any]],
    accepted: Sequence[Acceptance] = (),
    *,
    since: datetime | None = None,
    time_floor_seconds: float = TIME_FLOOR_SECONDS,
    memory_floor_mb: float = MEMORY_FLOOR_MB,
    coverage_tolerance: float = COVERAGE_TOLERANCE,
) -> Report:
    """Replay every series of the runs from its anchor and report the verdicts."""
    margins = {  # the floor of each time and memory figure, the tolerance of each quality one
        "total_time_seconds": time_floor_seconds,
        "duration_seconds": time_floor_seconds,
        "memory_peak_mb": memory_floor_mb,
        "coverage_percentage": coverage_tolerance,
    }
    entries = _by_file(accepted)
    known: dict[tuple[str, str], list[Series]] = defaultdict(list)
    latest: dict[tuple[str, str], datetime] = {}  # the latest run of each file and test type
    judged: list[SeriesResult | None] = []  # one a series with runs since its anchor
    for series, times, values in _every_series(rows):
        known[series[:2]].append(series)
        latest[series[:2]] = times[-1]
        points = _points(series, times, values, entries.get(series[:2], ()), since)
        if points:
            judged.append(_judge(series, points, times, values, margins.get(series.figure, 0.0)))
    return Report(
        tuple(sorted((result for result in judged if result is not None), key=_report_order)),
        len(judged),
        _entry_warnings(accepted, known, latest),
    )


def _by_file(accepted: Iterable[Acceptance]) -> dict[tuple[str, str], list[Acceptance]]:
    """The accepted entries of each production file and test type."""
    entries: dict[tuple[str, str], list[Acceptance]] = defaultdict(list)
    for entry in accepted:
        entries[entry.production_file, entry.test_type].append(entry)
    return entries


def _points(
    series: Series,
    times: Sequence[datetime],
    values: Sequence[Any],
    accepted: Iterable[Acceptance],
    since: datetime | None,
) -> list[int]:
    """The runs of the series from its anchor on that have a value."""
    starts = [entry.start for entry in accepted if entry.covers(series)]
    anchor = max(starts + ([] if since is None else [_naive_utc(since)]), default=None)
    first = 0 if anchor is None else bisect_left(times, anchor)
    return [run for run in range(first, len(values)) if values[run] is not None]


def _every_series(
    rows: Iterable[Mapping[str, Any]],
) -> Iterator[tuple[Series, list[datetime], list[Any]]]:
    """Each series with the run times of its file and test type, and a value (or None) a run."""
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        if isinstance(row["test_type"], str):
            groups[row["production_file"], row["test_type"]].append(row)
    for (production_file, test_type), runs in groups.items():
        runs.sort(key=lambda run: (run["run_time"], run["filename"]))
        times = [run["run_time"] for run in runs]
        for figure, phase_number, values in _figures(runs, test_type):
            yield Series(production_file, test_type, figure, phase_number), times, values


def _figures(
    runs: Sequence[Mapping[str, Any]], test_type: str
) -> Iterator[tuple[str, int | None, list[Any]]]:
    """Each figure of one file's runs: its name, its phase, one value (or None) a run."""
    for figure in RUN_FIGURES:
        yield figure, None, _positives(run[figure] for run in runs)
    phases = [
        _phase_figures(run["phase_numbers"], run["phase_durations"], run["phase_peaks"])
        for run in runs
    ]
    for phase_number in sorted({number for listed in phases for number in listed}):
        for position, figure in enumerate(PHASE_FIGURES):
            values = (listed.get(phase_number, (None, None))[position] for listed in phases)
            yield figure, phase_number, _positives(values)
    for figure in QUALITY_FIGURES:
        if figure != "coverage_percentage" or test_type == "unit":
            yield figure, None, _finites(run[figure] for run in runs)


def _positives(values: Iterable[float | None]) -> list[float | None]:
    """Each value that is a positive finite number (a logarithm can be taken), the others None."""
    return [value if value is not None and 0 < value < math.inf else None for value in values]


def _finites(values: Iterable[float | None]) -> list[float | None]:
    """Each value that is a finite number, the others None."""
    return [value if value is not None and math.isfinite(value) else None for value in values]


def _phase_figures(
    numbers: Sequence[int | None] | None,
    durations: Sequence[float | None] | None,
    peaks: Sequence[float | None] | None,
) -> dict[int, tuple[Any, Any]]:
    """Per phase number of one run: the sum of its durations and the highest of its peaks."""
    figures: dict[int, tuple[Any, Any]] = {}
    for number, duration, peak in zip(numbers or (), durations or (), peaks or ()):
        if number is None:
            continue
        if number in figures:
            earlier_duration, earlier_peak = figures[number]
            duration = _combine(sum, earlier_duration, duration)
            peak = _combine(max, earlier_peak, peak)
        figures[number] = (duration, peak)
    return figures


def _combine(how: Any, earlier: float | None, value: float | None) -> float | None:
    """Two records of one phase's figure combined, a missing one left out."""
    if earlier is None or value is None:
        return value if earlier is None else earlier
    result: float = how((earlier, value))
    return result


def _judge(
    series: Series,
    points: Sequence[int],
    times: Sequence[datetime],
    values: Sequence[Any],
    margin: float,
) -> SeriesResult | None:
    """The verdict of a series from the runs at points (since its anchor), if it has one."""
    replayed = [values[run] for run in points]
    if series.figure in QUALITY_FIGURES:
        judgement = _judge_quality(replayed, QUALITY_FIGURES[series.figure], margin)
    else:
        judgement = _judge_spread(replayed, margin)
    if judgement is None:
        return None
    verdict, baseline, size, start = judgement
    return SeriesResult(
        series,
        verdict,
        baseline,
        size,
        tuple(replayed[-LAST_RUNS:]),
        times[points[-1]],
        None if start is None else times[points[start]],
    )


_Judgement = tuple[str, float | None, int, int | None]  # verdict, baseline, its size, start


def _judge_spread(values: Sequence[float], floor: float) -> _Judgement | None:
    """The verdict of a time or memory series' last runs, if it has one."""
    if not _cannot_pass(values, floor):
        return _replay_spread(values, floor)
    # nothing is over nor left out: the replay would find no verdict but a short history
    latest = sorted(values[-WINDOW_RUNS - 1 : -1])  # the latest run's baseline
    if len(latest) >= MIN_BASELINE_RUNS:
        return None
    return INSUFFICIENT_HISTORY, _median(latest) if latest else None, len(latest), None


def _replay_spread(values: Sequence[float], floor: float) -> _Judgement | None:
    """Replay a time or memory series; the verdict of its last runs, if it has one."""
    count = len(values)
    over = [False] * count
    below = [False] * count
    kept: list[tuple[int, float]] = []  # (point, value) of the runs no regression left out
    window: list[float] = []  # the values of the last WINDOW_RUNS of kept, sorted
    baseline: tuple[float | None, int] = (None, 0)  # the latest run's median and size
    limits: tuple[float, float] | None = None  # _bounds(window), until the window changes
    for point, value in enumerate(values):
        size = len(window)
        if size >= MIN_BASELINE_RUNS:
            low, high = window[(size - 1) // 2], window[size // 2]  # one value if size is odd
            median = (low + high) / 2
            # the logarithms only where the floor and the least margin (10%) leave a doubt
            if value - median > floor and value > _CANNOT_PASS * low:
                limits = limits or _bounds(window)
                over[point] = math.log(value) > limits[1]
            elif (
                point >= count - LAST_RUNS
                and median - value > floor
                and value * _CANNOT_PASS < high
            ):
                limits = limits or _bounds(window)
                below[point] = math.log(value) < limits[0]
        if point == count - 1:
            baseline = (_median(window) if window else None), size
        if over[point] and any(over[max(point - 2, 0) : point]):
            # an over run among the last two kept is one of the two before: a lone one stays
            # only if the two after it are not over, and those are kept after it
            if any(over[run] for run, _ in kept[-2:]):  # an over run leaves: the window changes
                kept[-2:] = [(run, kept_value) for run, kept_value in kept[-2:] if not over[run]]
                window = sorted(kept_value for _, kept_value in kept[-WINDOW_RUNS:])
                limits = None
            continue  # while a regression lasts, the window and its limits stay as they are
        kept.append((point, value))
        if len(kept) > WINDOW_RUNS:
            del window[bisect_left(window, kept[-WINDOW_RUNS - 1][1])]
        insort(window, value)
        limits = None
    if baseline[1] < MIN_BASELINE_RUNS:
        return INSUFFICIENT_HISTORY, *baseline, None
    if over[-1] and any(over[-LAST_RUNS:-1]):
        return REGRESSION, *baseline, _regression_start(over)
    if over[-1]:
        return WARNING, *baseline, None
    if below[-1] and any(below[-LAST_RUNS:-1]):
        return IMPROVEMENT, *baseline, None
    return None


def _cannot_pass(values: Sequence[float], floor: float) -> bool:
    """Whether no run of the series can pass a limit, above or below, whatever its baseline:
    the whole series lies within the floor, or within 9% (see _CANNOT_PASS), since a baseline's
    middle values lie between the series' lowest and highest."""
    highest, lowest = max(values), min(values)
    return highest - lowest <= floor or highest <= _CANNOT_PASS * lowest


def _regression_start(over: Sequence[bool]) -> int:
    """The first over run linked to the latest by over runs at most two runs apart."""
    start = len(over) - 1
    for point in range(start - 1, -1, -1):
        if start - point > 2:
            break
        if over[point]:
            start = point
    return start


def _bounds(window: Sequence[float]) -> tuple[float, float]:
    """The lower and the upper limit of the logarithms of sorted values."""
    logs = [math.log(value) for value in window]
    centre = _median(logs)
    spread = max(MAD_FACTOR * _median(sorted(abs(log - centre) for log in logs)), LOG_MARGIN)
    # centre + max(spread, p95 - centre), written so that a run equal to p95 stays under the
    # limit whatever the rounding (and the same below with p5)
    lower = min(centre - spread, _percentile(logs, 0.05))
    upper = max(centre + spread, _percentile(logs, 0.95))
    return lower, upper


def _median(ordered: Sequence[float]) -> float:
    """The median of sorted values: the middle one, or the mean of the two middle ones."""
    return (ordered[(len(ordered) - 1) // 2] + ordered[len(ordered) // 2]) / 2


def _percentile(ordered: Sequence[float], fraction: float) -> float:
    """The percentile (0 <= fraction < 1) of sorted values, interpolated between neighbours."""
    position = (len(ordered) - 1) * fraction
    below = int(position)
    return ordered[below] + (position - below) * (ordered[below + 1] - ordered[below])


def _judge_quality(values: Sequence[float], better: int, tolerance: float) -> _Judgement | None:
    """Replay a quality series against the best value of each run's window."""
    kept: list[float] = []  # the values of the runs that did not regress
    start: int | None = None  # the first of the regressed runs up to the latest
    best: float | None = None
    for point, value in enumerate(values):
        window = kept[-WINDOW_RUNS:]
        best = (max(window) if better > 0 else min(window)) if window else None
        if best is not None and (best - value) * better > tolerance:
            start = point if start is None else start
        else:
            start = None
            kept.append(value)
    if best is None:
        return INSUFFICIENT_HISTORY, None, 0, None
    if start is not None:
        return REGRESSION, best, len(window), start
    return None


def _report_order(result: SeriesResult) -> tuple[int, str, str, int, int, int]:
    """Regressions, warnings, improvements, the rest; by file, test type, then as in a run."""
    series = result.series
    group = 2 if series.figure in QUALITY_FIGURES else int(series.phase_number is not None)
    return (
        VERDICTS.index(result.verdict),
        series.production_file,
        series.test_type,
        group,
        series.phase_number or 0,
        _ORDER[series.figure],
    )


def _entry_warnings(
    accepted: Sequence[Acceptance],
    known: Mapping[tuple[str, str], Sequence[Series]],
    latest: Mapping[tuple[str, str], datetime],
) -> tuple[str, ...]:
    """A warning for each accepted entry that covers no series of the runs, and for each that
    starts after the latest run of its file: it silences what it covers until then."""
    warnings = []
    for number, entry in enumerate(accepted, 1):
        named = (
            f"accepted entry {number} ({entry.production_file}, {entry.test_type}, {entry.figure})"
        )
        file = entry.production_file, entry.test_type
        if not any(map(entry.covers, known.get(file, ()))):
            warnings.append(f"{named} names no known series")
        elif entry.start > latest[file]:
            when = entry.start.isoformat() + "Z"
            warnings.append(
                f"{named} starts after the latest run, at {when}: nothing it covers is judged"
            )
    return tuple(warnings)


def exit_code(report: Report) -> int:
    """1 when any series regressed, else 0 (warnings, notices and short histories included)."""
    return int(report.count(REGRESSION) > 0)


def format_text(report: Report) -> str:
    """A table of the verdicts, regressions first, the entries to accept them, the counts."""
    shown = [result for result in report.results if result.verdict != INSUFFICIENT_HISTORY]
    lines = []
    if shown:
        table = [_HEADER, *(_cells(result) for result in shown)]
        widths = [max(map(len, column)) for column in zip(*table)]
        for row in table:
            lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    regressions = report.of(REGRESSION)
    if regressions:
        lines += [
            "To accept a regression, add its entry to the --accepted file:",
            _entries(regressions),
        ]
    lines.append(_counts(report))
    lines += [f"warning: {warning}" for warning in report.warnings]
    return "\n".join(lines) + "\n"


def format_json(report: Report) -> str:
    """A JSON array, one object per series with a verdict."""
    objects = [
        {
            **result.series._asdict(),
            "verdict": result.verdict,
            "baseline": result.baseline,
            "latest": result.latest,
            "runs": result.runs,
            "last_three": list(result.last_values),
            "change_percent": result.change_percent,
            "latest_run": result.latest_run.isoformat() + "Z",
            "accept": result.acceptance() if result.verdict == REGRESSION else None,
        }
        for result in report.results
    ]
    return json.dumps(objects, indent=2, ensure_ascii=False) + "\n"


def format_github(report: Report) -> str:
    """Workflow commands, one per file and test type and kind, then the text report for the log."""
    lines = []
    for command, verdict in (("error", REGRESSION), ("warning", WARNING), ("notice", IMPROVEMENT)):
        for (production_file, test_type), group in groupby(report.of(verdict), _file_of):
            listed = list(group)
            title = f"{_plural(len(listed), verdict)} in {production_file} ({test_type})"
            message = "; ".join(f"{result.series.label}: {_change(result)}" for result in listed)
            lines.append(f"::{command} title={_escape(title, ':,')}::{_escape(message)}")
    for warning in report.warnings:
        lines.append(f"::warning title=Accepted file::{_escape(warning)}")
    return "".join(line + "\n" for line in lines) + format_text(report)


def format_markdown(report: Report) -> str:
    """The Markdown report for a GitHub step summary: regressions first, the rest folded."""
    regressions = report.of(REGRESSION)
    headline = _plural(len(regressions), REGRESSION) if regressions else "no regression"
    lines = [f"## Regression alert: {headline}", ""]
    if regressions:
        lines += [*_markdown_table(regressions), ""]
        lines += ["To accept a regression, add its entry to the `--accepted` file:", ""]
        lines += ["```json", _entries(regressions), "```", ""]
    rest = report.of(WARNING) + report.of(IMPROVEMENT)
    if rest:
        counts = ", ".join(
            _plural(report.count(verdict), verdict) for verdict in (WARNING, IMPROVEMENT)
        )
        lines += [f"<details><summary>{counts}</summary>", "", *_markdown_table(rest), ""]
        lines += ["</details>", ""]
    lines.append(_counts(report))
    lines += [f"- warning: {_markdown_cell(warning)}" for warning in report.warnings]
    return "\n".join(lines) + "\n"


def append_step_summary(report: Report, environ: Mapping[str, str]) -> None:
    """Append the Markdown report to the file GITHUB_STEP_SUMMARY names, if it names one."""
    summary = environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(format_markdown(report))


_HEADER = ("file", "test type", "figure", "baseline", "last three", "change", "verdict")


def _cells(result: SeriesResult) -> tuple[str, ...]:
    """One row of the text and Markdown tables."""
    change = result.change_percent
    return (
        result.series.production_file,
        result.series.test_type,
        result.series.label,
        _baseline(result),
        ", ".join(map(_number, result.last_values)),
        "" if change is None else f"{change:+.1f}%",
        result.verdict,
    )


def _baseline(result: SeriesResult) -> str:
    """The baseline with the number of runs it holds: a median, or the best of a window."""
    kind = "best" if result.series.figure in QUALITY_FIGURES else "median"
    if result.baseline is None:
        return f"no {kind}"
    return f"{kind} {_number(result.baseline)} of {result.runs}"


def _change(result: SeriesResult) -> str:
    """From the baseline to the latest value, with the change in percent where it has one."""
    change = result.change_percent
    percent = "" if change is None else f" ({change:+.1f}%)"
    return f"{_baseline(result)} -> {_number(result.latest)}{percent}"


def _number(value: float) -> str:
    """A figure as people read it: true/false, an integer, or four significant digits."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int) or abs(value) >= 1e4:
        return f"{value:.0f}"
    return f"{value:.4g}"


def _entries(regressions: Sequence[SeriesResult]) -> str:
    """A JSON list of the entries that accept the regressions, one a line."""
    entries = [json.dumps(result.acceptance(), ensure_ascii=False) for result in regressions]
    return "[\n" + ",\n".join(f"  {entry}" for entry in entries) + "\n]"


def _counts(report: Report) -> str:
    """The closing line: how many series were checked, and with which verdicts."""
    counted = ", ".join(_plural(report.count(verdict), verdict) for verdict in VERDICTS[:3])
    short = report.count(INSUFFICIENT_HISTORY)
    return f"{report.checked} series checked: {counted}, {short} with insufficient history"


def _plural(count: int, noun: str) -> str:
    """'1 regression', '2 regressions'."""
    return f"{count} {noun}{'s' * (count != 1)}"


def _file_of(result: SeriesResult) -> tuple[str, str]:
    """The production file and test type of a result."""
    return result.series.production_file, result.series.test_type


def _escape(text: str, also: str = "") -> str:
    """Text for a workflow command: %, CR and LF encoded, and in a property also : and ,."""
    for character in "%\r\n" + also:
        text = text.replace(character, f"%{ord(character):02X}")
    return text


def _markdown_table(results: Sequence[SeriesResult]) -> list[str]:
    """The results as a Markdown table."""
    rows = [_HEADER, ("---",) * len(_HEADER), *(_cells(result) for result in results)]
    return ["| " + " | ".join(map(_markdown_cell, row)) + " |" for row in rows]


def _markdown_cell(text: str) -> str:
    """Text that cannot break a Markdown table row."""
    return text.replace("|", "\\|").replace("\n", " ")
