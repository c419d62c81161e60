"""Run metrics: what `axiom run --metrics` prints, `--metrics-out FILE` writes (JSON, or
the Prometheus text format for a `.prom` file) and `Runtime.metrics()` returns.

Pipeline position: beside the runtime, which keeps a `clock` per Runtime and samples
memory through `rss_bytes` from `Runtime.tick`. Imports nothing of Axiom's and nothing
heavy: prometheus_client only inside `collector` and `write_prometheus`.

The numbers (keys of `snapshot`):

    script                   the file run (or "<eval>")
    wall_seconds             wall time since the Runtime was made
    cpu_seconds              the process's CPU time (all threads) in that time
    instructions             instruction steps counted at loop back edges and calls (what
                             --max-steps limits), or None when the Runtime does not count
    instructions_per_second  instructions / wall_seconds
    calls                    function calls counted the same way (None when not counted)
    jit_compiled             tier -> functions compiled by that tier
    memory_peak_bytes        the process's peak resident memory
    gc_collections           collections by Python's cycle collector, per generation
    threads_peak             most threads alive at once (sampled)
    modules                  "module.name" -> a number a module reported (con's tasks)
"""

from __future__ import annotations

import os
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; annotations here are strings
    from collections.abc import Iterator
    from typing import Any, Final

JIT_TIERS: Final = ("host", "native")

_statm: list[int] = []  # [fd, pid] of /proc/self/statm, opened once per process


def rss_bytes() -> int:
    """The process's resident memory now (on Linux from /proc/self/statm, kept open so a
    sample costs one pread; elsewhere the peak, which only grows)."""
    pid = os.getpid()
    if not _statm or _statm[1] != pid:  # first use, or a forked child
        try:
            fd = os.open("/proc/self/statm", os.O_RDONLY)
        except OSError:
            return peak_rss_bytes()
        if _statm:
            os.close(_statm[0])
        _statm[:] = [fd, pid]
    try:
        pages = int(os.pread(_statm[0], 128, 0).split()[1])
    except (OSError, IndexError, ValueError):
        return peak_rss_bytes()
    return pages * _PAGE


def peak_rss_bytes() -> int:
    """The process's peak resident memory."""
    try:
        import resource
    except ImportError:  # not on this platform
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes there, KiB here


def _page_size() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return 4096


_PAGE: Final = _page_size()


def snapshot(clock: tuple[float, float, list[dict[str, int]]], *, script: str,
             instructions: int | None, calls: int | None, jit_compiled: dict[str, int],
             threads_peak: int, modules: dict[str, float]) -> dict[str, Any]:
    """The metrics as plain data (see the module docstring), measured from `clock`:
    time.monotonic(), time.process_time() and gc.get_stats() when the Runtime was made
    (`Runtime.clock`, taken without importing this module)."""
    import gc
    wall_then, cpu_then, gc_then = clock
    wall = time.monotonic() - wall_then
    threads = max(threads_peak, threads_now())
    return {
        "script": script,
        "wall_seconds": round(wall, 6),
        "cpu_seconds": round(time.process_time() - cpu_then, 6),
        "instructions": instructions,
        "instructions_per_second": (round(instructions / wall, 1)
                                    if instructions is not None and wall > 0 else None),
        "calls": calls,
        "jit_compiled": {**dict.fromkeys(JIT_TIERS, 0), **jit_compiled},
        "memory_peak_bytes": max(peak_rss_bytes(), rss_bytes()),
        "gc_collections": [now["collections"] - then["collections"]
                           for now, then in zip(gc.get_stats(), gc_then)],
        "threads_peak": threads,
        "modules": dict(sorted(modules.items())),
    }


def threads_now() -> int:
    """How many threads are alive: those started through _thread (threading's too) and
    the main thread."""
    import _thread
    return _thread._count() + 1


# -- the summary `--metrics` prints -------------------------------------------------

def _number(n: float | None, unit: str = "") -> str:
    if n is None:
        return "not counted"
    text = f"{n:,}" if isinstance(n, int) else f"{n:,.3f}"
    return text + unit


def _rate(per_second: float | None) -> str:
    if per_second is None:
        return ""
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if per_second >= div:
            return f" ({per_second / div:.1f} {suffix}/s)"
    return f" ({per_second:.0f}/s)"


def summary(m: dict[str, Any]) -> str:
    """The metrics as the lines `axiom run --metrics` prints on stderr."""
    gcs = m["gc_collections"]
    rows = [
        ("wall time", f"{m['wall_seconds']:.3f} s"),
        ("CPU time", f"{m['cpu_seconds']:.3f} s"),
        ("instructions", _number(m["instructions"]) + _rate(m["instructions_per_second"])),
        ("calls", _number(m["calls"])),
        ("compiled functions", ", ".join(f"{tier} {n}" for tier, n in m["jit_compiled"].items())),
        ("peak memory", f"{m['memory_peak_bytes'] / 1048576:.1f} MB"),
        ("GC collections", f"{sum(gcs)} (" + ", ".join(f"gen {i}: {n}" for i, n in enumerate(gcs)) + ")"),
        ("threads (peak)", str(m["threads_peak"])),
    ]
    rows += [(name, _number(value)) for name, value in m["modules"].items()]
    width = max(len(name) for name, _ in rows)
    lines = [f"axiom metrics for {m['script']}:"]
    lines += [f"  {name.ljust(width)}  {value}" for name, value in rows]
    return "\n".join(lines) + "\n"


# -- writing ------------------------------------------------------------------------

def write(m: dict[str, Any], path: str) -> None:
    """Write the metrics to `path`, whole or not at all (a finished temporary file is
    renamed over it): the Prometheus text format for a `.prom` file (for node-exporter's
    textfile collector), else JSON. OSError when it cannot be written."""
    if path.endswith(".prom"):
        write_prometheus(m, path)
        return
    import json
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(json.dumps(m, indent=2) + "\n")
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class _Collector:
    """A prometheus_client collector reading metrics from `source()` at each scrape."""

    def __init__(self, source: Any, labels: dict[str, str] | None = None) -> None:
        self.source = source
        self.labels = dict(labels or {})

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
        m = self.source()
        names = list(self.labels)
        values = list(self.labels.values())

        def family(cls: Any, name: str, doc: str, value: float | None,
                   extra: tuple[str, ...] = (), rows: Any = ()) -> Any:
            fam = cls(name, doc, labels=names + list(extra))
            if not extra and value is not None:
                fam.add_metric(values, value)
            for key, v in rows:
                fam.add_metric(values + list(key), v)
            return fam

        yield family(CounterMetricFamily, "axiom_wall_seconds", "Wall time of the run.",
                     m["wall_seconds"])
        yield family(CounterMetricFamily, "axiom_cpu_seconds",
                     "CPU time of the process during the run.", m["cpu_seconds"])
        if m["instructions"] is not None:
            yield family(CounterMetricFamily, "axiom_instructions",
                         "Instruction steps executed (counted at loop back edges and calls).",
                         m["instructions"])
        if m["calls"] is not None:
            yield family(CounterMetricFamily, "axiom_calls", "Function calls.", m["calls"])
        yield family(CounterMetricFamily, "axiom_jit_compiled_functions",
                     "Functions compiled, by tier.", None, ("tier",),
                     [((tier,), n) for tier, n in m["jit_compiled"].items()])
        yield family(GaugeMetricFamily, "axiom_memory_peak_bytes",
                     "Peak resident memory of the process.", m["memory_peak_bytes"])
        yield family(CounterMetricFamily, "axiom_gc_collections",
                     "Collections by Python's cycle collector, by generation.", None,
                     ("generation",), [((str(i),), n) for i, n in enumerate(m["gc_collections"])])
        yield family(GaugeMetricFamily, "axiom_threads_peak", "Most threads alive at once.",
                     m["threads_peak"])
        reported = [(tuple(key.split(".", 1)) if "." in key else ("", key), v)
                    for key, v in m["modules"].items()]
        if reported:
            yield family(GaugeMetricFamily, "axiom_module_value",
                         "Numbers modules report for the run (con: tasks spawned, peak tasks).",
                         None, ("module", "name"), reported)


def collector(source: Any, labels: dict[str, str] | None = None) -> Any:
    """A collector for a prometheus_client registry; `source()` gives the metrics."""
    return _Collector(source, labels)


def write_prometheus(m: dict[str, Any], path: str) -> None:
    """The metrics in the Prometheus text format, written atomically (prometheus_client
    writes a temporary file and renames it, as the textfile collector needs)."""
    from prometheus_client import CollectorRegistry, write_to_textfile
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector(lambda: m))
    write_to_textfile(path, registry)
