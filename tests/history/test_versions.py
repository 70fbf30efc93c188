"""Versions of an edited article: `newsmirror history`, and the article page of the site."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsmirror.cli import app
from newsmirror.demo.server import LoopbackServer
from newsmirror.history import load_versions, version_changes
from newsmirror.models import ArticleRecord
from newsmirror.render.site import article_page_path
from newsmirror.store.articles import ArticleFiles
from newsmirror.store.index import ArchiveIndex
from tests.recheck.pages import (
    ARTICLE_PATH,
    EDITED,
    HOUR_MS,
    PARAGRAPHS,
    T0,
    article_route,
    feed_route,
    make_page_mirror,
    run_at,
)

runner = CliRunner()


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, ArticleRecord]]:
    """A mirror whose one article was edited once (version 1 at T0, version 2 two hours on)."""
    with LoopbackServer({"/feed": feed_route(), ARTICLE_PATH: article_route()}) as server:
        config = make_page_mirror(tmp_path_factory.mktemp("history") / "mirror", server.origin)
        run_at(config, T0)
        server.routes[ARTICLE_PATH] = article_route(EDITED)  # type: ignore[index]
        run_at(config, T0 + 2 * HOUR_MS, recheck_all=True)
    index = ArchiveIndex.open(config.root)
    try:
        (record,) = index.all_records()
    finally:
        index.close()
    yield config.root, record


def test_load_versions_gives_every_version_oldest_first(edited: tuple[Path, ArticleRecord]) -> None:
    root, record = edited
    versions = load_versions(ArticleFiles(root).body, record)
    assert [(v.number, v.seen_ms) for v in versions] == [(1, T0), (2, T0 + 2 * HOUR_MS)]
    assert PARAGRAPHS[2] in versions[0].body_html and EDITED[2] in versions[1].body_html


def test_version_changes_give_a_safe_html_diff(edited: tuple[Path, ArticleRecord]) -> None:
    root, record = edited
    (change,) = version_changes(ArticleFiles(root).body, record)
    assert "<del>五十年来最</del><ins>多年来较</ins>" in change.diff_html


@pytest.mark.parametrize("key", ["path", "url", "id"])
def test_history_command_finds_the_article_by_path_url_or_id(
    edited: tuple[Path, ArticleRecord], key: str
) -> None:
    root, record = edited
    argument = {"path": record.path, "url": record.url, "id": record.id}[key]
    result = runner.invoke(app, ["history", argument, "--mirror", str(root)])
    assert result.exit_code == 0, result.output
    assert "version 1  2023-11-15 06:13" in result.output
    assert "version 2  2023-11-15 08:13" in result.output


def test_history_command_prints_the_diff_between_versions(
    edited: tuple[Path, ArticleRecord],
) -> None:
    root, record = edited
    result = runner.invoke(app, ["history", record.id, "--mirror", str(root)])
    assert "当地[-五十年来最-]{+多年来较+}严重的一次" in result.output


def test_history_command_fails_for_an_unknown_article(edited: tuple[Path, ArticleRecord]) -> None:
    root, _ = edited
    result = runner.invoke(app, ["history", "no-such-article", "--mirror", str(root)])
    assert result.exit_code == 1


def test_site_article_page_says_edited_and_shows_the_diff(
    edited: tuple[Path, ArticleRecord],
) -> None:
    root, record = edited
    page = (root / "docs" / article_page_path(record)).read_text(encoding="utf-8")
    assert "已修改 1 次" in page
    assert "<del>五十年来最</del><ins>多年来较</ins>" in page
