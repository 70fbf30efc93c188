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

Every link is relative, so the site works from a git host's pages, any sub-path
and a local folder.  Pages depend only on the archive, never on the clock, so a
full rebuild gives the same bytes.  Index pages are numbered from the oldest
article, so new articles change only the newest pages.  Article pages are
rendered again only when their inputs changed (remembered in
``.newsmirror/site-state.json``); every write skips identical bytes.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import jinja2

from newsmirror.config import Config
from newsmirror.history import version_changes
from newsmirror.models import ArticleRecord
from newsmirror.render import atom
from newsmirror.render.body import MEDIA_DIR, link_from, prepare_body_html
from newsmirror.search.static_index import sync_site_search
from newsmirror.store.files import CACHE_DIR, write_atomic
from newsmirror.times import format_local, iso_local, local_datetime

log = logging.getLogger(__name__)

STATE_FILENAME = "site-state.json"
STATIC_FILES = ("style.css", "search.js", "images.js")


class StoredArticles(Protocol):
    """What the site reads of the stored articles (the store's ``ArticleFiles``)."""

    def body(self, path: str) -> str | None:
        """The body HTML of the article file at ``path``; None when there is none."""

    def stamp(self, path: str) -> tuple[int, int] | None:
        """A value that changes whenever the file at ``path`` is written; None when missing."""


@dataclass(frozen=True, slots=True)
class SiteReport:
    """What a build did: pages written, left as they were, removed; whether search changed."""

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
    """The state of one build: settings, output folder and what was written."""

    config: Config
    articles: StoredArticles
    site: Path
    names: dict[str, str]
    previous: dict[str, str]
    trusted: bool
    fingerprints: dict[str, str] = field(default_factory=dict)
    written: int = 0
    unchanged: int = 0

    @property
    def tz(self) -> ZoneInfo:
        return self.config.tz

    def write_page(self, relative: str, text: str, fingerprint: str = "") -> None:
        self.fingerprints[relative] = fingerprint
        if write_atomic(self.site / relative, text):
            self.written += 1
        else:
            self.unchanged += 1


def build_site(
    config: Config,
    records: Iterable[ArticleRecord],
    articles: StoredArticles,
    *,
    now_ms: int,
    full: bool = False,
) -> SiteReport:
    """Render the site and the feeds from the archive's records; rewrite only what changed.

    ``full`` ignores what earlier builds remember and renders every page (the
    bytes written are the same unless something changed), and finishes every
    merge of the search index at once.  Article bodies and their kept versions come
    from ``articles``; the site never opens an article file itself.
    """
    site = config.root / config.mirror.site_dir
    state_path = config.root / CACHE_DIR / STATE_FILENAME
    templates, previous = _read_state(state_path)
    trusted = not full and templates == _templates_fingerprint()
    records = sorted(records, key=_published_order)
    by_source = _group_by_source(records)
    build = _Build(config, articles, site,
                   {s.slug: s.name for s in config.listed_sources(by_source.__contains__)},
                   previous, trusted)
    _write_static_files(build)
    _write_article_pages(build, records)
    for slug, source_records in sorted(by_source.items()):
        _write_source_pages(build, slug, source_records)
        _write_month_pages(build, slug, source_records)
    _write_front_page(build, by_source)
    removed = _remove_stale_pages(build)
    feeds = atom.write_feeds(config, by_source, page_of=article_page_path,
                             content_of=lambda record: _feed_content(articles, record))
    media = copy_media(config.root / MEDIA_DIR, site / MEDIA_DIR)
    _write_state(state_path, _templates_fingerprint(), build.fingerprints)
    search = sync_site_search(config, records, lambda r: articles.body(r.path) or "",
                              page_of=article_page_path, finish_merges=full)
    indexed = search.indexed + search.removed > 0
    report = SiteReport(build.written, build.unchanged, removed, feeds, media, indexed)
    log.info("site built written=%d unchanged=%d removed=%d feeds=%d media=%d search=%s",
             report.pages_written, report.pages_unchanged, report.pages_removed,
             report.feeds_written, report.media_copied, report.search_indexed)
    return report


# -- paths and formatting --------------------------------------------------------------


def article_page_path(record: ArticleRecord) -> str:
    """``{slug}/{YYYY}/{MM}/{name}.html`` for ``articles/{slug}/{YYYY}/{MM}/{name}.md``."""
    return record.path.split("/", 1)[1].removesuffix(".md") + ".html"


def month_page_path(slug: str, published_ms: int, tz: ZoneInfo) -> str:
    when = local_datetime(published_ms, tz)
    return f"{slug}/{when.year:04d}-{when.month:02d}.html"


def root_of(page: str) -> str:
    return "../" * page.count("/")


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
            published_iso=iso_local(record.published_ms, build.tz),
            published_short=format_local(record.published_ms, build.tz, "%Y-%m-%d"),
            source_name=build.names.get(record.source, record.source) if with_source else None,
            revisions=len(record.revisions),
            deleted=record.deleted_ms is not None,
        )
        for record in records
    ]


def _write_front_page(build: _Build, by_source: dict[str, list[ArticleRecord]]) -> None:
    page = "index.html"
    size = build.config.mirror.site_front_page_size
    sections = []
    for source in build.config.listed_sources(by_source.__contains__):
        records = by_source.get(source.slug, [])
        if not records and not source.enabled:
            continue
        last = max((r.first_seen_ms for r in records), default=None)
        sections.append({
            "name": source.name,
            "href": f"{source.slug}/index.html",
            "feed_href": f"feeds/{source.slug}.xml",
            "count": len(records),
            "last_update": format_local(last, build.tz) if last else None,
            "entries": _list_entries(page, reversed(records[-size:]), build),
        })
    newest = max((r.first_seen_ms for rs in by_source.values() for r in rs), default=None)
    build.write_page(page, render_template(
        "front.html", page, build, sections=sections,
        last_update=format_local(newest, build.tz) if newest else None,
    ))


def _write_source_pages(build: _Build, slug: str, records: Sequence[ArticleRecord]) -> None:
    """``index.html`` shows the newest full chunk and what follows; older chunks get pages."""
    size = build.config.mirror.site_page_size
    full_chunks = len(records) // size
    newest_start = max(full_chunks - 1, 0) * size
    last_page = max(full_chunks - 1, 0)
    name = build.names.get(slug, slug)
    for number in range(last_page, -1, -1):
        page = f"{slug}/index.html" if number == last_page else f"{slug}/page-{number + 1}.html"
        chunk = records[newest_start:] if number == last_page else \
            records[number * size:(number + 1) * size]
        newer = None if number == last_page else (
            "index.html" if number + 1 == last_page else f"page-{number + 2}.html")
        older = f"page-{number}.html" if number >= 1 else None
        heading = name if number == last_page else f"{name} · 第 {number + 1} 页"
        months = _month_links(build, slug, records) if number == last_page else []
        build.write_page(page, render_template(
            "source.html", page, build, heading=heading, source_name=name,
            entries=_list_entries(page, reversed(chunk), build), newer_href=newer,
            older_href=older, months=months, feed_href=f"{root_of(page)}feeds/{slug}.xml",
        ))


def _month_links(build: _Build, slug: str, records: Sequence[ArticleRecord]) -> list[dict[str, Any]]:
    counts: dict[str, int] = defaultdict(int)
    for record in records:
        counts[month_page_path(slug, record.published_ms, build.tz)] += 1
    return [
        {"href": path.split("/", 1)[1], "label": path.split("/", 1)[1].removesuffix(".html"),
         "count": count}
        for path, count in sorted(counts.items(), reverse=True)
    ]


def _write_month_pages(build: _Build, slug: str, records: Sequence[ArticleRecord]) -> None:
    months: dict[str, list[ArticleRecord]] = defaultdict(list)
    for record in records:
        months[month_page_path(slug, record.published_ms, build.tz)].append(record)
    name = build.names.get(slug, slug)
    for page, month_records in sorted(months.items()):
        year, month = page.split("/", 1)[1].removesuffix(".html").split("-")
        build.write_page(page, render_template(
            "month.html", page, build, heading=f"{name} · {year} 年 {int(month)} 月",
            source_name=name, entries=_list_entries(page, reversed(month_records), build),
        ))


def _write_article_pages(build: _Build, records: Sequence[ArticleRecord]) -> None:
    settings = build.config.mirror
    for record in records:
        page = article_page_path(record)
        stamp = build.articles.stamp(record.path)
        if stamp is None:
            log.warning("article file missing path=%s", record.path)
            continue
        fingerprint = hashlib.sha256(json.dumps([
            record.id, record.title, record.url, record.published_ms, record.author,
            len(record.revisions), record.deleted_ms, record.content_sha256, *stamp,
            build.names.get(record.source), settings.site_title,
            settings.timezone, settings.site_remote_images, settings.site_search,
        ], ensure_ascii=False).encode()).hexdigest()
        if build.trusted and build.previous.get(page) == fingerprint and (
            build.site / page
        ).exists():
            build.fingerprints[page] = fingerprint
            build.unchanged += 1
            continue
        text = _render_article_page(build, record, page)
        if text is not None:
            build.write_page(page, text, fingerprint)


def _render_article_page(build: _Build, record: ArticleRecord, page: str) -> str | None:
    stored_body = build.articles.body(record.path)
    if stored_body is None:
        return None
    tz = build.tz
    body = prepare_body_html(
        stored_body, record.path, page, remote_images=build.config.mirror.site_remote_images
    )
    month_page = month_page_path(record.source, record.published_ms, tz)
    article = {
        "title": record.title,
        "url": record.url,
        "author": record.author,
        "source_name": build.names.get(record.source, record.source),
        "source_href": link_from(page, f"{record.source}/index.html"),
        "month_href": link_from(page, month_page),
        "month_label": format_local(record.published_ms, tz, "%Y-%m"),
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


def _write_static_files(build: _Build) -> None:
    static = resources.files("newsmirror.render").joinpath("static")
    for name in STATIC_FILES:
        write_atomic(build.site / name, static.joinpath(name).read_bytes())
    write_atomic(build.site / ".nojekyll", b"")
    build.write_page("search.html", render_template("search.html", "search.html", build))


def copy_media(source: Path, target: Path) -> int:
    """Copy media files the site lacks (names are content hashes); return how many."""
    if not source.is_dir():
        return 0
    copied = 0
    for path in sorted(source.rglob("*")):
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


def _remove_stale_pages(build: _Build) -> int:
    """Delete pages an earlier build wrote that this build no longer produces."""
    removed = 0
    for relative in sorted(set(build.previous) - set(build.fingerprints)):
        path = build.site / relative
        if path.suffix == ".html" and path.is_file():
            path.unlink()
            removed += 1
    return removed


def _read_state(path: Path) -> tuple[str, dict[str, str]]:
    """The templates fingerprint and the pages (with their inputs' fingerprints) last built."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return "", {}
    pages = state.get("pages") if isinstance(state, dict) else None
    if not isinstance(pages, dict):
        return "", {}
    return str(state.get("templates", "")), pages


def _write_state(path: Path, templates: str, pages: dict[str, str]) -> None:
    text = json.dumps({"templates": templates, "pages": dict(sorted(pages.items()))},
                      ensure_ascii=False, indent=0)
    write_atomic(path, text)


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
