"""`newsmirror doctor` says, for each failing feed, the cause it saw and the fix for that cause,
and prints each check as soon as it is done."""

from __future__ import annotations

import os
import pty
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsmirror.cli import app
from newsmirror.demo.server import LoopbackServer, Route
from tests.faults.server import BEHAVIOURS, FaultServer
from tests.support.mirrors import SourceSpec, make_mirror

runner = CliRunner()
RSS = b'<rss version="2.0"><channel><title>t</title><item><title>a</title><link>http://x.test/a</link></item></channel></rss>'


@pytest.fixture()
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture()
def servers() -> Iterator[tuple[LoopbackServer, FaultServer]]:
    routes = {"/rss": Route(RSS, "application/rss+xml"), "/page": Route(b"<html><body>hi</body></html>")}
    with LoopbackServer(routes) as good, FaultServer() as faulty:
        faulty.routes["/stall"] = BEHAVIOURS["slow-headers"]
        yield good, faulty


@pytest.fixture()
def doctor_lines(tmp_path: Path, servers: tuple[LoopbackServer, FaultServer],
                 closed_port: int) -> list[str]:
    good, faulty = servers
    https_to_plain = good.origin.replace("http://", "https://") + "/rss"
    root = make_mirror(tmp_path / "m", [
        SourceSpec("好", "good", good.url("/rss")),
        SourceSpec("无", "gone", good.url("/missing")),
        SourceSpec("页", "page", good.url("/page")),
        SourceSpec("名", "dns", "http://nosuch-feed-host.invalid/rss"),
        SourceSpec("密", "tls", https_to_plain),
        SourceSpec("慢", "slow", faulty.url("/stall")),
        SourceSpec("关", "closed", f"http://127.0.0.1:{closed_port}/rss"),
    ], read_timeout_s=0.5, request_deadline_s=1.5)
    result = runner.invoke(app, ["doctor", "--mirror", str(root)])
    assert result.exit_code == 1
    return result.output.splitlines()


@pytest.mark.parametrize(("slug", "cause"), [
    ("gone", "HTTP 404: the feed is not at this address"),
    ("page", "not a feed:"),
    ("dns", "DNS:"),
    ("tls", "TLS:"),
    ("slow", "timeout:"),
    ("closed", "connection refused:"),
], ids=["http-status", "not-a-feed", "dns", "tls", "timeout", "refused"])
def test_each_failing_feed_shows_its_cause_and_the_fix_for_it(
    doctor_lines: list[str], slug: str, cause: str
) -> None:
    at = next(i for i, line in enumerate(doctor_lines) if line.startswith(f"FAIL feed {slug}:"))
    assert doctor_lines[at + 1].startswith(f"     cause: {cause}"), doctor_lines[at:at + 3]
    assert doctor_lines[at + 2].startswith("     fix: ")


def test_the_fixes_differ_by_cause(doctor_lines: list[str]) -> None:
    fixes = [line for line in doctor_lines if line.startswith("     fix: ")]
    feed_fixes = fixes[-6:]
    assert len(set(feed_fixes)) == 6


def test_doctor_prints_each_check_while_the_others_still_run(tmp_path: Path) -> None:
    """On a terminal, the config line is there while a stalled feed still holds the run."""
    with FaultServer() as faulty:
        faulty.routes["/stall"] = BEHAVIOURS["slow-headers"]
        root = make_mirror(tmp_path / "m", [SourceSpec("慢", "slow", faulty.url("/stall"))],
                           read_timeout_s=5.0, request_deadline_s=6.0)
        main, child = pty.openpty()
        process = subprocess.Popen([sys.executable, "-m", "newsmirror", "doctor", "--mirror",
                                    str(root)], stdin=child, stdout=child, stderr=child,
                                   env={**os.environ, "COLUMNS": "200"})
        os.close(child)
        seen, checked_early = b"", False
        deadline = time.monotonic() + 30
        while b"disk space" not in seen and time.monotonic() < deadline:
            if select.select([main], [], [], 0.2)[0]:
                try:
                    chunk = os.read(main, 4096)
                except OSError:
                    break
                seen += chunk
                if b"ok   config:" in seen and b"feed slow" not in seen:
                    assert process.poll() is None  # the feed check has not answered yet
                    checked_early = True
        process.wait(timeout=30)
        os.close(main)
    assert checked_early
    text = seen.decode()
    assert text.index("ok   config:") < text.index("FAIL feed slow:") < text.index("disk space")
