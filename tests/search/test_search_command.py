"""`newsmirror search`: ranked articles with the matching passage, from the archive's files."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.render.test_site import add_article
from tests.support.mirrors import SourceSpec, make_mirror
from typer.testing import CliRunner

from newsmirror.cli import app
from newsmirror.store.index import ArchiveIndex


@pytest.fixture()
def mirror(tmp_path: Path) -> Path:
    root = make_mirror(tmp_path / "mirror", [SourceSpec("BBC", "bbc", "http://127.0.0.1:9/f"),
                                             SourceSpec("德国之声", "dw", "http://127.0.0.1:9/g")])
    index = ArchiveIndex.open(root)
    try:
        index.save(add_article(root, 1, title="香港大火", body="<p>大埔宏福苑發生火災。</p>"))
        index.save(add_article(root, 2, source="dw", title="柏林天气",
                               body="<p>柏林今天下雪，没有火灾。</p>"))
    finally:
        index.close()
    return root


def search(mirror: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["search", *args, "--mirror", str(mirror)],
                                env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_search_prints_title_source_and_passage(mirror: Path) -> None:
    code, output = search(mirror, "火灾", "--source", "bbc")
    assert (code, "香港大火" in output, "大埔宏福苑發生火災" in output) == (0, True, True)


def test_search_lists_every_article_containing_the_word(mirror: Path) -> None:
    _, output = search(mirror, "火災")
    assert ("香港大火" in output, "柏林天气" in output) == (True, True)


def test_search_limit_keeps_best_matches(mirror: Path) -> None:
    _, output = search(mirror, "火灾", "--limit", "1")
    assert ("香港大火" in output) != ("柏林天气" in output)


def test_search_without_match_exits_1(mirror: Path) -> None:
    code, output = search(mirror, "普京")
    assert (code, "no article matches" in output) == (1, True)
