"""The static site: front page, source indexes, month pages and one page per article.

Layout under the site folder (``docs/`` by default)::

    index.html                      every source with its newest articles
    search.html, search.js          the search page over the index in search/
    style.css, .nojekyll
    {slug}/index.html               the newest articles of a source, months
    {slug}/page-{n}.html            older articles; page 1 holds the oldest
    {slug}/{YYYY}-{MM}.html         a source's articles of one month
    {slug}/{YYYY}/{MM}/{name}.html  one article (mirrors articles/{slug}/...)
    feeds/*.xml                     copies of the Atom feeds
    media/                          copies of the mirror's media/ files
    search/                         the search index (newsmirror.search.static_index)

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
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import jinja2

from newsmirror.config import Config, Source
from newsmirror.history import version_changes
from newsmirror.models import ArticleRecord
from newsmirror.render import atom
from newsmirror.render.body import MEDIA_DIR, link_from, prepare_body_html
from newsmirror.render.site_state import read_site_state
from newsmirror.render.site_update import (
    RecordSet,
    SiteArchive,
    fingerprint_of,
    month_of,
    update_sources,
)
from newsmirror.search.static_index import (
    SearchReport,
    is_search_index_current,
    sync_site_search,
    update_site_search,
)
from newsmirror.store.files import write_atomic
from newsmirror.times import format_local, iso_local

log = logging.getLogger(__name__)

STATIC_FILES = ("style.css", "search.js", "images.js")
# A stored body's reference to a local image: ``../../../../media/ab/{hash}.jpg``.
_MEDIA_REFERENCE = re.compile(r"(?<![\w/])(?:\.\./)*media/([0-9a-f]{2}/[\w-]+\.[a-z0-9]+)")


class StoredArticles(Protocol):
    """What the site reads of the stored articles (the store's ``ArticleFiles``)."""

    def body(self, path: str) -> str | None:
        """The body HTML of the article file at ``path``; None when there is none."""


@dataclass(frozen=True, slots=True)
class SiteReport:
    """What a build did: pages written, left as they were, removed; whether search changed."""

    pages_written: int = 0
    pages_unchanged: int = 0
    pages_removed: int = 0
    feeds_written: int = 0
    media_copied: int = 0
    search_indexed: bool = False
    files_written: int = 0  # static files and the build's state


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
    articles: StoredArticles
    site: Path
    names: dict[str, str]
    archive: SiteArchive
    sources: tuple[Source, ...]  # the [[sources]], and the on-demand archive once it has articles
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    media: set[str] = field(default_factory=set)
    rendered: list[ArticleRecord] = field(default_factory=list)  # article pages rendered

    @property
    def tz(self) -> ZoneInfo:
        return self.config.tz

    def write_page(self, relative: str, text: str) -> None:
        if write_atomic(self.site / relative, text, sync=False):
            self.written += 1
        else:
            self.unchanged += 1

    def remove_page(self, page: str) -> None:
        """Delete a page the site no longer has, and its folders once they are empty."""
        path = self.site / page
        if path.suffix == ".html" and path.is_file():
            path.unlink()
            self.removed += 1
            for folder in path.parents:
                if folder == self.site or any(folder.iterdir()):
                    break
                folder.rmdir()

    def write_article_page(self, record: ArticleRecord) -> None:
        _write_article_page(self, record)

    def write_month_page(self, slug: str, month: str, records: Sequence[ArticleRecord]) -> None:
        _write_month_page(self, slug, month, records)

    def write_source_pages(self, slug: str, first_page: int, old_count: int) -> None:
        _write_source_pages(self, slug, first_page, old_count)


def build_site(
    config: Config,
    archive: SiteArchive | Iterable[ArticleRecord],
    articles: StoredArticles,
    *,
    now_ms: int,
    full: bool = False,
) -> SiteReport:
    """Render the site and the feeds from the archive; render only what changed.

    ``archive`` is the cache of the committed index (or records in memory).
    ``full`` ignores what earlier builds remember and renders every page (the
    bytes written are the same unless something changed), and finishes every
    merge of the search index at once.  Article bodies and their kept versions come
    from ``articles``; the site never opens an article file itself.
    """
    if not isinstance(archive, SiteArchive):
        archive = RecordSet(archive)
    site = config.root / config.mirror.site_dir
    listed = config.listed_sources(lambda slug: archive.count(slug) > 0)
    build = _Build(config, articles, site, {s.slug: s.name for s in listed}, archive, listed)
    inputs = site_inputs(config, listed)
    previous = read_site_state(site)
    everything = full or previous.inputs != inputs
    files_written = _write_static_files(build)
    update = update_sources(build, build.archive, previous, inputs, full=everything,
                            tz=config.tz)
    feeds = 0
    if update.changed_sources or everything or not (site / "index.html").exists():
        _write_front_page(build)
        feeds = atom.write_feeds(
            config, {slug: build.archive.newest(slug, config.mirror.feed_size)
                     for slug in build.archive.source_slugs()},
            page_of=article_page_path,
            content_of=lambda record: _feed_content(articles, record))
    media = copy_media(config.root / MEDIA_DIR, site / MEDIA_DIR, None if full else build.media)
    search = _update_search_index(build, update.removed_ids, full=full)
    if build.written or build.removed or search.indexed or search.removed:
        os.sync()  # the pages are on disk before the state that says they are built
    files_written += update.save(site)
    indexed = search.indexed + search.removed > 0
    report = SiteReport(build.written, build.unchanged, build.removed, feeds, media, indexed,
                        files_written)
    log.info("site built written=%d unchanged=%d removed=%d feeds=%d media=%d search=%s",
             report.pages_written, report.pages_unchanged, report.pages_removed,
             report.feeds_written, report.media_copied, report.search_indexed)
    return report


def _update_search_index(build: _Build, removed_ids: set[str], *, full: bool) -> SearchReport:
    """The site's search index after the pages: the articles rendered are compared with it
    (a full build compares every article and finishes its merges)."""
    def read_body(record: ArticleRecord) -> str:
        return build.articles.body(record.path) or ""

    if full:
        return sync_site_search(build.config, build.archive.all_records(), read_body,
                                page_of=article_page_path, finish_merges=True)
    if not build.rendered and not removed_ids and (
            not build.config.mirror.site_search or is_search_index_current(build.config)):
        return SearchReport()  # nothing changed: a quiet run writes nothing here either
    return update_site_search(build.config, build.rendered, read_body, page_of=article_page_path,
                              all_records=build.archive.all_records, removed_ids=removed_ids)


def site_inputs(config: Config, sources: tuple[Source, ...]) -> str:
    """A hash of what every page depends on besides the archive: a change renders all again."""
    settings = config.mirror
    return fingerprint_of(
        _templates_fingerprint(), settings.site_title, settings.timezone,
        settings.site_remote_images, settings.site_search, settings.site_page_size,
        settings.site_front_page_size, settings.feed_size, settings.site_url,
        sorted((s.slug, s.name, s.enabled) for s in sources),
    )


# -- paths and formatting --------------------------------------------------------------


def article_page_path(record: ArticleRecord) -> str:
    """``{slug}/{YYYY}/{MM}/{name}.html`` for ``articles/{slug}/{YYYY}/{MM}/{name}.md``."""
    return record.path.split("/", 1)[1].removesuffix(".md") + ".html"


def month_page_path(record: ArticleRecord) -> str:
    """``{slug}/{YYYY}-{MM}.html``: the month of the article's folder."""
    return f"{record.source}/{month_of(record)}.html"


def root_of(page: str) -> str:
    return "../" * page.count("/")


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
            published_iso=iso_local(record.published_ms, build.tz),
            published_short=format_local(record.published_ms, build.tz, "%Y-%m-%d"),
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
    for source in build.sources:
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
            "last_update": format_local(last, build.tz) if last else None,
            "entries": _list_entries(page, build.archive.newest(source.slug, size), build),
        })
    newest = max(lasts, default=0)
    build.write_page(page, render_template(
        "front.html", page, build, sections=sections,
        last_update=format_local(newest, build.tz) if newest else None,
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
    build.rendered.append(record)
    page = article_page_path(record)
    text = _render_article_page(build, record, page)
    if text is None:
        log.warning("article file missing or unreadable path=%s", record.path)
    else:
        build.write_page(page, text)


def _render_article_page(build: _Build, record: ArticleRecord, page: str) -> str | None:
    stored_body = build.articles.body(record.path)
    if stored_body is None:
        return None
    tz = build.tz
    build.media.update(_MEDIA_REFERENCE.findall(stored_body))
    body = prepare_body_html(
        stored_body, record.path, page, remote_images=build.config.mirror.site_remote_images
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
        "published": format_local(record.published_ms, tz),
        "published_iso": iso_local(record.published_ms, tz),
        "revisions": len(record.revisions),
        "deleted": format_local(record.deleted_ms, tz) if record.deleted_ms else None,
        "deleted_iso": iso_local(record.deleted_ms, tz) if record.deleted_ms else None,
        "body_html": body,
        "record": record,
        "changes": [
            {"number": c.number, "seen": format_local(c.seen_ms, tz), "seen_iso": iso_local(c.seen_ms, tz),
             "old_title": c.old_title, "new_title": c.new_title, "diff_html": c.diff_html}
            for c in version_changes(build.articles.body, record)
        ] if record.revisions else [],
    }
    return render_template("article.html", page, build, article=article)


# -- article bodies ------------------------------------------------------------------------


def _feed_content(articles: StoredArticles, record: ArticleRecord) -> str | None:
    """An article's body as feeds carry it: media links relative to ``feeds/``."""
    body = articles.body(record.path)
    if body is None:
        return None
    return prepare_body_html(body, record.path, atom.feed_path(atom.ALL_FEED), remote_images=True)


# -- files beside the pages ------------------------------------------------------------


def _write_static_files(build: _Build) -> int:
    """The site's fixed files; how many changed."""
    static = resources.files("newsmirror.render").joinpath("static")
    written = sum(write_atomic(build.site / name, static.joinpath(name).read_bytes())
                  for name in STATIC_FILES)
    written += write_atomic(build.site / ".nojekyll", b"")
    build.write_page("search.html", render_template("search.html", "search.html", build))
    return written


def copy_media(source: Path, target: Path, only: set[str] | None = None) -> int:
    """Copy media files the site lacks (names are content hashes); return how many.

    ``only`` names the files to look at (``ab/….jpg``, those the pages rendered
    refer to); None looks at every file.
    """
    if not source.is_dir():
        return 0
    copied = 0
    paths = sorted(source.rglob("*")) if only is None else [
        source / name for name in sorted(only) if ".." not in name.split("/")]
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
    "StoredArticles",
    "article_page_path",
    "build_site",
    "copy_media",
    "link_from",
    "month_page_path",
    "prepare_body_html",
]
