"""The mirrored site, opened in headless Chromium: no hostile script runs, no dialog opens."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver

from tests.hostile.browser import dialogs_opened, new_profile, start_chromium
from tests.hostile.corpus import PAYLOADS
from tests.hostile.mirror import HostileMirror

pytestmark = pytest.mark.browser
# Payloads that fire again each time their dialog closes (focus returns, marquee loops).
REPEATING = {"onfocus-autofocus", "onstart-marquee"}


@pytest.fixture(scope="module")
def chromium() -> Iterator[webdriver.Chrome]:
    profile = new_profile()
    driver = start_chromium(profile)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def test_detector_sees_a_script_that_does_run(chromium: webdriver.Chrome, tmp_path: Path) -> None:
    """The control: an unsanitised payload is caught, so a clean result means something."""
    page = tmp_path / "raw.html"
    page.write_text("<!DOCTYPE html><p>x</p><img src=x onerror=alert(1)>", encoding="utf-8")
    assert dialogs_opened(chromium, page) != []


def test_raw_corpus_is_live_in_this_browser(chromium: webdriver.Chrome, tmp_path: Path) -> None:
    """The corpus unsanitised does open dialogs here: its payloads are real, not inert."""
    page = tmp_path / "corpus.html"
    once = [payload for name, payload in PAYLOADS if name not in REPEATING]
    page.write_text("<!DOCTYPE html>" + "".join(once), encoding="utf-8")
    assert len(dialogs_opened(chromium, page)) >= 1


def test_no_page_of_the_mirrored_site_runs_hostile_script(
    chromium: webdriver.Chrome, hostile_mirror: HostileMirror
) -> None:
    pages = hostile_mirror.site_pages()
    assert len(pages) > 3 * 80  # every article page, plus the indexes and month pages
    ran = {str(p.relative_to(hostile_mirror.root)): d
           for p in pages if (d := dialogs_opened(chromium, p))}
    assert ran == {}


def test_no_article_body_runs_script_on_its_own(
    chromium: webdriver.Chrome, hostile_mirror: HostileMirror, tmp_path: Path
) -> None:
    """Bodies as a bare document too (no site template), as a Markdown view shows them."""
    bodies = []
    for article in sorted((hostile_mirror.root / "articles").rglob("*.md")):
        if article.name != "README.md":
            bodies.append(article.read_text(encoding="utf-8").split("\n")[4])
    page = tmp_path / "bodies.html"
    page.write_text("<!DOCTYPE html><meta charset='utf-8'>" + "<hr>".join(bodies), encoding="utf-8")
    assert dialogs_opened(chromium, page) == []
