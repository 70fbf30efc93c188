"""A quiet run on years of archive does not have git look at every file, and loses nothing.

A run stages the archive's folders and the site only when it wrote to them;
whatever an earlier command wrote and did not commit (``--no-commit``, a failed
commit) is staged whole by the next commit.
"""

from __future__ import annotations

from pathlib import Path

from newsmirror.config import load_config
from newsmirror.pipeline import RunOptions, run
from tests.support.mirrors import commit_count, git


def test_a_quiet_run_stages_no_file_it_did_not_write(recorded_mirror: Path) -> None:
    run(load_config(recorded_mirror))
    stray = recorded_mirror / "articles" / "bbc" / "stray.md"
    stray.write_text("not written by a run\n", encoding="utf-8")
    commits = commit_count(recorded_mirror)
    report = run(load_config(recorded_mirror))
    assert (report.commit, commit_count(recorded_mirror)) == (None, commits)
    assert git(recorded_mirror, "status", "--porcelain", "--", "articles") == \
        "?? articles/bbc/stray.md\n"


def test_what_a_run_wrote_without_committing_is_committed_by_the_next_run(
    recorded_mirror: Path,
) -> None:
    first = run(load_config(recorded_mirror), RunOptions(commit=False))
    assert first.new_count > 0 and first.commit is None
    second = run(load_config(recorded_mirror))
    assert second.new_count == 0 and second.commit is not None
    assert git(recorded_mirror, "status", "--porcelain") == ""
    committed = git(recorded_mirror, "ls-files", "articles", "docs")
    assert committed.count("\n") > first.new_count
