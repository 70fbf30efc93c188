"""The one after-run sequence: what it writes, and when it commits and pushes."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmirror.config import Config, load_config
from newsmirror.models import RunReport
from newsmirror.outputs import AfterRun, finish_run
from newsmirror.publish import current_branch, head_commit
from newsmirror.store.index import ArchiveIndex
from tests.publish.remotes import bare_remote, branch_head
from tests.support.mirrors import SourceSpec, commit_count, make_mirror

NOW_MS = 1_700_000_000_000


def mirror(tmp_path: Path, **settings: object) -> tuple[Config, Path]:
    root = make_mirror(tmp_path / "mirror", [SourceSpec("测试", "test", "http://127.0.0.1:9/feed")],
                       site_search=False, **settings)
    remote = bare_remote(tmp_path / "remote.git")
    with (root / "newsmirror.toml").open("a", encoding="utf-8") as config_file:
        config_file.write(f'\n[[remotes]]\nname = "backup"\nurl = "{remote.as_posix()}"\n')
    return load_config(root), remote


def finish(config: Config, **steps: bool) -> RunReport:
    report = RunReport()
    index = ArchiveIndex.open(config.root)
    try:
        finish_run(AfterRun(config, index, report, now_ms=NOW_MS, **steps))
    finally:
        index.close()
    return report


def test_run_end_writes_lists_site_and_status_then_commits_and_pushes(tmp_path: Path) -> None:
    config, remote = mirror(tmp_path)
    report = finish(config)
    for written in ("README.md", "lists/测试.md", "docs/index.html", "feeds/all.xml", "STATUS.md"):
        assert (config.root / written).is_file(), written
    assert report.commit is not None and report.commit_message == "newsmirror.toml changed; .gitignore changed"
    assert [p.ok for p in report.pushes] == [True]
    assert branch_head(remote, current_branch(config.root)) == head_commit(config.root)


@pytest.mark.parametrize(
    ("steps", "settings", "commits", "pushes"),
    [
        ({}, {}, 2, True),  # the run's commit, then STATUS.md: the remote became ok
        ({"push": False}, {}, 1, False),
        ({"commit": False}, {}, 0, False),
        ({}, {"push": False}, 1, False),
        ({}, {"commit": False}, 0, False),
    ],
    ids=["run", "no-push-flag", "no-commit-flag", "push-setting-off", "commit-setting-off"],
)
def test_run_commits_and_pushes_only_when_flags_and_settings_allow(
    tmp_path: Path, steps: dict[str, bool], settings: dict[str, object], commits: int,
    pushes: bool,
) -> None:
    config, _ = mirror(tmp_path, **settings)
    report = finish(config, **steps)
    assert commit_count(config.root) == commits
    assert bool(report.pushes) == pushes


def test_publish_only_pushes_whatever_the_push_setting_says(tmp_path: Path) -> None:
    config, remote = mirror(tmp_path, push=False)
    finish(config)
    before = sorted(p.name for p in config.root.iterdir())
    report = finish(config, outputs=False, commit=False)
    assert sorted(p.name for p in config.root.iterdir()) == before
    assert [p.ok for p in report.pushes] == [True] and report.commit is None
    assert branch_head(remote, current_branch(config.root)) == head_commit(config.root)
