"""Links and redirects cannot reach private addresses, and the address checked is the one used."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from newsmirror.errors import BlockedAddressError
from newsmirror.fetch import Fetcher
from newsmirror.models import FetchResult
from tests.faults.server import FaultServer, respond
from tests.faults.test_fetch_faults import POLICY


class CountingResolver:
    """Answers every name with fixed addresses and counts how often it was asked."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.calls: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        return self.answers[host]


def fetch(url: str, *, trusted: frozenset[str] = frozenset(), allow_private: bool = False,
          resolve: CountingResolver | None = None) -> FetchResult:
    policy = replace(POLICY, allow_private_networks=allow_private)

    async def go() -> FetchResult:
        extra = {"resolve": resolve} if resolve else {}
        async with Fetcher(policy, trusted_hosts=trusted, **extra) as fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(go())


def test_redirect_from_a_trusted_feed_host_to_another_loopback_address_is_refused(
    fault_server: FaultServer, private_server: FaultServer
) -> None:
    fault_server.routes["/feed"] = respond(b"", status=302,
                                           headers={"Location": private_server.url("/admin")})
    with pytest.raises(BlockedAddressError, match=r"127\.0\.0\.2 is not public"):
        fetch(fault_server.url("/feed"), trusted=frozenset({"127.0.0.1"}))
    assert private_server.requests == []


def test_private_address_is_reachable_when_the_volunteer_allows_private_networks(
    private_server: FaultServer,
) -> None:
    private_server.routes["/admin"] = respond(b"inside")
    assert fetch(private_server.url("/admin"), allow_private=True).body == b"inside"


def test_name_resolving_to_loopback_is_refused_without_a_request(
    private_server: FaultServer,
) -> None:
    port = private_server.url("").rsplit(":", 1)[1]
    resolver = CountingResolver({"news.example": ["127.0.0.2"]})
    with pytest.raises(BlockedAddressError, match="news.example is 127.0.0.2"):
        fetch(f"http://news.example:{port}/a", resolve=resolver)
    assert private_server.requests == []


def test_answer_with_any_private_address_is_refused_whole(private_server: FaultServer) -> None:
    port = private_server.url("").rsplit(":", 1)[1]
    resolver = CountingResolver({"mixed.example": ["93.184.215.14", "127.0.0.2"]})
    with pytest.raises(BlockedAddressError):
        fetch(f"http://mixed.example:{port}/a", resolve=resolver)
    assert private_server.requests == []


def test_connection_goes_to_the_resolved_address_with_the_host_name_kept(
    fault_server: FaultServer,
) -> None:
    """feeds.example is not in any DNS: only the checked answer can have been connected to."""
    fault_server.routes["/feed"] = respond(b"<rss/>", "application/rss+xml")
    port = fault_server.url("").rsplit(":", 1)[1]
    resolver = CountingResolver({"feeds.example": ["127.0.0.1"]})
    result = fetch(f"http://feeds.example:{port}/feed", trusted=frozenset({"feeds.example"}),
                   resolve=resolver)
    assert result.body == b"<rss/>"
    assert fault_server.request_headers[0]["host"] == f"feeds.example:{port}"


def test_each_connection_resolves_its_host_exactly_once(fault_server: FaultServer) -> None:
    """One answer is both checked and used: no second lookup a rebinding DNS could change."""
    fault_server.routes["/feed"] = respond(b"<rss/>", "application/rss+xml")
    port = fault_server.url("").rsplit(":", 1)[1]
    resolver = CountingResolver({"feeds.example": ["127.0.0.1"]})
    fetch(f"http://feeds.example:{port}/feed", trusted=frozenset({"feeds.example"}),
          resolve=resolver)
    assert resolver.calls == ["feeds.example"]
