"""The change lists: edits and deletions across sources, newest first."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from newsmirror.models import ArticleRecord, Revision
from newsmirror.render.changes import change_events, render_deleted_list

T0 = 1_700_000_000_000
H = 3_600_000
TZ = ZoneInfo("Asia/Shanghai")


def record(id: str, **changes: object) -> ArticleRecord:
    base = ArticleRecord(
        id=id, source="bbc", url=f"https://example.org/{id}",
        canonical_url=f"https://example.org/{id}", title=f"标题{id}", published_ms=T0,
        first_seen_ms=T0, path=f"articles/bbc/2023/11/{id}.md", content_sha256="0" * 64,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_each_edit_is_one_event_numbered_by_the_version_it_made() -> None:
    twice = record("a", revisions=(Revision(T0, "旧", "1"), Revision(T0 + H, "中", "2")),
                   edited_ms=T0 + 3 * H)
    events = change_events([twice])
    assert [(e.kind, e.at_ms, e.version) for e in events] == [
        ("edited", T0 + 3 * H, 3), ("edited", T0 + H, 2)
    ]


def test_events_of_all_records_are_newest_first() -> None:
    edited = record("a", revisions=(Revision(T0, "旧", "1"),), edited_ms=T0 + 2 * H)
    deleted = record("b", deleted_ms=T0 + 5 * H)
    assert [(e.record.id, e.kind) for e in change_events([edited, deleted])] == [
        ("b", "deleted"), ("a", "edited")
    ]


def test_unchanged_records_give_no_events() -> None:
    assert change_events([record("a")]) == []


def test_deleted_list_is_newest_deletion_first_with_source_names() -> None:
    text = render_deleted_list(
        [record("a", deleted_ms=T0 + H), record("b", deleted_ms=T0 + 9 * H), record("c")],
        {"bbc": "BBC 中文"}, TZ, limit=10,
    )
    lines = [line for line in text.split("\n") if line.startswith("2023")]
    assert lines == [
        "2023-11-15 15:13 [标题b](../articles/bbc/2023/11/b.md) （BBC 中文）",
        "2023-11-15 07:13 [标题a](../articles/bbc/2023/11/a.md) （BBC 中文）",
    ]


def test_deleted_list_keeps_to_its_limit() -> None:
    records = [record(str(i), deleted_ms=T0 + i) for i in range(5)]
    text = render_deleted_list(records, {}, TZ, limit=2)
    assert text.count("](../articles/") == 2
