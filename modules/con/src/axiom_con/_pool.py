"""con's process backend: a warm pool of worker processes for one run.

The pool is made at the first call that needs it and kept for the rest of the run (the
stop hook ends it). Each worker is an `axiom.workers` process started with the command
and config the runtime gives (axiom_sdk.worker_setup): it holds exactly the run's
capabilities and limits. Work goes as shipped bytes (axiom_sdk.ship: bytecode and
values, never pickle); results and errors come back the same way, and each `out` line a
worker writes comes back whole and is written by the run as its own.

A call (`parallel_map`, `spawn_process`) is split into chunks of items. Threads that
wait for a call hand chunks to idle workers, and so does a worker's reader thread when
its chunk is done (the worker is then idle, reading, so the write cannot block on it);
the thread that made an `auto` call also runs chunks itself, on its own copy of the
function. A worker that dies fails the item it was
running with an IOError naming it; the rest of its chunk goes back to the queue and a
new worker takes its place.
"""

from __future__ import annotations

import math
import os
import signal
import struct
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from axiom_sdk import AxiomError, bounded_wait, read_frame, unship, write_frame

SLICE = 0.05  # seconds: a waiting caller looks for work to hand out this often


class Call:
    """One parallel_map or spawn_process: its shipped function, its items, their results.

    results -- per item: None (not done), ("bytes", ok, data) from a worker, or
               ("value", ok, value) from the caller's own copy
    """

    def __init__(self, fid: int, function: bytes, items: list[bytes], spread: bool,
                 limit: int, name: str, labels: Callable[[int], str]) -> None:
        self.fid = fid
        self.function = function
        self.items = items
        self.spread = spread  # each item is an argument list (spawn_process), not one argument
        self.limit = limit
        self.name = name
        self.labels = labels
        self.results: list[Any] = [None] * len(items)
        self.left = len(items)
        self.pending: deque[list[int]] = deque()
        self.inflight = 0
        self.abandoned = False


class _Worker:
    __slots__ = ("proc", "lock", "fids", "chunk", "done_in_chunk", "alive", "ready", "job")

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.lock = threading.Lock()  # one writer at a time
        self.fids: set[int] = set()
        self.chunk: tuple[Call, list[int]] | None = None
        self.done_in_chunk: set[int] = set()
        self.alive = True
        self.ready = False  # it said it is ready: until then its chunks wait in the queue
        self.job = 0


class Pool:
    """Worker processes for one run (see the file's docstring)."""

    def __init__(self, run: Any, argv: list[str], config: bytes) -> None:
        self.run = run  # the run's axiom_sdk.Run: its `write` prints worker output
        self.argv = argv
        self.config = config
        self.size = 0
        self.workers: list[_Worker] = []
        self.calls: deque[Call] = deque()  # calls with chunks waiting
        self.dead_fids: set[int] = set()
        self.cond = threading.Condition()
        self.next_fid = 0
        self.closed = False

    # -- workers -----------------------------------------------------------------------
    def grow(self, size: int) -> None:
        """Keep at least `size` workers (started now, so they warm up while work is
        being prepared)."""
        with self.cond:
            self.size = max(self.size, size)
            while sum(w.alive for w in self.workers) < self.size:
                self._start()

    def _start(self) -> _Worker:
        # a session of its own: Ctrl-C in the terminal is the parent's to handle (it ends
        # the workers); a worker whose parent died ends itself (axiom.workers)
        proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                close_fds=True, start_new_session=True)
        w = _Worker(proc)
        assert proc.stdin is not None
        try:
            write_frame(proc.stdin, ord("C"), self.config)
        except OSError:
            pass  # the reader sees it end
        self.workers.append(w)
        threading.Thread(target=self._read, args=(w,), name="axiom-con-pool-reader",
                         daemon=True).start()
        return w

    def new_fid(self) -> int:
        with self.cond:
            self.next_fid += 1
            return self.next_fid

    # -- calls ---------------------------------------------------------------------------
    def submit(self, call: Call, chunks: list[list[int]]) -> None:
        """Queue chunks of `call`'s items (lists of indexes) for the workers."""
        with self.cond:
            call.pending.extend(c for c in chunks if c)
            if call.pending and call not in self.calls:
                self.calls.append(call)
            self.cond.notify_all()
        self.dispatch()

    def take_back(self, call: Call) -> list[int]:
        """The indexes of `call`'s items that no worker has taken yet, no longer queued."""
        with self.cond:
            taken = [i for chunk in call.pending for i in chunk]
            call.pending.clear()
            if call in self.calls:
                self.calls.remove(call)
            return taken

    def finish(self, call: Call) -> None:
        """The call is over (done, failed or abandoned): workers may forget its function."""
        with self.cond:
            call.abandoned = True
            call.pending.clear()
            if call in self.calls:
                self.calls.remove(call)
            self.dead_fids.add(call.fid)

    def wait(self, call: Call, where: str, local: Callable[[list[int]], None] | None = None) -> None:
        """Hand out chunks until every item of `call` has a result; with `local`, run
        chunks of this call here too. Ends at the run's deadline (LimitExceeded); Ctrl-C
        ends every worker at once."""
        try:
            self._wait(call, where, local)
        except KeyboardInterrupt:
            self.kill()
            raise

    def _wait(self, call: Call, where: str, local: Callable[[list[int]], None] | None) -> None:
        while True:
            self.dispatch()
            if local is not None:
                with self.cond:  # this thread's chunks do not count against the
                    mine = call.pending.popleft() if call.pending else None  # workers' limit
                    if mine is not None and not call.pending and call in self.calls:
                        self.calls.remove(call)
                if mine is not None:
                    local(mine)
                    continue
            with self.cond:
                if call.left == 0:
                    return
                if self.closed:  # Ctrl-C or the run's end ended the workers
                    err = AxiomError("IOError", f"{where}: the worker processes were ended "
                                                "before this call finished")
                    err.interrupted = True  # type: ignore[attr-defined]  # nothing to report
                    raise err
                bounded_wait(lambda t: self.cond.wait(t) or call.left == 0,
                             SLICE, where=where)
                if call.left == 0:
                    return

    def dispatch(self) -> None:
        """Give each idle worker the next chunk (writing happens outside the lock)."""
        sends = []
        with self.cond:
            if self.closed:
                return
            while sum(w.alive for w in self.workers) < self.size and self.calls:
                self._start()
            for w in self.workers:
                if not w.alive or not w.ready or w.chunk is not None:
                    continue
                call = next((c for c in self.calls if c.inflight < c.limit and c.pending), None)
                if call is None:
                    break
                indexes = call.pending.popleft()
                if not call.pending:
                    self.calls.remove(call)
                call.inflight += 1
                w.chunk = (call, indexes)
                w.done_in_chunk = set()
                w.job += 1
                drop = w.fids & self.dead_fids
                w.fids -= drop
                new = call.fid not in w.fids
                w.fids.add(call.fid)
                sends.append((w, call, indexes, drop, new, w.job))
        for w, call, indexes, drop, new, job in sends:
            self._send(w, call, indexes, drop, new, job)

    def _send(self, w: _Worker, call: Call, indexes: list[int], drop: set[int], new: bool,
              job: int) -> None:
        frames = [(ord("D"), struct.pack("<I", fid)) for fid in drop]
        if new:
            frames.append((ord("F"), struct.pack("<I", call.fid) + call.function))
        left = _time_left()
        parts = [struct.pack("<IIdIB", job, call.fid, math.nan if left is None else left,
                             len(indexes), 1 if call.spread else 0)]
        for i in indexes:
            data = call.items[i]
            parts.append(struct.pack("<I", len(data)))
            parts.append(data)
        frames.append((ord("J"), b"".join(parts)))
        stdin = w.proc.stdin
        assert stdin is not None
        try:
            with w.lock:
                for tag, payload in frames:
                    write_frame(stdin, tag, payload)
        except OSError:
            pass  # it died: its reader finds the end of its output and fails the item

    def _read(self, w: _Worker) -> None:
        out = w.proc.stdout
        assert out is not None
        while True:
            try:
                frame = read_frame(out)
            except (OSError, ValueError):
                frame = None
            if frame is None:
                break
            tag, payload = frame
            if tag == ord("O"):
                self.run.write(payload[1:].decode("utf-8", "surrogatepass"), payload[0])
            elif tag == ord("Y"):  # started: it takes work from now on
                with self.cond:
                    w.ready = True
                self.dispatch()
            elif tag == ord("R"):
                job, index, ok = struct.unpack_from("<IIB", payload)
                self._result(w, job, index, bool(ok), payload[9:])
        self._died(w)

    def _result(self, w: _Worker, job: int, index: int, ok: bool, data: bytes) -> None:
        with self.cond:
            if w.chunk is None or job != w.job:
                return
            call, indexes = w.chunk
            item = indexes[index]
            if call.results[item] is None:
                call.results[item] = ("bytes", ok, data)
                call.left -= 1
            w.done_in_chunk.add(index)
            idle = len(w.done_in_chunk) == len(indexes)
            if idle:
                w.chunk = None
                call.inflight -= 1
            if idle or call.left == 0:  # what a waiting thread waits for (not every item)
                self.cond.notify_all()
        if idle:  # its next chunk now, even while the waiting thread runs one itself
            self.dispatch()

    def _died(self, w: _Worker) -> None:
        """A worker's output ended: fail the item it was running, requeue the rest."""
        try:
            code = w.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            w.proc.kill()
            code = w.proc.wait()
        with self.cond:
            w.alive = False
            if w in self.workers:
                self.workers.remove(w)
            if w.chunk is not None and not self.closed:
                call, indexes = w.chunk
                w.chunk = None
                call.inflight -= 1
                rest = [i for n, i in enumerate(indexes) if n not in w.done_in_chunk]
                if rest and not call.abandoned:
                    crashed = rest[0]
                    err = AxiomError("IOError", f"{call.name}: the worker process running "
                                                f"{call.labels(crashed)} ended unexpectedly "
                                                f"({_how_it_ended(code)})")
                    call.results[crashed] = ("value", False, err)
                    call.left -= 1
                    if rest[1:]:
                        call.pending.appendleft(rest[1:])
                        if call not in self.calls:
                            self.calls.appendleft(call)
            self.cond.notify_all()

    def close(self) -> None:
        """End every worker: close its input (it exits), then kill what is left."""
        with self.cond:
            self.closed = True
            workers = list(self.workers)
            self.workers.clear()
            self.cond.notify_all()
        for w in workers:
            try:
                if w.proc.stdin is not None:
                    w.proc.stdin.close()
            except OSError:
                pass
        end = time.monotonic() + 1.0
        for w in workers:
            try:
                w.proc.wait(timeout=max(0.0, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                w.proc.kill()
                w.proc.wait()

    def kill(self) -> None:
        """End every worker at once (the run failed or was interrupted)."""
        with self.cond:
            self.closed = True
            workers = list(self.workers)
            self.workers.clear()
            self.cond.notify_all()
        for w in workers:
            try:
                w.proc.kill()
                w.proc.wait()
            except OSError:
                pass


def collect(call: Call) -> list[Any]:
    """The results of a finished call, in order; the first item's error raised."""
    values = []
    for r in call.results:
        kind, ok, data = r
        v = unship(data) if kind == "bytes" else data
        if not ok:
            raise v
        values.append(v)
    return values


def _time_left() -> float | None:
    from axiom_sdk import time_left
    return time_left()


def _how_it_ended(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"killed by {name}"
    return f"exit status {code}"


def cpu_count() -> int:
    return os.cpu_count() or 1
