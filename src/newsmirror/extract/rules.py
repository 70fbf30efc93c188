"""Site rules as data: ``rules/sites.toml`` → validated ``SiteRule`` values.

The file has one ``[defaults]`` table (removals and rewrites applied to every
article, whatever path it took) and one ``[[site]]`` table per page template.
Everything is checked when the file is loaded: an unknown key, an unknown
rewrite name, a selector lexbor cannot parse or a bad regular expression is a
``RuleError`` naming the file and the rule — never a silent no-op at run time.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, SelectolaxError

from newsmirror.errors import ConfigError
from newsmirror.extract.rewrites import REWRITES

SITE_KEYS = frozenset({"name", "hosts", "detect", "body", "title", "author", "published",
                       "published_pattern", "remove", "rewrites", "min_chars"})
DEFAULT_KEYS = frozenset({"remove", "rewrites"})
TOP_KEYS = frozenset({"defaults", "site"})
DEFAULT_MIN_CHARS = 80


class RuleError(ConfigError):
    """A rules file that cannot be used as written."""

    code = "config.rules"


@dataclass(frozen=True, slots=True)
class SiteRule:
    """How to read one page template: where the body and metadata are, what to drop."""

    name: str
    body: str
    hosts: tuple[str, ...] = ()
    detect: tuple[str, ...] = ()
    title: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    published: tuple[str, ...] = ()
    published_pattern: re.Pattern[str] | None = None
    remove: tuple[str, ...] = ()
    rewrites: tuple[str, ...] = ()
    min_chars: int = DEFAULT_MIN_CHARS

    def matches_host(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
        return any(host == h or host.endswith("." + h) for h in self.hosts)

    def matches_page(self, tree: LexborHTMLParser) -> bool:
        return all(tree.css_first(selector) is not None for selector in self.detect)


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Every site rule, in file order, plus the cleaning every article gets."""

    sites: tuple[SiteRule, ...]
    remove: tuple[str, ...] = ()
    rewrites: tuple[str, ...] = ()

    def rule_for_page(self, addresses: tuple[str, ...], tree: LexborHTMLParser) -> SiteRule | None:
        """The rule for a page known by ``addresses``, most trusted first.

        The first address whose host has rules decides: the first of that host's
        rules whose fingerprint matches the page, else none.  When no address has a
        host with rules (a saved copy, a mirror that hides the outlet's address), a
        rule's ``detect`` fingerprint alone picks it.
        """
        for address in addresses:
            host_rules = [rule for rule in self.sites if rule.matches_host(address)]
            if host_rules:
                return next((rule for rule in host_rules if rule.matches_page(tree)), None)
        return next((rule for rule in self.sites if rule.detect and rule.matches_page(tree)),
                    None)

    def rule_for_url(self, url: str) -> SiteRule | None:
        """The first rule for ``url``'s host (feed content: no page to fingerprint)."""
        return next((rule for rule in self.sites if rule.matches_host(url)), None)


def load_rules(path: Path | None = None) -> RuleSet:
    """Read and validate a rules file (default: the one shipped with newsmirror)."""
    if path is None:
        return bundled_rules()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleError(f"cannot read rules: {path} ({exc.strerror})") from exc
    return parse_rules(text, str(path))


@cache
def bundled_rules() -> RuleSet:
    """The rules shipped in ``newsmirror/rules/sites.toml`` (read once per process)."""
    text = resources.files("newsmirror").joinpath("rules/sites.toml").read_text(encoding="utf-8")
    return parse_rules(text, "newsmirror/rules/sites.toml")


def parse_rules(text: str, origin: str) -> RuleSet:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"invalid rules: {origin} ({exc})") from exc
    _reject_unknown(data, TOP_KEYS, origin, "top level")
    defaults = data.get("defaults", {})
    _reject_unknown(defaults, DEFAULT_KEYS, origin, "[defaults]")
    sites = tuple(_parse_site(table, origin, n) for n, table in enumerate(data.get("site", [])))
    names = [site.name for site in sites]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise RuleError(f"invalid rules: {origin} (duplicate rule names: {', '.join(duplicates)})")
    return RuleSet(
        sites=sites,
        remove=_selectors(defaults, "remove", origin, "[defaults]"),
        rewrites=_rewrite_names(defaults, origin, "[defaults]"),
    )


def _parse_site(table: dict[str, object], origin: str, index: int) -> SiteRule:
    where = f"[[site]] #{index + 1} ({table.get('name', 'unnamed')})"
    _reject_unknown(table, SITE_KEYS, origin, where)
    for key in ("name", "body"):
        if not isinstance(table.get(key), str) or not table[key]:
            raise RuleError(
                f"invalid rules: {origin} ({where}: '{key}' must be a non-empty string)")
    if not table.get("hosts") and not table.get("detect"):
        raise RuleError(f"invalid rules: {origin} ({where}: needs 'hosts' or 'detect')")
    _check_selector(str(table["body"]), origin, where, "body")
    min_chars = table.get("min_chars", DEFAULT_MIN_CHARS)
    if not isinstance(min_chars, int) or min_chars < 0:
        raise RuleError(f"invalid rules: {origin} ({where}: 'min_chars' must be an integer ≥ 0)")
    return SiteRule(
        name=str(table["name"]),
        body=str(table["body"]),
        hosts=tuple(h.lower() for h in _strings(table, "hosts", origin, where)),
        detect=_selectors(table, "detect", origin, where),
        title=_selector_choice(table, "title", origin, where),
        author=_selector_choice(table, "author", origin, where),
        published=_selector_choice(table, "published", origin, where),
        published_pattern=_pattern(table, origin, where),
        remove=_selectors(table, "remove", origin, where),
        rewrites=_rewrite_names(table, origin, where),
        min_chars=min_chars,
    )


def _reject_unknown(table: object, allowed: frozenset[str], origin: str, where: str) -> None:
    if not isinstance(table, dict):
        raise RuleError(f"invalid rules: {origin} ({where} must be a table)")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise RuleError(f"invalid rules: {origin} ({where}: unknown key '{unknown[0]}'; "
                        f"allowed: {', '.join(sorted(allowed))})")


def _string(table: dict[str, object], key: str, origin: str, where: str) -> str:
    value = table[key]
    if not isinstance(value, str) or not value.strip():
        raise RuleError(f"invalid rules: {origin} ({where}: '{key}' must be a non-empty string)")
    return value


def _strings(table: dict[str, object], key: str, origin: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RuleError(f"invalid rules: {origin} ({where}: '{key}' must be a list of strings)")
    return tuple(value)


def _selectors(table: dict[str, object], key: str, origin: str, where: str) -> tuple[str, ...]:
    selectors = _strings(table, key, origin, where)
    for selector in selectors:
        _check_selector(selector, origin, where, key)
    return selectors


def _selector_choice(
    table: dict[str, object], key: str, origin: str, where: str
) -> tuple[str, ...]:
    """A selector, or a list of selectors tried in order."""
    selectors: tuple[str, ...]
    if isinstance(table.get(key), str):
        selectors = (_string(table, key, origin, where),)
    else:
        selectors = _strings(table, key, origin, where)
    for selector in selectors:
        _check_selector(selector, origin, where, key)
    return selectors


def _check_selector(selector: str, origin: str, where: str, key: str) -> None:
    try:
        LexborHTMLParser("<p></p>").css(selector)
    except SelectolaxError as exc:
        raise RuleError(
            f"invalid rules: {origin} ({where}: bad CSS selector in '{key}': {selector!r})"
        ) from exc


def _rewrite_names(table: dict[str, object], origin: str, where: str) -> tuple[str, ...]:
    names = _strings(table, "rewrites", origin, where)
    for name in names:
        if name not in REWRITES:
            raise RuleError(f"invalid rules: {origin} ({where}: unknown rewrite '{name}'; "
                            f"known: {', '.join(sorted(REWRITES))})")
    return names


def _pattern(table: dict[str, object], origin: str, where: str) -> re.Pattern[str] | None:
    if "published_pattern" not in table:
        return None
    source = _string(table, "published_pattern", origin, where)
    try:
        pattern = re.compile(source)
    except re.error as exc:
        raise RuleError(f"invalid rules: {origin} ({where}: bad published_pattern: {exc})") from exc
    if pattern.groups != 1:
        raise RuleError(f"invalid rules: {origin} ({where}: published_pattern needs one group)")
    return pattern
