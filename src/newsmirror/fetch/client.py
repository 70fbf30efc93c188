"""The one HTTP client: limits, timeouts, retries, redirects, size cap, validators.

Retries cover 5xx, 429 and network errors, with exponential backoff that honours
``Retry-After`` up to a cap.  Redirects are followed one hop at a time so that
loops are caught and every hop's address is checked: connections go through
:mod:`newsmirror.fetch.transport`, which resolves a host once and connects to
the address it checked.  Bodies are read as a stream and cut off at
``max_response_bytes`` *after* decompression, and the decoders never produce more
than the remaining room per step (:mod:`newsmirror.fetch.decompress`), so a
compression bomb costs at most that much memory.  Every request, body included,
ends within ``request_deadline_s``.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from newsmirror.config import MirrorSettings
from newsmirror.errors import (
    BlockedAddressError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    ResponseTooLarge,
)
from newsmirror.fetch.decompress import ACCEPT_ENCODING, ContentDecodingError, decoder_for
from newsmirror.fetch.transport import (
    AddressPolicy,
    AddressRefused,
    HostUnresolvable,
    PinnedTransport,
    Resolve,
    resolve_host,
)
from newsmirror.models import FetchResult, Validators

log = logging.getLogger(__name__)

MAX_REDIRECTS = 10
# What every fetch of a feed and of an article page asks for (runs, re-checks, doctor, extract).
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
               "*/*;q=0.5")
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """The limits one :class:`Fetcher` enforces, taken from ``[mirror]``."""

    user_agent: str
    connect_timeout_s: float
    read_timeout_s: float
    deadline_s: float
    max_retries: int
    retry_backoff_s: float
    max_retry_after_s: float
    max_bytes: int
    max_connections: int
    max_connections_per_host: int
    allow_private_networks: bool

    @classmethod
    def from_settings(cls, settings: MirrorSettings) -> FetchPolicy:
        return cls(
            user_agent=settings.user_agent,
            connect_timeout_s=settings.connect_timeout_s,
            read_timeout_s=settings.read_timeout_s,
            deadline_s=settings.request_deadline_s,
            max_retries=settings.max_retries,
            retry_backoff_s=settings.retry_backoff_s,
            max_retry_after_s=settings.max_retry_after_s,
            max_bytes=settings.max_response_bytes,
            max_connections=settings.max_connections,
            max_connections_per_host=settings.max_connections_per_host,
            allow_private_networks=settings.allow_private_networks,
        )


class Fetcher:
    """Holds the shared ``httpx.AsyncClient`` and the per-host limits.

    ``trusted_hosts`` are hosts the volunteer configured (feed hosts); URLs on
    them may resolve to private addresses.  Every other URL - links from feeds
    and pages, redirect targets - is refused when it resolves to a loopback,
    private, link-local, reserved or multicast address, unless the policy
    allows private networks.  ``resolve`` is the name resolver (the system's by
    default); the address it returns is the one connected to.
    """

    def __init__(
        self,
        policy: FetchPolicy,
        *,
        trusted_hosts: frozenset[str] = frozenset(),
        sleep: Sleep = asyncio.sleep,
        resolve: Resolve = resolve_host,
    ) -> None:
        self.policy = policy
        self.trusted_hosts = frozenset(host.lower() for host in trusted_hosts)
        self._sleep = sleep
        self._host_limits: dict[str, asyncio.Semaphore] = {}
        limits = httpx.Limits(max_connections=policy.max_connections, max_keepalive_connections=8)
        addresses = AddressPolicy(policy.allow_private_networks, self.trusted_hosts)
        self._client = httpx.AsyncClient(
            headers={"User-Agent": policy.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(
                policy.read_timeout_s, connect=policy.connect_timeout_s, pool=policy.deadline_s
            ),
            transport=PinnedTransport(limits, addresses, resolve),
            follow_redirects=False,
            trust_env=False,
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        validators: Validators | None = None,
        accept: str = "*/*",
        max_bytes: int | None = None,
        referer: str | None = None,
    ) -> FetchResult:
        """GET ``url`` with retries; a 304 comes back as ``not_modified``.

        Raises a :class:`FetchError` subclass naming the URL on any failure.
        """
        headers = {"Accept": accept}
        if referer:
            headers["Referer"] = referer
        if validators and validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators and validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        attempt = 0
        while True:
            try:
                return await self._fetch_following_redirects(url, headers, max_bytes)
            except _Retryable as retry:
                attempt += 1
                if attempt > self.policy.max_retries:
                    raise retry.error from None
                delay = self._retry_delay(attempt, retry.retry_after_s)
                if delay is None:
                    raise retry.error from None
                log.info("fetch retry url=%s attempt=%d delay_s=%.1f reason=%s",
                         url, attempt, delay, retry.error)
                await self._sleep(delay)

    def _retry_delay(self, attempt: int, retry_after_s: float | None) -> float | None:
        if retry_after_s is not None:
            if retry_after_s > self.policy.max_retry_after_s:
                return None
            return retry_after_s
        base = self.policy.retry_backoff_s * 2.0 ** (attempt - 1)
        return float(base * (0.75 + random.random() / 2))  # noqa: S311 - jitter, not crypto

    async def _fetch_following_redirects(
        self, url: str, headers: dict[str, str], max_bytes: int | None
    ) -> FetchResult:
        seen: list[str] = []
        current = url
        # One deadline for the attempt, every redirect hop included.
        deadline = asyncio.get_running_loop().time() + self.policy.deadline_s
        while True:
            self._check_url(current, original=url)
            status, response_headers, body = await self._get_once(
                current, headers, max_bytes or self.policy.max_bytes, original=url,
                deadline=deadline,
            )
            if status in (301, 302, 303, 307, 308) and "location" in response_headers:
                seen.append(current)
                current = _redirect_target(url, current, response_headers["location"])
                if current in seen:
                    raise FetchError(f"redirect loop: {url} (back to {current})", url=url)
                if len(seen) > MAX_REDIRECTS:
                    raise FetchError(f"too many redirects: {url} (> {MAX_REDIRECTS})", url=url)
                if urlsplit(current).scheme not in ("http", "https"):
                    raise FetchError(f"redirect to a non-HTTP URL: {url} ({current})", url=url)
                continue
            return self._result(url, current, status, response_headers, body)

    def _result(
        self, url: str, final_url: str, status: int, headers: httpx.Headers, body: bytes
    ) -> FetchResult:
        if status == 304:
            return FetchResult(url=url, final_url=final_url, status=304, content_type="",
                               body=b"", etag=headers.get("etag"),
                               last_modified=headers.get("last-modified"), not_modified=True)
        if status in _RETRY_STATUSES:
            error = HTTPStatusError(f"HTTP {status}: {_label(url, final_url)}", status=status,
                                    url=url)
            raise _Retryable(error, _parse_retry_after(headers.get("retry-after")))
        if status >= 400 or status < 200:
            raise HTTPStatusError(f"HTTP {status}: {_label(url, final_url)}", status=status,
                                  url=url)
        return FetchResult(
            url=url,
            final_url=final_url,
            status=status,
            content_type=headers.get("content-type", ""),
            body=body,
            etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
            headers=tuple(headers.multi_items()),
        )

    async def _get_once(
        self, url: str, headers: dict[str, str], max_bytes: int, *, original: str,
        deadline: float,
    ) -> tuple[int, httpx.Headers, bytes]:
        label = _label(original, url)
        host = urlsplit(url).hostname or ""
        limit = self._host_limits.setdefault(
            host, asyncio.Semaphore(self.policy.max_connections_per_host)
        )
        async with limit:
            try:
                async with asyncio.timeout_at(deadline):
                    return await self._stream_body(url, headers, max_bytes, original=original)
            except TimeoutError as exc:
                error: FetchError = FetchTimeout(
                    f"timed out: {label} (over {self.policy.deadline_s:g} s in all)", url=original
                )
                raise _Retryable(error, None) from exc
            except httpx.TimeoutException as exc:
                error = FetchTimeout(f"timed out: {label} ({type(exc).__name__})", url=original)
                raise _Retryable(error, None) from exc
            except AddressRefused as exc:
                raise BlockedAddressError(
                    f"private address refused: {label} ({exc})", url=original
                ) from exc
            except HostUnresolvable as exc:
                error = FetchError(f"network error: {label} ({exc})", url=original,
                                   code="fetch.dns")
                raise _Retryable(error, None) from exc
            except (httpx.DecodingError, ContentDecodingError) as exc:
                raise FetchError(f"undecodable body: {label} ({exc})", url=original) from exc
            except (httpx.TransportError, httpx.InvalidURL) as exc:
                detail = str(exc) or type(exc).__name__
                error = FetchError(f"network error: {label} ({detail})", url=original,
                                   code=_network_error_code(exc))
                if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
                    raise error from exc
                raise _Retryable(error, None) from exc

    async def _stream_body(
        self, url: str, headers: dict[str, str], max_bytes: int, *, original: str
    ) -> tuple[int, httpx.Headers, bytes]:
        label = _label(original, url)
        async with self._client.stream("GET", url, headers=headers) as response:
            if response.status_code >= 300:
                return response.status_code, response.headers, b""
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes and not response.headers.get(
                "content-encoding"
            ):
                raise ResponseTooLarge(
                    f"response too large: {label} (Content-Length {declared} > {max_bytes})",
                    url=original,
                )
            decoder = decoder_for(response.headers.get("content-encoding"))
            body = bytearray()
            async for chunk in response.aiter_raw():
                body += decoder.decode(chunk, max_bytes - len(body) + 1)
                if len(body) > max_bytes:
                    raise ResponseTooLarge(
                        f"response too large: {label} (over {max_bytes} bytes)", url=original
                    )
            return response.status_code, response.headers, bytes(body)

    def _check_url(self, url: str, *, original: str) -> None:
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError on a port that is not a number
        except ValueError as exc:
            raise FetchError(f"invalid URL: {_label(original, url)} ({exc})", url=original) \
                from exc
        if parts.scheme not in ("http", "https"):
            raise FetchError(f"not an http(s) URL: {_label(original, url)}", url=original)
        host = parts.hostname
        if not host:
            raise FetchError(f"URL has no host: {_label(original, url)}", url=original)
        # The address itself is checked when connecting (fetch.transport), not here:
        # a check on a separate DNS answer would not bind the connection.


class _Retryable(Exception):
    """Internal: an attempt failed in a way that may succeed if tried again."""

    def __init__(self, error: FetchError, retry_after_s: float | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after_s = retry_after_s


def _redirect_target(original: str, current: str, location: str) -> str:
    try:
        return urljoin(current, location)
    except ValueError as exc:
        raise FetchError(
            f"invalid redirect: {_label(original, current)} (Location {location[:200]!r})",
            url=original,
        ) from exc


def _network_error_code(exc: BaseException) -> str:
    """``fetch.tls`` for a failed TLS handshake, ``fetch.refused`` for a refused
    connection, else ``fetch.failed``: what ``doctor`` needs to say what to fix."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return "fetch.tls"
        if isinstance(seen, ConnectionRefusedError):
            return "fetch.refused"
        seen = seen.__cause__ or seen.__context__
    text = str(exc).lower()
    if "ssl" in text or "certificate" in text or "tls" in text:
        return "fetch.tls"
    if "connection refused" in text or "errno 111" in text:
        return "fetch.refused"
    return "fetch.failed"


def _label(original: str, current: str) -> str:
    """How an error names the URL: the one asked for, and the hop that failed if different."""
    return original if original == current else f"{original} (redirected to {current})"


def _parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
