"""The shape of the code: imports go one way, no drawer modules, a sorted public API.

Every top-level part of the package (a module such as ``history.py`` or a
package such as ``render/``) has an entry in :data:`ALLOWED_IMPORTS`: the parts
(``"store"``) or single modules of a part (``"store.files"``) its code may
import.  A part may always import itself.  Every import form counts:
``import newsmirror.x``, ``from newsmirror import x``, ``from newsmirror.x import
y``, relative imports (``from . import x``, ``from ..x import y``), imports
inside functions, and ``importlib.import_module("newsmirror.x")``.

A new top-level part needs one line in the table, and nothing else.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

import newsmirror

PACKAGE = Path(newsmirror.__file__).parent
PACKAGE_NAME = "newsmirror"
ROOT_PART = "__init__"  # the package itself: `import newsmirror`
BANNED_NAMES = {"utils", "helpers", "common", "misc", "manager", "base"}

# The frozen data, the error tree, the settings and time: every part may use them.
FOUNDATION = ("config", "errors", "models", "times")
# What each part may import.  Stages share only fetch (I/O), clean.urls (URL rules)
# and store.files (where things live); render renders what it is given and never
# reads article files (store.articles is not in its row); nothing but the command
# line, the package's entry point and the demo imports the orchestrator.
ALLOWED_IMPORTS: dict[str, tuple[str, ...]] = {
    "errors": (),
    "times": (),
    "version": (),
    "models": (),
    "config": ("errors", "models"),
    # stages
    "fetch": FOUNDATION,
    "feeds": (*FOUNDATION, "fetch"),
    "extract": (*FOUNDATION, "clean.urls"),
    "clean": FOUNDATION,
    "images": (*FOUNDATION, "fetch", "clean.urls", "store.files"),
    "store": FOUNDATION,
    "render": (*FOUNDATION, "history", "images.refs", "search", "store.files", "store.markdown"),
    "search": (*FOUNDATION, "clean.sanitize", "store.files"),
    "publish": FOUNDATION,
    # built on the stages
    "article_body": (*FOUNDATION, "clean", "extract", "images.refs"),
    "history": (*FOUNDATION, "clean", "store"),
    "health": (*FOUNDATION, "store"),
    "recheck": (*FOUNDATION, "article_body", "clean", "extract", "fetch", "history", "images",
                "store"),
    "outputs": (*FOUNDATION, "health", "publish", "render", "search", "store"),
    "pipeline": (*FOUNDATION, "article_body", "clean", "extract", "feeds", "fetch", "health",
                 "images", "outputs", "publish", "recheck", "store"),
    # commands beside the pipeline
    "archive": (*FOUNDATION, "article_body", "clean", "extract", "fetch", "images", "outputs",
                "publish", "recheck", "render", "store"),
    "scaffold": (*FOUNDATION, "publish", "store.files"),
    "ci": (*FOUNDATION, "fetch", "store.files", "version"),
    "terminal": FOUNDATION,
    "doctor": (*FOUNDATION, "feeds", "fetch", "health", "publish", "store"),
    "demo": (*FOUNDATION, "pipeline", "scaffold"),
    "importer": (*FOUNDATION, "article_body", "clean.urls", "images", "outputs", "publish",
                 "store"),
    # entry points
    "cli": ("*",),  # the command line may use every part (but no entry point)
    "__main__": ("cli",),
    ROOT_PART: (*FOUNDATION, "pipeline", "version"),
}
ENTRY_POINTS = {"cli", "__main__", ROOT_PART}
# Parts whose output depends only on stored data: they are given the time, never read it.
CLOCK_FREE = ("render", "history", "health", "outputs")
CLOCK_READS = {("time", "time"), ("time", "time_ns"), ("datetime", "now"), ("datetime", "utcnow"),
               ("datetime", "today"), ("date", "today")}


@dataclass(frozen=True)
class Import:
    """One import of the package's own code: who imports what (dotted, inside the package)."""

    module: str
    target: str
    line: int


def part_of(module: str) -> str:
    return module.split(".")[0] if module else ROOT_PART


def module_name(package: Path, path: Path) -> str:
    parts = path.relative_to(package).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def resolve(package: Path, dotted: str) -> str:
    """The deepest module or package that ``dotted`` names (a trailing attribute dropped)."""
    parts = dotted.split(".") if dotted else []
    while parts:
        path = package.joinpath(*parts)
        if path.with_suffix(".py").is_file() or (path / "__init__.py").is_file():
            return ".".join(parts)
        parts.pop()
    return ""


def _inside(name: str) -> str | None:
    """``newsmirror.x.y`` → ``x.y``; ``newsmirror`` → ``""``; another package → None."""
    if name == PACKAGE_NAME:
        return ""
    return name.removeprefix(PACKAGE_NAME + ".") if name.startswith(PACKAGE_NAME + ".") else None


def _relative_base(own: str, is_package: bool, level: int) -> str:
    parts = own.split(".") if own else []
    if not is_package:
        parts = parts[:-1]
    return ".".join(parts[:len(parts) - (level - 1)])


def _imported_names(node: ast.AST, own: str, is_package: bool) -> Iterator[str]:
    """The dotted names (inside the package) an AST node imports."""
    if isinstance(node, ast.Import):
        yield from (n for a in node.names if (n := _inside(a.name)) is not None)
    elif isinstance(node, ast.ImportFrom):
        base = _relative_base(own, is_package, node.level) if node.level else \
            _inside(node.module or "")
        if base is None:
            return
        if node.level and node.module:
            base = f"{base}.{node.module}" if base else node.module
        yield from (base if a.name == "*" else f"{base}.{a.name}".lstrip(".") for a in node.names)
    elif isinstance(node, ast.Call) and _is_dynamic_import(node):
        name = _inside(node.args[0].value)  # type: ignore[attr-defined]
        if name is not None:
            yield name


def _is_dynamic_import(node: ast.Call) -> bool:
    function = node.func
    called = function.attr if isinstance(function, ast.Attribute) else \
        function.id if isinstance(function, ast.Name) else ""
    return called in ("import_module", "__import__") and bool(node.args) and \
        isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)


def imports_in(package: Path, path: Path) -> list[Import]:
    own = module_name(package, path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    return [Import(own, resolve(package, name), getattr(node, "lineno", 0))
            for node in ast.walk(tree) for name in _imported_names(node, own, is_package)]


def is_allowed(imported: Import, table: Mapping[str, tuple[str, ...]]) -> bool:
    own, other = part_of(imported.module), part_of(imported.target)
    if own == other:
        return True
    allowed = table[own]
    if "*" in allowed:
        return other not in ENTRY_POINTS
    return any(imported.target == entry or imported.target.startswith(entry + ".")
               for entry in allowed)


def top_level_parts(package: Path) -> set[str]:
    parts = {p.stem for p in package.glob("*.py")}
    parts |= {p.parent.name for p in package.glob("*/__init__.py")}
    return parts


def import_violations(package: Path, table: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Every import the table does not allow, and every part the table does not know."""
    problems = [f"{part}: no entry in ALLOWED_IMPORTS" for part in
                sorted(top_level_parts(package) - set(table))]
    for path in sorted(package.rglob("*.py")):
        for imported in imports_in(package, path):
            if part_of(imported.module) in table and not is_allowed(imported, table):
                where = path.relative_to(package).as_posix()
                problems.append(f"{where}:{imported.line} imports {imported.target or ROOT_PART}")
    return list(dict.fromkeys(problems))


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py"))


# -- the package as it is -----------------------------------------------------------------


def test_every_import_goes_the_way_the_table_allows() -> None:
    assert import_violations(PACKAGE, ALLOWED_IMPORTS) == []


def test_the_table_names_only_parts_that_exist() -> None:
    parts = top_level_parts(PACKAGE)
    named = {part_of(e) for row in ALLOWED_IMPORTS.values() for e in row if e != "*"}
    assert set(ALLOWED_IMPORTS) - parts == set()
    assert named - parts == set()


def test_allowed_directions_have_no_cycle() -> None:
    edges = {part: {part_of(e) for e in row if e != "*"} - {part}
             for part, row in ALLOWED_IMPORTS.items()}
    done: set[str] = set()

    def visit(part: str, path: tuple[str, ...]) -> None:
        assert part not in path, f"cycle: {' → '.join((*path, part))}"
        if part not in done:
            for other in sorted(edges[part]):
                visit(other, (*path, part))
            done.add(part)

    for part in sorted(edges):
        visit(part, ())


def test_only_entry_points_and_the_demo_may_import_the_orchestrator() -> None:
    importers = {part for part, row in ALLOWED_IMPORTS.items() if "pipeline" in row or "*" in row}
    assert importers == {"cli", "demo", ROOT_PART}
    assert [part for part, row in ALLOWED_IMPORTS.items() if "cli" in row] == ["__main__"]


@pytest.mark.parametrize("part", CLOCK_FREE)
def test_rendering_parts_are_given_the_time_and_never_read_the_clock(part: str) -> None:
    paths = [PACKAGE / f"{part}.py"] if (PACKAGE / f"{part}.py").exists() else \
        sorted((PACKAGE / part).rglob("*.py"))
    reads = [f"{path.relative_to(PACKAGE)}:{node.lineno}" for path in paths
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
             and (node.value.id, node.attr) in CLOCK_READS]
    assert reads == [], "pass the clock in (RunOptions.clock, now_ms) instead"


# -- the checker bites ----------------------------------------------------------------------


VIOLATIONS = {
    "from-package": "from newsmirror import pipeline\n",
    "import-dotted": "import newsmirror.pipeline\n",
    "import-as": "import newsmirror.pipeline as orchestrator\n",
    "from-module": "from newsmirror.pipeline import run\n",
    "relative-parent": "from .. import pipeline\n",
    "relative-module": "from ..pipeline import run\n",
    "in-function": "def later():\n    from newsmirror import cli\n",
    "dynamic": "import importlib\nimportlib.import_module('newsmirror.pipeline')\n",
    "package-root": "import newsmirror\n",
    "store-reader": "from newsmirror.store.articles import ArticleFiles\n",
    "store-package": "from newsmirror import store\n",
}


def fake_package(root: Path, render_module: str) -> Path:
    """A package laid out like ours, with ``render/bad.py`` holding ``render_module``."""
    package = root / PACKAGE_NAME
    for relative in ("__init__.py", "pipeline.py", "cli.py", "history.py", "store/__init__.py",
                     "store/files.py", "store/articles.py", "render/__init__.py"):
        (package / relative).parent.mkdir(parents=True, exist_ok=True)
        (package / relative).write_text("", encoding="utf-8")
    (package / "render" / "bad.py").write_text(render_module, encoding="utf-8")
    return package


FAKE_TABLE = {"render": ("history", "store.files"), "pipeline": ("render",), "cli": ("*",),
              "history": ("store",), "store": (), ROOT_PART: ("pipeline",)}


@pytest.mark.parametrize("source", VIOLATIONS.values(), ids=VIOLATIONS.keys())
def test_checker_catches_every_form_of_a_forbidden_import(tmp_path: Path, source: str) -> None:
    problems = import_violations(fake_package(tmp_path, source), FAKE_TABLE)
    assert len(problems) == 1 and problems[0].startswith("render/bad.py:"), problems


@pytest.mark.parametrize("source", [
    "from . import other\n", "from newsmirror.store import files\n",
    "from newsmirror.store.files import write_atomic\n", "from ..history import load\n",
    "import json\nfrom json import dumps\n",
], ids=["own-part", "allowed-module", "allowed-name", "allowed-relative", "other-packages"])
def test_checker_lets_allowed_imports_through(tmp_path: Path, source: str) -> None:
    assert import_violations(fake_package(tmp_path, source), FAKE_TABLE) == []


def test_checker_asks_for_an_entry_for_a_new_part(tmp_path: Path) -> None:
    package = fake_package(tmp_path, "")
    (package / "importer.py").write_text("from newsmirror import store\n", encoding="utf-8")
    assert import_violations(package, FAKE_TABLE) == ["importer: no entry in ALLOWED_IMPORTS"]


# -- names, API, size -------------------------------------------------------------------


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
