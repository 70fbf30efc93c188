"""The image stage inside real runs: a feed and its images on loopback, a mirror on disk.

Private networks are not allowed in these mirrors; the feed's host (127.0.0.1) is
trusted because the volunteer configured it, so images on it may be fetched, while
images on any other name for loopback are refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser
from tests.images.pages import EVERY_KIND_BODY, every_kind_image_routes, jpeg, noisy_png, rss_feed
from tests.support.mirrors import SourceSpec, make_mirror
from typer.testing import CliRunner

from newsmirror.cli import app
from newsmirror.config import load_config
from newsmirror.demo.server import LoopbackServer, Route
from newsmirror.models import RunReport
from newsmirror.pipeline import RunOptions, run
from newsmirror.store.articles import parse_article_file
from newsmirror.store.index import record_from_json

TEXT = ("<p>这是一段足够长的正文，用来确认文章不会因为太短而被当作空文章丢掉。"
        "图片之外，文章还需要有足够的文字。</p>")


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    routes = {"/feed": rss_feed([("/a/1", "各种图片", EVERY_KIND_BODY)]),
              **every_kind_image_routes()}
    with LoopbackServer(routes) as running:
        yield running


def mirror_run(root: Path, server: LoopbackServer, mode: str, **settings: object) -> RunReport:
    if not (root / "newsmirror.toml").exists():
        make_mirror(root, [SourceSpec("图片", "img", server.url("/feed"), "feed")], images=mode,
                    allow_private_networks=False, **settings)
    return run(load_config(root), RunOptions(commit=False))


def article_file(root: Path, n: int = 0) -> Path:
    return sorted(p for p in (root / "articles").rglob("*.md") if p.name != "README.md")[n]


def images_of(path: Path) -> list[dict[str, str | None]]:
    body = path.read_text(encoding="utf-8").split("\n", 4)[4]
    return [dict(img.attrs) for img in LexborHTMLParser(body).css("img")]


@pytest.fixture(scope="module")
def local_mirror(tmp_path_factory: pytest.TempPathFactory, server: LoopbackServer) -> Path:
    root = tmp_path_factory.mktemp("local") / "mirror"
    mirror_run(root, server, "local")
    return root


def test_local_mode_serves_every_image_from_media(local_mirror: Path) -> None:
    shown = images_of(article_file(local_mirror))
    assert len(shown) == 8
    assert all(str(img["src"]).startswith("../../../../media/") for img in shown)
    assert not [img for img in shown if "srcset" in img]


def test_local_paths_resolve_from_the_article_file(local_mirror: Path) -> None:
    article = article_file(local_mirror)
    for img in images_of(article):
        assert (article.parent / str(img["src"])).resolve().is_file(), img["src"]


def test_duplicate_images_are_stored_once(local_mirror: Path) -> None:
    srcs = [img["src"] for img in images_of(article_file(local_mirror))]
    files = [p for p in (local_mirror / "media").rglob("*") if p.is_file()]
    assert len(set(srcs)) == len(files) == 7
    assert srcs.count(srcs[0]) == 2  # plain.jpg and dup.jpg have the same bytes


def test_lazy_placeholders_and_tracking_pixels_are_gone(local_mirror: Path) -> None:
    text = article_file(local_mirror).read_text(encoding="utf-8")
    assert "data:" not in text and "pixel.gif" not in text and "noscript" not in text


def test_alt_text_and_captions_are_kept(local_mirror: Path) -> None:
    text = article_file(local_mirror).read_text(encoding="utf-8")
    assert "<figcaption>图片说明一</figcaption>" in text
    assert {"普通图片", "多尺寸图片", "懒加载"} <= {img.get("alt") for img in images_of(
        article_file(local_mirror))}


def test_proxy_mode_sends_every_image_url_through_the_proxy(
    tmp_path: Path, server: LoopbackServer
) -> None:
    report = mirror_run(tmp_path / "m", server, "proxy")
    body = article_file(tmp_path / "m").read_text(encoding="utf-8").split("\n", 4)[4]
    tree = LexborHTMLParser(body)
    urls = [img.attrs["src"] for img in tree.css("img")] + [
        c.strip().split()[0] for node in tree.css("img[srcset], source[srcset]")
        for c in (node.attrs["srcset"] or "").split(",")]
    assert len(urls) == 8 + 3 + 2 + 1
    assert all(str(u).startswith("https://images.weserv.nl/?url=127.0.0.1:") for u in urls)
    assert not (tmp_path / "m" / "media").exists()
    assert report.counters["images/proxied"] == 8


def test_original_mode_leaves_image_urls_alone(tmp_path: Path, server: LoopbackServer) -> None:
    mirror_run(tmp_path / "m", server, "original")
    srcs = [img["src"] for img in images_of(article_file(tmp_path / "m"))]
    assert srcs[0] == server.url("/img/plain.jpg")
    assert all(str(s).startswith(server.origin) for s in srcs)


def one_image_server(image: Route, *, host: str = "{{origin}}") -> LoopbackServer:
    body = f'{TEXT}<p><img src="{host}/img/x.jpg" alt="图"></p>{TEXT}'
    return LoopbackServer({"/feed": rss_feed([("/a/1", "一张图", body)]), "/img/x.jpg": image})


def test_a_failed_download_is_proxied_then_localised_on_a_later_run(tmp_path: Path) -> None:
    with one_image_server(Route(b"busy", "text/plain", status=503)) as flaky:
        first = mirror_run(tmp_path / "m", flaky, "local")
        [img] = images_of(article_file(tmp_path / "m"))
        assert img["src"] == "https://images.weserv.nl/?url=" + flaky.url("/img/x.jpg")[7:]
        assert img["data-localise"] == flaky.url("/img/x.jpg")
        flaky.routes["/img/x.jpg"] = jpeg(3)  # type: ignore[index]
        second = mirror_run(tmp_path / "m", flaky, "local")
    [img] = images_of(article_file(tmp_path / "m"))
    assert str(img["src"]).startswith("../../../../media/") and "data-localise" not in img
    assert (first.counters["images/failed"], second.counters["images/localised_later"]) == (1, 1)


def test_index_hash_follows_an_article_rewritten_by_a_later_image_download(
    tmp_path: Path,
) -> None:
    with one_image_server(Route(b"busy", "text/plain", status=503)) as flaky:
        mirror_run(tmp_path / "m", flaky, "local")
        flaky.routes["/img/x.jpg"] = jpeg(3)  # type: ignore[index]
        mirror_run(tmp_path / "m", flaky, "local")
    path = article_file(tmp_path / "m")
    body = parse_article_file(path.read_text(encoding="utf-8")).body_html
    (shard,) = (tmp_path / "m" / "index").rglob("*.jsonl")
    record = record_from_json(shard.read_text(encoding="utf-8").splitlines()[0])
    assert record.content_sha256 == hashlib.sha256(body.encode("utf-8")).hexdigest()


@pytest.mark.parametrize(
    ("image", "settings"),
    [(jpeg(1, 400, 300), {"image_max_bytes": 2048}),
     (Route(b"<!DOCTYPE html><html><body>hotlink refused</body></html>", "image/jpeg"), {})],
    ids=["too-large", "html-served-as-jpeg"],
)
def test_an_image_that_cannot_be_kept_stays_proxied_and_is_not_retried(
    tmp_path: Path, image: Route, settings: dict[str, object]
) -> None:
    with one_image_server(image) as origin:
        report = mirror_run(tmp_path / "m", origin, "local", **settings)
    [img] = images_of(article_file(tmp_path / "m"))
    assert str(img["src"]).startswith("https://images.weserv.nl/")
    assert "data-localise" not in img and not (tmp_path / "m" / "media").exists()
    assert report.counters["images/failed"] == 1


def test_images_on_a_private_address_are_refused(tmp_path: Path) -> None:
    with one_image_server(jpeg(1), host="http://localhost:{{port}}") as origin:
        origin.routes["/feed"] = Route(origin.response_for("/feed").body.replace(  # type: ignore
            b"{{port}}", origin.origin.rsplit(":", 1)[1].encode()), "application/rss+xml")
        report = mirror_run(tmp_path / "m", origin, "local")
    assert report.counters["images/failed"] == 1
    assert "/img/x.jpg" not in [path for path, _ in origin.requests]


def test_the_article_byte_cap_leaves_later_images_proxied(tmp_path: Path) -> None:
    big = noisy_png(100, 100)
    body = f'{TEXT}<p><img src="{{{{origin}}}}/a.png"><img src="{{{{origin}}}}/b.png"></p>'
    routes = {"/feed": rss_feed([("/a/1", "两张图", body)]), "/a.png": Route(big, "image/png"),
              "/b.png": Route(noisy_png(100, 100), "image/png")}
    with LoopbackServer(routes) as origin:
        report = mirror_run(tmp_path / "m", origin, "local", image_reencode=False,
                            image_max_bytes_per_article=len(big) + 10)
    first, second = images_of(article_file(tmp_path / "m"))
    assert str(first["src"]).startswith("../../../../media/")
    assert str(second["src"]).startswith("https://images.weserv.nl/")
    assert report.counters["images/over_article_cap"] == 1


def test_the_run_report_shows_image_counts(tmp_path: Path, server: LoopbackServer) -> None:
    make_mirror(tmp_path / "m", [SourceSpec("图片", "img", server.url("/feed"), "feed")],
                images="local", allow_private_networks=False)
    result = CliRunner().invoke(app, ["run", "--mirror", str(tmp_path / "m"), "--no-commit"])
    assert result.exit_code == 0, result.output
    assert "images: 8 localised" in result.output


def test_recorded_bbc_pages_have_every_image_url_proxied(
    tmp_path: Path, recorded_server: LoopbackServer
) -> None:
    root = make_mirror(tmp_path / "m", [SourceSpec("BBC", "bbc", recorded_server.url("/feed/bbc"),
                                                    "page")], images="proxy", max_new_per_source=3)
    report = run(load_config(root), RunOptions(commit=False))
    bodies = [p.read_text(encoding="utf-8").split("\n", 4)[4]
              for p in (root / "articles").rglob("*.md") if p.name != "README.md"]
    urls = [u for body in bodies for node in LexborHTMLParser(body).css("img, source")
            for u in [node.attrs.get("src") or "", *(c.strip().split(" ")[0] for c in
                      (node.attrs.get("srcset") or "").split(", "))] if u]
    assert report.counters["images/proxied"] >= 3
    assert any("ichef.bbci.co.uk" in u for u in urls)
    assert all(u.startswith("https://images.weserv.nl/?url=") for u in urls), urls
