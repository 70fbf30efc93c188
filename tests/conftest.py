"""Shared fixtures: loopback servers with recorded responses, fresh mirrors, no internet."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsmirror.demo.server import LoopbackServer
from tests.support.recorded import SHARED, make_recorded_mirror, recorded_routes

_real_connect = socket.socket.connect


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="Rewrite golden files (tests/golden/mirror/manifest.json) from the "
                          "current output instead of comparing with them.")


def _loopback_only(self: socket.socket, address: object) -> None:
    host = address[0] if isinstance(address, tuple) else None
    if host is not None and not (
        str(host).startswith("127.") or host in ("::1", "localhost") or self.family == socket.AF_UNIX
    ):
        raise OSError(f"tests may not reach the network: {address}")
    _real_connect(self, address)


@pytest.fixture(autouse=True)
def _block_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite runs offline: any socket to a non-loopback address fails."""
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"the shared fixtures are missing: {SHARED}")
    return SHARED


@pytest.fixture()
def recorded_server(shared_dir: Path) -> Iterator[LoopbackServer]:
    """Recorded real feeds at /feed/{bbc,dw,nyt,cdt}, BBC pages behind the BBC feed's links."""
    with LoopbackServer(recorded_routes()) as server:
        yield server


@pytest.fixture()
def recorded_mirror(tmp_path: Path, recorded_server: LoopbackServer) -> Path:
    """A mirror of the four recorded feeds (BBC through its pages, the rest from the feed)."""
    origin = recorded_server.origin
    return make_recorded_mirror(tmp_path / "mirror", origin)
