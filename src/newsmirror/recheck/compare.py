"""Reading a fetched page: is it a removal notice or a redirect away, and what text
and links would a reader see (whitespace, tracking parameters and rotating boxes
left out)?"""

from __future__ import annotations

import hashlib
import re
from difflib import SequenceMatcher
from pathlib import Path
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from newsmirror.clean.sanitize import plain_text
from newsmirror.clean.urls import canonical_url

# A page with at most this much visible text and one of these phrases is a removal notice.
NOTICE_MAX_CHARS = 600
DELETION_NOTICES = (
    "此内容因违规无法查看", "该内容已被发布者删除", "此内容已被发布者删除",
    "此内容被多人投诉", "该内容已被删除", "此内容已被删除", "该文章已被删除", "此文章已被删除",
    "内容已删除", "此帐号已被屏蔽", "此账号已被屏蔽", "该帐号已被屏蔽", "该账号已被屏蔽",
    "此帐号已自主注销", "此账号已自主注销", "该內容已被發布者刪除", "此內容因違規無法查看",
    "页面不存在", "頁面不存在", "您访问的页面不存在", "文章不存在", "内容不存在", "找不到该页面",
    "pagenotfound", "404notfound",
)
_ERROR_PATH = re.compile(
    r"(^|/)(404|410|errors?|not[-_]?found|page[-_]?not[-_]?found|removed|deleted|unavailable)"
    r"(\.[a-z]+)?(/|$)",
    re.IGNORECASE,
)
# Headings of boxes whose links rotate from one request to the next.
_ROTATING_HEADING = re.compile(
    r"^(相关|相關|延伸阅读|延伸閱讀|推荐|推薦|更多|热门|熱門|热读|熱讀|最多|最受|"
    r"猜你|你可能|您可能|"
    r"编辑推荐|編輯推薦|related|read more|more on|more from|most read|most popular|top stories|"
    r"you may also|recommended)",
    re.IGNORECASE,
)
_HEADING_MAX_CHARS = 24
SIMILARITY_CHARS = 3000


def page_baseline(extraction: str, title: str, text: str) -> str:
    """``{extraction}:{hash}`` of what a reader sees of a page, under this extraction code."""
    seen = "".join(title.split()).casefold() + "\n" + text
    return f"{extraction}:{hashlib.sha256(seen.encode('utf-8')).hexdigest()[:24]}"


def extraction_fingerprint() -> str:
    """A hash of the code and rules that turn a page into a body: when it changes,
    stored versions may differ from fresh readings without any edit."""
    package = Path(__file__).parents[1]
    files = sorted([*package.glob("extract/*.py"), *package.glob("clean/*.py"),
                    *package.glob("rules/*.toml"), package / "images" / "refs.py"])
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def is_gone_redirect(requested_url: str, final_url: str, page_html: str = "", title: str = "") -> (
    bool
):
    """A redirect to the front page, to an error page, or up to a section page.

    A redirect up the path (``/news/123/amp`` → ``/news/123``) may be the same
    article at its plain address: when the page shows the article's ``title``,
    it is not gone.
    """
    if canonical_url(requested_url) == canonical_url(final_url):
        return False
    final_path = urlsplit(final_url).path.rstrip("/")
    if not final_path or _ERROR_PATH.search(final_path):
        return True
    final_parts = [p for p in final_path.split("/") if p]
    requested_parts = [p for p in urlsplit(requested_url).path.split("/") if p]
    is_up = len(final_parts) < len(requested_parts) and \
        requested_parts[: len(final_parts)] == final_parts
    return is_up and not (title and _squeezed(title) in _visible_text(page_html))


def deletion_notice(page_html: str) -> str | None:
    """The removal notice a short page shows in place of the article, if it is one."""
    text = _visible_text(page_html)
    if len(text) > NOTICE_MAX_CHARS:
        return None
    return next((phrase for phrase in DELETION_NOTICES if phrase in text), None)


def _visible_text(page_html: str) -> str:
    """A page's visible text, lower-cased, without any whitespace."""
    if not page_html:
        return ""
    parser = LexborHTMLParser(page_html)
    parser.strip_tags(["script", "style", "noscript", "template"])
    root = parser.body or parser.root
    return _squeezed(root.text(deep=True, separator=" ") if root else "")


def _squeezed(text: str) -> str:
    return "".join(text.split()).lower()


def text_similarity(old_html: str, new_html: str) -> float:
    """0 to 1: how much of two bodies' text is the same, in order (first 3,000 characters)."""
    old, new = plain_text(old_html)[:SIMILARITY_CHARS], plain_text(new_html)[:SIMILARITY_CHARS]
    return SequenceMatcher(None, old, new, autojunk=False).ratio()


def is_same_title(old: str, new: str) -> bool:
    """Same words, allowing a site name added or dropped around them."""
    a, b = "".join(old.split()).casefold(), "".join(new.split()).casefold()
    return not b or a == b or a in b or b in a


def comparable_text(body_html: str) -> str:
    """What a reader sees of a body: its text and link targets, rotating boxes left out."""
    parser = LexborHTMLParser(f"<div>{body_html}</div>")
    root = parser.css_first("div")
    if root is None:
        return ""
    _remove_rotating_boxes(root)
    # Links around images only (zoom links) are the image policy's business, not the text's.
    links = (canonical_url(a.attributes.get("href") or "") for a in root.css("a[href]")
             if a.text(deep=True).strip())
    return plain_text(root.inner_html or "") + "\n" + "\n".join(links)


def _remove_rotating_boxes(root: LexborNode) -> None:
    for heading in list(root.css("h1, h2, h3, h4, h5, h6, p")):
        text = heading.text(deep=True).strip()
        if len(text) <= _HEADING_MAX_CHARS and _ROTATING_HEADING.match(text):
            for sibling in _link_only_siblings_after(heading):
                sibling.decompose()
            heading.decompose()
    for listing in list(root.css("ul, ol")):
        items = listing.css("li")
        if len(items) >= 2 and all(_is_link_only(item) for item in items):
            listing.decompose()


def _link_only_siblings_after(node: LexborNode) -> list[LexborNode]:
    found = []
    sibling = node.next
    while sibling is not None:
        if sibling.tag != "-text":
            if not _is_link_only(sibling):
                break
            found.append(sibling)
        elif (sibling.text_content or "").strip():
            break
        sibling = sibling.next
    return found


def _is_link_only(node: LexborNode) -> bool:
    """Every character of the node's text is inside links."""
    text = "".join(node.text(deep=True).split())
    linked = "".join("".join(a.text(deep=True).split()) for a in node.css("a"))
    return bool(text) and text == linked
