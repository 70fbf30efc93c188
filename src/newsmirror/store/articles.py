"""The stored article: its file format, and the only code that reads or writes article files.

::

    <!--{publication time, epoch milliseconds}-->
    [{title}]({original URL})
    ------

    {the article HTML on one line}

The title is Markdown link text and the URL a Markdown link target, escaped by
:mod:`newsmirror.store.markdown`, so a title is always text, never markup.

The current version of an article lives at ``record.path``; each earlier version
is kept, in the same format, at :func:`revision_path`.  Everything else asks
:class:`ArticleFiles` for what a file holds and never opens one itself.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from newsmirror.errors import StoreError
from newsmirror.models import ArticleRecord
from newsmirror.store.files import (
    ARTICLES_DIR,
    article_id,
    folder_for,
    month_shard,
    name_candidate,
    unique_name,
    write_atomic,
)
from newsmirror.store.index import ArchiveIndex, body_sha256
from newsmirror.store.markdown import escape_link_text, escape_link_url, one_line

log = logging.getLogger(__name__)

REVISIONS_DIR = "revisions"
_FIRST_LINE = re.compile(r"^<!--(-?\d+)-->$")
_TITLE_LINK = re.compile(r"^\[((?:\\.|[^\\\]])*)\]\((.*)\)$")
_UNESCAPE = re.compile(r"\\(.)")

# (file text, path it was written for, path it is copied to) → the text for the copy.
Rebase = Callable[[str, str, str], str]


@dataclass(frozen=True, slots=True)
class ArticleFile:
    """The parts of one article file."""

    published_ms: int
    title: str
    url: str
    body_html: str


class ArticleFormatError(ValueError):
    """A file does not follow the article file format."""


class ArticleUnreadableError(StoreError):
    """An article file is missing, not UTF-8 or not in the article file format."""

    code = "store.article_unreadable"

    def __init__(self, message: str, *, url: str, missing: bool) -> None:
        super().__init__(message, url=url)
        self.missing = missing


def render_article_file(article: ArticleFile) -> str:
    """The file text for an article, ending in one newline."""
    return (
        f"<!--{article.published_ms}-->\n"
        f"[{escape_link_text(article.title)}]({escape_link_url(article.url)})\n"
        "------\n"
        "\n"
        f"{one_line(article.body_html)}\n"
    )


def parse_article_file(text: str) -> ArticleFile:
    """Read an article file; raise :class:`ArticleFormatError` if it is not one."""
    lines = text.split("\n")
    if len(lines) < 5 or lines[2] != "------" or lines[3] != "":
        raise ArticleFormatError("not an article file: expected 4 header lines")
    first = _FIRST_LINE.match(lines[0])
    if not first:
        raise ArticleFormatError(f"first line is not <!--epoch ms-->: {lines[0][:60]!r}")
    link = _TITLE_LINK.match(lines[1])
    if not link:
        raise ArticleFormatError(f"second line is not [title](url): {lines[1][:60]!r}")
    if lines[5:] not in ([""], []):
        raise ArticleFormatError("the article HTML must be one line followed by a newline")
    return ArticleFile(
        published_ms=int(first.group(1)),
        title=_UNESCAPE.sub(r"\1", link.group(1)),
        url=link.group(2),
        body_html=lines[4],
    )


def revision_path(article_path: str, seen_ms: int) -> str:
    """Where the version of ``article_path`` first seen at ``seen_ms`` is kept::

    revisions/{slug}/{YYYY}/{MM}/{name}/{seen_ms}.md
    """
    stem = article_path.removesuffix(".md")
    if stem.startswith(ARTICLES_DIR + "/"):
        stem = stem[len(ARTICLES_DIR) + 1:]
    return f"{REVISIONS_DIR}/{stem}/{seen_ms}.md"


@dataclass(frozen=True, slots=True)
class ArticleFiles:
    """The article files of the mirror at ``root``; paths are relative to it."""

    root: Path

    def write(self, path: str, article: ArticleFile, *, sync: bool = True) -> bool:
        """Write (atomically) an article file; False when it already held these bytes.

        ``sync`` false leaves syncing to the caller (one ``os.sync`` after many files).
        """
        return write_atomic(self.root / path, render_article_file(article), sync=sync)

    def read(self, path: str) -> ArticleFile:
        """The article file at ``path``; :class:`ArticleUnreadableError` if there is none."""
        try:
            return parse_article_file((self.root / path).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ArticleUnreadableError(f"article file missing: {path}", url=path,
                                         missing=True) from exc
        except (OSError, ValueError) as exc:  # ValueError: not UTF-8, not the format
            raise ArticleUnreadableError(f"article file unreadable: {path} ({exc})", url=path,
                                         missing=False) from exc

    def body(self, path: str) -> str | None:
        """The body HTML at ``path``; None when the mirror holds no readable file there
        (a file that exists but cannot be read is logged)."""
        try:
            return self.read(path).body_html
        except ArticleUnreadableError as exc:
            if not exc.missing:
                log.warning("article file unreadable path=%s reason=%s", path, exc)
            return None

    def stamp(self, path: str) -> tuple[int, int] | None:
        """Size and modification time (ns) of the file, None when missing: changes on a write."""
        try:
            stat = (self.root / path).stat()
        except FileNotFoundError:
            return None
        return stat.st_size, stat.st_mtime_ns

    def keep_revision(self, path: str, seen_ms: int, rebase: Rebase) -> str | None:
        """Copy the file at ``path`` to :func:`revision_path` (``rebase`` adjusts its text to
        the new depth); the copy's path, or None when there is no file to keep."""
        try:
            text = (self.root / path).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        kept_at = revision_path(path, seen_ms)
        write_atomic(self.root / kept_at, rebase(text, path, kept_at))
        return kept_at


@dataclass(frozen=True, slots=True)
class NewArticle:
    """An article stored for the first time: what it says and where it came from.

    ``url`` is the address as kept (tracking parameters already dropped),
    ``canonical_url`` its identity; ``source`` is the source's slug.
    """

    source: str
    url: str
    canonical_url: str
    title: str
    published_ms: int
    first_seen_ms: int
    body_html: str
    guid: str | None = None
    author: str | None = None


def place_article(
    source: str,
    shard: str,
    canonical: str,
    title: str,
    folder_counts: Mapping[str, int],
    names_in: Callable[[str], set[str]],
) -> str:
    """A new article's path: its month's folder (the next one when that is full) and a
    name taken by no other article there (``names_in(folder)`` gives those taken)."""
    folder = folder_for(source, shard, dict(folder_counts))
    name = unique_name(name_candidate(canonical, title), canonical, names_in(folder))
    return f"{folder}/{name}.md"


def store_new_article(
    root: Path, index: ArchiveIndex, article: NewArticle, tz: ZoneInfo
) -> ArticleRecord:
    """Give a new article its path (its month's folder, a name unique there), write its
    file, then its index record: a crash in between leaves a file the next try rewrites."""
    shard = month_shard(article.published_ms, tz)
    path = place_article(article.source, shard, article.canonical_url, article.title,
                         index.folder_counts(article.source, shard), index.names_in_folder)
    record = new_article_record(article, path)
    write_new_article(root, record, article)
    index.save(record)
    return record


def new_article_record(article: NewArticle, path: str) -> ArticleRecord:
    """The index record of a new article whose file is at ``path``."""
    return ArticleRecord(
        id=article_id(article.source, article.canonical_url),
        source=article.source,
        url=article.url,
        canonical_url=article.canonical_url,
        title=article.title,
        published_ms=article.published_ms,
        first_seen_ms=article.first_seen_ms,
        path=path,
        content_sha256=body_sha256(article.body_html),
        guid=article.guid,
        author=article.author,
    )


def write_new_article(root: Path, record: ArticleRecord, article: NewArticle, *,
                      sync: bool = True) -> None:
    """Write a new article's file at its record's path (``sync`` as :meth:`ArticleFiles.write`)."""
    ArticleFiles(root).write(record.path, ArticleFile(article.published_ms, article.title,
                                                      article.url, article.body_html), sync=sync)


__all__ = [
    "REVISIONS_DIR",
    "ArticleFile",
    "ArticleFiles",
    "ArticleFormatError",
    "ArticleUnreadableError",
    "NewArticle",
    "new_article_record",
    "parse_article_file",
    "place_article",
    "render_article_file",
    "revision_path",
    "store_new_article",
    "write_new_article",
]
