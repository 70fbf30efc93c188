"""Rewriting sanitised article HTML per image mode (pure: no network)."""

from __future__ import annotations

import re

import pytest
from selectolax.lexbor import LexborHTMLParser
from tests.support.recorded import SEED

from newsmirror.config import MirrorSettings
from newsmirror.images.policy import (
    ImagePolicy,
    media_prefix,
    proxy_url,
    rebase_media_paths,
    rewrite_images,
    wanted_downloads,
)

WESERV = MirrorSettings().image_proxy[0]
SECOND = "https://proxy.example/{url}"
PROXY = ImagePolicy("proxy", (WESERV,))
TWO_PROXIES = ImagePolicy("proxy", (WESERV, SECOND))
LOCAL = ImagePolicy("local", (WESERV,))
ORIGINAL = ImagePolicy("original", (WESERV,))
PICTURE = ('<figure><picture><source type="image/webp" srcset="https://i.test/a.webp 1x">'
           '<img src="https://i.test/a.jpg" srcset="https://i.test/a-320.jpg 320w, '
           'https://i.test/a-640.jpg 640w" alt="图说"></picture><figcaption>说明</figcaption></figure>')


def attrs(html: str, selector: str = "img") -> list[dict[str, str | None]]:
    return [dict(node.attrs) for node in LexborHTMLParser(html).css(selector)]


def test_default_proxy_reproduces_the_predecessors_urls_in_the_seed_article() -> None:
    seed = SEED.read_text(encoding="utf-8")
    proxied = re.findall(r'src="(https://images\.weserv\.nl/\?url=([^"]+))"', seed)
    assert proxied
    for expected, no_scheme in proxied:
        assert proxy_url(WESERV, "https://" + no_scheme) == expected


@pytest.mark.parametrize(
    ("template", "url", "expected"),
    [
        (WESERV, "https://mmbiz.qpic.cn/a/640?wx_fmt=jpeg&from=appmsg",
         "https://images.weserv.nl/?url=mmbiz.qpic.cn/a/640?wx_fmt=jpeg%26from=appmsg"),
        (WESERV, "https://c.test/a%20b.jpg#x",
         "https://images.weserv.nl/?url=c.test/a%2520b.jpg%23x"),
        (WESERV, "https://c.test/w_640,h_480/a.jpg",
         "https://images.weserv.nl/?url=c.test/w_640%2Ch_480/a.jpg"),
        (SECOND, "https://c.test/a.jpg?w=1&h=2",
         "https://proxy.example/https%3A%2F%2Fc.test%2Fa.jpg%3Fw%3D1%26h%3D2"),
    ],
    ids=["query-kept-in-one-parameter", "percent-and-fragment", "comma", "url-placeholder"],
)
def test_proxy_url_keeps_the_whole_original_url_in_one_parameter(
    template: str, url: str, expected: str
) -> None:
    assert proxy_url(template, url) == expected


def test_proxy_mode_rewrites_src_every_srcset_candidate_and_picture_sources() -> None:
    html = rewrite_images(PICTURE, PROXY).html
    [img], [source] = attrs(html), attrs(html, "source")
    assert img["src"] == "https://images.weserv.nl/?url=i.test/a.jpg"
    assert img["srcset"] == ("https://images.weserv.nl/?url=i.test/a-320.jpg 320w, "
                             "https://images.weserv.nl/?url=i.test/a-640.jpg 640w")
    assert source["srcset"] == "https://images.weserv.nl/?url=i.test/a.webp 1x"
    assert "i.test" not in html.replace("?url=i.test", "")


def test_proxy_mode_keeps_alt_text_and_captions() -> None:
    html = rewrite_images(PICTURE, PROXY).html
    assert attrs(html)[0]["alt"] == "图说"
    assert "<figcaption>说明</figcaption>" in html


def test_further_proxies_are_recorded_as_fallbacks_without_event_handlers() -> None:
    html = rewrite_images(PICTURE, TWO_PROXIES).html
    [img] = attrs(html)
    assert img["data-fallback"] == "https://proxy.example/https%3A%2F%2Fi.test%2Fa.jpg"
    assert not [name for node in attrs(html, "*") for name in node if name.startswith("on")]


def test_original_mode_leaves_urls_as_served() -> None:
    html = rewrite_images(PICTURE, ORIGINAL).html
    assert attrs(html)[0]["src"] == "https://i.test/a.jpg"
    assert attrs(html, "source")[0]["srcset"] == "https://i.test/a.webp 1x"


def test_local_mode_points_at_the_media_file_and_drops_other_sizes() -> None:
    rewrite = rewrite_images(PICTURE, LOCAL, {"https://i.test/a-640.jpg": "media/ab/abc.jpg"})
    assert attrs(rewrite.html) == [{"src": "../../../../media/ab/abc.jpg", "alt": "图说"}]
    assert attrs(rewrite.html, "source") == []
    assert rewrite.counts["images/localised"] == 1


def test_local_mode_proxies_what_was_not_downloaded_and_marks_retries() -> None:
    html = '<p><img src="https://i.test/a.jpg"><img src="https://i.test/big.jpg"></p>'
    rewrite = rewrite_images(html, LOCAL, {}, retry_urls={"https://i.test/a.jpg"})
    first, second = attrs(rewrite.html)
    assert [first["src"], second["src"]] == ["https://images.weserv.nl/?url=i.test/a.jpg",
                                             "https://images.weserv.nl/?url=i.test/big.jpg"]
    assert first["data-localise"] == "https://i.test/a.jpg"
    assert "data-localise" not in second
    assert rewrite.counts["images/proxied"] == 2


@pytest.mark.parametrize("policy", [PROXY, LOCAL], ids=["proxy", "local"])
def test_links_that_only_zoom_into_an_image_are_unwrapped(policy: ImagePolicy) -> None:
    html = '<p><a href="https://i.test/full.jpg"><img src="https://i.test/a.jpg"></a></p>'
    out = rewrite_images(html, policy).html
    assert "<a" not in out and "full.jpg" not in out


def test_a_source_left_over_from_a_video_is_removed() -> None:
    html = '<p><source type="video/mp4"><img src="https://i.test/a.jpg"></p>'
    assert attrs(rewrite_images(html, PROXY).html, "source") == []


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<img src="https://i.test/s.jpg" srcset="https://i.test/320.jpg 320w, '
         'https://i.test/960.jpg 960w, https://i.test/2000.jpg 2000w">',
         ["https://i.test/960.jpg"]),
        ('<img src="https://i.test/s.jpg" srcset="https://i.test/3000.jpg 3000w, '
         'https://i.test/2000.jpg 2000w">', ["https://i.test/2000.jpg"]),
        ('<img src="https://i.test/s.jpg" srcset="https://i.test/2x.jpg 2x">',
         ["https://i.test/s.jpg"]),
        ('<img src="https://i.test/same.jpg"><img src="https://i.test/same.jpg">',
         ["https://i.test/same.jpg"]),
    ],
    ids=["widest-that-fits", "narrowest-when-none-fits", "density-descriptors-use-src", "once"],
)
def test_local_mode_downloads_one_size_per_image(html: str, expected: list[str]) -> None:
    assert wanted_downloads(html, LOCAL) == expected


@pytest.mark.parametrize(
    ("path", "prefix"),
    [("articles/bbc/2024/08/x.md", "../../../../"), ("articles/bbc/2024/08-2/x.md", "../../../../"),
     ("revisions/bbc/2024/08/x/1722931200000.md", "../../../../../"), ("README.md", "")],
    ids=["article", "spill-folder", "revision", "root"],
)
def test_media_prefix_climbs_from_a_file_to_the_mirror_root(path: str, prefix: str) -> None:
    assert media_prefix(path) == prefix


def test_rebase_media_paths_keeps_local_images_working_in_a_copy_at_another_depth() -> None:
    html = '<img src="../../../../media/ab/abc.jpg"><img src="https://i.test/a.jpg">'
    moved = rebase_media_paths(html, "articles/bbc/2024/08/x.md", "revisions/bbc/2024/08/x/1.md")
    assert moved == '<img src="../../../../../media/ab/abc.jpg"><img src="https://i.test/a.jpg">'


def test_an_image_already_on_the_proxy_is_not_proxied_twice() -> None:
    proxied = "https://images.weserv.nl/?url=static.dw.com/image/71588384_303.jpg"
    html = f'<img src="{proxied}" srcset="{proxied} 1x">'
    assert attrs(rewrite_images(html, PROXY).html) == [{"src": proxied, "srcset": f"{proxied} 1x"}]


@pytest.mark.parametrize(
    "html",
    ['<p>a<img src="https://i.test/p.gif" width="1" height="1">b</p>',
     '<picture><source srcset="https://i.test/a.webp"><img width="1" height="1" '
     'src="https://i.test/p.gif"></picture><p>b</p>'],
    ids=["pixel", "pixel-in-picture"],
)
@pytest.mark.parametrize("policy", [PROXY, LOCAL, ORIGINAL], ids=["proxy", "local", "original"])
def test_tracking_pixels_are_removed_in_every_mode(html: str, policy: ImagePolicy) -> None:
    rewrite = rewrite_images(html, policy)
    assert "<img" not in rewrite.html and "<picture" not in rewrite.html
    assert rewrite.counts["images/removed"] == 1
