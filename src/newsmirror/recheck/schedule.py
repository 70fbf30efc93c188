"""When to fetch a mirrored article again: age bands, intervals and the per-run budget."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from newsmirror.config import CONFIG_FILENAME
from newsmirror.errors import ConfigError
from newsmirror.models import ArticleRecord

MAX_WINDOW_MS = 30 * 86_400_000
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT_MS = {"s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


@dataclass(frozen=True, slots=True)
class ScheduleBand:
    """Articles younger than ``max_age_ms`` are re-checked every ``interval_ms``."""

    max_age_ms: int
    interval_ms: int


def parse_schedule(entries: Iterable[str]) -> tuple[ScheduleBand, ...]:
    """``("12h:1h", "3d:6h")`` → bands sorted by age; ConfigError on a bad entry."""
    bands = []
    entries = tuple(entries)
    for entry in entries:
        age, colon, every = entry.partition(":")
        if not colon:
            raise _schedule_error(entry, "expected AGE:EVERY, e.g. '3d:6h'")
        bands.append(ScheduleBand(_duration_ms(age, entry), _duration_ms(every, entry)))
    bands.sort(key=lambda band: band.max_age_ms)
    if bands and bands[-1].max_age_ms > MAX_WINDOW_MS:
        raise _schedule_error(" ".join(entries), "ages stop at 30d")
    return tuple(bands)


def _duration_ms(text: str, entry: str) -> int:
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise _schedule_error(entry, f"{text.strip()!r} is not a duration like 30m, 6h or 3d")
    return int(match.group(1)) * _UNIT_MS[match.group(2)]


def _schedule_error(entry: str, detail: str) -> ConfigError:
    return ConfigError(f"{CONFIG_FILENAME}: mirror.recheck_schedule: {entry!r}: {detail}")


def recheck_interval_ms(schedule: tuple[ScheduleBand, ...], age_ms: int) -> int | None:
    """How often an article of this age is re-checked; None once it is past the window."""
    for band in schedule:
        if age_ms < band.max_age_ms:
            return band.interval_ms
    return None


def choose_rechecks(
    records: Iterable[ArticleRecord],
    last_checks: Mapping[str, int],
    schedule: tuple[ScheduleBand, ...],
    *,
    now_ms: int,
    budget: int,
    everything: bool = False,
) -> list[ArticleRecord]:
    """Articles due for a re-check, most overdue first, at most ``budget``.

    With ``everything`` every article inside the window is due, budget or not.
    """
    due: list[tuple[float, ArticleRecord]] = []
    for record in records:
        interval = recheck_interval_ms(schedule, now_ms - record.first_seen_ms)
        if interval is None:
            continue
        last = max(last_checks.get(record.id, 0), record.last_checked_ms or 0,
                   record.first_seen_ms)
        overdue = (now_ms - last) / interval
        if everything or overdue >= 1:
            due.append((overdue, record))
    due.sort(key=lambda item: (-item[0], item[1].id))
    chosen = [record for _, record in due]
    return chosen if everything else chosen[:budget]
