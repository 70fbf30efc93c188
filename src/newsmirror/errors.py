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
    │   └── NoContentError           code "extract.no_content"
    ├── ImageError                   code "images.*"
    ├── StoreError                   code "store.*"
    ├── LockError                    code "store.locked"
    ├── RenderError                  code "render.*"      site or search index not built
    └── PublishError                 code "publish.*"
        └── GitError                 code "publish.git"

Every error carries a stable ``code``, the ``source_id`` (slug) it concerns, when
known, and the ``url``.  ``str(error)`` reads ``what failed: <url> (<detail>)``.
"""

from __future__ import annotations


class MirrorError(Exception):
    """Root of every error newsmirror raises on purpose."""

    code = "mirror"

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
