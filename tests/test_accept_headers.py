"""One Accept header per kind of fetch: a run, the doctor and `extract` ask alike."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from newsmirror.cli import app
from newsmirror.config import load_config
from newsmirror.demo.server import LoopbackServer, Route
from newsmirror.doctor import check_mirror
from newsmirror.pipeline import RunOptions, run
from tests.recheck.pages import article_route, feed_route
from tests.support.mirrors import SourceSpec, make_mirror


def accept_headers(server: LoopbackServer, path: str) -> set[str]:
    return {headers.get("accept", "") for seen, headers in server.requests if seen == path}


def test_run_doctor_and_extract_send_the_same_accept_headers(tmp_path: Path) -> None:
    routes: dict[str, Route] = {"/feed": feed_route(), "/news/world-1": article_route()}
    with LoopbackServer(routes) as server:
        root = make_mirror(tmp_path / "mirror",
                           [SourceSpec("测试", "test", server.url("/feed"), "page")],
                           site_search=False)
        run(load_config(root), RunOptions(commit=False))
        check_mirror(root)
        result = CliRunner().invoke(app, ["extract", server.url("/news/world-1")])
    assert result.exit_code == 0, result.output
    feed, page = accept_headers(server, "/feed"), accept_headers(server, "/news/world-1")
    assert len(feed) == 1 and "application/rss+xml" in feed.pop()
    assert len(page) == 1 and page.pop().startswith("text/html")
