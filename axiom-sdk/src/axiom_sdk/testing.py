"""Helpers for module authors' tests: call exports as a script would, without a runtime.

    from axiom_sdk.testing import call, raises
    assert call(module, "sqrt", 4) == 2.0
    assert raises(module, "sqrt", -1).kind == "ValueError"

`register(runtime, module)` makes a Module importable by name in one Runtime, without
installing a distribution (it calls the Runtime's own `add_module`, which a host program
may call as well).

Outside a Runtime a module runs in one process-wide run: `call` initialises the module
there once, and `end_run` stops it (its stop hooks run and its per-run state is
forgotten, so the next `call` starts a fresh run). `deadline(seconds)` runs a block under
a run's time limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ._module import Module
from ._values import Function
from .errors import AxiomError


class ScriptFunction(Function):
    """A Python callable standing in for a script function (a callback a script would
    pass): `call(module, "map_items", ScriptFunction(lambda x: x * 2), [1, 2])`."""

    def __init__(self, fn: Any, name: str = "f") -> None:
        self.fn = fn
        self.name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)


def call(module: Module, name: str, *args: Any, **kwargs: Any) -> Any:
    """Call export `name` of `module` the way a script does (checks and conversions)."""
    module.init()
    return module.get_symbol(name)(*args, **kwargs)


def call_method(value: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    """Call method `name` of a foreign value the way a script does (`resp.json()`)."""
    info = getattr(type(value), "__axiom_foreign__", None)
    if info is None or name not in info.methods:
        raise AssertionError(f"{type(value).__name__} has no declared method {name!r}")
    return info.methods[name](value, *args, **kwargs)


def end_run(module: Module, error: AxiomError | None = None) -> int:
    """End the module's run as a runtime does when a run ends: its stop hooks get the
    run's uncaught error (or None) and its per-run state is dropped. Returns the highest
    exit status the hooks ask for (0 if none)."""
    return module.stop(error)


def raises(module: Module, name: str, *args: Any, **kwargs: Any) -> AxiomError:
    """Call export `name` and return the AxiomError it raises (AssertionError if none)."""
    try:
        result = call(module, name, *args, **kwargs)
    except AxiomError as e:
        return e
    raise AssertionError(f"{module.name}.{name} returned {result!r} instead of raising")


def file_modes_bind() -> bool:
    """Whether file permission bits stop this process (not so for root, whose
    CAP_DAC_OVERRIDE reads and writes anything)."""
    import os
    import tempfile
    fd, probe = tempfile.mkstemp()
    os.close(fd)
    os.chmod(probe, 0)
    try:
        open(probe).close()
        return False
    except PermissionError:
        return True
    finally:
        os.unlink(probe)


def rerun_where_file_modes_bind(request: Any) -> bool:
    """For a permission test (pass pytest's `request`): when file modes do not bind this
    process (root), run the test again in a child without CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH (with util-linux's setpriv), check that it passed there, and
    return True; return False when the caller should run the test itself.

        def test_unreadable_file(tmp_path, request):
            if rerun_where_file_modes_bind(request):
                return
            ...
    """
    if file_modes_bind():
        return False
    import shutil
    import subprocess
    import sys
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        raise AssertionError("as root this test needs setpriv (util-linux) to drop CAP_DAC_OVERRIDE")
    here = request.node.path
    project = here.parents[1]
    caps = "-dac_override,-dac_read_search"
    p = subprocess.run([setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}", sys.executable, "-m",
                        "pytest", "-q", "-p", "no:cacheprovider", "-c", str(project / "pyproject.toml"),
                        f"--confcutdir={project}", f"{here}::{request.node.name}"],
                       capture_output=True, text=True, cwd=project)
    assert p.returncode == 0 and "1 passed" in p.stdout, p.stdout[-2000:] + p.stderr[-2000:]
    return True


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Run the block as a script with `--timeout SECONDS` left would: `bounded_wait` (and
    so every blocking export) ends with LimitExceeded when the time is up."""
    import time

    from ._module import run_deadline
    token = run_deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        run_deadline.reset(token)


def register(runtime: Any, module: Module) -> Module:
    """Make `import NAME` find `module` in `runtime` (an `axiom.Runtime`), for that
    Runtime only; returns the module."""
    runtime.add_module(module)
    return module
