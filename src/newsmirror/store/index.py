"""The archive index: committed JSON lines, mirrored into a rebuildable SQLite cache.

The committed truth is ``index/{source}/{YYYY-MM}.jsonl``: one JSON object per
mirrored article (see :class:`ArticleRecord`), sorted, one shard per source and
publication month.  ``.newsmirror/cache.sqlite`` holds the same records for fast
look-ups, plus things that may be lost without harm (HTTP validators, items to
retry).  Each shard is remembered by a hash of its bytes: a shard whose bytes
changed (a pull, a fresh clone) is reloaded, and a cache copied in after a
checkout - every modification time new, every byte the same - is kept.  Its size
and modification time only spare hashing a shard that was not touched.  A missing
or unreadable cache is rebuilt from scratch.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from newsmirror.errors import StoreError
from newsmirror.models import ArticleRecord, FeedEntry, Revision, Validators
from newsmirror.store.files import ARTICLES_DIR, CACHE_DIR, INDEX_DIR, write_atomic
from newsmirror.store.schema import migrate

log = logging.getLogger(__name__)
CACHE_FILENAME = "cache.sqlite"
_DIRTY = "dirty-folder:"
_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(ArticleRecord))
_RECORD_FIELDS = frozenset(_FIELD_NAMES)
_REQUIRED_FIELDS = frozenset(
    f.name for f in dataclasses.fields(ArticleRecord)
    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
)
_INSERT = "INSERT OR REPLACE INTO articles VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"


def record_to_json(record: ArticleRecord) -> str:
    """The record's committed line: its fields, empty ones left out, keys sorted."""
    data: dict[str, Any] = {}
    for name in _FIELD_NAMES:
        value = getattr(record, name)
        if value is None or value == ():
            continue
        data[name] = [dataclasses.asdict(r) for r in value] if name == "revisions" else value
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def record_from_json(line: str) -> ArticleRecord:
    data: dict[str, Any] = json.loads(line)
    data["revisions"] = tuple(Revision(**r) for r in data.get("revisions", ()))
    return ArticleRecord(**data)


def body_sha256(body_html: str) -> str:
    """The ``content_sha256`` of an article: a hash of its body HTML as the file holds it."""
    return hashlib.sha256(body_html.encode("utf-8")).hexdigest()


def shard_of(record: ArticleRecord) -> str:
    """``YYYY-MM`` from the record's folder ``articles/{slug}/YYYY/MM[-n]``."""
    return _shard_of_path(record.path)


def _shard_of_path(path: str) -> str:
    parts = path.split("/")
    return f"{parts[2]}-{parts[3][:2]}"


def folder_of(path: str) -> str:
    return path.rsplit("/", 1)[0]


def shard_fingerprint(data: bytes) -> str:
    """What decides whether a shard is loaded again: a hash of its bytes."""
    return hashlib.sha256(data).hexdigest()


def _stat_key(path: Path) -> str:
    """Size and modification time: a shard with the same ones was not touched since hashed."""
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _row_of(record: ArticleRecord) -> tuple[object, ...]:
    return (record.id, record.source, record.canonical_url, record.guid, record.path,
            folder_of(record.path), shard_of(record), record.title, record.published_ms,
            record.first_seen_ms, record_to_json(record),
            int(bool(record.revisions) or record.deleted_ms is not None))


def prepare_cache_dir(root: Path) -> Path:
    """Create ``.newsmirror/`` with a ``.gitignore`` that ignores the folder itself."""
    folder = root / CACHE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        write_atomic(ignore, "# newsmirror's cache: rebuilt from the committed files when missing\n*\n")
    return folder


class ArchiveIndex:
    """Open with :meth:`open`; holds the cache connection for one run."""

    def __init__(self, root: Path, connection: sqlite3.Connection) -> None:
        self.root = root
        self.connection = connection
        self.shards_loaded = 0  # by :meth:`open`: shards read into the cache (0: all known)

    @classmethod
    def open(cls, root: Path) -> ArchiveIndex:
        cache = prepare_cache_dir(root) / CACHE_FILENAME
        try:
            connection = _connect(cache)
        except sqlite3.DatabaseError:
            log.warning("cache unreadable, rebuilding path=%s", cache)
            cache.unlink(missing_ok=True)
            connection = _connect(cache)
        index = cls(root, connection)
        index.shards_loaded = index.sync_from_files()
        return index

    def close(self) -> None:
        self.connection.close()

    # -- loading the committed index -------------------------------------------------

    def sync_from_files(self) -> int:
        """Reload every shard whose bytes changed since the cache saw it; return how many."""
        known = {
            row[0]: (row[1], row[2])
            for row in self.connection.execute("SELECT shard_path, fingerprint, stat FROM shards")
        }
        on_disk = {
            path.relative_to(self.root).as_posix(): path
            for path in sorted((self.root / INDEX_DIR).glob("*/*.jsonl"))
        }
        reloaded = 0
        with self.connection:
            for relative in set(known) - set(on_disk):
                self._forget_shard(relative)
            for relative, path in on_disk.items():
                reloaded += self._sync_shard(relative, path, known.get(relative))
        return reloaded

    def _sync_shard(self, relative: str, path: Path, known: tuple[str, str | None] | None) -> int:
        """Reload one shard if its bytes changed (1), else at most note its new stat (0)."""
        stat = _stat_key(path)
        if known is not None and known[1] == stat:
            return 0
        data = path.read_bytes()
        fingerprint = shard_fingerprint(data)
        if known is None or known[0] != fingerprint:
            self._load_shard(relative, data)
        self.connection.execute(
            "INSERT OR REPLACE INTO shards VALUES (?, ?, ?)", (relative, fingerprint, stat)
        )
        return int(known is None or known[0] != fingerprint)

    def _forget_shard(self, relative: str) -> None:
        source, shard = _split_shard_path(relative)
        self.connection.execute("DELETE FROM articles WHERE source=? AND shard=?", (source, shard))
        self.connection.execute("DELETE FROM shards WHERE shard_path=?", (relative,))

    def _load_shard(self, relative: str, data: bytes) -> None:
        """Replace a shard's records with those of its committed lines.

        Each line is checked (known fields, a path under ``articles/``) and kept
        as committed: nothing is serialised again.
        """
        self._forget_shard(relative)
        rows = []
        safe_folders: dict[str, bool] = {}
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise StoreError(f"index shard unreadable: {relative} ({exc})", url=relative) from exc
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                rows.append(self._row_from_line(line.strip(), f"{relative}:{number}", safe_folders))
        self.connection.executemany(_INSERT, rows)

    def _row_from_line(
        self, line: str, where: str, safe_folders: dict[str, bool]
    ) -> tuple[object, ...]:
        try:
            data = json.loads(line)
            fields = set(data) if isinstance(data, dict) else set()
            if not _REQUIRED_FIELDS <= fields <= _RECORD_FIELDS:
                raise ValueError(f"fields {sorted(fields ^ _REQUIRED_FIELDS)}")
            path = str(data["path"])
        except ValueError as exc:
            raise StoreError(f"index line unreadable: {where} ({exc})", url=where) from exc
        if not self._is_article_path(path, safe_folders):
            # A committed index is input too: it may not point a run at files elsewhere.
            raise StoreError(f"index line names a path outside articles/: {where} ({path})",
                             url=where)
        try:
            return (data["id"], data["source"], data["canonical_url"], data.get("guid"), path,
                    folder_of(path), _shard_of_path(path), data["title"],
                    int(data["published_ms"]), int(data["first_seen_ms"]), line,
                    int("revisions" in data or "deleted_ms" in data))
        except (ValueError, TypeError, IndexError) as exc:
            raise StoreError(f"index line unreadable: {where} ({exc})", url=where) from exc

    def _is_article_path(self, path: str, safe_folders: dict[str, bool]) -> bool:
        """``articles/{source}/{YYYY}/{MM}/{name}``, no ``..``; each folder resolved once."""
        pure = PurePosixPath(path)
        if pure.is_absolute() or ".." in pure.parts or "\\" in path or (
            len(pure.parts) != 5 or pure.parts[0] != ARTICLES_DIR
        ):
            return False
        folder = folder_of(path)
        if folder not in safe_folders:
            articles = self.root.resolve() / ARTICLES_DIR
            safe_folders[folder] = (self.root / folder).resolve().is_relative_to(articles)
        return safe_folders[folder]

    # -- looking up ----------------------------------------------------------------------

    def find(self, source: str, canonical_url: str, guid: str | None) -> ArticleRecord | None:
        """The record of an article already mirrored under this URL or GUID, if any."""
        row = self.connection.execute(
            "SELECT record FROM articles WHERE source=? AND (canonical_url=? OR "
            "(guid IS NOT NULL AND guid=?)) LIMIT 1",
            (source, canonical_url, guid),
        ).fetchone()
        return record_from_json(row[0]) if row else None

    def get(self, article_id: str) -> ArticleRecord | None:
        row = self.connection.execute(
            "SELECT record FROM articles WHERE id=?", (article_id,)
        ).fetchone()
        return record_from_json(row[0]) if row else None

    def find_by_path_or_url(self, key: str) -> ArticleRecord | None:
        row = self.connection.execute(
            "SELECT record FROM articles WHERE id=? OR path=? OR canonical_url=? LIMIT 1",
            (key, key, key),
        ).fetchone()
        return record_from_json(row[0]) if row else None

    def newest(self, source: str, limit: int) -> list[ArticleRecord]:
        rows = self.connection.execute(
            "SELECT record FROM articles WHERE source=? ORDER BY published_ms DESC, id "
            "LIMIT ?", (source, limit),
        )
        return [record_from_json(r[0]) for r in rows]

    def newest_times(self, source: str, limit: int) -> list[tuple[int, int]]:
        """``(published_ms, first_seen_ms)`` of the ``limit`` newest, as :meth:`newest`
        orders them, without reading the records themselves."""
        rows = self.connection.execute(
            "SELECT published_ms, first_seen_ms FROM articles WHERE source=? "
            "ORDER BY published_ms DESC, id LIMIT ?", (source, limit),
        )
        return [(int(published), int(seen)) for published, seen in rows]

    def all_records(self, source: str | None = None) -> Iterator[ArticleRecord]:
        query = "SELECT record FROM articles"
        args: tuple[str, ...] = ()
        if source is not None:
            query += " WHERE source=?"
            args = (source,)
        for row in self.connection.execute(query + " ORDER BY published_ms DESC, id", args):
            yield record_from_json(row[0])

    def canonical_urls(self, source: str) -> set[str]:
        """The canonical URL of every article of ``source``."""
        rows = self.connection.execute("SELECT canonical_url FROM articles WHERE source=?", (source,))
        return {r[0] for r in rows}

    # -- a source's articles in publication order (what the site pages show) ----------

    def source_slugs(self) -> list[str]:
        """Every source with articles in the index."""
        return [r[0] for r in self.connection.execute(
            "SELECT DISTINCT source FROM articles ORDER BY source")]

    def last_first_seen(self, source: str) -> int | None:
        """When the source's newest arrival was first seen (None: no articles)."""
        row = self.connection.execute(
            "SELECT MAX(first_seen_ms) FROM articles WHERE source=?", (source,)).fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def shard_fingerprints(self, source: str) -> dict[str, str]:
        """``YYYY-MM`` → the hash of the committed bytes of each of the source's shards."""
        rows = self.connection.execute(
            "SELECT shard_path, fingerprint FROM shards WHERE shard_path LIKE ?",
            (f"{INDEX_DIR}/{source}/%",),
        )
        return {_split_shard_path(path)[1]: fingerprint for path, fingerprint in rows}

    def shard_lines(self, source: str, shard: str) -> list[tuple[ArticleRecord, str]]:
        """The records of one shard (``YYYY-MM``), oldest first, each with its committed line."""
        rows = self.connection.execute(
            "SELECT record FROM articles WHERE source=? AND shard=? ORDER BY published_ms, id",
            (source, shard),
        )
        return [(record_from_json(r[0]), r[0]) for r in rows]

    def shard_counts(self, source: str) -> dict[str, int]:
        """``YYYY-MM`` → how many of the source's articles that month holds."""
        rows = self.connection.execute(
            "SELECT shard, COUNT(*) FROM articles WHERE source=? GROUP BY shard", (source,)
        )
        return {shard: n for shard, n in rows}

    def position(self, source: str, published_ms: int, article_id: str) -> int:
        """How many of the source's articles come before this place (oldest first)."""
        row = self.connection.execute(
            "SELECT COUNT(*) FROM articles WHERE source=? AND (published_ms < ? OR "
            "(published_ms = ? AND id < ?))", (source, published_ms, published_ms, article_id),
        ).fetchone()
        return int(row[0])

    def oldest_first(self, source: str, offset: int, limit: int) -> list[ArticleRecord]:
        """``limit`` of the source's records from ``offset`` on, oldest first."""
        rows = self.connection.execute(
            "SELECT record FROM articles WHERE source=? ORDER BY published_ms, id LIMIT ? OFFSET ?",
            (source, limit, offset),
        )
        return [record_from_json(r[0]) for r in rows]

    def count(self, source: str) -> int:
        return int(self.connection.execute(
            "SELECT COUNT(*) FROM articles WHERE source=?", (source,)).fetchone()[0])

    def in_folder(self, folder: str) -> list[ArticleRecord]:
        rows = self.connection.execute(
            "SELECT record FROM articles WHERE folder=? ORDER BY published_ms DESC, id", (folder,)
        )
        return [record_from_json(r[0]) for r in rows]

    def names_in_folder(self, folder: str) -> set[str]:
        rows = self.connection.execute("SELECT path FROM articles WHERE folder=?", (folder,))
        return {r[0].rsplit("/", 1)[1].removesuffix(".md") for r in rows}

    def folder_counts(self, source: str, shard_prefix: str) -> dict[str, int]:
        rows = self.connection.execute(
            "SELECT folder, COUNT(*) FROM articles WHERE source=? AND folder LIKE ? "
            "GROUP BY folder", (source, f"articles/{source}/{shard_prefix}%"),
        )
        return {folder: n for folder, n in rows}

    # -- writing ---------------------------------------------------------------------------

    def save(self, record: ArticleRecord) -> None:
        """Add or replace a record, then rewrite its shard file atomically.

        The record's folder is marked as needing its README rewritten, in the same
        transaction, so a run killed before it renders leaves that to the next run.
        """
        self.save_many((record,))

    def save_many(self, records: Iterable[ArticleRecord]) -> int:
        """Add or replace many records in one transaction, writing each shard they touch once.

        Their folders are marked as with :meth:`save`; returns how many records were saved.
        """
        rows = [_row_of(record) for record in records]
        shards = sorted({(str(row[1]), str(row[6])) for row in rows})
        with self.connection:
            self.connection.executemany(_INSERT, rows)
            self.connection.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, '')",
                [(_DIRTY + folder,) for folder in sorted({str(row[5]) for row in rows})],
            )
            for source, shard in shards:
                self._write_shard(source, shard, sync=len(shards) == 1)
            if len(shards) > 1:
                os.sync()  # many shards: one sync for all, before the transaction commits
        return len(rows)

    def dirty_folders(self) -> set[str]:
        """Folders with records saved since their README was last rendered."""
        rows = self.connection.execute(
            "SELECT substr(key, ?) FROM meta WHERE key LIKE ?", (len(_DIRTY) + 1, _DIRTY + "%")
        )
        return {r[0] for r in rows}

    def clear_dirty_folders(self) -> None:
        with self.connection:
            self.connection.execute("DELETE FROM meta WHERE key LIKE ?", (_DIRTY + "%",))

    def _write_shard(self, source: str, shard: str, *, sync: bool = True) -> None:
        rows = self.connection.execute(
            "SELECT record FROM articles WHERE source=? AND shard=? ORDER BY published_ms, id",
            (source, shard),
        )
        relative = f"{INDEX_DIR}/{source}/{shard}.jsonl"
        path = self.root / relative
        data = "".join(r[0] + "\n" for r in rows).encode("utf-8")
        write_atomic(path, data, sync=sync)
        self.connection.execute(
            "INSERT OR REPLACE INTO shards VALUES (?, ?, ?)",
            (relative, shard_fingerprint(data), _stat_key(path)),
        )

    # -- validators and retries (cache only) --------------------------------------------

    def validators(self, url: str) -> Validators | None:
        row = self.connection.execute(
            "SELECT etag, last_modified FROM validators WHERE url=?", (url,)
        ).fetchone()
        return Validators(etag=row[0], last_modified=row[1]) if row else None

    def save_validators(self, url: str, validators: Validators) -> None:
        with self.connection:
            self.connection.execute(
                "INSERT OR REPLACE INTO validators VALUES (?, ?, ?)",
                (url, validators.etag, validators.last_modified),
            )

    def forget_validators(self, url: str) -> None:
        with self.connection:
            self.connection.execute("DELETE FROM validators WHERE url=?", (url,))

    # -- re-checks: which articles to fetch again, and when they last were ----------

    def first_seen_since(self, since_ms: int) -> list[ArticleRecord]:
        """Records the mirror first saw at or after ``since_ms``, newest first."""
        rows = self.connection.execute(
            "SELECT record FROM articles WHERE first_seen_ms >= ? ORDER BY first_seen_ms DESC, id",
            (since_ms,),
        )
        return [record_from_json(r[0]) for r in rows]

    def changed_records(self) -> list[ArticleRecord]:
        """Records with an earlier version or a deletion mark."""
        rows = self.connection.execute("SELECT id, record FROM articles WHERE changed")
        return [record_from_json(record) for _, record in sorted(rows)]

    def last_checks(self) -> dict[str, int]:
        """Article id → when it was last fetched again (cache only)."""
        return dict(self.connection.execute("SELECT id, last_checked_ms FROM checks"))

    def check_baseline(self, article_id: str) -> str | None:
        """What the page said at the last re-check (a fingerprint), if known."""
        row = self.connection.execute(
            "SELECT baseline FROM checks WHERE id=?", (article_id,)
        ).fetchone()
        return row[0] if row else None

    def save_check(self, article_id: str, checked_ms: int, baseline: str | None = None) -> None:
        """Remember a re-check; a None baseline keeps the one stored before."""
        with self.connection:
            self.connection.execute(
                "INSERT INTO checks (id, last_checked_ms, baseline) VALUES (?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET last_checked_ms = excluded.last_checked_ms, "
                "baseline = coalesce(excluded.baseline, checks.baseline)",
                (article_id, checked_ms, baseline),
            )

    def cache_value(self, key: str) -> str | None:
        row = self.connection.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def save_cache_value(self, key: str, value: str) -> None:
        with self.connection:
            self.connection.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def pending_entries(self, source: str, max_attempts: int) -> list[FeedEntry]:
        """Items to try again: those that failed fewer than ``max_attempts`` times."""
        rows = self.connection.execute(
            "SELECT entry FROM pending WHERE source=? AND attempts < ? ORDER BY rowid",
            (source, max_attempts),
        )
        return [FeedEntry(**json.loads(r[0])) for r in rows]

    def given_up(self, source: str, link: str, max_attempts: int) -> bool:
        """True when the item failed ``max_attempts`` times: the mirror stops trying it."""
        row = self.connection.execute(
            "SELECT attempts FROM pending WHERE source=? AND link=?", (source, link)
        ).fetchone()
        return row is not None and row[0] >= max_attempts

    def mark_pending(
        self, source: str, entry: FeedEntry, error: str, *, failed: bool = True
    ) -> None:
        """Remember an item for the next run; ``failed`` counts an attempt against it."""
        with self.connection:
            self.connection.execute(
                "INSERT INTO pending (source, link, entry, attempts, last_error) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, link) DO UPDATE SET "
                "attempts = attempts + excluded.attempts, last_error = excluded.last_error",
                (source, entry.link, json.dumps(dataclasses.asdict(entry), ensure_ascii=False),
                 int(failed), error),
            )

    def clear_pending(self, source: str, link: str) -> None:
        with self.connection:
            self.connection.execute(
                "DELETE FROM pending WHERE source=? AND link=?", (source, link)
            )


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level="DEFERRED")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    migrate(connection)
    connection.execute("SELECT COUNT(*) FROM articles").fetchone()
    return connection


def _split_shard_path(relative: str) -> tuple[str, str]:
    _, source, filename = relative.split("/")
    return source, filename.removesuffix(".jsonl")
