"""Work in other processes: a helper's results are the calls' own, whatever becomes of the helper."""

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
