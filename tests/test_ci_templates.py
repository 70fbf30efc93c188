"""The CI workflows `newsmirror init --ci` writes: valid YAML that calls real commands,
clones shallowly and installs exactly the version that wrote it."""

from __future__ import annotations

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

from newsmirror.ci import CI_TARGETS, render_ci_workflow
from newsmirror.ci.install import choose_install, installed_version, release_listed
from newsmirror.cli import app
from newsmirror.demo.server import LoopbackServer, Route

runner = CliRunner()
CLI = typer.main.get_command(app)
VERSION = installed_version()


def workflow(target: str) -> str:
    return render_ci_workflow(target, f"newsmirror=={VERSION}", VERSION)


def _scripts(target: str) -> list[str]:
    """Every shell line the workflow runs."""
    document = yaml.safe_load(workflow(target))
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
    assert isinstance(yaml.safe_load(workflow(target)), dict)


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
    document = yaml.safe_load(workflow("github"))
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
    job = yaml.safe_load(workflow("gitlab"))["mirror"]
    assert job["cache"]["paths"] == [".newsmirror/"]
    assert job["resource_group"]


@pytest.mark.parametrize("target", sorted(CI_TARGETS))
def test_workflow_clones_only_the_newest_commit(target: str) -> None:
    document = yaml.safe_load(workflow(target))
    if target == "github":
        checkout = next(s for s in document["jobs"]["mirror"]["steps"]
                        if s.get("uses", "").startswith("actions/checkout@"))
        assert checkout["with"]["fetch-depth"] == 1
    else:
        assert document["mirror"]["variables"]["GIT_DEPTH"] == "1"


# -- the pinned install -------------------------------------------------------------------

PINNED = re.compile(r'python -m pip install "(newsmirror==\d[\w.]*|newsmirror @ \S+(@[0-9a-f]{40}|'
                    r'#sha256=[0-9a-f]{64})|\./\S+\.whl)"')


def index_routes(*files: str) -> dict[str, Route]:
    """A package index's simple page for newsmirror listing ``files`` (PEP 503 HTML)."""
    links = "".join(f'<a href="../../files/{f}">{f}</a><br>' for f in files)
    return {"/simple/newsmirror/": Route(f"<html><body>{links}</body></html>".encode())}


def install_lines(text: str) -> list[str]:
    return [line.strip().removeprefix("- ") for line in text.splitlines()
            if "pip install" in line and "--upgrade pip" not in line]


@pytest.mark.parametrize("target", sorted(CI_TARGETS))
def test_init_pins_the_release_when_the_index_has_it(tmp_path: Path, target: str) -> None:
    with LoopbackServer(index_routes(f"newsmirror-{VERSION}-py3-none-any.whl",
                                     f"newsmirror-{VERSION}.tar.gz")) as index:
        result = runner.invoke(app, ["init", str(tmp_path / "m"), "--ci", target,
                                     "--index-url", index.url("/simple")])
    assert result.exit_code == 0, result.output
    written = (tmp_path / "m" / CI_TARGETS[target][0]).read_text(encoding="utf-8")
    assert install_lines(written) == [f'python -m pip install "newsmirror=={VERSION}"']
    assert not list((tmp_path / "m").rglob("*.whl"))


@pytest.mark.parametrize("target", sorted(CI_TARGETS))
def test_init_commits_a_wheel_of_this_copy_when_no_index_has_it(
    tmp_path: Path, target: str
) -> None:
    """This test's newsmirror is an editable install of a folder: no CI runner can reach it."""
    with LoopbackServer(index_routes("newsmirror-0.0.1.tar.gz")) as index:
        result = runner.invoke(app, ["init", str(tmp_path / "m"), "--ci", target,
                                     "--index-url", index.url("/simple")])
    assert result.exit_code == 0, result.output
    [wheel] = (tmp_path / "m").rglob("*.whl")
    assert wheel.parent == (tmp_path / "m" / CI_TARGETS[target][2])
    written = (tmp_path / "m" / CI_TARGETS[target][0]).read_text(encoding="utf-8")
    relative = wheel.relative_to(tmp_path / "m").as_posix()
    assert install_lines(written) == [f'python -m pip install "./{relative}"']
    target_dir = tmp_path / "installed"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--target", str(target_dir), str(wheel)], check=True)
    probe = subprocess.run(
        [sys.executable, "-c", "import newsmirror, importlib.metadata as m; "
         "print(newsmirror.__file__); print(m.version('newsmirror'))"],
        cwd=tmp_path, env={"PYTHONPATH": str(target_dir), "PATH": os.environ["PATH"]},
        capture_output=True, text=True, check=True)
    location, version = probe.stdout.split()
    assert Path(location).is_relative_to(target_dir) and version == VERSION
    assert (target_dir / "newsmirror" / "rules" / "sites.toml").is_file()


def test_the_wheel_is_the_same_bytes_when_written_again(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        result = runner.invoke(app, ["init", str(tmp_path / folder), "--ci", "gitlab",
                                     "--index-url", "http://127.0.0.1:9/simple"])
        assert result.exit_code == 0, result.output
    [first], [second] = ((tmp_path / f).rglob("*.whl") for f in ("a", "b"))
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize(
    ("origin", "requirement"),
    [({"url": "https://github.com/example/newsmirror.git",
       "vcs_info": {"vcs": "git", "commit_id": "a" * 40, "requested_revision": "main"}},
      "newsmirror @ git+https://github.com/example/newsmirror.git@" + "a" * 40),
     ({"url": "https://example.org/newsmirror-0.1.0.tar.gz",
       "archive_info": {"hashes": {"sha256": "b" * 64}}},
      "newsmirror @ https://example.org/newsmirror-0.1.0.tar.gz#sha256=" + "b" * 64),
     ({"url": "file:///home/me/newsmirror", "dir_info": {"editable": True}},
      "./.gitlab/newsmirror-0.1.0-py3-none-any.whl"),
     ({"url": "https://github.com/example/newsmirror.git", "vcs_info": {"vcs": "git"}},
      "./.gitlab/newsmirror-0.1.0-py3-none-any.whl"),
     (None, "./.gitlab/newsmirror-0.1.0-py3-none-any.whl")],
    ids=["git-commit", "archive-hash", "local-folder", "git-without-commit", "unknown"],
)
def test_an_unpublished_version_installs_its_pinned_source_or_a_wheel(
    origin: dict[str, object] | None, requirement: str
) -> None:
    choice = choose_install("0.1.0", published=False, origin=origin,
                            wheel_path=".gitlab/newsmirror-0.1.0-py3-none-any.whl")
    assert choice.requirement == requirement
    assert PINNED.fullmatch(f'python -m pip install "{requirement}"')


@pytest.mark.parametrize(
    "listing",
    ['<a href="x">newsmirror-0.1.0-py3-none-any.whl</a>',
     '{"files": [{"filename": "newsmirror-0.1.0.tar.gz"}]}'],
    ids=["html", "json"],
)
def test_a_listed_release_is_recognised_in_either_index_format(listing: str) -> None:
    assert release_listed(listing, "0.1.0")
    assert not release_listed(listing, "0.1")
    assert not release_listed(listing.replace("0.1.0", "0.1.01"), "0.1.0")


@pytest.mark.parametrize("target", sorted(CI_TARGETS))
def test_no_written_workflow_installs_an_unpinned_newsmirror(tmp_path: Path, target: str) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "m"), "--ci", target,
                                 "--index-url", "http://127.0.0.1:9/simple"])
    assert result.exit_code == 0, result.output
    written = (tmp_path / "m" / CI_TARGETS[target][0]).read_text(encoding="utf-8")
    [line] = install_lines(written)
    assert PINNED.fullmatch(line), line


def test_version_flag_prints_the_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"newsmirror {VERSION}\n"


def test_init_with_unknown_ci_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "m"), "--ci", "jenkins"])
    assert result.exit_code == 2


def test_init_with_ci_in_an_existing_mirror_keeps_its_config(tmp_path: Path) -> None:
    runner.invoke(app, ["init", str(tmp_path / "m")])
    config = tmp_path / "m" / "newsmirror.toml"
    config.write_text(config.read_text(encoding="utf-8") + "# mine\n", encoding="utf-8")
    result = runner.invoke(app, ["init", str(tmp_path / "m"), "--ci", "gitlab",
                                 "--index-url", "http://127.0.0.1:9/simple"])
    assert result.exit_code == 0
    assert config.read_text(encoding="utf-8").endswith("# mine\n")
    assert (tmp_path / "m" / ".gitlab-ci.yml").is_file()
