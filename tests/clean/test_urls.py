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


WECHAT_LONG = ("https://mp.weixin.qq.com/s?__biz=MzI2MzEwNTY3OQ==&mid=2648978231&idx=1"
               "&sn=dd091611fcf1aa0c2aef9655f13e7731")
WECHAT_SHORT = "https://mp.weixin.qq.com/s/ZhDXTjv5ciEGOZirqQ6BJA"


@pytest.mark.parametrize(
    "shared",
    [
        WECHAT_LONG + "&chksm=f2506b4ec527e258&scene=21#rd",
        WECHAT_LONG.replace("https:", "http:") + "&scene=126&sessionid=1700000000#rd",
        WECHAT_LONG + "&subscene=10000&clicktime=1700000000&enterid=1700000000&ascene=1",
        WECHAT_LONG + "&devicetype=android-34&version=28002c51&lang=zh_CN&nettype=WIFI",
        WECHAT_LONG + "&exportkey=n_ChQIAhIQ&pass_ticket=Vd%2Bk&key=daf9bdc5abc4e8d0&uin=MTIz",
        WECHAT_LONG + "&wx_header=0&fontScale=100&abtest_cookie=AAACAA%3D%3D&from=timeline",
        WECHAT_LONG + "&new_unknown_share_param=1&isappinstalled=0",
        WECHAT_LONG.replace("==", "%3D%3D"),
        "https://mp.weixin.qq.com/s?sn=dd091611fcf1aa0c2aef9655f13e7731&idx=1&mid=2648978231"
        "&__biz=MzI2MzEwNTY3OQ==&scene=21",
    ],
    ids=["chksm-scene-rd", "http-session", "click-and-enter-times", "client", "tickets-and-keys",
         "reader-settings", "unknown-share-param", "encoded-biz", "reordered"],
)
def test_wechat_long_links_are_one_article_whatever_the_share_added(shared: str) -> None:
    assert canonical_url(shared) == canonical_url(WECHAT_LONG)


@pytest.mark.parametrize(
    "shared",
    [WECHAT_SHORT + "?chksm=f2506b4e&scene=21#rd", WECHAT_SHORT + "?from=groupmessage",
     WECHAT_SHORT.replace("https:", "http:") + "#wechat_redirect",
     WECHAT_SHORT + "?new_unknown_share_param=1"],
    ids=["chksm-scene-rd", "from", "http-fragment", "unknown-share-param"],
)
def test_wechat_short_links_are_named_by_their_token_alone(shared: str) -> None:
    assert canonical_url(shared) == canonical_url(WECHAT_SHORT) == WECHAT_SHORT


def test_wechat_long_canonical_form_is_stable() -> None:
    assert canonical_url(WECHAT_LONG + "&scene=21#rd") == (
        "https://mp.weixin.qq.com/s?__biz=MzI2MzEwNTY3OQ%3D%3D&idx=1&mid=2648978231"
        "&sn=dd091611fcf1aa0c2aef9655f13e7731")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (WECHAT_LONG, WECHAT_LONG.replace("idx=1", "idx=2")),
        (WECHAT_LONG, WECHAT_LONG.replace("sn=dd", "sn=ee")),
        (WECHAT_SHORT, WECHAT_SHORT.replace("ZhD", "ZhE")),
        ("https://example.com/a?key=1", "https://example.com/a?key=2"),
        ("https://example.com/a?lang=zh", "https://example.com/a?lang=en"),
    ],
    ids=["wechat-idx", "wechat-sn", "wechat-token", "key-elsewhere", "lang-elsewhere"],
)
def test_share_parameters_of_one_host_name_pages_on_others(a: str, b: str) -> None:
    assert canonical_url(a) != canonical_url(b)


def test_strip_tracking_params_drops_what_a_wechat_share_added() -> None:
    shared = WECHAT_LONG + "&chksm=f2&scene=21&pass_ticket=x#rd"
    assert strip_tracking_params(shared) == WECHAT_LONG.replace("==", "%3D%3D")
