"""URL canonicalisation: stable, idempotent, blind to tracking and fragments, never crashing."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from newsmirror.clean.urls import canonical_url, is_tracking_param, strip_tracking_params
from tests.fuzz.profile import FUZZ

hosts = st.sampled_from(["www.bbc.com", "BBC.com", "cn.nytimes.com", "www.rfi.fr.", "dw.com:443",
                         "news.invalid:8080", "xn--fiqs8s.invalid"])
segments = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#"),
                   max_size=12)
paths = st.lists(segments, max_size=5).map(lambda parts: "/" + "/".join(parts))
params = st.lists(st.tuples(st.sampled_from(["id", "page", "utm_source", "at_medium", "fbclid",
                                             "q", "lang", "spm"]),
                            st.text(max_size=8)), max_size=4)
urls = st.builds(
    lambda scheme, host, path, query, fragment: f"{scheme}://{host}{path}?"
    f"{urlencode(query)}#{fragment}",
    st.sampled_from(["http", "https"]), hosts, paths, params, st.text(max_size=8),
)


@given(urls)
@FUZZ
def test_canonical_url_is_idempotent(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once


@given(urls)
@FUZZ
def test_canonical_url_has_no_tracking_parameters_or_fragment(url: str) -> None:
    canonical = canonical_url(url)
    assert "#" not in canonical and canonical.startswith("https://")
    query = canonical.partition("?")[2]
    assert not any(is_tracking_param(pair.partition("=")[0]) for pair in query.split("&") if pair)


@given(urls, st.sampled_from(["utm_campaign=x", "fbclid=1", "at_medium=rss"]))
@FUZZ
def test_tracking_parameters_do_not_change_the_identity(url: str, tracking: str) -> None:
    base, _, fragment = url.partition("#")
    joiner = "&" if "?" in base else "?"
    assert canonical_url(f"{base}{joiner}{tracking}#{fragment}") == canonical_url(url)


@given(urls)
@FUZZ
def test_stripping_tracking_keeps_scheme_host_and_path(url: str) -> None:
    assert urlsplit(strip_tracking_params(url))[:3] == urlsplit(url)[:3]
