"""A run on a terminal: per-source lines that keep moving during a slow fetch, log lines that
never break them, and -v after the command name."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console

from newsmirror.cli import hoist_global_flags
from newsmirror.demo.server import LoopbackServer, Route
from newsmirror.models import ProgressEvent
from newsmirror.terminal import RunBoard, live_board
from tests.faults.server import BEHAVIOURS, FaultServer
from tests.support.mirrors import SourceSpec, make_mirror

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
TEXT = "这是一篇完整的文章正文，足够长，能够通过最短正文的检查，也足够区分每一篇文章。" * 2


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_board_counts_the_seconds_of_the_longest_wait() -> None:
    clock = Clock()
    board = RunBoard({"bbc": "BBC", "dw": "DW"}, clock=clock)
    board.update(ProgressEvent("bbc", "feed", "http://o.test/feed"))
    clock.now += 3
    assert board.describe("bbc") == "feed http://o.test/feed · waiting 3 s"
    board.update(ProgressEvent("bbc", "items", total=2))
    board.update(ProgressEvent("bbc", "item", "http://o.test/slow"))
    clock.now += 1
    board.update(ProgressEvent("bbc", "item", "http://o.test/fast"))
    board.update(ProgressEvent("bbc", "item_done", "http://o.test/fast"))
    clock.now += 7
    assert board.describe("bbc") == "1/2 items · waiting on http://o.test/slow 8 s"
    board.update(ProgressEvent("bbc", "item_done", "http://o.test/slow"))
    board.update(ProgressEvent("bbc", "done"))
    assert board.describe("bbc") == "done · 2/2 items"
    assert board.describe("dw") == "waiting to start"


def test_board_is_drawn_on_a_forced_terminal() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100)
    board = RunBoard({"bbc": "BBC"})
    with live_board(board, console):
        board.update(ProgressEvent("bbc", "feed", "http://o.test/feed"))
        console.print("a log line")
        time.sleep(0.6)
    shown = ANSI.sub("", buffer.getvalue())
    assert "BBC feed http://o.test/feed · waiting 0 s" in shown
    assert "a log line\n" in shown


def test_global_flags_after_the_command_move_before_it() -> None:
    assert hoist_global_flags(["run", "-v", "--mirror", "m"]) == ["-v", "run", "--mirror", "m"]
    assert hoist_global_flags(["search", "--", "-v"]) == ["search", "--", "-v"]


def read_pty(command: list[str], timeout_s: float = 60) -> str:
    main, child = pty.openpty()
    process = subprocess.Popen(command, stdin=child, stdout=child, stderr=child,
                               env={**os.environ, "COLUMNS": "200", "LINES": "40"})
    os.close(child)
    chunks = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if select.select([main], [], [], 0.2)[0]:
            try:
                chunks.append(os.read(main, 65536))
            except OSError:
                break
        elif process.poll() is not None:
            break
    process.wait(timeout=10)
    os.close(main)
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_run_on_a_terminal_shows_a_slow_fetch_and_logs_above_it(tmp_path: Path) -> None:
    with FaultServer() as faulty:
        faulty.routes["/stall"] = BEHAVIOURS["slow-headers"]
        slow = faulty.url("/stall")
        feed = ('<rss version="2.0"><channel><title>t</title>'
                '<item><title>快</title><link>{{origin}}/a/fast-story</link></item>'
                f'<item><title>慢</title><link>{slow}</link></item></channel></rss>')
        routes = {"/feed.xml": Route(feed.encode(), "application/rss+xml"),
                  "/a/fast-story": Route(f"<html><body><article><p>{TEXT}</p></article>"
                                         "</body></html>".encode())}
        with LoopbackServer(routes) as server:
            root = make_mirror(tmp_path / "m", [SourceSpec("慢源", "slow", server.url("/feed.xml"),
                                                           "page")],
                               read_timeout_s=30.0, request_deadline_s=3.5, site_search=False)
            output = read_pty([sys.executable, "-m", "newsmirror", "run", "-v", "--mirror",
                               str(root), "--no-commit"])
    lines = [line.strip() for line in re.split(r"[\r\n]+", ANSI.sub("", output)) if line.strip()]
    waits = {int(m.group(1)) for line in lines
             for m in [re.search(rf"waiting on {re.escape(slow)} (\d+) s", line)] if m}
    assert {1, 2, 3} <= waits, lines[:40]  # the line keeps moving while the fetch hangs
    failed = [line for line in lines if "item failed" in line]
    assert failed and all(line.startswith("WARNING") for line in failed), failed
    assert not [line for line in lines if "waiting on" in line and "item failed" in line]
    assert any(line.startswith("DEBUG") for line in lines)  # -v after the command name
