"""Extraction speed over the recorded real pages: pages per second.

Usage (from the repository root):

    .venv/bin/python benchmarks/extract_benchmark.py [--rounds N]

Three ways of reading the same pages, each timed over N rounds after one warm-up:

* ``site rules``   — ``extract_article`` with the bundled rules (every recorded page
  has a rule): one lexbor parse, rewrites, removals, body selection, and the
  generic extractor as a check where the rule read under half of the page's text;
* ``generic``      — ``extract_article`` with no site rule (lexbor clean-up, then
  trafilatura, with readability when trafilatura's text is short);
* ``trafilatura``  — ``trafilatura.extract`` alone, HTML output with images, as the
  generic path calls it.

The sanitiser is not included (it runs the same on every path).  Figures vary
with machine load: run it on an idle machine and compare within one run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tools.quality import generic_only_rules, load_cases  # noqa: E402

from newsmirror.extract import extract_article  # noqa: E402
from newsmirror.extract.generic import read_with_trafilatura  # noqa: E402
from newsmirror.models import Page  # noqa: E402


def recorded_pages() -> list[Page]:
    return [case.page() for case in load_cases("real")]


def time_pages(read: Callable[[Page], object], pages: list[Page], rounds: int) -> float:
    """Median pages per second over ``rounds`` passes (after a warm-up pass)."""
    for page in pages:
        read(page)
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        for page in pages:
            read(page)
        rates.append(len(pages) / (time.perf_counter() - start))
    return statistics.median(rates)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    pages = recorded_pages()
    megabytes = sum(len(p.html.encode()) for p in pages) / 1e6
    generic = generic_only_rules()
    readers: dict[str, Callable[[Page], object]] = {
        "site rules": extract_article,
        "generic": lambda page: extract_article(page, generic),
        "trafilatura": lambda page: read_with_trafilatura(page.html, page.final_url),
    }
    print(f"{len(pages)} recorded pages, {megabytes:.1f} MB of HTML, {args.rounds} rounds")
    rates = {name: time_pages(read, pages, args.rounds) for name, read in readers.items()}
    for name, rate in rates.items():
        print(f"{name:<12} {rate:8.1f} pages/s  {1000 / rate:7.1f} ms/page")
    print(f"site rules vs trafilatura alone: {rates['site rules'] / rates['trafilatura']:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
