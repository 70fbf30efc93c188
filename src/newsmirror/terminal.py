"""What a run shows on a terminal: a line per source that keeps moving, and logs above it.

:class:`RunBoard` turns the pipeline's :class:`~newsmirror.models.ProgressEvent`
values into one line per source: the feed it is fetching, or how many of its new
items are done and which URL it has waited on longest, with the seconds of that
wait.  It is drawn by rich's ``Live`` display, which renders it again several
times a second, so the seconds keep counting during a slow fetch.  Log records go
through rich's logging handler on the same console, which prints them above the
live lines instead of through them.  Nothing here is used when output is not a
terminal.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from rich.console import Console
from rich.live import Live
from rich.logging import RichHandler
from rich.markup import escape
from rich.table import Table

from newsmirror.models import ProgressEvent

REFRESHES_PER_S = 4
URL_CHARS = 70
RUN_STAGES = {"recheck": "re-checking mirrored articles", "outputs": "writing lists, site, feeds"}


@dataclass(slots=True)
class _SourceLine:
    """What one source is doing, as the events told."""

    stage: str = "waiting"
    url: str = ""
    since: float = 0.0
    total: int = 0
    done: int = 0
    in_flight: dict[str, float] = field(default_factory=dict)  # URL → when started


class RunBoard:
    """Per-source progress lines, rendered anew on every refresh (``__rich__``)."""

    def __init__(self, names: Mapping[str, str], *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._names = dict(names)
        self._clock = clock
        self._lines = {slug: _SourceLine(since=clock()) for slug in names}
        self._run_stage = ("", 0.0)

    def update(self, event: ProgressEvent) -> None:
        now = self._clock()
        if event.source == "*":
            self._run_stage = (RUN_STAGES.get(event.stage, event.stage), now)
            return
        line = self._lines.setdefault(event.source, _SourceLine(since=now))
        if event.stage == "item":
            line.in_flight[event.url] = now
        elif event.stage == "item_done":
            line.in_flight.pop(event.url, None)
            line.done += 1
        else:
            line.stage, line.url, line.since = event.stage, event.url, now
            if event.stage == "items":
                line.total = event.total

    def describe(self, slug: str) -> str:
        """The text of one source's line, at this moment."""
        line, now = self._lines[slug], self._clock()
        if line.stage == "done":
            return f"done · {line.done}/{line.total} items"
        if line.stage == "feed":
            return f"feed {_short(line.url)} · waiting {now - line.since:.0f} s"
        if line.in_flight:
            url, started = min(list(line.in_flight.items()), key=lambda item: item[1])
            return (f"{line.done}/{line.total} items · waiting on {_short(url)} "
                    f"{now - started:.0f} s")
        if line.stage == "items":
            return f"{line.done}/{line.total} items"
        return "waiting to start"

    def __rich__(self) -> Table:
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True, overflow="ellipsis")
        for slug in list(self._lines):
            table.add_row(escape(self._names.get(slug, slug)), escape(self.describe(slug)))
        stage, since = self._run_stage
        if stage:
            table.add_row("*", f"{escape(stage)} · {self._clock() - since:.0f} s")
        return table


def _short(url: str) -> str:
    return url if len(url) <= URL_CHARS else url[: URL_CHARS - 1] + "…"


def terminal_log_handler(console: Console) -> logging.Handler:
    """A logging handler that prints above a live display on ``console``."""
    return RichHandler(console=console, show_time=False, show_path=False, markup=False,
                       rich_tracebacks=False, highlighter=None)


@contextmanager
def live_board(board: RunBoard, console: Console) -> Iterator[RunBoard]:
    """Draw ``board`` on ``console`` until the block ends; it is removed afterwards."""
    with Live(board, console=console, refresh_per_second=REFRESHES_PER_S, transient=True):
        yield board


__all__ = ["RunBoard", "live_board", "terminal_log_handler"]
