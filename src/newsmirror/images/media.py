"""``media/``: images stored once, under the hash of their bytes, and what is still to fetch.

An image's path is ``media/{h[0:2]}/{h[0:32]}.{kind}``, ``h`` being the SHA-256
of the bytes as stored, so the same picture from two articles (or two runs) is
one file, and a file never changes once written.  256 folders keep each one
far below the 1,000 entries a git host's web view lists.

``.newsmirror/images.sqlite`` (a cache, ignored by git and safe to lose)
remembers which original URL became which file, so a picture seen again is not
downloaded again, and which articles still have images that failed to download
(``pending``), so a later run can try again.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from newsmirror.errors import StoreError
from newsmirror.images.policy import MEDIA_DIR
from newsmirror.store.files import write_atomic

CACHE_FILE = ".newsmirror/images.sqlite"
MAX_ATTEMPTS = 5
_SCHEMA = """
CREATE TABLE IF NOT EXISTS media_urls (url TEXT PRIMARY KEY, path TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pending (
    article_path TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT ''
);
"""


def media_path_for(data: bytes, kind: str) -> str:
    """The mirror-relative, content-addressed path of an image."""
    digest = hashlib.sha256(data).hexdigest()
    return f"{MEDIA_DIR}/{digest[:2]}/{digest[:32]}.{kind}"


class MediaStore:
    """The ``media/`` folder of one mirror plus its image cache; open with :meth:`open`."""

    def __init__(self, root: Path, connection: sqlite3.Connection) -> None:
        self.root = root
        self.connection = connection

    @classmethod
    def open(cls, root: Path) -> MediaStore:
        cache = root / CACHE_FILE
        cache.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = _connect(cache)
        except sqlite3.DatabaseError:
            cache.unlink(missing_ok=True)
            connection = _connect(cache)
        _remove_temporaries(root / MEDIA_DIR)
        return cls(root, connection)

    def close(self) -> None:
        self.connection.close()

    def save(self, data: bytes, kind: str) -> str:
        """Write the image unless an identical one exists; return its relative path."""
        relative = media_path_for(data, kind)
        path = self.root / relative
        if path.is_file() and path.stat().st_size == len(data):
            return relative
        try:
            write_atomic(path, data)
        except OSError as exc:
            raise StoreError(f"cannot write image: {path} ({exc})", url=str(path)) from exc
        return relative

    def known_path(self, url: str) -> str | None:
        """The media file an earlier download of ``url`` became, if it is still there."""
        row = self.connection.execute("SELECT path FROM media_urls WHERE url=?", (url,)).fetchone()
        if row is None or not (self.root / row[0]).is_file():
            return None
        return str(row[0])

    def remember(self, url: str, relative: str) -> None:
        with self.connection:
            self.connection.execute(
                "INSERT OR REPLACE INTO media_urls (url, path) VALUES (?, ?)", (url, relative)
            )

    def mark_pending(self, article_path: str, error: str) -> None:
        """An article has images to download on a later run (one more attempt counted)."""
        with self.connection:
            self.connection.execute(
                "INSERT INTO pending (article_path, attempts, last_error) VALUES (?, 1, ?) "
                "ON CONFLICT (article_path) DO UPDATE SET attempts = attempts + 1, "
                "last_error = excluded.last_error",
                (article_path, error),
            )
            self.connection.execute("DELETE FROM pending WHERE attempts > ?", (MAX_ATTEMPTS,))

    def clear_pending(self, article_path: str) -> None:
        with self.connection:
            self.connection.execute("DELETE FROM pending WHERE article_path=?", (article_path,))

    def pending_articles(self, limit: int) -> list[str]:
        """Articles with images still to download, fewest attempts first."""
        rows = self.connection.execute(
            "SELECT article_path FROM pending ORDER BY attempts, article_path LIMIT ?", (limit,)
        ).fetchall()
        return [str(row[0]) for row in rows]


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path)
    connection.executescript(_SCHEMA)
    return connection


def _remove_temporaries(media: Path) -> None:
    if media.is_dir():
        for tmp in media.glob("*/.*.tmp"):
            tmp.unlink(missing_ok=True)
