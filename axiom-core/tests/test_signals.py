"""Signals sent to a real `axiom run` process: Ctrl-C (SIGINT) and SIGTERM end the run
with `axiom: interrupted` / `axiom: terminated` and exit 130 / 143, whatever its tasks
are doing; the run's child processes (and theirs) end with it and the temporary files
of its writes are removed; a second Ctrl-C exits at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from axiom import Runtime, conf

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

from support.dists import AXIOM  # noqa: E402


def _start(tmp_path: Path, source: str, *options: str) -> subprocess.Popen[str]:
    """`axiom run` on `source`, once it has printed its first line ("ready")."""
    script = tmp_path / "script.ax"
    script.write_text(source)
    env = dict(os.environ, AXIOM_HOME=str(tmp_path / "home"), NO_COLOR="1")
    p = subprocess.Popen([*AXIOM, "run", *options, str(script)], cwd=tmp_path, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.stdout is not None
    assert p.stdout.readline() == "ready\n"
    time.sleep(0.2)  # into the loops
    return p


def _end(p: subprocess.Popen[str], sig: int, within: float = 5) -> tuple[int, str, str]:
    start = time.monotonic()
    p.send_signal(sig)
    try:
        out, err = p.communicate(timeout=within + 5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        pytest.fail("the run did not end after the signal")
    assert time.monotonic() - start < within
    return p.returncode, out, err


def _gone(pid: int) -> bool:
    """Whether process `pid` has ended (a zombie whose parent died counts as ended)."""
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


SPIN = """\
import con
let t = con.spawn_task(|| { while true {} })
let [tx, rx] = con.channel_create(0)
let w = con.spawn_task(|| con.channel_recv(rx))
out("ready")
while true {}
"""


@pytest.mark.parametrize("jit", ["off", "host", "native"])
def test_ctrl_c_ends_a_run_whose_tasks_loop_forever(tmp_path, jit):
    p = _start(tmp_path, SPIN, "--jit", jit)
    assert _end(p, signal.SIGINT) == (130, "", "axiom: interrupted\n")


def test_ctrl_c_while_the_run_waits_for_its_tasks(tmp_path):
    # the script has ended; the run waits for an endless task when Ctrl-C comes
    p = _start(tmp_path, 'import con\nlet t = con.spawn_task(|| { while true {} })\nout("ready")\n')
    assert _end(p, signal.SIGINT) == (130, "", "axiom: interrupted\n")


def test_sigterm_ends_the_run_with_143(tmp_path):
    p = _start(tmp_path, SPIN)
    assert _end(p, signal.SIGTERM) == (143, "", "axiom: terminated\n")


def test_a_second_ctrl_c_exits_at_once(tmp_path):
    # a task in a module call that ignores the first one: the run ends within its grace,
    # and a second Ctrl-C does not wait even for that
    p = _start(tmp_path, SPIN)
    p.send_signal(signal.SIGINT)
    p.send_signal(signal.SIGINT)
    try:
        out, err = p.communicate(timeout=10)
    finally:
        p.kill()
    assert p.returncode == 130
    assert "Traceback" not in err and err in ("", "axiom: interrupted\n")


PROGRAMS = """\
import con
import ioo
// a program that starts one of its own, and one a task waits for
let p = ioo.pipe_open(["sh", "-c", "sleep 60 & echo $!; wait"])
let grandchild = p.read_line()
let t = con.spawn_task(|| ioo.pipe_run(["sh", "-c", "echo $$ > task-child.txt; exec sleep 61"]))
let child = ""
while child == "" { child = ioo.file_read("task-child.txt") }
ioo.file_write("pids.txt", @"{p.pid} {grandchild} {child}")
out("ready")
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_the_runs_programs_end_with_it(tmp_path, sig):
    (tmp_path / "task-child.txt").write_text("")
    p = _start(tmp_path, PROGRAMS)
    pids = [int(x) for x in (tmp_path / "pids.txt").read_text().split()]
    assert len(pids) == 3
    try:
        code, _, err = _end(p, sig)
        assert (code, err) == (128 + sig, f"axiom: {'interrupted' if sig == signal.SIGINT else 'terminated'}\n")
        assert [pid for pid in pids if not _gone(pid)] == []
    finally:  # never leave them behind, even when the test fails
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def test_programs_run_in_a_process_group_of_their_own(tmp_path):
    p = _start(tmp_path, 'import ioo\nlet p = ioo.pipe_open(["sleep", "30"])\n'
                         'ioo.file_write("pid.txt", @"{p.pid}")\nout("ready")\nwhile true {}\n')
    pid = int((tmp_path / "pid.txt").read_text())
    try:
        assert os.getpgid(pid) == pid != os.getpgid(p.pid)
    finally:
        _end(p, signal.SIGINT)
    assert _gone(pid)


WRITER = """\
import con
import ioo
import pth
let text = "x" * 20000000
let t = con.spawn_task(|| { while true { ioo.file_write("big.txt", text) } })
while !pth.path_exists("big.txt") {}
out("ready")
while true {}
"""


def test_a_signal_during_file_write_leaves_no_temporary_file(tmp_path):
    for _ in range(3):  # the task spends nearly all its time inside file_write
        p = _start(tmp_path, WRITER)
        code, _, err = _end(p, signal.SIGTERM)
        assert (code, err) == (143, "axiom: terminated\n")
        assert sorted(f.name for f in tmp_path.iterdir() if f.name.startswith(".big")) == []
        assert (tmp_path / "big.txt").stat().st_size == 20_000_000  # the old file, whole


def test_cancel_stops_tasks_at_their_next_back_edge_or_wait():
    import io
    for jit in ("off", "host"):
        rt = Runtime(grants="all", settings={**conf.DEFAULTS, "jit": jit}, stdout=io.StringIO())
        spin, recv = rt.eval("import con\nlet [tx, rx] = con.channel_create(0)\n"
                             "[con.spawn_task(|| { let n = 0\nwhile true { n += 1 } }),"
                             " con.spawn_task(|| con.channel_recv(rx))]")
        time.sleep(0.3)
        rt.cancel("interrupted")
        deadline = time.monotonic() + 2
        while not (spin.finished and recv.finished) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert str(spin.error) == "LimitExceeded: the run was interrupted"
        assert str(recv.error) == "LimitExceeded: con.channel_recv: the run was interrupted"
        assert rt.close(rt.interrupt()) == 0


def test_cancel_stops_a_task_in_code_the_jit_compiled_before_the_task_started():
    # spin is compiled (threshold 0) while the run has no limits, so without ticks; the
    # first task's thread makes the run count steps, which drops that code: the task
    # runs spin compiled again, with ticks, and cancel() stops it.
    import io
    rt = Runtime(grants="all", settings={**conf.DEFAULTS, "jit": "host", "jit_threshold": 0},
                 stdout=io.StringIO())
    task = rt.eval("import con\nfn spin(n) {\n    let i = 0\n    while i < n { i += 1 }\n    i\n}\n"
                   "for k in 0..20 { spin(10) }\ncon.spawn_task(|| spin(1000000000000))")
    assert rt.jit is not None and rt.jit.compiled["host"] >= 1
    time.sleep(0.3)
    rt.cancel("interrupted")
    deadline = time.monotonic() + 3
    while not task.finished and time.monotonic() < deadline:
        time.sleep(0.01)
    assert str(task.error) == "LimitExceeded: the run was interrupted"
    assert rt.close(rt.interrupt()) == 0
