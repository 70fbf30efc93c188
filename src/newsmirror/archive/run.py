"""``newsmirror archive``: the pages readers ask for, kept as articles of the on-demand source.

Each link, in the order given, once:

1. a link that is not http(s) with a host is refused;
2. a link the mirror already holds (same canonical URL, in whichever source) is
   answered with that copy, without fetching; so is a page whose own declared
   address the mirror holds (:func:`page_identity`), once fetched;
3. the page is fetched, from its readable address (:mod:`.addresses`), with the
   run's fetcher, limits and address rules (a private address is refused unless
   ``allow_private_networks``);
4. a page that is gone, refused or unreachable (:mod:`.snapshots`), or that shows
   a removal notice or redirects to the front page in its place, is looked up in
   each snapshot service of ``[archive] fallbacks`` in turn;
5. the one cleaning stage reads it (a front page or section index is refused),
   its images follow the on-demand source's policy, and a copy from a snapshot
   begins with a note naming the snapshot;
6. it is stored as a new article of the on-demand source.

A link that fails is an outcome with its message; nothing is written for it and
the other links go on.  When anything was stored, the run's one after-run
sequence follows (lists, site, feeds, ``STATUS.md``, commit, push).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlsplit

from newsmirror.archive.addresses import readable_address
from newsmirror.archive.report import ArchiveOutcome, ArchiveStatus
from newsmirror.archive.snapshots import should_try_snapshots, snapshot_urls
from newsmirror.article_body import clean_page
from newsmirror.clean.urls import canonical_url, strip_tracking_params
from newsmirror.config import Config, Source
from newsmirror.errors import FetchError, MirrorError
from newsmirror.extract.metadata import read_page_address
from newsmirror.fetch import PAGE_ACCEPT, Fetcher, FetchPolicy, read_html_page
from newsmirror.images import ImagePolicy, MediaStore, mirror_images
from newsmirror.models import ArticleRecord, CleanArticle, Page, RunReport, SourceReport
from newsmirror.outputs import AfterRun, finish_run
from newsmirror.publish import remove_stale_index_lock
from newsmirror.recheck.compare import deletion_notice, is_gone_redirect
from newsmirror.render.site import article_page_path
from newsmirror.store.articles import NewArticle, store_new_article
from newsmirror.store.files import remove_stale_temporaries
from newsmirror.store.index import ArchiveIndex
from newsmirror.store.lock import hold_run_lock
from newsmirror.times import now_ms

log = logging.getLogger(__name__)

# A page a reader asks for is kept however short it is (a post of one line).
ARCHIVE_MIN_BODY_CHARS = 1


@dataclass(frozen=True, slots=True)
class ArchiveOptions:
    """How to archive, beyond the mirror's configuration."""

    commit: bool = True
    push: bool = True
    clock: Callable[[], int] = now_ms


@dataclass(slots=True)
class ArchiveResult:
    """One outcome per link asked for, and the report of the after-run sequence."""

    outcomes: list[ArchiveOutcome]
    report: RunReport

    @property
    def ok(self) -> bool:
        return all(outcome.ok for outcome in self.outcomes)


@dataclass(frozen=True, slots=True)
class _PageCopy:
    """A page to keep: the page itself, or the snapshot of it that was found."""

    page: Page
    snapshot_url: str | None = None


@dataclass(slots=True)
class _ArchiveContext:
    config: Config
    source: Source
    index: ArchiveIndex
    fetcher: Fetcher
    media: MediaStore
    options: ArchiveOptions
    stored: list[ArticleRecord] = field(default_factory=list)


def archive_links(config: Config, links: Sequence[str],
                  options: ArchiveOptions | None = None) -> ArchiveResult:
    """Archive every link once, in order; the single synchronous entry point."""
    unique = tuple(dict.fromkeys(link.strip() for link in links if link.strip()))
    return asyncio.run(_archive(config, unique, options or ArchiveOptions()))


async def _archive(config: Config, links: tuple[str, ...], options: ArchiveOptions) -> ArchiveResult:
    with hold_run_lock(config.root):
        remove_stale_index_lock(config.root)  # what a killed run may have left, as a run does
        remove_stale_temporaries(config.root)
        index = ArchiveIndex.open(config.root)
        media = MediaStore.open(config.root)
        try:
            policy = FetchPolicy.from_settings(config.mirror)
            async with Fetcher(policy, trusted_hosts=_snapshot_hosts(config)) as fetcher:
                context = _ArchiveContext(config, config.archive.as_source(), index, fetcher,
                                          media, options)
                outcomes = [await _archive_link(context, link) for link in links]
            report = _finish(context)
        finally:
            media.close()
            index.close()
    return ArchiveResult(outcomes, report)


def _snapshot_hosts(config: Config) -> frozenset[str]:
    """The snapshot services' hosts: configured, so trusted like the feeds' hosts."""
    return frozenset(urlsplit(t).hostname or "" for t in config.archive.fallbacks) - {""}


def _finish(context: _ArchiveContext) -> RunReport:
    """The after-run sequence, when a page was stored; nothing at all otherwise."""
    report = RunReport()
    if not context.stored:
        return report
    source = context.source
    report.sources = [SourceReport(source.slug, source.name, new=len(context.stored),
                                   new_articles=list(context.stored))]
    report.count("articles/new", len(context.stored))
    folders = frozenset(record.path.rsplit("/", 1)[0] for record in context.stored)
    finish_run(AfterRun(context.config, context.index, report, now_ms=context.options.clock(),
                        changed_folders=folders, commit=context.options.commit,
                        push=context.options.push))
    return report


async def _archive_link(context: _ArchiveContext, link: str) -> ArchiveOutcome:
    problem = _link_problem(link)
    if problem is not None:
        return ArchiveOutcome(link, "failed", error=problem)
    known = context.index.find_by_path_or_url(canonical_url(link))
    if known is not None:
        return _outcome(context, link, known, "existing")
    try:
        copy = await _fetch_copy(context, link)
        identity = page_identity(link, copy.page)
        known = context.index.find_by_path_or_url(identity)
        if known is not None:
            return _outcome(context, link, known, "existing")
        article = await asyncio.to_thread(clean_page, copy.page,
                                          min_chars=ARCHIVE_MIN_BODY_CHARS)
        record = await _store(context, link, identity, copy, article)
    except MirrorError as exc:
        log.warning("archive failed url=%s reason=%s", link, exc)
        return ArchiveOutcome(link, "failed", error=str(exc))
    log.info("archived url=%s path=%s snapshot=%s", link, record.path, copy.snapshot_url)
    return _outcome(context, link, record, "archived", copy.snapshot_url)


def _link_problem(link: str) -> str | None:
    """Why ``link`` cannot be archived as written, or None."""
    try:
        parts = urlsplit(link)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return f"not a valid link: {link}"
    if parts.scheme.lower() not in ("http", "https"):
        return f"not an http(s) link: {link}"
    if not parts.hostname:
        return f"link without a host: {link}"
    return None


def page_identity(link: str, page: Page) -> str:
    """The canonical URL a page is kept under: the address it declares for itself when
    that is on the link's own site and not its front page (a WeChat short link's page
    names the article's long form), else the link's."""
    own = canonical_url(link)
    declared = read_page_address(page.html)
    if declared is None:
        return own
    candidate = canonical_url(declared)
    same_site = urlsplit(candidate).netloc == urlsplit(own).netloc
    return candidate if same_site and urlsplit(candidate).path.strip("/") else own


def _outcome(context: _ArchiveContext, link: str, record: ArticleRecord,
             status: ArchiveStatus, snapshot_url: str | None = None) -> ArchiveOutcome:
    """Where the copy of ``link`` is: its file, and its page when the site has an address."""
    site_url = context.config.mirror.site_url
    page_url = site_url.rstrip("/") + "/" + article_page_path(record) if site_url else None
    return ArchiveOutcome(link, status, path=record.path, page_url=page_url,
                          title=record.title, snapshot_url=snapshot_url)


async def _fetch_copy(context: _ArchiveContext, link: str) -> _PageCopy:
    """The page at ``link``, or a snapshot of it when it is gone, refused or unreachable."""
    try:
        result = await context.fetcher.fetch(readable_address(link), accept=PAGE_ACCEPT)
    except FetchError as exc:
        if not should_try_snapshots(exc):
            raise
        return await _snapshot_copy(context, link, str(exc))
    page = read_html_page(link, result)
    gone = _gone_reason(link, page)
    if gone is None:
        return _PageCopy(page)
    return await _snapshot_copy(context, link, f"page gone: {link} ({gone})")


def _gone_reason(link: str, page: Page) -> str | None:
    """Why a page that answered is not the article any more: a removal notice in its
    place, or a redirect to the front page, a section or an error page."""
    notice = deletion_notice(page.html)
    if notice is not None:
        return f"the page says {notice}"
    if is_gone_redirect(readable_address(link), page.final_url, page.html):
        return f"redirected to {page.final_url}"
    return None


async def _snapshot_copy(context: _ArchiveContext, link: str, reason: str) -> _PageCopy:
    """The first snapshot service's copy of ``link`` that holds the page; FetchError naming
    ``reason`` and each service's answer when none does."""
    misses = []
    for address in snapshot_urls(link, context.config.archive.fallbacks):
        try:
            result = await context.fetcher.fetch(address, accept=PAGE_ACCEPT)
            snapshot = read_html_page(address, result)
        except FetchError as exc:
            misses.append(str(exc))
            continue
        notice = deletion_notice(snapshot.html)
        if notice is not None:
            misses.append(f"{address} shows {notice}")
            continue
        # Links and the site rule follow the page's own address, not the snapshot's.
        return _PageCopy(Page(url=link, final_url=link, html=snapshot.html), result.final_url)
    detail = "; ".join(misses) if misses else "no snapshot services in [archive] fallbacks"
    raise FetchError(f"{reason}; no snapshot ({detail})", url=link)


async def _store(context: _ArchiveContext, link: str, identity: str, copy: _PageCopy,
                 article: CleanArticle) -> ArticleRecord:
    """The page's images per the source's policy, then its file and index record."""
    config, source = context.config, context.source
    body = article.body_html
    if copy.snapshot_url is not None:
        body = _snapshot_note(copy.snapshot_url) + body
    images = await mirror_images(body, ImagePolicy.for_source(config, source),
                                 page_url=article.base_url, fetcher=context.fetcher,
                                 media=context.media)
    first_seen = context.options.clock()
    record = store_new_article(config.root, context.index, NewArticle(
        source=source.slug,
        url=strip_tracking_params(link),
        canonical_url=identity,
        title=article.title or identity,
        published_ms=article.published_ms or first_seen,
        first_seen_ms=first_seen,
        body_html=images.html,
        author=article.author,
    ), config.tz)
    if images.pending:
        context.media.mark_pending(record.path, images.last_error)
    context.stored.append(record)
    return record


def _snapshot_note(snapshot_url: str) -> str:
    """The first paragraph of a copy taken from a snapshot: which one, and why."""
    address = escape(snapshot_url)
    return (f"<p><em>原网页已无法访问，此存档取自网页快照：</em>"
            f'<a href="{address}">{address}</a></p>')
