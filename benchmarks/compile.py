"""Compile time: how long the front end (lexer, parser, resolver, compiler, optimizer)
takes on a long generated script, through `Runtime.compile` as `axiom run` uses it.

The script is LINES lines of `let xN = N + 1` (each line its own global and two
constants: the shape that made compiling quadratic in the number of constants) followed
by some functions, loops and strings, so every stage sees a long input. The best of
--runs timings (wall and CPU) is printed; the goal is under 2 s for 50,000 lines.

    uv run python benchmarks/compile.py                 50,000 lines, best of 3
    uv run python benchmarks/compile.py --lines 100000 --runs 1

Benchmarks are not tests: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import time


def generate(lines: int) -> str:
    """`lines` lines of Axiom: mostly `let xN = N + 1`, with a function, a loop and a
    string every 10 lines."""
    out = []
    for i in range(lines):
        if i % 10 == 7:
            out.append(f"fn f{i}(a, b = {i}) {{ return a * b + {i} }}")
        elif i % 10 == 8:
            out.append(f"while x{i - 8} < {i} {{ x{i - 8} += 1 }}")
        elif i % 10 == 9:
            out.append(f'let s{i} = "line {i}"')
        else:
            out.append(f"let x{i} = {i} + 1")
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=50_000, help="Lines in the generated script.")
    ap.add_argument("--runs", type=int, default=3, help="Timings to take the best of.")
    args = ap.parse_args()
    from axiom import Runtime, conf
    text = generate(args.lines)
    best = cpu = float("inf")
    for _ in range(args.runs):
        rt = Runtime(settings=dict(conf.DEFAULTS))
        start, start_cpu = time.perf_counter(), time.process_time()
        code = rt.compile(text, "<generated>")
        best = min(best, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
        assert code.ops, "nothing compiled"
    # CPU time as well: on a shared machine the wall time says more about the neighbours
    print(f"compile  {args.lines:,} lines  {best:.2f} s  (CPU {cpu:.2f} s, "
          f"{args.lines / best:,.0f} lines/s)")


if __name__ == "__main__":
    main()
