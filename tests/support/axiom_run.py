"""Running Axiom code from tests: in-process through axiom.Runtime, or as `axiom ...`
in a child process with its own AXIOM_HOME (the way a user runs it)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path


def run_src(src: str, grants: object = "all") -> str:
    """Run source text in a fresh Runtime; what it printed."""
    import axiom
    out = io.StringIO()
    rt = axiom.Runtime(grants=grants, stdout=out)
    try:
        rt.eval(src)
    finally:
        rt.close()
    return out.getvalue()


def cli(tmp_path: Path, *args: str, env: dict[str, str] | None = None, stdin: str | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`axiom ARGS...` run in tmp_path, with AXIOM_HOME under it and NO_COLOR set."""
    full = dict(os.environ, AXIOM_HOME=str(tmp_path / "home"), NO_COLOR="1", **(env or {}))
    return subprocess.run([sys.executable, "-m", "axiom.cli", *args], capture_output=True,
                          text=True, env=full, input=stdin, timeout=timeout, cwd=tmp_path)
