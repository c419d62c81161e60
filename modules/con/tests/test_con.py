"""con: tasks, channels, locks, barriers and parallel_map on real threads."""

from __future__ import annotations

import threading
import time

import pytest

from axiom_con import _finish_tasks, module
from axiom_sdk import AxiomError
from axiom_sdk.testing import ScriptFunction as Fn
from axiom_sdk.testing import call, raises


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
