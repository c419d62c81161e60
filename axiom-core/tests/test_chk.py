"""`axiom chk`: each rule fires on a program that has the mistake and stays quiet on one
that does not; the output format, JSON, colour and exit codes; module exports read
without running module code."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

from axiom import chk, conf, exports

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

from support.dists import make_dist, run_axiom  # noqa: E402


def diags(src: str, filename: str = "t.ax") -> list[tuple[str, int, int, str]]:
    return [(d.code, d.line, d.col, d.message) for d in chk.check_source(src, filename, dict(conf.DEFAULTS))]


def codes(src: str) -> list[str]:
    return [d[0] for d in diags(src)]


# --- E001 syntax errors ------------------------------------------------------------------

def test_syntax_error_is_reported_as_axiom_run_reports_it():
    assert diags("let xs = [1, 2\nout xs\n") == [
        ("E001", 1, 10, "'[' is never closed (found 'out' on line 2)")]


def test_every_top_level_statement_with_a_syntax_error_is_reported():
    src = "let a = 1 +\nout a\nfn f( { 1 }\nlet ok = 2\nout ok\nlet = 3\n"
    assert diags(src) == [("E001", 2, 1, "unexpected keyword 'out'; expected an expression"),
                          ("E001", 3, 7, "unexpected '{'; expected ')' or a name"),
                          ("E001", 6, 5, "unexpected '='; expected '(', '[' or a name")]
    src = "let = 1\nout 2\nlet = 3\nclass { }\nout 4\n"
    assert [d[:2] for d in diags(src)] == [("E001", 1), ("E001", 3), ("E001", 4)]


def test_resolver_errors_are_syntax_errors_and_checking_goes_on():
    src = "fn f() { super.x() }\nout nope\n"
    assert diags(src) == [("E001", 1, 10, "super used outside a method"),
                          ("E002", 2, 5, "undefined name 'nope'")]


def test_a_file_that_is_not_utf8_is_an_error(tmp_path):
    p = tmp_path / "bad.ax"
    p.write_bytes(b"out 1\n\xff\n")
    [d] = chk.check_file(str(p), dict(conf.DEFAULTS))
    assert (d.code, d.message) == ("E001", f"{p} is not valid UTF-8 (byte 6)")


# --- E002 undefined names -------------------------------------------------------------------

def test_an_undefined_name_is_reported_with_near_misses():
    [d] = chk.check_source("let counter = 1\nout countr + 1\n", "t.ax", {})
    assert (d.code, d.line, d.col, d.end_col, d.message, d.help) == (
        "E002", 2, 5, 11, "undefined name 'countr'", "did you mean 'counter'?")


def test_assigning_declares_and_names_defined_later_are_bound():
    src = """
fn main() { helper(LIMIT) }
fn helper(n) { total = n + 1; total }
let LIMIT = 3
x = 5
out x + main()
class Later { fn init(self) { self.v = make() } }
fn make() { Later2 }
let Later2 = 1
out Later().v
"""
    assert diags(src) == []


def test_a_let_declared_later_in_an_enclosing_function_is_out_of_reach():
    src = "fn outer() {\n    fn inner() { helper() }\n    let helper = fn() { 1 }\n    inner()\n}\nout outer()\n"
    d, unused = chk.check_source(src, "t.ax", {})
    assert (d.code, d.line, d.col, d.message) == ("E002", 2, 18, "undefined name 'helper'")
    assert d.help.startswith("a 'helper' is declared on line 3, but not in a scope that reaches here")
    assert (unused.code, unused.line, unused.message) == ("W002", 3, "unused variable 'helper'")


def test_names_read_in_closures_interpolations_and_catch_blocks_are_bound():
    src = """
let name = "x"
let items = [1, 2]
out @"{name}: {len(items)}"
let f = |v| v + len(items)
try { throw "e" } catch e { out @"{e.message} {name}" }
out ARGS
out f(1)
"""
    assert diags(src) == []


def test_habits_from_other_languages_get_the_runtimes_help():
    [d] = chk.check_source("print(1)\n", "t.ax", {})
    assert (d.code, d.message, d.help) == (
        "E002", "undefined name 'print'", "Axiom prints with 'out': out x (or out @\"...{x}...\")")


def test_try_expressions_raw_strings_and_a_byte_order_mark():
    src = """\ufefffn parse(text) {
    let n = try { int(text) } catch e { fallback + len(e.message) }
    let unused = try { 1 } catch { 2 }
    n
}
let pattern = r"\\d+{x}"
out parse(pattern)
"""
    assert diags(src) == [("E002", 2, 41, "undefined name 'fallback'"),
                          ("W002", 3, 9, "unused variable 'unused'")]
    [d] = chk.check_source('out "a\\d"\n', "t.ax", {})
    assert (d.code, d.message) == ("E001", "invalid escape sequence \\d")
    assert d.help.startswith("write \\\\d for a backslash followed by 'd', or use a raw string")


def test_a_local_let_read_in_its_own_initializer():
    src = """fn f() {
    let x = 1
    if true {
        let x = x + 1
        out x
    }
    let fact = fn(n) { if n < 2 then 1 else n * fact(n - 1) }
    let y = @"{y}"
    fact(3)
}
let top = 1
let top = top + 1
out f() + top
"""
    found = chk.check_source(src, "t.ax", {})
    assert [(d.code, d.line, d.col, d.message) for d in found] == [
        ("W002", 2, 9, "unused variable 'x'"),  # the x + 1 reads the new x
        ("E002", 4, 17, "'x' is read in its own let, before it has a value"),
        ("E002", 8, 16, "'y' is read in its own let, before it has a value")]
    assert found[1].help == ("the new 'x' is already in scope there; to change the existing one "
                             "write x = ..., or give the new one another name")


def test_a_block_local_name_read_after_its_block_is_undefined():
    assert codes("if true { w = 1 }\nout w\n") == ["W002", "E002"]


# --- E003 / E004 calls ------------------------------------------------------------------------

def test_calls_of_script_functions_are_checked_with_the_runtimes_messages():
    src = """fn add(a, b=2) { a + b }
out add()
out add(1, 2, 3)
out add(1, c=3)
out add(1, a=3)
out add(1)
out add(b=1, a=2)
"""
    assert diags(src) == [
        ("E003", 2, 5, "add() missing argument 'a' (takes from 1 to 2 arguments, 0 given)"),
        ("E003", 3, 5, "add() takes from 1 to 2 arguments but 3 were given"),
        ("E004", 4, 5, "add() got an unexpected keyword argument 'c'"),
        ("E004", 5, 5, "add() got argument 'a' twice"),
    ]


def test_class_calls_check_init_without_self_and_inherit_it():
    src = """class P { fn init(self, x, y) { self.x = x; self.y = y } }
class Q(P) { fn norm(self) { self.x } }
class E {}
out P(1)
out Q(1, 2, 3)
out E(1)
out P(1, 2).x + Q(1, 2).norm()
out E()
"""
    assert diags(src) == [
        ("E003", 4, 5, "P() missing argument 'y' (takes 2 arguments, 1 given)"),
        ("E003", 5, 5, "Q() takes 2 arguments but 3 were given"),
        ("E003", 6, 5, "E() takes no arguments (1 given)"),
    ]


def test_built_ins_and_module_functions_are_checked_with_their_export_messages():
    src = """import mth
from mth import sqrt as root
out len(1, 2)
out sorted([1], kee=1)
out mth.sqrt(1, 2)
out root()
out range(1, 2, 3) + mth.floor(2.5) + root(4)
"""
    assert diags(src) == [
        ("E003", 3, 5, "len: expected 1 argument, got 2"),
        ("E004", 4, 5, "sorted: unexpected keyword argument 'kee'"),
        ("E003", 5, 5, "mth.sqrt: expected 1 argument, got 2"),
        ("E003", 6, 5, "mth.sqrt: missing argument 'x' (expected 1 argument, got 0)"),
    ]
    [d] = chk.check_source("out sorted([1], kee=1)\n", "t.ax", {})
    assert d.help == "did you mean 'key'?"


def test_an_export_taking_any_keyword_takes_any_keyword():
    src = 'import log, mth\nlog.info("saved", user="ada", rows=3)\nout mth.floor(2.5, places=1)\n'
    assert diags(src) == [("E004", 3, 5, "mth.floor: unexpected keyword argument 'places'")]


def test_calls_of_names_bound_more_than_once_or_to_values_are_not_checked():
    src = """fn f(a) { a }
f = fn(a, b) { a + b }
out f(1, 2)
let len = |a, b| a + b
out len(1, 2)
fn run(g) { g(1, 2, 3) }
out run(|a, b, c| a)
"""
    assert diags(src) == []


# --- E005 / E006 modules -----------------------------------------------------------------------

def test_importing_a_module_that_is_not_installed():
    [d] = chk.check_source("import mht\nout mht.x\n", "t.ax", {})
    assert (d.code, d.col, d.message) == ("E005", 8, "no module named 'mht'")
    assert d.help == "install it with: axiom pkg install mht (or did you mean mth?)"


def test_a_failing_import_inside_try_is_expected():
    assert diags("try { import nope } catch e { out e.kind }\n") == []


def test_members_a_module_does_not_export():
    src = "import mth\nfrom mth import sqr, PI\nout mth.sqr(2) + mth.PI + PI + sqr(2)\nout mth.floor(1.5)\n"
    assert diags(src) == [("E006", 2, 17, "module 'mth' has no member 'sqr'"),
                          ("E006", 3, 9, "module 'mth' has no member 'sqr'")]


def test_file_modules_are_parsed_for_their_exports(tmp_path):
    (tmp_path / "geo.ax").write_text("let _hidden = 1\nfn area(r) { r * r }\nlet PI = 3\n")
    main = tmp_path / "main.ax"
    main.write_text("import geo\nout geo.area(2) + geo.PI\nout geo.aera(1)\nout geo._hidden\nout geo.area()\n")
    found = [(d.code, d.line, d.message) for d in chk.check_file(str(main), {})]
    assert found == [("E006", 3, "module 'geo' has no member 'aera'"),
                     ("E006", 4, "module 'geo' has no member '_hidden'"),
                     ("E003", 5, "area() missing argument 'r' (takes 1 argument, 0 given)")]


def test_module_exports_read_from_source_match_the_sdks_records():
    """For every installed module, what chk reads without importing it is exactly what
    `Module.export` and `Module.constant` recorded when the module was imported."""
    from axiom.loader import Index, load_entry
    from axiom_sdk import Module
    from axiom_sdk._module import EMPTY, Constant
    for name, entry in sorted(Index.load().modules.items()):
        info = exports.module_exports(name, entry["value"])
        assert info is not None and info.complete, name
        mod = load_entry(name, entry)
        assert isinstance(mod, Module)
        assert sorted(info.exports) == sorted(mod.list_exports()), name
        for sym, sig in info.exports.items():
            real = mod._symbols[sym]
            if isinstance(real, Constant):
                assert sig is None, (name, sym)
                continue
            assert sig is not None, (name, sym)
            assert sig.params == [(p.name, p.default is not EMPTY) for p in real.positional], (name, sym)
            assert sig.varargs == (real.varargs is not None), (name, sym)
            assert sig.kwonly == [(k, p.default is not EMPTY) for k, p in real.keyword.items()
                                  if p not in real.positional], (name, sym)
            assert sig.varkw == (real.varkw is not None), (name, sym)


_THIRD_PARTY = '''
import pathlib
pathlib.Path(__file__).with_name("IMPORTED").write_text("module code ran")
from axiom_sdk import Module
module = Module("{name}")
module.constant("ANSWER", 42)

@module.export
def greet(who: str, *, loud: bool = False) -> str:
    """Greet."""
    return who

@module.export(name="list")
def list_(*items: int) -> list:
    """Items."""
    return list(items)
{extra}
'''


def test_a_third_party_modules_exports_are_read_without_running_it(tmp_path):
    site = tmp_path / "site"
    make_dist(site, "axiom-hello", "1.0", "hello", "axiom_hello",
              _THIRD_PARTY.format(name="hello", extra=""))
    make_dist(site, "axiom-dyn", "1.0", "dyn", "axiom_dyn", _THIRD_PARTY.format(
        name="dyn", extra="for n in ['a', 'b']:\n    module.export(name=n)(greet)\n"))
    script = tmp_path / "s.ax"
    script.write_text("import hello, dyn\nout hello.greet(\"x\", loud=true) + hello.ANSWER\n"
                      "out hello.list(1, 2, 3)\nout hello.greet()\nout hello.gret(1)\n"
                      "out hello.greet(\"x\", quiet=true)\nout dyn.a(1) + dyn.anything(1, 2)\n")
    p = run_axiom(["chk", str(script)], site=site, home=tmp_path / "home")
    assert p.returncode == 1, p.stderr
    found = [line for line in p.stdout.splitlines() if "error[" in line or "warning[" in line]
    assert found == [
        f"{script}:4:5: error[E003]: hello.greet: missing argument 'who' (expected 1 argument, got 0)",
        f"{script}:5:11: error[E006]: module 'hello' has no member 'gret'",
        f"{script}:6:5: error[E004]: hello.greet: unexpected keyword argument 'quiet'",
    ]
    assert not (site / "axiom_hello" / "IMPORTED").exists()
    assert not (site / "axiom_dyn" / "IMPORTED").exists()


# --- E007 / E008 ---------------------------------------------------------------------------------

def test_break_and_continue_outside_a_loop():
    src = "break\nwhile true { break }\nfor i in [1] { [1].map(|x| { continue }) }\nfn f() { continue }\n"
    assert diags(src) == [("E007", 1, 1, "'break' outside a loop"),
                          ("E007", 3, 30, "'continue' outside a loop"),
                          ("E007", 4, 10, "'continue' outside a loop")]


def test_return_outside_a_function():
    assert diags("return 1\nfn f() { return 2 }\nout f()\nif true { return }\n") == [
        ("E008", 1, 1, "'return' outside a function"), ("E008", 4, 11, "'return' outside a function")]


# --- E009 / E010 fixed allocations ---------------------------------------------------------------

def test_typed_and_fixed_size_lets_with_literals():
    src = """let a(int) = "x"
let b(f64) = 1
let c(4) = "abcde"
let d(2) = [1, 2, 3]
let e(3) = [0; 4]
let f(8) = 5
let g(bool) = true
g = 1
let h(any) = nil
let k(str) = @"{h}"
let m(i64) = -3
out [a, b, c, d, e, f, g, h, k, m]
"""
    assert diags(src) == [
        ("E009", 1, 14, "'a' is declared int: cannot store str"),
        ("E010", 3, 12, "'c' holds at most 4 bytes; this str has 5"),
        ("E010", 4, 12, "'d' holds at most 2 items; this list has 3"),
        ("E010", 5, 12, "'e' holds at most 3 items; this list has 4"),
        ("E009", 6, 12, "'f' has a capacity, so it holds a str or a list, not int"),
        ("E009", 8, 5, "'g' is declared bool: cannot store int"),
    ]


def test_values_not_known_statically_are_not_reported():
    assert diags("fn v() { 1 }\nlet a(str) = v()\nlet b(2) = [1] + [2]\nout [a, b]\n") == []


# --- warnings ---------------------------------------------------------------------------------------

def test_unreachable_code_after_leaving_statements():
    src = """fn f(x) {
    return x
    out "never"
    out "also never"
}
fn g() {
    throw "e"
    fn hoisted() { 1 }
}
for i in [1] { continue; out i }
out f(1)
out g
"""
    assert diags(src) == [("W001", 3, 5, "unreachable code"), ("W001", 10, 26, "unreachable code")]


def test_unused_locals_but_never_params_loop_catch_self_top_level_or_underscore():
    src = """let top = 1
fn f(param, other) {
    let used = 1
    let unused = 2
    let _ignored = 3
    let (a, b) = [1, 2]
    for i in [1] { }
    try { throw "x" } catch e { }
    usd = used + a
    used
}
class C { fn m(self) { 1 } }
out f(1, 2)
"""
    found = chk.check_source(src, "t.ax", {})
    assert [(d.code, d.line, d.message) for d in found] == [
        ("W002", 4, "unused variable 'unused'"), ("W002", 9, "unused variable 'usd'")]
    assert found[1].help.startswith("did you mean 'used'?")


def test_variables_used_in_closures_loops_and_catch_blocks_are_used():
    src = """fn counter() {
    let n = 0
    || { n += 1; n }
}
fn loop_lets(xs) {
    for x in xs {
        let sq = x * x
        out sq
    }
    let msg = "failed"
    try { throw "e" } catch e { out msg }
    let label = "n"
    out @"{label}"
}
out counter()()
loop_lets([1])
"""
    assert diags(src) == []


def test_unused_imports_and_imports_used_only_in_an_interpolation():
    src = "import mth\nimport jsn\nimport str as text\nfrom mth import floor, ceil\nout @\"{mth.PI} {floor(1.5)}\"\n"
    assert diags(src) == [("W003", 2, 8, "unused import 'jsn'"), ("W003", 3, 8, "unused import 'text'"),
                          ("W003", 4, 24, "unused import 'ceil'")]


def test_each_code_in_the_docs_has_a_wrong_example_that_draws_it_and_a_right_one_that_does_not():
    text = (Path(__file__).resolve().parents[2] / "docs" / "chk.md").read_text()
    documented = []
    for section in re.split(r"^## ", text, flags=re.M):
        m = re.match(r"([EW]\d{3}) ", section)
        if not m:
            continue
        code = m.group(1)
        documented.append(code)
        wrong = re.search(r"Wrong:\n\n```axiom\n(.*?)```", section, re.S).group(1)
        right = re.search(r"Right:\n\n```axiom\n(.*?)```", section, re.S).group(1)
        assert codes(wrong) == [code], code
        assert codes(right) == [], code
    assert documented == sorted(chk.CODES)


def test_the_sample_report_in_the_docs_is_what_chk_prints(tmp_path):
    text = (Path(__file__).resolve().parents[2] / "docs" / "chk.md").read_text()
    m = re.search(r"\$ cat report.ax\n(.*?)\$ axiom chk report.ax\n(.*?)```", text, re.S)
    (tmp_path / "report.ax").write_text(m.group(1))
    p = run_axiom(["chk", "report.ax"], home=tmp_path / "home", cwd=tmp_path)
    assert p.stdout == m.group(2)


def test_the_repositorys_examples_are_clean():
    root = Path(__file__).resolve().parents[2]
    for f in sorted((root / "examples").glob("*.ax")):
        assert chk.check_file(str(f), dict(conf.DEFAULTS)) == [], f


# --- the command ------------------------------------------------------------------------------------

BROKEN = """import mht
let total = 10
out totl + 1
fn f(a) {
    return a
    out a
}
"""


def test_text_output_exit_status_and_summary(tmp_path):
    (tmp_path / "b.ax").write_text(BROKEN)
    p = run_axiom(["chk", "b.ax"], home=tmp_path / "home", cwd=tmp_path)
    assert p.returncode == 1
    assert p.stdout == """b.ax:1:8: error[E005]: no module named 'mht'
   |
 1 | import mht
   |        ^^^
   = help: install it with: axiom pkg install mht (or did you mean mth?)
b.ax:1:8: warning[W003]: unused import 'mht'
   |
 1 | import mht
   |        ^^^
   = help: remove the import
b.ax:3:5: error[E002]: undefined name 'totl'
   |
 3 | out totl + 1
   |     ^^^^
   = help: did you mean 'total'?
b.ax:6:5: warning[W001]: unreachable code
   |
 6 |     out a
   |     ^^^^^
   = help: the 'return' on line 5 always leaves before this runs
checked 1 file: 2 errors, 2 warnings
"""
    assert "\x1b[" not in p.stdout


def test_warnings_only_exit_0_and_a_folder_is_checked_recursively(tmp_path):
    (tmp_path / "src" / "deep").mkdir(parents=True)
    (tmp_path / "src" / "ok.ax").write_text("out 1\n")
    (tmp_path / "src" / "deep" / "warn.ax").write_text("import mth\n")
    (tmp_path / "src" / "notes.txt").write_text("not axiom")
    p = run_axiom(["chk", "src"], home=tmp_path / "home", cwd=tmp_path)
    assert p.returncode == 0
    assert p.stdout.splitlines()[0] == "src/deep/warn.ax:1:8: warning[W003]: unused import 'mth'"
    assert p.stdout.splitlines()[-1] == "checked 2 files: 1 warning"
    p = run_axiom(["chk", "src/ok.ax"], home=tmp_path / "home", cwd=tmp_path)
    assert (p.returncode, p.stdout) == (0, "checked 1 file: no problems\n")


def test_json_output(tmp_path):
    (tmp_path / "b.ax").write_text(BROKEN)
    p = run_axiom(["chk", "--format", "json", "b.ax"], home=tmp_path / "home", cwd=tmp_path)
    assert p.returncode == 1
    data = json.loads(p.stdout)
    assert data[2] == {"file": "b.ax", "line": 3, "col": 5, "end_col": 9, "severity": "error",
                       "code": "E002", "message": "undefined name 'totl'", "help": "did you mean 'total'?"}
    assert [(d["code"], d["severity"]) for d in data] == [
        ("E005", "error"), ("W003", "warning"), ("E002", "error"), ("W001", "warning")]
    (tmp_path / "ok.ax").write_text("out 1\n")
    p = run_axiom(["chk", "ok.ax", "--format=json"], home=tmp_path / "home", cwd=tmp_path)
    assert (p.returncode, json.loads(p.stdout)) == (0, [])


def test_usage_errors_exit_2(tmp_path):
    p = run_axiom(["chk", "missing.ax"], home=tmp_path / "home", cwd=tmp_path)
    assert (p.returncode, p.stderr) == (2, "axiom chk: no such file or directory: missing.ax\n")
    (tmp_path / "ok.ax").write_text("out 1\n")
    p = run_axiom(["chk", "--format", "xml", "ok.ax"], home=tmp_path / "home", cwd=tmp_path)
    assert p.returncode == 2 and "Invalid value for '--format'" in p.stderr
    assert run_axiom(["chk"], home=tmp_path / "home", cwd=tmp_path).returncode == 2


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_colour_on_a_terminal_and_never_under_no_color(tmp_path):
    import pty
    import subprocess
    (tmp_path / "b.ax").write_text("out nope\n")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    env.update(AXIOM_HOME=str(tmp_path / "home"), TERM="xterm")

    def on_tty(extra: dict[str, str]) -> str:
        master, slave = pty.openpty()
        proc = subprocess.Popen([sys.executable, "-m", "axiom.cli", "chk", "b.ax"], cwd=tmp_path,
                                stdout=slave, stderr=subprocess.DEVNULL, env={**env, **extra})
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        proc.wait(timeout=60)
        os.close(master)
        return b"".join(chunks).decode()

    coloured = on_tty({})
    assert "\x1b[1;31merror[E002]\x1b[0m" in coloured
    assert "\x1b[" not in on_tty({"NO_COLOR": "1"})
