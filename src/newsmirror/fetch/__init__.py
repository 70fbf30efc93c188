"""HTTP for every stage: one client, per-host limits, retries, caps, validators."""

from newsmirror.fetch.client import Fetcher, FetchPolicy
from newsmirror.fetch.response import decode_text

__all__ = ["FetchPolicy", "Fetcher", "decode_text"]
