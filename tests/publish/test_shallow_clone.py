"""The CI path: a run in a shallow clone pushes to every remote, whatever history each has.

The CI templates clone with depth 1, so checkout time does not grow with the
archive.  Here the remotes are local bare repositories with more history than
the clone: one up to date (the clone's origin), one that missed the last runs,
one empty.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from newsmirror.config import Remote, load_config
from newsmirror.demo.server import LoopbackServer, Route
from newsmirror.pipeline import RunOptions, run
from newsmirror.publish import PushPolicy, push_to_remotes
from tests.publish.remotes import bare_remote, branch_head, remotes_toml
from tests.support.mirrors import SourceSpec, git, make_mirror

HOUR_MS = 3_600_000
T0 = 1_790_000_000_000
TEXT = "这是一篇完整的文章正文，足够长，能够通过最短正文的检查，也足够区分每一篇文章。" * 2


def feed(count: int) -> Route:
    items = "".join(
        f"<item><title>第{n}篇</title><link>{{{{origin}}}}/a/story-{n}</link>"
        f"<description><![CDATA[<p>{n}：{TEXT}</p>]]></description></item>"
        for n in range(1, count + 1))
    return Route(f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode(),
                 "application/rss+xml")


def page_routes(count: int) -> dict[str, Route]:
    return {f"/a/story-{n}": Route(f"<html><body><article><p>{n}：{TEXT}</p></article></body>"
                                   f"</html>".encode()) for n in range(1, count + 1)}


def test_a_shallow_clone_pushes_to_remotes_that_are_ahead_behind_or_empty(tmp_path: Path) -> None:
    routes = {"/feed.xml": feed(1), **page_routes(6)}
    with LoopbackServer(routes) as server:
        origin = bare_remote(tmp_path / "origin.git")
        behind = bare_remote(tmp_path / "behind.git")
        empty = bare_remote(tmp_path / "empty.git")
        remotes = [Remote("behind", str(behind)), Remote("empty", str(empty))]
        root = make_mirror(tmp_path / "first", [SourceSpec("S", "s", server.url("/feed.xml"),
                                                           "feed")], site_search=False)
        with (root / "newsmirror.toml").open("a", encoding="utf-8") as config:
            config.write(remotes_toml([Remote("origin", str(origin))]))
        for n in range(1, 4):  # three runs, three commits, all pushed to origin
            routes["/feed.xml"] = feed(n)
            run(load_config(root), RunOptions(clock=lambda n=n: T0 + n * HOUR_MS))
        branch = git(root, "symbolic-ref", "--short", "HEAD").strip()
        git(root, "push", "--quiet", str(behind), f"HEAD~2:refs/heads/{branch}")
        clone = tmp_path / "clone"
        subprocess.run(["git", "clone", "--quiet", "--depth", "1", f"file://{origin}", str(clone)],
                       check=True)
        assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"
        git(clone, "config", "user.name", "CI")
        git(clone, "config", "user.email", "ci@example.invalid")
        with (clone / "newsmirror.toml").open("a", encoding="utf-8") as config:
            config.write(remotes_toml(remotes))
        routes["/feed.xml"] = feed(4)
        report = run(load_config(clone), RunOptions(clock=lambda: T0 + 4 * HOUR_MS))
    assert report.new_count == 1
    assert [(p.remote, p.ok, p.attempts) for p in report.pushes] == [
        ("origin", True, 1), ("behind", True, 1), ("empty", True, 1)]
    head = git(clone, "rev-parse", "HEAD").strip()
    assert {branch_head(r, branch) for r in (origin, behind, empty)} == {head}
    whole = git(origin, "rev-list", "--count", branch)
    assert git(empty, "rev-list", "--count", branch) == whole  # the whole history arrived


def test_one_round_of_pushes_from_a_shallow_clone_reaches_every_remote(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    git(source, "init", "--quiet", "-b", "main")
    for n in range(5):
        (source / f"{n}.md").write_text(f"{n}\n", encoding="utf-8")
        git(source, "add", ".")
        git(source, "-c", "user.name=a", "-c", "user.email=a@example.invalid", "commit",
            "--quiet", "-m", f"run {n}")
    origin = bare_remote(tmp_path / "origin.git")
    behind = bare_remote(tmp_path / "behind.git")
    empty = bare_remote(tmp_path / "empty.git")
    git(source, "push", "--quiet", str(origin), "main")
    git(source, "push", "--quiet", str(behind), "HEAD~3:refs/heads/main")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", "--depth", "1", "--branch", "main",
                    f"file://{origin}", str(clone)],
                   check=True)
    (clone / "new.md").write_text("new\n", encoding="utf-8")
    git(clone, "add", "new.md")
    git(clone, "-c", "user.name=a", "-c", "user.email=a@example.invalid", "commit", "-qm", "new")
    results = push_to_remotes(clone, [Remote("origin", str(origin)), Remote("behind", str(behind)),
                                      Remote("empty", str(empty))], PushPolicy(0, 0.0, 60.0))
    assert [(r.remote, r.ok, r.attempts) for r in results] == [
        ("origin", True, 1), ("behind", True, 1), ("empty", True, 1)]
    assert git(empty, "rev-list", "--count", "main").strip() == "6"
