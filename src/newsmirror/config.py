"""Reads ``newsmirror.toml`` once into frozen, typed settings.

Every setting is declared once, as a dataclass field whose metadata carries its
help text (and, where it applies, its allowed values or minimum).  The same
declarations drive validation, ``newsmirror init``'s commented template and the
documentation test.  Unknown keys, missing keys and bad values raise
:class:`~newsmirror.errors.ConfigError` naming the file and the key.

Precedence: command-line flags (applied by the CLI with :func:`dataclasses.replace`)
over ``NEWSMIRROR_<KEY>`` environment variables (for ``[mirror]`` keys) over the
file over the defaults.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import os
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newsmirror.errors import ConfigError
from newsmirror.models import FulltextMode

log = logging.getLogger(__name__)

CONFIG_FILENAME = "newsmirror.toml"
ENV_PREFIX = "NEWSMIRROR_"
# Environment variables of that prefix that are not [mirror] settings (see publish.py).
_OTHER_ENV = re.compile(r"^NEWSMIRROR_REMOTE_[A-Z0-9_]+_(TOKEN|USER)$")
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
# Folders of the static site that a source's folder would collide with.
RESERVED_SLUGS = frozenset({"feeds", "media", "pagefind", "search", "static"})
# List files the mirror writes besides one per source (lists/changes.md; lists/deleted.md
# of earlier versions).
RESERVED_NAMES = frozenset({"changes", "deleted", "readme"})
ImageMode = Literal["proxy", "local", "original"]
IssueAuthors = Literal["anyone", "collaborators"]
# Placeholders a snapshot service template ([archive] fallbacks) may hold.
SNAPSHOT_PLACEHOLDERS = ("{url}", "{url_encoded}")
# [mirror] keys of earlier versions that are accepted and ignored, with the reason.
RETIRED_SETTINGS = {
    "site_search_every_h": "the search index is updated on every run, a few files at a time",
}


def _setting(default: Any, help: str, **extra: Any) -> Any:
    """Declare one setting: its default, its help text and optional checks."""
    metadata = {"help": help, **extra}
    if isinstance(default, (list, dict, set)):
        raise TypeError("mutable defaults are not allowed; use a tuple")
    return field(default=default, metadata=metadata)


def _required(help: str, **extra: Any) -> Any:
    return field(metadata={"help": help, "required": True, **extra})


@dataclass(frozen=True, slots=True)
class MirrorSettings:
    """The ``[mirror]`` table: how the mirror runs and looks."""

    timezone: str = _setting("Asia/Shanghai", "Time zone for dates in lists and pages.")
    list_size: int = _setting(300, "Entries per source list in lists/.", minimum=1)
    allow_private_networks: bool = _setting(
        False,
        "May URLs that come from feeds or pages point at loopback or private addresses?",
    )
    user_agent: str = _setting(
        "newsmirror/0.1 (+news mirror; polite feed reader)",
        "User-Agent header sent with every request.",
    )
    max_connections_per_host: int = _setting(2, "Concurrent requests to one host.", minimum=1)
    max_connections: int = _setting(16, "Concurrent requests in all.", minimum=1)
    connect_timeout_s: float = _setting(10.0, "Seconds to wait for a connection.", minimum=0.01)
    read_timeout_s: float = _setting(20.0, "Seconds to wait between bytes.", minimum=0.01)
    run_deadline_s: float = _setting(
        1800.0,
        "Seconds a run may spend fetching; a source not finished by then is reported, and "
        "its remaining items wait for the next run.",
        minimum=1.0,
    )
    request_deadline_s: float = _setting(
        60.0, "Seconds one request may take in all, body included.", minimum=0.01
    )
    max_retries: int = _setting(2, "Retries after a 5xx, 429 or network error.", minimum=0)
    retry_backoff_s: float = _setting(1.0, "First retry delay; doubles each time.", minimum=0.0)
    max_retry_after_s: float = _setting(
        60.0, "Longest Retry-After the mirror will wait for; longer means give up.", minimum=0.0
    )
    max_response_bytes: int = _setting(
        10_000_000, "Largest response body accepted, after decompression.", minimum=1024
    )
    max_new_per_source: int = _setting(
        100, "New articles taken from one source per run; the rest wait for the next.", minimum=1
    )
    min_body_chars: int = _setting(
        40, "An extracted body with fewer text characters is an error, not an article.", minimum=0
    )
    images: ImageMode = _setting(
        "proxy", "How images load: through image_proxy, copied to media/, or left as served."
    )
    image_proxy: tuple[str, ...] = _setting(
        ("https://images.weserv.nl/?url={url_no_scheme}",),
        "Image proxy URL templates with {url} or {url_no_scheme}; the first is used.",
    )
    image_max_bytes: int = _setting(
        5_000_000, "Largest image copied to media/ (local mode); larger ones stay proxied.",
        minimum=1024,
    )
    image_max_bytes_per_article: int = _setting(
        20_000_000, "Image bytes one article may add to media/; the rest stay proxied.",
        minimum=1024,
    )
    image_reencode: bool = _setting(
        True, "Shrink large images before they are committed to media/ (local mode).",
    )
    image_max_width_px: int = _setting(
        960, "Re-encoded images are at most this wide, in pixels (a phone screen's worth).",
        minimum=16,
    )
    image_quality: int = _setting(
        75, "JPEG/WebP quality (1-95) of re-encoded images.", minimum=1
    )
    image_reencode_above_bytes: int = _setting(
        200_000, "Images smaller than this and not too wide are kept as downloaded.", minimum=0
    )
    site_dir: str = _setting("docs", "Folder of the static site, relative to the mirror.")
    site_title: str = _setting("新闻镜像", "Title of the static site and of the Atom feeds.")
    site_url: str = _setting(
        "", "Public address of the site (e.g. https://example.github.io/mirror/); when set, "
        "feeds link to it, otherwise they use links relative to the feed file."
    )
    site_page_size: int = _setting(50, "Articles per page of a source's index.", minimum=1)
    site_front_page_size: int = _setting(
        10, "Newest articles of each source on the front page.", minimum=1
    )
    site_remote_images: bool = _setting(
        True, "Show images that load from other hosts (image proxy, the outlet) on site pages; "
        "false turns them into links, so no page ever contacts another host.",
    )
    feed_size: int = _setting(50, "Newest articles in each Atom feed.", minimum=1)
    site_search: bool = _setting(
        True, "Keep an in-browser search index in the site (search/): each run adds its new "
        "articles as a small segment and merges segments a little at a time.",
    )
    commit: bool = _setting(True, "Commit the changes of each run to git.")
    push: bool = _setting(True, "Push to every [[remotes]] entry after each run.")
    push_retries: int = _setting(
        2, "Retries of a push that failed for a passing reason.", minimum=0
    )
    push_backoff_s: float = _setting(5.0, "First push retry delay; doubles each time.", minimum=0.0)
    push_timeout_s: float = _setting(300.0, "Seconds one push may take.", minimum=1.0)
    stall_factor: float = _setting(
        3.0, "A source is flagged as stalled when its newest article is older than this many "
        "times its usual gap between articles.", minimum=1.0,
    )
    stall_min_hours: float = _setting(
        24.0, "Never flag a source as stalled sooner than this many hours.", minimum=0.0
    )
    min_free_disk_mb: int = _setting(
        500, "`newsmirror doctor` warns when less disk space than this is free.", minimum=0
    )
    recheck_schedule: tuple[str, ...] = _setting(
        ("12h:1h", "3d:6h", "10d:1d", "30d:3d"),
        "When mirrored articles are fetched again to catch edits and deletions: 'AGE:EVERY' "
        "pairs (units s, m, h, d), age counted from when the mirror first saw the article; "
        "'3d:6h' re-checks articles younger than 3 days every 6 hours. Nothing older than "
        "the largest AGE (at most 30d) is re-checked. An empty list turns re-checks off.",
    )
    recheck_budget: int = _setting(
        40, "Articles re-checked per run at most (`run --recheck-all` ignores it).", minimum=0
    )


@dataclass(frozen=True, slots=True)
class Source:
    """One ``[[sources]]`` table: an outlet to mirror."""

    name: str = _required("Display name; the list is lists/{name}.md.")
    slug: str = _required("Folder name under articles/ (a-z, 0-9, '-').")
    feed: str = _required("RSS or Atom feed URL.")
    fulltext: FulltextMode = _setting(
        "auto",
        "'feed': the item's content is the article; 'page': fetch and extract the page; "
        "'auto': the feed's content when it is the whole article, else the page.",
    )
    enabled: bool = _setting(True, "Set to false to pause this source without removing it.")
    images: ImageMode | None = _setting(None, "Overrides [mirror] images for this source.")


@dataclass(frozen=True, slots=True)
class Remote:
    """One ``[[remotes]]`` table: a git remote every run pushes to."""

    name: str = _required("Remote name, as git knows it.")
    url: str = _required("Remote URL. Credentials come from the environment, never from here.")
    branch: str | None = _setting(None, "Branch to push to; the current branch by default.")


@dataclass(frozen=True, slots=True)
class ArchiveSettings:
    """The ``[archive]`` table: pages archived on demand (``newsmirror archive``)."""

    slug: str = _setting(
        "archive", "Folder under articles/ (and on the site) of the pages archived on demand."
    )
    name: str = _setting(
        "存档", "Name of their list (lists/{name}.md), feed and section of the site."
    )
    images: ImageMode = _setting(
        "local", "How their images load ([mirror] images); 'local' keeps a copy in media/, "
        "best for pages likely to be deleted."
    )
    fallbacks: tuple[str, ...] = _setting(
        ("https://web.archive.org/web/2id_/{url}",),
        "Snapshot services tried in order when a page is gone (404, 410, 451, a removal "
        "notice), refused (403) or keeps failing: "
        "URL templates with {url} (the address as given) or {url_encoded} (percent-encoded). "
        "An empty list turns fallbacks off.",
    )
    issue_authors: IssueAuthors = _setting(
        "anyone", "Whose new issues the archive workflow (`newsmirror init --ci github`) "
        "answers: 'anyone', or 'collaborators' (the repository's owner, members and "
        "collaborators). Write the workflow again after changing it.",
    )

    def as_source(self) -> Source:
        """The built-in source archived pages belong to: no feed, pages read whole."""
        return Source(name=self.name, slug=self.slug, feed="", fulltext="page",
                      images=self.images)


@dataclass(frozen=True, slots=True)
class Config:
    """A whole mirror's configuration, read once."""

    root: Path
    mirror: MirrorSettings
    sources: tuple[Source, ...]
    remotes: tuple[Remote, ...] = ()
    archive: ArchiveSettings = ArchiveSettings()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.mirror.timezone)

    def image_mode(self, source: Source) -> ImageMode:
        return source.images or self.mirror.images

    def listed_sources(self, has_articles: typing.Callable[[str], bool]) -> tuple[Source, ...]:
        """Every source with a list, a feed and a section of the site: the [[sources]],
        then the on-demand archive once it holds an article (``has_articles(slug)``)."""
        archive = self.archive.as_source()
        return (*self.sources, archive) if has_articles(archive.slug) else self.sources


def load_config(root: Path | str, *, environ: typing.Mapping[str, str] | None = None) -> Config:
    """Read ``newsmirror.toml`` in ``root``; raise ConfigError naming file and key."""
    root = Path(root)
    path = root / CONFIG_FILENAME
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(
            f"no {CONFIG_FILENAME} in {root} (run `newsmirror init` first)", url=str(path)
        ) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})", url=str(path)) from exc
    return parse_config(raw, root=root, path=path, environ=environ)


def parse_config(
    raw: dict[str, Any],
    *,
    root: Path,
    path: Path,
    environ: typing.Mapping[str, str] | None = None,
) -> Config:
    """Turn a parsed TOML document into a :class:`Config`."""
    _reject_unknown(raw, {"mirror", "sources", "remotes", "archive"}, path, "")
    mirror_table = {key: value for key, value in _expect_table(raw.get("mirror", {}), path,
                                                              "mirror").items()
                    if key not in RETIRED_SETTINGS}
    mirror = _build(MirrorSettings, mirror_table, path, "mirror")
    mirror = _apply_env(mirror, environ if environ is not None else os.environ)
    ZoneInfo_check(mirror.timezone, f"{path}: mirror.timezone")
    sources = tuple(
        _build(Source, _expect_table(item, path, f"sources[{i}]"), path, f"sources[{i}]")
        for i, item in enumerate(_expect_list(raw.get("sources", []), path, "sources"))
    )
    remotes = tuple(
        _build(Remote, _expect_table(item, path, f"remotes[{i}]"), path, f"remotes[{i}]")
        for i, item in enumerate(_expect_list(raw.get("remotes", []), path, "remotes"))
    )
    archive = _build(ArchiveSettings, _expect_table(raw.get("archive", {}), path, "archive"),
                     path, "archive")
    _check_sources(sources, path)
    _check_remotes(remotes, path)
    _check_archive(archive, sources, path)
    return Config(root=root, mirror=mirror, sources=sources, remotes=remotes, archive=archive)


def ZoneInfo_check(name: str, where: str) -> None:  # noqa: N802 - reads as a sentence
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"{where}: unknown time zone {name!r}") from exc


def _check_sources(sources: tuple[Source, ...], path: Path) -> None:
    seen_slugs: set[str] = set()
    seen_names: set[str] = set()
    for i, source in enumerate(sources):
        key = f"sources[{i}]"
        _check_folder_and_list(source, path, key)
        if not source.feed.startswith(("http://", "https://")):
            raise ConfigError(f"{path}: {key}.feed: {source.feed!r} is not an http(s) URL")
        if source.slug in seen_slugs:
            raise ConfigError(f"{path}: {key}.slug: {source.slug!r} is used twice")
        if source.name.casefold() in seen_names:
            raise ConfigError(f"{path}: {key}.name: {source.name!r} is used twice")
        seen_slugs.add(source.slug)
        seen_names.add(source.name.casefold())


def _check_folder_and_list(source: Source, path: Path, key: str) -> None:
    """The slug is a safe folder name the site does not use; the name a safe list name."""
    if not SLUG_PATTERN.match(source.slug):
        raise ConfigError(
            f"{path}: {key}.slug: {source.slug!r} must be 1-32 characters of a-z, 0-9 and '-'"
        )
    if source.slug in RESERVED_SLUGS:
        raise ConfigError(f"{path}: {key}.slug: {source.slug!r} is reserved for the site")
    if source.name.strip().casefold() in RESERVED_NAMES:
        raise ConfigError(f"{path}: {key}.name: {source.name!r} is reserved for a list")
    if not source.name.strip() or any(c in source.name for c in '/\\:*?"<>|\0') or (
        source.name.strip(".") == ""
    ):
        raise ConfigError(f"{path}: {key}.name: {source.name!r} cannot be a file name")


def _check_archive(archive: ArchiveSettings, sources: tuple[Source, ...], path: Path) -> None:
    """The on-demand source is a source like the others; its snapshot templates are usable."""
    _check_folder_and_list(archive.as_source(), path, "archive")
    if any(s.slug == archive.slug for s in sources):
        raise ConfigError(f"{path}: archive.slug: {archive.slug!r} is a [[sources]] slug too")
    if any(s.name.casefold() == archive.name.casefold() for s in sources):
        raise ConfigError(f"{path}: archive.name: {archive.name!r} is a [[sources]] name too")
    for template in archive.fallbacks:
        if not template.startswith(("http://", "https://")) or not any(
            placeholder in template for placeholder in SNAPSHOT_PLACEHOLDERS
        ):
            raise ConfigError(f"{path}: archive.fallbacks: {template!r} is not an http(s) URL "
                              "template with {url} or {url_encoded}")


def _check_remotes(remotes: tuple[Remote, ...], path: Path) -> None:
    """Remote names are unique; a URL never carries a password or token."""
    seen: set[str] = set()
    for i, remote in enumerate(remotes):
        key = f"remotes[{i}]"
        if remote.name in seen or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", remote.name):
            raise ConfigError(f"{path}: {key}.name: {remote.name!r} is used twice or is not "
                              "a plain name (letters, digits, '.', '_', '-')")
        seen.add(remote.name)
        userinfo = remote.url.partition("://")[2].split("/", 1)[0].rpartition("@")[0]
        if ":" in userinfo:
            raise ConfigError(f"{path}: {key}.url: credentials do not belong in the config file "
                              "(set NEWSMIRROR_REMOTE_<NAME>_TOKEN or use git's credential "
                              "helper)")


def env_variable(setting: str) -> str:
    """``NEWSMIRROR_LIST_SIZE`` for the ``list_size`` setting."""
    return f"{ENV_PREFIX}{setting.upper()}"


def _apply_env(mirror: MirrorSettings, environ: typing.Mapping[str, str]) -> MirrorSettings:
    """The settings with ``NEWSMIRROR_*`` overrides; a bad value names its variable."""
    by_variable = {env_variable(f.name): f for f in dataclasses.fields(MirrorSettings)}
    overrides: dict[str, Any] = {}
    for variable in sorted(environ):
        f = by_variable.get(variable)
        if f is not None:
            where = f"environment variable {variable}"
            overrides[f.name] = _check_value(_coerce_env(environ[variable], f.type), f, where)
            if f.name == "timezone":
                ZoneInfo_check(overrides[f.name], where)
        elif variable.startswith(ENV_PREFIX) and not _OTHER_ENV.match(variable):
            log.warning("unknown environment variable %s ignored%s", variable,
                        _suggestion(variable, by_variable))
    return dataclasses.replace(mirror, **overrides)


def _suggestion(word: str, known: typing.Iterable[str]) -> str:
    """`` (did you mean X?)`` for the known word closest to ``word``, or nothing."""
    close = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def check_source_slugs(config: Config, slugs: typing.Iterable[str]) -> None:
    """Raise ConfigError for a slug no source has, listing the slugs there are."""
    known = [s.slug for s in config.sources]
    unknown = sorted(set(slugs) - set(known))
    if unknown:
        hint = _suggestion(unknown[0], known)
        raise ConfigError(f"no such source: {', '.join(unknown)}{hint} "
                          f"(sources: {', '.join(known) or 'none'})")


def _coerce_env(value: str, annotation: Any) -> Any:
    hint = _resolve(annotation)
    if hint is bool:
        word = value.strip().lower()
        return True if word in {"1", "true", "yes", "on"} else False if word in {
            "0", "false", "no", "off", ""} else value
    if hint is int:
        try:
            return int(value)
        except ValueError:
            return value
    if hint is float:
        try:
            return float(value)
        except ValueError:
            return value
    if get_origin(hint) is tuple:
        return tuple(part for part in value.split() if part)
    return value


def _build(cls: type[Any], table: dict[str, Any], path: Path, prefix: str) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    _reject_unknown(table, set(fields), path, prefix)
    values: dict[str, Any] = {}
    for name, f in fields.items():
        key = f"{prefix}.{name}" if prefix else name
        if name not in table:
            if f.metadata.get("required"):
                raise ConfigError(f"{path}: {key}: missing (required)")
            continue
        values[name] = _check_value(table[name], f, f"{path}: {key}")
    return cls(**values)


def _check_value(value: Any, f: dataclasses.Field[Any], where: str) -> Any:
    """``value`` checked against the field; ``where`` names it in errors ("FILE: KEY")."""
    hint = _resolve(f.type)
    checked = _check_type(value, hint, where)
    minimum = f.metadata.get("minimum")
    if minimum is not None and checked is not None and checked < minimum:
        raise ConfigError(f"{where}: {checked!r} is below the minimum {minimum}")
    return checked


def _check_type(value: Any, hint: Any, where: str) -> Any:
    origin = get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in get_args(hint) if a is not type(None)]
        return _check_type(value, options[0], where)
    if origin is Literal:
        if value not in get_args(hint):
            allowed = ", ".join(repr(a) for a in get_args(hint))
            raise ConfigError(f"{where}: {value!r} is not one of {allowed}")
        return value
    if origin is tuple:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: expected a list of strings, got {value!r}")
        return tuple(value)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is int and isinstance(value, bool):
        raise ConfigError(f"{where}: expected an integer, got {value!r}")
    if not isinstance(value, hint):
        raise ConfigError(f"{where}: expected {hint.__name__}, got {value!r}")
    return value


def _resolve(annotation: Any) -> Any:
    if isinstance(annotation, str):
        return eval(annotation, {**globals(), **typing.__dict__})  # noqa: S307 - our own annotations
    return annotation


def _reject_unknown(table: dict[str, Any], known: set[str], path: Path, prefix: str) -> None:
    for key in table:
        if key not in known:
            where = f"{prefix}.{key}" if prefix else key
            raise ConfigError(f"{path}: {where}: unknown key{_suggestion(key, known)}")


def _expect_table(value: Any, path: Path, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: {key}: expected a table")
    return value


def _expect_list(value: Any, path: Path, key: str) -> list[Any]:
    if not isinstance(value, list):
        raise ConfigError(f"{path}: {key}: expected an array of tables ([[{key}]])")
    return value
