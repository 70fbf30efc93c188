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
import posixpath
import re
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
from newsmirror.search.static_index import sync_site_search
from newsmirror.store.files import CACHE_DIR, write_atomic

log = logging.getLogger(__name__)

STATE_FILENAME = "site-state.json"
STATIC_FILES = ("style.css", "search.js", "images.js")
MEDIA_DIR = "media"
_TAG = re.compile(r"<(img|source)\b([^>]*)>")
_ATTRIBUTE = re.compile(r'([a-zA-Z][\w-]*)="([^"]*)"')
_REMOTE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")


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
    *,
    full: bool = False,
) -> SiteReport:
    """Render the site and the feeds from the archive's records; rewrite only what changed.

    ``full`` ignores what earlier builds remember and renders every page (the
    bytes written are the same unless something changed), and finishes every
    merge of the search index at once.
    """
    site = config.root / config.mirror.site_dir
    state_path = config.root / CACHE_DIR / STATE_FILENAME
    templates, previous = _read_state(state_path)
    trusted = not full and templates == _templates_fingerprint()
    build = _Build(config, site, {s.slug: s.name for s in config.sources}, previous, trusted)
    records = sorted(records, key=_published_order)
    by_source = _group_by_source(records)
    _write_static_files(build)
    _write_article_pages(build, records)
    for slug, source_records in sorted(by_source.items()):
        _write_source_pages(build, slug, source_records)
        _write_month_pages(build, slug, source_records)
    _write_front_page(build, by_source)
    removed = _remove_stale_pages(build)
    feeds = atom.write_feeds(config, by_source, page_of=article_page_path,
                             content_of=lambda record: _feed_content(config.root, record))
    media = copy_media(config.root / MEDIA_DIR, site / MEDIA_DIR)
    _write_state(state_path, _templates_fingerprint(), build.fingerprints)
    search = sync_site_search(config, records, lambda r: _read_body(config.root / r.path) or "",
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
    when = datetime.fromtimestamp(published_ms / 1000, tz)
    return f"{slug}/{when.year:04d}-{when.month:02d}.html"


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


def _write_front_page(build: _Build, by_source: dict[str, list[ArticleRecord]]) -> None:
    page = "index.html"
    size = build.config.mirror.site_front_page_size
    sections = []
    for source in build.config.sources:
        records = by_source.get(source.slug, [])
        if not records and not source.enabled:
            continue
        last = max((r.first_seen_ms for r in records), default=None)
        sections.append({
            "name": source.name,
            "href": f"{source.slug}/index.html",
            "feed_href": f"feeds/{source.slug}.xml",
            "count": len(records),
            "last_update": format_time(last, build.tz) if last else None,
            "entries": _list_entries(page, reversed(records[-size:]), build),
        })
    newest = max((r.first_seen_ms for rs in by_source.values() for r in rs), default=None)
    build.write_page(page, render_template(
        "front.html", page, build, sections=sections,
        last_update=format_time(newest, build.tz) if newest else None,
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
        source_file = build.config.root / record.path
        try:
            stat = source_file.stat()
        except FileNotFoundError:
            log.warning("article file missing path=%s", record.path)
            continue
        fingerprint = hashlib.sha256(json.dumps([
            record.id, record.title, record.url, record.published_ms, record.author,
            len(record.revisions), record.deleted_ms, record.content_sha256, stat.st_size,
            stat.st_mtime_ns, build.names.get(record.source), settings.site_title,
            settings.timezone, settings.site_remote_images, settings.site_search,
        ], ensure_ascii=False).encode()).hexdigest()
        if build.trusted and build.previous.get(page) == fingerprint and (
            build.site / page
        ).exists():
            build.fingerprints[page] = fingerprint
            build.unchanged += 1
            continue
        text = _render_article_page(build, record, page, source_file)
        if text is not None:
            build.write_page(page, text, fingerprint)


def _render_article_page(
    build: _Build, record: ArticleRecord, page: str, source_file: Path
) -> str | None:
    try:
        parsed = parse_article_file(source_file.read_text(encoding="utf-8"))
    except (ArticleFormatError, UnicodeDecodeError) as exc:
        log.warning("article file unreadable path=%s reason=%s", record.path, exc)
        return None
    tz = build.tz
    body = prepare_body_html(
        parsed.body_html, record.path, page, remote_images=build.config.mirror.site_remote_images
    )
    month_page = month_page_path(record.source, record.published_ms, tz)
    article = {
        "title": record.title,
        "url": record.url,
        "author": record.author,
        "source_name": build.names.get(record.source, record.source),
        "source_href": link_from(page, f"{record.source}/index.html"),
        "month_href": link_from(page, month_page),
        "month_label": format_time(record.published_ms, tz, "%Y-%m"),
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
    "article_page_path",
    "build_site",
    "copy_media",
    "link_from",
    "month_page_path",
    "prepare_body_html",
]
