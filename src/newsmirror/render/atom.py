"""Atom 1.0 feeds of the mirror: one per source and one of everything.

A feed is data in (:class:`AtomFeed` with its :class:`AtomEntry` values, the
content already prepared) and text out.  Ids are ``urn:uuid:`` values derived
from stable names, and every time comes from the archive, so the same archive
always gives the same bytes.
"""

from __future__ import annotations

import posixpath
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources

import jinja2

from newsmirror.config import Config
from newsmirror.models import ArticleRecord
from newsmirror.store.files import write_atomic

FEEDS_DIR = "feeds"
ALL_FEED = "all"
# Beside the feeds: shows a feed opened in a browser as a page (an xml-stylesheet PI).
FEED_STYLESHEET = "feed.xsl"
# Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class AtomEntry:
    """One entry: an article, linked to its page in the mirror."""

    id: str
    title: str
    updated: str
    published: str
    href: str
    original_url: str
    author: str | None
    source_slug: str
    source_name: str
    content_html: str


@dataclass(frozen=True, slots=True)
class AtomFeed:
    """One feed document."""

    id: str
    title: str
    updated: str
    self_href: str
    site_href: str
    author: str
    entries: tuple[AtomEntry, ...]


def feed_stylesheet() -> bytes:
    """The XSLT stylesheet every feed names, to be written beside it as ``feed.xsl``."""
    return resources.files("newsmirror.render").joinpath("static", FEED_STYLESHEET).read_bytes()


def feed_path(name: str) -> str:
    """``feeds/{name}.xml``: ``name`` is a source slug or ``all``."""
    return f"{FEEDS_DIR}/{name}.xml"


def entry_id(record: ArticleRecord) -> str:
    """A permanent id for an article: a UUID named by its source and canonical URL."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{record.source} {record.canonical_url}')}"


def feed_id(name: str, site_url: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'newsmirror feed {site_url} {name}')}"


def rfc3339(ms: int) -> str:
    """``2015-03-16T08:30:00Z`` for a time in epoch milliseconds."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def updated_ms(record: ArticleRecord) -> int:
    """When the article last changed as the archive knows it: published, edited or deleted."""
    times = [record.published_ms, *(r.seen_ms for r in record.revisions)]
    times += [t for t in (record.edited_ms, record.deleted_ms) if t is not None]
    return max(times)


def xml_text(text: str | None) -> str:
    """``text`` without the characters XML cannot carry."""
    return _NOT_XML.sub("", text or "")


def newest_records(records: Sequence[ArticleRecord], limit: int) -> list[ArticleRecord]:
    """The ``limit`` newest records by publication time, newest first."""
    return sorted(records, key=lambda r: (r.published_ms, r.id), reverse=True)[:limit]


def write_feeds(
    config: Config,
    by_source: Mapping[str, Sequence[ArticleRecord]],
    *,
    page_of: Callable[[ArticleRecord], str],
    content_of: Callable[[ArticleRecord], str | None],
) -> int:
    """Write ``feeds/*.xml`` at the mirror root and in the site folder; return files changed.

    ``page_of`` gives an article's page path inside the site, ``content_of`` its
    HTML as feeds carry it (None leaves the article out).
    """
    settings = config.mirror
    sources = config.listed_sources(by_source.__contains__)
    feeds = [(s.slug, f"{s.name} · {settings.site_title}", by_source.get(s.slug, ()))
             for s in sources]
    everything = [r for records in by_source.values() for r in records]
    feeds.append((ALL_FEED, settings.site_title, everything))
    names = {s.slug: s.name for s in sources}
    contents: dict[str, str | None] = {}
    site_dir = settings.site_dir.strip("/")
    written = sum(write_atomic(folder / FEEDS_DIR / FEED_STYLESHEET, feed_stylesheet())
                  for folder in (config.root, config.root / site_dir))
    for name, title, records in feeds:
        newest = newest_records(records, settings.feed_size)
        entries = []
        for record in newest:
            if record.id not in contents:
                contents[record.id] = content_of(record)
            content = contents[record.id]
            if content is not None:
                entries.append((record, page_of(record), content))
        # The mirror's own copy links into the site folder; the site's copy within it.
        for folder, site_prefix in ((config.root, f"{site_dir}/"), (config.root / site_dir, "")):
            feed = _feed(config, name, title, entries, names, site_prefix=site_prefix)
            written += write_atomic(folder / feed_path(name), render_atom_feed(feed))
    return written


def _feed(
    config: Config,
    name: str,
    title: str,
    entries: list[tuple[ArticleRecord, str, str]],
    names: Mapping[str, str],
    *,
    site_prefix: str,
) -> AtomFeed:
    """One feed; links relative to where it is written, or absolute with ``site_url``."""
    settings = config.mirror

    def href(page: str) -> str:
        if settings.site_url:
            return settings.site_url.rstrip("/") + "/" + page
        return posixpath.relpath(site_prefix + page, FEEDS_DIR)

    records = [record for record, _, _ in entries]
    updated = max((updated_ms(r) for r in records), default=0)
    return AtomFeed(
        id=feed_id(name, settings.site_url), title=title, updated=rfc3339(updated),
        self_href=f"{name}.xml",
        site_href=href("index.html" if name == ALL_FEED else f"{name}/index.html"),
        author=settings.site_title,
        entries=tuple(
            AtomEntry(
                id=entry_id(r), title=r.title, updated=rfc3339(updated_ms(r)),
                published=rfc3339(r.published_ms), href=href(page), original_url=r.url,
                author=r.author, source_slug=r.source, source_name=names.get(r.source, r.source),
                content_html=content,
            )
            for r, page, content in entries
        ),
    )


def render_atom_feed(feed: AtomFeed) -> str:
    """The feed as an Atom 1.0 document (escaped by the template)."""
    return _environment().get_template("atom.xml").render(feed=_cleaned(feed))


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("newsmirror.render", "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def _cleaned(feed: AtomFeed) -> AtomFeed:
    entries = tuple(
        AtomEntry(
            id=e.id, title=xml_text(e.title), updated=e.updated, published=e.published,
            href=e.href, original_url=xml_text(e.original_url), author=xml_text(e.author) or None,
            source_slug=e.source_slug, source_name=xml_text(e.source_name),
            content_html=xml_text(e.content_html),
        )
        for e in feed.entries
    )
    return AtomFeed(feed.id, xml_text(feed.title), feed.updated, feed.self_href, feed.site_href,
                    xml_text(feed.author), entries)


__all__ = [
    "ALL_FEED",
    "FEEDS_DIR",
    "FEED_STYLESHEET",
    "AtomEntry",
    "AtomFeed",
    "entry_id",
    "feed_id",
    "feed_path",
    "feed_stylesheet",
    "newest_records",
    "render_atom_feed",
    "rfc3339",
    "updated_ms",
    "write_feeds",
    "xml_text",
]
