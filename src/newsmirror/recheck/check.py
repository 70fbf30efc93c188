"""One re-check: fetch the article again (or read its feed item) and judge it
unchanged, edited, deleted or failed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import Literal

from newsmirror.article_body import clean_feed_item, clean_page
from newsmirror.clean.urls import canonical_url
from newsmirror.config import Source
from newsmirror.errors import ExtractError, FetchError, HTTPStatusError
from newsmirror.extract import feed_item_body
from newsmirror.fetch import PAGE_ACCEPT, Fetcher, decode_html
from newsmirror.models import ArticleRecord, FeedEntry, Page, Validators
from newsmirror.recheck.compare import (
    comparable_text,
    deletion_notice,
    extraction_fingerprint,
    is_gone_redirect,
    is_same_title,
    page_baseline,
    text_similarity,
)
from newsmirror.store.index import ArchiveIndex

GONE_STATUSES = frozenset({404, 410})
# After a redirect, a "new version" sharing less text than this is another page, not an edit.
MIN_REDIRECTED_SIMILARITY = 0.5
EXTRACTION_KEY = "recheck/extraction"
RecheckKind = Literal["unchanged", "edited", "deleted", "failed"]


@dataclass(frozen=True, slots=True)
class FeedSighting:
    """An article already mirrored, met again in its source's feed."""

    source: Source
    entry: FeedEntry
    record: ArticleRecord


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


async def recheck_article(
    fetcher: Fetcher, record: ArticleRecord, stored: StoredState, *, min_body_chars: int
) -> RecheckResult:
    """Fetch the article again and say what became of it."""
    # A 304 says nothing new to code that never read this page: without a baseline
    # from the current extraction code, ask for the whole page.
    baseline_is_current = (stored.baseline or "").split(":", 1)[0] == stored.extraction
    usable = stored.body_html is None or stored.body_is_comparable or baseline_is_current
    validators = stored.validators if usable else None
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
    html = decode_html(result.body, result.charset)
    if is_gone_redirect(record.url, result.final_url, html, record.title):
        return RecheckResult(record, "deleted", f"redirected to {result.final_url}")
    notice = deletion_notice(html)
    if notice is not None:
        return RecheckResult(record, "deleted", f"removal notice: {notice}")
    fresh = Validators(result.etag, result.last_modified)
    if stored.body_html is None:
        return RecheckResult(record, "unchanged", "present", validators=fresh)
    try:
        article = await asyncio.to_thread(
            clean_page, Page(url=record.url, final_url=result.final_url, html=html),
            min_chars=min_body_chars,
        )
    except ExtractError as exc:
        return RecheckResult(record, "failed", str(exc))
    body = article.body_html
    fresh_version = RecheckResult(record, "edited", title=article.title or "", body_html=body,
                                  validators=fresh, base_url=article.base_url)
    judged = compare_versions(stored, fresh_version)
    redirected = canonical_url(result.final_url) != canonical_url(record.url)
    if judged.kind == "edited" and redirected and \
            text_similarity(stored.body_html, body) < MIN_REDIRECTED_SIMILARITY:
        return RecheckResult(record, "failed", f"redirected to another page: {result.final_url}")
    return judged


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
        article = clean_feed_item(content, entry.link, min_chars=min_body_chars)
    except ExtractError as exc:
        return RecheckResult(record, "failed", str(exc))
    fresh = RecheckResult(record, "edited", title=entry.title, body_html=article.body_html,
                          base_url=article.base_url)
    return replace(compare_versions(replace(stored, baseline=None), fresh), baseline=None)


def note_extraction(index: ArchiveIndex, now_ms: int) -> tuple[str, int]:
    """The current extraction fingerprint and since when the mirror has used it."""
    fingerprint = extraction_fingerprint()
    known, _, since = (index.cache_value(EXTRACTION_KEY) or "").partition(" ")
    if known == fingerprint and since.isdigit():
        return fingerprint, int(since)
    index.save_cache_value(EXTRACTION_KEY, f"{fingerprint} {now_ms}")
    return fingerprint, now_ms
