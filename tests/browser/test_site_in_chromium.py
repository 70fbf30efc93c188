"""The built site in headless Chromium: clean console, local requests only, readable, searchable."""

from __future__ import annotations

import json
from urllib.parse import quote, urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.browser

PAGES = ["front", "source", "article"]
WIDTHS_PX = {"phone": 360, "desktop": 1280}


def page_url(site, page: str) -> str:
    path = {"front": "index.html", "source": "bbc/index.html", "article": site.article_page}[page]
    return f"{site.origin}/{path}"


def requested_urls(browser) -> list[str]:
    """Every URL the page asked for: network events plus the Resource Timing entries."""
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    urls += browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    return urls


@pytest.mark.parametrize("page", PAGES)
def test_page_has_no_console_errors(served_site, browser, page: str) -> None:
    browser.get(page_url(served_site, page))
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


@pytest.mark.parametrize("page", PAGES)
def test_page_requests_only_the_local_server(served_site, browser, page: str) -> None:
    browser.get(page_url(served_site, page))
    local = urlsplit(served_site.origin).netloc
    foreign = [u for u in requested_urls(browser)
               if urlsplit(u).scheme in ("http", "https") and urlsplit(u).netloc != local]
    assert foreign == []


def test_article_body_is_visible(served_site, browser) -> None:
    browser.get(page_url(served_site, "article"))
    body = browser.find_element(By.CSS_SELECTOR, "article .body")
    heading = browser.find_element(By.CSS_SELECTOR, "article h1")
    assert (body.is_displayed(), "普京" in body.text, heading.text) == (
        True, True, served_site.article_title)


def test_search_box_finds_fixture_article(served_site, browser) -> None:
    browser.get(page_url(served_site, "front"))
    box = browser.find_element(By.CSS_SELECTOR, "form.search input[name=q]")
    box.send_keys("普京")
    box.submit()
    WebDriverWait(browser, 20).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, "#search-results li"))
    results = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#search-results li")]
    assert any(text.startswith(served_site.article_title) for text in results), results


def test_search_result_shows_source_date_and_snippet(served_site, browser) -> None:
    browser.get(f"{served_site.origin}/search.html?q={quote('普京')}")
    WebDriverWait(browser, 20).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, "#search-results li p mark"))
    first = browser.find_element(By.CSS_SELECTOR, "#search-results li")
    meta = first.find_element(By.CSS_SELECTOR, ".meta").text
    snippet = first.find_element(By.CSS_SELECTOR, "p").text
    assert (" · 20" in meta, "普京" in snippet) == (True, True), (meta, snippet)


@pytest.mark.parametrize("width", WIDTHS_PX.values(), ids=WIDTHS_PX.keys())
def test_article_page_fits_width_and_is_saved_as_screenshot(
    served_site, browser, artifacts_dir, width: int
) -> None:
    browser.set_window_size(width, 800)
    browser.get(page_url(served_site, "article"))
    inner_px = browser.execute_script("return window.innerWidth")
    scroll_px = browser.execute_script("return document.documentElement.scrollWidth")
    name = "phone" if width == WIDTHS_PX["phone"] else "desktop"
    browser.save_screenshot(str(artifacts_dir / f"article-{name}.png"))
    browser.get(page_url(served_site, "front"))
    browser.save_screenshot(str(artifacts_dir / f"front-{name}.png"))
    assert scroll_px <= inner_px


@pytest.mark.parametrize(("scheme", "dark"), [("light", False), ("dark", True)])
def test_page_follows_the_reader_color_scheme(served_site, browser, scheme: str,
                                               dark: bool) -> None:
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {
        "features": [{"name": "prefers-color-scheme", "value": scheme}]})
    try:
        browser.get(page_url(served_site, "article"))
        rgb = browser.execute_script(
            "return getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number)")
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    assert (sum(rgb[:3]) < 3 * 128) == dark, rgb


def test_site_opened_from_disk_is_styled_and_links_work(served_site, browser) -> None:
    browser.get((served_site.root / "index.html").as_uri())
    max_width = browser.execute_script("return getComputedStyle(document.querySelector('main'))"
                                       ".maxWidth")
    browser.find_element(By.CSS_SELECTOR, "section.source h2 a").click()
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert (max_width != "none", browser.current_url.endswith("/index.html"),
            browser.find_elements(By.CSS_SELECTOR, "ol.articles li") != [], errors) == (
        True, True, True, [])
