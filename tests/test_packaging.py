"""Packaging: a module project made from plugins-template/ (by `axiom new module`) builds
a wheel that, installed with axiom-sdk and axiom-core into a fresh virtual environment,
is discovered by `axiom mod info` and `axiom mod list` — the path a third-party author
takes. The core is built as a wheel too, which runs its parse-table build hook."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UV = [sys.executable, "-m", "uv"]


def _run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)
    assert p.returncode == 0, f"{cmd}\n{p.stdout}\n{p.stderr}"
    return p


def test_template_module_is_discovered_after_install(tmp_path):
    env = dict(os.environ, AXIOM_HOME=str(tmp_path / "home"), NO_COLOR="1")
    env.pop("VIRTUAL_ENV", None)
    _run([sys.executable, "-m", "axiom.cli", "new", "module", "matrix_lib"], cwd=tmp_path, env=env)
    project = tmp_path / "axiom-matrix-lib"
    wheels = tmp_path / "wheels"
    for src in (ROOT / "axiom-sdk", ROOT / "axiom-core", project):
        _run(UV + ["build", "--wheel", "--out-dir", str(wheels), str(src)], env=env)
    venv = tmp_path / "venv"
    _run(UV + ["venv", str(venv)], env=env)
    py = venv / "bin" / "python"
    core = [str(w) for w in sorted(wheels.glob("axiom_*.whl")) if "matrix_lib" not in w.name]
    _run(UV + ["pip", "install", "--python", str(py), *core], env=env)
    axiom = str(venv / "bin" / "axiom")
    # the author's module goes in with `axiom pkg install WHEEL`
    plugin = next(wheels.glob("axiom_matrix_lib-*.whl"))
    _run([axiom, "pkg", "install", str(plugin)], env=env)
    assert "axiom-matrix-lib 0.1.0  (matrix_lib)" in _run([axiom, "pkg", "list"], env=env).stdout

    info = _run([axiom, "mod", "info", "matrix_lib"], env=env).stdout.splitlines()
    assert info[0] == "Module: matrix_lib (Example)"
    assert info[1] == "Version: 0.1.0 (distribution axiom-matrix-lib)"
    assert "Capabilities: fs.read" in info
    assert any(line.strip().startswith('greet(name: str, punctuation: str="!") -> str') for line in info)

    listing = _run([axiom, "mod", "list"], env=env).stdout
    row = next(line for line in listing.splitlines() if line.startswith("matrix_lib "))
    assert row.split()[:4] == ["matrix_lib", "axiom-matrix-lib", "0.1.0", "ok"]

    script = tmp_path / "use.ax"
    script.write_text('import matrix_lib\nout matrix_lib.greet("Ada")\nout matrix_lib.word_count("a b a")\n')
    out = _run([axiom, "run", str(script)], env=env).stdout
    assert out == 'Hello, Ada!\n{"a": 2, "b": 1}\n'

    # the template's own tests pass against the installed module
    _run(UV + ["pip", "install", "--python", str(py), "pytest"], env=env)
    _run([str(py), "-m", "pytest", "-q", "-p", "no:cacheprovider", str(project / "tests")], env=env, cwd=project)

    # and out again with `axiom pkg uninstall NAME`
    _run([axiom, "pkg", "uninstall", "matrix_lib"], env=env)
    gone = subprocess.run([axiom, "mod", "info", "matrix_lib"], capture_output=True, text=True, env=env)
    assert gone.returncode == 1 and "no module named 'matrix_lib'" in gone.stderr
