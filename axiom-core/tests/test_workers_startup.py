"""A worker process starts lean: its start-up is the cold-pool overhead of every
`con.parallel_map(..., backend="processes")` (docs/parallel.md, benchmarks/parallel_overhead)."""

from __future__ import annotations

import subprocess
import sys


def _modules(code: str) -> set[str]:
    p = subprocess.run([sys.executable, "-c", code + "\nimport sys\nprint('\\n'.join(sys.modules))"],
                       capture_output=True, text=True, check=True)
    return set(p.stdout.split())


def test_a_worker_imports_only_what_it_runs_with():
    bare = _modules("pass")  # what this interpreter and its site imports anyway
    # what axiom.workers.main imports before it reads its first frame
    worker = _modules("import _signal, _thread\nfrom axiom.workers import main") - bare
    assert not worker & {"threading", "signal", "enum", "functools", "collections", "typing",
                         "json", "re", "ast", "axiom.jit.units", "axiom.compiler", "axiom.cli"}
