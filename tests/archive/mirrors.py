"""Loopback pages, a snapshot service stand-in and mirrors for the archive command's tests."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from newsmirror.demo.server import LoopbackServer, Route
from newsmirror.scaffold import toml_value
from tests.publish.remotes import bare_remote
from tests.support.mirrors import make_mirror
from tests.support.recorded import REAL

GOLDEN_PAGES = Path(__file__).resolve().parents[1] / "golden" / "extract" / "ondemand"
WECHAT_PATH = "/s?__biz=MzAxMzgxNzUxOA==&mid=2650804290&idx=8&sn=d625de357b53f96d710aca4e6ec7f57c"
WECHAT_TITLE = "绥德：33名退役军人被表彰"
SNAPSHOT_TITLE = "示例：一份社区会议纪要"
REMOVED = "<html><body><p>该内容已被发布者删除</p></body></html>".encode()
PICTURE_PAGE = """<html><head><meta property="og:type" content="article"><title>图片</title></head>
<body><article><h1>示例：河边的樱花</h1><p>这是为测试编写的页面，正文里有一张图片，存档时应复制到 media。</p>
<figure><img src="{{origin}}/pic.png" alt="樱花"><figcaption>河边的樱花。</figcaption></figure>
<p>第二段文字，让正文足够长，像一篇真正的文章那样。</p></article></body></html>""".encode()


SHORT_LINK_PAGE = """<html><head><meta property="og:type" content="article">
<link rel="canonical" href="{{origin}}/articles/2024/long-form-address">
<title>示例：短链接的文章</title></head><body><article><h1>示例：短链接的文章</h1>
<p>这是为测试编写的页面：它有短链接和长地址两种写法，页面自己声明的是长地址。</p>
<p>读者分享的往往是短链接，而另一位读者可能贴出长地址；两者指的是同一篇文章，镜像里只应保存一份。</p>
<p>第三段文字，让正文足够长，像一篇真正的文章那样，通用提取器才会把它当作正文。</p>
</article></body></html>
""".encode()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 150)).save(buffer, format="PNG")
    return buffer.getvalue()


def page_routes() -> dict[str, Route]:
    """The pages readers ask for: real recorded ones, and the ways a page can be gone."""
    return {
        "/s": Route((REAL / "weixin" / "article_suide-veterans_raw.html").read_bytes()),
        "/question/23603839": Route(
            (REAL / "zhihu" / "question_23603839_dom-snapshot_2023.html").read_bytes()),
        "/front": Route((REAL / "bbc" / "index_simp_homepage_2025.html").read_bytes()),
        "/pictures": Route(PICTURE_PAGE),
        "/pic.png": Route(png_bytes(), "image/png"),
        "/gone": Route(b"not here", "text/plain", status=404),
        "/removed": Route(REMOVED),
        "/broken": Route(b"oops", "text/plain", status=500),
        "/report.pdf": Route(b"%PDF-1.4", "application/pdf"),
        "/t/abc": Route(SHORT_LINK_PAGE),
        "/t/xyz": Route(SHORT_LINK_PAGE),
        "/moved": Route(b"", status=302, headers=(("Location", "/"),)),
        "/": Route((REAL / "bbc" / "index_simp_homepage_2025.html").read_bytes()),
    }


@dataclass(frozen=True)
class ArchiveWorld:
    """A mirror, the pages it may archive, a snapshot service and a remote."""

    root: Path
    pages: LoopbackServer
    snapshots: LoopbackServer
    remote: Path


@contextmanager
def archive_world(tmp_path: Path, **archive: str | tuple[str, ...]) -> Iterator[ArchiveWorld]:
    """Pages on one loopback server, snapshots of /gone and /removed on another; ``archive``
    sets [archive] keys."""
    snapshot = (GOLDEN_PAGES / "telegraph.html").read_bytes()
    with LoopbackServer(page_routes()) as pages, LoopbackServer({}) as snapshots:
        snapshots.routes = {f"/web/2id_/{pages.url(path)}": Route(snapshot)
                            for path in ("/gone", "/removed", "/moved")}
        root = make_mirror(tmp_path / "mirror", [], site_search=False,
                           site_url="https://reader.example/mirror/")
        remote = bare_remote(tmp_path / "remote.git")
        settings = {"images": '"original"',
                    "fallbacks": f'["{snapshots.origin}/web/2id_/{{url}}"]',
                    **{key: toml_value(value) for key, value in archive.items()}}
        set_archive(root, settings, remote)
        yield ArchiveWorld(root, pages, snapshots, remote)


def set_archive(root: Path, settings: dict[str, str], remote: Path | None) -> None:
    """Rewrite keys of the [archive] table (values as TOML), and add the remote if given."""
    config = root / "newsmirror.toml"
    before, _, archive = config.read_text(encoding="utf-8").partition("\n[archive]\n")
    for key, value in settings.items():
        archive = re.sub(rf"^{key} = .*$", f"{key} = {value}".replace("\\", "\\\\"), archive,
                         count=1, flags=re.M)
    remotes = f'\n[[remotes]]\nname = "backup"\nurl = "{remote.as_posix()}"\n' if remote else ""
    config.write_text(before + "\n[archive]\n" + archive + remotes, encoding="utf-8")
