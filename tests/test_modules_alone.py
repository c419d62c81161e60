"""Every module distribution installs on its own with axiom-sdk — no axiom-core and no
other module — and passes its own tests there (the tox matrix of tox.ini, run with uv so
CI stays fast)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(p.name for p in (ROOT / "modules").iterdir() if (p / "pyproject.toml").is_file())
UV = [sys.executable, "-m", "uv"]


def _run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kw)
    assert p.returncode == 0, f"{' '.join(map(str, cmd))}\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    return p


@pytest.mark.parametrize("name", MODULES)
def test_module_installs_alone_and_passes_its_tests(name, tmp_path):
    env = dict(os.environ, MPLCONFIGDIR=str(tmp_path / "mpl"))
    env.pop("VIRTUAL_ENV", None)
    venv = tmp_path / "venv"
    _run(UV + ["venv", "-q", str(venv)], env=env)
    py = venv / "bin" / "python"
    _run(UV + ["pip", "install", "-q", "--python", str(py), "pytest>=8", str(ROOT / "axiom-sdk"),
               str(ROOT / "modules" / name)], env=env)
    listing = _run(UV + ["pip", "list", "--python", str(py)], env=env).stdout
    installed = {line.split()[0] for line in listing.splitlines()[2:] if line.strip()}
    assert "axiom-core" not in installed
    assert {d for d in installed if d.startswith("axiom-")} == {"axiom-sdk", f"axiom-{name}"}
    tests = ROOT / "modules" / name / "tests"
    exports = _run([str(py), "-c", f"from axiom_{name} import module; print(len(module.list_exports()))"],
                   env=env).stdout.strip()
    if not any(tests.glob("test_*.py")):
        # A module whose issue has not landed exports nothing (an honest empty list).
        assert exports == "0", f"module {name} exports {exports} symbols but has no tests"
        return
    mod = ROOT / "modules" / name
    _run([str(py), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", str(mod / "pyproject.toml"),
          f"--confcutdir={mod}", str(tests)], env=env, cwd=mod)
