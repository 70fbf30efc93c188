"""Atom feeds of the mirror, read back with feedparser."""

from __future__ import annotations

import calendar
import dataclasses
from pathlib import Path

import feedparser
import pytest
from tests.render.test_site import BUILD_MS, add_article, make_config

from newsmirror.models import ArticleRecord
from newsmirror.render.atom import entry_id
from newsmirror.render.site import build_site
from newsmirror.store.articles import ArticleFiles


@pytest.fixture()
def built(tmp_path: Path) -> tuple[Path, list[ArticleRecord]]:
    config = make_config(tmp_path, feed_size=3)
    records = [add_article(tmp_path, n, body=f"<p>第{n}段 &amp; <b>粗体</b></p>") for n in range(5)]
    records.append(add_article(tmp_path, 9, source="dw", title='标题 <i>"引号"</i> & 符号'))
    build_site(config, records, ArticleFiles(config.root), now_ms=BUILD_MS)
    return tmp_path, records


def parse(path: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


@pytest.mark.parametrize("name", ["bbc", "dw", "all"])
def test_feed_is_well_formed_atom(built, name: str) -> None:
    root, _ = built
    parsed = parse(root / "feeds" / f"{name}.xml")
    assert (parsed.version, bool(parsed.feed.id), bool(parsed.feed.updated)) == ("atom10", True, True)


def test_feed_holds_newest_entries_newest_first(built) -> None:
    root, records = built
    parsed = parse(root / "feeds" / "bbc.xml")
    assert [e.id for e in parsed.entries] == [entry_id(r) for r in records[4:1:-1]]


def test_entry_dates_are_publication_times(built) -> None:
    root, records = built
    entry = parse(root / "feeds" / "bbc.xml").entries[0]
    assert calendar.timegm(entry.published_parsed) * 1000 == records[4].published_ms // 1000 * 1000


def test_entry_content_is_the_full_body(built) -> None:
    root, _ = built
    entry = parse(root / "feeds" / "bbc.xml").entries[0]
    assert (entry.content[0].type, entry.content[0].value) == ("text/html",
                                                               "<p>第4段 &amp; <b>粗体</b></p>")


def test_title_with_markup_characters_survives(built) -> None:
    root, _ = built
    entry = parse(root / "feeds" / "dw.xml").entries[0]
    assert entry.title == '标题 <i>"引号"</i> & 符号'


@pytest.mark.parametrize(
    ("feed", "expected"),
    [("feeds/bbc.xml", "../docs/bbc/2023/11/story-0004.html"),
     ("docs/feeds/bbc.xml", "../bbc/2023/11/story-0004.html")],
    ids=["mirror-root", "inside-site"],
)
def test_entry_links_to_mirror_article_page(built, feed: str, expected: str) -> None:
    root, _ = built
    entry = parse(root / feed).entries[0]
    target = (root / feed).parent / entry.link
    assert (entry.link, target.resolve().is_file()) == (expected, True)


def test_entry_links_are_absolute_with_site_url(tmp_path: Path) -> None:
    config = make_config(tmp_path, site_url="https://mirror.example.invalid/news/")
    record = add_article(tmp_path, 1)
    build_site(config, [record], ArticleFiles(config.root), now_ms=BUILD_MS)
    entry = parse(tmp_path / "feeds" / "bbc.xml").entries[0]
    assert entry.link == "https://mirror.example.invalid/news/bbc/2023/11/story-0001.html"


def test_entry_updated_follows_deletion(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    record = add_article(tmp_path, 1)
    deleted = dataclasses.replace(record, deleted_ms=record.published_ms + 3_600_000)
    build_site(config, [deleted], ArticleFiles(config.root), now_ms=BUILD_MS)
    entry = parse(tmp_path / "feeds" / "bbc.xml").entries[0]
    assert calendar.timegm(entry.updated_parsed) * 1000 == deleted.deleted_ms // 1000 * 1000


def test_control_characters_are_dropped(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    record = add_article(tmp_path, 1, title="坏\x0b字符", body="<p>正文\x01内容</p>")
    build_site(config, [record], ArticleFiles(config.root), now_ms=BUILD_MS)
    entry = parse(tmp_path / "feeds" / "bbc.xml").entries[0]
    assert (entry.title, entry.content[0].value) == ("坏字符", "<p>正文内容</p>")
