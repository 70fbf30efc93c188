"""Which pages of the site a build renders: those whose committed inputs changed.

A source's pages are looked at only when one of its index shards (one per
month) has other bytes than the site's committed state says it was built from
(:mod:`newsmirror.render.site_state`).  In a changed month, only the article
pages whose record changed are rendered, then the month page; of the source's
index pages, those from the first changed article on.  Pages of articles that
left the index are removed.  So a run costs what its new articles cost, whatever
the archive's age; a fresh clone decides the same as the mirror it came from.

The archive is read through :class:`SiteArchive` (the cache of the committed
index does it); :class:`RecordSet` gives the same answers for records in memory.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from newsmirror.models import ArticleRecord
from newsmirror.render.site_state import (
    MonthState,
    SiteState,
    SourceState,
    month_state_path,
    page_hash,
    read_month_state,
    write_month_state,
    write_site_state,
)


@runtime_checkable
class SiteArchive(Protocol):
    """What a build asks of the archive (:class:`~newsmirror.store.index.ArchiveIndex`)."""

    def source_slugs(self) -> list[str]: ...
    def shard_fingerprints(self, source: str) -> dict[str, str]: ...
    def shard_lines(self, source: str, shard: str) -> list[tuple[ArticleRecord, str]]: ...
    def shard_counts(self, source: str) -> dict[str, int]: ...
    def position(self, source: str, published_ms: int, article_id: str) -> int: ...
    def oldest_first(self, source: str, offset: int, limit: int) -> list[ArticleRecord]: ...
    def newest(self, source: str, limit: int) -> list[ArticleRecord]: ...
    def count(self, source: str) -> int: ...
    def last_first_seen(self, source: str) -> int | None: ...
    def all_records(self, source: str | None = None) -> Iterator[ArticleRecord]: ...


class PageWriter(Protocol):
    """What renders and writes pages (the site's build)."""

    site: Path

    def write_article_page(self, record: ArticleRecord) -> None: ...
    def write_month_page(self, slug: str, month: str, records: Sequence[ArticleRecord]) -> None: ...
    def write_source_pages(self, slug: str, first_page: int, old_count: int) -> None: ...
    def remove_page(self, page: str) -> None: ...


@dataclass(slots=True)
class SiteUpdate:
    """What one build changed, and the state to commit once its pages are on disk."""

    state: SiteState
    changed_sources: list[str] = field(default_factory=list)
    month_states: dict[tuple[str, str], MonthState | None] = field(default_factory=dict)
    removed_ids: set[str] = field(default_factory=set)  # articles whose pages were removed

    def save(self, site: Path) -> int:
        """Write the new state (after the pages: a build killed before this redoes them);
        return how many state files changed."""
        changed = 0
        for (slug, month), state in sorted(self.month_states.items()):
            if state is None:
                path = month_state_path(site, slug, month)
                changed += path.exists()
                path.unlink(missing_ok=True)
            else:
                changed += write_month_state(site, slug, month, state)
        return changed + write_site_state(site, self.state)


def month_start_ms(month: str, tz: ZoneInfo) -> int:
    """The first millisecond of ``YYYY-MM`` in the mirror's time zone."""
    year, number = month.split("-")
    return int(datetime(int(year), int(number), 1, tzinfo=tz).timestamp() * 1000)


def update_sources(
    writer: PageWriter, archive: SiteArchive, previous: SiteState, inputs: str, *, full: bool,
    tz: ZoneInfo,
) -> SiteUpdate:
    """Render what changed of every source with articles or with pages built before.

    With ``full`` (or other inputs than ``previous`` was built with) every page is
    rendered again; what is no longer there is still removed.
    """
    trusted = not full and previous.inputs == inputs
    update = SiteUpdate(SiteState(inputs, dict(previous.sources)))
    for slug in sorted(set(archive.source_slugs()) | set(previous.sources)):
        old = previous.sources.get(slug, SourceState())
        new = _update_source(writer, archive, slug, old, inputs, trusted=trusted, tz=tz,
                             update=update)
        if new is not None:
            update.state.sources[slug] = new
            update.changed_sources.append(slug)
    return update


def _update_source(
    writer: PageWriter, archive: SiteArchive, slug: str, old: SourceState, inputs: str, *,
    trusted: bool, tz: ZoneInfo, update: SiteUpdate,
) -> SourceState | None:
    """The source's new state after rendering what changed; None when nothing did."""
    shards = archive.shard_fingerprints(slug)
    changed = sorted(m for m, fp in shards.items() if not trusted or old.months.get(m) != fp)
    gone = sorted(set(old.months) - set(shards))
    if not changed and not gone:
        return None
    first: tuple[int, str] | None = None
    for month in changed:
        first = _earliest(first, _update_month(writer, archive, slug, month, inputs,
                                               trusted=trusted, update=update))
    for month in gone:
        _remove_month(writer, slug, month, update)
        first = _earliest(first, (month_start_ms(month, tz), ""))
    count = archive.count(slug)
    if first is not None or count != old.count:
        position = archive.position(slug, *first) if first is not None else count
        writer.write_source_pages(slug, position, old.count)
    return SourceState(count, dict(shards))


def _update_month(
    writer: PageWriter, archive: SiteArchive, slug: str, month: str, inputs: str, *,
    trusted: bool, update: SiteUpdate,
) -> tuple[int, str] | None:
    """Render the month's changed article pages and its month page; the earliest change."""
    old = read_month_state(writer.site, slug, month)
    lines = archive.shard_lines(slug, month)
    pages: dict[str, tuple[str, str]] = {}
    first: tuple[int, str] | None = None
    for record, line in lines:
        page = _article_page(record)
        pages[page] = (page_hash(inputs, line), record.id)
        if trusted and old.inputs == inputs and old.pages.get(page) == pages[page]:
            continue
        writer.write_article_page(record)
        first = first or (record.published_ms, record.id)
    removed = sorted(set(old.pages) - set(pages))
    for page in removed:
        writer.remove_page(page)
    update.removed_ids |= {old.pages[page][1] for page in removed} - {r.id for r, _ in lines}
    if removed and lines:
        first = _earliest(first, (lines[0][0].published_ms, lines[0][0].id))
    writer.write_month_page(slug, month, [record for record, _ in lines])
    update.month_states[(slug, month)] = MonthState(inputs, pages)
    return first


def _remove_month(writer: PageWriter, slug: str, month: str, update: SiteUpdate) -> None:
    pages = read_month_state(writer.site, slug, month).pages
    for page in sorted(pages):
        writer.remove_page(page)
    update.removed_ids |= {article_id for _, article_id in pages.values()}
    writer.remove_page(f"{slug}/{month}.html")
    update.month_states[(slug, month)] = None


def month_of(record: ArticleRecord) -> str:
    """``YYYY-MM`` of the article's folder (``articles/{slug}/{YYYY}/{MM}[-n]``)."""
    parts = record.path.split("/")
    return f"{parts[2]}-{parts[3][:2]}"


def _line(record: ArticleRecord) -> str:
    return json.dumps(dataclasses.asdict(record), ensure_ascii=False, sort_keys=True)


def _article_page(record: ArticleRecord) -> str:
    return record.path.split("/", 1)[1].removesuffix(".md") + ".html"


def _earliest(a: tuple[int, str] | None, b: tuple[int, str] | None) -> tuple[int, str] | None:
    if a is None or b is None:
        return a or b
    return min(a, b)


class RecordSet:
    """Records in memory answering as the archive's index would (for builds from a list).

    Its records' lines and months' hashes are its own (the same data, another
    serialisation than the committed index's): a build from the index after a
    build from a RecordSet renders the pages again and finds the same bytes.
    """

    def __init__(self, records: Iterable[ArticleRecord]) -> None:
        self._by_source: dict[str, list[ArticleRecord]] = defaultdict(list)
        for record in sorted(records, key=lambda r: (r.published_ms, r.id)):
            self._by_source[record.source].append(record)

    def source_slugs(self) -> list[str]:
        return sorted(self._by_source)

    def shard_fingerprints(self, source: str) -> dict[str, str]:
        months: dict[str, list[str]] = defaultdict(list)
        for record in self._by_source.get(source, []):
            months[month_of(record)].append(_line(record))
        return {m: fingerprint_of(*lines) for m, lines in months.items()}

    def shard_lines(self, source: str, shard: str) -> list[tuple[ArticleRecord, str]]:
        return [(r, _line(r)) for r in self._by_source.get(source, []) if month_of(r) == shard]

    def shard_counts(self, source: str) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for record in self._by_source.get(source, []):
            counts[month_of(record)] += 1
        return dict(counts)

    def position(self, source: str, published_ms: int, article_id: str) -> int:
        return sum(1 for r in self._by_source.get(source, [])
                   if (r.published_ms, r.id) < (published_ms, article_id))

    def oldest_first(self, source: str, offset: int, limit: int) -> list[ArticleRecord]:
        return self._by_source.get(source, [])[offset:offset + limit]

    def newest(self, source: str, limit: int) -> list[ArticleRecord]:
        return sorted(self._by_source.get(source, []), key=lambda r: (-r.published_ms, r.id))[:limit]

    def count(self, source: str) -> int:
        return len(self._by_source.get(source, []))

    def last_first_seen(self, source: str) -> int | None:
        return max((r.first_seen_ms for r in self._by_source.get(source, [])), default=None)

    def all_records(self, source: str | None = None) -> Iterator[ArticleRecord]:
        for slug in [source] if source is not None else sorted(self._by_source):
            yield from self._by_source.get(slug, [])


def fingerprint_of(*parts: object) -> str:
    """A short hash of ``parts`` (their ``repr``), for inputs that decide a re-render."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]


__all__ = ["PageWriter", "RecordSet", "SiteArchive", "SiteUpdate", "fingerprint_of",
           "month_of", "month_start_ms", "update_sources"]
