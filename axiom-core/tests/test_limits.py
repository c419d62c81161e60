"""Run limits: instruction steps, wall time, memory and call depth end a run with
LimitExceeded (StackOverflow for depth), and the host stays healthy."""

from __future__ import annotations

import gc
import io
import sys
import time
from pathlib import Path

import pytest

from axiom import Runtime, conf
from axiom_sdk import AxiomError

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

from support.dists import run_axiom  # noqa: E402

LOOP = "let i = 0\nwhile true { i += 1 }\n"


def _rt(**limits):
    return Runtime(settings=dict(conf.DEFAULTS), limits=limits, stdout=io.StringIO())


def test_max_steps_stops_a_loop_and_the_runtime_stays_usable():
    rt = _rt(max_steps=5000)
    with pytest.raises(AxiomError) as e:
        rt.eval(LOOP)
    assert (e.value.kind, e.value.message) == (
        "LimitExceeded", "the run took more than 5000 instruction steps (--max-steps)")
    assert _rt().eval("1 + 1") == 2


def test_max_steps_counts_recursion_too():
    rt = _rt(max_steps=2000)
    with pytest.raises(AxiomError) as e:
        rt.eval("fn f(n) { if n < 2 then n else f(n - 1) + f(n - 2) }\nf(25)")
    assert e.value.kind == "LimitExceeded"


def test_a_program_within_its_step_limit_finishes():
    rt = _rt(max_steps=1_000_000)
    assert rt.eval("let t = 0\nfor i in 0..1000 { t += i }\nt") == 499500


def test_timeout_ends_an_endless_loop_promptly():
    rt = _rt(timeout=0.3)
    start = time.monotonic()
    with pytest.raises(AxiomError) as e:
        rt.eval(LOOP)
    assert e.value.kind == "LimitExceeded" and "(--timeout)" in e.value.message
    assert time.monotonic() - start < 3


def test_memory_limit_refuses_a_huge_value_before_building_it():
    rt = _rt(max_memory=10)
    with pytest.raises(AxiomError) as e:
        rt.eval('let s = "ab" * 50000000')
    assert e.value.message == ("building a value of 100000000 bytes exceeds the memory limit of "
                               "10485760 bytes (--max-memory)")
    with pytest.raises(AxiomError):
        rt.eval("let xs = [0; 20000000]")
    with pytest.raises(AxiomError):
        rt.eval('let s = "x" * 6000000\nlet t = s + s')


def test_cli_limits_exit_1_with_a_report(tmp_path):
    script = tmp_path / "loop.ax"
    script.write_text(LOOP)
    p = run_axiom(["run", "--max-steps", "1000", str(script)], home=tmp_path)
    assert p.returncode == 1
    assert p.stderr.startswith("Error: LimitExceeded: the run took more than 1000 instruction steps")
    p = run_axiom(["run", "--timeout", "0.3", str(script)], home=tmp_path)
    assert p.returncode == 1 and "(--timeout)" in p.stderr.splitlines()[0]


def test_cli_runaway_growth_of_large_values_ends_in_limit_exceeded(tmp_path):
    script = tmp_path / "grow.ax"
    script.write_text("let xs = []\nwhile true { xs.push([0; 10000]) }\n")
    p = run_axiom(["run", "--max-memory", "64", str(script)], home=tmp_path, timeout=120)
    assert p.returncode == 1
    assert p.stderr.startswith("Error: LimitExceeded: the run holds more than 64 MB of memory "
                               "(--max-memory)\n  --> ")
    assert "Traceback" not in p.stderr


def test_a_channel_receive_ends_at_the_time_limit(tmp_path):
    script = tmp_path / "recv.ax"
    # a busy task could still send, so this is no deadlock: only the time limit ends it
    script.write_text("import con\nlet (tx, rx) = con.channel_create(1)\n"
                      "let t = con.spawn_task(|| { while true { } })\ncon.channel_recv(rx)\n")
    p = run_axiom(["run", "--timeout", "0.5", str(script)], home=tmp_path)
    assert p.returncode == 1
    assert p.stderr.startswith("Error: LimitExceeded: con.channel_recv: the run's time limit ended the wait")


def test_cli_timeout_ends_a_sleep_inside_a_module(tmp_path):
    script = tmp_path / "nap.ax"
    script.write_text("import tim\nout 1\ntim.sleep(100)\nout 2\n")
    start = time.monotonic()
    p = run_axiom(["run", "--timeout", "1", str(script)], home=tmp_path)
    assert time.monotonic() - start < 20
    assert (p.returncode, p.stdout) == (1, "1\n")
    assert p.stderr.startswith("Error: LimitExceeded: tim.sleep: the run's time limit ended the "
                               "wait (--timeout)\n  --> ")


def test_a_memory_error_outside_an_instruction_is_limit_exceeded(monkeypatch):
    """The address-space backstop can strike while an error is being described, or while a
    program compiles: the run ends with LimitExceeded, never an internal error."""
    from axiom import errors, vm

    def no_room(*args):
        raise MemoryError
    rt = _rt()
    monkeypatch.setattr(errors, "frame_variables", no_room)
    with pytest.raises(AxiomError) as e:  # describing the error failed: the error stays
        rt.eval("let a = [1, 2]\na[5]")
    assert (e.value.kind, e.value.span[1:3], e.value.frame_vars) == ("IndexOutOfBounds", (2, 1), [])
    monkeypatch.undo()
    monkeypatch.setattr(vm.VM, "execute", no_room)
    with pytest.raises(AxiomError) as e:
        rt.eval("1")
    assert (e.value.kind, e.value.message) == (
        "LimitExceeded", "out of memory (the run needed more memory than it may use: --max-memory)")
    monkeypatch.undo()
    monkeypatch.setattr(rt, "compile", no_room)
    with pytest.raises(AxiomError) as e:
        rt.eval("1")
    assert e.value.kind == "LimitExceeded"
    monkeypatch.undo()
    assert rt.eval("1 + 1") == 2  # the host stays healthy


def test_a_memory_error_in_a_module_function_says_what_happened():
    from axiom_sdk import Module
    from axiom_sdk.testing import raises
    m = Module("demo")

    @m.export
    def grow() -> list:
        raise MemoryError
    assert raises(m, "grow").message == ("demo.grow: out of memory (the run needed more memory "
                                         "than it may use: --max-memory)")


@pytest.mark.parametrize("source", [
    '@"{1:>1200000000}"', '@"{"a":<1200000000}"', '@"{true:^1200000000}"', '@"{1.5:.1200000000f}"',
    'let parts = ["x" * 1000; 12000]\nparts.join(",")',
    'let parts = ["x" * 1000; 12000]\n"".join(parts)',
    'let s = "," * 5000000\ns.split(",")',
    'let s = "a" * 1000000\ns.replace("a", "a" * 100)',
    'let s = "a" * 5000000\ns.chars()',
    "list(0..600000000)", "sorted(0..600000000)", "set(0..600000000)",
    "let xs = []\nxs.extend(0..600000000)",
    'import str\nstr.pad_left("a", 1200000000)', 'import str\nstr.repeat("ab", 600000000)',
    'import str\nstr.replace("a" * 1000000, "a", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")',
    "import num\nnum.zeros([100000, 10000])", "import num\nnum.arange(0, 600000000)",
    "import num\nnum.linspace(0, 1, 600000000)", "import num\nnum.random(600000000)",
])
def test_every_size_is_checked_before_the_value_is_built(source):
    rt = Runtime(settings=dict(conf.DEFAULTS), limits={"max_memory": 10}, stdout=io.StringIO(),
                 grants="all")
    start = time.monotonic()
    with pytest.raises(AxiomError) as e:
        rt.eval(source)
    assert e.value.kind == "LimitExceeded"
    assert "building a value of " in e.value.message and e.value.message.endswith(
        "exceeds the memory limit of 10485760 bytes (--max-memory)")
    assert time.monotonic() - start < 5


def _long_script(lines: int) -> str:
    return "".join(f"let x{i} = {i} + 1\n" for i in range(lines))


def test_timeout_covers_compiling_a_huge_script():
    rt = _rt(timeout=0.3)
    start = time.monotonic()
    with pytest.raises(AxiomError) as e:
        rt.eval(_long_script(60_000))  # several seconds to compile without the limit
    assert (e.value.kind, e.value.message) == (
        "LimitExceeded", "the run took longer than 0.3 s (--timeout) while compiling")
    assert time.monotonic() - start < 1.5
    assert rt.eval("1 + 2") == 3  # the parser and the Runtime are usable again


def test_max_memory_covers_compiling_a_huge_script():
    rt = _rt(max_memory=15)
    with pytest.raises(AxiomError) as e:
        rt.eval(_long_script(60_000))  # its syntax tree alone is ~100 MB
    assert (e.value.kind, e.value.message) == (
        "LimitExceeded", "the run holds more than 15 MB of memory (--max-memory) while compiling")


def test_cli_timeout_covers_compiling_a_huge_script(tmp_path):
    script = tmp_path / "huge.ax"
    script.write_text(_long_script(60_000) + 'out("done")\n')
    start = time.monotonic()
    r = run_axiom(["run", "--no-cache", "--timeout", "0.3", str(script)], home=tmp_path)
    assert r.returncode == 1, r.stderr
    assert r.stdout == ""
    assert r.stderr.startswith("Error: LimitExceeded: the run took longer than 0.3 s (--timeout) "
                               "while compiling")
    assert time.monotonic() - start < 5


def test_compile_time_grows_linearly_with_the_number_of_constants():
    """Each line a new global and two new constants: twice the lines must take about
    twice the time (it took four times as long while constants were looked up in a
    list)."""
    from axiom.compiler import compile_program
    from axiom.optimizer import optimize
    from axiom.parser import parse
    from axiom.resolve import resolve

    def seconds(lines: int) -> float:
        text = _long_script(lines)
        best = float("inf")
        for _ in range(2):
            gc.disable()  # as Runtime.compile does (the collector's passes are not linear)
            try:
                start = time.process_time()
                program = parse(text, "gen.ax")
                optimize(compile_program(program, resolve(program)))
                best = min(best, time.process_time() - start)
            finally:
                gc.enable()
        return best

    small, large = seconds(3000), seconds(12000)
    assert large < small * 4 * 1.6, (small, large)  # linear: 4x; quadratic would be 16x


THREADS = """\
import con
let [tx, rx] = con.channel_create(0)
let ts = []
for i in 0..N { ts.push(con.spawn_task(|| con.channel_recv(rx))) }
for i in 0..N { con.channel_send(tx, i) }
out(ts.map(|t| t.join()).len())
"""


def test_cli_max_memory_leaves_room_for_tasks_threads(tmp_path):
    script = tmp_path / "threads.ax"
    script.write_text(THREADS.replace("N", "64"))  # 64 at once: four used to fail
    p = run_axiom(["run", "--max-memory", "10", str(script)], home=tmp_path)
    assert (p.returncode, p.stdout, p.stderr) == (0, "64\n", "")


def test_cli_max_memory_without_room_for_a_thread_is_limit_exceeded(tmp_path):
    script = tmp_path / "threads.ax"
    script.write_text(THREADS.replace("N", "400"))
    p = run_axiom(["run", "--max-memory", "10", str(script)], home=tmp_path)
    assert p.returncode == 1 and p.stdout == ""
    assert p.stderr.startswith("Error: LimitExceeded: con.spawn_task: cannot start another thread: "
                               "the run is out of memory or threads (--max-memory)\n"), p.stderr
