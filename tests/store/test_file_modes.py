"""Files a web server running as another user can read: the umask decides, not mkstemp."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.images.pages import EVERY_KIND_BODY, every_kind_image_routes, rss_feed
from tests.support.mirrors import SourceSpec, make_mirror

from newsmirror.config import load_config
from newsmirror.demo.server import LoopbackServer
from newsmirror.pipeline import RunOptions, run
from newsmirror.store.files import file_mode, write_atomic


@pytest.fixture()
def umask() -> Iterator[object]:
    """Set the process's umask for one test, and put the old one back."""
    previous = os.umask(0o022)

    def set_umask(mask: int) -> None:
        os.umask(mask)

    yield set_umask
    os.umask(previous)


def modes(root: Path) -> dict[str, int]:
    """Permission bits of every file a run wrote (git's and the cache's own files aside)."""
    found = {}
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if path.is_file() and relative.parts[0] not in {".git", ".newsmirror"}:
            found[relative.as_posix()] = stat.S_IMODE(path.stat().st_mode)
    return found


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)],
                         ids=["022", "027", "002"])
def test_write_atomic_gives_new_files_the_umask_mode(
    tmp_path: Path, umask: object, mask: int, expected: int
) -> None:
    umask(mask)  # type: ignore[operator]
    write_atomic(tmp_path / "a" / "page.html", "<p>x</p>")
    assert file_mode() == expected
    assert stat.S_IMODE((tmp_path / "a" / "page.html").stat().st_mode) == expected


def test_an_unchanged_file_left_private_by_an_older_version_is_opened_up(
    tmp_path: Path, umask: object
) -> None:
    umask(0o022)  # type: ignore[operator]
    path = tmp_path / "feed.xml"
    path.write_text("<feed/>", encoding="utf-8")
    path.chmod(0o600)
    assert write_atomic(path, "<feed/>") is False
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_every_file_a_run_writes_is_readable_by_others_under_umask_022(
    tmp_path: Path, umask: object
) -> None:
    umask(0o022)  # type: ignore[operator]
    routes = {"/feed": rss_feed([("/a/1", "各种图片", EVERY_KIND_BODY)]), **every_kind_image_routes()}
    with LoopbackServer(routes) as server:
        root = make_mirror(tmp_path / "m", [SourceSpec("图片", "img", server.url("/feed"), "feed")],
                           images="local", allow_private_networks=False, site_search=False)
        run(load_config(root), RunOptions(commit=False))
    written = modes(root)
    kinds = {path.split("/")[0] for path in written}
    assert {"articles", "index", "lists", "feeds", "media", "docs", "README.md"} <= kinds
    assert any(p.startswith("docs/media/") for p in written)
    assert {p: m for p, m in written.items() if m != 0o644} == {}
