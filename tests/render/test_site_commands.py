"""`newsmirror build` and `serve`, and the site built and committed at the end of a run."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.render.test_site import add_article
from tests.support.mirrors import SourceSpec, git, make_mirror
from typer.testing import CliRunner

from newsmirror.cli import app
from newsmirror.config import load_config
from newsmirror.pipeline import RunOptions, run
from newsmirror.render.site import article_page_path
from newsmirror.store.index import ArchiveIndex


def small_mirror(root: Path) -> tuple[Path, str]:
    """A mirror with two articles in its index; returns it and one article's page path."""
    make_mirror(root, [SourceSpec("BBC", "bbc", "http://127.0.0.1:9/feed")])
    index = ArchiveIndex.open(root)
    try:
        records = [add_article(root, n) for n in range(2)]
        for record in records:
            index.save(record)
    finally:
        index.close()
    return root, article_page_path(records[0])


def test_build_command_writes_site_and_feeds(tmp_path: Path) -> None:
    root, page = small_mirror(tmp_path / "mirror")
    result = CliRunner().invoke(app, ["build", "--mirror", str(root)])
    assert result.exit_code == 0, result.output
    assert [p for p in ("docs/index.html", f"docs/{page}", "feeds/bbc.xml", "feeds/all.xml")
            if not (root / p).is_file()] == []


def test_build_command_reports_nothing_written_when_unchanged(tmp_path: Path) -> None:
    root, _ = small_mirror(tmp_path / "mirror")
    CliRunner().invoke(app, ["build", "--mirror", str(root)])
    result = CliRunner().invoke(app, ["build", "--mirror", str(root)])
    assert " 0 pages written" in result.output.replace("\n", " ")


def test_serve_command_serves_the_built_site(tmp_path: Path) -> None:
    root, page = small_mirror(tmp_path / "mirror")
    server = subprocess.Popen(
        [sys.executable, "-m", "newsmirror", "serve", "--mirror", str(root), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env={"COLUMNS": "300"},
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        port = re.search(r"127\.0\.0\.1:(\d+)", line)
        assert port, line
        with urllib.request.urlopen(f"http://127.0.0.1:{port.group(1)}/{page}", timeout=10) as r:
            assert "第0篇文章" in r.read().decode("utf-8")
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_run_builds_and_commits_the_site(recorded_mirror: Path) -> None:
    report = run(load_config(recorded_mirror), RunOptions())
    committed = git(recorded_mirror, "ls-files", "docs", "feeds").split()
    assert report.commit is not None
    assert {"docs/index.html", "docs/bbc/index.html", "docs/search/manifest.json",
            "feeds/all.xml", "docs/feeds/dw.xml"} <= set(committed)


def test_quiet_run_leaves_the_site_alone(recorded_mirror: Path) -> None:
    config = load_config(recorded_mirror)
    run(config, RunOptions())
    second = run(config, RunOptions())
    assert (second.commit, second.counters["site/pages_written"]) == (None, 0)


def test_second_run_commits_no_page_of_earlier_articles(tmp_path: Path, recorded_server) -> None:
    origin = recorded_server.origin
    root = make_mirror(tmp_path / "mirror", [
        SourceSpec("德国之声", "dw", origin + "/feed/dw", "feed"),
        SourceSpec("纽约时报", "nyt", origin + "/feed/nyt", "feed")], max_new_per_source=5)
    config = load_config(root)
    first = run(config, RunOptions())
    second = run(config, RunOptions())
    earlier = {f"docs/{article_page_path(a)}" for s in first.sources for a in s.new_articles}
    changed = set(git(root, "show", "--name-only", "--format=", second.commit or "").split())
    assert (second.new_count > 0, earlier & changed) == (True, set())
    assert {"docs/index.html", "docs/dw/index.html"} <= changed
