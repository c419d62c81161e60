"""con's Dask backend: shipped Axiom work on a Dask cluster (distributed).

`distributed` is imported here only, when a script first connects (the extra
`axiom-con[dask]`). Each task is the runtime's job runner (axiom_sdk.job_runner: a plain
Python function that every Dask worker imports from its own Axiom installation) called
with the run's config and the shipped function and items as bytes, so Dask's own
pickling never carries Axiom code. Output lines come back with each task's result and
are written as the run's own when it arrives.

A task whose worker dies is retried by Dask on another worker (the scheduler's
`allowed-failures`); when it has killed too many, its item fails with IOError.
"""

from __future__ import annotations

import threading
from typing import Any

from axiom_sdk import AxiomError, bounded_wait, job_runner, time_left, unship


def connect(address: str) -> Any:
    """A distributed.Client for the scheduler at `address` (IOError when it cannot be
    reached within 10 s)."""
    try:
        from distributed import Client
    except ImportError:
        raise AxiomError("ImportError", "con: the Dask backend needs the distributed "
                                        "library: pip install 'axiom-con[dask]'") from None
    try:
        return Client(address, timeout=10, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as e:
        raise AxiomError("IOError", f"con.cluster_connect: cannot reach the Dask scheduler at "
                                    f"{address}: {e}") from None


def run_chunks(client: Any, config: bytes, function: bytes, chunks: list[list[int]],
               items: list[bytes], spread: bool, run: Any, where: str, name: str,
               labels: Any) -> list[Any]:
    """Run every chunk of items as one Dask task; (ok, value-or-error) per item, in order."""
    runner = job_runner()
    left = time_left()
    futures = [client.submit(runner, config, function, [items[i] for i in chunk], left,
                             spread, pure=False) for chunk in chunks]
    done = threading.Event()
    lock = threading.Lock()
    remaining = [len(futures)]

    def one_done(_: Any) -> None:
        with lock:
            remaining[0] -= 1
            if remaining[0] == 0:
                done.set()
    for f in futures:
        f.add_done_callback(one_done)
    try:
        if futures:
            bounded_wait(done.wait, None, where=where)
    except BaseException:
        client.cancel(futures)
        raise
    results: list[Any] = [None] * len(items)
    for chunk, f in zip(chunks, futures):
        try:
            outcome, lines = f.result()
        except Exception as e:
            what = _which(chunk, labels)
            if type(e).__name__ == "KilledWorker":  # Dask retried it, and each worker died
                why = f"the Dask worker running {what} died (KilledWorker)"
            else:
                first = str(e).strip().split("\n")[0]
                why = f"the Dask task running {what} failed: {type(e).__name__}: {first}"
            err = AxiomError("IOError", f"{name}: {why}")
            for i in chunk:
                results[i] = (False, err)
            continue
        for stream, line in lines:
            run.write(line, stream)
        for i, (ok, data) in zip(chunk, outcome):
            results[i] = (ok, data)
    return results


def _which(chunk: list[int], labels: Any) -> str:
    if len(chunk) == 1:
        return labels(chunk[0])
    return f"{labels(chunk[0])} to {chunk[-1]}"


def collect(results: list[Any]) -> list[Any]:
    """The values in order; the first item's error raised."""
    values = []
    for ok, data in results:
        v = data if isinstance(data, AxiomError) else unship(data)
        if not ok:
            raise v
        values.append(v)
    return values
