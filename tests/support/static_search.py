"""Reads the site's search index the way search.js does, for tests that need no browser."""

from __future__ import annotations

import json
from pathlib import Path

from newsmirror.search.postings import bucket_of, read_entries
from newsmirror.search.terms import parse_query


def _postings(folder: Path, segment: dict, term: bytes) -> list[int]:
    data = (folder / segment["name"] / f"{bucket_of(term, segment['bits'])}.bin").read_bytes()
    for entry in read_entries(data, segment["low"]):
        if entry.term == term:
            return entry.docids()
    return []


def find_docids(folder: Path, query: str) -> list[int]:
    """The docids that have every term of ``query``, newest (highest) first."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    dead = dict(manifest["dead"])
    terms = [t.encode("utf-8") for t in parse_query(query).terms]
    found: set[int] = set()
    for segment in manifest["segments"]:
        matches: set[int] | None = None
        for term in terms:
            docids = set(_postings(folder, segment, term))
            matches = docids if matches is None else matches & docids
        found |= {d for d in matches or () if dead.get(d, -1) <= segment["generation"]}
    return sorted(found, reverse=True)


def find_entries(folder: Path, query: str) -> list[list]:
    """The result entries (page, title, source, date, summary, id, …) of a query."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    size = manifest["docs_per_chunk"]
    entries = []
    for docid in find_docids(folder, query):
        chunk = json.loads((folder / "docs" / f"{docid // size}.json").read_text("utf-8"))
        entries.append(chunk[docid % size])
    return entries


def find_ids(folder: Path, query: str) -> set[str]:
    """The article ids a query finds."""
    return {entry[5] for entry in find_entries(folder, query)}
