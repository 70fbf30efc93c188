"""What became of each link: kept, kept before, or not kept and why.

The command prints one line per link; the issue workflow posts :func:`render_reply`,
a Markdown answer whose text the page's author and the issue's author chose
(titles, addresses, error details) is escaped, so it can neither format the
comment nor mention anyone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

ArchiveStatus = Literal["archived", "existing", "failed"]
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


@dataclass(frozen=True, slots=True)
class ArchiveOutcome:
    """One link's outcome: where its copy is, or why there is none."""

    url: str
    status: ArchiveStatus
    path: str | None = None
    page_url: str | None = None
    title: str | None = None
    snapshot_url: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status != "failed"


def render_outcome_line(outcome: ArchiveOutcome) -> str:
    """One line for the terminal: the link, then its copy (file and page) or the error."""
    if not outcome.ok:
        return f"failed: {outcome.url}: {outcome.error}"
    verb = "archived" if outcome.status == "archived" else "already archived"
    where = outcome.path or ""
    if outcome.page_url:
        where += f" {outcome.page_url}"
    via = f" (from the snapshot {outcome.snapshot_url})" if outcome.snapshot_url else ""
    return f"{verb}: {outcome.url} -> {where}{via}"


def render_reply(outcomes: list[ArchiveOutcome], files_url: str | None = None) -> str:
    """The Markdown answer to the request: a summary, then one item per link."""
    if not outcomes:
        return "没有找到链接：请在问题中写上要存档的网页地址（http:// 或 https:// 开头）。\n"
    kept = sum(o.ok for o in outcomes)
    failed = len(outcomes) - kept
    summary = f"已存档 {kept} 个链接" + (f"，{failed} 个未能存档。" if failed else "。")
    return summary + "\n\n" + "".join(_reply_item(o, files_url) for o in outcomes)


def _reply_item(outcome: ArchiveOutcome, files_url: str | None) -> str:
    if not outcome.ok:
        return f"- ❌ {_code(outcome.url)}：{_code(outcome.error or '')}\n"
    title = escape_markdown(outcome.title or outcome.url)
    label = "此前已存档" if outcome.status == "existing" else "已存档"
    copy = _link(title, _file_link(outcome.path or "", files_url)) if outcome.path else title
    lines = [f"- ✅ {label}：{copy}", f"  原文：{_code(outcome.url)}"]
    if outcome.page_url:
        lines.append(f"  网页：{_link('阅读', outcome.page_url)}")
    if outcome.snapshot_url:
        lines.append(f"  原网页已无法访问，取自网页快照：{_code(outcome.snapshot_url)}")
    return "\n".join(lines) + "\n"


def _file_link(path: str, files_url: str | None) -> str | None:
    return files_url.rstrip("/") + "/" + quote(path) if files_url else None


def _link(text: str, url: str | None) -> str:
    return f"[{text}](<{url.replace('>', '%3E')}>)" if url else text


def _code(text: str) -> str:
    """Text shown as code: no Markdown, no mentions, no HTML inside it."""
    return "`" + " ".join(text.replace("`", "'").split()) + "`"


def escape_markdown(text: str) -> str:
    """``text`` with every ASCII punctuation mark escaped, on one line."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(text.split()))
