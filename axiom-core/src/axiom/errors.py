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
    from typing import Any, Final

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
    if e.help:
        err.help = e.help  # type: ignore[attr-defined]
    return err


def frame_name(code: Any, is_main: bool) -> str:
    if is_main:
        return "main" if code.name == "main" else code.name
    return f"{code.name}()"


def locate(e: AxiomError, frames: list[Any], source_line: Callable[[str, int], str | None]) -> None:
    """Fill in where `e` happened: span of the current instruction (and that source
    line, from `source_line(file, line)`), the stack trace (most recent call first) and
    the variables of the innermost frame. Running out of memory on the way (the
    address-space backstop of --max-memory) keeps what was found: the error stays."""
    try:
        _locate(e, frames, source_line)
    except MemoryError:
        e.frame_vars = []


def _locate(e: AxiomError, frames: list[Any], source_line: Callable[[str, int], str | None]) -> None:
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
    if e.kind in ("UndefinedVariable", "AttributeError") and not e.has_payload:
        try:
            suggest(e, frames)
        except Exception:  # a hint must never replace the error it is for
            pass


# Names other languages use, and what Axiom writes instead (a help line under the report).
_PRINT_HELP = "Axiom prints with 'out': out x (or out @\"...{x}...\")"
_NIL_HELP = "Axiom's missing value is nil"
HABITS: Final = {
    "print": _PRINT_HELP, "println": _PRINT_HELP, "puts": _PRINT_HELP, "echo": _PRINT_HELP,
    "printf": _PRINT_HELP, "console": _PRINT_HELP,
    "None": _NIL_HELP, "null": _NIL_HELP, "NULL": _NIL_HELP, "undefined": _NIL_HELP,
    "True": "write true (lower case)", "False": "write false (lower case)",
    "this": "a method takes self as its first parameter: fn area(self) { self.w * self.h }",
    "math": "the math module is mth: import mth, then mth.sqrt(x)",
    "Math": "the math module is mth: import mth, then mth.sqrt(x)",
}


def suggest(e: AxiomError, frames: list[Any]) -> None:
    """Add near misses to an UndefinedVariable or AttributeError (`undefined variable
    'countr' (did you mean 'counter'?)`, `list has no attribute 'psuh' (did you mean
    'push'?)`), from the names in scope where it was raised, and a help line for habits
    from other languages (`print` -> `out`, `None` -> `nil`)."""
    msg = e.message
    if "(did you mean" in msg or not msg.endswith("'"):
        return
    if e.kind == "UndefinedVariable":
        name = msg[msg.rfind("'", 0, -1) + 1:-1]
        if name in HABITS:
            e.help = HABITS[name]  # type: ignore[attr-defined]
            return
        candidates = names_in_scope(frames[-1])
    else:
        for sep in (" has no attribute '", " has no method '"):
            subject, found, name = msg.partition(sep)
            if found:
                name = name[:-1]
                break
        else:
            return
        candidates = members_of(subject, frames)
        if subject == "range" and name in ("push", "pop", "insert", "remove_at", "sort", "reverse",
                                           "extend", "clear"):
            e.help = f"a range cannot change: make a list of it first (list(r).{name}(...))"  # type: ignore[attr-defined]
    import difflib
    near = difflib.get_close_matches(name, sorted(set(candidates) - {name}), 1)
    if near:
        e.message = f"{msg} (did you mean '{near[0]}'?)"
        e.args = (f"{e.kind}: {e.message}",)


def names_in_scope(frame: Any) -> list[str]:
    """The variables a frame can see where it stopped: its locals in scope, the
    variables it captured, its module's globals and the built-ins."""
    from .prelude import _BUILTIN_FNS
    here = max(frame.ip - 1, 0)
    code = frame.code
    ranges = code.slot_ranges
    names = [n for i, n in enumerate(code.slot_names)
             if not n.startswith("<") and (i >= len(ranges) or ranges[i][0] <= here < ranges[i][1])]
    names += code.free_names
    names += frame.globals
    names += _BUILTIN_FNS
    runtime = getattr(frame.module, "runtime", None)
    if runtime is not None:
        names += runtime.builtins
    return names


def members_of(subject: str, frames: list[Any]) -> list[str]:
    """The methods and attributes of the type an AttributeError names: a built-in type,
    a script class (found among the values the frames hold), or a module's foreign type."""
    from axiom_sdk import Class, Instance, Range, Set

    from .prelude import _METHOD_FNS
    from .vm import Cell
    builtin = {"list": list, "str": str, "dict": dict, "set": Set, "range": Range}.get(subject)
    if builtin is not None:
        return list(_METHOD_FNS.get(builtin, ()))
    if subject == "error":
        return ["kind", "message", "trace"]
    cls_name = subject[6:] if subject.startswith("class ") else subject
    out: list[str] = []
    seen: set[int] = set()
    for f in frames:
        for v in (*f.slots, *f.globals.values()):
            if id(v) in seen:
                continue
            seen.add(id(v))
            if type(v) is Cell:
                v = v.value
            cls = v if type(v) is Class else v.cls if type(v) is Instance else None
            if cls is None or cls.name != cls_name:
                continue
            if type(v) is Instance:
                out += v.fields
            while cls is not None:
                out += cls.methods
                cls = cls.parent
    runtime = getattr(frames[-1].module, "runtime", None)
    for mod in (runtime.modules.values() if runtime is not None else ()):
        for info in getattr(mod, "foreign_types", ()):
            if info.name == subject:
                out += [*info.attrs, *info.methods]
    return out


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


def use_colour(stream: Any) -> bool:
    """Colour only on a terminal, and never under NO_COLOR (non-empty) or TERM=dumb."""
    import os
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


_RED: Final = "\x1b[1;31m"
_BLUE: Final = "\x1b[1;34m"
_RESET: Final = "\x1b[0m"


def render(e: AxiomError, colour: bool = False) -> str:
    """The report of an uncaught error, as printed on stderr. With `colour` (a
    terminal: see use_colour) the heading and the carets are coloured and the source
    excerpt is highlighted as Axiom (highlight.py, Pygments); the text is otherwise the
    same."""
    red, blue, reset = (_RED, _BLUE, _RESET) if colour else ("", "", "")
    if e.has_payload:  # a thrown non-error value: "Error: " and its display form
        lines = [f"{red}Error{reset}: {_display(e.payload, False, set(), 0)}"]
    else:
        lines = [f"{red}Error{reset}: {e.kind}: {e.message}"]
    help_ = getattr(e, "help", None)
    if e.span is not None:
        filename, line, col, end_col = e.span
        src = e.source_line
        if line == 1 and src is not None and src.startswith("\ufeff"):
            src = src[1:]  # a byte-order mark: not a column the user sees
            col, end_col = max(col - 1, 1), max(end_col - 1, 1)
        lines.append(f"  --> {filename}:{line}:{col}")
        if src is not None:
            num = str(line)
            pad = " " * (len(num) + 1)
            src = src.replace("\t", " ")
            width = max(1, min(end_col, len(src) + 1) - col + 1)
            shown = src
            if colour:
                from .highlight import ansi
                shown = ansi(src)
            lines.append(f"{blue}{pad} |{reset}")
            lines.append(f"{blue} {num} |{reset} {shown}")
            lines.append(f"{blue}{pad} |{reset} " + " " * (col - 1) + red + "^" * width + reset)
            if help_:
                lines.append(f"{blue}{pad} ={reset} help: {help_}")
                help_ = None
    if help_:
        lines.append(f"help: {help_}")
    if e.trace:
        lines.append("Stack trace (most recent call first):")
        lines += trace_lines(e.trace)
    if e.frame_vars:
        lines.append("Variables in frame 0:")
        for name, shown in e.frame_vars:
            lines.append(f"  {name} = {shown}")
    return "\n".join(lines) + "\n"
