"""The run-wide deadline: a source still busy when it comes is reported; its items wait."""

from __future__ import annotations

import time
from pathlib import Path

from newsmirror.config import load_config
from newsmirror.pipeline import RunOptions, run
from tests.faults.content import article_html, full_text_feed, page_feed
from tests.faults.server import BEHAVIOURS, FaultServer, respond
from tests.support.mirrors import SourceSpec, make_mirror

RSS_TYPE = "application/rss+xml; charset=utf-8"
TEXT = "这是一篇用来测试整次运行时限的文章，正文足够长，可以通过最短正文的检查。" * 3
PATHS = [f"/slow/page/{i}" for i in range(3)]


def make_deadline_mirror(tmp_path: Path, server: FaultServer) -> Path:
    server.routes["/good/feed"] = respond(full_text_feed("good", 2).encode(), RSS_TYPE)
    server.routes["/slow/feed"] = respond(page_feed(PATHS).encode(), RSS_TYPE)
    for path in PATHS:
        server.routes[path] = BEHAVIOURS["slow-headers"]  # never answers in time
    return make_mirror(tmp_path / "m", [
        SourceSpec("好", "good", server.url("/good/feed"), "feed"),
        SourceSpec("慢", "slow", server.url("/slow/feed"), "page"),
    ], run_deadline_s=1.5, request_deadline_s=30.0, read_timeout_s=30.0, max_retries=0)


def test_source_busy_at_the_run_deadline_is_reported_and_the_run_ends(
    tmp_path: Path, fault_server: FaultServer
) -> None:
    root = make_deadline_mirror(tmp_path, fault_server)
    started = time.monotonic()
    report = run(load_config(root), RunOptions(commit=False, push=False))
    assert time.monotonic() - started < 10  # 1.5 s deadline, far below the 30 s request limit
    by_slug = {s.slug: s for s in report.sources}
    assert by_slug["good"].ok and by_slug["good"].new == 2
    error = by_slug["slow"].error
    assert error is not None and error.code == "run.deadline"
    assert "3 item(s) wait for the next run" in error.message
    assert fault_server.url("/slow/feed") in error.message


def test_items_cut_off_by_the_deadline_are_mirrored_by_the_next_run(
    tmp_path: Path, fault_server: FaultServer
) -> None:
    root = make_deadline_mirror(tmp_path, fault_server)
    run(load_config(root), RunOptions(commit=False, push=False))
    for path in PATHS:
        fault_server.routes[path] = respond(article_html(f"页面 {path}", TEXT).encode())
    report = run(load_config(root), RunOptions(commit=False, push=False))
    assert {s.slug: s.new for s in report.sources} == {"good": 0, "slow": 3}
    assert report.ok
