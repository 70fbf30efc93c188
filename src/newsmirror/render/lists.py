"""Markdown lists a git host shows: per source, per month folder, and the root README.

Everything here depends only on the records passed in and, for a source list,
the year the run's clock is in (an item of another year shows its year), so the
same archive and the same year always render the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from newsmirror.models import ArticleRecord
from newsmirror.render.body import link_from
from newsmirror.store.files import LISTS_DIR
from newsmirror.store.markdown import escape_link_text, escape_link_url
from newsmirror.times import format_local, local_datetime


@dataclass(frozen=True, slots=True)
class SourceSummary:
    """One line of the root README: a source, its article count and newest arrival."""

    name: str
    slug: str
    count: int
    last_update_ms: int | None


def list_path(source_name: str) -> str:
    return f"{LISTS_DIR}/{source_name}.md"


def month_day(ms: int, tz: ZoneInfo, current_year: int) -> str:
    """``3-16`` for a date in ``current_year``, ``2015-3-16`` for any other."""
    when = local_datetime(ms, tz)
    if when.year == current_year:
        return f"{when.month}-{when.day}"
    return f"{when.year}-{when.month}-{when.day}"


def year_of(ms: int, tz: ZoneInfo) -> int:
    """The year an instant falls in, in the mirror's time zone."""
    return local_datetime(ms, tz).year


def relative_link(from_file: str, to_file: str) -> str:
    return link_from(from_file, to_file)


def render_source_list(
    name: str, records: Sequence[ArticleRecord], tz: ZoneInfo, *, current_year: int
) -> str:
    """``lists/{name}.md``: the name, ``------``, then ``M-D [title](link)`` newest first.

    An item published in another year than ``current_year`` (the run's, in the
    mirror's time zone) shows it: ``2015-3-16``.  So the first run of a year
    rewrites each list once, when last year's items gain their year.
    """
    here = list_path(name)
    lines = [escape_link_text(name), "------", ""]
    for record in records:
        link = escape_link_url(relative_link(here, record.path))
        title = escape_link_text(record.title)
        when = month_day(record.published_ms, tz, current_year)
        lines.append(f"{when} [{title}]({link}){change_mark(record)}")
        lines.append("")
    return "\n".join(lines)


def change_mark(record: ArticleRecord) -> str:
    """What a list says after a title when the original was deleted or edited."""
    if record.deleted_ms:
        return " （原文已删除）"
    if record.revisions:
        return f" （已修改 {len(record.revisions)} 次）"
    return ""


def render_month_readme(
    source_name: str, folder: str, records: Iterable[ArticleRecord], tz: ZoneInfo
) -> str:
    """The README.md a git host shows under a month folder's file list."""
    year, month = folder.split("/")[2:4]
    lines = [f"# {escape_link_text(source_name)} {year}-{month}", ""]
    for record in records:
        name = record.path.rsplit("/", 1)[1]
        marks = change_mark(record)
        when = format_local(record.published_ms, tz, "%m-%d %H:%M")
        lines.append(
            f"- {when} [{escape_link_text(record.title)}]({escape_link_url(name)}){marks}"
        )
    lines.append("")
    return "\n".join(lines)


def render_root_readme(summaries: Sequence[SourceSummary], tz: ZoneInfo, site_dir: str) -> str:
    """The mirror's front page on a git host: every source's list, count and last update."""
    lines = [
        "# 新闻镜像",
        "",
        "国际中文新闻的镜像。每个来源的文章列表如下；网站版见 "
        f"[{site_dir}/index.html]({site_dir}/index.html)。",
        "",
        "| 来源 | 文章 | 最后更新 |",
        "|---|---:|---|",
    ]
    for summary in summaries:
        when = format_local(summary.last_update_ms, tz) if summary.last_update_ms else "—"
        link = escape_link_url(list_path(summary.name))
        lines.append(f"| [{escape_link_text(summary.name)}]({link}) | {summary.count} | {when} |")
    lines += [
        "",
        "原文被修改或删除的文章：[lists/changes.md](lists/changes.md)。"
        "订阅（Atom）：[全部](feeds/all.xml)，[修改与删除](feeds/changes.xml)。",
        "",
        f"时间为 {tz.key}。",
        "",
    ]
    return "\n".join(lines)
