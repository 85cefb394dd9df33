"""Work spread over the machine's cores: worker processes forked from the build, or none at all.

Workers are forked, so they start with everything the build has prepared (the config, the site
index, the Jinja environment) without copying it through pipes; only the items and results travel.
Results come back in the order of the items, so the output never depends on which worker was faster.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
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

    @contextlib.contextmanager
    def on_demand(self, function: Callable[[Item], Result],
                  min_items: int = 16) -> Iterator[Callable[[Item], Callable[[], Result]]]:
        """``submit``, where ``submit(item)`` hands ``function(item)`` to the workers and gives
        what to call for its result.

        For items found one by one while the build goes on with other work, which the workers
        then do meanwhile. They start at the ``min_items``-th item (taking those before it too),
        so that a build with fewer forks none: those calls are made here, when their results are
        asked for, as with one job or no fork.
        """
        pending = _Pending(function, self.jobs if self.jobs > 1 and _can_fork() else 1, min_items)
        try:
            yield pending.submit
        finally:
            pending.stop()


def _can_fork() -> bool:
    import multiprocessing  # only when workers may start: a small rebuild needs none
    return "fork" in multiprocessing.get_all_start_methods()


class _Pending:
    """The calls submitted to Workers.on_demand: each made by the workers once they run, else here."""

    def __init__(self, function: Callable, jobs: int, min_items: int):
        self.function, self.jobs, self.min_items = function, jobs, min_items
        self.items: list = []
        self.waiting: dict[int, object] = {}  # item number -> the workers' result to come
        self.made_here: set[int] = set()
        self.pool = None

    def submit(self, item) -> Callable[[], object]:
        number = len(self.items)
        self.items.append(item)
        if self.pool is not None:
            self.waiting[number] = self.pool.apply_async(self.function, (item,))
        elif self.jobs > 1 and len(self.items) >= self.min_items:
            import multiprocessing
            self.pool = multiprocessing.get_context("fork").Pool(self.jobs)
            for earlier, earlier_item in enumerate(self.items):
                if earlier not in self.made_here:
                    self.waiting[earlier] = self.pool.apply_async(self.function, (earlier_item,))
        return lambda: self.result(number)

    def result(self, number: int):
        waiting = self.waiting.pop(number, None)
        if waiting is not None:
            return waiting.get()
        self.made_here.add(number)
        return self.function(self.items[number])

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()


IN_PROCESS = Workers(1)


class Prefetch:
    """Calls made ahead, in one forked helper, while the build goes on: ``result(n)`` is what
    ``calls[n]()`` returns.

    For work that waits on the file system (thousands of stat calls) and that the build needs
    only later: a thread would get the interpreter between the build's own steps only, a process
    has a core of its own. The helper is forked before the build holds much memory, so copying
    on write costs it little. It sends each result as soon as it has it, in order. Where there
    is no fork, or the helper fails (or any call in it raises), ``result(n)`` makes the call
    here instead: a helper changes how soon a result comes, never what it is.

    Use it as a context manager, so that the helper is waited for however the build ends.
    """

    def __init__(self, calls: Sequence[Callable[[], object]]):
        self.calls = list(calls)
        self.results: list = []
        self.stream = None
        self.pid = None
        if not hasattr(os, "fork"):
            return
        read_end, write_end = os.pipe()
        try:
            self.pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return
        if self.pid == 0:  # the helper: make every call, send each result, and leave at once
            os.close(read_end)
            _make_calls(self.calls, write_end)
        os.close(write_end)
        self.stream = os.fdopen(read_end, "rb")

    def result(self, number: int):
        while len(self.results) <= number and self.stream is not None:
            try:
                made, value = pickle.load(self.stream)
            except Exception:  # the helper died, or left half a message: make the rest here
                made, value = False, None
            if not made:
                self._stop(kill=True)
                break
            self.results.append(value)
            if len(self.results) == len(self.calls):
                self._stop()  # it has left, or is about to
        if number < len(self.results):
            return self.results[number]
        return self.calls[number]()

    def _stop(self, kill: bool = False) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None
        if self.pid:
            if kill:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = None

    def __enter__(self) -> "Prefetch":
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop(kill=True)  # what it has not sent by now is not wanted


def _make_calls(calls: Sequence[Callable[[], object]], write_end: int) -> None:
    """In the helper: send (True, result) for each call in order, (False, None) at the first that fails."""
    code = 0
    try:
        with os.fdopen(write_end, "wb") as stream:
            for call in calls:
                try:
                    message = pickle.dumps((True, call()), pickle.HIGHEST_PROTOCOL)
                except Exception:
                    message, code = pickle.dumps((False, None)), 1
                stream.write(message)
                stream.flush()
                if code:
                    break
    except BaseException:
        code = 1
    finally:
        os._exit(code)  # no clean-up: the build's buffers, handlers and files are the build's
