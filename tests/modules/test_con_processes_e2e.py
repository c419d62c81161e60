"""con's process backend end to end: parallel_map and spawn_process on real worker
processes (one warm pool per Runtime: most tests share one Runtime, so one pool), and the
CLI for what only a whole run shows (Ctrl-C, nothing left running)."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from axiom.runtime import Runtime
from axiom_sdk import AxiomError

AXIOM = str(Path(sys.executable).with_name("axiom"))


@pytest.fixture(scope="module")
def rt():
    out = io.StringIO()
    runtime = Runtime(grants="all", stdout=out)
    runtime.out = out  # type: ignore[attr-defined]
    runtime.eval("import con\nimport sys\nimport ioo\nimport mth\nimport tim\n")
    yield runtime
    pool = runtime.run_state.states and _pool_of(runtime)
    runtime.close()
    if pool is not None:  # the stop hook ended every worker
        assert all(w.proc.poll() is not None for w in pool.workers) and not pool.workers


def _pool_of(runtime):
    from axiom_con import module
    state = runtime.run_state.states.get(module)
    return state.pool if state is not None else None


def run(rt, source):
    """Run `source` in the shared Runtime; (value, what it wrote on stdout)."""
    rt.out.seek(0)
    rt.out.truncate()
    value = rt.eval(source)
    return value, rt.out.getvalue()


def test_results_come_back_in_order_with_the_functions_they_call(rt):
    value, _ = run(rt, """
let scale = 10
class P {
    fn init(self, x) { self.x = x }
    fn norm(self) { mth.sqrt(self.x * self.x) * scale }
}
fn helper(x) { P(x).norm() }
fn work(x) { [helper(x), sys.pid()] }
con.parallel_map(work, [5, 1, 4, 2, 3], backend="processes")
""")
    assert [v[0] for v in value] == [50.0, 10.0, 40.0, 20.0, 30.0]
    assert os.getpid() not in {v[1] for v in value}


def test_the_pool_stays_warm_between_calls(rt):
    first, _ = run(rt, 'con.parallel_map(|x| sys.pid(), [1, 2, 3, 4], backend="processes")')
    second, _ = run(rt, 'con.parallel_map(|x| sys.pid(), [1, 2, 3, 4], backend="processes")')
    assert set(second) <= set(first) | set(second) and set(first) & set(second)
    assert len(_pool_of(rt).workers) == os.cpu_count()


def test_an_error_in_a_worker_keeps_its_kind_message_position_and_trace(rt):
    with pytest.raises(AxiomError) as e:
        rt.eval("fn bad(x) {\n    let y = 10\n    y / x\n}\ncon.parallel_map(bad, [1, 0, 2], "
                "backend=\"processes\")", "<errors>")
    err = e.value
    assert (err.kind, err.message) == ("DivisionByZero", "division by zero")
    assert err.span == ("<errors>", 3, 5, 9)
    assert err.trace == [("bad()", "<errors>", 3), ("con.parallel_map", "<errors>", 5)]
    assert err.frame_vars == [("x", "0"), ("y", "10")]


def test_an_error_in_an_item_run_here_has_the_call_in_its_trace_too(rt):
    # backend=nil runs the first item here: its trace goes on through the script's
    # frames, with the parallel_map call where a worker's error has it
    with pytest.raises(AxiomError) as e:
        rt.eval("fn bad(x) {\n    let y = 10\n    y / x\n}\ncon.parallel_map(bad, [0, 1, 2])",
                "<here>")
    err = e.value
    assert (err.kind, err.span) == ("DivisionByZero", ("<here>", 3, 5, 9))
    assert err.trace[:3] == [("bad()", "<here>", 3), ("con.parallel_map", "<here>", 5),
                             ("main", "<here>", 5)]


def test_out_in_a_worker_reaches_stdout_one_whole_line_at_a_time(rt):
    _, out = run(rt, """
fn talk(tag) {
    for i in 0..300 { out @"{tag}-{i}-" + "x" * 200 }
    tag
}
con.parallel_map(talk, ["a", "b", "c", "d"], backend="processes", workers=2)
""")
    lines = out.splitlines()
    assert len(lines) == 1200
    assert sorted(lines) == sorted(f"{t}-{i}-" + "x" * 200 for t in "abcd" for i in range(300))


def test_mutating_a_captured_variable_in_a_worker_leaves_the_parents(rt):
    value, _ = run(rt, """
let seen = []
let total = {"n": 0}
fn note(x) {
    seen.push(x)
    total["n"] += x
    len(seen)
}
let r = con.parallel_map(note, [1, 2, 3, 4], backend="processes")
[seen, total["n"], len(r)]
""")
    assert value == [[], 0, 4]


def test_a_value_that_cannot_go_is_a_type_error_naming_it(rt):
    with pytest.raises(AxiomError) as e:
        rt.eval('let m = con.mutex_new()\ncon.parallel_map(|x| m.lock(), [1], backend="processes")')
    assert (e.value.kind, e.value.message) == (
        "TypeError", "con.parallel_map: cannot send [mutex] (global 'm' used by an anonymous "
                     "function) to another process: module con keeps it in its process; only "
                     "values their module marks transferable can go")
    with pytest.raises(AxiomError) as e:
        rt.eval('let ch = con.channel_create(1)\ncon.parallel_map(|x| x, [1, {"k": [ch[0]]}], '
                'backend="processes")')
    assert e.value.message.startswith("con.parallel_map: cannot send [sender] (item 1 of "
                                      "xs['k'][0]) to another process")
    with pytest.raises(AxiomError) as e:
        rt.eval('con.parallel_map(mth.sqrt, [1], backend="processes")')
    assert e.value.kind == "TypeError" and "runs functions written in Axiom" in e.value.message


def test_a_killed_worker_fails_its_item_with_an_io_error_and_the_pool_recovers(rt):
    with pytest.raises(AxiomError) as e:
        rt.eval("""
fn die(x) {
    if x == 2 { ioo.pipe_run(["kill", "-9", str(sys.pid())]) }
    x
}
con.parallel_map(die, [0, 1, 2, 3], backend="processes")
""")
    assert (e.value.kind, e.value.message) == (
        "IOError", "con.parallel_map: the worker process running item 2 of xs ended "
                   "unexpectedly (killed by SIGKILL)")
    value, _ = run(rt, 'con.parallel_map(|x| x * 2, [1, 2, 3], backend="processes")')
    assert value == [2, 4, 6]
    assert len(_pool_of(rt).workers) == os.cpu_count()


def test_a_worker_that_starts_late_holds_no_items_back(tmp_path):
    from axiom import ship, workers
    from axiom_con._pool import Call, Pool
    from axiom_sdk import Run
    rt = Runtime(grants="all")
    rt.eval("fn inc(x) { x + 1 }")
    _, config = workers.setup(rt)
    flag = str(tmp_path / "first")
    # of two workers, the first to make the flag file starts at once, the other 10 s late
    late = ("import os, time\n"
            "try:\n"
            f"    os.close(os.open({flag!r}, os.O_CREAT | os.O_EXCL | os.O_WRONLY))\n"
            "except FileExistsError:\n"
            "    time.sleep(10)\n"
            "from axiom.workers import main\n"
            "main()\n")
    pool = Pool(Run(), [sys.executable, "-c", late, str(os.getpid())], config)
    try:
        pool.grow(2)
        items = [ship.ship(rt, i) for i in range(40)]
        call = Call(pool.new_fid(), ship.ship(rt, rt.globals["inc"]), items, False, 2,
                    "con.parallel_map", lambda i: f"item {i} of xs")
        start = time.monotonic()
        pool.submit(call, [list(range(i, i + 5)) for i in range(0, 40, 5)])
        pool.wait(call, "con.parallel_map")
        took = time.monotonic() - start
        assert [ship.unship(rt, data) for _, ok, data in call.results] == list(range(1, 41))
        assert took < 5  # the ready worker took every chunk; none waited for the late one
    finally:
        pool.kill()
        rt.close()


def test_spawn_process_runs_a_task_in_a_worker(rt):
    value, _ = run(rt, """
let t = con.spawn_process(|a, b| [a + b, sys.pid()], 2, 3)
let r = t.join()
[r[0], t.done(), t.result()[0], r[1]]
""")
    assert value[:3] == [5, True, 5] and value[3] != os.getpid()
    with pytest.raises(AxiomError) as e:
        rt.eval("let bad = con.spawn_process(|x| x[5], [1])\nbad.join()")
    assert (e.value.kind, e.value.message) == ("IndexOutOfBounds",
                                               "index 5 out of bounds for list of length 1")


def test_foreign_values_go_when_their_module_allows_it(rt):
    value, _ = run(rt, """
import num
import dfm
let df = dfm.df_from_list([{"a": 1}, {"a": 2}])
let r = con.parallel_map(|t| num.sum(t), [num.vector([1, 2]), num.vector([[1.5], [2.5]])], backend="processes")
let back = con.parallel_map(|d| dfm.df_to_list(d), [df], backend="processes")
let made = con.parallel_map(|n| num.vector([n, n]), [3], backend="processes")
[r, back, num.to_list(made[0])]
""")
    assert value == [[3, 4.0], [[{"a": 1}, {"a": 2}]], [3, 3]]


def test_the_default_runs_cheap_items_here_on_a_copy(rt):
    value, _ = run(rt, """
let hits = []
let r = con.parallel_map(|x| {
    hits.push(x)
    sys.pid()
}, list(range(0, 50)))
[r, len(hits)]
""")
    pids, hits = value
    assert pids[0] == os.getpid() and hits == 0  # here, yet on a copy, as a worker would
    # the rest here too, but for the one item each ready worker took while the first
    # was timed (the pool is warm from the tests before)
    elsewhere = [i for i, pid in enumerate(pids) if pid != os.getpid()]
    assert elsewhere == list(range(1, len(elsewhere) + 1))
    assert len(elsewhere) <= (os.cpu_count() or 1) - 1


def test_the_default_uses_worker_processes_for_cpu_bound_items(rt):
    value, _ = run(rt, """
fn heavy(x) {
    let ys = list(range(0, 100000)).map(|i| (i * 7919 + x) % 100003)
    sorted(ys)[0]
}
con.parallel_map(|x| [heavy(x), sys.pid()][1], [1, 2, 3, 4])
""")
    assert value[0] == os.getpid()  # the first item, timed here
    assert len(set(value)) > 1  # the rest shared with a worker


def test_the_default_gives_a_ready_worker_an_item_while_the_first_is_timed(rt):
    value, _ = run(rt, """
con.parallel_map(|x| x, [1, 2], backend="processes")
let t0 = tim.monotonic()
let r = con.parallel_map(|x| {
    tim.sleep(0.5)
    sys.pid()
}, [1, 2])
[r, tim.monotonic() - t0]
""")
    (here, there), took = value
    assert here == os.getpid() and there != os.getpid()
    assert took < 0.9  # side by side, not the second after the first (1.0 s)


def test_the_default_uses_threads_for_items_that_wait(rt):
    value, _ = run(rt, """
let t0 = tim.monotonic()
let r = con.parallel_map(|x| {
    tim.sleep(0.15)
    sys.pid()
}, list(range(0, 12)))
[r, tim.monotonic() - t0]
""")
    pids, took = value
    # twelve sleeps of 0.15 s: the first, then the rest at once (one worker process and
    # this thread would take 0.9 s)
    assert took < 0.7
    # here, but for the one item each ready worker took while the first was timed
    elsewhere = [i for i, pid in enumerate(pids) if pid != os.getpid()]
    assert elsewhere == list(range(1, len(elsewhere) + 1))
    assert len(elsewhere) <= (os.cpu_count() or 1) - 1


def test_the_default_keeps_threads_for_functions_that_share_state(rt):
    value, _ = run(rt, """
let lock = con.mutex_new()
let hits = []
con.parallel_map(|x| {
    lock.lock()
    hits.push(x)
    lock.unlock()
}, [1, 2, 3])
sorted(hits)
""")
    assert value == [1, 2, 3]


def test_bad_arguments(rt):
    with pytest.raises(AxiomError) as e:
        rt.eval('con.parallel_map(|x| x, [1], backend="gpu")')
    assert (e.value.kind, e.value.message) == (
        "ValueError", 'con.parallel_map: backend must be "threads", "processes", "dask" or nil '
                      '(got "gpu")')
    with pytest.raises(AxiomError) as e:
        rt.eval('con.spawn_process(mth.sqrt, 4)')
    assert e.value.kind == "TypeError"


def test_workers_hold_the_parents_capabilities_never_more(tmp_path):
    (tmp_path / "ok.txt").write_text("inside")
    rt = Runtime(grants={"fs.read": [str(tmp_path)], "proc": None})
    try:
        rt.eval("import con\nimport ioo\nfn read(p) { ioo.file_read(p) }")
        assert rt.eval(f'con.parallel_map(read, ["{tmp_path}/ok.txt"], backend="processes")') \
            == ["inside"]
        with pytest.raises(AxiomError) as e:
            rt.eval('con.parallel_map(read, ["/etc/hostname"], backend="processes")')
        assert (e.value.kind, e.value.message) == (
            "PermissionDenied", "fs.read denied for /etc/hostname (grant it with "
                                "--allow-read=/etc/hostname)")
        with pytest.raises(AxiomError) as e:
            rt.eval('import env\ncon.parallel_map(|x| env.env_var("HOME"), [1], backend="processes")')
        assert e.value.kind == "PermissionDenied"
    finally:
        rt.close()


def test_limits_apply_in_each_worker_with_the_runs_deadline_shared():
    rt = Runtime(grants="all", limits={"max_steps": 20000, "timeout": 3, "max_memory": 100})
    try:
        rt.eval("import con\nfn spin(x) {\n    let s = 0\n    while true { s += 1 }\n}")
        with pytest.raises(AxiomError) as e:
            rt.eval('con.parallel_map(spin, [1, 2], backend="processes")')
        assert (e.value.kind, e.value.message) == (
            "LimitExceeded", "the run took more than 20000 instruction steps (--max-steps)")
        with pytest.raises(AxiomError) as e:
            rt.eval('con.parallel_map(|n| [0; n], [100000000], backend="processes")')
        assert e.value.kind == "LimitExceeded" and "(--max-memory)" in e.value.message
    finally:
        rt.close()
    rt = Runtime(grants="all", limits={"timeout": 1.0})
    try:
        rt.eval("import con\nfn spin(x) {\n    let s = 0\n    while true { s += 1 }\n}")
        start = time.monotonic()
        with pytest.raises(AxiomError) as e:
            rt.eval('con.parallel_map(spin, [1, 2], backend="processes")')
        assert e.value.kind == "LimitExceeded" and "(--timeout)" in e.value.message
        assert time.monotonic() - start < 2.5
    finally:
        rt.close()


# --- whole runs ----------------------------------------------------------------------------

SPIN = """import con
fn spin(x) {
    let s = 0
    while true { s += 1 }
}
out "started"
con.parallel_map(spin, [1, 2], backend="processes")
"""


def _workers(parent):
    """The pids of `parent`'s worker processes."""
    out = subprocess.run(["ps", "-ww", "-o", "pid=,args=", "--ppid", str(parent)],
                         capture_output=True, text=True).stdout
    return [int(line.split()[0]) for line in out.splitlines() if "axiom.workers" in line]


def _running(pid):
    """Whether `pid` is a live process (not gone, not a zombie waiting to be reaped)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def _gone(pids, within=5.0):
    deadline = time.monotonic() + within
    while any(_running(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not any(_running(p) for p in pids)


def _start(tmp_path, source):
    script = tmp_path / "spin.ax"
    script.write_text(source)
    p = subprocess.Popen([AXIOM, "run", str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         start_new_session=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert p.stdout.readline() == b"started\n"
    deadline = time.monotonic() + 10
    while len(_workers(p.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    pids = _workers(p.pid)
    assert len(pids) == 2
    return p, pids


SPIN_TASK = SPIN.replace('con.parallel_map(spin, [1, 2], backend="processes")',
                         "con.spawn_process(spin, 1).join()")


@pytest.mark.parametrize("source", [SPIN, SPIN_TASK], ids=["parallel_map", "spawn_process"])
def test_ctrl_c_ends_the_run_and_every_worker(tmp_path, source):
    p, pids = _start(tmp_path, source)
    os.killpg(p.pid, signal.SIGINT)  # what the terminal does: the run's process group
    assert p.wait(10) == 130
    err = p.stderr.read()
    assert err == b"axiom: interrupted\n", err.decode()
    assert _gone(pids, 1.0)


def test_workers_end_when_their_parent_is_killed(tmp_path):
    p, pids = _start(tmp_path, SPIN)
    os.kill(p.pid, signal.SIGKILL)
    p.wait(5)
    assert _gone(pids, 5.0)


def test_nothing_is_left_running_after_the_script_ends(tmp_path):
    script = tmp_path / "done.ax"
    script.write_text('import con\nimport sys\nout con.parallel_map(|x| x + 1, [1, 2], '
                      'backend="processes")\nlet t = con.spawn_process(|x| x * 3, 5)\nout t.join()\n'
                      'out con.parallel_map(|x| sys.pid(), [1, 2, 3, 4], backend="processes")\n')
    p = subprocess.run([AXIOM, "run", str(script)], capture_output=True, text=True, timeout=30)
    assert (p.returncode, p.stderr) == (0, "")
    lines = p.stdout.splitlines()
    assert lines[:2] == ["[2, 3]", "15"]
    pids = set(eval(lines[2]))
    assert pids and p.returncode == 0 and _gone(pids, 0.5)
