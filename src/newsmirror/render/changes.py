"""What the outlets changed or took down: ``lists/changes.md`` and ``feeds/changes.xml``.

Both list the newest events across all sources, newest first: ``changes.md`` a
line per edit and per deletion, ``changes.xml`` an Atom entry per edit (with the
difference, character by character) and per deletion.  Everything comes from
the records and the kept versions, never from the clock.  (Earlier versions
wrote ``lists/deleted.md`` with the deletions only; a run removes it.)
"""

from __future__ import annotations

import html
import posixpath
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from newsmirror.config import Config
from newsmirror.history import (
    BodyReader,
    Version,
    current_version_ms,
    load_versions,
    plain_text,
    render_diff_html,
)
from newsmirror.models import ArticleRecord
from newsmirror.render.atom import (
    FEEDS_DIR,
    AtomEntry,
    AtomFeed,
    feed_id,
    render_atom_feed,
    rfc3339,
)
from newsmirror.render.lists import relative_link
from newsmirror.render.site import article_page_path
from newsmirror.store.files import LISTS_DIR
from newsmirror.store.markdown import escape_link_text, escape_link_url
from newsmirror.times import format_local

CHANGES_LIST = f"{LISTS_DIR}/changes.md"
OLD_DELETED_LIST = f"{LISTS_DIR}/deleted.md"
OLD_DELETED_HEADING = "原文已删除\n------\n"
CHANGES_FEED = f"{FEEDS_DIR}/changes.xml"
CHANGES_FEED_SIZE = 50

ChangeKind = Literal["edited", "deleted"]


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """An edit (the article became version ``version``) or a deletion, at ``at_ms``."""

    kind: ChangeKind
    at_ms: int
    record: ArticleRecord
    version: int = 0


def change_events(records: Iterable[ArticleRecord]) -> list[ChangeEvent]:
    """Every edit and deletion the records know of, newest first."""
    events: list[ChangeEvent] = []
    for record in records:
        starts = [r.seen_ms for r in record.revisions[1:]]
        if record.revisions:
            starts.append(current_version_ms(record))
        events += [ChangeEvent("edited", ms, record, n) for n, ms in enumerate(starts, 2)]
        if record.deleted_ms is not None:
            events.append(ChangeEvent("deleted", record.deleted_ms, record))
    events.sort(key=lambda e: (e.at_ms, e.record.id, e.version), reverse=True)
    return events


def render_change_list(
    events: Sequence[ChangeEvent], names: Mapping[str, str], tz: ZoneInfo, limit: int
) -> str:
    """``lists/changes.md``: the newest edits and deletions, newest first."""
    lines = ["修改与删除", "------", "",
             "原文被修改或被删除、撤下的文章（按发现时间，最新的在前）；镜像保留每一版。", ""]
    for event in events[:limit]:
        record = event.record
        link = escape_link_url(relative_link(CHANGES_LIST, record.path))
        source = names.get(record.source, record.source)
        what = "原文已删除" if event.kind == "deleted" else f"第 {event.version - 1} 次修改"
        lines.append(f"{format_local(event.at_ms, tz)} [{escape_link_text(record.title)}]({link}) "
                     f"（{source}，{what}）")
        lines.append("")
    return "\n".join(lines)


def is_old_deleted_list(text: str) -> bool:
    """True for the ``lists/deleted.md`` an earlier version wrote (a run removes it)."""
    return text.startswith(OLD_DELETED_HEADING)


def render_changes_feed(
    read_body: BodyReader, config: Config, events: Sequence[ChangeEvent], *, site_prefix: str
) -> str:
    """``feeds/changes.xml``: an Atom entry per edit and deletion, newest first.

    Links go to the site's article pages: absolute with ``site_url``, else
    relative to where the feed is written (``site_prefix`` is the site folder
    seen from there: ``"docs/"`` for the mirror's copy, ``""`` for the site's).
    """
    settings = config.mirror
    names = {s.slug: s.name for s in config.sources}

    def href(page: str) -> str:
        if settings.site_url:
            return settings.site_url.rstrip("/") + "/" + page
        return posixpath.relpath(site_prefix + page, FEEDS_DIR)

    feed = AtomFeed(
        id=feed_id("changes", settings.site_url),
        title=f"{settings.site_title} · 修改与删除",
        updated=rfc3339(max((e.at_ms for e in events), default=0)),
        self_href="changes.xml",
        site_href=href("index.html"),
        author=settings.site_title,
        entries=tuple(_atom_entry(read_body, event, names, config.tz, href) for event in events),
    )
    return render_atom_feed(feed)


def render_change_files(
    read_body: BodyReader, config: Config, records: Sequence[ArticleRecord]
) -> dict[str, str]:
    """Path → text of the change lists (written from the first run on, empty or not,
    so the links to them always lead somewhere)."""
    events = change_events(records)
    feed_events = events[:CHANGES_FEED_SIZE]
    names = {s.slug: s.name for s in config.sources}
    site_dir = config.mirror.site_dir.strip("/")
    return {
        CHANGES_LIST: render_change_list(events, names, config.tz, config.mirror.list_size),
        CHANGES_FEED: render_changes_feed(read_body, config, feed_events,
                                           site_prefix=f"{site_dir}/"),
        f"{site_dir}/{CHANGES_FEED}": render_changes_feed(read_body, config, feed_events,
                                                          site_prefix=""),
    }


def _atom_entry(
    read_body: BodyReader,
    event: ChangeEvent,
    names: Mapping[str, str],
    tz: ZoneInfo,
    href: Callable[[str], str],
) -> AtomEntry:
    record = event.record
    source = names.get(record.source, record.source)
    if event.kind == "deleted":
        title = f"原文已删除：{record.title}"
        content = (f"<p>{html.escape(source)} 的这篇文章原文已被删除或撤下"
                   f"（{format_local(event.at_ms, tz)} 发现）；镜像副本保留。</p>")
    else:
        title = f"已修改（第 {event.version - 1} 次）：{record.title}"
        content = _edit_content(read_body, record, event.version)
    return AtomEntry(
        id=_urn(f"newsmirror change {record.source} {record.canonical_url} {event.kind} "
                f"{event.at_ms}"),
        title=title,
        updated=rfc3339(event.at_ms),
        published=rfc3339(event.at_ms),
        href=href(article_page_path(record)),
        original_url=record.url,
        author=record.author,
        source_slug=record.source,
        source_name=source,
        content_html=content,
    )


def _edit_content(read_body: BodyReader, record: ArticleRecord, version: int) -> str:
    versions = load_versions(read_body, record)
    old, new = versions[version - 2], versions[version - 1]
    return _title_change(old, new) + (
        render_diff_html(plain_text(old.body_html), plain_text(new.body_html))
        if old.kept and new.kept else "<p>（此版本的全文未保留）</p>"
    )


def _title_change(old: Version, new: Version) -> str:
    if old.title == new.title:
        return ""
    return (f"<p>标题：<del>{html.escape(old.title)}</del> → "
            f"<ins>{html.escape(new.title)}</ins></p>")


def _urn(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"



__all__ = [
    "CHANGES_FEED",
    "CHANGES_LIST",
    "OLD_DELETED_LIST",
    "ChangeEvent",
    "change_events",
    "is_old_deleted_list",
    "render_change_files",
    "render_change_list",
    "render_changes_feed",
]
