"""How a run ends, in one place: :func:`finish_run` writes what the run's changes affect,
then commits and pushes, in one order, for every command that changes the mirror.

Also the archive-wide verbs that need no fetching: ``build``, ``search``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

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
from newsmirror.models import RunReport
from newsmirror.publish import PushPolicy, commit_changes, push_to_remotes
from newsmirror.render.changes import render_change_files
from newsmirror.render.lists import (
    SourceSummary,
    list_path,
    render_month_readme,
    render_root_readme,
    render_source_list,
)
from newsmirror.render.site import SiteReport, build_site
from newsmirror.store.articles import ArticleFiles
from newsmirror.store.files import MONTH_README, write_atomic
from newsmirror.store.index import ArchiveIndex
from newsmirror.store.search import SearchHit, SearchIndex

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AfterRun:
    """What a command hands :func:`finish_run`.

    ``report`` is the command's report; the sequence adds to it (``site/…``
    counters, notes, ``commit``, ``commit_message``, ``pushes``).
    ``changed_folders`` are the month folders (``articles/{slug}/{YYYY}/{MM}``)
    whose articles or records the command wrote.  ``outputs``, ``commit`` and
    ``push`` ask for the steps; see :func:`finish_run` for how the mirror's
    ``commit`` and ``push`` settings combine with them.
    """

    config: Config
    index: ArchiveIndex
    report: RunReport
    now_ms: int
    changed_folders: frozenset[str] = frozenset()
    outputs: bool = True
    commit: bool = True
    push: bool = True


def finish_run(after: AfterRun) -> None:
    """End a command that changed the mirror: the one after-run sequence, in this order.

    1. lists and READMEs of ``changed_folders`` (and of folders a killed run left
       marked in the cache), the source lists, the root README, the change lists;
    2. the static site and the Atom feeds (a failure is a note in the report);
    3. the health record and ``STATUS.md``;
    4. the commit, when ``commit`` is asked and ``[mirror] commit`` allows it;
    5. the pushes to every remote, after a commit step, when ``push`` is asked
       and ``[mirror] push`` allows it.  A sequence that only pushes
       (``outputs=False, commit=False``: ``newsmirror publish``) always pushes;
       the settings govern runs.

    Steps 1-3 run only with ``outputs``.  Call it holding the run lock, with
    ``index`` open.  Errors: a push that fails is a value in ``report.pushes``;
    a commit that fails raises :class:`~newsmirror.errors.GitError` (what was
    written stays, and the next run commits it).  Used by ``run`` and ``publish``;
    a command that stores articles (an import, an archived page) calls it the
    same way as ``run``::

        finish_run(AfterRun(config, index, report, now_ms=clock(),
                            changed_folders=frozenset(folders)))
    """
    config, index, report = after.config, after.index, after.report
    if after.outputs:
        render_outputs(config, index, set(after.changed_folders) | index.dirty_folders())
        index.clear_dirty_folders()
        build_site_after_run(config, index, report, after.now_ms)
        health = record_health(config, index, report, after.now_ms)
    else:
        health = load_health(config.root)
    if _should_commit(after):
        report.commit_message = commit_message(report)
        report.commit = commit_changes(config.root, report.commit_message,
                                       extra_paths=(config.mirror.site_dir,))
    if _should_push(after):
        publish_to_remotes(config, index, report, health, after.now_ms)


def _should_commit(after: AfterRun) -> bool:
    return after.commit and after.config.mirror.commit


def _should_push(after: AfterRun) -> bool:
    if not after.push:
        return False
    if not after.commit:
        return not after.outputs  # only pushing: the explicit publish
    return _should_commit(after) and after.config.mirror.push


def render_outputs(config: Config, index: ArchiveIndex, folders: set[str]) -> None:
    """Rewrite the lists and READMEs the run's changes affect (unchanged bytes stay)."""
    tz = config.tz
    sources = config.listed_sources(lambda slug: index.count(slug) > 0)
    names = {s.slug: s.name for s in sources}
    for folder in sorted(folders):
        slug = folder.split("/")[1]
        text = render_month_readme(names.get(slug, slug), folder, index.in_folder(folder), tz)
        write_atomic(config.root / folder / MONTH_README, text)
    summaries = []
    for source in sources:
        newest = index.newest(source.slug, config.mirror.list_size)
        write_atomic(config.root / list_path(source.name),
                     render_source_list(source.name, newest, tz))
        last = max((r.first_seen_ms for r in newest), default=None)
        summaries.append(SourceSummary(source.name, source.slug, index.count(source.slug), last))
    write_atomic(config.root / "README.md",
                 render_root_readme(summaries, tz, config.mirror.site_dir))
    changes = render_change_files(ArticleFiles(config.root).body, config, index.changed_records())
    for relative, text in changes.items():
        write_atomic(config.root / relative, text)


def build_site_after_run(
    config: Config, index: ArchiveIndex, report: RunReport, now_ms: int
) -> None:
    """Bring the static site and the feeds up to date; a failure is noted, never fatal.

    The search index is rebuilt at most every ``site_search_every_h`` hours."""
    try:
        site = build_site(config, index.all_records(), ArticleFiles(config.root),
                          search_now=False, now_ms=now_ms)
    except MirrorError as exc:
        log.error("site build failed reason=%s", exc)
        report.notes.append(f"site not built: {exc}")
        return
    report.count("site/pages_written", site.pages_written)


def build_site_now(config: Config, *, now_ms: int, full: bool = False) -> SiteReport:
    """``newsmirror build``: the static site and the feeds from the committed archive."""
    index = ArchiveIndex.open(config.root)
    try:
        return build_site(config, index.all_records(), ArticleFiles(config.root), now_ms=now_ms,
                          full=full)
    finally:
        index.close()


def search_archive(
    config: Config, query: str, *, source: str | None = None, limit: int = 20
) -> list[SearchHit]:
    """``newsmirror search``: bring the search cache up to date, then query it."""
    index = ArchiveIndex.open(config.root)
    search = SearchIndex.open(config.root)
    try:
        articles = ArticleFiles(config.root)
        search.sync(index.all_records(), lambda record: articles.body(record.path) or "")
        return search.search(query, source=source, limit=limit)
    finally:
        search.close()
        index.close()


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
    "AfterRun",
    "build_site_after_run",
    "build_site_now",
    "commit_message",
    "finish_run",
    "publish_to_remotes",
    "record_health",
    "render_outputs",
    "search_archive",
]
