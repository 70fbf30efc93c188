"""The shape of the code: one-way dependencies, no drawer modules, a sorted public API."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import newsmirror

PACKAGE = Path(newsmirror.__file__).parent
BANNED_NAMES = {"utils", "helpers", "common", "misc", "manager", "base"}
# Modules every stage may use.
FOUNDATION = {"models", "errors", "config"}
# Stage packages/modules that must not import one another (fetch and clean.urls excepted).
STAGES = {"fetch", "feeds", "extract", "clean", "images", "store", "render", "publish"}
SHARED_STAGES = {"fetch", "clean.urls"}


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py"))


def imported_newsmirror_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("newsmirror"):
            names.add(node.module.removeprefix("newsmirror").lstrip("."))
        elif isinstance(node, ast.Import):
            names.update(a.name.removeprefix("newsmirror.") for a in node.names
                         if a.name.startswith("newsmirror."))
    return names


def stage_of(module: str) -> str:
    return module.split(".")[0]


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_nothing_imports_cli_or_pipeline(path: Path) -> None:
    own = path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")
    if own in {"cli", "__main__", "__init__"}:
        return
    imports = imported_newsmirror_modules(path)
    assert "cli" not in imports
    if not own.startswith(("demo", "pipeline")):
        assert "pipeline" not in imports, f"{own} imports the orchestrator"


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_stages_do_not_import_each_other(path: Path) -> None:
    own = stage_of(path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", "."))
    if own not in STAGES:
        return
    for module in imported_newsmirror_modules(path):
        other = stage_of(module)
        if other in STAGES and other != own:
            assert other in SHARED_STAGES or module in SHARED_STAGES or other == "store" and \
                module.startswith(("store.files", "store.articles")), f"{own} imports {module}"


def test_no_drawer_module_names() -> None:
    for path in modules():
        assert path.stem not in BANNED_NAMES, path


def test_public_api_is_sorted_and_complete() -> None:
    assert newsmirror.__all__ == sorted(newsmirror.__all__)
    for name in newsmirror.__all__:
        assert hasattr(newsmirror, name), name


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_modules_stay_under_a_thousand_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) < 1000
