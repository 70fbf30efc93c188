"""The only module that runs git: initialise, stage, commit (and, later, push)."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

from newsmirror.errors import GitError

log = logging.getLogger(__name__)

# What a run writes, relative to the mirror root; only these are staged.
MANAGED_PATHS = (
    "articles", "index", "lists", "feeds", "media", "README.md", "STATUS.md",
    "newsmirror.toml", ".gitignore",
)
FALLBACK_IDENTITY = ("newsmirror", "newsmirror@localhost")


def run_git(root: Path, *args: str, check: bool = True, timeout_s: float = 300) -> str:
    """Run ``git`` in ``root``; raise :class:`GitError` with its stderr on failure."""
    try:
        completed = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=timeout_s,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git {args[0]} failed: {root} ({exc})", url=str(root)) from exc
    if check and completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip().splitlines()
        raise GitError(
            f"git {args[0]} failed: {root} ({detail[-1] if detail else completed.returncode})",
            url=str(root),
        )
    return completed.stdout


def is_repository(root: Path) -> bool:
    return (root / ".git").exists()


def init_repository(root: Path) -> None:
    if not is_repository(root):
        run_git(root, "init", "--quiet")


def _identity_args(root: Path) -> list[str]:
    name = run_git(root, "config", "user.name", check=False).strip()
    email = run_git(root, "config", "user.email", check=False).strip()
    args: list[str] = []
    if not name:
        args += ["-c", f"user.name={FALLBACK_IDENTITY[0]}"]
    if not email:
        args += ["-c", f"user.email={FALLBACK_IDENTITY[1]}"]
    return args


def commit_changes(root: Path, message: str, *, extra_paths: tuple[str, ...] = ()) -> str | None:
    """Stage the mirror's outputs and commit them; return the new commit, or None if clean."""
    init_repository(root)
    paths = [p for p in (*MANAGED_PATHS, *extra_paths) if (root / p).exists()]
    if not paths:
        return None
    run_git(root, "add", "--all", "--", *paths)
    staged = run_git(root, "diff", "--cached", "--name-only", "-z", check=False)
    if not staged.strip("\0"):
        return None
    run_git(root, *_identity_args(root), "commit", "--quiet", "--no-verify", "-m", message)
    commit = run_git(root, "rev-parse", "HEAD").strip()
    log.info("committed commit=%s message=%r", commit[:12], message)
    return commit
