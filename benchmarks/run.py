"""Benchmarks: each NAME.ax beside its Python twin NAME.py doing the same work.

For every workload, one warm-up run of each (it checks that both print the same and
fills the .axc cache), then Axiom and CPython in turn (A B A B ...) --runs times, each
in a fresh process; the table shows the medians, their ratio Axiom / CPython and the
geometric mean of the ratios (parallel_overhead, which measures its own ratios, is left
out of it). `startup` is `axiom run hello.ax` against `python -c
pass`, both from the same environment.

    uv run nox -s bench                          every workload, the default tier
    uv run nox -s bench -- fib loop --runs 5     some workloads
    uv run nox -s bench -- --jit off             another tier (off | host | native)
    uv run nox -s bench -- --write               also record the table in README.md

Benchmarks are not tests: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["fib", "loop", "nbody", "spectral", "fannkuch", "binarytrees", "strings", "wordfreq",
         "oop", "closures", "parallel", "parallel_overhead"]
# Measured and shown, but not in the geometric mean: its own ratios (in its note) are
# what it measures, against Python's process pool, not the language's speed
UNSCORED = frozenset({"parallel_overhead"})


def axiom_command() -> list[str]:
    script = Path(sys.executable).with_name("axiom")
    return [str(script)] if script.exists() else [sys.executable, "-m", "axiom.cli"]


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    return elapsed, done.stdout


def measure(ax: list[str], py: list[str], runs: int, env: dict[str, str]) -> tuple[float, float, bool]:
    _, out_ax = timed(ax, env)
    _, out_py = timed(py, env)
    t_ax, t_py = [], []
    for _ in range(runs):
        t_ax.append(timed(ax, env)[0])
        t_py.append(timed(py, env)[0])
    return statistics.median(t_ax), statistics.median(t_py), out_ax == out_py


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
            f"CPython {platform.python_version()}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*", help="workloads to run (default: all)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs of each side")
    ap.add_argument("--jit", default=None, help="the tier for Axiom: off, host or native "
                                                "(default: Axiom's own default)")
    ap.add_argument("--write", action="store_true", help="record the table in README.md")
    a = ap.parse_args()
    env = dict(os.environ)
    env.setdefault("AXIOM_HOME", tempfile.mkdtemp(prefix="axiom-bench-home-"))
    axiom = axiom_command() + ["run"] + (["--jit", a.jit] if a.jit else [])
    names = [n for n in ORDER + ["startup"] if not a.names or n in a.names]
    rows = []
    for name in names:
        if name == "startup":
            with tempfile.TemporaryDirectory() as tmp:
                hello = Path(tmp) / "hello.ax"
                hello.write_text('out "hello, world"\n')
                t_ax, t_py, _ = measure(axiom + [str(hello)], [sys.executable, "-c", "pass"],
                                        max(a.runs, 10), env)
            rows.append((name, t_ax, t_py, "hello.ax against python -c pass"))
            continue
        script = HERE / f"{name}.ax"
        t_ax, t_py, same = measure(axiom + [str(script)], [sys.executable, str(HERE / f"{name}.py")],
                                   a.runs, env)
        note = "" if same else "OUTPUT DIFFERS"
        if name.startswith("parallel") and same:  # its own ratios, from one run
            note = subprocess.run(axiom + [str(script)], capture_output=True, text=True,
                                  env=env).stderr.strip()
        rows.append((name, t_ax, t_py, note))
        print(f"  {name}: {t_ax:.3f} s / {t_py:.3f} s", file=sys.stderr, flush=True)
    lines = ["| benchmark | axiom s | python s | ratio | note |", "|---|---:|---:|---:|---|"]
    for name, t_ax, t_py, note in rows:
        lines.append(f"| {name} | {t_ax:.3f} | {t_py:.3f} | {t_ax / t_py:.2f}x | {note} |")
    scored = [(t_ax, t_py) for name, t_ax, t_py, _ in rows if name not in UNSCORED]
    geo = math.exp(sum(math.log(t_ax / t_py) for t_ax, t_py in scored) / len(scored)) if scored else 1.0
    lines.append(f"| **geometric mean** | | | **{geo:.2f}x** | the {len(scored)} workloads above it"
                 f"{', not ' + ', '.join(sorted(UNSCORED)) if any(r[0] in UNSCORED for r in rows) else ''} |")
    tier = a.jit or "default"
    header = (f"`--jit {tier}`, {datetime.date.today()}, medians of {a.runs} runs each "
              f"(A B A B), on {machine()}")
    table = "\n".join(lines)
    print(header)
    print(table)
    if a.write:
        record(tier, header, table)
    return 0 if all(r[3] != "OUTPUT DIFFERS" for r in rows) else 1


def record(tier: str, header: str, table: str) -> None:
    """Replace the section for this tier in README.md (between its markers)."""
    readme = HERE / "README.md"
    text = readme.read_text() if readme.exists() else "# Benchmarks\n"
    begin, end = f"<!-- bench {tier} -->", f"<!-- end bench {tier} -->"
    block = f"{begin}\n{header}\n\n{table}\n{end}"
    if begin in text:
        before, rest = text.split(begin, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + f"\n\n{block}\n"
    readme.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
