"""Markdown lists: dates in the mirror's zone, relative links, marks for edits and deletions."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from newsmirror.models import ArticleRecord, Revision
from newsmirror.render.atom import updated_ms
from newsmirror.render.lists import SourceSummary, render_root_readme, render_source_list

TZ = ZoneInfo("Asia/Shanghai")
RECORD = ArticleRecord(
    id="abc", source="bbc", url="https://bbc.com/a", canonical_url="https://bbc.com/a",
    title="标题", published_ms=1_772_294_400_000, first_seen_ms=1_772_294_400_000,
    path="articles/bbc/2026/03/story.md", content_sha256="0" * 64,
)
REVISION = Revision(seen_ms=1_772_300_000_000, title="旧标题", content_sha256="1" * 64)


@pytest.mark.parametrize(
    ("record", "line"),
    [
        (RECORD, "3-1 [标题](../articles/bbc/2026/03/story.md)"),
        (replace(RECORD, deleted_ms=1_772_400_000_000),
         "3-1 [标题](../articles/bbc/2026/03/story.md) （原文已删除）"),
        (replace(RECORD, revisions=(REVISION, REVISION)),
         "3-1 [标题](../articles/bbc/2026/03/story.md) （已修改 2 次）"),
    ],
    ids=["plain", "deleted", "edited"],
)
def test_source_list_line_marks_edits_and_deletions(record: ArticleRecord, line: str) -> None:
    assert render_source_list("BBC", [record], TZ).splitlines()[3] == line


def test_root_readme_links_lists_and_the_changes() -> None:
    text = render_root_readme([SourceSummary("BBC", "bbc", 3, RECORD.first_seen_ms)], TZ, "docs")
    assert "| [BBC](lists/BBC.md) | 3 | 2026-03-01 00:00 |" in text
    assert "(lists/deleted.md)" in text and "(feeds/changes.xml)" in text


def test_feed_updated_time_follows_the_latest_edit() -> None:
    edited = replace(RECORD, revisions=(REVISION,), edited_ms=1_772_500_000_000)
    assert updated_ms(edited) == 1_772_500_000_000
