"""How a run ends, in one place: :func:`finish_run` writes what the run's changes affect,
then commits and pushes, in one order, for every command that changes the mirror.

Also the archive-wide verbs that need no fetching: ``build``, ``search``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from newsmirror.config import CONFIG_FILENAME, Config
from newsmirror.errors import MirrorError
from newsmirror.health import (
    STATUS_FILENAME,
    Health,
    load_health,
    read_state_block,
    record_pushes,
    record_run,
    save_health,
    state_changes,
    state_view,
    update_source_states,
    write_status_file,
)
from newsmirror.models import RunReport
from newsmirror.publish import (
    ARCHIVE_PATHS,
    PushPolicy,
    commit_changes,
    commit_staged,
    push_to_remotes,
    stage_changes,
)
from newsmirror.render.changes import (
    OLD_DELETED_LIST,
    is_old_deleted_list,
    render_change_files,
)
from newsmirror.render.lists import (
    SourceSummary,
    list_path,
    render_month_readme,
    render_root_readme,
    render_source_list,
    year_of,
)
from newsmirror.render.site import SiteReport, build_site
from newsmirror.search.fts import SearchHit, SearchIndex
from newsmirror.store.articles import ArticleFiles
from newsmirror.store.files import MONTH_README, write_atomic
from newsmirror.store.index import ArchiveIndex

log = logging.getLogger(__name__)
# Cache key: an earlier command wrote files it did not commit; the next commit stages all.
_STAGE_EVERYTHING = "stage-everything"


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
    site: bool = True  # False: the lists and READMEs only; the next run builds the site
    message: str | None = None  # the commit message, when not the run report's
    # True: the command knows every file it wrote went through here (a run after a clean
    # end): the archive's folders and the site are staged only when something was written
    # to them, so a quiet run on years of archive does not have git look at every file.
    stage_written_only: bool = False


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

    Steps 1-3 run only with ``outputs``, step 2 only with ``site`` (an import leaves
    the whole site to the next run).  Call it holding the run lock, with
    ``index`` open.  Errors: a push that fails is a value in ``report.pushes``;
    a commit that fails raises :class:`~newsmirror.errors.GitError` (what was
    written stays, and the next run commits it).  Used by ``run`` and ``publish``;
    a command that stores articles (an import, an archived page) calls it the
    same way as ``run``::

        finish_run(AfterRun(config, index, report, now_ms=clock(),
                            changed_folders=frozenset(folders)))
    """
    config, index, report = after.config, after.index, after.report
    folders = set(after.changed_folders) | index.dirty_folders()
    site_written = True
    if after.outputs:
        render_outputs(config, index, folders, now_ms=after.now_ms)
        index.clear_dirty_folders()
        if after.site:
            site_written = build_site_after_run(config, index, report, after.now_ms)
        health = record_health(config, index, report, after.now_ms)
    else:
        health = load_health(config.root)
    if _should_commit(after):
        _stage_and_commit(after, bool(folders), site_written)
    elif after.outputs:  # written, not committed: the next commit stages everything
        index.save_cache_value(_STAGE_EVERYTHING, "1")
    if _should_push(after):
        publish_to_remotes(config, index, report, health, after.now_ms)


def _stage_and_commit(after: AfterRun, articles_written: bool, site_written: bool) -> None:
    config, index, report = after.config, after.index, after.report
    everything = bool(index.cache_value(_STAGE_EVERYTHING))
    skip = () if everything else _unwritten_parts(after, articles_written, site_written)
    try:
        staged = stage_changes(config.root, extra_paths=(config.mirror.site_dir,), skip=skip)
        if staged:
            report.commit_message = after.message or commit_message(report, staged)
            report.commit = commit_staged(config.root, report.commit_message)
    except MirrorError:
        index.save_cache_value(_STAGE_EVERYTHING, "1")  # what was written waits for a commit
        raise
    if everything:
        index.save_cache_value(_STAGE_EVERYTHING, "")


def _unwritten_parts(after: AfterRun, articles_written: bool, site_written: bool
                     ) -> tuple[str, ...]:
    """The large parts of the mirror this command wrote nothing to (see ``AfterRun``)."""
    if not after.stage_written_only:
        return ()
    return ((() if articles_written else ARCHIVE_PATHS)
            + (() if site_written else (after.config.mirror.site_dir,)))


def _should_commit(after: AfterRun) -> bool:
    return after.commit and after.config.mirror.commit


def _should_push(after: AfterRun) -> bool:
    if not after.push:
        return False
    if not after.commit:
        return not after.outputs  # only pushing: the explicit publish
    return _should_commit(after) and after.config.mirror.push


def render_outputs(config: Config, index: ArchiveIndex, folders: set[str], *,
                   now_ms: int) -> None:
    """Rewrite the lists and READMEs the run's changes affect (unchanged bytes stay).

    ``now_ms`` (the run's clock) decides only which year lists leave unsaid."""
    tz = config.tz
    current_year = year_of(now_ms, tz)
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
                     render_source_list(source.name, newest, tz, current_year=current_year))
        last = max((r.first_seen_ms for r in newest), default=None)
        summaries.append(SourceSummary(source.name, source.slug, index.count(source.slug), last))
    write_atomic(config.root / "README.md",
                 render_root_readme(summaries, tz, config.mirror.site_dir))
    changes = render_change_files(ArticleFiles(config.root).body, config, index.changed_records())
    for relative, text in changes.items():
        write_atomic(config.root / relative, text)
    _remove_old_deleted_list(config)


def _remove_old_deleted_list(config: Config) -> None:
    """``lists/deleted.md`` of earlier versions is now ``lists/changes.md``."""
    old = config.root / OLD_DELETED_LIST
    try:
        if is_old_deleted_list(old.read_text(encoding="utf-8")):
            old.unlink()
    except (FileNotFoundError, UnicodeDecodeError):
        pass


def build_site_after_run(
    config: Config, index: ArchiveIndex, report: RunReport, now_ms: int
) -> bool:
    """Bring the static site, its search index and the feeds up to date; a failure is
    noted, never fatal.  False when the build wrote and removed nothing."""
    try:
        site = build_site(config, index, ArticleFiles(config.root), now_ms=now_ms)
    except MirrorError as exc:
        log.error("site build failed reason=%s", exc)
        report.notes.append(f"site not built: {exc}")
        return True  # what a failed build wrote is not known
    report.count("site/pages_written", site.pages_written)
    return bool(site.pages_written or site.pages_removed or site.feeds_written
                or site.media_copied or site.search_indexed or site.files_written)


def build_site_now(config: Config, *, now_ms: int, full: bool = False) -> SiteReport:
    """``newsmirror build``: the static site and the feeds from the committed archive."""
    index = ArchiveIndex.open(config.root)
    try:
        return build_site(config, index, ArticleFiles(config.root), now_ms=now_ms, full=full)
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


def commit_message(report: RunReport, staged: Sequence[str]) -> str:
    """What the commit holds, from the run's report and the paths staged.

    ``12 new: BBC 5, DW 7; 1 edited (failed: RFI)`` for a run's articles;
    ``newsmirror.toml changed`` when the configuration is committed; ``status: DW
    failing`` for a change of state in STATUS.md, on its own when that is all the
    commit holds; ``rewrote docs, lists`` for outputs rewritten with nothing new
    (a new template, a new year).  Never ``0 new``: a commit always says what it holds.
    """
    top = {path.split("/", 1)[0] for path in staged}
    parts = _article_changes(report)
    parts += [f"{name} changed" for name in (CONFIG_FILENAME, ".gitignore") if name in top]
    status = STATUS_FILENAME in top and bool(report.status_changes)
    if status and top == {STATUS_FILENAME}:
        return f"status: {', '.join(report.status_changes)}"  # a note on health, not a backup
    rewritten = sorted(top - {STATUS_FILENAME, CONFIG_FILENAME, ".gitignore"})
    if not parts:
        parts.append(f"rewrote {', '.join(rewritten or sorted(top))}")
    if status:
        parts.append(f"status: {', '.join(report.status_changes)}")
    failed = [s.name for s in report.sources if not s.ok]
    return "; ".join(parts) + (f" (failed: {', '.join(failed)})" if failed else "")


def _article_changes(report: RunReport) -> list[str]:
    """``["12 new: BBC 5, DW 7", "1 edited, 2 deleted"]`` (only what happened)."""
    parts = []
    if report.new_count:
        per_source = ", ".join(f"{s.name} {s.new}" for s in report.sources if s.new)
        parts.append(f"{report.new_count} new: {per_source}")
    changed = [f"{report.counters[f'recheck/{kind}']} {kind}" for kind in ("edited", "deleted")
               if report.counters[f"recheck/{kind}"]]
    if changed:
        parts.append(", ".join(changed))
    return parts


def record_health(config: Config, index: ArchiveIndex, report: RunReport, now: int) -> Health:
    """Note how each source fared; rewrite STATUS.md when a state changed (noted in ``report``)."""
    health = load_health(config.root)
    record_run(health, report, now)
    before = read_state_block(config.root)
    status = update_source_states(health, config, index, now)
    if write_status_file(config.root, status, config.tz):
        report.status_changes = state_changes(before, state_view(status))
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
