"""The established article file format: the seed round-trips byte for byte."""

from __future__ import annotations

import pytest
from tests.support.recorded import PREDECESSOR, SEED

from newsmirror.render.article import (
    ArticleFile,
    ArticleFormatError,
    parse_article_file,
    render_article_file,
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
