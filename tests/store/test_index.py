"""The committed index: read back into the cache, and never trusted to name paths elsewhere."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from newsmirror.errors import StoreError
from newsmirror.models import ArticleRecord
from newsmirror.store.index import ArchiveIndex, record_to_json

RECORD = ArticleRecord(
    id="abc123", source="bbc", url="https://bbc.com/a", canonical_url="https://bbc.com/a",
    title="标题", published_ms=1_772_294_400_000, first_seen_ms=1_772_294_400_000,
    path="articles/bbc/2026/03/story.md", content_sha256="0" * 64,
)


def write_shard(root: Path, *records: ArticleRecord) -> None:
    shard = root / "index" / "bbc" / "2026-03.jsonl"
    shard.parent.mkdir(parents=True)
    shard.write_text("".join(record_to_json(r) + "\n" for r in records), encoding="utf-8")


def test_committed_records_are_found_after_the_cache_is_built(tmp_path: Path) -> None:
    write_shard(tmp_path, RECORD)
    index = ArchiveIndex.open(tmp_path)
    try:
        assert index.find("bbc", RECORD.canonical_url, None) == RECORD
    finally:
        index.close()


@pytest.mark.parametrize(
    "path",
    ["../outside/2026/03/x.md", "articles/../../x.md", "/etc/passwd", "lists/BBC.md",
     "articles/bbc/../../../x.md"],
    ids=["parent", "articles-then-up", "absolute", "not-articles", "deep-escape"],
)
def test_index_line_naming_a_path_outside_articles_is_refused(tmp_path: Path, path: str) -> None:
    write_shard(tmp_path, replace(RECORD, path=path))
    with pytest.raises(StoreError, match="outside articles/"):
        ArchiveIndex.open(tmp_path)


def records_in(source: str, month: int, n: int) -> list[ArticleRecord]:
    return [
        replace(RECORD, id=f"{source}{month:02d}{i:04d}", source=source,
                canonical_url=f"https://{source}.invalid/{month}/{i}",
                path=f"articles/{source}/2026/{month:02d}/story-{i}.md",
                published_ms=RECORD.published_ms + (month - 3) * 31 * 86_400_000 + i)
        for i in range(n)
    ]


def shard_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted((root / "index").rglob("*.jsonl"))}


def test_save_many_writes_each_shard_once_with_the_same_bytes_as_saving_one_by_one(
    tmp_path: Path,
) -> None:
    records = records_in("bbc", 3, 5) + records_in("bbc", 4, 3) + records_in("dw", 3, 2)
    bulk, single = ArchiveIndex.open(tmp_path / "bulk"), ArchiveIndex.open(tmp_path / "single")
    try:
        assert bulk.save_many(reversed(records)) == 10
        for record in records:
            single.save(record)
        assert bulk.dirty_folders() == single.dirty_folders() == {
            "articles/bbc/2026/03", "articles/bbc/2026/04", "articles/dw/2026/03"}
    finally:
        bulk.close()
        single.close()
    assert shard_files(tmp_path / "bulk") == shard_files(tmp_path / "single")
    assert len(shard_files(tmp_path / "bulk")) == 3


def test_cache_copied_in_after_a_checkout_loads_no_shard_again(tmp_path: Path) -> None:
    """A restored cache: every shard's modification time differs, its bytes do not."""
    mirror = tmp_path / "mirror"
    index = ArchiveIndex.open(mirror)
    index.save_many(records_in("bbc", 3, 4) + records_in("dw", 4, 4))
    index.close()
    subprocess.run(["git", "init", "-q", str(mirror)], check=True)
    subprocess.run(["git", "-C", str(mirror), "add", "index"], check=True)
    subprocess.run(["git", "-C", str(mirror), "-c", "user.name=t", "-c", "user.email=t@t.invalid",
                    "commit", "-qm", "index"], check=True)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{mirror}", str(clone)],
                   check=True)
    shutil.copytree(mirror / ".newsmirror", clone / ".newsmirror")
    for shard in (clone / "index").rglob("*.jsonl"):
        os.utime(shard, ns=(1_000_000_000, 1_000_000_000))
    restored = ArchiveIndex.open(clone)
    try:
        assert restored.shards_loaded == 0
        assert restored.count("bbc") == restored.count("dw") == 4
    finally:
        restored.close()


def test_a_shard_whose_bytes_changed_is_loaded_again_and_only_that_one(tmp_path: Path) -> None:
    index = ArchiveIndex.open(tmp_path)
    index.save_many(records_in("bbc", 3, 4) + records_in("dw", 4, 4))
    index.close()
    shard = tmp_path / "index" / "bbc" / "2026-03.jsonl"
    lines = shard.read_text(encoding="utf-8").splitlines(keepends=True)
    shard.write_text("".join(lines[:2]), encoding="utf-8")
    reopened = ArchiveIndex.open(tmp_path)
    try:
        assert (reopened.shards_loaded, reopened.count("bbc"), reopened.count("dw")) == (1, 2, 4)
    finally:
        reopened.close()


def test_a_fresh_clone_without_cache_loads_every_shard_as_committed(tmp_path: Path) -> None:
    index = ArchiveIndex.open(tmp_path)
    records = records_in("bbc", 3, 3) + records_in("bbc", 5, 2)
    index.save_many(records)
    index.close()
    shutil.rmtree(tmp_path / ".newsmirror")
    fresh = ArchiveIndex.open(tmp_path)
    try:
        assert fresh.shards_loaded == 2
        assert [fresh.get(r.id) for r in records] == records
    finally:
        fresh.close()


def test_index_line_with_an_unknown_field_is_refused(tmp_path: Path) -> None:
    shard = tmp_path / "index" / "bbc" / "2026-03.jsonl"
    shard.parent.mkdir(parents=True)
    shard.write_text(record_to_json(RECORD)[:-1] + ', "extra": 1}\n', encoding="utf-8")
    with pytest.raises(StoreError, match=r"unreadable: index/bbc/2026-03.jsonl:1"):
        ArchiveIndex.open(tmp_path)


def test_a_source_is_read_month_by_month_and_page_by_page_in_publication_order(
    tmp_path: Path,
) -> None:
    records = records_in("bbc", 3, 4) + records_in("bbc", 4, 3) + records_in("dw", 3, 2)
    index = ArchiveIndex.open(tmp_path)
    try:
        index.save_many(reversed(records))
        lines = index.shard_lines("bbc", "2026-03")
        assert [record for record, _ in lines] == records[:4]
        assert [line for _, line in lines] == (
            tmp_path / "index/bbc/2026-03.jsonl").read_text(encoding="utf-8").splitlines()
        assert index.shard_counts("bbc") == {"2026-03": 4, "2026-04": 3}
        assert set(index.shard_fingerprints("bbc")) == {"2026-03", "2026-04"}
        assert index.position("bbc", records[5].published_ms, records[5].id) == 5
        assert index.oldest_first("bbc", 3, 2) == records[3:5]
    finally:
        index.close()
