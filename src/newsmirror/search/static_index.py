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
import json
import logging
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from newsmirror.config import Config
from newsmirror.models import ArticleRecord
from newsmirror.search.documents import (
    DOCS_FOLDER,
    DocEntry,
    IndexedDoc,
    load_indexed,
    save_indexed,
    write_entries,
)
from newsmirror.search.manifest import (
    Manifest,
    finish_merge,
    load_manifest,
    next_merge,
    save_manifest,
)
from newsmirror.search.segments import WriteBudget, merge_some, plan_merge, write_segment
from newsmirror.search.terms import character_map_json, rules_digest, text_terms
from newsmirror.search.text import html_to_text, summary_of
from newsmirror.store.files import CACHE_DIR, write_atomic

log = logging.getLogger(__name__)

SEARCH_DIR = "search"
CHARS_FILENAME = "chars.json"
PENDING_FILENAME = "search-pending"
OLD_INDEX_DIR = "pagefind"
# New or changed articles per segment written at once (bounds the memory of a first build).
BATCH_DOCS = 4096
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
class _Inputs:
    """What an update reads besides the records: settings, bodies, page paths."""

    config: Config
    read_body: ReadBody
    page_of: PageOf

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
    merge_budget: WriteBudget | None = None,
) -> SearchReport:
    """Index the new and changed articles of a run, forget removed ones.

    ``read_body`` gives an article's body HTML (read only for articles whose
    fingerprint changed), ``page_of`` its page in the site.  ``all_records`` is
    called only when the index must be rebuilt (missing, made by other rules or
    another time zone, or left unfinished by an earlier update).  Merges write
    and delete at most ``merge_budget`` (default :data:`RUN_MERGE_BYTES` and
    :data:`RUN_MERGE_FILES`) unless more than :data:`BULK_DOCS` articles changed.
    """
    if not config.mirror.site_search:
        return SearchReport()
    inputs = _Inputs(config, read_body, page_of)
    manifest = _current_manifest(inputs)
    if manifest is None or (inputs.cache_dir / PENDING_FILENAME).exists():
        return sync_site_search(config, all_records(), read_body, page_of=page_of)
    return _update(inputs, manifest, list(changed), set(removed_ids), budget=merge_budget)


def sync_site_search(
    config: Config,
    records: Iterable[ArticleRecord],
    read_body: ReadBody,
    *,
    page_of: PageOf,
    finish_merges: bool = False,
) -> SearchReport:
    """Bring the index in line with every record of the archive (``records``).

    Each record's fingerprint is compared with the indexed one, so only new
    and changed articles are read.  ``finish_merges`` completes every merge now
    instead of a budget's worth (as does a rebuild or any large change).
    """
    if not config.mirror.site_search:
        return SearchReport()
    inputs = _Inputs(config, read_body, page_of)
    manifest = _current_manifest(inputs)
    rebuilt = manifest is None
    if manifest is None:
        shutil.rmtree(inputs.folder, ignore_errors=True)
        manifest = Manifest(rules_digest(), config.mirror.timezone)
    shutil.rmtree(inputs.folder.parent / OLD_INDEX_DIR, ignore_errors=True)
    records = list(records)
    present = {r.id for r in records}
    indexed = load_indexed(inputs.folder, manifest, inputs.cache_dir)
    removed = {i for i in indexed if i not in present}
    report = _update(inputs, manifest, records, removed, bulk=rebuilt or finish_merges)
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
            removed: set[str], *, bulk: bool = False, budget: WriteBudget | None = None
            ) -> SearchReport:
    pending = inputs.cache_dir / PENDING_FILENAME
    write_atomic(pending, "the search index of the site is being updated\n")
    manifest.sources = {s.slug: s.name for s in inputs.config.sources}
    indexed = load_indexed(inputs.folder, manifest, inputs.cache_dir)
    todo = _documents_to_index(manifest, indexed, records)
    for start in range(0, len(todo), BATCH_DOCS):
        _index_batch(inputs, manifest, indexed, todo[start:start + BATCH_DOCS])
    removed_count = _remove_documents(inputs.folder, manifest, indexed, removed)
    if bulk or len(todo) > BULK_DOCS:
        budget = WriteBudget()
    elif budget is None:
        budget = WriteBudget(RUN_MERGE_BYTES, RUN_MERGE_FILES)
    _merge_segments(inputs.folder, manifest, budget)
    _delete_garbage(inputs.folder, manifest, budget)
    save_manifest(inputs.folder, manifest)
    write_atomic(inputs.folder / CHARS_FILENAME, character_map_json() + "\n")
    save_indexed(inputs.cache_dir, manifest, indexed)
    pending.unlink(missing_ok=True)
    log.info("search index updated indexed=%d removed=%d segments=%d merged_bytes=%d",
             len(todo), removed_count, len(manifest.segments), budget.bytes_written)
    return SearchReport(len(todo), removed_count, len(manifest.segments), budget.bytes_written)


def fingerprint_of(record: ArticleRecord) -> str:
    """What an index entry depends on: title, body, page, source, date."""
    return hashlib.sha256(json.dumps(
        [record.title, record.content_sha256, record.path, record.source, record.published_ms],
        ensure_ascii=False).encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class _Todo:
    docid: int
    record: ArticleRecord
    fingerprint: str
    is_edit: bool


def _documents_to_index(manifest: Manifest, indexed: dict[str, IndexedDoc],
                        records: Iterable[ArticleRecord]) -> list[_Todo]:
    """New and changed articles with their docids: new ones numbered in publication order."""
    todo: list[_Todo] = []
    latest = {record.id: record for record in records}
    for record in sorted(latest.values(), key=lambda r: (r.published_ms, r.id)):
        fingerprint = fingerprint_of(record)
        known = indexed.get(record.id)
        if known is not None and known.fingerprint == fingerprint:
            continue
        if known is None:
            todo.append(_Todo(manifest.next_docid, record, fingerprint, False))
            manifest.next_docid += 1
        else:
            todo.append(_Todo(known.docid, record, fingerprint, True))
    return todo


def _index_batch(inputs: _Inputs, manifest: Manifest, indexed: dict[str, IndexedDoc],
                 batch: Sequence[_Todo]) -> None:
    """Write one segment and the result entries of a batch, then the manifest."""
    generation = manifest.new_generation()
    postings: dict[str, list[int]] = defaultdict(list)
    entries: dict[int, DocEntry | None] = {}
    for item in sorted(batch, key=lambda t: t.docid):
        text = html_to_text(inputs.read_body(item.record))
        for term in text_terms(item.record.title + "\n" + text):
            postings[term].append(item.docid)
        entries[item.docid] = _entry(inputs, item, summary_of(text), generation)
    docids = [t.docid for t in batch]
    segment = write_segment(inputs.folder, f"s{generation}", generation, postings, docids)
    write_entries(inputs.folder, entries)
    manifest.segments.append(segment)
    for item in batch:
        if item.is_edit:
            manifest.dead[item.docid] = generation
        indexed[item.record.id] = IndexedDoc(item.docid, item.fingerprint)
    save_manifest(inputs.folder, manifest)


def _entry(inputs: _Inputs, item: _Todo, summary: str, generation: int) -> DocEntry:
    record = item.record
    date = datetime.fromtimestamp(record.published_ms / 1000, inputs.config.tz)
    return DocEntry(inputs.page_of(record), record.title, record.source,
                    date.strftime("%Y-%m-%d"), summary, record.id, item.fingerprint, generation)


def _remove_documents(folder: Path, manifest: Manifest, indexed: dict[str, IndexedDoc],
                      removed: set[str]) -> int:
    """Tombstones for removed articles (manifest first), then their entries emptied."""
    docids = [indexed.pop(i).docid for i in sorted(removed) if i in indexed]
    if not docids:
        return 0
    generation = manifest.new_generation()
    for docid in docids:
        manifest.dead[docid] = generation
    save_manifest(folder, manifest)
    write_entries(folder, dict.fromkeys(docids))
    return len(docids)


def _merge_segments(folder: Path, manifest: Manifest, budget: WriteBudget) -> None:
    while not budget.exhausted:
        if manifest.merging is None:
            inputs = next_merge(manifest)
            if not inputs:
                return
            generation = manifest.new_generation()
            manifest.merging = plan_merge(inputs, f"s{generation}", generation)
        manifest.merging = merge_some(folder, manifest.merging, manifest.dead, budget)
        if manifest.merging.done:
            finish_merge(manifest)
        save_manifest(folder, manifest)


def _delete_garbage(folder: Path, manifest: Manifest, budget: WriteBudget) -> None:
    """Delete the files of merged-away segments, as many as the budget allows."""
    while manifest.garbage and not budget.exhausted:
        segment_folder = folder / manifest.garbage[0]
        for path in sorted(segment_folder.glob("*.bin")):
            if budget.exhausted:
                return
            path.unlink()
            budget.spend(0)
        shutil.rmtree(segment_folder, ignore_errors=True)
        manifest.garbage.pop(0)


def _remove_unlisted_files(folder: Path, manifest: Manifest) -> None:
    """Delete segment folders and bucket files no manifest entry accounts for."""
    segments = [*manifest.segments, *(manifest.merging.inputs if manifest.merging else ())]
    expected = {s.name: 1 << s.bits for s in segments}
    if manifest.merging:
        expected[manifest.merging.output.name] = manifest.merging.next_bucket
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
    "sync_site_search",
    "update_site_search",
]
