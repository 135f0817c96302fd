"""The README's promises to a new user: its snippet, its commands, its example and its figures."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

from conftest import EXAMPLES, ROOT, SCRIPT, metrics_files, summary, validate

README = (ROOT / "README.md").read_text(encoding="utf-8")


def block(marker: str, language: str) -> str:
    """The fenced block of the given language that follows the marker comment."""
    found = re.search(rf"<!-- {marker}.*?```{language}\n(.*?)```", README, re.S)
    assert found is not None, marker
    return found.group(1)


def test_the_generator_snippet_runs_from_any_working_directory(
    repo_copy: Path, tmp_path: Path
) -> None:
    generator = repo_copy / "scripts" / "generate-test-from-framework.py"
    generator.write_text(block("generator-snippet", "python"), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [sys.executable, str(generator)], capture_output=True, text=True, cwd=elsewhere, check=True
    )
    saved = metrics_files(repo_copy / "metrics")
    assert [str(path) for path in saved] == [result.stdout.strip()]
    document = json.loads(saved[0].read_text(encoding="utf-8"))
    validate(document)
    assert len(document["execution_metrics"]["phases"]) == 8
    assert document["framework_success"]["all_targets_met"] is True
    assert not list(elsewhere.iterdir())


def test_the_readme_shows_three_commands_for_a_fresh_machine() -> None:
    found = re.search(r"## On a fresh machine\n\n```sh\n(.*?)```", README, re.S)
    assert found is not None
    commands = found.group(1).strip().splitlines()
    assert len(commands) == 3
    assert "pip install" in commands[0] and '".[dev]"' in commands[0]
    assert "pytest" in commands[1]
    assert "scripts/framework-metrics-collector.py --metrics-dir metrics/examples" in commands[2]


def test_the_example_history_is_real_collector_output(tmp_path: Path) -> None:
    committed = metrics_files(EXAMPLES)
    assert len(committed) == 32
    for path in committed:
        assert re.fullmatch(r"framework-metrics-\d{8}T\d{12}Z-[0-9a-f]{16}\.json", path.name)
        document = json.loads(path.read_text(encoding="utf-8"))
        validate(document)
        compact = document["timestamp"].replace("-", "").replace(":", "").replace(".", "")
        assert path.name.startswith(f"framework-metrics-{compact}-")
    recorder = ROOT / "tests" / "record_examples.py"
    subprocess.run([sys.executable, str(recorder), "--out", str(tmp_path)], check=True)
    recorded = metrics_files(tmp_path)
    assert [path.name[:40] for path in recorded] == [path.name[:40] for path in committed]
    for again, before in zip(recorded, committed):
        new, old = (json.loads(p.read_text(encoding="utf-8")) for p in (again, before))
        validate(new)
        assert new["quality_metrics"] == old["quality_metrics"]
        assert new["framework_success"] == old["framework_success"]


def test_the_readme_shows_the_summary_of_the_example_history() -> None:
    result = summary("--metrics-dir", "metrics/examples", cwd=ROOT)
    assert (result.returncode, result.stderr) == (0, "")
    printed = [line.rstrip() for line in result.stdout.splitlines()]
    assert printed == block("example-summary", "text").splitlines()


def test_the_readme_states_the_scripts_length_truly() -> None:
    lines = len(SCRIPT.read_text(encoding="utf-8").splitlines())
    assert lines <= 149
    stated = re.findall(r"(\d+) lines", README.split("## On a fresh machine")[0])
    assert stated == [str(lines)]
    assert f"The script is {lines} lines (`wc -l`)" in README


def test_the_readme_shows_what_each_query_prints(tmp_path: Path) -> None:
    shown = re.findall(
        r"<!-- query: (\w+)(?:, exit (\d))? -->\n```sh\n(.*?)```\n```text\n(.*?)```", README, re.S
    )
    assert {name for name, _, _, _ in shown} == {
        "by_file",
        "by_phase",
        "by_week",
        "missed_targets",
        "trend",
        "alert",
    }
    assert any("--since" in command for _, _, command, _ in shown)
    assert any("--production-file" in command for name, _, command, _ in shown if name != "trend")
    assert any("--accepted" in command for _, _, command, _ in shown)
    for name, code, command, output in shown:
        words = shlex.split(command.replace("\\\n", " "))
        assert words[:3] == [".venv/bin/python", "scripts/query-metrics.py", name]
        chart = tmp_path / f"{name}.png"  # tests write only into temporary folders
        arguments = [str(chart) if word.endswith(".png") else word for word in words[2:]]
        result = subprocess.run(
            [sys.executable, "scripts/query-metrics.py", *arguments],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        assert (result.returncode, result.stderr) == (int(code or 0), ""), name
        expected = output.replace("metrics/examples/trend-initialization.png", str(chart))
        assert result.stdout.rstrip("\n") == expected.rstrip("\n"), name


def test_the_readme_shows_the_committed_accepted_file() -> None:
    committed = (EXAMPLES / "accepted.json").read_text(encoding="utf-8")
    assert block("accepted-example", "json") == committed
