"""A fresh shallow clone (no cache) does what the warm mirror does, byte for byte.

Everything that decides what to write is committed (the index, the site's
state), so a stateless CI runner that clones with ``--depth 1`` writes nothing
when nothing is new, and writes exactly the warm mirror's bytes when something is.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from newsmirror.config import load_config
from newsmirror.demo.server import LoopbackServer, Route
from newsmirror.pipeline import RunOptions, run
from tests.support.mirrors import SourceSpec, commit_count, git, make_mirror
from tests.test_pipeline import page, rss

HOUR_MS = 3_600_000
T0 = 1_773_100_800_000  # 2026-03-10 UTC: every item is older than every run
ITEMS = [(f"第{n}条新闻", f"/news/story-{n}", f"Sun, 0{n} Mar 2026 08:00:00 GMT") for n in range(1, 6)]
TEXT = "记者在现场看到，居民正在排队等候，许多人表示会继续关注事态发展。"


def serve(routes: dict[str, Route], count: int) -> None:
    """The feed with the first ``count`` items, and every item's page."""
    routes["/feed"] = rss(*ITEMS[:count])
    for title, path, _ in ITEMS:
        routes[path] = page(title, f"{title}：{TEXT}")


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.relative_to(root).parts[0] not in (".git", ".newsmirror")}


def mtimes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns for p in root.rglob("*")
            if p.is_file() and p.relative_to(root).parts[0] not in (".git", ".newsmirror")}


def shallow_clone(mirror: Path, clone: Path) -> Path:
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{mirror}", str(clone)],
                   check=True)
    git(clone, "config", "user.name", "Test Volunteer")
    git(clone, "config", "user.email", "volunteer@example.invalid")
    return clone


def run_at(root: Path, ms: int) -> None:
    run(load_config(root), RunOptions(clock=lambda: ms))


def mirror_with_history(tmp_path: Path, routes: dict[str, Route], origin: str) -> Path:
    mirror = make_mirror(tmp_path / "mirror", [SourceSpec("测试", "test", origin + "/feed", "page")])
    for count in (2, 3):  # two runs: the site has pages from before the last one
        serve(routes, count)
        run_at(mirror, T0 + count * HOUR_MS)
    return mirror


def test_a_run_on_a_fresh_shallow_clone_writes_what_the_warm_mirror_writes(
    tmp_path: Path,
) -> None:
    routes: dict[str, Route] = {}
    with LoopbackServer(routes) as server:
        mirror = mirror_with_history(tmp_path, routes, server.origin)
        clone = shallow_clone(mirror, tmp_path / "clone")
        serve(routes, 5)
        run_at(mirror, T0 + 10 * HOUR_MS)
        run_at(clone, T0 + 10 * HOUR_MS)
    assert git(mirror, "log", "-1", "--format=%s") == git(clone, "log", "-1", "--format=%s")
    assert git(mirror, "rev-parse", "HEAD^{tree}") == git(clone, "rev-parse", "HEAD^{tree}")
    assert tree(mirror) == tree(clone)
    assert git(clone, "status", "--porcelain") == ""


def test_a_fresh_shallow_clone_with_nothing_new_writes_and_commits_nothing(
    tmp_path: Path,
) -> None:
    routes: dict[str, Route] = {}
    with LoopbackServer(routes) as server:
        mirror = mirror_with_history(tmp_path, routes, server.origin)
        clone = shallow_clone(mirror, tmp_path / "clone")
        before, commits = mtimes(clone), commit_count(clone)
        warm_commits = commit_count(mirror)
        run_at(mirror, T0 + 4 * HOUR_MS)
        run_at(clone, T0 + 4 * HOUR_MS)
    assert commit_count(mirror) == warm_commits  # the warm mirror has nothing to write either
    assert (mtimes(clone), commit_count(clone)) == (before, commits)
    assert tree(clone) == tree(mirror)
