"""Finding image references and undoing lazy loading, on written and real HTML."""

from __future__ import annotations

import re

import pytest
from selectolax.lexbor import LexborHTMLParser
from tests.support.recorded import PREDECESSOR, REAL

from newsmirror.images.refs import SrcsetCandidate as Candidate
from newsmirror.images.refs import (
    find_image_refs,
    parse_srcset,
    resolve_lazy_images,
)

GIF_1X1 = "data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=="
SVG_BOX = "data:image/svg+xml,%3Csvg%20xmlns=%22http://www.w3.org/2000/svg%22%3E%3C/svg%3E"


def images(html: str) -> list[dict[str, str | None]]:
    return [dict(img.attrs) for img in LexborHTMLParser(html).css("img")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a.jpg 320w, b.jpg 640w", [Candidate("a.jpg", "320w"), Candidate("b.jpg", "640w")]),
        ("https://c/w_640,h_480/x.jpg 640w", [Candidate("https://c/w_640,h_480/x.jpg", "640w")]),
        ("a.jpg, b.jpg 2x", [Candidate("a.jpg"), Candidate("b.jpg", "2x")]),
        ("  a.jpg\n 1x ,\tb.jpg   2x  ", [Candidate("a.jpg", "1x"), Candidate("b.jpg", "2x")]),
        ("", []),
    ],
    ids=["widths", "comma-in-url", "no-descriptor", "odd-whitespace", "empty"],
)
def test_parse_srcset_splits_candidates_like_a_browser(
    value: str, expected: list[Candidate]
) -> None:
    assert parse_srcset(value) == expected


@pytest.mark.parametrize(
    ("html", "expected_src"),
    [
        (f'<img src="{GIF_1X1}" data-src="https://c/a.jpg">', "https://c/a.jpg"),
        (f'<img src="{SVG_BOX}" data-lazy-src="https://c/b.jpg">', "https://c/b.jpg"),
        ('<img data-original="https://c/c.jpg">', "https://c/c.jpg"),
        ('<img src="" data-src="https://mmbiz.qpic.cn/x/640?wx_fmt=jpeg">',
         "https://mmbiz.qpic.cn/x/640?wx_fmt=jpeg"),
        ('<img src="https://c/real.jpg">', "https://c/real.jpg"),
    ],
    ids=["gif-placeholder", "svg-placeholder", "no-src", "wechat-empty-src", "plain"],
)
def test_resolve_lazy_images_makes_the_real_image_the_src(html: str, expected_src: str) -> None:
    assert [img["src"] for img in images(resolve_lazy_images(html))] == [expected_src]


def test_resolve_lazy_images_takes_data_srcset_over_a_placeholder() -> None:
    html = f'<img src="{SVG_BOX}" data-srcset="https://c/a-480.jpg 480w, https://c/a-960.jpg 960w">'
    [img] = images(resolve_lazy_images(html))
    assert img["srcset"] == "https://c/a-480.jpg 480w, https://c/a-960.jpg 960w"
    assert "src" not in img


@pytest.mark.parametrize(
    "html",
    [f'<p>text<img src="{GIF_1X1}" alt="x"></p>', f'<p>text<img src="{SVG_BOX}"></p>',
     '<p>text<img src="https://t/pixel.gif" width="1" height="1"></p>', "<p>text<img></p>"],
    ids=["gif", "svg", "tracking-pixel", "no-source"],
)
def test_resolve_lazy_images_removes_placeholders_without_a_real_image(html: str) -> None:
    assert images(resolve_lazy_images(html)) == []


def test_noscript_copy_of_a_lazy_image_is_dropped() -> None:
    html = (f'<figure><noscript><img src="https://c/a.jpg"></noscript>'
            f'<img src="{SVG_BOX}" data-src="https://c/a.jpg" alt="图"></figure>')
    assert [(i["src"], i["alt"]) for i in images(resolve_lazy_images(html))] == [
        ("https://c/a.jpg", "图")]


def test_noscript_image_fills_a_placeholder_and_keeps_its_alt_text() -> None:
    html = (f'<div><img src="{GIF_1X1}" alt="说明">'
            '<noscript><img src="https://c/n.jpg"></noscript></div>')
    assert [(i["src"], i["alt"]) for i in images(resolve_lazy_images(html))] == [
        ("https://c/n.jpg", "说明")]


def test_noscript_image_alone_is_unwrapped() -> None:
    html = '<p>看图</p><noscript><img src="https://c/only.jpg" alt="唯一"></noscript>'
    out = resolve_lazy_images(html)
    assert "noscript" not in out
    assert [i["src"] for i in images(out)] == ["https://c/only.jpg"]


def test_resolve_lazy_images_keeps_a_whole_document_a_document() -> None:
    page = f'<!DOCTYPE html><html><body><img src="{GIF_1X1}" data-src="/a.jpg"></body></html>'
    out = resolve_lazy_images(page)
    assert out.startswith("<!DOCTYPE html><html>")
    assert [i["src"] for i in images(out)] == ["/a.jpg"]


@pytest.mark.parametrize("name", ["cdt/0.md", "cdt/355002.md"])
def test_predecessor_lazy_images_become_real(name: str) -> None:
    """The predecessor kept CDT's placeholders; resolved, every image has its real URL."""
    body = (PREDECESSOR / name).read_text(encoding="utf-8").split("\n", 4)[4]
    lazy = re.findall(r'data-src="([^"]+)"', body)
    out = resolve_lazy_images(body)
    assert lazy and "data:image" not in out
    assert set(lazy) <= {i["src"] for i in images(out)}


def test_wechat_raw_page_images_get_their_data_src() -> None:
    page = (REAL / "weixin/article_suide-veterans_raw.html").read_text(encoding="utf-8")
    lazy = [i["data-src"] for i in images(page) if i.get("data-src")]
    out = images(resolve_lazy_images(page))
    assert len(lazy) >= 3
    assert {i["src"] for i in out if i.get("data-src")} == set(lazy)


def test_find_image_refs_lists_src_every_srcset_candidate_and_picture_sources() -> None:
    html = ('<picture><source srcset="https://c/p.webp 1x, https://c/p2.webp 2x">'
            '<img src="https://c/p.jpg"></picture>'
            '<img src="https://c/a.jpg" srcset="https://c/a-1.jpg 320w, https://c/a-2.jpg 640w">')
    assert [r.url for r in find_image_refs(html)] == [
        "https://c/p.webp", "https://c/p2.webp", "https://c/p.jpg",
        "https://c/a.jpg", "https://c/a-1.jpg", "https://c/a-2.jpg"]


def test_bbc_page_srcsets_are_all_found() -> None:
    page = (REAL / "bbc/article_2025-11-30_cwyv1yz8yrno_simp_reindented.html").read_text("utf-8")
    refs = find_image_refs(page)
    candidates = [r for r in refs if r.attribute == "srcset"]
    assert len(candidates) >= 5
    assert all(r.url.startswith("https://ichef.bbci.co.uk/") for r in candidates)
