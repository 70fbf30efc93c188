"""Making a mirror folder for a test: a newsmirror.toml and a git repository."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from newsmirror.scaffold import Outlet, init_mirror, render_config


@dataclass(frozen=True)
class SourceSpec:
    name: str
    slug: str
    feed: str
    fulltext: str = "auto"


def make_mirror(root: Path, sources: list[SourceSpec], **mirror: object) -> Path:
    """A mirror at ``root`` with these sources; loopback allowed unless said otherwise."""
    settings: dict[str, object] = {
        "allow_private_networks": True,
        "images": "original",
        "max_retries": 0,
        "retry_backoff_s": 0.01,
        "connect_timeout_s": 2.0,
        "read_timeout_s": 5.0,
        "request_deadline_s": 10.0,
    }
    settings.update(mirror)
    outlets = tuple(Outlet(s.name, s.slug, s.feed, s.fulltext, "test source") for s in sources)
    init_mirror(root, config_text=render_config(outlets, mirror_overrides=settings), force=True)
    git(root, "config", "user.name", "Test Volunteer")
    git(root, "config", "user.email", "volunteer@example.invalid")
    return root


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


def commit_count(root: Path) -> int:
    out = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=root, capture_output=True,
                         text=True)
    return int(out.stdout.strip()) if out.returncode == 0 else 0
