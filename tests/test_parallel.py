"""Work in other processes: a helper's results are the calls' own, whatever becomes of the helper."""

import functools
import os
import time

import pytest

from newsarchive.parallel import Prefetch, Workers


def square_and_pid(number):
    return number * number, os.getpid()


def test_workers_give_results_in_the_order_of_the_items():
    results = list(Workers(2).map(square_and_pid, list(range(100)), min_per_worker=10))
    assert [square for square, _ in results] == [n * n for n in range(100)]
    assert os.getpid() not in {pid for _, pid in results}


def test_a_prefetch_makes_its_calls_in_another_process_and_gives_their_results():
    here = os.getpid()
    with Prefetch([os.getpid, lambda: ["a", {"b": (1, 2)}]]) as ahead:
        helper = ahead.pid
        assert ahead.result(1) == ["a", {"b": (1, 2)}]
        assert ahead.result(0) not in (here, None)
    assert helper is not None
    with pytest.raises(ChildProcessError):  # it was waited for: no process is left behind
        os.waitpid(helper, os.WNOHANG)


def test_a_call_that_fails_in_the_helper_is_made_here_with_those_after_it():
    here = os.getpid()

    def only_here():
        if os.getpid() != here:
            raise OSError("not in the helper")
        return "made here"
    with Prefetch([lambda: 1, only_here, os.getpid]) as ahead:
        assert (ahead.result(0), ahead.result(1), ahead.result(2)) == (1, "made here", here)


def test_a_helper_that_dies_leaves_its_calls_to_be_made_here():
    here = os.getpid()

    def die_in_the_helper():
        if os.getpid() != here:
            os._exit(3)
        return "made here"
    with Prefetch([die_in_the_helper, os.getpid]) as ahead:
        assert (ahead.result(0), ahead.result(1)) == ("made here", here)


def test_a_helper_whose_results_are_not_wanted_is_stopped():
    here = os.getpid()

    def slow():
        if os.getpid() != here:
            time.sleep(30)  # stands for a long scan
        return 0
    with Prefetch([slow]) as ahead:
        helper = ahead.pid
    with pytest.raises(ChildProcessError):
        os.waitpid(helper, os.WNOHANG)


def test_without_fork_the_calls_are_made_here(monkeypatch):
    monkeypatch.delattr(os, "fork")
    with Prefetch([os.getpid]) as ahead:
        assert ahead.result(0) == os.getpid()


def test_calls_submitted_on_demand_are_made_by_workers_from_the_first_on_and_come_back_in_order():
    import multiprocessing
    with Workers(2).on_demand(square_and_pid, min_items=3) as submit:
        results = [submit(number) for number in range(10)]
        made = [result() for result in results]
    assert [square for square, _ in made] == [n * n for n in range(10)]
    # The two submitted before the workers started were handed to them too.
    assert os.getpid() not in {pid for _, pid in made}
    assert multiprocessing.active_children() == []  # the workers were stopped with the block


def test_fewer_calls_than_start_workers_are_made_here_when_asked_for():
    made = []

    def note(number):
        made.append(number)
        return number, os.getpid()
    with Workers(2).on_demand(note, min_items=3) as submit:
        first, second = submit(1), submit(2)
        assert made == []  # nothing is made before its result is wanted
        assert (second(), first()) == ((2, os.getpid()), (1, os.getpid()))
    assert made == [2, 1]


def log_call(number, log):
    with open(log, "a") as handle:
        handle.write(f"{number} {os.getpid()}\n")
    return number


def test_a_call_made_here_is_not_made_again_when_the_workers_start(tmp_path):
    log = tmp_path / "calls"
    with Workers(2).on_demand(functools.partial(log_call, log=log), min_items=2) as submit:
        first = submit(3)
        assert first() == 3
        second = submit(4)  # the workers start now, with this call only
        assert second() == 4
    calls = [line.split() for line in log.read_text().splitlines()]
    assert calls == [["3", str(os.getpid())], ["4", calls[1][1]]] and calls[1][1] != str(os.getpid())


def fail_on_three(number):
    if number == 3:
        raise ValueError("three")
    return number


def test_a_call_that_fails_in_a_worker_raises_where_its_result_is_asked_for():
    with Workers(2).on_demand(fail_on_three, min_items=1) as submit:
        results = [submit(number) for number in range(5)]
        assert [results[n]() for n in (0, 1, 2)] == [0, 1, 2]
        with pytest.raises(ValueError, match="three"):
            results[3]()
