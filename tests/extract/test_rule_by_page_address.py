"""A page fetched through a proxy or mirror host still gets its outlet's site rule.

The rule is chosen by the fetched address, else by the address the page declares
(canonical link, og:url), else by the feed item's link; and a rule's fingerprint
never depends on the language of the reader's interface.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.support.recorded import REAL
from tools.quality import GOLDEN, Case, load_cases
from typer.testing import CliRunner

from newsmirror.cli import app
from newsmirror.demo.server import LoopbackServer, Route
from newsmirror.extract import extract_article
from newsmirror.extract.metadata import read_page_address
from newsmirror.models import Page

runner = CliRunner()
RFI_PAGE = REAL / "rfi" / "article_2025-11-30_taiwan-defense-budget.html"
RFI_URL = "https://www.rfi.fr/cn/%E6%94%BF%E6%B2%BB/20251130-x"
ENGLISH_WECHAT_NAME = "Weixin Official Accounts Platform"


@dataclass(frozen=True)
class RulePage:
    """A recorded or template article page of an outlet with a rule, and its own address."""

    name: str
    path: Path
    outlet_url: str


def _rule_pages() -> list[RulePage]:
    cases = {c.page_path: c for c in load_cases() if c.rule}
    pages = [RulePage(c.name, c.page_path, c.url) for c in cases.values()]
    for path in sorted(REAL.glob("*/article_*.html")):
        if path not in cases:
            address = read_page_address(path.read_text(encoding="utf-8"))
            assert address is not None, path
            pages.append(RulePage(path.stem, path, address))
    return pages


RULE_PAGES = _rule_pages()


@pytest.fixture(scope="module")
def proxy() -> Iterator[LoopbackServer]:
    """Every page again behind a mirror path, as a proxy or relay serves it."""
    routes = {f"/mirror/{p.name}": Route(p.path.read_bytes()) for p in RULE_PAGES}
    with LoopbackServer(routes) as server:
        yield server


def extract_text(*args: str) -> tuple[str, str]:
    """(method line, body text) that ``newsmirror extract`` prints."""
    result = runner.invoke(app, ["extract", *args, "--format", "text"])
    assert result.exit_code == 0, result.output
    return result.stderr.strip(), result.stdout


def test_the_pages_cover_every_outlet_with_a_rule() -> None:
    rules = {extract_article(Page(p.outlet_url, p.outlet_url, p.path.read_text("utf-8"))).method
             for p in RULE_PAGES}
    assert rules == {"site:bbc", "site:bbc-legacy", "site:voa", "site:dw", "site:rfi",
                     "site:nyt", "site:ft", "site:rfa", "site:cdt", "site:wechat",
                     "site:zhihu-question", "site:zhihu-answer", "site:zhihu-zhuanlan",
                     "site:telegraph", "site:matters", "site:weibo"}


@pytest.mark.parametrize("page", RULE_PAGES, ids=lambda p: p.name)
def test_extract_with_a_proxy_url_gives_the_outlets_text(page: RulePage,
                                                        proxy: LoopbackServer) -> None:
    own = extract_text(str(page.path), "--url", page.outlet_url)
    assert own[0].startswith("method=site:")
    assert extract_text(str(page.path), "--url", proxy.url(f"/mirror/{page.name}")) == own


@pytest.mark.parametrize("page", RULE_PAGES, ids=lambda p: p.name)
def test_extract_of_a_page_fetched_from_a_proxy_gives_the_outlets_text(
        page: RulePage, proxy: LoopbackServer) -> None:
    own = extract_text(str(page.path), "--url", page.outlet_url)
    assert extract_text(proxy.url(f"/mirror/{page.name}")) == own


def test_the_feed_items_link_names_the_outlet_when_the_page_does_not() -> None:
    html = re.sub(r'<link rel="canonical"[^>]*>|<meta property="og:url"[^>]*>', "",
                  RFI_PAGE.read_text(encoding="utf-8"))
    page = Page(url=RFI_URL, final_url="http://127.0.0.1:8080/mirror/rfi/1", html=html)
    assert extract_article(page).method == "site:rfi"


def test_a_fetched_host_with_rules_decides_before_the_declared_address() -> None:
    html = RFI_PAGE.read_text(encoding="utf-8")
    page = Page(url=RFI_URL, final_url="https://www.bbc.com/zhongwen/simp/x", html=html)
    assert extract_article(page).method.startswith("generic")  # bbc's fingerprint: no match


WECHAT_CASES = [c for c in load_cases("real") if c.rule == "wechat"]


def in_english(html: str) -> str:
    """The page as WeChat serves it to a reader whose interface is in English."""
    english, count = re.subn(r'(og:site_name"\s+content=")微信公众平台', rf"\g<1>{ENGLISH_WECHAT_NAME}",
                             html)
    assert count == 1
    return english


@pytest.mark.parametrize("case", WECHAT_CASES, ids=lambda c: c.name)
def test_a_wechat_page_in_an_english_interface_gets_the_wechat_rule(case: Case) -> None:
    page = case.page()
    english = extract_article(Page(page.url, page.final_url, in_english(page.html)))
    assert english.method == "site:wechat"
    assert english.body_html == extract_article(page).body_html


def test_the_english_wechat_page_text_is_the_golden_text() -> None:
    case = next(c for c in WECHAT_CASES if c.name == "wechat-harmonyos")
    with LoopbackServer({"/s/x": Route(in_english(case.page_path.read_text("utf-8")).encode())}) \
            as server:
        _, text = extract_text(server.url("/s/x"))
    assert text.strip() == (GOLDEN / "real" / "wechat-harmonyos.txt").read_text("utf-8").strip()


RELAY_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>relay</title><link>{{origin}}/</link><description>relay</description>
<item><title>台湾国防开支</title><link>{{origin}}/mirror/www.rfi.fr/cn/20251130-1</link>
<guid isPermaLink="false">relay-rfi</guid><pubDate>Sun, 30 Nov 2025 09:13:47 GMT</pubDate>
<description>摘要</description></item>
<item><title>鸿蒙</title><link>{{origin}}/mirror/mp.weixin.qq.com/s/ZhDXTjv5ciEGOZirqQ6BJA</link>
<guid isPermaLink="false">relay-wechat</guid><pubDate>Wed, 18 Dec 2024 10:08:00 GMT</pubDate>
<description>摘要</description></item>
</channel></rss>"""


@pytest.fixture(scope="module")
def relayed_articles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A run over a relay feed whose items lead to pages behind a proxy path on loopback."""
    from tests.support.mirrors import SourceSpec, make_mirror

    from newsmirror.config import load_config
    from newsmirror.pipeline import RunOptions, run

    wechat = next(c for c in WECHAT_CASES if c.name == "wechat-harmonyos").page_path
    routes = {
        "/feed": Route(RELAY_FEED.encode(), "application/rss+xml"),
        "/mirror/www.rfi.fr/cn/20251130-1": Route(RFI_PAGE.read_bytes()),
        "/mirror/mp.weixin.qq.com/s/ZhDXTjv5ciEGOZirqQ6BJA":
            Route(in_english(wechat.read_text("utf-8")).encode()),
    }
    with LoopbackServer(routes) as server:
        root = make_mirror(tmp_path_factory.mktemp("relay") / "mirror",
                           [SourceSpec("转载", "relay", server.url("/feed"), "page")])
        report = run(load_config(root), RunOptions(commit=False, push=False))
    assert report.ok and report.new_count == 2
    files = [p for p in (root / "articles").rglob("*.md") if p.name != "README.md"]
    return {("rfi" if "rfi.fr" in p.read_text("utf-8") else "wechat"): p.read_text("utf-8")
            for p in files}


@pytest.mark.parametrize("name", ["rfi-2025", "wechat-harmonyos"])
def test_a_run_through_a_proxy_path_stores_what_the_outlets_rule_reads(
        name: str, relayed_articles: dict[str, str]) -> None:
    case = next(c for c in load_cases("real") if c.name == name)
    stored = relayed_articles[name.split("-")[0]]
    first_line = case.expected_text.splitlines()[0]
    assert first_line in stored and [s for s in case.must_not if s in stored] == []
