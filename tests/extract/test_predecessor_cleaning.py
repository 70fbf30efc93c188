"""The predecessor's stored articles, cleaned the way feed content is cleaned now.

Each file in ``../shared/fixtures/predecessor`` holds a body the predecessor
committed with its defects (ad slots, share buttons, lazy placeholders, empty
spacers).  Cleaning it (site-rule removals and rewrites, then the sanitiser)
must leave none of them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser
from tests.support.recorded import PREDECESSOR

from newsmirror.clean.sanitize import sanitize_html
from newsmirror.extract import clean_feed_content

ARTICLES = sorted(p for p in PREDECESSOR.glob("*/*.md") if p.parent.name != "lists")
AD_AND_SHARE = (".o-ads", "[data-o-ads-name]", "[data-e2e='advertisement']", "[id^='bbccom_mpu']",
                ".a2a_kit", ".addtoany_share_save_container", "share-button", "[data-root-share]",
                ".lazyload-placeholder")
SHARE_ENDPOINTS = re.compile(
    r"facebook\.com/sharer|whatsapp://|web\.whatsapp\.com/send|twitter\.com/intent|x\.com/intent"
    r"|addtoany\.com|weibo\.com/share|line\.me/R/msg", re.I)
_LINK = re.compile(r"^\[.*\]\((\S+)\)\s*$")


def read_predecessor(path: Path) -> tuple[str, str]:
    """(original URL, body HTML) of one predecessor article file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    url = next(m.group(1) for line in lines[:3] if (m := _LINK.match(line)))
    start = next(i for i, line in enumerate(lines) if line.startswith("------")) + 1
    return url, "\n".join(lines[start:])


def cleaned(path: Path) -> tuple[str, str]:
    """(feed-cleaned HTML before sanitising, final stored HTML)."""
    url, html = read_predecessor(path)
    prepared = clean_feed_content(html, url)
    return prepared, sanitize_html(prepared, url)


def ids(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.mark.parametrize("path", ARTICLES, ids=ids)
def test_cleaning_removes_ad_slots_and_share_markup(path: Path) -> None:
    prepared, _ = cleaned(path)
    tree = LexborHTMLParser(prepared)
    assert [s for s in AD_AND_SHARE if tree.css_first(s) is not None] == []


@pytest.mark.parametrize("path", ARTICLES, ids=ids)
def test_cleaned_article_links_to_no_share_endpoint(path: Path) -> None:
    assert SHARE_ENDPOINTS.findall(cleaned(path)[1]) == []


@pytest.mark.parametrize("path", ARTICLES, ids=ids)
def test_every_cleaned_image_has_a_real_address(path: Path) -> None:
    tree = LexborHTMLParser(cleaned(path)[1])
    sources = [img.attributes.get("src") or "" for img in tree.css("img")]
    assert [s for s in sources if not s.startswith(("http://", "https://"))] == []


@pytest.mark.parametrize("path", ARTICLES, ids=ids)
def test_lazy_images_keep_their_real_address(path: Path) -> None:
    _, html = read_predecessor(path)
    lazy = {img.attributes.get("data-src") for img in LexborHTMLParser(html).css("img[data-src]")}
    stored = cleaned(path)[1]
    assert [url for url in lazy if url and url.replace("&", "&amp;") not in stored] == []


@pytest.mark.parametrize("path", ARTICLES, ids=ids)
def test_cleaned_article_has_no_site_markup_or_spacers(path: Path) -> None:
    stored = cleaned(path)[1]
    leftovers = re.findall(
        r" (?:class|style|id|data-[\w-]+)=|<p>\s*</p>|<div|<span|<iframe|获取更多RSS", stored)
    assert leftovers == []
