"""Headless Chromium over a site built from the recorded fixtures and served on loopback."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from tests.render.test_site import BUILD_MS
from tests.support.recorded import make_recorded_mirror, recorded_routes

from newsmirror.config import load_config
from newsmirror.demo.server import LoopbackServer
from newsmirror.pipeline import RunOptions, run
from newsmirror.render.site import article_page_path, build_site
from newsmirror.store.articles import ArticleFiles
from newsmirror.store.index import ArchiveIndex

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@dataclass(frozen=True)
class ServedSite:
    """A built site, its address on loopback and one article page to look at."""

    root: Path
    origin: str
    article_page: str
    article_title: str


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


def _pick_article(root: Path) -> tuple[str, str]:
    """A DW article: its body is in the feed, so it is long and has no images."""
    index = ArchiveIndex.open(root)
    try:
        records = [r for r in index.all_records("dw") if "普京" in r.title]
    finally:
        index.close()
    return article_page_path(records[0]), records[0].title


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port) in a thread; yields its origin."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def recorded_site_mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The ``recorded_mirror`` fixture's mirror, made once per module, after one pipeline run.

    Module-scoped so that the browser tests share one run (the function-scoped
    ``recorded_mirror`` would repeat it for every test).
    """
    with LoopbackServer(recorded_routes()) as server:
        origin = server.origin
        root = make_recorded_mirror(tmp_path_factory.mktemp("browser") / "mirror", origin)
        run(load_config(root), RunOptions(commit=False))
    yield root


@pytest.fixture(scope="module")
def served_site(recorded_site_mirror: Path) -> Iterator[ServedSite]:
    """The site of the recorded mirror, built without remote images, served on loopback."""
    config = load_config(recorded_site_mirror)
    local_only = dataclasses.replace(
        config, mirror=dataclasses.replace(config.mirror, site_remote_images=False))
    index = ArchiveIndex.open(recorded_site_mirror)
    try:
        build_site(local_only, index.all_records(), ArticleFiles(local_only.root), now_ms=BUILD_MS)
    finally:
        index.close()
    site = recorded_site_mirror / config.mirror.site_dir
    page, title = _pick_article(recorded_site_mirror)
    with serve_folder(site) as origin:
        yield ServedSite(site, origin, page, title)


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One headless Chromium for the session, logging console messages and network events."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("chromium and chromedriver are not installed (make browser-deps)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-dev-shm-usage",
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture()
def browser(chromium: object) -> object:
    """The session's Chromium with its logs emptied and a desktop-sized window."""
    chromium.set_window_size(1280, 900)  # type: ignore[attr-defined]
    chromium.get_log("browser")  # type: ignore[attr-defined]
    chromium.get_log("performance")  # type: ignore[attr-defined]
    return chromium


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
