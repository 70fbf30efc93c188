"""The committed index: read back into the cache, and never trusted to name paths elsewhere."""

from __future__ import annotations

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
