"""Shared fixtures: the script loaded exactly as the generator loads it, and the published schema."""

from __future__ import annotations

import json
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
