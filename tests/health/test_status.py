"""Health: STATUS.md changes only with a state, failing and stalled sources are flagged."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsmirror.cli import app
from newsmirror.config import load_config
from newsmirror.demo.server import LoopbackServer
from newsmirror.health import (
    HOUR_MS,
    SourceActivity,
    health_path,
    is_stalled,
    load_health,
    usual_gap_ms,
)
from newsmirror.pipeline import RunOptions, run
from tests.support.mirrors import SourceSpec, commit_count, make_mirror
from tests.support.recorded import feed_path

runner = CliRunner()
DAY_MS = 24 * HOUR_MS
T0 = 1_780_000_000_000


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now_ms: int) -> None:
        self.now_ms = now_ms

    def __call__(self) -> int:
        return self.now_ms


@pytest.fixture()
def mirror(tmp_path: Path, recorded_server: LoopbackServer) -> Path:
    """One working feed-only source and one whose feed answers 404."""
    origin = recorded_server.origin
    return make_mirror(tmp_path / "mirror", [
        SourceSpec("纽约时报", "nyt", origin + feed_path("nyt"), "feed"),
        SourceSpec("坏源", "broken", origin + "/feed/missing", "feed"),
    ])


def _run(root: Path, clock: Clock) -> None:
    run(load_config(root), RunOptions(clock=clock))


def test_quiet_run_leaves_status_file_and_history_alone(mirror: Path) -> None:
    clock = Clock(T0)
    _run(mirror, clock)
    before, commits = (mirror / "STATUS.md").read_bytes(), commit_count(mirror)
    clock.now_ms += 60_000  # a minute later: nothing new, nothing due for a re-check
    _run(mirror, clock)
    assert (mirror / "STATUS.md").read_bytes() == before
    assert commit_count(mirror) == commits


def test_status_file_flags_failing_source_with_its_error(mirror: Path) -> None:
    _run(mirror, Clock(T0))
    status = (mirror / "STATUS.md").read_text(encoding="utf-8")
    line = next(row for row in status.splitlines() if row.startswith("| 坏源"))
    assert "失败" in line and "404" in line


def test_status_file_changes_when_a_source_stalls(mirror: Path) -> None:
    clock = Clock(T0)
    _run(mirror, clock)
    clock.now_ms += 30 * DAY_MS
    _run(mirror, clock)
    status = (mirror / "STATUS.md").read_text(encoding="utf-8")
    assert "停滞" in next(row for row in status.splitlines() if row.startswith("| 纽约时报"))


def test_status_command_counts_consecutive_failures(mirror: Path) -> None:
    clock = Clock(T0)
    _run(mirror, clock)
    clock.now_ms += HOUR_MS
    _run(mirror, clock)
    result = runner.invoke(app, ["status", "--mirror", str(mirror)])
    assert result.exit_code == 0
    block = result.output.split("坏源", 1)[1]
    assert "consecutive failures: 2" in block


def test_status_command_shows_articles_of_last_day(mirror: Path) -> None:
    run(load_config(mirror), RunOptions())
    result = runner.invoke(app, ["status", "--mirror", str(mirror)])
    nyt = result.output.split("纽约时报", 1)[1].split("坏源", 1)[0]
    assert "new articles: 22 in 24 h, 22 in 7 days" in nyt


def test_health_comes_back_from_status_file_when_cache_is_lost(mirror: Path) -> None:
    _run(mirror, Clock(T0))
    health_path(mirror).unlink()
    health = load_health(mirror)
    assert health.sources["broken"].state == "failing"
    assert health.sources["broken"].consecutive_failures == 1
    assert health.sources["nyt"].state == "ok"


@pytest.mark.parametrize(("times", "expected"), [
    ([], None),
    ([0, HOUR_MS], None),
    ([0, HOUR_MS, 2 * HOUR_MS, 3 * HOUR_MS], HOUR_MS),
    ([0, HOUR_MS, 2 * HOUR_MS, 12 * HOUR_MS], 10 * HOUR_MS),
], ids=["none", "one-gap", "steady", "one-long-gap"])
def test_usual_gap_is_the_90th_percentile_gap(times: list[int], expected: int | None) -> None:
    assert usual_gap_ms(times) == expected


@pytest.mark.parametrize(("gap_ms", "quiet_ms", "stalled"), [
    (HOUR_MS, 23 * HOUR_MS, False),       # below the 24 h floor
    (HOUR_MS, 25 * HOUR_MS, True),        # past the floor and 3 gaps
    (20 * HOUR_MS, 50 * HOUR_MS, False),  # within 3 usual gaps
    (20 * HOUR_MS, 61 * HOUR_MS, True),
    (None, 25 * HOUR_MS, True),           # no gap known: the floor decides
], ids=["under-floor", "over-floor", "within-gaps", "over-gaps", "no-gap"])
def test_source_is_stalled_past_its_usual_gap(
    mirror: Path, gap_ms: int | None, quiet_ms: int, stalled: bool
) -> None:
    activity = SourceActivity(new_24h=0, new_7d=0, last_new_ms=T0, usual_gap_ms=gap_ms)
    assert is_stalled(activity, T0 + quiet_ms, load_config(mirror)) is stalled


def test_changed_error_text_alone_does_not_rewrite_status_file(mirror: Path) -> None:
    clock = Clock(T0)
    _run(mirror, clock)
    status_file = mirror / "STATUS.md"
    status_file.write_text(status_file.read_text(encoding="utf-8").replace(
        "HTTP 404", "HTTP 404 (an older wording)"), encoding="utf-8")
    before = status_file.read_bytes()
    clock.now_ms += 60_000
    _run(mirror, clock)
    assert status_file.read_bytes() == before
