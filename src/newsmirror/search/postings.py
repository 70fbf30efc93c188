"""Posting lists and the bucket files that hold them, byte for byte as search.js reads them.

A term's postings are the ascending document numbers (docids) that contain it.
A bucket file is a run of entries sorted by the term's UTF-8 bytes::

    entry  := varint(2 * len(term) + more) term varint(first docid - low) [more]
    more   := varint(count - 2) varint(len(gaps)) gaps        (only when count > 1)
    gaps   := varint(docid[i] - docid[i-1]) for i = 1 … count-1

``low`` is the segment's lowest docid (in the manifest), so most terms of a
small segment, found in one article, take the term and two bytes.

Varints are little-endian base 128 (the high bit says "more bytes follow").
A term's bucket is the top ``bits`` bits of the 32-bit FNV-1a hash of its UTF-8
bytes, so a segment of 2**bits buckets and one of 2**(bits+1) split the same
terms the same way (bucket i of the first holds buckets 2i and 2i+1 of the
second), which lets a merge stream through its inputs in bucket order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate
from operator import sub

_FNV_OFFSET = 0x811C9DC5
_FNV_PRIME = 0x01000193
_MASK_32 = 0xFFFFFFFF


@dataclass(frozen=True, slots=True)
class Entry:
    """One term of a bucket as stored: its postings still encoded (``first`` absolute)."""

    term: bytes
    count: int
    first: int
    gaps: bytes

    def docids(self) -> list[int]:
        if self.count == 1:
            return [self.first]
        return list(accumulate(decode_varints(self.gaps), initial=self.first))

    @property
    def last(self) -> int:
        return self.first + sum(decode_varints(self.gaps)) if self.gaps else self.first

    def encoded(self, low: int) -> bytes:
        """The entry's bytes in a segment whose lowest docid is ``low``."""
        return _encode(self.term, self.count, self.first - low, self.gaps)


def _encode(term: bytes, count: int, first: int, gaps: bytes) -> bytes:
    if count == 1:
        return encode_varint(2 * len(term)) + term + encode_varint(first)
    return (encode_varint(2 * len(term) + 1) + term + encode_varint(first)
            + encode_varint(count - 2) + encode_varint(len(gaps)) + gaps)


def fnv1a_32(data: bytes) -> int:
    """The 32-bit FNV-1a hash (search.js computes the same)."""
    value = _FNV_OFFSET
    for byte in data:
        value = ((value ^ byte) * _FNV_PRIME) & _MASK_32
    return value


def bucket_of(term: bytes, bits: int) -> int:
    """The bucket of a term (UTF-8 bytes) among 2**bits buckets."""
    return fnv1a_32(term) >> (32 - bits) if bits else 0


def encode_varint(value: int) -> bytes:
    if value < 0x80:
        return bytes((value,))
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def encode_varints(values: Sequence[int]) -> bytes:
    """Many varints; values below 128 take the fast path of one byte each."""
    if not values or max(values) < 0x80:
        return bytes(values)
    out = bytearray()
    for value in values:
        while value >= 0x80:
            out.append(value & 0x7F | 0x80)
            value >>= 7
        out.append(value)
    return bytes(out)


def decode_varints(data: bytes) -> list[int]:
    if data.isascii():  # every value below 128: one byte each
        return list(data)
    values: list[int] = []
    value = shift = 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
        else:
            values.append(value)
            value = shift = 0
    return values


def make_entry(term: bytes, docids: Sequence[int]) -> Entry:
    """The entry of a term whose postings are ``docids`` (ascending, at least one)."""
    return Entry(term, len(docids), docids[0], encode_varints(list(map(sub, docids[1:], docids))))


def encode_entry(term: bytes, docids: Sequence[int], low: int) -> bytes:
    """The bytes of :func:`make_entry`'s entry in a segment whose lowest docid is ``low``."""
    if len(docids) == 1:
        return encode_varint(2 * len(term)) + term + encode_varint(docids[0] - low)
    gaps = encode_varints(list(map(sub, docids[1:], docids)))
    return _encode(term, len(docids), docids[0] - low, gaps)


def concatenate(entries: Sequence[Entry], low: int) -> bytes | None:
    """One entry of several whose docid ranges follow each other (None if they overlap)."""
    ordered = sorted(entries, key=lambda e: e.first)
    gaps = [ordered[0].gaps]
    last = ordered[0].last
    for entry in ordered[1:]:
        if entry.first <= last:
            return None
        gaps += [encode_varint(entry.first - last), entry.gaps]
        last = entry.last
    return _encode(ordered[0].term, sum(e.count for e in ordered), ordered[0].first - low,
                   b"".join(gaps))


def read_entries(data: bytes, low: int) -> Iterator[Entry]:
    """Each entry of a bucket file of a segment whose lowest docid is ``low``, in order."""
    position = 0
    end = len(data)
    while position < end:
        head, position = _read_varint(data, position)
        length = head >> 1
        term = data[position:position + length]
        first, position = _read_varint(data, position + length)
        if not head & 1:
            yield Entry(term, 1, first + low, b"")
            continue
        count, position = _read_varint(data, position)
        size, position = _read_varint(data, position)
        yield Entry(term, count + 2, first + low, data[position:position + size])
        position += size


def _read_varint(data: bytes, position: int) -> tuple[int, int]:
    byte = data[position]
    if byte < 0x80:
        return byte, position + 1
    value = shift = 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, position
        shift += 7


__all__ = [
    "Entry",
    "bucket_of",
    "concatenate",
    "decode_varints",
    "encode_entry",
    "encode_varint",
    "encode_varints",
    "fnv1a_32",
    "make_entry",
    "read_entries",
]
