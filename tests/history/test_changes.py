"""The change lists: edits and deletions across sources, newest first."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

from newsmirror.config import load_config
from newsmirror.demo.server import LoopbackServer, Route
from newsmirror.models import ArticleRecord, Revision
from newsmirror.pipeline import run
from newsmirror.render.changes import change_events, render_change_list
from tests.support.mirrors import SourceSpec, git, make_mirror

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


def test_change_list_holds_edits_and_deletions_newest_first_with_source_names() -> None:
    edited = record("a", revisions=(Revision(T0, "旧", "1"),), edited_ms=T0 + 2 * H)
    events = change_events([edited, record("b", deleted_ms=T0 + 9 * H), record("c")])
    text = render_change_list(events, {"bbc": "BBC 中文"}, TZ, limit=10)
    lines = [line for line in text.split("\n") if line.startswith("2023")]
    assert lines == [
        "2023-11-15 15:13 [标题b](../articles/bbc/2023/11/b.md) （BBC 中文，原文已删除）",
        "2023-11-15 08:13 [标题a](../articles/bbc/2023/11/a.md) （BBC 中文，第 1 次修改）",
    ]


def test_change_list_keeps_to_its_limit() -> None:
    events = change_events([record(str(i), deleted_ms=T0 + i) for i in range(5)])
    text = render_change_list(events, {}, TZ, limit=2)
    assert text.count("](../articles/") == 2


def test_a_run_replaces_the_old_deleted_list_with_the_change_list(tmp_path: Path) -> None:
    feed = ('<rss version="2.0"><channel><title>t</title><item><title>一篇</title>'
            '<link>{{origin}}/a/one</link><description><![CDATA[<p>'
            + "这是一篇完整的文章正文，足够长，能够通过最短正文的检查。" * 3
            + "</p>]]></description></item></channel></rss>")
    with LoopbackServer({"/feed.xml": Route(feed.encode(), "application/rss+xml")}) as server:
        root = make_mirror(tmp_path / "m", [SourceSpec("S", "s", server.url("/feed.xml"), "feed")],
                           site_search=False)
        (root / "lists").mkdir()
        (root / "lists" / "deleted.md").write_text("原文已删除\n------\n\n", encoding="utf-8")
        git(root, "add", "lists")
        git(root, "commit", "-qm", "an older version's list")
        run(load_config(root))
    assert not (root / "lists" / "deleted.md").exists()
    assert (root / "lists" / "changes.md").read_text(encoding="utf-8").startswith("修改与删除\n")
    assert "lists/deleted.md" in git(root, "show", "--name-only", "--format=", "HEAD").split()
