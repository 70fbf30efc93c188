"""What counts as an edit and what counts as a deletion."""

from __future__ import annotations

import pytest

from newsmirror.recheck import comparable_text, deletion_notice, is_gone_redirect, is_same_title
from tests.support.recorded import REAL

BODY = ("<p>政府今天宣布了新的防洪措施。</p>"
        "<p>居民正在排队<a href=\"https://a.org/x\">领取物资</a>。</p>")


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(BODY.replace("。</p><p>", "。 </p>\n<p>  "), id="whitespace"),
        pytest.param(BODY.replace("a.org/x", "a.org/x?utm_source=rss&amp;at_medium=feed"),
                     id="tracking-parameter"),
        pytest.param(BODY + "<h2>相关报道</h2><p><a href=\"https://a.org/1\">甲</a></p>",
                     id="related-box-added"),
        pytest.param(BODY + "<h3>延伸阅读</h3><ul><li><a href=\"https://a.org/2\">乙</a></li></ul>",
                     id="further-reading-list"),
        pytest.param(BODY + "<ul><li><a href=\"https://a.org/3\">丙</a></li>"
                     "<li><a href=\"https://a.org/4\">丁</a></li></ul>", id="link-only-list"),
        pytest.param(BODY.replace("今天", "今天\u200b"), id="zero-width-space"),
    ],
)
def test_changes_a_reader_would_not_notice_compare_equal(other: str) -> None:
    assert comparable_text(other) == comparable_text(BODY)


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(BODY.replace("今天", "昨天"), id="one-word"),
        pytest.param(BODY.replace("a.org/x", "a.org/y"), id="link-target"),
        pytest.param(BODY + "<p>更正：本文早前版本有误。</p>", id="correction-added"),
        pytest.param(BODY + "<h2>相关报道</h2><p>新的段落不是链接。</p>",
                     id="text-after-related-heading"),
    ],
)
def test_changes_a_reader_would_notice_compare_different(other: str) -> None:
    assert comparable_text(other) != comparable_text(BODY)


@pytest.mark.parametrize(
    ("old", "new", "same"),
    [
        ("洪水过后的城市", "洪水过后的城市 - BBC News 中文", True),
        ("洪水过后的城市", "  洪水过后的 城市 ", True),
        ("洪水过后的城市", "", True),
        ("洪水过后的城市", "洪水过后的乡村", False),
    ],
    ids=["site-name-added", "spaces", "no-title-found", "changed-word"],
)
def test_title_comparison(old: str, new: str, same: bool) -> None:
    assert is_same_title(old, new) is same


@pytest.mark.parametrize(
    ("final", "gone"),
    [
        ("https://www.bbc.com/", True),
        ("https://www.bbc.com/zhongwen/simp", True),
        ("https://www.bbc.com/404.html", True),
        ("https://www.bbc.com/error/page-not-found", True),
        ("https://www.bbc.com/zhongwen/simp/world-1?utm_source=x", False),
        ("https://www.bbc.com/zhongwen/trad/world-1", False),
    ],
    ids=["front-page", "section-above", "404-page", "error-page", "same-article", "moved"],
)
def test_redirect_destinations(final: str, gone: bool) -> None:
    assert is_gone_redirect("https://www.bbc.com/zhongwen/simp/world-1", final) is gone


def test_redirect_up_to_a_page_showing_the_article_is_not_gone() -> None:
    page = "<html><body><h1>洪水 过后的城市</h1><p>正文</p></body></html>"
    assert not is_gone_redirect("https://a.org/news/1/amp", "https://a.org/news/1", page,
                                "洪水过后的城市")


def test_redirect_up_to_a_section_page_is_gone() -> None:
    page = "<html><body><h1>国际新闻</h1><ul><li>别的文章</li></ul></body></html>"
    assert is_gone_redirect("https://a.org/news/1/amp", "https://a.org/news/1", page,
                            "洪水过后的城市")


@pytest.mark.parametrize(
    "notice",
    ["此内容因违规无法查看", "该内容已被发布者删除", "此内容被多人投诉，相关的内容无法进行查看。"],
)
def test_wechat_removal_notice_is_recognised(notice: str) -> None:
    page = (f"<html><body><div class=weui-msg><h2>{notice}</h2></div>"
            "<script>var a = 1;</script></body></html>")
    assert deletion_notice(page) is not None


def test_article_quoting_a_removal_notice_is_not_a_notice() -> None:
    quote = ("<p>网友发现，原文已显示“该内容已被发布者删除”。"
             + "此后，多篇相关文章也相继消失。" * 60 + "</p>")
    assert deletion_notice(f"<html><body>{quote}</body></html>") is None


def test_real_wechat_article_is_not_a_notice() -> None:
    page = (REAL / "weixin" / "article_suide-veterans_raw.html").read_text(encoding="utf-8")
    assert deletion_notice(page) is None
