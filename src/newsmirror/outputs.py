"""What a run writes after fetching, in the order the pipeline calls it.

Lists and READMEs, the static site and feeds, the health record and STATUS.md,
then (in :mod:`newsmirror.pipeline`) the commit, and the pushes to every remote.
Also the archive-wide verbs that need no fetching: ``build``, ``search``.
"""

from __future__ import annotations

import logging

from newsmirror.config import Config
from newsmirror.errors import MirrorError
from newsmirror.health import (
    Health,
    load_health,
    record_pushes,
    record_run,
    save_health,
    update_source_states,
    write_status_file,
)
from newsmirror.models import ArticleRecord, RunReport
from newsmirror.publish import PushPolicy, commit_changes, push_to_remotes
from newsmirror.render.article import ArticleFormatError, parse_article_file
from newsmirror.render.changes import render_change_files
from newsmirror.render.lists import (
    SourceSummary,
    list_path,
    render_month_readme,
    render_root_readme,
    render_source_list,
)
from newsmirror.render.site import SiteReport, build_site
from newsmirror.search.fts import SearchHit, SearchIndex
from newsmirror.store.files import MONTH_README, write_atomic
from newsmirror.store.index import ArchiveIndex

log = logging.getLogger(__name__)


def render_outputs(config: Config, index: ArchiveIndex, folders: set[str]) -> None:
    """Rewrite the lists and READMEs the run's changes affect (unchanged bytes stay)."""
    tz = config.tz
    names = {s.slug: s.name for s in config.sources}
    for folder in sorted(folders):
        slug = folder.split("/")[1]
        text = render_month_readme(names.get(slug, slug), folder, index.in_folder(folder), tz)
        write_atomic(config.root / folder / MONTH_README, text)
    summaries = []
    for source in config.sources:
        newest = index.newest(source.slug, config.mirror.list_size)
        write_atomic(config.root / list_path(source.name),
                     render_source_list(source.name, newest, tz))
        last = max((r.first_seen_ms for r in newest), default=None)
        summaries.append(SourceSummary(source.name, source.slug, index.count(source.slug), last))
    write_atomic(config.root / "README.md",
                 render_root_readme(summaries, tz, config.mirror.site_dir))
    for relative, text in render_change_files(config.root, config, index.changed_records()).items():
        write_atomic(config.root / relative, text)


def build_site_after_run(config: Config, index: ArchiveIndex, report: RunReport) -> None:
    """Bring the static site, its search index and the feeds up to date; a failure is
    noted, never fatal."""
    try:
        site = build_site(config, index.all_records())
    except MirrorError as exc:
        log.error("site build failed reason=%s", exc)
        report.notes.append(f"site not built: {exc}")
        return
    report.count("site/pages_written", site.pages_written)


def build_site_now(config: Config, *, full: bool = False) -> SiteReport:
    """``newsmirror build``: the static site and the feeds from the committed archive."""
    index = ArchiveIndex.open(config.root)
    try:
        return build_site(config, index.all_records(), full=full)
    finally:
        index.close()


def search_archive(
    config: Config, query: str, *, source: str | None = None, limit: int = 20
) -> list[SearchHit]:
    """``newsmirror search``: bring the search cache up to date, then query it."""
    index = ArchiveIndex.open(config.root)
    search = SearchIndex.open(config.root)
    try:
        search.sync(index.all_records(), lambda record: read_article_body(config, record))
        return search.search(query, source=source, limit=limit)
    finally:
        search.close()
        index.close()


def read_article_body(config: Config, record: ArticleRecord) -> str:
    """The body HTML of a mirrored article ("" when its file is missing or unreadable)."""
    try:
        return parse_article_file((config.root / record.path).read_text(encoding="utf-8")).body_html
    except (OSError, UnicodeDecodeError, ArticleFormatError) as exc:
        log.warning("article file unreadable path=%s reason=%s", record.path, exc)
        return ""


def commit_message(report: RunReport) -> str:
    """``12 new: BBC 5, DW 7`` (plus failures), from the run's report."""
    parts = [f"{s.name} {s.new}" for s in report.sources if s.new]
    message = f"{report.new_count} new: {', '.join(parts)}" if parts else ""
    changed = [f"{report.counters[f'recheck/{kind}']} {kind}" for kind in ("edited", "deleted")
               if report.counters[f"recheck/{kind}"]]
    if changed:
        message = f"{message}; {', '.join(changed)}" if message else ", ".join(changed)
    message = message or "0 new"
    failed = [s.name for s in report.sources if not s.ok]
    if failed:
        message += f" (failed: {', '.join(failed)})"
    return message


def record_health(config: Config, index: ArchiveIndex, report: RunReport, now: int) -> Health:
    """Note how each source fared; rewrite STATUS.md when a state changed."""
    health = load_health(config.root)
    record_run(health, report, now)
    write_status_file(config.root, update_source_states(health, config, index, now), config.tz)
    save_health(config.root, health)
    return health


def publish_to_remotes(config: Config, index: ArchiveIndex, report: RunReport, health: Health,
                       now: int) -> None:
    """Push to every remote; when a remote's state changes, commit STATUS.md and push that."""
    if not config.remotes:
        return
    policy = PushPolicy.from_settings(config.mirror)
    report.pushes = push_to_remotes(config.root, config.remotes, policy)
    record_pushes(health, report.pushes, now)
    status = update_source_states(health, config, index, now)
    if write_status_file(config.root, status, config.tz):
        states = ", ".join(f"{p.remote} {'ok' if p.ok else 'failing'}" for p in report.pushes)
        if commit_changes(config.root, f"status: remotes {states}") is not None:
            report.pushes = push_to_remotes(config.root, config.remotes, policy)
            record_pushes(health, report.pushes, now)
    save_health(config.root, health)


__all__ = [
    "build_site_after_run",
    "build_site_now",
    "commit_message",
    "publish_to_remotes",
    "read_article_body",
    "record_health",
    "render_outputs",
    "search_archive",
]
