"""Shared fixtures: the script loaded exactly as the generator loads it, and the published schema."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest
from hypothesis.configuration import set_hypothesis_home_dir
from loader import SCRIPTS, load_script

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = SCRIPTS / "framework-metrics-collector.py"
RUNNER = SCRIPTS / "query-metrics.py"
EXAMPLES = ROOT / "metrics" / "examples"
# a child's preamble: the collector loaded by path, as `fmc`, the way the generator loads it
LOADER = f"""
import importlib.util, os, sys
spec = importlib.util.spec_from_file_location("fmc", {str(SCRIPT)!r})
fmc = importlib.util.module_from_spec(spec)
sys.modules["fmc"] = fmc
spec.loader.exec_module(fmc)
"""
SCHEMA = json.loads((ROOT / "metrics" / "metrics.schema.json").read_text(encoding="utf-8"))
# tests write only into temporary folders: hypothesis's own caches included
set_hypothesis_home_dir(tempfile.mkdtemp(prefix="hypothesis-"))


@pytest.fixture(scope="session")
def fmc() -> ModuleType:
    """The collector module, loaded by path as generate-test-from-framework.py loads it."""
    return load_script(SCRIPT, "framework_metrics_collector")


@pytest.fixture(scope="session")
def runner() -> ModuleType:
    """scripts/query-metrics.py, loaded by path."""
    return load_script(RUNNER, "query_metrics")


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A throwaway repository layout (scripts/ + metrics/) holding a copy of the script."""
    (tmp_path / "repo" / "scripts").mkdir(parents=True)
    shutil.copy(SCRIPT, tmp_path / "repo" / "scripts" / SCRIPT.name)
    return tmp_path / "repo"


def validate(document: Any) -> None:
    """Fail unless the document matches the schema published in metrics/."""
    jsonschema.Draft202012Validator(SCHEMA).validate(document)


def metrics_files(folder: Path) -> list[Path]:
    """The metrics documents in a folder, oldest first."""
    return sorted(folder.glob("framework-metrics-*.json"))


def summary(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command line as a user would, in a child process."""
    command = [sys.executable, str(SCRIPT), *map(str, args)]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, cwd=cwd, check=False
    )


def query_command(*arguments: str | Path, **options: Any) -> subprocess.CompletedProcess[str]:
    """scripts/query-metrics.py as a user runs it, in a child process."""
    return subprocess.run(
        [sys.executable, str(RUNNER), *map(str, arguments)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        **options,
    )


def query_to_a_closed_pipe(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
    """scripts/query-metrics.py with its output sent to a pipe whose reader has gone before the
    first line; stderr captured."""
    reading, writing = os.pipe()
    os.close(reading)
    try:
        return subprocess.run(
            [sys.executable, str(RUNNER), *map(str, arguments)],
            stdout=writing,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(writing)


def skipped(lines: list[str]) -> list[str]:
    """The files the summary named as skipped in these stderr lines, in the order it named them."""
    assert all(": not a metrics document, skipped (" in line for line in lines), lines
    return [line.split(": not a metrics document")[0] for line in lines]
