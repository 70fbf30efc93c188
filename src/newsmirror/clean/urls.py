"""URL rules: absolute links, tracking parameters, the canonical form of an article URL."""

from __future__ import annotations

import re
from dataclasses import dataclass
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
# Per host: parameters a share, a session or the reading app adds, never the page's own.
HOST_TRACKING_PARAMS: dict[str, frozenset[str]] = {
    "mp.weixin.qq.com": frozenset(
        {
            "abtest_cookie", "ascene", "chksm", "clicktime", "countrycode", "devicetype",
            "enterid", "exportkey", "fontscale", "isappinstalled", "key", "lang", "mpshare",
            "nettype", "pass_ticket", "payreadticket", "platform", "poc_token", "rd2werd",
            "realreporttime", "scene", "sessionid", "sharer_shareid", "sharer_shareinfo",
            "sharer_shareinfo_first", "sharer_sharetime", "srcid", "subscene", "uin", "version",
            "winzoom", "wx_header",
        }
    ),
}


@dataclass(frozen=True, slots=True)
class QueryIdentity:
    """On ``host``, for a path matching ``path`` (and a query holding ``when``), only the
    parameters in ``keep`` name the page; every other parameter is dropped."""

    host: str
    path: re.Pattern[str]
    keep: frozenset[str]
    when: str | None = None


QUERY_IDENTITIES = (
    # WeChat's short form, /s/<token>: the token alone names the article.
    QueryIdentity("mp.weixin.qq.com", re.compile(r"/s/[A-Za-z0-9_-]+/?"), frozenset()),
    # WeChat's long form, /s?__biz=…&mid=…&idx=…&sn=…: these four name the article.
    QueryIdentity("mp.weixin.qq.com", re.compile(r"/s/?"),
                  frozenset({"__biz", "mid", "idx", "sn"}), when="__biz"),
)
_SLASHES = re.compile(r"/{2,}")
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"


def is_tracking_param(name: str, host: str = "") -> bool:
    """Does the query parameter ``name`` (on ``host``) identify a click, never the page?"""
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES) or (
        lowered in HOST_TRACKING_PARAMS.get(host, frozenset())
    )


def page_params(url: str) -> list[tuple[str, str]]:
    """The query parameters of ``url`` that name the page, in their order."""
    parts = urlsplit(url)
    host = _bare_host(parts.hostname or "")
    params = parse_qsl(parts.query, keep_blank_values=True)
    names = {name for name, _ in params}
    for identity in QUERY_IDENTITIES:
        if identity.host == host and identity.path.fullmatch(parts.path) and (
            identity.when is None or identity.when in names
        ):
            return [(k, v) for k, v in params if k in identity.keep]
    return [(k, v) for k, v in params if not is_tracking_param(k, host)]


def strip_tracking_params(url: str) -> str:
    """``url`` without tracking query parameters or fragment; otherwise unchanged."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(page_params(url)), ""))


def absolute_url(href: str, base_url: str) -> str:
    """``href`` resolved against ``base_url``; surrounding whitespace removed."""
    return urljoin(base_url, href.strip())


def canonical_url(url: str) -> str:
    """The identity of an article's address.

    https for http, lower-case host without ``www.`` or default port, one slash
    where the path had several, percent-encoding made uniform, tracking
    parameters (and a host's share and session parameters) and fragment dropped,
    only the parameters that name the page kept where a host says which those are
    (``QUERY_IDENTITIES``), remaining parameters sorted.
    """
    url = url.strip()
    parts = urlsplit(url)
    host = _bare_host(parts.hostname or "")
    if host.startswith("www."):
        host = host[4:]
    port = parts.port
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = _SLASHES.sub("/", quote(unquote(parts.path), safe=_PATH_SAFE)) or "/"
    return urlunsplit(("https", netloc, path, urlencode(sorted(page_params(url))), ""))


def _bare_host(hostname: str) -> str:
    return hostname.lower().rstrip(".")
