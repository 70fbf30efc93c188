"""The same fixtures give a byte-identical mirror: every file a run writes, by hash.

``tests/golden/mirror/manifest.json`` lists path → SHA-256 of every file three
runs over the recorded fixtures write (see :mod:`tests.support.golden_mirror`).
A change that alters any output fails here with the paths that differ.  When the
change is meant, rewrite the manifest and review its diff like code::

    .venv/bin/python -m pytest tests/test_golden_mirror.py --update-golden
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.golden_mirror import build_golden_mirror, mirror_manifest

MANIFEST = Path(__file__).parent / "golden" / "mirror" / "manifest.json"


def manifest_differences(want: dict[str, str], got: dict[str, str]) -> list[str]:
    """One line per path that is missing, unexpected or has other bytes."""
    lines = [f"missing:    {p}" for p in sorted(set(want) - set(got))]
    lines += [f"unexpected: {p}" for p in sorted(set(got) - set(want))]
    lines += [f"changed:    {p}" for p in sorted(set(want) & set(got)) if want[p] != got[p]]
    return lines


@pytest.mark.slow
def test_recorded_fixtures_give_the_golden_mirror(
    tmp_path: Path, shared_dir: Path, request: pytest.FixtureRequest
) -> None:
    with build_golden_mirror(tmp_path) as mirror:
        got = mirror_manifest(mirror)
    if request.config.getoption("--update-golden"):
        MANIFEST.parent.mkdir(parents=True, exist_ok=True)
        MANIFEST.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                            encoding="utf-8")
    want = json.loads(MANIFEST.read_text(encoding="utf-8"))
    differences = manifest_differences(want, got)
    assert not differences, (
        f"{len(differences)} file(s) differ from {MANIFEST.name} (if meant: --update-golden):\n"
        + "\n".join(differences))


def test_manifest_differences_name_every_differing_path() -> None:
    want = {"a.md": "1", "b.md": "2", "c.md": "3"}
    got = {"a.md": "1", "b.md": "9", "d.md": "4"}
    assert manifest_differences(want, got) == [
        "missing:    c.md", "unexpected: d.md", "changed:    b.md"]


def test_golden_manifest_covers_every_kind_of_output() -> None:
    paths = json.loads(MANIFEST.read_text(encoding="utf-8"))
    for expected in ("STATUS.md", "README.md", "lists/changes.md", "feeds/changes.xml",
                     "docs/index.html", "docs/feeds/all.xml", "index/daily/2026-11.jsonl",
                     "revisions/daily/2026/11/river-cleanup/1795000000000.md",
                     "articles/bbc/2025/11/xiang-gang-da-bu-hong-fu-yuan-da-huo-xing-cun.md", "articles/dw/2015/03/README.md"):
        assert expected in paths
    assert any(p.startswith("media/") for p in paths)
    assert not any(p.startswith((".git/", ".newsmirror/")) for p in paths)
