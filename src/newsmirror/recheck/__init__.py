"""Fetching mirrored articles again: still there, edited, or deleted?

Articles are re-checked on a decaying schedule (``[mirror] recheck_schedule``):
young articles often, older ones rarely, none past the last age band (at most
30 days), at most ``recheck_budget`` a run, most overdue first.  A re-check is a
conditional GET, so an unchanged page usually costs a 304.

What a re-check can find:

- **deleted**: HTTP 404 or 410; a redirect to the outlet's front page, a section
  above the article or an error page; or a short page carrying a removal notice
  (WeChat's "此内容因违规无法查看", "该内容已被发布者删除" and the like).  The
  record gets ``deleted_ms`` the first time; the mirrored copy is kept.
- **edited**: the cleaned body or the title changed in a way a reader would see.
  Whitespace, tracking parameters in links and rotating boxes (related
  articles, most read) are ignored.  The previous file moves to
  ``revisions/…`` (see :mod:`newsmirror.history`), the article file is rewritten.
- **unchanged**, or **failed** (network trouble, a page with no article):
  nothing is written but the time of the check (in the cache).

Each re-check also keeps (in the cache) a fingerprint of what the page said,
under the current extraction code (``extraction_fingerprint``: the extract
and clean code and the site rules).  When that code changes, a stored version
made by the older code may read differently from a fresh reading without any
edit; such an article is not called edited until its page differs from a
reading made by the current code.

A page's body is compared for ``fulltext = "page"`` sources only; for sources
that take the article from the feed, the page is checked for deletion, and
edits are found when the feed carries the item again with other content.

Modules: ``schedule`` (when), ``compare`` (reading a page), ``check`` (one
re-check), ``run`` (a run's re-checks and recording what they found).
"""

from newsmirror.recheck.check import (
    EXTRACTION_KEY,
    FeedSighting,
    RecheckResult,
    StoredState,
    compare_feed_item,
    compare_versions,
    note_extraction,
    recheck_article,
)
from newsmirror.recheck.compare import (
    comparable_text,
    deletion_notice,
    extraction_fingerprint,
    is_gone_redirect,
    is_same_title,
    page_baseline,
)
from newsmirror.recheck.run import (
    BodyPreparer,
    RecheckRequest,
    RecheckSummary,
    recheck_mirror,
    record_result,
)
from newsmirror.recheck.schedule import (
    ScheduleBand,
    choose_rechecks,
    parse_schedule,
    recheck_interval_ms,
)

__all__ = [
    "EXTRACTION_KEY",
    "BodyPreparer",
    "FeedSighting",
    "RecheckRequest",
    "RecheckResult",
    "RecheckSummary",
    "ScheduleBand",
    "StoredState",
    "choose_rechecks",
    "comparable_text",
    "compare_feed_item",
    "compare_versions",
    "deletion_notice",
    "extraction_fingerprint",
    "is_gone_redirect",
    "is_same_title",
    "note_extraction",
    "page_baseline",
    "parse_schedule",
    "recheck_article",
    "recheck_interval_ms",
    "recheck_mirror",
    "record_result",
]
