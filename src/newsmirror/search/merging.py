"""When segments are merged and merged-away files deleted, within what an update may write.

An ordinary run has a budget (bytes and files written or deleted).  Merges go
lowest level first, whether under way or due (each level at most one at a
time), so small segments never wait for a long merge of large ones; what is
left of the budget deletes the files of merged-away segments.  A large update merges everything that is due at once,
independent groups in parallel.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

from newsmirror.search.indexing import InOrder, merge_all
from newsmirror.search.manifest import (
    FAN_IN,
    Manifest,
    finish_merge,
    level_of,
    next_merge,
    save_manifest,
)
from newsmirror.search.segments import MergeProgress, Segment, WriteBudget, merge_some, plan_merge


def merge_within_budget(folder: Path, manifest: Manifest, budget: WriteBudget) -> None:
    """Merge, lowest level first: a merge under way goes on, a due one starts."""
    while not budget.exhausted:
        progress = _lowest_merge(manifest)
        if progress is None:
            return
        _go_on(folder, manifest, progress, budget)


def _lowest_merge(manifest: Manifest) -> MergeProgress | None:
    under_way = sorted(manifest.merging, key=lambda m: level_of(m.inputs[0]))
    due = next_merge(manifest)
    if due and (not under_way or level_of(due[0]) < level_of(under_way[0].inputs[0])):
        generation = manifest.new_generation()
        progress = plan_merge(due, f"s{generation}", generation)
        manifest.merging.append(progress)
        return progress
    return under_way[0] if under_way else None


def _go_on(folder: Path, manifest: Manifest, progress: MergeProgress,
           budget: WriteBudget) -> None:
    done = merge_some(folder, progress, manifest.dead, budget)
    manifest.merging = [done if m.output.name == done.output.name else m
                        for m in manifest.merging]
    if done.done:
        finish_merge(manifest, done)
    save_manifest(folder, manifest)


def merge_everything(folder: Path, manifest: Manifest, runner: InOrder[str, MergeProgress],
                     budget: WriteBudget) -> None:
    """Finish the merges under way, then merge every full level, groups in parallel."""
    for progress in list(manifest.merging):
        _go_on(folder, manifest, progress, budget)
    while groups := _full_groups(manifest):
        for group in groups:
            generation = manifest.new_generation()
            progress = plan_merge(group, f"s{generation}", generation)
            for _, done in runner.submit(progress.output.name, merge_all, folder, progress,
                                         dict(manifest.dead)):
                _save_merge(folder, manifest, done, budget)
        for _, done in runner.drain():
            _save_merge(folder, manifest, done, budget)


def _full_groups(manifest: Manifest) -> list[list[Segment]]:
    """Disjoint groups of FAN_IN segments, oldest first, of the lowest level that has any."""
    levels: dict[int, list[Segment]] = defaultdict(list)
    for segment in sorted(manifest.segments, key=lambda s: s.generation):
        levels[level_of(segment)].append(segment)
    for level in sorted(levels):
        chosen = levels[level]
        if len(chosen) >= FAN_IN:
            return [chosen[i:i + FAN_IN] for i in range(0, len(chosen) - FAN_IN + 1, FAN_IN)]
    return []


def _save_merge(folder: Path, manifest: Manifest, done: MergeProgress,
                budget: WriteBudget) -> None:
    budget.bytes_written += done.output.size_bytes
    finish_merge(manifest, done)
    save_manifest(folder, manifest)


def delete_garbage(folder: Path, manifest: Manifest, budget: WriteBudget) -> None:
    """Delete the files of merged-away segments, as many as the budget allows."""
    while manifest.garbage and not budget.exhausted:
        segment_folder = folder / manifest.garbage[0]
        for path in sorted(segment_folder.glob("*.bin")):
            if budget.exhausted:
                return
            path.unlink()
            budget.spend(0)
        shutil.rmtree(segment_folder, ignore_errors=True)
        manifest.garbage.pop(0)


__all__ = ["delete_garbage", "merge_everything", "merge_within_budget"]
