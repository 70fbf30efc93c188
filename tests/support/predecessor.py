"""The predecessor's sample files laid out as its archive was: ``articles/<folder>/<file>``.

Each sample goes back to the folder it was read from (``MANIFEST.md``: Chinese
folder names until late 2020, slugs after), and the files from Chinese-named
folders get the ``<id>_<title>.md`` names they had there.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from newsmirror.scaffold import DEFAULT_OUTLETS
from tests.support.mirrors import SourceSpec
from tests.support.recorded import PREDECESSOR

_ROW = re.compile(r"^\| `(?P<ours>[a-z]+/\d+\.md)` \| \w+ \| `articles/(?P<folder>[^/`]+)/(?P<id>\d+)\.md`",
                  re.M)
REUTERS = ("路透社", "reuters")


@dataclass(frozen=True)
class PredecessorFile:
    sample: Path  # the sample in the shared fixtures
    folder: str  # the folder it lay in
    name: str  # its name there

    @property
    def relative(self) -> str:
        return f"articles/{self.folder}/{self.name}"


def predecessor_files() -> list[PredecessorFile]:
    files = []
    for row in _ROW.finditer((PREDECESSOR / "MANIFEST.md").read_text(encoding="utf-8")):
        sample = PREDECESSOR / row["ours"]
        folder, ident = row["folder"], row["id"]
        if folder.isascii():
            name = f"{ident}.md"
        else:
            link = sample.read_text(encoding="utf-8").split("\n")[1]
            name = f"{ident}_{link[1:link.rfind('](')]}.md"
        files.append(PredecessorFile(sample, folder, name))
    return files


def write_predecessor_archive(root: Path, *, slugs: tuple[str, ...] | None = None) -> Path:
    """The samples (of ``slugs``' outlets, or all) under ``root/articles``; returns ``root``."""
    for file in predecessor_files():
        if slugs is None or file.sample.parent.name in slugs:
            target = root / file.relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file.sample, target)
    return root


def predecessor_sources(feed: str = "http://127.0.0.1:9/feed") -> list[SourceSpec]:
    """The eight default outlets and Reuters, as the predecessor mirrored them."""
    outlets = [(o.name, o.slug) for o in DEFAULT_OUTLETS] + [REUTERS]
    return [SourceSpec(name, slug, f"{feed}/{slug}", "feed") for name, slug in outlets]
