"""The fault server, and a second one on another loopback address that plays a private host."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.server import FaultServer, brotli_bomb, gzip_bomb


@pytest.fixture(scope="session")
def _bombs_built() -> None:
    """Compress the bombs once, before any server needs them (it takes a few seconds)."""
    gzip_bomb()
    brotli_bomb()


@pytest.fixture()
def fault_server(_bombs_built: None) -> Iterator[FaultServer]:
    with FaultServer() as server:
        yield server


@pytest.fixture()
def private_server() -> Iterator[FaultServer]:
    """A server on 127.0.0.2: a host that feeds and pages must not be able to reach."""
    with FaultServer(host="127.0.0.2") as server:
        yield server
