"""Work in other processes: a helper's results are the calls' own, whatever becomes of the helper."""

import functools
import os
import time

import pytest

from newsarchive import parallel
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


def slow_here(number, here):
    if os.getpid() == here:
        time.sleep(0.05)  # the workers take the others meanwhile
    return number * number, os.getpid()


def test_shared_work_is_done_by_workers_from_the_first_number_and_comes_back_in_order():
    with Workers(3).sharing(functools.partial(slow_here, here=os.getpid()), min_items=3) as work:
        for number in range(200):
            work.add(number)
        results = work.results()
        helpers = work.helpers
    assert [square for square, _ in results] == [n * n for n in range(200)]
    assert {pid for _, pid in results} - {os.getpid()}  # the workers did some
    assert helpers == []  # every worker was let go


def log_call(number, log, here):
    if os.getpid() != here:
        time.sleep(0.01)  # the build takes the others meanwhile
    with open(log, "a") as handle:
        handle.write(f"{number} {os.getpid()}\n")
    return number


def test_the_build_does_what_the_workers_have_not_begun_and_nothing_is_done_twice(tmp_path):
    log = tmp_path / "calls"
    with Workers(2).sharing(functools.partial(log_call, log=log, here=os.getpid()), min_items=1) as work:
        for number in range(300):
            work.add(number)
        assert work.results() == list(range(300))
    calls = [line.split() for line in log.read_text().splitlines()]
    assert sorted(int(number) for number, _ in calls) == list(range(300))
    assert str(os.getpid()) in {pid for _, pid in calls}  # the build took some from the pipe itself


def test_fewer_numbers_than_start_workers_are_done_here_when_the_results_are_asked_for():
    made = []

    def note(number):
        made.append(number)
        return number, os.getpid()
    with Workers(2).sharing(note, min_items=3) as work:
        work.add(1)
        work.add(2)
        assert made == []  # nothing is done before the results are wanted
        assert work.results() == [(1, os.getpid()), (2, os.getpid())]
        assert work.helpers == []


def fail_on_three(number):
    if number == 3:
        raise ValueError(f"three, in {os.getpid()}")
    return number


def test_a_number_that_fails_in_a_worker_is_done_again_here_where_its_error_is_raised():
    with Workers(2).sharing(fail_on_three, min_items=1) as work:
        for number in range(5):
            work.add(number)
        with pytest.raises(ValueError, match=f"three, in {os.getpid()}"):
            work.results()


def test_numbers_a_worker_never_answered_are_done_here(tmp_path):
    here = os.getpid()

    def die_in_a_worker(number):
        if os.getpid() != here:
            os._exit(3)
        return number
    with Workers(2).sharing(die_in_a_worker, min_items=1) as work:
        for number in range(20):
            work.add(number)
        assert work.results() == list(range(20))


def test_a_full_pipe_leaves_the_rest_to_the_build(monkeypatch):
    with Workers(2).sharing(square_and_pid, min_items=1) as work:
        work.add(0)
        monkeypatch.setattr(os, "write", lambda fd, data: (_ for _ in ()).throw(BlockingIOError()))
        for number in range(1, 50):
            work.add(number)
        monkeypatch.undo()
        assert work.backlog == list(range(1, 50))
        results = work.results()
    assert [square for square, _ in results] == [n * n for n in range(50)]
    assert {pid for _, pid in results[1:]} == {os.getpid()}


def test_the_results_do_not_wait_for_workers_to_exit_and_their_exits_are_collected_later():
    with Workers(3).sharing(square_and_pid, min_items=1) as work:
        for number in range(50):
            work.add(number)
        pids = [pid for pid, _ in work.helpers]
        assert [square for square, _ in work.results()] == [number * number for number in range(50)]
    deadline = time.monotonic() + 10
    while set(pids) & set(parallel._LEAVING) and time.monotonic() < deadline:
        time.sleep(0.01)
        parallel._collect_exits()  # as the next workers' start or stop does
    for pid in pids:
        with pytest.raises(ChildProcessError):  # collected: no process is left behind
            os.waitpid(pid, os.WNOHANG)
