"""One run at a time: a second run exits at once; a dead run's lock is taken over."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsmirror.errors import LockError
from newsmirror.store.lock import RunLock, lock_path, read_lock_holder
from tests.support.mirrors import SourceSpec, commit_count, make_mirror


@pytest.fixture()
def mirror(tmp_path: Path) -> Path:
    return make_mirror(tmp_path / "mirror", [SourceSpec("Feed", "feed", "http://127.0.0.1:9/x")])


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_second_run_exits_at_once_naming_the_holder(mirror: Path) -> None:
    with RunLock.acquire(mirror):
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "newsmirror", "run", "--mirror", str(mirror)],
            capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 1
    assert "another newsmirror run is in progress" in result.stderr
    assert "pid" in result.stderr
    assert time.monotonic() - started < 30
    assert commit_count(mirror) == 0


def test_lock_held_by_another_process_refuses(mirror: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from newsmirror.store.lock import RunLock; RunLock.acquire(Path(sys.argv[1])); "
         "print('held', flush=True); time.sleep(60)", str(mirror)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(LockError, match=f"pid {holder.pid}"):
            RunLock.acquire(mirror)
    finally:
        holder.kill()
        holder.wait()


def test_stale_lock_of_a_dead_process_is_taken_over(mirror: Path) -> None:
    path = lock_path(mirror)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"pid": _dead_pid(), "host": "here", "started_ms": 1}))
    with RunLock.acquire(mirror):
        holder = read_lock_holder(mirror)
        assert holder is not None and holder.started_ms > 1


def test_lock_of_a_killed_holder_is_free_again(mirror: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from newsmirror.store.lock import RunLock; RunLock.acquire(Path(sys.argv[1])); "
         "print('held', flush=True); time.sleep(60)", str(mirror)],
        stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait()
    with RunLock.acquire(mirror) as lock:
        assert read_lock_holder(mirror) is not None
        assert lock.after_killed_run  # so the run looks for the files it left half-written


def test_released_lock_can_be_taken_again(mirror: Path) -> None:
    RunLock.acquire(mirror).release()
    again = RunLock.acquire(mirror)
    assert not again.after_killed_run
    again.release()
