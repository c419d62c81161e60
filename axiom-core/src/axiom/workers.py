"""Worker processes: run shipped Axiom functions for a parent run (con's process backend,
and Dask workers through `run_job`).

Pipeline position: beside the runtime; started by `python -c "from axiom.workers import
main; main()"` (what `Runtime.worker_setup` hands to con). Imports the runtime and
ship.py; never the CLI.

A worker holds exactly its parent run's capabilities and limits (the config frame): each
item it runs may take the whole of --max-steps and --max-memory (counted in the worker,
as each `Runtime.call` counts them), and ends at the parent run's deadline (sent with
every job as the time left). It imports modules
only when shipped code names them, as the parent does.

Frames (axiom_sdk.read_frame / write_frame) on the worker's stdin and on a copy of its
stdout (fd 1 itself then goes to stderr, so nothing a library prints can break a frame):

    parent -> worker
      C  shipped config: {"grants", "limits", "settings"}   always the first frame
      F  u32 fid, shipped function                          keep it as function fid
      D  u32 fid                                            forget function fid
      J  u32 job, u32 fid, f64 time left (NaN: none), u32 n, u8 spread (1: each item is
         an argument list), n x (u32 len, shipped item)
    worker -> parent
      Y  (empty)                                            ready: after the config, once
      O  u8 stream (0 out, 1 err), UTF-8 text               one whole line of output
      R  u32 job, u32 index, u8 ok, shipped result or error  one per item, as it ends

The worker ends when its stdin closes (the parent ended it or died), and checks every
half second that its parent is alive. It runs in a session of its own (con starts it so),
so Ctrl-C in the terminal reaches only the parent, which ends its workers.
"""

from __future__ import annotations

import _thread  # not threading: a worker starts without functools, collections, enum
import math
import os
import struct
import sys
import time

from axiom_sdk import AxiomError, read_frame, write_frame

from . import ship
from .runtime import Runtime, out_of_memory

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; annotations here are strings
    from typing import Any


class _Lines:
    """A text stream for the worker's Runtime: each `out`/`err` line goes to `emit` whole
    (the Runtime writes one line per call)."""

    def __init__(self, stream: int, emit: Any) -> None:
        self.stream = stream
        self.emit = emit
        self.partial = ""

    def write(self, text: str) -> int:
        text = self.partial + text
        *lines, self.partial = text.split("\n")
        for line in lines:
            self.emit(self.stream, line)
        return len(text)

    def flush(self) -> None:
        pass


def make_runtime(config: dict[str, Any], emit: Any) -> Runtime:
    """The Runtime a worker runs its items in: the parent's grants, limits and settings,
    with output lines handed to `emit(stream, line)`."""
    limits = {k: v for k, v in config["limits"].items() if v is not None}
    limits["budget"] = "shared"  # run_items starts each item's budget itself
    return Runtime(grants=config["grants"], limits=limits, settings=config["settings"],
                   stdout=_Lines(0, emit), stderr=_Lines(1, emit))  # type: ignore[arg-type]


def run_items(rt: Runtime, fn: Any, items: list[bytes], time_left: float | None,
              spread: bool) -> list[tuple[bool, bytes]]:
    """Call `fn` with each shipped item (its argument list when `spread`, else its one
    argument), each with the whole of every limit and the parent run's deadline (`time_left`
    seconds from now); (ok, shipped result or error) for each."""
    deadline = None if time_left is None else time.monotonic() + time_left
    rt.start_budget(time_left)
    tokens = rt.enter_context()  # one context for the job: the run's grants and deadline
    try:
        return [run_item(rt, fn, data, deadline, spread) for data in items]
    finally:
        rt.leave_context(tokens)


def run_item(rt: Runtime, fn: Any, data: bytes, deadline: float | None,
             spread: bool) -> tuple[bool, bytes]:
    """One item of a job, in the job's context (run_items): a fresh budget of every limit,
    ending at the parent run's `deadline` (a time.monotonic() value, None: no deadline)."""
    rt.start_budget(None if deadline is None else deadline - time.monotonic())
    try:
        args = ship.unship(rt, data)
        value = rt.apply(fn, args if spread else [args])
        return True, ship.ship(rt, value, "the result")
    except AxiomError as e:
        return False, ship.ship(rt, e)
    except MemoryError:
        return False, ship.ship(rt, out_of_memory())


def _in_context(rt: Runtime, f: Any, *args: Any) -> Any:
    tokens = rt.enter_context()
    try:
        return f(*args)
    finally:
        rt.leave_context(tokens)


def load_function(rt: Runtime, data: bytes) -> Any:
    """A shipped function as a value of `rt` (an AxiomError when it cannot be read)."""
    return _in_context(rt, ship.unship, rt, data)


# --- the local worker process -------------------------------------------------------------

def main() -> None:
    """Serve one parent: read jobs from stdin until it closes."""
    try:  # the C module: `signal` would first build its enums, a tenth of a worker's start
        import _signal as signal
    except ImportError:  # not CPython
        import signal  # type: ignore[no-redef]
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _watch_parent(int(sys.argv[1]) if len(sys.argv) > 1 else os.getppid())
    proto = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # whatever else writes to stdout cannot break a frame
    inp = sys.stdin.buffer
    lock = _thread.allocate_lock()

    def send(tag: str, payload: bytes) -> None:
        with lock:
            write_frame(proto, ord(tag), payload)

    def emit(stream: int, line: str) -> None:
        send("O", bytes((stream,)) + line.encode("utf-8", "surrogatepass"))

    first = read_frame(inp)
    if first is None or first[0] != ord("C"):
        return
    rt = make_runtime(ship.unship(None, first[1]), emit)
    send("Y", b"")
    functions: dict[int, Any] = {}
    broken: dict[int, bytes] = {}  # fid -> the shipped error that reading it raised
    try:
        while True:
            frame = read_frame(inp)
            if frame is None:
                break
            tag, payload = frame
            if tag == ord("F"):
                fid = struct.unpack_from("<I", payload)[0]
                try:
                    functions[fid] = load_function(rt, payload[4:])
                except AxiomError as e:
                    broken[fid] = ship.ship(rt, e)
            elif tag == ord("D"):
                fid = struct.unpack_from("<I", payload)[0]
                functions.pop(fid, None)
                broken.pop(fid, None)
            elif tag == ord("J"):
                _serve_job(rt, payload, functions, broken, send)
    finally:
        rt.close()
        proto.close()


def _serve_job(rt: Runtime, payload: bytes, functions: dict[int, Any], broken: dict[int, bytes],
               send: Any) -> None:
    job, fid, left, n, spread = struct.unpack_from("<IIdIB", payload)
    pos = struct.calcsize("<IIdIB")
    time_left = None if math.isnan(left) else left
    deadline = None if time_left is None else time.monotonic() + time_left
    fn = functions.get(fid)
    head = struct.Struct("<IIB").pack
    size_at = struct.Struct("<I").unpack_from
    rt.start_budget(time_left)
    tokens = rt.enter_context()  # one context for the job: the run's grants and deadline
    try:
        for index in range(n):
            size = size_at(payload, pos)[0]
            data = payload[pos + 4:pos + 4 + size]
            pos += 4 + size
            if fn is None:
                ok, result = False, broken[fid]
            else:
                ok, result = run_item(rt, fn, data, deadline, bool(spread))
            # one frame per item as it ends: a worker that dies mid-job has said which
            # items it finished, so the parent knows the one it was running
            send("R", head(job, index, 1 if ok else 0) + result)
    finally:
        rt.leave_context(tokens)


def _watch_parent(parent: int) -> None:
    """End this worker when its parent is gone (killed: nothing else would tell it)."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)
    _thread.start_new_thread(watch, ())  # like a daemon thread: it never holds up the end


# --- Dask workers --------------------------------------------------------------------------

_RUNTIMES: dict[bytes, tuple[Runtime, Any]] = {}
_RUNTIMES_LOCK = _thread.allocate_lock()


def run_job(config: bytes, fn: bytes, items: list[bytes], time_left: float | None,
            spread: bool) -> tuple[list[tuple[bool, bytes]], list[tuple[int, str]]]:
    """Run one shipped job where this is called (a Dask worker): ([(ok, bytes)] per
    item, [(stream, line)] of output). The Runtime for a config is made once per process
    and kept (a warm worker), each job's output collected for its own thread."""
    with _RUNTIMES_LOCK:
        entry = _RUNTIMES.get(config)
        if entry is None:
            local = _thread._local()

            def emit(stream: int, line: str) -> None:
                getattr(local, "lines", []).append((stream, line))
            entry = _RUNTIMES[config] = (make_runtime(ship.unship(None, config), emit), local)
    rt, local = entry
    lines: list[tuple[int, str]] = []
    local.lines = lines
    try:
        function = load_function(rt, fn)
    except AxiomError as e:
        return [(False, ship.ship(rt, e))] * len(items), lines
    results = run_items(rt, function, items, time_left, spread)
    return results, lines


def config_bytes(runtime: Runtime) -> bytes:
    """The config frame for `runtime`'s workers: its grants, limits and settings."""
    limits = {"max_steps": runtime.max_steps, "timeout": runtime.timeout,
              "max_memory": runtime.limits.get("max_memory"),
              "max_call_depth": runtime.limits.get("max_call_depth")}
    # plain data in ship's format (json would cost a worker 30 ms of imports)
    return ship.ship(runtime, {"grants": runtime.grants.caps, "limits": limits,
                               "settings": runtime.settings}, "the worker config")


def setup(runtime: Runtime) -> tuple[list[str], bytes]:
    """(argv, config) that start a worker process for `runtime`."""
    # The parent's pid goes along: a worker that asked for it only after its imports
    # could miss that its parent was already gone.
    return ([sys.executable, "-c", "from axiom.workers import main; main()", str(os.getpid())],
            config_bytes(runtime))
