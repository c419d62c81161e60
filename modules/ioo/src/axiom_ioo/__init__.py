"""Axiom module `ioo`: input/output on the standard library's `io` and `subprocess`.

Files are UTF-8 text, read and written exactly (no newline translation). `file_write`
replaces a file atomically: the text goes to a temporary file in the same folder, which
is flushed to disk (fsync) and then renamed over the target, so a failure part-way leaves
the old file whole. `file_lines` streams a file line by line, without line endings.
`file_read_bytes` gives the bytes as a list of ints (0-255): Axiom has no bytes type.

Buffers ([buffer]) are in-memory text. Pipes run programs from an argument list — never
through a shell: `pipe_run(["echo", "hi"])` waits and returns `{"code", "stdout",
"stderr"}` with the exact text written; `pipe_open(cmd)` gives a [pipe] to talk to a
running program (`write`, `read_line`, `close` -> exit code). A pipe's standard error is
the script's own; `pipe_run` without `input` gives the program an empty standard input.
Every wait on a program or on standard input (`pipe_run`, a pipe's `read_line`, `write`
and `close`, `stdin_read`, `stdin_lines`) ends with LimitExceeded when the run's time
limit (`--timeout`) passes; `pipe_run` then kills the program.

Nothing a run starts outlives it. Each program runs in its own process group; when the
run is cancelled (Ctrl-C, SIGTERM) its programs' groups get SIGTERM, then SIGKILL a
second later if they are still there, and the temporary files of writes in progress are
removed. A write's temporary file is named `.NAME.axiom-PID-XXXXXXXX.tmp` beside the
target: one that a killed process left behind (its PID no longer runs) is removed by the
next `file_write` to the same target.

Errors name the function, the path or program and the cause, e.g.
`IOError: ioo.file_read: /x/y: no such file or directory`.

Imports only `axiom_sdk` and the standard library.
"""

from __future__ import annotations

import io
import os
import sys
import weakref
from collections.abc import Callable, Iterator
from typing import Any

from axiom_sdk import AxiomError, Module, bounded_wait, io_error, memory_check, time_left

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    from typing import TextIO

module = Module("ioo", summary="Input/output: files, buffers, pipes and standard input",
                title="Input/output")

def _io_error(fn: str, what: str, e: OSError) -> AxiomError:
    """IOError `ioo.FN: WHAT: REASON`, naming the path the script gave."""
    return io_error(f"ioo.{fn}", what, e)


def _check_path(fn: str, path: str) -> None:
    if "\0" in path:
        raise module.error("ValueError", f"ioo.{fn}: a path may not contain a NUL byte")
    if path == "":
        raise module.error("ValueError", f"ioo.{fn}: the path is empty")


def _decode_error(fn: str, path: str, e: UnicodeDecodeError) -> AxiomError:
    return module.error("ValueError", f"ioo.{fn}: {path}: not valid UTF-8 "
                                      f"(byte 0x{e.object[e.start]:02x} at offset {e.start})")


def _without_ending(line: str) -> str:
    """A line without its LF or CRLF ending (a lone CR is text, as in Rust's lines())."""
    if line.endswith("\n"):
        return line[:-2] if line.endswith("\r\n") else line[:-1]
    return line


# --- files -------------------------------------------------------------------------

@module.export(needs=["fs.read:path"])
def file_read(path: str) -> str:
    """The whole text of a UTF-8 file, exactly as stored."""
    _check_path("file_read", path)
    try:
        data = _read_all(path, 1, "ioo.file_read")
    except OSError as e:
        raise _io_error("file_read", path, e) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise _decode_error("file_read", path, e) from None


@module.export(needs=["fs.read:path"])
def file_read_bytes(path: str) -> list:
    """The bytes of a file, as a list of ints from 0 to 255."""
    _check_path("file_read_bytes", path)
    try:
        return list(_read_all(path, 8, "ioo.file_read_bytes"))  # a list: 8 bytes an item
    except OSError as e:
        raise _io_error("file_read_bytes", path, e) from None


def _read_all(path: str, scale: int, where: str) -> bytes:
    """A file's bytes, their size checked against the run's --max-memory first: a regular
    file by its size, anything else (a device such as /dev/zero, a FIFO) as it is read."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size:
            memory_check(size * scale, where)
            return f.read()
        chunks, total = [], 0
        while chunk := f.read(1 << 20):
            total += len(chunk)
            memory_check(total * scale, where)
            chunks.append(chunk)
        return b"".join(chunks)


@module.export(needs=["fs.write:path"])
def file_write(path: str, text: str) -> None:
    """Replace a file's content with text (UTF-8), atomically: all or nothing."""
    _check_path("file_write", path)
    target = os.path.realpath(path)  # write through a symlink, keep the link
    if os.path.isdir(target):
        raise module.error("IOError", f"ioo.file_write: {path}: is a directory")
    folder, base = os.path.split(target)
    try:
        mode = os.stat(target).st_mode & 0o7777
    except OSError:
        mode = None  # a new file: 0o666 less the umask, as open() gives
    _remove_stale_temps(folder, base)
    tmp = os.path.join(folder, f".{base}.axiom-{os.getpid()}-{os.urandom(4).hex()}.tmp")
    children: _Children = module.state()
    with children.lock:  # a cancelled run starts no write; its stop hook removes this one
        if children.cancelled:
            raise module.error("LimitExceeded", "ioo.file_write: the run was interrupted")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as e:
            raise _io_error("file_write", path, e) from None
        children.temps.add(tmp)
    try:
        with open(fd, "w", encoding="utf-8", newline="") as f:
            if mode is not None:
                os.fchmod(fd, mode)
            f.write(text)
            f.flush()
            os.fsync(fd)
        os.replace(tmp, target)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, UnicodeEncodeError):
            raise module.error("ValueError", f"ioo.file_write: {path}: the text cannot be "
                                             f"written as UTF-8 ({e.reason})") from None
        if isinstance(e, OSError):
            raise _io_error("file_write", path, e) from None
        raise
    finally:
        children.temps.discard(tmp)


def _remove_stale_temps(folder: str, base: str) -> None:
    """Remove the temporary files of earlier writes to `folder/base` whose process no
    longer runs (it was killed part-way: SIGKILL, a power cut)."""
    prefix = f".{base}.axiom-"
    try:
        names = [n for n in os.listdir(folder or ".") if n.startswith(prefix) and n.endswith(".tmp")]
    except OSError:
        return
    for name in names:
        pid_text = name[len(prefix):].partition("-")[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid() or _alive(int(pid_text)):
            continue
        try:
            os.unlink(os.path.join(folder, name))
        except OSError:
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it runs, as another user
    return True


@module.export(needs=["fs.write:path"])
def file_append(path: str, text: str) -> None:
    """Add text (UTF-8) to the end of a file, creating it when missing."""
    _check_path("file_append", path)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise module.error("ValueError", f"ioo.file_append: {path}: the text cannot be "
                                         f"written as UTF-8 ({e.reason})") from None
    try:
        with open(path, "ab") as f:
            f.write(data)
    except OSError as e:
        raise _io_error("file_append", path, e) from None


@module.export(needs=["fs.read:path"])
def file_lines(path: str) -> Iterator[str]:
    """Stream a UTF-8 file's lines, without their line endings (LF or CRLF)."""
    _check_path("file_lines", path)
    try:
        f = open(path, "rb")  # noqa: SIM115 - the stream closes it
    except OSError as e:
        raise _io_error("file_lines", path, e) from None
    return _lines(f, "file_lines", path)


def _lines(f: io.BufferedIOBase, fn: str, what: str) -> Iterator[str]:
    """The lines of binary stream `f`, decoded one by one (so a bad byte fails at its
    line, after the good lines before it); closes `f` at the end."""
    n = 0
    try:
        with f:
            for raw in f:
                n += 1
                yield _without_ending(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise module.error("ValueError", f"ioo.{fn}: {what}: line {n} is not valid UTF-8") from None
    except OSError as e:
        raise _io_error(fn, what, e) from None


# --- buffers -----------------------------------------------------------------------

def _show_buffer(b: Buffer) -> str:
    return f"<buffer {b.size} chars>"


@module.foreign_type("buffer", attrs=["size"], display=_show_buffer)
class Buffer:
    """In-memory text that grows as it is written to. `size` is its length in chars."""

    __slots__ = ("_parts", "size")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> None:
        self._parts.append(text)
        self.size += len(text)

    def read(self) -> str:
        if len(self._parts) > 1:
            self._parts[:] = ["".join(self._parts)]
        return self._parts[0] if self._parts else ""

    def clear(self) -> None:
        self._parts.clear()
        self.size = 0


@module.export(needs=[])
def buffer_new() -> Buffer:
    """A new, empty text buffer."""
    return Buffer()


@module.export(needs=[])
def buffer_write(b: Buffer, text: str) -> None:
    """Add text to the end of a buffer."""
    b.write(text)


@module.export(needs=[])
def buffer_read(b: Buffer) -> str:
    """Everything written to a buffer since it was made or cleared (it keeps it)."""
    return b.read()


@module.export(needs=[])
def buffer_clear(b: Buffer) -> None:
    """Empty a buffer."""
    b.clear()


# --- pipes -------------------------------------------------------------------------

def _argv(fn: str, cmd_list: list) -> list[str]:
    if not cmd_list:
        raise module.error("ValueError", f"ioo.{fn}: the command list is empty")
    for i, arg in enumerate(cmd_list):
        if type(arg) is not str:
            from axiom_sdk import typeof
            raise module.error("TypeError", f"ioo.{fn}: command list item {i} expects str, "
                                            f"got {typeof(arg)}")
        if "\0" in arg:
            raise module.error("ValueError", f"ioo.{fn}: command list item {i} contains a NUL byte")
    return list(cmd_list)


def _start(fn: str, argv: list[str], **kw: object) -> subprocess.Popen[bytes]:
    """Start a program in a process group of its own (so that ending the run ends it and
    whatever it started), as one of the run's children."""
    import subprocess
    children: _Children = module.state()
    with children.lock:
        if children.cancelled:
            raise module.error("LimitExceeded", f"ioo.{fn}: the run was interrupted")
        try:
            p = subprocess.Popen(argv, process_group=0, **kw)  # type: ignore[call-overload]
        except FileNotFoundError:
            raise module.error("IOError", f"ioo.{fn}: {argv[0]}: program not found") from None
        except OSError as e:
            raise _io_error(fn, argv[0], e) from None
        children.procs.add(p)
    return p  # type: ignore[no-any-return]


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


@module.export(needs=["proc:cmd_list"])
def pipe_run(cmd_list: list, input: str | None = None, timeout: float | None = None) -> dict:
    """Run a program (an argument list, no shell) to the end: {"code", "stdout", "stderr"}."""
    import subprocess  # here, not at import: it costs 15 ms
    argv = _argv("pipe_run", cmd_list)
    stdin = subprocess.PIPE if input is not None else subprocess.DEVNULL
    p = _start("pipe_run", argv, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    data = input.encode("utf-8", errors="replace") if input is not None else None

    def attempt(t: float | None) -> tuple[bytes, bytes] | None:
        try:
            return p.communicate(data, timeout=t)  # type: ignore[no-any-return]
        except subprocess.TimeoutExpired:
            return None  # communicate may be called again: no output is lost
    try:
        got = bounded_wait(attempt, timeout, where=f"ioo.pipe_run: {argv[0]}")
    except BaseException:
        p.kill()
        p.wait()
        for stream in (p.stdin, p.stdout, p.stderr):
            if stream is not None:
                stream.close()
        raise
    finally:
        module.state().procs.discard(p)
    if got is None:
        p.kill()
        p.communicate()
        raise module.error("IOError", f"ioo.pipe_run: {argv[0]}: timed out after "
                                      f"{timeout:g} seconds")
    out, err = got
    return {"code": p.returncode, "stdout": _text(out), "stderr": _text(err)}


@module.per_run
class _Children:
    """What this run started and has not finished (each Runtime ends only its own): the
    pipes it opened, its running programs, the temporary files of its writes."""

    def __init__(self) -> None:
        import threading
        self.open: weakref.WeakSet[Pipe] = weakref.WeakSet()
        self.procs: set[subprocess.Popen[bytes]] = set()
        self.temps: set[str] = set()
        self.lock = threading.Lock()
        self.cancelled = False


def _show_pipe(p: Pipe) -> str:
    state = "running" if p.proc.returncode is None else f"exited {p.proc.returncode}"
    return f"<pipe {p.program} pid {p.pid} {state}>"


@module.foreign_type("pipe", attrs=["pid"], methods=["write", "read_line", "close"],
                     display=_show_pipe)
class Pipe:
    """A running program: write to its standard input, read lines of its standard output."""

    __slots__ = ("proc", "program", "pid", "pipes", "pending", "__weakref__")

    def __init__(self, proc: subprocess.Popen[bytes], program: str) -> None:
        self.proc = proc
        self.program = program
        self.pid = proc.pid
        self.pipes: _Children = module.state()  # the run that opened it
        self.pending = bytearray()  # output read but not yet returned as a line
        if proc.stdin is not None:  # writes wait in select, where the deadline can end them
            os.set_blocking(proc.stdin.fileno(), False)

    def write(self, text: str) -> None:
        """Send text to the program's standard input (flushed at once)."""
        stdin = self.proc.stdin
        if stdin is None or stdin.closed:
            raise module.error("IOError", f"ioo.pipe.write: {self.program}: the pipe is closed")
        data = memoryview(text.encode("utf-8", errors="replace"))
        fd = stdin.fileno()
        try:
            while data:
                try:
                    data = data[os.write(fd, data):]
                except BlockingIOError:  # the pipe is full: wait until the program reads
                    bounded_wait(lambda t: _ready(fd, t, write=True), where="ioo.pipe.write")
        except OSError as e:
            raise _io_error("pipe.write", self.program, e) from None

    def read_line(self) -> str | None:
        """The next line the program writes, without its ending; nil at the end."""
        stdout = self.proc.stdout
        if stdout is None or stdout.closed:
            return None
        fd = stdout.fileno()
        pending = self.pending
        try:
            while (end := pending.find(b"\n")) < 0:
                bounded_wait(lambda t: _ready(fd, t), where="ioo.pipe.read_line")
                chunk = os.read(fd, 65536)
                if not chunk:  # the program closed its output: the rest is the last line
                    end = len(pending) - 1
                    break
                pending += chunk
        except OSError as e:
            raise _io_error("pipe.read_line", self.program, e) from None
        if end < 0:
            return None
        line = bytes(pending[:end + 1])
        del pending[:end + 1]
        return _without_ending(_text(line))

    def close(self) -> int:
        """Close the program's input, wait for it to end and give its exit code."""
        p = self.proc
        if p.stdin is not None and not p.stdin.closed:
            try:
                p.stdin.close()
            except OSError:
                pass  # the program already stopped reading
        if p.stdout is not None:
            p.stdout.close()  # unread output is dropped; a program still writing gets EPIPE
        bounded_wait(lambda t: _exited(p, t), where="ioo.pipe.close")  # the stop hook ends it
        self.pipes.open.discard(self)
        self.pipes.procs.discard(p)
        return p.returncode  # type: ignore[no-any-return]


def _ready(fd: int, t: float | None, write: bool = False) -> bool:
    """Whether fd can be read (written) within t seconds."""
    import select
    r, w, _ = select.select([] if write else [fd], [fd] if write else [], [], t)
    return bool(r or w)


def _exited(p: subprocess.Popen[bytes], t: float | None) -> bool:
    import subprocess
    try:
        p.wait(t)
        return True
    except subprocess.TimeoutExpired:
        return False


@module.export(needs=["proc:cmd_list"])
def pipe_open(cmd_list: list) -> Pipe:
    """Start a program (an argument list, no shell) and give a [pipe] to talk to it."""
    import subprocess
    argv = _argv("pipe_open", cmd_list)
    p = _start("pipe_open", argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    pipe = Pipe(p, argv[0])
    pipe.pipes.open.add(pipe)
    return pipe


@module.on_stop
def _stop_pipes(error: AxiomError | None = None) -> None:
    """At the end of a run: close the pipes the script left open; end what does not stop.
    A cancelled run (Ctrl-C, SIGTERM) ends its programs at once and removes the
    temporary files of its writes."""
    import subprocess

    from axiom_sdk import current_run
    pipes: _Children = module.state()
    run = current_run.get()
    if run is not None and run.cancelled is not None:
        _end_children(pipes)
        return
    for pipe in list(pipes.open):
        p = pipe.proc
        if p.stdin is not None and not p.stdin.closed:
            try:
                p.stdin.close()
            except OSError:
                pass
        try:
            p.wait(timeout=1)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        if p.stdout is not None:
            p.stdout.close()
        pipes.open.discard(pipe)
        pipes.procs.discard(p)
    _end_children(pipes)  # programs of tasks that are still running


def _end_children(children: _Children) -> None:
    """Cancel the run's part here: no new program or write starts; every program still
    running gets SIGTERM (its whole process group), then SIGKILL after a second; the
    temporary files of unfinished writes are removed."""
    import signal
    import time
    with children.lock:
        children.cancelled = True
        procs = [p for p in children.procs if p.poll() is None]
        temps = list(children.temps)
    for tmp in temps:
        try:
            os.unlink(tmp)
        except OSError:
            pass
    for p in procs:
        _signal_group(p, signal.SIGTERM)
    end = time.monotonic() + 1.0
    for p in procs:
        try:
            p.wait(max(0.0, end - time.monotonic()))
        except Exception:
            _signal_group(p, signal.SIGKILL)
            p.wait()
        _signal_group(p, signal.SIGKILL)  # what it started, in its group, goes too
        for stream in (p.stdin, p.stdout, p.stderr):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
    children.procs.clear()
    children.open.clear()


def _signal_group(p: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(p.pid, sig)
    except OSError:
        pass  # the group is gone


# --- standard input ----------------------------------------------------------------

@module.export(needs=[])
def stdin_read() -> str:
    """All of standard input, up to its end."""
    stream = sys.stdin
    if stream is None:
        return ""
    try:
        return _until_deadline("stdin_read", stream.read)  # type: ignore[no-any-return]
    except UnicodeDecodeError as e:
        raise _decode_error("stdin_read", "standard input", e) from None
    except OSError as e:
        raise _io_error("stdin_read", "standard input", e) from None


@module.export(needs=[])
def stdin_lines() -> Iterator[str]:
    """Stream the lines of standard input, without their line endings."""
    stream = sys.stdin
    if stream is None:
        return iter(())
    return _stdin_lines(stream)


def _stdin_lines(stream: TextIO) -> Iterator[str]:
    try:
        while line := _until_deadline("stdin_lines", stream.readline):
            yield _without_ending(line)
    except UnicodeDecodeError as e:
        raise _decode_error("stdin_lines", "standard input", e) from None
    except OSError as e:
        raise _io_error("stdin_lines", "standard input", e) from None


def _until_deadline(fn: str, read: Callable[[], Any]) -> Any:
    """read() (a blocking read of standard input). Under a run's time limit it runs on a
    helper thread, so that the deadline can end the wait (the thread is left to finish)."""
    if time_left() is None:
        return read()
    import threading
    box: list[Any] = []
    done = threading.Event()

    def run() -> None:
        try:
            box.append((read(), None))
        except BaseException as e:
            box.append((None, e))
        finally:
            done.set()
    threading.Thread(target=run, name="axiom-stdin", daemon=True).start()
    bounded_wait(done.wait, where=f"ioo.{fn}")
    value, error = box[0]
    if error is not None:
        raise error
    return value
