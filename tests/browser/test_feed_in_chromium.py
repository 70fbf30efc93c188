"""An Atom feed opened from the served site reads as a page, not as raw XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from newsmirror.render.atom import FEED_STYLESHEET

pytestmark = pytest.mark.browser
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.mark.parametrize("feed", ["all.xml", "dw.xml"])
def test_feed_opened_in_chromium_renders_a_readable_page(
    served_site, browser, feed: str, artifacts_dir: Path
) -> None:
    document = ET.parse(served_site.root / "feeds" / feed).getroot()
    titles = [e.findtext(f"{ATOM}title") for e in document.findall(f"{ATOM}entry")]
    browser.get(f"{served_site.origin}/feeds/{feed}")
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "ol.entries"))
    assert browser.find_element(By.TAG_NAME, "h1").text == document.findtext(f"{ATOM}title")
    links = browser.find_elements(By.CSS_SELECTOR, "ol.entries a.title")
    assert [a.text for a in links] == titles and len(titles) > 10
    assert "Atom 订阅源" in browser.find_element(By.CSS_SELECTOR, "p.about").text
    browser.save_screenshot(str(artifacts_dir / f"feed-{feed}.png"))
    links[0].click()
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "article h1"))
    assert browser.find_element(By.CSS_SELECTOR, "article h1").text == titles[0]


def test_every_feed_names_the_stylesheet_served_beside_it(served_site) -> None:
    feeds = sorted((served_site.root / "feeds").glob("*.xml"))
    assert len(feeds) >= 3
    for path in feeds:
        assert '<?xml-stylesheet type="text/xsl" href="feed.xsl"?>' in path.read_text("utf-8")
    assert (served_site.root / "feeds" / FEED_STYLESHEET).is_file()
    assert (served_site.root.parent / "feeds" / FEED_STYLESHEET).is_file()
