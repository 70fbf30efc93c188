"""The static site: front page, source indexes, month pages and one page per article.

Layout under the site folder (``docs/`` by default)::

    index.html                      every source with its newest articles
    search.html, search.js          the search page over the Pagefind index
    style.css, .nojekyll
    {slug}/index.html               the newest articles of a source, months
    {slug}/page-{n}.html            older articles; page 1 holds the oldest
    {slug}/{YYYY}-{MM}.html         a source's articles of one month
    {slug}/{YYYY}/{MM}/{name}.html  one article (mirrors articles/{slug}/...)
    feeds/*.xml                     copies of the Atom feeds
    media/                          copies of the mirror's media/ files
    pagefind/                       the client-side search index

    _state/                         what the pages were built from (site_state.py)

Every link is relative, so the site works from a git host's pages, any sub-path
and a local folder.  Pages depend only on the archive, never on the clock, so a
full rebuild gives the same bytes.  Index pages are numbered from the oldest
article, so new articles change only the newest pages.  Only the pages whose
committed inputs changed are rendered (:mod:`newsmirror.render.site_update`
decides, from the committed ``_state/``), and every write skips identical bytes.
Pages are written without syncing each one; the state follows one sync.
"""

from __future__ import annotations

import hashlib
import logging
import os
import posixpath
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from newsmirror.config import Config
from newsmirror.history import version_changes
from newsmirror.models import ArticleRecord
from newsmirror.render import atom
from newsmirror.render.article import ArticleFormatError, parse_article_file
from newsmirror.render.search_index import update_search_index
from newsmirror.render.site_state import read_site_state
from newsmirror.render.site_update import (
    RecordSet,
    SiteArchive,
    fingerprint_of,
    month_of,
    update_sources,
)
from newsmirror.store.files import CACHE_DIR, write_atomic

log = logging.getLogger(__name__)

STATIC_FILES = ("style.css", "search.js", "images.js")
MEDIA_DIR = "media"
_TAG = re.compile(r"<(img|source)\b([^>]*)>")
_ATTRIBUTE = re.compile(r'([a-zA-Z][\w-]*)="([^"]*)"')
_REMOTE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")
# A stored body's reference to a local image: ``../../../../media/ab/{hash}.jpg``.
_MEDIA_REFERENCE = re.compile(r"(?<![\w/])(?:\.\./)*media/([0-9a-f]{2}/[0-9a-f]+\.[a-z0-9]+)")


@dataclass(frozen=True, slots=True)
class SiteReport:
    """What a build did: pages written, left as they were, removed; whether search was indexed."""

    pages_written: int = 0
    pages_unchanged: int = 0
    pages_removed: int = 0
    feeds_written: int = 0
    media_copied: int = 0
    search_indexed: bool = False


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One line of an article list, as a template shows it."""

    title: str
    href: str
    published_iso: str
    published_short: str
    source_name: str | None
    revisions: int
    deleted: bool


@dataclass(slots=True)
class _Build:
    """The state of one build: settings, output folder, the archive and what was written."""

    config: Config
    site: Path
    names: dict[str, str]
    archive: SiteArchive
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    media: set[str] = field(default_factory=set)

    @property
    def tz(self) -> ZoneInfo:
        return self.config.tz

    def write_page(self, relative: str, text: str) -> None:
        if write_atomic(self.site / relative, text, sync=False):
            self.written += 1
        else:
            self.unchanged += 1

    def remove_page(self, page: str) -> None:
        path = self.site / page
        if path.suffix == ".html" and path.is_file():
            path.unlink()
            self.removed += 1

    def write_article_page(self, record: ArticleRecord) -> None:
        _write_article_page(self, record)

    def write_month_page(self, slug: str, month: str, records: Sequence[ArticleRecord]) -> None:
        _write_month_page(self, slug, month, records)

    def write_source_pages(self, slug: str, first_page: int, old_count: int) -> None:
        _write_source_pages(self, slug, first_page, old_count)


def build_site(
    config: Config,
    archive: SiteArchive | Iterable[ArticleRecord],
    *,
    full: bool = False,
    search_now: bool = True,
    now_ms: int | None = None,
) -> SiteReport:
    """Render the site and the feeds from the archive; render only what changed.

    ``archive`` is the cache of the committed index (or records in memory).
    ``full`` ignores what earlier builds remember and renders every page (the
    bytes written are the same unless something changed).  With ``search_now``
    false, a changed site's search index is rebuilt only when the last rebuild is
    ``site_search_every_h`` old (at ``now_ms``); until then it stays marked out of date.
    """
    if not isinstance(archive, SiteArchive):
        archive = RecordSet(archive)
    site = config.root / config.mirror.site_dir
    build = _Build(config, site, {s.slug: s.name for s in config.sources}, archive)
    inputs = site_inputs(config)
    previous = read_site_state(site)
    everything = full or previous.inputs != inputs
    _write_static_files(build)
    update = update_sources(build, build.archive, previous, inputs, full=everything,
                            tz=config.tz)
    feeds = 0
    if update.changed_sources or everything or not (site / "index.html").exists():
        _write_front_page(build)
        feeds = atom.write_feeds(
            config, {slug: build.archive.newest(slug, config.mirror.feed_size)
                     for slug in build.archive.source_slugs()},
            page_of=article_page_path,
            content_of=lambda record: _feed_content(config.root, record))
    media = copy_media(config.root / MEDIA_DIR, site / MEDIA_DIR, None if full else build.media)
    if build.written or build.removed:
        os.sync()  # the pages are on disk before the state that says they are built
    update.save(site)
    indexed = False
    if config.mirror.site_search:
        every_ms = 0 if search_now else int(config.mirror.site_search_every_h * 3_600_000)
        indexed = update_search_index(
            config.root / CACHE_DIR, site, changed=build.written + build.removed > 0 or full,
            every_ms=every_ms, now_ms=int(time.time() * 1000) if now_ms is None else now_ms,
        )
    report = SiteReport(build.written, build.unchanged, build.removed, feeds, media, indexed)
    log.info("site built written=%d unchanged=%d removed=%d feeds=%d media=%d search=%s",
             report.pages_written, report.pages_unchanged, report.pages_removed,
             report.feeds_written, report.media_copied, report.search_indexed)
    return report


def site_inputs(config: Config) -> str:
    """A hash of what every page depends on besides the archive: a change renders all again."""
    settings = config.mirror
    return fingerprint_of(
        _templates_fingerprint(), settings.site_title, settings.timezone,
        settings.site_remote_images, settings.site_search, settings.site_page_size,
        settings.site_front_page_size, settings.feed_size, settings.site_url,
        sorted((s.slug, s.name, s.enabled) for s in config.sources),
    )


# -- paths and formatting --------------------------------------------------------------


def article_page_path(record: ArticleRecord) -> str:
    """``{slug}/{YYYY}/{MM}/{name}.html`` for ``articles/{slug}/{YYYY}/{MM}/{name}.md``."""
    return record.path.split("/", 1)[1].removesuffix(".md") + ".html"


def month_page_path(record: ArticleRecord) -> str:
    """``{slug}/{YYYY}-{MM}.html``: the month of the article's folder."""
    return f"{record.source}/{month_of(record)}.html"


def link_from(page: str, target: str) -> str:
    """The relative link from one site page to another file of the site."""
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def root_of(page: str) -> str:
    return "../" * page.count("/")


def format_time(ms: int, tz: ZoneInfo, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return datetime.fromtimestamp(ms / 1000, tz).strftime(pattern)


def iso_time(ms: int, tz: ZoneInfo) -> str:
    return datetime.fromtimestamp(ms / 1000, tz).isoformat(timespec="seconds")


def _published_order(record: ArticleRecord) -> tuple[int, str]:
    return record.published_ms, record.id


def _group_by_source(records: Iterable[ArticleRecord]) -> dict[str, list[ArticleRecord]]:
    groups: dict[str, list[ArticleRecord]] = defaultdict(list)
    for record in records:
        groups[record.source].append(record)
    return dict(groups)


# -- templates ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def template_environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("newsmirror.render", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


@lru_cache(maxsize=1)
def _templates_fingerprint() -> str:
    """A hash of every template and static file: a changed template re-renders every page."""
    digest = hashlib.sha256()
    package = resources.files("newsmirror.render")
    for folder in ("templates", "static"):
        for item in sorted(package.joinpath(folder).iterdir(), key=lambda p: p.name):
            if item.is_file():
                digest.update(item.name.encode() + b"\0" + item.read_bytes())
    return digest.hexdigest()


def render_template(name: str, page: str, build: _Build, **context: Any) -> str:
    settings = build.config.mirror
    site = {"title": settings.site_title, "timezone": settings.timezone,
            "search": settings.site_search}
    template = template_environment().get_template(name)
    return template.render(site=site, root=root_of(page), **context)


# -- pages -------------------------------------------------------------------------------


def _list_entries(
    page: str, records: Iterable[ArticleRecord], build: _Build, *, with_source: bool = False
) -> list[ListEntry]:
    return [
        ListEntry(
            title=record.title,
            href=link_from(page, article_page_path(record)),
            published_iso=iso_time(record.published_ms, build.tz),
            published_short=format_time(record.published_ms, build.tz, "%Y-%m-%d"),
            source_name=build.names.get(record.source, record.source) if with_source else None,
            revisions=len(record.revisions),
            deleted=record.deleted_ms is not None,
        )
        for record in records
    ]


def _write_front_page(build: _Build) -> None:
    page = "index.html"
    size = build.config.mirror.site_front_page_size
    sections = []
    lasts = []
    for source in build.config.sources:
        count = build.archive.count(source.slug)
        if not count and not source.enabled:
            continue
        last = build.archive.last_first_seen(source.slug)
        lasts.append(last or 0)
        sections.append({
            "name": source.name,
            "href": f"{source.slug}/index.html",
            "feed_href": f"feeds/{source.slug}.xml",
            "count": count,
            "last_update": format_time(last, build.tz) if last else None,
            "entries": _list_entries(page, build.archive.newest(source.slug, size), build),
        })
    newest = max(lasts, default=0)
    build.write_page(page, render_template(
        "front.html", page, build, sections=sections,
        last_update=format_time(newest, build.tz) if newest else None,
    ))


def _write_source_pages(build: _Build, slug: str, position: int, old_count: int) -> None:
    """Pages from the one holding ``position`` on; ``index.html`` shows the newest full
    chunk and what follows, older chunks get ``page-{n}.html`` (page 1: the oldest)."""
    size = build.config.mirror.site_page_size
    count = build.archive.count(slug)
    last_page, old_last = max(count // size - 1, 0), max(old_count // size - 1, 0)
    name = build.names.get(slug, slug)
    for number in range(min(position // size, last_page, old_last), last_page + 1):
        page = f"{slug}/index.html" if number == last_page else f"{slug}/page-{number + 1}.html"
        chunk = build.archive.oldest_first(
            slug, number * size, count - number * size if number == last_page else size)
        newer = None if number == last_page else (
            "index.html" if number + 1 == last_page else f"page-{number + 2}.html")
        older = f"page-{number}.html" if number >= 1 else None
        heading = name if number == last_page else f"{name} · 第 {number + 1} 页"
        months = _month_links(build, slug) if number == last_page else []
        build.write_page(page, render_template(
            "source.html", page, build, heading=heading, source_name=name,
            entries=_list_entries(page, reversed(chunk), build), newer_href=newer,
            older_href=older, months=months, feed_href=f"{root_of(page)}feeds/{slug}.xml",
        ))
    for number in range(last_page, old_last):
        build.remove_page(f"{slug}/page-{number + 1}.html")
    if not count:
        build.remove_page(f"{slug}/index.html")


def _month_links(build: _Build, slug: str) -> list[dict[str, Any]]:
    return [
        {"href": f"{month}.html", "label": month, "count": count}
        for month, count in sorted(build.archive.shard_counts(slug).items(), reverse=True)
    ]


def _write_month_page(
    build: _Build, slug: str, month: str, records: Sequence[ArticleRecord]
) -> None:
    if not records:
        build.remove_page(f"{slug}/{month}.html")
        return
    page = f"{slug}/{month}.html"
    name = build.names.get(slug, slug)
    year, number = month.split("-")
    build.write_page(page, render_template(
        "month.html", page, build, heading=f"{name} · {year} 年 {int(number)} 月",
        source_name=name, entries=_list_entries(page, reversed(records), build),
    ))


def _write_article_page(build: _Build, record: ArticleRecord) -> None:
    page = article_page_path(record)
    source_file = build.config.root / record.path
    if not source_file.is_file():
        log.warning("article file missing path=%s", record.path)
        return
    text = _render_article_page(build, record, page, source_file)
    if text is not None:
        build.write_page(page, text)


def _render_article_page(
    build: _Build, record: ArticleRecord, page: str, source_file: Path
) -> str | None:
    try:
        parsed = parse_article_file(source_file.read_text(encoding="utf-8"))
    except (ArticleFormatError, UnicodeDecodeError) as exc:
        log.warning("article file unreadable path=%s reason=%s", record.path, exc)
        return None
    tz = build.tz
    build.media.update(_MEDIA_REFERENCE.findall(parsed.body_html))
    body = prepare_body_html(
        parsed.body_html, record.path, page, remote_images=build.config.mirror.site_remote_images
    )
    month_page = month_page_path(record)
    article = {
        "title": record.title,
        "url": record.url,
        "author": record.author,
        "source_name": build.names.get(record.source, record.source),
        "source_href": link_from(page, f"{record.source}/index.html"),
        "month_href": link_from(page, month_page),
        "month_label": month_of(record),
        "published": format_time(record.published_ms, tz),
        "published_iso": iso_time(record.published_ms, tz),
        "revisions": len(record.revisions),
        "deleted": format_time(record.deleted_ms, tz) if record.deleted_ms else None,
        "deleted_iso": iso_time(record.deleted_ms, tz) if record.deleted_ms else None,
        "body_html": body,
        "record": record,
        "changes": [
            {"number": c.number, "seen": format_time(c.seen_ms, tz), "seen_iso": iso_time(c.seen_ms, tz),
             "old_title": c.old_title, "new_title": c.new_title, "diff_html": c.diff_html}
            for c in version_changes(build.config.root, record)
        ] if record.revisions else [],
    }
    return render_template("article.html", page, build, article=article)


# -- article bodies ------------------------------------------------------------------------


def prepare_body_html(body: str, article_path: str, page: str, *, remote_images: bool) -> str:
    """The stored (already sanitised) body as a site page shows it.

    Local media (``media/...`` at the mirror root, or a path relative to the
    article file that leads there) is pointed at the site's copy; images load
    lazily; with ``remote_images`` off, an image from another host becomes a link.
    """

    def rewrite(match: re.Match[str]) -> str:
        tag, attributes = match.group(1), dict(_ATTRIBUTE.findall(match.group(2)))
        for name in ("src", "srcset"):
            if name in attributes:
                attributes[name] = _rewrite_urls(attributes[name], name, article_path, page)
        urls = [attributes.get("src", ""), *_srcset_urls(attributes.get("srcset", ""))]
        if not remote_images and any(_REMOTE.match(u) and not u.startswith("data:") for u in urls):
            return _image_link(tag, attributes)
        if tag == "img":
            attributes.setdefault("loading", "lazy")
            attributes.setdefault("decoding", "async")
        rendered = "".join(f' {k}="{v}"' for k, v in attributes.items())
        return f"<{tag}{rendered}>"

    return _TAG.sub(rewrite, body)


def _image_link(tag: str, attributes: dict[str, str]) -> str:
    if tag == "source":
        return ""
    href = attributes.get("src") or next(iter(_srcset_urls(attributes.get("srcset", ""))), "")
    label = attributes.get("alt") or "图片"
    return f'<a class="remote-image" href="{href}" rel="noopener noreferrer">[{label}]</a>'


def _srcset_urls(srcset: str) -> Iterator[str]:
    for candidate in srcset.split(","):
        parts = candidate.split()
        if parts:
            yield parts[0]


def _rewrite_urls(value: str, attribute: str, article_path: str, page: str) -> str:
    if attribute == "src":
        return _media_link(value, article_path, page)
    candidates = []
    for candidate in value.split(","):
        parts = candidate.split()
        if parts:
            candidates.append(" ".join([_media_link(parts[0], article_path, page), *parts[1:]]))
    return ", ".join(candidates)


def _media_link(url: str, article_path: str, page: str) -> str:
    """A ``media/`` reference, relative to the site page; anything else unchanged."""
    if not url or _REMOTE.match(url) or url.startswith("#"):
        return url
    if url.startswith("/"):
        target = url.lstrip("/")
    else:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(article_path), url))
        if not target.startswith(MEDIA_DIR + "/") and url.startswith(MEDIA_DIR + "/"):
            target = url
    if not target.startswith(MEDIA_DIR + "/"):
        return url
    return link_from(page, target)


def _feed_content(root: Path, record: ArticleRecord) -> str | None:
    """An article's body as feeds carry it: media links relative to ``feeds/``."""
    body = _read_body(root / record.path)
    if body is None:
        return None
    return prepare_body_html(body, record.path, atom.feed_path(atom.ALL_FEED), remote_images=True)


def _read_body(path: Path) -> str | None:
    try:
        return parse_article_file(path.read_text(encoding="utf-8")).body_html
    except (OSError, ArticleFormatError, UnicodeDecodeError) as exc:
        log.warning("article file unreadable path=%s reason=%s", path, exc)
        return None


# -- files beside the pages ------------------------------------------------------------


def _write_static_files(build: _Build) -> None:
    static = resources.files("newsmirror.render").joinpath("static")
    for name in STATIC_FILES:
        write_atomic(build.site / name, static.joinpath(name).read_bytes())
    write_atomic(build.site / ".nojekyll", b"")
    build.write_page("search.html", render_template("search.html", "search.html", build))


def copy_media(source: Path, target: Path, only: set[str] | None = None) -> int:
    """Copy media files the site lacks (names are content hashes); return how many.

    ``only`` names the files to look at (``ab/….jpg``, those the pages rendered
    refer to); None looks at every file.
    """
    if not source.is_dir():
        return 0
    copied = 0
    paths = sorted(source.rglob("*")) if only is None else [source / name for name in sorted(only)]
    for path in paths:
        if not path.is_file() or path.name.startswith("."):
            continue
        destination = target / path.relative_to(source)
        try:
            if destination.stat().st_size == path.stat().st_size:
                continue
        except FileNotFoundError:
            pass
        write_atomic(destination, path.read_bytes())
        copied += 1
    return copied


__all__ = [
    "ListEntry",
    "SiteReport",
    "article_page_path",
    "build_site",
    "copy_media",
    "link_from",
    "month_page_path",
    "prepare_body_html",
]
