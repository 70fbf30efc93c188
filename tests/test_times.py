"""Times as readers see them: one formatter, in the mirror's zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from newsmirror.times import format_local, iso_local, local_datetime

MS = 1_700_000_000_000  # 2023-11-14 22:13:20 UTC


@pytest.mark.parametrize(("zone", "minute", "iso"), [
    ("Asia/Shanghai", "2023-11-15 06:13", "2023-11-15T06:13:20+08:00"),
    ("UTC", "2023-11-14 22:13", "2023-11-14T22:13:20+00:00"),
    ("America/New_York", "2023-11-14 17:13", "2023-11-14T17:13:20-05:00"),
], ids=["shanghai", "utc", "new-york"])
def test_times_are_shown_in_the_mirror_zone(zone: str, minute: str, iso: str) -> None:
    tz = ZoneInfo(zone)
    assert format_local(MS, tz) == minute
    assert iso_local(MS, tz) == iso


def test_a_pattern_picks_the_parts_shown() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    assert format_local(MS, tz, "%Y-%m") == "2023-11"
    assert (local_datetime(MS, tz).month, local_datetime(MS, tz).day) == (11, 15)
