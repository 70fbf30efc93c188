"""An archive in the predecessor's layout: ``articles/<folder>/<id>.md`` (or ``<id>_<title>.md``).

Each file is in the established article format - ``<!--{epoch ms}-->``,
``[{title}]({original URL})``, ``------``, a blank line, the HTML - read leniently:
the predecessor did not escape titles, and its HTML may span lines.  A folder
belongs to the source whose slug or name is the folder's name, or to the one
``--map FOLDER=SLUG`` names; a folder with no source stops the import before
anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from newsmirror.clean.urls import canonical_url
from newsmirror.config import Source
from newsmirror.errors import ConfigError
from newsmirror.store.files import ARTICLES_DIR

ARTICLE_SUFFIX = ".md"
NOT_ARTICLES = frozenset({"README.md"})
HEADER_BYTES = 4096  # enough for the three header lines of almost every file
_TIME_LINE = re.compile(r"<!--\s*(-?\d{1,16})\s*-->")
_SEPARATOR = re.compile(r"-{3,}")
_UNESCAPE = re.compile(r"\\([\\\[\]*_`<>&!|~#])")


@dataclass(frozen=True, slots=True)
class ArchiveFile:
    """One article file of the archive with its header read (the body is read when cleaned)."""

    path: Path
    relative: str  # as the archive names it: articles/<folder>/<file>
    slug: str
    published_ms: int
    title: str
    url: str
    canonical: str


@dataclass(frozen=True, slots=True)
class ImportSkip:
    """A file of the archive that was not imported, and why."""

    relative: str
    reason: str


@dataclass(frozen=True, slots=True)
class ArchiveText:
    """The parts of an article file of the archive."""

    published_ms: int
    title: str
    url: str
    body_html: str


class ArchiveFormatError(ValueError):
    """A file of the archive is not an article file (empty, no header, not UTF-8)."""


def articles_folder(archive: Path) -> Path:
    """``archive/articles`` when the archive is a mirror's clone, else ``archive`` itself."""
    inner = archive / ARTICLES_DIR
    folder = inner if inner.is_dir() else archive
    if not folder.is_dir():
        raise ConfigError(f"import: no such folder: {archive}", url=str(archive))
    return folder


def parse_folder_map(entries: Sequence[str]) -> dict[str, str]:
    """``["美国之音=voa"]`` → ``{"美国之音": "voa"}``; ConfigError on an entry without ``=``."""
    mapping: dict[str, str] = {}
    for entry in entries:
        folder, equals, slug = entry.partition("=")
        if not equals or not folder.strip() or not slug.strip():
            raise ConfigError(f"import: --map {entry!r}: expected FOLDER=SLUG")
        mapping[folder.strip()] = slug.strip()
    return mapping


def map_folders(
    articles: Path, sources: Sequence[Source], folder_map: Mapping[str, str]
) -> dict[str, Source]:
    """Every folder of the archive → its source; ConfigError naming each folder without one."""
    by_slug = {s.slug: s for s in sources}
    by_name = {s.name.casefold(): s for s in sources} | {s.slug.casefold(): s for s in sources}
    folders = sorted(p.name for p in articles.iterdir() if p.is_dir() and not p.name.startswith("."))
    for folder, slug in sorted(folder_map.items()):
        if folder not in folders:
            raise ConfigError(f"import: --map {folder}={slug}: no folder {folder!r} in {articles}")
        if slug not in by_slug:
            raise ConfigError(f"import: --map {folder}={slug}: no source with slug {slug!r}")
    mapped: dict[str, Source] = {}
    unknown: list[str] = []
    for folder in folders:
        source = by_slug.get(folder_map.get(folder, "")) or by_slug.get(folder) or \
            by_name.get(folder.casefold())
        if source is None:
            unknown.append(folder)
        else:
            mapped[folder] = source
    if unknown:
        raise ConfigError(
            f"import: no source for folder {', '.join(f'{ARTICLES_DIR}/{f}' for f in unknown)} "
            "(add a [[sources]] entry with that slug or name, or --map FOLDER=SLUG)",
            url=str(articles),
        )
    return mapped


def archive_paths(articles: Path, folders: Mapping[str, Source]) -> Iterator[tuple[Path, str]]:
    """Every article file of the mapped folders with its source's slug, in name order."""
    for folder, source in sorted(folders.items()):
        for path in sorted((articles / folder).iterdir()):
            if path.suffix == ARTICLE_SUFFIX and path.name not in NOT_ARTICLES and path.is_file():
                yield path, source.slug


def read_archive_headers(paths: Sequence[tuple[Path, str]]) -> list[ArchiveFile | ImportSkip]:
    """The headers of files (each with its source's slug), or why each cannot be imported."""
    return [read_archive_header(path, slug) for path, slug in paths]


def read_archive_header(path: Path, slug: str) -> ArchiveFile | ImportSkip:
    """The file's header (its first three lines), or why it cannot be imported.

    Only the head of the file is read; a body that is not UTF-8 is found when the
    body is read to be cleaned.
    """
    relative = f"{ARTICLES_DIR}/{path.parent.name}/{path.name}"
    try:
        with path.open("rb") as handle:
            head = handle.read(HEADER_BYTES)
            if head.count(b"\n") < 3:  # a very long title line: the whole file
                head += handle.read()
        text = parse_archive_text(_decode(b"\n".join(head.split(b"\n")[:3]) + b"\n"),
                                  header_only=True)
    except (OSError, ArchiveFormatError) as exc:
        return ImportSkip(relative, str(exc))
    return ArchiveFile(path, relative, slug, text.published_ms, text.title, text.url,
                       canonical_url(text.url))


def read_archive_text(path: Path) -> ArchiveText:
    """Read and parse one file; ArchiveFormatError when it is no article file."""
    return parse_archive_text(_decode(path.read_bytes()))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArchiveFormatError(f"not UTF-8 (byte {exc.start}: {exc.reason})") from exc


def parse_archive_text(text: str, *, header_only: bool = False) -> ArchiveText:
    """The header and body of an article file in the predecessor's dialect of the format
    (with ``header_only``, ``text`` is the first three lines and the body is empty)."""
    if not text.strip():
        raise ArchiveFormatError("empty file")
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    if len(lines) < 3:
        raise ArchiveFormatError("no header: fewer than three lines")
    time_line = _TIME_LINE.fullmatch(lines[0].strip())
    if time_line is None:
        raise ArchiveFormatError(f"no header: first line is not <!--epoch ms-->: {lines[0][:60]!r}")
    link = lines[1].strip()
    middle = link.rfind("](")
    if not (link.startswith("[") and link.endswith(")") and middle > 0):
        raise ArchiveFormatError(f"no header: second line is not [title](url): {link[:60]!r}")
    url = link[middle + 2:-1].strip()
    if not url.startswith(("http://", "https://")):
        raise ArchiveFormatError(f"no header: no original URL in {link[:60]!r}")
    if not _SEPARATOR.fullmatch(lines[2].strip()):
        raise ArchiveFormatError(f"no header: third line is not ------: {lines[2][:60]!r}")
    return ArchiveText(
        published_ms=int(time_line.group(1)),
        title=_UNESCAPE.sub(r"\1", link[1:middle]).strip(),
        url=url,
        body_html="" if header_only else "\n".join(lines[3:]).strip(),
    )
