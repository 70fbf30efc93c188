"""``newsmirror import``: adopt an archive in the predecessor's layout, years of files at once.

Order of work: every folder is mapped to a source (an unknown folder stops the
import before anything is written); every file's header is read (a malformed
file is named and skipped); articles the mirror already holds (same canonical
URL) are left out, so importing the same archive twice changes nothing; each
source's months are cleaned, placed and written, in worker processes when
there are many; the files are synced once; the index takes every record, each
shard written once; lists, month READMEs and the root README are rendered as
runs would have left them; one commit.  Nothing is downloaded.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from newsmirror.config import Config, Source
from newsmirror.images import ImagePolicy, MediaStore
from newsmirror.importer.archive import (
    ArchiveFile,
    ImportSkip,
    archive_paths,
    articles_folder,
    map_folders,
    parse_folder_map,
    read_archive_header,
)
from newsmirror.importer.month import Cleaning, MonthJob, MonthResult, import_month
from newsmirror.models import ArticleRecord
from newsmirror.outputs import render_outputs
from newsmirror.publish import commit_changes, remove_stale_index_lock
from newsmirror.store.files import ARTICLES_DIR, month_shard
from newsmirror.store.index import ArchiveIndex
from newsmirror.store.lock import hold_run_lock

log = logging.getLogger(__name__)
ImportProgress = Callable[[int, int], None]  # (files done, files in all)
# Below this many new articles the work stays in this process.
MIN_ARTICLES_FOR_WORKERS = 400


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """How to import: folder → slug overrides, whether to commit, worker processes."""

    folder_map: Mapping[str, str] = field(default_factory=dict)
    commit: bool = True
    workers: int = 1
    progress: ImportProgress | None = None


@dataclass(slots=True)
class ImportReport:
    """What an import did: articles imported per source, left out, skipped with reasons."""

    imported: Counter[str] = field(default_factory=Counter)
    already_mirrored: int = 0
    duplicates: int = 0  # the same canonical URL twice in the archive: the first one counts
    skipped: list[ImportSkip] = field(default_factory=list)
    commit: str | None = None

    @property
    def ok(self) -> bool:
        return not self.skipped

    @property
    def imported_count(self) -> int:
        return sum(self.imported.values())


def import_archive(config: Config, archive: Path, options: ImportOptions | None = None) -> ImportReport:
    """Import the archive at ``archive`` into the mirror of ``config`` (holding its run lock)."""
    options = options or ImportOptions()
    articles = articles_folder(archive)
    folders = map_folders(articles, config.sources, options.folder_map)
    with hold_run_lock(config.root):
        remove_stale_index_lock(config.root)
        index = ArchiveIndex.open(config.root)
        try:
            return _import_locked(config, index, articles, folders, options)
        finally:
            index.close()


def _import_locked(
    config: Config, index: ArchiveIndex, articles: Path, folders: Mapping[str, Source],
    options: ImportOptions,
) -> ImportReport:
    report = ImportReport()
    files = _new_files(_read_headers(articles, folders, report), index, report)
    records: list[ArticleRecord] = []
    pending: list[str] = []
    for result in _run_jobs(_month_jobs(config, index, files), options):
        records.extend(result.records)
        pending.extend(result.images_pending)
        report.skipped.extend(result.skips)
        if options.progress is not None:
            options.progress(len(records) + len(report.skipped), len(files) + len(report.skipped))
    report.skipped.sort(key=lambda skip: skip.relative)
    if not records:
        return report
    os.sync()  # every article file is on disk before the index names it
    index.save_many(records)
    report.imported.update(record.source for record in records)
    _mark_images_pending(config.root, pending)
    render_outputs(config, index, {r.path.rsplit("/", 1)[0] for r in records} |
                   index.dirty_folders())
    index.clear_dirty_folders()
    if options.commit and config.mirror.commit:
        report.commit = commit_changes(config.root, import_message(config, report),
                                       extra_paths=(config.mirror.site_dir,))
    return report


def _read_headers(
    articles: Path, folders: Mapping[str, Source], report: ImportReport
) -> list[ArchiveFile]:
    files = []
    for path, slug in archive_paths(articles, folders):
        header = read_archive_header(path, f"{ARTICLES_DIR}/{path.parent.name}/{path.name}", slug)
        if isinstance(header, ImportSkip):
            report.skipped.append(header)
        else:
            files.append(header)
    return files


def _new_files(
    files: list[ArchiveFile], index: ArchiveIndex, report: ImportReport
) -> list[ArchiveFile]:
    """Files whose article the mirror lacks, once each, in order of publication."""
    files.sort(key=lambda f: (f.published_ms, f.canonical, f.relative))
    mirrored: dict[str, set[str]] = {}
    seen: set[tuple[str, str]] = set()
    new = []
    for file in files:
        if file.slug not in mirrored:
            mirrored[file.slug] = index.canonical_urls(file.slug)
        if file.canonical in mirrored[file.slug]:
            report.already_mirrored += 1
        elif (file.slug, file.canonical) in seen:
            report.duplicates += 1
        else:
            seen.add((file.slug, file.canonical))
            new.append(file)
    return new


def _month_jobs(config: Config, index: ArchiveIndex, files: list[ArchiveFile]) -> list[MonthJob]:
    """One job per source and month, with what the mirror already holds in that month."""
    months: dict[tuple[str, str], list[ArchiveFile]] = defaultdict(list)
    for file in files:
        months[(file.slug, month_shard(file.published_ms, config.tz))].append(file)
    sources = {s.slug: s for s in config.sources}
    jobs = []
    for (slug, shard), month_files in sorted(months.items()):
        cleaning = Cleaning(ImagePolicy.for_source(config, sources[slug]),
                            config.mirror.min_body_chars)
        counts = index.folder_counts(slug, shard)
        taken = {folder: frozenset(index.names_in_folder(folder)) for folder in counts}
        jobs.append(MonthJob(config.root, slug, shard, tuple(month_files), cleaning, counts, taken))
    return jobs


def _run_jobs(jobs: list[MonthJob], options: ImportOptions) -> Iterator[MonthResult]:
    """Each job's result, in order; in worker processes when there is enough work."""
    articles = sum(len(job.files) for job in jobs)
    if options.workers <= 1 or articles < MIN_ARTICLES_FOR_WORKERS:
        yield from map(import_month, jobs)
        return
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(options.workers, mp_context=context) as pool:
        yield from pool.map(import_month, jobs)


def _mark_images_pending(root: Path, article_paths: Iterable[str]) -> None:
    """Local mode: the imported articles' images are copied by the runs that follow."""
    paths = list(article_paths)
    if not paths:
        return
    media = MediaStore.open(root)
    try:
        for path in paths:
            media.mark_pending(path, "imported: images not copied yet")
    finally:
        media.close()


def import_message(config: Config, report: ImportReport) -> str:
    """``import: 1200 articles (BBC 700, 德国之声 500)``."""
    names = {s.slug: s.name for s in config.sources}
    parts = [f"{names.get(slug, slug)} {n}" for slug, n in sorted(report.imported.items())]
    return f"import: {report.imported_count} articles ({', '.join(parts)})"


__all__ = [
    "ImportOptions",
    "ImportProgress",
    "ImportReport",
    "ImportSkip",
    "import_archive",
    "import_message",
    "parse_folder_map",
]
