"""Scheduled CI workflows for a mirror: ``newsmirror init --ci github|gitlab``.

The workflow files are package data next to this module, written as they are.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from newsmirror.errors import ConfigError
from newsmirror.store.files import write_atomic

# target → (where the workflow goes in the mirror, the template shipped here)
CI_TARGETS: dict[str, tuple[str, str]] = {
    "github": (".github/workflows/newsmirror.yml", "github.yml"),
    "gitlab": (".gitlab-ci.yml", "gitlab.yml"),
}


def ci_template(target: str) -> str:
    """The workflow text for ``target`` (``github`` or ``gitlab``)."""
    if target not in CI_TARGETS:
        raise ConfigError(f"unknown CI target: {target!r} (choose {', '.join(sorted(CI_TARGETS))})")
    return resources.files("newsmirror.ci").joinpath(CI_TARGETS[target][1]).read_text("utf-8")


def write_ci_workflow(root: Path, target: str, *, force: bool = False) -> Path:
    """Write the workflow for ``target`` into the mirror at ``root``; return its path."""
    text = ci_template(target)
    path = root / CI_TARGETS[target][0]
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists (use --force to overwrite)", url=str(path))
    write_atomic(path, text)
    return path


__all__ = ["CI_TARGETS", "ci_template", "write_ci_workflow"]
