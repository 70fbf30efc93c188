"""Extraction inside a real run: recorded BBC pages on loopback, through the pipeline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newsmirror.config import load_config
from newsmirror.pipeline import RunOptions, run

PAGE_TIMES_MS = {1355131441000, 1764470118027, 1764467597505}  # the recorded pages' own times
BOILERPLATE = ("跳过", "你的器材不支持", "不支持播放多媒體", "更多相关内容", "热门内容", "转寄朋友",
               "class=", "style=", "<script", "<iframe")


@pytest.fixture(scope="module")
def bbc_articles(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    from tests.support.mirrors import SourceSpec, make_mirror
    from tests.support.recorded import feed_path, recorded_routes

    from newsmirror.demo.server import LoopbackServer

    with LoopbackServer(recorded_routes()) as server:
        root = make_mirror(tmp_path_factory.mktemp("run") / "mirror",
                           [SourceSpec("BBC", "bbc", server.origin + feed_path("bbc"), "page")],
                           max_new_per_source=6)
        report = run(load_config(root), RunOptions(commit=False, push=False))
    assert report.ok and report.new_count == 6
    return [p.read_text(encoding="utf-8") for p in sorted(Path(root, "articles").rglob("*.md"))
            if p.name != "README.md"]


def test_article_files_start_with_the_pages_publication_time(bbc_articles: list[str]) -> None:
    times = {int(re.match(r"<!--(\d+)-->", text).group(1)) for text in bbc_articles}  # type: ignore[union-attr]
    assert times == PAGE_TIMES_MS


def test_article_files_hold_no_page_boilerplate(bbc_articles: list[str]) -> None:
    found = {s for text in bbc_articles for s in BOILERPLATE if s in text}
    assert found == set()
