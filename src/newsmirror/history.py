"""Every version of an article, and what changed from one to the next.

The current version of an article is its file at ``record.path``.  Each earlier
version is kept by the store (:func:`newsmirror.store.articles.revision_path`),
where ``seen_ms`` is when the mirror first saw that version (the article's
``first_seen_ms`` for the first one).  The committed index lists them in
``record.revisions``, oldest first, so the versions of an article can be shown
without reading git history.  Bodies come from a :data:`BodyReader` the caller
passes in (the store's ``ArticleFiles.body``); this module opens no file.

Differences are computed on plain text, paragraph by paragraph and then
character by character inside changed paragraphs, so that in Chinese a changed
word shows as that word.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from newsmirror.clean.sanitize import plain_text as plain_text  # re-exported: history works on it
from newsmirror.clean.urls import canonical_url
from newsmirror.models import ArticleRecord
from newsmirror.store.articles import revision_path
from newsmirror.store.index import ArchiveIndex
from newsmirror.times import format_local

# path of an article file (current or kept version) → its body HTML, None when not kept.
BodyReader = Callable[[str], str | None]
# An unchanged run this short between two changes is shown as part of the change:
# "[-甲乙-]{+丙丁+}" reads better than "[-甲-]{+丙+}的[-乙-]{+丁+}".
MIN_EQUAL_CHARS = 3

PieceKind = Literal["equal", "delete", "insert"]


@dataclass(frozen=True, slots=True)
class Version:
    """One state of an article as the mirror saw it."""

    number: int
    seen_ms: int
    title: str
    path: str
    body_html: str
    kept: bool = True


@dataclass(frozen=True, slots=True)
class DiffPiece:
    """A run of text that both versions share, or that only one of them has."""

    kind: PieceKind
    text: str


@dataclass(frozen=True, slots=True)
class ParagraphDiff:
    """One paragraph of the comparison; ``changed`` when any piece is not equal."""

    pieces: tuple[DiffPiece, ...]

    @property
    def changed(self) -> bool:
        return any(piece.kind != "equal" for piece in self.pieces)


def current_version_ms(record: ArticleRecord) -> int:
    """When the mirror first saw the article as it is now."""
    return record.edited_ms or record.first_seen_ms


def load_versions(read_body: BodyReader, record: ArticleRecord) -> list[Version]:
    """Every version of the article, oldest first; the last is the current file."""
    versions = [
        _read_version(read_body, revision_path(record.path, r.seen_ms), n, r.seen_ms, r.title)
        for n, r in enumerate(record.revisions, 1)
    ]
    versions.append(_read_version(
        read_body, record.path, len(versions) + 1, current_version_ms(record), record.title
    ))
    return versions


def _read_version(
    read_body: BodyReader, path: str, number: int, seen_ms: int, title: str
) -> Version:
    body = read_body(path)
    if body is None:
        return Version(number, seen_ms, title, path, "", kept=False)
    return Version(number, seen_ms, title, path, body)


def find_article(index: ArchiveIndex, root: Path, key: str) -> ArticleRecord | None:
    """The article named by its id, its path (in the mirror or on disk) or its URL."""
    candidates = [key.strip(), canonical_url(key.strip())]
    path = Path(key).expanduser()
    if path.exists():
        try:
            candidates.append(path.resolve().relative_to(root.resolve()).as_posix())
        except ValueError:
            pass
    for candidate in candidates:
        record = index.find_by_path_or_url(candidate)
        if record is not None:
            return record
    return None


def diff_paragraphs(old_text: str, new_text: str) -> list[ParagraphDiff]:
    """Paragraph-aligned comparison; inside changed paragraphs, character by character."""
    old_lines, new_lines = old_text.split("\n"), new_text.split("\n")
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    result: list[ParagraphDiff] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result += [ParagraphDiff((DiffPiece("equal", line),)) for line in old_lines[i1:i2]]
        elif tag == "delete":
            result += [ParagraphDiff((DiffPiece("delete", line),)) for line in old_lines[i1:i2]]
        elif tag == "insert":
            result += [ParagraphDiff((DiffPiece("insert", line),)) for line in new_lines[j1:j2]]
        elif i2 - i1 == j2 - j1:
            result += [ParagraphDiff(diff_chars(a, b))
                       for a, b in zip(old_lines[i1:i2], new_lines[j1:j2], strict=True)]
        else:
            result.append(ParagraphDiff(
                diff_chars("\n".join(old_lines[i1:i2]), "\n".join(new_lines[j1:j2]))
            ))
    return [p for p in result if p.pieces and any(piece.text for piece in p.pieces)]


def diff_chars(old: str, new: str) -> tuple[DiffPiece, ...]:
    """Character-level pieces turning ``old`` into ``new``; short shared runs folded in."""
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    pieces: list[DiffPiece] = []
    opcodes = matcher.get_opcodes()
    for n, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        between_changes = 0 < n < len(opcodes) - 1
        if tag == "equal" and not (between_changes and i2 - i1 < MIN_EQUAL_CHARS):
            pieces.append(DiffPiece("equal", old[i1:i2]))
            continue
        if tag != "insert":
            pieces.append(DiffPiece("delete", old[i1:i2]))
        if tag != "delete":
            pieces.append(DiffPiece("insert", new[j1:j2]))
    return _merge_pieces(pieces)


def _merge_pieces(pieces: list[DiffPiece]) -> tuple[DiffPiece, ...]:
    """Join neighbouring changes: all deletions of a change first, then its insertions."""
    merged: list[DiffPiece] = []
    pending: dict[PieceKind, str] = {"delete": "", "insert": ""}

    def flush() -> None:
        for kind in ("delete", "insert"):
            if pending[kind]:
                merged.append(DiffPiece(kind, pending[kind]))
                pending[kind] = ""

    for piece in pieces:
        if piece.kind == "equal":
            flush()
            if piece.text:
                merged.append(piece)
        else:
            pending[piece.kind] += piece.text
    flush()
    return tuple(merged)


def render_diff_text(old_text: str, new_text: str, *, context: int = 1) -> str:
    """Changed paragraphs with ``[-deleted-]`` and ``{+inserted+}`` marks, for a terminal."""
    lines: list[str] = []
    for paragraph in _with_context(diff_paragraphs(old_text, new_text), context):
        if paragraph is None:
            lines.append("…")
            continue
        lines.append("".join(_text_piece(piece) for piece in paragraph.pieces))
    return "\n".join(lines)


def _text_piece(piece: DiffPiece) -> str:
    if piece.kind == "delete":
        return f"[-{piece.text}-]"
    if piece.kind == "insert":
        return f"{{+{piece.text}+}}"
    return piece.text


def render_diff_html(old_text: str, new_text: str, *, context: int | None = 1) -> str:
    """Safe HTML of the comparison: ``<p>`` per paragraph, ``<del>`` and ``<ins>`` inside.

    Unchanged paragraphs further than ``context`` from a change become one
    ``<p class="diff-skip">…</p>``; ``context=None`` shows every paragraph.
    """
    paragraphs = diff_paragraphs(old_text, new_text)
    shown = paragraphs if context is None else _with_context(paragraphs, context)
    parts = ['<div class="diff">']
    for paragraph in shown:
        if paragraph is None:
            parts.append('<p class="diff-skip">…</p>')
            continue
        css = ' class="diff-changed"' if paragraph.changed else ""
        inner = "".join(_html_piece(piece) for piece in paragraph.pieces)
        parts.append(f"<p{css}>{inner}</p>")
    parts.append("</div>")
    return "".join(parts)


def _html_piece(piece: DiffPiece) -> str:
    text = html.escape(piece.text, quote=False).replace("\n", "<br>")
    if piece.kind == "delete":
        return f"<del>{text}</del>"
    if piece.kind == "insert":
        return f"<ins>{text}</ins>"
    return text


def _with_context(paragraphs: list[ParagraphDiff], context: int) -> list[ParagraphDiff | None]:
    """Changed paragraphs and ``context`` neighbours each side; None marks a gap."""
    changed = [i for i, p in enumerate(paragraphs) if p.changed]
    keep = {j for i in changed for j in range(i - context, i + context + 1)}
    shown: list[ParagraphDiff | None] = []
    for i, paragraph in enumerate(paragraphs):
        if i in keep:
            shown.append(paragraph)
        elif changed and (not shown or shown[-1] is not None):
            shown.append(None)
    return shown


@dataclass(frozen=True, slots=True)
class VersionChange:
    """How version ``number`` differs from the one before it, for an article page."""

    number: int
    seen_ms: int
    old_title: str
    new_title: str
    diff_html: str
    kept: bool


def version_changes(read_body: BodyReader, record: ArticleRecord) -> list[VersionChange]:
    """Each edit of the article, newest first, with a safe HTML diff (``<ins>``/``<del>``)."""
    versions = load_versions(read_body, record)
    changes = []
    for old, new in zip(versions, versions[1:], strict=False):
        kept = old.kept and new.kept
        diff = ""
        if kept:
            diff = render_diff_html(plain_text(old.body_html), plain_text(new.body_html))
        changes.append(VersionChange(new.number, new.seen_ms, old.title, new.title, diff, kept))
    return changes[::-1]


def render_title_diff_text(old_title: str, new_title: str) -> str:
    return "".join(_text_piece(piece) for piece in diff_chars(old_title, new_title))


def render_history_text(
    record: ArticleRecord, versions: list[Version], tz: ZoneInfo
) -> str:
    """What ``newsmirror history`` prints: the versions with times, then each diff."""
    lines = [f"{record.title}", f"  {record.url}", f"  {record.path}"]
    if record.deleted_ms:
        lines.append(f"  original deleted: first seen gone {format_local(record.deleted_ms, tz)}")
    lines.append("")
    for version in versions:
        note = "" if version.kept else "  (text not kept)"
        lines.append(f"version {version.number}  {format_local(version.seen_ms, tz)}  "
                     f"{version.title}{note}")
    for old, new in zip(versions, versions[1:], strict=False):
        lines += ["", f"--- version {old.number} → version {new.number} "
                      f"({format_local(new.seen_ms, tz)}) ---"]
        if old.title != new.title:
            lines.append("title: " + render_title_diff_text(old.title, new.title))
        if not (old.kept and new.kept):
            lines.append("(text not kept; no comparison)")
            continue
        body = render_diff_text(plain_text(old.body_html), plain_text(new.body_html))
        lines.append(body or "(same text)")
    return "\n".join(lines) + "\n"

