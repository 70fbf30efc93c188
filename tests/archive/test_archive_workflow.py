"""The issue-driven archive workflow: what triggers it, whom it answers, and that an
issue's text never becomes part of a shell command."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml
from typer.testing import CliRunner

from newsmirror.ci import ci_template
from newsmirror.ci.archive import ARCHIVE_WORKFLOW_PATH, archive_workflow
from newsmirror.cli import app
from newsmirror.errors import ConfigError
from tests.archive.mirrors import WECHAT_PATH, archive_world
from tests.publish.remotes import branch_head
from tests.support.mirrors import git

runner = CliRunner()
SETTINGS = ("anyone", "collaborators")
# Contexts whose text anyone who opens an issue or a pull request can choose.
_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)


def _document(issue_authors: str) -> dict[Any, Any]:
    document = yaml.safe_load(archive_workflow(issue_authors))  # type: ignore[arg-type]
    assert isinstance(document, dict)
    return document


def _steps(issue_authors: str = "anyone") -> list[dict[str, Any]]:
    return list(_document(issue_authors)["jobs"]["archive"]["steps"])


@pytest.mark.parametrize("issue_authors", SETTINGS)
def test_no_run_script_holds_an_expression_of_the_event(issue_authors: str) -> None:
    for step in _steps(issue_authors):
        for expression in _EXPRESSION.findall(step.get("run", "")):
            assert expression.strip().startswith("vars."), (step["name"], expression)


@pytest.mark.parametrize("issue_authors", SETTINGS)
def test_issue_text_reaches_newsmirror_only_through_the_environment(issue_authors: str) -> None:
    step = next(s for s in _steps(issue_authors) if "newsmirror archive" in s.get("run", ""))
    assert step["env"]["ISSUE_BODY"] == "${{ github.event.issue.body }}"
    assert step["env"]["ISSUE_TITLE"] == "${{ github.event.issue.title }}"
    assert '"$ISSUE_BODY"' in step["run"] and '"$ISSUE_TITLE"' in step["run"]
    assert re.search(r"\|\s*newsmirror archive .*--from-text - ", step["run"])


def test_every_event_text_in_the_workflow_sits_in_env_or_if() -> None:
    for step in _steps():
        texts = [str(v) for k, v in step.items() if k not in ("env", "if")]
        assert not any("github.event" in text for text in texts), step["name"]


def test_workflow_runs_on_new_and_labelled_issues_with_the_rights_it_needs() -> None:
    document = _document("anyone")
    assert document[True] == {"issues": {"types": ["opened", "labeled"]}}  # YAML 1.1: on → True
    assert document["permissions"] == {"contents": "write", "issues": "write"}


def test_workflow_comments_labels_and_closes_the_issue() -> None:
    answer = next(s for s in _steps() if "gh issue comment" in s.get("run", ""))
    assert answer["if"] == "always()"
    for command in ('--add-label "$label"', "gh issue close", "label=archived", "label=failed"):
        assert command in answer["run"]


def _install_run(workflow: str, job: str) -> str:
    steps = yaml.safe_load(workflow)["jobs"][job]["steps"]
    return str(next(s["run"] for s in steps if s.get("name") == "Install newsmirror"))


def test_workflow_installs_newsmirror_as_the_hourly_workflow_does() -> None:
    assert _install_run(archive_workflow("anyone"), "archive") == \
        _install_run(ci_template("github"), "mirror")


def test_init_writes_an_archive_workflow_installing_what_the_written_hourly_one_does(
    tmp_path: Path,
) -> None:
    assert runner.invoke(app, ["init", str(tmp_path / "m"), "--ci", "github"]).exit_code == 0
    workflows = tmp_path / "m" / ".github" / "workflows"
    assert _install_run((workflows / "newsmirror-archive.yml").read_text("utf-8"), "archive") == \
        _install_run((workflows / "newsmirror.yml").read_text("utf-8"), "mirror")


def test_an_hourly_workflow_without_an_install_step_is_named() -> None:
    with pytest.raises(ConfigError, match="Install newsmirror"):
        archive_workflow("anyone", "name: hourly\njobs: {}\n")


def _evaluate(expression: str, event: dict[str, Any]) -> bool:
    """GitHub's expression language, the part the workflow's ``if:`` uses, in Python."""
    def lookup(path: str) -> Any:
        value: Any = event
        for part in path.split(".")[2:]:
            if part == "*":  # object filter: the same property of every item
                continue
            value = [item[part] for item in value] if isinstance(value, list) else value[part]
        return value

    def contains(haystack: Any, needle: str) -> bool:
        return needle in (haystack or "") if not isinstance(haystack, list) else needle in haystack

    python = re.sub(r"github\.event[\w.*]*", lambda m: f"lookup({m.group(0)!r})", expression)
    python = python.replace("&&", " and ").replace("||", " or ")
    python = re.sub(r"!(?!=)", " not ", python).replace("fromJSON", "json.loads")
    return bool(eval(python, {"lookup": lookup, "contains": contains, "json": json,
                            "true": True, "false": False}))  # noqa: S307


def _event(action: str, association: str, *, labels: tuple[str, ...] = (), label: str = "",
           sender: str = "reader", body: str | None = "请存档 https://mp.weixin.qq.com/s/x") -> Any:
    return {"action": action, "label": {"name": label}, "sender": {"login": sender},
            "issue": {"title": "存档", "body": body, "author_association": association,
                      "user": {"login": "reader"}, "labels": [{"name": n} for n in labels]}}


@pytest.mark.parametrize(
    ("event", "anyone", "collaborators"),
    [
        (_event("opened", "NONE"), True, False),
        (_event("opened", "OWNER"), True, True),
        (_event("opened", "COLLABORATOR"), True, True),
        (_event("opened", "NONE", body="没有链接"), False, False),
        (_event("opened", "NONE", body=None), False, False),
        (_event("opened", "NONE", labels=("archive",)), False, False),
        (_event("labeled", "NONE", label="archive", labels=("archive",)), True, False),
        (_event("labeled", "NONE", label="archive", sender="maintainer"), True, True),
        (_event("labeled", "MEMBER", label="archive"), True, True),
        (_event("labeled", "OWNER", label="bug", sender="maintainer"), False, False),
    ],
    ids=["reader-opens", "owner-opens", "collaborator-opens", "no-link", "no-body",
         "opened-with-the-label-waits-for-the-label-event", "reader-labels-own-issue-by-template",
         "maintainer-labels-readers-issue", "member-labels", "other-label"],
)
def test_who_may_ask_follows_issue_authors(event: Any, anyone: bool, collaborators: bool) -> None:
    got = {setting: _evaluate(_document(setting)["jobs"]["archive"]["if"], event)
           for setting in SETTINGS}
    assert got == {"anyone": anyone, "collaborators": collaborators}


def test_init_with_github_ci_writes_the_archive_workflow_for_the_configured_authors(
    tmp_path: Path,
) -> None:
    mirror = tmp_path / "m"
    assert runner.invoke(app, ["init", str(mirror)]).exit_code == 0
    config = mirror / "newsmirror.toml"
    text = config.read_text(encoding="utf-8").replace('issue_authors = "anyone"',
                                                      'issue_authors = "collaborators"')
    config.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["init", str(mirror), "--ci", "github"])
    assert result.exit_code == 0, result.output
    written = (mirror / ARCHIVE_WORKFLOW_PATH).read_text(encoding="utf-8")
    hourly = (mirror / ".github/workflows/newsmirror.yml").read_text(encoding="utf-8")
    assert written == archive_workflow("collaborators", hourly)


def test_init_with_gitlab_ci_writes_no_archive_workflow(tmp_path: Path) -> None:
    assert runner.invoke(app, ["init", str(tmp_path / "m"), "--ci", "gitlab"]).exit_code == 0
    assert not (tmp_path / "m" / ARCHIVE_WORKFLOW_PATH).exists()


def test_the_archive_step_calls_only_options_that_exist() -> None:
    script = next(s["run"] for s in _steps() if "newsmirror archive" in s.get("run", ""))
    line = next(part for part in script.split("|") if "newsmirror archive" in part)
    words = shlex.split(line.strip().removesuffix("||").strip())
    command: Any = typer.main.get_command(app).commands["archive"]  # type: ignore[attr-defined]
    known = {opt for p in command.params for opt in p.opts}
    assert words[:2] == ["newsmirror", "archive"]
    assert {w for w in words if w.startswith("--")} <= known


HOSTILE = ('$(touch pwned-dollar) `touch pwned-backtick` "; touch pwned-quote; echo " '
           "'; touch pwned-single; echo ' ${IFS}touch${IFS}pwned-ifs\n")


def test_the_archive_step_archives_the_issue_links_and_runs_nothing_of_its_text(
    tmp_path: Path,
) -> None:
    script = next(s["run"] for s in _steps() if "newsmirror archive" in s.get("run", ""))
    with archive_world(tmp_path) as world:
        git(world.root, "remote", "add", "origin", str(world.remote))
        branch = git(world.root, "symbolic-ref", "--short", "HEAD").strip()
        runner_temp, output = tmp_path / "runner", tmp_path / "github_output"
        runner_temp.mkdir()
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
               "ISSUE_TITLE": "请存档 " + HOSTILE, "BRANCH": branch,
               "ISSUE_BODY": f"{HOSTILE}原文：{world.pages.url(WECHAT_PATH)}（快被删了）",
               "FILES_URL": "https://github.com/o/m/blob/main/", "RUNNER_TEMP": str(runner_temp),
               "GITHUB_OUTPUT": str(output), "GIT_TERMINAL_PROMPT": "0"}
        done = subprocess.run(["bash", "-e", "-c", script], cwd=world.root, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert output.read_text(encoding="utf-8").split() == ["status=0", "pushed=yes"]
        assert (runner_temp / "reply.md").read_text(encoding="utf-8").startswith("已存档 1 个链接。")
        assert branch_head(world.remote, branch) == git(world.root, "rev-parse", "HEAD").strip()
        assert not [p for p in tmp_path.rglob("pwned*")]
