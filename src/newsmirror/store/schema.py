"""The cache database's schema, as ordered migrations recorded in ``user_version``.

The cache is rebuilt from the committed index whenever it is missing or stale,
so a migration may always be "drop everything and rebuild".
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        canonical_url TEXT NOT NULL,
        guid TEXT,
        path TEXT NOT NULL UNIQUE,
        folder TEXT NOT NULL,
        shard TEXT NOT NULL,
        title TEXT NOT NULL,
        published_ms INTEGER NOT NULL,
        first_seen_ms INTEGER NOT NULL,
        record TEXT NOT NULL
    );
    CREATE INDEX articles_canonical ON articles (source, canonical_url);
    CREATE INDEX articles_guid ON articles (source, guid);
    CREATE INDEX articles_newest ON articles (source, published_ms DESC);
    CREATE INDEX articles_folder ON articles (folder);
    CREATE TABLE shards (shard_path TEXT PRIMARY KEY, fingerprint TEXT NOT NULL);
    CREATE TABLE validators (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT);
    CREATE TABLE pending (
        source TEXT NOT NULL,
        link TEXT NOT NULL,
        entry TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (source, link)
    );
    """,
    # 2: when each mirrored article was last fetched again (re-check schedule).
    """
    CREATE TABLE checks (id TEXT PRIMARY KEY, last_checked_ms INTEGER NOT NULL);
    """,
    # 3: what the page said at the last re-check, to tell edits from extraction changes.
    """
    ALTER TABLE checks ADD COLUMN baseline TEXT;
    """,
    # 4: shards are remembered by a hash of their bytes; size and mtime only spare the hashing.
    """
    ALTER TABLE shards ADD COLUMN stat TEXT;
    CREATE INDEX articles_shard ON articles (source, shard, published_ms);
    """,
    # 5: records with an earlier version or a deletion mark, found without reading every record.
    """
    ALTER TABLE articles ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;
    UPDATE articles SET changed = (record LIKE '%"revisions"%' OR record LIKE '%"deleted_ms"%');
    CREATE INDEX articles_changed ON articles (changed) WHERE changed;
    """,
)


def migrate(connection: sqlite3.Connection) -> None:
    """Bring the database to the newest schema version."""
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        with connection:
            connection.executescript(script)
            connection.execute(f"PRAGMA user_version = {number}")
