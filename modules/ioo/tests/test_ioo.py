"""ioo on real files and real subprocesses, called as scripts call it."""

import os
import subprocess
import sys
import tracemalloc

import pytest

from axiom_ioo import Buffer, Pipe, module
from axiom_sdk import AxiomError, Iterator
from axiom_sdk.testing import (
    call,
    call_method,
    end_run,
    raises,
    rerun_where_file_modes_bind,
)

PY = sys.executable


def err(name, *args, **kwargs):
    e = raises(module, name, *args, **kwargs)
    return e.kind, e.message


# --- files ---------------------------------------------------------------------------

def test_file_read_gives_the_exact_text(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes("héllo\r\nworld\n".encode())
    assert call(module, "file_read", str(p)) == "héllo\r\nworld\n"


def test_file_read_bytes_gives_ints(tmp_path):
    p = tmp_path / "b.bin"
    p.write_bytes(bytes([0, 1, 255, 10]))
    got = call(module, "file_read_bytes", str(p))
    assert got == [0, 1, 255, 10] and all(type(x) is int for x in got)
    (tmp_path / "empty").write_bytes(b"")
    assert call(module, "file_read_bytes", str(tmp_path / "empty")) == []


def test_file_write_then_read_round_trips(tmp_path):
    p = str(tmp_path / "w.txt")
    assert call(module, "file_write", p, "one\ntwo ✓\r\n") is None
    assert open(p, "rb").read() == "one\ntwo ✓\r\n".encode()
    call(module, "file_write", p, "short")
    assert call(module, "file_read", p) == "short"
    assert os.listdir(tmp_path) == ["w.txt"]  # no temporary file left


def test_file_write_keeps_the_mode_of_an_existing_file(tmp_path):
    p = tmp_path / "m.sh"
    p.write_text("old")
    os.chmod(p, 0o751)
    call(module, "file_write", str(p), "new")
    assert p.read_text() == "new" and (os.stat(p).st_mode & 0o777) == 0o751


def test_file_write_through_a_symlink_keeps_the_link(tmp_path):
    target = tmp_path / "real.txt"
    target.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    call(module, "file_write", str(link), "new")
    assert link.is_symlink() and target.read_text() == "new"


def test_file_write_that_fails_to_encode_leaves_the_old_file_whole(tmp_path):
    p = tmp_path / "keep.txt"
    p.write_text("old content\n")
    bad = "x" * 1_000_000 + "\ud800"  # a lone surrogate: no UTF-8 form
    assert err("file_write", str(p), bad) == (
        "ValueError", f"ioo.file_write: {p}: the text cannot be written as UTF-8 "
                      "(surrogates not allowed)")
    assert p.read_text() == "old content\n"
    assert os.listdir(tmp_path) == ["keep.txt"]


def test_file_write_that_fails_mid_way_leaves_the_old_file_whole(tmp_path, monkeypatch):
    p = tmp_path / "keep.txt"
    p.write_text("old content\n")
    written = []

    def failing_fsync(fd):  # the new text is written; the crash comes before the rename
        written.append(os.fstat(fd).st_size)
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    assert err("file_write", str(p), "new text " * 1000) == (
        "IOError", f"ioo.file_write: {p}: input/output error")
    assert written == [9000]
    assert p.read_text() == "old content\n"
    assert os.listdir(tmp_path) == ["keep.txt"]


STUCK_WRITER = """\
import os, sys, time
import axiom_ioo
def stuck(fd):  # the text is in the temporary file; the rename never comes
    print("ready", flush=True)
    time.sleep(60)
os.fsync = stuck
axiom_ioo.file_write(sys.argv[1], "half-done")
"""


def _stuck_writer(target):
    p = subprocess.Popen([PY, "-c", STUCK_WRITER, str(target)], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline() == "ready\n"
    return p


def test_the_next_write_removes_what_a_killed_write_left(tmp_path):
    target = tmp_path / "data.txt"
    target.write_text("old\n")
    running = _stuck_writer(target)  # a write still in progress in another process
    killed = _stuck_writer(target)
    killed.kill()  # SIGKILL: no handler runs, the temporary file stays
    killed.wait()
    try:
        left = sorted(f.name for f in tmp_path.iterdir() if f.name != "data.txt")
        assert [n.split("-")[1] for n in left] == sorted([str(killed.pid), str(running.pid)])
        assert all(n.startswith(".data.txt.axiom-") and n.endswith(".tmp") for n in left)
        call(module, "file_write", str(target), "new\n")
        assert target.read_text() == "new\n"
        # the killed process's file is gone; the running one's is its own business
        assert sorted(f.name for f in tmp_path.iterdir()) == [f for f in left if f"-{running.pid}-" in f] + ["data.txt"]
    finally:
        running.kill()
        running.wait()


def test_file_append_adds_and_creates(tmp_path):
    p = str(tmp_path / "log.txt")
    call(module, "file_append", p, "a\n")
    call(module, "file_append", p, "b\n")
    assert call(module, "file_read", p) == "a\nb\n"


@pytest.mark.parametrize("text, lines", [
    ("a\nb\n", ["a", "b"]),
    ("a\nb", ["a", "b"]),
    ("a\r\nb\r\n", ["a", "b"]),
    ("\n\nx\n", ["", "", "x"]),
    ("", []),
    ("solo", ["solo"]),
    ("a\rb\n", ["a\rb"]),  # only "\n" and "\r\n" end lines
    ("é\n✓", ["é", "✓"]),
])
def test_file_lines_yields_lines_without_endings(tmp_path, text, lines):
    p = tmp_path / "l.txt"
    p.write_bytes(text.encode())
    it = call(module, "file_lines", str(p))
    assert type(it) is Iterator
    assert list(it) == lines


def test_file_lines_streams_a_large_file(tmp_path):
    p = tmp_path / "big.txt"
    with open(p, "w") as f:
        for i in range(400_000):
            f.write(f"line number {i}\n")  # about 7 MB
    tracemalloc.start()
    try:
        it = call(module, "file_lines", str(p))
        first = [next(it) for _ in range(3)]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert first == ["line number 0", "line number 1", "line number 2"]
    assert peak < 1_000_000
    assert sum(1 for _ in it) == 400_000 - 3


@pytest.mark.parametrize("name", ["file_read", "file_read_bytes", "file_lines"])
def test_reading_a_missing_file_names_the_path(tmp_path, name):
    p = str(tmp_path / "nope" / "x.txt")
    assert err(name, p) == ("IOError", f"ioo.{name}: {p}: no such file or directory")


@pytest.mark.parametrize("name, args", [
    ("file_read", ()), ("file_read_bytes", ()), ("file_lines", ()),
    ("file_write", ("t",)), ("file_append", ("t",)),
])
def test_a_directory_is_not_a_file(tmp_path, name, args):
    assert err(name, str(tmp_path), *args) == ("IOError", f"ioo.{name}: {tmp_path}: is a directory")


def test_writing_into_a_missing_folder_names_the_path(tmp_path):
    p = str(tmp_path / "nope" / "x.txt")
    assert err("file_write", p, "x") == ("IOError", f"ioo.file_write: {p}: no such file or directory")
    assert err("file_append", p, "x") == ("IOError", f"ioo.file_append: {p}: no such file or directory")


def test_permission_denied_names_the_path(tmp_path, request):
    if rerun_where_file_modes_bind(request):
        return
    p = tmp_path / "secret.txt"
    p.write_text("s")
    os.chmod(p, 0)
    assert err("file_read", str(p)) == ("IOError", f"ioo.file_read: {p}: permission denied")
    ro = tmp_path / "ro"
    ro.mkdir()
    os.chmod(ro, 0o500)
    q = str(ro / "x.txt")
    assert err("file_write", q, "x") == ("IOError", f"ioo.file_write: {q}: permission denied")


def test_invalid_utf8_is_a_value_error(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes(b"ok\n\xff\n")
    assert err("file_read", str(p)) == ("ValueError", f"ioo.file_read: {p}: not valid UTF-8 "
                                                      "(byte 0xff at offset 3)")
    it = call(module, "file_lines", str(p))
    assert next(it) == "ok"  # the lines before the bad one arrive
    with pytest.raises(Exception) as info:
        next(it)
    assert (info.value.kind, info.value.message) == (
        "ValueError", f"ioo.file_lines: {p}: line 2 is not valid UTF-8")


@pytest.mark.parametrize("name, args", [
    ("file_read", ("a\0b",)), ("file_write", ("a\0b", "x")), ("file_lines", ("a\0b",)),
    ("file_append", ("a\0b", "x")), ("file_read_bytes", ("a\0b",)),
])
def test_a_nul_byte_in_a_path_is_a_value_error(name, args):
    assert err(name, *args) == ("ValueError", f"ioo.{name}: a path may not contain a NUL byte")


def test_wrong_argument_types():
    assert err("file_read", 3) == ("TypeError", "ioo.file_read: argument 'path' expects str, got int")
    assert err("file_write", "p", 3) == ("TypeError", "ioo.file_write: argument 'text' expects str, got int")
    assert err("buffer_write", "b", "x") == ("TypeError", "ioo.buffer_write: argument 'b' expects buffer, got str")


# --- buffers -------------------------------------------------------------------------

def test_buffers_collect_text():
    b = call(module, "buffer_new")
    assert isinstance(b, Buffer) and call(module, "buffer_read", b) == ""
    assert call(module, "buffer_write", b, "ab") is None
    call(module, "buffer_write", b, "c✓")
    assert call(module, "buffer_read", b) == "abc✓"
    assert call(module, "buffer_read", b) == "abc✓"  # reading keeps the text
    assert b.size == 4
    assert call(module, "buffer_clear", b) is None
    assert call(module, "buffer_read", b) == "" and b.size == 0
    call(module, "buffer_write", b, "z")
    assert call(module, "buffer_read", b) == "z"
    assert Buffer.__axiom_foreign__.display(b) == "<buffer 1 chars>"


# --- pipes ---------------------------------------------------------------------------

def test_pipe_run_gives_the_exact_output():
    assert call(module, "pipe_run", ["echo", "piped"]) == {"code": 0, "stdout": "piped\n", "stderr": ""}


def test_pipe_run_keeps_code_stderr_and_line_endings():
    code = "import sys; sys.stdout.write('a\\r\\nb'); sys.stderr.write('oops\\n'); sys.exit(3)"
    assert call(module, "pipe_run", [PY, "-c", code]) == {"code": 3, "stdout": "a\r\nb", "stderr": "oops\n"}


def test_pipe_run_feeds_input():
    r = call(module, "pipe_run", [PY, "-c", "import sys; print(sys.stdin.read().upper(), end='')"],
             input="héllo\nworld\n")
    assert r == {"code": 0, "stdout": "HÉLLO\nWORLD\n", "stderr": ""}
    assert call(module, "pipe_run", ["cat"]) == {"code": 0, "stdout": "", "stderr": ""}


def test_pipe_run_passes_arguments_without_a_shell():
    r = call(module, "pipe_run", ["echo", "$HOME; rm -rf /", "*"])
    assert r["stdout"] == "$HOME; rm -rf / *\n"


def test_pipe_run_times_out():
    assert err("pipe_run", ["sleep", "10"], timeout=0.2) == (
        "IOError", "ioo.pipe_run: sleep: timed out after 0.2 seconds")


def test_pipe_run_errors():
    assert err("pipe_run", "echo hi") == ("TypeError", "ioo.pipe_run: argument 'cmd_list' expects list, got str")
    assert err("pipe_run", []) == ("ValueError", "ioo.pipe_run: the command list is empty")
    assert err("pipe_run", ["echo", 3]) == ("TypeError", "ioo.pipe_run: command list item 1 expects str, got int")
    assert err("pipe_run", ["no-such-program-axiom"]) == (
        "IOError", "ioo.pipe_run: no-such-program-axiom: program not found")
    assert err("pipe_open", ["no-such-program-axiom"]) == (
        "IOError", "ioo.pipe_open: no-such-program-axiom: program not found")
    assert err("pipe_open", "cat") == ("TypeError", "ioo.pipe_open: argument 'cmd_list' expects list, got str")


def test_pipe_run_of_a_file_that_is_not_a_program(tmp_path):
    p = tmp_path / "data.txt"
    p.write_text("not a program")
    os.chmod(p, 0o644)
    kind, message = err("pipe_run", [str(p)])
    assert kind == "IOError" and message == f"ioo.pipe_run: {p}: permission denied"


def test_pipe_open_talks_to_a_program():
    pipe = call(module, "pipe_open", ["cat"])
    assert isinstance(pipe, Pipe) and pipe.pid > 0
    assert set(Pipe.__axiom_foreign__.methods) == {"write", "read_line", "close"}
    assert call_method(pipe, "write", "one\n") is None
    assert call_method(pipe, "read_line") == "one"
    call_method(pipe, "write", "two\nthree\n")
    assert call_method(pipe, "read_line") == "two"
    assert call_method(pipe, "read_line") == "three"
    assert call_method(pipe, "close") == 0
    assert call_method(pipe, "read_line") is None
    assert Pipe.__axiom_foreign__.display(pipe) == f"<pipe cat pid {pipe.pid} exited 0>"


def test_pipe_read_line_gives_nil_at_the_end_and_close_the_code():
    pipe = call(module, "pipe_open", [PY, "-c", "print('a'); print(''); print('b', end=''); raise SystemExit(4)"])
    assert [call_method(pipe, "read_line") for _ in range(4)] == ["a", "", "b", None]
    assert call_method(pipe, "close") == 4
    assert call_method(pipe, "close") == 4  # closing twice is fine


def test_pipe_write_after_close_is_an_io_error():
    pipe = call(module, "pipe_open", ["cat"])
    call_method(pipe, "close")
    with pytest.raises(AxiomError) as e:
        call_method(pipe, "write", "x")
    assert (e.value.kind, e.value.message) == ("IOError", "ioo.pipe.write: cat: the pipe is closed")
    with pytest.raises(AxiomError) as e:
        call_method(pipe, "write", 3)
    assert (e.value.kind, e.value.message) == ("TypeError", "pipe.write: argument 'text' expects str, got int")


def test_pipe_close_ends_a_program_that_keeps_writing():
    pipe = call(module, "pipe_open", ["yes"])
    assert call_method(pipe, "read_line") == "y"
    assert call_method(pipe, "close") == -13  # SIGPIPE: its output was closed


def test_the_stop_hook_ends_open_pipes():
    pipe = call(module, "pipe_open", ["cat"])
    end_run(module)
    assert pipe.proc.returncode == 0


def _pipe_that_never_writes():
    return call(module, "pipe_open", [PY, "-c", "import time; time.sleep(30)"])


def _read_a_line_that_never_comes():
    pipe = _pipe_that_never_writes()
    try:
        call_method(pipe, "read_line")
    finally:
        pipe.proc.kill()


def _write_more_than_the_program_reads():
    pipe = _pipe_that_never_writes()  # a pipe holds 64 KiB; then a write waits
    try:
        call_method(pipe, "write", "x" * 1_000_000)
    finally:
        pipe.proc.kill()


def _close_a_program_that_does_not_end():
    pipe = _pipe_that_never_writes()
    try:
        call_method(pipe, "close")
    finally:
        pipe.proc.kill()
        end_run(module)


def _read_stdin_that_never_ends(monkeypatch, lines):
    r, w = os.pipe()  # the write end stays open: a read waits
    stream = open(r, encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stream)
    try:
        if lines:
            next(call(module, "stdin_lines"))
        else:
            call(module, "stdin_read")
    finally:
        os.close(w)


@pytest.mark.parametrize("block, where", [
    (lambda mp: call(module, "pipe_run", [PY, "-c", "import time; time.sleep(30)"]),
     f"ioo.pipe_run: {PY}"),
    (lambda mp: _read_a_line_that_never_comes(), "ioo.pipe.read_line"),
    (lambda mp: _write_more_than_the_program_reads(), "ioo.pipe.write"),
    (lambda mp: _close_a_program_that_does_not_end(), "ioo.pipe.close"),
    (lambda mp: _read_stdin_that_never_ends(mp, False), "ioo.stdin_read"),
    (lambda mp: _read_stdin_that_never_ends(mp, True), "ioo.stdin_lines"),
])
def test_every_wait_ends_at_the_runs_deadline(block, where, monkeypatch):
    import time

    from axiom_sdk.testing import deadline
    start = time.monotonic()
    with deadline(0.3), pytest.raises(AxiomError) as e:
        block(monkeypatch)
    assert time.monotonic() - start < 5
    assert (e.value.kind, e.value.message) == (
        "LimitExceeded", f"{where}: the run's time limit ended the wait (--timeout)")


def test_a_pipe_reads_lines_longer_than_one_read_and_a_last_line_without_ending():
    pipe = call(module, "pipe_open", [PY, "-c", "import sys; sys.stdout.write('a' * 200000 + '\\nlast')"])
    assert call_method(pipe, "read_line") == "a" * 200000
    assert call_method(pipe, "read_line") == "last"
    assert call_method(pipe, "read_line") is None
    assert call_method(pipe, "close") == 0


# --- standard input ------------------------------------------------------------------

def _with_stdin(code, data):
    prog = ("import sys; from axiom_ioo import module; from axiom_sdk.testing import call; "
            + code)
    return subprocess.run([PY, "-c", prog], input=data.encode(), capture_output=True, timeout=60)


def test_stdin_read_reads_everything():
    p = _with_stdin("sys.stdout.write(repr(call(module, 'stdin_read')))", "a\nb ✓\n")
    assert p.returncode == 0, p.stderr
    assert p.stdout.decode() == repr("a\nb ✓\n")


def test_stdin_lines_streams_lines():
    p = _with_stdin("sys.stdout.write(repr(list(call(module, 'stdin_lines'))))", "a\r\nb\n\nc")
    assert p.returncode == 0, p.stderr
    assert p.stdout.decode() == repr(["a", "b", "", "c"])


def test_stdin_functions_with_a_replaced_stdin(monkeypatch):
    import io
    monkeypatch.setattr(sys, "stdin", io.StringIO("x\ny\n"))
    assert list(call(module, "stdin_lines")) == ["x", "y"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("all of it"))
    assert call(module, "stdin_read") == "all of it"


# --- declarations --------------------------------------------------------------------

def test_every_export_is_documented_and_declares_its_capabilities():
    needs = {}
    for name in module.list_exports():
        fn = module.get_symbol(name)
        assert fn.summary, name
        needs[name] = fn.needs
    assert needs["file_read"] == [("fs.read", "path")]
    assert needs["file_lines"] == [("fs.read", "path")]
    assert needs["file_write"] == [("fs.write", "path")]
    assert needs["file_append"] == [("fs.write", "path")]
    assert needs["pipe_run"] == needs["pipe_open"] == [("proc", "cmd_list")]  # names the program
    assert needs["buffer_new"] == [] and needs["stdin_read"] == []


def test_reading_an_endless_file_stops_at_the_memory_limit(tmp_path):
    from axiom_sdk._module import memory_limit
    big = tmp_path / "big.txt"
    big.write_text("x" * 3_000_000)
    token = memory_limit.set(2_000_000)
    try:
        for fname, path in [("file_read", "/dev/zero"), ("file_read", str(big)),
                            ("file_read_bytes", str(big))]:
            kind, message = err(fname, path)
            assert kind == "LimitExceeded" and message.startswith(f"ioo.{fname}: building a value of "), message
        assert call(module, "file_read", __file__).startswith('"""ioo on real files')  # small: read
    finally:
        memory_limit.reset(token)
