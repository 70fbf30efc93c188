"""What hourly runs add to a mirror's git repository, and what cloning it costs.

    .venv/bin/python benchmarks/ci_clone_benchmark.py --hours 240 [--per-hour 11.4]

Grows a mirror the way an hourly schedule does: HOURS runs of the real pipeline
(``run()`` with a clock one hour later each time), each mirroring about
PER_HOUR new articles over 8 sources (100,000 a year is 11.4 an hour). Each
source's feed on loopback carries its newest 30 items with the full text, so
earlier items are seen again as unchanged, as in a real feed. Every body is new
text: paragraphs drawn from a character-bigram model of the predecessor's real
articles (../shared/fixtures/predecessor), with the lengths of those articles,
so zlib and git's deltas find about as little to share as between real
articles (a little less than real text has: the figures lean high). The
site and feeds are built every run; the Pagefind search index is off (its
cost is measured in site_benchmark.py). Then, at half the hours and at the
end: the packed repository size after ``git gc``, a full clone
(``git clone --no-local``) and a shallow one (``--depth 1``), each timed.
The year figure extrapolates the growth per hour between the two points.
"""

from __future__ import annotations

import argparse
import html
import logging
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.mirrors import SourceSpec, make_mirror  # noqa: E402
from tests.support.recorded import PREDECESSOR  # noqa: E402

from newsmirror.clean.sanitize import plain_text  # noqa: E402
from newsmirror.config import load_config  # noqa: E402
from newsmirror.demo.server import LoopbackServer, Route  # noqa: E402
from newsmirror.pipeline import RunOptions, run  # noqa: E402
from newsmirror.store.articles import parse_article_file  # noqa: E402

SOURCES = ("bbc", "voa", "dw", "rfi", "nyt", "ft", "rfa", "cdt")
FEED_ITEMS = 30
HOUR_MS = 3_600_000
START_MS = 1_767_225_600_000  # 2026-01-01 00:00 UTC


class BodyModel:
    """Synthetic article bodies with the character statistics of real ones."""

    def __init__(self, seed: int = 20260101) -> None:
        files = sorted(p for p in PREDECESSOR.rglob("*.md") if p.parent.name in SOURCES)
        texts = [plain_text(parse_article_file(p.read_text(encoding="utf-8")).body_html)
                 for p in files]
        self.lengths = [len(t) for t in texts if len(t) > 200]
        self.next: dict[str, list[str]] = defaultdict(list)
        for text in texts:
            for a, b in zip(text, text[1:], strict=False):
                self.next[a].append(b)
        self.random = random.Random(seed)

    def body(self) -> str:
        length = self.random.choice(self.lengths)
        char, chars = self.random.choice(list(self.next)), []
        for _ in range(length):
            char = self.random.choice(self.next.get(char) or list(self.next))
            chars.append(char)
        text = "".join(chars)
        paragraphs = [text[i:i + 160] for i in range(0, len(text), 160)]
        return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


def feed(slug: str, items: list[tuple[int, int, str]]) -> Route:
    """RSS with the newest FEED_ITEMS items: (number, published ms, body)."""
    parts = []
    for n, published, body in items[-FEED_ITEMS:][::-1]:
        when = format_datetime(datetime.fromtimestamp(published / 1000, UTC))
        parts.append(f"<item><title>{slug} 第{n}篇新闻</title><link>{{{{origin}}}}/{slug}/story-{n}"
                     f"</link><guid>{slug}-{n}</guid><pubDate>{when}</pubDate><description>"
                     f"<![CDATA[<p>第{n}篇：{slug} 的这篇文章只为测量而生成。</p>{body}]]>"
                     "</description></item>")
    return Route(f'<rss version="2.0"><channel><title>{slug}</title>{"".join(parts)}'
                 "</channel></rss>".encode(), "application/rss+xml")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


def measure(root: Path, scratch: Path) -> dict[str, float]:
    git(root, "gc", "--quiet", "--prune=now")
    counts = dict(line.split(": ") for line in git(root, "count-objects", "-v").splitlines())
    figures = {"pack_mb": int(counts["size-pack"]) / 1024, "objects": float(counts["in-pack"])}
    for kind, extra in (("full", []), ("shallow", ["--depth", "1"])):
        target = scratch / kind
        shutil.rmtree(target, ignore_errors=True)
        started = time.perf_counter()
        subprocess.run(["git", "clone", "--quiet", "--no-local", *extra, f"file://{root}",
                        str(target)], check=True)
        figures[f"{kind}_clone_s"] = time.perf_counter() - started
        size = int(git(target, "count-objects", "-v").split("size-pack: ")[1].split()[0])
        figures[f"{kind}_clone_mb"] = size / 1024
    figures["tree_mb"] = sum(p.stat().st_size for p in (scratch / "full").rglob("*")
                             if p.is_file() and ".git" not in p.parts) / 1e6
    return figures


def kind_of(path: str) -> str:
    """The output a blob belongs to, for the breakdown of what history holds."""
    parts = path.split("/")
    if parts[0] == "docs" and len(parts) > 1:
        if parts[1] == "feeds":
            return "docs/feeds (feed copies)"
        if len(parts) == 3 and parts[2].startswith(("index", "page-")):
            return "docs: source index pages"
        if len(parts) == 3 and parts[2][:4].isdigit():
            return "docs: month pages"
        return "docs: article pages" if len(parts) > 3 else "docs: other"
    if parts[0] == "articles":
        return "articles: month READMEs" if parts[-1] == "README.md" else "articles: files"
    return parts[0] if len(parts) > 1 else "top-level files"


def breakdown(root: Path) -> dict[str, float]:
    """MiB of packed history per output (blobs by path; trees and commits apart)."""
    paths = {}
    for line in git(root, "rev-list", "--objects", "--all").splitlines():
        sha, _, path = line.partition(" ")
        paths.setdefault(sha, path)
    sizes: dict[str, float] = defaultdict(float)
    check = git(root, "cat-file", "--batch-all-objects",
                "--batch-check=%(objectname) %(objecttype) %(objectsize:disk)")
    for line in check.splitlines():
        sha, kind, size = line.split()
        key = kind_of(paths.get(sha, "")) if kind == "blob" else f"{kind}s"
        sizes[key] += int(size) / 2**20
    return dict(sorted(sizes.items(), key=lambda item: -item[1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=240)
    parser.add_argument("--per-hour", type=float, default=11.4)
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    bodies = BodyModel()
    items: dict[str, list[tuple[int, int, str]]] = {slug: [] for slug in SOURCES}
    routes: dict[str, Route] = {}
    points: list[tuple[int, int, dict[str, float]]] = []
    with LoopbackServer(routes) as server, tempfile.TemporaryDirectory() as tmp:
        root = make_mirror(Path(tmp) / "m", [SourceSpec(s.upper(), s, server.url(f"/{s}.xml"),
                                                        "feed") for s in SOURCES],
                           site_search=False, recheck_schedule=())
        git(root, "config", "gc.auto", "0")  # measured packing only, no background gc
        made, started = 0, time.perf_counter()
        for hour in range(1, args.hours + 1):
            now = START_MS + hour * HOUR_MS
            while made < round(hour * args.per_hour):
                slug = SOURCES[made % len(SOURCES)]
                items[slug].append((made, now - (made % 50) * 60_000, bodies.body()))
                made += 1
            for slug in SOURCES:
                routes[f"/{slug}.xml"] = feed(slug, items[slug])
            run(load_config(root), RunOptions(clock=lambda now=now: now, push=False))
            if hour in (args.hours // 2, args.hours):
                points.append((hour, made, measure(root, Path(tmp) / "clones")))
                print(f"hour {hour}: {made} articles, {time.perf_counter() - started:.0f} s "
                      f"so far: {points[-1][2]}", flush=True)
        print("packed history by output (MiB):", {k: round(v, 1) for k, v in
                                                   breakdown(root).items()}, flush=True)
    (h1, a1, first), (h2, a2, last) = points
    per_hour_mb = (last["pack_mb"] - first["pack_mb"]) / (h2 - h1)
    print(f"\nper hour (between hour {h1} and {h2}): {per_hour_mb * 1024:.0f} KiB packed; "
          f"a year of 8,760 hourly runs: about {per_hour_mb * 8760 / 1024:.2f} GiB packed")
    print(f"per article: {(last['pack_mb'] - first['pack_mb']) * 1024 / (a2 - a1):.1f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
