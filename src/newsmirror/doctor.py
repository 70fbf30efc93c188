"""``newsmirror doctor``: check a mirror's set-up and say what to fix.

Checks, in order: the config file, the git repository and identity, the run
lock, every remote (``git ls-remote``), every enabled source's feed (fetched and
parsed once, without touching the cache), the site rules that stopped matching in
recent runs (from the health record) and the free disk space.  Each check is
a :class:`Check` value, handed to ``on_check`` as soon as it is done (feeds as
each answers), so a terminal shows progress; nothing here raises for a failed
check.  A failed feed or remote carries the cause seen (DNS, TLS, timeout,
refused connection, HTTP status, not a feed, credentials) and the fix for it.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from newsmirror.config import Config, Source, load_config
from newsmirror.errors import ConfigError, HTTPStatusError, MirrorError
from newsmirror.feeds import parse_feed
from newsmirror.fetch import FEED_ACCEPT, Fetcher, FetchPolicy
from newsmirror.health import format_time, load_health
from newsmirror.publish import (
    FALLBACK_IDENTITY,
    is_repository,
    list_remote_heads,
    run_git,
    token_variable,
)
from newsmirror.store.lock import is_process_alive, read_lock_holder

Level = Literal["ok", "warn", "fail"]


@dataclass(frozen=True, slots=True)
class Check:
    """One finding: what was checked, how it went, and what to do about it."""

    name: str
    level: Level
    detail: str
    fix: str = ""
    cause: str = ""  # for a failure: what kind of failure it was


OnCheck = Callable[[Check], None]

# What a failed feed fetch means, by error code: (cause, fix).
FEED_DIAGNOSES: dict[str, tuple[str, str]] = {
    "fetch.dns": ("DNS: the host name does not resolve",
                  "check the host in the feed URL; if it resolves elsewhere, this network's DNS "
                  "blocks it: use another resolver, or a relay or mirror host of the feed"),
    "fetch.tls": ("TLS: the secure connection failed (certificate, or HTTPS intercepted)",
                  "check this machine's clock and CA certificates (ca-certificates); a firewall "
                  "that intercepts HTTPS does this too: use another network or a relay host"),
    "fetch.timeout": ("timeout: no answer in time",
                      "the host is slow or silently blocked from here: try again, raise "
                      "connect_timeout_s / read_timeout_s, or use a relay or mirror host"),
    "fetch.refused": ("connection refused: nothing answers at that address and port",
                      "check the port in the feed URL; the host may be down"),
    "fetch.blocked_address": ("private address: the host resolves to a private network",
                              "fix the host's DNS, or set allow_private_networks = true if a "
                              "local relay is meant"),
    "fetch.too_large": ("too large: the answer passes max_response_bytes",
                        "check the URL is the feed; raise max_response_bytes if it is"),
    "feed.invalid": ("not a feed: the answer is not RSS or Atom (a web page?)",
                     "open the URL in a browser; put the page's RSS/Atom address in "
                     "[[sources]] feed"),
}
FALLBACK_DIAGNOSIS = ("network error", "check this machine's network and the feed URL")
# What a failed `git ls-remote` says, by a phrase in git's message: (cause, fix).
REMOTE_DIAGNOSES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("could not resolve host",), "DNS: the host name does not resolve",
     "check the host in the remote's URL, and this network's DNS"),
    (("ssl", "certificate", "gnutls"), "TLS: the secure connection failed",
     "check this machine's clock and CA certificates"),
    (("timed out", "timeout"), "timeout: no answer in time", "the host is slow or blocked from "
     "here: try again later or from another network"),
    (("authentication failed", "could not read username", "permission denied", "403"),
     "credentials: the remote refused who we are",
     "set {token}, or configure git's credential helper or SSH key"),
    (("not found", "does not appear to be a git repository", "no such file"),
     "not there: no repository at that URL", "check the URL; create the repository first"),
    (("connection refused",), "connection refused", "check the URL's host and port"),
)


def check_mirror(root: Path, *, environ: Mapping[str, str] | None = None,
                 on_check: OnCheck | None = None) -> list[Check]:
    """Run every check on the mirror at ``root``, handing each to ``on_check`` when done."""
    checks: list[Check] = []

    def done(check: Check) -> None:
        checks.append(check)
        if on_check is not None:
            on_check(check)

    try:
        config = load_config(root)
    except ConfigError as exc:
        done(Check("config", "fail", str(exc), "edit newsmirror.toml (see `newsmirror init`)"))
        done(check_disk_space(root, 500))
        return checks
    done(Check("config", "ok", f"{len(config.sources)} sources, {len(config.remotes)} remotes"))
    for check in (*check_git(root), check_run_lock(root)):
        done(check)
    check_remotes(config, environ=environ, on_check=done)
    asyncio.run(check_feeds(config, on_check=done))
    for check in check_site_rules(config):
        done(check)
    done(check_disk_space(root, config.mirror.min_free_disk_mb))
    return checks


def check_git(root: Path) -> list[Check]:
    if not is_repository(root):
        return [Check("git", "fail", f"not a git repository: {root}",
                      "run `git init` in the mirror (or `newsmirror init`)")]
    missing = [key for key in ("user.name", "user.email")
               if not run_git(root, "config", key, check=False).strip()]
    if missing:
        return [Check("git identity", "warn",
                      f"{' and '.join(missing)} not set; commits are made as "
                      f"{FALLBACK_IDENTITY[0]} <{FALLBACK_IDENTITY[1]}>",
                      'git config user.name "Your Name" && git config user.email you@example.org')]
    return [Check("git identity", "ok", "user.name and user.email are set")]


def check_run_lock(root: Path) -> Check:
    holder = read_lock_holder(root)
    if holder is not None and is_process_alive(holder.pid):
        return Check("run lock", "warn", f"held by pid {holder.pid} on {holder.host}",
                     "wait for that run to end (a lock of a dead process is taken over)")
    return Check("run lock", "ok", "free")


def check_remotes(config: Config, *, environ: Mapping[str, str] | None = None,
                  on_check: OnCheck | None = None) -> list[Check]:
    checks = []
    if not config.remotes:
        checks.append(Check("remotes", "warn",
                            "no [[remotes]]: the mirror lives on this machine only",
                            "add [[remotes]] tables (name, url) to newsmirror.toml"))
    for remote in config.remotes:
        try:
            heads = list_remote_heads(config.root, remote, environ=environ)
            check = Check(f"remote {remote.name}", "ok", f"reachable, {len(heads)} branches")
        except MirrorError as exc:
            cause, fix = diagnose_remote(str(exc))
            check = Check(f"remote {remote.name}", "fail", str(exc),
                          fix.replace("{token}", token_variable(remote.name)), cause)
        checks.append(check)
    for check in checks:
        if on_check is not None:
            on_check(check)
    return checks


def diagnose_remote(message: str) -> tuple[str, str]:
    """(cause, fix) for a failed ``git ls-remote``, from git's message."""
    lowered = message.lower()
    for phrases, cause, fix in REMOTE_DIAGNOSES:
        if any(phrase in lowered for phrase in phrases):
            return cause, fix
    return "git failed", "run the git command by hand in the mirror to see more"


async def check_feeds(config: Config, *, on_check: OnCheck | None = None) -> list[Check]:
    """Every enabled source's feed, fetched at once; each reported as soon as it answers."""
    sources = [s for s in config.sources if s.enabled]
    policy = FetchPolicy.from_settings(config.mirror)
    trusted = frozenset(urlsplit(s.feed).hostname or "" for s in sources)
    checks = []
    async with Fetcher(policy, trusted_hosts=trusted) as fetcher:
        for finished in asyncio.as_completed([check_feed(fetcher, s) for s in sources]):
            check = await finished
            checks.append(check)
            if on_check is not None:
                on_check(check)
    return checks


async def check_feed(fetcher: Fetcher, source: Source) -> Check:
    name = f"feed {source.slug}"
    try:
        result = await fetcher.fetch(source.feed, accept=FEED_ACCEPT)
        feed = await asyncio.to_thread(parse_feed, result.body, result.final_url,
                                       content_type=result.content_type)
    except MirrorError as exc:
        cause, fix = diagnose_feed(exc)
        return Check(name, "fail", str(exc), fix, cause)
    return Check(name, "ok", f"{len(feed.entries)} items")


def check_site_rules(config: Config) -> list[Check]:
    """Site rules that stopped matching their outlet's pages in recent runs (from the health record)."""
    failing = sorted(load_health(config.root).rules.values(), key=lambda r: (r.source, r.rule))
    if not failing:
        return [Check("site rules", "ok", "none stopped matching in recent runs")]
    return [Check(f"site rule {r.rule}", "warn",
                  f"failing on {r.host} (source {r.source}) since "
                  f"{format_time(r.since_ms, config.tz)}: {r.pages} pages stored as the generic "
                  f"extractor read them; last {r.last_url or '—'} "
                  f"({r.last_rule_chars} / {r.last_generic_chars} characters)",
                  f"the outlet changed its pages: the [[site]] rule {r.rule!r} in newsmirror's "
                  "rules/sites.toml needs new selectors (try them with `newsmirror extract "
                  "PAGE_URL --rules FILE`), or upgrade to a release that has them")
            for r in failing]


def diagnose_feed(error: MirrorError) -> tuple[str, str]:
    """(cause, fix) for a feed that could not be read."""
    if isinstance(error, HTTPStatusError):
        return _diagnose_status(error.status)
    return FEED_DIAGNOSES.get(error.code, FALLBACK_DIAGNOSIS)


def _diagnose_status(status: int) -> tuple[str, str]:
    if status in (404, 410):
        return (f"HTTP {status}: the feed is not at this address (moved or removed)",
                "find the outlet's current feed address and update [[sources]] feed, or set "
                "enabled = false to pause the source")
    if status in (401, 403, 451):
        return (f"HTTP {status}: the server refuses this machine (blocked or geofenced)",
                "fetch the feed through a relay or mirror host that can reach it")
    if status == 429 or status >= 500:
        return (f"HTTP {status}: the server is overloaded or limiting requests",
                "try again later; the hourly runs retry by themselves")
    return f"HTTP {status}: unexpected answer", "open the feed URL in a browser to see why"


def check_disk_space(root: Path, min_free_mb: int) -> Check:
    existing = next((p for p in (root, *root.parents) if p.exists()), Path("."))
    free_mb = shutil.disk_usage(existing).free // 1_000_000
    if free_mb < min_free_mb:
        return Check("disk space", "fail", f"{free_mb} MB free (less than {min_free_mb} MB)",
                     "free some space, or move the mirror to a larger disk")
    return Check("disk space", "ok", f"{free_mb} MB free")


def render_check(check: Check) -> str:
    """A check's line, then (when it is not ok) the cause seen and what to fix."""
    marks = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}
    lines = [f"{marks[check.level]} {check.name}: {check.detail}"]
    if check.level != "ok" and check.cause:
        lines.append(f"     cause: {check.cause}")
    if check.level != "ok" and check.fix:
        lines.append(f"     fix: {check.fix}")
    return "\n".join(lines) + "\n"


def render_checks(checks: list[Check]) -> str:
    """Every check, as :func:`render_check` shows it."""
    return "".join(render_check(check) for check in checks)


__all__ = ["FEED_DIAGNOSES", "Check", "check_disk_space", "check_feed", "check_feeds",
           "check_git", "check_mirror", "check_remotes", "check_run_lock", "check_site_rules",
           "diagnose_feed",
           "diagnose_remote", "render_check", "render_checks"]
