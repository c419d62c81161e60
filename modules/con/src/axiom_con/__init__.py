"""Axiom module `con`: tasks, channels, locks and parallel map (threading, queue-like
channels, concurrent.futures for parallel_map).

Tasks run an Axiom function on a worker thread; each thread runs its own VM frames, and
Axiom code in a task holds the same capabilities as the script. A script ends when its
last statement has run and every task it spawned has finished (the run's stop hook waits
for them); a task's error that no one joined is reported on stderr then, with its kind,
message and position, and the run's exit status is 1. An uncaught error in the main
script ends the run at once, without waiting.

Decisions (the spec is silent):
  * `task.join(timeout=nil)` waits and returns the task's result (raising its error again,
    kind and message unchanged); when the timeout passes first it raises IOError
    "task.join: timed out after T s". `task.result()` is join() without a timeout.
  * `channel_create(0)` makes an unbounded channel; a negative capacity is a ValueError.
    Sending on a closed channel is an IOError; closing twice is harmless.
  * `parallel_map` raises the error of the first item (in the order of `xs`) that failed.
"""

from __future__ import annotations

import sys
import threading
from collections import deque
from typing import Any

from axiom_sdk import AxiomError, Function, Module, spawn_thread, time_left

module = Module("con", summary="Concurrency: tasks, channels, locks and parallel map",
                title="Concurrency")

_tasks: list[Task] = []
_tasks_lock = threading.Lock()


@module.foreign_type("task", methods=["join", "result", "done"],
                     display=lambda t: f"<task {'done' if t.done() else 'running'}>")
class Task:
    """A function running on its own thread."""

    def __init__(self, fn: Function, args: tuple[Any, ...]) -> None:
        self.fn = fn
        self.args = args
        self.value: Any = None
        self.error: AxiomError | None = None
        self.joined = False
        self.finished = threading.Event()
        self.thread: threading.Thread | None = None

    def _run(self) -> None:
        try:
            self.value = self.fn(*self.args)
        except AxiomError as e:
            self.error = e
        except BaseException as e:  # never let a task die silently
            self.error = AxiomError("Error", f"internal error in a task: {type(e).__name__}: {e}")
        finally:
            self.finished.set()

    def join(self, timeout: float | None = None) -> Any:
        """Wait for the task; its result, or its error raised again."""
        if not self.finished.wait(timeout):
            raise AxiomError("IOError", f"task.join: timed out after {timeout} s")
        self.joined = True
        if self.error is not None:
            raise self.error
        return self.value

    def result(self) -> Any:
        """Wait for the task and return its result (its error is raised again)."""
        return self.join()

    def done(self) -> bool:
        """Whether the task has finished."""
        return self.finished.is_set()


@module.export
def spawn_task(fn: Function, *args: Any) -> Task:
    """Run fn(args...) on a new task; returns the [task]."""
    task = Task(fn, args)
    with _tasks_lock:
        _tasks.append(task)
    task.thread = spawn_thread(task._run, name="axiom-task")
    return task


@module.on_stop
def _finish_tasks(error: AxiomError | None = None) -> int | None:
    """At the end of a run: wait for every task (unless the script failed), then report
    the errors no one joined."""
    with _tasks_lock:
        tasks = list(_tasks)
        _tasks.clear()
    if error is not None:
        return None
    for t in tasks:
        t.finished.wait()
    failed = [t for t in tasks if t.error is not None and not t.joined]
    for t in failed:
        e = t.error
        assert e is not None
        where = ""
        if e.span is not None:
            where = f" at {e.span[0]}:{e.span[1]}:{e.span[2]}"
        sys.stderr.write(f"Error in a task that was never joined: {e.kind}: {e.message}{where}\n")
    return 1 if failed else None


# --- channels ------------------------------------------------------------------------

class _Channel:
    """The queue two channel ends share."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.items: deque[Any] = deque()
        self.closed = False
        self.cond = threading.Condition()

    def send(self, v: Any) -> None:
        with self.cond:
            while not self.closed and self.capacity and len(self.items) >= self.capacity:
                self.cond.wait()
            if self.closed:
                raise AxiomError("IOError", "con.channel_send: send on a closed channel")
            self.items.append(v)
            self.cond.notify_all()

    def recv(self, timeout: float | None) -> Any:
        left = time_left()  # the run's time limit also ends a wait
        wait = timeout if left is None else left if timeout is None else min(timeout, left)
        with self.cond:
            ok = self.cond.wait_for(lambda: self.items or self.closed, wait)
            if not ok:
                if left is not None and (timeout is None or left < timeout):
                    raise AxiomError("LimitExceeded", "con.channel_recv: the run's time limit "
                                                      "ended the wait (--timeout)")
                raise AxiomError("IOError", "con.channel_recv: receive timed out")
            if not self.items:
                raise AxiomError("IOError", "con.channel_recv: receive on a closed, empty channel")
            v = self.items.popleft()
            self.cond.notify_all()
            return v

    def try_recv(self) -> Any:
        with self.cond:
            if not self.items:
                return None
            v = self.items.popleft()
            self.cond.notify_all()
            return v

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify_all()


@module.foreign_type("sender", display=lambda s: "<sender>")
class Sender:
    """The sending end of a channel."""

    def __init__(self, ch: _Channel) -> None:
        self.ch = ch


@module.foreign_type("receiver", display=lambda r: "<receiver>",
                     ops={"iter": lambda r: _drain(r.ch)})
class Receiver:
    """The receiving end of a channel (a `for` loop receives until it is closed)."""

    def __init__(self, ch: _Channel) -> None:
        self.ch = ch


def _drain(ch: _Channel) -> Any:
    while True:
        try:
            yield ch.recv(None)
        except AxiomError:
            if ch.closed and not ch.items:
                return
            raise


@module.export
def channel_create(capacity: int) -> list:
    """A channel holding at most capacity values (0: unbounded); returns [tx, rx]."""
    if capacity < 0:
        raise module.error("ValueError", f"con.channel_create: capacity must not be negative (got {capacity})")
    ch = _Channel(capacity)
    return [Sender(ch), Receiver(ch)]


@module.export
def channel_send(tx: Sender, value: Any) -> None:
    """Send value, waiting while the channel is full."""
    tx.ch.send(value)


@module.export
def channel_recv(rx: Receiver, timeout: float | None = None) -> Any:
    """Receive the next value, waiting for one (IOError on timeout or a closed, empty channel)."""
    return rx.ch.recv(timeout)


@module.export
def channel_try_recv(rx: Receiver) -> Any:
    """The next value if one is waiting, else nil."""
    return rx.ch.try_recv()


@module.export
def channel_close(end: Sender | Receiver) -> None:
    """Close the channel: receivers get what is left, then an IOError."""
    end.ch.close()


# --- locks ---------------------------------------------------------------------------

@module.foreign_type("mutex", methods=["lock", "unlock"], display=lambda m: "<mutex>")
class Mutex:
    """A mutual-exclusion lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def lock(self) -> None:
        """Wait for the lock and take it."""
        self._lock.acquire()

    def unlock(self) -> None:
        """Release the lock (ValueError when it is not held)."""
        try:
            self._lock.release()
        except RuntimeError:
            raise AxiomError("ValueError", "mutex.unlock: the mutex is not locked") from None


@module.export
def mutex_new() -> Mutex:
    """A new [mutex]."""
    return Mutex()


@module.foreign_type("rwlock", methods=["read_lock", "read_unlock", "write_lock", "write_unlock"],
                     display=lambda m: "<rwlock>")
class RWLock:
    """Many readers or one writer (writers wait for readers; new readers wait for a
    waiting writer, so writers are not starved)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting_writers = 0

    def read_lock(self) -> None:
        """Take a shared (read) lock."""
        with self._cond:
            self._cond.wait_for(lambda: not self._writer and not self._waiting_writers)
            self._readers += 1

    def read_unlock(self) -> None:
        """Release a read lock."""
        with self._cond:
            if self._readers == 0:
                raise AxiomError("ValueError", "rwlock.read_unlock: no read lock is held")
            self._readers -= 1
            self._cond.notify_all()

    def write_lock(self) -> None:
        """Take the exclusive (write) lock."""
        with self._cond:
            self._waiting_writers += 1
            self._cond.wait_for(lambda: not self._writer and self._readers == 0)
            self._waiting_writers -= 1
            self._writer = True

    def write_unlock(self) -> None:
        """Release the write lock."""
        with self._cond:
            if not self._writer:
                raise AxiomError("ValueError", "rwlock.write_unlock: the write lock is not held")
            self._writer = False
            self._cond.notify_all()


@module.export
def rwlock_new() -> RWLock:
    """A new [rwlock]."""
    return RWLock()


@module.foreign_type("barrier", methods=["wait"], display=lambda b: f"<barrier {b.parties}>")
class Barrier:
    """Holds tasks until `parties` of them wait."""

    def __init__(self, parties: int) -> None:
        self.parties = parties
        self._barrier = threading.Barrier(parties)

    def wait(self) -> int:
        """Wait until every party waits; returns this waiter's arrival index."""
        return self._barrier.wait()


@module.export
def barrier_new(n: int) -> Barrier:
    """A [barrier] for n tasks."""
    if n < 1:
        raise module.error("ValueError", f"con.barrier_new: n must be at least 1 (got {n})")
    return Barrier(n)


@module.export
def parallel_map(fn: Function, xs: list, workers: int | None = None) -> list:
    """fn applied to each item on a pool of worker threads; results in the order of xs."""
    if workers is not None and workers < 1:
        raise module.error("ValueError", f"con.parallel_map: workers must be at least 1 (got {workers})")
    from concurrent.futures import ThreadPoolExecutor
    items = list(xs)
    with ThreadPoolExecutor(max_workers=workers or min(32, len(items) or 1)) as pool:
        futures = [pool.submit(fn, x) for x in items]
        return [f.result() for f in futures]
