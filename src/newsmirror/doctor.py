"""``newsmirror doctor``: check a mirror's set-up and say what to fix.

Checks, in order: the config file, the git repository and identity, the run
lock, every remote (``git ls-remote``), every enabled source's feed (fetched and
parsed once, without touching the cache), the site rules that stopped matching in
recent runs (from the health record) and the free disk space.  Each check is
a :class:`Check` value; nothing here raises for a failed check.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from newsmirror.config import Config, Source, load_config
from newsmirror.errors import ConfigError, MirrorError
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


def check_mirror(root: Path, *, environ: Mapping[str, str] | None = None) -> list[Check]:
    """Run every check on the mirror at ``root``."""
    try:
        config = load_config(root)
    except ConfigError as exc:
        return [Check("config", "fail", str(exc), "edit newsmirror.toml (see `newsmirror init`)"),
                check_disk_space(root, 500)]
    checks = [Check("config", "ok", f"{len(config.sources)} sources, "
                                    f"{len(config.remotes)} remotes")]
    checks += check_git(root)
    checks.append(check_run_lock(root))
    checks += check_remotes(config, environ=environ)
    checks += asyncio.run(check_feeds(config))
    checks += check_site_rules(config)
    checks.append(check_disk_space(root, config.mirror.min_free_disk_mb))
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


def check_remotes(config: Config, *, environ: Mapping[str, str] | None = None) -> list[Check]:
    if not config.remotes:
        return [Check("remotes", "warn", "no [[remotes]]: the mirror lives on this machine only",
                      "add [[remotes]] tables (name, url) to newsmirror.toml")]
    checks = []
    for remote in config.remotes:
        name = f"remote {remote.name}"
        try:
            heads = list_remote_heads(config.root, remote, environ=environ)
        except MirrorError as exc:
            checks.append(Check(name, "fail", str(exc),
                                f"check the URL; for credentials set {token_variable(remote.name)}"
                                " or configure git's credential helper or SSH key"))
            continue
        checks.append(Check(name, "ok", f"reachable, {len(heads)} branches"))
    return checks


async def check_feeds(config: Config) -> list[Check]:
    sources = [s for s in config.sources if s.enabled]
    policy = FetchPolicy.from_settings(config.mirror)
    trusted = frozenset(urlsplit(s.feed).hostname or "" for s in sources)
    async with Fetcher(policy, trusted_hosts=trusted) as fetcher:
        return list(await asyncio.gather(*(check_feed(fetcher, s) for s in sources)))


async def check_feed(fetcher: Fetcher, source: Source) -> Check:
    name = f"feed {source.slug}"
    try:
        result = await fetcher.fetch(source.feed, accept=FEED_ACCEPT)
        feed = await asyncio.to_thread(parse_feed, result.body, result.final_url,
                                       content_type=result.content_type)
    except MirrorError as exc:
        return Check(name, "fail", str(exc),
                     "check the feed URL in a browser; if the outlet moved it, update "
                     "[[sources]] feed, or set enabled = false to pause the source")
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


def check_disk_space(root: Path, min_free_mb: int) -> Check:
    existing = next((p for p in (root, *root.parents) if p.exists()), Path("."))
    free_mb = shutil.disk_usage(existing).free // 1_000_000
    if free_mb < min_free_mb:
        return Check("disk space", "fail", f"{free_mb} MB free (less than {min_free_mb} MB)",
                     "free some space, or move the mirror to a larger disk")
    return Check("disk space", "ok", f"{free_mb} MB free")


def render_checks(checks: list[Check]) -> str:
    """One line per check, with what to fix under each that is not ok."""
    marks = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}
    lines = []
    for check in checks:
        lines.append(f"{marks[check.level]} {check.name}: {check.detail}")
        if check.level != "ok" and check.fix:
            lines.append(f"     fix: {check.fix}")
    return "\n".join(lines) + "\n"


__all__ = ["Check", "check_disk_space", "check_feed", "check_feeds", "check_git",
           "check_mirror", "check_remotes", "check_run_lock", "check_site_rules",
           "render_checks"]
