"""`newsmirror run` pushes after committing; `newsmirror publish` pushes without fetching."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsmirror.cli import app
from newsmirror.config import Remote
from newsmirror.demo.server import LoopbackServer
from newsmirror.publish import head_commit
from tests.publish.remotes import bare_remote, branch_head, rejecting_remote, remotes_toml
from tests.support.mirrors import SourceSpec, commit_count, git, make_mirror
from tests.support.recorded import feed_path

runner = CliRunner()


@pytest.fixture()
def mirror_with_remotes(tmp_path: Path, recorded_server: LoopbackServer) -> Path:
    """A one-source mirror pushing to a good, a missing and a refusing remote."""
    root = make_mirror(tmp_path / "mirror",
                       [SourceSpec("纽约时报", "nyt", recorded_server.origin + feed_path("nyt"),
                                   "feed")], push_backoff_s=0.01)
    git(root, "checkout", "--quiet", "-B", "main")
    remotes = [Remote("good", str(bare_remote(tmp_path / "good.git"))),
               Remote("gone", str(tmp_path / "gone.git")),
               Remote("closed", str(rejecting_remote(tmp_path / "closed.git")))]
    with (root / "newsmirror.toml").open("a", encoding="utf-8") as config:
        config.write(remotes_toml(remotes))
    return root


def test_run_pushes_its_commit_to_the_good_remote(mirror_with_remotes: Path,
                                                  tmp_path: Path) -> None:
    runner.invoke(app, ["run", "--mirror", str(mirror_with_remotes)])
    assert branch_head(tmp_path / "good.git", "main") == head_commit(mirror_with_remotes)


def test_run_reports_failing_remotes_and_exits_1(mirror_with_remotes: Path) -> None:
    result = runner.invoke(app, ["run", "--mirror", str(mirror_with_remotes)])
    assert result.exit_code == 1
    assert "remote gone:" in result.output and "remote closed:" in result.output


def test_run_with_no_push_leaves_remotes_alone(mirror_with_remotes: Path,
                                               tmp_path: Path) -> None:
    runner.invoke(app, ["run", "--no-push", "--mirror", str(mirror_with_remotes)])
    assert branch_head(tmp_path / "good.git", "main") == ""


def test_publish_pushes_without_fetching(mirror_with_remotes: Path, tmp_path: Path,
                                         recorded_server: LoopbackServer) -> None:
    runner.invoke(app, ["run", "--no-push", "--mirror", str(mirror_with_remotes)])
    commits = commit_count(mirror_with_remotes)
    requests_before = len(recorded_server.requests)
    result = runner.invoke(app, ["publish", "--mirror", str(mirror_with_remotes)])
    assert result.exit_code == 1  # two of three remotes fail
    assert branch_head(tmp_path / "good.git", "main") == head_commit(mirror_with_remotes)
    assert len(recorded_server.requests) == requests_before
    assert commit_count(mirror_with_remotes) >= commits


def test_quiet_second_run_makes_no_commit(mirror_with_remotes: Path) -> None:
    runner.invoke(app, ["run", "--mirror", str(mirror_with_remotes)])
    commits = commit_count(mirror_with_remotes)
    runner.invoke(app, ["run", "--mirror", str(mirror_with_remotes)])
    assert commit_count(mirror_with_remotes) == commits
