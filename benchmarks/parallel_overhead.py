"""Parallel overhead: the twin of parallel_overhead.ax (1,000 trivial items on a cold
process pool, then warm, against a thread pool)."""

import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor


def inc(x):
    return x + 1


if __name__ == "__main__":
    xs = list(range(1000))
    with ThreadPoolExecutor(os.cpu_count()) as threads_pool:
        list(threads_pool.map(inc, [1, 2]))
        t0 = time.monotonic()
        threads = list(threads_pool.map(inc, xs))
        t1 = time.monotonic()
    with ProcessPoolExecutor(os.cpu_count()) as pool:
        cold = list(pool.map(inc, xs))
        t2 = time.monotonic()
        warm = list(pool.map(inc, xs))
        t3 = time.monotonic()
    print("true" if threads == cold == warm else "false")
    print(cold[999])
    print(f"processes cold {(t2 - t1) / (t1 - t0):.2f}x, warm {(t3 - t2) / (t1 - t0):.2f}x "
          f"the threads' {t1 - t0:.3f} s", file=sys.stderr)
