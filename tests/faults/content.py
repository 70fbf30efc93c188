"""Hostile and awkward content the fault server serves: encodings, sizes, broken markup.

The Chinese text is written for these tests: a simplified paragraph (encoded to
GBK) and the same paragraph in traditional characters (encoded to Big5).
"""

from __future__ import annotations

from html import escape

SIMPLIFIED = (
    "香港立法会周三通过了一项新的法案，反对派议员表示，这项法律将进一步限制言论自由。"
    "政府发言人说，新法律符合国际标准，目的是维护社会稳定。多名记者在会场外采访时被警察拦下，"
    "一些市民举着标语表达不满。分析人士认为，这一决定将影响香港作为国际金融中心的地位。"
)
TRADITIONAL = (
    "香港立法會週三通過了一項新的法案，反對派議員表示，這項法律將進一步限制言論自由。"
    "政府發言人說，新法律符合國際標準，目的是維護社會穩定。多名記者在會場外採訪時被警察攔下，"
    "一些市民舉著標語表達不滿。分析人士認為，這一決定將影響香港作為國際金融中心的地位。"
)
SIMPLIFIED_TITLE = "香港立法会通过新法案"
TRADITIONAL_TITLE = "香港立法會通過新法案"


def article_html(title: str, text: str, *, charset: str | None = None) -> str:
    """A news page with one article; ``charset`` goes into a ``<meta>`` when given."""
    meta = f'<meta charset="{charset}">' if charset else ""
    paragraphs = "".join(f"<p>{escape(text)}</p>" for _ in range(4))
    return (
        f"<!DOCTYPE html><html><head>{meta}<title>{escape(title)}</title></head><body>"
        f"<header><nav><a href='/'>首頁</a></nav></header>"
        f"<article><h1>{escape(title)}</h1>{paragraphs}</article>"
        f"<footer>版權所有</footer></body></html>"
    )


def rss(items: list[tuple[str, str, str]], *, encoding: str | None = "utf-8",
        title: str = "新聞") -> str:
    """RSS 2.0 with (title, link, content HTML) items; ``encoding`` in the XML declaration."""
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>' if encoding else ""
    body = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(link)}</link><guid>{escape(link)}</guid>"
        f"<pubDate>Wed, 04 Mar 2026 08:00:00 GMT</pubDate>"
        f"<description>{escape(content)}</description></item>"
        for t, link, content in items
    )
    return (f"{declaration}<rss version=\"2.0\"><channel><title>{escape(title)}</title>"
            f"<link>{{{{origin}}}}/</link><description>新聞</description>{body}</channel></rss>")


def full_text_feed(prefix: str, count: int, text: str = SIMPLIFIED, *,
                   encoding: str | None = "utf-8", title: str = SIMPLIFIED_TITLE) -> str:
    """``count`` items, each carrying the whole article, linked under ``{origin}/{prefix}/``."""
    items = [(f"{title} {i}", f"{{{{origin}}}}/{prefix}/{i}", f"<p>{escape(text)}</p>" * 3)
             for i in range(count)]
    return rss(items, encoding=encoding)


def page_feed(paths: list[str], title: str = SIMPLIFIED_TITLE) -> str:
    """Items without content, so the mirror fetches each page at ``{origin}{path}``."""
    return rss([(f"{title} {i}", f"{{{{origin}}}}{path}", "") for i, path in enumerate(paths)])


def deeply_nested_page(depth: int = 100_000) -> bytes:
    """A page whose article sits inside ``depth`` nested ``<div>`` elements."""
    return (
        "<html><head><meta charset='utf-8'><title>深</title></head><body>"
        + "<div>" * depth + f"<p>{SIMPLIFIED}</p>" + "</div>" * depth + "</body></html>"
    ).encode()


MALFORMED_FEED = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>坏的</title>'
    "<item><title>未闭合 &nbsp; 实体 & 符号</title><link>{{origin}}/malformed/0</link>"
    f"<description>&lt;p&gt;{SIMPLIFIED}&lt;/p&gt;</description>"
    "<item><title>第二条<title><link>{{origin}}/malformed/1</link>"
    "</channel>"
).encode()
NOT_XML_AT_ALL = b"\x00\x01garbage {]]> <<<>>> \xff\xfe not a feed" * 50
