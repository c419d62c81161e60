"""Every program in examples/ runs end to end through `axiom run`, in every execution
tier (with a JIT threshold of 0: everything compiled), prints exactly its NAME.out beside
it, writes nothing to stderr and leaves no files behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.tiers import TIERS
from support.tiers import env as tier_env

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("tier", sorted(TIERS))
@pytest.mark.parametrize("script", sorted(p.name for p in EXAMPLES.glob("*.ax")
                                          if p.with_suffix(".out").exists()))
def test_example_prints_its_expected_output(script, tier, tmp_path):
    env = dict(os.environ, AXIOM_HOME=str(tmp_path), NO_COLOR="1", **tier_env(tier))
    settings = TIERS[tier]
    (tmp_path / "config.toml").write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items()))
    before = set(os.listdir(EXAMPLES))
    p = subprocess.run([sys.executable, "-m", "axiom.cli", "run", script], cwd=EXAMPLES,
                       capture_output=True, text=True, env=env, timeout=300)
    assert p.stderr == ""
    assert p.returncode == 0
    assert p.stdout == (EXAMPLES / script).with_suffix(".out").read_text()
    assert set(os.listdir(EXAMPLES)) <= before | {"__axcache__"}  # it cleaned up after itself
