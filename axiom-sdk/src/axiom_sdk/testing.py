"""Helpers for module authors' tests: call exports as a script would, without a runtime.

    from axiom_sdk.testing import call, raises
    assert call(module, "sqrt", 4) == 2.0
    assert raises(module, "sqrt", -1).kind == "ValueError"

`register(module)` makes a Module importable by name in the core's loader for the
duration of a `with` block, without installing a distribution.
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


# name -> Module; the core's loader looks here first (only when this file was imported).
REGISTERED: dict[str, Any] = {}


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
    """Call the module's stop hooks as a runtime does when a run ends (with the run's
    uncaught error, or None); the highest exit status they ask for (0 if none)."""
    status = 0
    for hook in module.stop_hooks:
        r = hook(error)
        if isinstance(r, int):
            status = max(status, r)
    return status


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
def register(module: Module) -> Iterator[Module]:
    """Make `import NAME` find `module` in runtimes created inside the block."""
    REGISTERED[module.name] = module
    try:
        yield module
    finally:
        REGISTERED.pop(module.name, None)
