"""An image whose first address fails loads from the next one in data-fallback."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from tests.browser.conftest import serve_folder
from tests.render.test_site import BUILD_MS, add_article, make_config

from newsmirror.render.site import article_page_path, build_site
from newsmirror.store.articles import ArticleFiles

pytestmark = pytest.mark.browser


def test_failed_image_tries_the_next_fallback(tmp_path: Path, browser) -> None:
    (tmp_path / "media" / "ab").mkdir(parents=True)
    Image.new("RGB", (40, 30), "teal").save(tmp_path / "media" / "ab" / "real.png")
    body = ('<p>图片：</p><img src="../../../../media/ab/missing.png" alt="图" '
            'data-fallback="../../../media/ab/gone.png ../../../media/ab/real.png">')
    record = add_article(tmp_path, 1, body=body)
    build_site(make_config(tmp_path), [record], ArticleFiles(tmp_path), now_ms=BUILD_MS)
    with serve_folder(tmp_path / "docs") as origin:
        browser.get(f"{origin}/{article_page_path(record)}")
        image = browser.find_element(By.CSS_SELECTOR, "article .body img")
        WebDriverWait(browser, 10).until(
            lambda b: b.execute_script("return arguments[0].naturalWidth", image) == 40)
        assert image.get_attribute("src").endswith("/media/ab/real.png")
