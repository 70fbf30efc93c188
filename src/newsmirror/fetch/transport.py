"""Connections only to addresses the policy allows: resolve once, check, connect there.

Each new connection resolves its host exactly once, checks every address found
and opens the socket to one of *those* addresses.  A DNS answer that changes
between check and connect (DNS rebinding) therefore cannot reach a private
address.  Only the TCP connect is pinned: TLS still sends SNI for the host name
and verifies the certificate against it, and the Host header is the URL's.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpcore
import httpx

# Resolves a host name (or IP literal) and port to IP address strings.
Resolve = Callable[[str, int], Awaitable[list[str]]]


class AddressRefused(Exception):
    """The host resolves to an address the policy forbids (mapped to BlockedAddressError)."""

    def __init__(self, host: str, address: str) -> None:
        super().__init__(
            f"{address} is not public" if host == address else f"{host} is {address}"
        )
        self.host = host
        self.address = address


class HostUnresolvable(Exception):
    """The host has no address (mapped to a retryable FetchError)."""


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which hosts may resolve to private addresses."""

    allow_private_networks: bool
    trusted_hosts: frozenset[str]

    def check(self, host: str, addresses: list[str]) -> None:
        """Raise :class:`AddressRefused` if ``host`` may not use one of ``addresses``."""
        if self.allow_private_networks or host.lower() in self.trusted_hosts:
            return
        for address in addresses:
            if is_private_address(address):
                raise AddressRefused(host, address)


def is_private_address(address: str) -> bool:
    """Loopback, private, link-local (cloud metadata), reserved, multicast or unspecified."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


async def resolve_host(host: str, port: int) -> list[str]:
    """The system resolver's addresses for ``host`` (an IP literal is its own answer)."""
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise HostUnresolvable(f"cannot resolve {host} ({exc})") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, checks, then connects to the checked address, never the name."""

    def __init__(self, policy: AddressPolicy, resolve: Resolve) -> None:
        self._policy = policy
        self._resolve = resolve
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolve(host, port)
        if not addresses:
            raise HostUnresolvable(f"cannot resolve {host} (no addresses)")
        self._policy.check(host, addresses)
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport with its connection pool built on :class:`_PinnedBackend`."""

    def __init__(self, limits: httpx.Limits, policy: AddressPolicy, resolve: Resolve) -> None:
        super().__init__(limits=limits, trust_env=False)
        if not isinstance(getattr(self, "_pool", None), httpcore.AsyncConnectionPool):
            raise RuntimeError("httpx changed: AsyncHTTPTransport has no connection pool to pin")
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_PinnedBackend(policy, resolve),
        )
