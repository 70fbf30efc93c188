"""The stored article: the established file format (the seed round-trips byte for byte),
and the one reader and writer of article files."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from tests.support.recorded import PREDECESSOR, SEED

from newsmirror.store.articles import (
    ArticleFile,
    ArticleFiles,
    ArticleFormatError,
    ArticleUnreadableError,
    parse_article_file,
    render_article_file,
    revision_path,
)


def test_seed_article_renders_back_byte_identical() -> None:
    original = SEED.read_bytes()
    parsed = parse_article_file(original.decode("utf-8"))
    assert render_article_file(parsed).encode("utf-8") == original


def test_seed_article_parts() -> None:
    parsed = parse_article_file(SEED.read_text(encoding="utf-8"))
    assert parsed.published_ms == 1694682781000
    assert parsed.title == "普京与金正恩会晤：有可能和朝鲜进行军事合作"
    assert parsed.url == "https://www.bbc.com/zhongwen/simp/world-66806764"
    assert parsed.body_html.startswith("<main role=\"main\">")
    assert "\n" not in parsed.body_html


@pytest.mark.parametrize(
    "relative",
    sorted(p.relative_to(PREDECESSOR).as_posix() for p in PREDECESSOR.glob("*/*.md")
           if p.parent.name != "lists"),
)
def test_predecessor_files_parse_and_keep_their_body(relative: str) -> None:
    text = (PREDECESSOR / relative).read_text(encoding="utf-8")
    parsed = parse_article_file(text)
    assert parsed.published_ms > 1_500_000_000_000
    assert parsed.body_html == text.split("\n")[4]


@pytest.mark.parametrize(
    "title",
    ["a [b] c", "星号*与_下划线_", "<script>alert(1)</script>", "back\\slash", "](javascript:x)"],
)
def test_titles_with_markdown_punctuation_round_trip(title: str) -> None:
    article = ArticleFile(1, title, "https://example.com/a(1) b", "<p>x</p>")
    text = render_article_file(article)
    assert parse_article_file(text).title == title
    assert "<script>" not in text.split("\n")[1]


def test_line_breaks_in_title_and_body_cannot_break_the_format() -> None:
    article = ArticleFile(5, "two\nlines", "https://example.com/x", "<p>a</p>\n<p>b</p>")
    parsed = parse_article_file(render_article_file(article))
    assert parsed.title == "two lines"
    assert parsed.body_html == "<p>a</p> <p>b</p>"


@pytest.mark.parametrize(
    "text",
    ["", "hello\n", "<!--x-->\n[a](b)\n------\n\n<p></p>\n",
     "<!--1-->\nno link\n------\n\n<p></p>\n", "<!--1-->\n[a](b)\n------\n\nx\ny\n"],
    ids=["empty", "plain", "bad-time", "no-link", "two-body-lines"],
)
def test_malformed_article_files_are_rejected(text: str) -> None:
    with pytest.raises(ArticleFormatError):
        parse_article_file(text)


ARTICLE = ArticleFile(1_700_000_000_000, "标题", "https://example.com/a", "<p>正文</p>")
PATH = "articles/bbc/2023/11/story.md"


def test_written_article_reads_back_the_same(tmp_path: Path) -> None:
    articles = ArticleFiles(tmp_path)
    assert articles.write(PATH, ARTICLE)
    assert articles.read(PATH) == ARTICLE
    assert articles.body(PATH) == "<p>正文</p>"
    assert not articles.write(PATH, ARTICLE), "identical bytes are not written again"


def test_missing_article_is_an_error_that_says_so_and_has_no_body(tmp_path: Path) -> None:
    articles = ArticleFiles(tmp_path)
    with pytest.raises(ArticleUnreadableError) as raised:
        articles.read(PATH)
    assert raised.value.missing and PATH in str(raised.value)
    assert articles.body(PATH) is None and articles.stamp(PATH) is None


@pytest.mark.parametrize("data", [b"not an article\n", b"<!--1-->\n[\xff](x)\n------\n\nx\n"],
                         ids=["not-the-format", "not-utf8"])
def test_unreadable_article_has_no_body_and_is_logged(
    tmp_path: Path, data: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / PATH).parent.mkdir(parents=True)
    (tmp_path / PATH).write_bytes(data)
    with caplog.at_level(logging.WARNING, logger="newsmirror.store.articles"):
        assert ArticleFiles(tmp_path).body(PATH) is None
    assert f"article file unreadable path={PATH}" in caplog.text
    with pytest.raises(ArticleUnreadableError) as raised:
        ArticleFiles(tmp_path).read(PATH)
    assert not raised.value.missing


def test_stamp_changes_when_the_article_is_rewritten(tmp_path: Path) -> None:
    articles = ArticleFiles(tmp_path)
    articles.write(PATH, ARTICLE)
    before = articles.stamp(PATH)
    articles.write(PATH, ArticleFile(1, "标题", "https://example.com/a", "<p>新的正文</p>"))
    assert before is not None and articles.stamp(PATH) != before


def test_kept_revision_is_a_rebased_copy_of_the_current_file(tmp_path: Path) -> None:
    articles = ArticleFiles(tmp_path)
    articles.write(PATH, ARTICLE)
    kept = articles.keep_revision(PATH, 1700, lambda text, old, new: text.replace("正文", new))
    assert kept == revision_path(PATH, 1700) == "revisions/bbc/2023/11/story/1700.md"
    assert articles.body(kept) == f"<p>{kept}</p>"
    assert articles.keep_revision("articles/bbc/2023/11/gone.md", 1, lambda t, o, n: t) is None
