"""Finding the article in a page: site rules first, a generic extractor otherwise."""

from newsmirror.extract.choose import clean_feed_content, extract_article, feed_item_body
from newsmirror.extract.rules import RuleError, RuleSet, SiteRule, load_rules

__all__ = [
    "RuleError",
    "RuleSet",
    "SiteRule",
    "clean_feed_content",
    "extract_article",
    "feed_item_body",
    "load_rules",
]
