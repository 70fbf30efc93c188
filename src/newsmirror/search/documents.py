"""What a search result shows, in small chunk files by docid; which articles are indexed.

``{site}/search/docs/{docid // 32}.json`` is a JSON array with one slot per docid:
``[page, title, source slug, date, summary, article id, fingerprint, generation]``
or null.  A results page fetches only the chunks of the docids it shows.

The same entries tell an update which articles are indexed and with which
fingerprint; an entry counts only when the manifest confirms it (its generation
is committed and no tombstone is newer), so entries written by a run that
stopped before its manifest was saved are ignored.  The result is cached in
``.newsmirror/search-state.sqlite`` with the manifest it belongs to.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import astuple, dataclass
from pathlib import Path

from newsmirror.search.manifest import DOCS_PER_CHUNK, Manifest, manifest_json
from newsmirror.store.files import write_atomic

log = logging.getLogger(__name__)

DOCS_FOLDER = "docs"
STATE_FILENAME = "search-state.sqlite"


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


class IndexedDocs:
    """Which articles the index holds (article id → docid, fingerprint): a cache in SQLite.

    Open with :meth:`open`; changes are written with the key of the manifest
    they belong to by :meth:`save`.  A cache whose key is not the current
    manifest's is rebuilt from the result entries.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    @classmethod
    def open(cls, cache_dir: Path, folder: Path, manifest: Manifest) -> IndexedDocs:
        cache_dir.mkdir(parents=True, exist_ok=True)
        path = cache_dir / STATE_FILENAME
        try:
            indexed = cls(_connect(path))
        except sqlite3.DatabaseError as exc:
            log.warning("search state unreadable, rebuilding path=%s reason=%s", path, exc)
            path.unlink(missing_ok=True)
            indexed = cls(_connect(path))
        if indexed._key() != _manifest_key(manifest):
            indexed._rebuild(folder, manifest)
        return indexed

    def close(self) -> None:
        self.connection.close()

    def get(self, article_id: str) -> IndexedDoc | None:
        row = self.connection.execute(
            "SELECT docid, fingerprint FROM docs WHERE id=?", (article_id,)).fetchone()
        return IndexedDoc(int(row[0]), str(row[1])) if row else None

    def fingerprints(self) -> dict[str, str]:
        """Every indexed article's fingerprint (to compare the whole archive at once)."""
        return dict(self.connection.execute("SELECT id, fingerprint FROM docs"))

    def put(self, article_id: str, doc: IndexedDoc) -> None:
        self.connection.execute("INSERT OR REPLACE INTO docs VALUES (?, ?, ?)",
                                (article_id, doc.docid, doc.fingerprint))

    def pop(self, article_id: str) -> IndexedDoc | None:
        doc = self.get(article_id)
        self.connection.execute("DELETE FROM docs WHERE id=?", (article_id,))
        return doc

    def save(self, manifest: Manifest) -> None:
        """Commit the changes as those of ``manifest``."""
        self.connection.execute("INSERT OR REPLACE INTO meta VALUES ('manifest', ?)",
                                (_manifest_key(manifest),))
        self.connection.commit()

    def _key(self) -> str | None:
        row = self.connection.execute("SELECT value FROM meta WHERE key='manifest'").fetchone()
        return str(row[0]) if row else None

    def _rebuild(self, folder: Path, manifest: Manifest) -> None:
        self.connection.execute("DELETE FROM docs")
        for chunk in range((manifest.next_docid + DOCS_PER_CHUNK - 1) // DOCS_PER_CHUNK):
            for slot, entry in enumerate(read_chunk(folder, chunk)):
                docid = chunk * DOCS_PER_CHUNK + slot
                if entry and manifest.is_live(docid, entry.generation):
                    self.put(entry.article_id, IndexedDoc(docid, entry.fingerprint))
        self.save(manifest)


def _manifest_key(manifest: Manifest) -> str:
    return hashlib.sha256(manifest_json(manifest).encode()).hexdigest()


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
    connection.execute("CREATE TABLE IF NOT EXISTS docs (id TEXT PRIMARY KEY, docid INTEGER, "
                       "fingerprint TEXT)")
    connection.commit()
    return connection


__all__ = [
    "DOCS_FOLDER",
    "DocEntry",
    "IndexedDoc",
    "IndexedDocs",
    "chunk_path",
    "read_chunk",
    "write_entries",
]
