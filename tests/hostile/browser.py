"""Headless Chromium that records every dialog a page tries to open, and reaches no network.

Before any page script runs, ``alert``/``confirm``/``prompt``/``print`` are wrapped
to note the call in ``window.__dialogs``; an unhandled dialog also stays open, so
it is seen either way.  Every non-loopback request goes to a dead proxy and every
host name fails to resolve, so a page under test cannot reach the internet.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, UnexpectedAlertPresentException
from selenium.webdriver.chrome.service import Service

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
MAX_DIALOGS = 20  # a page that keeps opening dialogs has shown enough
_RECORD_DIALOGS = """
window.__dialogs = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  const original = window[name];
  window[name] = function (...args) {
    window.__dialogs.push(name);
    return original.apply(this, args);
  };
}
"""


def start_chromium(profile: Path) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 f"--user-data-dir={profile}", "--proxy-server=http://127.0.0.1:9",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                 "--allow-file-access-from-files"):
        options.add_argument(flag)
    options.set_capability("unhandledPromptBehavior", "ignore")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(20)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _RECORD_DIALOGS})
    return driver


def dialogs_opened(driver: webdriver.Chrome, page: Path) -> list[str]:
    """Load ``page`` and list the dialogs its scripts opened (empty: no script ran)."""
    driver.get(page.as_uri())
    opened = _dismiss_dialogs(driver)
    while len(opened) < MAX_DIALOGS:
        try:
            opened += driver.execute_script(
                "return window.__dialogs || ['no recorder: the page was replaced'];")
            break
        except UnexpectedAlertPresentException:
            opened += _dismiss_dialogs(driver)
    if opened:
        _leave_page(driver)
    return opened


def _leave_page(driver: webdriver.Chrome) -> None:
    """Go to a blank page, so that a page still opening dialogs cannot disturb the next."""
    for _ in range(MAX_DIALOGS):
        try:
            driver.get("about:blank")
            return
        except UnexpectedAlertPresentException:
            _dismiss_dialogs(driver)


def _dismiss_dialogs(driver: webdriver.Chrome) -> list[str]:
    opened = []
    for _ in range(MAX_DIALOGS):
        try:
            alert = driver.switch_to.alert
        except NoAlertPresentException:
            break
        opened.append(f"dialog: {alert.text}")
        alert.dismiss()
    return opened


def new_profile() -> Path:
    return Path(tempfile.mkdtemp(prefix="chromium-profile-"))
