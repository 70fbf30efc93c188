"""Finding the article in a page: site rules first, a generic extractor otherwise."""

from newsmirror.extract.choose import extract_article, feed_item_body

__all__ = ["extract_article", "feed_item_body"]
