"""The manifest of the site's search index: segments, tombstones, merges under way.

``{site}/search/manifest.json`` is the one file that makes a change visible:
segment files and document entries are written first, the manifest last
(atomically), so a run stopped in between leaves the previous index whole.

- Segments are listed oldest first.  Each has a generation; a new segment gets
  the next one.
- Tombstones (``dead``) map a docid to a generation: that document's postings
  in segments older than it are dead.  An edited article keeps its docid, gets
  its new postings in a new segment, and a tombstone with that segment's
  generation; a removed article gets a tombstone newer than every segment.
- Merges are tiered: a segment's level is ``floor(log8(documents))``; when
  :data:`FAN_IN` segments share a level they are merged into one.  A merge may
  take several runs (``merging``, at most one per level, so a long merge of
  large segments never holds up those of small ones); its inputs stay in use
  until it is done, and their files are then deleted, a few per run (``garbage``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from newsmirror.search.segments import MergeProgress, Segment
from newsmirror.store.files import write_atomic

MANIFEST_FILENAME = "manifest.json"
FORMAT = 2
FAN_IN = 8
DOCS_PER_CHUNK = 32


@dataclass(slots=True)
class Manifest:
    """The index as it stands; changed in place by an update, then saved."""

    rules: str
    timezone: str
    next_docid: int = 0
    next_generation: int = 0
    segments: list[Segment] = field(default_factory=list)
    dead: dict[int, int] = field(default_factory=dict)
    merging: list[MergeProgress] = field(default_factory=list)
    garbage: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)

    def new_generation(self) -> int:
        self.next_generation += 1
        return self.next_generation - 1

    def is_live(self, docid: int, generation: int) -> bool:
        """Whether a document indexed by the segment of ``generation`` is current."""
        return generation < self.next_generation and self.dead.get(docid, -1) <= generation


def level_of(segment: Segment) -> int:
    level, docs = 0, max(segment.docs, 1)
    while docs >= FAN_IN:
        docs //= FAN_IN
        level += 1
    return level


def next_merge(manifest: Manifest) -> list[Segment]:
    """The oldest FAN_IN segments of the lowest level that has that many and no merge
    under way ([] if none)."""
    busy_levels = {level_of(m.inputs[0]) for m in manifest.merging}
    levels: dict[int, list[Segment]] = {}
    for segment in manifest.segments:
        levels.setdefault(level_of(segment), []).append(segment)
    for level in sorted(set(levels) - busy_levels):
        if len(levels[level]) >= FAN_IN:
            return sorted(levels[level], key=lambda s: s.generation)[:FAN_IN]
    return []


def finish_merge(manifest: Manifest, done: MergeProgress) -> None:
    """Put a finished merge's output in place of its inputs; drop unneeded tombstones."""
    assert done.done
    names = {s.name for s in done.inputs}
    kept = [s for s in manifest.segments if s.name not in names]
    manifest.segments = sorted([*kept, done.output], key=lambda s: s.generation)
    manifest.merging = [m for m in manifest.merging if m.output.name != done.output.name]
    manifest.garbage += sorted(names)
    manifest.dead = {d: g for d, g in manifest.dead.items() if any(
        s.generation < g and s.low <= d <= s.high for s in manifest.segments)}


def load_manifest(folder: Path) -> Manifest | None:
    """The manifest in ``folder`` (None when missing, unreadable or of another format)."""
    try:
        raw = json.loads((folder / MANIFEST_FILENAME).read_text(encoding="utf-8"))
        if raw.get("format") != FORMAT:
            return None
        return _manifest_from_json(raw)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _manifest_from_json(raw: dict[str, Any]) -> Manifest:
    return Manifest(
        rules=str(raw["rules"]), timezone=str(raw["timezone"]),
        next_docid=int(raw["next_docid"]), next_generation=int(raw["next_generation"]),
        segments=[Segment(**s) for s in raw["segments"]],
        dead={int(d): int(g) for d, g in raw["dead"]},
        merging=[MergeProgress(tuple(Segment(**s) for s in m["inputs"]), Segment(**m["output"]),
                               int(m["next_bucket"])) for m in raw["merging"]],
        garbage=[str(name) for name in raw["garbage"]],
        sources={str(k): str(v) for k, v in raw["sources"].items()},
    )


def manifest_json(manifest: Manifest) -> str:
    return json.dumps({
        "format": FORMAT,
        "rules": manifest.rules,
        "timezone": manifest.timezone,
        "docs_per_chunk": DOCS_PER_CHUNK,
        "next_docid": manifest.next_docid,
        "next_generation": manifest.next_generation,
        "sources": dict(sorted(manifest.sources.items())),
        "segments": [asdict(s) for s in manifest.segments],
        "dead": sorted(manifest.dead.items()),
        "merging": [{"inputs": [asdict(s) for s in m.inputs], "output": asdict(m.output),
                     "next_bucket": m.next_bucket} for m in manifest.merging],
        "garbage": manifest.garbage,
    }, ensure_ascii=False, separators=(",", ":")) + "\n"


def save_manifest(folder: Path, manifest: Manifest) -> bool:
    return write_atomic(folder / MANIFEST_FILENAME, manifest_json(manifest))


__all__ = [
    "DOCS_PER_CHUNK",
    "FAN_IN",
    "MANIFEST_FILENAME",
    "Manifest",
    "finish_merge",
    "level_of",
    "load_manifest",
    "manifest_json",
    "next_merge",
    "save_manifest",
]
