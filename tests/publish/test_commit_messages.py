"""A commit says what it holds: articles, the edited configuration, or a change of health."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newsmirror.config import load_config
from newsmirror.demo.server import LoopbackServer, Route
from newsmirror.models import ItemFailure, RunReport, SourceReport
from newsmirror.outputs import commit_message
from newsmirror.pipeline import RunOptions, run
from tests.support.mirrors import SourceSpec, commit_count, git, make_mirror

HOUR_MS = 3_600_000
T0 = 1_790_000_000_000
FEED = ('<rss version="2.0"><channel><title>t</title><item><title>一篇文章</title>'
        '<link>{{origin}}/a/one-story</link><description><![CDATA[<p>'
        + "这是一篇完整的文章正文，足够长，能够通过最短正文的检查。" * 3
        + "</p>]]></description></item></channel></rss>")
PAGE = ("<html><body><article><h1>一篇文章</h1><p>"
        + "这是一篇完整的文章正文，足够长，能够通过最短正文的检查。" * 3 + "</p></article></body></html>")


@pytest.fixture()
def served() -> Iterator[tuple[LoopbackServer, dict[str, Route]]]:
    routes = {"/feed.xml": Route(FEED.encode(), "application/rss+xml"),
              "/a/one-story": Route(PAGE.encode())}
    with LoopbackServer(routes) as server:
        yield server, routes


def mirror_once(tmp_path: Path, server: LoopbackServer) -> Path:
    root = make_mirror(tmp_path / "m", [SourceSpec("好", "ok", server.url("/feed.xml"), "feed")],
                       site_search=False)
    run_at(root, T0)
    return root


def run_at(root: Path, now_ms: int) -> RunReport:
    return run(load_config(root), RunOptions(clock=lambda: now_ms))


def last_subject(root: Path) -> str:
    return git(root, "log", "-1", "--format=%s").strip()


def test_a_run_that_commits_an_edited_config_says_so(
    tmp_path: Path, served: tuple[LoopbackServer, dict[str, Route]]
) -> None:
    root = mirror_once(tmp_path, served[0])
    config = root / "newsmirror.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("list_size = 300",
                                                                 "list_size = 200"),
                      encoding="utf-8")
    report = run_at(root, T0 + HOUR_MS)
    assert report.new_count == 0
    assert last_subject(root) == "newsmirror.toml changed"
    assert git(root, "show", "--name-only", "--format=", "HEAD").split() == ["newsmirror.toml"]


def test_a_status_only_change_is_committed_as_a_status_note(
    tmp_path: Path, served: tuple[LoopbackServer, dict[str, Route]]
) -> None:
    server, routes = served
    root = mirror_once(tmp_path, server)
    commits = commit_count(root)
    routes["/feed.xml"] = Route(b"gone", "text/plain", status=404)
    run_at(root, T0 + HOUR_MS)
    assert commit_count(root) == commits + 1
    assert last_subject(root) == "status: 好 failing"
    assert git(root, "show", "--name-only", "--format=", "HEAD").split() == ["STATUS.md"]
    run_at(root, T0 + 2 * HOUR_MS)  # still failing: the same state, nothing to commit
    assert commit_count(root) == commits + 1


@pytest.mark.parametrize(
    ("new", "staged", "status", "expected"),
    [(2, ["articles/bbc/2026/03/a.md", "lists/BBC.md"], [], "2 new: BBC 2 (failed: DW)"),
     (2, ["articles/bbc/2026/03/a.md", "STATUS.md"], ["DW failing"],
      "2 new: BBC 2; status: DW failing (failed: DW)"),
     (0, ["STATUS.md"], ["DW failing"], "status: DW failing"),
     (0, ["newsmirror.toml", "docs/index.html"], [], "newsmirror.toml changed (failed: DW)"),
     (0, ["docs/index.html", "lists/BBC.md"], [], "rewrote docs, lists (failed: DW)"),
     (0, ["docs/index.html", "STATUS.md"], ["DW failing"],
      "rewrote docs; status: DW failing (failed: DW)")],
    ids=["new", "new-and-status", "status-only", "config", "rewrite", "rewrite-and-status"],
)
def test_commit_message_says_what_the_commit_holds(
    new: int, staged: list[str], status: list[str], expected: str
) -> None:
    failure = ItemFailure("dw", "https://rss.example/dw", "feed", "fetch.timeout", "timed out")
    report = RunReport(sources=[SourceReport("bbc", "BBC", new=new),
                                SourceReport("dw", "DW", error=failure)],
                       status_changes=status)
    assert commit_message(report, staged) == expected
