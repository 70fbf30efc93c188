"""Canonical article URLs: one identity however the feed spells the address."""

from __future__ import annotations

import pytest

from newsmirror.clean.urls import canonical_url, strip_tracking_params


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("http://www.bbc.com/zhongwen/simp/world-1", "https://bbc.com/zhongwen/simp/world-1"),
        ("https://BBC.com:443/zhongwen/simp/world-1#top", "https://bbc.com/zhongwen/simp/world-1"),
        ("https://x.com/a?utm_source=rss&utm_medium=feed", "https://x.com/a"),
        ("https://dw.com/zh/a-1?maca=chi-rss-chi-all-1127-rdf", "https://dw.com/zh/a-1"),
        ("https://x.com/a?b=2&a=1", "https://x.com/a?a=1&b=2"),
        ("http://www.rfi.fr//cn/%E4%B8%AD%E5%9B%BD/x", "https://rfi.fr/cn/中国/x"),
        ("https://cn.nytimes.com/w/?searchResultPosition=3", "https://cn.nytimes.com/w/"),
    ],
    ids=["scheme-www", "case-port-fragment", "utm", "dw-maca", "param-order", "encoding-slashes",
         "nyt-search-position"],
)
def test_equivalent_urls_share_one_canonical_form(a: str, b: str) -> None:
    assert canonical_url(a) == canonical_url(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://x.com/a?id=1", "https://x.com/a?id=2"),
        ("https://x.com/a", "https://x.com/b"),
        ("https://mp.weixin.qq.com/s?__biz=A&mid=1&idx=1&sn=x",
         "https://mp.weixin.qq.com/s?__biz=A&mid=1&idx=2&sn=x"),
    ],
    ids=["query-value", "path", "wechat-idx"],
)
def test_different_articles_keep_different_canonical_forms(a: str, b: str) -> None:
    assert canonical_url(a) != canonical_url(b)


def test_strip_tracking_params_keeps_the_rest_of_the_url() -> None:
    assert strip_tracking_params("http://x.com/a?id=3&utm_campaign=z#f") == "http://x.com/a?id=3"
