"""`axiom dis --jit`: what the JIT tiers made of a script that has just run.

Pipeline position: called by the `dis` command (cli/tools_cmd.py) after the run, with the
code objects the run loaded (the script's and the .ax modules it imported) and the
Runtime's `Tiers` (None under `--jit off`). Reads only what the tiers left on each Code:
`code.jit` (a compiled entry, NEVER, or None), `code.osr` (loop header -> unit or NEVER),
`code.hot` (tier 0's count of calls and loop passes), the generated Python AST kept on
tier-1 units (`axiom_source`), the argument kinds an entry was specialised for
(`axiom_spec`), the native units (`axiom_native`, whose LLVM IR text jit/native/show.py
also prints), and the JIT's journal of notes (why a unit stayed in a lower tier).

Codes that never ran are not shown one by one: the report ends with one line naming them.
"""

from __future__ import annotations

import ast
import re

from ..bytecode import NEVER, Code

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Final

INDENT: Final = "    "
_STAYS: Final = " stays in tier 0: "
_NOT_NATIVE: Final = " is not native: "
MAX_NAMED: Final = 12  # codes that did not run named in the last line, at most


def walk(roots: list[Code]) -> list[tuple[Code, int]]:
    """Every code object of `roots` and the code nested in them, each with the line where
    it is defined (its MAKE_CLOSURE in the code around it), in the order they were loaded
    and, within a file, by line."""
    seen: set[int] = set()
    out: list[tuple[Code, int]] = []

    def visit(code: Code, line: int) -> None:
        if id(code) in seen:
            return
        seen.add(id(code))
        out.append((code, line))
        defined: dict[int, int] = {}
        for i, (_, arg) in enumerate(code.ops):
            if 0 <= arg < len(code.consts) and isinstance(code.consts[arg], Code) and arg not in defined:
                defined[arg] = code.lines[i][0] if i < len(code.lines) else line
        for k, c in enumerate(code.consts):
            if isinstance(c, Code):
                visit(c, defined.get(k) or _first_line(c))

    for root in roots:
        start = len(out)
        visit(root, _first_line(root))
        out[start + 1:] = sorted(out[start + 1:], key=lambda item: item[1])
    return out


def _first_line(code: Code) -> int:
    return code.lines[0][0] if code.lines else 0


def _line_of(code: Code, ip: int) -> int:
    return code.lines[ip][0] if 0 <= ip < len(code.lines) else 0


def kind(v: Any) -> str:
    """An abstract value of jit/infer.py (kind, lo, hi) as words: int, list of float."""
    if not isinstance(v, tuple) or not v:
        return "any"
    if v[0] == "list":
        return f"list of {v[1]}" if v[1] else "list"
    return str(v[0])


def _spec(code: Code, spec: Any) -> str:
    names = code.param_names or tuple(f"arg{i}" for i in range(len(spec)))
    return "(" + ", ".join(f"{n}: {kind(v)}" for n, v in zip(names, spec)) + ")"


def _indent(text: str) -> str:
    return "\n".join(INDENT + line if line else "" for line in text.rstrip().splitlines())


def _source(unit: Any) -> str | None:
    tree = getattr(unit, "axiom_source", None)
    return ast.unparse(tree) if tree is not None else None


class _Journal:
    """The JIT's notes (Tiers.journal), searched for what they say about one unit."""

    def __init__(self, tiers: Any, codes: list[Code]) -> None:
        self.notes: list[tuple[Any, str]] = list(getattr(tiers, "journal", None) or ())
        self.inlined: dict[int, list[str]] = {}  # see _inlined
        self.ir_names: set[str] = set()
        self.names: dict[Any, int] = {}  # (name, file) and name -> how many codes have it
        for code in codes:
            for k in ((code.name, code.filename), code.name):
                self.names[k] = self.names.get(k, 0) + 1

    def _unique(self, code: Code) -> bool:
        return self.names.get((code.name, code.filename), 0) == 1

    def reason(self, key: Any, prefixes: list[str]) -> str | None:
        """The latest note about `key` (a code, or (code, loop header)) that starts with one
        of `prefixes`, without the prefix. A note made while another unit was compiled (a
        function compiled with its caller) counts when no other code of that file has the
        same name."""
        code = key[0] if isinstance(key, tuple) else key
        loose = self._unique(code)
        for subject, message in reversed(self.notes):
            if not _about(subject, key, loose):
                continue
            for prefix in prefixes:
                if message.startswith(prefix):
                    return message[len(prefix):]
        return None

    def later(self, code: Code) -> list[str]:
        """What happened to `code`'s compiled units while the program ran: wrong guesses
        that dropped them, native code that left for good (named only when the name is
        unique among the codes loaded: those notes do not say which file)."""
        if self.names.get(code.name, 0) != 1:
            return []
        starts = (f"{code.name} guessed wrong ", f"native: {code.name} left native code ")
        return [m for s, m in self.notes if m.startswith(starts)]


_DEFINED: Final = re.compile(r'^define internal [^@]*@"([^"]+)"', re.M)


def _inlined(tiers: Any, journal: _Journal) -> tuple[dict[int, list[str]], set[str]]:
    """The functions native units call natively (planned into the caller's LLVM module,
    never given an entry of their own): code id -> the units they are part of, from the
    units' exit sites; and the names of the functions defined in the units' IR (for a
    callee without exit sites, named when its name is unique)."""
    by_code: dict[int, list[str]] = {}
    names: set[str] = set()
    for key, unit in list(getattr(tiers, "native_units", {}).items()):
        root = key[0] if isinstance(key, tuple) else key
        title = (f"the loop at {root.filename}:{_line_of(root, key[1])}" if isinstance(key, tuple)
                 else f"fn {root.name}")
        for site in getattr(unit, "sites", ()):
            code = getattr(site, "code", None)
            if code is not None and code is not root and title not in by_code.get(id(code), []):
                by_code.setdefault(id(code), []).append(title)
        names.update(_DEFINED.findall(getattr(unit, "ir_text", "")))
    return by_code, names


def _about(subject: Any, key: Any, loose: bool) -> bool:
    """Whether a note made while `subject` was being compiled may be about `key`: its own
    notes, and, when its name is unique in its file (`loose`), notes made while another
    code was compiled (a function compiled with its caller) or while the program ran;
    never the notes of another unit of the same code (its entry's, for a loop)."""
    if subject == key:
        return True
    if not loose:
        return False
    code = key[0] if isinstance(key, tuple) else key
    other = subject[0] if isinstance(subject, tuple) else subject
    return other is not code


def report(roots: list[Code], tiers: Any, tier: str, threshold: int) -> str:
    """The text `axiom dis --jit` prints after the run."""
    if tiers is None:
        return ("--- axiom dis --jit: the tier is off: nothing is compiled, every function and loop "
                "ran in tier 0 (the bytecode VM; `axiom dis FILE` prints its bytecode) ---\n")
    head = f"--- axiom dis --jit: tier {tier}, jit_threshold {threshold} ---\n"
    codes = walk(roots)
    journal = _Journal(tiers, [c for c, _ in codes])
    journal.inlined, journal.ir_names = _inlined(tiers, journal)
    mains = {id(r) for r in roots}
    files = {r.filename: k for k, r in enumerate(roots)}
    units: list[tuple[int, int, int, str]] = []  # (file's place, line, order, block)
    not_run: list[str] = []
    for code, line in codes:
        where = f"{code.filename}:{line}"
        place = files.get(code.filename, len(files))
        if id(code) not in mains:
            block = _function(code, where, tiers, journal)
            if block is None:
                not_run.append(f"{code.name} ({where})")
            else:
                units.append((place, line, len(units), block))
        for header, unit in sorted((code.osr or {}).items()):
            units.append((place, _line_of(code, header), len(units),
                          _loop(code, header, unit, tiers, journal, id(code) in mains)))
    blocks = [block for *_, block in sorted(units)]
    if not any(_compiled(code) for code, _ in codes):
        blocks.insert(0, f"nothing was compiled: no function or loop ran past jit_threshold {threshold}")
    text = head + "\n\n".join(blocks) + "\n"
    if not_run:
        named = ", ".join(not_run[:MAX_NAMED]) + (f" and {len(not_run) - MAX_NAMED} more"
                                                   if len(not_run) > MAX_NAMED else "")
        text += f"\nnot run: {named}\n"
    return text


def _compiled(code: Code) -> bool:
    return (code.jit is not None and code.jit is not NEVER) or any(
        unit is not NEVER for unit in (code.osr or {}).values())


def _function(code: Code, where: str, tiers: Any, journal: _Journal) -> str | None:
    """The block for a function's entry, or None when the function never ran."""
    entry = code.jit
    title = f"fn {code.name} at {where}"
    if entry is NEVER:
        why = journal.reason(code, [f"{code.name} ({code.filename}){_STAYS}"])
        return f"{title}: tier 0 ({why or 'it cannot be compiled; no reason was recorded'})"
    if entry is None:
        callers = journal.inlined.get(id(code))
        if callers is None and code.name in journal.ir_names and journal.names.get(code.name) == 1:
            callers = ["a native unit"]
        inside = (f"; native inside {', '.join(callers)}, whose IR has it" if callers else "")
        later = journal.later(code)
        if later:
            return f"{title}: tier 0 (its compiled code was dropped: {later[-1]}{inside})"
        if code.hot > tiers.threshold:  # its loops passed the threshold: their units follow
            return f"{title}: tier 0, until its loops were compiled while it ran (below){inside}"
        if code.hot > 0:
            return (f"{title}: tier 0 (ran {code.hot} calls and loop passes, not past "
                    f"jit_threshold {tiers.threshold}{inside})")
        if callers:
            return f"{title}: native inside {', '.join(callers)}, whose IR has it (no entry of its own)"
        if not code.osr:
            return None
        return f"{title}: tier 0 (only its loops were compiled)"
    native = getattr(entry, "axiom_native", None)
    spec = getattr(entry, "axiom_spec", None)
    kinds = f", specialised for {_spec(code, spec)}" if spec is not None else ""
    lines = []
    if native is not None:
        lines.append(f"{title}: native{kinds}")
        lines.append(_indent(native.ir_text))
    else:
        why = journal.reason(code, [f"{code.name} ({code.filename}){_NOT_NATIVE}"]) if tiers.native else None
        lines.append(f"{title}: host{kinds}" + (f" (not native: {why})" if why else ""))
        lines.append(_indent(_source(entry) or "(its Python code was not kept)"))
        generic = _generic(entry)
        if generic is not None:
            lines.append(f"{INDENT}# and the version for any argument types:")
            lines.append(_indent(generic))
    for note in journal.later(code):
        lines.append(f"{INDENT}# later: {note}")
    return "\n".join(lines)


def _generic(entry: Any) -> str | None:
    """The Python code of a tier-1 entry's version for any argument types, once made."""
    space = getattr(entry, "__globals__", None)
    g = space.get("GENERIC") if isinstance(space, dict) else None
    source = _source(g) if g is not None else None
    if source is None and g is not None:  # an adapter around it (tier 1's _Adapt)
        source = _source(getattr(g, "fn", None))
    return source


def _loop(code: Code, header: int, unit: Any, tiers: Any, journal: _Journal, top: bool) -> str:
    line = _line_of(code, header)
    where = f"{code.filename}:{line}"
    title = f"loop at {where}" + (" (top level)" if top else f" in fn {code.name}")
    key = (code, header)
    if unit is NEVER:
        why = journal.reason(key, [f"the loop at {where}{_STAYS}", f"{code.name} ({code.filename}){_STAYS}"])
        return f"{title}: tier 0 ({why or 'it cannot be compiled; no reason was recorded'})"
    native = getattr(unit, "axiom_native", None)
    if native is not None:
        return f"{title}: native\n{_indent(native.ir_text)}"
    why = journal.reason(key, [f"native: the loop at {where}{_NOT_NATIVE}"]) if tiers.native else None
    return (f"{title}: host" + (f" (not native: {why})" if why else "") + "\n"
            + _indent(_source(unit) or "(its Python code was not kept)"))
