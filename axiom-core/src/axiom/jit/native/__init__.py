"""Tier 2, the native tier: numeric functions and loops compiled to machine code with
llvmlite (ARCHITECTURE.md §4).

Pipeline position: asked by jit.Tiers when the tier is "native", before tier 1. What it
cannot compile returns None and tier 1 takes it. Whether llvmlite is installed is jit.native_available's question (without importing this
package). Importing this package is cheap: the flow
analysis (flow.py) decides what compiles without llvmlite, which is imported only when a
unit is lowered (lower.py, engine.py) or run (glue.py).

    flow.py    machine types per instruction; Unsupported for anything else
    lower.py   LLVM IR: guards, overflow intrinsics, deopt records
    engine.py  machine code: llvmlite, and the disk cache of machine code
    glue.py    entries called from the VM and tier 1; leaving native code (deopt)
    show.py    `axiom dis --jit`: the native functions and their IR
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def compile_function(tiers: Any, fn: Any, slots: list[Any]) -> Any:
    """A native entry for closure `fn` called with `slots`, or None (tier 1 takes it)."""
    from .glue import compile_function as build
    return build(tiers, fn, slots)


def compile_osr(tiers: Any, frame: Any, header: int) -> Any:
    """A native unit for the loop at `header` of the running `frame`, or None."""
    from .glue import compile_osr as build
    return build(tiers, frame, header)
