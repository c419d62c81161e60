"""Tier 2, the native tier: numeric functions and loops compiled to machine code with
llvmlite (ARCHITECTURE.md §4).

Pipeline position: asked by jit.Tiers when the tier is "native", before tier 1. What it
cannot compile returns None and tier 1 takes it. Whether llvmlite is installed is jit.native_available's question (without importing this
package). Importing this package is cheap: the flow
analysis (flow.py, plan.py) decides what compiles without ctypes or llvmlite, which are
imported only when a unit is built (glue.py), lowered (lower.py) and compiled (engine.py).

    flow.py    machine types per instruction; Unsupported for anything else
    plan.py    which functions a unit calls natively, with which types
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

    def build() -> Any:
        from .plan import plan_function
        planner, root = plan_function(tiers, fn, slots)
        from .glue import build_function  # (only for a unit that plans: ctypes costs ms)
        return build_function(tiers, fn, planner, root)

    code = fn.code
    return _attempt(tiers, code, f"{code.name} ({code.filename})", build)


def compile_osr(tiers: Any, frame: Any, header: int) -> Any:
    """A native unit for the loop at `header` of the running `frame`, or None."""

    def build() -> Any:
        from .plan import plan_osr
        loop = plan_osr(tiers, frame, header)
        from .glue import build_osr
        return build_osr(tiers, frame, header, loop)

    code = frame.code
    return _attempt(tiers, code, f"native: the loop at {code.filename}:{code.lines[header][0]}", build)


def _attempt(tiers: Any, code: Any, unit: str, build: Any) -> Any:
    """build(), or None when the unit is not native (noted) or the native tier failed on
    it (a bug: tiers.failed); tier 1 then takes it."""
    from ..infer import Unsupported
    try:
        return build()
    except Unsupported as e:
        tiers.note(f"{unit} is not native: {e}")
    except Exception as e:
        tiers.failed(code, e)
    return None
