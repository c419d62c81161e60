"""The `axiom` command: version, mod info, conf, pkg, new, build, dis and exit codes."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

from support.dists import run_axiom  # noqa: E402


def test_version(tmp_path):
    p = run_axiom(["--version"], home=tmp_path)
    assert (p.returncode, p.stdout) == (0, "axiom 0.1.0\n")


def test_help_is_fast_and_lists_the_command_groups(tmp_path):
    start = time.perf_counter()
    p = run_axiom(["--help"], home=tmp_path)
    elapsed = time.perf_counter() - start
    assert p.returncode == 0
    for group in ("mod", "pkg", "conf", "new", "run", "build", "dis", "chk", "fmt"):
        assert group in p.stdout
    assert elapsed < 5  # the real budget (well under 0.5 s) is measured in benchmarks


def test_mod_info_lists_exports_with_signatures(tmp_path):
    p = run_axiom(["mod", "info", "mth"], home=tmp_path)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0] == "Module: mth (Math)"
    assert lines[1] == "Version: 0.1.0 (distribution axiom-mth)"
    assert "Capabilities: none" in lines
    sqrt = next(i for i, line in enumerate(lines) if line.startswith("  sqrt(x: float) -> float"))
    assert "Square root of x; x must not be negative." in lines[sqrt] + lines[sqrt + 1]
    assert any(line.strip().startswith("round(x: number, digits: int=0) -> number") for line in lines)
    assert any(line.startswith("  PI = 3.141592653589793  ")
               and line.endswith("The ratio of a circle's circumference to its diameter.") for line in lines)


def test_mod_info_unknown_module_fails_with_install_hint(tmp_path):
    p = run_axiom(["mod", "info", "mht"], home=tmp_path)
    assert p.returncode == 1
    assert p.stderr.startswith("axiom: ModuleNotFound: no module named 'mht'; install it with: axiom pkg install mht; did you mean mth")


def test_conf_show_get_set_path(tmp_path):
    home = tmp_path / "h"
    assert run_axiom(["conf", "path"], home=home).stdout == f"{home / 'config.toml'}\n"
    assert run_axiom(["conf", "get", "max_call_depth"], home=home).stdout == "1000000\n"
    assert run_axiom(["conf", "set", "max_call_depth", "5000"], home=home).returncode == 0
    assert run_axiom(["conf", "get", "max_call_depth"], home=home).stdout == "5000\n"
    assert "max_call_depth = 5000" in run_axiom(["conf", "show"], home=home).stdout
    bad = run_axiom(["conf", "set", "max_call_dept", "1"], home=home)
    assert bad.returncode == 1 and "unknown setting 'max_call_dept' (did you mean 'max_call_depth'?)" in bad.stderr
    bad = run_axiom(["conf", "set", "bytecode_cache", "maybe"], home=home)
    assert bad.returncode == 1 and "bytecode_cache takes true or false" in bad.stderr


def test_config_setting_changes_a_run(tmp_path):
    home = tmp_path / "h"
    run_axiom(["conf", "set", "max_call_depth", "50"], home=home)
    script = tmp_path / "deep.ax"
    script.write_text("fn f(n) { if n == 0 then 0 else 1 + f(n - 1) }\nout f(100)\n")
    p = run_axiom(["run", str(script)], home=home)
    assert p.returncode == 1 and "StackOverflow: call depth exceeded 50" in p.stderr


def test_pkg_requirement_mapping():
    from axiom.cli.pkg_cmd import requirement
    assert requirement("matrix-lib/0.2.0") == "axiom-matrix-lib==0.2.0"
    assert requirement("dfm") == "axiom-dfm"
    assert requirement("axiom-dfm") == "axiom-dfm"


def test_usage_errors_exit_2(tmp_path):
    assert run_axiom(["run"], home=tmp_path).returncode == 2
    assert run_axiom(["run", "--bogus", "x.ax"], home=tmp_path).returncode == 2
    assert run_axiom(["run", str(tmp_path / "missing.ax")], home=tmp_path).returncode == 2
    assert run_axiom(["nosuchcommand"], home=tmp_path).returncode == 2


def test_script_args_go_to_ARGS(tmp_path):
    script = tmp_path / "a.ax"
    script.write_text("out ARGS\n")
    assert run_axiom(["run", str(script), "a", "b"], home=tmp_path).stdout == '["a", "b"]\n'
    assert run_axiom(["run", str(script), "--", "a", "--x"], home=tmp_path).stdout == '["a", "--x"]\n'
    assert run_axiom([str(script), "z"], home=tmp_path).stdout == '["z"]\n'


def test_syntax_error_exits_2_before_running_anything(tmp_path):
    script = tmp_path / "bad.ax"
    script.write_text('out "first"\nlet x = (1 +\n')
    p = run_axiom(["run", str(script)], home=tmp_path)
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.startswith("Error: SyntaxError: ")


def test_build_and_run_axc_and_dis(tmp_path):
    script = tmp_path / "prog.ax"
    script.write_text('fn sq(x) { x * x }\nout sq(7)\n')
    p = run_axiom(["build", str(script)], home=tmp_path)
    assert p.returncode == 0 and (tmp_path / "prog.axc").is_file()
    script.unlink()
    p = run_axiom(["run", str(tmp_path / "prog.axc")], home=tmp_path)
    assert (p.returncode, p.stdout) == (0, "49\n")
    p = run_axiom(["dis", str(tmp_path / "prog.axc")], home=tmp_path)
    assert p.returncode == 0
    assert p.stdout.splitlines()[0] == f"== main ({tmp_path / 'prog.axc'}) =="
    assert "MAKE_CLOSURE" in p.stdout and "== sq (" in p.stdout


def test_corrupt_axc_given_directly_is_a_clean_error(tmp_path):
    bad = tmp_path / "x.axc"
    bad.write_bytes(b"AXC\x00garbage")
    p = run_axiom(["run", str(bad)], home=tmp_path)
    assert p.returncode == 1
    assert p.stderr.startswith(f"Error: IOError: {bad} is not a usable compiled file (")
    assert "rebuild it with: axiom build" in p.stderr and "Traceback" not in p.stderr


@pytest.mark.parametrize("name", ["matrix_lib"])
def test_new_module_scaffolds_a_project(tmp_path, name):
    p = run_axiom(["new", "module", name], home=tmp_path, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    proj = tmp_path / "axiom-matrix-lib"
    text = (proj / "pyproject.toml").read_text()
    assert 'name = "axiom-matrix-lib"' in text and 'matrix_lib = "axiom_matrix_lib:module"' in text
    src = (proj / "src" / "axiom_matrix_lib" / "__init__.py").read_text()
    assert 'Module("matrix_lib"' in src
    assert (proj / "tests" / "test_matrix_lib.py").is_file()
    again = run_axiom(["new", "module", name], home=tmp_path, cwd=tmp_path)
    assert again.returncode == 1 and "not empty" in again.stderr
    assert run_axiom(["new", "module", "Bad-Name"], home=tmp_path, cwd=tmp_path).returncode == 2


def test_sandbox_flags_grant_what_they_name(tmp_path):
    (tmp_path / "ok").mkdir()
    inside = tmp_path / "ok" / "in.txt"
    inside.write_text("in")
    script = tmp_path / "s.ax"
    script.write_text("import example_reader\nout example_reader.read(ARGS[0])\n")
    from support.dists import make_dist
    site = tmp_path / "site"
    make_dist(site, "axiom-example-reader", "1.0", "example_reader", "axiom_example_reader",
              'from axiom_sdk import Module\nmodule = Module("example_reader")\n'
              '@module.export(needs=["fs.read:path"])\ndef read(path: str) -> str:\n'
              '    """Read."""\n    return open(path).read()\n')
    ok = run_axiom(["run", "--sandbox", f"--allow-read={tmp_path / 'ok'}", str(script), str(inside)],
                   site=site, home=tmp_path / "h")
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "in\n", "")
    denied = run_axiom(["run", "--sandbox", f"--allow-read={tmp_path / 'ok'}", str(script), str(script)],
                       site=site, home=tmp_path / "h")
    assert denied.returncode == 1
    assert denied.stderr.startswith(f"Error: PermissionDenied: fs.read denied for {script} "
                                    f"(grant it with --allow-read={script})")
    everywhere = run_axiom(["run", "--sandbox", "--allow-read", str(script), str(script)],
                           site=site, home=tmp_path / "h")
    assert everywhere.returncode == 0


def test_repl_reads_lines_keeps_state_and_survives_errors(tmp_path):
    session = 'let x = 2\nx * 21\nfn f(a) {\n  a + 1\n}\nf(x)\n1 / 0\nout "after"\n'
    p = run_axiom(["repl"], home=tmp_path, input=session)
    assert p.returncode == 0
    assert p.stdout == "42\n3\nafter\n"
    assert p.stderr.startswith("Error: DivisionByZero: division by zero\n  --> <repl 5>:1:1")
    plain = run_axiom([], home=tmp_path, input="1 + 1\n")
    assert plain.stdout == "2\n"


def test_a_closed_output_pipe_ends_the_run_quietly(tmp_path):
    import os
    import subprocess
    import sys
    script = tmp_path / "many.ax"
    script.write_text("for i in 0..1000000 { out i }\n")
    env = dict(os.environ, AXIOM_HOME=str(tmp_path))
    p = subprocess.Popen([sys.executable, "-m", "axiom.cli", "run", str(script)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    assert p.stdout.read(4) == b"0\n1\n"
    p.stdout.close()
    assert p.wait(timeout=60) == 141
    assert p.stderr.read() == b""
