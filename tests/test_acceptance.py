"""The spec's own acceptance programs (../shared/acceptance), run as users run them.

These are a floor, not the test suite; they live outside the project, so this test
runs them only when that folder is present.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ACCEPTANCE = Path(__file__).resolve().parents[2] / "shared" / "acceptance"

pytestmark = pytest.mark.skipif(not (ACCEPTANCE / "run.py").is_file(),
                                reason="the shared acceptance programs are not beside this checkout")


def test_acceptance_programs(tmp_path):
    import shutil
    copy = tmp_path / "acceptance"  # a copy: running writes __axcache__/ beside the programs
    shutil.copytree(ACCEPTANCE, copy)
    axiom = Path(sys.executable).with_name("axiom")
    env = dict(os.environ, AXIOM_HOME=str(tmp_path / "home"))
    p = subprocess.run([sys.executable, str(copy / "run.py"), "--axiom", str(axiom), "--timeout", "120"],
                       capture_output=True, text=True, env=env, timeout=900)
    print(p.stdout)
    lines = p.stdout.splitlines()
    assert [line for line in lines if line.startswith("FAIL")] == []
    assert lines[-1].endswith(" passed, 0 failed")
