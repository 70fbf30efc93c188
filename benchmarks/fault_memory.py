"""Peak memory and time of the mirror against the fault server's worst inputs.

    .venv/bin/python benchmarks/fault_memory.py

Each case runs in a fresh Python process: start the fault server, take the
resident set size, then fetch (and parse or extract) the hostile response with
the default [mirror] limits (10 MB response cap, 60 s deadline), and report the
peak resident set size over the baseline.  The cap the figures are checked
against: a fetch holds at most max_response_bytes of body (plus one decoder
step), so the growth must stay within a few times 10 MB.
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CASES = ("gzip-bomb", "brotli-bomb", "endless-chunked", "length-huge", "feed-10000-items",
         "page-100000-nested")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(case: str) -> dict[str, object]:
    from tests.faults.content import deeply_nested_page, page_feed
    from tests.faults.server import FaultServer, brotli_bomb, gzip_bomb, respond

    from newsmirror.config import MirrorSettings
    from newsmirror.errors import MirrorError
    from newsmirror.extract import extract_article
    from newsmirror.feeds import parse_feed
    from newsmirror.fetch import Fetcher, FetchPolicy, decode_text, limit_html_depth
    from newsmirror.models import Page

    gzip_bomb(), brotli_bomb()
    with FaultServer() as server:
        server.routes["/feed-10000-items"] = respond(
            page_feed([f"/page/{i}" for i in range(10_000)]).encode(), "application/rss+xml")
        server.routes["/page-100000-nested"] = respond(deeply_nested_page(100_000))
        policy = FetchPolicy.from_settings(MirrorSettings(allow_private_networks=True))
        baseline = _rss_mb()
        started = time.monotonic()

        async def fetch() -> str:
            async with Fetcher(policy) as fetcher:
                result = await fetcher.fetch(server.url(f"/{case}"))
            if case.startswith("feed"):
                return f"{len(parse_feed(result.body, result.final_url).entries)} entries"
            html = limit_html_depth(decode_text(result.body, result.charset))
            page = Page(url=result.url, final_url=result.final_url, html=html)
            return f"{len(extract_article(page).body_html)} characters extracted"

        try:
            outcome = asyncio.run(fetch())
        except MirrorError as exc:
            outcome = f"{type(exc).__name__}: {exc}"
        return {"case": case, "seconds": round(time.monotonic() - started, 2),
                "baseline_mb": round(baseline), "peak_mb": round(_rss_mb()),
                "growth_mb": round(_rss_mb() - baseline), "outcome": outcome[:90]}


def main() -> None:
    if len(sys.argv) == 2:
        print(json.dumps(measure(sys.argv[1]), ensure_ascii=False))
        return
    print("| case | seconds | peak RSS | growth over baseline | outcome |")
    print("|---|---:|---:|---:|---|")
    for case in CASES:
        out = subprocess.run([sys.executable, __file__, case], capture_output=True, text=True,
                             check=True).stdout
        row = json.loads(out.strip().splitlines()[-1])
        print(f"| {row['case']} | {row['seconds']} | {row['peak_mb']} MB | {row['growth_mb']} MB "
              f"| {row['outcome']} |")


if __name__ == "__main__":
    main()
