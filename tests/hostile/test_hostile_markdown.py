"""Titles, names and URLs in the Markdown a git host renders stay text: one link per entry."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest
from markdown_it import MarkdownIt
from selectolax.lexbor import LexborHTMLParser

from tests.hostile.checks import url_scheme
from tests.hostile.corpus import HOSTILE_TITLES
from tests.hostile.mirror import HostileMirror

# CommonMark with raw HTML on: stricter than any git host, which sanitises on top.
MARKDOWN = MarkdownIt("commonmark", {"html": True})
MARKUP_TAGS = ("script", "img", "svg", "iframe", "style", "strong", "em", "code", "del", "h1")


def rendered(path: Path) -> LexborHTMLParser:
    return LexborHTMLParser(MARKDOWN.render(path.read_text(encoding="utf-8")))


def markdown_files(mirror: HostileMirror) -> list[Path]:
    lists = sorted((mirror.root / "lists").glob("*.md"))
    readmes = sorted((mirror.root / "articles").rglob("README.md"))
    return [*lists, *readmes, mirror.root / "README.md"]


def test_hostile_titles_reached_the_lists(hostile_mirror: HostileMirror) -> None:
    """The control: the lists really carry the markup-laden titles."""
    text = "".join(p.read_text(encoding="utf-8") for p in markdown_files(hostile_mirror))
    assert "javascript:alert(1)" in text and "粗体" in text and "`代码" in text


@pytest.mark.parametrize("kind", ["lists", "month-readme", "root-readme"])
def test_markdown_lists_render_titles_as_text_with_one_link_per_entry(
    hostile_mirror: HostileMirror, kind: str
) -> None:
    files = {"lists": sorted((hostile_mirror.root / "lists").glob("*.md")),
             "month-readme": sorted((hostile_mirror.root / "articles").rglob("README.md")),
             "root-readme": [hostile_mirror.root / "README.md"]}[kind]
    for path in files:
        tree = rendered(path)
        assert [n.tag for n in tree.css(",".join(MARKUP_TAGS)) if n.tag != "h1"] == []
        links = [a.attributes.get("href") or "" for a in tree.css("a")]
        assert all(url_scheme(href) in ("", "http", "https") for href in links)
        relative = [href for href in links if not url_scheme(href)]
        targets = [(path.parent / unquote(href)).resolve() for href in relative]
        assert all(target.is_file() for target in targets), path


def test_article_file_header_renders_as_one_link_to_the_original(
    hostile_mirror: HostileMirror,
) -> None:
    for record in hostile_mirror.records():
        header = (hostile_mirror.root / str(record["path"])).read_text(encoding="utf-8")
        tree = LexborHTMLParser(MARKDOWN.render(header.split("\n")[1]))
        assert [a.attributes.get("href") for a in tree.css("a")] == [record["url"]]
        assert tree.css_first("img,script,svg,strong,em,code") is None


def test_source_name_in_list_heading_is_text(hostile_mirror: HostileMirror) -> None:
    name_list = sorted((hostile_mirror.root / "lists").glob("恶意*.md"))[0]
    heading = rendered(name_list).css_first("h2")
    assert heading is not None and heading.css("a,em") == []
    assert heading.text().startswith("恶意 [")


def test_hostile_titles_stay_whole_in_the_article_files(hostile_mirror: HostileMirror) -> None:
    titles = {str(r["title"]) for r in hostile_mirror.records()}
    assert any(t.startswith(HOSTILE_TITLES[3]) for t in titles)
