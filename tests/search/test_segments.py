"""Posting lists, bucket files, segments and their streaming merge."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsmirror.search.postings import (
    bucket_of,
    decode_varints,
    encode_varints,
    fnv1a_32,
    make_entry,
    read_entries,
)
from newsmirror.search.segments import (
    BUCKET_BYTES,
    SMALL_SEGMENT_BYTES,
    MergeProgress,
    Segment,
    WriteBudget,
    bits_for,
    bucket_path,
    merge_some,
    plan_merge,
    write_segment,
)


@pytest.mark.parametrize(("data", "expected"), [(b"", 0x811C9DC5), (b"a", 0xE40C292C),
                                                (b"foobar", 0xBF9CF968)],
                         ids=["empty", "a", "foobar"])
def test_fnv1a_matches_the_published_test_vectors(data: bytes, expected: int) -> None:
    assert fnv1a_32(data) == expected


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.text(min_size=1, max_size=8), st.integers(0, 11))
def test_bucket_splits_in_two_when_bits_grow(term: str, bits: int) -> None:
    key = term.encode()
    assert bucket_of(key, bits + 1) >> 1 == bucket_of(key, bits)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.lists(st.integers(0, 2**31)))
def test_varints_round_trip(values: list[int]) -> None:
    assert decode_varints(encode_varints(values)) == values


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.sets(st.integers(0, 10**6), min_size=1), st.text(min_size=1, max_size=5))
def test_entry_round_trips_through_a_bucket(docids: set[int], term: str) -> None:
    low = min(docids)
    entry = make_entry(term.encode(), sorted(docids))
    data = entry.encoded(low) + make_entry(b"zz", [low + 3]).encoded(low)
    entries = list(read_entries(data, low))
    assert (entries[0].term, entries[0].docids(), entries[1].docids()) == (
        term.encode(), sorted(docids), [low + 3])


@pytest.mark.parametrize(("size", "bits"), [(0, 0), (2 * BUCKET_BYTES, 0),
                                            (2 * BUCKET_BYTES + 1, 1), (100 * BUCKET_BYTES, 6),
                                            (SMALL_SEGMENT_BYTES, 7), (10**12, 12)],
                         ids=["empty", "one-bucket", "two", "small", "large", "capped"])
def test_bucket_count_grows_with_size(size: int, bits: int) -> None:
    assert bits_for(size) == bits


def read_segment(folder: Path, segment: Segment) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for bucket in range(1 << segment.bits):
        for entry in read_entries(bucket_path(folder, segment, bucket).read_bytes(), segment.low):
            assert bucket_of(entry.term, segment.bits) == bucket
            found[entry.term.decode()] = entry.docids()
    return found


def random_postings(seed: int, docids: range, terms: int) -> dict[str, list[int]]:
    rng = random.Random(seed)
    postings: dict[str, list[int]] = {}
    for n in range(terms):
        chosen = sorted(rng.sample(docids, rng.randint(1, min(len(docids), 40))))
        postings[f"词{n % 97}{chr(0x4E00 + n)}"] = chosen
    return postings


def test_segment_holds_what_was_written(tmp_path: Path) -> None:
    postings = random_postings(1, range(0, 200), 3000)
    segment = write_segment(tmp_path, "s0", 0, postings, list(range(200)))
    assert (segment.bits > 0, read_segment(tmp_path, segment)) == (True, postings)


def make_inputs(folder: Path) -> tuple[list[Segment], dict[str, list[int]]]:
    segments, union = [], {}
    for n in range(3):
        docids = range(n * 100, n * 100 + 100)
        postings = random_postings(n, docids, 1500 * (n + 1))
        segments.append(write_segment(folder, f"s{n}", n, postings, list(docids)))
        for term, ids in postings.items():
            union[term] = sorted(union.get(term, []) + ids)
    return segments, union


def test_merge_holds_the_union_of_its_inputs(tmp_path: Path) -> None:
    inputs, union = make_inputs(tmp_path)
    done = merge_some(tmp_path, plan_merge(inputs, "s9", 9), {}, WriteBudget())
    assert (done.done, read_segment(tmp_path, done.output)) == (True, union)


def test_merge_drops_postings_a_tombstone_marks_dead(tmp_path: Path) -> None:
    inputs, union = make_inputs(tmp_path)
    dead = {5: 1, 150: 2, 250: 2}  # dead in segments older than the value: s0, s1, none
    done = merge_some(tmp_path, plan_merge(inputs, "s9", 9), dead, WriteBudget())
    expected = {t: [d for d in ids if d not in (5, 150)] for t, ids in union.items()}
    assert read_segment(tmp_path, done.output) == {t: ids for t, ids in expected.items() if ids}


def test_merge_in_small_steps_writes_the_same_files(tmp_path: Path) -> None:
    inputs, _ = make_inputs(tmp_path)
    at_once = merge_some(tmp_path, plan_merge(inputs, "a", 9), {}, WriteBudget())
    progress: MergeProgress = plan_merge(inputs, "b", 9)
    steps = 0
    while not progress.done:
        progress = merge_some(tmp_path, progress, {}, WriteBudget(max_files=1))
        steps += 1
    files = [(bucket_path(tmp_path, "a", b).read_bytes(), bucket_path(tmp_path, "b", b).read_bytes())
             for b in range(1 << at_once.output.bits)]
    assert (steps, all(a == b for a, b in files), progress.output.size_bytes) == (
        1 << at_once.output.bits, True, at_once.output.size_bytes)
