"""The site's search in headless Chromium, over the recorded fixtures and a few own articles.

The site is served by a plain static web server (as a git host's pages serve it),
never by ``newsmirror serve``.  Expected results come from the articles' own
text: an article must be found exactly when its title or text contains the query
(after folding traditional to simplified characters), and ``newsmirror search``
must find the same articles.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from tests.browser.conftest import serve_folder
from tests.render.test_site import BUILD_MS, DAY_MS, START_MS, add_article

from newsmirror.clean.sanitize import plain_text
from newsmirror.config import Config, load_config
from newsmirror.models import ArticleRecord
from newsmirror.outputs import search_archive
from newsmirror.render.site import article_page_path, build_site
from newsmirror.search.terms import fold, parse_query
from newsmirror.store.articles import ArticleFiles
from newsmirror.store.index import ArchiveIndex

pytestmark = pytest.mark.browser

WAIT_S = 30
PAGED_WORD = "分页测试"
PAGED_COUNT = 25
# Articles the recorded fixtures lack: mixed Latin, a word inside a sentence, a made-up name.
OWN_ARTICLES = {
    1: ("台湾公布防空计划", "<p>国防部说，T-Dome（台湾之盾）防空系统将在三年内部署。</p>"
                           "<p>美国同日宣布新的出口管制措施。</p>"),
    2: ("疫情五年回顾", "<p>COVID-19 疫情期间，许多城市实行封锁。</p>"),
    3: ("記者來信", "<p>本台記者司馬青嵐從台北報道：立法院今天休會。</p>"),
}


@dataclass(frozen=True)
class SearchSite:
    """The served site, the mirror's config and every article's folded text by page."""

    origin: str
    config: Config
    texts: dict[str, str]
    page_by_path: dict[str, str]


def _add_own_articles(root: Path) -> None:
    index = ArchiveIndex.open(root)
    try:
        for n, (title, body) in OWN_ARTICLES.items():
            index.save(add_article(root, n, source="dw", title=title, body=body))
        for n in range(PAGED_COUNT):
            index.save(add_article(root, 100 + n, source="nyt", title=f"{PAGED_WORD}第{n + 1}篇",
                                   body=f"<p>这是第{n + 1}篇用来检查{PAGED_WORD}的文章。</p>"))
    finally:
        index.close()


@pytest.fixture(scope="module")
def search_site(recorded_site_mirror: Path) -> Iterator[SearchSite]:
    _add_own_articles(recorded_site_mirror)
    config = load_config(recorded_site_mirror)
    local_only = dataclasses.replace(
        config, mirror=dataclasses.replace(config.mirror, site_remote_images=False))
    index = ArchiveIndex.open(recorded_site_mirror)
    try:
        records = list(index.all_records())
    finally:
        index.close()
    build_site(local_only, records, ArticleFiles(local_only.root), now_ms=BUILD_MS)
    texts = {article_page_path(r): _folded_text(config, r) for r in records}
    pages = {r.path: article_page_path(r) for r in records}
    with serve_folder(recorded_site_mirror / config.mirror.site_dir) as origin:
        yield SearchSite(origin, config, texts, pages)


def add_article_time(n: int) -> int:
    """When ``add_article(root, n)`` says the article was published."""
    return START_MS + n * DAY_MS // 4


def _folded_text(config: Config, record: ArticleRecord) -> str:
    return fold(record.title + "\n" + plain_text(ArticleFiles(config.root).body(record.path) or ""))


def expected_pages(site: SearchSite, query: str) -> set[str]:
    """Pages whose folded title or text contains every run of the query."""
    runs = [run.text for run in parse_query(query).runs]
    return {page for page, text in site.texts.items() if all(run in text for run in runs)}


def open_search(browser, site: SearchSite, query: str, page: int = 1) -> str:
    browser.get(f"{site.origin}/search.html?q={quote(query)}&p={page}")
    WebDriverWait(browser, WAIT_S).until(
        lambda b: b.find_element(By.ID, "search-status").text not in ("", "正在搜索…")
        and not b.find_element(By.ID, "search-status").text.startswith("输入"))
    return browser.find_element(By.ID, "search-status").text


def result_pages(browser, site: SearchSite, query: str) -> list[str]:
    """Every result's page path, following the pages of results."""
    pages: list[str] = []
    number = 1
    while True:
        open_search(browser, site, query, number)
        links = browser.find_elements(By.CSS_SELECTOR, "#search-results li > a")
        pages += [urlsplit(a.get_attribute("href")).path.lstrip("/") for a in links]
        if not browser.find_elements(By.CSS_SELECTOR, "#search-pages a[rel=next]"):
            return pages
        number += 1


QUERIES = {
    "common-word": "大火",
    "place": "台湾",
    "full-name": "梁振英",
    "part-of-a-name": "振英",
    "part-of-a-made-up-name": "青岚",
    "latin-with-hyphen": "T-Dome",
    "latin-and-digits": "COVID-19",
    "word-inside-a-sentence": "出口管制",
    "simplified-finds-traditional": "裝甲兵",
    "traditional-finds-simplified": "火災",
    "simplified-for-traditional-article": "女性军人",
    "two-words": "香港 大火",
}


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_search_finds_exactly_the_articles_containing_the_query(search_site, browser,
                                                                 query: str) -> None:
    found = result_pages(browser, search_site, query)
    expected = expected_pages(search_site, query)
    assert (sorted(found), len(found) == len(set(found))) == (sorted(expected), True)
    assert expected


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_browser_and_cli_find_the_same_articles(search_site, browser, query: str) -> None:
    hits = search_archive(search_site.config, query, limit=10_000)
    cli_pages = {search_site.page_by_path[hit.path] for hit in hits}
    assert set(result_pages(browser, search_site, query)) == cli_pages


def random_pieces(site: SearchSite, count: int) -> list[str]:
    """Pieces of two to five Chinese characters of the fixtures' text, chosen at random."""
    rng = random.Random(13)
    runs = sorted({run for text in site.texts.values()
                   for run in re.findall(r"[\u4e00-\u9fff]{5,}", text)})
    pieces = []
    for run in rng.sample(runs, count):
        length = rng.randint(2, 5)
        start = rng.randrange(len(run) - length + 1)
        pieces.append(run[start:start + length])
    return pieces


def test_browser_and_cli_agree_on_random_pieces_of_the_fixtures(search_site, browser) -> None:
    differing = {}
    for query in random_pieces(search_site, 12):
        cli = {search_site.page_by_path[h.path]
               for h in search_archive(search_site.config, query, limit=10_000)}
        found = set(result_pages(browser, search_site, query))
        if found != cli or not found:
            differing[query] = (len(found), len(cli))
    assert differing == {}


@pytest.mark.parametrize("query", ["台湾香港大火", "普京 装甲兵", "COVID-19 梁振英"],
                         ids=["phrase", "two-runs", "latin-and-name"])
def test_phrase_in_no_article_finds_nothing(search_site, browser, query: str) -> None:
    status = open_search(browser, search_site, query)
    assert (status.startswith("没有找到"), expected_pages(search_site, query),
            browser.find_elements(By.CSS_SELECTOR, "#search-results li")) == (True, set(), [])


def test_match_is_highlighted_in_the_article_own_characters(search_site, browser) -> None:
    open_search(browser, search_site, "装甲兵")
    marks = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "#search-results mark")]
    assert marks and set(marks) == {"裝甲兵"}, marks


def test_title_match_is_highlighted(search_site, browser) -> None:
    open_search(browser, search_site, "防空计划")
    title = browser.find_element(By.CSS_SELECTOR, "#search-results li > a")
    assert title.find_element(By.TAG_NAME, "mark").text == "防空计划"


def test_results_are_counted_paged_and_newest_first(search_site, browser) -> None:
    status = open_search(browser, search_site, PAGED_WORD)
    first = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#search-results li > a")]
    browser.find_element(By.CSS_SELECTOR, "#search-pages a[rel=next]").click()
    WebDriverWait(browser, WAIT_S).until(
        lambda b: "p=2" in b.current_url and b.find_elements(By.CSS_SELECTOR, "#search-results li"))
    second = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#search-results li > a")]
    numbers = [int(re.search(r"第(\d+)篇", t).group(1)) for t in first + second]
    assert (f"找到 {PAGED_COUNT} 篇" in status, len(first), numbers) == (
        True, 20, list(range(PAGED_COUNT, 0, -1)))


def test_result_shows_source_date_and_summary(search_site, browser) -> None:
    open_search(browser, search_site, "COVID-19")
    item = browser.find_element(By.CSS_SELECTOR, "#search-results li")
    meta = item.find_element(By.CSS_SELECTOR, ".meta").text
    summary = item.find_element(By.CSS_SELECTOR, "p").text
    published = datetime.fromtimestamp(add_article_time(2) / 1000, search_site.config.tz)
    assert (meta, summary) == (f"德国之声 · {published:%Y-%m-%d}", "COVID-19 疫情期间，许多城市实行封锁。")


def test_single_character_asks_for_two(search_site, browser) -> None:
    status = open_search(browser, search_site, "火")
    assert status == "请输入两个或更多汉字：单个汉字无法搜索。"


SAMPLES = ["裝甲兵與女性軍人", "T-Dome（台灣之盾）", "ＣＯＶＩＤ－１９疫情", "iPhone15 Pro",
           "Ⅻ号 café ÄÖÜ", "𠀀𠀁 臺灣", "2024年 第3季度", "火", "美國總統特朗普今天表示",
           "中华人民共和国 外交部发言人"]


def test_browser_cuts_queries_into_the_same_terms_as_python(search_site, browser) -> None:
    browser.get(f"{search_site.origin}/search.html")
    chars = json.loads((search_site.config.root / "docs/search/chars.json").read_text("utf-8"))
    found = browser.execute_script(
        "var fold = newsmirrorSearch.makeFolder(arguments[0]);"
        "return arguments[1].map(function (q) { var p = newsmirrorSearch.parseQuery(fold(q));"
        "  return [p.runs, p.terms, p.single]; });", chars, SAMPLES)
    expected = [[[r.text for r in q.runs], list(q.terms), list(q.single_han)]
                for q in map(parse_query, SAMPLES)]
    assert found == expected


def test_search_fetches_only_files_of_the_site(search_site, browser) -> None:
    open_search(browser, search_site, "香港")
    urls = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    local = urlsplit(search_site.origin).netloc
    assert [u for u in urls if urlsplit(u).netloc != local] == []
    assert any("/search/docs/" in u for u in urls)


def test_search_from_disk_says_how_to_search(search_site, browser) -> None:
    page = (search_site.config.root / "docs/search.html").as_uri()
    browser.get(f"{page}?q={quote('台湾')}")
    status = browser.find_element(By.ID, "search-status").text
    assert "newsmirror serve" in status and "本地文件" in status


def test_result_page_fits_a_phone_and_is_saved_as_screenshot(search_site, browser,
                                                             tmp_path: Path) -> None:
    browser.set_window_size(390, 844)
    open_search(browser, search_site, "大火")
    inner_px = browser.execute_script("return window.innerWidth")
    scroll_px = browser.execute_script("return document.documentElement.scrollWidth")
    shot = tmp_path / "search-results-phone.png"
    browser.save_screenshot(str(shot))
    assert (scroll_px <= inner_px, shot.stat().st_size > 10_000) == (True, True)


def test_latin_words_are_highlighted_as_whole_words(search_site, browser) -> None:
    open_search(browser, search_site, "T-Dome")
    summary = browser.find_element(By.CSS_SELECTOR, "#search-results li p")
    marks = [m.text for m in summary.find_elements(By.TAG_NAME, "mark")]
    assert marks == ["T", "Dome"]
