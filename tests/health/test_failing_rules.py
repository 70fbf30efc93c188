"""A site rule that stopped matching shows in the run's log, STATUS.md and `doctor`, until it
reads its outlet's pages again.

Three runs over a feed on loopback: two bring an RFI page whose body class was
renamed (the redesign the rule does not know), the third the page as recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from newsmirror.config import load_config
from newsmirror.demo.server import LoopbackServer, Route
from newsmirror.doctor import check_mirror, render_checks
from newsmirror.health import HOUR_MS, format_time, health_path
from newsmirror.pipeline import RunOptions, run
from tests.support.mirrors import SourceSpec, make_mirror
from tests.support.recorded import REAL

T0 = 1_780_000_000_000
RFI_PAGE = (REAL / "rfi" / "article_2025-11-30_taiwan-defense-budget.html").read_bytes()
REDESIGNED = RFI_PAGE.replace(b"t-content__body", b"t-article__text")
SECTION = "## Site rules that stopped matching"


def relay_feed(n: int) -> bytes:
    """A feed whose one item (the n-th) leads to a page behind a proxy path."""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>法广</title><link>{{{{origin}}}}/</link><description>d</description>
<item><title>第{n}篇</title><link>{{{{origin}}}}/mirror/www.rfi.fr/cn/{n}</link>
<guid isPermaLink="false">rfi-{n}</guid><pubDate>Sun, 30 Nov 2025 09:1{n}:00 GMT</pubDate>
<description>摘要</description></item></channel></rss>""".encode()


@dataclass
class RunsSeen:
    """What each run left behind: STATUS.md, `doctor`'s lines, the WARNING log lines."""

    root: Path
    status: list[str] = field(default_factory=list)
    doctor: list[list[str]] = field(default_factory=list)
    warnings: list[list[str]] = field(default_factory=list)


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunsSeen]:
    pages = {1: REDESIGNED, 2: REDESIGNED, 3: RFI_PAGE}
    routes = {f"/mirror/www.rfi.fr/cn/{n}": Route(body) for n, body in pages.items()}
    handler = _Warnings()
    logging.getLogger("newsmirror").addHandler(handler)
    with LoopbackServer(routes) as server:
        root = make_mirror(tmp_path_factory.mktemp("rules") / "mirror",
                           [SourceSpec("法广", "rfi", server.url("/feed"), "page")])
        seen = RunsSeen(root)
        for n in pages:
            routes["/feed"] = Route(relay_feed(n), "application/rss+xml")
            if n == 2:  # a fresh CI runner: the cache is gone, STATUS.md is all that is left
                health_path(root).unlink()
            handler.messages = []
            clock_ms = T0 + (n - 1) * HOUR_MS
            run(load_config(root), RunOptions(commit=False, push=False, clock=lambda c=clock_ms: c))
            seen.warnings.append(handler.messages)
            seen.status.append((root / "STATUS.md").read_text(encoding="utf-8"))
            seen.doctor.append(render_checks(check_mirror(root)).splitlines())
    logging.getLogger("newsmirror").removeHandler(handler)
    yield seen


def rule_row(status: str) -> list[str]:
    section = status.split(SECTION, 1)[1]
    row = next(line for line in section.splitlines() if line.startswith("| 法广"))
    return [cell.strip() for cell in row.strip("|").split("|")]


def test_the_run_log_warns_of_the_failing_rule(runs: RunsSeen) -> None:
    warning = next(m for m in runs.warnings[0] if "site rule failing" in m)
    for part in ("rule=rfi", "host=www.rfi.fr", "url=http://127.0.0.1:", "/mirror/www.rfi.fr/cn/1",
                 "rule_chars=", "generic_chars="):
        assert part in warning


def test_status_file_lists_the_failing_rule_under_its_source(runs: RunsSeen) -> None:
    tz = load_config(runs.root).tz
    source, host, rule, since, pages, _ = rule_row(runs.status[0])
    assert (source, host, rule, since, pages) == ("法广", "www.rfi.fr", "rfi",
                                                  format_time(T0, tz), "1")


def test_status_file_counts_pages_across_runs_from_the_committed_status(runs: RunsSeen) -> None:
    tz = load_config(runs.root).tz
    _, _, _, since, pages, last = rule_row(runs.status[1])
    assert (since, pages) == (format_time(T0, tz), "2") and "/mirror/www.rfi.fr/cn/2" in last


def test_status_file_drops_the_rule_once_it_reads_a_page_again(runs: RunsSeen) -> None:
    assert SECTION not in runs.status[2]


def test_doctor_lists_the_rule_that_failed(runs: RunsSeen) -> None:
    at = next(i for i, line in enumerate(runs.doctor[1]) if line.startswith("WARN site rule rfi"))
    assert "www.rfi.fr" in runs.doctor[1][at] and "2 pages" in runs.doctor[1][at]
    assert runs.doctor[1][at + 1].strip().startswith("fix:")


def test_doctor_finds_no_failing_rule_once_it_matches_again(runs: RunsSeen) -> None:
    assert any(line.startswith("ok   site rules: none") for line in runs.doctor[2])
