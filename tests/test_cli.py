"""The command line: help everywhere, --mirror on every mirror command, honest exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from newsmirror.cli import app
from newsmirror.config import load_config
from newsmirror.demo.server import LoopbackServer, Route
from tests.support.mirrors import SourceSpec, make_mirror

runner = CliRunner()
COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
# Commands that create a mirror or need none; every other command works on one.
NO_MIRROR = {"init", "demo", "extract"}


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help(name: str) -> None:
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


@pytest.mark.parametrize("name", [c for c in COMMANDS if c not in NO_MIRROR])
def test_every_mirror_command_takes_mirror_option(name: str) -> None:
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    options = {opt for p in command.params for opt in getattr(p, "opts", ())}
    assert "--mirror" in options


def test_init_writes_config_gitignore_and_repository(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    config = load_config(tmp_path / "m")
    assert len(config.sources) == 8
    assert (tmp_path / "m" / ".git").is_dir()
    assert ".newsmirror/" in (tmp_path / "m" / ".gitignore").read_text()


def test_init_refuses_to_overwrite_a_config(tmp_path: Path) -> None:
    runner.invoke(app, ["init", str(tmp_path)])
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 2
    assert "already exists" in result.output


def test_run_with_bad_config_exits_2_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "newsmirror.toml").write_text("[mirror]\nlist_size = -1\n", encoding="utf-8")
    result = runner.invoke(app, ["run", "--mirror", str(tmp_path)])
    assert result.exit_code == 2
    assert "mirror.list_size" in result.output


def test_run_exits_1_when_a_source_fails_but_commits_the_rest(tmp_path: Path) -> None:
    feed = ('<rss version="2.0"><channel><title>t</title><item><title>能读的文章</title>'
            '<link>{{origin}}/a/readable-story</link><description><![CDATA[<p>'
            + "这是一篇完整的文章正文，足够长，能够通过最短正文的检查。" * 3 + "</p>]]></description>"
            "</item></channel></rss>")
    routes = {"/ok.xml": Route(feed.encode(), "application/rss+xml")}
    with LoopbackServer(routes) as server:
        root = make_mirror(tmp_path / "m", [SourceSpec("好", "ok", server.url("/ok.xml"), "feed"),
                                            SourceSpec("坏", "bad", server.url("/gone.xml"))])
        result = runner.invoke(app, ["run", "--mirror", str(root)])
    assert result.exit_code == 1, result.output
    assert "HTTP 404" in result.output
    assert "1 new: 好 1" in result.output


def test_unknown_source_is_a_usage_error(tmp_path: Path) -> None:
    root = make_mirror(tmp_path / "m", [SourceSpec("S", "s", "http://127.0.0.1:9/feed")])
    result = runner.invoke(app, ["run", "--mirror", str(root), "--source", "nope"])
    assert result.exit_code == 2
    assert "no such source: nope" in result.output


def test_demo_runs_offline_in_a_subprocess(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "newsmirror", "demo", str(tmp_path / "demo")],
        capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert "5 new" in completed.stdout
    lists = sorted(p.name for p in (tmp_path / "demo" / "lists").iterdir())
    assert lists == ["changes.md", "示例周刊.md", "示例日报.md", "示例通讯社.md"]
    body = next((tmp_path / "demo" / "articles" / "wire").rglob("library-hours.md")).read_text()
    assert "<script" not in body and "样例内容" in body
