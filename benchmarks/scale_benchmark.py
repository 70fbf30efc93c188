"""Years of archive: import an archive, then what runs cost on it; seconds and peak memory.

    .venv/bin/python benchmarks/scale_benchmark.py [--articles 1000] [--seed 1] [--keep DIR]
                                                   [--search] [--json FILE]

An archive in the predecessor's layout is generated from the recorded real
article bodies (the predecessor's samples of nine outlets and the full-text
items of the recorded CDT feed): ``articles/<folder>/<id>.md`` under slugs and
``<id>_<title>.md`` under the Chinese names the predecessor used in its first
months; nine sources over three years, times drawn at random (deterministic by
``--seed``).  Each body is a real one with a paragraph of words drawn from the
fixtures' own text and a number, so every article is distinct and searchable.

Then, each as its own ``newsmirror`` process, timed, with the peak memory of its
whole process tree (the sum of the resident sizes of the process and its
children, sampled every 20 ms from /proc):

1. ``newsmirror import`` of the archive;
2. the first run after it (the whole site; every feed serves already mirrored items);
3. a run where no feed has anything new;
4. the same on a fresh ``git clone --depth 1`` (no ``.newsmirror/``), which must
   write and commit nothing;
5. the same on another fresh clone with the warm mirror's ``.newsmirror/`` copied
   in after the checkout (every modification time differs);
6. a run that adds 20 articles (served on loopback), with the files and bytes of
   the new git objects of its commit.

Last, after ``git gc``, the packed repository and the bytes per article of each
part of the newest commit.  (What hourly runs add to the history is measured by
``ci_clone_benchmark.py``, whose articles do not share bodies.)

The site's search index is built and updated as in any run (``--no-search``
turns it off).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.predecessor import predecessor_files  # noqa: E402
from tests.support.recorded import FEEDS, REAL  # noqa: E402

from newsmirror.demo.server import LoopbackServer, Route  # noqa: E402
from newsmirror.feeds import parse_feed  # noqa: E402
from newsmirror.importer.archive import parse_archive_text  # noqa: E402
from newsmirror.scaffold import DEFAULT_OUTLETS, Outlet, render_config  # noqa: E402

OUTLETS = tuple((o.name, o.slug) for o in DEFAULT_OUTLETS) + (("路透社", "reuters"),)
HOSTS = {"bbc": "www.bbc.com/zhongwen/simp/world", "voa": "www.voachinese.com/a",
         "dw": "www.dw.com/zh", "rfi": "www.rfi.fr/cn/中国", "nyt": "cn.nytimes.com/china",
         "ft": "www.ftchinese.com/story", "rfa": "www.rfa.org/mandarin/yataibaodao",
         "cdt": "chinadigitaltimes.net/chinese", "reuters": "cn.reuters.com/article"}
START_MS = 1_640_995_200_000  # 2022-01-01 UTC
SPAN_MS = 3 * 365 * 86_400_000  # three years
CHINESE_FOLDERS_UNTIL_MS = START_MS + 90 * 86_400_000  # the first months: Chinese folder names
NEW_ARTICLES = 20
SAMPLE_EVERY_S = 0.02
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


@dataclass(frozen=True)
class Body:
    title: str
    html: str


# -- the archive ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def fixture_bodies() -> dict[str, list[Body]]:
    """Real bodies per outlet: the predecessor's samples; CDT's recorded full-text feed too."""
    bodies: dict[str, list[Body]] = {slug: [] for _, slug in OUTLETS}
    for file in predecessor_files():
        text = parse_archive_text(file.sample.read_text(encoding="utf-8"))
        bodies[file.sample.parent.name].append(Body(text.title, text.body_html))
    relative, content_type = FEEDS["cdt"]
    feed = parse_feed((REAL / relative).read_bytes(), "https://chinadigitaltimes.net/feed",
                      content_type=content_type)
    bodies["cdt"] += [Body(e.title, e.content_html) for e in feed.entries if e.content_html]
    return bodies


def vocabulary(bodies: dict[str, list[Body]]) -> list[str]:
    """Two-character words of the fixtures' text, to make each generated article distinct."""
    words = set()
    for body in (b for group in bodies.values() for b in group):
        for run in _CJK_RUN.findall(re.sub(r"<[^>]+>", " ", body.html)):
            words.update(run[i:i + 2] for i in range(len(run) - 1))
    return sorted(words)


@dataclass(frozen=True)
class Generated:
    slug: str
    number: int
    published_ms: int
    title: str
    url: str
    html: str


def generate_articles(count: int, seed: int, *, first: int = 0,
                      start_ms: int = START_MS, span_ms: int = SPAN_MS) -> list[Generated]:
    """``count`` distinct articles of the nine outlets at random times, by ``seed``."""
    bodies = fixture_bodies()
    words = vocabulary(bodies)
    rng = random.Random(f"{seed}:{first}")
    articles = []
    for number in range(first, first + count):
        slug = OUTLETS[number % len(OUTLETS)][1]
        body = bodies[slug][rng.randrange(len(bodies[slug]))]
        phrase = "".join(rng.choice(words) for _ in range(24))
        html = f"<p>档案第{number}号：{phrase}。</p>{body.html}"
        published = start_ms + rng.randrange(span_ms) // 1000 * 1000
        url = f"https://{HOSTS[slug]}/archive-{number}-{seed}.html"
        articles.append(Generated(slug, number, published, f"{body.title}（{number}）", url, html))
    return articles


def write_archive(folder: Path, articles: list[Generated]) -> None:
    """``articles/<folder>/<id>.md`` like the predecessor: ids count down per outlet."""
    names = dict((slug, name) for name, slug in OUTLETS)
    ids = dict.fromkeys(names, 1_048_000)
    for article in sorted(articles, key=lambda a: (a.published_ms, a.number)):
        ids[article.slug] -= 1
        text = (f"<!--{article.published_ms}-->\n[{article.title}]({article.url})\n------\n\n"
                f"{article.html}\n")
        if article.published_ms < CHINESE_FOLDERS_UNTIL_MS and article.slug != "ft":
            name = names[article.slug]
            path = folder / "articles" / name / f"{ids[article.slug]}_{article.title}.md"
        else:
            path = folder / "articles" / article.slug / f"{ids[article.slug]}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


# -- feeds on loopback ---------------------------------------------------------------------


def rss(items: list[Generated]) -> bytes:
    entries = "".join(
        f"<item><title>{escape(a.title)}</title><link>{escape(a.url)}</link><pubDate>"
        f"{format_datetime(datetime.fromtimestamp(a.published_ms / 1000, UTC))}</pubDate>"
        f"<content:encoded><![CDATA[{a.html}]]></content:encoded></item>"
        for a in items
    )
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content='
            '"http://purl.org/rss/1.0/modules/content/"><channel><title>feed</title>'
            f"<link>https://example.invalid/</link>{entries}</channel></rss>").encode()


def serve_feeds(routes: dict[str, Route], articles: list[Generated]) -> None:
    """Each outlet's feed: its 20 newest ``articles``."""
    for _, slug in OUTLETS:
        own = sorted((a for a in articles if a.slug == slug), key=lambda a: -a.published_ms)
        routes[f"/feed/{slug}"] = Route(rss(own[:20]), "application/rss+xml")


def make_mirror(root: Path, origin: str, *, search: bool) -> None:
    outlets = tuple(Outlet(name, slug, f"{origin}/feed/{slug}", "feed", "generated archive")
                    for name, slug in OUTLETS)
    root.mkdir(parents=True)
    settings = {"allow_private_networks": True, "site_search": search, "recheck_budget": 0,
                "max_new_per_source": 100}
    (root / "newsmirror.toml").write_text(render_config(outlets, mirror_overrides=settings),
                                          encoding="utf-8")
    (root / ".gitignore").write_text(".newsmirror/\n*.tmp\n", encoding="utf-8")
    for args in (["init", "-q"], ["config", "user.name", "Benchmark"],
                 ["config", "user.email", "benchmark@example.invalid"]):
        git(root, *args)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "mirror")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


# -- measuring a process tree ---------------------------------------------------------------


def tree_rss_kb(pid: int) -> int:
    """The resident size of ``pid`` and all its descendants, in KiB."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, ()))
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+)", status, re.M)
        total += int(match.group(1)) if match else 0
    return total


def wait_for_git_maintenance(repository: Path) -> None:
    """A commit may start ``git gc --auto`` in the background: let it end before measuring."""
    deadline = time.monotonic() + 900
    while (repository / ".git" / "gc.pid").exists() and time.monotonic() < deadline:
        time.sleep(0.5)


def measure(name: str, command: list[str], cwd: Path) -> dict[str, object]:
    """Run ``command``; its wall seconds, exit code and the peak RSS of its process tree."""
    for repository in cwd.iterdir():
        wait_for_git_maintenance(repository)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    peak = [0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], tree_rss_kb(process.pid))
            time.sleep(SAMPLE_EVERY_S)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    result = {"step": name, "seconds": round(seconds, 2), "peak_mb": round(peak[0] / 1024),
              "exit": process.returncode, "load_average": round(os.getloadavg()[0], 1),
              "output": (stdout + stderr).strip().splitlines()[-3:]}
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return result


def newsmirror(*args: str) -> list[str]:
    return [sys.executable, "-m", "newsmirror", "--quiet", *args]


def new_objects(root: Path) -> dict[str, int]:
    """Files changed by HEAD; count and bytes of the git objects HEAD added: as they are,
    as git stores them loose (zlib), and as a push sends them (a thin pack, deltas)."""
    files = git(root, "diff", "--name-only", "HEAD~1", "HEAD").splitlines()
    objects = git(root, "rev-list", "--objects", "HEAD", "^HEAD~1").splitlines()
    ids = "\n".join(line.split()[0] for line in objects) + "\n"
    sizes = subprocess.run(["git", "cat-file", "--batch-check=%(objectsize) %(objectsize:disk)"],
                           cwd=root, input=ids, capture_output=True, text=True, check=True).stdout
    pairs = [tuple(map(int, line.split())) for line in sizes.splitlines()]
    pack = subprocess.run(["git", "pack-objects", "--revs", "--thin", "--stdout", "-q"], cwd=root,
                          input=b"HEAD\n^HEAD~1\n", capture_output=True, check=True).stdout
    return {"files": len(files), "objects": len(pairs), "bytes": sum(p[0] for p in pairs),
            "bytes_on_disk": sum(p[1] for p in pairs), "bytes_pushed": len(pack)}


def category_of(path: str, site_dir: str = "docs") -> str:
    """Which part of the mirror a committed file belongs to, for bytes per article."""
    top = path.split("/", 1)[0]
    if top == "articles":
        return "month READMEs" if path.endswith("/README.md") else "article files"
    if top == site_dir:
        inner = path.split("/")[1] if path.count("/") else ""
        if inner == "feeds":
            return "feeds"
        return "search index" if "search" in inner or inner == "pagefind" else "site pages"
    return {"index": "index", "feeds": "feeds"}.get(top, "lists, READMEs, config")


def repository_bytes(root: Path) -> dict[str, dict[str, int]]:
    """Per part of the newest commit: files, bytes, and bytes zlib-compressed one by one
    (what git stores for a file before packing finds deltas between files; the
    generated articles reuse real bodies, so packing them says little about real ones)."""
    listing = git(root, "ls-tree", "-r", "-z", "HEAD").split("\0")
    blobs = [(line.split()[2], line.split("\t", 1)[1]) for line in listing if line]
    process = subprocess.Popen(["git", "cat-file", "--batch"], cwd=root, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None
    feeder = threading.Thread(target=_write_and_close, args=(
        process.stdin, ("\n".join(blob for blob, _ in blobs) + "\n").encode()), daemon=True)
    feeder.start()
    totals: dict[str, dict[str, int]] = {}
    for _, path in blobs:
        size = int(process.stdout.readline().split()[2])
        data = process.stdout.read(size + 1)[:-1]
        total = totals.setdefault(category_of(path), {"files": 0, "bytes": 0, "bytes_zlib": 0})
        total["files"] += 1
        total["bytes"] += size
        total["bytes_zlib"] += len(zlib.compress(data))
    process.wait()
    feeder.join()
    return totals


def _write_and_close(pipe: IO[bytes], data: bytes) -> None:
    pipe.write(data)
    pipe.close()


def is_clean_and_unmoved(clone: Path, head: str) -> bool:
    return git(clone, "status", "--porcelain") == "" and git(clone, "rev-parse", "HEAD") == head


# -- the steps ------------------------------------------------------------------------------


def pack_bytes(root: Path) -> int:
    """The repository's size once git has packed it (``git gc``), in bytes."""
    wait_for_git_maintenance(root)
    git(root, "gc", "-q")
    counts = dict(line.split(": ") for line in git(root, "count-objects", "-v").splitlines())
    return int(counts["size-pack"]) * 1024 + int(counts["size"]) * 1024


def run_benchmark(work: Path, count: int, seed: int, *, search: bool) -> list[dict[str, object]]:
    archive, mirror = work / "archive", work / "mirror"
    started = time.perf_counter()
    articles = generate_articles(count, seed)
    write_archive(archive, articles)
    print(json.dumps({"step": "generate archive", "articles": count,
                      "seconds": round(time.perf_counter() - started, 1)}), flush=True)
    routes: dict[str, Route] = {}
    results = []
    with LoopbackServer(routes) as server:
        serve_feeds(routes, articles)
        make_mirror(mirror, server.origin, search=search)
        results.append(measure("import", newsmirror("import", str(archive), "--mirror",
                                                    str(mirror)), work))
        results.append(measure("first run after import", newsmirror("run", "--mirror",
                                                                    str(mirror)), work))
        results.append(measure("run, nothing new", newsmirror("run", "--mirror", str(mirror)),
                               work))
        results += fresh_clone_runs(work, mirror)
        fresh = new_articles(count, seed)
        serve_feeds(routes, articles + fresh)
        result = measure(f"run adding {NEW_ARTICLES} articles",
                         newsmirror("run", "--mirror", str(mirror)), work)
        result["commit"] = new_objects(mirror)
        print(json.dumps(result["commit"]), flush=True)
        results.append(result)
    packed = pack_bytes(mirror)
    sizes = repository_bytes(mirror)
    print(json.dumps({"packed_bytes": packed, "categories": sizes}, ensure_ascii=False),
          flush=True)
    results.append({"step": "repository", "packed_bytes": packed, "categories": sizes})
    return results


def measure_again(work: Path, count: int, seed: int, times: int) -> list[dict[str, object]]:
    """Runs with nothing new on a mirror this script built before (``--keep``), its feeds
    served again as they were at the end, at the address its configuration names."""
    mirror = work / "mirror"
    port = int(re.search(r"127\.0\.0\.1:(\d+)/feed/",
                         (mirror / "newsmirror.toml").read_text(encoding="utf-8")).group(1))
    routes: dict[str, Route] = {}
    serve_feeds(routes, generate_articles(count, seed) + new_articles(count, seed))
    with LoopbackServer(routes, port=port):
        return [measure("run, nothing new (again)", newsmirror("run", "--mirror", str(mirror)),
                        work) for _ in range(times)]


def new_articles(count: int, seed: int) -> list[Generated]:
    """The items of the run adding articles: the archive's last hours, as a run finds them."""
    return generate_articles(NEW_ARTICLES, seed, first=count,
                             start_ms=START_MS + SPAN_MS - 8 * 3_600_000,
                             span_ms=8 * 3_600_000)


def fresh_clone_runs(work: Path, mirror: Path) -> list[dict[str, object]]:
    """A no-op run on a fresh shallow clone, without and with a restored cache."""
    results = []
    head = git(mirror, "rev-parse", "HEAD")
    for restored in (False, True):
        clone = work / ("clone-restored" if restored else "clone")
        shutil.rmtree(clone, ignore_errors=True)
        subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{mirror}", str(clone)],
                       check=True)
        if restored:
            shutil.copytree(mirror / ".newsmirror", clone / ".newsmirror",
                            ignore=shutil.ignore_patterns("lock"))
        name = "fresh clone, restored cache" if restored else "fresh clone, no cache"
        result = measure(name, newsmirror("run", "--mirror", str(clone), "--no-push"), work)
        result["writes_nothing"] = is_clean_and_unmoved(clone, head)
        print(json.dumps({"writes_nothing": result["writes_nothing"]}), flush=True)
        results.append(result)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--no-search", action="store_true",
                        help="without the site's search index (site_search = false)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--again", type=int, default=0, metavar="N",
                        help="with --keep DIR of an earlier run: only N runs with nothing new")
    options = parser.parse_args()
    if options.again and options.keep:
        measure_again(options.keep, options.articles, options.seed, options.again)
        return
    work = options.keep or Path(tempfile.mkdtemp(prefix="newsmirror-scale-"))
    if options.keep:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
    try:
        results = run_benchmark(work, options.articles, options.seed,
                                search=not options.no_search)
    finally:
        if not options.keep:
            shutil.rmtree(work, ignore_errors=True)
    if options.json:
        options.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    for result in results:
        if "seconds" in result:
            print(f"| {result['step']} | {result['seconds']} s | {result['peak_mb']} MB "
                  f"| {result['load_average']} |")
    articles = options.articles + NEW_ARTICLES
    for category, total in sorted(results[-1]["categories"].items()):  # type: ignore[union-attr]
        print(f"| {category} | {total['files']} | {total['bytes'] / articles:.0f} B "
              f"| {total['bytes_zlib'] / articles:.0f} B |")


if __name__ == "__main__":
    main()
