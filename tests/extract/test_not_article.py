"""Front pages and section indexes are refused as "not an article page", from their own signals.

The recorded BBC homepage, BBC topic page and RFI homepage are refused; no
recorded article page, template page, labelled page or predecessor body is, not
even with its article markup taken away (links alone must not refuse an article).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser
from tests.support.mirrors import SourceSpec, make_mirror
from tests.support.recorded import PREDECESSOR, REAL
from tools.quality import GOLDEN
from typer.testing import CliRunner

from newsmirror.cli import app
from newsmirror.demo.server import LoopbackServer, Route
from newsmirror.errors import NotArticleError
from newsmirror.extract import extract_article
from newsmirror.extract.metadata import PUBLISHED_META, read_page_address
from newsmirror.extract.page_kind import read_page_signals
from newsmirror.models import Page

runner = CliRunner()
INDEX_PAGES = sorted(REAL.glob("*/index_*.html"))
ARTICLE_PAGES = sorted(p for p in REAL.glob("*/*.html") if not p.name.startswith("index_")) \
    + sorted(GOLDEN.glob("site/*.html")) + sorted(GOLDEN.glob("labelled/*.html"))
PREDECESSOR_BODIES = sorted(p for p in PREDECESSOR.glob("*/*.md") if p.parent.name != "lists")
ARTICLE_MARKUP = ("meta[property='og:type'], script[type='application/ld+json'], "
                  + ", ".join(PUBLISHED_META))


def name(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def without_article_markup(html: str) -> str:
    """The page with og:type, JSON-LD, microdata types and publication times taken out."""
    tree = LexborHTMLParser(html)
    for node in tree.css(ARTICLE_MARKUP):
        node.decompose()
    for node in tree.css("[itemtype]"):
        del node.attrs["itemtype"]
    return tree.html or ""


def own_page(path: Path, html: str | None = None) -> Page:
    html = html if html is not None else path.read_text(encoding="utf-8")
    url = read_page_address(html) or "https://unknown.example/page"
    return Page(url, url, html)


@pytest.mark.parametrize("path", INDEX_PAGES, ids=name)
def test_a_front_or_section_page_is_refused_on_its_own_host(path: Path) -> None:
    with pytest.raises(NotArticleError, match="not an article page: https://www") as caught:
        extract_article(own_page(path))
    assert caught.value.code == "extract.not_article" and "og:type website" in str(caught.value)


@pytest.mark.parametrize("path", INDEX_PAGES, ids=name)
def test_a_front_or_section_page_is_refused_by_its_links_alone(path: Path) -> None:
    signals = read_page_signals(without_article_markup(path.read_text(encoding="utf-8")))
    assert signals.listing_markup is None and not signals.is_article


@pytest.mark.parametrize("path", INDEX_PAGES, ids=name)
def test_extract_of_a_front_page_fetched_from_loopback_exits_1(path: Path) -> None:
    with LoopbackServer({"/mirror/front": Route(path.read_bytes())}) as server:
        result = runner.invoke(app, ["extract", server.url("/mirror/front")])
    assert result.exit_code == 1 and "not an article page" in result.stderr


@pytest.mark.parametrize("path", ARTICLE_PAGES, ids=name)
def test_no_recorded_or_written_article_page_is_refused(path: Path) -> None:
    assert read_page_signals(path.read_text(encoding="utf-8")).is_article


@pytest.mark.parametrize("path", ARTICLE_PAGES, ids=name)
def test_no_article_page_is_refused_even_without_its_article_markup(path: Path) -> None:
    signals = read_page_signals(without_article_markup(path.read_text(encoding="utf-8")))
    assert signals.is_article, signals.describe()


@pytest.mark.parametrize("path", PREDECESSOR_BODIES, ids=name)
def test_no_predecessor_body_is_refused(path: Path) -> None:
    body = path.read_text(encoding="utf-8").split("------", 1)[1]
    assert read_page_signals(f"<html><body>{body}</body></html>").is_article


FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>t</title><link>{{origin}}/</link><description>d</description>
<item><title>BBC 中文主页</title><link>{{origin}}/bbc/front</link><guid>front-bbc</guid></item>
<item><title>法广首页</title><link>{{origin}}/rfi/front</link><guid>front-rfi</guid></item>
<item><title>国防开支</title><link>{{origin}}/rfi/article</link><guid>article-rfi</guid></item>
</channel></rss>"""


@pytest.fixture(scope="module")
def front_page_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int, dict]]:
    """`newsmirror run` over a feed whose items lead to two front pages and one article."""
    routes = {
        "/feed": Route(FEED.encode(), "application/rss+xml"),
        "/bbc/front": Route((REAL / "bbc" / "index_simp_homepage_2025.html").read_bytes()),
        "/rfi/front": Route((REAL / "rfi" / "index_homepage_2025.html").read_bytes()),
        "/rfi/article": Route((REAL / "rfi" / "article_2025-11-30_taiwan-defense-budget.html")
                              .read_bytes()),
    }
    tmp = tmp_path_factory.mktemp("front")
    with LoopbackServer(routes) as server:
        root = make_mirror(tmp / "mirror", [SourceSpec("混合", "mixed", server.url("/feed"),
                                                       "page")])
        result = runner.invoke(app, ["run", "--mirror", str(root), "--no-push",
                                     "--report-json", str(tmp / "report.json")])
    yield root, result.exit_code, json.loads((tmp / "report.json").read_text(encoding="utf-8"))


def test_a_run_with_front_page_items_exits_1(front_page_run: tuple[Path, int, dict]) -> None:
    assert front_page_run[1] == 1


def test_each_front_page_item_is_a_counted_not_article_failure(
        front_page_run: tuple[Path, int, dict]) -> None:
    source = front_page_run[2]["sources"][0]
    assert source["failed"] == 2 and source["new"] == 1
    assert sorted(f["code"] for f in source["failures"]) == ["extract.not_article"] * 2


def test_only_the_article_becomes_an_article_file(front_page_run: tuple[Path, int, dict]) -> None:
    files = [p for p in (front_page_run[0] / "articles").rglob("*.md") if p.name != "README.md"]
    assert len(files) == 1 and "/rfi/article" in files[0].read_text(encoding="utf-8")
