"""Scheduled CI workflows for a mirror: ``newsmirror init --ci github|gitlab``.

The workflow files are package data next to this module.  Each installs exactly
the newsmirror that wrote it (see :mod:`newsmirror.ci.install`): ``__INSTALL__``
and ``__VERSION__`` in a template are replaced when it is written, and a wheel is
written beside it when nothing else pins this version.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath

from newsmirror.ci.install import (
    DEFAULT_INDEX_URL,
    InstallChoice,
    choose_install,
    installed_origin,
    installed_version,
    is_published,
)
from newsmirror.ci.wheel import build_wheel, wheel_name
from newsmirror.errors import ConfigError
from newsmirror.store.files import write_atomic

# target → (where the workflow goes in the mirror, the template shipped here, wheel folder)
CI_TARGETS: dict[str, tuple[str, str, str]] = {
    "github": (".github/workflows/newsmirror.yml", "github.yml", ".github/workflows"),
    "gitlab": (".gitlab-ci.yml", "gitlab.yml", ".gitlab"),
}


@dataclass(frozen=True, slots=True)
class WrittenWorkflow:
    """What ``init --ci`` wrote: the workflow, the wheel beside it if any, what it installs."""

    path: Path
    choice: InstallChoice
    wheel: Path | None = None


def ci_template(target: str) -> str:
    """The workflow template for ``target`` (``github`` or ``gitlab``), placeholders and all."""
    if target not in CI_TARGETS:
        raise ConfigError(f"unknown CI target: {target!r} (choose {', '.join(sorted(CI_TARGETS))})")
    return resources.files("newsmirror.ci").joinpath(CI_TARGETS[target][1]).read_text("utf-8")


def render_ci_workflow(target: str, requirement: str, version: str) -> str:
    """The workflow for ``target`` installing ``requirement`` (a pinned pip requirement)."""
    return ci_template(target).replace("__INSTALL__", requirement).replace("__VERSION__", version)


def wheel_path_for(target: str, version: str) -> str:
    """Where the wheel goes, relative to the mirror: beside the workflow."""
    return str(PurePosixPath(CI_TARGETS[target][2]) / wheel_name(version))


def write_ci_workflow(root: Path, target: str, *, force: bool = False,
                      index_url: str = DEFAULT_INDEX_URL) -> WrittenWorkflow:
    """Write the workflow for ``target`` into the mirror at ``root``, pinned to this version."""
    ci_template(target)  # an unknown target stops here
    path = root / CI_TARGETS[target][0]
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists (use --force to overwrite)", url=str(path))
    version = installed_version()
    wheel_path = wheel_path_for(target, version)
    choice = choose_install(version, published=is_published(version, index_url),
                            origin=installed_origin(), wheel_path=wheel_path)
    wheel = None
    if choice.wheel:
        wheel = root / wheel_path
        write_atomic(wheel, build_wheel(version))
    write_atomic(path, render_ci_workflow(target, choice.requirement, version))
    return WrittenWorkflow(path, choice, wheel)


__all__ = ["CI_TARGETS", "WrittenWorkflow", "ci_template", "render_ci_workflow",
           "wheel_path_for", "write_ci_workflow"]
