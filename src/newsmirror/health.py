"""How each source and remote is doing, kept across runs and shown in ``STATUS.md``.

Two places hold it:

- ``.newsmirror/health.json`` (the cache) has everything, updated every run:
  last success, last error, consecutive failures, last successful push.
- ``STATUS.md`` (committed) shows readers and volunteers each source's and
  remote's *state*: ok, failing, stalled or paused, since when, the last error of
  a failing one and the last success before it.  It is rewritten only when one of
  those states changes, never for a quiet run, so a run with nothing new makes no
  commit.  Its figures (articles in 24 h and 7 days) are as of that rewrite.  The
  states it shows are also kept as JSON in an HTML comment at its end.

Site rules that stopped matching a source's pages (the extractor kept the generic
reading instead) are kept the same way, with the pages counted, until a run in
which the rule reads all its pages again; ``STATUS.md`` lists them.

A fresh machine or a CI runner whose cache was evicted has no ``health.json``; it
starts from the state block in the committed ``STATUS.md`` (a failing source
counts one failure so far; last-success times come back with the next run).
Article counts and the usual gap between articles always come from the index.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from newsmirror.config import Config
from newsmirror.models import PushResult, RunReport
from newsmirror.store.files import CACHE_DIR, write_atomic
from newsmirror.store.index import ArchiveIndex
from newsmirror.times import format_local

log = logging.getLogger(__name__)

STATUS_FILENAME = "STATUS.md"
HEALTH_FILENAME = "health.json"
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
GAP_SAMPLE = 50
GAP_WINDOW_MS = 30 * DAY_MS  # the usual gap looks at a month of publishing, not the archive
RECENT_SAMPLE = 2000
# STATUS.md speaks the mirror's language, as the site and the feeds do (Chinese).
STATE_NAMES = {"ok": "正常", "failing": "失败", "stalled": "停滞", "paused": "已暂停",
               "new": "新加入"}
_STATE_BLOCK = re.compile(r"<!-- newsmirror-state: (\{.*\}) -->", re.S)


@dataclass(slots=True)
class SourceHealth:
    """What the mirror remembers of one source across runs."""

    slug: str
    state: str = "new"
    state_since_ms: int | None = None
    last_success_ms: int | None = None
    last_failure_ms: int | None = None
    last_error: str | None = None
    last_error_code: str | None = None
    consecutive_failures: int = 0


@dataclass(slots=True)
class RemoteHealth:
    """What the mirror remembers of pushing to one remote."""

    name: str
    state: str = "new"
    state_since_ms: int | None = None
    last_push_ms: int | None = None
    last_pushed_commit: str | None = None
    last_failure_ms: int | None = None
    last_error: str | None = None
    consecutive_failures: int = 0


@dataclass(slots=True)
class RuleHealth:
    """A site rule that stopped matching a source's pages, kept until it reads one again."""

    source: str
    rule: str
    host: str
    since_ms: int
    pages: int = 0
    last_failure_ms: int | None = None
    last_url: str = ""
    last_rule_chars: int = 0
    last_generic_chars: int = 0


@dataclass(slots=True)
class Health:
    """All sources' and remotes' health; load with :func:`load_health`."""

    sources: dict[str, SourceHealth] = field(default_factory=dict)
    remotes: dict[str, RemoteHealth] = field(default_factory=dict)
    rules: dict[str, RuleHealth] = field(default_factory=dict)  # by "source/rule"

    def source(self, slug: str) -> SourceHealth:
        return self.sources.setdefault(slug, SourceHealth(slug))

    def remote(self, name: str) -> RemoteHealth:
        return self.remotes.setdefault(name, RemoteHealth(name))


@dataclass(frozen=True, slots=True)
class SourceActivity:
    """What the index says of a source's articles, as of ``as_of_ms``."""

    new_24h: int
    new_7d: int
    last_new_ms: int | None  # when the mirror last saw a new article (first seen)
    usual_gap_ms: int | None
    newest_published_ms: int | None = None  # the newest article by publication time


@dataclass(frozen=True, slots=True)
class SourceStatus:
    name: str
    health: SourceHealth
    activity: SourceActivity
    enabled: bool


@dataclass(frozen=True, slots=True)
class MirrorStatus:
    """Everything ``newsmirror status`` and ``STATUS.md`` show."""

    as_of_ms: int
    sources: tuple[SourceStatus, ...]
    remotes: tuple[RemoteHealth, ...]
    failing_rules: tuple[RuleHealth, ...] = ()


# -- loading and saving -----------------------------------------------------------------


def health_path(root: Path) -> Path:
    return root / CACHE_DIR / HEALTH_FILENAME


def load_health(root: Path) -> Health:
    """The cached health, else what the committed STATUS.md says, else nothing known."""
    try:
        data = json.loads(health_path(root).read_text(encoding="utf-8"))
        return Health(
            sources={k: SourceHealth(**v) for k, v in data.get("sources", {}).items()},
            remotes={k: RemoteHealth(**v) for k, v in data.get("remotes", {}).items()},
            rules={k: RuleHealth(**v) for k, v in data.get("rules", {}).items()},
        )
    except FileNotFoundError:
        pass
    except (ValueError, TypeError) as exc:
        log.warning("health cache unreadable, starting from STATUS.md path=%s reason=%s",
                    health_path(root), exc)
    return health_from_status_file(root)


def save_health(root: Path, health: Health) -> None:
    data = {"sources": {k: dataclasses.asdict(v) for k, v in sorted(health.sources.items())},
            "remotes": {k: dataclasses.asdict(v) for k, v in sorted(health.remotes.items())},
            "rules": {k: dataclasses.asdict(v) for k, v in sorted(health.rules.items())}}
    write_atomic(health_path(root), json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def health_from_status_file(root: Path) -> Health:
    """Health rebuilt from the state block of a committed STATUS.md (empty if none)."""
    block = read_state_block(root)
    health = Health()
    for slug, view in block.get("sources", {}).items():
        failing = view.get("state") == "failing"
        health.sources[slug] = SourceHealth(
            slug, state=view.get("state", "new"), state_since_ms=view.get("since_ms"),
            last_success_ms=view.get("last_success_ms"), last_error=view.get("error"),
            last_error_code=view.get("error_code"), consecutive_failures=1 if failing else 0,
        )
    for name, view in block.get("remotes", {}).items():
        failing = view.get("state") == "failing"
        health.remotes[name] = RemoteHealth(
            name, state=view.get("state", "new"), state_since_ms=view.get("since_ms"),
            last_push_ms=view.get("last_push_ms"), last_error=view.get("error"),
            consecutive_failures=1 if failing else 0,
        )
    health.rules = rules_from_state_block(block)
    return health


def read_state_block(root: Path) -> dict[str, Any]:
    try:
        text = (root / STATUS_FILENAME).read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        return {}
    match = _STATE_BLOCK.search(text)
    if not match:
        return {}
    try:
        block = json.loads(match.group(1))
    except ValueError:
        return {}
    return block if isinstance(block, dict) else {}


# -- recording outcomes -------------------------------------------------------------------


def record_run(health: Health, report: RunReport, now_ms: int) -> None:
    """Note each source's success or failure in this run."""
    for source in report.sources:
        entry = health.source(source.slug)
        if source.error is None:
            entry.last_success_ms = now_ms
            entry.consecutive_failures = 0
        else:
            entry.last_failure_ms = now_ms
            entry.last_error = source.error.message
            entry.last_error_code = source.error.code
            entry.consecutive_failures += 1
        if source.error is None and source.failures:
            entry.last_failure_ms = now_ms
            entry.last_error = source.failures[-1].message
            entry.last_error_code = source.failures[-1].code
    record_rule_checks(health, report, now_ms)


def record_pushes(health: Health, pushes: Iterable[PushResult], now_ms: int) -> None:
    """Note each remote's push outcome and update its state."""
    for push in pushes:
        entry = health.remote(push.remote)
        if push.ok:
            entry.last_push_ms = now_ms
            entry.last_pushed_commit = push.commit
            entry.consecutive_failures = 0
        else:
            entry.last_failure_ms = now_ms
            entry.last_error = push.error
            entry.consecutive_failures += 1
        _set_state(entry, "ok" if push.ok else "failing", now_ms)


def update_source_states(health: Health, config: Config, index: ArchiveIndex,
                         now_ms: int) -> MirrorStatus:
    """Work out each source's state (ok, failing, stalled, paused) and the whole status."""
    statuses = []
    for source in config.sources:
        entry = health.source(source.slug)
        activity = source_activity(index, source.slug, now_ms)
        if not source.enabled:
            state = "paused"
        elif entry.consecutive_failures > 0:
            state = "failing"
        elif entry.last_success_ms is None and entry.state == "new":
            state = "new"
        elif is_stalled(activity, now_ms, config):
            state = "stalled"
        else:
            state = "ok"
        _set_state(entry, state, now_ms)
        statuses.append(SourceStatus(source.name, entry, activity, source.enabled))
    remotes = tuple(health.remote(r.name) for r in config.remotes)
    slugs = [s.slug for s in config.sources]
    failing_rules = tuple(sorted((r for r in health.rules.values() if r.source in slugs),
                                 key=lambda r: (slugs.index(r.source), r.rule)))
    return MirrorStatus(now_ms, tuple(statuses), remotes, failing_rules)


def _set_state(entry: SourceHealth | RemoteHealth, state: str, now_ms: int) -> None:
    if entry.state != state or entry.state_since_ms is None:
        entry.state = state
        entry.state_since_ms = now_ms


def source_activity(index: ArchiveIndex, slug: str, as_of_ms: int) -> SourceActivity:
    """Articles first seen in the last 24 h and 7 days, the newest, and the usual gap.

    The usual gap is taken over recent publishing only: the newest ``GAP_SAMPLE``
    articles published within ``GAP_WINDOW_MS`` of the newest one, so years of
    archive (or one article of 2012 among this week's) do not stretch it.
    """
    times = index.newest_times(slug, RECENT_SAMPLE)  # newest publication first
    seen = [first_seen for _, first_seen in times if first_seen <= as_of_ms]
    published = [at for at, _ in times if at <= as_of_ms]
    newest = published[0] if published else None
    recent = [t for t in published[:GAP_SAMPLE] if newest is not None and
              t >= newest - GAP_WINDOW_MS]
    return SourceActivity(
        new_24h=sum(1 for t in seen if t > as_of_ms - DAY_MS),
        new_7d=sum(1 for t in seen if t > as_of_ms - 7 * DAY_MS),
        last_new_ms=max(seen, default=None),
        usual_gap_ms=usual_gap_ms(recent),
        newest_published_ms=newest,
    )


def usual_gap_ms(times_ms: Sequence[int]) -> int | None:
    """The 90th-percentile gap between consecutive times (None with fewer than 3 times)."""
    ordered = sorted(times_ms)
    gaps = sorted(b - a for a, b in zip(ordered, ordered[1:], strict=False))
    if len(gaps) < 2:
        return None
    return gaps[min(len(gaps) - 1, int(len(gaps) * 0.9))]


def is_stalled(activity: SourceActivity, now_ms: int, config: Config) -> bool:
    """True when the newest article is older than the source's usual gap allows."""
    if activity.last_new_ms is None:
        return False
    floor_ms = int(config.mirror.stall_min_hours * HOUR_MS)
    limit_ms = max(floor_ms, int((activity.usual_gap_ms or 0) * config.mirror.stall_factor))
    return now_ms - activity.last_new_ms > limit_ms


# -- STATUS.md ----------------------------------------------------------------------------


def state_view(status: MirrorStatus) -> dict[str, Any]:
    """The part of the status whose change rewrites STATUS.md (no per-run figures)."""
    sources = {}
    for s in status.sources:
        view: dict[str, Any] = {"name": s.name, "state": s.health.state,
                                "since_ms": s.health.state_since_ms,
                                "newest_ms": s.activity.newest_published_ms}
        if s.health.state == "failing":
            view |= {"error": s.health.last_error, "error_code": s.health.last_error_code,
                     "last_success_ms": s.health.last_success_ms}
        sources[s.health.slug] = view
    remotes = {}
    for r in status.remotes:
        remote_view: dict[str, Any] = {"state": r.state, "since_ms": r.state_since_ms}
        if r.state == "failing":
            remote_view |= {"error": r.last_error, "last_push_ms": r.last_push_ms}
        remotes[r.name] = remote_view
    return {"sources": sources, "remotes": remotes} | rules_state_view(status)


def write_status_file(root: Path, status: MirrorStatus, tz: ZoneInfo) -> bool:
    """Rewrite STATUS.md when a state changed since it was written; True if rewritten."""
    view = state_view(status)
    if _without_messages(read_state_block(root)) == _without_messages(json.loads(json.dumps(view))):
        return False
    write_atomic(root / STATUS_FILENAME, render_status_file(status, view, tz))
    log.info("status changed path=%s", root / STATUS_FILENAME)
    return True


def state_changes(before: dict[str, Any], view: dict[str, Any]) -> list[str]:
    """``["德国之声 failing", "remote origin ok"]``: states that differ from ``before``.

    A source or remote ``before`` did not know (a new mirror, a new source) is not a change.
    """
    changes = []
    for group, label in (("sources", ""), ("remotes", "remote ")):
        old_entries = before.get(group, {}) if isinstance(before.get(group), dict) else {}
        for key, entry in view.get(group, {}).items():
            old = old_entries.get(key)
            if isinstance(old, dict) and old.get("state") != entry.get("state"):
                changes.append(f"{label}{entry.get('name', key)} {entry.get('state')}")
    return changes


def _without_messages(view: dict[str, Any]) -> dict[str, Any]:
    """The view minus error texts, which vary between runs (timings, addresses) for one state."""
    return {group: {key: {k: v for k, v in entry.items() if k != "error"}
                    for key, entry in entries.items()}
            for group, entries in view.items() if isinstance(entries, dict)}


def render_status_file(status: MirrorStatus, view: dict[str, Any], tz: ZoneInfo) -> str:
    """STATUS.md, in the mirror's language (Chinese, as the site and the feeds)."""
    lines = [
        "# 镜像状态", "",
        f"截至 {format_time(status.as_of_ms, tz)}（{tz.key}）。本页只在来源或推送目标的状态改变时"
        "更新，其中的数字是那一刻的。", "",
        "## 来源", "",
        "| 来源 | 状态 | 起始 | 最新文章（发表时间） | 24 小时内新增 | 7 天内新增 | 通常间隔 "
        "| 最近错误 |",
        "|---|---|---|---|---:|---:|---|---|",
    ]
    for s in status.sources:
        error = s.health.last_error if s.health.state == "failing" else ""
        lines.append("| " + " | ".join(_cell(c) for c in (
            s.name, describe_source_state_zh(s, tz), format_time(s.health.state_since_ms, tz),
            format_time(s.activity.newest_published_ms, tz), str(s.activity.new_24h),
            str(s.activity.new_7d), format_duration_zh(s.activity.usual_gap_ms), error or "",
        )) + " |")
    if status.remotes:
        lines += ["", "## 推送目标", "", "| 远程仓库 | 状态 | 起始 | 上次成功推送 | 最近错误 |",
                  "|---|---|---|---|---|"]
        for r in status.remotes:
            last_push = ("每次运行" if r.state == "ok" else format_time(r.last_push_ms, tz))
            error = r.last_error if r.state == "failing" else ""
            lines.append("| " + " | ".join(_cell(c) for c in (
                r.name, STATE_NAMES.get(r.state, r.state), format_time(r.state_since_ms, tz),
                last_push, error or "",
            )) + " |")
    lines += render_failing_rules(status, tz)
    block = json.dumps(view, ensure_ascii=False, sort_keys=True).replace(">", "\\u003e")
    lines += ["", f"<!-- newsmirror-state: {block} -->", ""]
    return "\n".join(lines)


def describe_source_state_zh(status: SourceStatus, tz: ZoneInfo) -> str:
    """A source's state as STATUS.md says it."""
    health = status.health
    if health.state == "failing":
        return f"失败（上次成功 {format_time(health.last_success_ms, tz)}）"
    if health.state == "stalled":
        return f"停滞：{format_time(status.activity.last_new_ms, tz)} 以来没有新文章"
    return STATE_NAMES.get(health.state, health.state)


def format_duration_zh(duration_ms: int | None) -> str:
    return format_duration(duration_ms, units=("天", "小时", "分钟"))


def describe_source_state(status: SourceStatus, tz: ZoneInfo) -> str:
    health = status.health
    if health.state == "failing":
        return f"FAILING (last success {format_time(health.last_success_ms, tz)})"
    if health.state == "stalled":
        return f"STALLED: no new article since {format_time(status.activity.last_new_ms, tz)}"
    return health.state


def format_time(epoch_ms: int | None, tz: ZoneInfo) -> str:
    """A time in the mirror's zone, or a dash when there is none."""
    return "—" if epoch_ms is None else format_local(epoch_ms, tz)


def format_duration(
    duration_ms: int | None, *, units: tuple[str, str, str] = ("d", "h", "min")
) -> str:
    """``5 d``, ``3 h`` or ``12 min`` (``units`` names days, hours and minutes)."""
    if duration_ms is None:
        return "—"
    days, hours, minutes = units
    if duration_ms >= 2 * DAY_MS:
        return f"{duration_ms / DAY_MS:.0f} {days}"
    if duration_ms >= HOUR_MS:
        return f"{duration_ms / HOUR_MS:.0f} {hours}"
    return f"{max(1, round(duration_ms / 60_000))} {minutes}"


# -- site rules that stopped matching ------------------------------------------------------


def record_rule_checks(health: Health, report: RunReport, now_ms: int) -> None:
    """Count the pages each source's rules failed on; a rule that read all its pages is cleared.

    A rule is cleared in the first run where it read every page it was tried on
    (a run with failures and good readings keeps it: some of its pages still fail).
    """
    for source in report.sources:
        for rule in sorted({check.rule for check in source.rule_checks}):
            key = f"{source.slug}/{rule}"
            failures = [c for c in source.rule_checks if c.rule == rule and c.failed]
            if not failures:
                if health.rules.pop(key, None) is not None:
                    log.info("site rule matches again source=%s rule=%s", source.slug, rule)
                continue
            entry = health.rules.setdefault(
                key, RuleHealth(source.slug, rule, failures[0].host, since_ms=now_ms))
            entry.pages += len(failures)
            entry.last_failure_ms = now_ms
            last = failures[-1]
            entry.host, entry.last_url = last.host, last.url
            entry.last_rule_chars = last.rule_chars
            entry.last_generic_chars = last.generic_chars or 0


def rules_state_view(status: MirrorStatus) -> dict[str, Any]:
    """The failing rules as STATUS.md's state block keeps them (empty when none fail)."""
    if not status.failing_rules:
        return {}
    return {"rules": {f"{r.source}/{r.rule}": {"source": r.source, "rule": r.rule,
                                                "host": r.host, "since_ms": r.since_ms,
                                                "pages": r.pages}
                      for r in status.failing_rules}}


def rules_from_state_block(block: dict[str, Any]) -> dict[str, RuleHealth]:
    rules = {}
    for key, view in (block.get("rules") or {}).items():
        rules[key] = RuleHealth(view["source"], view["rule"], view.get("host", ""),
                                since_ms=view["since_ms"], pages=view.get("pages", 0))
    return rules


def render_failing_rules(status: MirrorStatus, tz: ZoneInfo) -> list[str]:
    """STATUS.md's section on site rules that stopped matching (no lines when none do)."""
    if not status.failing_rules:
        return []
    names = {s.health.slug: s.name for s in status.sources}
    lines = ["", "## Site rules that stopped matching", "",
             "These rules read much less of their outlet's pages than the generic extractor "
             "did, so those pages were stored as the generic extractor read them. A rule leaves "
             "this list when it reads its outlet's pages again.", "",
             "| Source | Host | Rule | Since | Pages | Last page (rule / generic characters) |",
             "|---|---|---|---|---:|---|"]
    for r in status.failing_rules:
        last = f"{r.last_url} ({r.last_rule_chars} / {r.last_generic_chars})" if r.last_url else ""
        lines.append("| " + " | ".join(_cell(c) for c in (
            names.get(r.source, r.source), r.host, r.rule, format_time(r.since_ms, tz),
            str(r.pages), last)) + " |")
    return lines


# -- ``newsmirror status`` -------------------------------------------------------------------


def read_mirror_status(config: Config, now_ms: int) -> MirrorStatus:
    """The mirror's status now, from the cached health and the index (nothing is written)."""
    health = load_health(config.root)
    index = ArchiveIndex.open(config.root)
    try:
        return update_source_states(health, config, index, now_ms)
    finally:
        index.close()


def render_status_text(status: MirrorStatus, tz: ZoneInfo) -> str:
    """The status as plain text: one block per source, then one per remote."""
    lines = [f"Sources (as of {format_time(status.as_of_ms, tz)}):"]
    for s in status.sources:
        h = s.health
        lines += [
            f"  {s.name} [{h.slug}]: {describe_source_state(s, tz)}",
            f"    last success: {format_time(h.last_success_ms, tz)}; "
            f"consecutive failures: {h.consecutive_failures}",
            f"    new articles: {s.activity.new_24h} in 24 h, {s.activity.new_7d} in 7 days; "
            f"newest {format_time(s.activity.newest_published_ms, tz)} (published), "
            f"last new {format_time(s.activity.last_new_ms, tz)}; "
            f"usual gap {format_duration(s.activity.usual_gap_ms)}",
        ]
        if h.last_error:
            lines.append(f"    last error ({format_time(h.last_failure_ms, tz)}): {h.last_error}")
    lines.append("Remotes:" if status.remotes else "Remotes: none ([[remotes]] in newsmirror.toml)")
    for r in status.remotes:
        lines.append(f"  {r.name}: {r.state}; last successful push: "
                     f"{format_time(r.last_push_ms, tz)}; "
                     f"consecutive failures: {r.consecutive_failures}")
        if r.last_error and r.state == "failing":
            lines.append(f"    last error ({format_time(r.last_failure_ms, tz)}): {r.last_error}")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


__all__ = [
    "Health", "MirrorStatus", "RemoteHealth", "RuleHealth", "SourceActivity", "SourceHealth",
    "SourceStatus", "describe_source_state", "describe_source_state_zh", "format_duration",
    "format_duration_zh", "format_time", "health_from_status_file", "is_stalled", "load_health",
    "read_mirror_status", "read_state_block", "record_pushes", "record_rule_checks", "record_run",
    "render_failing_rules", "render_status_file", "render_status_text", "rules_from_state_block",
    "rules_state_view", "save_health", "source_activity", "state_changes", "state_view",
    "update_source_states", "usual_gap_ms", "write_status_file",
]
