"""A run's re-checks: choose, check, then record what was found (new versions kept
under ``revisions/``, deletion marks, check times in the cache)."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from newsmirror.config import Config, Source
from newsmirror.fetch import Fetcher
from newsmirror.history import current_version_ms
from newsmirror.images import rebase_media_paths
from newsmirror.models import ArticleRecord, Revision
from newsmirror.recheck.check import (
    FeedSighting,
    RecheckResult,
    StoredState,
    compare_feed_item,
    note_extraction,
    recheck_article,
)
from newsmirror.recheck.schedule import choose_rechecks, parse_schedule
from newsmirror.store.articles import ArticleFile, ArticleFiles
from newsmirror.store.index import ArchiveIndex, body_sha256, folder_of

log = logging.getLogger(__name__)
# (record, source, sanitised body, base URL) → the body as the article file keeps it
# (images proxied or localised): the pipeline's own last steps, applied to a new version.
BodyPreparer = Callable[[ArticleRecord, Source, str, str], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class RecheckRequest:
    """Which sources to re-check, the time now, and whether to ignore schedule and budget.

    ``fresh_ids`` are articles mirrored moments ago in the same run: never re-checked.
    ``prepare_body`` finishes the body of a new version before it is written.
    ``sightings`` are mirrored articles this run's feeds carried again: for
    sources that take the article from the feed, the item is compared (no fetch).
    """

    sources: tuple[Source, ...]
    now_ms: int
    everything: bool = False
    fresh_ids: frozenset[str] = frozenset()
    prepare_body: BodyPreparer | None = None
    sightings: tuple[FeedSighting, ...] = ()


@dataclass(slots=True)
class RecheckSummary:
    """Counts by outcome, month folders whose records changed, and the changed records."""

    counts: Counter[str] = field(default_factory=Counter)
    folders: set[str] = field(default_factory=set)
    changed: list[ArticleRecord] = field(default_factory=list)


def record_result(root: Path, index: ArchiveIndex, result: RecheckResult, now_ms: int) -> (
    ArticleRecord | None
):
    """Save what a re-check found; the record as saved when it changed, else None."""
    record = result.record
    index.save_check(record.id, now_ms, result.baseline)
    if result.validators is not None:
        index.save_validators(record.url, result.validators)
    if result.kind == "deleted":
        index.forget_validators(record.url)
        if record.deleted_ms is not None:
            return None
        updated = replace(record, deleted_ms=now_ms, last_checked_ms=now_ms)
    elif result.kind == "edited":
        updated = _keep_previous_version(root, result, now_ms)
    elif result.kind == "unchanged" and record.deleted_ms is not None:
        updated = replace(record, deleted_ms=None, last_checked_ms=now_ms)
    else:
        return None
    index.save(updated)
    return updated


def _keep_previous_version(root: Path, result: RecheckResult, now_ms: int) -> ArticleRecord:
    """Copy the current file to ``revisions/…``, then write the new version in its place."""
    record, articles = result.record, ArticleFiles(root)
    # The copy sits deeper than the article: its local media/ paths are rebased.
    articles.keep_revision(record.path, current_version_ms(record), rebase_media_paths)
    articles.write(record.path,
                   ArticleFile(record.published_ms, result.title, record.url, result.body_html))
    earlier = Revision(current_version_ms(record), record.title, record.content_sha256)
    return replace(
        record,
        title=result.title,
        content_sha256=body_sha256(result.body_html),
        revisions=(*record.revisions, earlier),
        edited_ms=now_ms,
        last_checked_ms=now_ms,
        deleted_ms=None,
    )


async def recheck_mirror(
    config: Config, index: ArchiveIndex, fetcher: Fetcher, request: RecheckRequest
) -> RecheckSummary:
    """Re-check the articles due now (or all inside the window) and record the results."""
    schedule = parse_schedule(config.mirror.recheck_schedule)
    summary = RecheckSummary()
    if not schedule:
        return summary
    sources = {s.slug: s for s in request.sources}
    window_start = request.now_ms - schedule[-1].max_age_ms
    candidates = [r for r in index.first_seen_since(window_start)
                  if r.source in sources and r.id not in request.fresh_ids]
    chosen = choose_rechecks(
        candidates, index.last_checks(), schedule, now_ms=request.now_ms,
        budget=config.mirror.recheck_budget, everything=request.everything,
    )
    # Articles mirrored earlier in this run were made by the code running now.
    fresh_times = (r.first_seen_ms for i in request.fresh_ids if (r := index.get(i)) is not None)
    extraction = note_extraction(index, min([request.now_ms, *fresh_times]))
    from_feeds = await asyncio.to_thread(_compare_sightings, config, request, extraction)
    summary.counts["feed_compared"] += len(from_feeds)
    edited = [result for result in from_feeds if result.kind == "edited"]
    skip = {result.record.id for result in edited}
    results = [*edited, *await asyncio.gather(*(
        _recheck_one(config, index, fetcher, sources[r.source], r, extraction)
        for r in chosen if r.id not in skip
    ))]
    for result in results:
        summary.counts["checked"] += 1
        if result.kind == "edited" and request.prepare_body is not None:
            source = sources[result.record.source]
            body = await request.prepare_body(result.record, source, result.body_html,
                                              result.base_url)
            result = replace(result, body_html=body)
        saved = record_result(config.root, index, result, request.now_ms)
        summary.counts[_counter_name(result, saved)] += 1
        log.log(logging.INFO if saved else logging.DEBUG, "recheck %s source=%s url=%s reason=%s",
                result.kind, result.record.source, result.record.url, result.reason)
        if saved is not None:
            summary.changed.append(saved)
            summary.folders.add(folder_of(saved.path))
    return summary


def _counter_name(result: RecheckResult, saved: ArticleRecord | None) -> str:
    if result.kind == "deleted" and saved is None:
        return "still_deleted"
    if result.kind == "unchanged" and saved is not None:
        return "restored"
    return result.kind


async def _recheck_one(
    config: Config,
    index: ArchiveIndex,
    fetcher: Fetcher,
    source: Source,
    record: ArticleRecord,
    extraction: tuple[str, int],
) -> RecheckResult:
    stored = StoredState(
        body_html=ArticleFiles(config.root).body(record.path) if source.fulltext == "page"
        else None,
        validators=None if record.deleted_ms is not None else index.validators(record.url),
        baseline=index.check_baseline(record.id),
        extraction=extraction[0],
        body_is_comparable=current_version_ms(record) >= extraction[1],
    )
    return await recheck_article(fetcher, record, stored,
                                 min_body_chars=config.mirror.min_body_chars)


def _compare_sightings(
    config: Config, request: RecheckRequest, extraction: tuple[str, int]
) -> list[RecheckResult]:
    results = []
    for sighting in request.sightings:
        record = sighting.record
        if sighting.source.fulltext == "page" or record.deleted_ms is not None or \
                record.id in request.fresh_ids:
            continue
        stored = StoredState(ArticleFiles(config.root).body(record.path),
                             extraction=extraction[0],
                             body_is_comparable=current_version_ms(record) >= extraction[1])
        results.append(compare_feed_item(sighting, stored,
                                         min_body_chars=config.mirror.min_body_chars))
    return results

