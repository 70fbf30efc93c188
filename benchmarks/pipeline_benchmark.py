"""Time a run over the recorded real feeds and pages, then a second run with nothing new.

    .venv/bin/python benchmarks/pipeline_benchmark.py [--repeat N]

Serves ../shared/fixtures/real on loopback (as the tests do), makes a fresh
mirror, runs the pipeline twice, and prints seconds and articles per second.
"""

from __future__ import annotations

import argparse
import logging
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.recorded import make_recorded_mirror, recorded_routes  # noqa: E402

from newsmirror.config import load_config  # noqa: E402
from newsmirror.demo.server import LoopbackServer  # noqa: E402
from newsmirror.pipeline import run  # noqa: E402


def one_round() -> tuple[int, float, float]:
    with LoopbackServer(recorded_routes()) as server, tempfile.TemporaryDirectory() as tmp:
        origin = server.origin
        root = make_recorded_mirror(Path(tmp) / "m", origin)
        started = time.perf_counter()
        report = run(load_config(root))
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        again = run(load_config(root))
        second_s = time.perf_counter() - started
        assert again.new_count == 0
        return report.new_count, first_s, second_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    rounds = [one_round() for _ in range(args.repeat)]
    articles = rounds[0][0]
    first = statistics.median(r[1] for r in rounds)
    second = statistics.median(r[2] for r in rounds)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"articles: {articles}")
    print(f"first run: {first:.2f} s ({articles / first:.1f} articles/s), median of {args.repeat}")
    print(f"no-op second run: {second:.3f} s")
    print(f"peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
