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
from .errors import AxiomError

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


def raises(module: Module, name: str, *args: Any, **kwargs: Any) -> AxiomError:
    """Call export `name` and return the AxiomError it raises (AssertionError if none)."""
    try:
        result = call(module, name, *args, **kwargs)
    except AxiomError as e:
        return e
    raise AssertionError(f"{module.name}.{name} returned {result!r} instead of raising")


@contextmanager
def register(module: Module) -> Iterator[Module]:
    """Make `import NAME` find `module` in runtimes created inside the block."""
    REGISTERED[module.name] = module
    try:
        yield module
    finally:
        REGISTERED.pop(module.name, None)
