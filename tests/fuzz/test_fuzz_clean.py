"""Cleaning: whatever markup goes in, nothing executable comes out; depth capping keeps text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from newsmirror.clean.sanitize import sanitize_html
from newsmirror.fetch import decode_text, limit_html_depth
from tests.fuzz.profile import FUZZ
from tests.hostile.checks import dangers
from tests.hostile.corpus import PAYLOADS

TAGS = ["p", "a", "img", "div", "span", "script", "style", "svg", "math", "mtext", "mglyph",
        "noscript", "iframe", "object", "base", "meta", "form", "button", "table", "template",
        "textarea", "xmp", "title", "select", "option", "b", "SCRIPT", "sCrIpT", "html:script"]
ATTRIBUTES = ["href", "src", "srcset", "onerror", "onload", "OnClick", "style", "srcdoc",
              "formaction", "action", "xlink:href", "title", "data", "cite", "id"]
VALUES = ["javascript:alert(1)", "java&#x09;script:alert(1)", " JaVaScRiPt:alert(1)",
          "&#106;avascript:alert(1)", "vbscript:x", "data:text/html,<script>alert(1)</script>",
          "alert(1)", "expression(alert(1))", "url(javascript:alert(1))", "https://ok.invalid/",
          "x\" onerror=\"alert(1)", "</style><img src=x onerror=alert(1)>", "/relative"]
SPECIALS = ["<!--", "-->", "--!>", "<![CDATA[", "]]>", "</", "<", ">", "\"", "'", "&lt;", "\x00"]

attribute = st.builds(lambda n, v: f' {n}="{v}"', st.sampled_from(ATTRIBUTES),
                      st.sampled_from(VALUES))
leaf = st.one_of(st.text(max_size=12), st.sampled_from(SPECIALS),
                 st.sampled_from([payload for _, payload in PAYLOADS]))
markup = st.recursive(
    leaf,
    lambda inner: st.builds(
        lambda tag, attrs, children, close: f"<{tag}{''.join(attrs)}>{''.join(children)}"
        + (f"</{tag}>" if close else ""),
        st.sampled_from(TAGS), st.lists(attribute, max_size=3), st.lists(inner, max_size=3),
        st.booleans()),
    max_leaves=20,
)


@given(markup)
@FUZZ
def test_sanitized_markup_holds_nothing_executable(fragment: str) -> None:
    assert dangers(sanitize_html(fragment, "https://news.invalid/a/b.html")) == []


@given(markup)
@FUZZ
def test_sanitizing_twice_finds_nothing_more_to_remove(fragment: str) -> None:
    once = sanitize_html(fragment, "https://news.invalid/a/b.html")
    assert dangers(sanitize_html(once, "https://news.invalid/a/b.html")) == []


@given(st.integers(min_value=0, max_value=3000), st.sampled_from(["div", "span", "b", "section"]),
       st.text(alphabet="新闻自由 abc", min_size=1, max_size=20))
@FUZZ
def test_depth_cap_keeps_the_text_and_bounds_the_depth(depth: int, tag: str, text: str) -> None:
    page = f"<{tag}>" * depth + text + f"</{tag}>" * depth
    capped = limit_html_depth(page, 64)
    body = LexborHTMLParser(capped).body
    assert body is not None and body.text().strip() == text.strip()
    assert body.css_first(" > ".join(["*"] * (64 + 3))) is None  # html > body > 64 kept


@given(st.binary(max_size=3000),
       st.sampled_from([None, "utf-8", "gbk", "big5", "latin-1", "bogus"]))
@FUZZ
def test_any_bytes_decode_to_text(body: bytes, charset: str | None) -> None:
    assert isinstance(decode_text(body, charset), str)
