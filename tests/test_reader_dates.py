"""Dates a reader can trust: lists show the year of items from another year; STATUS.md
shows the newest article by publication, a usual gap of recent publishing, in the mirror's
language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsmirror.config import load_config
from newsmirror.demo.server import LoopbackServer
from newsmirror.health import HOUR_MS, source_activity
from newsmirror.models import ArticleRecord
from newsmirror.pipeline import RunOptions, run
from newsmirror.store.index import ArchiveIndex
from tests.support.mirrors import SourceSpec, make_mirror
from tests.support.recorded import feed_path

DAY_MS = 24 * HOUR_MS
NOW = 1_790_000_000_000  # 2026-09-21


def record(n: int, published_ms: int, first_seen_ms: int) -> ArticleRecord:
    return ArticleRecord(
        id=f"{n:012d}", source="s", url=f"https://o.example/{n}",
        canonical_url=f"https://o.example/{n}", title=f"第{n}篇", published_ms=published_ms,
        first_seen_ms=first_seen_ms, path=f"articles/s/2026/09/a{n}.md",
        content_sha256="0" * 64)


@pytest.fixture()
def index(tmp_path: Path) -> Iterator[ArchiveIndex]:
    opened = ArchiveIndex.open(tmp_path)
    yield opened
    opened.close()


def test_newest_article_is_the_newest_published_not_the_last_seen(index: ArchiveIndex) -> None:
    index.save(record(1, NOW - 2 * DAY_MS, NOW - 2 * DAY_MS))
    index.save(record(2, NOW - 4000 * DAY_MS, NOW - HOUR_MS))  # an old article, seen late
    activity = source_activity(index, "s", NOW)
    assert activity.newest_published_ms == NOW - 2 * DAY_MS
    assert activity.last_new_ms == NOW - HOUR_MS


def test_usual_gap_counts_recent_publishing_not_the_archive_span(index: ArchiveIndex) -> None:
    for n in range(10):
        index.save(record(n, NOW - n * 2 * HOUR_MS, NOW - n * 2 * HOUR_MS))
    index.save(record(99, NOW - 4738 * DAY_MS, NOW))  # one article of 2013 among this week's
    assert source_activity(index, "s", NOW).usual_gap_ms == 2 * HOUR_MS


def test_usual_gap_of_an_old_archive_is_that_of_its_last_month(index: ArchiveIndex) -> None:
    old = NOW - 3000 * DAY_MS
    for n in range(5):
        index.save(record(n, old - n * 6 * HOUR_MS, NOW))
    assert source_activity(index, "s", NOW).usual_gap_ms == 6 * HOUR_MS


@pytest.fixture()
def mirrored(tmp_path: Path, recorded_server: LoopbackServer) -> Path:
    origin = recorded_server.origin
    root = make_mirror(tmp_path / "m", [SourceSpec("纽约时报", "nyt", origin + feed_path("nyt"),
                                                   "feed"),
                                        SourceSpec("坏源", "broken", origin + "/feed/missing",
                                                   "feed")], site_search=False)
    run(load_config(root), RunOptions(clock=lambda: NOW))
    return root


@pytest.fixture()
def status_text(mirrored: Path) -> str:
    return (mirrored / "STATUS.md").read_text(encoding="utf-8")


def test_lists_show_the_year_of_items_not_from_the_runs_year(mirrored: Path) -> None:
    lines = (mirrored / "lists" / "纽约时报.md").read_text(encoding="utf-8").splitlines()[3::2]
    assert len(lines) == 22
    assert [line for line in lines if not re.match(r"2015-\d{1,2}-\d{1,2} \[", line)] == []


def test_status_file_speaks_the_mirrors_language(status_text: str) -> None:
    shown = status_text.split("<!--", 1)[0]
    assert shown.startswith("# 镜像状态\n")
    assert "| 来源 | 状态 | 起始 | 最新文章（发表时间） |" in shown
    english = {"Source", "State", "Since", "Newest", "Usual", "FAILING", "Mirror", "As of"}
    assert not [word for word in english if word in shown]


def test_status_file_shows_the_newest_publication_time(status_text: str) -> None:
    row = next(line for line in status_text.splitlines() if line.startswith("| 纽约时报"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[1] == "正常"
    assert re.fullmatch(r"2015-03-1[56] \d\d:\d\d", cells[3])  # the recorded feed's items
    assert cells[6].endswith(("分钟", "小时", "天"))
