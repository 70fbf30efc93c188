"""Which newsmirror a CI workflow installs: exactly the version that wrote it.

In order of preference:

1. ``newsmirror==X.Y.Z`` when the package index has that release (one short
   request to the index's simple API at ``init`` time; no answer counts as no);
2. the source this copy was installed from, at a fixed commit or hash, as PEP 610's
   ``direct_url.json`` records it (a git URL and commit, or an archive URL and hash);
3. a wheel of this very copy, committed beside the workflow.

Never the bare name ``newsmirror``: anyone could publish under it.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, replace
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit

from newsmirror.config import MirrorSettings
from newsmirror.errors import MirrorError
from newsmirror.fetch import Fetcher, FetchPolicy
from newsmirror.version import __version__

PACKAGE = "newsmirror"
DEFAULT_INDEX_URL = "https://pypi.org/simple/"
INDEX_TIMEOUT_S = 5.0
SIMPLE_ACCEPT = "application/vnd.pypi.simple.v1+json, text/html;q=0.1"


@dataclass(frozen=True, slots=True)
class InstallChoice:
    """What the workflow's ``pip install`` line installs, and why."""

    requirement: str
    reason: str
    wheel: bool = False  # the requirement is a wheel file to write beside the workflow


def installed_version() -> str:
    """The version of the newsmirror that is running."""
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return __version__


def installed_origin() -> dict[str, Any] | None:
    """PEP 610's ``direct_url.json`` of this installation (None: installed from an index)."""
    try:
        text = metadata.distribution(PACKAGE).read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    try:
        origin = json.loads(text) if text else None
    except ValueError:
        return None
    return origin if isinstance(origin, dict) else None


def is_published(version: str, index_url: str, *, timeout_s: float = INDEX_TIMEOUT_S) -> bool:
    """True when the index lists a file of ``newsmirror`` ``version``; False if not or no answer."""
    url = index_url.rstrip("/") + f"/{PACKAGE}/"
    settings = replace(MirrorSettings(), connect_timeout_s=timeout_s, read_timeout_s=timeout_s,
                       request_deadline_s=timeout_s, max_retries=0)
    host = urlsplit(url).hostname or ""

    async def fetch_listing() -> bytes:
        async with Fetcher(FetchPolicy.from_settings(settings),
                           trusted_hosts=frozenset({host})) as fetcher:
            return (await fetcher.fetch(url, accept=SIMPLE_ACCEPT)).body

    try:
        listing = asyncio.run(fetch_listing()).decode("utf-8", "replace")
    except MirrorError:  # 404, no network, a timeout: not known to be there
        return False
    return release_listed(listing, version)


def release_listed(listing: str, version: str) -> bool:
    """True when a simple-index page (HTML or JSON) names an sdist or wheel of ``version``."""
    name = re.escape(f"{PACKAGE}-{version}")
    return re.search(rf"(?<![\w.-]){name}(\.tar\.gz|\.zip|-[^\s\"'<>/]*\.whl)", listing,
                     re.IGNORECASE) is not None


def choose_install(version: str, *, published: bool, origin: dict[str, Any] | None,
                   wheel_path: str) -> InstallChoice:
    """The pinned requirement for this version; ``wheel_path`` is where a wheel would go."""
    if published:
        return InstallChoice(f"{PACKAGE}=={version}", f"release {version} is on the package index")
    source = _pinned_source(origin)
    if source is not None:
        return InstallChoice(f"{PACKAGE} @ {source}",
                             "not on the package index; the source it was installed from, pinned")
    return InstallChoice(f"./{wheel_path}", f"{version} is neither on the package index nor "
                         "installed from a pinned source: a wheel of it, committed with the "
                         "workflow", wheel=True)


def _pinned_source(origin: dict[str, Any] | None) -> str | None:
    """A PEP 508 URL of the source at a fixed commit or hash, when ``origin`` has one."""
    if not origin or not str(origin.get("url", "")).startswith(("https://", "http://", "ssh://",
                                                                "git@", "git+")):
        return None  # a local folder or file: a CI runner cannot reach it
    url = str(origin["url"])
    vcs, archive = origin.get("vcs_info"), origin.get("archive_info")
    fragment = f"#subdirectory={origin['subdirectory']}" if origin.get("subdirectory") else ""
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and vcs.get("commit_id"):
        return f"git+{url.removeprefix('git+')}@{vcs['commit_id']}{fragment}"
    hashes = archive.get("hashes", {}) if isinstance(archive, dict) else {}
    if isinstance(hashes, dict) and hashes.get("sha256"):
        return f"{url}#sha256={hashes['sha256']}"
    return None


__all__ = ["DEFAULT_INDEX_URL", "InstallChoice", "choose_install", "installed_origin",
           "installed_version", "is_published", "release_listed"]
