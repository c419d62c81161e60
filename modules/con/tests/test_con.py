"""con: tasks, channels, locks, barriers and parallel_map on real threads."""

from __future__ import annotations

import threading
import time

import pytest

from axiom_con import _finish_tasks, module
from axiom_sdk import AxiomError
from axiom_sdk.testing import ScriptFunction as Fn
from axiom_sdk.testing import call, end_run, raises


def test_spawn_join_and_result():
    t = call(module, "spawn_task", Fn(lambda a, b: a + b), 2, 3)
    assert t.join() == 5 and t.result() == 5 and t.done() is True


def test_a_task_error_is_raised_again_at_join_unchanged():
    err = AxiomError("KeyError", "key \"k\" not found")

    def boom():
        raise err

    t = call(module, "spawn_task", Fn(boom))
    with pytest.raises(AxiomError) as e:
        t.join()
    assert e.value is err


def test_join_timeout():
    gate = threading.Event()
    t = call(module, "spawn_task", Fn(lambda: gate.wait(5)))
    with pytest.raises(AxiomError) as e:
        t.join(0.05)
    assert (e.value.kind, e.value.message) == ("IOError", "task.join: timed out after 0.05 s")
    gate.set()
    assert t.join() is True


def test_the_stop_hook_waits_and_reports_unjoined_errors(capsys):
    _finish_tasks(None)
    call(module, "spawn_task", Fn(lambda: time.sleep(0.1)))

    def fail():
        raise AxiomError("ValueError", "bad input")

    call(module, "spawn_task", Fn(fail))
    joined = call(module, "spawn_task", Fn(fail))
    with pytest.raises(AxiomError):
        joined.join()
    assert _finish_tasks(None) == 1
    assert capsys.readouterr().err == "Error in a task that was never joined: ValueError: bad input\n"
    assert _finish_tasks(None) is None


def test_channels_send_receive_in_order_with_capacity():
    tx, rx = call(module, "channel_create", 2)
    call(module, "channel_send", tx, 1)
    call(module, "channel_send", tx, 2)
    sent = []
    t = threading.Thread(target=lambda: (call(module, "channel_send", tx, 3), sent.append(3)))
    t.start()
    time.sleep(0.05)
    assert sent == []  # blocked: the channel is full
    assert call(module, "channel_recv", rx) == 1
    t.join(2)
    assert sent == [3]
    assert [call(module, "channel_recv", rx), call(module, "channel_recv", rx)] == [2, 3]
    assert call(module, "channel_try_recv", rx) is None


def test_receive_timeout_and_closed_channel():
    tx, rx = call(module, "channel_create", 0)
    err = raises(module, "channel_recv", rx, timeout=0.05)
    assert (err.kind, err.message) == ("IOError", "con.channel_recv: receive timed out")
    call(module, "channel_send", tx, "last")
    call(module, "channel_close", tx)
    assert call(module, "channel_recv", rx) == "last"
    err = raises(module, "channel_recv", rx)
    assert (err.kind, err.message) == ("IOError", "con.channel_recv: receive on a closed, empty channel")
    assert raises(module, "channel_send", tx, 1).message == "con.channel_send: send on a closed channel"
    assert raises(module, "channel_create", -1).kind == "ValueError"


def test_a_blocked_receiver_wakes_when_the_channel_closes():
    tx, rx = call(module, "channel_create", 1)
    results = []
    t = threading.Thread(target=lambda: results.append(raises(module, "channel_recv", rx).kind))
    t.start()
    time.sleep(0.05)
    call(module, "channel_close", rx)
    t.join(2)
    assert results == ["IOError"]


def test_many_tasks_contending_on_a_mutex_count_exactly():
    lock = call(module, "mutex_new")
    box = {"n": 0}

    def work():
        for _ in range(2000):
            lock.lock()
            v = box["n"]
            time.sleep(0) if v % 500 == 0 else None
            box["n"] = v + 1
            lock.unlock()

    tasks = [call(module, "spawn_task", Fn(work)) for _ in range(8)]
    for t in tasks:
        t.join(30)
    assert box["n"] == 16000
    with pytest.raises(AxiomError, match="mutex.unlock: the mutex is not locked"):
        lock.unlock()


def test_rwlock_allows_readers_together_and_writers_alone():
    rw = call(module, "rwlock_new")
    rw.read_lock()
    rw.read_lock()
    wrote = []
    t = threading.Thread(target=lambda: (rw.write_lock(), wrote.append(1), rw.write_unlock()))
    t.start()
    time.sleep(0.05)
    assert wrote == []
    rw.read_unlock()
    rw.read_unlock()
    t.join(2)
    assert wrote == [1]
    with pytest.raises(AxiomError):
        rw.read_unlock()


def test_barrier_releases_all_parties_together():
    b = call(module, "barrier_new", 3)
    arrived = []
    threads = [threading.Thread(target=lambda: arrived.append(b.wait())) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(2)
    assert sorted(arrived) == [0, 1, 2]
    assert raises(module, "barrier_new", 0).kind == "ValueError"


def test_parallel_map_keeps_order_and_raises_the_first_error():
    assert call(module, "parallel_map", Fn(lambda x: x * x), [3, 1, 2], workers=2) == [9, 1, 4]
    assert call(module, "parallel_map", Fn(lambda x: x), []) == []

    def f(x):
        if x >= 2:
            raise AxiomError("ValueError", f"bad {x}")
        return x

    err = raises(module, "parallel_map", Fn(f), [1, 2, 3])
    assert err.message == "bad 2"


@pytest.fixture
def fresh_run():
    """A run of its own: tasks, names (task 1, mutex 1) and waits start from nothing."""
    end_run(module)
    yield
    end_run(module)


def test_locking_a_mutex_this_task_holds_is_an_error_at_once(fresh_run):
    m = call(module, "mutex_new")
    m.lock()
    start = time.monotonic()
    with pytest.raises(AxiomError) as e:
        m.lock()
    assert (e.value.kind, e.value.message) == ("ValueError", "mutex.lock: mutex already held by this task")
    assert time.monotonic() - start < 1
    m.unlock()
    t = call(module, "spawn_task", Fn(lambda: m.lock()))
    t.join(5)
    with pytest.raises(AxiomError) as e:
        m.unlock()
    assert e.value.message == "mutex.unlock: the mutex is held by another task"


def test_a_lock_cycle_between_two_tasks_ends_both_with_a_report(fresh_run):
    a, b = call(module, "mutex_new"), call(module, "mutex_new")
    both = threading.Barrier(2)

    def one():
        a.lock()
        both.wait()
        b.lock()

    def two():
        b.lock()
        both.wait()
        a.lock()

    t1 = call(module, "spawn_task", Fn(one))
    t2 = call(module, "spawn_task", Fn(two))
    errors = []
    for t in (t1, t2):
        with pytest.raises(AxiomError) as e:
            t.join(10)
        errors.append(e.value)
    assert {e.kind for e in errors} == {"Error"}
    lines = errors[0].message.splitlines()
    assert lines[0] == "deadlock: these tasks wait for each other:"
    assert sorted(lines[1:]) == [
        "  task 1 (after the script's end) waits to lock mutex 2, held by task 2",
        "  task 2 (after the script's end) waits to lock mutex 1, held by task 1"]
    assert errors[1].message == errors[0].message


def test_every_wait_ends_at_the_runs_deadline(fresh_run):
    from axiom_sdk._module import run_deadline
    m = call(module, "mutex_new")
    rw = call(module, "rwlock_new")
    b = call(module, "barrier_new", 2)
    tx, rx = call(module, "channel_create", 1)
    call(module, "channel_send", tx, "fills it")
    gate = threading.Event()
    holder = call(module, "spawn_task", Fn(lambda: (m.lock(), rw.write_lock(), gate.wait(10))))
    time.sleep(0.1)
    token = run_deadline.set(time.monotonic() + 0.2)
    try:
        waits = [("mutex.lock", m.lock), ("rwlock.read_lock", rw.read_lock),
                 ("barrier.wait", b.wait), ("con.channel_send", lambda: call(module, "channel_send", tx, 2)),
                 ("task.join", holder.join)]
        for fname, wait in waits:
            start = time.monotonic()
            with pytest.raises(AxiomError) as e:
                wait()
            assert (e.value.kind, e.value.message) == (
                "LimitExceeded", f"{fname}: the run's time limit ended the wait (--timeout)")
            assert time.monotonic() - start < 2
    finally:
        run_deadline.reset(token)
        gate.set()
    holder.join(5)
    call(module, "channel_recv", rx)
    assert call(module, "channel_try_recv", rx) is None


def test_a_barrier_wait_that_ended_leaves_the_round_for_others(fresh_run):
    from axiom_sdk._module import run_deadline
    b = call(module, "barrier_new", 2)
    busy = threading.Event()
    other = threading.Thread(target=lambda: busy.wait(5))  # alive, so no deadlock
    other.start()
    token = run_deadline.set(time.monotonic() + 0.1)
    try:
        with pytest.raises(AxiomError) as e:
            b.wait()
        assert e.value.kind == "LimitExceeded"
    finally:
        run_deadline.reset(token)
        busy.set()
        other.join()
    arrived = []
    threads = [threading.Thread(target=lambda: arrived.append(b.wait())) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert sorted(arrived) == [0, 1]


def test_tasks_and_their_peak_are_counted_for_the_runs_metrics(fresh_run):
    from axiom_sdk._module import run
    counters = run().counters
    counters.pop("con.tasks_spawned", None)  # the process-wide run counts every test's tasks
    counters.pop("con.tasks_peak", None)
    gate = threading.Event()
    tasks = [call(module, "spawn_task", Fn(lambda: gate.wait(5))) for _ in range(3)]
    gate.set()
    for t in tasks:
        t.join(5)
    call(module, "spawn_task", Fn(lambda: 1)).join(5)
    assert run().counters["con.tasks_spawned"] == 4
    assert run().counters["con.tasks_peak"] == 3


def test_parallel_map_ends_at_the_runs_deadline(fresh_run):
    from axiom_sdk._module import run_deadline
    gate = threading.Event()
    token = run_deadline.set(time.monotonic() + 0.2)
    try:
        err = raises(module, "parallel_map", Fn(lambda x: gate.wait(5)), [1, 2], workers=1)
    finally:
        run_deadline.reset(token)
        gate.set()
    assert (err.kind, err.message) == ("LimitExceeded", "con.parallel_map: the run's time limit "
                                                        "ended the wait (--timeout)")


@pytest.fixture
def busy():
    """A thread alive beside the waiter and not waiting in con: a wait it could end is no
    deadlock, so only the run's deadline ends it."""
    done = threading.Event()
    other = threading.Thread(target=lambda: done.wait(10))
    other.start()
    yield
    done.set()
    other.join()


def _blocked_join():
    gate = threading.Event()
    t = call(module, "spawn_task", Fn(lambda: gate.wait(5)))
    try:
        t.join()
    finally:
        gate.set()


def _blocked_send():
    tx, rx = call(module, "channel_create", 1)
    call(module, "channel_send", tx, 1)
    call(module, "channel_send", tx, 2)  # full: waits for a receiver


def _blocked_lock():
    m = call(module, "mutex_new")
    holder = threading.Thread(target=m.lock)
    holder.start()
    holder.join()
    m.lock()  # held by a thread that never unlocks


def _blocked_write_lock():
    rw = call(module, "rwlock_new")
    rw.read_lock()
    rw.write_lock()


def _blocked_read_lock():
    rw = call(module, "rwlock_new")
    rw._writer = -1  # as if another task held the write lock
    rw.read_lock()


def _blocked_barrier():
    call(module, "barrier_new", 2).wait()


def _blocked_parallel_map():
    from axiom_sdk import bounded_wait
    gate = threading.Event()
    call(module, "parallel_map", Fn(lambda x: bounded_wait(gate.wait, where="f")), [1])


@pytest.mark.parametrize("block, where", [
    (_blocked_join, "task.join"),
    (lambda: call(module, "channel_recv", call(module, "channel_create", 1)[1]), "con.channel_recv"),
    (_blocked_send, "con.channel_send"),
    (_blocked_lock, "mutex.lock"),
    (_blocked_read_lock, "rwlock.read_lock"),
    (_blocked_write_lock, "rwlock.write_lock"),
    (_blocked_barrier, "barrier.wait"),
    (_blocked_parallel_map, "con.parallel_map"),
])
def test_each_wait_alone_ends_at_the_runs_deadline(fresh_run, busy, block, where):
    from axiom_sdk.testing import deadline
    start = time.monotonic()
    with deadline(0.2), pytest.raises(AxiomError) as e:
        block()
    assert time.monotonic() - start < 2
    if block is _blocked_parallel_map and e.value.message.startswith("f:"):
        where = "f"  # the item's own wait ended first, and its error came back
    assert (e.value.kind, e.value.message) == (
        "LimitExceeded", f"{where}: the run's time limit ended the wait (--timeout)")


def test_parallel_map_items_run_under_the_scripts_time_limit_and_checks():
    from axiom_sdk import capability_check, time_left
    from axiom_sdk.testing import deadline

    def seen(x):
        return [time_left() is not None, capability_check.get() is not None]

    token = capability_check.set(lambda cap, resource: None)
    try:
        with deadline(5):
            assert call(module, "parallel_map", Fn(seen), [1, 2], workers=2) == [[True, True]] * 2
    finally:
        capability_check.reset(token)


def test_a_writer_that_gave_up_lets_readers_in_again(fresh_run, busy):
    from axiom_sdk.testing import deadline
    rw = call(module, "rwlock_new")
    rw.read_lock()
    with deadline(0.1), pytest.raises(AxiomError) as e:
        rw.write_lock()
    assert e.value.kind == "LimitExceeded"
    rw.read_lock()  # no writer waits any more
    assert rw._readers == {threading.get_ident(): 2} and not rw._waiting_writers
