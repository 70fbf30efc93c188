"""The canonical URL an archived page is kept under."""

from __future__ import annotations

import pytest

from newsmirror.archive.run import page_identity
from newsmirror.models import Page

SHORT = "https://mp.weixin.qq.com/s/ZhDXTjv5ciEGOZirqQ6BJA"
LONG = ("http://mp.weixin.qq.com/s?__biz=MzAxMzgxNzUxOA==&mid=2650804290&idx=8"
        "&sn=d625de357b53f96d710aca4e6ec7f57c&chksm=80687383b71ffa95#rd")
LONG_CANONICAL = ("https://mp.weixin.qq.com/s?__biz=MzAxMzgxNzUxOA%3D%3D&idx=8&mid=2650804290"
                  "&sn=d625de357b53f96d710aca4e6ec7f57c")


def page_declaring(address: str | None) -> Page:
    head = f'<meta property="og:url" content="{address}">' if address else ""
    return Page(url=SHORT, final_url=SHORT, html=f"<html><head>{head}</head><body></body></html>")


@pytest.mark.parametrize(
    ("declared", "identity"),
    [
        (LONG, LONG_CANONICAL),
        (None, SHORT),
        ("https://mp.weixin.qq.com/", SHORT),
        ("https://other.example/s/ZhDXTjv5ciEGOZirqQ6BJA", SHORT),
        ("/s/relative", SHORT),
    ],
    ids=["same-site-long-form", "nothing-declared", "front-page", "other-site", "relative"],
)
def test_a_page_is_kept_under_the_address_it_declares_on_its_own_site(
    declared: str | None, identity: str
) -> None:
    assert page_identity(SHORT, page_declaring(declared)) == identity
