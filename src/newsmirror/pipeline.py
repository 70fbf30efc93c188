"""The only orchestrator: sources → fetch → parse → extract → clean → store → render → publish.

Each source runs as its own task; one source's failure is recorded in the
:class:`RunReport` and never stops the others.  Within a source each new item is
mirrored on its own: a failing item is remembered and retried on the next run.
An article file is written (atomically) before its index record, so a run
killed at any moment leaves at worst a file that the next run rewrites in place.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from newsmirror.article_body import clean_feed_item, clean_page
from newsmirror.clean.urls import canonical_url, strip_tracking_params
from newsmirror.config import Config, Source, check_source_slugs
from newsmirror.errors import ConfigError, MirrorError, NoContentError
from newsmirror.extract import feed_item_body
from newsmirror.feeds import parse_feed
from newsmirror.fetch import FEED_ACCEPT, PAGE_ACCEPT, Fetcher, FetchPolicy, read_html_page
from newsmirror.images import (
    ImagePolicy,
    MediaStore,
    localise_pending,
    mirror_images,
)
from newsmirror.models import (
    ArticleRecord,
    CleanArticle,
    FeedEntry,
    ItemFailure,
    ProgressEvent,
    PushResult,
    RuleCheck,
    RunReport,
    SourceReport,
    Validators,
)
from newsmirror.outputs import (
    AfterRun,
    build_site_after_run,
    build_site_now,
    commit_message,
    finish_run,
    publish_to_remotes,
    record_health,
    render_outputs,
    search_archive,
)
from newsmirror.publish import remove_stale_index_lock
from newsmirror.recheck import FeedSighting, RecheckRequest, parse_schedule, recheck_mirror
from newsmirror.store.articles import (
    ArticleFile,
    ArticleFiles,
    ArticleUnreadableError,
    NewArticle,
    store_new_article,
)
from newsmirror.store.files import remove_stale_temporaries
from newsmirror.store.index import ArchiveIndex, body_sha256
from newsmirror.store.lock import hold_run_lock
from newsmirror.times import now_ms

log = logging.getLogger(__name__)

Progress = Callable[[ProgressEvent], None]
# An item that failed this many runs in a row is no longer fetched (until the cache is lost).
MAX_PENDING_ATTEMPTS = 8
MAX_IMAGE_RETRY_ARTICLES = 50  # articles whose failed images are retried per run


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How to run, beyond the mirror's configuration."""

    commit: bool = True
    push: bool = True
    only_sources: tuple[str, ...] = ()
    clock: Callable[[], int] = now_ms
    progress: Progress | None = None
    recheck_all: bool = False


@dataclass(slots=True)
class _RunContext:
    config: Config
    index: ArchiveIndex
    fetcher: Fetcher
    options: RunOptions
    touched_folders: set[str] = field(default_factory=set)
    media: MediaStore | None = None
    image_counts: Counter[str] = field(default_factory=Counter)
    sightings: list[FeedSighting] = field(default_factory=list)
    rule_checks: dict[str, list[RuleCheck]] = field(default_factory=dict)  # by source slug
    deadline: float = float("inf")  # event-loop time when fetching must stop

    def seconds_left(self) -> float:
        return max(0.0, self.deadline - asyncio.get_running_loop().time())

    def progress(self, source: str, stage: str, url: str = "", total: int = 0) -> None:
        if self.options.progress is not None:
            self.options.progress(ProgressEvent(source, stage, url, total))


def run(config: Config, options: RunOptions | None = None) -> RunReport:
    """Mirror every enabled source once; the single synchronous entry point."""
    return asyncio.run(run_async(config, options or RunOptions()))


async def run_async(config: Config, options: RunOptions) -> RunReport:
    """Mirror every enabled source once, holding the mirror's run lock throughout."""
    with hold_run_lock(config.root) as lock:
        if lock.after_killed_run:  # a clean end leaves none: the mirror is not walked
            remove_stale_temporaries(config.root)
        return await _run_locked(config, options, after_killed_run=lock.after_killed_run)


async def _run_locked(config: Config, options: RunOptions, *, after_killed_run: bool = False
                      ) -> RunReport:
    root = config.root
    remove_stale_index_lock(root)
    sources = _selected_sources(config, options)
    parse_schedule(config.mirror.recheck_schedule)  # a bad schedule stops the run before it starts
    report = RunReport()
    index = ArchiveIndex.open(root)
    media = MediaStore.open(root)
    try:
        trusted = frozenset(_host(s.feed) for s in sources)
        policy = FetchPolicy.from_settings(config.mirror)
        async with Fetcher(policy, trusted_hosts=trusted) as fetcher:
            deadline = asyncio.get_running_loop().time() + config.mirror.run_deadline_s
            context = _RunContext(config, index, fetcher, options, media=media, deadline=deadline)
            # Archived pages' images too: the on-demand archive has no run of its own.
            await localise_pending_images(context, [*sources, config.archive.as_source()])
            report.sources = list(
                await asyncio.gather(*(mirror_source(context, s) for s in sources))
            )
            if context.seconds_left() > 0:
                await recheck_articles(context, tuple(sources), report)
            else:
                report.notes.append("re-checks skipped: the run deadline was reached")
        for source_report in report.sources:
            report.count("articles/new", source_report.new)
            report.count("items/failed", source_report.failed)
            report.count("items/given_up", source_report.given_up)
        report.counters.update(context.image_counts)
        context.progress("*", "outputs")
        finish_run(AfterRun(config, index, report, now_ms=options.clock(),
                            changed_folders=frozenset(context.touched_folders),
                            commit=options.commit, push=options.push,
                            stage_written_only=not after_killed_run))
    finally:
        media.close()
        index.close()
    return report


def publish(config: Config, options: RunOptions | None = None) -> list[PushResult]:
    """Push the mirror to every remote without fetching anything (``newsmirror publish``)."""
    options = options or RunOptions()
    with hold_run_lock(config.root):
        remove_stale_index_lock(config.root)
        index = ArchiveIndex.open(config.root)
        try:
            report = RunReport()
            finish_run(AfterRun(config, index, report, now_ms=options.clock(), outputs=False,
                                commit=False))
        finally:
            index.close()
    return report.pushes


async def recheck_articles(
    context: _RunContext, sources: tuple[Source, ...], report: RunReport
) -> None:
    """Fetch mirrored articles again (schedule and budget, or all): edits and deletions."""
    context.progress("*", "recheck")
    fresh = frozenset(a.id for s in report.sources for a in s.new_articles)

    async def prepare_body(record: ArticleRecord, source: Source, body: str, base_url: str) -> str:
        """A new version's images get the same treatment as a new article's."""
        images = await mirror_images(body, ImagePolicy.for_source(context.config, source),
                                     page_url=base_url, fetcher=context.fetcher,
                                     media=context.media)
        context.image_counts.update(images.counts)
        if images.pending and context.media is not None:
            context.media.mark_pending(record.path, images.last_error)
        return images.html

    request = RecheckRequest(sources, context.options.clock(), context.options.recheck_all, fresh,
                             prepare_body, tuple(context.sightings))
    try:
        summary = await recheck_mirror(context.config, context.index, context.fetcher, request)
    except MirrorError as exc:
        if isinstance(exc, ConfigError):
            raise
        log.error("recheck failed reason=%s", exc)
        report.notes.append(f"re-checks stopped: {exc}")
        return
    for event, n in summary.counts.items():
        report.count(f"recheck/{event}", n)
    context.touched_folders |= summary.folders


def _selected_sources(config: Config, options: RunOptions) -> list[Source]:
    wanted = set(options.only_sources)
    check_source_slugs(config, wanted)
    return [s for s in config.sources if s.enabled and (not wanted or s.slug in wanted)]


async def mirror_source(context: _RunContext, source: Source) -> SourceReport:
    """Fetch one source's feed and mirror its new items; never raises MirrorError."""
    report = SourceReport(slug=source.slug, name=source.name)
    started = time.monotonic()
    context.progress(source.slug, "feed", source.feed)
    try:
        async with asyncio.timeout(context.seconds_left()):
            entries, validators = await _feed_entries(context, source)
    except MirrorError as exc:
        report.error = _failure(source, exc.url or source.feed, "feed", exc)
        log.error("source failed source=%s url=%s reason=%s", source.slug, source.feed, exc)
        entries, validators = [], None
    except TimeoutError:
        report.error = _deadline_failure(context, source, source.feed, waiting=0)
        entries, validators = [], None
    todo = _new_entries(context, source, entries, report)
    context.progress(source.slug, "items", total=len(todo))
    results = await _mirror_entries_before_deadline(context, source, todo)
    for entry, outcome in zip(todo, results, strict=True):
        if outcome is None:  # not finished when the run's deadline came: next run
            context.index.mark_pending(source.slug, entry, "waiting: run deadline reached",
                                       failed=False)
        elif isinstance(outcome, ArticleRecord):
            report.new += 1
            report.new_articles.append(outcome)
            context.index.clear_pending(source.slug, entry.link)
        else:
            report.failed += 1
            report.failures.append(outcome)
            context.index.mark_pending(source.slug, entry, outcome.message)
    waiting = results.count(None)
    if waiting and report.error is None:
        report.error = _deadline_failure(context, source, source.feed, waiting=waiting)
    if validators is not None and report.error is None:
        context.index.save_validators(source.feed, validators)
    report.rule_checks = context.rule_checks.pop(source.slug, [])
    report.seconds = time.monotonic() - started
    log.info("source done source=%s new=%d unchanged=%d failed=%d seconds=%.2f",
             source.slug, report.new, report.unchanged, report.failed, report.seconds)
    context.progress(source.slug, "done")
    return report


async def _mirror_entries_before_deadline(
    context: _RunContext, source: Source, entries: list[FeedEntry]
) -> list[ArticleRecord | ItemFailure | None]:
    """Mirror entries concurrently; those unfinished at the run's deadline come back None.

    An entry is cancelled only at an await, never between writing its file and
    its index record, so cancelling leaves nothing half-done.
    """
    tasks = [asyncio.ensure_future(_mirror_entry(context, source, e)) for e in entries]
    if not tasks:
        return []
    _, unfinished = await asyncio.wait(tasks, timeout=context.seconds_left())
    for task in unfinished:
        task.cancel()
    await asyncio.gather(*unfinished, return_exceptions=True)
    return [None if task in unfinished else task.result() for task in tasks]


def _deadline_failure(context: _RunContext, source: Source, url: str, *, waiting: int) -> ItemFailure:
    seconds = context.config.mirror.run_deadline_s
    detail = f"{waiting} item(s) wait for the next run" if waiting else "feed not read"
    log.error("run deadline reached source=%s url=%s waiting=%d", source.slug, url, waiting)
    return ItemFailure(source=source.slug, url=url, stage="run", code="run.deadline",
                       message=f"run deadline reached: {url} (after {seconds:g} s; {detail})")


async def _feed_entries(
    context: _RunContext, source: Source
) -> tuple[list[FeedEntry], Validators | None]:
    """The feed's entries (none when it is unchanged) and the validators to keep."""
    stored = context.index.validators(source.feed)
    result = await context.fetcher.fetch(source.feed, validators=stored, accept=FEED_ACCEPT)
    if result.not_modified:
        log.info("feed not modified source=%s url=%s", source.slug, source.feed)
        return [], None
    feed = await asyncio.to_thread(
        parse_feed, result.body, result.final_url, content_type=result.content_type
    )
    for warning in feed.warnings:
        log.warning("feed warning source=%s url=%s warning=%s", source.slug, source.feed, warning)
    return list(feed.entries), Validators(result.etag, result.last_modified)


def _new_entries(
    context: _RunContext, source: Source, entries: list[FeedEntry], report: SourceReport
) -> list[FeedEntry]:
    """Entries not mirrored yet (feed first, then earlier failures), at most the per-run cap."""
    seen_keys: set[str] = set()
    todo: list[FeedEntry] = []
    index = context.index
    for entry in [*entries, *index.pending_entries(source.slug, MAX_PENDING_ATTEMPTS)]:
        canonical = canonical_url(entry.link)
        if canonical in seen_keys or (entry.guid and entry.guid in seen_keys):
            continue
        seen_keys.add(canonical)
        if entry.guid:
            seen_keys.add(entry.guid)
        found = context.index.find(source.slug, canonical, entry.guid)
        if found is not None:
            context.sightings.append(FeedSighting(source, entry, found))
            report.unchanged += 1
            context.index.clear_pending(source.slug, entry.link)
            continue
        if index.given_up(source.slug, entry.link, MAX_PENDING_ATTEMPTS):
            log.info("item given up source=%s url=%s attempts=%d",
                     source.slug, entry.link, MAX_PENDING_ATTEMPTS)
            report.given_up += 1
            continue
        todo.append(entry)
    cap = context.config.mirror.max_new_per_source
    for waiting in todo[cap:]:
        # Over this run's cap: queued like a failed item, so a feed that answers
        # 304 next time (its validators are saved below) cannot lose them.
        context.index.mark_pending(source.slug, waiting, "waiting: over max_new_per_source",
                                   failed=False)
    return todo[:cap]


async def localise_pending_images(context: _RunContext, sources: list[Source]) -> None:
    """Local mode: try again the images earlier runs could not download; rewrite those articles."""
    media, by_slug = context.media, {s.slug: s for s in sources}
    for path in media.pending_articles(MAX_IMAGE_RETRY_ARTICLES) if media is not None else ():
        source = by_slug.get(path.split("/")[1])
        if media is None or source is None:
            continue
        policy = ImagePolicy.for_source(context.config, source)
        articles = ArticleFiles(context.config.root)
        try:
            article: ArticleFile | None = articles.read(path)
        except ArticleUnreadableError:
            article = None
        if article is None or policy.mode != "local":
            media.clear_pending(path)
            continue
        outcome = await localise_pending(article.body_html, policy, page_url=article.url,
                                         fetcher=context.fetcher, media=media)
        if outcome.html != article.body_html:
            articles.write(path, replace(article, body_html=outcome.html))
            record = context.index.find_by_path_or_url(path)
            if record is not None:  # the index's hash follows the file
                context.index.save(replace(record, content_sha256=body_sha256(outcome.html)))
        context.image_counts.update(outcome.counts)
        if outcome.pending:
            media.mark_pending(path, outcome.last_error)
        else:
            media.clear_pending(path)


async def _mirror_entry(
    context: _RunContext, source: Source, entry: FeedEntry
) -> ArticleRecord | ItemFailure:
    context.progress(source.slug, "item", entry.link)
    try:
        return await _mirror_entry_now(context, source, entry)
    finally:
        context.progress(source.slug, "item_done", entry.link)


async def _mirror_entry_now(
    context: _RunContext, source: Source, entry: FeedEntry
) -> ArticleRecord | ItemFailure:
    try:
        article = await _clean_article(context, source, entry)
        images = await mirror_images(article.body_html,
                                     ImagePolicy.for_source(context.config, source),
                                     page_url=article.base_url, fetcher=context.fetcher,
                                     media=context.media)
        record = _store_article(context, source, entry, article, images.html)
        context.image_counts.update(images.counts)
        if images.pending and context.media is not None:
            context.media.mark_pending(record.path, images.last_error)
        return record
    except MirrorError as exc:
        log.warning("item failed source=%s url=%s reason=%s", source.slug, entry.link, exc)
        return _failure(source, entry.link, "item", exc)


async def _clean_article(
    context: _RunContext, source: Source, entry: FeedEntry
) -> CleanArticle:
    """The item's article body, from the feed item itself or from its page."""
    min_chars = context.config.mirror.min_body_chars
    if source.fulltext != "page":
        body = feed_item_body(entry, require_full=source.fulltext == "auto")
        if body:
            return await asyncio.to_thread(clean_feed_item, body, entry.link,
                                           min_chars=min_chars)
        if source.fulltext == "feed":
            raise NoContentError(f"feed item has no content: {entry.link}", url=entry.link)
    result = await context.fetcher.fetch(entry.link, accept=PAGE_ACCEPT)
    page = read_html_page(entry.link, result)
    article = await asyncio.to_thread(clean_page, page, min_chars=min_chars)
    if article.rule_check is not None:  # for the health record: rules that stopped matching
        context.rule_checks.setdefault(source.slug, []).append(article.rule_check)
    if result.etag or result.last_modified:  # so the first re-check can cost a 304
        context.index.save_validators(strip_tracking_params(entry.link),
                                      Validators(result.etag, result.last_modified))
    return article


def _store_article(
    context: _RunContext,
    source: Source,
    entry: FeedEntry,
    article: CleanArticle,
    body: str,
) -> ArticleRecord:
    """The new article's file and index record (no awaits)."""
    first_seen = context.options.clock()
    canonical = canonical_url(entry.link)
    title = (article.title if article.method.startswith("site") else None) or entry.title \
        or article.title or canonical
    record = store_new_article(context.config.root, context.index, NewArticle(
        source=source.slug,
        url=strip_tracking_params(entry.link),
        canonical_url=canonical,
        title=title,
        published_ms=article.published_ms or entry.published_ms or first_seen,
        first_seen_ms=first_seen,
        body_html=body,
        guid=entry.guid,
        author=article.author or entry.author,
    ), context.config.tz)
    context.touched_folders.add(record.path.rsplit("/", 1)[0])
    return record


def _failure(source: Source, url: str, stage: str, exc: MirrorError) -> ItemFailure:
    return ItemFailure(source=source.slug, url=url, stage=stage, code=exc.code, message=str(exc),
                       fails_run=exc.fails_run)


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


__all__ = ["AfterRun", "RunOptions", "build_site_after_run", "build_site_now", "commit_message",
           "finish_run", "mirror_source", "publish", "publish_to_remotes", "record_health",
           "render_outputs", "run", "run_async", "search_archive"]
