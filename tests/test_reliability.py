"""The collector's promises under parallel writers, killed writers, unwritable folders and bad data.

Each test names its figures (writers, runs, kills) in the README's "Reliability" section; change
both together.
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterator

import pytest
from conftest import LOADER, metrics_files, skipped, summary, validate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

WRITERS, RUNS_PER_WRITER, KILLS = 8, 40, 40


def is_root() -> bool:
    """Whether permission bits bind this process (they do not bind root)."""
    return os.geteuid() == 0


def leftovers(folder: Path) -> list[str]:
    """Everything in a metrics folder that is not a metrics document."""
    return sorted(p.name for p in folder.iterdir() if p not in metrics_files(folder))


# --- parallel writers ------------------------------------------------------------------------


def test_parallel_writers_never_overwrite_or_tear(tmp_path: Path) -> None:
    writer = LOADER + f"""
import os, time
from datetime import datetime, timezone
shared = datetime(2025, 1, 1, tzinfo=timezone.utc)
start = float(sys.argv[2])
while time.time() < start:
    pass
for run in range({RUNS_PER_WRITER}):
    moment = shared if run % 4 else datetime.now(timezone.utc)
    fmc.save_metrics_to_json({{"writer": int(sys.argv[1]), "run": run, "pad": "x" * 5000}},
                             moment, {str(tmp_path)!r})
"""
    start = time.time() + 1.0
    children = [
        subprocess.Popen([sys.executable, "-c", writer, str(number), str(start)])
        for number in range(WRITERS)
    ]
    assert [child.wait(timeout=120) for child in children] == [0] * WRITERS
    documents = [json.loads(path.read_text(encoding="utf-8")) for path in metrics_files(tmp_path)]
    saved = sorted((document["writer"], document["run"]) for document in documents)
    assert saved == [(w, r) for w in range(WRITERS) for r in range(RUNS_PER_WRITER)]
    assert len([p for p in metrics_files(tmp_path) if "20250101T000000000000Z" in p.name]) == (
        WRITERS * RUNS_PER_WRITER * 3 // 4
    )
    assert leftovers(tmp_path) == []


# --- killed writers --------------------------------------------------------------------------


def test_killed_writers_leave_at_most_a_partial_document_the_summary_skips(tmp_path: Path) -> None:
    folder = tmp_path / "metrics"
    writer = LOADER + f"""
collector = fmc.FrameworkMetricsCollector({str(folder)!r}, production_file="p" * 400_000)
print("ready", flush=True)
while True:
    collector.record_phase_completion(1)
    collector.save_execution_metrics()
"""
    rng = random.Random(20261124)
    for _ in range(KILLS):
        child = subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE)
        assert child.stdout is not None and child.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.0, 0.03))
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert leftovers(folder) == []
    whole, partial = [], []
    for path in metrics_files(folder):
        try:
            validate(json.loads(path.read_text(encoding="utf-8")))
            whole.append(path)
        except ValueError:
            partial.append(path)
    assert len(whole) >= 2, "too few writers got to save before their kill: lengthen the sleeps"
    assert 1 <= len(partial) <= KILLS, "no kill landed in a write: shorten the sleeps"
    # a partial document made the newest, so that the summary meets one before the whole ones
    newest = partial.pop().rename(folder / "framework-metrics-99991231T235959999999Z-0.json")
    # the summary reads from the newest down to the second whole document, naming what it skips
    result = summary("--metrics-dir", folder)
    assert result.returncode == 0
    assert skipped(result.stderr.splitlines()) == [
        str(path) for path in [newest, *sorted(partial, reverse=True)] if path > whole[-2]
    ]
    assert f'"{whole[-1]}"' in result.stdout.splitlines()[0]


# --- unwritable destinations -----------------------------------------------------------------


def test_a_file_in_the_folders_place_raises_oserror(fmc: ModuleType, tmp_path: Path) -> None:
    blocker = tmp_path / "metrics"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(OSError):
        fmc.FrameworkMetricsCollector(blocker).save_execution_metrics()
    assert blocker.read_text(encoding="utf-8") == "not a folder"
    assert [p.name for p in tmp_path.iterdir()] == ["metrics"]
    result = summary("--metrics-dir", blocker)
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make a folder unwritable for this process: immutable for root, mode 0555 otherwise."""
    if is_root():
        if shutil.which("chattr") is None:
            pytest.skip("running as root without chattr: no way to make a folder read-only")
        made = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
        if made.returncode:
            pytest.skip(f"running as root and chattr +i failed: {made.stderr.decode().strip()}")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)


def test_a_read_only_folder_raises_permission_denied_and_stays_empty(
    fmc: ModuleType, tmp_path: Path
) -> None:
    folder = tmp_path / "metrics"
    folder.mkdir()
    with read_only(folder):
        with pytest.raises(PermissionError) as raised:
            fmc.save_metrics_to_json({"a": 1}, datetime.now(timezone.utc), folder)
    assert raised.value.errno in (errno.EACCES, errno.EPERM)  # EPERM: chattr +i, as root
    assert list(folder.iterdir()) == []


def test_a_full_disk_raises_oserror_and_leaves_a_file_the_summary_skips(tmp_path: Path) -> None:
    # the file-size limit makes the kernel refuse the write, as a full disk does
    writer = LOADER + f"""
import resource, signal
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
try:
    fmc.save_metrics_to_json({{"pad": "x" * 100_000}}, "2025-01-01T00:00:00Z", {str(tmp_path)!r})
except OSError as error:
    print(type(error).__name__, error.errno)
"""
    result = subprocess.run(
        [sys.executable, "-c", writer], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["OSError", str(errno.EFBIG)]
    [left] = list(tmp_path.iterdir())
    assert left.name.startswith("framework-metrics-20250101T000000000000Z-")
    assert left.stat().st_size == 4096  # the part the kernel let through
    skipped = summary("--metrics-dir", tmp_path)
    assert skipped.returncode == 1
    assert skipped.stderr.splitlines()[0].startswith(f"{left}: not a metrics document, skipped")


@pytest.mark.skipif(is_root(), reason="root reads any folder: needs a non-root user")
def test_the_summary_of_an_unreadable_folder_exits_1(tmp_path: Path) -> None:
    folder = tmp_path / "metrics"
    folder.mkdir(mode=0)
    try:
        result = summary("--metrics-dir", folder)
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1


# --- path safety -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["../../escape", "/tmp/absolute", "..\\..\\windows", "a/b/../../../c", "\n", "*"]
)
def test_caller_strings_never_change_where_files_go(
    fmc: ModuleType, tmp_path: Path, name: str
) -> None:
    folder = tmp_path / "deep" / "metrics"
    collector = fmc.FrameworkMetricsCollector(
        folder, production_file=name, generated_file=name, test_type="integration"
    )
    collector.record_quality_results(10.0, 0, None)
    path = collector.save_execution_metrics()
    assert path.parent == folder
    assert path.name.startswith("framework-metrics-") and path.suffix == ".json"
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [path.name]
    assert json.loads(path.read_text(encoding="utf-8"))["production_file"] == name


# --- properties ------------------------------------------------------------------------------

finite = st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False)
maybe = st.none() | st.floats(min_value=0, max_value=100, allow_nan=False) | st.integers(0, 100)
texts = st.text(max_size=40)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=20,
)
moments = st.datetimes(
    min_value=datetime(1000, 1, 1, 12),
    max_value=datetime(9999, 12, 30),
    timezones=st.none() | st.timezones(),
)
PROPERTY = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@PROPERTY
@given(
    phases=st.lists(
        st.tuples(st.integers(1, 20), st.none() | finite, st.none() | finite), max_size=10
    ),
    pylint_score=st.none() | st.floats(0, 10) | st.integers(0, 10),
    mypy_errors=st.none() | st.integers(0, 10**6),
    coverage=maybe,
    black_formatted=st.none() | st.booleans(),
    test_pass_rate=maybe,
    test_type=st.sampled_from(["unit", "integration"]),
    files=st.tuples(texts, texts),
)
def test_any_valid_run_saves_a_schema_valid_document_that_reads_back(
    fmc: ModuleType,
    phases: list[tuple[int, float | None, float | None]],
    pylint_score: float | None,
    mypy_errors: int | None,
    coverage: float | None,
    black_formatted: bool | None,
    test_pass_rate: float | None,
    test_type: str,
    files: tuple[str, str],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        collector = fmc.FrameworkMetricsCollector(
            folder, production_file=files[0], test_type=test_type, generated_file=files[1]
        )
        for number, duration, memory_used in phases:
            collector.record_phase_completion(number, duration, memory_used)
        collector.record_quality_results(
            pylint_score,
            mypy_errors,
            coverage,
            black_formatted=black_formatted,
            test_pass_rate=test_pass_rate,
        )
        document = json.loads(collector.save_execution_metrics().read_text(encoding="utf-8"))
        validate(document)
        assert document["quality_metrics"] == {
            "pylint_score": pylint_score,
            "mypy_errors": mypy_errors,
            "black_formatted": black_formatted,
            "test_pass_rate": test_pass_rate,
            "coverage_percentage": coverage,
        }
        assert len(document["execution_metrics"]["phases"]) == len(phases)
        for (number, duration, memory_used), phase in zip(
            phases, document["execution_metrics"]["phases"]
        ):
            assert phase["phase_number"] == number
            assert duration is None or phase["duration_seconds"] == duration
            assert memory_used is None or phase["memory_used_mb"] == memory_used
        assert (document["production_file"], document["generated_file"]) == files
        assert len(os.listdir(folder)) == 1


@PROPERTY
@given(data=st.dictionaries(texts, json_values, max_size=6), moment=moments)
def test_any_json_document_reads_back_equal(
    fmc: ModuleType, data: dict[str, Any], moment: datetime
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = fmc.save_metrics_to_json(data, moment, folder)
        assert json.loads(path.read_text(encoding="utf-8")) == data
        assert os.listdir(folder) == [path.name]


UNWRITABLE = st.sampled_from(
    [float("nan"), float("inf"), -float("inf"), {1, 2}, b"bytes", object(), 1j, range(3)]
)
RECORDS: dict[str, Callable[[Any, Any], None]] = {
    "duration": lambda collector, v: collector.record_phase_completion(1, v),
    "memory_used": lambda collector, v: collector.record_phase_completion(1, None, v),
    "phase_number": lambda collector, v: collector.record_phase_completion(v),
    "pylint_score": lambda collector, v: collector.record_quality_results(v, 0, 90),
    "coverage": lambda collector, v: collector.record_quality_results(10, 0, v),
    "test_pass_rate": lambda collector, v: collector.record_quality_results(
        10, 0, 90, test_pass_rate=v
    ),
    "production_file": lambda collector, v: setattr(collector, "production_file", v),
}


@PROPERTY
@given(place=st.sampled_from(sorted(RECORDS)), value=UNWRITABLE)
def test_a_run_holding_what_json_cannot_hold_is_refused_and_writes_nothing(
    fmc: ModuleType, place: str, value: Any
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        collector = fmc.FrameworkMetricsCollector(Path(folder) / "metrics")
        RECORDS[place](collector, value)
        with pytest.raises((TypeError, ValueError)):
            collector.save_execution_metrics()
        assert os.listdir(folder) == []


@PROPERTY
@given(value=UNWRITABLE, depth=st.integers(0, 3))
def test_data_json_cannot_hold_is_refused_and_writes_nothing(
    fmc: ModuleType, value: Any, depth: int
) -> None:
    data: Any = value
    for _ in range(depth):
        data = {"nested": [data]}
    with tempfile.TemporaryDirectory() as folder:
        with pytest.raises((TypeError, ValueError)):
            fmc.save_metrics_to_json({"x": data}, "2025-01-01T00:00:00Z", Path(folder) / "m")
        assert os.listdir(folder) == []
