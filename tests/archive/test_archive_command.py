"""``newsmirror archive`` end to end: real HTTP on loopback, a real git repository with a bare
remote, a snapshot service stand-in, and the files, lists, site and commits it leaves."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from newsmirror.clean.urls import strip_tracking_params
from newsmirror.cli import app
from newsmirror.demo.server import Route
from newsmirror.publish import current_branch, head_commit
from newsmirror.scaffold import toml_value
from newsmirror.store.articles import ArticleFiles
from tests.archive.mirrors import (
    GOLDEN_PAGES,
    REMOVED,
    SNAPSHOT_TITLE,
    WECHAT_PATH,
    WECHAT_TITLE,
    ArchiveWorld,
    archive_world,
    set_archive,
)
from tests.faults.server import BEHAVIOURS, FaultServer
from tests.publish.remotes import branch_head
from tests.support.mirrors import commit_count, git

runner = CliRunner()


def archive(world: ArchiveWorld, *args: str, text: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["archive", *args, "--mirror", str(world.root)], input=text)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def archived_files(world: ArchiveWorld) -> list[Path]:
    folder = world.root / "articles" / "archive"
    return sorted(p for p in folder.rglob("*.md") if p.name != "README.md")


def test_a_wechat_page_is_kept_listed_published_committed_and_pushed(tmp_path: Path) -> None:
    with archive_world(tmp_path) as world:
        link = world.pages.url(WECHAT_PATH + "&scene=21&utm_source=share#rd")
        code, out, _ = archive(world, link)
        (stored,) = archived_files(world)
        path = stored.relative_to(world.root).as_posix()
        page = path.removeprefix("articles/").removesuffix(".md") + ".html"
        assert code == 0
        assert out.splitlines()[0] == f"archived: {link} -> {path} https://reader.example/mirror/{page}"
        article = ArticleFiles(world.root).read(path)
        assert (article.title, article.url) == (
            WECHAT_TITLE, strip_tracking_params(world.pages.url(WECHAT_PATH)))
        assert "退役军人" in article.body_html
        assert WECHAT_TITLE in (world.root / "lists" / "存档.md").read_text(encoding="utf-8")
        assert "存档" in (world.root / "README.md").read_text(encoding="utf-8")
        assert WECHAT_TITLE in (world.root / "docs" / page).read_text(encoding="utf-8")
        assert WECHAT_TITLE in (world.root / "feeds" / "archive.xml").read_text(encoding="utf-8")
        assert branch_head(world.remote, current_branch(world.root)) == head_commit(world.root)


def test_a_link_kept_before_is_named_without_fetching_it_again(tmp_path: Path) -> None:
    with archive_world(tmp_path) as world:
        archive(world, world.pages.url(WECHAT_PATH))
        commits, requests = commit_count(world.root), len(world.pages.requests)
        # (WeChat's own share parameters count on mp.weixin.qq.com only: tests/clean/test_urls.py)
        shared_again = world.pages.url(WECHAT_PATH + "&scene=126&utm_medium=social#rd")
        code, out, _ = archive(world, shared_again)
        assert code == 0
        assert out.startswith(f"already archived: {shared_again} -> articles/archive/")
        assert len(world.pages.requests) == requests
        assert commit_count(world.root) == commits
        assert len(archived_files(world)) == 1


def test_every_link_in_an_issue_body_is_archived_and_the_rest_ignored(tmp_path: Path) -> None:
    with archive_world(tmp_path) as world:
        wechat, zhihu = world.pages.url(WECHAT_PATH), world.pages.url("/question/23603839")
        body = (f"这两篇可能会被删，请存档：\r\n1. {wechat}（公众号）\r\n"
                f"2. 【{zhihu}】，谢谢！\r\n[同一篇]({wechat})")
        code, out, _ = archive(world, "--from-text", "-", text=body)
        assert code == 0
        assert [line.split(" -> ")[0] for line in out.splitlines()[:2]] == [
            f"archived: {wechat}", f"archived: {zhihu}"]
        assert len(archived_files(world)) == 2
        assert "1 new" not in out and "2 new: 存档 2" in out


def test_a_page_gone_removed_or_moved_away_is_kept_from_a_snapshot_naming_itself(tmp_path: Path) -> None:
    with archive_world(tmp_path) as world:
        for path in ("/gone", "/removed", "/moved"):
            link = world.pages.url(path)
            snapshot = f"{world.snapshots.origin}/web/2id_/{link}"
            code, out, _ = archive(world, link)
            assert code == 0
            assert out.startswith(f"archived: {link} -> ")
            assert out.splitlines()[0].endswith(f"(from the snapshot {snapshot})")
            stored = out.split(" -> ")[1].split(" ")[0]
            article = ArticleFiles(world.root).read(stored)
            assert (article.title, article.url) == (SNAPSHOT_TITLE, link)
            assert snapshot in article.body_html and "网页快照" in article.body_html
            page = stored.removeprefix("articles/").removesuffix(".md") + ".html"
            assert snapshot in (world.root / "docs" / page).read_text(encoding="utf-8")


def test_links_that_cannot_be_kept_fail_alone_with_a_reason(tmp_path: Path) -> None:
    with archive_world(tmp_path) as world:
        good = world.pages.url(WECHAT_PATH)
        bad = {"ftp://example.com/a": "not an http(s) link",
               "请帮忙存档": "not an http(s) link",
               "http://[::1": "not a valid link",
               world.pages.url("/front"): "not an article",
               world.pages.url("/broken"): "HTTP 500",
               world.pages.url("/report.pdf"): "not an HTML page"}
        code, out, err = archive(world, *bad, good)
        assert code == 1
        assert out.startswith(f"archived: {good} -> ")
        failures = [line for line in err.splitlines() if line.startswith("failed: ")]
        assert len(failures) == len(bad)
        for (link, reason), line in zip(bad.items(), failures, strict=True):
            assert line.startswith(f"failed: {link}: ") and reason in line, line
        assert "no snapshot (HTTP 404" in failures[4]
        assert "Traceback" not in out + err
        assert len(archived_files(world)) == 1
        assert git(world.root, "log", "--format=%s").splitlines() == [
            "status: remotes backup ok", "1 new: 存档 1; newsmirror.toml changed; .gitignore changed"]


def test_a_private_address_is_refused_unless_the_mirror_allows_it(tmp_path: Path) -> None:
    # (the snapshot service is the default one: a configured service's host is trusted)
    with archive_world(tmp_path, fallbacks=("https://web.archive.org/web/2id_/{url}",)) as world:
        config = world.root / "newsmirror.toml"
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace("allow_private_networks = true",
                                       "allow_private_networks = false"), encoding="utf-8")
        code, _, err = archive(world, world.pages.url(WECHAT_PATH))
        assert code == 1
        assert f"failed: {world.pages.url(WECHAT_PATH)}: private address refused" in err
        assert archived_files(world) == [] and commit_count(world.root) == 0


def test_nothing_to_archive_is_exit_1_and_no_links_at_all_a_usage_error(tmp_path: Path) -> None:
    with archive_world(tmp_path) as world:
        code, _, err = archive(world, "--from-text", "-", text="请存档，谢谢")
        assert (code, "no http(s) link in the text" in err) == (1, True)
        assert archive(world)[0] == 2
        assert commit_count(world.root) == 0


def test_images_of_an_archived_page_are_copied_into_the_mirror(tmp_path: Path) -> None:
    with archive_world(tmp_path, images="local") as world:
        code, out, _ = archive(world, world.pages.url("/pictures"))
        stored = out.split(" -> ")[1].split(" ")[0]
        body = ArticleFiles(world.root).read(stored).body_html
        (copied,) = (world.root / "media").rglob("*.png")
        assert code == 0
        assert f'src="../../../../media/{copied.parent.name}/{copied.name}"' in body
        assert "/pic.png" not in body


def test_the_reply_for_an_issue_links_each_copy_and_names_each_failure(tmp_path: Path) -> None:
    with archive_world(tmp_path) as world:
        reply = tmp_path / "reply.md"
        links = f"{world.pages.url(WECHAT_PATH)} {world.pages.url('/broken')}"
        code, _, _ = archive(world, "--from-text", "-", "--reply", str(reply), "--files-url",
                             "https://github.com/o/m/blob/main/", text=links)
        text = reply.read_text(encoding="utf-8")
        (stored,) = archived_files(world)
        assert code == 1
        assert text.startswith("已存档 1 个链接，1 个未能存档。")
        assert (f"[{WECHAT_TITLE}](<https://github.com/o/m/blob/main/"
                f"{stored.relative_to(world.root).as_posix()}>)") in text
        assert f"- ❌ `{world.pages.url('/broken')}`：`HTTP 500" in text


def test_a_mirror_with_no_sources_archives_and_its_runs_keep_the_archive(tmp_path: Path) -> None:
    with archive_world(tmp_path) as world:
        archive(world, world.pages.url(WECHAT_PATH))
        listed = (world.root / "lists" / "存档.md").read_text(encoding="utf-8")
        site = sorted(p.relative_to(world.root) for p in (world.root / "docs").rglob("*.html"))
        result = runner.invoke(app, ["run", "--mirror", str(world.root)])
        assert result.exit_code == 0, result.output
        assert (world.root / "lists" / "存档.md").read_text(encoding="utf-8") == listed
        assert sorted(p.relative_to(world.root)
                      for p in (world.root / "docs").rglob("*.html")) == site
        front = (world.root / "docs" / "index.html").read_text(encoding="utf-8")
        assert "存档" in front and WECHAT_TITLE in front


def test_a_page_known_by_the_address_it_declares_is_not_kept_twice(tmp_path: Path) -> None:
    with archive_world(tmp_path) as world:
        long_form = world.pages.url("/articles/2024/long-form-address")
        assert archive(world, world.pages.url("/t/abc"))[0] == 0
        (stored,) = archived_files(world)
        requests = len(world.pages.requests)
        code, out, _ = archive(world, long_form)
        assert (code, len(world.pages.requests)) == (0, requests)
        assert out.startswith(f"already archived: {long_form} -> ")
        code, out, _ = archive(world, world.pages.url("/t/xyz"))
        assert code == 0 and out.startswith("already archived: ")
        assert archived_files(world) == [stored]


def test_without_snapshot_services_a_gone_page_fails_saying_so(tmp_path: Path) -> None:
    with archive_world(tmp_path, fallbacks=()) as world:
        code, _, err = archive(world, world.pages.url("/gone"))
        assert code == 1
        assert f"failed: {world.pages.url('/gone')}: HTTP 404" in err
        assert "no snapshot services in [archive] fallbacks" in err
        assert archived_files(world) == [] and commit_count(world.root) == 0


def test_snapshot_services_are_tried_in_order_until_one_holds_the_page(tmp_path: Path) -> None:
    with archive_world(tmp_path) as world:
        first = f"{world.snapshots.origin}/first/{{url}}"
        second = f"{world.snapshots.origin}/web/2id_/{{url}}"
        link = world.pages.url("/gone")
        world.snapshots.routes[f"/first/{link}"] = Route(REMOVED)  # type: ignore[index]
        set_archive(world.root, {"fallbacks": toml_value((first, second))}, None)
        code, out, _ = archive(world, link)
        assert code == 0
        assert out.splitlines()[0].endswith(f"(from the snapshot {second.format(url=link)})")


def test_a_page_still_failing_after_its_retries_is_kept_from_a_snapshot(tmp_path: Path) -> None:
    snapshot = (GOLDEN_PAGES / "telegraph.html").read_bytes()
    with FaultServer() as faults, archive_world(tmp_path) as world:
        config = world.root / "newsmirror.toml"
        config.write_text(config.read_text(encoding="utf-8").replace(
            "max_retries = 0", "max_retries = 1"), encoding="utf-8")
        links = {}
        for path, behaviour in (("/reset", "reset"), ("/bad-gateway", "status-502")):
            faults.routes[path] = BEHAVIOURS[behaviour]
            links[path] = faults.url(path)
            world.snapshots.routes[f"/web/2id_/{links[path]}"] = Route(snapshot)  # type: ignore[index]
        code, out, _ = archive(world, *links.values())
        assert code == 0
        for path, line in zip(links, out.splitlines(), strict=False):
            assert line.startswith(f"archived: {links[path]} -> ") and "from the snapshot" in line
            assert faults.count(path) == 2  # the first try and its one retry
