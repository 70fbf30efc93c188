"""The one tree of errors newsmirror raises.

::

    MirrorError                      code "mirror"
    ├── ConfigError                  code "config.*"      bad newsmirror.toml or flags (exit 2)
    ├── FetchError                   code "fetch.*" (fetch.dns, fetch.tls, fetch.refused, …)
    │   ├── HTTPStatusError          code "fetch.http_status"
    │   ├── FetchTimeout             code "fetch.timeout"
    │   ├── ResponseTooLarge         code "fetch.too_large"
    │   ├── BlockedAddressError      code "fetch.blocked_address"
    │   └── NotHTML                  code "fetch.not_html"
    ├── FeedError                    code "feed.*"
    ├── ExtractError                 code "extract.*"
    │   ├── NoContentError           code "extract.no_content"
    │   └── NotArticleError          code "extract.not_article"  a front page or section index
    ├── ImageError                   code "images.*"
    ├── StoreError                   code "store.*"
    ├── LockError                    code "store.locked"
    ├── RenderError                  code "render.*"      site or search index not built
    └── PublishError                 code "publish.*"
        └── GitError                 code "publish.git"

Every error carries a stable ``code``, the ``source_id`` (slug) it concerns, when
known, and the ``url``.  ``str(error)`` reads ``what failed: <url> (<detail>)``.

An item that fails is tried again by the next runs, and its source still counts
as succeeded.  An error with ``fails_run`` also makes the run's exit code 1: the
feed links to something that is not an article, which the operator should hear
of (the item is still tried again, in case the outlet served the wrong page).
"""

from __future__ import annotations


class MirrorError(Exception):
    """Root of every error newsmirror raises on purpose."""

    code = "mirror"
    fails_run = False  # an item failing with it fails the run too (exit 1)

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        source_id: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.url = url
        self.source_id = source_id
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class ConfigError(MirrorError):
    code = "config.invalid"


class FetchError(MirrorError):
    code = "fetch.failed"


class HTTPStatusError(FetchError):
    code = "fetch.http_status"

    def __init__(self, message: str, *, status: int, **kwargs: str | None) -> None:
        super().__init__(message, **kwargs)
        self.status = status


class FetchTimeout(FetchError):
    code = "fetch.timeout"


class ResponseTooLarge(FetchError):
    code = "fetch.too_large"


class BlockedAddressError(FetchError):
    code = "fetch.blocked_address"


class NotHTML(FetchError):
    code = "fetch.not_html"


class FeedError(MirrorError):
    code = "feed.invalid"


class ExtractError(MirrorError):
    code = "extract.failed"


class NoContentError(ExtractError):
    code = "extract.no_content"


class NotArticleError(ExtractError):
    """The page is an outlet's front page or a section index, not an article."""

    code = "extract.not_article"
    fails_run = True


class ImageError(MirrorError):
    code = "images.failed"


class StoreError(MirrorError):
    code = "store.failed"


class LockError(StoreError):
    code = "store.locked"


class RenderError(MirrorError):
    code = "render.failed"


class PublishError(MirrorError):
    code = "publish.failed"


class GitError(PublishError):
    code = "publish.git"
