"""Frozen data handed from one pipeline stage to the next."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

FulltextMode = Literal["feed", "page", "auto"]


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One HTTP response after redirects, size cap and validator handling."""

    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def charset(self) -> str | None:
        """The charset named in the Content-Type header, if any."""
        for part in self.content_type.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'").lower()
        return None


@dataclass(frozen=True, slots=True)
class Validators:
    """What a server told us last time, to ask "has it changed?" next time."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed, as the feed describes it."""

    link: str
    title: str
    guid: str | None = None
    guid_is_permalink: bool = False
    author: str | None = None
    published_ms: int | None = None
    updated_ms: int | None = None
    content_html: str | None = None
    summary_html: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    url: str
    title: str
    entries: tuple[FeedEntry, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched article page, decoded to text.

    ``url`` is the feed item's link, ``final_url`` the address the page was
    fetched from in the end (after redirects; a proxy or mirror host, perhaps).
    """

    url: str
    final_url: str
    html: str


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """How much of a page a site rule read, next to what the generic extractor read.

    ``failed``: the rule read much less (see ``extract.choose.is_rule_failing``),
    so the article is the generic extractor's reading.  ``generic_chars`` is None
    when the generic extractor was not asked: the rule read at least half of all
    the page's text, so it cannot be failing.
    """

    rule: str
    host: str
    url: str
    rule_chars: int
    generic_chars: int | None
    failed: bool


@dataclass(frozen=True, slots=True)
class ExtractedArticle:
    """The body and metadata an extractor found in a page or feed item.

    ``rule_check`` is set when a site rule was tried on the page.
    """

    body_html: str
    method: str
    title: str | None = None
    author: str | None = None
    published_ms: int | None = None
    rule_check: RuleCheck | None = None


@dataclass(frozen=True, slots=True)
class CleanArticle:
    """An article body as the mirror stores it (sanitised, one line, before the image
    policy), what extraction found with it, and the URL its links resolve against."""

    body_html: str
    base_url: str
    method: str
    title: str | None = None
    author: str | None = None
    published_ms: int | None = None
    text_chars: int = 0
    rule_check: RuleCheck | None = None  # set when a site rule was tried on the page


@dataclass(frozen=True, slots=True)
class Revision:
    """An earlier state of an article that the outlet later changed.

    ``seen_ms`` is when the mirror first saw this state; its text is kept at
    ``store.articles.revision_path(record.path, seen_ms)``.
    """

    seen_ms: int
    title: str
    content_sha256: str


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """What the committed index knows of one mirrored article (no body)."""

    id: str
    source: str
    url: str
    canonical_url: str
    title: str
    published_ms: int
    first_seen_ms: int
    path: str
    content_sha256: str
    guid: str | None = None
    author: str | None = None
    revisions: tuple[Revision, ...] = ()
    deleted_ms: int | None = None
    last_checked_ms: int | None = None
    # When the mirror first saw the current version (None: never edited since first_seen_ms).
    edited_ms: int | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """A mirrored article: its record plus the cleaned body HTML."""

    record: ArticleRecord
    body_html: str


@dataclass(frozen=True, slots=True)
class ItemFailure:
    """One thing that went wrong, with where and why."""

    source: str
    url: str
    stage: str
    code: str
    message: str
    fails_run: bool = False  # the run's exit code is 1 for it (errors.MirrorError.fails_run)


@dataclass(frozen=True, slots=True)
class PushResult:
    """How pushing to one remote went (``url`` has any credentials scrubbed)."""

    remote: str
    url: str
    ok: bool
    commit: str | None = None
    attempts: int = 0
    error: str | None = None
    updated: bool = False


@dataclass(slots=True)
class SourceReport:
    """How one source fared in one run.  Filled in by the pipeline only."""

    slug: str
    name: str
    new: int = 0
    unchanged: int = 0
    failed: int = 0
    given_up: int = 0  # items that failed too often and are no longer tried
    seconds: float = 0.0
    error: ItemFailure | None = None
    failures: list[ItemFailure] = field(default_factory=list)
    new_articles: list[ArticleRecord] = field(default_factory=list)
    rule_checks: list[RuleCheck] = field(default_factory=list)  # site rules tried on its pages

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """What a run is doing now, for a progress display (``source`` "*": the whole run).

    ``stage``: ``feed`` (fetching the feed at ``url``), ``items`` (``total`` new
    items to mirror), ``item`` (started on ``url``), ``item_done`` (finished
    ``url``), ``done`` (the source is finished), ``recheck``, ``outputs``.
    """

    source: str
    stage: str
    url: str = ""
    total: int = 0


@dataclass(slots=True)
class RunReport:
    """Everything a run did, for the CLI's table, the log and ``--report-json``."""

    sources: list[SourceReport] = field(default_factory=list)
    counters: Counter[str] = field(default_factory=Counter)
    commit: str | None = None
    commit_message: str | None = None
    notes: list[str] = field(default_factory=list)
    pushes: list[PushResult] = field(default_factory=list)
    # States STATUS.md now shows differently from before the run ("德国之声 failing").
    status_changes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every source succeeded, and no item failed in a way retrying cannot fix."""
        return all(source.ok and not any(f.fails_run for f in source.failures)
                   for source in self.sources)

    @property
    def new_count(self) -> int:
        return sum(source.new for source in self.sources)

    def count(self, event: str, n: int = 1) -> None:
        self.counters[event] += n
