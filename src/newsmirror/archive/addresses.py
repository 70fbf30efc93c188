"""Where a page is read: some sites answer at the address readers share with an empty
shell that a script fills in, and serve the same page readable at another address.

A Weibo post shared from the desktop site, ``weibo.com/{user id}/{post id}``,
is a script-only page there; the mobile site's ``m.weibo.cn/status/{post id}``
holds the post in the page (see :mod:`newsmirror.extract.weibo`).  The archived
copy keeps the address the reader gave; only the fetch goes elsewhere.
"""

from __future__ import annotations

import re

# (address readers share, the address that serves the same page readable)
READABLE_ADDRESSES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"https?://(?:www\.)?weibo\.com/\d+/([A-Za-z0-9]{9}|\d{16})/?(?:[?#].*)?",
                re.IGNORECASE), "https://m.weibo.cn/status/{0}"),
    (re.compile(r"https?://(?:www\.)?weibo\.com/detail/(\d{16})/?(?:[?#].*)?", re.IGNORECASE),
     "https://m.weibo.cn/detail/{0}"),
)


def readable_address(url: str) -> str:
    """The address to fetch for ``url``: its readable twin, or ``url`` itself."""
    for pattern, template in READABLE_ADDRESSES:
        match = pattern.fullmatch(url)
        if match:
            return template.format(*match.groups())
    return url
