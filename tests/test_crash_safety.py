"""A run killed with SIGKILL at any point leaves a consistent mirror; the next run finishes it.

Each case starts ``python -m newsmirror run`` over the recorded feeds as a real
subprocess, kills it when a file appears (or after a delay), checks what is on
disk, runs again and checks that the mirror then holds exactly what an
uninterrupted run writes, once each.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newsmirror.config import load_config
from newsmirror.demo.server import LoopbackServer
from newsmirror.pipeline import RunOptions, run
from newsmirror.store.articles import parse_article_file
from newsmirror.store.index import record_from_json
from newsmirror.store.lock import lock_path
from tests.support.mirrors import git
from tests.support.recorded import make_recorded_mirror, recorded_routes

KILL_DEADLINE_S = 30.0


def _exists(pattern: str) -> Callable[[Path], bool]:
    return lambda root: next(root.glob(pattern), None) is not None


KILL_POINTS: dict[str, Callable[[Path], bool]] = {
    "lock-taken": _exists(".newsmirror/run.lock"),
    "first-article": _exists("articles/*/*/*/*.md"),
    # by then the feed-only sources are done, their month READMEs not yet written
    "120-articles": lambda root: len(list(root.glob("articles/*/*/*/*.md"))) >= 120,
    "lists-written": _exists("lists/*.md"),
    "git-committing": _exists(".git/index.lock"),
}


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """What one run without interruption mirrors: URL paths per source."""
    with LoopbackServer(recorded_routes()) as server:
        root = make_recorded_mirror(tmp_path_factory.mktemp("reference") / "mirror",
                                    server.origin)
        run(load_config(root), RunOptions())
    return _mirrored_paths(root)


def _index_records(root: Path) -> Iterator[dict[str, object]]:
    for shard in sorted(root.glob("index/*/*.jsonl")):
        for line in shard.read_text(encoding="utf-8").splitlines():
            record_from_json(line)  # raises on a half-written or corrupt line
            yield json.loads(line)


def _mirrored_paths(root: Path) -> dict[str, set[str]]:
    paths: dict[str, set[str]] = {}
    for record in _index_records(root):
        paths.setdefault(str(record["source"]), set()).add(
            urlsplit(str(record["canonical_url"])).path)
    return paths


def _kill_run_when(root: Path, is_due: Callable[[Path], bool]) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "newsmirror", "--quiet", "run", "--mirror", str(root)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + KILL_DEADLINE_S
    while process.poll() is None and not is_due(root) and time.monotonic() < deadline:
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait()


def _assert_consistent(root: Path) -> None:
    """Every article file whole, every index line whole, every record's file present."""
    for path in root.glob("articles/*/*/*/*.md"):
        if path.name != "README.md":
            parse_article_file(path.read_text(encoding="utf-8"))
    for record in _index_records(root):
        assert (root / str(record["path"])).is_file(), record["path"]
    tracked = git(root, "ls-files").splitlines()
    assert not [p for p in tracked if p.endswith(".tmp")]


def _assert_month_readmes_list_every_article(root: Path) -> None:
    folders = {p.parent for p in root.glob("articles/*/*/*/*.md")}
    assert folders
    for folder in folders:
        listed = (folder / "README.md").read_text(encoding="utf-8")
        for article in folder.glob("*.md"):
            if article.name != "README.md":
                assert article.name in listed, f"{article} missing from {folder}/README.md"


@pytest.mark.slow
@pytest.mark.parametrize("point", list(KILL_POINTS), ids=list(KILL_POINTS))
def test_run_killed_leaves_consistent_mirror_that_next_run_completes(
    point: str, recorded_mirror: Path, uninterrupted: dict[str, set[str]]
) -> None:
    _kill_run_when(recorded_mirror, KILL_POINTS[point])
    _assert_consistent(recorded_mirror)

    report = run(load_config(recorded_mirror), RunOptions())

    assert report.ok
    assert _mirrored_paths(recorded_mirror) == uninterrupted
    records = list(_index_records(recorded_mirror))
    files = [p for p in recorded_mirror.glob("articles/*/*/*/*.md") if p.name != "README.md"]
    assert len({r["id"] for r in records}) == len(records) == len(files)
    _assert_month_readmes_list_every_article(recorded_mirror)
    assert not list(recorded_mirror.rglob("*.tmp"))
    assert git(recorded_mirror, "status", "--porcelain") == ""


@pytest.mark.parametrize("relative", [
    "articles/bbc/2025/11/.page.md.x1.tmp", "docs/.index.html.x2.tmp", "feeds/.all.xml.x3.tmp",
    ".newsmirror/.health.json.x4.tmp", ".README.md.x5.tmp",
], ids=["articles", "site", "feeds", "cache", "root"])
def test_next_run_removes_temporary_files_of_a_killed_one(
    recorded_mirror: Path, relative: str
) -> None:
    leftover = recorded_mirror / relative
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_text("half a file")
    _leave_the_lock_of_a_killed_run(recorded_mirror)
    run(load_config(recorded_mirror), RunOptions(only_sources=("dw",)))
    assert not leftover.exists()


def test_after_a_clean_end_the_next_run_does_not_walk_the_mirror(recorded_mirror: Path) -> None:
    """Temporary files are a killed run's; after a clean end none are looked for."""
    run(load_config(recorded_mirror), RunOptions(only_sources=("dw",)))
    planted = recorded_mirror / "docs" / ".not-a-leftover.x.tmp"
    planted.write_text("not written by a run")
    run(load_config(recorded_mirror), RunOptions(only_sources=("dw",)))
    assert planted.exists()


def _leave_the_lock_of_a_killed_run(root: Path) -> None:
    """What a run killed while holding the lock leaves: its name in the lock file."""
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
    lock = lock_path(root)
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text(json.dumps({"pid": int(finished.stdout), "host": socket.gethostname(),
                                "started_ms": 1_700_000_000_000}) + "\n", encoding="utf-8")


def test_next_run_leaves_git_own_files_alone(recorded_mirror: Path) -> None:
    inside_git = recorded_mirror / ".git" / ".keep.tmp"
    inside_git.write_text("git's")
    run(load_config(recorded_mirror), RunOptions(only_sources=("dw",)))
    assert inside_git.exists()
