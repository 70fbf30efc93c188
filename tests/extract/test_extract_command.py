"""``newsmirror extract``: the command people use to debug a site rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.recorded import REAL
from typer.testing import CliRunner

from newsmirror.cli import app
from newsmirror.demo.server import LoopbackServer, Route

runner = CliRunner()
RFI_PAGE = REAL / "rfi" / "article_2025-11-30_taiwan-defense-budget.html"
BBC_PAGE = REAL / "bbc" / "article_2025-11-30_cwyv1yz8yrno_simp_reindented.html"
RFI_URL = "https://www.rfi.fr/cn/x"


def test_extract_file_prints_the_cleaned_body_on_one_line() -> None:
    result = runner.invoke(app, ["extract", str(RFI_PAGE), "--url", RFI_URL])
    assert result.exit_code == 0, result.output
    body = result.stdout.strip()
    assert "\n" not in body and body.startswith("<p>法新社消息称")


def test_extract_text_format_prints_one_block_per_line() -> None:
    result = runner.invoke(app, ["extract", str(RFI_PAGE), "--url", RFI_URL, "--format", "text"])
    assert result.stdout.splitlines()[2] == "“T-Dome”是什么？"


def test_extract_names_the_rule_and_metadata() -> None:
    result = runner.invoke(app, ["extract", str(RFI_PAGE), "--url", RFI_URL])
    assert "method=site:rfi" in result.stderr and "author=左依" in result.stderr


def test_extract_uses_the_canonical_link_when_no_url_is_given() -> None:
    result = runner.invoke(app, ["extract", str(RFI_PAGE)])
    assert "method=site:rfi" in result.stderr


def test_extract_reads_standard_input() -> None:
    page = "<html><body><article><p>" + "一段足够长的正文。" * 20 + "</p></article></body></html>"
    result = runner.invoke(app, ["extract", "-", "--format", "text"], input=page)
    assert result.exit_code == 0 and result.stdout.startswith("一段足够长的正文。")


def test_extract_fetches_a_url() -> None:
    with LoopbackServer({"/article": Route(BBC_PAGE.read_bytes())}) as server:
        result = runner.invoke(app, ["extract", server.url("/article"), "--format", "text"])
    assert result.exit_code == 0, result.output
    assert "method=site:bbc" in result.stderr and "李先生" in result.stdout


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (["extract", "no/such/page.html"], 2, "cannot read page: no/such/page.html"),
        (["extract", "-", "--format", "pdf"], 2, "unknown --format: pdf"),
    ],
    ids=["missing-file", "bad-format"],
)
def test_extract_usage_errors_are_one_clear_line(args: list[str], exit_code: int,
                                                 message: str) -> None:
    result = runner.invoke(app, args, input="")
    assert result.exit_code == exit_code and message in result.stderr


def test_extract_reports_a_page_without_article(tmp_path: Path) -> None:
    page = tmp_path / "empty.html"
    page.write_text("<html><body><nav><a href='/'>首页</a></nav></body></html>", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(page)])
    assert result.exit_code == 1 and "no article text found" in result.stderr


def test_extract_rejects_an_invalid_rules_file(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[[site]]\nname = "x"\nhosts = ["a.b"]\nbody = "p"\nrewrite = []\n',
                     encoding="utf-8")
    result = runner.invoke(app, ["extract", str(RFI_PAGE), "--rules", str(rules)])
    assert result.exit_code == 2 and "unknown key 'rewrite'" in result.stderr
