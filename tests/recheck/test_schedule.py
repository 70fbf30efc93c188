"""The re-check schedule: parsing it, and which articles a run chooses."""

from __future__ import annotations

import pytest

from newsmirror.errors import ConfigError
from newsmirror.models import ArticleRecord
from newsmirror.recheck import ScheduleBand, choose_rechecks, parse_schedule, recheck_interval_ms

H = 3_600_000
D = 24 * H
NOW = 1_700_000_000_000
SCHEDULE = parse_schedule(("12h:1h", "3d:6h", "30d:3d"))


def record(id: str, age_ms: int, last_checked_ms: int | None = None) -> ArticleRecord:
    return ArticleRecord(
        id=id, source="s", url=f"https://example.org/{id}",
        canonical_url=f"https://example.org/{id}",
        title=id, published_ms=NOW - age_ms, first_seen_ms=NOW - age_ms,
        path=f"articles/s/2023/11/{id}.md", content_sha256="0" * 64,
        last_checked_ms=last_checked_ms,
    )


def test_parse_schedule_sorts_bands_by_age() -> None:
    assert parse_schedule(("3d:6h", "12h:30m")) == (
        ScheduleBand(12 * H, 30 * 60_000), ScheduleBand(3 * D, 6 * H)
    )


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param("3d", id="no-colon"),
        pytest.param("3x:1h", id="unknown-unit"),
        pytest.param("3d:0h", id="zero-interval"),
        pytest.param("31d:1d", id="past-thirty-days"),
    ],
)
def test_parse_schedule_rejects_bad_entries_naming_the_key(entry: str) -> None:
    with pytest.raises(ConfigError, match="mirror.recheck_schedule"):
        parse_schedule((entry,))


@pytest.mark.parametrize(
    ("age_ms", "interval_ms"),
    [(2 * H, H), (13 * H, 6 * H), (10 * D, 3 * D), (31 * D, None)],
    ids=["hours-old", "a-day-old", "ten-days-old", "past-the-window"],
)
def test_interval_decays_with_age(age_ms: int, interval_ms: int | None) -> None:
    assert recheck_interval_ms(SCHEDULE, age_ms) == interval_ms


def test_choose_takes_only_due_articles() -> None:
    records = [record("fresh", 30 * 60_000), record("due", 2 * H), record("old", 40 * D)]
    chosen = choose_rechecks(records, {}, SCHEDULE, now_ms=NOW, budget=10)
    assert [r.id for r in chosen] == ["due"]


def test_choose_counts_the_last_check_from_the_cache() -> None:
    records = [record("a", 5 * H)]
    chosen = choose_rechecks(records, {"a": NOW - 10 * 60_000}, SCHEDULE, now_ms=NOW, budget=10)
    assert chosen == []


def test_choose_counts_the_last_check_from_the_record() -> None:
    records = [record("a", 5 * H, last_checked_ms=NOW - 10 * 60_000)]
    assert choose_rechecks(records, {}, SCHEDULE, now_ms=NOW, budget=10) == []


def test_choose_keeps_to_the_budget_most_overdue_first() -> None:
    records = [record("slightly", 2 * H, NOW - 70 * 60_000), record("very", 10 * H)]
    chosen = choose_rechecks(records, {}, SCHEDULE, now_ms=NOW, budget=1)
    assert [r.id for r in chosen] == ["very"]


def test_choose_everything_ignores_schedule_and_budget_but_not_the_window() -> None:
    records = [record("fresh", 60_000), record("due", 2 * H), record("old", 40 * D)]
    chosen = choose_rechecks(records, {}, SCHEDULE, now_ms=NOW, budget=0, everything=True)
    assert sorted(r.id for r in chosen) == ["due", "fresh"]
