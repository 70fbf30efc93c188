"""Every transport misbehaviour ends in one clear error naming the URL, within the deadline."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest

from newsmirror.config import MirrorSettings
from newsmirror.errors import (
    BlockedAddressError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    ResponseTooLarge,
)
from newsmirror.fetch import Fetcher, FetchPolicy
from newsmirror.models import FetchResult
from tests.faults.server import FaultServer

# Small limits so that every fault ends quickly; the bound each test checks is
# computed from them (see RELIABILITY.md for the formula).
POLICY = replace(
    FetchPolicy.from_settings(MirrorSettings()),
    connect_timeout_s=1.0,
    read_timeout_s=0.5,
    deadline_s=1.0,
    max_retries=1,
    retry_backoff_s=0.01,
    max_retry_after_s=1.5,
    max_bytes=1_000_000,
)
# Per request: every attempt ends within the deadline; the waits between are capped.
REQUEST_BOUND_S = (POLICY.max_retries + 1) * POLICY.deadline_s \
    + POLICY.max_retries * POLICY.max_retry_after_s + 0.5


def fetch(url: str, *, trusted: frozenset[str] = frozenset({"127.0.0.1"}),
          policy: FetchPolicy = POLICY) -> FetchResult:
    async def go() -> FetchResult:
        async with Fetcher(policy, trusted_hosts=trusted) as fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(go())


FAULTS = [
    ("slow-headers", FetchTimeout, "timed out"),
    ("stall-body", FetchTimeout, "timed out"),
    ("reset", FetchError, "network error"),
    ("not-http", FetchError, "network error"),
    ("close-silently", FetchError, "network error"),
    ("status-500", HTTPStatusError, "HTTP 500"),
    ("status-502", HTTPStatusError, "HTTP 502"),
    ("status-503-retry-after", HTTPStatusError, "HTTP 503"),
    ("status-429-retry-after", HTTPStatusError, "HTTP 429"),
    ("status-429-retry-after-too-long", HTTPStatusError, "HTTP 429"),
    ("redirect-loop", FetchError, "redirect loop"),
    ("slow-redirect-chain", FetchTimeout, "timed out"),
    ("redirect-to-metadata", BlockedAddressError, "private address refused"),
    ("redirect-to-private", BlockedAddressError, "private address refused"),
    ("redirect-to-invalid-url", FetchError, "invalid redirect"),
    ("redirect-to-bad-port", FetchError, "Invalid port"),
    ("endless-chunked", ResponseTooLarge, "response too large"),
    ("gzip-bomb", ResponseTooLarge, "response too large"),
    ("brotli-bomb", ResponseTooLarge, "response too large"),
    ("length-longer-than-body", FetchError, "network error"),
    ("length-huge", ResponseTooLarge, "Content-Length 1000000000000"),
]


@pytest.mark.parametrize(("fault", "error", "reason"), FAULTS, ids=[f[0] for f in FAULTS])
def test_fault_ends_in_one_line_error_naming_the_url_within_the_bound(
    fault_server: FaultServer, fault: str, error: type[FetchError], reason: str
) -> None:
    url = fault_server.url(f"/{fault}")
    started = time.monotonic()
    with pytest.raises(error) as raised:
        fetch(url)
    elapsed = time.monotonic() - started
    message = str(raised.value)
    assert reason in message and url in message and "\n" not in message
    assert raised.value.url == url
    assert elapsed < REQUEST_BOUND_S


@pytest.mark.parametrize(
    ("fault", "attempts"),
    [("status-503-retry-after", 2), ("reset", 2), ("status-429-retry-after-too-long", 1),
     ("redirect-to-metadata", 1), ("gzip-bomb", 1)],
    ids=["503-retried", "reset-retried", "retry-after-too-long-not-waited", "blocked-not-retried",
         "bomb-not-retried"],
)
def test_only_transient_faults_are_retried(
    fault_server: FaultServer, fault: str, attempts: int
) -> None:
    with pytest.raises(FetchError):
        fetch(fault_server.url(f"/{fault}"))
    assert fault_server.count(f"/{fault}") == attempts


@pytest.mark.parametrize("fault", ["status-429-retry-after", "status-503-retry-after-date"],
                         ids=["seconds", "http-date"])
def test_retry_after_is_waited_for_before_the_retry(fault_server: FaultServer, fault: str) -> None:
    started = time.monotonic()
    with pytest.raises(HTTPStatusError):
        fetch(fault_server.url(f"/{fault}"), policy=replace(POLICY, max_retry_after_s=3.0))
    assert time.monotonic() - started >= 0.9
    assert fault_server.count(f"/{fault}") == 2


def test_body_shorter_than_its_content_length_is_cut_at_the_length(
    fault_server: FaultServer,
) -> None:
    result = fetch(fault_server.url("/length-shorter-than-body"))
    assert len(result.body) == 40
