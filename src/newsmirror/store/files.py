"""Where things live in a mirror, and writing them so a crash never leaves half a file."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from newsmirror.times import local_datetime

ARTICLES_DIR = "articles"
INDEX_DIR = "index"
LISTS_DIR = "lists"
CACHE_DIR = ".newsmirror"
MONTH_README = "README.md"
# A git host's web view stops listing a folder at 1,000 entries; keep room for README.md.
MAX_ARTICLES_PER_FOLDER = 990
MAX_NAME_CHARS = 48
_MKSTEMP_MODE = 0o600
_UMASK_LOCK = threading.Lock()

_NON_SLUG = re.compile(r"[^a-z0-9]+")
_EXTENSIONS = (".html", ".htm", ".shtml", ".php", ".aspx", ".asp", ".jsp")
# Path segments that name a section or language, never the article.
_GENERIC_SEGMENTS = frozenset(
    {"simp", "trad", "index", "amp", "zh", "cn", "chinese", "article", "articles", "news", "a",
     "s", "story", "zhongwen", "mandarin", "hans", "hant", "zh-hans", "zh-hant", "full", "rss"}
)
# Names Windows refuses, and names that collide with files we generate.
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", "readme", "index", "license"}
    | {f"com{i}" for i in range(10)}
    | {f"lpt{i}" for i in range(10)}
)


def article_id(source_slug: str, canonical: str) -> str:
    """Stable short id of an article: 12 hex digits of a hash of source and canonical URL."""
    return hashlib.sha256(f"{source_slug}\n{canonical}".encode()).hexdigest()[:12]


def name_candidate(canonical: str, title: str = "") -> str:
    """An ASCII, short file stem that says which article it holds (uniqueness aside).

    In order: the URL's own words when it has some (``germany-china-spying``), the
    title transliterated (pinyin for Chinese: ``xu-cai-hou-zai-bing-ta-shang``), the
    URL's distinctive id (``a-57388955``), a hash.  The same URL and title always
    give the same stem.
    """
    segments = [_slug(unquote(s)) for s in urlsplit(canonical).path.split("/") if s]
    usable = [s for s in reversed(segments) if s not in _GENERIC_SEGMENTS and s not in _RESERVED]
    for stem in usable:
        if _has_words(stem):
            return _shorten(stem)
    readable_title = "" if title.startswith(("http://", "https://")) else title
    from_title = _shorten(_slug(_transliterate(readable_title)))
    if len(from_title) >= 4 and from_title not in _RESERVED:
        return from_title
    for stem in usable:
        if len(_shorten(stem)) >= 4:
            return _shorten(stem)
    return "a-" + hashlib.sha256(canonical.encode()).hexdigest()[:10]


def _slug(text: str) -> str:
    """Lower-case ASCII words joined by ``-`` (an extension like ``.html`` dropped)."""
    lowered = text.lower()
    for ext in _EXTENSIONS:
        lowered = lowered.removesuffix(ext)
    return _NON_SLUG.sub("-", lowered).strip("-")


def _has_words(stem: str) -> bool:
    """True when a URL segment reads as words (``trump-executive-order``), not an id."""
    words = [w for w in stem.split("-") if w.isalpha() and len(w) >= 2]
    return len(words) >= 2 and sum(map(len, words)) >= 8


def _transliterate(title: str) -> str:
    """The title in ASCII: Chinese as pinyin syllables, accents dropped, the rest removed."""
    from pypinyin import lazy_pinyin  # its dictionaries load on import: only when a name needs it

    syllables = lazy_pinyin(unicodedata.normalize("NFKC", title))
    text = " ".join(syllables)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _shorten(stem: str) -> str:
    """At most MAX_NAME_CHARS, cut at a word boundary where there is one."""
    if len(stem) <= MAX_NAME_CHARS:
        return stem
    cut = stem[: MAX_NAME_CHARS + 1].rsplit("-", 1)[0]
    if not MAX_NAME_CHARS // 2 <= len(cut) <= MAX_NAME_CHARS:
        cut = stem[:MAX_NAME_CHARS]
    return cut.strip("-")


def unique_name(candidate: str, canonical: str, taken: set[str]) -> str:
    """``candidate`` if free in its folder, else the candidate with a hash suffix."""
    if candidate not in taken:
        return candidate
    suffix = hashlib.sha256(canonical.encode()).hexdigest()
    for width in (6, 10, 16, 32):
        name = f"{candidate[: MAX_NAME_CHARS - width - 1]}-{suffix[:width]}"
        if name not in taken:
            return name
    raise ValueError(f"no free name for {canonical}")


def month_shard(published_ms: int, tz: ZoneInfo) -> str:
    """``YYYY/MM`` of a publication time in the mirror's time zone."""
    when = local_datetime(published_ms, tz)
    return f"{when.year:04d}/{when.month:02d}"


def folder_for(source_slug: str, shard: str, folder_counts: dict[str, int]) -> str:
    """The article folder for a month, spilling into ``MM-2``, ``MM-3`` when one fills."""
    base = f"{ARTICLES_DIR}/{source_slug}/{shard}"
    folder = base
    n = 1
    while folder_counts.get(folder, 0) >= MAX_ARTICLES_PER_FOLDER:
        n += 1
        folder = f"{base}-{n}"
    return folder


def is_inside(root: Path, relative: str) -> bool:
    """True when ``relative`` names a path under ``root`` (no ``..``, not absolute)."""
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts:
        return False
    return (root / pure).resolve().is_relative_to(root.resolve())


def write_atomic(path: Path, content: str | bytes, *, sync: bool = True) -> bool:
    """Write ``content`` to ``path`` via a synced temporary file and a rename.

    The file gets the mode the umask gives new files (0644 under umask 022), not
    mkstemp's 0600.  Returns False (and writes nothing) when the file already holds
    exactly these bytes, so unchanged outputs keep their modification time.  With
    ``sync`` false nothing is synced: for writing many files, then syncing once
    (``os.sync``).
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    mode = file_mode()
    try:
        stat = path.stat()
        if stat.st_size == len(data) and path.read_bytes() == data:
            if stat.st_mode & 0o777 == _MKSTEMP_MODE != mode:  # left private by an older version
                path.chmod(mode)
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)  # mkstemp's 0600 would lock out a web server running as another user
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    if sync:
        _fsync_dir(path.parent)
    return True


def file_mode() -> int:
    """The mode a new file gets from the process's umask (0644 under umask 022)."""
    return 0o666 & ~_current_umask()


def _current_umask() -> int:
    """The umask, read without changing it where Linux shows it (os.umask sets it to read it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def sync_files(paths: Iterable[Path]) -> None:
    """Make files written without a sync durable: each file, then each folder once."""
    folders = set()
    for path in paths:
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        folders.add(path.parent)
    for folder in sorted(folders):
        _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_stale_temporaries(root: Path) -> int:
    """Delete temporary files a killed run left behind anywhere in the mirror; return how many.

    Every folder counts (articles, index, lists, the site, feeds, media, the
    cache), not only a few: a run can be killed during any write.  ``.git`` is
    git's own.  Call only while holding the run lock, and only after a killed run
    (``RunLock.after_killed_run``): walking a mirror of years costs a second.
    """
    removed = 0
    for folder, subfolders, files in os.walk(root):
        if folder == str(root) and ".git" in subfolders:
            subfolders.remove(".git")
        for name in files:
            if name.startswith(".") and name.endswith(".tmp"):
                Path(folder, name).unlink(missing_ok=True)
                removed += 1
    return removed
