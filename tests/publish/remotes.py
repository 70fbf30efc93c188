"""Real local git remotes for the push tests: one that takes pushes, one that refuses them."""

from __future__ import annotations

import subprocess
from pathlib import Path

from newsmirror.config import Remote


def bare_remote(path: Path) -> Path:
    subprocess.run(["git", "init", "--quiet", "--bare", str(path)], check=True)
    return path


def rejecting_remote(path: Path) -> Path:
    """A bare repository whose pre-receive hook refuses every push."""
    bare_remote(path)
    hook = path / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'this mirror is closed' >&2\nexit 1\n")
    hook.chmod(0o755)
    return path


def branch_head(remote: Path, branch: str) -> str:
    out = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"],
                         cwd=remote, capture_output=True, text=True)
    return out.stdout.strip()


def remotes_toml(remotes: list[Remote]) -> str:
    return "".join(f'\n[[remotes]]\nname = "{r.name}"\nurl = "{r.url}"\n' for r in remotes)
