"""The site renders what its committed inputs changed: months, pages, nothing else."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from tests.render.test_site import BUILD_MS, add_article, make_config

from newsmirror.config import Config
from newsmirror.models import ArticleRecord
from newsmirror.render.site import article_page_path, build_site
from newsmirror.store.articles import ArticleFiles
from newsmirror.store.index import ArchiveIndex

DAY_MS = 86_400_000


def add_month_article(root: Path, n: int, month: int) -> ArticleRecord:
    """An article of 2023-``month`` (its folder and time agree)."""
    record = add_article(root, n)
    path = record.path.replace("/2023/11/", f"/2023/{month:02d}/")
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / record.path).rename(root / path)
    return dataclasses.replace(record, path=path,
                               published_ms=record.published_ms + (month - 11) * 30 * DAY_MS)


@pytest.fixture()
def mirror(tmp_path: Path) -> tuple[Config, ArchiveIndex]:
    """Ten articles in each of 2023-09, -10 and -11, in a real index."""
    config = make_config(tmp_path, site_page_size=4)
    index = ArchiveIndex.open(tmp_path)
    index.save_many([add_month_article(tmp_path, n, 9 + n // 10) for n in range(30)])
    yield config, index
    index.close()


def mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
            for p in folder.rglob("*.html")}


def test_a_changed_article_renders_its_page_its_month_and_no_other_month(mirror) -> None:
    config, index = mirror
    build_site(config, index, ArticleFiles(config.root), now_ms=BUILD_MS)
    before = mtimes(config.root / "docs")
    record = index.shard_lines("bbc", "2023-10")[3][0]
    index.save(dataclasses.replace(record, title="改过的标题"))
    report = build_site(config, index, ArticleFiles(config.root), now_ms=BUILD_MS)
    changed = sorted(k for k, v in mtimes(config.root / "docs").items() if before.get(k) != v)
    # The article, its month and the index page holding it (positions 12-15: page 4) change;
    # of the 30 article pages only the one is rendered.
    assert changed == sorted([article_page_path(record), "bbc/2023-10.html", "bbc/page-4.html"])
    assert report.pages_written == 3
    assert report.pages_written + report.pages_unchanged < 10


def test_a_month_moved_out_of_the_mirror_takes_its_pages_with_it(mirror) -> None:
    """What a yearly archive repository does to the live mirror: a month leaves the index."""
    config, index = mirror
    build_site(config, index, ArticleFiles(config.root), now_ms=BUILD_MS)
    gone = [record for record, _ in index.shard_lines("bbc", "2023-09")]
    index.close()
    shutil.rmtree(config.root / "articles" / "bbc" / "2023" / "09")
    (config.root / "index" / "bbc" / "2023-09.jsonl").unlink()
    reopened = ArchiveIndex.open(config.root)
    try:
        report = build_site(config, reopened, ArticleFiles(config.root), now_ms=BUILD_MS)
    finally:
        reopened.close()
    docs = config.root / "docs"
    assert report.pages_removed == 10 + 1 + 2  # its articles, its month page, two index pages
    assert not [r for r in gone if (docs / article_page_path(r)).exists()]
    assert not (docs / "bbc" / "2023-09.html").exists()
    assert "2023-09" not in (docs / "bbc" / "index.html").read_text(encoding="utf-8")
    assert not (docs / "_state" / "bbc" / "2023-09.json").exists()


def test_a_build_from_the_index_after_one_from_records_writes_nothing(mirror) -> None:
    """Two ways to the same pages: the bytes, not the bookkeeping, decide what is written."""
    config, index = mirror
    records = [record for month in ("2023-09", "2023-10", "2023-11")
               for record, _ in index.shard_lines("bbc", month)]
    build_site(config, records, ArticleFiles(config.root), now_ms=BUILD_MS)
    report = build_site(config, index, ArticleFiles(config.root), now_ms=BUILD_MS)
    assert (report.pages_written, report.pages_removed, report.feeds_written) == (0, 0, 0)
