"""`axiom dis --jit FILE [ARGS...]`: the script runs (its output and error report as
`axiom run` gives them), then stdout shows what the JIT compiled: per function and loop
its tier, the argument kinds it was specialised for, its generated Python code or LLVM IR,
and why code stayed in tier 0. Each test runs the real command in a fresh process."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

from support.dists import run_axiom  # noqa: E402

SEPARATOR = "--- axiom dis --jit: tier {tier}, jit_threshold {threshold} ---\n"


def dis(tmp_path: Path, source: str, *options: str, config: str = "", args: tuple[str, ...] = ()):
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text(config)
    script = tmp_path / "script.ax"
    script.write_text(textwrap.dedent(source))
    done = run_axiom(["dis", *options, str(script), *args], home=home, cwd=tmp_path,
                     env={"AXIOM_JIT_LOG": ""})
    return done, script


def split(stdout: str, tier: str, threshold: int) -> tuple[str, str]:
    """(the script's own output, the JIT report after the separator line)."""
    sep = SEPARATOR.format(tier=tier, threshold=threshold)
    assert sep in stdout, stdout
    before, after = stdout.split(sep)
    return before, after


FIB = """\
    fn fib(n) { if n < 2 then n else fib(n - 1) + fib(n - 2) }
    fn unused(x) { x }
    out fib(15)
    """


def test_a_hot_function_shows_its_generated_python_and_its_kinds(tmp_path):
    done, script = dis(tmp_path, FIB, "--jit", "host", "--jit-threshold", "1")
    assert (done.returncode, done.stderr) == (0, "")
    out, report = split(done.stdout, "host", 1)
    assert out == "610\n"
    assert report.startswith(f"fn fib at {script}:1: host, specialised for (n: int)\n"
                             "    def fib(n_0):\n"
                             "        if n_0 < 2:\n"
                             "            return n_0\n")
    assert "    def fib__entry(n_0):\n        if type(n_0) is int:\n            return BODY(n_0)\n" in report
    # a function that never ran is named once, at the end
    assert report.endswith(f"\nnot run: unused ({script}:2)\n")


def test_the_threshold_defaults_to_the_setting_and_a_bare_jit_uses_the_jit_setting(tmp_path):
    source = """\
        fn twice(x) { x * 2 }
        let t = 0
        for i in 0..3 { t += twice(i) }
        out t
        """
    done, script = dis(tmp_path, source, "--jit", config='jit = "host"\njit_threshold = 5\n')
    assert done.returncode == 0, done.stderr
    out, report = split(done.stdout, "host", 5)
    assert out == "6\n"
    # three calls and three loop passes: not past a threshold of 5
    assert report == ("nothing was compiled: no function or loop ran past jit_threshold 5\n\n"
                      f"fn twice at {script}:1: tier 0 (ran 3 calls and loop passes, not past "
                      "jit_threshold 5)\n")


def test_a_top_level_loop_shows_its_osr_unit(tmp_path):
    source = """\
        let total = 0
        for i in 0..100 { total += i }
        out total
        """
    done, script = dis(tmp_path, source, "--jit", "host", "--jit-threshold", "0")
    assert done.returncode == 0, done.stderr
    out, report = split(done.stdout, "host", 0)
    assert out == "4950\n"
    lines = report.splitlines()
    assert lines[0] == f"loop at {script}:2 (top level): host"
    assert lines[1].startswith("    def main__loop") and lines[1].endswith("(vm, frame):")
    assert "        if type(i_0) is not int or type(g_total) is not int:" in lines
    assert "            return NOT_TAKEN" in lines
    assert "        for s1 in s0:" in lines


def test_a_function_that_cannot_be_compiled_shows_why(tmp_path):
    # below max_call_depth 30000 tier 1 compiles loops only: functions stay in tier 0
    source = """\
        fn inc(n) { n + 1 }
        out inc(inc(1))
        """
    done, script = dis(tmp_path, source, "--jit", "host", "--jit-threshold", "0",
                       config="max_call_depth = 1000\n")
    assert done.returncode == 0, done.stderr
    out, report = split(done.stdout, "host", 0)
    assert out == "3\n"
    assert report == (f"nothing was compiled: no function or loop ran past jit_threshold 0\n\n"
                      f"fn inc at {script}:1: tier 0 (max_call_depth is below 30000: only loops "
                      "are compiled)\n")


@pytest.mark.skipif(importlib.util.find_spec("llvmlite") is None, reason="llvmlite is not installed")
def test_native_shows_the_llvm_ir_and_why_other_code_is_not_native(tmp_path):
    source = """\
        fn sq(x) { x * x }
        fn total(n) {
            let s = 0.0
            for i in 0..n { s += sq(i) * 0.5 }
            s
        }
        fn shout(w) { w + "!" }
        out total(10)
        out shout("hey")
        """
    done, script = dis(tmp_path, source, "--jit", "native", "--jit-threshold", "0")
    assert done.returncode == 0, done.stderr
    out, report = split(done.stdout, "native", 0)
    assert out == "142.5\nhey!\n"
    lines = report.splitlines()
    # sq runs only inside total's machine code: it has no entry of its own
    assert lines[0] == f"fn sq at {script}:1: native inside fn total, whose IR has it (no entry of its own)"
    assert lines[2] == f"fn total at {script}:2: native, specialised for (n: int)"
    defines = [line for line in lines if line.startswith("    define ")]
    assert any('@"total"' in line for line in defines) and any('@"sq"' in line for line in defines), report
    assert f"fn shout at {script}:7: host, specialised for (w: str) (not native: arguments that " \
           "are not numbers)\n    def shout(w_0):\n" in report


def test_an_imported_module_and_a_loop_inside_a_function(tmp_path):
    (tmp_path / "helper.ax").write_text("fn sq(x) { x * x }\nfn unused() { 0 }\n")
    source = """\
        import helper
        fn count(n) {
            let s = 0
            for i in 0..n { s += helper.sq(i) }
            s
        }
        out count(3000)
        """
    done, script = dis(tmp_path, source, "--jit", "host", "--jit-threshold", "1000")
    assert done.returncode == 0, done.stderr
    out, report = split(done.stdout, "host", 1000)
    assert out == "8995500500\n"
    helper = tmp_path / "helper.ax"
    assert [line for line in report.splitlines() if line and not line.startswith(" ")] == [
        f"fn count at {script}:2: tier 0, until its loops were compiled while it ran (below)",
        f"loop at {script}:4 in fn count: host",
        f"fn sq at {helper}:1: host, specialised for (x: int)",
        f"not run: unused ({helper}:2)"]


def test_under_jit_off_nothing_is_compiled(tmp_path):
    done, _ = dis(tmp_path, FIB, "--jit", "off", "--jit-threshold", "0")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == ("610\n--- axiom dis --jit: the tier is off: nothing is compiled, every "
                           "function and loop ran in tier 0 (the bytecode VM; `axiom dis FILE` "
                           "prints its bytecode) ---\n")


def test_a_failing_script_reports_its_error_then_what_was_compiled(tmp_path):
    source = """\
        fn half(n) { n / 2 }
        let i = 0
        while i < 4 { out half(i * 2); i += 1 }
        out 10 / (i - 4)
        """
    done, script = dis(tmp_path, source, "--jit", "host", "--jit-threshold", "0", args=("a", "b"))
    assert done.returncode == 1
    assert done.stderr.startswith(f"Error: DivisionByZero: division by zero\n  --> {script}:4:5\n")
    assert "Traceback" not in done.stderr
    out, report = split(done.stdout, "host", 0)
    assert out == "0\n1\n2\n3\n"
    assert report.startswith(f"fn half at {script}:1: host, specialised for (n: int)\n    def half(n_0):\n")
    assert f"\nloop at {script}:3 (top level): host\n" in report


def test_a_syntax_error_is_reported_and_nothing_is_compiled(tmp_path):
    done, script = dis(tmp_path, "out 1 +\n", "--jit", "host")
    assert done.returncode == 2
    assert done.stderr.startswith("Error: SyntaxError: ")
    assert done.stdout == (SEPARATOR.format(tier="host", threshold=1000)
                           + "nothing was compiled: no function or loop ran past jit_threshold 1000\n")


def test_script_arguments_follow_the_file_and_plain_dis_is_unchanged(tmp_path):
    done, _ = dis(tmp_path, "out ARGS\n", "--jit", args=("one", "--", "--two"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith('["one", "--two"]\n--- axiom dis --jit: tier ')
    plain, script = dis(tmp_path, "out ARGS\n")
    assert plain.returncode == 0
    assert plain.stdout.splitlines()[0] == f"== main ({script}) =="
    assert "axiom dis --jit" not in plain.stdout
    extra, _ = dis(tmp_path, "out ARGS\n", args=("x",))
    assert extra.returncode == 2
    assert extra.stderr == ("axiom dis: unexpected argument 'x': arguments for the script are taken "
                            "with --jit only (which runs it)\n")


def test_a_unit_dropped_after_wrong_guesses_says_so(tmp_path):
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
    done, script = dis(tmp_path, source, "--jit", "host", "--jit-threshold", "0")
    assert done.returncode == 0, done.stderr
    out, report = split(done.stdout, "host", 0)
    assert out == "5\n2.0\n"
    assert report.startswith(f"fn walk at {script}:2: host, specialised for (n: int)\n")
    assert "\n    # later: walk guessed wrong 20 times: compiling it again without those guesses\n" in report
    assert f"\nloop at {script}:4 in fn walk: host\n" in report
    assert f"\nloop at {script}:9 (top level): host\n" in report


def test_the_example_in_the_performance_guide_is_what_the_command_prints(tmp_path):
    """docs/performance.md shows `axiom dis --jit host hot.ax`: its lines outside the
    generated code (which changes as the JIT improves) are the command's."""
    page = (Path(__file__).resolve().parents[2] / "docs" / "performance.md").read_text(encoding="utf-8")
    program = page.split('```axiom title="hot.ax"\n', 1)[1].split("```", 1)[0]
    shown = page.split("```sh\naxiom dis --jit host hot.ax\n```\n\n```text\n", 1)[1].split("```", 1)[0]
    (tmp_path / "hot.ax").write_text(program)
    home = tmp_path / "home"
    home.mkdir()
    done = run_axiom(["dis", "--jit", "host", "hot.ax"], home=home, cwd=tmp_path, env={"AXIOM_JIT_LOG": ""})
    assert done.returncode == 0, done.stderr

    def outline(text: str) -> list[str]:
        return [line for line in text.splitlines() if line and not line.startswith(" ")]

    assert outline(done.stdout) == outline(shown)
    assert "    def fib(n_0):" in done.stdout.splitlines()
