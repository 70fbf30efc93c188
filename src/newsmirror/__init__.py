"""newsmirror: a readable, censorship-resistant git mirror of Chinese-language news.

The public API is what ``__all__`` lists: load a mirror's configuration, run the
pipeline once, and the data and errors they hand back.
"""

from newsmirror.config import Config, MirrorSettings, Remote, Source, load_config
from newsmirror.errors import (
    ConfigError,
    ExtractError,
    FeedError,
    FetchError,
    MirrorError,
    PublishError,
    StoreError,
)
from newsmirror.models import (
    Article,
    ArticleRecord,
    ExtractedArticle,
    FeedEntry,
    ItemFailure,
    RunReport,
    SourceReport,
)
from newsmirror.pipeline import RunOptions, run
from newsmirror.version import __version__ as __version__

__all__ = [
    "Article",
    "ArticleRecord",
    "Config",
    "ConfigError",
    "ExtractError",
    "ExtractedArticle",
    "FeedEntry",
    "FeedError",
    "FetchError",
    "ItemFailure",
    "MirrorError",
    "MirrorSettings",
    "PublishError",
    "Remote",
    "RunOptions",
    "RunReport",
    "Source",
    "SourceReport",
    "StoreError",
    "load_config",
    "run",
]
