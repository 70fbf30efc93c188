"""A two-source mirror on the fault server: one source stays healthy, the other is made to fail."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from newsmirror.config import load_config
from newsmirror.models import RunReport, SourceReport
from newsmirror.pipeline import RunOptions, run
from tests.faults.content import article_html, full_text_feed, page_feed
from tests.faults.server import FaultServer, respond
from tests.support.mirrors import SourceSpec, make_mirror

# The limits the fault runs use; RELIABILITY.md derives the bounds from them.
FAULT_SETTINGS: dict[str, object] = {
    "allow_private_networks": False,
    "connect_timeout_s": 1.0,
    "read_timeout_s": 0.5,
    "request_deadline_s": 1.0,
    "max_retries": 1,
    "retry_backoff_s": 0.01,
    "max_retry_after_s": 1.5,
    "max_response_bytes": 1_000_000,
    "images": "original",
}
REQUEST_BOUND_S = 2 * 1.0 + 1 * 1.5
# A run with one failing request per source, plus the work of a small run.
RUN_BOUND_S = 2 * REQUEST_BOUND_S + 3.0
RSS_TYPE = "application/rss+xml; charset=utf-8"


@dataclass
class TwoSourceMirror:
    """``good`` (full text in the feed) and ``flaky`` (by feed or by page) on one server."""

    root: Path
    server: FaultServer
    flaky_by_page: bool

    @property
    def flaky_feed_url(self) -> str:
        return self.server.url("/flaky/feed")

    def serve_good(self, items: int) -> None:
        self.server.routes["/good/feed"] = respond(full_text_feed("good", items).encode(),
                                                   RSS_TYPE)

    def serve_flaky(self, items: int) -> None:
        """The flaky source, healthy, with ``items`` items (pages healthy too)."""
        if self.flaky_by_page:
            paths = [f"/flaky/page/{i}" for i in range(items)]
            self.server.routes["/flaky/feed"] = respond(page_feed(paths).encode(), RSS_TYPE)
            for path in paths:
                self.server.routes[path] = respond(article_html(f"页面 {path}", _TEXT).encode())
        else:
            self.server.routes["/flaky/feed"] = respond(
                full_text_feed("flaky", items).encode(), RSS_TYPE)

    def run(self) -> TimedReport:
        started = time.monotonic()
        report = run(load_config(self.root), RunOptions(commit=False, push=False))
        return TimedReport(report, time.monotonic() - started)

    def snapshot(self) -> dict[str, str]:
        """What "already mirrored" means: each article file's hash and each index record."""
        files = {str(p.relative_to(self.root)): hashlib.sha256(p.read_bytes()).hexdigest()
                 for p in (self.root / "articles").rglob("*.md") if p.name != "README.md"}
        records = {line: "record" for p in (self.root / "index").rglob("*.jsonl")
                   for line in p.read_text(encoding="utf-8").splitlines()}
        return files | records

    def kept(self, before: dict[str, str]) -> bool:
        """True when everything in an earlier snapshot is still there, unchanged."""
        after = self.snapshot()
        return all(after.get(key) == value for key, value in before.items())


@dataclass
class TimedReport:
    report: RunReport
    seconds: float

    def source(self, slug: str) -> SourceReport:
        return next(s for s in self.report.sources if s.slug == slug)


_TEXT = ("记者在现场看到，居民正在排队等候，许多人表示会继续关注事态发展。"
         "当局表示将在下周公布调查结果，并承诺保障市民的知情权。") * 3


def make_two_source_mirror(tmp: Path, server: FaultServer, *, flaky_by_page: bool
                           ) -> TwoSourceMirror:
    root = make_mirror(
        tmp / "mirror",
        [SourceSpec("好的来源", "good", server.url("/good/feed"), "feed"),
         SourceSpec("不稳定来源", "flaky", server.url("/flaky/feed"),
                    "page" if flaky_by_page else "feed")],
        **FAULT_SETTINGS,
    )
    mirror = TwoSourceMirror(root, server, flaky_by_page)
    mirror.serve_good(2)
    mirror.serve_flaky(2)
    return mirror
