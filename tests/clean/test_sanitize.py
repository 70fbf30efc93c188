"""The allowlist sanitiser: what survives, what goes, and the shape of its output."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from newsmirror.clean.sanitize import plain_text, sanitize_html, text_length

BASE = "https://news.example.com/world/story.html"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>a</p>", "<p>a</p>"),
        ("<h2>t</h2><ul><li>x</li></ul>", "<h2>t</h2><ul><li>x</li></ul>"),
        ("<blockquote>q</blockquote>", "<blockquote>q</blockquote>"),
        ("<figure><img src='/i.jpg' alt='a'><figcaption>c</figcaption></figure>",
         '<figure><img src="https://news.example.com/i.jpg" alt="a"><figcaption>c</figcaption>'
         "</figure>"),
        ("<table><tr><td colspan='2'>x</td></tr></table>",
         '<table><tbody><tr><td colspan="2">x</td></tr></tbody></table>'),
        ("<p><strong>b</strong> <em>i</em></p>", "<p><strong>b</strong> <em>i</em></p>"),
        ("<p>a<br>b</p><hr><p>c</p>", "<p>a<br>b</p><hr><p>c</p>"),
    ],
    ids=["paragraph", "heading-list", "blockquote", "figure", "table", "inline", "breaks"],
)
def test_article_structure_survives(html: str, expected: str) -> None:
    assert sanitize_html(html, BASE) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>a</p><script>alert(1)</script>", "<p>a</p>"),
        ("<style>p{}</style><p>a</p>", "<p>a</p>"),
        ("<p>a</p><form><input value='x'><p>subscribe</p></form>", "<p>a</p>"),
        ("<p onclick='x()' onmouseover='y'>a</p>", "<p>a</p>"),
        ("<p class='c' id='i' style='color:red' data-x='1' aria-label='l'>a</p>", "<p>a</p>"),
        ("<p><a href='javascript:alert(1)'>a</a></p>", "<p>a</p>"),
        ("<p><a href='vbscript:x'>a</a></p>", "<p>a</p>"),
        ("<p><a href='data:text/html,x'>a</a></p>", "<p>a</p>"),
        ("<p>a<img src='data:image/png;base64,iVBOR'></p>", "<p>a</p>"),
        ("<p>a<img src='/x.jpg' srcset='javascript:x 1x'></p>",
         '<p>a<img src="https://news.example.com/x.jpg"></p>'),
        ("<svg><a href='/x'><text>s</text></a></svg><p>a</p>", "<p>a</p>"),
        ("<math><mi>x</mi></math><p>a</p>", "<p>a</p>"),
        ("<p>a</p><!-- pay wall 1: 0 -->", "<p>a</p>"),
        ("<p>a</p><template><p>t</p></template>", "<p>a</p>"),
        ("<p>a<object data='/x.swf'></object></p>",
         '<p>a</p><p><a href="https://news.example.com/x.swf" rel="noopener noreferrer">'
         "▶ 查看原始媒体</a></p>"),
    ],
    ids=["script", "style", "form", "event-handlers", "site-attributes", "javascript-url",
         "vbscript-url", "data-url-link", "data-url-image", "srcset-javascript", "svg", "mathml",
         "comment", "template", "object"],
)
def test_executable_and_site_markup_goes(html: str, expected: str) -> None:
    assert sanitize_html(html, BASE) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<div></div><p>a</p>", "<p>a</p>"),
        ("<p> </p><p>\u00a0</p><p>\u3000</p><p>a</p>", "<p>a</p>"),
        ("<p><br><br></p><p>a</p>", "<p>a</p>"),
        ("<p><span style='x'></span></p><p>a</p>", "<p>a</p>"),
        ("<p>a<br></p>", "<p>a</p>"),
        ("<ul><li> </li></ul><p>a</p>", "<p>a</p>"),
        ("<p>a</p><br><hr>", "<p>a</p>"),
    ],
    ids=["empty-div", "space-spacers", "break-spacer", "emptied-span", "trailing-break",
         "empty-list", "trailing-separators"],
)
def test_empty_wrappers_and_spacers_are_removed(html: str, expected: str) -> None:
    assert sanitize_html(html, BASE) == expected


def test_links_are_absolute_and_get_noopener() -> None:
    assert sanitize_html("<p><a href='../x.html'>x</a></p>", BASE) == (
        '<p><a href="https://news.example.com/x.html" rel="noopener noreferrer">x</a></p>')


@pytest.mark.parametrize("href", ["", "#top", "javascript:void(0)"], ids=["empty", "anchor", "js"])
def test_links_without_a_usable_address_are_unwrapped(href: str) -> None:
    assert sanitize_html(f"<p>see <a href='{href}'>this</a></p>", BASE) == "<p>see this</p>"


def test_iframe_becomes_a_link_to_the_original_video() -> None:
    html = "<iframe src='https://www.youtube.com/embed/abc123?rel=0' title='采访'></iframe>"
    assert sanitize_html(html, BASE) == (
        '<p><a href="https://www.youtube.com/watch?v=abc123" rel="noopener noreferrer">'
        "▶ 查看原始媒体：采访</a></p>")


def test_video_becomes_a_link_with_its_poster() -> None:
    html = "<video poster='/p.jpg' controls><source src='/v.mp4' type='video/mp4'></video>"
    assert sanitize_html(html, BASE) == (
        '<p><a href="https://news.example.com/v.mp4" rel="noopener noreferrer">'
        '<img src="https://news.example.com/p.jpg" alt="观看视频">▶ 观看视频</a></p>')


def test_audio_without_source_leaves_nothing() -> None:
    assert sanitize_html("<p>a</p><audio controls></audio>", BASE) == "<p>a</p>"


def test_picture_sources_keep_absolute_srcset() -> None:
    html = ("<picture><source srcset='/a.webp 1x, /b.webp 2x' type='image/webp'>"
            "<img src='/a.jpg'></picture>")
    assert sanitize_html(html, BASE) == (
        '<picture><source srcset="https://news.example.com/a.webp 1x, '
        'https://news.example.com/b.webp 2x" type="image/webp">'
        '<img src="https://news.example.com/a.jpg"></picture>')


def test_output_is_one_line_with_collapsed_whitespace() -> None:
    out = sanitize_html("<p>a\n\n   b</p>\n\n<p>c</p>\n", BASE)
    assert out == "<p>a b</p><p>c</p>"


def test_preformatted_lines_become_breaks() -> None:
    assert sanitize_html("<pre>a\n  b</pre>", BASE) == "<pre>a<br>  b</pre>"


def test_plain_text_puts_each_block_on_its_own_line() -> None:
    html = sanitize_html(
        "<h2>t</h2><p>a</p><figure><img src='/i'><figcaption>c</figcaption></figure>", BASE)
    assert plain_text(html) == "t\na\nc"


def test_text_length_counts_visible_characters_without_whitespace() -> None:
    assert text_length("<p>中 文</p><p>ab</p>") == 4


TAGS = st.sampled_from(["p", "div", "a", "img", "script", "style", "svg", "iframe", "span",
                        "table", "td", "b", "object", "math"])
ATTRS = st.sampled_from(["onclick=\"x()\"", "href=\"javascript:x\"", "src=\"data:text/html,x\"",
                         "style=\"x\"", "class=\"c\"", "href=\"/ok\"", "src=\"/i.jpg\"", ""])


@st.composite
def markup(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 8))):
        tag, attr = draw(TAGS), draw(ATTRS)
        parts.append(f"<{tag} {attr}>{draw(st.text(max_size=5))}</{tag}>")
    return "".join(parts)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(markup())
def test_nothing_executable_ever_survives(html: str) -> None:
    out = sanitize_html(html, BASE).lower()
    assert "<script" not in out and "<style" not in out and "<svg" not in out
    assert re.search(r"<[^>]*\son\w+\s*=", out) is None
    assert "\n" not in out
    # Text may say "data:" (a paragraph can); no attribute may hold such a URL.
    values = [v or "" for node in LexborHTMLParser(out).css("*") for v in node.attrs.values()]
    assert not any(v.strip().startswith(("javascript:", "data:")) for v in values)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("lead <b>x</b><p>p</p>tail", "<p>lead <b>x</b></p><p>p</p><p>tail</p>"),
        ("<br>a<br><br>", "<p>a</p>"),
        ("<a href='/x'><h2>t</h2></a>",
         '<a href="https://news.example.com/x" rel="noopener noreferrer"><h2>t</h2></a>'),
    ],
    ids=["text-around-a-paragraph", "text-between-breaks", "link-around-heading"],
)
def test_loose_text_is_wrapped_in_paragraphs(html: str, expected: str) -> None:
    assert sanitize_html(html, BASE) == expected


def test_empty_size_attributes_are_dropped() -> None:
    assert sanitize_html("<p><img src='/a.jpg' height='' width='5'></p>", BASE) == (
        '<p><img src="https://news.example.com/a.jpg" width="5"></p>')
