"""Site build and search index over 10,000 articles: full, unchanged, incremental; seconds, RSS.

    .venv/bin/python benchmarks/site_benchmark.py [--articles 10000] [--keep DIR]

The archive is generated from the recorded real feeds (DW, NYT, CDT items with
their full text, sanitised as a run would): bodies and titles are reused round
robin under new URLs, spread over four sources and 25 months.  Each build runs
in its own process so that its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.mirrors import SourceSpec, make_mirror  # noqa: E402
from tests.support.recorded import FEEDS, REAL  # noqa: E402

from newsmirror.clean.sanitize import sanitize_html  # noqa: E402
from newsmirror.config import load_config  # noqa: E402
from newsmirror.feeds import parse_feed  # noqa: E402
from newsmirror.models import ArticleRecord  # noqa: E402
from newsmirror.store.articles import ArticleFile, ArticleFiles, render_article_file  # noqa: E402
from newsmirror.store.files import article_id  # noqa: E402
from newsmirror.store.index import record_to_json, shard_of  # noqa: E402

SOURCES = (("BBC", "bbc"), ("德国之声", "dw"), ("纽约时报", "nyt"), ("中国数字时代", "cdt"))
START_MS = 1_640_995_200_000  # 2022-01-01
HOUR_MS = 3_600_000


def fixture_articles() -> list[tuple[str, str]]:
    """(title, sanitised body) of every recorded feed item with a real body."""
    articles = []
    for outlet in ("dw", "nyt", "cdt"):
        relative, content_type = FEEDS[outlet]
        feed = parse_feed((REAL / relative).read_bytes(), "https://example.invalid/feed",
                          content_type=content_type)
        for entry in feed.entries:
            body = sanitize_html(entry.content_html or entry.summary_html or "", entry.link)
            if len(body) > 200:
                articles.append((entry.title, body))
    return articles


def generate_archive(root: Path, count: int, *, first: int = 0) -> None:
    """Write ``count`` article files and their index lines (appending to existing shards)."""
    bodies = fixture_articles()
    shards: dict[Path, list[str]] = {}
    for n in range(first, first + count):
        name, slug = SOURCES[n % len(SOURCES)]
        title, body = bodies[n % len(bodies)]
        published = START_MS + n * 2 * HOUR_MS  # 10,000 articles span 27 months
        url = f"https://{slug}.example.invalid/news/{n}"
        month = time.strftime("%Y/%m", time.gmtime(published / 1000))
        record = ArticleRecord(
            id=article_id(slug, url), source=slug, url=url, canonical_url=url,
            title=f"{title}（{n}）", published_ms=published, first_seen_ms=published + 60_000,
            path=f"articles/{slug}/{month}/story-{n:06d}.md", content_sha256=f"{n:064x}",
        )
        path = root / record.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_article_file(ArticleFile(published, record.title, url, body)),
                        encoding="utf-8")
        shard = root / "index" / slug / f"{shard_of(record)}.jsonl"
        shards.setdefault(shard, []).append(record_to_json(record) + "\n")
    for shard, lines in shards.items():
        shard.parent.mkdir(parents=True, exist_ok=True)
        with shard.open("a", encoding="utf-8") as handle:
            handle.writelines(lines)


def measure_build(root: Path, *, full: bool) -> dict[str, object]:
    """Run one build in a child process; its seconds, peak RSS and report."""
    command = [sys.executable, __file__, "--child-build", str(root)] + (["--full"] if full else [])
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def child_build(root: Path, full: bool) -> None:
    from newsmirror.render.site import build_site
    from newsmirror.store.index import ArchiveIndex
    from newsmirror.times import now_ms

    started = time.perf_counter()
    config = load_config(root)
    index = ArchiveIndex.open(root)
    report = build_site(config, index.all_records(), ArticleFiles(config.root), now_ms=now_ms(),
                        full=full)
    index.close()
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": round(seconds, 2), "peak_rss_mb": round(peak_mb),
                      "written": report.pages_written, "unchanged": report.pages_unchanged,
                      "search_indexed": report.search_indexed}))


def measure_search(root: Path) -> dict[str, object]:
    command = [sys.executable, __file__, "--child-search", str(root)]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def child_search(root: Path) -> None:
    """Index the archive for `newsmirror search` from scratch, again, then query it."""
    from newsmirror.search.fts import SearchIndex
    from newsmirror.store.articles import parse_article_file
    from newsmirror.store.index import ArchiveIndex

    def read_body(record: ArticleRecord) -> str:
        return parse_article_file((root / record.path).read_text(encoding="utf-8")).body_html

    index, search = ArchiveIndex.open(root), SearchIndex.open(root)
    records = list(index.all_records())
    started = time.perf_counter()
    search.sync(records, read_body)
    first = time.perf_counter() - started
    started = time.perf_counter()
    search.sync(records, read_body)
    again = time.perf_counter() - started
    queries = {}
    for query in ("台湾", "北京", "中國", "习近平 反腐"):
        started = time.perf_counter()
        hits = search.search(query, limit=20)
        queries[query] = {"ms": round((time.perf_counter() - started) * 1000, 1), "hits": len(hits)}
    size_mb = (root / ".newsmirror" / "search.sqlite").stat().st_size / 1e6
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"index_s": round(first, 1), "sync_unchanged_s": round(again, 2),
                      "queries": queries, "size_mb": round(size_mb), "peak_rss_mb": round(peak_mb)},
                     ensure_ascii=False))


def site_digest(site: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        digest.update(path.relative_to(site).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def site_files(site: Path) -> dict[str, tuple[int, str]]:
    """Every file of the site: its size and a hash of its bytes."""
    return {p.relative_to(site).as_posix(): (p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in site.rglob("*") if p.is_file()}


def churn(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> dict[str, int]:
    """What a commit of the site would carry: files new or changed, and their bytes."""
    changed = [path for path, entry in after.items() if before.get(path) != entry]
    search = [path for path in changed if path.startswith("search/")]
    return {"files": len(changed), "bytes": sum(after[p][0] for p in changed),
            "search_files": len(search), "search_bytes": sum(after[p][0] for p in search),
            "site_bytes": sum(size for size, _ in after.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="Build in this folder and keep it.")
    parser.add_argument("--child-build", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--full", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-search", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_build:
        child_build(args.child_build, args.full)
        return
    if args.child_search:
        child_search(args.child_search)
        return
    with tempfile.TemporaryDirectory(prefix="site-bench.") as tmp:
        root = args.keep or Path(tmp) / "mirror"
        make_mirror(root, [SourceSpec(name, slug, f"https://{slug}.example.invalid/feed")
                           for name, slug in SOURCES])
        generate_archive(root, args.articles)
        rows = {"full build (empty site folder)": measure_build(root, full=False)}
        rows["build again, nothing changed"] = measure_build(root, full=False)
        files_before = site_files(root / "docs")
        generate_archive(root, 20, first=args.articles)
        rows["incremental build after 20 new articles"] = measure_build(root, full=False)
        changed = churn(files_before, site_files(root / "docs"))
        before = site_digest(root / "docs")
        rows["full rebuild of the same archive (--full)"] = measure_build(root, full=True)
        identical = before == site_digest(root / "docs")
        search = measure_search(root)
        print(f"{args.articles} articles generated from the recorded feeds")
        for what, row in rows.items():
            print(f"{what}: {json.dumps(row, ensure_ascii=False)}")
        print(f"full rebuild byte-identical: {identical}")
        print(f"site files changed by the incremental build: {json.dumps(changed)}")
        print(f"newsmirror search: {json.dumps(search, ensure_ascii=False)}")


if __name__ == "__main__":
    main()
