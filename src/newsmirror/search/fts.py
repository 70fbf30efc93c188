"""``newsmirror search``: an SQLite FTS5 index of the archive, with the site's normalisation.

SQLite's tokenizers do not segment Chinese, so the index is fed terms made by
:mod:`newsmirror.search.terms`, the same that the site's search index holds:
text is folded (traditional → simplified, case, width), every run of Chinese
characters becomes its overlapping character pairs plus its last character
alone (``普京访台`` → ``普京 京访 访台 台``), other letters and digits stay words.
A query finds the articles that have all of its terms, as the site's search
does, so both give the same answers: a word of two characters or more finds
every article that contains it, 火災 finds 火灾 and the other way round.  Those
that hold the query's runs as typed (FTS5 phrases) come first; a single
character is a prefix query (the site cannot do that one).

The index is a cache (``.newsmirror/search.sqlite``), brought up to date from
the archive's records before each search and rebuilt from scratch when missing,
unreadable or made by other rules.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from newsmirror.clean.sanitize import plain_text
from newsmirror.errors import StoreError
from newsmirror.models import ArticleRecord
from newsmirror.search.terms import fold, parse_query, piece_terms, pieces, rules_digest
from newsmirror.store.files import CACHE_DIR

log = logging.getLogger(__name__)

SEARCH_FILENAME = "search.sqlite"
# Bump when the way terms are fed to FTS5 changes: an index of another version is rebuilt.
FTS_VERSION = "2"
PASSAGE_CONTEXT_CHARS = 40
TITLE_WEIGHT = 4.0
# After this many changes in one sync, the FTS segments are merged (faster queries).
OPTIMIZE_AFTER_CHANGES = 500
_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    published_ms INTEGER NOT NULL,
    path TEXT NOT NULL,
    url TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    text_zlib BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_source ON documents (source);
CREATE VIRTUAL TABLE IF NOT EXISTS terms USING fts5(
    title, body, content='', tokenize='ascii'
);
"""


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One article that matches, with the passage around the first match."""

    id: str
    source: str
    title: str
    published_ms: int
    path: str
    url: str
    passage: str
    match_start: int
    match_length: int


def index_terms(text: str) -> str:
    """The text the FTS table indexes: the terms of ``text`` in order, space-separated."""
    tokens: list[str] = []
    for piece in pieces(fold(text)):
        run = piece.text
        if piece.is_han:
            tokens += [run[i:i + 2] for i in range(len(run) - 1)]
            tokens.append(run[-1])
        else:
            tokens.append(run)
    return " ".join(tokens)


def match_expression(query: str) -> str | None:
    """The FTS5 query for what a reader typed, as the site's search matches it: every
    term (character pair, word) of the query; a single character as a prefix. None if empty."""
    parsed = parse_query(query)
    parts = [f'"{term}"' for term in parsed.terms]
    parts += [f'"{char}"*' for char in parsed.single_han]
    return " AND ".join(parts) if parts else None


def phrase_expression(query: str) -> str | None:
    """The FTS5 query for the articles that hold each run of the query as it was typed."""
    parsed = parse_query(query)
    parts = ['"' + " ".join(piece_terms(run)) + '"' for run in parsed.runs]
    parts += [f'"{char}"*' for char in parsed.single_han]
    return " AND ".join(parts) if parts else None


def _needles(query: str) -> list[str]:
    """What to show the passage around, best first: the query's runs, then its terms."""
    parsed = parse_query(query)
    return [*(run.text for run in parsed.runs), *parsed.single_han, *parsed.terms]


def fingerprint_of(record: ArticleRecord) -> str:
    return hashlib.sha256(json.dumps(
        [record.title, record.content_sha256, record.path, record.source, record.published_ms,
         record.url], ensure_ascii=False).encode()).hexdigest()


class SearchIndex:
    """The search cache of one mirror; open with :meth:`open`, then :meth:`sync`."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    @classmethod
    def open(cls, root: Path) -> SearchIndex:
        folder = root / CACHE_DIR
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / SEARCH_FILENAME
        try:
            return cls(_connect(path))
        except sqlite3.DatabaseError as exc:
            log.warning("search index unreadable, rebuilding path=%s reason=%s", path, exc)
            path.unlink(missing_ok=True)
            try:
                return cls(_connect(path))
            except sqlite3.DatabaseError as again:
                raise StoreError(f"search index unusable: {path} ({again})",
                                 url=str(path)) from again

    def close(self) -> None:
        self.connection.close()

    def sync(self, records: Iterable[ArticleRecord], read_body: Callable[[ArticleRecord], str]
             ) -> int:
        """Index new and changed articles, drop removed ones; return how many changed.

        ``read_body`` gives an article's body HTML; it is called only for
        articles whose record changed since they were indexed.
        """
        known = dict(self.connection.execute("SELECT id, fingerprint FROM documents"))
        changed = 0
        with self.connection:
            for record in records:
                fingerprint = fingerprint_of(record)
                if known.pop(record.id, None) == fingerprint:
                    continue
                self._remove(record.id)
                self._add(record, fingerprint, plain_text(read_body(record)))
                changed += 1
            for article_id in known:
                self._remove(article_id)
                changed += 1
            if changed >= OPTIMIZE_AFTER_CHANGES:
                self.connection.execute("INSERT INTO terms (terms) VALUES ('optimize')")
        return changed

    def _add(self, record: ArticleRecord, fingerprint: str, text: str) -> None:
        cursor = self.connection.execute(
            "INSERT INTO documents (id, source, title, published_ms, path, url, fingerprint, "
            "text_zlib) VALUES (?,?,?,?,?,?,?,?)",
            (record.id, record.source, record.title, record.published_ms, record.path,
             record.url, fingerprint, zlib.compress(text.encode("utf-8"))),
        )
        self.connection.execute(
            "INSERT INTO terms (rowid, title, body) VALUES (?, ?, ?)",
            (cursor.lastrowid, index_terms(record.title), index_terms(text)),
        )

    def _remove(self, article_id: str) -> None:
        row = self.connection.execute(
            "SELECT rowid, title, text_zlib FROM documents WHERE id=?", (article_id,)
        ).fetchone()
        if row is None:
            return
        rowid, title, packed = row
        text = zlib.decompress(packed).decode("utf-8")
        self.connection.execute(
            "INSERT INTO terms (terms, rowid, title, body) VALUES ('delete', ?, ?, ?)",
            (rowid, index_terms(title), index_terms(text)),
        )
        self.connection.execute("DELETE FROM documents WHERE rowid=?", (rowid,))

    def count(self) -> int:
        return int(self.connection.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def search(self, query: str, *, source: str | None = None, limit: int = 20) -> list[SearchHit]:
        """Articles that have every term of ``query`` (the site's answer), best first:
        those that hold the query's runs as typed first, then by rank and date."""
        expression, phrase = match_expression(query), phrase_expression(query)
        if expression is None or phrase is None:
            return []
        rows = self._matching(phrase, source, limit, query)
        if len(rows) < limit and phrase != expression:
            seen = {row[0] for row in rows}
            more = self._matching(expression, source, limit + len(rows), query)
            rows += [row for row in more if row[0] not in seen][: limit - len(rows)]
        needles = _needles(query)
        return [_hit(row, needles) for row in rows]

    def _matching(self, expression: str, source: str | None, limit: int, query: str
                  ) -> list[tuple[object, ...]]:
        sql = (
            "SELECT d.id, d.source, d.title, d.published_ms, d.path, d.url, d.text_zlib "
            "FROM terms JOIN documents d ON d.rowid = terms.rowid WHERE terms MATCH ? "
        )
        args: list[object] = [expression]
        if source is not None:
            sql += "AND d.source = ? "
            args.append(source)
        sql += f"ORDER BY bm25(terms, {TITLE_WEIGHT}, 1.0), d.published_ms DESC, d.id LIMIT ?"
        args.append(limit)
        try:
            return list(self.connection.execute(sql, args).fetchall())
        except sqlite3.OperationalError as exc:
            raise StoreError(f"search failed: {query!r} ({exc})") from exc


def _hit(row: tuple[object, ...], needles: list[str]) -> SearchHit:
    article_id, source, title, published_ms, path, url, packed = row
    assert isinstance(packed, bytes)
    text = zlib.decompress(packed).decode("utf-8").replace("\n", " ")
    passage, start, length = passage_around(text, needles)
    return SearchHit(str(article_id), str(source), str(title), int(str(published_ms)), str(path),
                     str(url), passage, start, length)


def passage_around(text: str, needles: list[str]) -> tuple[str, int, int]:
    """The passage around the first needle (in order) that occurs: (passage, match start,
    match length).

    Needles are folded; so is the text where they are looked for, which has the
    same length, so the passage shows the article's own characters.
    """
    folded = fold(text)
    found = [(folded.find(n), n) for n in needles if n and folded.find(n) >= 0]
    if not found:
        return text[: 2 * PASSAGE_CONTEXT_CHARS], 0, 0
    position, needle = found[0]
    start = max(position - PASSAGE_CONTEXT_CHARS, 0)
    end = min(position + len(needle) + PASSAGE_CONTEXT_CHARS, len(text))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + text[start:end] + suffix, len(prefix) + position - start, len(needle)


def _index_version() -> str:
    return f"{FTS_VERSION}-{rules_digest()}"


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    with connection:
        connection.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        row = connection.execute("SELECT value FROM meta WHERE key='terms'").fetchone()
        if row is None or row[0] != _index_version():
            connection.execute("DROP TABLE IF EXISTS terms")
            connection.execute("DROP TABLE IF EXISTS documents")
            connection.execute("INSERT OR REPLACE INTO meta VALUES ('terms', ?)",
                               (_index_version(),))
        connection.executescript(_SCHEMA)
    return connection


__all__ = [
    "SearchHit",
    "SearchIndex",
    "index_terms",
    "match_expression",
    "passage_around",
    "phrase_expression",
]
