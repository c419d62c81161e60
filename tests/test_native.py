"""The native tier (tier 2, jit/native/): every way native code leaves gives tier 0's result
and error, byte for byte; limits hold; llvmlite is optional and never imported by a script
that compiles nothing.

Each program runs in a fresh process under `--jit off` and under `--jit native` with a
threshold of 0, and AXIOM_JIT_LOG=1 shows that the native tier really compiled it and why
it left."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("llvmlite")

AXIOM = [sys.executable, "-m", "axiom.cli"]


def run(tmp_path: Path, source: str, *options: str, log: bool = False,
        python: list[str] | None = None, tier: str = "native") -> subprocess.CompletedProcess[str]:
    """`axiom run` with everything compiled at once, in `tier` (config.toml's jit; "" for
    the default)."""
    script = tmp_path / "prog.ax"
    script.write_text(source, encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    jit = f'jit = "{tier}"\n' if tier else ""
    (home / "config.toml").write_text(f"{jit}jit_threshold = 0\n", encoding="utf-8")
    env = {**os.environ, "AXIOM_HOME": str(home), "NO_COLOR": "1"}
    env.pop("AXIOM_JIT_LOG", None)
    if log:
        env["AXIOM_JIT_LOG"] = "1"
    cmd = (python or AXIOM) + ["run", "--no-cache", *options, str(script)]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path)


def same_as_tier0(tmp_path: Path, source: str, compiled: list[str], left: list[str]) -> str:
    """Runs `source` in both tiers, checks they agree, and that the native log names each
    of `compiled` and each reason in `left`. Returns the output."""
    base = run(tmp_path, source, "--jit", "off")
    native = run(tmp_path, source, "--jit", "native")
    assert (native.stdout, native.stderr, native.returncode) == (base.stdout, base.stderr, base.returncode)
    logged = run(tmp_path, source, "--jit", "native", log=True)
    assert logged.stdout == base.stdout
    for name in compiled:
        assert f"native: compiled {name}" in logged.stderr, logged.stderr
    for reason in left:
        assert f": {reason}\n" in logged.stderr, logged.stderr
    return base.stdout + base.stderr


def test_fib_is_native_and_exact(tmp_path: Path) -> None:
    out = same_as_tier0(tmp_path, "fn fib(n) { if n < 2 then n else fib(n - 1) + fib(n - 2) }\n"
                                  "out fib(25)\n", ["fib"], [])
    assert out == "75025\n"


@pytest.mark.parametrize("op", ["+", "-", "*"])
def test_overflow_leaves_at_the_same_instruction(tmp_path: Path, op: str) -> None:
    big = {"+": "9223372036854775000", "-": "-9223372036854775000", "*": "4611686018427387904"}[op]
    step = {"+": "100", "-": "100", "*": "1"}[op]
    source = (f"fn grow(x, n) {{\n  let i = 0\n  let acc = x\n  while i < n {{\n"
              f"    acc = acc {op} {step if op != '*' else '2'}\n    i += 1\n  }}\n  acc\n}}\n"
              f"out grow(1, 3)\nout grow({big}, 20)\n")
    out = same_as_tier0(tmp_path, source, ["grow"], ["overflow"])
    assert "Error: Overflow: integer overflow" in out
    assert "Variables in frame 0:" in out and "  i = " in out


def test_division_by_zero_and_min_over_minus_one(tmp_path: Path) -> None:
    source = ("fn q(a, b) {\n  let s = 0\n  for k in 0..3 { s += a / b + a % b }\n  s\n}\n"
              "out q(7, -2)\nout q(-9223372036854775807 - 1, 7)\n"
              "let r = try { q(5, 0) } catch e { e.kind }\nout r\n"
              "out q(-9223372036854775807 - 1, -1)\n")
    out = same_as_tier0(tmp_path, source, ["q"], ["division by zero or overflow"])
    assert out.startswith("-6\n")
    assert "DivisionByZero\n" in out and "Error: Overflow" in out


def test_min_modulo_minus_one_is_zero(tmp_path: Path) -> None:
    source = ("fn m(a, b) {\n  let s = 0\n  for k in 0..2 { s += a % b }\n  s\n}\n"
              "out m(-9223372036854775807 - 1, -1)\nout m(-7, 2)\nout m(7, -2)\n")
    assert same_as_tier0(tmp_path, source, ["m"], []) == "0\n-2\n2\n"


def test_float_where_an_int_was_seen(tmp_path: Path) -> None:
    source = ("fn tri(n) {\n  let s = 0\n  for i in 0..n { s += i }\n  s\n}\n"
              "fn scale(x) {\n  let t = x\n  let k = 0\n  while k < 3 { t = t * 2\n k += 1 }\n  t\n}\n"
              "out tri(10)\nout scale(3)\nout scale(1.5)\nout scale(true)\n")
    out = same_as_tier0(tmp_path, source, ["tri", "scale"], [])
    assert out.startswith("45\n24\n12.0\n")


def test_floats_are_bit_identical(tmp_path: Path) -> None:
    source = ("import mth\n"
              "fn walk(n) {\n  let x = 0.1\n  let s = 0.0\n  for i in 0..n {\n"
              "    s += mth.sin(x) * mth.cos(x) / (1.0 + mth.sqrt(x)) + mth.exp(-x) - mth.ln(x + 1)\n"
              "    s += mth.pow(x, 1.5) + mth.abs(-x) + mth.floor(x * 10) + mth.log(x + 2, 3.0)\n"
              "    x = x * 1.1 + 0.3 % 0.7\n  }\n  s\n}\n"
              "out walk(50)\nout @\"{walk(7):.17g}\"\nout walk(0) / 3.0\n"
              "fn bad(x) {\n  let s = 0.0\n  for i in 0..2 { s += mth.sqrt(x - i * 2) }\n  s\n}\n"
              "out bad(1.0)\n")
    out = same_as_tier0(tmp_path, source, ["walk", "bad"], ["math domain"])
    assert "ValueError" in out


def test_deep_recursion_leaves_for_tier0_and_overflows_like_it(tmp_path: Path) -> None:
    source = ("fn down(n) { if n == 0 then 0 else 1 + down(n - 1) }\n"
              "out down(9000)\nout down(100000000)\n")
    out = same_as_tier0(tmp_path, source, ["down"], [])
    assert out.startswith("9000\nError: StackOverflow")


def test_callee_leaving_keeps_caller_work(tmp_path: Path) -> None:
    source = ("fn inner(a) {\n  let k = 0\n  while k < 2 { k += 1 }\n  (a + 3037000490) * (a + 3037000490)\n}\n"
              "fn outer(n) {\n  let s = 0\n  let i = 0\n  while i < n {\n    s += inner(i) % 1000\n    i += 1\n  }\n  s\n}\n"
              "out outer(3)\nout try { outer(11) } catch e { e.message }\n")
    out = same_as_tier0(tmp_path, source, ["outer"], ["overflow"])
    first = sum((i + 3037000490) ** 2 % 1000 for i in range(3))
    assert out == f"{first}\ninteger overflow: 3037000500 * 3037000500 is outside the 64-bit range\n"


def test_loop_at_top_level_writes_back_its_globals(tmp_path: Path) -> None:
    source = ("let total = 0\nlet i = 0\nwhile i < 100000 {\n  total += i % 7 * 3 - 1\n  i += 1\n}\n"
              "out total\nout i\nlet f = 0.5\nfor k in 0..=10 { f = f * 1.5 }\nout f\n"
              "let big = 9223372036854775000\nwhile true { big += 1 }\n")
    out = same_as_tier0(tmp_path, source, ["the loop at"], ["overflow"])
    assert out.startswith("799985\n100000\n43.248779296875\nError: Overflow")


def test_limits_hold_under_native(tmp_path: Path) -> None:
    start = time.monotonic()
    done = run(tmp_path, "let i = 0\nwhile true { i = (i + 1) % 1000 }\n", "--jit", "native", "--timeout", "1")
    assert time.monotonic() - start < 10
    assert done.returncode == 1 and "LimitExceeded" in done.stderr
    steps = run(tmp_path, "fn f(n) { if n < 2 then n else f(n - 1) + f(n - 2) }\nout f(30)\n",
                "--jit", "native", "--max-steps", "10000")
    assert steps.returncode == 1 and "LimitExceeded" in steps.stderr


# --- native code polls: interrupts, the deadline, exact steps ---------------------------------

SPINS = {
    "top level": "out(\"ready\")\nlet n = 0\nwhile true { n += 1 }\n",
    "in a function": ("fn spin(k) {\n  let n = 0\n  while n != -1 { n = (n + k) % 1000 }\n  n\n}\n"
                      "out(\"ready\")\nout spin(1)\n"),
    "recursion without loops": ("fn fib(n) { if n < 2 then n else fib(n - 1) + fib(n - 2) }\n"
                                "out(\"ready\")\nout fib(80)\n"),
}


@pytest.mark.parametrize("where", list(SPINS))
def test_ctrl_c_stops_native_code(tmp_path: Path, where: str) -> None:
    """SIGINT to a real `axiom run` whose loop (or recursion) runs in machine code: the C
    signal handler only sets a flag, which native code sees at its next poll."""
    import select
    import signal
    script = tmp_path / "spin.ax"
    script.write_text(SPINS[where], encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('jit = "native"\njit_threshold = 0\n', encoding="utf-8")
    env = {**os.environ, "AXIOM_HOME": str(home), "NO_COLOR": "1", "AXIOM_JIT_LOG": "1"}
    p = subprocess.Popen(AXIOM + ["run", "--no-cache", str(script)], env=env, cwd=tmp_path,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert p.stdout is not None and p.stderr is not None
        assert p.stdout.readline() == b"ready\n"
        log = b""
        deadline = time.monotonic() + 30
        while b"native: compiled" not in log:  # machine code is made, and then entered
            ready, _, _ = select.select([p.stderr], [], [], max(deadline - time.monotonic(), 0))
            assert ready, log
            chunk = os.read(p.stderr.fileno(), 4096)
            assert chunk, log
            log += chunk
        time.sleep(0.3)
        assert p.poll() is None
        start = time.monotonic()
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=10)
        took = time.monotonic() - start
    finally:
        p.kill()
        p.communicate()
    err = (log + err).decode()
    assert "native: compiled" in err and "is not native" not in err, err
    err = "".join(line for line in err.splitlines(True) if not line.startswith("axiom jit: "))
    out = out.decode()
    assert (p.returncode, out, err) == (130, "", "axiom: interrupted\n")
    assert took < 2


def test_a_runaway_native_loop_stops_at_the_timeout_like_tier0(tmp_path: Path) -> None:
    source = "fn spin(k) {\n  let n = 0\n  while n != -1 { n = (n + k) % 1000 }\n  n\n}\nout spin(3)\n"
    base = run(tmp_path, source, "--jit", "off", "--timeout", "1")
    start = time.monotonic()
    native = run(tmp_path, source, "--jit", "native", "--timeout", "1", log=True)
    took = time.monotonic() - start
    assert "native: compiled spin" in native.stderr
    error = native.stderr[native.stderr.index("Error: "):]
    first = "Error: LimitExceeded: the run took longer than 1.0 s (--timeout)\n  --> "
    assert error.startswith(first) and base.stderr.startswith(first)
    # the same position and trace (the value of n differs: native code got further)
    assert error.split("Variables")[0] == base.stderr.split("Variables")[0]
    assert native.returncode == base.returncode == 1
    assert took < 3  # about a second, with start-up and compiling


STEPPED = """\
fn fib(n) { if n < 2 then n else fib(n - 1) + fib(n - 2) }
fn work(n) {
  let s = 0
  for i in 0..n { s += i % 7 }
  let j = 0
  while j < n {
    j += 1
    s += abs(j)
  }
  s
}
let total = 0
let i = 0
while i < 3000 {
  total += i % 7 * 3 - 1
  i += 1
}
out total
out fib(15)
out work(2000)
"""


@pytest.mark.parametrize("limit", [700, 57_500, 58_000, 65_536, 100_000, 108_974, 108_975])
def test_max_steps_stops_native_code_at_tier0s_step(tmp_path: Path, limit: int) -> None:
    """Native code counts tier 0's steps exactly: --max-steps stops it at the same back edge
    or call, with the same error, position, trace and variables."""
    base = run(tmp_path, STEPPED, "--jit", "off", "--max-steps", str(limit))
    native = run(tmp_path, STEPPED, "--jit", "native", "--max-steps", str(limit), log=True)
    assert "native: compiled the loop at " in native.stderr  # limited runs go native
    err = "".join(line for line in native.stderr.splitlines(True) if not line.startswith("axiom jit: "))
    assert (native.stdout, err, native.returncode) == (base.stdout, base.stderr, base.returncode)


def test_native_code_counts_tier0s_steps_and_calls() -> None:
    from axiom import Runtime, conf
    seen = []
    for tier in ("off", "native"):
        rt = Runtime(settings={**conf.DEFAULTS, "jit": tier, "jit_threshold": 0, "bytecode_cache": False},
                     metrics=True)
        rt.eval(STEPPED, "stepped.ax")
        m = rt.metrics()
        seen.append((m["instructions"], m["calls"]))
        if tier == "native":
            assert m["jit_compiled"]["native"] == 3
    assert seen == [(108_975, 3_975)] * 2


NO_LLVMLITE = [sys.executable, "-c",
               "import sys; sys.modules['llvmlite'] = None; from axiom.cli import main; "
               "sys.argv[0] = 'axiom'; main()"]
NOTICE = ("axiom: llvmlite is not installed: --jit native runs tier 1 "
          "(install axiom-core[native] for tier 2)\n")
FIB = "fn fib(n) { if n < 2 then n else fib(n - 1) + fib(n - 2) }\nout fib(20)\n"


def test_without_llvmlite_native_falls_back_with_a_notice(tmp_path: Path) -> None:
    done = run(tmp_path, FIB, "--jit", "native", python=NO_LLVMLITE)
    assert (done.stdout, done.stderr) == ("6765\n", NOTICE)
    # the same when config.toml asks for native
    (tmp_path / "home" / "config.toml").write_text('jit = "native"\njit_threshold = 0\n', encoding="utf-8")
    script = tmp_path / "fib.ax"
    script.write_text(FIB, encoding="utf-8")
    env = {**os.environ, "AXIOM_HOME": str(tmp_path / "home"), "AXIOM_JIT_LOG": "1"}
    asked = subprocess.run(NO_LLVMLITE + ["run", str(script)], capture_output=True, text=True,
                           env=env, timeout=60)
    assert asked.stdout == "6765\n"
    assert asked.stderr.startswith(NOTICE) and "axiom jit: compiled fib" in asked.stderr


def test_native_is_the_default_and_silently_tier1_without_llvmlite(tmp_path: Path) -> None:
    with_it = run(tmp_path, FIB, log=True, tier="")  # config.toml sets only jit_threshold
    assert with_it.stdout == "6765\n"
    assert "axiom jit: native: compiled fib" in with_it.stderr
    without = run(tmp_path, FIB, log=True, python=NO_LLVMLITE, tier="")
    assert without.stdout == "6765\n"
    assert without.stderr.startswith("axiom jit: compiled fib") and "native:" not in without.stderr
    assert "llvmlite" not in without.stderr
    quiet = run(tmp_path, FIB, python=NO_LLVMLITE, tier="")
    assert (quiet.stdout, quiet.stderr) == ("6765\n", "")
    # a fresh config file does not pin the tier: it stays the default
    fresh = tmp_path / "fresh"
    env = {**os.environ, "AXIOM_HOME": str(fresh)}
    shown = subprocess.run(AXIOM + ["conf", "show"], capture_output=True, text=True, env=env, timeout=60)
    assert '\n# jit = "native"   (the default: native where llvmlite is installed, else host)\n' in shown.stdout
    assert "\njit = " not in (fresh / "config.toml").read_text(encoding="utf-8")


def test_hello_never_imports_llvmlite(tmp_path: Path) -> None:
    script = tmp_path / "hello.ax"
    script.write_text('out "hello"\n', encoding="utf-8")
    code = ("import sys, runpy; sys.argv = ['axiom', 'run', '--jit', 'native', sys.argv[1]]\n"
            "from axiom.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('llvmlite' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code, str(script)], capture_output=True, text=True,
                          env={**os.environ, "AXIOM_HOME": str(tmp_path)}, timeout=60)
    assert done.stdout == "hello\nFalse\n", done.stderr


def test_describe_shows_native_units_and_their_ir() -> None:
    from axiom import Runtime, conf
    from axiom.jit.native.show import describe
    rt = Runtime(settings={**conf.DEFAULTS, "jit": "native", "jit_threshold": 0, "bytecode_cache": False})
    rt.eval("fn tri(n) {\n  let s = 0\n  for i in 0..n { s += i }\n  s\n}\nlet t = tri(10)\n")
    fn = rt.globals["tri"]
    text = describe(fn.code)
    assert text is not None and text.startswith("== native: tri (")
    assert "llvm.sadd.with.overflow" in text and 'define i64 @"axiom_entry"' in text
    rt.eval("fn name(s) { s + \"!\" }\nlet u = name(\"a\")\n")
    assert describe(rt.globals["name"].code) is None


LISTS = """fn scale(xs, n) {
  let s = 0.0
  for i in 0..n {
    s += xs[i] * 2.0
    xs[i] = s
  }
  xs[-1] += 1.0
  len(xs)
}
fn add(a, b) {
  for i in 0..len(a) { a[i] = a[i] + b[i] }
  a[0]
}
let v = [1.0, 2.0, 3.5]
out scale(v, 3)
out v
let w = [1, 2, 3]
out add(w, w)
out w
out add([1, 2], [5, 6, 7])
let short = [1, 2, 3]
out try { add(short, [5, 6]) } catch e { e.message }
out short
out add([1.5, 2.5], [1.0, 1.0])
out add([1, "a"], [1, 2])
"""


def test_lists_of_numbers_are_native_and_written_back(tmp_path: Path) -> None:
    out = same_as_tier0(tmp_path, LISTS, ["scale (", "add ("],
                        ["index out of range"])
    # the same list passed twice is one list: w[i] = w[i] + w[i]; an error half way keeps
    # the items stored before it; a list holding a str runs in a lower tier, same error
    assert out.startswith("3\n[2.0, 6.0, 14.0]\n2\n[2, 4, 6]\n6\n"
                          "index 2 out of bounds for list of length 2\n[6, 8, 3]\n2.5\n"
                          "Error: TypeError: unsupported operand types for +: str and int")
    assert "  a = [2, \"a\"]\n" in out


def test_a_list_holding_a_non_number_leaves_native_code(tmp_path: Path) -> None:
    source = ("fn total(xs) {\n  let s = 0\n  for i in 0..len(xs) { s += xs[i] }\n  s\n}\n"
              "out total([1, 2, 3])\nout total([1, 2.5])\nout total([1, nil])\n")
    logged = run(tmp_path, source, "--jit", "native", log=True)
    assert "prog.ax) for (list of int)\n" in logged.stderr
    assert "prog.ax) for (list)\n" in logged.stderr  # tier 1 takes the rest
    out = same_as_tier0(tmp_path, source, ["total"], [])
    assert out.startswith("6\n3.5\nError: TypeError")


def test_a_loop_over_a_list_in_a_frame_is_native(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AXIOM_JIT_FUNCTIONS", "0")  # loops only: the loop is taken over in its frame
    source = ("fn fill(n) {\n  let xs = [0; n]\n  let ys = [0.5; n]\n  let i = 0\n"
              "  while i < n {\n    xs[i] = i * i\n    ys[i] = ys[i] * i\n    i += 1\n  }\n"
              "  xs[n - 1] + len(ys)\n}\nout fill(1000)\n")
    out = same_as_tier0(tmp_path, source, ["the loop at "], [])
    assert out == f"{999 * 999 + 1000}\n"


def test_without_room_for_an_arena_lists_are_made_by_tier0(monkeypatch: pytest.MonkeyPatch) -> None:
    """A thread that cannot map its arena (a --max-memory run's address-space limit) still
    runs native code: every list it would make leaves for tier 0, which makes it."""
    import threading

    from axiom import Runtime, conf
    from axiom.jit.native import glue

    def no_room() -> None:
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(glue, "_new_arena", no_room)
    source = ("fn squares(n) {\n  let xs = [0; n]\n  for i in 0..n { xs[i] = i * i }\n  xs\n}\n"
              "let t = 0\nfor k in 0..40 { t += len(squares(k)) + squares(k + 1)[k] }\nt\n")
    seen = []

    def work() -> None:
        for tier in ("off", "native"):
            rt = Runtime(settings={**conf.DEFAULTS, "jit": tier, "jit_threshold": 0,
                                   "bytecode_cache": False})
            seen.append(rt.eval(source, "squares.ax"))
            if tier == "native":
                seen.append(rt.jit.compiled["native"])
                from axiom.jit.native.glue import context
                seen.append(context().arena)

    thread = threading.Thread(target=work)  # a fresh thread: a fresh context, without an arena
    thread.start()
    thread.join()
    assert seen[:2] == [21320, 21320] and seen[2] >= 1 and seen[3] == 0


# -- the disk cache of machine code --------------------------------------------------------

TRI = "fn tri(n) {\n  let s = 0\n  for i in 0..n { s += i }\n  s\n}\nout tri(100)\n"
PROBE = ("import sys; sys.argv = ['axiom', 'run', sys.argv[1]]\nfrom axiom.cli import main\n"
         "try:\n    main()\nexcept SystemExit:\n    pass\n"
         "print('binding' if 'llvmlite.binding' in sys.modules else 'no binding')\n")


def cached_run(tmp_path: Path) -> tuple[str, str]:
    """A run of TRI that uses the cache (no --no-cache): stdout, stderr (the JIT log)."""
    script = tmp_path / "tri.ax"
    script.write_text(TRI, encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text('jit = "native"\njit_threshold = 0\n', encoding="utf-8")
    env = {**os.environ, "AXIOM_HOME": str(home), "AXIOM_JIT_LOG": "1"}
    done = subprocess.run([sys.executable, "-c", PROBE, str(script)], capture_output=True, text=True,
                          env=env, timeout=60, cwd=tmp_path)
    return done.stdout, done.stderr


def entries(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "home" / "cache" / "native").glob("*.bin"))


def test_a_second_run_loads_machine_code_without_llvmlites_compiler(tmp_path: Path) -> None:
    out, err = cached_run(tmp_path)
    assert out == "4950\nbinding\n" and "native: compiled tri (" in err and "from the cache" not in err
    assert len(entries(tmp_path)) == 1
    out, err = cached_run(tmp_path)
    assert out == "4950\nno binding\n"
    assert err.endswith("for (int) (from the cache)\n"), err


def test_float_code_is_cached_with_its_constants(tmp_path: Path) -> None:
    """Float code reads its constants from read-only data beside the code (x86-64's
    constant pools): the entry links the two into one block, so it is cached too."""
    source = ("fn wave(n) {\n  let s = 0.0\n  for i in 0..n { s += 1.0 / (i * 0.5 + 1.25) + 2.5e-3 }\n  s\n}\n"
              "out wave(1000)\n")
    script = tmp_path / "wave.ax"
    script.write_text(source, encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('jit = "native"\njit_threshold = 0\n', encoding="utf-8")
    env = {**os.environ, "AXIOM_HOME": str(home), "AXIOM_JIT_LOG": "1"}
    runs = [subprocess.run(AXIOM + ["run", str(script)], capture_output=True, text=True, env=env,
                           timeout=60, cwd=tmp_path) for _ in range(2)]
    base = run(tmp_path, source, "--jit", "off")
    assert runs[0].stdout == runs[1].stdout == base.stdout
    assert "native: compiled wave" in runs[0].stderr and "from the cache" not in runs[0].stderr
    assert "native: compiled wave (" in runs[1].stderr and "(from the cache)" in runs[1].stderr
    assert len(entries(tmp_path)) == 1


@pytest.mark.parametrize("damage", ["truncated", "flipped", "foreign", "another unit"])
def test_a_damaged_cache_entry_is_ignored_and_rebuilt(tmp_path: Path, damage: str) -> None:
    from axiom.jit.native import engine
    cached_run(tmp_path)
    [entry] = entries(tmp_path)
    data = entry.read_bytes()
    ident = engine.identity()
    ir_hash = data[12 + len(ident):12 + len(ident) + 32]  # the layout: engine.pack
    found = engine.unpack(data, ir_hash, ident)
    assert found is not None
    trap = b"\xcc" * len(found[1])  # int3: executed, it would kill the process
    if damage == "truncated":
        entry.write_bytes(data[:len(data) // 2])
    elif damage == "flipped":
        k = len(data) - 40
        entry.write_bytes(data[:k] + bytes([data[k] ^ 0x10]) + data[k + 1:])
    elif damage == "foreign":  # sound, but made by another llvmlite
        entry.write_bytes(engine.pack(ir_hash, b"llvmlite 0.1.0\n" + ident.split(b"\n", 1)[1], 0, trap))
    else:  # sound, but for other IR
        entry.write_bytes(engine.pack(bytes(32), ident, 0, trap))
    out, err = cached_run(tmp_path)
    assert out == "4950\nbinding\n" and "from the cache" not in err, err
    assert engine.unpack(entry.read_bytes(), ir_hash, ident) == found  # rebuilt
    out, err = cached_run(tmp_path)
    assert out == "4950\nno binding\n" and "(from the cache)" in err


# --- lists made by native code ------------------------------------------------------------------

MADE = """\
fn build(n) {
  let a = [0; n]
  let b = [1.5, 2.5]
  let r = list(0..n)
  let q = list(2..=4)
  let e = [7; -3]
  for i in 0..n {
    a[i] = i * i
    b.push(a[i] * 0.5)
  }
  let c = a.copy()
  c.push(len(b))
  c[0] = 99
  let s = 0
  for i in 0..len(r) { s += r[i] + len(e) }
  a.push(s + q[2] + len(q))
  a
}
fn floats(n) {
  let ys = [0.25; n]
  for i in 0..n { ys[i] = ys[i] * i }
  ys
}
out build(5)
out build(0)
out floats(4)
let total = 0
for k in 0..50 { total += len(build(k)) }
out total
let f = 0.0
for k in 0..20 { f += len(floats(k)) }
out f
"""


def test_native_code_makes_pushes_and_returns_lists(tmp_path: Path) -> None:
    out = same_as_tier0(tmp_path, MADE, ["build", "floats"], [])
    assert out == "[0, 1, 4, 9, 16, 17]\n[7]\n[0.0, 0.25, 0.5, 0.75]\n1275\n190.0\n"


ALIASES = """\
fn both(a, b) {
  a.push(1)
  b.push(2)
  b[0] = 5
  len(a) * 10 + len(b)
}
let w = [0]
out both(w, w)
out w
let v = [0]
for k in 0..3 { both(v, v) }
out v
"""


def test_the_same_list_passed_twice_is_pushed_to_once_each(tmp_path: Path) -> None:
    out = same_as_tier0(tmp_path, ALIASES, ["both"], [])
    assert out == "33\n[5, 1, 2]\n[5, 1, 2, 1, 2, 1, 2]\n"


CHURN = """\
fn churn(keep) {
  let same = keep
  let made = [1, 2, 3]
  let alias = made
  for i in 0..2000 {
    same[i % 2] += i
    alias.push(i)
    if i == 1000 { made = made.copy() }
  }
  out keep
  out len(made)
  out len(alias)
  made[0] = -1
  out alias[0]
  alias[0] = -2
  out made[0]
}
churn([0, 0])
"""


def test_lists_keep_their_aliases_out_of_native_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AXIOM_JIT_FUNCTIONS", "0")  # loops only: the loop is taken over in its frame
    out = same_as_tier0(tmp_path, CHURN, ["the loop at"], [])
    assert out == "[999000, 1000000]\n1004\n2003\n1\n-1\n"


EMPTY = """\
fn evens(n) {
  let xs = []
  for i in 0..n {
    if i % 2 == 0 { xs.push(i) }
  }
  xs
}
fn halves(n) {
  let ys = []
  for i in 0..n { ys.push(i * 0.5) }
  ys
}
fn untouched(n) {
  let zs = []
  let k = 0
  for i in 0..n { k += i }
  zs
}
out evens(7)
out halves(3)
out untouched(2)
let t = 0
for k in 0..30 { t += len(evens(k)) + len(halves(k)) + len(untouched(k)) }
out t
"""


def test_empty_list_literals_take_the_type_of_what_is_pushed(tmp_path: Path) -> None:
    out = same_as_tier0(tmp_path, EMPTY, ["evens", "halves", "untouched"], [])
    assert out == "[0, 2, 4, 6]\n[0.0, 0.5, 1.0]\n[]\n660\n"


def test_a_float_pushed_into_a_list_of_ints_is_not_native(tmp_path: Path) -> None:
    source = ("fn mix(n) {\n  let xs = [1, 2]\n  for i in 0..n { xs.push(i * 0.5) }\n  xs\n}\n"
              "out mix(3)\nfn bad(n) {\n  let xs = [1, nil]\n  for i in 0..n { xs[0] += i }\n  xs\n}\nout bad(4)\n")
    out = same_as_tier0(tmp_path, source, [], [])
    assert out == "[1, 2, 0.0, 0.5, 1.0]\n[7, nil]\n"
    logged = run(tmp_path, source, "--jit", "native", log=True)
    assert "mix (" in logged.stderr and "native: compiled mix" not in logged.stderr


def test_a_full_arena_leaves_and_comes_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AXIOM_JIT_FUNCTIONS", "0")
    # 40,000 lists of 64 ints (about 20 MB) made by one native loop: the arena fills,
    # tier 0 makes the next list, and the loop's next back edge goes native again
    source = ("fn fill() {\n  let n = 0\n  let last = [0]\n  for i in 0..40000 {\n    last = [i; 64]\n"
              "    n += len(last)\n  }\n  out n\n  out last[63]\n}\nfill()\n")
    out = same_as_tier0(tmp_path, source, ["the loop at"], [])
    assert out == "2560000\n39999\n"
