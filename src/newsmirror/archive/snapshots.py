"""Snapshot services: where a copy of a page that is gone may still be found.

``[archive] fallbacks`` lists URL templates, tried in order: ``{url}`` is the
page's address as given (web.archive.org and archive.today take it in the
path), ``{url_encoded}`` the same percent-encoded whole (for services that take
it as a query parameter).  A page is worth looking up in them when it is gone
(404, 410, 451, or a removal notice or redirect to the front page in place of
the article), refused to us (403), or unreachable after every retry (5xx, 429,
timeouts, network errors).  Bad input is not: a private address, a response
too large, something that is not HTML.
"""

from __future__ import annotations

from urllib.parse import quote

from newsmirror.errors import (
    BlockedAddressError,
    FetchError,
    HTTPStatusError,
    NotHTML,
    ResponseTooLarge,
)

# Statuses saying the page is gone (or withheld) for good, or refused to the mirror.
GONE_STATUSES = frozenset({403, 404, 410, 451})
# Failures the fetcher retries; once retries are spent the page counts as unreachable.
UNREACHABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
_NOT_WORTH_A_SNAPSHOT = (BlockedAddressError, ResponseTooLarge, NotHTML)


def snapshot_urls(url: str, templates: tuple[str, ...]) -> tuple[str, ...]:
    """Where each snapshot service would keep ``url``, in the order of ``templates``."""
    encoded = quote(url, safe="")
    return tuple(t.replace("{url_encoded}", encoded).replace("{url}", url) for t in templates)


def should_try_snapshots(error: FetchError) -> bool:
    """Is the page gone, refused or unreachable (not bad input)?"""
    if isinstance(error, _NOT_WORTH_A_SNAPSHOT):
        return False
    if isinstance(error, HTTPStatusError):
        return error.status in GONE_STATUSES or error.status in UNREACHABLE_STATUSES
    return True
