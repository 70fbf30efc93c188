"""Snapshot services: their addresses for a page, and when a page is worth looking up."""

from __future__ import annotations

import pytest

from newsmirror.archive.snapshots import should_try_snapshots, snapshot_urls
from newsmirror.errors import (
    BlockedAddressError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    NotHTML,
    ResponseTooLarge,
)

URL = "https://mp.weixin.qq.com/s?__biz=MzA==&mid=1&idx=1&sn=ab"


def test_templates_give_the_address_as_given_or_encoded_in_their_order() -> None:
    templates = ("https://web.archive.org/web/2id_/{url}", "https://archive.ph/newest/{url}",
                 "http://127.0.0.1:9/find?u={url_encoded}")
    assert snapshot_urls(URL, templates) == (
        f"https://web.archive.org/web/2id_/{URL}",
        f"https://archive.ph/newest/{URL}",
        "http://127.0.0.1:9/find?u=https%3A%2F%2Fmp.weixin.qq.com%2Fs%3F__biz%3DMzA%3D%3D%26mid"
        "%3D1%26idx%3D1%26sn%3Dab",
    )


def test_no_templates_no_snapshots() -> None:
    assert snapshot_urls(URL, ()) == ()


def _status(status: int) -> HTTPStatusError:
    return HTTPStatusError(f"HTTP {status}: {URL}", status=status, url=URL)


@pytest.mark.parametrize(
    ("error", "worth_it"),
    [
        (_status(404), True), (_status(410), True), (_status(451), True), (_status(403), True),
        (_status(500), True), (_status(503), True), (_status(429), True),
        (FetchTimeout(f"timed out: {URL}", url=URL), True),
        (FetchError(f"network error: {URL} (connection refused)", url=URL), True),
        (_status(400), False), (_status(401), False), (_status(405), False),
        (BlockedAddressError(f"private address refused: {URL}", url=URL), False),
        (ResponseTooLarge(f"response too large: {URL}", url=URL), False),
        (NotHTML(f"not an HTML page: {URL}", url=URL), False),
    ],
    ids=["404", "410", "451", "403", "500", "503", "429", "timeout", "network", "400", "401",
         "405", "private-address", "too-large", "not-html"],
)
def test_gone_refused_or_unreachable_pages_are_looked_up(error: FetchError, worth_it: bool) -> None:
    assert should_try_snapshots(error) is worth_it
