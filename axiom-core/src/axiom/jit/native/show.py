"""`axiom dis --jit`, the native part: which units of a code object went native, and the
LLVM IR they were compiled from.

Pipeline position: called by the disassembler's --jit view after a run (the lead's tier-1
part calls `describe` for each code object). Imports nothing heavy: the IR text is kept
on each unit when it is compiled.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def describe(code: Any) -> str | None:
    """The native units of `code` (its function entry, its loops) with their IR, or None
    when none of it went native."""
    parts = []
    unit = getattr(code.jit, "axiom_native", None)
    if unit is not None:
        parts.append(f"== native: {code.name} ({code.filename}) ==\n{unit.ir_text.rstrip()}")
    for header, loop in sorted((code.osr or {}).items()):
        unit = getattr(loop, "axiom_native", None)
        if unit is not None:
            line = code.lines[header][0] if header < len(code.lines) else 0
            parts.append(f"== native: the loop at {code.filename}:{line} (in {code.name}) ==\n"
                         f"{unit.ir_text.rstrip()}")
    return "\n\n".join(parts) if parts else None
