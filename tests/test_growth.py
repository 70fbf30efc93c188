"""SCALING.md's yearly archive repositories: what newsmirror does when old months leave.

The archive repository keeps everything (a mirror clone); the live mirror removes
the closed months' articles, index shards and revisions with git and runs on.
The run takes their pages out of the site, the lists and READMEs follow, and
nothing is mirrored again, because the feeds no longer carry those months.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from newsmirror.config import load_config
from newsmirror.demo.server import LoopbackServer, Route
from newsmirror.pipeline import RunOptions, run
from tests.support.mirrors import SourceSpec, git, make_mirror
from tests.test_pipeline import page, rss

DAY_MS = 86_400_000
T0 = 1_767_225_600_000  # 2026-01-01 UTC
TEXT = "记者在现场看到，居民正在排队等候，许多人表示会继续关注事态发展。"
# (title, path, pubDate): one story a month, January to April
ITEMS = [(f"{month}月的新闻", f"/news/2026-{month:02d}",
          f"Sun, 15 {name} 2026 08:00:00 GMT") for month, name in
         ((1, "Jan"), (2, "Feb"), (3, "Mar"), (4, "Apr"))]


def serve(routes: dict[str, Route], items: list[tuple[str, str, str]]) -> None:
    routes["/feed"] = rss(*items)
    for title, path, _ in items:
        routes[path] = page(title, f"{title}：{TEXT}")


def move_out(mirror: Path, months: tuple[str, ...], archive: Path) -> None:
    """The yearly split, by hand: keep a full copy, then remove the months from the live one."""
    subprocess.run(["git", "clone", "-q", "--mirror", str(mirror), str(archive)], check=True)
    for month in months:
        year, number = month.split("-")
        git(mirror, "rm", "-r", "-q", f"articles/test/{year}/{number}",
            f"index/test/{month}.jsonl")
    git(mirror, "commit", "-q", "-m", f"moved to the archive repository: {', '.join(months)}")


def test_months_moved_to_an_archive_repository_leave_the_live_site_and_lists(
    tmp_path: Path,
) -> None:
    routes: dict[str, Route] = {}
    with LoopbackServer(routes) as server:
        mirror = make_mirror(tmp_path / "mirror",
                             [SourceSpec("测试", "test", server.origin + "/feed", "page")])
        serve(routes, ITEMS[:3])
        run(load_config(mirror), RunOptions(clock=lambda: T0 + 80 * DAY_MS))
        move_out(mirror, ("2026-01", "2026-02"), tmp_path / "archive.git")
        serve(routes, ITEMS[2:])  # the feed has moved on: March and April
        report = run(load_config(mirror), RunOptions(clock=lambda: T0 + 110 * DAY_MS))
    assert report.new_count == 1  # April; January and February are not mirrored again
    docs = mirror / "docs" / "test"
    assert sorted(p.name for p in docs.glob("2026-*.html")) == ["2026-03.html", "2026-04.html"]
    assert not (docs / "2026" / "01").exists() and not (docs / "2026" / "02").exists()
    listed = (mirror / "lists" / "测试.md").read_text(encoding="utf-8")
    assert "1月的新闻" not in listed and "3月的新闻" in listed and "4月的新闻" in listed
    assert "| 2 |" in (mirror / "README.md").read_text(encoding="utf-8")
    assert git(mirror, "status", "--porcelain") == ""
    archived = git(tmp_path / "archive.git", "ls-tree", "-r", "--name-only", "HEAD")
    assert "articles/test/2026/01/README.md" in archived


def test_a_new_history_from_the_live_tree_runs_on_without_its_past(tmp_path: Path) -> None:
    """After the split, the live repository may start a history of one commit."""
    routes: dict[str, Route] = {}
    with LoopbackServer(routes) as server:
        mirror = make_mirror(tmp_path / "mirror",
                             [SourceSpec("测试", "test", server.origin + "/feed", "page")])
        serve(routes, ITEMS[:3])
        run(load_config(mirror), RunOptions(clock=lambda: T0 + 80 * DAY_MS))
        git(mirror, "checkout", "-q", "--orphan", "fresh")
        git(mirror, "commit", "-q", "-m", "continued from the archive repository")
        git(mirror, "branch", "-q", "-M", "fresh", "main")
        shutil.rmtree(mirror / ".newsmirror")
        serve(routes, ITEMS[2:])
        report = run(load_config(mirror), RunOptions(clock=lambda: T0 + 110 * DAY_MS))
    assert report.new_count == 1
    assert git(mirror, "rev-list", "--count", "HEAD").strip() == "2"
