"""URL rules: absolute links, tracking parameters, the canonical form of an article URL."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that identify a campaign or a click, never the document.
TRACKING_PARAMS = frozenset(
    {
        "at_campaign", "at_custom1", "at_custom2", "at_custom3", "at_custom4", "at_medium",
        "at_ptr_name", "at_link_id", "at_link_origin", "at_link_type", "at_format", "at_bbc_team",
        "cmpid", "dclid", "fbclid", "from", "gclid", "igshid", "maca", "mc_cid", "mc_eid",
        "mkt_tok", "ocid", "ref", "ref_src", "searchresultposition", "smid", "spm", "src",
        "ved", "wt.mc_id", "xtor", "yclid", "_ga", "_gl", "scene", "share_token", "utm",
    }
)
_TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_")
_SLASHES = re.compile(r"/{2,}")
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


def strip_tracking_params(url: str) -> str:
    """``url`` without tracking query parameters or fragment; otherwise unchanged."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not is_tracking_param(k)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def absolute_url(href: str, base_url: str) -> str:
    """``href`` resolved against ``base_url``; surrounding whitespace removed."""
    return urljoin(base_url, href.strip())


def canonical_url(url: str) -> str:
    """The identity of an article's address.

    https for http, lower-case host without ``www.`` or default port, one slash
    where the path had several, percent-encoding made uniform, tracking
    parameters and fragment dropped, remaining parameters sorted.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    port = parts.port
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = _SLASHES.sub("/", quote(unquote(parts.path), safe=_PATH_SAFE)) or "/"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(k)
    )
    return urlunsplit(("https", netloc, path, urlencode(query), ""))
