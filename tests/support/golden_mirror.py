"""A whole mirror built from the recorded fixtures with a fixed clock, and its manifest.

Three runs over real HTTP on loopback, into a real git repository with a bare
remote: the first mirrors the recorded BBC pages, the DW, NYT and CDT feeds and
the demo's sample pages (with images copied into ``media/``); the second finds
one page edited, the third one page gone.  Everything a run writes is then
listed as path → SHA-256 (``.git`` and the ``.newsmirror`` cache left out).

The loopback server's port is new on every build and becomes part of article
URLs, so of ids and hashes derived from them.  :func:`mirror_manifest` replaces
the origin with ``http://origin.invalid`` and every value derived from a URL
holding it with the value the same formula gives for the port-free URL, so the
manifest is the same on every build and machine.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsmirror.config import load_config
from newsmirror.demo import demo_routes
from newsmirror.demo.server import LoopbackServer, Route
from newsmirror.pipeline import RunOptions, run
from newsmirror.render.site_state import page_hash, read_site_state
from newsmirror.store.index import shard_fingerprint
from tests.publish.remotes import bare_remote
from tests.support.mirrors import SourceSpec, make_mirror
from tests.support.recorded import FEEDS, PAGES, REAL

PORT_FREE_ORIGIN = "http://origin.invalid"
HOUR_MS = 3_600_000
T0 = 1_795_000_000_000  # 2026-11-18, after the demo's sample items
EDITED_PAGE = "/daily/river-cleanup"
DELETED_PAGE = "/daily/bus-routes"
SKIPPED = (".git", ".newsmirror")
PRESENT_PAGE = "<html><body><p>原文仍在。</p></body></html>".encode()
_ITEM = re.compile(rb"<(item|entry)\b.*?</\1>", re.S)
_ITEM_TIME = re.compile(rb"<(?:pubDate|dc:date|published)>(.*?)<", re.S)
_ITEM_LINK = {
    "atom": re.compile(rb'(?<=<entry>)(.*?<link[^>]*?href=")([^"]+)(")', re.S),
    "rss": re.compile(rb"(<item\b[^>]*>.*?<link>)(.*?)(</link>)", re.S),
}


@dataclass(frozen=True)
class GoldenMirror:
    root: Path
    origin: str


def item_path(outlet: str, n: int) -> str:
    """Where item ``n`` of an outlet's feed points: a name that needs no hash suffix."""
    return f"/{outlet}/item-{n:03d}"


def _without_same_time_items(body: bytes) -> bytes:
    """The feed without items published at the same time as an earlier one: records are
    ordered by publication time, then by id, and ids depend on the port."""
    seen: set[bytes] = set()

    def keep_first(match: re.Match[bytes]) -> bytes:
        when = _ITEM_TIME.search(match.group(0))
        if when is None or when.group(1) not in seen:
            seen.add(when.group(1) if when else b"")
            return match.group(0)
        return b""

    return _ITEM.sub(keep_first, body)


def _with_item_links(body: bytes, outlet: str) -> bytes:
    body = _without_same_time_items(body)
    counter = iter(range(10**6))
    pattern = _ITEM_LINK["atom" if b"<feed" in body[:2000] else "rss"]
    return pattern.sub(lambda m: m.group(1) + b"{{origin}}" +
                       item_path(outlet, next(counter)).encode() + m.group(3), body)


def golden_routes() -> dict[str, Route]:
    """The recorded feeds (items at :func:`item_path`), the BBC pages once each, the demo."""
    routes = dict(demo_routes())
    for outlet, (relative, content_type) in FEEDS.items():
        routes[f"/feed/{outlet}"] = Route(_with_item_links((REAL / relative).read_bytes(), outlet),
                                          content_type)
        pages = PAGES.get(outlet)
        if pages:  # once each: pages served twice would share a publication time
            routes.update({item_path(outlet, n): Route((REAL / page).read_bytes())
                           for n, page in enumerate(pages)})
            continue
        # Items taken from the feed: a page at the link, so that re-checks find it present.
        for n in range(routes[f"/feed/{outlet}"].body.count(b"{{origin}}")):
            routes[item_path(outlet, n)] = Route(PRESENT_PAGE)
    return routes


def _sources(origin: str) -> list[SourceSpec]:
    return [
        SourceSpec("BBC", "bbc", f"{origin}/feed/bbc", "page"),
        SourceSpec("德国之声", "dw", f"{origin}/feed/dw", "feed"),
        SourceSpec("纽约时报", "nyt", f"{origin}/feed/nyt", "feed"),
        SourceSpec("中国数字时代", "cdt", f"{origin}/feed/cdt", "auto"),
        SourceSpec("示例日报", "daily", f"{origin}/daily.xml", "page"),
    ]


@contextmanager
def build_golden_mirror(folder: Path) -> Iterator[GoldenMirror]:
    """Build the mirror in ``folder/mirror`` (its server still running inside the block)."""
    routes = golden_routes()
    with LoopbackServer(routes) as server:
        root = make_mirror(folder / "mirror", _sources(server.origin), max_new_per_source=100,
                           site_search=False)
        remote = bare_remote(folder / "remote.git")
        with (root / "newsmirror.toml").open("a", encoding="utf-8") as config_file:
            config_file.write(f'images = "local"\n\n[[remotes]]\nname = "backup"\n'
                              f'url = "{remote.as_posix()}"\n')
        config = load_config(root)
        run(config, RunOptions(clock=lambda: T0))
        edited = routes[EDITED_PAGE].body.replace("两吨".encode(), "三吨".encode())
        routes[EDITED_PAGE] = Route(edited)
        run(config, RunOptions(clock=lambda: T0 + 2 * HOUR_MS, recheck_all=True))
        del routes[DELETED_PAGE]
        run(config, RunOptions(clock=lambda: T0 + 5 * HOUR_MS, recheck_all=True))
        yield GoldenMirror(root, server.origin)


def mirror_manifest(mirror: GoldenMirror) -> dict[str, str]:
    """Path → SHA-256 of every file the runs wrote, with the server's origin made port-free."""
    port_free = _port_free_values(mirror)
    manifest = {}
    for path in sorted(_written_files(mirror.root)):
        data = path.read_bytes()
        try:
            data = _replace_all(data.decode("utf-8"), port_free).encode("utf-8")
        except UnicodeDecodeError:
            pass
        relative = _replace_all(path.relative_to(mirror.root).as_posix(), port_free)
        manifest[relative] = hashlib.sha256(data).hexdigest()
    return manifest


def _written_files(root: Path) -> Iterator[Path]:
    for path in root.rglob("*"):
        if path.is_file() and path.relative_to(root).parts[0] not in SKIPPED:
            yield path


def _replace_all(text: str, values: dict[str, str]) -> str:
    for old, new in values.items():
        text = text.replace(old, new)
    return text


def _port_free_values(mirror: GoldenMirror) -> dict[str, str]:
    """Each value that depends on the port (origin, ids, entry ids, body hashes) → port-free."""
    origin = mirror.origin
    values = {origin: PORT_FREE_ORIGIN, _host(origin): _host(PORT_FREE_ORIGIN),
              mirror.root.parent.as_posix(): "/golden"}  # the remote's folder
    records = list(_index_records(mirror.root))
    published = [record["published_ms"] for record in records]
    assert len(set(published)) == len(published), "records share a publication time: order by port"
    for record in records:
        source, canonical = record["source"], record["canonical_url"]
        free = canonical.replace(_host(origin), _host(PORT_FREE_ORIGIN))
        values[_article_id(source, canonical)] = _article_id(source, free)
        values[_uuid(f"{source} {canonical}")] = _uuid(f"{source} {free}")
        times = {record.get(key) for key in ("edited_ms", "deleted_ms", "first_seen_ms")}
        times |= {r["seen_ms"] for r in record.get("revisions", ())}
        for kind in ("edited", "deleted"):
            for at_ms in times - {None}:
                values[_uuid(f"newsmirror change {source} {canonical} {kind} {at_ms}")] = \
                    _uuid(f"newsmirror change {source} {free} {kind} {at_ms}")
    for folder in ("articles", "revisions"):
        for path in (mirror.root / folder).rglob("*.md"):
            lines = path.read_text(encoding="utf-8").split("\n")
            if len(lines) > 4 and lines[2] == "------":
                body = lines[4]
                values[_sha256(body)] = _sha256(_replace_all(body, values))
    values |= _port_free_site_state(mirror.root, values)
    return {old: new for old, new in values.items() if old != new}


def _port_free_site_state(root: Path, values: dict[str, str]) -> dict[str, str]:
    """The site's committed state hashes index shards and record lines: their port-free values."""
    inputs = read_site_state(root / "docs").inputs
    state: dict[str, str] = {}
    for path in sorted((root / "index").rglob("*.jsonl")):
        text = path.read_text(encoding="utf-8")
        state[shard_fingerprint(text.encode())] = shard_fingerprint(
            _replace_all(text, values).encode())
        for line in text.splitlines():
            state[page_hash(inputs, line)] = page_hash(inputs, _replace_all(line, values))
    return state


def _host(origin: str) -> str:
    return origin.split("://", 1)[1]


def _index_records(root: Path) -> Iterator[dict[str, Any]]:
    for path in sorted((root / "index").rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            yield json.loads(line)


def _article_id(source: str, canonical: str) -> str:
    return hashlib.sha256(f"{source}\n{canonical}".encode()).hexdigest()[:12]


def _uuid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
