"""Benchmarks: each NAME.ax beside its Python twin NAME.py doing the same work.

Runs both (best of N wall-clock runs, each in a fresh process, after one warm-up that
also fills the .axc cache), checks they print the same, and prints the ratio
Axiom / CPython. Also times start-up: `axiom run hello.ax` against `python -c pass`.

    uv run nox -s bench            (or: uv run python benchmarks/run.py [NAME...] [--runs N])
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def best(cmd: list[str], runs: int) -> tuple[float, str]:
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*")
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    axiom = [sys.executable, "-m", "axiom.cli", "run"]
    rows = []
    for script in sorted(HERE.glob("*.ax")):
        if a.names and script.stem not in a.names:
            continue
        twin = script.with_suffix(".py")
        t_ax, out_ax = best(axiom + [str(script)], a.runs)
        t_py, out_py = best([sys.executable, str(twin)], a.runs)
        same = "same output" if out_ax == out_py else "OUTPUT DIFFERS"
        rows.append((script.stem, t_ax, t_py, same))
    with tempfile.TemporaryDirectory() as tmp:
        hello = Path(tmp) / "hello.ax"
        hello.write_text('out @ "hi"\n')
        t_ax, _ = best(axiom + [str(hello)], max(a.runs, 5))
        t_py, _ = best([sys.executable, "-c", "pass"], max(a.runs, 5))
        rows.append(("startup", t_ax, t_py, "hello.ax vs python -c pass"))
    print(f"{'benchmark':<12} {'axiom s':>9} {'python s':>9} {'ratio':>7}  note")
    for name, t_ax, t_py, note in rows:
        print(f"{name:<12} {t_ax:9.3f} {t_py:9.3f} {t_ax / t_py:7.1f}x  {note}")
    return 0 if all(r[3] != "OUTPUT DIFFERS" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
