"""The site's search index: written by newsmirror, read by ``search.js`` in the browser.

Under ``{site}/search/``: ``manifest.json`` (segments, tombstones; see
:mod:`newsmirror.search.manifest`), one folder of bucket files per segment
(:mod:`newsmirror.search.segments`), ``docs/{n}.json`` with what a result shows
(:mod:`newsmirror.search.documents`) and ``chars.json``, the character map the
browser folds queries with (:mod:`newsmirror.search.terms`).

An update indexes the new and changed articles it is given as one new segment
(docids in order of publication), marks removed ones dead, then merges
segments and deletes merged-away files within a budget, so a run that adds a
few articles changes a few files; a merge too big for one run goes on in the
next.  With many articles (an import, a first build) merges finish at once.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from newsmirror.clean.sanitize import plain_text
from newsmirror.config import Config
from newsmirror.models import ArticleRecord
from newsmirror.search.documents import (
    DOCS_FOLDER,
    DocEntry,
    IndexedDoc,
    IndexedDocs,
    write_entries,
)
from newsmirror.search.indexing import BatchText, InOrder, index_texts, worker_pool
from newsmirror.search.manifest import (
    Manifest,
    load_manifest,
    save_manifest,
)
from newsmirror.search.merging import delete_garbage, merge_everything, merge_within_budget
from newsmirror.search.segments import Segment, WriteBudget
from newsmirror.search.terms import character_map_json, rules_digest
from newsmirror.search.text import summary_of
from newsmirror.store.files import CACHE_DIR, write_atomic

log = logging.getLogger(__name__)

SEARCH_DIR = "search"
CHARS_FILENAME = "chars.json"
PENDING_FILENAME = "search-pending"
OLD_INDEX_DIR = "pagefind"
# New or changed articles per segment written at once (bounds the memory of a first build).
BATCH_DOCS = 4096
# Worker processes of a large update (an import, a first build, a rebuild).
WORKERS = 2
# More new or changed articles than this in one update: merges are finished at once.
BULK_DOCS = 1000
# What merges may write (and delete) in one ordinary update.
RUN_MERGE_BYTES = 2_000_000
RUN_MERGE_FILES = 40

ReadBody = Callable[[ArticleRecord], str]
PageOf = Callable[[ArticleRecord], str]


@dataclass(frozen=True, slots=True)
class SearchReport:
    """What an update of the search index did."""

    indexed: int = 0
    removed: int = 0
    segments: int = 0
    merged_bytes: int = 0
    rebuilt: bool = False


@dataclass(frozen=True, slots=True)
class IndexOptions:
    """How an update works: documents per batch, worker processes, an ordinary run's merges."""

    batch_docs: int = BATCH_DOCS
    workers: int = WORKERS
    merge_bytes: int = RUN_MERGE_BYTES
    merge_files: int = RUN_MERGE_FILES


@dataclass(frozen=True, slots=True)
class _Inputs:
    """What an update reads besides the records: settings, bodies, page paths."""

    config: Config
    read_body: ReadBody
    page_of: PageOf
    options: IndexOptions

    @property
    def folder(self) -> Path:
        return self.config.root / self.config.mirror.site_dir / SEARCH_DIR

    @property
    def cache_dir(self) -> Path:
        return self.config.root / CACHE_DIR


def update_site_search(
    config: Config,
    changed: Iterable[ArticleRecord],
    read_body: ReadBody,
    *,
    page_of: PageOf,
    all_records: Callable[[], Iterable[ArticleRecord]],
    removed_ids: Iterable[str] = (),
    options: IndexOptions = IndexOptions(),
) -> SearchReport:
    """Index the new and changed articles of a run, forget removed ones.

    ``read_body`` gives an article's body HTML (read only for articles whose
    fingerprint changed), ``page_of`` its page in the site.  ``all_records`` is
    called only when the index must be rebuilt (missing, made by other rules or
    another time zone, or left unfinished by an earlier update).  Merges write
    and delete at most ``options.merge_bytes`` and ``options.merge_files``
    unless more than :data:`BULK_DOCS` articles changed.
    """
    if not config.mirror.site_search:
        return SearchReport()
    inputs = _Inputs(config, read_body, page_of, options)
    manifest = _current_manifest(inputs)
    if manifest is None or (inputs.cache_dir / PENDING_FILENAME).exists():
        return sync_site_search(config, all_records(), read_body, page_of=page_of,
                                options=options)
    return _update(inputs, manifest, list(changed), set(removed_ids))


def is_search_index_current(config: Config) -> bool:
    """True when the site's index exists and no update of it was left unfinished: then
    a build that changed no article has nothing to give it (its merges wait for one)."""
    inputs = _Inputs(config, lambda record: "", lambda record: "", IndexOptions())
    return _current_manifest(inputs) is not None and not (
        inputs.cache_dir / PENDING_FILENAME).exists()


def sync_site_search(
    config: Config,
    records: Iterable[ArticleRecord],
    read_body: ReadBody,
    *,
    page_of: PageOf,
    finish_merges: bool = False,
    options: IndexOptions = IndexOptions(),
) -> SearchReport:
    """Bring the index in line with every record of the archive (``records``).

    Each record's fingerprint is compared with the indexed one, so only new
    and changed articles are read.  ``finish_merges`` completes every merge now
    instead of a budget's worth (as does a rebuild or any large change).
    """
    if not config.mirror.site_search:
        return SearchReport()
    inputs = _Inputs(config, read_body, page_of, options)
    manifest = _current_manifest(inputs)
    rebuilt = manifest is None
    if manifest is None:
        shutil.rmtree(inputs.folder, ignore_errors=True)
        manifest = Manifest(rules_digest(), config.mirror.timezone)
    shutil.rmtree(inputs.folder.parent / OLD_INDEX_DIR, ignore_errors=True)
    records = list(records)
    indexed = IndexedDocs.open(inputs.cache_dir, inputs.folder, manifest)
    try:
        known = indexed.fingerprints()
    finally:
        indexed.close()
    removed = set(known) - {r.id for r in records}
    changed = [r for r in records if known.get(r.id) != fingerprint_of(r)]
    unfinished = (inputs.cache_dir / PENDING_FILENAME).exists()
    report = _update(inputs, manifest, changed, removed, bulk=rebuilt or finish_merges)
    if rebuilt or finish_merges or unfinished:
        _remove_unlisted_files(inputs.folder, manifest)
    return SearchReport(report.indexed, report.removed, report.segments, report.merged_bytes,
                        rebuilt)


def _current_manifest(inputs: _Inputs) -> Manifest | None:
    manifest = load_manifest(inputs.folder)
    if manifest is None or manifest.rules != rules_digest() or (
            manifest.timezone != inputs.config.mirror.timezone):
        return None
    return manifest


def _update(inputs: _Inputs, manifest: Manifest, records: Sequence[ArticleRecord],
            removed: set[str], *, bulk: bool = False) -> SearchReport:
    pending = inputs.cache_dir / PENDING_FILENAME
    write_atomic(pending, "the search index of the site is being updated\n")
    manifest.sources = {s.slug: s.name for s in inputs.config.sources}
    indexed = IndexedDocs.open(inputs.cache_dir, inputs.folder, manifest)
    try:
        report = _apply(inputs, manifest, indexed, records, removed, bulk=bulk)
    finally:
        indexed.close()
    pending.unlink(missing_ok=True)
    return report


def _apply(inputs: _Inputs, manifest: Manifest, indexed: IndexedDocs,
           records: Sequence[ArticleRecord], removed: set[str], *, bulk: bool) -> SearchReport:
    todo = _documents_to_index(manifest, indexed, records)
    bulk = bulk or len(todo) > BULK_DOCS
    options = inputs.options
    budget = WriteBudget() if bulk else WriteBudget(options.merge_bytes, options.merge_files)
    with worker_pool(options.workers if bulk else 0) as pool:
        runner: InOrder[_Batch, Segment] = InOrder(pool, options.workers)
        _index_batches(inputs, manifest, indexed, todo, runner)
        removed_count = _remove_documents(inputs.folder, manifest, indexed, removed)
        if bulk:
            merge_everything(inputs.folder, manifest, InOrder(pool, options.workers), budget)
        merge_within_budget(inputs.folder, manifest, budget)
    delete_garbage(inputs.folder, manifest, budget)
    save_manifest(inputs.folder, manifest)
    write_atomic(inputs.folder / CHARS_FILENAME, character_map_json() + "\n")
    indexed.save(manifest)
    log.info("search index updated indexed=%d removed=%d segments=%d merged_bytes=%d",
             len(todo), removed_count, len(manifest.segments), budget.bytes_written)
    return SearchReport(len(todo), removed_count, len(manifest.segments), budget.bytes_written)


def fingerprint_of(record: ArticleRecord) -> str:
    """What an index entry depends on: title, body, page, source, date."""
    text = "\x1f".join([record.title, record.content_sha256, record.path, record.source,
                        str(record.published_ms)])
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


@dataclass(frozen=True, slots=True)
class _Todo:
    docid: int
    record: ArticleRecord
    fingerprint: str
    is_edit: bool


def _documents_to_index(manifest: Manifest, indexed: IndexedDocs,
                        records: Iterable[ArticleRecord]) -> list[_Todo]:
    """New and changed articles with their docids: new ones numbered in publication order."""
    todo: list[_Todo] = []
    next_docid = manifest.next_docid
    latest = {record.id: record for record in records}
    for record in sorted(latest.values(), key=lambda r: (r.published_ms, r.id)):
        fingerprint = fingerprint_of(record)
        known = indexed.get(record.id)
        if known is not None and known.fingerprint == fingerprint:
            continue
        if known is None:
            todo.append(_Todo(next_docid, record, fingerprint, False))
            next_docid += 1
        else:
            todo.append(_Todo(known.docid, record, fingerprint, True))
    return todo


@dataclass(frozen=True, slots=True)
class _Batch:
    """A batch handed to a worker: its documents, their result entries, its generation."""

    todo: list[_Todo]
    entries: dict[int, DocEntry | None]
    generation: int


def _index_batches(inputs: _Inputs, manifest: Manifest, indexed: IndexedDocs,
                   todo: Sequence[_Todo], runner: InOrder[_Batch, Segment]) -> None:
    """One segment per batch, written by workers; each saved in order as it is done.

    A batch's generation is the manifest's next one plus the batches ahead of it;
    the manifest counts it (and its result entries count) only once it is saved.
    """
    size = inputs.options.batch_docs
    for start in range(0, len(todo), size):
        batch = sorted(todo[start:start + size], key=lambda t: t.docid)
        generation = manifest.next_generation + len(runner.waiting)
        texts: list[BatchText] = []
        entries: dict[int, DocEntry | None] = {}
        for item in batch:
            text = plain_text(inputs.read_body(item.record))
            texts.append(BatchText(item.docid, item.record.title + "\n" + text))
            entries[item.docid] = _entry(inputs, item, summary_of(text), generation)
        tag = _Batch(batch, entries, generation)
        for done, segment in runner.submit(tag, index_texts, inputs.folder, f"s{generation}",
                                           generation, texts):
            _save_batch(inputs.folder, manifest, indexed, done, segment)
    for done, segment in runner.drain():
        _save_batch(inputs.folder, manifest, indexed, done, segment)


def _save_batch(folder: Path, manifest: Manifest, indexed: IndexedDocs,
                batch: _Batch, segment: Segment) -> None:
    """Result entries first, then the manifest that makes segment and entries count."""
    write_entries(folder, batch.entries)
    manifest.segments.append(segment)
    manifest.next_generation = batch.generation + 1
    for item in batch.todo:
        if item.is_edit:
            manifest.dead[item.docid] = batch.generation
        else:
            manifest.next_docid = max(manifest.next_docid, item.docid + 1)
        indexed.put(item.record.id, IndexedDoc(item.docid, item.fingerprint))
    save_manifest(folder, manifest)


def _entry(inputs: _Inputs, item: _Todo, summary: str, generation: int) -> DocEntry:
    record = item.record
    date = datetime.fromtimestamp(record.published_ms / 1000, inputs.config.tz)
    return DocEntry(inputs.page_of(record), record.title, record.source,
                    date.strftime("%Y-%m-%d"), summary, record.id, item.fingerprint, generation)


def _remove_documents(folder: Path, manifest: Manifest, indexed: IndexedDocs,
                      removed: set[str]) -> int:
    """Tombstones for removed articles (manifest first), then their entries emptied."""
    gone = [indexed.pop(i) for i in sorted(removed)]
    docids = [doc.docid for doc in gone if doc is not None]
    if not docids:
        return 0
    generation = manifest.new_generation()
    for docid in docids:
        manifest.dead[docid] = generation
    save_manifest(folder, manifest)
    write_entries(folder, dict.fromkeys(docids))
    return len(docids)


def _remove_unlisted_files(folder: Path, manifest: Manifest) -> None:
    """Delete segment folders and bucket files no manifest entry accounts for."""
    segments = [*manifest.segments, *(s for m in manifest.merging for s in m.inputs)]
    expected = {s.name: 1 << s.bits for s in segments}
    expected.update({m.output.name: m.next_bucket for m in manifest.merging})
    keep = {DOCS_FOLDER, *manifest.garbage}
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if not path.is_dir() or path.name in keep:
            continue
        if path.name not in expected:
            shutil.rmtree(path)
            continue
        for bucket_file in path.glob("*.bin"):
            if not bucket_file.stem.isdigit() or int(bucket_file.stem) >= expected[path.name]:
                bucket_file.unlink()


__all__ = [
    "CHARS_FILENAME",
    "SEARCH_DIR",
    "SearchReport",
    "fingerprint_of",
    "is_search_index_current",
    "sync_site_search",
    "update_site_search",
]
