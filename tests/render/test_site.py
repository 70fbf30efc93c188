"""The static site: pages from the archive, relative links, incremental and repeatable builds."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path

import pytest

from newsmirror.config import Config, MirrorSettings, Source
from newsmirror.models import ArticleRecord, Revision
from newsmirror.render.site import article_page_path, build_site, prepare_body_html
from newsmirror.store.articles import ArticleFile, ArticleFiles, render_article_file

DAY_MS = 86_400_000
START_MS = 1_700_000_000_000  # 2023-11-14
BUILD_MS = START_MS + 30 * DAY_MS  # the clock each build is given


def make_config(root: Path, **settings: object) -> Config:
    """Two sources; no search index unless ``site_search=True``."""
    settings.setdefault("site_search", False)
    sources = (Source(name="BBC", slug="bbc", feed="https://example.invalid/bbc.xml"),
               Source(name="德国之声", slug="dw", feed="https://example.invalid/dw.xml"))
    return Config(root=root, mirror=MirrorSettings(**settings), sources=sources)  # type: ignore[arg-type]


def add_article(root: Path, n: int, *, source: str = "bbc", title: str | None = None,
                body: str | None = None, **fields: object) -> ArticleRecord:
    published = START_MS + n * DAY_MS // 4
    record = ArticleRecord(
        id=f"{source}{n:010d}", source=source, url=f"https://example.invalid/{source}/{n}",
        canonical_url=f"https://example.invalid/{source}/{n}", title=title or f"第{n}篇文章",
        published_ms=published, first_seen_ms=published + 1000,
        path=f"articles/{source}/2023/11/story-{n:04d}.md", content_sha256=f"{n:064x}",
        **fields,  # type: ignore[arg-type]
    )
    text = render_article_file(ArticleFile(published, record.title, record.url,
                                           body or f"<p>正文 {n}：普京与台湾。</p>"))
    (root / record.path).parent.mkdir(parents=True, exist_ok=True)
    (root / record.path).write_text(text, encoding="utf-8")
    return record


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
            for p in folder.rglob("*") if p.is_file()}


@pytest.fixture()
def archive(tmp_path: Path) -> tuple[Config, list[ArticleRecord]]:
    config = make_config(tmp_path, site_page_size=5)
    records = [add_article(tmp_path, n) for n in range(12)]
    records += [add_article(tmp_path, n, source="dw") for n in range(3)]
    return config, records


def test_build_writes_front_source_month_and_article_pages(archive) -> None:
    config, records = archive
    build_site(config, records, ArticleFiles(config.root), now_ms=BUILD_MS)
    site = config.root / "docs"
    expected = ["index.html", "search.html", "style.css", "bbc/index.html", "bbc/page-1.html",
                "bbc/2023-11.html", "dw/index.html", article_page_path(records[0])]
    assert [name for name in expected if not (site / name).is_file()] == []


def test_source_index_shows_newest_chunk_and_older_pages_hold_oldest(archive) -> None:
    config, records = archive
    build_site(config, records, ArticleFiles(config.root), now_ms=BUILD_MS)
    site = config.root / "docs"
    index = (site / "bbc/index.html").read_text(encoding="utf-8")
    first_page = (site / "bbc/page-1.html").read_text(encoding="utf-8")
    assert ("第11篇文章" in index, "第0篇文章" in index) == (True, False)
    assert ("第0篇文章" in first_page, "第11篇文章" in first_page) == (True, False)


def test_rebuild_after_new_articles_rewrites_only_their_pages(archive) -> None:
    config, records = archive
    build_site(config, records, ArticleFiles(config.root), now_ms=BUILD_MS)
    site = config.root / "docs"
    before = mtimes(site)
    new = [add_article(config.root, n) for n in (12, 13)]
    report = build_site(config, records + new, ArticleFiles(config.root), now_ms=BUILD_MS)
    after = mtimes(site)
    changed = sorted(k for k in after if before.get(k) != after[k] and not k.startswith("search/"))
    assert changed == sorted([article_page_path(r) for r in new] + [
        "index.html", "bbc/index.html", "bbc/2023-11.html", "feeds/bbc.xml", "feeds/all.xml",
        "_state/site.json", "_state/bbc/2023-11.json"])
    assert report.pages_written == 5


def test_full_rebuild_gives_identical_bytes(archive, tmp_path: Path) -> None:
    config, records = archive
    build_site(config, records, ArticleFiles(config.root), now_ms=BUILD_MS)
    first = snapshot(config.root / "docs") | {"feeds": str(snapshot(config.root / "feeds"))}
    build_site(config, records, ArticleFiles(config.root), now_ms=BUILD_MS, full=True)
    second = snapshot(config.root / "docs") | {"feeds": str(snapshot(config.root / "feeds"))}
    assert first == second


def test_unchanged_archive_rebuild_writes_nothing(archive) -> None:
    config, records = archive
    config = dataclasses.replace(config, mirror=dataclasses.replace(config.mirror,
                                                                    site_search=True))
    build_site(config, records, ArticleFiles(config.root), now_ms=BUILD_MS)
    report = build_site(config, records, ArticleFiles(config.root), now_ms=BUILD_MS)
    assert (report.pages_written, report.feeds_written, report.search_indexed) == (0, 0, False)


def test_removed_article_page_is_deleted(archive) -> None:
    config, records = archive
    build_site(config, records, ArticleFiles(config.root), now_ms=BUILD_MS)
    report = build_site(config, records[1:], ArticleFiles(config.root), now_ms=BUILD_MS)
    assert not (config.root / "docs" / article_page_path(records[0])).exists()
    assert report.pages_removed == 1


@pytest.mark.parametrize("field", ["title", "author"])
def test_title_and_author_are_escaped(tmp_path: Path, field: str) -> None:
    config = make_config(tmp_path)
    evil = '<script>alert("x")</script>'
    record = add_article(tmp_path, 1, **({"title": evil} if field == "title" else {"author": evil}))
    build_site(config, [record], ArticleFiles(config.root), now_ms=BUILD_MS)
    page = (tmp_path / "docs" / article_page_path(record)).read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page


def test_article_body_is_kept_as_stored(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    record = add_article(tmp_path, 1, body="<p>一段<strong>加粗</strong>的文字</p>")
    build_site(config, [record], ArticleFiles(config.root), now_ms=BUILD_MS)
    page = (tmp_path / "docs" / article_page_path(record)).read_text(encoding="utf-8")
    assert "<p>一段<strong>加粗</strong>的文字</p>" in page


@pytest.mark.parametrize(
    ("fields", "marks"),
    [
        ({}, []),
        ({"revisions": (Revision(START_MS, "旧标题", "0" * 64),
                        Revision(START_MS + 1, "旧标题", "1" * 64))}, ["已修改 2 次"]),
        ({"deleted_ms": START_MS + DAY_MS}, ["原文已删除", "2023-11-16"]),
    ],
    ids=["plain", "edited-twice", "deleted"],
)
def test_article_page_marks_edits_and_deletion(tmp_path: Path, fields: dict, marks: list) -> None:
    config = make_config(tmp_path)
    record = add_article(tmp_path, 1, **fields)
    build_site(config, [record], ArticleFiles(config.root), now_ms=BUILD_MS)
    page = (tmp_path / "docs" / article_page_path(record)).read_text(encoding="utf-8")
    found = [m for m in ["已修改 2 次", "原文已删除", "2023-11-16"] if m in page]
    assert found == marks


def test_article_page_shows_time_in_mirror_timezone(tmp_path: Path) -> None:
    config = make_config(tmp_path, timezone="America/New_York")
    record = add_article(tmp_path, 0)  # 2023-11-14 22:13:20 UTC
    build_site(config, [record], ArticleFiles(config.root), now_ms=BUILD_MS)
    page = (tmp_path / "docs" / article_page_path(record)).read_text(encoding="utf-8")
    assert "2023-11-14 17:13" in page


def test_pages_reference_no_other_host(archive) -> None:
    config, records = archive
    build_site(config, records, ArticleFiles(config.root), now_ms=BUILD_MS)
    references = []
    for page in (config.root / "docs").rglob("*.html"):
        text = page.read_text(encoding="utf-8").split('<div class="body">')[0]
        references += re.findall(r'<(?:link|script|img)\b[^>]*(?:href|src)="(?:https?:)?//[^"]*',
                                 text)
    assert references == []


def test_every_relative_link_resolves_to_a_file(archive) -> None:
    config, records = archive
    build_site(config, records, ArticleFiles(config.root), now_ms=BUILD_MS)
    site = config.root / "docs"
    broken = []
    for page in site.rglob("*.html"):
        for target in re.findall(r'(?:href|src)="([^"#?:]+)"', page.read_text(encoding="utf-8")):
            if not (page.parent / target).resolve().exists():
                broken.append(f"{page.relative_to(site)} -> {target}")
    assert broken == []


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("../../../../media/ab/abcdef.jpg", "../../../media/ab/abcdef.jpg"),
        ("/media/ab/abcdef.jpg", "../../../media/ab/abcdef.jpg"),
        ("media/ab/abcdef.jpg", "../../../media/ab/abcdef.jpg"),
        ("https://images.example.invalid/x.jpg", "https://images.example.invalid/x.jpg"),
    ],
    ids=["relative-to-article", "root-absolute", "root-relative", "remote"],
)
def test_media_paths_point_at_site_copy(src: str, expected: str) -> None:
    html = prepare_body_html(f'<img src="{src}" alt="图">', "articles/bbc/2023/11/a.md",
                             "bbc/2023/11/a.html", remote_images=True)
    assert f'src="{expected}"' in html


def test_remote_images_become_links_when_turned_off() -> None:
    html = prepare_body_html('<p><img src="https://cdn.example.invalid/x.jpg" alt="照片"></p>',
                             "articles/bbc/2023/11/a.md", "bbc/2023/11/a.html",
                             remote_images=False)
    assert "<img" not in html and 'href="https://cdn.example.invalid/x.jpg"' in html


def test_media_files_are_copied_into_site(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    (tmp_path / "media" / "ab").mkdir(parents=True)
    (tmp_path / "media" / "ab" / "abcdef.jpg").write_bytes(b"\xff\xd8 fake jpeg")
    record = add_article(tmp_path, 1, body='<p>图</p><img src="../../../../media/ab/abcdef.jpg">')
    report = build_site(config, [record], ArticleFiles(config.root), now_ms=BUILD_MS)
    assert (tmp_path / "docs/media/ab/abcdef.jpg").read_bytes() == b"\xff\xd8 fake jpeg"
    assert report.media_copied == 1


def test_changed_site_title_rewrites_article_pages(archive) -> None:
    config, records = archive
    build_site(config, records, ArticleFiles(config.root), now_ms=BUILD_MS)
    renamed = dataclasses.replace(config, mirror=dataclasses.replace(config.mirror,
                                                                     site_title="另一个镜像"))
    build_site(renamed, records, ArticleFiles(renamed.root), now_ms=BUILD_MS)
    page = (config.root / "docs" / article_page_path(records[0])).read_text(encoding="utf-8")
    assert "另一个镜像" in page


def test_site_without_search_has_no_search_box_or_index(archive) -> None:
    config, records = archive
    report = build_site(config, records, ArticleFiles(config.root), now_ms=BUILD_MS)
    front = (config.root / "docs/index.html").read_text(encoding="utf-8")
    assert (report.search_indexed, 'class="search"' in front,
            (config.root / "docs/search").exists()) == (False, False, False)


def test_search_index_is_built_with_the_site(archive) -> None:
    config, records = archive
    config = dataclasses.replace(config, mirror=dataclasses.replace(config.mirror,
                                                                    site_search=True))
    build_site(config, records, ArticleFiles(config.root), now_ms=BUILD_MS)
    assert {p.name for p in (config.root / "docs/search").iterdir()} >= {
        "manifest.json", "chars.json", "docs"}


def test_full_rebuild_also_removes_pages_of_removed_articles(archive) -> None:
    config, records = archive
    build_site(config, records, ArticleFiles(config.root), now_ms=BUILD_MS)
    report = build_site(config, records[1:], ArticleFiles(config.root), now_ms=BUILD_MS, full=True)
    assert (report.pages_removed, (config.root / "docs" / article_page_path(records[0])).exists()) \
        == (1, False)


def test_every_page_has_the_search_box(tmp_path: Path) -> None:
    config = make_config(tmp_path, site_search=True, site_page_size=2)
    build_site(config, [add_article(tmp_path, n) for n in range(5)], ArticleFiles(config.root), now_ms=BUILD_MS)
    pages = list((tmp_path / "docs").rglob("*.html"))
    without = [p.name for p in pages if 'role="search"' not in p.read_text(encoding="utf-8")]
    assert (len(pages) > 8, without) == (True, [])
