"""Full-text search of the archive: an SQLite FTS5 index that finds Chinese words.

SQLite's tokenizers do not segment Chinese, so the index is built from terms
made here: every run of Chinese characters becomes its overlapping character
pairs plus its last character alone (``普京访问台湾`` → ``普京 京访 访问 问台
台湾 湾``), and the rest of the text is left to the ``unicode61`` tokenizer.  A
query becomes the same pairs as one phrase, so a two-character word such as
普京 finds every article that contains it, and a single character is a prefix
query.  Text and queries are converted to simplified characters first (OpenCC
``t2s``), so 火災 finds 火灾 and the other way round.

The index is a cache (``.newsmirror/search.sqlite``), brought up to date from
the archive's records before each search and rebuilt from scratch when missing,
unreadable or made by another version of these rules.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import sqlite3
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import opencc

from newsmirror.errors import StoreError
from newsmirror.models import ArticleRecord
from newsmirror.store.files import CACHE_DIR

log = logging.getLogger(__name__)

SEARCH_FILENAME = "search.sqlite"
# Bump when the terms change: an index of another version is rebuilt.
TERMS_VERSION = "bigram-t2s-1"
PASSAGE_CONTEXT_CHARS = 40
TITLE_WEIGHT = 4.0
# After this many changes in one sync, the FTS segments are merged (faster queries).
OPTIMIZE_AFTER_CHANGES = 500
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_WORD = re.compile(r"\w+")
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|li|h[1-6]|tr|td|th|blockquote|figure|figcaption|pre|hr)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
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
    title, body, content='', tokenize='unicode61 remove_diacritics 2'
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


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """``text`` in simplified characters (OpenCC ``t2s``)."""
    return str(_converter().convert(text))


def index_terms(text: str) -> str:
    """The text the FTS table indexes: Chinese runs as character pairs, the rest as is."""
    simplified = to_simplified(text)
    pieces: list[str] = []
    position = 0
    for match in _HAN.finditer(simplified):
        pieces.append(simplified[position:match.start()])
        pieces.append(" " + _han_terms(match.group()) + " ")
        position = match.end()
    pieces.append(simplified[position:])
    return "".join(pieces)


def _han_terms(run: str) -> str:
    pairs = [run[i:i + 2] for i in range(len(run) - 1)]
    return " ".join([*pairs, run[-1]])


def match_expression(query: str) -> str | None:
    """The FTS5 query for what a reader typed (all words must occur); None if empty."""
    parts: list[str] = []
    for word in to_simplified(query).split():
        position = 0
        for match in _HAN.finditer(word):
            parts += _word_terms(word[position:match.start()])
            run = match.group()
            if len(run) == 1:
                parts.append(f'"{run}"*')
            else:
                parts.append('"' + " ".join(run[i:i + 2] for i in range(len(run) - 1)) + '"')
            position = match.end()
        parts += _word_terms(word[position:])
    return " AND ".join(parts) if parts else None


def _word_terms(text: str) -> list[str]:
    return [f'"{w}"' for w in _WORD.findall(text)]


def _needles(query: str) -> list[str]:
    """The pieces of a query to look for in the text when choosing the passage."""
    needles: list[str] = []
    for word in to_simplified(query).lower().split():
        needles += [m.group() for m in _HAN.finditer(word)] or _WORD.findall(word)
    return needles


def html_to_text(body_html: str) -> str:
    """Readable plain text of an article body: block elements become line breaks."""
    text = _ANY_TAG.sub("", _BLOCK_TAG.sub("\n", body_html))
    text = _SPACES.sub(" ", html.unescape(text))
    return _BLANK_LINES.sub("\n", text).strip()


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
                self._add(record, fingerprint, html_to_text(read_body(record)))
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
        """Articles matching every word of ``query``, best first, with their passage."""
        expression = match_expression(query)
        if expression is None:
            return []
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
            rows = self.connection.execute(sql, args).fetchall()
        except sqlite3.OperationalError as exc:
            raise StoreError(f"search failed: {query!r} ({exc})") from exc
        needles = _needles(query)
        return [_hit(row, needles) for row in rows]


def _hit(row: tuple[object, ...], needles: list[str]) -> SearchHit:
    article_id, source, title, published_ms, path, url, packed = row
    assert isinstance(packed, bytes)
    text = zlib.decompress(packed).decode("utf-8").replace("\n", " ")
    passage, start, length = passage_around(text, needles)
    return SearchHit(str(article_id), str(source), str(title), int(str(published_ms)), str(path),
                     str(url), passage, start, length)


def passage_around(text: str, needles: list[str]) -> tuple[str, int, int]:
    """The passage around the first needle found: (passage, match start, match length)."""
    simplified = to_simplified(text)
    if len(simplified) != len(text):
        text = simplified
    lowered = simplified.lower()
    found = [(lowered.find(n), n) for n in needles if n and lowered.find(n) >= 0]
    if not found:
        return text[: 2 * PASSAGE_CONTEXT_CHARS], 0, 0
    position, needle = min(found)
    start = max(position - PASSAGE_CONTEXT_CHARS, 0)
    end = min(position + len(needle) + PASSAGE_CONTEXT_CHARS, len(text))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + text[start:end] + suffix, len(prefix) + position - start, len(needle)


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    with connection:
        connection.executescript(_SCHEMA)
        row = connection.execute("SELECT value FROM meta WHERE key='terms'").fetchone()
        if row is None or row[0] != TERMS_VERSION:
            connection.execute("DELETE FROM documents")
            connection.execute("INSERT INTO terms (terms) VALUES ('delete-all')")
            connection.execute("INSERT OR REPLACE INTO meta VALUES ('terms', ?)",
                               (TERMS_VERSION,))
    return connection


__all__ = [
    "SearchHit",
    "SearchIndex",
    "html_to_text",
    "index_terms",
    "match_expression",
    "passage_around",
    "to_simplified",
]
