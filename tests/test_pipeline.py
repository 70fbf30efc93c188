"""The whole pipeline over real HTTP on loopback, into a real git repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from newsmirror.config import load_config
from newsmirror.demo.server import LoopbackServer, Route
from newsmirror.pipeline import RunOptions, run
from newsmirror.store.articles import parse_article_file
from newsmirror.store.index import record_from_json
from tests.support.mirrors import SourceSpec, commit_count, git, make_mirror

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>测试</title><link>{{{{origin}}}}/</link>
{items}</channel></rss>"""
ITEM = """<item><title>{title}</title><link>{{{{origin}}}}{path}</link>
<pubDate>{date}</pubDate><description>摘要</description></item>"""
PAGE = """<html><head><title>{title}</title></head><body><nav>首页 国际 评论</nav>
<article><h1>{title}</h1><p>{text}</p><p>第二段：记者在现场看到，居民正在排队等候，许多人表示会继续关注事态发展。</p>
</article><footer>版权所有</footer></body></html>"""


def rss(*items: tuple[str, str, str]) -> Route:
    body = RSS.format(items="".join(ITEM.format(title=t, path=p, date=d) for t, p, d in items))
    return Route(body.encode(), "application/rss+xml; charset=utf-8")


def page(title: str, text: str) -> Route:
    return Route(PAGE.format(title=title, text=text).encode())


def article_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "articles").rglob("*.md") if p.name != "README.md")


def test_first_run_mirrors_every_recorded_source_and_commits(recorded_mirror: Path) -> None:
    report = run(load_config(recorded_mirror))
    by_slug = {s.slug: s for s in report.sources}
    assert by_slug["bbc"].new == 66 and by_slug["nyt"].new == 22 and by_slug["cdt"].new == 15
    assert by_slug["dw"].new > 50
    files = article_files(recorded_mirror)
    assert len(files) == report.new_count
    for path in files:
        parsed = parse_article_file(path.read_text(encoding="utf-8"))
        assert parsed.body_html and "<script" not in parsed.body_html
    assert commit_count(recorded_mirror) == 1
    assert re.match(r"\d+ new: BBC 66, 德国之声 \d+, 纽约时报 22, 中国数字时代 15",
                    git(recorded_mirror, "log", "-1", "--format=%s"))


def test_second_run_adds_nothing_and_makes_no_commit(
    recorded_mirror: Path, recorded_server: LoopbackServer
) -> None:
    run(load_config(recorded_mirror))
    commits = commit_count(recorded_mirror)
    recorded_server.requests.clear()
    report = run(load_config(recorded_mirror))
    assert report.new_count == 0
    assert report.commit is None
    assert commit_count(recorded_mirror) == commits
    feed_requests = [h for path, h in recorded_server.requests if path.startswith("/feed/")]
    assert len(feed_requests) == 4
    assert all("if-none-match" in headers for headers in feed_requests)


def test_fresh_clone_continues_without_duplicates(recorded_mirror: Path, tmp_path: Path) -> None:
    run(load_config(recorded_mirror))
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(recorded_mirror), str(clone)], check=True)
    assert not (clone / ".newsmirror").exists()
    git(clone, "config", "user.email", "other@example.invalid")
    report = run(load_config(clone))
    assert report.new_count == 0
    assert report.commit is None
    assert len(article_files(clone)) == len(article_files(recorded_mirror))
    assert git(clone, "status", "--porcelain") == ""


def test_broken_sources_do_not_stop_healthy_ones(tmp_path: Path) -> None:
    routes = {
        "/good.xml": rss(("好消息", "/a/1", "Mon, 02 Mar 2026 08:00:00 GMT")),
        "/a/1": page("好消息", "这是一篇可以正常抓取的文章，内容足够长，用来测试正常的来源。"),
        "/500.xml": Route(b"oops", "text/plain", status=500),
        "/broken.xml": Route(b"<rss><channel><item><title>x</ti", "application/rss+xml"),
    }
    with LoopbackServer(routes) as server:
        root = make_mirror(tmp_path / "m", [
            SourceSpec("坏一", "bad1", server.url("/500.xml")),
            SourceSpec("好", "good", server.url("/good.xml"), "page"),
            SourceSpec("坏二", "bad2", server.url("/broken.xml")),
            SourceSpec("坏三", "bad3", server.url("/missing.xml")),
        ])
        report = run(load_config(root))
        origin = server.origin
    by_slug = {s.slug: s for s in report.sources}
    assert by_slug["good"].ok and by_slug["good"].new == 1
    assert "HTTP 500" in by_slug["bad1"].error.message
    assert "malformed feed" in by_slug["bad2"].error.message
    assert "HTTP 404" in by_slug["bad3"].error.message
    assert all(s.error.url.startswith(origin) for s in report.sources if s.error)
    assert not report.ok
    assert report.commit is not None and "好 1" in report.commit_message


def test_retitled_and_redated_item_is_not_mirrored_twice(tmp_path: Path) -> None:
    routes = {"/feed.xml": rss(("原标题", "/a/1?utm_source=rss", "Mon, 02 Mar 2026 08:00:00 GMT")),
              "/a/1": page("原标题", "德国之声常常在发布后修改标题和日期，镜像不应因此重复保存同一篇文章。")}
    with LoopbackServer(routes) as server:
        root = make_mirror(tmp_path / "m", [SourceSpec("DW", "dw", server.url("/feed.xml"), "page")])
        assert run(load_config(root)).new_count == 1
        routes["/feed.xml"] = rss(("新标题", "/a/1?utm_source=other", "Tue, 03 Mar 2026 09:00:00 GMT"))
        report = run(load_config(root))
    assert report.new_count == 0 and report.sources[0].unchanged == 1
    assert len(article_files(root)) == 1


def test_failed_item_is_retried_on_next_run_even_when_feed_is_unchanged(tmp_path: Path) -> None:
    routes = {"/feed.xml": rss(("稍后可读", "/a/1", "Mon, 02 Mar 2026 08:00:00 GMT")),
              "/a/1": Route(b"busy", "text/plain", status=503)}
    with LoopbackServer(routes) as server:
        root = make_mirror(tmp_path / "m", [SourceSpec("S", "s", server.url("/feed.xml"), "page")])
        first = run(load_config(root))
        assert first.sources[0].failed == 1 and first.new_count == 0
        assert not article_files(root)
        routes["/a/1"] = page("稍后可读", "服务器恢复之后，上次失败的文章应当在下一次运行时被重新抓取并写入镜像。")
        server.requests.clear()
        second = run(load_config(root))
    assert second.new_count == 1
    assert ("/feed.xml", ) == tuple(p for p, _ in server.requests if p == "/feed.xml")
    assert len(article_files(root)) == 1


def test_lists_and_month_readmes_link_articles_newest_first(tmp_path: Path) -> None:
    routes = {
        "/feed.xml": rss(("旧闻", "/a/older-story", "Sun, 01 Mar 2026 01:00:00 GMT"),
                         ("新闻", "/a/newer-story", "Wed, 01 Apr 2026 01:00:00 GMT")),
        "/a/older-story": page("旧闻", "三月的一篇旧文章，用于检查列表按时间排序以及每个月份文件夹的说明文件。"),
        "/a/newer-story": page("新闻", "四月的一篇新文章，用于检查列表按时间排序以及每个月份文件夹的说明文件。"),
    }
    with LoopbackServer(routes) as server:
        root = make_mirror(tmp_path / "m", [SourceSpec("来源", "src", server.url("/feed.xml"), "page")])
        run(load_config(root))
    listing = (root / "lists" / "来源.md").read_text(encoding="utf-8")
    assert listing.splitlines()[:3] == ["来源", "------", ""]
    entries = [line for line in listing.splitlines() if line and line[0].isdigit()]
    assert entries == ["4-1 [新闻](../articles/src/2026/04/newer-story.md)",
                       "3-1 [旧闻](../articles/src/2026/03/older-story.md)"]
    assert "[旧闻](older-story.md)" in (root / "articles/src/2026/03/README.md").read_text(encoding="utf-8")
    assert "[来源](lists/来源.md) | 2 |" in (root / "README.md").read_text(encoding="utf-8")


def test_cache_database_is_ignored_by_git_and_rebuilt_when_deleted(recorded_mirror: Path) -> None:
    run(load_config(recorded_mirror))
    assert ".newsmirror" not in git(recorded_mirror, "status", "--porcelain", "--ignored=no")
    (recorded_mirror / ".newsmirror" / "cache.sqlite").unlink()
    report = run(load_config(recorded_mirror), RunOptions())
    assert report.new_count == 0


def test_index_records_every_article_with_its_path(recorded_mirror: Path) -> None:
    report = run(load_config(recorded_mirror))
    lines = [line for shard in (recorded_mirror / "index").rglob("*.jsonl")
             for line in shard.read_text(encoding="utf-8").splitlines()]
    records = [record_from_json(line) for line in lines]
    assert len(records) == report.new_count
    assert all((recorded_mirror / r.path).is_file() for r in records)
    assert len({r.path for r in records}) == len(records)


def test_items_over_the_per_run_cap_wait_for_the_next_run_even_behind_a_304(
    tmp_path: Path,
) -> None:
    text = "这是一篇足够长的测试文章正文，用来检查每次运行的新文章上限不会让多出的文章丢失。"
    routes = {"/feed.xml": rss(*[(f"第{i}篇", f"/a/story-{i}", "Mon, 02 Mar 2026 08:00:00 GMT")
                                 for i in range(3)])}
    routes.update({f"/a/story-{i}": page(f"第{i}篇", text) for i in range(3)})
    with LoopbackServer(routes) as server:
        root = make_mirror(tmp_path / "m", [SourceSpec("S", "s", server.url("/feed.xml"), "page")],
                           max_new_per_source=2)
        assert run(load_config(root)).new_count == 2
        second = run(load_config(root))
    assert second.new_count == 1
    assert len(article_files(root)) == 3


def test_item_that_keeps_failing_is_given_up_after_the_attempt_limit(tmp_path: Path) -> None:
    from newsmirror.pipeline import MAX_PENDING_ATTEMPTS

    routes = {"/feed.xml": rss(("总是失败", "/a/always-broken", "Mon, 02 Mar 2026 08:00:00 GMT")),
              "/a/always-broken": Route(b"<html><body></body></html>")}
    with LoopbackServer(routes) as server:
        root = make_mirror(tmp_path / "m", [SourceSpec("S", "s", server.url("/feed.xml"), "page")])
        for _ in range(MAX_PENDING_ATTEMPTS):
            assert run(load_config(root)).sources[0].failed == 1
        server.requests.clear()
        quiet = run(load_config(root))  # feed unchanged: nothing left to retry
        routes["/feed.xml"] = rss(("总是失败", "/a/always-broken", "Mon, 02 Mar 2026 08:00:00 GMT"),
                                  ("另一篇", "/a/another-one", "Mon, 02 Mar 2026 09:00:00 GMT"))
        relisted = run(load_config(root))  # feed changed and lists it again
    assert quiet.sources[0].failed == 0
    assert relisted.sources[0].given_up == 1 and relisted.sources[0].failed == 1
    assert relisted.counters["items/given_up"] == 1
    assert not any(path == "/a/always-broken" for path, _ in server.requests)


def test_every_link_of_the_root_readme_leads_to_a_file(recorded_mirror: Path) -> None:
    run(load_config(recorded_mirror))
    readme = (recorded_mirror / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)]+)\)", readme)
    assert "lists/changes.md" in links and "feeds/changes.xml" in links
    assert all((recorded_mirror / link).is_file() for link in links)


def test_a_run_adds_its_new_articles_to_the_search_index_as_a_few_files(tmp_path: Path) -> None:
    text = "这是一篇足够长的测试文章正文，用来检查站内搜索索引每次运行只增加几个文件。"
    routes = {"/feed.xml": rss(("第一篇", "/a/story-one", "Mon, 02 Mar 2026 08:00:00 GMT")),
              "/a/story-one": page("第一篇", text), "/a/story-two": page("第二篇", text)}
    with LoopbackServer(routes) as server:
        root = make_mirror(tmp_path / "m", [SourceSpec("S", "s", server.url("/feed.xml"), "page")])
        run(load_config(root), RunOptions())
        routes["/feed.xml"] = rss(("第一篇", "/a/story-one", "Mon, 02 Mar 2026 08:00:00 GMT"),
                                  ("第二篇", "/a/story-two", "Mon, 02 Mar 2026 09:00:00 GMT"))
        assert run(load_config(root), RunOptions()).new_count == 1
    changed = subprocess.run(["git", "-C", str(root), "show", "--name-only", "--format=", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.split()
    assert sorted(p for p in changed if p.startswith("docs/search/")) == [
        "docs/search/docs/0.json", "docs/search/manifest.json", "docs/search/s1/0.bin"]
