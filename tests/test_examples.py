"""Every program in examples/ runs end to end through `axiom run`, prints exactly its
NAME.out beside it, writes nothing to stderr and leaves no files behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("script", sorted(p.name for p in EXAMPLES.glob("*.ax")
                                          if p.with_suffix(".out").exists()))
def test_example_prints_its_expected_output(script, tmp_path):
    env = dict(os.environ, AXIOM_HOME=str(tmp_path), NO_COLOR="1")
    before = set(os.listdir(EXAMPLES))
    p = subprocess.run([sys.executable, "-m", "axiom.cli", "run", script], cwd=EXAMPLES,
                       capture_output=True, text=True, env=env, timeout=300)
    assert p.stderr == ""
    assert p.returncode == 0
    assert p.stdout == (EXAMPLES / script).with_suffix(".out").read_text()
    assert set(os.listdir(EXAMPLES)) <= before | {"__axcache__"}  # it cleaned up after itself
