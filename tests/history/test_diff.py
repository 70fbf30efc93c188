"""Character-level differences for Chinese text, as text and as safe HTML."""

from __future__ import annotations

import pytest

from newsmirror.history import (
    diff_chars,
    plain_text,
    render_diff_html,
    render_diff_text,
)
from newsmirror.store.articles import revision_path

OLD = "政府今天宣布了新的防洪措施。\n居民正在排队等候。\n专家说排水系统老化。\n第四段。\n第五段。"


def test_plain_text_puts_each_paragraph_on_its_own_line() -> None:
    html = "<h1>标题</h1><p>第一段 <a href='x'>链接</a>。</p><ul><li>甲</li><li>乙</li></ul>"
    assert plain_text(html) == "标题\n第一段 链接。\n甲\n乙"


def test_plain_text_collapses_whitespace_and_drops_invisible_characters() -> None:
    assert plain_text("<p>  第一\u200b段\n\n  文字 </p>") == "第一段 文字"


def test_changed_word_shows_as_that_word() -> None:
    assert render_diff_text("政府今天宣布了新的措施。", "政府昨天宣布了新的措施。") == \
        "政府[-今-]{+昨+}天宣布了新的措施。"


def test_short_shared_runs_between_changes_join_the_change() -> None:
    pieces = diff_chars("甲乙的丙丁", "戊己的庚辛")
    assert [(p.kind, p.text) for p in pieces] == [
        ("delete", "甲乙的丙丁"), ("insert", "戊己的庚辛")
    ]


def test_text_diff_shows_changed_paragraphs_with_context_and_gaps() -> None:
    new = OLD.replace("第四段", "第四段（更正）")
    assert render_diff_text(OLD, new).split("\n") == ["…", "专家说排水系统老化。",
                                                     "第四段{+（更正）+}。", "第五段。"]


def test_identical_texts_give_an_empty_diff() -> None:
    assert render_diff_text(OLD, OLD) == ""


def test_removed_paragraph_is_one_deletion() -> None:
    new = OLD.replace("居民正在排队等候。\n", "")
    assert "[-居民正在排队等候。-]" in render_diff_text(OLD, new)


def test_html_diff_marks_insertions_and_deletions() -> None:
    html = render_diff_html("防洪措施", "抗洪措施")
    assert html == ('<div class="diff"><p class="diff-changed"><del>防</del><ins>抗</ins>洪措施'
                    "</p></div>")


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ('<img src=x onerror="alert(1)">', '&lt;img src=x onerror="alert(1)"&gt;'),
        ("&lt;b&gt;", "&amp;lt;b&amp;gt;"),
    ],
    ids=["script", "event-handler", "entity"],
)
def test_html_diff_escapes_the_text(text: str, escaped: str) -> None:
    assert f"<ins>{escaped}</ins>" in render_diff_html("正文", "正文" + text)


def test_html_diff_without_context_limit_shows_every_paragraph() -> None:
    html = render_diff_html(OLD, OLD.replace("第五段", "第5段"), context=None)
    assert html.count("<p") == 5 and "diff-skip" not in html


def test_revision_path_sits_beside_the_article_path_under_revisions() -> None:
    assert revision_path("articles/bbc/2024/01-2/world-1.md", 1700) == \
        "revisions/bbc/2024/01-2/world-1/1700.md"
