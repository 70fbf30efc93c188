"""The ``newsmirror`` command: thin verbs over the library.

Flags → config → pipeline → report → exit code.  Exit 0 when everything
succeeded, 1 when some source failed (after writing what succeeded), 2 on a
configuration or usage error.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import asdict, replace
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from newsmirror.ci.install import DEFAULT_INDEX_URL
from newsmirror.config import Config, load_config
from newsmirror.errors import ConfigError, MirrorError
from newsmirror.models import PushResult, RunReport
from newsmirror.pipeline import Progress, RunOptions, run

app = typer.Typer(
    name="newsmirror",
    help="Keep a readable, censorship-resistant git mirror of Chinese-language news.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
out = Console()

MirrorOption = Annotated[
    Path,
    typer.Option("--mirror", "-m", help="The mirror folder (holds newsmirror.toml).",
                 file_okay=False, dir_okay=True),
]
_state = {"debug": False}
# The image stage's run counters (images/…), in the order the report lists them.
IMAGE_EVENTS = ("localised", "localised_later", "proxied", "failed", "over_article_cap", "removed")


def _print_version(value: bool) -> None:
    if value:
        from newsmirror.ci.install import installed_version

        typer.echo(f"newsmirror {installed_version()}")
        raise typer.Exit(0)


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every item.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors and the summary.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
    version: Annotated[bool, typer.Option(
        "--version", help="Print the version and exit.", is_eager=True,
        callback=_print_version)] = False,
) -> None:
    """Keep a readable, censorship-resistant git mirror of Chinese-language news."""
    _state["debug"] = debug
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    if err.is_terminal:  # above the progress lines, never through them
        from newsmirror.terminal import terminal_log_handler

        logging.basicConfig(level=level, format="%(name)s: %(message)s",
                            handlers=[terminal_log_handler(err)], force=True)
    else:
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s",
                            stream=sys.stderr, force=True)
    for noisy in ("httpx", "httpcore", "trafilatura", "readability", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def fail(exc: MirrorError) -> NoReturn:
    """Print a MirrorError as one line and exit 2 (config) or 1 (anything else)."""
    if _state["debug"]:
        raise exc
    err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(2 if isinstance(exc, ConfigError) else 1)


def open_config(mirror: Path) -> Config:
    try:
        return load_config(mirror)
    except ConfigError as exc:
        fail(exc)


@app.command("init")
def init_command(
    directory: Annotated[Path, typer.Argument(help="Folder for the new mirror.")] = Path("."),
    force: Annotated[bool, typer.Option(help="Overwrite an existing newsmirror.toml.")] = False,
    ci: Annotated[str | None, typer.Option(
        "--ci", help="Also write a scheduled CI workflow: 'github' (GitHub Actions) or "
        "'gitlab' (GitLab CI), pinned to this version; 'github' adds a workflow that archives "
        "the links of new issues. In an existing mirror only the workflows are written.")] = None,
    index_url: Annotated[str, typer.Option(
        "--index-url", envvar="PIP_INDEX_URL", help="Package index asked (briefly) whether "
        "this version is published there; default PyPI, or pip's PIP_INDEX_URL.")] = DEFAULT_INDEX_URL,
) -> None:
    """Create a mirror: newsmirror.toml with the default outlets, git init, .gitignore."""
    from newsmirror.ci import ci_template, write_ci_workflow
    from newsmirror.scaffold import init_mirror

    try:
        if ci is not None:
            ci_template(ci)  # an unknown target stops here, before anything is written
        if ci is None or not (directory / "newsmirror.toml").exists():
            out.print(f"Created {init_mirror(directory, force=force)}.", highlight=False)
        if ci is not None:
            written = write_ci_workflow(directory, ci, force=force, index_url=index_url)
            out.print(f"Wrote {written.path}: installs {written.choice.requirement} "
                      f"({written.choice.reason}).", highlight=False)
            if written.wheel is not None:
                out.print(f"Commit {written.wheel} with it.", highlight=False)
        if ci == "github":
            _write_archive_workflow(directory, force=force)
    except MirrorError as exc:
        fail(exc)
    out.print(f"Next: cd {directory} && newsmirror run", highlight=False)


def _write_archive_workflow(directory: Path, *, force: bool) -> None:
    """The issue-driven archive workflow, answering whom ``[archive] issue_authors`` says."""
    from newsmirror.ci.archive import write_archive_workflow

    issue_authors = load_config(directory).archive.issue_authors
    out.print(f"Wrote {write_archive_workflow(directory, issue_authors, force=force)}.",
              highlight=False)


@app.command("run")
def run_command(
    mirror: MirrorOption = Path("."),
    source: Annotated[list[str] | None, typer.Option(
        "--source", "-s", help="Only this source (slug); repeat for several.")] = None,
    no_commit: Annotated[bool, typer.Option("--no-commit", help="Write files, do not commit.")] = False,
    no_push: Annotated[bool, typer.Option("--no-push", help="Commit, but do not push.")] = False,
    report_json: Annotated[Path | None, typer.Option(
        help="Also write the run report as JSON to this file.")] = None,
    recheck_all: Annotated[bool, typer.Option(
        "--recheck-all", help="Re-check every article inside the re-check window now, "
        "whatever the schedule and budget say.")] = False,
) -> None:
    """Pull every source, write new articles and lists, commit, push to every remote."""
    config = open_config(mirror)
    if no_push:
        config = replace(config, mirror=replace(config.mirror, push=False))
    report = execute_run(config, RunOptions(commit=not no_commit, only_sources=tuple(source or ()),
                                            recheck_all=recheck_all))
    if report_json is not None:
        report_json.write_text(json.dumps(report_as_dict(report), ensure_ascii=False, indent=2),
                               encoding="utf-8")
    raise typer.Exit(0 if report.ok and all(p.ok for p in report.pushes) else 1)


def execute_run(config: Config, options: RunOptions) -> RunReport:
    """Run the pipeline with a progress display on a terminal, then print the report."""
    try:
        if err.is_terminal:
            from newsmirror.terminal import RunBoard, live_board

            chosen = set(options.only_sources)
            board = RunBoard({s.slug: s.name for s in config.sources
                              if s.enabled and (not chosen or s.slug in chosen)})
            with live_board(board, err):
                report = run(config, _with_progress(options, board.update))
        else:
            report = run(config, options)
    except MirrorError as exc:
        fail(exc)
    print_report(report)
    return report


def _with_progress(options: RunOptions, progress: Progress) -> RunOptions:
    return replace(options, progress=progress)


def print_report(report: RunReport) -> None:
    table = Table(title="newsmirror run", show_lines=False)
    for column, justify in (("source", "left"), ("new", "right"), ("unchanged", "right"),
                            ("failed", "right"), ("seconds", "right"), ("status", "left")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for s in report.sources:
        status = "ok" if s.ok else f"[red]failed ({s.error.code if s.error else '?'})[/]"
        table.add_row(s.name, str(s.new), str(s.unchanged), str(s.failed), f"{s.seconds:.1f}",
                      status)
    out.print(table)
    for s in report.sources:
        if s.error is not None:
            out.print(f"  [red]{s.name}[/]: {s.error.message}", highlight=False)
        for failure in s.failures:
            out.print(f"  [yellow]{s.name}[/]: {failure.message}", highlight=False)
    if report.counters["recheck/checked"] or report.counters["recheck/edited"]:
        kinds = ("unchanged", "edited", "deleted", "failed")
        counts = ", ".join(f"{report.counters[f'recheck/{k}']} {k}" for k in kinds
                           if report.counters[f"recheck/{k}"])
        out.print(f"re-checked {report.counters['recheck/checked']}: {counts}", highlight=False)
    images = [f"{report.counters[f'images/{k}']} {k.replace('_', ' ')}" for k in IMAGE_EVENTS
              if report.counters[f"images/{k}"]]
    if images:
        out.print(f"images: {', '.join(images)}", highlight=False)
    if report.commit:
        out.print(f"committed {report.commit[:12]}: {report.commit_message}", highlight=False)
    else:
        out.print("nothing to commit", highlight=False)
    print_pushes(report.pushes)


def print_pushes(pushes: list[PushResult]) -> None:
    for push in pushes:
        if push.ok:
            state = "pushed" if push.updated else "up to date"
            out.print(f"remote {push.remote}: {state}", highlight=False)
        else:
            out.print(f"[red]remote {push.remote}:[/] {push.error}", highlight=False)


def report_as_dict(report: RunReport) -> dict[str, object]:
    return {
        "ok": report.ok,
        "commit": report.commit,
        "commit_message": report.commit_message,
        "pushes": [asdict(p) for p in report.pushes],
        "counters": dict(report.counters),
        "sources": [
            {**{k: v for k, v in asdict(s).items() if k != "new_articles"},
             "new_articles": [a.path for a in s.new_articles]}
            for s in report.sources
        ],
    }


@app.command("publish")
def publish_command(mirror: MirrorOption = Path(".")) -> None:
    """Push the mirror to every remote in newsmirror.toml, without fetching anything."""
    from newsmirror.pipeline import publish

    config = open_config(mirror)
    if not config.remotes:
        err.print("no [[remotes]] in newsmirror.toml: nothing to push to", highlight=False)
        raise typer.Exit(1)
    try:
        pushes = publish(config)
    except MirrorError as exc:
        fail(exc)
    print_pushes(pushes)
    raise typer.Exit(0 if all(p.ok for p in pushes) else 1)


@app.command("archive")
def archive_command(
    links: Annotated[list[str] | None, typer.Argument(
        help="Addresses of the pages to keep (http or https).", show_default=False,
        metavar="URL")] = None,
    mirror: MirrorOption = Path("."),
    from_text: Annotated[str | None, typer.Option(
        "--from-text", metavar="FILE|-", help="Also archive every http(s) link in this text file (- for standard "
        "input), such as an issue's body; the rest of the text is ignored.")] = None,
    no_commit: Annotated[bool, typer.Option("--no-commit", help="Write files, do not commit.")] = False,
    no_push: Annotated[bool, typer.Option("--no-push", help="Commit, but do not push.")] = False,
    reply: Annotated[Path | None, typer.Option(
        "--reply", metavar="FILE", help="Also write the answer to the request, in Markdown, to this file "
        "(the issue workflow posts it).")] = None,
    files_url: Annotated[str | None, typer.Option(
        "--files-url", metavar="URL", help="Where the mirror's files can be read on the web (such as "
        "https://github.com/OWNER/REPO/blob/main/): the answer links each copy there.")] = None,
) -> None:
    """Keep a copy of pages in the mirror now; a link archived before is named, not fetched."""
    from newsmirror.archive.report import render_outcome_line, render_reply
    from newsmirror.archive.run import ArchiveOptions, archive_links

    config = open_config(mirror)
    requested = [*(links or []), *_links_in_text(from_text)]
    if not requested and from_text is None:
        err.print("nothing to archive: give addresses, or --from-text FILE", highlight=False)
        raise typer.Exit(2)
    try:
        result = archive_links(config, requested,
                               ArchiveOptions(commit=not no_commit, push=not no_push))
    except MirrorError as exc:
        fail(exc)
    for outcome in result.outcomes:
        (out if outcome.ok else err).print(render_outcome_line(outcome), highlight=False,
                                           markup=False, soft_wrap=True)
    if not requested:
        err.print("no http(s) link in the text", highlight=False)
    if result.report.commit:
        out.print(f"committed {result.report.commit[:12]}: {result.report.commit_message}",
                  highlight=False)
    print_pushes(result.report.pushes)
    if reply is not None:
        reply.write_text(render_reply(result.outcomes, files_url), encoding="utf-8")
    pushed = all(p.ok for p in result.report.pushes)
    raise typer.Exit(0 if requested and result.ok and pushed else 1)


def _links_in_text(source: str | None) -> list[str]:
    """The http(s) links in a text file (``-``: standard input), in order, each once."""
    from newsmirror.archive.prose import find_urls

    if source is None:
        return []
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(ConfigError(f"cannot read --from-text: {source} ({exc})"))
    return list(find_urls(text))


@app.command("status")
def status_command(mirror: MirrorOption = Path(".")) -> None:
    """Each source's and remote's health: last success, last error, new articles, failures."""
    from newsmirror.health import read_mirror_status, render_status_text
    from newsmirror.times import now_ms

    config = open_config(mirror)
    try:
        status = read_mirror_status(config, now_ms())
    except MirrorError as exc:
        fail(exc)
    typer.echo(render_status_text(status, config.tz), nl=False)


@app.command("doctor")
def doctor_command(mirror: MirrorOption = Path(".")) -> None:
    """Check the mirror's set-up (config, git, remotes, feeds, disk) and say what to fix."""
    from newsmirror.doctor import Check, check_mirror, render_check

    def show(check: Check) -> None:  # each check as soon as it is done
        typer.echo(render_check(check), nl=False)

    checks = check_mirror(mirror, on_check=show)
    if checks[0].level == "fail":
        raise typer.Exit(2)
    raise typer.Exit(1 if any(c.level == "fail" for c in checks) else 0)


@app.command("demo")
def demo_command(
    directory: Annotated[Path | None, typer.Argument(
        help="Folder for the demo mirror (default: a new temporary folder).")] = None,
) -> None:
    """Offline: serve bundled sample feeds on loopback and mirror them into DIRECTORY."""
    from newsmirror.demo import run_demo

    try:
        result = run_demo(directory)
    except MirrorError as exc:
        fail(exc)
    print_report(result.report)
    out.print(f"\nDemo mirror written to {result.root}", highlight=False)
    out.print(f"  lists:    {result.root / 'lists'}", highlight=False)
    out.print(f"  articles: {result.root / 'articles'}", highlight=False)
    out.print(f"  git log:  git -C {result.root} log --stat", highlight=False)
    raise typer.Exit(0 if result.report.ok else 1)



@app.command("extract")
def extract_command(
    source: Annotated[str, typer.Argument(
        help="An HTML file, an http(s) URL, or - for standard input.")],
    url: Annotated[str | None, typer.Option(
        "--url", help="The page's original address: picks the site rule, resolves links.")] = None,
    output_format: Annotated[str, typer.Option(
        "--format", help="html (the cleaned body, one line) or text.")] = "html",
    rules_file: Annotated[Path | None, typer.Option(
        "--rules", help="Use this rules file instead of the bundled one (to try a rule).")] = None,
) -> None:
    """Print the cleaned article body of a page, as the mirror would store it."""
    from newsmirror.article_body import clean_page
    from newsmirror.clean.sanitize import plain_text
    from newsmirror.extract import load_rules
    from newsmirror.models import Page

    if output_format not in ("html", "text"):
        err.print(f"unknown --format: {output_format} (use html or text)", highlight=False)
        raise typer.Exit(2)
    try:
        rules = load_rules(rules_file)
        page_url, html = _read_page_source(source, url)
        article = clean_page(Page(url=page_url, final_url=page_url, html=html), min_chars=0,
                             rules=rules)
    except MirrorError as exc:
        fail(exc)
    body = article.body_html
    published = article.published_ms if article.published_ms is not None else "-"
    err.print(f"method={article.method} title={article.title or '-'} "
              f"author={article.author or '-'} published_ms={published}",
              highlight=False, markup=False, soft_wrap=True)
    sys.stdout.write((plain_text(body) if output_format == "text" else body) + "\n")


def _read_page_source(source: str, url: str | None) -> tuple[str, str]:
    """(page URL, HTML) from a file, stdin or an http(s) URL; errors are MirrorErrors."""
    import asyncio

    from newsmirror.config import MirrorSettings
    from newsmirror.fetch import PAGE_ACCEPT, Fetcher, FetchPolicy, decode_html

    if source.startswith(("http://", "https://")):
        async def fetch_page() -> tuple[str, str]:
            host = (source.split("/")[2].split(":")[0]).lower()
            policy = FetchPolicy.from_settings(MirrorSettings())
            async with Fetcher(policy, trusted_hosts=frozenset({host})) as fetcher:
                result = await fetcher.fetch(source, accept=PAGE_ACCEPT)
            return url or result.final_url, decode_html(result.body, result.charset)

        return asyncio.run(fetch_page())
    from newsmirror.extract.metadata import read_page_address

    if source == "-":
        html = decode_html(sys.stdin.buffer.read())
        return url or read_page_address(html) or "about:blank", html
    try:
        html = decode_html(Path(source).read_bytes())
    except OSError as exc:
        raise ConfigError(f"cannot read page: {source} ({exc.strerror})") from exc
    return url or read_page_address(html) or Path(source).resolve().as_uri(), html

@app.command("build")
def build_command(
    mirror: MirrorOption = Path("."),
    full: Annotated[bool, typer.Option(
        "--full", help="Render every page again, not only the changed ones.")] = False,
) -> None:
    """Render the static site (site_dir) and the Atom feeds (feeds/) from the archive."""
    from newsmirror.pipeline import build_site_now
    from newsmirror.times import now_ms

    config = open_config(mirror)
    try:
        site = build_site_now(config, now_ms=now_ms(), full=full)
    except MirrorError as exc:
        fail(exc)
    out.print(f"site {config.root / config.mirror.site_dir}: {site.pages_written} pages written, "
              f"{site.pages_unchanged} unchanged, {site.pages_removed} removed; "
              f"{site.feeds_written} feeds written; search index "
              f"{'updated' if site.search_indexed else 'unchanged'}", highlight=False)


@app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help="Words to find; all must occur (简体或繁体).")],
    mirror: MirrorOption = Path("."),
    source: Annotated[str | None, typer.Option(
        "--source", "-s", help="Only articles of this source (slug).")] = None,
    limit: Annotated[int, typer.Option(
        "--limit", "-n", min=1, help="Show at most this many articles.")] = 20,
) -> None:
    """Search the archive (Chinese words, traditional or simplified), best matches first."""
    from rich.markup import escape

    from newsmirror.pipeline import search_archive
    from newsmirror.times import format_local

    config = open_config(mirror)
    try:
        hits = search_archive(config, query, source=source, limit=limit)
    except MirrorError as exc:
        fail(exc)
    if not hits:
        err.print(f"no article matches {query!r}", highlight=False, markup=False)
        raise typer.Exit(1)
    for hit in hits:
        end = hit.match_start + hit.match_length
        out.print(f"[bold]{escape(hit.title)}[/]  {escape(hit.source)} "
                  f"{format_local(hit.published_ms, config.tz)}", highlight=False)
        out.print(f"  {escape(hit.passage[:hit.match_start])}[reverse]"
                  f"{escape(hit.passage[hit.match_start:end])}[/]{escape(hit.passage[end:])}",
                  highlight=False)
        out.print(f"  {hit.path}", highlight=False, markup=False)


@app.command("serve")
def serve_command(
    mirror: MirrorOption = Path("."),
    port: Annotated[int, typer.Option(
        "--port", "-p", min=0, max=65535, help="Port on 127.0.0.1 (0: any free port).")] = 8000,
) -> None:
    """Serve the static site on localhost for reading offline; rebuilds what is stale first."""
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from newsmirror.pipeline import build_site_now
    from newsmirror.times import now_ms

    config = open_config(mirror)
    try:
        build_site_now(config, now_ms=now_ms())
    except MirrorError as exc:
        fail(exc)
    site = config.root / config.mirror.site_dir
    handler = partial(SimpleHTTPRequestHandler, directory=str(site))
    with ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        out.print(f"Serving {site} at http://127.0.0.1:{server.server_address[1]}/ "
                  "(Ctrl-C stops)", highlight=False)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            out.print("stopped", highlight=False)


@app.command("history")
def history_command(
    article: Annotated[str, typer.Argument(
        help="The article: its file path, its original URL or its id.")],
    mirror: MirrorOption = Path("."),
) -> None:
    """Print every version of an article with its time, and what changed between them."""
    from newsmirror.history import find_article, load_versions, render_history_text
    from newsmirror.store.articles import ArticleFiles
    from newsmirror.store.index import ArchiveIndex

    config = open_config(mirror)
    try:
        index = ArchiveIndex.open(config.root)
        try:
            record = find_article(index, config.root, article)
        finally:
            index.close()
    except MirrorError as exc:
        fail(exc)
    if record is None:
        err.print(f"no such article in the mirror: {article}", highlight=False)
        raise typer.Exit(1)
    versions = load_versions(ArticleFiles(config.root).body, record)
    typer.echo(render_history_text(record, versions, config.tz), nl=False)


@app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(
        help="The archive: a folder holding articles/<folder>/<id>.md files (or articles/ itself).")],
    mirror: MirrorOption = Path("."),
    folder_map: Annotated[list[str] | None, typer.Option(
        "--map", help="FOLDER=SLUG: import this folder into that source (repeatable); other "
        "folders go to the source whose slug or name is the folder's name.")] = None,
) -> None:
    """Adopt an archive in the predecessor's layout: its articles, cleaned, in one commit."""
    from rich.progress import Progress

    from newsmirror.importer import ImportOptions, import_archive, parse_folder_map

    config = open_config(mirror)
    try:
        options = ImportOptions(parse_folder_map(folder_map or ()),
                                workers=min(os.cpu_count() or 1, 4))
        if out.is_terminal:  # a progress bar on a terminal only
            with Progress(transient=True, console=out) as bar:
                task = bar.add_task("importing", total=None)

                def progress(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                report = import_archive(config, path, replace(options, progress=progress))
        else:
            report = import_archive(config, path, options)
    except MirrorError as exc:
        fail(exc)
    for skip in report.skipped:
        err.print(f"skipped {skip.relative}: {skip.reason}", highlight=False, markup=False,
                  soft_wrap=True)
    out.print(f"imported {report.imported_count} articles; {report.already_mirrored} already in "
              f"the mirror, {report.duplicates} duplicates, {len(report.skipped)} skipped"
              + (f"; commit {report.commit[:12]}" if report.commit else ""), highlight=False)
    raise typer.Exit(0 if report.ok else 1)


GLOBAL_FLAGS = frozenset({"--verbose", "-v", "--quiet", "-q", "--debug"})


def hoist_global_flags(argv: list[str]) -> list[str]:
    """``run -v`` works like ``-v run``: global flags after the command move before it."""
    if "--" in argv:
        head, tail = argv[: argv.index("--")], argv[argv.index("--"):]
    else:
        head, tail = argv, []
    flags = [a for a in head if a in GLOBAL_FLAGS]
    return flags + [a for a in head if a not in GLOBAL_FLAGS] + tail


def main(argv: list[str] | None = None) -> None:
    app(args=hoist_global_flags(sys.argv[1:] if argv is None else argv))
