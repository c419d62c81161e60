"""Error reports: the shape of LANGUAGE.md §8, and turning failures into Axiom errors.

Pipeline position: used by runtime.py (locating errors) and the CLI (rendering).
Imports ast and the SDK only.

    Error: DivisionByZero: division by zero
      --> script.ax:3:13
       |
     3 |     let q = a / b
       |             ^^^^^
    Stack trace (most recent call first):
      0: divide() at script.ax:3
      1: main at script.ax:8
    Variables in frame 0:
      a = 10
      b = 0
"""

from __future__ import annotations

from axiom_sdk import AxiomError
from axiom_sdk._values import _display

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; annotations here are strings
    from collections.abc import Callable
    from typing import Any

    from .ast import ParseError, Source

MAX_VALUE_WIDTH = 70


def syntax_error(e: ParseError, source: Source) -> AxiomError:
    """An AxiomError of kind SyntaxError at the ParseError's position."""
    line, col = source.position(e.start)
    end_line, end_col = source.position(max(e.end - 1, e.start))
    if end_line != line:
        end_col = len(source.line_text(line))
    msg = e.message
    if e.related is not None:
        rline, rcol = source.position(e.related)
        if "opened here" in msg or "never closed" in msg:
            msg += f" (line {rline}, column {rcol})"
    err = AxiomError("SyntaxError", msg)
    err.span = (source.filename, line, col, max(end_col, col))
    err.source_line = source.line_text(line)
    return err


def frame_name(code: Any, is_main: bool) -> str:
    if is_main:
        return "main" if code.name == "main" else code.name
    return f"{code.name}()"


def locate(e: AxiomError, frames: list[Any], source_line: Callable[[str, int], str | None]) -> None:
    """Fill in where `e` happened: span of the current instruction (and that source
    line, from `source_line(file, line)`), the stack trace (most recent call first) and
    the variables of the innermost frame."""
    if not frames:
        return
    top = frames[-1]
    code = top.code
    i = max(top.ip - 1, 0)
    if i < len(code.lines):
        line, col, end_col = code.lines[i]
        e.span = (code.filename, line, col, end_col)
        e.source_line = source_line(code.filename, line)
    trace = []
    for f in reversed(frames):
        c = f.code
        j = max(f.ip - 1, 0)
        line = c.lines[j][0] if j < len(c.lines) else 0
        trace.append((frame_name(c, f.closure is None), c.filename, line))
    e.trace = trace
    e.frame_vars = frame_variables(top)


def frame_variables(frame: Any) -> list[tuple[str, str]]:
    """The variables in scope where the frame stopped, with their display forms."""
    from .vm import UNSET, Cell
    out = []
    here = max(frame.ip - 1, 0)
    ranges = frame.code.slot_ranges
    for i, (name, v) in enumerate(zip(frame.code.slot_names, frame.slots)):
        if name.startswith("<"):
            continue
        if i < len(ranges) and not ranges[i][0] <= here < ranges[i][1]:
            continue
        if type(v) is Cell:
            v = v.value
        if v is UNSET:
            continue
        try:
            shown = _display(v, True, set(), 0)
        except Exception:
            shown = "<?>"
        if len(shown) > MAX_VALUE_WIDTH:
            shown = shown[:MAX_VALUE_WIDTH - 3] + "..."
        out.append((name, shown))
    return out


def trace_lines(trace: list[tuple[str, str, int]]) -> list[str]:
    """Numbered trace lines; a run of identical frames (deep recursion) is shown once
    with a count."""
    out = []
    i = 0
    n = len(trace)
    while i < n:
        j = i
        while j + 1 < n and trace[j + 1] == trace[i]:
            j += 1
        name, filename, line = trace[i]
        out.append(f"  {i}: {name} at {filename}:{line}")
        if j > i:
            repeats = j - i
            if repeats == 1:
                out.append(f"  {j}: {name} at {filename}:{line}")
            else:
                out.append(f"  ... the same call {repeats} more times (frames {i + 1} to {j})")
        i = j + 1
    if len(out) > 60:
        out = out[:40] + [f"  ... {len(out) - 50} more lines ..."] + out[-10:]
    return out


def render(e: AxiomError) -> str:
    """The report of an uncaught error, as printed on stderr."""
    if e.has_payload:  # a thrown non-error value: "Error: " and its display form
        lines = [f"Error: {_display(e.payload, False, set(), 0)}"]
    else:
        lines = [f"Error: {e.kind}: {e.message}"]
    if e.span is not None:
        filename, line, col, end_col = e.span
        lines.append(f"  --> {filename}:{line}:{col}")
        if e.source_line is not None:
            num = str(line)
            pad = " " * (len(num) + 1)
            src = e.source_line.replace("\t", " ")
            width = max(1, min(end_col, len(src) + 1) - col + 1)
            lines.append(f"{pad} |")
            lines.append(f" {num} | {src}")
            lines.append(f"{pad} | " + " " * (col - 1) + "^" * width)
    if e.trace:
        lines.append("Stack trace (most recent call first):")
        lines += trace_lines(e.trace)
    if e.frame_vars:
        lines.append("Variables in frame 0:")
        for name, shown in e.frame_vars:
            lines.append(f"  {name} = {shown}")
    return "\n".join(lines) + "\n"
