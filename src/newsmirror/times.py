"""Time in the mirror: the clock a command reads once, and times shown in the mirror's zone.

Rendering never reads the clock: a command reads :func:`now_ms` (the default
``RunOptions.clock``) and passes the time in, so the same archive renders the
same bytes.  Every time a reader sees (lists, READMEs, site pages, ``STATUS.md``,
``newsmirror history``, ``status`` and ``search``) is formatted here, in the zone
of ``[mirror] timezone``; Atom's UTC timestamps are the feed format's own.
"""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

MINUTE_PATTERN = "%Y-%m-%d %H:%M"


def now_ms() -> int:
    """The wall clock in epoch milliseconds (only commands read it)."""
    return int(time.time() * 1000)


def local_datetime(ms: int, tz: ZoneInfo) -> datetime:
    """Epoch milliseconds as a date and time in the mirror's zone."""
    return datetime.fromtimestamp(ms / 1000, tz)


def format_local(ms: int, tz: ZoneInfo, pattern: str = MINUTE_PATTERN) -> str:
    """Epoch milliseconds in the mirror's zone, ``2024-01-31 08:05`` unless told otherwise."""
    return local_datetime(ms, tz).strftime(pattern)


def iso_local(ms: int, tz: ZoneInfo) -> str:
    """Epoch milliseconds as ISO 8601 with the zone's offset, to the second."""
    return local_datetime(ms, tz).isoformat(timespec="seconds")


__all__ = ["MINUTE_PATTERN", "format_local", "iso_local", "local_datetime", "now_ms"]
