"""Pages read at another address than the one readers share."""

from __future__ import annotations

import pytest

from newsmirror.archive.addresses import readable_address


@pytest.mark.parametrize(
    ("shared", "fetched"),
    [
        ("https://weibo.com/1234567890/O4abcDEFg", "https://m.weibo.cn/status/O4abcDEFg"),
        ("https://www.weibo.com/1234567890/O4abcDEFg?refer_flag=1001030103_#comment",
         "https://m.weibo.cn/status/O4abcDEFg"),
        ("http://weibo.com/1234567890/5009876543210987", "https://m.weibo.cn/status/5009876543210987"),
        ("https://weibo.com/detail/5009876543210987", "https://m.weibo.cn/detail/5009876543210987"),
    ],
    ids=["desktop-post", "www-with-tracking", "numeric-id", "desktop-detail"],
)
def test_desktop_weibo_posts_are_read_on_the_mobile_site(shared: str, fetched: str) -> None:
    assert readable_address(shared) == fetched


@pytest.mark.parametrize(
    "url",
    ["https://m.weibo.cn/status/O4abcDEFg", "https://weibo.com/u/1234567890",
     "https://weibo.com/1234567890/follow", "https://weibo.com/1234567890",
     "https://mp.weixin.qq.com/s/ZhDXTjv5ciEGOZirqQ6BJA", "https://example.com/1234567890/O4abcDEFg"],
    ids=["already-mobile", "user-page", "follow-page", "profile", "wechat", "other-host"],
)
def test_other_addresses_are_fetched_as_given(url: str) -> None:
    assert readable_address(url) == url
