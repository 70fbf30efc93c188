"""Importing one source's articles of one month: clean each body, give it its path, write it.

A month of one source is the unit of work: the paths its articles get depend
only on the articles of that month (the folder fills up, names must be unique
in it), so months can be imported in separate processes.  Articles are placed
in order of publication, as runs would have placed them.  Files are written
without syncing each one; the importer syncs once before the index names them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from newsmirror.article_body import clean_feed_item
from newsmirror.clean.urls import strip_tracking_params
from newsmirror.errors import MirrorError
from newsmirror.images import ImagePolicy, rewrite_images
from newsmirror.images.policy import wanted_downloads
from newsmirror.importer.archive import (
    ArchiveFile,
    ArchiveFormatError,
    ImportSkip,
    read_archive_text,
)
from newsmirror.models import ArticleRecord
from newsmirror.store.articles import (
    NewArticle,
    new_article_record,
    place_article,
    write_new_article,
)


@dataclass(frozen=True, slots=True)
class Cleaning:
    """What the cleaning of a body needs: the source's image policy and the minimum length."""

    images: ImagePolicy
    min_body_chars: int


@dataclass(frozen=True, slots=True)
class CleanBody:
    """A cleaned body, and whether its images wait for a run to copy them (local mode)."""

    html: str
    images_pending: bool = False


@dataclass(frozen=True, slots=True)
class MonthJob:
    """One source's new articles of one month, and what the mirror already holds there."""

    root: Path
    slug: str
    shard: str  # YYYY/MM
    files: tuple[ArchiveFile, ...]
    cleaning: Cleaning
    folder_counts: Mapping[str, int] = field(default_factory=dict)
    taken_names: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MonthResult:
    """The records of the articles written, the files skipped, the articles whose images wait."""

    records: tuple[ArticleRecord, ...]
    skips: tuple[ImportSkip, ...]
    images_pending: tuple[str, ...]


def clean_archive_body(html: str, url: str, cleaning: Cleaning) -> CleanBody | str:
    """The body as a fetched article's would be stored, or why it cannot be (a reason).

    The predecessor's files hold its feed items' content, so they take the
    cleaning stage's feed-item way (the site rule's rewrites and removals, lazy
    images, the sanitiser, the minimum length), then the image policy - with no
    downloads: in local mode images are proxied and marked for a later run.
    """
    try:
        body = clean_feed_item(html, url, min_chars=cleaning.min_body_chars).body_html
    except MirrorError as exc:  # NoContentError and its kin: this file is skipped
        return str(exc)
    policy = cleaning.images
    if policy.mode != "local":
        return CleanBody(rewrite_images(body, policy).html)
    waiting = wanted_downloads(body, policy)
    return CleanBody(rewrite_images(body, policy, {}, waiting).html, bool(waiting))


def import_month(job: MonthJob) -> MonthResult:
    """Clean, place and write the job's articles, in order of publication."""
    counts = dict(job.folder_counts)
    taken = {folder: set(names) for folder, names in job.taken_names.items()}
    records: list[ArticleRecord] = []
    skips: list[ImportSkip] = []
    pending: list[str] = []
    for file in job.files:
        try:
            text = read_archive_text(file.path)
        except (OSError, ArchiveFormatError) as exc:
            skips.append(ImportSkip(file.relative, str(exc)))
            continue
        cleaned = clean_archive_body(text.body_html, file.url, job.cleaning)
        if isinstance(cleaned, str):
            skips.append(ImportSkip(file.relative, cleaned))
            continue
        title = file.title or file.canonical
        path = place_article(job.slug, job.shard, file.canonical, title, counts,
                             lambda folder: taken.setdefault(folder, set()))
        folder, name = path.rsplit("/", 1)
        taken[folder].add(name.removesuffix(".md"))
        counts[folder] = counts.get(folder, 0) + 1
        record = _write_article(job.root, file, title, path, cleaned.html)
        records.append(record)
        if cleaned.images_pending:
            pending.append(record.path)
    return MonthResult(tuple(records), tuple(skips), tuple(pending))


def _write_article(
    root: Path, file: ArchiveFile, title: str, path: str, body: str
) -> ArticleRecord:
    """Write the article file (not synced) and return its index record.

    Its age counts from publication: ``first_seen_ms`` is the publication time.
    """
    article = NewArticle(source=file.slug, url=strip_tracking_params(file.url),
                         canonical_url=file.canonical, title=title,
                         published_ms=file.published_ms, first_seen_ms=file.published_ms,
                         body_html=body)
    record = new_article_record(article, path)
    write_new_article(root, record, article, sync=False)
    return record
