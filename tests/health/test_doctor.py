"""`newsmirror doctor`: what is wrong with a mirror's set-up, and what to do about it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsmirror.cli import app
from newsmirror.config import Remote
from newsmirror.demo.server import LoopbackServer
from tests.publish.remotes import bare_remote, remotes_toml
from tests.support.mirrors import SourceSpec, git, make_mirror
from tests.support.recorded import feed_path

runner = CliRunner()


@pytest.fixture()
def doctor_output(tmp_path: Path, recorded_server: LoopbackServer) -> tuple[int, list[str]]:
    origin = recorded_server.origin
    root = make_mirror(tmp_path / "mirror", [
        SourceSpec("纽约时报", "nyt", origin + feed_path("nyt"), "feed"),
        SourceSpec("坏源", "broken", origin + "/feed/missing", "feed"),
    ])
    remotes = [Remote("good", str(bare_remote(tmp_path / "good.git"))),
               Remote("gone", str(tmp_path / "gone.git"))]
    with (root / "newsmirror.toml").open("a", encoding="utf-8") as config:
        config.write(remotes_toml(remotes))
    git(root, "config", "--unset", "user.email")
    no_global_git = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    result = runner.invoke(app, ["doctor", "--mirror", str(root)], env=no_global_git)
    return result.exit_code, result.output.splitlines()


@pytest.mark.parametrize(("start", "has_fix"), [
    ("ok   config:", False),
    ("WARN git identity: user.email not set", True),
    ("ok   remote good: reachable", False),
    ("FAIL remote gone:", True),
    ("ok   feed nyt: 22 items", False),
    ("FAIL feed broken: HTTP 404", True),
    ("ok   disk space:", False),
], ids=["config", "identity", "good-remote", "missing-remote", "good-feed", "broken-feed",
        "disk"])
def test_doctor_reports_each_check(doctor_output: tuple[int, list[str]], start: str,
                                   has_fix: bool) -> None:
    _, lines = doctor_output
    at = next(i for i, line in enumerate(lines) if line.startswith(start))
    notes = []
    for line in lines[at + 1:]:
        if not line.startswith("     "):
            break
        notes.append(line.strip().split(":", 1)[0])
    assert notes == (["cause", "fix"] if has_fix and start.startswith("FAIL") else
                     ["fix"] if has_fix else [])


def test_doctor_exits_1_when_a_check_fails(doctor_output: tuple[int, list[str]]) -> None:
    assert doctor_output[0] == 1


def test_doctor_exits_2_on_a_broken_config(tmp_path: Path) -> None:
    (tmp_path / "newsmirror.toml").write_text("[mirror]\nnot_a_setting = 1\n")
    result = runner.invoke(app, ["doctor", "--mirror", str(tmp_path)])
    assert result.exit_code == 2
    assert "fix: edit newsmirror.toml" in result.output
