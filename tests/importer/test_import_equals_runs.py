"""An imported archive looks as if its articles had been mirrored run by run.

The same predecessor samples go both ways: imported in one go, and served one
item at a time as a feed on loopback, each run at the item's publication time.
Articles, month READMEs, the committed index, lists and README must be equal.
The feed parser writes HTML attributes in its own order, so the archive's bodies
are passed through it once first: both ways start from the same HTML.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from tests.support.mirrors import make_mirror
from tests.support.predecessor import (
    predecessor_files,
    predecessor_sources,
    write_predecessor_archive,
)

from newsmirror.config import load_config
from newsmirror.demo.server import LoopbackServer, Route
from newsmirror.feeds import parse_feed
from newsmirror.importer import ImportOptions, import_archive
from newsmirror.importer.archive import ArchiveText, parse_archive_text
from newsmirror.pipeline import RunOptions, run
from newsmirror.store.markdown import one_line

# Outlets whose samples have no relative links (a feed resolves those against itself).
OUTLETS = ("voa", "dw", "nyt", "ft", "cdt")
COMPARED = ("articles", "index", "lists", "README.md")


def feed_of_one(title: str, link: str, published_ms: int, body: str) -> bytes:
    when = format_datetime(datetime.fromtimestamp(published_ms / 1000, UTC))
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title>'
        f"<link>{escape(link)}</link><item><title>{escape(title)}</title><link>{escape(link)}"
        f"</link><pubDate>{when}</pubDate><content:encoded><![CDATA[{body}]]></content:encoded>"
        "</item></channel></rss>"
    ).encode()


def normalise_archive(archive: Path) -> list[tuple[int, str, ArchiveText]]:
    """Each sample's body as the feed parser gives it back, written into the archive too."""
    items = []
    for file in predecessor_files():
        if file.sample.parent.name in OUTLETS:
            path = archive / file.relative
            text = parse_archive_text(path.read_text(encoding="utf-8"))
            feed = feed_of_one(text.title, text.url, text.published_ms, text.body_html)
            body = parse_feed(feed, "http://127.0.0.1/feed").entries[0].content_html or ""
            text = replace(text, body_html=one_line(body))
            path.write_text(f"<!--{text.published_ms}-->\n[{text.title}]({text.url})\n------\n\n"
                            f"{text.body_html}\n", encoding="utf-8")
            items.append((text.published_ms, file.sample.parent.name, text))
    return sorted(items, key=lambda item: item[0])


def compared_files(root: Path) -> dict[str, bytes]:
    files = {}
    for top in COMPARED:
        paths = [root / top] if (root / top).is_file() else sorted((root / top).rglob("*"))
        files.update({p.relative_to(root).as_posix(): p.read_bytes() for p in paths if p.is_file()})
    return files


def mirror_run_by_run(root: Path, items: list[tuple[int, str, ArchiveText]]) -> None:
    """One run per article, oldest first, its feed holding only that article."""
    routes: dict[str, Route] = {}
    with LoopbackServer(routes) as server:
        make_mirror(root, predecessor_sources(server.origin + "/feed"), commit=False,
                    images="proxy", recheck_budget=0, min_body_chars=0)
        config = load_config(root)
        for published_ms, outlet, text in items:
            routes.clear()
            routes[f"/feed/{outlet}"] = Route(
                feed_of_one(text.title, text.url, published_ms, text.body_html),
                "application/rss+xml")
            report = run(config, RunOptions(commit=False, only_sources=(outlet,),
                                            clock=lambda ms=published_ms: ms))
            assert report.new_count == 1, report


def test_import_gives_what_run_by_run_mirroring_gives(tmp_path: Path) -> None:
    archive = write_predecessor_archive(tmp_path / "archive", slugs=OUTLETS)
    items = normalise_archive(archive)
    mirror_run_by_run(tmp_path / "runs", items)
    imported = make_mirror(tmp_path / "imported", predecessor_sources(), commit=False,
                           images="proxy", min_body_chars=0)
    last_run_ms = max(published_ms for published_ms, _, _ in items)
    report = import_archive(load_config(imported), archive,
                            ImportOptions(clock=lambda: last_run_ms))
    assert report.imported_count == 29 and report.ok
    runs, imports = compared_files(tmp_path / "runs"), compared_files(imported)
    assert sorted(runs) == sorted(imports)
    assert [name for name in runs if runs[name] != imports[name]] == []
