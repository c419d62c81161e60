"""Axiom module `con`: tasks, channels, locks and parallel map (threading, queue-like
channels, concurrent.futures for parallel_map on threads, worker processes and Dask).

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
  * A mutex belongs to the task that locked it: locking it again from that task is a
    ValueError at once ("mutex already held by this task"), and so is unlocking a mutex
    another task holds. Read and write locks of an rwlock belong to their task the same way.

Waiting. Every wait (lock, read/write lock, barrier, join, send on a full channel,
receive, parallel_map) goes through axiom_sdk.bounded_wait and ends with LimitExceeded
when the run's deadline (--timeout) passes. A wait
without a timeout that can never end is a deadlock, and every waiter ends with an
Error whose message says who waits for what, with the script positions:

    deadlock: these tasks wait for each other:
      main at f.ax:7 waits to lock mutex 2, held by task 1
      task 1 at f.ax:4 waits to lock mutex 1, held by main

It is found when waits form a cycle through what the waiters hold (mutexes, rwlocks,
joins: "these tasks wait for each other"), or when every thread of the process is
blocked in a `con` wait of this run (a channel no one can send to, a barrier no one else
reaches: "every task is blocked"). The second rule never fires while another thread is
alive (a module's server or timer thread, a parallel_map pool, a host's own thread),
since it might yet send or arrive: only the deadline ends such a wait. A waiter that a
report names raises it once; a script that catches it may go on.

Processes and Dask (docs/parallel.md). `parallel_map(..., backend="processes")` and
`spawn_process` run functions written in Axiom on a warm pool of worker processes
(_pool.py), `backend="dask"` on a Dask cluster (_dask.py). This module never imports the
core: the runtime ships functions and values (axiom_sdk.ship: .axc bytecode and values,
never pickle) and says how to start a worker that holds the run's grants and limits
(axiom_sdk.worker_setup). `backend=nil` runs a function written in Axiom on a copy of
itself, as a worker would: the first item here, timed, then the rest here (cheap), on
threads (they wait) or on worker processes beside this thread (CPU-bound).

State is per run: each Runtime has its own tasks (axiom_sdk's Module.per_run). The run's
metrics count `con.tasks_spawned` and `con.tasks_peak` (most tasks running at once).
"""

from __future__ import annotations

import contextvars
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from axiom_sdk import (
    AxiomError,
    Function,
    Module,
    bounded_wait,
    current_run,
    is_script_function,
    require,
    script_position,
    ship,
    spawn_thread,
    time_left,
    time_waited,
    unship,
    worker_setup,
)

module = Module("con", summary="Concurrency: tasks, channels, locks and parallel map",
                title="Concurrency")

SLICE = 0.05  # seconds: a blocked waiter looks at the deadline and for deadlocks this often


@module.per_run
class _Run:
    """This run's tasks, and who waits for what (for deadlock reports)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tasks: list[Task] = []
        self.running = 0
        self.numbers: dict[str, int] = {}  # kind -> the last number given ("mutex" -> 2)
        self.names: dict[int, str] = {}  # thread ident -> "task 1"
        self.waiting: dict[int, _Wait] = {}  # thread ident -> its wait without a timeout
        self.deadlocked: dict[int, str] = {}  # thread ident -> the report it is to raise
        self.looked = 0.0  # when a waiter last looked for a deadlock (time.monotonic())
        self.pool: Any = None  # the warm pool of worker processes (_pool.Pool)
        self.client: Any = None  # the Dask client (distributed.Client)

    def name(self, kind: str) -> str:
        with self.lock:
            n = self.numbers[kind] = self.numbers.get(kind, 0) + 1
        return f"{kind} {n}"


def _run() -> _Run:
    return module.state()  # type: ignore[no-any-return]


def _me(run: _Run) -> str:
    """The calling thread as a report names it: "task 2", "main", or a thread's name."""
    ident = threading.get_ident()
    name = run.names.get(ident)
    if name is not None:
        return name
    t = threading.current_thread()
    return "main" if t is threading.main_thread() else f"thread {t.name}"


class _Wait:
    """One blocked waiter: who, where, for what, and how to tell whether it could go on.

    holders -- the threads that hold what it waits for (None: anyone might release it)
    """

    __slots__ = ("who", "where", "what", "ready", "holders")

    def __init__(self, who: str, where: str, what: Callable[[], str],
                 ready: Callable[[], bool], holders: Callable[[], set[int]] | None) -> None:
        self.who = who
        self.where = where
        self.what = what
        self.ready = ready
        self.holders = holders


def _block(cond: threading.Condition, ready: Callable[[], bool], fname: str,
           what: Callable[[], str], holders: Callable[[], set[int]] | None = None,
           timeout: float | None = None) -> bool:
    """Wait on `cond` (held by the caller) until `ready()`; False when `timeout` seconds
    pass first. Raises LimitExceeded when the run's deadline passes, and the run's
    deadlock report (an Error) when this wait, and the others, can never end."""
    if ready():
        return True
    run = _run()
    me = threading.get_ident()
    end = None if timeout is None else time.monotonic() + timeout
    if timeout is None:  # a wait that ends by itself can never be part of a deadlock
        pos = script_position()
        where = f" at {pos[0]}:{pos[1]}" if pos else " (after the script's end)"
        with run.lock:
            run.waiting[me] = _Wait(_me(run), where, what, ready, holders)
            _find_deadlock(run)
    try:
        while not ready():
            # the deadline first: tasks it ended may look deadlocked
            if me in run.deadlocked and time_left() != 0:
                with run.lock:
                    report = run.deadlocked.pop(me)
                raise AxiomError("Error", report)
            step = SLICE  # a slice at a time, to look for deadlocks in between
            if end is not None:
                step = min(step, end - time.monotonic())
                if step <= 0:
                    return False
            try:
                bounded_wait(lambda t: cond.wait_for(ready, t), step, where=fname)
            except KeyboardInterrupt:  # Ctrl-C: the process tasks waited for end too
                if run.pool is not None:
                    run.pool.kill()
                raise
            if timeout is None and not ready() and time.monotonic() - run.looked >= SLICE:
                with run.lock:  # one look per slice for the whole run, however many wait
                    _find_deadlock(run)
    finally:
        if timeout is None:
            with run.lock:
                run.waiting.pop(me, None)
                run.deadlocked.pop(me, None)
    return True


def _find_deadlock(run: _Run) -> None:
    """With run.lock held: when waits form a cycle through what the waiters hold, or
    when every thread alive waits in this run, give each of those waiters the report
    to raise."""
    run.looked = time.monotonic()
    stuck = {ident: w for ident, w in run.waiting.items()
             if ident not in run.deadlocked and not w.ready()}
    if not stuck:
        return
    cycle = _cycle(stuck)
    heading = "deadlock: these tasks wait for each other:"
    if cycle is None:
        alive = {t.ident for t in threading.enumerate()}
        if not alive <= stuck.keys():
            return
        # in a steady order whoever noticed first: the tasks as they were made, main last
        cycle = sorted((ident for ident in stuck if ident in alive),
                       key=lambda i: (stuck[i].who.startswith("main"), len(stuck[i].who), stuck[i].who))
        heading = "deadlock: every task is blocked:"
    report = "\n".join([heading] + [f"  {stuck[i].who}{stuck[i].where} waits {stuck[i].what()}"
                                    for i in cycle])
    for ident in cycle:
        run.deadlocked[ident] = report


def _cycle(stuck: dict[int, _Wait]) -> list[int] | None:
    """Threads that wait in a ring, each for something the next one holds (None when
    there is no ring). A waiter needs every holder to let go, so one stuck holder on a
    ring is enough to keep it waiting."""
    edges: dict[int, list[int]] = {}
    for ident, w in stuck.items():
        holders = w.holders() if w.holders is not None else set()
        edges[ident] = sorted(h for h in holders if h in stuck and h != ident)
    state: dict[int, int] = {}  # 1: on the current path, 2: explored
    for start in stuck:
        if start in state:
            continue
        path: list[int] = []
        todo: list[tuple[int, int]] = [(start, 0)]
        while todo:
            node, i = todo.pop()
            if i == 0:
                state[node] = 1
                path.append(node)
            nexts = edges[node]
            if i < len(nexts):
                todo.append((node, i + 1))
                nxt = nexts[i]
                if state.get(nxt) == 1:
                    return path[path.index(nxt):]
                if nxt not in state:
                    todo.append((nxt, 0))
            else:
                state[node] = 2
                path.pop()
    return None


def _holder_names(run: _Run, idents: set[int]) -> str:
    alive = {t.ident for t in threading.enumerate()}
    names = []
    for ident in idents:
        w = run.waiting.get(ident)
        name = w.who if w is not None else run.names.get(ident, "another thread")
        names.append(name if ident in alive else f"{name}, which has ended")
    return " and ".join(sorted(names))


# --- tasks ---------------------------------------------------------------------------

@module.foreign_type("task", methods=["join", "result", "done"],
                     display=lambda t: f"<task {'done' if t.done() else 'running'}>")
class Task:
    """A function running on its own thread."""

    def __init__(self, fn: Function, args: tuple[Any, ...], name: str) -> None:
        self.fn = fn
        self.args = args
        self.name = name
        self.value: Any = None
        self.error: AxiomError | None = None
        self.joined = False
        self.finished = False
        self.cond = threading.Condition()
        self.thread: threading.Thread | None = None

    def _run(self, run: _Run) -> None:
        with run.lock:
            run.names[threading.get_ident()] = self.name
        try:
            self.value = self.fn(*self.args)
        except AxiomError as e:
            self.error = e
        except BaseException as e:  # never let a task die silently
            self.error = AxiomError("Error", f"internal error in a task: {type(e).__name__}: {e}")
        finally:
            with run.lock:
                run.running -= 1
            with self.cond:
                self.finished = True
                self.cond.notify_all()

    def wait(self, timeout: float | None, fname: str) -> bool:
        """Wait for the task to finish (False when `timeout` passed first)."""
        ident = self.thread.ident if self.thread is not None else None
        with self.cond:
            return _block(self.cond, lambda: self.finished, fname,
                          lambda: f"for {self.name} to finish",
                          lambda: {ident} if ident is not None else set(), timeout)

    def join(self, timeout: float | None = None) -> Any:
        """Wait for the task; its result, or its error raised again."""
        if not self.wait(timeout, "task.join"):
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
        return self.finished


@module.export
def spawn_task(fn: Function, *args: Any) -> Task:
    """Run fn(args...) on a new task; returns the [task]."""
    run = _run()
    task = Task(fn, args, run.name("task"))
    with run.lock:
        run.tasks.append(task)
        run.running += 1
        running = run.running
    module.count("tasks_spawned")
    module.peak("tasks_peak", running)
    task.thread = spawn_thread(task._run, run, name=f"axiom-{task.name.replace(' ', '-')}")
    return task


@module.on_stop
def _finish_tasks(error: AxiomError | None = None) -> int | None:
    """At the end of a run: wait for every task (unless the script failed), then report
    the errors no one joined, or the deadlock that keeps the tasks from finishing."""
    run = _run()
    with run.lock:
        tasks = list(run.tasks)
        run.tasks.clear()
    if error is not None:
        _await_cancelled(tasks)
        return None
    try:
        for t in tasks:
            t.wait(None, "con")
    except AxiomError as deadlock:
        cancelled = _cancelled()
        if cancelled is not None and deadlock.message.endswith(f"the run was {cancelled}"):
            return None  # the wait ended because the run was (the CLI says why)
        sys.stderr.write(f"Error: {deadlock.kind}: {deadlock.message}\n")
        return 1
    cancelled = _cancelled()
    failed = [t for t in tasks if t.error is not None and not t.joined
              and not getattr(t.error, "interrupted", False)
              and not (cancelled is not None and t.error.kind == "LimitExceeded"
                       and t.error.message.endswith(f"the run was {cancelled}"))]
    for t in failed:  # a task of the deadlock may have ended before the wait noticed
        if t.error is not None and t.error.message.startswith("deadlock:"):
            sys.stderr.write(f"Error: {t.error.kind}: {t.error.message}\n")
            return 1
    for t in failed:
        e = t.error
        assert e is not None
        where = ""
        if e.span is not None:
            where = f" at {e.span[0]}:{e.span[1]}:{e.span[2]}"
        sys.stderr.write(f"Error in a task that was never joined: {e.kind}: {e.message}{where}\n")
    return 1 if failed else None


def _cancelled() -> str | None:
    """Why the run was cancelled (its output closed, Ctrl-C), or None: a task stopped by
    that is not an error of its own to report."""
    from axiom_sdk import current_run
    run = current_run.get()
    return run.cancelled if run is not None else None


def _await_cancelled(tasks: list[Task], grace: float = 0.5) -> None:
    """In a cancelled run (Ctrl-C, SIGTERM): give its tasks a moment to stop (each stops
    at its next loop back edge, call or wait), so that they are not cut off in the
    middle of a module call; one that does not stop in time ends with the process."""
    from axiom_sdk import current_run
    run = current_run.get()
    if run is None or run.cancelled is None:
        return
    end = time.monotonic() + grace
    for t in tasks:
        with t.cond:
            t.cond.wait_for(lambda t=t: t.finished, max(0.0, end - time.monotonic()))


# --- channels ------------------------------------------------------------------------

class _Channel:
    """The queue two channel ends share."""

    def __init__(self, capacity: int, name: str) -> None:
        self.capacity = capacity
        self.name = name
        self.items: deque[Any] = deque()
        self.closed = False
        self.cond = threading.Condition()

    def send(self, v: Any) -> None:
        with self.cond:
            _block(self.cond, lambda: self.closed or not self.capacity
                   or len(self.items) < self.capacity, "con.channel_send",
                   lambda: f"to send on {self.name} (full, {self.capacity} values)")
            if self.closed:
                raise AxiomError("IOError", "con.channel_send: send on a closed channel")
            self.items.append(v)
            self.cond.notify_all()

    def recv(self, timeout: float | None) -> Any:
        with self.cond:
            if not _block(self.cond, lambda: bool(self.items) or self.closed, "con.channel_recv",
                          lambda: f"to receive from {self.name}", timeout=timeout):
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
    ch = _Channel(capacity, _run().name("channel"))
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
    """A mutual-exclusion lock, held by one task at a time."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.owner: int | None = None  # the thread ident of the task holding it
        self.cond = threading.Condition()

    def lock(self) -> None:
        """Wait for the lock and take it (ValueError when this task holds it already)."""
        me = threading.get_ident()
        with self.cond:
            if self.owner == me:
                raise AxiomError("ValueError", "mutex.lock: mutex already held by this task")
            _block(self.cond, lambda: self.owner is None, "mutex.lock", self._waits_for,
                   self._holders)
            self.owner = me

    def unlock(self) -> None:
        """Release the lock (ValueError when it is not held, or held by another task)."""
        with self.cond:
            if self.owner is None:
                raise AxiomError("ValueError", "mutex.unlock: the mutex is not locked")
            if self.owner != threading.get_ident():
                raise AxiomError("ValueError", "mutex.unlock: the mutex is held by another task")
            self.owner = None
            self.cond.notify()

    def _holders(self) -> set[int]:
        owner = self.owner
        return set() if owner is None else {owner}

    def _waits_for(self) -> str:
        return f"to lock {self.name}, held by {_holder_names(_run(), self._holders())}"


@module.export
def mutex_new() -> Mutex:
    """A new [mutex]."""
    return Mutex(_run().name("mutex"))


@module.foreign_type("rwlock", methods=["read_lock", "read_unlock", "write_lock", "write_unlock"],
                     display=lambda m: "<rwlock>")
class RWLock:
    """Many readers or one writer (writers wait for readers; new readers wait for a
    waiting writer, so writers are not starved)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._cond = threading.Condition()
        self._readers: dict[int, int] = {}  # thread ident -> read locks it holds
        self._writer: int | None = None
        self._waiting_writers: set[int] = set()

    def read_lock(self) -> None:
        """Take a shared (read) lock."""
        me = threading.get_ident()
        with self._cond:
            if self._writer == me:
                raise AxiomError("ValueError", "rwlock.read_lock: this task holds the write lock")
            _block(self._cond, lambda: self._writer is None and not self._waiting_writers,
                   "rwlock.read_lock", lambda: self._waits_for("to read-lock"),
                   lambda: ({self._writer} if self._writer is not None else set())
                   | self._waiting_writers)
            self._readers[me] = self._readers.get(me, 0) + 1

    def read_unlock(self) -> None:
        """Release a read lock."""
        me = threading.get_ident()
        with self._cond:
            if not self._readers.get(me):
                raise AxiomError("ValueError", "rwlock.read_unlock: no read lock is held"
                                 + (" by this task" if self._readers else ""))
            self._readers[me] -= 1
            if not self._readers[me]:
                del self._readers[me]
            self._cond.notify_all()

    def write_lock(self) -> None:
        """Take the exclusive (write) lock."""
        me = threading.get_ident()
        with self._cond:
            if self._writer == me:
                raise AxiomError("ValueError", "rwlock.write_lock: write lock already held by "
                                               "this task")
            self._waiting_writers.add(me)
            try:
                _block(self._cond, lambda: self._writer is None and not self._readers,
                       "rwlock.write_lock", lambda: self._waits_for("to write-lock"),
                       lambda: set(self._readers)
                       | ({self._writer} if self._writer is not None else set()))
            finally:
                self._waiting_writers.discard(me)
                self._cond.notify_all()  # readers held back by this writer may go on
            self._writer = me

    def write_unlock(self) -> None:
        """Release the write lock."""
        with self._cond:
            if self._writer is None:
                raise AxiomError("ValueError", "rwlock.write_unlock: the write lock is not held")
            if self._writer != threading.get_ident():
                raise AxiomError("ValueError", "rwlock.write_unlock: the write lock is held by "
                                               "another task")
            self._writer = None
            self._cond.notify_all()

    def _waits_for(self, verb: str) -> str:
        run = _run()
        holders = set(self._readers) | ({self._writer} if self._writer is not None else set())
        return f"{verb} {self.name}, held by {_holder_names(run, holders) or 'a waiting writer'}"


@module.export
def rwlock_new() -> RWLock:
    """A new [rwlock]."""
    return RWLock(_run().name("rwlock"))


@module.foreign_type("barrier", methods=["wait"], display=lambda b: f"<barrier {b.parties}>")
class Barrier:
    """Holds tasks until `parties` of them wait."""

    def __init__(self, parties: int, name: str) -> None:
        self.parties = parties
        self.name = name
        self._count = 0
        self._round = 0
        self._cond = threading.Condition()

    def wait(self) -> int:
        """Wait until every party waits; returns this waiter's arrival index."""
        with self._cond:
            index = self._count
            round_ = self._round
            self._count += 1
            if self._count == self.parties:
                self._count = 0
                self._round += 1
                self._cond.notify_all()
                return index
            try:
                _block(self._cond, lambda: self._round != round_, "barrier.wait",
                       lambda: f"at {self.name} ({self._count} of {self.parties} arrived)")
            except BaseException:
                if self._round == round_:
                    self._count -= 1  # this waiter leaves the round it did not finish
                raise
            return index


@module.export
def barrier_new(n: int) -> Barrier:
    """A [barrier] for n tasks."""
    if n < 1:
        raise module.error("ValueError", f"con.barrier_new: n must be at least 1 (got {n})")
    return Barrier(n, _run().name("barrier"))


# --- processes and Dask ----------------------------------------------------------------

AUTO_LOCAL = 0.2  # s: below this much estimated work left, auto runs the rest here
WAITS = 0.5  # the share of its time an item spends blocked in waits to go on threads


def _warm_pool(run: _Run, size: int) -> Any:
    """The run's warm pool of worker processes, with at least `size` of them."""
    from ._pool import Pool
    with run.lock:
        if run.pool is None or run.pool.closed:  # none yet, or ended by Ctrl-C
            argv, config = worker_setup()
            run.pool = Pool(current_run.get() or _fallback_run(), argv, config)
            _LIVE_POOLS.append(run.pool)
        pool = run.pool
    pool.grow(size)
    return pool


def _fallback_run() -> Any:
    from axiom_sdk import Run
    return Run()


def _client(run: _Run) -> Any:
    """The run's Dask client: cluster_connect's, else AXIOM_DASK_SCHEDULER's."""
    if run.client is None:
        import os
        address = os.environ.get("AXIOM_DASK_SCHEDULER")
        if not address:
            raise module.error("ValueError", "con: no Dask cluster: call con.cluster_connect"
                                             "(address) or set AXIOM_DASK_SCHEDULER")
        require("net", address)  # as cluster_connect checks it
        cluster_connect(address)
    return run.client


def _dask_wanted(run: _Run) -> bool:
    import os
    return run.client is not None or bool(os.environ.get("AXIOM_DASK_SCHEDULER"))


def _ship(value: Any, what: str, where: str) -> bytes:
    """ship(value), its TypeError saying which call refused it."""
    try:
        return ship(value, what)
    except AxiomError as e:
        if e.kind == "TypeError":
            raise module.error("TypeError", f"{where}: {e.message}") from None
        raise


def _ship_items(items: list[Any], what: Callable[[int], str]) -> list[bytes]:
    return [_ship(x, what(i), "con.parallel_map") for i, x in enumerate(items)]


def _item(i: int) -> str:
    return f"item {i} of xs"


def _chunks(indexes: list[int], parallel: int) -> list[list[int]]:
    """`indexes` in chunks: about four per worker, so a slow item cannot hold many others
    back, yet 1,000 small items do not go one message each."""
    size = max(1, len(indexes) // (parallel * 4))
    return [indexes[i:i + size] for i in range(0, len(indexes), size)]


@module.export
def parallel_map(fn: Function, xs: list, workers: int | None = None,
                 backend: str | None = None) -> list:
    """fn applied to each item in parallel (backend "threads", "processes", "dask", or nil
    to choose); results in the order of xs."""
    if workers is not None and workers < 1:
        raise module.error("ValueError", f"con.parallel_map: workers must be at least 1 (got {workers})")
    if backend not in (None, "threads", "processes", "dask"):
        raise module.error("ValueError", f"con.parallel_map: backend must be \"threads\", "
                                         f"\"processes\", \"dask\" or nil (got \"{backend}\")")
    items = list(xs)
    if backend is None:
        return _auto_map(fn, items, workers)
    if backend == "threads":
        return _thread_map(fn, items, workers)
    if not is_script_function(fn):
        raise module.error("TypeError", f"con.parallel_map: backend \"{backend}\" runs "
                                        "functions written in Axiom; use backend=\"threads\" "
                                        "for a module's function")
    function = _ship(fn, "the function", "con.parallel_map")
    if backend == "processes":  # the workers start now, while the items are written
        _warm_pool(_run(), workers or _cpus())
    shipped = _ship_items(items, _item)
    if backend == "dask":
        return _dask_map(function, shipped, spread=False, name="con.parallel_map", labels=_item)
    return _process_map(function, shipped, workers or _cpus())


def _cpus() -> int:
    from ._pool import cpu_count
    return cpu_count()


def _process_map(function: bytes, shipped: list[bytes], parallel: int) -> list:
    """Run shipped items on the run's pool, `parallel` at once."""
    from ._pool import Call, collect
    pool = _warm_pool(_run(), parallel)
    call = Call(pool.new_fid(), function, shipped, False, parallel, "con.parallel_map", _item)
    pool.submit(call, _chunks(list(range(len(shipped))), parallel))
    try:
        pool.wait(call, "con.parallel_map")
    finally:
        pool.finish(call)
    return _at_call(collect, call)


def _run_here(pool: Any, call: Any, copy: Function, indexes: list[int]) -> None:
    """Run items of `call` on this thread, on `copy` (the function as a worker gets it)."""
    for i in indexes:
        try:
            v = (True, copy(unship(call.items[i])))
        except AxiomError as e:
            _here_trace(e)
            v = (False, e)
        with pool.cond:
            call.results[i] = ("value", *v)
            call.left -= 1
            pool.cond.notify_all()


def _at_call(collect: Callable[[Any], list], arg: Any) -> list:
    """Raise an item's error as it happened in the worker, with the parallel_map call
    added to its trace."""
    try:
        return collect(arg)
    except AxiomError as e:
        pos = script_position()
        if pos is not None and e.trace is not None:
            call = ("con.parallel_map", pos[0], pos[1])
            if call not in e.trace:  # an item run here has it already (_run_here)
                e.trace = [*e.trace, call]
        raise


def _here_trace(e: AxiomError) -> None:
    """The trace of an item's error that happened here: it goes on through this script's
    frames, the innermost of them at the parallel_map call; the call goes just before it,
    where a worker's error has it."""
    pos = script_position()
    if pos is None or not e.trace:
        return
    call = ("con.parallel_map", pos[0], pos[1])
    at = next((i for i in range(len(e.trace) - 1, -1, -1)
               if tuple(e.trace[i][1:]) == tuple(pos)), len(e.trace))
    e.trace = [*e.trace[:at], call, *e.trace[at:]]


def _dask_map(function: bytes, shipped: list[bytes], spread: bool, name: str,
              labels: Callable[[int], str]) -> list:
    from . import _dask
    run = _run()
    client = _client(run)
    try:
        parallel = max(1, sum(client.nthreads().values()))
    except Exception:
        parallel = 1
    chunks = _chunks(list(range(len(shipped))), parallel)
    results = _dask.run_chunks(client, worker_setup()[1], function, chunks, shipped, spread,
                               current_run.get() or _fallback_run(), name, name, labels)
    return _at_call(_dask.collect, results)


def _auto_map(fn: Function, items: list, workers: int | None) -> list:
    """backend=nil. A function written in Axiom runs on a copy of itself (as in a worker
    process): the first item here, timed, while the pool's workers start and each ready
    worker takes one item too; then the rest here when they look cheap, on threads when the
    item mostly waited (in `bounded_wait`: sleeps, receives, pipes), else on worker
    processes with this thread working beside them. Anything else, or anything that cannot
    be copied (a function using a channel or a lock), runs on threads."""
    parallel = workers or _cpus()
    if len(items) < 2 or parallel < 2 or _cpus() < 2 or not is_script_function(fn):
        return _thread_map(fn, items, workers)
    try:
        function = ship(fn, "the function")
    except AxiomError as e:
        if e.kind != "TypeError":
            raise
        return _thread_map(fn, items, workers)
    # workers start now, on the other cores, while the items are written and the first
    # runs here: when the items turn out CPU-bound the pool is ready; when not, it stays
    # warm for the run
    pool = _warm_pool(_run(), parallel - 1)
    try:
        shipped = _ship_items(items, _item)
    except AxiomError as e:
        if e.kind != "TypeError":
            raise
        return _thread_map(fn, items, workers)
    from ._pool import Call, collect
    copy = unship(function)
    call = Call(pool.new_fid(), function, shipped, False, parallel - 1, "con.parallel_map", _item)
    # While the first item is timed here, a worker that is ready (a warm pool, or one
    # that started meanwhile) is not left idle: it takes one item. Only one each, so a
    # call whose items turn out cheap, or mostly waiting, still runs the rest here or on
    # threads.
    pool.submit(call, [[i] for i in range(1, min(parallel, len(items)))])
    try:
        try:
            wall, waited = time.perf_counter(), time_waited()
            _run_here(pool, call, copy, [0])
            wall, waited = time.perf_counter() - wall, time_waited() - waited
            rest = sorted(pool.take_back(call)) + list(range(parallel, len(items)))
            if not call.results[0][1]:  # the first item failed: its error is raised; the
                with pool.cond:         # rest need not run
                    call.left -= len(rest)
            elif wall * len(rest) < AUTO_LOCAL:  # a worker would cost more than it saves
                _run_here(pool, call, copy, rest)
            elif waited > WAITS * wall:  # it mostly waits (sleeps, receives, pipes): threads
                outcomes = _thread_map(lambda x: _outcome(copy, x),
                                       [unship(shipped[i]) for i in rest], workers)
                with pool.cond:
                    for i, (ok, v) in zip(rest, outcomes):
                        call.results[i] = ("value", ok, v)
                    call.left -= len(rest)
            else:  # CPU-bound: worker processes, and this thread beside them
                pool.submit(call, _chunks(rest, parallel))
            pool.wait(call, "con.parallel_map", lambda chunk: _run_here(pool, call, copy, chunk))
        except KeyboardInterrupt:
            pool.kill()
            raise
    finally:
        pool.finish(call)
    return _at_call(collect, call)


def _outcome(fn: Function, x: Any) -> tuple[bool, Any]:
    try:
        return True, fn(x)
    except AxiomError as e:
        return False, e


def _thread_map(fn: Callable[[Any], Any], items: list, workers: int | None) -> list:
    """fn applied to each item on a pool of worker threads; results in the order of xs."""
    from concurrent.futures import ThreadPoolExecutor
    from concurrent.futures import wait as wait_all
    pool = ThreadPoolExecutor(max_workers=workers or min(32, len(items) or 1))
    try:
        # each item in a copy of this context: the run's limits, checks and module state.
        # Pool threads start with none, and the VM sets them only for Axiom code: a
        # module's export given as fn (ioo.file_read) is called here directly.
        futures = [pool.submit(contextvars.copy_context().run, fn, x) for x in items]
        bounded_wait(lambda t: not wait_all(futures, t).not_done, None,
                      where="con.parallel_map")
        return [f.result() for f in futures]
    finally:  # at the deadline, items not started are dropped; running ones meet it too
        pool.shutdown(wait=False, cancel_futures=True)


@module.export
def spawn_process(fn: Function, *args: Any) -> Task:
    """Run fn(args...) in a worker process (on the Dask cluster once connected); returns
    the [task]."""
    if not is_script_function(fn):
        raise module.error("TypeError", "con.spawn_process runs functions written in Axiom; "
                                        "use con.spawn_task for a module's function")
    function = _ship(fn, "the function", "con.spawn_process")
    shipped = [_ship(list(args), "the arguments", "con.spawn_process")]
    run = _run()
    labels: Callable[[int], str] = lambda i: "the task"  # noqa: E731
    if _dask_wanted(run):
        _client(run)

        def body() -> Any:
            return _dask_map(function, shipped, True, "con.spawn_process", labels)[0]
    else:
        pool = _warm_pool(run, _cpus())

        def body() -> Any:
            from ._pool import Call, collect
            call = Call(pool.new_fid(), function, shipped, True, 1, "con.spawn_process", labels)
            pool.submit(call, [[0]])
            try:
                pool.wait(call, "con.spawn_process")
            finally:
                pool.finish(call)
            return collect(call)[0]
    return spawn_task(_Body(body))


class _Body(Function):
    """A process task's thread body: send the work, wait for its result."""

    __slots__ = ("body",)
    name = "spawn_process"

    def __init__(self, body: Callable[[], Any]) -> None:
        self.body = body

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.body()


@module.export(needs=["net:address"])
def cluster_connect(address: str) -> str:
    """Send parallel_map(..., backend="dask") and spawn_process to the Dask scheduler at
    address ("tcp://host:8786"); returns the address."""
    from . import _dask
    run = _run()
    client = _dask.connect(address)
    with run.lock:
        old, run.client = run.client, client
    if old is not None:
        old.close()
    return address


# Pools of runs still going: ended when the process exits, whatever happened to the run.
_LIVE_POOLS: list[Any] = []


@module.on_stop
def _end_workers(error: AxiomError | None = None) -> None:
    """At the end of a run: end its worker processes (at once when it failed) and its
    Dask client."""
    run = _run()
    with run.lock:
        pool, run.pool = run.pool, None
        client, run.client = run.client, None
    if pool is not None:
        if error is not None:
            pool.kill()
        else:
            pool.close()
        if pool in _LIVE_POOLS:
            _LIVE_POOLS.remove(pool)
    if client is not None:
        client.close()


def _kill_live_pools() -> None:
    for pool in list(_LIVE_POOLS):
        pool.kill()


import atexit  # noqa: E402

atexit.register(_kill_live_pools)
