"""Every http(s) link in free text: an issue body, a chat message, a paragraph.

Readers paste links into Chinese sentences, where full-width punctuation and
quotes touch the link on either side (``（链接：https://…）``, ``「https://…」，``),
Markdown wraps them (``[标题](https://…)``, ``<https://…>``) and some input
methods type the scheme's colon full width (``https：//``).

A link is ``http://`` or ``https://`` and what follows up to the first
character that cannot be part of an address as a browser copies it: whitespace,
anything outside printable ASCII (full-width punctuation, Chinese text), quotes,
angle brackets, backslash.  Sentence punctuation at its end (``.``, ``,``,
``!`` …) and closing brackets without an opening one inside the link are not
part of it.  A link without a host is dropped, and so is everything that is not
a link.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Characters an address may hold (RFC 3986), less the square brackets, which
# only an IPv6 host may use, and the single quote, which prose uses as a quote.
_ADDRESS_CHARS = r"A-Za-z0-9\-._~:/?#@!$&()*+,;=%"
_LINK = re.compile(
    rf"(?<![A-Za-z0-9])(https?)[:：]//(\[[0-9A-Fa-f:.]+\])?([{_ADDRESS_CHARS}]*)",
    re.IGNORECASE,
)
# Characters that end sentences or mark emphasis; at a link's end they belong to the prose.
_TRAILING = ".,:;!?*_~"
_CLOSING = {")": "(", "]": "["}


def find_urls(text: str) -> tuple[str, ...]:
    """The http(s) links in ``text``, each once, in the order they first appear."""
    found: dict[str, None] = {}
    for match in _LINK.finditer(text):
        scheme, ipv6_host, rest = match.group(1).lower(), match.group(2) or "", match.group(3)
        url = f"{scheme}://{ipv6_host}{_trim_end(rest)}"
        if _has_host(url):
            found.setdefault(url, None)
    return tuple(found)


def _trim_end(rest: str) -> str:
    """``rest`` without the punctuation and unbalanced brackets the sentence put after it."""
    while rest:
        last = rest[-1]
        if last in _TRAILING:
            rest = rest[:-1]
        elif last in _CLOSING and rest.count(last) > rest.count(_CLOSING[last]):
            rest = rest[:-1]
        else:
            break
    return rest


def _has_host(url: str) -> bool:
    try:
        return bool(urlsplit(url).hostname)
    except ValueError:  # a malformed port or IPv6 literal
        return False
