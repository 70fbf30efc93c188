"""The site's search index at archive scale: build, searches, the cost of ordinary runs.

    .venv/bin/python benchmarks/search_benchmark.py [--articles 100000] [--runs 40] [--keep DIR]

N articles are generated from the recorded fixtures' text (``../shared/fixtures``:
the predecessor's article files and the full-text feed items): each has a
sentence of them as its title and 15-60 of their sentences, shuffled, as its
body, plus ten made-up three-character names (a long tail of rare words, as
real news has), published over three years across eight sources.  The oldest
article also carries a made-up word that no other has.  Bodies are made again
from the article's number when read, so the benchmark holds no archive in memory.

Measured, each build in its own process (peak RSS is the process's own):
the first build of the whole index; the bytes and requests of some searches as
search.js makes them (the same files, read the same way, from the folder); and
``--runs`` runs that each add 20 articles with the ordinary merge budget: the
files they add, change or delete and their bytes (what a commit carries).
"""

from __future__ import annotations

import argparse
import glob
import gzip
import hashlib
import html
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.mirrors import SourceSpec, make_mirror  # noqa: E402
from tests.support.recorded import PREDECESSOR, REAL  # noqa: E402

from newsmirror.clean.sanitize import plain_text  # noqa: E402
from newsmirror.config import load_config  # noqa: E402
from newsmirror.models import ArticleRecord  # noqa: E402
from newsmirror.search.postings import bucket_of, read_entries  # noqa: E402
from newsmirror.search.terms import parse_query  # noqa: E402

SOURCES = (("BBC", "bbc"), ("德国之声", "dw"), ("纽约时报", "nyt"), ("中国数字时代", "cdt"),
           ("美国之音", "voa"), ("法广", "rfi"), ("自由亚洲电台", "rfa"), ("FT中文网", "ft"))
START_MS = 1_640_995_200_000  # 2022-01-01
SPAN_MS = 3 * 365 * 86_400_000
OLD_WORD = "蔺翀鹳鹬"
# Made-up names use the most common block of Chinese characters, so most of their pairs are rare.
NAME_CHARS = tuple(map(chr, range(0x4E00, 0x6A00)))
QUERIES = ("香港", "台湾", "习近平", "香港 大火", "中国共产党", "新冠疫情期间", "美国总统特朗普表示",
           "covid", OLD_WORD)
PAGE_SIZE = 20


@lru_cache(maxsize=1)
def sentences() -> tuple[str, ...]:
    """Every sentence of eight characters or more in the recorded fixtures' articles."""
    texts = [plain_text(Path(p).read_text(encoding="utf-8").split("\n", 4)[-1])
             for p in sorted(glob.glob(str(PREDECESSOR / "*" / "*.md")))]
    for feed in sorted(glob.glob(str(REAL / "*" / "feed_*.xml"))):
        raw = Path(feed).read_text(encoding="utf-8", errors="replace")
        for item in re.findall(r"<(?:description|content:encoded|content)[^>]*>(.*?)</", raw, re.S):
            texts.append(plain_text(html.unescape(item.replace("<![CDATA[", "").replace("]]>", ""))))
    found = [s.strip() for t in texts for s in re.split(r"(?<=[。！？!?])|\n", t)]
    return tuple(s for s in found if len(s) >= 8)


def title(n: int) -> str:
    pool = sentences()
    return pool[n * 7919 % len(pool)][:40]


def body(n: int) -> str:
    """The body HTML of article ``n`` (the same every time)."""
    rng = random.Random(n)
    pool = sentences()
    paragraphs = [rng.choice(pool) for _ in range(rng.randint(15, 60))]
    for _ in range(10):
        name = "".join(rng.choice(NAME_CHARS) for _ in range(3))
        at = rng.randrange(len(paragraphs))
        paragraphs[at] = f"{paragraphs[at]}{name}表示。"
    if n == 0:
        paragraphs.append(f"{OLD_WORD}这个词只在这篇文章里。")
    return "".join(f"<p>{html.escape(s)}</p>" for s in paragraphs)


def record(n: int, total: int) -> ArticleRecord:
    slug = SOURCES[n % len(SOURCES)][1]
    published = START_MS + n * SPAN_MS // max(total, 1)
    month = time.strftime("%Y/%m", time.gmtime(published / 1000))
    return ArticleRecord(
        id=f"{slug}-{n:07d}", source=slug, url=f"https://{slug}.example.invalid/{n}",
        canonical_url=f"https://{slug}.example.invalid/{n}", title=title(n),
        published_ms=published, first_seen_ms=published, path=f"articles/{slug}/{month}/{n}.md",
        content_sha256=hashlib.sha256(str(n).encode()).hexdigest(),
    )


def read_body(item: ArticleRecord) -> str:
    return body(int(item.path.rsplit("/", 1)[1].removesuffix(".md")))


def page_of(item: ArticleRecord) -> str:
    return item.path.split("/", 1)[1].removesuffix(".md") + ".html"


# -- children: one build or one run each, so that peak RSS is their own ---------------------


def child(kind: str, root: Path, first: int, count: int, total: int) -> None:
    from newsmirror.search.static_index import sync_site_search, update_site_search

    config = load_config(root)
    records = (record(n, total) for n in range(first, first + count))
    started = time.perf_counter()
    if kind == "build":
        report = sync_site_search(config, records, read_body, page_of=page_of,
                                  finish_merges=True)
    else:
        report = update_site_search(config, list(records), read_body, page_of=page_of,
                                    all_records=lambda: [])
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"seconds": round(seconds, 2), "peak_rss_mb": round(peak_mb),
                      "worker_peak_rss_mb": round(worker_mb), "indexed": report.indexed,
                      "segments": report.segments, "merged_bytes": report.merged_bytes}))


def run_child(kind: str, root: Path, first: int, count: int, total: int) -> dict[str, object]:
    command = [sys.executable, __file__, "--child", kind, str(root), str(first), str(count),
               str(total)]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


# -- what a search fetches ----------------------------------------------------------------


def search_cost(folder: Path, query: str) -> dict[str, object]:
    """The files search.js fetches for the first page of results: count, bytes, gzipped."""
    fetched = [folder / "manifest.json", folder / "chars.json"]
    manifest = json.loads(fetched[0].read_text(encoding="utf-8"))
    dead = dict(manifest["dead"])
    terms = [t.encode() for t in parse_query(query).terms]
    found: set[int] = set()
    for segment in manifest["segments"]:
        matches: set[int] | None = None
        for term in terms:
            if matches is not None and not matches:
                break
            path = folder / segment["name"] / f"{bucket_of(term, segment['bits'])}.bin"
            fetched.append(path)
            docids = next((set(e.docids()) for e in read_entries(path.read_bytes(), segment["low"])
                           if e.term == term), set())
            matches = docids if matches is None else matches & docids
        found |= {d for d in matches or () if dead.get(d, -1) <= segment["generation"]}
    shown = sorted(found, reverse=True)[:PAGE_SIZE]
    fetched += [folder / "docs" / f"{d // manifest['docs_per_chunk']}.json" for d in shown]
    unique = list(dict.fromkeys(fetched))
    return {"results": len(found), "requests": len(unique),
            "kb": round(sum(p.stat().st_size for p in unique) / 1024),
            "gzip_kb": round(sum(len(gzip.compress(p.read_bytes())) for p in unique) / 1024)}


def precision(folder: Path, total: int, samples: int = 40) -> dict[str, object]:
    """Random 3-6 character pieces of random articles: results that do not contain them."""
    from newsmirror.search.terms import fold

    texts = {n: fold(title(n) + "\n" + plain_text(body(n))) for n in range(total)}
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    rng = random.Random(1)
    wrong = extra = 0
    for _ in range(samples):
        runs = re.findall(r"[\u4e00-\u9fff]{6,}", texts[rng.randrange(total)])
        run = rng.choice(runs)
        length = rng.randint(3, 6)
        start = rng.randrange(len(run) - length + 1)
        query = run[start:start + length]
        found = docids_of(folder, manifest, query)
        exact = {n for n, text in texts.items() if query in text}
        wrong += found != exact
        extra += len(found - exact)
    return {"queries": samples, "with_extra_results": wrong, "extra_results": extra}


def docids_of(folder: Path, manifest: dict[str, object], query: str) -> set[int]:
    """Docids found for a query (the benchmark's docids are the article numbers)."""
    dead = dict(manifest["dead"])  # type: ignore[call-overload]
    found: set[int] = set()
    for segment in manifest["segments"]:  # type: ignore[attr-defined]
        matches: set[int] | None = None
        for term in (t.encode() for t in parse_query(query).terms):
            path = folder / segment["name"] / f"{bucket_of(term, segment['bits'])}.bin"
            docids = next((set(e.docids()) for e in read_entries(path.read_bytes(), segment["low"])
                           if e.term == term), set())
            matches = docids if matches is None else matches & docids
        found |= {d for d in matches or () if dead.get(d, -1) <= segment["generation"]}
    return found


# -- what a run changes ---------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, hashlib.sha1(p.read_bytes()).hexdigest())
            for p in folder.rglob("*") if p.is_file()}


def churn(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> dict[str, int]:
    changed = [p for p, entry in after.items() if before.get(p) != entry]
    deleted = [p for p in before if p not in after]
    return {"files": len(changed) + len(deleted), "written": len(changed), "deleted": len(deleted),
            "bytes": sum(after[p][0] for p in changed)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=40, help="Runs of 20 new articles.")
    parser.add_argument("--keep", type=Path, help="Build in this folder and keep it.")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, root, first, count, total = args.child
        child(kind, Path(root), int(first), int(count), int(total))
        return
    with tempfile.TemporaryDirectory(prefix="search-bench.") as tmp:
        root = args.keep or Path(tmp) / "mirror"
        make_mirror(root, [SourceSpec(name, slug, f"https://{slug}.example.invalid/feed")
                           for name, slug in SOURCES])
        folder = root / "docs" / "search"
        total = args.articles + 20 * args.runs
        build = run_child("build", root, 0, args.articles, total)
        size_mb = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6
        files = sum(1 for p in folder.rglob("*") if p.is_file())
        print(f"{args.articles} articles, {len(sentences())} fixture sentences")
        print(f"first build: {json.dumps(build)}; index {size_mb:.1f} MB in {files} files")
        for query in QUERIES:
            print(f"search {query}: {json.dumps(search_cost(folder, query), ensure_ascii=False)}")
        if args.articles <= 20_000:
            print(f"precision: {json.dumps(precision(folder, args.articles))}")
        runs = []
        for number in range(args.runs):
            before = snapshot(folder)
            row = run_child("run", root, args.articles + 20 * number, 20, total)
            runs.append({**row, **churn(before, snapshot(folder))})
        for key in ("seconds", "peak_rss_mb", "files", "bytes"):
            values = sorted(r[key] for r in runs)
            if values:
                print(f"runs of 20 new articles, {key}: median {values[len(values) // 2]}, "
                      f"max {values[-1]}")
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        merging = [(m["next_bucket"], 1 << m["output"]["bits"]) for m in manifest["merging"]]
        garbage = sum(1 for name in manifest["garbage"] for _ in (folder / name).glob("*.bin"))
        print(f"after the runs: {len(manifest['segments'])} segments, merges under way "
              f"(buckets written, of): {merging}, files left to delete: {garbage}")
        for query in QUERIES[:4]:
            print(f"search {query}: {json.dumps(search_cost(folder, query), ensure_ascii=False)}")


if __name__ == "__main__":
    main()
