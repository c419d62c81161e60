"""str end to end through `axiom run`: errors reach the user as Axiom errors, with no
Python traceback and nothing from RE2 on stderr."""

from __future__ import annotations

import os
import subprocess
import sys


def _run(tmp_path, source):
    script = tmp_path / "prog.ax"
    script.write_text(source)
    env = dict(os.environ, AXIOM_HOME=str(tmp_path / "home"), NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "axiom.cli", "run", str(script)],
                          capture_output=True, text=True, env=env, timeout=120)


def test_uncaught_invalid_pattern_is_a_value_error_without_traceback(tmp_path):
    p = _run(tmp_path, 'import str\nout str.regex_find("[0-9]+", "a12")\nstr.regex_find("(abc", "x")\n')
    assert p.stdout == "12\n"
    assert p.returncode == 1
    assert p.stderr.startswith("Error: ValueError: str.regex_find: invalid pattern: missing ): (abc")
    assert "Traceback" not in p.stderr and "re2.cc" not in p.stderr


def test_pathological_pattern_finishes(tmp_path):
    p = _run(tmp_path, 'import str\nout str.regex_match("(a+)+$", str.repeat("a", 200000) + "!")\n')
    assert (p.returncode, p.stdout, p.stderr) == (0, "false\n", "")
