"""The CI workflows `newsmirror init --ci` writes: valid YAML that calls real commands."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml
from typer.testing import CliRunner

from newsmirror.ci import CI_TARGETS, ci_template
from newsmirror.cli import app

runner = CliRunner()
CLI = typer.main.get_command(app)


def _scripts(target: str) -> list[str]:
    """Every shell line the workflow runs."""
    document = yaml.safe_load(ci_template(target))
    if target == "github":
        steps = [s for job in document["jobs"].values() for s in job["steps"]]
        return [line for s in steps if "run" in s for line in s["run"].splitlines()]
    job = document["mirror"]
    return [*job["before_script"], *job["script"], *job.get("after_script", [])]


def _newsmirror_calls(target: str) -> list[list[str]]:
    calls = []
    for line in _scripts(target):
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        command: list[str] = []
        for word in [*lexer, ";"]:
            if word in {"||", "&&", ";", "|"}:
                if command and command[0] == "newsmirror":
                    calls.append(command[1:])
                command = []
            else:
                command.append(word)
    return calls


@pytest.mark.parametrize("target", sorted(CI_TARGETS))
def test_workflow_is_valid_yaml(target: str) -> None:
    assert isinstance(yaml.safe_load(ci_template(target)), dict)


@pytest.mark.parametrize("target", sorted(CI_TARGETS))
def test_workflow_runs_the_mirror(target: str) -> None:
    assert ["run", "--mirror", "."] in _newsmirror_calls(target)


@pytest.mark.parametrize("target", sorted(CI_TARGETS))
def test_workflow_calls_only_commands_and_options_that_exist(target: str) -> None:
    for name, *args in _newsmirror_calls(target):
        command: Any = CLI.commands[name]  # type: ignore[attr-defined]
        known = {opt for p in command.params for opt in p.opts}
        assert {a for a in args if a.startswith("-")} <= known, (name, args)


def test_github_workflow_runs_hourly_with_cache_and_keep_alive() -> None:
    document = yaml.safe_load(ci_template("github"))
    triggers = document[True]  # YAML 1.1 reads the key `on` as true
    steps = document["jobs"]["mirror"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert re.fullmatch(r"\d+ \* \* \* \*", triggers["schedule"][0]["cron"])
    assert any(u.startswith("actions/cache/restore@") for u in uses)
    assert any(u.startswith("actions/cache/save@") for u in uses)
    assert any("actions/workflows/newsmirror.yml/enable" in s.get("run", "") for s in steps)


def test_github_workflow_pushes_to_its_repository() -> None:
    assert any(line.startswith("git push origin") for line in _scripts("github"))


def test_gitlab_job_keeps_the_cache_and_runs_one_at_a_time() -> None:
    job = yaml.safe_load(ci_template("gitlab"))["mirror"]
    assert job["cache"]["paths"] == [".newsmirror/"]
    assert job["resource_group"]


@pytest.mark.parametrize("target", sorted(CI_TARGETS))
def test_init_with_ci_writes_the_workflow(tmp_path: Path, target: str) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "m"), "--ci", target])
    assert result.exit_code == 0
    written = tmp_path / "m" / CI_TARGETS[target][0]
    assert written.read_text(encoding="utf-8") == ci_template(target)


def test_init_with_unknown_ci_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "m"), "--ci", "jenkins"])
    assert result.exit_code == 2


def test_init_with_ci_in_an_existing_mirror_keeps_its_config(tmp_path: Path) -> None:
    runner.invoke(app, ["init", str(tmp_path / "m")])
    config = tmp_path / "m" / "newsmirror.toml"
    config.write_text(config.read_text(encoding="utf-8") + "# mine\n", encoding="utf-8")
    result = runner.invoke(app, ["init", str(tmp_path / "m"), "--ci", "gitlab"])
    assert result.exit_code == 0
    assert config.read_text(encoding="utf-8").endswith("# mine\n")
    assert (tmp_path / "m" / ".gitlab-ci.yml").is_file()
