"""Fetching mirrored articles again: still there, edited, or deleted?

Articles are re-checked on a decaying schedule (``[mirror] recheck_schedule``):
young articles often, older ones rarely, none past the last age band (at most
30 days), at most ``recheck_budget`` a run, most overdue first.  A re-check is a
conditional GET, so an unchanged page usually costs a 304.

What a re-check can find:

- **deleted**: HTTP 404 or 410; a redirect to the outlet's front page, a section
  above the article or an error page; or a short page carrying a removal notice
  (WeChat's "此内容因违规无法查看", "该内容已被发布者删除" and the like).  The
  record gets ``deleted_ms`` the first time; the mirrored copy is kept.
- **edited**: the cleaned body or the title changed in a way a reader would see.
  Whitespace, tracking parameters in links and rotating boxes (related
  articles, most read) are ignored.  The previous file moves to
  ``revisions/…`` (see :mod:`newsmirror.history`), the article file is rewritten.
- **unchanged**, or **failed** (network trouble, a page with no article):
  nothing is written but the time of the check (in the cache).

Each re-check also keeps (in the cache) a fingerprint of what the page said,
under the current extraction code (:func:`extraction_fingerprint`: the extract
and clean code and the site rules).  When that code changes, a stored version
made by the older code may read differently from a fresh reading without any
edit; such an article is not called edited until its page differs from a
reading made by the current code.

A page's body is compared for ``fulltext = "page"`` sources only; for sources
that take the article from the feed, the page is checked for deletion, and
edits are found when the feed carries the item again with other content.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from newsmirror.clean.sanitize import sanitize_html, text_length
from newsmirror.clean.urls import canonical_url
from newsmirror.config import CONFIG_FILENAME, Config, Source
from newsmirror.errors import ConfigError, ExtractError, FetchError, HTTPStatusError
from newsmirror.extract import clean_feed_content, extract_article, feed_item_body
from newsmirror.fetch import Fetcher, decode_text
from newsmirror.history import current_version_ms, plain_text, revision_path
from newsmirror.images import resolve_lazy_images
from newsmirror.models import ArticleRecord, FeedEntry, Page, Revision, Validators
from newsmirror.render.article import ArticleFile, parse_article_file, render_article_file
from newsmirror.store.files import write_atomic
from newsmirror.store.index import ArchiveIndex, folder_of

log = logging.getLogger(__name__)

MAX_WINDOW_MS = 30 * 86_400_000
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
GONE_STATUSES = frozenset({404, 410})
# A page with at most this much visible text and one of these phrases is a removal notice.
NOTICE_MAX_CHARS = 600
DELETION_NOTICES = (
    "此内容因违规无法查看", "该内容已被发布者删除", "此内容已被发布者删除",
    "此内容被多人投诉", "该内容已被删除", "此内容已被删除", "该文章已被删除", "此文章已被删除",
    "内容已删除", "此帐号已被屏蔽", "此账号已被屏蔽", "该帐号已被屏蔽", "该账号已被屏蔽",
    "此帐号已自主注销", "此账号已自主注销", "该內容已被發布者刪除", "此內容因違規無法查看",
    "页面不存在", "頁面不存在", "您访问的页面不存在", "文章不存在", "内容不存在", "找不到该页面",
    "pagenotfound", "404notfound",
)
_ERROR_PATH = re.compile(
    r"(^|/)(404|410|errors?|not[-_]?found|page[-_]?not[-_]?found|removed|deleted|unavailable)"
    r"(\.[a-z]+)?(/|$)",
    re.IGNORECASE,
)
# Headings of boxes whose links rotate from one request to the next.
_ROTATING_HEADING = re.compile(
    r"^(相关|相關|延伸阅读|延伸閱讀|推荐|推薦|更多|热门|熱門|热读|熱讀|最多|最受|"
    r"猜你|你可能|您可能|"
    r"编辑推荐|編輯推薦|related|read more|more on|more from|most read|most popular|top stories|"
    r"you may also|recommended)",
    re.IGNORECASE,
)
_HEADING_MAX_CHARS = 24
EXTRACTION_KEY = "recheck/extraction"
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT_MS = {"s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}

RecheckKind = Literal["unchanged", "edited", "deleted", "failed"]
# (record, source, sanitised body, base URL) → the body as the article file keeps it
# (images proxied or localised): the pipeline's own last steps, applied to a new version.
BodyPreparer = Callable[[ArticleRecord, Source, str, str], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class ScheduleBand:
    """Articles younger than ``max_age_ms`` are re-checked every ``interval_ms``."""

    max_age_ms: int
    interval_ms: int


@dataclass(frozen=True, slots=True)
class FeedSighting:
    """An article already mirrored, met again in its source's feed."""

    source: Source
    entry: FeedEntry
    record: ArticleRecord


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


@dataclass(frozen=True, slots=True)
class StoredState:
    """What the mirror holds of an article before a re-check.

    ``body_html`` is None to look for deletion only.  ``baseline`` is what the
    page said at the last re-check (see :func:`page_baseline`); ``extraction`` the
    fingerprint of the extraction code now; ``body_is_comparable`` says whether
    the stored body came from that same code.
    """

    body_html: str | None
    validators: Validators | None = None
    baseline: str | None = None
    extraction: str = ""
    body_is_comparable: bool = True


@dataclass(frozen=True, slots=True)
class RecheckResult:
    """What one re-check found; ``title``/``body_html`` are the new version when edited,
    ``base_url`` what its relative links and images resolve against."""

    record: ArticleRecord
    kind: RecheckKind
    reason: str = ""
    title: str = ""
    body_html: str = ""
    validators: Validators | None = None
    base_url: str = ""
    baseline: str | None = None


@dataclass(slots=True)
class RecheckSummary:
    """Counts by outcome, month folders whose records changed, and the changed records."""

    counts: Counter[str] = field(default_factory=Counter)
    folders: set[str] = field(default_factory=set)
    changed: list[ArticleRecord] = field(default_factory=list)


# -- the schedule ----------------------------------------------------------------------


def parse_schedule(entries: Iterable[str]) -> tuple[ScheduleBand, ...]:
    """``("12h:1h", "3d:6h")`` → bands sorted by age; ConfigError on a bad entry."""
    bands = []
    entries = tuple(entries)
    for entry in entries:
        age, colon, every = entry.partition(":")
        if not colon:
            raise _schedule_error(entry, "expected AGE:EVERY, e.g. '3d:6h'")
        bands.append(ScheduleBand(_duration_ms(age, entry), _duration_ms(every, entry)))
    bands.sort(key=lambda band: band.max_age_ms)
    if bands and bands[-1].max_age_ms > MAX_WINDOW_MS:
        raise _schedule_error(" ".join(entries), "ages stop at 30d")
    return tuple(bands)


def _duration_ms(text: str, entry: str) -> int:
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise _schedule_error(entry, f"{text.strip()!r} is not a duration like 30m, 6h or 3d")
    return int(match.group(1)) * _UNIT_MS[match.group(2)]


def _schedule_error(entry: str, detail: str) -> ConfigError:
    return ConfigError(f"{CONFIG_FILENAME}: mirror.recheck_schedule: {entry!r}: {detail}")


def recheck_interval_ms(schedule: tuple[ScheduleBand, ...], age_ms: int) -> int | None:
    """How often an article of this age is re-checked; None once it is past the window."""
    for band in schedule:
        if age_ms < band.max_age_ms:
            return band.interval_ms
    return None


def choose_rechecks(
    records: Iterable[ArticleRecord],
    last_checks: Mapping[str, int],
    schedule: tuple[ScheduleBand, ...],
    *,
    now_ms: int,
    budget: int,
    everything: bool = False,
) -> list[ArticleRecord]:
    """Articles due for a re-check, most overdue first, at most ``budget``.

    With ``everything`` every article inside the window is due, budget or not.
    """
    due: list[tuple[float, ArticleRecord]] = []
    for record in records:
        interval = recheck_interval_ms(schedule, now_ms - record.first_seen_ms)
        if interval is None:
            continue
        last = max(last_checks.get(record.id, 0), record.last_checked_ms or 0,
                   record.first_seen_ms)
        overdue = (now_ms - last) / interval
        if everything or overdue >= 1:
            due.append((overdue, record))
    due.sort(key=lambda item: (-item[0], item[1].id))
    chosen = [record for _, record in due]
    return chosen if everything else chosen[:budget]


# -- one re-check ------------------------------------------------------------------------


async def recheck_article(
    fetcher: Fetcher, record: ArticleRecord, stored: StoredState, *, min_body_chars: int
) -> RecheckResult:
    """Fetch the article again and say what became of it."""
    validators = stored.validators
    try:
        result = await fetcher.fetch(record.url, validators=validators, accept=PAGE_ACCEPT)
    except HTTPStatusError as exc:
        if exc.status in GONE_STATUSES:
            return RecheckResult(record, "deleted", f"HTTP {exc.status}")
        return RecheckResult(record, "failed", str(exc))
    except FetchError as exc:
        return RecheckResult(record, "failed", str(exc))
    if result.not_modified:
        return RecheckResult(record, "unchanged", "not modified", validators=validators)
    if is_gone_redirect(record.url, result.final_url):
        return RecheckResult(record, "deleted", f"redirected to {result.final_url}")
    html = decode_text(result.body, result.charset)
    notice = deletion_notice(html)
    if notice is not None:
        return RecheckResult(record, "deleted", f"removal notice: {notice}")
    fresh = Validators(result.etag, result.last_modified)
    if stored.body_html is None:
        return RecheckResult(record, "unchanged", "present", validators=fresh)
    try:
        extracted = await asyncio.to_thread(
            extract_article, Page(url=record.url, final_url=result.final_url, html=html)
        )
    except ExtractError as exc:
        return RecheckResult(record, "failed", str(exc))
    body = await asyncio.to_thread(
        lambda: sanitize_html(resolve_lazy_images(extracted.body_html), result.final_url)
    )
    if text_length(body) < min_body_chars:
        return RecheckResult(record, "failed", f"article body empty or nearly so: {record.url}")
    fresh_version = RecheckResult(record, "edited", title=extracted.title or "", body_html=body,
                                  validators=fresh, base_url=result.final_url)
    return compare_versions(stored, fresh_version)


def compare_versions(stored: StoredState, fresh: RecheckResult) -> RecheckResult:
    """Unchanged or edited, judged against the last re-check and the stored version.

    A page that reads as it did at the last re-check (same extraction code) is
    unchanged.  A stored version made by older extraction code, with no baseline
    from the current code, cannot be compared fairly: the fresh reading becomes
    the baseline and nothing is claimed.
    """
    record, text = fresh.record, comparable_text(fresh.body_html)
    baseline = page_baseline(stored.extraction, fresh.title, text)
    unchanged = RecheckResult(record, "unchanged", "same as last check",
                              validators=fresh.validators, baseline=baseline)
    if stored.baseline == baseline:
        return unchanged
    baseline_is_current = (stored.baseline or "").split(":", 1)[0] == stored.extraction
    if not baseline_is_current and not stored.body_is_comparable:
        return replace(unchanged, reason="extraction changed; new baseline")
    same_title = is_same_title(record.title, fresh.title)
    if same_title and comparable_text(stored.body_html or "") == text:
        return replace(unchanged, reason="same text")
    return replace(fresh, reason="body changed" if same_title else "title changed",
                   title=record.title if same_title else fresh.title, baseline=baseline)


def compare_feed_item(
    sighting: FeedSighting, stored: StoredState, *, min_body_chars: int
) -> RecheckResult:
    """Unchanged or edited, judged by the feed item's own content (as first mirrored)."""
    record, entry, source = sighting.record, sighting.entry, sighting.source
    content = feed_item_body(entry, require_full=source.fulltext == "auto")
    if not content or stored.body_html is None or not stored.body_is_comparable:
        return RecheckResult(record, "unchanged", "not comparable")
    try:
        cleaned = clean_feed_content(content, entry.link)
    except ExtractError as exc:
        return RecheckResult(record, "failed", str(exc))
    body = sanitize_html(resolve_lazy_images(cleaned), entry.link)
    if text_length(body) < min_body_chars:
        return RecheckResult(record, "failed", f"feed item content nearly empty: {entry.link}")
    fresh = RecheckResult(record, "edited", title=entry.title, body_html=body,
                          base_url=entry.link)
    return replace(compare_versions(replace(stored, baseline=None), fresh), baseline=None)


def page_baseline(extraction: str, title: str, text: str) -> str:
    """``{extraction}:{hash}`` of what a reader sees of a page, under this extraction code."""
    seen = "".join(title.split()).casefold() + "\n" + text
    return f"{extraction}:{hashlib.sha256(seen.encode('utf-8')).hexdigest()[:24]}"


def extraction_fingerprint() -> str:
    """A hash of the code and rules that turn a page into a body: when it changes,
    stored versions may differ from fresh readings without any edit."""
    package = Path(__file__).parent
    files = sorted([*package.glob("extract/*.py"), *package.glob("clean/*.py"),
                    *package.glob("rules/*.toml"), package / "images" / "refs.py"])
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def note_extraction(index: ArchiveIndex, now_ms: int) -> tuple[str, int]:
    """The current extraction fingerprint and since when the mirror has used it."""
    fingerprint = extraction_fingerprint()
    known, _, since = (index.cache_value(EXTRACTION_KEY) or "").partition(" ")
    if known == fingerprint and since.isdigit():
        return fingerprint, int(since)
    index.save_cache_value(EXTRACTION_KEY, f"{fingerprint} {now_ms}")
    return fingerprint, now_ms


def is_gone_redirect(requested_url: str, final_url: str) -> bool:
    """A redirect to the front page, a section above the article, or an error page."""
    if canonical_url(requested_url) == canonical_url(final_url):
        return False
    final_path = urlsplit(final_url).path.rstrip("/")
    if not final_path or _ERROR_PATH.search(final_path):
        return True
    final_parts = [p for p in final_path.split("/") if p]
    requested_parts = [p for p in urlsplit(requested_url).path.split("/") if p]
    return len(final_parts) < len(requested_parts) and \
        requested_parts[: len(final_parts)] == final_parts


def deletion_notice(page_html: str) -> str | None:
    """The removal notice a short page shows in place of the article, if it is one."""
    parser = LexborHTMLParser(page_html)
    parser.strip_tags(["script", "style", "noscript", "template"])
    root = parser.body or parser.root
    text = "".join((root.text(deep=True, separator=" ") if root else "").split()).lower()
    if len(text) > NOTICE_MAX_CHARS:
        return None
    return next((phrase for phrase in DELETION_NOTICES if phrase in text), None)


def is_same_title(old: str, new: str) -> bool:
    """Same words, allowing a site name added or dropped around them."""
    a, b = "".join(old.split()).casefold(), "".join(new.split()).casefold()
    return not b or a == b or a in b or b in a


def comparable_text(body_html: str) -> str:
    """What a reader sees of a body: its text and link targets, rotating boxes left out."""
    parser = LexborHTMLParser(f"<div>{body_html}</div>")
    root = parser.css_first("div")
    if root is None:
        return ""
    _remove_rotating_boxes(root)
    # Links around images only (zoom links) are the image policy's business, not the text's.
    links = (canonical_url(a.attributes.get("href") or "") for a in root.css("a[href]")
             if a.text(deep=True).strip())
    return plain_text(root.inner_html or "") + "\n" + "\n".join(links)


def _remove_rotating_boxes(root: LexborNode) -> None:
    for heading in list(root.css("h1, h2, h3, h4, h5, h6, p")):
        text = heading.text(deep=True).strip()
        if len(text) <= _HEADING_MAX_CHARS and _ROTATING_HEADING.match(text):
            for sibling in _link_only_siblings_after(heading):
                sibling.decompose()
            heading.decompose()
    for listing in list(root.css("ul, ol")):
        items = listing.css("li")
        if len(items) >= 2 and all(_is_link_only(item) for item in items):
            listing.decompose()


def _link_only_siblings_after(node: LexborNode) -> list[LexborNode]:
    found = []
    sibling = node.next
    while sibling is not None:
        if sibling.tag != "-text":
            if not _is_link_only(sibling):
                break
            found.append(sibling)
        elif (sibling.text_content or "").strip():
            break
        sibling = sibling.next
    return found


def _is_link_only(node: LexborNode) -> bool:
    """Every character of the node's text is inside links."""
    text = "".join(node.text(deep=True).split())
    linked = "".join("".join(a.text(deep=True).split()) for a in node.css("a"))
    return bool(text) and text == linked


# -- recording what was found ---------------------------------------------------------


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
    record = result.record
    try:
        previous = (root / record.path).read_text(encoding="utf-8")
    except FileNotFoundError:
        previous = None
    if previous is not None:
        write_atomic(root / revision_path(record.path, current_version_ms(record)), previous)
    text = render_article_file(
        ArticleFile(record.published_ms, result.title, record.url, result.body_html)
    )
    write_atomic(root / record.path, text)
    earlier = Revision(current_version_ms(record), record.title, record.content_sha256)
    return replace(
        record,
        title=result.title,
        content_sha256=hashlib.sha256(result.body_html.encode("utf-8")).hexdigest(),
        revisions=(*record.revisions, earlier),
        edited_ms=now_ms,
        last_checked_ms=now_ms,
        deleted_ms=None,
    )


# -- a run's re-checks ----------------------------------------------------------------


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
        body_html=_stored_body(config.root, record) if source.fulltext == "page" else None,
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
        stored = StoredState(_stored_body(config.root, record), extraction=extraction[0],
                             body_is_comparable=current_version_ms(record) >= extraction[1])
        results.append(compare_feed_item(sighting, stored,
                                         min_body_chars=config.mirror.min_body_chars))
    return results


def _stored_body(root: Path, record: ArticleRecord) -> str | None:
    try:
        return parse_article_file((root / record.path).read_text(encoding="utf-8")).body_html
    except (FileNotFoundError, ValueError):
        return None


__all__ = [
    "BodyPreparer",
    "FeedSighting",
    "RecheckRequest",
    "RecheckResult",
    "RecheckSummary",
    "ScheduleBand",
    "StoredState",
    "choose_rechecks",
    "comparable_text",
    "compare_feed_item",
    "compare_versions",
    "deletion_notice",
    "extraction_fingerprint",
    "is_gone_redirect",
    "is_same_title",
    "note_extraction",
    "page_baseline",
    "parse_schedule",
    "recheck_article",
    "recheck_interval_ms",
    "recheck_mirror",
    "record_result",
]
