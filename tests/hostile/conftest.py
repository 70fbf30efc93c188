"""The hostile mirror is built once per session: one run over every payload and path."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.server import FaultServer
from tests.hostile.mirror import HostileMirror, build_hostile_mirror


@pytest.fixture(scope="session")
def hostile_mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileMirror]:
    with FaultServer() as server:
        yield build_hostile_mirror(tmp_path_factory.mktemp("hostile"), server)
