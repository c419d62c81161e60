"""Tier 1 as a user meets it: `axiom run` with the JIT on (threshold 0, so everything is
compiled before it first runs) must print exactly what tier 0 prints, errors included,
and the JIT's own settings and logs must do what they say."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from axiom import Runtime
from tests.support.tiers import settings

AXIOM = [sys.executable, "-m", "axiom.cli"]


def run(tmp_path, source, *options, jit="host", config="", log=False, threshold=0):
    home = tmp_path / f"home-{jit}"
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text(f'jit = "{jit}"\njit_threshold = {threshold}\n{config}')
    script = tmp_path / "script.ax"
    script.write_text(textwrap.dedent(source))
    env = dict(os.environ, AXIOM_HOME=str(home), NO_COLOR="1")
    env.pop("AXIOM_JIT_LOG", None)
    if log:
        env["AXIOM_JIT_LOG"] = log
    done = subprocess.run([*AXIOM, "run", *options, str(script)], capture_output=True, text=True,
                          env=env, timeout=120)
    return done.returncode, done.stdout, done.stderr


def same_in_both_tiers(tmp_path, source, *options):
    """Run `source` in tier 0 and tier 1: same exit code, output and error report."""
    off = run(tmp_path, source, *options, jit="off")
    on = run(tmp_path, source, *options)
    assert on == off
    return off


def test_overflow_in_a_compiled_loop_is_reported_where_tier_0_reports_it(tmp_path):
    code, out, err = same_in_both_tiers(tmp_path, """\
        fn grow(n) {
            let x = 1
            for i in 0..n { x = x * 3 }
            x
        }
        out grow(10)
        out grow(100)
        """)
    assert (code, out) == (1, "59049\n")
    assert "Error: Overflow: integer overflow: 4052555153018976267 * 3 is outside the 64-bit range" in err
    assert "--> " in err and "script.ax:3:25" in err
    assert "  i = 39\n" in err


def test_a_capability_denied_in_compiled_code_is_the_same_error(tmp_path):
    code, out, err = same_in_both_tiers(tmp_path, """\
        import ioo
        fn read_all(names) {
            let n = 0
            for name in names { n += len(ioo.file_read(name)) }
            n
        }
        out read_all([])
        out read_all(["/etc/hostname"])
        """, "--sandbox")
    assert (code, out) == (1, "0\n")
    assert "Error: PermissionDenied: fs.read denied for /etc/hostname" in err
    assert "script.ax:4:34" in err


def test_a_wrong_guess_leaves_compiled_code_and_twenty_recompile_without_it(tmp_path):
    source = """\
        let step = 1
        fn walk(n) {
            let total = 0
            for i in 0..n { total += step }
            total
        }
        out walk(5)
        step = 0.5
        for k in 0..25 { walk(2) }
        out walk(4)
        """
    assert run(tmp_path, source, jit="off")[:2] == (0, "5\n2.0\n")
    code, out, err = run(tmp_path, source, log="1")
    assert (code, out) == (0, "5\n2.0\n")
    assert "axiom jit: walk guessed wrong 20 times: compiling it again without those guesses" in err
    assert err.count("axiom jit: compiled walk (") == 2


def test_ic_enabled_turns_the_inline_caches_of_method_calls_on_and_off(tmp_path):
    source = """\
        class Counter {
            fn init(self) { self.n = 0 }
            fn bump(self, by) { self.n += by }
        }
        fn drive(c, times) {
            for i in 0..times { c.bump(i) }
            c.n
        }
        out drive(Counter(), 10)
        """
    on = run(tmp_path, source, log="code")
    off = run(tmp_path, source, log="code", config="ic_enabled = false\n")
    assert on[:2] == off[:2] == (0, "45\n")
    assert "IC0.fn(vm, c_0, i_2)" in on[2]
    assert "IC0" not in off[2] and "CALLS.method(vm, c_0, 'bump', i_2)" in off[2]


@pytest.mark.parametrize("jit", ["off", "host"])
def test_limits_stop_a_runaway_compiled_loop(tmp_path, jit):
    code, out, err = run(tmp_path, "let n = 0\nwhile true { n += 1 }\n", "--max-steps", "200000", jit=jit)
    assert code == 1 and "LimitExceeded" in err and "step" in err
    code, out, err = run(tmp_path, "fn spin() { let n = 0\n while true { n += 1 } }\nspin()\n",
                         "--timeout", "1", jit=jit)
    assert code == 1 and "LimitExceeded" in err


def test_a_global_rebound_by_a_later_program_drops_the_code_that_assumed_it():
    rt = Runtime(settings=settings("tier1-optimized"))
    rt.eval("let k = 2\nfn times(x) { x * k }\nlet first = times(21)")
    assert rt.eval("first") == 42
    rt.eval("k = 3")
    assert rt.eval("times(21)") == 63


def test_a_unit_that_calls_no_script_code_does_not_count_its_depth_and_recursion_still_works(tmp_path):
    # `note` stores a global and a field but runs no script code below it: compiled, it
    # skips the nesting count (no `vm.nesting` in its code). `down` recurses through it
    # 100,000 deep, past the host's stack, exactly as tier 0 does.
    source = """\
        class Box { fn init(self, v) { self.v = v } }
        let seen = 0
        fn note(b, n) {
            seen += 1
            b.v = n
            n
        }
        fn down(b, n) { if n == 0 then 0 else note(b, down(b, n - 1)) + 1 }
        let b = Box(0)
        out down(b, 100000)
        out @"{seen} {b.v}"
        """
    code, out, err = same_in_both_tiers(tmp_path, source)
    assert (code, out) == (0, "100000\n100000 99999\n")
    logged = run(tmp_path, source, log="code")[2]
    note = logged[logged.index("def note("):logged.index("def down(")]
    assert "seen" in note and "nesting" not in note
    down = logged[logged.index("def down("):]
    assert "vm.nesting > 1500" in down


def test_a_call_of_a_function_value_caches_its_compiled_entry_and_refills_when_it_changes(tmp_path):
    source = """\
        fn twice(x) { x * 2 }
        fn add(n) { |x| x + n }
        fn apply_all(fs, x) {
            let total = 0
            for f in fs { total += f(x) }
            total
        }
        out apply_all([twice, add(1), add(2), twice], 10)
        out apply_all([|x| x - 1, twice], 5)
        out [1, 2, 3].map(add(10)).filter(|x| x % 2 == 0)
        out try { apply_all([twice, |x| x / 0], 1) } catch e { e.kind }
        """
    code, out, err = same_in_both_tiers(tmp_path, source)
    assert (code, out) == (0, "63\n14\n[12]\nDivisionByZero\n")
    on = run(tmp_path, source, log="code")[2]
    off = run(tmp_path, source, log="code", config="ic_enabled = false\n")[2]
    assert "IC0.fn(vm, f_3, x_1) if type(f_3) is Closure and f_3.code is IC0.cls" in on
    assert "CALLS.call(vm, f_3, x_1)" in off and "IC0" not in off


def test_a_tail_call_from_tier_0_into_compiled_code_leaves_the_caller_out_of_the_trace(tmp_path):
    # `once` runs in tier 0 (called once) and tail-calls g, compiled (hot): tier 0 alone
    # replaces once's frame with g's, so the trace has no once() in either tier.
    source = """\
        fn g(x) { 10 / (x - 5) }
        for i in 0..10 { g(i + 10) }
        fn once(n) { g(n) }
        once(5)
        """
    off = run(tmp_path, source, jit="off")
    on = run(tmp_path, source, threshold=5)
    assert on == off
    assert off[0] == 1 and "  0: g() at " in off[2] and "  1: main at " in off[2] and "once()" not in off[2]


def test_an_argument_seen_to_be_an_object_is_guarded_once_and_its_fields_read_directly(tmp_path):
    source = """\
        class P {
            fn init(self, x) { self.x = x }
            fn bump(self, by) { self.x += by }
        }
        fn getx(o) { o.x }
        let total = 0
        for i in 0..50 { total += getx(P(i)) }
        out total
        let p = P(1)
        p.bump(2)
        out p.x
        out try { getx(5) } catch e { e.kind }
        out try { getx(P) } catch e { e.kind }
        """
    code, out, err = same_in_both_tiers(tmp_path, source)
    assert (code, out) == (0, "1225\n3\nAttributeError\nAttributeError\n")
    logged = run(tmp_path, source, log="code")[2]
    getx = logged[logged.index("def getx(o_0):"):logged.index("def getx__entry(")]
    assert "o_0.fields['x']" in getx and "type(o_0) is Instance" not in getx
    assert "if type(o_0) is Instance:\n        return BODY(o_0)" in logged


def test_map_and_filter_call_compiled_functions_directly_and_deep_recursion_still_works(tmp_path):
    # map and filter go straight into a compiled entry; a pure one that runs out of host
    # stack (50,000 deep) starts the map again call by call, and one with effects (push)
    # counts its own depth: both give tier 0's results.
    code, out, err = same_in_both_tiers(tmp_path, """\
        fn depth(n) { if n == 0 then 0 else 1 + depth(n - 1) }
        out [10, 50000].map(depth)
        let seen = []
        fn rec(n) {
            if n == 0 { return 0 }
            seen.push(n)
            1 + rec(n - 1)
        }
        out [3, 30000].map(rec)
        out len(seen)
        out [1, 2, 3, 40000].filter(|n| depth(n) % 2 == 0)
        out try { [1, 0].map(|n| 10 / n) } catch e { e.kind }
        """)
    assert (code, out) == (0, "[10, 50000]\n[3, 30000]\n30003\n[2, 40000]\nDivisionByZero\n")


def test_a_loop_entered_with_ints_outside_its_assumed_range_runs_in_tier_0_then_recompiles(tmp_path):
    # Loops only (a small max_call_depth): grow's loop is entered from tier 0 on each
    # call. Its first entry sees small ints, so the unit assumes x lies in [0, 2**31) and
    # drops the overflow check of x * i; x = 5e9 misses that guard, and after twenty
    # misses the loop compiles again without ranges, with its checks.
    source = """\
        fn grow(x, n) {
            let total = 0
            for i in 0..n { total = total + x * i }
            total
        }
        out grow(3, 10)
        for k in 0..25 { grow(5000000000, 3) }
        out grow(5000000000, 3)
        out grow(4000000000000000000, 3)
        """
    config = "max_call_depth = 1000\n"
    off = run(tmp_path, source, jit="off", config=config)
    assert off[:2] == (1, "135\n15000000000\n")
    assert "Error: Overflow: integer overflow: 4000000000000000000 + 8000000000000000000" in off[2]
    code, out, err = run(tmp_path, source, config=config, log="1")
    assert (code, out) == off[:2]
    assert err.count(":3 (in grow)") == 2, err
    assert "axiom jit: grow guessed wrong 20 times: compiling it again without those guesses" in err
    assert err.endswith(off[2])


def test_a_constructor_whose_init_only_stores_its_parameters_builds_the_fields_at_once(tmp_path):
    # Vec(a, b) with `init` storing x and y: the compiled caller makes the fields dict
    # itself (no call of init); a limited run keeps the call (it is a step).
    source = """\
        class Vec {
            fn init(self, x, y) {
                self.x = x
                self.y = y
            }
            fn add(self, o) { Vec(self.x + o.x, self.y + o.y) }
        }
        let v = Vec(1, 2).add(Vec(3, 4))
        out @"{v.x} {v.y}"
        """
    code, out, err = run(tmp_path, source, log="code")
    assert (code, out) == (0, "4 6\n")
    assert "fields = {'x': " in err, err
    code, out, err = run(tmp_path, source, "--max-steps", "100000", log="code")
    assert (code, out) == (0, "4 6\n")
    assert "fields = {'x': " not in err and "fields = {}" in err, err


def test_a_method_of_an_object_whose_class_is_known_is_called_directly(tmp_path):
    # `Vec(...)` and what Vec's compiled scale returns are Vecs: w.scale(3) calls scale's
    # compiled body unless a field shadows it (i == 40, where it returns a Pair, which
    # also fails the guess about the result: tier 0 goes on from there).
    source = """\
        class Vec {
            fn init(self, x, y) {
                self.x = x
                self.y = y
            }

            fn scale(self, k) { Vec(self.x * k, self.y * k) }
            fn bump(self, k) { k + 1 }
        }

        class Pair {
            fn init(self) {
                self.x = 7
                self.y = 8
            }

            fn bump(self, k) { k * 2 }
        }

        fn run(n) {
            let total = 0
            for i in 0..n {
                let w = Vec(i, 1).scale(2)
                if i == 40 { w.scale = fn(k) { Pair() } }
                let u = w.scale(3)
                total += u.x + u.y
                out @"{i} {u.x} {u.y} {u.bump(i)}"
            }
            total
        }

        out run(60)
        """
    code, out, _ = same_in_both_tiers(tmp_path, source)
    lines = out.splitlines()
    assert (code, lines[39:42], lines[-1]) == (0, ["39 234 6 40", "40 7 8 80", "41 246 6 42"], "10749")
    _, _, log = run(tmp_path, source, log="code")
    assert "if 'scale' not in w_3.fields:\n                t3 = E0(vm, w_3, 3)" in log, log
    assert "if type(t3) is not Instance or t3.cls is not K" in log, log
    assert "method_ic(vm, IC" not in log, log


def test_a_loop_entered_with_an_object_of_another_class_runs_in_tier_0_then_recompiles(tmp_path):
    # The top-level loop is compiled for acc a Vec; from i == 50 acc is a Pair: the unit
    # is not entered (tier 0 runs the loop), and after twenty misses it compiles again
    # without assuming classes (an inline cache at acc.add).
    source = """\
        class Vec {
            fn init(self, x, y) {
                self.x = x
                self.y = y
            }

            fn add(self, o) { Vec(self.x + o.x, self.y + o.y) }
        }

        class Pair {
            fn init(self, x) {
                self.x = x
                self.y = 0
            }

            fn add(self, o) { Pair(self.x - o.x) }
        }

        let acc = Vec(0, 0)
        for i in 0..200 {
            if i == 50 { acc.add = fn(o) { Pair(1000) } }
            acc = acc.add(Vec(i, 1))
        }
        out @"{acc.x} {acc.y}"
        """
    assert same_in_both_tiers(tmp_path, source) == (0, "-17625 0\n", "")
    _, _, log = run(tmp_path, source, log="code")
    first, second = log.split("compiled the loop at")[1:]
    assert "if g_acc.cls is not K1:\n        return CLASS_MISS()" in first, log
    assert "CLASS_MISS" not in second and "CALLS.method_ic(vm, IC0, g_acc, 'add'" in second, log
    # A loop that keeps no class for `cur` (pick may give either) tests none on entry.
    source = """\
        class A {
            fn init(self) { self.n = 1 }
        }

        class B {
            fn init(self) { self.n = 2 }
        }

        fn pick(i) { if i % 2 == 0 then A() else B() }

        let cur = A()
        let total = 0
        for i in 0..300 {
            cur = pick(i)
            total += cur.n
        }
        out total
        """
    code, out, log = run(tmp_path, source, log="code")
    assert (code, out) == (0, "450\n") and "type(g_cur) is not Instance" in log and "CLASS_MISS" not in log, log


def test_map_over_a_long_list_compiles_its_function_before_the_first_call():
    # 5,000 calls make the function hot (threshold 1,000): map compiles it first and
    # calls the compiled entry every time, rather than running 1,000 calls in tier 0
    # through the VM. Ten calls do not.
    rt = Runtime(settings={**settings("tier1-optimized"), "jit_threshold": 1000})
    rt.eval("let few = |x| x + 1\nlet many = |x| x * 2\nlet xs = []\nfor i in 0..5000 { xs.push(i) }\n"
            "let ys = xs.map(many)\nlet zs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].filter(few)")
    many, few = rt.eval("many"), rt.eval("few")
    assert (many.code.hot, type(many.code.jit).__name__) == (0, "function")
    assert (few.code.hot, few.code.jit) == (10, None)
    assert (rt.eval("ys[4999]"), rt.eval("len(zs)")) == (9998, 10)


def test_recursion_past_the_compiled_nesting_reports_tier_0s_depth_and_frames(tmp_path):
    # Compiled frames with effects nest 1,500 deep on the host stack, then calls go on in
    # tier 0 (DEEP). Hitting max_call_depth there reports the setting (not what was left
    # for tier 0) and the trace of tier 0: the compiled call that handed over is not a
    # frame of its own.
    source = """\
        class Node {
            fn init(self, v) { self.v = v }

            fn deep(self, n) {
                if n == 0 { return 0 }
                1 + Node(n).deep(n - 1)
            }
        }

        fn plain(n) {
            if n == 0 { return 0 }
            let t = [n]
            1 + plain(n - 1)
        }

        out Node(0).deep(5000)
        out plain(5000)
        out try { Node(0).deep(100000) } catch e { e.message }
        out try { plain(100000) } catch e { e.message }
        out Node(0).deep(40000)
        """
    config = "max_call_depth = 40000\n"
    off = run(tmp_path, source, jit="off", config=config)
    on = run(tmp_path, source, config=config)
    assert on == off
    code, out, err = on
    assert (code, out) == (1, "5000\n5000\n" + "call depth exceeded 40000 (setting max_call_depth)\n" * 2)
    assert "  ... the same call 39998 more times (frames 1 to 39998)\n  39999: main at" in err, err
    assert "  self = Node {v: 3}\n  n = 2\n" in err, err
