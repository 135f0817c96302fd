"""The README's promises to a new user: its generator snippet runs as written."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, metrics_files, validate

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_generator_snippet_runs_from_the_repository_root(repo_copy: Path) -> None:
    snippet = re.search(r"<!-- generator-snippet.*?```python\n(.*?)```", README, re.S)
    assert snippet is not None
    result = subprocess.run(
        [sys.executable, "-c", snippet.group(1)],
        capture_output=True,
        text=True,
        cwd=repo_copy,
        check=True,
    )
    saved = metrics_files(repo_copy / "metrics")
    assert [str(path) for path in saved] == [result.stdout.strip()]
    document = json.loads(saved[0].read_text(encoding="utf-8"))
    validate(document)
    assert len(document["execution_metrics"]["phases"]) == 8
    assert document["framework_success"]["all_targets_met"] is True


def test_the_readme_shows_three_commands_for_a_fresh_machine() -> None:
    block = re.search(r"## On a fresh machine\n\n```sh\n(.*?)```", README, re.S)
    assert block is not None
    commands = block.group(1).strip().splitlines()
    assert len(commands) == 3
    assert "pip install" in commands[0] and '".[dev]"' in commands[0]
    assert "pytest" in commands[1]
    assert "scripts/framework-metrics-collector.py" in commands[2]


def test_the_readme_states_the_scripts_length_truly() -> None:
    stated = re.search(r"It is (\d+) lines today", README)
    assert stated is not None
    lines = (ROOT / "scripts" / "framework-metrics-collector.py").read_text(encoding="utf-8")
    assert int(stated.group(1)) == len(lines.splitlines())
