"""``newsmirror import``: adopt an archive in the predecessor's layout, years of files at once.

Order of work: every folder is mapped to a source (an unknown folder stops the
import before anything is written); every file's header is read (a malformed
file is named and skipped); articles the mirror already holds (same canonical
URL) are left out, so importing the same archive twice changes nothing; each
source's months are cleaned, placed and written, in worker processes when
there are many; the files are synced once; the index takes every record, each
shard written once; then the after-run sequence every command that stores
articles ends with (:func:`newsmirror.outputs.finish_run`): lists, month READMEs
and the root README as runs would have left them, STATUS.md, one commit, the
pushes.  The site is left to the next run.  Nothing is downloaded.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
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
    read_archive_headers,
)
from newsmirror.importer.month import Cleaning, MonthJob, import_month
from newsmirror.models import ArticleRecord, PushResult, RunReport
from newsmirror.outputs import AfterRun, finish_run
from newsmirror.publish import remove_stale_index_lock
from newsmirror.store.files import month_shard, remove_stale_temporaries
from newsmirror.store.index import ArchiveIndex
from newsmirror.store.lock import hold_run_lock
from newsmirror.times import now_ms

log = logging.getLogger(__name__)
ImportProgress = Callable[[int, int], None]  # (files done, files in all)
# Below this many files the work stays in this process.
MIN_ARTICLES_FOR_WORKERS = 400
HEADER_CHUNK = 2000  # files whose headers one worker reads at a time


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """How to import: folder → slug overrides, whether to commit, worker processes."""

    folder_map: Mapping[str, str] = field(default_factory=dict)
    commit: bool = True
    push: bool = True
    workers: int = 1
    progress: ImportProgress | None = None
    clock: Callable[[], int] = now_ms


@dataclass(slots=True)
class ImportReport:
    """What an import did: articles imported per source, left out, skipped with reasons."""

    imported: Counter[str] = field(default_factory=Counter)
    already_mirrored: int = 0
    duplicates: int = 0  # the same canonical URL twice in the archive: the first one counts
    skipped: list[ImportSkip] = field(default_factory=list)
    commit: str | None = None
    pushes: list[PushResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.skipped and all(push.ok for push in self.pushes)

    @property
    def imported_count(self) -> int:
        return sum(self.imported.values())


def import_archive(config: Config, archive: Path, options: ImportOptions | None = None) -> ImportReport:
    """Import the archive at ``archive`` into the mirror of ``config`` (holding its run lock)."""
    options = options or ImportOptions()
    articles = articles_folder(archive)
    folders = map_folders(articles, config.sources, options.folder_map)
    with hold_run_lock(config.root) as lock:
        if lock.after_killed_run:
            remove_stale_temporaries(config.root)
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
    started = time.monotonic()
    paths = list(archive_paths(articles, folders))
    with _worker_pool(options.workers if len(paths) >= MIN_ARTICLES_FOR_WORKERS else 1) as pool:
        headers = _read_headers(paths, pool, report)
        files = _new_files(headers, index, report)
        log.info("import headers read new=%d already=%d duplicates=%d seconds=%.1f", len(files),
                 report.already_mirrored, report.duplicates, time.monotonic() - started)
        records: list[ArticleRecord] = []
        pending: list[str] = []
        jobs = _month_jobs(config, index, files)
        for result in pool.map(import_month, jobs) if pool else map(import_month, jobs):
            records.extend(result.records)
            pending.extend(result.images_pending)
            report.skipped.extend(result.skips)
            if options.progress is not None:
                options.progress(len(records) + len(report.skipped), len(paths))
    report.skipped.sort(key=lambda skip: skip.relative)
    log.info("import articles written n=%d skipped=%d seconds=%.1f", len(records),
             len(report.skipped), time.monotonic() - started)
    if records:
        _save_and_commit(config, index, records, pending, options, report)
    log.info("import done seconds=%.1f", time.monotonic() - started)
    return report


def _save_and_commit(
    config: Config, index: ArchiveIndex, records: list[ArticleRecord], images_pending: list[str],
    options: ImportOptions, report: ImportReport,
) -> None:
    """Sync the files, save their records, then the one after-run sequence (no site)."""
    started = time.monotonic()
    os.sync()  # every article file is on disk before the index names it
    synced = time.monotonic()
    index.save_many(records)
    log.info("import files synced seconds=%.1f, index saved seconds=%.1f", synced - started,
             time.monotonic() - synced)
    report.imported.update(record.source for record in records)
    _mark_images_pending(config.root, images_pending)
    after = RunReport()
    finish_run(AfterRun(config, index, after, now_ms=options.clock(),
                        changed_folders=frozenset(r.path.rsplit("/", 1)[0] for r in records),
                        commit=options.commit, push=options.push, site=False,
                        message=import_message(config, report)))
    report.commit, report.pushes = after.commit, after.pushes


@contextmanager
def _worker_pool(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    """Worker processes for the reading and cleaning, or None to work in this process."""
    if workers <= 1:
        yield None
        return
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver")) as pool:
        yield pool


def _read_headers(
    paths: list[tuple[Path, str]], pool: ProcessPoolExecutor | None, report: ImportReport
) -> list[ArchiveFile]:
    chunks = [paths[start:start + HEADER_CHUNK] for start in range(0, len(paths), HEADER_CHUNK)]
    files = []
    for chunk in pool.map(read_archive_headers, chunks) if pool else map(read_archive_headers,
                                                                          chunks):
        for header in chunk:
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
