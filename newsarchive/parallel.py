"""Work spread over the machine's cores: worker processes forked from the build, or none at all.

Workers are forked, so they start with everything the build has prepared (the config, the site
index, the Jinja environment) without copying it through pipes; only the items and results travel.
Results come back in the order of the items, so the output never depends on which worker was faster.
"""

from __future__ import annotations

import os
from typing import Callable, Iterator, Sequence, TypeVar

# Called as progress(stage, done, total) while a stage runs.
ProgressCallback = Callable[[str, int, int], None]

Item = TypeVar("Item")
Result = TypeVar("Result")



class Workers:
    """Maps functions over items with up to ``jobs`` processes."""

    def __init__(self, jobs: int | None = None):
        self.jobs = max(1, jobs or os.cpu_count() or 1)

    def map(self, function: Callable[[Item], Result], items: Sequence[Item], min_per_worker: int = 16) -> Iterator[Result]:
        """``function`` over ``items``, results in order; lazily, so the caller can stream them.

        A worker is started only for every ``min_per_worker`` items: below that, starting one
        (forking a large build) costs more than it saves.
        """
        jobs = min(self.jobs, len(items) // min_per_worker)
        if jobs < 2:
            return map(function, items)
        import multiprocessing  # only when a pool is started: a small rebuild needs none
        if "fork" not in multiprocessing.get_all_start_methods():
            return map(function, items)
        return self._in_pool(multiprocessing.get_context("fork"), function, items, jobs)

    @staticmethod
    def _in_pool(context, function: Callable, items: Sequence, jobs: int) -> Iterator:
        chunk = max(1, min(64, len(items) // (jobs * 8)))
        with context.Pool(jobs) as pool:
            yield from pool.imap(function, items, chunksize=chunk)


IN_PROCESS = Workers(1)
