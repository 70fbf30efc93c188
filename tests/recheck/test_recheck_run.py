"""Re-checks inside `newsmirror run`, over real HTTP on loopback, into a real git repository."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from newsmirror.config import Config
from newsmirror.demo.server import LoopbackServer, Route
from newsmirror.models import ArticleRecord, RunReport
from newsmirror.pipeline import RunOptions, run
from newsmirror.recheck import EXTRACTION_KEY, extraction_fingerprint
from newsmirror.store.articles import parse_article_file, revision_path
from newsmirror.store.index import ArchiveIndex
from tests.faults.content import deeply_nested_page
from tests.recheck.pages import (
    ARTICLE_PATH,
    EDITED,
    HOUR_MS,
    PARAGRAPHS,
    T0,
    article_route,
    feed_route,
    front_page_route,
    make_page_mirror,
    notice_route,
    redirect_route,
    run_at,
)
from tests.support.mirrors import git

ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass
class Story:
    """A page mirrored in version 1, then served as version 2, then gone (404)."""

    root: Path
    config: Config
    edit_run: RunReport
    delete_run: RunReport


def only_record(root: Path) -> ArticleRecord:
    index = ArchiveIndex.open(root)
    try:
        (record,) = index.all_records()
    finally:
        index.close()
    return record


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    routes = {"/feed": feed_route(), ARTICLE_PATH: article_route()}
    with LoopbackServer(routes) as server:
        config = make_page_mirror(tmp_path_factory.mktemp("story") / "mirror", server.origin)
        run_at(config, T0)
        server.routes[ARTICLE_PATH] = article_route(EDITED)  # type: ignore[index]
        edit_run = run_at(config, T0 + 2 * HOUR_MS, recheck_all=True)
        del server.routes[ARTICLE_PATH]  # type: ignore[attr-defined]
        delete_run = run_at(config, T0 + 5 * HOUR_MS, recheck_all=True)
        yield Story(config.root, config, edit_run, delete_run)


def test_edit_is_counted_in_the_run_report(story: Story) -> None:
    counts = {k: v for k, v in story.edit_run.counters.items() if k.startswith("recheck/") and v}
    assert counts == {"recheck/checked": 1, "recheck/edited": 1}


def test_edit_rewrites_the_article_file_with_the_new_version(story: Story) -> None:
    body = parse_article_file((story.root / only_record(story.root).path).read_text()).body_html
    assert EDITED[2] in body and PARAGRAPHS[2] not in body


def test_edit_keeps_the_previous_version_under_revisions(story: Story) -> None:
    record = only_record(story.root)
    kept = parse_article_file((story.root / revision_path(record.path, T0)).read_text())
    assert PARAGRAPHS[2] in kept.body_html


def test_edit_is_recorded_in_the_committed_index(story: Story) -> None:
    record = only_record(story.root)
    assert [r.seen_ms for r in record.revisions] == [T0]
    assert record.edited_ms == T0 + 2 * HOUR_MS


def test_edit_commit_message_mentions_the_edit(story: Story) -> None:
    assert story.edit_run.commit_message == "1 edited"


def test_previous_version_stays_in_git_history(story: Story) -> None:
    path = only_record(story.root).path
    old = git(story.root, "show", f"HEAD~2:{path}")
    assert PARAGRAPHS[2] in old


def test_404_marks_the_article_deleted_at_first_sight(story: Story) -> None:
    assert story.delete_run.counters["recheck/deleted"] == 1
    assert only_record(story.root).deleted_ms == T0 + 5 * HOUR_MS


def test_deleted_article_keeps_its_mirrored_copy(story: Story) -> None:
    body = parse_article_file((story.root / only_record(story.root).path).read_text()).body_html
    assert EDITED[2] in body


def test_deletion_is_marked_in_the_month_readme(story: Story) -> None:
    folder = only_record(story.root).path.rsplit("/", 1)[0]
    assert "（原文已删除）" in (story.root / folder / "README.md").read_text()


def test_change_list_names_the_article_with_its_edit_and_its_deletion(story: Story) -> None:
    text = (story.root / "lists" / "changes.md").read_text()
    link = "[洪水过后的城市](../articles/test/2023/11/hong-shui-guo-hou-de-cheng-shi.md)"
    lines = [line for line in text.splitlines() if link in line]
    assert [line.rsplit("，", 1)[1] for line in lines] == ["原文已删除）", "第 1 次修改）"]
    assert not (story.root / "lists" / "deleted.md").exists()


def test_changes_feed_is_atom_with_the_edit_and_the_deletion(story: Story) -> None:
    feed = ET.parse(story.root / "feeds" / "changes.xml").getroot()
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert feed.tag == f"{ATOM}feed"
    assert titles == ["原文已删除：洪水过后的城市", "已修改（第 1 次）：洪水过后的城市"]


def test_changes_feed_shows_the_changed_words(story: Story) -> None:
    feed = ET.parse(story.root / "feeds" / "changes.xml").getroot()
    contents = [e.findtext(f"{ATOM}content") or "" for e in feed.findall(f"{ATOM}entry")]
    assert "<del>五十年来最</del><ins>多年来较</ins>" in contents[1]


def test_deletion_commit_message_mentions_the_deletion(story: Story) -> None:
    assert git(story.root, "log", "-1", "--format=%s").strip() == "1 deleted"


def test_article_still_gone_is_not_deleted_twice(story: Story) -> None:
    report = run_at(story.config, T0 + 9 * HOUR_MS, recheck_all=True)
    assert report.counters["recheck/still_deleted"] == 1
    assert only_record(story.root).deleted_ms == T0 + 5 * HOUR_MS


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[LoopbackServer, Config]]:
    """A page-sourced mirror with the article already mirrored once (version 1)."""
    first = article_route(related=("甲地新闻一则", "乙地新闻两则"))
    routes = {"/feed": feed_route(), ARTICLE_PATH: first}
    with LoopbackServer(routes) as server:
        config = make_page_mirror(tmp_path / "mirror", server.origin)
        run_at(config, T0)
        yield server, config


def test_related_articles_box_change_records_no_revision(
    served: tuple[LoopbackServer, Config],
) -> None:
    server, config = served
    server.routes[ARTICLE_PATH] = article_route(related=("丙地新闻三则",))  # type: ignore[index]
    report = run_at(config, T0 + 2 * HOUR_MS, recheck_all=True)
    assert (report.counters["recheck/unchanged"], only_record(config.root).revisions) == (1, ())


@pytest.mark.parametrize(
    "route",
    [
        pytest.param(lambda origin: redirect_route(origin + "/"), id="redirect-to-front-page"),
        pytest.param(lambda origin: redirect_route(origin + "/news"), id="redirect-to-section"),
        pytest.param(lambda origin: notice_route("该内容已被发布者删除"),
                     id="wechat-removed-by-author"),
        pytest.param(lambda origin: notice_route("此内容因违规无法查看"), id="wechat-violation"),
        pytest.param(lambda origin: redirect_route(origin + "/gone"), id="redirect-to-410"),
    ],
)
def test_gone_page_marks_the_article_deleted(
    served: tuple[LoopbackServer, Config], route: object
) -> None:
    server, config = served
    server.routes[ARTICLE_PATH] = route(server.origin)  # type: ignore[index, operator]
    server.routes["/"] = front_page_route()  # type: ignore[index]
    server.routes["/news"] = front_page_route()  # type: ignore[index]
    server.routes["/gone"] = Route(b"gone", "text/html", 410)  # type: ignore[index]
    run_at(config, T0 + 2 * HOUR_MS, recheck_all=True)
    assert only_record(config.root).deleted_ms == T0 + 2 * HOUR_MS


def test_unchanged_page_is_asked_with_its_etag_and_answers_304(
    served: tuple[LoopbackServer, Config],
) -> None:
    server, config = served
    run_at(config, T0 + 2 * HOUR_MS, recheck_all=True)
    report = run_at(config, T0 + 4 * HOUR_MS, recheck_all=True)
    asked = [headers for path, headers in server.requests if path == ARTICLE_PATH]
    assert "if-none-match" in asked[-1]
    assert report.counters["recheck/unchanged"] == 1


def test_scheduled_run_skips_an_article_checked_recently(
    served: tuple[LoopbackServer, Config],
) -> None:
    server, config = served
    report = run_at(config, T0 + 30 * 60_000)  # half an hour: the first band re-checks hourly
    assert report.counters["recheck/checked"] == 0


def test_scheduled_run_rechecks_an_article_that_is_due(
    served: tuple[LoopbackServer, Config],
) -> None:
    server, config = served
    report = run_at(config, T0 + 90 * 60_000)
    assert report.counters["recheck/checked"] == 1


def test_recheck_all_ignores_articles_outside_the_window(
    served: tuple[LoopbackServer, Config],
) -> None:
    server, config = served
    report = run_at(config, T0 + 31 * 24 * HOUR_MS, recheck_all=True)
    assert report.counters["recheck/checked"] == 0


def test_server_error_changes_nothing(served: tuple[LoopbackServer, Config]) -> None:
    server, config = served
    server.routes[ARTICLE_PATH] = Route(b"busy", "text/html", 500)  # type: ignore[index]
    report = run_at(config, T0 + 2 * HOUR_MS, recheck_all=True)
    record = only_record(config.root)
    assert report.counters["recheck/failed"] == 1
    assert (record.deleted_ms, record.revisions) == (None, ())


def test_changed_headline_is_an_edit_with_the_new_title(
    served: tuple[LoopbackServer, Config],
) -> None:
    server, config = served
    page = article_route(related=("甲地新闻一则", "乙地新闻两则")).body
    server.routes[ARTICLE_PATH] = Route(  # type: ignore[index]
        page.replace("<h1>洪水过后的城市</h1>".encode(), "<h1>洪水退去之后</h1>".encode())
        .replace("<title>洪水过后的城市</title>".encode(), "<title>洪水退去之后</title>".encode())
    )
    run_at(config, T0 + 2 * HOUR_MS, recheck_all=True)
    record = only_record(config.root)
    assert record.title == "洪水退去之后"
    assert [r.title for r in record.revisions] == ["洪水过后的城市"]


def test_article_back_after_a_deletion_is_restored(
    served: tuple[LoopbackServer, Config],
) -> None:
    server, config = served
    page = server.routes[ARTICLE_PATH]
    del server.routes[ARTICLE_PATH]  # type: ignore[attr-defined]
    run_at(config, T0 + 2 * HOUR_MS, recheck_all=True)
    server.routes[ARTICLE_PATH] = page  # type: ignore[index]
    report = run_at(config, T0 + 4 * HOUR_MS, recheck_all=True)
    assert report.counters["recheck/restored"] == 1
    assert only_record(config.root).deleted_ms is None


def test_new_version_gets_the_image_policy_of_new_articles(tmp_path: Path) -> None:
    routes = {"/feed": feed_route(), ARTICLE_PATH: article_route()}
    with LoopbackServer(routes) as server:
        config = make_page_mirror(tmp_path / "mirror", server.origin, images="proxy")
        run_at(config, T0)
        edited = article_route(EDITED).body.replace(
            b"</h1>", b'</h1><figure><img src="/pic.jpg" alt="x"></figure>')
        server.routes[ARTICLE_PATH] = Route(edited)  # type: ignore[index]
        run_at(config, T0 + 2 * HOUR_MS, recheck_all=True)
    body = parse_article_file((config.root / only_record(config.root).path).read_text()).body_html
    assert "images.weserv.nl" in body


def test_feed_sourced_article_is_checked_for_deletion_only(tmp_path: Path) -> None:
    content = "".join(f"&lt;p&gt;{text}&lt;/p&gt;" for text in PARAGRAPHS)
    routes = {"/feed": feed_route(description=content), ARTICLE_PATH: article_route()}
    with LoopbackServer(routes) as server:
        config = make_page_mirror(tmp_path / "mirror", server.origin, fulltext="feed")
        root = config.root
        run_at(config, T0)
        server.routes[ARTICLE_PATH] = article_route(EDITED)  # type: ignore[index]
        edited = run_at(config, T0 + 2 * HOUR_MS, recheck_all=True)
        del server.routes[ARTICLE_PATH]  # type: ignore[attr-defined]
        run_at(config, T0 + 4 * HOUR_MS, recheck_all=True)
    assert edited.counters["recheck/unchanged"] == 1
    assert only_record(root).deleted_ms == T0 + 4 * HOUR_MS


def pretend_extraction_code_changed_at(root: Path, since_ms: int) -> None:
    """As after an upgrade: the stored versions come from older extraction code."""
    index = ArchiveIndex.open(root)
    try:
        index.save_cache_value(EXTRACTION_KEY, f"{extraction_fingerprint()} {since_ms}")
    finally:
        index.close()


def test_difference_after_an_extraction_change_is_not_claimed_as_an_edit(
    served: tuple[LoopbackServer, Config],
) -> None:
    server, config = served
    pretend_extraction_code_changed_at(config.root, T0 + HOUR_MS)
    server.routes[ARTICLE_PATH] = article_route(EDITED)  # type: ignore[index]
    report = run_at(config, T0 + 2 * HOUR_MS, recheck_all=True)
    assert (report.counters["recheck/unchanged"], only_record(config.root).revisions) == (1, ())


def test_change_after_a_new_baseline_is_an_edit(served: tuple[LoopbackServer, Config]) -> None:
    server, config = served
    pretend_extraction_code_changed_at(config.root, T0 + HOUR_MS)
    run_at(config, T0 + 2 * HOUR_MS, recheck_all=True)
    server.routes[ARTICLE_PATH] = article_route(EDITED)  # type: ignore[index]
    report = run_at(config, T0 + 4 * HOUR_MS, recheck_all=True)
    assert report.counters["recheck/edited"] == 1


def feed_content(paragraphs: tuple[str, ...]) -> str:
    return "".join(f"&lt;p&gt;{text}&lt;/p&gt;" for text in paragraphs)


def test_feed_sourced_article_edit_is_found_in_the_feed(tmp_path: Path) -> None:
    routes = {"/feed": feed_route(description=feed_content(PARAGRAPHS))}
    with LoopbackServer(routes) as server:
        config = make_page_mirror(tmp_path / "mirror", server.origin, fulltext="feed")
        root = config.root
        run_at(config, T0)
        server.routes["/feed"] = feed_route(description=feed_content(EDITED))  # type: ignore[index]
        report = run_at(config, T0 + HOUR_MS // 2)  # not due for a page re-check yet
    record = only_record(root)
    assert report.counters["recheck/edited"] == 1
    assert [r.seen_ms for r in record.revisions] == [T0]


def test_feed_item_reserved_with_other_whitespace_is_no_edit(tmp_path: Path) -> None:
    routes = {"/feed": feed_route(description=feed_content(PARAGRAPHS))}
    with LoopbackServer(routes) as server:
        config = make_page_mirror(tmp_path / "mirror", server.origin, fulltext="feed")
        run_at(config, T0)
        spaced = feed_content(PARAGRAPHS).replace("&lt;/p&gt;", " \n &lt;/p&gt;")
        server.routes["/feed"] = feed_route(description=spaced)  # type: ignore[index]
        report = run_at(config, T0 + HOUR_MS // 2)
    assert (report.counters["recheck/feed_compared"], report.counters["recheck/edited"]) == (1, 0)


def test_articles_of_the_first_run_count_as_made_by_the_current_code(tmp_path: Path) -> None:
    times = iter([T0, T0 + 60_000])  # the article is stored a minute before re-checks start
    with LoopbackServer({"/feed": feed_route(), ARTICLE_PATH: article_route()}) as server:
        config = make_page_mirror(tmp_path / "mirror", server.origin)
        run(config, RunOptions(clock=lambda: next(times, T0 + 60_000)))
        server.routes[ARTICLE_PATH] = article_route(EDITED)  # type: ignore[index]
        report = run_at(config, T0 + 2 * HOUR_MS, recheck_all=True)
    assert report.counters["recheck/edited"] == 1


@pytest.mark.parametrize(
    ("feed", "href"),
    [("feeds/changes.xml", "../docs/test/2023/11/hong-shui-guo-hou-de-cheng-shi.html"),
     ("docs/feeds/changes.xml", "../test/2023/11/hong-shui-guo-hou-de-cheng-shi.html")],
    ids=["mirror-copy", "site-copy"],
)
def test_changes_feed_links_to_the_site_page(story: Story, feed: str, href: str) -> None:
    root = ET.parse(story.root / feed).getroot()
    links = {link.get("href") for link in root.iter(f"{ATOM}link")
             if link.get("rel") == "alternate"}
    assert href in links and (story.root / feed).parent.joinpath(href).resolve().is_file()


def test_redirect_up_to_a_listing_that_shows_the_headline_is_no_edit(
    served: tuple[LoopbackServer, Config],
) -> None:
    server, config = served
    server.routes[ARTICLE_PATH] = redirect_route(server.origin + "/news")  # type: ignore[index]
    listing = "".join(f"<p><a href='/news/{i}'>{t}</a>：{t}。</p>" for i, t in enumerate(
        ["洪水过后的城市", "美国总统今天会见了来访的外国领导人，双方讨论了贸易问题",
         "欧洲多国举行选举，投票率创下新高，选民关心物价和移民问题", "科学家发现新的治疗方法"]))
    server.routes["/news"] = Route(  # type: ignore[index]
        f"<html><body><article><h1>国际新闻</h1>{listing}</article></body></html>".encode())
    report = run_at(config, T0 + 2 * HOUR_MS, recheck_all=True)
    record = only_record(config.root)
    assert report.counters["recheck/failed"] == 1
    assert (record.revisions, record.deleted_ms) == ((), None)


def test_recheck_of_a_page_nested_100000_deep_finishes_quickly(
    served: tuple[LoopbackServer, Config],
) -> None:
    server, config = served
    server.routes[ARTICLE_PATH] = Route(deeply_nested_page(100_000))  # type: ignore[index]
    started = time.monotonic()
    report = run_at(config, T0 + 2 * HOUR_MS, recheck_all=True)
    assert time.monotonic() - started < 60  # uncapped, extraction runs for minutes
    assert report.counters["recheck/checked"] == 1
    record = only_record(config.root)
    assert parse_article_file((config.root / record.path).read_text(encoding="utf-8")).body_html


def test_kept_version_with_local_images_points_at_the_same_media_files(tmp_path: Path) -> None:
    import io

    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(png, "PNG")
    with_image = article_route().body.replace(
        b"</h1>", b'</h1><figure><img src="/pic.png" alt="x"></figure>')
    routes = {"/feed": feed_route(), ARTICLE_PATH: Route(with_image),
              "/pic.png": Route(png.getvalue(), "image/png")}
    with LoopbackServer(routes) as server:
        config = make_page_mirror(tmp_path / "mirror", server.origin, images="local")
        run_at(config, T0)
        server.routes[ARTICLE_PATH] = Route(with_image.replace(  # type: ignore[index]
            PARAGRAPHS[2].encode(), EDITED[2].encode()))
        run_at(config, T0 + 2 * HOUR_MS, recheck_all=True)
    (kept,) = (config.root / "revisions").rglob("*.md")
    body = parse_article_file(kept.read_text(encoding="utf-8")).body_html
    src = body.split('src="', 1)[1].split('"', 1)[0]
    assert "media/" in src
    assert (kept.parent / src).resolve().is_file()


def test_first_recheck_of_a_page_mirrored_article_is_a_conditional_request(
    tmp_path: Path,
) -> None:
    with LoopbackServer({"/feed": feed_route(), ARTICLE_PATH: article_route()}) as server:
        config = make_page_mirror(tmp_path / "mirror", server.origin)
        run_at(config, T0)
        report = run_at(config, T0 + 2 * HOUR_MS, recheck_all=True)
        asked = [headers for path, headers in server.requests if path == ARTICLE_PATH]
    assert "if-none-match" in asked[-1]
    assert report.counters["recheck/unchanged"] == 1
