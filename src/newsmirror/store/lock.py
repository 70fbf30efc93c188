"""One run at a time: the run lock at ``.newsmirror/run.lock``.

The lock is an advisory ``flock`` on the lock file, so the kernel releases it the
moment its holder dies, however it dies (a SIGKILL, an out-of-memory kill, a
power cut); a lock file left behind by a dead run is simply taken over.  The file
also names its holder (pid, host, start time), so a second run can say who holds
the lock.  Where ``flock`` is not available (some network file systems) the
holder's pid decides: a lock whose pid no longer runs on this host is stale.

A holder that ends cleanly empties the file; a holder's name still in it when
the lock is taken means that run was killed (:attr:`RunLock.after_killed_run`),
so only then need the next one look for the temporary files it left.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from newsmirror.errors import LockError
from newsmirror.store.index import prepare_cache_dir

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)
LOCK_FILENAME = "run.lock"
_UNSUPPORTED = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL}


@dataclass(frozen=True, slots=True)
class LockHolder:
    """Who holds (or last held) a mirror's run lock."""

    pid: int
    host: str
    started_ms: int


def lock_path(root: Path) -> Path:
    return root / ".newsmirror" / LOCK_FILENAME


def read_lock_holder(root: Path) -> LockHolder | None:
    """The holder named in the lock file, or None when there is no readable one."""
    try:
        data = json.loads(lock_path(root).read_text(encoding="utf-8"))
        return LockHolder(int(data["pid"]), str(data["host"]), int(data["started_ms"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def is_process_alive(pid: int) -> bool:
    """True when a process with this pid runs on this host (and is not a zombie)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


class RunLock:
    """The held run lock of one mirror; release it with :meth:`release` or ``with``."""

    def __init__(self, root: Path, fd: int, *, after_killed_run: bool = False) -> None:
        self.root = root
        self._fd: int | None = fd
        self.after_killed_run = after_killed_run  # the last holder did not end cleanly

    @classmethod
    def acquire(cls, root: Path) -> RunLock:
        """Take the lock now or raise :class:`LockError` naming its holder."""
        path = prepare_cache_dir(root) / LOCK_FILENAME
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            outcome = _try_flock(fd)
            previous = read_lock_holder(root)
            if outcome == "held" or (
                outcome == "unsupported" and previous is not None and _is_live_holder(previous)
            ):
                raise LockError(_held_message(root, previous), url=str(root))
        except BaseException:
            os.close(fd)
            raise
        if previous is not None and previous.pid != os.getpid():
            log.warning("stale run lock taken over pid=%d started_ms=%d", previous.pid,
                        previous.started_ms)
        _write_holder(fd)
        return cls(root, fd, after_killed_run=previous is not None)

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
        finally:
            os.close(fd)  # closing the descriptor drops the flock

    def __enter__(self) -> RunLock:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.release()


def hold_run_lock(root: Path) -> RunLock:
    """``with hold_run_lock(root):`` — the body runs while no other run can."""
    return RunLock.acquire(root)


def _try_flock(fd: int) -> str:
    """``"acquired"``, ``"held"`` (by another process) or ``"unsupported"`` here."""
    if fcntl is None:  # pragma: no cover - not on POSIX
        return "unsupported"
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return "held"
    except OSError as exc:
        if exc.errno in _UNSUPPORTED:
            return "unsupported"  # the holder's pid decides instead
        raise
    return "acquired"


def _is_live_holder(holder: LockHolder) -> bool:
    if holder.host != socket.gethostname():
        return True  # another machine's process: we cannot tell, so respect it
    return is_process_alive(holder.pid)


def _write_holder(fd: int) -> None:
    holder = {"pid": os.getpid(), "host": socket.gethostname(),
              "started_ms": int(time.time() * 1000)}
    os.ftruncate(fd, 0)
    os.pwrite(fd, (json.dumps(holder) + "\n").encode(), 0)


def _held_message(root: Path, holder: LockHolder | None) -> str:
    if holder is None:
        return (f"another newsmirror run is in progress: {root} (it is just starting); "
                "this run exits without changing anything")
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(holder.started_ms / 1000))
    return (f"another newsmirror run is in progress: {root} (pid {holder.pid} on {holder.host}, "
            f"started {started}); this run exits without changing anything")


__all__ = ["LockHolder", "RunLock", "hold_run_lock", "is_process_alive", "lock_path",
           "read_lock_holder"]
