"""What the site was last built from, committed with it, so a fresh clone decides the same.

Under the site folder, ``_state/`` holds one small file for the site and one per
source and month::

    _state/site.json               {"inputs": …, "sources": {slug: {"count": n,
                                    "months": {"YYYY-MM": shard hash}}}}
    _state/{slug}/{YYYY-MM}.json   {"inputs": …, "pages": {"{page}": [record hash, id]}}

``inputs`` is a hash of everything every page depends on besides the archive
(templates, static files, the site settings, the sources' names).  A month whose
committed index shard has another hash than its state says is rendered again,
and in it only the pages whose record changed; a source none of whose months
changed is not looked at.  Every value is a hash of committed bytes, never a
modification time, so a fresh clone, a warm mirror and a restored cache agree.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsmirror.store.files import write_atomic

STATE_DIR = "_state"
SITE_STATE = "site.json"
PAGE_HASH_CHARS = 20


@dataclass(slots=True)
class SourceState:
    """How a source's pages were last built: from which shards, with how many articles."""

    count: int = 0
    months: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class SiteState:
    """What the whole site was last built with, and each source's state."""

    inputs: str = ""
    sources: dict[str, SourceState] = field(default_factory=dict)


@dataclass(slots=True)
class MonthState:
    """Each article page of one month: the hash of the record it was rendered from, and
    the article's id (to tell the search index which articles left)."""

    inputs: str = ""
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)


def month_state_path(site: Path, slug: str, month: str) -> Path:
    return site / STATE_DIR / slug / f"{month}.json"


def page_hash(inputs: str, record_line: str) -> str:
    """What an article page is rendered from: the site's inputs and its record's line."""
    return hashlib.sha256(f"{inputs}\n{record_line}".encode()).hexdigest()[:PAGE_HASH_CHARS]


def read_site_state(site: Path) -> SiteState:
    data = _read_json(site / STATE_DIR / SITE_STATE)
    sources = data.get("sources")
    if not isinstance(sources, dict):
        return SiteState()
    return SiteState(str(data.get("inputs", "")), {
        str(slug): SourceState(int(value.get("count", 0)),
                               {str(k): str(v) for k, v in value.get("months", {}).items()})
        for slug, value in sources.items() if isinstance(value, dict)
    })


def write_site_state(site: Path, state: SiteState) -> bool:
    sources = {slug: {"count": source.count, "months": dict(sorted(source.months.items()))}
               for slug, source in sorted(state.sources.items()) if source.months}
    return write_atomic(site / STATE_DIR / SITE_STATE,
                        _dumps({"inputs": state.inputs, "sources": sources}))


def read_month_state(site: Path, slug: str, month: str) -> MonthState:
    data = _read_json(month_state_path(site, slug, month))
    pages = data.get("pages")
    if not isinstance(pages, dict):
        return MonthState()
    return MonthState(str(data.get("inputs", "")), {
        str(page): (str(value[0]), str(value[1])) for page, value in pages.items()
        if isinstance(value, list) and len(value) == 2
    })


def write_month_state(site: Path, slug: str, month: str, state: MonthState) -> bool:
    return write_atomic(month_state_path(site, slug, month), _dumps(
        {"inputs": state.inputs, "pages": {page: list(value) for page, value in
                                           sorted(state.pages.items())}}))


def remove_month_state(site: Path, slug: str, month: str) -> None:
    month_state_path(site, slug, month).unlink(missing_ok=True)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=0) + "\n"


__all__ = [
    "MonthState",
    "SiteState",
    "SourceState",
    "month_state_path",
    "page_hash",
    "read_month_state",
    "read_site_state",
    "remove_month_state",
    "write_month_state",
    "write_site_state",
]
