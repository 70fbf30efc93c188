"""Turning response bytes into text: charset from BOM, header, markup, or the bytes."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

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
    labels = [label for label in (header_charset, declared_charset(body)) if label]
    strong = [label for label in labels if label.lower() not in _WEAK_LABELS]
    guess = from_bytes(body[:200_000]).best()
    guessed = [guess.encoding] if guess is not None and guess.encoding else []
    for label in (*strong, *guessed, *labels):
        text = _decode_strict(body, label)
        if text is not None:
            return text
    return body.decode("utf-8", errors="replace")


def _decode_strict(body: bytes, label: str | None) -> str | None:
    if not label:
        return None
    codec = _SUPERSETS.get(label.lower().strip(), label.lower().strip())
    if codec in {"utf-8", "utf8"}:
        return None  # already tried, and it failed
    try:
        return body.decode(codec)
    except (LookupError, UnicodeDecodeError):
        return None
