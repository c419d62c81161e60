"""Work in other processes: what a module (`con`) may ask of the running core, and the
frames a parent and its worker processes exchange.

Modules never import the core, so the core offers these through the calling code's
`Run` (axiom_sdk._module.Run; the Runtime fills them in, as it answers `position()`):

    ship(value, what)      an Axiom value as bytes another process can read: plain data,
                           functions as validated .axc bytecode with what they use from
                           their closures and globals (never pickle). A value that cannot
                           go (a lock, a channel, an open file) is a TypeError naming it.
    unship(data)           those bytes as values of the calling run (fresh copies)
    is_script_function(f)  whether `f` is a function written in Axiom (shippable code)
    worker_setup()         (argv, config): the command that starts a worker process, and
                           the first frame to send it (the run's capabilities, limits and
                           settings), so a worker never holds more than its parent
    write(text, stream)    a line of `out` (0) or `err` (1) as the run writes its own
    job_runner()           a plain Python function, importable by name on any machine
                           with Axiom installed: run_job(config, fn, args, time_left)
                           -> (ok, bytes). What a Dask worker is given to call.

Frames on a pipe: u32 length (little-endian, of what follows), one tag byte, payload.

Must not import the core (`axiom`).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, Any


def write_frame(f: IO[bytes], tag: int, payload: bytes = b"") -> None:
    """Write one frame (`tag` a byte value such as ord("J")) and flush it."""
    f.write((len(payload) + 1).to_bytes(4, "little") + bytes((tag,)) + payload)
    f.flush()


def read_frame(f: IO[bytes]) -> tuple[int, bytes] | None:
    """The next frame as (tag, payload), or None at the end of the stream (the other
    side has gone, or a frame was cut short)."""
    head = _read_exactly(f, 5)
    if head is None:
        return None
    n, tag = int.from_bytes(head[:4], "little"), head[4]
    payload = _read_exactly(f, n - 1) if n > 1 else b""
    if payload is None:
        return None
    return tag, payload


def _read_exactly(f: IO[bytes], n: int) -> bytes | None:
    chunks = []
    while n:
        b = f.read(n)
        if not b:
            return None
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)


def ship(value: Any, what: str = "the value") -> bytes:
    """`value` as bytes for another process (see the file's docstring). `what` names
    the value in a TypeError ("item 3", "the function")."""
    from ._module import run
    return run().ship(value, what)


def unship(data: bytes) -> Any:
    """Values of the calling run from bytes `ship` made (in this process or another)."""
    from ._module import run
    return run().unship(data)


def is_script_function(fn: Any) -> bool:
    """Whether `fn` is a function written in Axiom (one `ship` sends as bytecode)."""
    from ._module import run
    return run().is_script_function(fn)


def worker_setup() -> tuple[list[str], bytes]:
    """(argv, config): how to start a worker process for the calling run."""
    from ._module import run
    return run().worker_setup()


def write_output(text: str, stream: int) -> None:
    """Write `text` as one line of the calling run's stdout (0) or stderr (1)."""
    from ._module import run
    run().write(text, stream)


def job_runner() -> Any:
    """A function a remote worker (Dask) calls: run_job(config, fn, args, time_left)."""
    from ._module import run
    return run().job_runner()
