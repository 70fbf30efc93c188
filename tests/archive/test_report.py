"""What the command prints per link, and the Markdown answer posted to the issue."""

from __future__ import annotations

import pytest

from newsmirror.archive.report import (
    ArchiveOutcome,
    escape_markdown,
    render_outcome_line,
    render_reply,
)

FILES = "https://github.com/o/m/blob/main/"
KEPT = ArchiveOutcome(url="https://mp.weixin.qq.com/s/abc", status="archived",
                      path="articles/archive/2024/03/高校-abc.md", title="高校计科系",
                      page_url="https://o.github.io/m/archive/2024/03/abc.html")
BEFORE = ArchiveOutcome(url="https://x.com/a", status="existing", path="articles/archive/2024/01/a.md",
                        title="旧文")
FROM_SNAPSHOT = ArchiveOutcome(
    url="https://x.com/gone", status="archived", path="articles/archive/2024/02/gone.md",
    title="消失的文章", snapshot_url="https://web.archive.org/web/20240101000000id_/https://x.com/gone")
FAILED = ArchiveOutcome(url="https://x.com/b", status="failed",
                        error="HTTP 500: https://x.com/b; no snapshot (HTTP 404)")


@pytest.mark.parametrize(
    ("outcome", "line"),
    [
        (KEPT, "archived: https://mp.weixin.qq.com/s/abc -> articles/archive/2024/03/高校-abc.md "
               "https://o.github.io/m/archive/2024/03/abc.html"),
        (BEFORE, "already archived: https://x.com/a -> articles/archive/2024/01/a.md"),
        (FROM_SNAPSHOT, "archived: https://x.com/gone -> articles/archive/2024/02/gone.md (from the "
                        "snapshot https://web.archive.org/web/20240101000000id_/https://x.com/gone)"),
        (FAILED, "failed: https://x.com/b: HTTP 500: https://x.com/b; no snapshot (HTTP 404)"),
    ],
    ids=["archived", "existing", "snapshot", "failed"],
)
def test_each_link_gets_one_line_naming_its_copy_or_error(outcome: ArchiveOutcome, line: str) -> None:
    assert render_outcome_line(outcome) == line


def test_reply_counts_and_links_each_copy_in_the_repository() -> None:
    reply = render_reply([KEPT, BEFORE, FROM_SNAPSHOT, FAILED], FILES)
    assert reply.startswith("已存档 3 个链接，1 个未能存档。\n\n")
    assert ("- ✅ 已存档：[高校计科系](<https://github.com/o/m/blob/main/articles/archive/2024/03/"
            "%E9%AB%98%E6%A0%A1-abc.md>)") in reply
    assert "网页：[阅读](<https://o.github.io/m/archive/2024/03/abc.html>)" in reply
    assert "- ✅ 此前已存档：[旧文]" in reply
    assert "取自网页快照：`https://web.archive.org/web/20240101000000id_/https://x.com/gone`" in reply
    assert "- ❌ `https://x.com/b`：`HTTP 500: https://x.com/b; no snapshot (HTTP 404)`" in reply


def test_reply_without_a_files_address_names_the_copy_without_a_link() -> None:
    assert "- ✅ 已存档：高校计科系\n" in render_reply([KEPT])


def test_reply_to_text_without_links_says_what_to_write() -> None:
    assert "没有找到链接" in render_reply([])


@pytest.mark.parametrize(
    ("title", "escaped"),
    [("@everyone 看这里", r"\@everyone 看这里"), ("[x](javascript:alert(1))",
      r"\[x\]\(javascript\:alert\(1\)\)"), ("<img src=x>", r"\<img src\=x\>"),
     ("**粗体** _斜体_ `代码`", r"\*\*粗体\*\* \_斜体\_ \`代码\`"), ("两行\n标题", "两行 标题")],
    ids=["mention", "link", "html", "emphasis", "newline"],
)
def test_page_titles_cannot_format_the_reply_or_mention_anyone(title: str, escaped: str) -> None:
    assert escape_markdown(title) == escaped


def test_error_text_stays_inside_code() -> None:
    outcome = ArchiveOutcome(url="https://x.com/`@a`", status="failed", error="bad `@team`\nline")
    assert "- ❌ `https://x.com/'@a'`：`bad '@team' line`" in render_reply([outcome])
