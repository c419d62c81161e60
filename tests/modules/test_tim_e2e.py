"""tim end to end: the clock-dependent results a script gets, checked against the host's
clocks (examples/tim.ax prints only clock-independent facts)."""

from __future__ import annotations

import time
from datetime import datetime

from axiom.runtime import Runtime


def test_clocks_agree_with_the_host():
    rt = Runtime()
    before = time.time()
    now, iso, mono = rt.eval("import tim\n[tim.now(), tim.now_iso(), tim.monotonic()]")
    after = time.time()
    assert before <= now <= after
    assert before - 1 <= datetime.fromisoformat(iso).timestamp() <= after + 1
    assert abs(mono - time.monotonic()) < 5
    rt.close()


def test_benchmark_times_a_script_function():
    rt = Runtime()
    stats = rt.eval("import tim\ntim.benchmark(|| tim.sleep(0.02), runs=2)")
    assert stats["runs"] == 2 and 0.02 <= stats["min"] <= stats["mean"] <= stats["max"] < 2
    rt.close()
