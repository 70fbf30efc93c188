"""Immutable index segments: writing one from new documents, merging several by streaming.

A segment is a folder ``{site}/search/{name}/`` of 2**bits bucket files
``{bucket}.bin`` (format in :mod:`newsmirror.search.postings`).  The number of
buckets grows with the segment's size so that one bucket stays about
:data:`BUCKET_BYTES` (twice that in small segments), and it is capped so a large segment has at most
2**:data:`MAX_BITS` files (its buckets then grow instead).

A merge writes one output segment from several inputs, one output bucket at a
time: output bucket ``j`` takes its terms from bucket ``j >> (out.bits - in.bits)``
of each input, so every input bucket is read once and the memory held is one
bucket per input.  Postings that a tombstone marks dead are dropped on the way.
A merge can stop after any bucket and go on later (:class:`MergeProgress`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from newsmirror.search.postings import (
    Entry,
    bucket_of,
    concatenate,
    encode_entry,
    read_entries,
)
from newsmirror.store.files import sync_files

BUCKET_BYTES = 16 * 1024
# Segments below SMALL_SEGMENT_BYTES (a few runs' articles) get buckets twice as large:
# half the files for each run to write and for merges to rewrite and delete.
SMALL_SEGMENT_BYTES = 2 * 1024 * 1024
MAX_BITS = 12


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment as the manifest lists it."""

    name: str
    generation: int
    docs: int
    bits: int
    size_bytes: int
    low: int
    high: int


@dataclass(frozen=True, slots=True)
class MergeProgress:
    """A merge under way: its inputs, the output so far, the next bucket to write."""

    inputs: tuple[Segment, ...]
    output: Segment
    next_bucket: int = 0

    @property
    def done(self) -> bool:
        return self.next_bucket >= 1 << self.output.bits


@dataclass(slots=True)
class WriteBudget:
    """How many bytes and files one update may still write for merges (None: no limit)."""

    max_bytes: int | None = None
    max_files: int | None = None
    bytes_written: int = 0
    files_written: int = 0

    @property
    def exhausted(self) -> bool:
        return (self.max_bytes is not None and self.bytes_written >= self.max_bytes) or (
            self.max_files is not None and self.files_written >= self.max_files)

    def spend(self, size_bytes: int) -> None:
        self.bytes_written += size_bytes
        self.files_written += 1


def bits_for(size_bytes: int) -> int:
    """Bucket bits for a segment of about ``size_bytes``."""
    target = 2 * BUCKET_BYTES if size_bytes < SMALL_SEGMENT_BYTES else BUCKET_BYTES
    bits = 0
    while (target << bits) < size_bytes and bits < MAX_BITS:
        bits += 1
    return bits


def bucket_path(folder: Path, segment: Segment | str, bucket: int) -> Path:
    name = segment if isinstance(segment, str) else segment.name
    return folder / name / f"{bucket}.bin"


def write_segment(folder: Path, name: str, generation: int, postings: Mapping[str, list[int]],
                  docids: Sequence[int]) -> Segment:
    """Write the segment of new documents (``docids``): term → their ascending docids."""
    low = min(docids, default=0)
    encoded = [encode_entry(term.encode("utf-8"), ids, low) for term, ids in postings.items()]
    total = sum(map(len, encoded))
    bits = bits_for(total)
    buckets: dict[int, list[tuple[bytes, bytes]]] = defaultdict(list)
    for term, entry in zip(postings, encoded, strict=True):
        key = term.encode("utf-8")
        buckets[bucket_of(key, bits)].append((key, entry))
    paths = [bucket_path(folder, name, bucket) for bucket in range(1 << bits)]
    for bucket, path in enumerate(paths):
        _write_file(path, b"".join(entry for _, entry in sorted(buckets.get(bucket, []))))
    sync_files(paths)
    return Segment(name, generation, len(docids), bits, total, low, max(docids, default=0))


def plan_merge(inputs: Iterable[Segment], name: str, generation: int) -> MergeProgress:
    """The merge of ``inputs`` into a new segment ``name`` (nothing written yet)."""
    chosen = tuple(sorted(inputs, key=lambda s: s.generation))
    size = sum(s.size_bytes for s in chosen)
    bits = max([bits_for(size), *(s.bits for s in chosen)])
    output = Segment(name, generation, sum(s.docs for s in chosen), bits, 0,
                     min(s.low for s in chosen), max(s.high for s in chosen))
    return MergeProgress(chosen, output)


@dataclass(slots=True)
class _InputCursor:
    """The bucket of one input that is being read, split by output bucket."""

    segment: Segment
    dead: frozenset[int]
    loaded: int = -1
    parts: dict[int, list[Entry]] = field(default_factory=dict)


def merge_some(folder: Path, progress: MergeProgress, dead: Mapping[int, int],
               budget: WriteBudget) -> MergeProgress:
    """Write output buckets until the merge is done or the budget is spent."""
    cursors = [_InputCursor(s, _dead_in(s, dead)) for s in progress.inputs]
    bits = progress.output.bits
    bucket = progress.next_bucket
    written = progress.output.size_bytes
    paths = []
    while bucket < 1 << bits and not budget.exhausted:
        data = b"".join(_merged_entries(folder, cursors, bucket, bits, progress.output.low))
        paths.append(bucket_path(folder, progress.output, bucket))
        _write_file(paths[-1], data)
        budget.spend(len(data))
        written += len(data)
        bucket += 1
    sync_files(paths)
    return replace(progress, output=replace(progress.output, size_bytes=written),
                   next_bucket=bucket)


def _dead_in(segment: Segment, dead: Mapping[int, int]) -> frozenset[int]:
    """The docids whose postings in ``segment`` a tombstone marks dead."""
    return frozenset(d for d, generation in dead.items()
                     if generation > segment.generation and segment.low <= d <= segment.high)


def _merged_entries(folder: Path, cursors: list[_InputCursor], bucket: int, bits: int,
                    low: int) -> list[bytes]:
    by_term: dict[bytes, list[tuple[Entry, frozenset[int]]]] = defaultdict(list)
    for cursor in cursors:
        for entry in _entries_for(folder, cursor, bucket, bits):
            by_term[entry.term].append((entry, cursor.dead))
    merged: list[bytes] = []
    for term in sorted(by_term):
        parts = by_term[term]
        if not any(dead for _, dead in parts):
            joined = parts[0][0].encoded(low) if len(parts) == 1 else concatenate(
                [entry for entry, _ in parts], low)
            if joined is not None:
                merged.append(joined)
                continue
        docids = sorted(d for entry, dead in parts for d in entry.docids() if d not in dead)
        if docids:
            merged.append(encode_entry(term, docids, low))
    return merged


def _entries_for(folder: Path, cursor: _InputCursor, bucket: int, bits: int) -> list[Entry]:
    shift = bits - cursor.segment.bits
    source = bucket >> shift
    if cursor.loaded != source:
        cursor.parts = defaultdict(list)
        data = bucket_path(folder, cursor.segment, source).read_bytes()
        for entry in read_entries(data, cursor.segment.low):
            cursor.parts[bucket_of(entry.term, bits) if shift else bucket].append(entry)
        cursor.loaded = source
    return cursor.parts.get(bucket, [])


def _write_file(path: Path, data: bytes) -> None:
    """Write a file of a segment that no manifest lists yet (any earlier try is replaced)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


__all__ = [
    "BUCKET_BYTES",
    "MAX_BITS",
    "SMALL_SEGMENT_BYTES",
    "MergeProgress",
    "Segment",
    "WriteBudget",
    "bits_for",
    "bucket_path",
    "merge_some",
    "plan_merge",
    "write_segment",
]
