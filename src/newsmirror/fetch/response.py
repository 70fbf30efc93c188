"""Turning response bytes into text: charset from BOM, header, markup, or the bytes.

Chinese news sites still serve GBK and Big5, often with a missing or wrong
label.  The bytes decide: text that is UTF-8 but for a few bad bytes stays
UTF-8; bytes that read as Chinese under GB 18030 or Big5-HKSCS are decoded by
whichever of the two gives common Chinese characters, whatever the label says.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from charset_normalizer import from_bytes

from newsmirror.errors import NotHTML
from newsmirror.models import FetchResult, Page

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)

# Labels servers use for Chinese text, mapped to the superset codec that decodes them.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "x-big5": "big5hkscs",
    "cp950": "big5hkscs",
}


# Labels servers send by default whatever the bytes are; any byte string decodes
# under them, so they are tried only after a statistical guess.
_WEAK_LABELS = {"iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252", "us-ascii", "ascii"}
_CHINESE_CODECS = ("gb18030", "big5hkscs")
# A Chinese decoding is believed when this share of its letters are common Han
# characters (wrong-codec mojibake scores about 0.25 on news text, right about 1.0).
MIN_CHINESE_SCORE = 0.8
MIN_CHINESE_LETTERS = 4
# Invalid UTF-8 sequences tolerated per 100 non-ASCII characters before the bytes
# are taken to be in another encoding.
MAX_BAD_UTF8_PERCENT = 1
_SAMPLE_BYTES = 200_000
_SCORE_CHARS = 20_000


def declared_charset(body: bytes) -> str | None:
    """The charset the document declares in its first bytes (XML or HTML meta)."""
    head = body[:4096]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii").lower() if match else None


def decode_text(body: bytes, header_charset: str | None = None) -> str:
    """Decode a document, trusting the bytes over labels that contradict them.

    Order: byte-order mark; valid UTF-8; the HTTP header's charset; the document's
    own declaration; a statistical guess; UTF-8 with replacement characters.
    A label is used only if the bytes decode under it without error.
    """
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return body.decode(encoding, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    mostly_utf8 = _mostly_utf8(body)
    if mostly_utf8 is not None:
        return mostly_utf8
    labels = [label for label in (header_charset, declared_charset(body)) if label]
    strong = [label for label in labels if label.lower() not in _WEAK_LABELS]
    for label in strong:
        if _codec(label) not in _CHINESE_CODECS:
            text = _decode_strict(body, label)
            if text is not None:
                return text
    chinese = _decode_chinese(body)
    if chinese is not None:
        return chinese
    guess = from_bytes(body[:_SAMPLE_BYTES]).best()
    guessed = [guess.encoding] if guess is not None and guess.encoding else []
    for label in (*strong, *guessed, *labels):
        text = _decode_strict(body, label)
        if text is not None:
            return text
    return body.decode("utf-8", errors="replace")


def chinese_score(text: str) -> float:
    """Share of letters that are common Han characters (GB 2312 level 1 or Big5 frequent)."""
    letters = common = 0
    for char in text:
        if char < "\x80" or unicodedata.category(char)[0] in "PZN":
            continue
        letters += 1
        common += _is_common_han(char)
    return common / letters if letters >= MIN_CHINESE_LETTERS else 0.0


def _is_common_han(char: str) -> bool:
    if not ("\u3400" <= char <= "\u9fff"):
        return False
    for codec, first, last in (("gb2312", 0xB0, 0xD7), ("big5", 0xA4, 0xC6)):
        try:
            if first <= char.encode(codec)[0] <= last:
                return True
        except UnicodeEncodeError:
            continue
    return False


def _decode_chinese(body: bytes) -> str | None:
    """The better of the GB 18030 and Big5-HKSCS readings, if either reads as Chinese."""
    best: tuple[float, str] | None = None
    for codec in _CHINESE_CODECS:
        text = _decode_strict(body, codec)
        if text is None:
            continue
        score = chinese_score(text[:_SCORE_CHARS])
        if score >= MIN_CHINESE_SCORE and (best is None or score > best[0]):
            best = (score, text)
    return best[1] if best else None


def _mostly_utf8(body: bytes) -> str | None:
    """UTF-8 with replacement characters, when only a few sequences are invalid."""
    text = body.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - body.count("\ufffd".encode())
    non_ascii = sum(1 for char in text if char >= "\x80")
    return text if bad * 100 <= non_ascii * MAX_BAD_UTF8_PERCENT and non_ascii > bad else None


def _codec(label: str) -> str:
    return _SUPERSETS.get(label.lower().strip(), label.lower().strip())


def _decode_strict(body: bytes, label: str | None) -> str | None:
    if not label:
        return None
    codec = _codec(label)
    if codec in {"utf-8", "utf8"}:
        return None  # already tried, and it failed
    try:
        return body.decode(codec)
    except (LookupError, UnicodeDecodeError):
        return None


_XML_DECLARATION_ENCODING = re.compile(
    r"""^(\s*<\?xml[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""", re.IGNORECASE
)


def as_utf8_document(body: bytes, content_type: str | None) -> tuple[bytes, str]:
    """A document re-encoded as UTF-8 and labelled so, in header and XML declaration.

    For parsers that decode by the labels alone (feedparser): the bytes are decoded
    here by :func:`decode_text`, so a GBK or Big5 feed with a wrong or missing
    label reaches them as correctly labelled UTF-8.
    """
    media_type, _, params = (content_type or "application/xml").partition(";")
    text = decode_text(body, _charset_param(params)).lstrip("\ufeff")
    text = _XML_DECLARATION_ENCODING.sub(r'\1"utf-8"', text, count=1)
    return text.encode("utf-8"), f"{media_type.strip() or 'application/xml'}; charset=utf-8"


def _charset_param(params: str) -> str | None:
    for part in params.split(";"):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


# HTML parsers that follow the standard spend time proportional to the depth on
# every tag, so a page of 100,000 nested elements takes them minutes (Chromium
# stops nesting at 512), and lxml, under trafilatura, drops text below depth 256.
# Real article pages nest a few dozen deep.  Deeper tags are dropped, text kept.
MAX_HTML_DEPTH = 128
_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)"                                    # comment
    r"|<(script|style|textarea|title|xmp|noscript|iframe|noembed|noframes)\b[^<>]*>"
    r".*?(?:</\1\s*>|\Z)"                                   # raw text element, whole
    r"|<(/?)([a-zA-Z][a-zA-Z0-9:-]*)[^<>]*>",               # start or end tag
    re.DOTALL | re.IGNORECASE,
)
# Elements that do not nest the next tag inside them in practice: void elements, and
# those whose end tag is optional (an unclosed <p> or <li> must not count as depth).
_FLAT_ELEMENTS = frozenset(
    "area base br col embed hr img input link meta param source track wbr "
    "p li dt dd option optgroup tr td th thead tbody tfoot colgroup caption rb rt rp rtc "
    "html head body".split()
)


def limit_html_depth(html: str, max_depth: int = MAX_HTML_DEPTH) -> str:
    """``html`` with the tags that nest deeper than ``max_depth`` removed (text stays).

    Linear in the length of the text; returns ``html`` itself when nothing is deep.
    """
    if html.count("<") <= max_depth:
        return html
    open_counts: dict[str, int] = {}
    dropped: dict[str, int] = {}
    depth = 0
    pieces: list[str] = []
    last = 0
    for token in _TOKEN.finditer(html):
        closing, name = token.group(2), (token.group(3) or "").lower()
        if not name or name in _FLAT_ELEMENTS or token.group(0).endswith("/>"):
            continue
        if closing:
            if dropped.get(name):
                dropped[name] -= 1
            elif open_counts.get(name):
                open_counts[name] -= 1
                depth -= 1
                continue
            else:
                continue
        elif depth < max_depth:
            open_counts[name] = open_counts.get(name, 0) + 1
            depth += 1
            continue
        else:
            dropped[name] = dropped.get(name, 0) + 1
        pieces.append(html[last:token.start()])
        last = token.end()
    if not pieces:
        return html
    pieces.append(html[last:])
    return "".join(pieces)


def decode_html(body: bytes, header_charset: str | None = None) -> str:
    """An HTML page as text, charset resolved and nesting capped: what every reader of pages gets."""
    return limit_html_depth(decode_text(body, header_charset))


# Content types a page may come as (servers that send none, or text/plain, included).
HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")


def read_html_page(url: str, result: FetchResult) -> Page:
    """The page a response to ``url`` carries, decoded; NotHTML for anything else (a PDF,
    an image)."""
    media_type = result.content_type.split(";")[0].strip().lower()
    if media_type not in HTML_TYPES:
        raise NotHTML(f"not an HTML page: {url} ({media_type})", url=url)
    return Page(url=url, final_url=result.final_url, html=decode_html(result.body, result.charset))
