"""The site's in-browser search index: Pagefind, rebuilt only when due.

Pagefind reads every page of the site and writes compressed index files that git
stores whole; a changed site marks the index out of date, and the index is rebuilt
when it is missing or ``site_search_every_h`` has passed since the last rebuild.
The marker and the time of the last rebuild live in the cache folder.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from newsmirror.errors import RenderError
from newsmirror.store.files import write_atomic

PAGEFIND_DIR = "pagefind"
SEARCH_PENDING_FILENAME = "site-search-pending"
SEARCH_BUILT_FILENAME = "site-search-built"  # epoch ms of the last search index rebuild
PAGEFIND_TIMEOUT_S = 600


@dataclass(frozen=True, slots=True)
class _SearchDue:
    """Whether a rebuild of the search index is due, and the time to record if it runs."""

    due: bool
    stamp: Path
    now_ms: int


def _search_index_due(cache_dir: Path, every_ms: int, now_ms: int) -> _SearchDue:
    stamp = cache_dir / SEARCH_BUILT_FILENAME
    try:
        last_ms = int(stamp.read_text(encoding="utf-8").strip())
    except (FileNotFoundError, ValueError):
        last_ms = None
    due = every_ms == 0 or last_ms is None or now_ms - last_ms >= every_ms
    return _SearchDue(due, stamp, now_ms)


def update_search_index(
    cache_dir: Path, site: Path, *, changed: bool, every_ms: int, now_ms: int
) -> bool:
    """Run Pagefind when the index is missing, or out of date and a rebuild is due
    (``every_ms`` after the last one; 0: at once).

    A changed site only marks the index out of date (``pending``); the marker
    stays until a rebuild succeeds, so a failed or postponed rebuild is not lost.
    """
    pending = cache_dir / SEARCH_PENDING_FILENAME
    due = _search_index_due(cache_dir, every_ms, now_ms)
    if changed and not pending.exists():
        write_atomic(pending, "the search index of the site is out of date\n")
    missing = not (site / PAGEFIND_DIR / "pagefind.js").exists()
    if not (missing or (pending.exists() and due.due)):
        return False
    index_site_for_search(site)
    pending.unlink(missing_ok=True)
    write_atomic(due.stamp, f"{due.now_ms}\n")
    return True


def index_site_for_search(site: Path) -> bool:
    """Build Pagefind's index of the article pages into ``pagefind/``.

    Pagefind writes into a temporary folder; its files are then copied over with
    :func:`write_atomic`, so unchanged index files keep their bytes, and files it
    no longer produces are removed.
    """
    with tempfile.TemporaryDirectory(prefix="pagefind.") as tmp:
        output = Path(tmp) / PAGEFIND_DIR
        command = [sys.executable, "-m", "pagefind", "--site", str(site),
                   "--output-path", str(output), "--silent"]
        try:
            completed = subprocess.run(command, capture_output=True, text=True,
                                       timeout=PAGEFIND_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise RenderError(f"search index failed: {site} ({exc})", url=str(site)) from exc
        if completed.returncode != 0 or not (output / "pagefind.js").exists():
            detail = (completed.stderr or completed.stdout).strip().splitlines()
            raise RenderError(
                f"search index failed: {site} ({detail[-1] if detail else completed.returncode})",
                url=str(site),
            )
        _replace_folder(output, site / PAGEFIND_DIR)
    return True


def _replace_folder(source: Path, target: Path) -> None:
    produced = set()
    for path in sorted(source.rglob("*")):
        if path.is_file():
            relative = path.relative_to(source)
            produced.add(relative)
            write_atomic(target / relative, path.read_bytes())
    for path in sorted(target.rglob("*"), reverse=True):
        if path.is_file() and path.relative_to(target) not in produced:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            shutil.rmtree(path)


__all__ = ["PAGEFIND_DIR", "index_site_for_search", "update_search_index"]
