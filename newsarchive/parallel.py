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
    def sharing(self, function: Callable[[int], Result], min_items: int = 16) -> Iterator["SharedWork"]:
        """A SharedWork of ``function`` over numbers, the build being one of its ``jobs`` processes."""
        work = SharedWork(function, self.jobs - 1 if hasattr(os, "fork") else 0, min_items)
        try:
            yield work
        finally:
            work.stop()


class SharedWork:
    """``function`` over numbers handed over one by one, by forked workers and by the build itself.

    For work found while the build goes on with other work: once ``min_items`` numbers are in
    (a build with fewer forks none), workers take them from a pipe and work while the build finds
    the rest. When the build asks for the results, it takes what the workers have not begun from
    the same pipe and does it here, where it has no copies of memory to make (a forked worker
    copies each page of the build's memory it touches) and everything is loaded. A number a worker
    failed on, or never answered (it died), is done here too, so that its error is raised here.
    ``function`` must give a picklable result and depend on nothing but its number and what the
    workers were forked with.
    """

    def __init__(self, function: Callable[[int], object], workers: int, min_items: int):
        self.function, self.workers, self.min_items = function, workers, min_items
        self.numbers: list[int] = []
        self.tasks: tuple[int, int] | None = None  # the pipe of numbers to do: read end, write end
        self.backlog: list[int] = []  # numbers the pipe had no room for: done here
        self.helpers: list[tuple[int, int]] = []  # each worker's pid and the read end of its answers

    def add(self, number: int) -> None:
        self.numbers.append(number)
        if self.tasks is not None:
            self._hand_over(number)
        elif self.workers and len(self.numbers) >= self.min_items:
            self._start()
            for earlier in self.numbers:
                self._hand_over(earlier)

    def _start(self) -> None:
        read_end, write_end = os.pipe()
        answers = [os.pipe() for _ in range(self.workers)]
        for number, (answers_read, answers_write) in enumerate(answers):
            pid = os.fork()
            if pid == 0:  # a worker: keep only its end of the numbers and of its own answers
                for fd in (write_end, *(end for pair in answers for end in pair if end != answers_write)):
                    os.close(fd)
                _answer(self.function, read_end, answers_write)
            self.helpers.append((pid, answers_read))
        for _, answers_write in answers:
            os.close(answers_write)
        os.set_blocking(write_end, False)  # a full pipe must not stop the build: the backlog takes the rest
        self.tasks = (read_end, write_end)

    def _hand_over(self, number: int) -> None:
        if not self.backlog:
            try:
                os.write(self.tasks[1], number.to_bytes(_NUMBER_BYTES, "big"))  # one record: written whole
                return
            except BlockingIOError:
                pass
        self.backlog.append(number)

    def results(self) -> list:
        """Every number's result, in the order the numbers were added."""
        made = {}
        if self.tasks is not None:
            read_end, write_end = self.tasks
            os.close(write_end)  # workers stop once the pipe is empty
            self.tasks = (read_end, -1)
            for number in self.backlog:
                made[number] = self.function(number)
            while record := os.read(read_end, _NUMBER_BYTES):  # records are read whole, as written
                number = int.from_bytes(record, "big")
                made[number] = self.function(number)
            for pid, answers_read in self.helpers:
                made.update(_answers(answers_read))
            self._reap()
        return [made[number] if number in made else self.function(number) for number in self.numbers]

    def stop(self) -> None:
        """Stop the workers (after the results, they have left already) and close the pipes."""
        for pid, _ in self.helpers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self._reap()
        if self.tasks is not None:
            for fd in self.tasks:
                if fd >= 0:
                    os.close(fd)
            self.tasks = None

    def _reap(self) -> None:
        for _, answers_read in self.helpers:
            with contextlib.suppress(OSError):
                os.close(answers_read)
        _collect_exits([pid for pid, _ in self.helpers])
        self.helpers = []


_NUMBER_BYTES = 4
_LEAVING: list[int] = []  # workers let go whose exit is not collected yet


def _collect_exits(pids: Sequence[int] = ()) -> None:
    """Collect the exit of the workers that have left, and leave the others for the next call.

    A large forked process takes milliseconds to exit (its memory is unmapped), and the build need
    not wait for that: the next workers it lets go, or its own exit, collect them. A thread waiting
    for them instead would make every later fork one from a process with threads.
    """
    _LEAVING.extend(pids)
    for pid in list(_LEAVING):
        try:
            gone, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            gone = pid
        if gone:
            _LEAVING.remove(pid)


def _answer(function: Callable[[int], object], numbers: int, answers: int) -> None:
    """In a worker: do each number taken from the pipe, and send (number, made, result) for each."""
    code = 0
    try:
        with os.fdopen(answers, "wb") as stream:
            while len(record := os.read(numbers, _NUMBER_BYTES)) == _NUMBER_BYTES:
                number = int.from_bytes(record, "big")
                try:
                    message = pickle.dumps((number, True, function(number)), pickle.HIGHEST_PROTOCOL)
                except Exception:  # done again by the build, which then reports it
                    message = pickle.dumps((number, False, None))
                stream.write(len(message).to_bytes(4, "big") + message)
                stream.flush()
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _answers(answers: int) -> dict[int, object]:
    """What a worker sent until it left: each number it made, with its result."""
    made = {}
    with os.fdopen(answers, "rb", closefd=False) as stream:
        while len(header := stream.read(4)) == 4:
            try:
                number, ok, result = pickle.loads(stream.read(int.from_bytes(header, "big")))
            except Exception:  # it died halfway through a message
                break
            if ok:
                made[number] = result
    return made


IN_PROCESS = Workers(1)


class Prefetch:
    """Calls made ahead, in one forked helper, while the build goes on: ``result(n)`` is what
    ``calls[n]()`` returns.

    For work the build needs only later, done meanwhile on another core: thousands of stat calls
    at the start, or half of a long computation (a thread would get the interpreter between the
    build's own steps only; a process has a core of its own). Forking copies the build's memory on
    write, so a helper is worth it for tens of milliseconds of work or more. It sends each result
    as soon as it has it, in order. Where there is no fork, or the helper fails (or any call in it
    raises), ``result(n)`` makes the call here instead: a helper changes how soon a result comes,
    never what it is.

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
