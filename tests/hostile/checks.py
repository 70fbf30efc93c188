"""What "nothing executable" means, checked on the parsed output."""

from __future__ import annotations

import html
import re

from selectolax.lexbor import LexborHTMLParser

from newsmirror.clean.sanitize import ALLOWED_TAGS

# Tags that run script, load documents or change how the page resolves and submits.
DANGEROUS_TAGS = frozenset(
    "script style iframe frame frameset object embed applet base meta link form input button "
    "textarea select svg math noscript template xmp isindex marquee details dialog".split()
)
# Attributes that carry script, a document, or an address that could be a script URL.
FORBIDDEN_ATTRIBUTES = frozenset(
    "style srcdoc formaction action xmlns xlink:href http-equiv background poster data "
    "dynsrc lowsrc codebase".split()
)
URL_ATTRIBUTES = ("href", "src", "cite")
SAFE_SCHEMES = ("http", "https", "mailto")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def url_scheme(value: str) -> str:
    """The scheme a browser would see: entities decoded, controls and spaces removed."""
    cleaned = _INVISIBLE.sub("", html.unescape(value)).lower()
    return cleaned.split(":", 1)[0] if ":" in cleaned.split("/", 1)[0] else ""


def dangers(fragment: str) -> list[str]:
    """Everything executable or out of the allowlist in an HTML fragment (empty: safe)."""
    body = LexborHTMLParser(f"<body>{fragment}</body>").body
    assert body is not None
    found: list[str] = []
    for node in body.traverse(include_text=False):
        if node.mem_id == body.mem_id or node.is_comment_node:
            continue
        tag = node.tag or ""
        if tag in DANGEROUS_TAGS or tag not in ALLOWED_TAGS:
            found.append(f"<{tag}>")
        for name, value in node.attributes.items():
            found += _attribute_dangers(tag, name.lower(), value or "")
    return found


def _attribute_dangers(tag: str, name: str, value: str) -> list[str]:
    if name.startswith("on") or name in FORBIDDEN_ATTRIBUTES:
        return [f"<{tag} {name}>"]
    if name in URL_ATTRIBUTES and url_scheme(value) not in SAFE_SCHEMES:
        return [f"<{tag} {name}={value!r}>"]
    if name == "srcset":
        urls = [part.split()[0] for part in value.split(",") if part.split()]
        return [f"<{tag} srcset={u!r}>" for u in urls if url_scheme(u) not in SAFE_SCHEMES]
    return []
