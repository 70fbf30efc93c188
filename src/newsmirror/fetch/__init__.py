"""HTTP for every stage: one client, per-host limits, retries, caps, validators."""

from newsmirror.fetch.client import FEED_ACCEPT, PAGE_ACCEPT, Fetcher, FetchPolicy
from newsmirror.fetch.response import decode_html, decode_text, limit_html_depth, read_html_page
from newsmirror.fetch.transport import is_private_address

__all__ = ["FEED_ACCEPT", "PAGE_ACCEPT", "FetchPolicy", "Fetcher", "decode_html", "decode_text",
           "is_private_address", "limit_html_depth", "read_html_page"]
