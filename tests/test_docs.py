"""The docs are tested: every command has help and is in the README; config keys are shown."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from timeline.cli import build_parser

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text()
COMMANDS = sorted(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]


def test_readme_starts_with_the_two_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None
    assert first_block.group(1).splitlines() == ["./scripts/demo", "./scripts/check"]
    for line in first_block.group(1).splitlines():
        assert (ROOT / line.removeprefix("./")).is_file()


def test_ci_runs_the_readme_test_command() -> None:
    assert "scripts/check" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(command: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "timeline", command, "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--config" in result.stdout and "--db" in result.stdout
    assert f"`timeline {command}" in README


def test_every_config_key_is_in_the_example_config() -> None:
    example = (ROOT / "config.toml").read_text()
    source = (ROOT / "timeline" / "config.py").read_text()
    keys = set()
    for allowed in re.findall(r"\.allow\(([^)]*)\)", source):
        keys |= set(re.findall(r'"(\w+)"', allowed))
    for key in keys - {"storage", "fetch", "schedule", "sources"}:
        assert re.search(rf"^\s*#?.*\b{key}\b", example, re.M), f"{key} not in config.toml"
