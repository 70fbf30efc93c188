"""What a search result shows, in small chunk files by docid; which articles are indexed.

``{site}/search/docs/{docid // 32}.json`` is a JSON array with one slot per docid:
``[page, title, source slug, date, summary, article id, fingerprint, generation]``
or null.  A results page fetches only the chunks of the docids it shows.

The same entries tell an update which articles are indexed and with which
fingerprint; an entry counts only when the manifest confirms it (its generation
is committed and no tombstone is newer), so entries written by a run that
stopped before its manifest was saved are ignored.  The result is cached in
``.newsmirror/search-state.json`` together with the manifest it belongs to.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import astuple, dataclass
from pathlib import Path

from newsmirror.search.manifest import DOCS_PER_CHUNK, Manifest, manifest_json
from newsmirror.store.files import write_atomic

log = logging.getLogger(__name__)

DOCS_FOLDER = "docs"
STATE_FILENAME = "search-state.json"


@dataclass(frozen=True, slots=True)
class DocEntry:
    """One document as a result shows it, and what an update needs to know of it."""

    page: str
    title: str
    source: str
    date: str
    summary: str
    article_id: str
    fingerprint: str
    generation: int


@dataclass(frozen=True, slots=True)
class IndexedDoc:
    """An indexed article: its docid and the fingerprint of what was indexed."""

    docid: int
    fingerprint: str


def chunk_path(folder: Path, chunk: int) -> Path:
    return folder / DOCS_FOLDER / f"{chunk}.json"


def read_chunk(folder: Path, chunk: int) -> list[DocEntry | None]:
    try:
        raw = json.loads(chunk_path(folder, chunk).read_text(encoding="utf-8"))
        return [DocEntry(*item) if item else None for item in raw]
    except FileNotFoundError:
        return []
    except (ValueError, TypeError) as exc:
        log.warning("search document chunk unreadable chunk=%d reason=%s", chunk, exc)
        return []


def write_entries(folder: Path, entries: Mapping[int, DocEntry | None]) -> int:
    """Put entries in their chunks (None empties a slot); return how many files changed."""
    by_chunk: dict[int, dict[int, DocEntry | None]] = defaultdict(dict)
    for docid, entry in entries.items():
        by_chunk[docid // DOCS_PER_CHUNK][docid % DOCS_PER_CHUNK] = entry
    changed = 0
    for chunk, slots in sorted(by_chunk.items()):
        current = read_chunk(folder, chunk)
        size = max(len(current), max(slots) + 1)
        current += [None] * (size - len(current))
        for slot, entry in slots.items():
            current[slot] = entry
        while current and current[-1] is None:
            current.pop()
        text = json.dumps([list(astuple(e)) if e else None for e in current],
                          ensure_ascii=False, separators=(",", ":"))
        changed += write_atomic(chunk_path(folder, chunk), text + "\n")
    return changed


def load_indexed(folder: Path, manifest: Manifest, cache_dir: Path) -> dict[str, IndexedDoc]:
    """Article id → what is indexed of it; from the cache when it matches the manifest."""
    key = hashlib.sha256(manifest_json(manifest).encode()).hexdigest()
    cached = _read_cache(cache_dir / STATE_FILENAME, key)
    if cached is not None:
        return cached
    indexed: dict[str, IndexedDoc] = {}
    for chunk in range((manifest.next_docid + DOCS_PER_CHUNK - 1) // DOCS_PER_CHUNK):
        for slot, entry in enumerate(read_chunk(folder, chunk)):
            docid = chunk * DOCS_PER_CHUNK + slot
            if entry and manifest.is_live(docid, entry.generation):
                indexed[entry.article_id] = IndexedDoc(docid, entry.fingerprint)
    return indexed


def save_indexed(cache_dir: Path, manifest: Manifest, indexed: Mapping[str, IndexedDoc]) -> None:
    key = hashlib.sha256(manifest_json(manifest).encode()).hexdigest()
    payload = {"manifest": key,
               "docs": {i: [d.docid, d.fingerprint] for i, d in sorted(indexed.items())}}
    write_atomic(cache_dir / STATE_FILENAME, json.dumps(payload, separators=(",", ":")))


def _read_cache(path: Path, key: str) -> dict[str, IndexedDoc] | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("manifest") != key:
            return None
        return {str(i): IndexedDoc(int(d), str(f)) for i, (d, f) in raw["docs"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


__all__ = [
    "DOCS_FOLDER",
    "DocEntry",
    "IndexedDoc",
    "chunk_path",
    "load_indexed",
    "read_chunk",
    "save_indexed",
    "write_entries",
]
