"""Time re-checks (full GET and 304) and the character-level diff of a long real article.

    .venv/bin/python benchmarks/recheck_benchmark.py [--articles N] [--repeat N]

Serves N small article pages on loopback, mirrors them, then runs
`run --recheck-all` twice: first every page is fetched whole, extracted and
compared (no validators stored yet), then every page answers 304.  Separately
times the comparison and the diff of the recorded 2025 BBC article with one
sentence changed.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.recheck.pages import PARAGRAPHS  # noqa: E402
from tests.support.mirrors import SourceSpec, make_mirror  # noqa: E402
from tests.support.recorded import REAL  # noqa: E402

from newsmirror.clean.sanitize import sanitize_html  # noqa: E402
from newsmirror.config import load_config  # noqa: E402
from newsmirror.demo.server import LoopbackServer, Route  # noqa: E402
from newsmirror.extract import extract_article  # noqa: E402
from newsmirror.history import plain_text, render_diff_html  # noqa: E402
from newsmirror.models import Page  # noqa: E402
from newsmirror.pipeline import RunOptions, run  # noqa: E402
from newsmirror.recheck import comparable_text  # noqa: E402

T0 = 1_700_000_000_000
HOUR_MS = 3_600_000
ITEM = ("<item><title>文章 {i}</title><link>{{{{origin}}}}/a/{i}</link>"
        "<description>摘要</description></item>")


def routes(count: int) -> dict[str, Route]:
    items = "".join(ITEM.format(i=i) for i in range(count))
    feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}'
            "</channel></rss>")
    served = {"/feed": Route(feed.encode(), "application/rss+xml")}
    for i in range(count):
        body = "".join(f"<p>第 {i} 篇。{text}</p>" for text in PARAGRAPHS)
        page = f"<html><body><article><h1>文章 {i}</h1>{body}</article></body></html>"
        served[f"/a/{i}"] = Route(page.encode())
    return served


def recheck_round(count: int) -> tuple[float, float]:
    with LoopbackServer(routes(count)) as server, tempfile.TemporaryDirectory() as tmp:
        root = make_mirror(Path(tmp) / "m", [SourceSpec("t", "t", server.url("/feed"), "page")],
                           max_new_per_source=count)
        config = load_config(root)
        run(config, RunOptions(clock=lambda: T0, commit=False))
        timings = []
        for hours in (2, 4):
            started = time.perf_counter()
            report = run(config, RunOptions(clock=lambda h=hours: T0 + h * HOUR_MS, commit=False,
                                            recheck_all=True))
            timings.append(time.perf_counter() - started)
            assert report.counters["recheck/unchanged"] == count, report.counters
        return timings[0], timings[1]


def diff_timings(repeat: int) -> tuple[int, float, float]:
    html = (REAL / "bbc" / "article_2025-11-30_cwyv1yz8yrno_simp_reindented.html").read_text()
    page = Page("https://www.bbc.com/zhongwen/articles/cwyv1yz8yrno/simp",
                "https://www.bbc.com/zhongwen/articles/cwyv1yz8yrno/simp", html)
    body = sanitize_html(extract_article(page).body_html, page.final_url)
    old = plain_text(body)
    lines = old.split("\n")
    middle = len(lines) // 2
    lines[middle] = lines[middle][: len(lines[middle]) // 2] + "（此句已被修改）"
    new = "\n".join(lines)
    compare, diff = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        comparable_text(body)
        compare.append(time.perf_counter() - started)
        started = time.perf_counter()
        render_diff_html(old, new)
        diff.append(time.perf_counter() - started)
    return len(old), statistics.median(compare), statistics.median(diff)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    rounds = [recheck_round(args.articles) for _ in range(args.repeat)]
    full = statistics.median(r[0] for r in rounds)
    not_modified = statistics.median(r[1] for r in rounds)
    chars, compare_s, diff_s = diff_timings(args.repeat * 5)
    print(f"re-check {args.articles} articles, full GET + extract + compare: {full:.2f} s "
          f"({args.articles / full:.0f}/s), median of {args.repeat}")
    print(f"re-check {args.articles} articles, all 304: {not_modified:.2f} s "
          f"({args.articles / not_modified:.0f}/s)")
    print(f"BBC 2025 article ({chars} characters): comparable_text {compare_s * 1000:.1f} ms, "
          f"render_diff_html {diff_s * 1000:.1f} ms")


if __name__ == "__main__":
    main()
