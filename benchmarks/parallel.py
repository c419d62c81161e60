"""Parallel: the twin of parallel.ax (a process pool beside the sequential map)."""

import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor


def work(seed):
    counts = {}
    s = seed
    for _ in range(300000):
        s = (s * 1103515245 + 12345) % 2147483648
        k = s // 65536 % 97
        counts[k] = counts.get(k, 0) + 1
    best = 0
    for k in counts:
        if counts[k] > counts.get(best, 0):
            best = k
    return [best, counts[best]]


if __name__ == "__main__":
    xs = [1, 2, 3, 4, 5, 6, 7, 8]
    t0 = time.monotonic()
    sequential = list(map(work, xs))
    t1 = time.monotonic()
    with ProcessPoolExecutor(os.cpu_count()) as pool:
        parallel = list(pool.map(work, xs))
    t2 = time.monotonic()
    print("true" if sequential == parallel else "false")
    for r in parallel:
        print(f"{r[0]} {r[1]}")
    print(f"parallel {t2 - t1:.2f} s / sequential {t1 - t0:.2f} s = {(t2 - t1) / (t1 - t0):.2f}x",
          file=sys.stderr)
