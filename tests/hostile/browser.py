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
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
_RECORD_DIALOGS = """
window.__dialogs = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  const original = window[name];
  window[name] = function (...args) { window.__dialogs.push(name); return original.apply(this, args); };
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
    opened: list[str] = []
    try:
        alert = driver.switch_to.alert
        opened.append(f"open dialog: {alert.text}")
        alert.dismiss()
    except NoAlertPresentException:
        pass
    opened += driver.execute_script("return window.__dialogs || ['no recorder: page replaced'];")
    return opened


def new_profile() -> Path:
    return Path(tempfile.mkdtemp(prefix="chromium-profile-"))
