"""Issue 14, "first contact": each rough edge a new user hit in the first hour, driven the
way they drove it: the `axiom` command in a subprocess, the REPL through a real
pseudo-terminal. The numbers are the issue's items."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

from support.dists import run_axiom  # noqa: E402
from support.terminal import Terminal  # noqa: E402

BROKEN = 'jit = "host"\nmax_call_depth 50\nmodule_paths = ["lib"]\n'
TOML_PROBLEM = "expected '=' after a key in a key/value pair"
DEEP = "fn f(n) { if n == 0 then 0 else 1 + f(n - 1) }\nout f(200)\n"


def _home(tmp_path: Path, config: str | None = None) -> Path:
    home = tmp_path / "home"
    home.mkdir(parents=True, exist_ok=True)
    if config is not None:
        (home / "config.toml").write_text(config)
    return home


# -- 1. a malformed config.toml -----------------------------------------------------------

@pytest.mark.parametrize("command", [["conf", "show"], ["conf", "get", "jit"], ["build", "x.ax"],
                                     ["dis", "x.ax"], ["repl"], []])
def test_1_every_command_reports_a_broken_config_with_its_line(tmp_path, command):
    home = _home(tmp_path, BROKEN)
    (tmp_path / "x.ax").write_text("out 1\n")
    p = run_axiom(command, home=home, cwd=tmp_path, input="1 + 1\n")
    assert (p.returncode, p.stdout) == (2, "")
    assert p.stderr == f"axiom: {home / 'config.toml'}:2: {TOML_PROBLEM}\n"


def test_1_run_goes_on_with_the_defaults_after_one_line(tmp_path):
    home = _home(tmp_path, BROKEN)
    (tmp_path / "deep.ax").write_text(DEEP)
    p = run_axiom(["run", "deep.ax"], home=home, cwd=tmp_path)
    assert (p.returncode, p.stdout) == (0, "200\n")
    assert p.stderr == (f"axiom: warning: {home / 'config.toml'}:2: {TOML_PROBLEM}; "
                        "running with the default settings\n")


def test_1_conf_set_says_what_was_wrong_and_rewrites_the_file(tmp_path):
    home = _home(tmp_path, BROKEN)
    cfg = home / "config.toml"
    p = run_axiom(["conf", "set", "max_call_depth", "7"], home=home)
    assert p.returncode == 0, p.stderr
    assert p.stderr == (f"axiom: {cfg}:2: {TOML_PROBLEM}\n"
                        f"axiom: rewrote {cfg} with the settings that could be read and the new "
                        f"max_call_depth; the old file is kept as {cfg}.bak\n")
    assert (home / "config.toml.bak").read_text() == BROKEN  # nothing the user wrote is lost
    shown = run_axiom(["conf", "show"], home=home)
    assert shown.returncode == 0, shown.stderr
    settings = [line for line in shown.stdout.splitlines() if line and not line.startswith("#")]
    assert 'jit = "host"' in settings and "max_call_depth = 7" in settings  # the good lines kept
    assert 'module_paths = ["lib"]' in settings


def test_1_the_run_warning_says_what_happens_next(tmp_path, monkeypatch):
    from axiom import conf
    home = _home(tmp_path, 'max_depth = 5\njit = "fast"\ngc_enabled = "no"\n')
    monkeypatch.setenv("AXIOM_HOME", str(home))
    settings, problems = conf.load_lenient()
    assert conf.warning(problems) == (
        f"axiom: warning: {home / 'config.toml'}:1: unknown setting 'max_depth' (did you mean "
        "'max_call_depth'?); ignoring it (and 2 more problems)")
    assert conf.warning(problems[1:]) == (
        f'axiom: warning: {home / "config.toml"}:2: jit takes off, host or native, not "fast"; '
        "running with the default jit (and 1 more problem)")
    assert settings == conf.DEFAULTS


# -- 2. values are checked when loaded --------------------------------------------------------

def test_2_a_value_of_the_wrong_type_is_reported_like_conf_set_reports_it(tmp_path):
    home = _home(tmp_path, 'jit = "off"\nmax_call_depth = "lots"\n')
    cfg = home / "config.toml"
    shown = run_axiom(["conf", "show"], home=home)
    assert (shown.returncode, shown.stderr) == (
        2, f'axiom: {cfg}:2: max_call_depth takes an integer, not "lots"\n')
    typed = run_axiom(["conf", "set", "max_call_depth", "lots"], home=_home(tmp_path / "other"))
    assert (typed.returncode, typed.stderr) == (1, 'axiom: max_call_depth takes an integer, not "lots"\n')
    (tmp_path / "deep.ax").write_text(DEEP)
    run = run_axiom(["run", "deep.ax"], home=home, cwd=tmp_path)
    assert (run.returncode, run.stdout) == (0, "200\n")  # not an internal error at line 1
    assert run.stderr == (f'axiom: warning: {cfg}:2: max_call_depth takes an integer, not "lots"; '
                          "running with the default max_call_depth\n")


@pytest.mark.parametrize(("line", "message"), [
    ("max_call_depth = 0", "max_call_depth must be at least 1, not 0"),
    ("jit_threshold = -3", "jit_threshold must be at least 0, not -3"),
    ("gc_enabled = 1", "gc_enabled takes true or false, not 1"),
    ('jit = "fast"', 'jit takes off, host or native, not "fast"'),
    ('module_paths = "lib"', 'module_paths takes a list of folder names such as ["lib", "~/ax"], not "lib"'),
    ("max_call_depth = true", "max_call_depth takes an integer, not true"),
    ("max_depth = 5", "unknown setting 'max_depth' (did you mean 'max_call_depth'?)"),
])
def test_2_every_key_is_checked_for_type_and_range(tmp_path, monkeypatch, line, message):
    from axiom import conf
    home = _home(tmp_path, f"# settings\n\n{line}\n")
    monkeypatch.setenv("AXIOM_HOME", str(home))
    with pytest.raises(conf.ConfigError) as caught:
        conf.load()
    assert str(caught.value) == f"{home / 'config.toml'}:3: {message}"
    settings, problems = conf.load_lenient()
    assert [p.message for p in problems] == [message] and settings == conf.DEFAULTS


# -- 3. conf set: negative numbers and lists --------------------------------------------------

def test_3_conf_set_takes_negative_numbers_and_lists(tmp_path):
    home = _home(tmp_path)
    negative = run_axiom(["conf", "set", "max_call_depth", "-5"], home=home)
    assert (negative.returncode, negative.stderr) == (1, "axiom: max_call_depth must be at least 1, not -5\n")
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "helper.ax").write_text('let greeting = "hi from lib"\n')
    assert run_axiom(["conf", "set", "module_paths", f'["{tmp_path / "none"}", "{lib}"]'], home=home).returncode == 0
    got = run_axiom(["conf", "get", "module_paths"], home=home)
    assert got.stdout == f'["{tmp_path / "none"}", "{lib}"]\n'
    (tmp_path / "use.ax").write_text("import helper\nout helper.greeting\n")
    run = run_axiom(["run", str(tmp_path / "use.ax")], home=home, cwd=tmp_path)
    assert (run.returncode, run.stdout) == (0, "hi from lib\n"), run.stderr
    assert run_axiom(["conf", "set", "module_paths", "a", "b"], home=home).returncode == 0
    assert run_axiom(["conf", "get", "module_paths"], home=home).stdout == '["a", "b"]\n'
    bad = run_axiom(["conf", "set", "module_paths", "[1, 2]"], home=home)
    assert (bad.returncode, bad.stderr) == (
        1, 'axiom: module_paths takes a list of folder names such as ["lib", "~/ax"], not [1, 2]\n')
    two = run_axiom(["conf", "set", "jit", "host", "off"], home=home)
    assert (two.returncode, two.stderr) == (1, "axiom: jit takes one value, not 2\n")


# -- 4 and 12. the REPL at a terminal ---------------------------------------------------------

def _repl(tmp_path: Path) -> Terminal:
    env = dict(os.environ, AXIOM_HOME=str(_home(tmp_path)), TERM="xterm", NO_COLOR="1")
    env.pop("PROMPT_TOOLKIT_NO_CPR", None)
    return Terminal([sys.executable, "-m", "axiom.cli", "repl"], env, cwd=str(tmp_path))


def test_4_ctrl_c_interrupts_running_code_and_keeps_every_binding(tmp_path):
    term = _repl(tmp_path)
    try:
        term.prompt()
        term.send("let x = 41\r")
        term.prompt()
        term.send("let n = 0\r")
        term.prompt()
        term.send('while true { n += 1; if n == 1000 { out "looping" } }\r')
        term.expect("looping\n")  # the loop is well under way (a loaded machine is slow)
        term.send("\x03")  # Ctrl-C while the loop runs
        term.expect("Interrupted\n")
        term.prompt()
        term.send("x + 1\r")
        assert term.expect("42\n").endswith("x + 1\n")
        term.prompt()
        term.send("n > 0\r")
        term.expect("true\n")
        term.prompt()
        term.send("fn half(a) {\r")  # a Ctrl-C at the prompt drops what was typed
        term.expect("...")
        term.send("\x03")
        term.prompt()
        term.send("abc\x03")
        term.prompt()
        term.send("x\r")
        term.expect("41\n")
        term.prompt()
        term.send("\x04")  # Ctrl-D leaves
        assert term.wait() == 0
        assert "Error" not in term.text() and "Traceback" not in term.text()
    finally:
        term.kill()


def test_12_results_in_literal_form_hints_and_else_on_the_next_line(tmp_path):
    term = _repl(tmp_path)
    try:
        term.prompt()
        term.send('"hi"\r')
        term.expect('"hi"\n')
        term.prompt()
        term.send('out "hi"\r')
        assert term.expect("hi\n").endswith('out "hi"\n')
        term.prompt()
        term.send('["a\\"b", 1.5, nil, {"k": true}]\r')
        term.expect('["a\\"b", 1.5, nil, {"k": true}]\n')
        term.prompt()
        term.send("exit\r")
        term.expect("Use :quit or Ctrl-D to leave.\n")
        term.prompt()
        term.send("help\r")
        term.expect("Type :help for help.\n")
        term.prompt()
        term.send(':help\r')
        term.expect("  :quit  :q     leave (also Ctrl-D)\n")
        term.prompt()
        term.send('let n = 3\r')
        term.prompt()
        term.send('if n > 5 { "big" }\r')
        term.expect("...")
        term.send('else { "small" }\r')
        term.expect('"small"\n')
        term.prompt()
        term.send('if n > 1 { out "ran" }\r')
        term.expect("...")
        term.send("\r")  # an empty line: no else is coming
        term.expect("ran\n")
        term.prompt()
        term.send(":quit\r")
        assert term.wait() == 0
    finally:
        term.kill()


# -- 5. scripts without .ax, and from standard input -------------------------------------------

def test_5_an_executable_script_with_a_shebang_runs_without_ax(tmp_path):
    tool = tmp_path / "tool"
    tool.write_text('#!/usr/bin/env axiom\nout @"tool {ARGS}"\n')
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    env = dict(os.environ, AXIOM_HOME=str(_home(tmp_path)),
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    p = subprocess.run(["./tool", "a", "b"], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=120)
    assert (p.returncode, p.stdout, p.stderr) == (0, 'tool ["a", "b"]\n', "")
    direct = run_axiom(["tool", "c"], home=_home(tmp_path), cwd=tmp_path)
    assert direct.stdout == 'tool ["c"]\n'
    (tmp_path / "build").write_text("out 1\n")  # a command's name stays the command
    assert "Usage: axiom build" in run_axiom(["build"], home=_home(tmp_path), cwd=tmp_path).stderr


def test_5_run_dash_reads_the_script_from_stdin(tmp_path):
    p = run_axiom(["run", "-", "x"], home=_home(tmp_path), input='out "from stdin"\nout ARGS\n')
    assert (p.returncode, p.stdout, p.stderr) == (0, 'from stdin\n["x"]\n', "")
    bad = run_axiom(["run", "-"], home=_home(tmp_path), input="out (1 +\n")
    assert bad.returncode == 2 and bad.stderr.startswith("Error: SyntaxError: ")
    assert "--> <stdin>:" in bad.stderr


# -- 6, 7, 8, 9. the language at the command line ---------------------------------------------

def _run(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "t.ax"
    script.write_bytes(source.encode())
    return run_axiom(["run", "t.ax"], home=_home(tmp_path), cwd=tmp_path)


def test_6_syntax_errors_get_hints(tmp_path):
    p = _run(tmp_path, "let x = 5\nif x = 5 { out x }\n")
    assert (p.returncode, p.stdout) == (2, "")
    assert p.stderr == ("Error: SyntaxError: unexpected '='; expected 'then', '{' or an operator\n"
                        "  --> t.ax:2:6\n"
                        "   |\n"
                        " 2 | if x = 5 { out x }\n"
                        "   |      ^\n"
                        "   = help: did you mean '=='? ('=' assigns, '==' compares)\n")
    p = _run(tmp_path, "fn f(xs) {\n    for x in xs {\n        if x > 1 {\n            out x\n    }\n}\nf([1, 2])\n")
    assert p.stderr == ("Error: SyntaxError: '{' is never closed (line 3, column 18)\n"
                        "  --> t.ax:3:18\n"
                        "   |\n"
                        " 3 |         if x > 1 {\n"
                        "   |                  ^\n"
                        "   = help: the '}' on line 5 is indented less than this line, so it likely "
                        "closes an outer block; add this block's '}' before it\n")
    p = _run(tmp_path, 'def f(x):\n    return x\n')
    assert "= help: Axiom declares functions with 'fn': fn name(a, b) { ... }, not 'def'" in p.stderr
    p = _run(tmp_path, 'out "a" "b"\n')
    assert p.stderr.startswith('Error: SyntaxError: unexpected string "b"; expected end of line or an operator\n')


def test_6_near_misses_in_scope_and_for_methods(tmp_path):
    p = _run(tmp_path, "let counter = 1\nlet xs = [1]\ntry { xs.psuh(2) } catch e { out e.message }\nout countr\n")
    assert (p.returncode, p.stdout) == (1, "list has no attribute 'psuh' (did you mean 'push'?)\n")
    assert p.stderr.startswith("Error: UndefinedVariable: undefined variable 'countr' (did you mean 'counter'?)\n")
    p = _run(tmp_path, 'let v = null\n')
    assert "   = help: Axiom's missing value is nil\n" in p.stderr


def test_7_raw_strings_bad_escapes_and_a_byte_order_mark(tmp_path):
    p = _run(tmp_path, '\ufeffout r"\\d+\\s"\nout r\'C:\\dir\'\nout r"""a\\n\nb"""\n')
    assert (p.returncode, p.stdout, p.stderr) == (0, "\\d+\\s\nC:\\dir\na\\n\nb\n", "")
    p = _run(tmp_path, 'let digits = "\\d+"\n')
    assert p.returncode == 2
    assert p.stderr == ("Error: SyntaxError: invalid escape sequence \\d\n"
                        "  --> t.ax:1:15\n"
                        "   |\n"
                        ' 1 | let digits = "\\d+"\n'
                        "   |               ^^\n"
                        "   = help: write \\\\d for a backslash followed by 'd', or use a raw string "
                        'r"...", which keeps every backslash\n')


def test_8_try_catch_is_an_expression(tmp_path):
    p = _run(tmp_path, 'let s = "12x"\nlet n = try { int(s) } catch e { 0 }\nout n\n'
                       'out try { int("7") } catch e { -1 }\n')
    assert (p.returncode, p.stdout, p.stderr) == (0, "0\n7\n", "")


def test_9_ranges_have_the_non_mutating_list_methods(tmp_path):
    p = _run(tmp_path, "out (0..4).map(|x| x * x)\nout (1..=4).filter(|x| x % 2 == 0)\n"
                       "out (1..=4).reduce(|a, b| a + b)\nout (0..3).join(\",\")\n")
    assert (p.returncode, p.stdout, p.stderr) == (0, "[0, 1, 4, 9]\n[2, 4]\n10\n0,1,2\n", "")


# -- 10. help, options and mod info -------------------------------------------------------------

def test_10_help_shows_readable_placeholders_and_run_help_matches(tmp_path):
    home = _home(tmp_path)
    texts = {" ".join(c): run_axiom(c, home=home).stdout for c in (
        ["--help"], ["pkg", "install", "--help"], ["conf", "set", "--help"], ["mod", "list", "--help"])}
    for command, text in texts.items():
        assert "<bool>" not in text and "<list[str]>" not in text and "{" not in text, command
    assert "Usage: axiom pkg install [OPTIONS] SPEC..." in texts["pkg install --help"]
    assert "Usage: axiom conf set [OPTIONS] KEY VALUE..." in texts["conf set --help"]
    run_help = run_axiom(["run", "--help"], home=home)
    assert run_help.returncode == 0
    assert "Usage: axiom run [OPTIONS] FILE [ARGS...]" in run_help.stdout
    assert "╭─ Options ─" in run_help.stdout and "╭─ Options ─" in texts["mod list --help"]
    assert any(line.startswith("│ --jit ") and "off|host|native" in line for line in run_help.stdout.splitlines())


def test_10_a_misspelt_option_names_its_near_miss(tmp_path):
    p = run_axiom(["run", "--sandbx", "x.ax"], home=_home(tmp_path))
    assert (p.returncode, p.stdout) == (2, "")
    assert p.stderr == ("axiom run: unknown option '--sandbx' (did you mean '--sandbox'?)\n"
                        "Usage: axiom run [OPTIONS] FILE [--] [ARGS...]\n"
                        "Try 'axiom run --help' for help.\n")


def test_10_mod_info_of_one_export(tmp_path):
    p = run_axiom(["mod", "info", "web.http_get"], home=_home(tmp_path), env={"COLUMNS": "80"})
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[:2] == ["web.http_get(url: str, headers: dict={}, timeout: float=30, max_bytes:",
                         "    int=100000000) -> response"]  # wrapped to the terminal's width
    assert "Capabilities: net" in lines and "Returns a response:" in lines
    assert "  response.status" in lines and "pkg install" not in p.stdout + p.stderr
    missing = run_axiom(["mod", "info", "web.http_gett"], home=_home(tmp_path))
    assert (missing.returncode, missing.stderr) == (
        1, "axiom: SymbolNotFound: module 'web' has no export or type 'http_gett' "
           "(did you mean http_get, http_get_all, http_post?)\n")


@pytest.mark.parametrize(("module", "member"), [("con", "    task.join(timeout: float=nil)"),
                                                ("web", "    response.status")])
def test_10_mod_info_fits_the_terminal_and_lists_the_types_members(tmp_path, module, member):
    p = run_axiom(["mod", "info", module], home=_home(tmp_path), env={"COLUMNS": "60"})
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert max(len(line) for line in lines) <= 60
    assert any(line.startswith(member) for line in lines)
    words = " ".join(p.stdout.split())  # wrapped at word boundaries: no word was cut
    assert "Receive the next value, waiting for one (IOError on timeout or a closed, empty channel)." in words \
        or module != "con"


# -- 11. new module ----------------------------------------------------------------------------

def test_11_new_module_says_how_to_install_into_this_axiom(tmp_path):
    p = run_axiom(["new", "module", "matrix_lib"], home=_home(tmp_path), cwd=tmp_path)
    assert (p.returncode, p.stdout) == (0, "Created ./axiom-matrix-lib/\n"
                                           "Install it into this Axiom with: axiom pkg install ./axiom-matrix-lib\n"
                                           "then see it with:                axiom mod info matrix_lib\n")
    assert "pip install -e" not in (tmp_path / "axiom-matrix-lib" / "README.md").read_text()
