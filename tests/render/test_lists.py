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
    assert render_source_list("BBC", [record], TZ, current_year=2026).splitlines()[3] == line


@pytest.mark.parametrize(
    ("published_ms", "current_year", "date"),
    [(1_426_464_000_000, 2026, "2015-3-16"),   # 2015-03-16 08:00 in Shanghai
     (1_426_464_000_000, 2015, "3-16"),
     (1_767_196_800_000, 2025, "2026-1-1"),    # 2026-01-01 00:00 in Shanghai, 2025 in UTC
     (1_767_196_800_000, 2026, "1-1")],
    ids=["older-year", "this-year", "zone-decides-next-year", "zone-decides-this-year"],
)
def test_source_list_shows_the_year_of_items_from_another_year(
    published_ms: int, current_year: int, date: str
) -> None:
    record = replace(RECORD, published_ms=published_ms)
    line = render_source_list("BBC", [record], TZ, current_year=current_year).splitlines()[3]
    assert line.startswith(f"{date} [标题]")


def test_root_readme_links_lists_and_the_changes() -> None:
    text = render_root_readme([SourceSummary("BBC", "bbc", 3, RECORD.first_seen_ms)], TZ, "docs")
    assert "| [BBC](lists/BBC.md) | 3 | 2026-03-01 00:00 |" in text
    assert "(lists/changes.md)" in text and "(feeds/changes.xml)" in text


def test_feed_updated_time_follows_the_latest_edit() -> None:
    edited = replace(RECORD, revisions=(REVISION,), edited_ms=1_772_500_000_000)
    assert updated_ms(edited) == 1_772_500_000_000
