"""The code checks CI enforces: ruff over the sources and tests, mypy on the SDK and the
core, and the import-linter contracts (the SDK and the modules never import the core;
imports point one way: cli -> runtime -> stages -> axiom_sdk)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600)


def test_ruff_is_clean():
    p = _run(str(BIN / "ruff"), "check", "--no-cache", "axiom-sdk", "axiom-core", "modules", "tests",
             "conftest.py", "noxfile.py", "benchmarks")
    assert p.returncode == 0, p.stdout + p.stderr


def test_mypy_is_clean_on_sdk_and_core():
    p = _run(str(BIN / "mypy"), "axiom-sdk/src/axiom_sdk", "axiom-core/src/axiom")
    assert p.returncode == 0, p.stdout + p.stderr


def test_import_contracts_are_kept():
    p = _run(str(BIN / "lint-imports"), "--no-cache")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "0 broken" in p.stdout
