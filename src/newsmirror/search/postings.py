"""Posting lists and the bucket files that hold them, byte for byte as search.js reads them.

A term's postings are the ascending document numbers (docids) that contain it.
A bucket file is a run of entries sorted by the term's UTF-8 bytes::

    entry  := varint(len(term)) term varint(count) varint(first docid) [varint(len(gaps)) gaps]
    gaps   := varint(docid[i] - docid[i-1]) for i = 1 … count-1   (only when count > 1)

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
    """One term of a bucket as stored: its postings still encoded."""

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

    def encoded(self) -> bytes:
        return _encode(self.term, self.count, self.first, self.gaps)


def _encode(term: bytes, count: int, first: int, gaps: bytes) -> bytes:
    head = encode_varint(len(term)) + term + encode_varint(count) + encode_varint(first)
    if count == 1:
        return head
    return head + encode_varint(len(gaps)) + gaps


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


def encode_entry(term: bytes, docids: Sequence[int]) -> bytes:
    """The bytes of :func:`make_entry`'s entry."""
    if len(docids) == 1:
        return encode_varint(len(term)) + term + b"\x01" + encode_varint(docids[0])
    gaps = encode_varints(list(map(sub, docids[1:], docids)))
    return _encode(term, len(docids), docids[0], gaps)


def concatenate(entries: Sequence[Entry]) -> bytes | None:
    """One entry of several whose docid ranges follow each other (None if they overlap)."""
    ordered = sorted(entries, key=lambda e: e.first)
    gaps = [ordered[0].gaps]
    last = ordered[0].last
    for entry in ordered[1:]:
        if entry.first <= last:
            return None
        gaps += [encode_varint(entry.first - last), entry.gaps]
        last = entry.last
    return _encode(ordered[0].term, sum(e.count for e in ordered), ordered[0].first,
                   b"".join(gaps))


def read_entries(data: bytes) -> Iterator[tuple[Entry, int]]:
    """Each entry of a bucket file with the size it takes there, in file order."""
    position = 0
    end = len(data)
    while position < end:
        start = position
        length, position = _read_varint(data, position)
        term = data[position:position + length]
        position += length
        count, position = _read_varint(data, position)
        first, position = _read_varint(data, position)
        gaps = b""
        if count > 1:
            size, position = _read_varint(data, position)
            gaps = data[position:position + size]
            position += size
        yield Entry(term, count, first, gaps), position - start


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
