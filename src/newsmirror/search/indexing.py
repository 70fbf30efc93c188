"""Turning documents into segments and merging segments, in this process or in workers.

A batch of documents becomes one segment: its text is cut into terms and the
postings gathered in memory (one batch bounds the memory).  A large build (a
first run over an imported archive, a rebuild) hands batches to a pool of
worker processes, at most one batch ahead per worker, and merges independent
groups of segments in parallel too; results are taken in order, so the index
is the same whichever way it was built.
"""

from __future__ import annotations

import os
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import repeat
from multiprocessing import get_context
from pathlib import Path
from typing import Generic, TypeVar

from newsmirror.search.segments import (
    MergeProgress,
    Segment,
    WriteBudget,
    merge_some,
    write_segment,
)
from newsmirror.search.terms import text_terms

TagT = TypeVar("TagT")
ResultT = TypeVar("ResultT")


@dataclass(frozen=True, slots=True)
class BatchText:
    """One document of a batch: its docid and the text to index (title and body)."""

    docid: int
    text: str


def index_texts(folder: Path, name: str, generation: int, texts: Sequence[BatchText]) -> Segment:
    """Write the segment of one batch of documents (ascending docids)."""
    postings: dict[str, list[int]] = defaultdict(list)
    for item in texts:
        # postings[term].append(docid) for every term, looped in C: a first build
        # makes about a thousand postings per article.
        deque(map(list.append, map(postings.__getitem__, text_terms(item.text)),
                  repeat(item.docid)), maxlen=0)
    return write_segment(folder, name, generation, postings, [t.docid for t in texts])


def merge_all(folder: Path, progress: MergeProgress, dead: Mapping[int, int]) -> MergeProgress:
    """Write a whole merge at once."""
    return merge_some(folder, progress, dead, WriteBudget())


@contextmanager
def worker_pool(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    """A pool of ``workers`` processes (None: work in this process)."""
    workers = min(workers, os.cpu_count() or 1)
    if workers < 2:
        yield None
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        yield pool


class InOrder(Generic[TagT, ResultT]):
    """Runs jobs in a pool (or at once without one), giving results back in order.

    At most ``ahead`` jobs wait in the pool, so the inputs held stay bounded.
    """

    def __init__(self, pool: ProcessPoolExecutor | None, ahead: int) -> None:
        self.pool = pool
        self.ahead = ahead
        self.waiting: deque[tuple[TagT, Future[ResultT]]] = deque()

    def submit(self, tag: TagT, function: Callable[..., ResultT], *args: object
               ) -> list[tuple[TagT, ResultT]]:
        """Start a job; return the (tag, result) of jobs finished meanwhile, in order."""
        if self.pool is None:
            return [(tag, function(*args))]
        self.waiting.append((tag, self.pool.submit(function, *args)))
        done = []
        while len(self.waiting) > self.ahead:
            waiting_tag, future = self.waiting.popleft()
            done.append((waiting_tag, future.result()))
        return done

    def drain(self) -> list[tuple[TagT, ResultT]]:
        """The (tag, result) of every job still running, in order."""
        done = [(tag, future.result()) for tag, future in self.waiting]
        self.waiting.clear()
        return done


__all__ = ["BatchText", "InOrder", "index_texts", "merge_all", "worker_pool"]
