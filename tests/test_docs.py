"""The documentation covers every command, setting and module."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import typer.main

import newsmirror
from newsmirror.cli import app
from newsmirror.config import ArchiveSettings, MirrorSettings, Remote, Source

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
ARCHITECTURE = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
PACKAGE = Path(newsmirror.__file__).parent


@pytest.mark.parametrize("name", sorted(typer.main.get_command(app).commands))  # type: ignore[attr-defined]
def test_every_command_is_shown_in_the_readme(name: str) -> None:
    assert f"newsmirror {name}" in README


@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(MirrorSettings)])
def test_every_mirror_setting_is_named_in_the_readme(name: str) -> None:
    assert f"`{name}`" in README


@pytest.mark.parametrize("name", [f.name for cls in (Source, Remote, ArchiveSettings)
                                  for f in dataclasses.fields(cls)])
def test_every_source_remote_and_archive_key_is_named_in_the_readme(name: str) -> None:
    assert f"`{name}`" in README


@pytest.mark.parametrize(
    "module",
    sorted({p.parent.name if p.parent != PACKAGE else p.stem
            for p in PACKAGE.rglob("*.py") if p.stem not in {"__init__", "__main__"}}),
)
def test_every_module_or_package_is_in_the_architecture(module: str) -> None:
    assert f"`{module}" in ARCHITECTURE
