"""Real installed-distribution layouts for loader tests: a folder with a package and its
`*.dist-info` (METADATA, entry_points.txt), put on PYTHONPATH of a child process — the
same files pip writes, found by importlib.metadata the same way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXIOM = [sys.executable, "-m", "axiom.cli"]


def make_dist(site: Path, dist: str, version: str, name: str, package: str, source: str,
              group: str = "axiom.modules") -> None:
    pkg = site / package
    pkg.mkdir(parents=True, exist_ok=True)
    (pkg / "__init__.py").write_text(source)
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n"
                                   f"Summary: test distribution {dist}\n")
    (info / "entry_points.txt").write_text(f"[{group}]\n{name} = {package}:module\n")
    (info / "RECORD").write_text("")


def run_axiom(args: list[str], *, site: Path | None = None, home: Path, cwd: Path | None = None,
              env: dict[str, str] | None = None, input: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    e = dict(os.environ, AXIOM_HOME=str(home), NO_COLOR="1")
    if site is not None:
        e["PYTHONPATH"] = str(site) + os.pathsep + e.get("PYTHONPATH", "")
    e.update(env or {})
    return subprocess.run(AXIOM + args, capture_output=True, text=True, env=e, cwd=cwd,
                          input=input, timeout=timeout)
