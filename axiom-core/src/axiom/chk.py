"""Static checker: `axiom chk FILE|DIR...` finds mistakes without running anything.

Pipeline position: beside compiler.py. A file goes through the real lexer, parser and
resolver (resolve.py), then `Checker` walks the resolved AST instead of compiling it.
Imports ast, parser, resolve, exports (what a call must match, what a module exports)
and prelude (the built-ins' signatures); never the compiler, the VM or the runtime, and
it runs no module code.

Codes (docs/chk.md has a wrong and a right example of each):
    E001 syntax error                     W001 unreachable code
    E002 undefined name                   W002 unused variable
    E003 wrong number of arguments        W003 unused import
    E004 bad keyword argument
    E005 module not installed
    E006 module has no such member
    E007 break or continue outside a loop
    E008 return outside a function
    E009 typed `let` given a value of another type
    E010 fixed-size `let` given a literal that is too large

Accuracy comes first: a rule reports only what is certain from the text (a name bound
nowhere, a call of a function bound exactly once, a module whose exports are all known).
"""

from __future__ import annotations

import bisect
import dataclasses
import difflib
import os
import sys
from dataclasses import dataclass
from typing import Any, Final

from . import ast as A
from . import parser
from .ast import ParseError, Source
from .exports import (
    ModuleInfo,
    Modules,
    Signature,
    export_signature,
    fn_signature,
    pattern_names,
)
from .resolve import Resolver, Var

CODES: Final = {
    "E001": "syntax error",
    "E002": "undefined name",
    "E003": "wrong number of arguments",
    "E004": "bad keyword argument",
    "E005": "module not installed",
    "E006": "module has no such member",
    "E007": "break or continue outside a loop",
    "E008": "return outside a function",
    "E009": "typed let given a value of another type",
    "E010": "fixed-size let given a literal that is too large",
    "W001": "unreachable code",
    "W002": "unused variable",
    "W003": "unused import",
}

MAX_SYNTAX_ERRORS: Final = 50


@dataclass(slots=True)
class Diagnostic:
    """One finding. `line`/`col` are 1-based; `end_col` is the column just after the
    span on its first line (exclusive)."""
    file: str
    line: int
    col: int
    end_col: int
    severity: str            # "error" | "warning"
    code: str
    message: str
    help: str | None = None
    source_line: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "col": self.col, "end_col": self.end_col,
                "severity": self.severity, "code": self.code, "message": self.message,
                "help": self.help}


# --- checking a file -----------------------------------------------------------------

def check_source(text: str, filename: str, settings: dict[str, Any] | None = None) -> list[Diagnostic]:
    """Every diagnostic for one source text, sorted by position."""
    source = Source(text, filename)
    program, errors = parse_recovering(text, filename)
    if errors:
        from .errors import syntax_error  # the message `axiom run` gives
        return [_diag(source, e.start, e.end, "E001", syntax_error(e, source).message,
                      getattr(e, "help", None)) for e in errors]
    assert program is not None
    old = sys.getrecursionlimit()
    if old < 20000:
        sys.setrecursionlimit(20000)
    try:
        checker = Checker(source, program, settings if settings is not None else {})
        checker.run()
    finally:
        if old < 20000:
            sys.setrecursionlimit(old)
    return sorted(checker.diags, key=lambda d: (d.line, d.col, d.code))


def _diag(source: Source, start: int, end: int, code: str, message: str,
          help: str | None = None) -> Diagnostic:
    line, col = source.position(start)
    end_line, end_col = source.position(max(end, start + 1))
    text = source.line_text(line)
    if end_line != line:
        end_col = len(text) + 1
    end_col = max(end_col, col + 1)
    severity = "error" if code.startswith("E") else "warning"
    return Diagnostic(source.filename, line, col, end_col, severity, code, message, help, text)


def parse_recovering(text: str, filename: str) -> tuple[A.Program | None, list[ParseError]]:
    """The program, or every syntax error recovery can find: after an error, the
    top-level statement holding it is blanked out (offsets kept) and the file is parsed
    again, so each later top-level statement is checked on its own."""
    errors: list[ParseError] = []
    current = text
    while len(errors) < MAX_SYNTAX_ERRORS:
        try:
            program = parser.parse(current, filename)
        except ParseError as e:
            errors.append(e)
            region = _statement_around(current, e.start)
            if region is None:
                break
            lo, hi = region
            blank = "".join(c if c == "\n" else " " for c in current[lo:hi])
            current = current[:lo] + blank + current[hi:]
            continue
        return (None, errors) if errors else (program, [])
    return None, errors


_CONTINUES: Final = ("}", ")", "]", ".", "//", "#")


def _statement_around(text: str, offset: int) -> tuple[int, int] | None:
    """The span of the top-level statement holding `offset`: from the nearest line at
    or before it that starts in column 0 (and does not continue a statement) to the next
    such line. None when there is nothing left to blank out there."""
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def is_start(i: int) -> bool:
        line = text[starts[i]:starts[i + 1] if i + 1 < len(starts) else len(text)]
        if not line.strip() or line[0] in " \t\r" or line.startswith(_CONTINUES):
            return False
        return line.split(None, 1)[0] not in ("else", "catch", "then")

    here = max(bisect.bisect_right(starts, min(offset, len(text))) - 1, 0)
    first = here
    while first > 0 and not is_start(first):
        first -= 1
    if first == here and first > 0 and not text[starts[here]:offset].strip():
        # The error is the first token of a statement's line: the statement before
        # probably ran on into it (`let a = 1 +` then `out a`), so it goes too.
        first -= 1
        while first > 0 and not is_start(first):
            first -= 1
    last = here + 1
    while last < len(starts) and not is_start(last):
        last += 1
    lo = starts[first]
    hi = starts[last] if last < len(starts) else len(text)
    if not text[lo:hi].strip():
        return None
    return lo, hi


# --- the walk ------------------------------------------------------------------------

class _Resolver(Resolver):
    """The real resolver, made to report instead of stop: `return` outside a function
    (E008) and the syntax errors it finds (E001), carrying on with the next statement."""

    def __init__(self, report: Any) -> None:
        super().__init__()
        self.report = report

    def stmt(self, s: A.Node) -> None:
        func, block = self.func, self.block
        try:
            super().stmt(s)
        except ParseError as e:
            self.func, self.block = func, block
            self.report(e.start, e.end, "E001", e.message)

    def s_Return(self, s: A.Return) -> None:
        if self.func.parent is not None:
            super().s_Return(s)
            return
        self.report(s.start, s.end, "E008", "'return' outside a function",
                    "return ends a function; the top level of a file is not one")
        if s.value is not None:
            self.expr(s.value)


@dataclass(slots=True)
class _Binding:
    kind: str                # fn | class | module | member | value
    node: Any = None         # the FnExpr or ClassDecl
    module: str = ""
    member: str = ""


# Built-in values besides the built-in functions.
_BUILTIN_VALUES: Final = frozenset({"ARGS"})


class Checker:
    """The walk over one resolved program. What a name refers to is a *key*: the Var of
    a local (or captured) variable, or ("g", name) for a global. Bindings and reads are
    collected by key during the walk; calls, module members and unused names are judged
    after it, when every binding in the file is known."""

    def __init__(self, source: Source, program: A.Program, settings: dict[str, Any]) -> None:
        self.source = source
        self.program = program
        self.diags: list[Diagnostic] = []
        self.dir = os.path.dirname(os.path.abspath(source.filename)) if source.filename != "-" else None
        self.modules = Modules(settings)
        self.bindings: dict[Any, list[_Binding]] = {}
        self.reads: set[Any] = set()
        self.locals: list[tuple[Var, A.Node, str]] = []        # declared locals: var, node, how
        self.imports: list[tuple[Any, A.Node, str, bool]] = []  # key, node, name, inside a try
        self.calls: list[tuple[A.Node, Any, str, int, list[str]]] = []
        self.members: list[tuple[A.Node, Any, str]] = []
        self.undefined: list[A.Name] = []
        self.declared_at: dict[str, int] = {}  # the first line binding each name, for help
        self.globals: set[str] = set()
        self.loops = 0
        self.tries = 0
        self.functions = 0
        self._builtins: dict[str, Any] = {}

    def report(self, start: int, end: int, code: str, message: str, help: str | None = None) -> None:
        self.diags.append(_diag(self.source, start, end, code, message, help))

    def run(self) -> None:
        resolver = _Resolver(self.report)
        resolver.program(self.program)
        self.globals = resolver.top_names
        self.block(self.program.body.stmts)
        self.report_undefined()
        self.report_calls()
        self.report_members()
        self.report_unused()

    # -- keys ----------------------------------------------------------------------------
    @staticmethod
    def key_of(ref: Any) -> Any:
        if ref is None:
            return None
        if ref.kind == "global":
            return ("g", ref.name or (ref.var.name if ref.var is not None else ""))
        return ref.var

    @staticmethod
    def key_of_var(var: Var | None) -> Any:
        if var is None:
            return None
        return ("g", var.name) if var.is_global else var

    def bind(self, key: Any, binding: _Binding, name: str, at: int) -> None:
        if key is not None:
            self.bindings.setdefault(key, []).append(binding)
            self.declared_at.setdefault(name, self.source.position(at)[0])

    def single(self, key: Any) -> _Binding | None:
        """The only binding of `key` in this file, when there is exactly one."""
        found = self.bindings.get(key)
        return found[0] if found is not None and len(found) == 1 else None

    # -- statements ----------------------------------------------------------------------
    def block(self, stmts: list[A.Node]) -> None:
        """A block's statements. The first statement after a `return`, `break`,
        `continue` or `throw` is unreachable (a `fn` declaration is not: it is hoisted)."""
        ended: A.Node | None = None
        reported = False
        for s in stmts:
            if ended is not None and not reported and not isinstance(s, A.FnDecl):
                word = type(ended).__name__.lower()
                self.report(s.start, s.end, "W001", "unreachable code",
                            f"the '{word}' on line {self.source.position(ended.start)[0]} always "
                            "leaves before this runs")
                reported = True
            self.stmt(s)
            if ended is None and self.leaves(s):
                ended = s

    def leaves(self, s: A.Node) -> bool:
        """Whether a statement always leaves its block (one that is itself an error,
        `break` outside a loop or `return` outside a function, does not count)."""
        if isinstance(s, (A.Break, A.Continue)):
            return self.loops > 0
        if isinstance(s, A.Return):
            return self.functions > 0
        return isinstance(s, A.Throw)

    def stmt(self, s: A.Node) -> None:
        getattr(self, "s_" + type(s).__name__, self.children)(s)

    def children(self, node: A.Node) -> None:
        """The expressions in a node that needs nothing but its parts checked (`out e`,
        `[a, b]`, `x[i]`, an interpolation's parts...)."""
        for f in dataclasses.fields(node):
            if f.name in ("start", "end"):
                continue
            v = getattr(node, f.name)
            for part in v if isinstance(v, list) else (v,):
                for x in part if isinstance(part, tuple) else (part,):
                    if isinstance(x, A.Node):
                        self.expr(x)

    def s_Block(self, s: A.Block) -> None:
        self.block(s.stmts)

    def s_Let(self, s: A.Let) -> None:
        self.expr(s.value)
        if isinstance(s.target, A.PName):
            var = s.target.var
            is_fn = isinstance(s.value, A.FnExpr)
            self.bind(self.key_of_var(var), _Binding("fn" if is_fn else "value", s.value if is_fn else None),
                      s.target.name, s.target.start)
            if var is not None and not var.is_global:
                self.locals.append((var, s.target, "let"))
                self.read_in_own_let(var, s.value)
            if s.spec is not None:
                self.check_fixed(s.target.name, s.spec, s.value)
        else:  # destructured names are never reported unused: each position needs one
            for p in pattern_names(s.target):
                self.bind(self.key_of_var(p.var), _Binding("value"), p.name, p.start)

    def read_in_own_let(self, var: Var, value: A.Node) -> None:
        """E002 for `let x = x + 1` in a block: the new x is in scope in its own
        initializer (so that a function can call itself) and has no value yet. A read
        inside a function made there is fine: it runs later."""
        stack = [value]
        while stack:
            node = stack.pop()
            if isinstance(node, A.FnExpr):
                continue
            if isinstance(node, A.Name) and node.ref is not None and node.ref.var is var:
                self.report(node.start, node.end, "E002",
                            f"'{var.name}' is read in its own let, before it has a value",
                            f"the new '{var.name}' is already in scope there; to change the "
                            f"existing one write {var.name} = ..., or give the new one another name")
                return
            for f in dataclasses.fields(node):
                v = getattr(node, f.name)
                for part in v if isinstance(v, list) else (v,):
                    stack.extend(x for x in (part if isinstance(part, tuple) else (part,))
                                 if isinstance(x, A.Node))

    def s_Assign(self, s: A.Assign) -> None:
        t = s.target
        self.expr(s.value)
        if not isinstance(t, A.Name):
            self.expr(t)
            return
        self.bind(self.key_of(t.ref), _Binding("value"), t.name, t.start)
        if s.declares is not None:
            self.locals.append((s.declares, t, "assign"))
        var = t.ref.var if t.ref is not None else None
        if var is not None and var.spec is not None:
            self.check_fixed(t.name, var.spec, s.value)

    def s_AugAssign(self, s: A.AugAssign) -> None:
        self.expr(s.target)  # a read, then a write
        self.expr(s.value)
        if isinstance(s.target, A.Name):
            self.bind(self.key_of(s.target.ref), _Binding("value"), s.target.name, s.target.start)

    def s_FnDecl(self, s: A.FnDecl) -> None:
        self.bind(self.key_of_var(s.var), _Binding("fn", s.fn), s.name, s.start)
        self.function(s.fn)

    def s_ClassDecl(self, s: A.ClassDecl) -> None:
        if s.parent is not None:
            self.expr(s.parent)
        self.bind(self.key_of_var(s.var), _Binding("class", s), s.name, s.start)
        for m in s.methods:
            self.function(m.fn)

    def s_While(self, s: A.While) -> None:
        self.expr(s.cond)
        self.loop(s.body)

    def s_For(self, s: A.For) -> None:
        self.expr(s.iterable)
        for p in pattern_names(s.target):
            self.bind(self.key_of_var(p.var), _Binding("value"), p.name, p.start)
        self.loop(s.body)

    def loop(self, body: A.Block) -> None:
        self.loops += 1
        self.block(body.stmts)
        self.loops -= 1

    def s_Return(self, s: A.Return) -> None:
        if s.value is not None:
            self.expr(s.value)

    def s_Break(self, s: A.Break) -> None:
        if not self.loops:
            self.report(s.start, s.end, "E007", "'break' outside a loop",
                        "break leaves the while or for loop around it; there is none here")

    def s_Continue(self, s: A.Continue) -> None:
        if not self.loops:
            self.report(s.start, s.end, "E007", "'continue' outside a loop",
                        "continue starts the next turn of the while or for loop around it; "
                        "there is none here")

    def s_Try(self, s: A.Try) -> None:
        self.tries += 1
        self.block(s.body.stmts)
        self.tries -= 1
        if s.name is not None:
            self.bind(self.key_of_var(s.var), _Binding("value"), s.name, s.handler.start)
        self.block(s.handler.stmts)

    e_Try = s_Try  # try/catch in expression position (`let n = try {...} catch e {...}`)

    def s_Free(self, s: A.Free) -> None:
        self.expr(s.name)
        if s.name.ref is not None and s.name.ref.kind == "free":
            self.report(s.start, s.end, "E001", "cannot free a variable of an enclosing function")

    def s_Import(self, s: A.Import) -> None:
        for module, alias, pname in s.items:
            self.import_module(module, pname.start)
            key = self.key_of_var(pname.var)
            self.bind(key, _Binding("module", module=module), alias, pname.start)
            self.imports.append((key, pname, alias, self.tries > 0))

    def s_FromImport(self, s: A.FromImport) -> None:
        info = self.import_module(s.module, self.source.text.find(s.module, s.start + 4))
        for member, alias, pname in s.names:
            if info is not None:
                self.check_member(info, member, pname.start, pname.start + len(member))
            key = self.key_of_var(pname.var)
            self.bind(key, _Binding("member", module=s.module, member=member), alias, pname.start)
            self.imports.append((key, pname, alias, self.tries > 0))

    def import_module(self, name: str, start: int) -> ModuleInfo | None:
        """The imported module's exports (None when unknown); E005 when no module of
        that name exists (not inside a `try`: there the failure is expected)."""
        if self.modules.exists(name, self.dir):
            return self.modules.info(name, self.dir)
        if not self.tries:
            near = self.modules.near(name)
            help = f"install it with: axiom pkg install {name}"
            if near:
                help += f" (or did you mean {', '.join(near)}?)"
            self.report(start, start + len(name), "E005", f"no module named '{name}'", help)
        return None

    def check_member(self, info: ModuleInfo, member: str, start: int, end: int) -> None:
        if member in info.exports or not info.complete:
            return
        public = [n for n in info.exports if not n.startswith("_")]
        near = difflib.get_close_matches(member, public, 3)
        help = f"did you mean {', '.join(near)}?" if near else f"its exports: axiom mod info {info.name}"
        self.report(start, end, "E006", f"module '{info.name}' has no member '{member}'", help)

    def check_fixed(self, name: str, spec: Any, value: A.Node) -> None:
        """E009/E010 for a value stored in `let name(spec)`, when its type (and size) is
        certain from the text; the wording is the runtime's (intrinsics.check_fixed)."""
        kind, size = _static_kind(value)
        if kind is None:
            return
        declared = f"'{name}' is declared as {name}({spec})"
        if isinstance(spec, int):
            if kind == "str" and size is not None and size > spec:
                self.report(value.start, value.end, "E010",
                            f"'{name}' holds at most {spec} bytes; this str has {size}", declared)
            elif kind == "list" and size is not None and size > spec:
                self.report(value.start, value.end, "E010",
                            f"'{name}' holds at most {spec} items; this list has {size}", declared)
            elif kind not in ("str", "list"):
                self.report(value.start, value.end, "E009",
                            f"'{name}' has a capacity, so it holds a str or a list, not {kind}", declared)
            return
        want = {"i64": "int", "f64": "float"}.get(spec, spec)
        if want == "any" or kind == want or (want == "float" and kind == "int"):
            return
        self.report(value.start, value.end, "E009", f"'{name}' is declared {spec}: cannot store {kind}",
                    declared)

    # -- expressions ---------------------------------------------------------------------
    def expr(self, e: A.Node) -> None:
        t = type(e)
        if t is A.Name:
            self.name(e)  # type: ignore[arg-type]
        elif t is A.Literal:
            pass
        elif t is A.Binary or t is A.Logical:
            spine = []  # the left spine, without recursion: a flat chain may be very long
            while type(e) is A.Binary or type(e) is A.Logical:
                spine.append(e)
                e = e.left  # type: ignore[attr-defined]
            self.expr(e)
            for node in reversed(spine):
                self.expr(node.right)  # type: ignore[attr-defined]
        else:
            getattr(self, "e_" + t.__name__, self.children)(e)

    def name(self, e: A.Name) -> None:
        ref = e.ref
        if ref is None:
            return
        self.reads.add(self.key_of(ref))
        if ref.kind == "global" and e.name not in self.globals and not self.is_builtin(e.name):
            self.undefined.append(e)

    def is_builtin(self, name: str) -> bool:
        return name in _BUILTIN_VALUES or self.builtin(name) is not None

    def builtin(self, name: str) -> Any:
        if name not in self._builtins:
            from .prelude import builtin_named
            self._builtins[name] = builtin_named(name)
        return self._builtins[name]

    def e_Call(self, e: A.Call) -> None:
        self.expr(e.func)
        self.arguments(e.args, e.kwargs)
        if isinstance(e.func, A.Name) and e.func.ref is not None:
            self.calls.append((e, self.key_of(e.func.ref), e.func.name, len(e.args),
                               [k for k, _ in e.kwargs]))

    def e_MethodCall(self, e: A.MethodCall) -> None:
        self.expr(e.obj)
        self.arguments(e.args, e.kwargs)
        if isinstance(e.obj, A.Name) and e.obj.ref is not None:
            key = self.key_of(e.obj.ref)
            self.members.append((e, key, e.name))
            self.calls.append((e, ("member", key, e.name), e.name, len(e.args), [k for k, _ in e.kwargs]))

    def arguments(self, args: list[A.Node], kwargs: list[tuple[str, A.Node]]) -> None:
        for a in args:
            self.expr(a)
        for _, v in kwargs:
            self.expr(v)

    def e_Attr(self, e: A.Attr) -> None:
        self.expr(e.obj)
        if isinstance(e.obj, A.Name) and e.obj.ref is not None:
            self.members.append((e, self.key_of(e.obj.ref), e.name))

    def e_FnExpr(self, e: A.FnExpr) -> None:
        self.function(e)

    def e_IfExpr(self, e: A.IfExpr) -> None:
        self.expr(e.cond)
        for branch in (e.then, e.orelse):
            if isinstance(branch, A.Block):
                self.block(branch.stmts)
            elif branch is not None:
                self.expr(branch)

    def function(self, fn: A.FnExpr) -> None:
        loops, tries = self.loops, self.tries
        self.loops = self.tries = 0  # a loop or try around a function is not around its body
        self.functions += 1
        for p in fn.params:
            if p.default is not None:
                self.expr(p.default)
            self.bind(self.key_of_var(p.var), _Binding("value"), p.name, p.start)
        if isinstance(fn.body, A.Block):
            self.block(fn.body.stmts)
        else:
            self.expr(fn.body)
        self.loops, self.tries = loops, tries
        self.functions -= 1

    # -- after the walk ------------------------------------------------------------------
    def report_undefined(self) -> None:
        from .prelude import _BUILTIN_FNS
        candidates = sorted(set(self.declared_at) | self.globals | set(_BUILTIN_FNS) | _BUILTIN_VALUES)
        from .errors import HABITS
        for e in self.undefined:
            help = HABITS.get(e.name)  # `print`, `null`...: what Axiom writes instead
            if help is None and e.name in self.declared_at:
                help = (f"a '{e.name}' is declared on line {self.declared_at[e.name]}, but not in "
                        "a scope that reaches here (a `let` counts from its own line on; a `fn` "
                        "declaration is hoisted to the top of its block)")
            elif help is None:
                near = difflib.get_close_matches(e.name, candidates, 3)
                if near:
                    help = "did you mean " + ", ".join(f"'{n}'" for n in near) + "?"
            self.report(e.start, e.end, "E002", f"undefined name '{e.name}'", help)

    def signature_of(self, key: Any, name: str) -> Signature | None:
        """What a call of `key` must match, when it is certain."""
        if isinstance(key, tuple) and key[0] == "member":
            b = self.single(key[1])
            if b is None or b.kind != "module":
                return None
            info = self.modules.info(b.module, self.dir)
            return info.exports.get(key[2]) if info is not None and info.complete else None
        if isinstance(key, tuple) and key not in self.bindings:  # a global bound nowhere
            export = self.builtin(name) if name not in self.globals else None
            return export_signature(export) if export is not None else None
        b = self.single(key)
        if b is None:
            return None
        if b.kind == "fn":
            return fn_signature(f"{name}()", b.node, self.source)
        if b.kind == "class":
            return self.class_signature(b.node)
        if b.kind == "member":
            info = self.modules.info(b.module, self.dir)
            if info is not None and info.complete:
                return info.exports.get(b.member)
        return None

    def class_signature(self, cls: A.ClassDecl, depth: int = 0) -> Signature | None:
        """A class call runs `init` (its own or its parent's) without `self`."""
        for m in cls.methods:
            if m.name == "init":
                sig = fn_signature(f"{cls.name}()", m.fn, self.source, skip_self=True)
                sig.where = f"{cls.name}'s init, {sig.where}"
                return sig
        if cls.parent is None:
            line = self.source.position(cls.start)[0]
            return Signature(f"{cls.name}()", [], where=f"class {cls.name} at line {line}, which has no init",
                             no_init=True)
        if isinstance(cls.parent, A.Name) and cls.parent.ref is not None and depth < 50:
            b = self.single(self.key_of(cls.parent.ref))
            if b is not None and b.kind == "class":
                inherited = self.class_signature(b.node, depth + 1)
                if inherited is not None:
                    inherited.name = f"{cls.name}()"
                return inherited
        return None

    def report_calls(self) -> None:
        for node, key, name, nargs, kwnames in self.calls:
            sig = self.signature_of(key, name)
            found = sig.check(nargs, kwnames) if sig is not None else None
            if found is not None:
                code, message, help = found
                self.report(node.start, node.end, code, message, help)

    def report_members(self) -> None:
        for node, key, member in self.members:
            b = self.single(key)
            if b is None or b.kind != "module":
                continue
            info = self.modules.info(b.module, self.dir)
            if info is None:
                continue
            obj = node.obj  # type: ignore[attr-defined]
            start = self.source.text.find(member, obj.end, node.end)
            end = start + len(member)
            if start < 0:
                start, end = node.start, node.end
            self.check_member(info, member, start, end)

    def report_unused(self) -> None:
        for var, node, how in self.locals:
            if var.name.startswith("_") or var.name == "self" or var.hidden or var in self.reads:
                continue
            others = [n for n in self.declared_at if n != var.name]
            near = difflib.get_close_matches(var.name, others, 1) if how == "assign" else []
            if near:
                help = (f"did you mean '{near[0]}'? (assigning to a name bound nowhere declares "
                        "a new variable)")
            else:
                help = f"remove it, or name it _{var.name} if it is meant to be unused"
            self.report(node.start, node.end, "W002", f"unused variable '{var.name}'", help)
        for key, node, name, in_try in self.imports:
            if not in_try and not name.startswith("_") and key not in self.reads:
                self.report(node.start, node.end, "W003", f"unused import '{name}'", "remove the import")


def _static_kind(e: A.Node) -> tuple[str | None, int | None]:
    """The type a literal-like expression certainly has, and its size when known (the
    UTF-8 bytes of a str, the items of a list)."""
    t = type(e)
    if t is A.Literal:
        v = e.value  # type: ignore[attr-defined]
        if v is None:
            return "nil", None
        if isinstance(v, bool):
            return "bool", None
        if isinstance(v, int):
            return "int", None
        if isinstance(v, float):
            return "float", None
        if isinstance(v, str):
            return "str", len(v.encode("utf-8"))
        return None, None
    if t is A.Interp or t is A.Render:
        return "str", None
    if t is A.ListLit:
        return "list", len(e.items)  # type: ignore[attr-defined]
    if t is A.ListRepeat:
        count = e.count  # type: ignore[attr-defined]
        if type(count) is A.Literal and type(count.value) is int:
            return "list", max(count.value, 0)
        return "list", None
    if t is A.DictLit:
        return "dict", None
    if t is A.FnExpr:
        return "function", None
    if t is A.Unary:
        if e.op == "!":  # type: ignore[attr-defined]
            return "bool", None
        kind = _static_kind(e.operand)[0]  # type: ignore[attr-defined]
        return (kind, None) if kind in ("int", "float") else (None, None)
    return None, None


# --- files and output ----------------------------------------------------------------

def ax_files(paths: list[str]) -> list[str]:
    """The files named, and the .ax files under the folders named (recursively, sorted;
    hidden folders and `__axcache__` skipped). Raises FileNotFoundError for a path that
    does not exist."""
    out: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__axcache__")
                out += [os.path.join(root, f) for f in sorted(files) if f.endswith(".ax")]
        elif os.path.exists(p):
            out.append(p)
        else:
            raise FileNotFoundError(p)
    return out


def read_text(path: str) -> str:
    """A file's text (UTF-8); OSError or UnicodeDecodeError when it has none."""
    with open(path, "rb") as f:
        raw = f.read()
    return raw.decode("utf-8")


def check_file(path: str, settings: dict[str, Any]) -> list[Diagnostic]:
    try:
        text = read_text(path)
    except OSError as e:
        return [Diagnostic(path, 1, 1, 2, "error", "E001", f"cannot read {path}: {e.strerror or e}")]
    except UnicodeDecodeError as e:
        return [Diagnostic(path, 1, 1, 2, "error", "E001", f"{path} is not valid UTF-8 (byte {e.start})")]
    return check_source(text, path, settings)


_STYLES: Final = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "help": "\x1b[1;36m",
                  "bold": "\x1b[1m", "gutter": "\x1b[1;34m", "reset": "\x1b[0m"}


def render(d: Diagnostic, colour: bool = False) -> str:
    """One diagnostic as a block of text: the header, the source line with a caret
    under the span, and the help line when a fix is known."""
    c = _STYLES if colour else dict.fromkeys(_STYLES, "")
    num = str(d.line)
    pad = " " * (len(num) + 1)
    mark, bold, gutter, reset = c[d.severity], c["bold"], c["gutter"], c["reset"]
    lines = [f"{bold}{d.file}:{d.line}:{d.col}:{reset} {mark}{d.severity}[{d.code}]{reset}"
             f"{bold}: {d.message}{reset}"]
    if d.source_line:
        src = d.source_line.replace("\t", " ")
        width = max(1, min(d.end_col, len(src) + 1) - d.col)
        lines.append(f"{gutter}{pad} |{reset}")
        lines.append(f"{gutter} {num} |{reset} {src}")
        lines.append(f"{gutter}{pad} |{reset} " + " " * (d.col - 1) + f"{mark}{'^' * width}{reset}")
    if d.help:
        lines.append(f"{gutter}{pad} ={reset} {c['help']}help{reset}: {d.help}")
    return "\n".join(lines) + "\n"


def summary(diags: list[Diagnostic], nfiles: int) -> str:
    errors = sum(1 for d in diags if d.severity == "error")
    warnings = len(diags) - errors
    files = f"{nfiles} file" + ("" if nfiles == 1 else "s")
    if not diags:
        return f"checked {files}: no problems\n"
    parts = []
    if errors:
        parts.append(f"{errors} error" + ("" if errors == 1 else "s"))
    if warnings:
        parts.append(f"{warnings} warning" + ("" if warnings == 1 else "s"))
    return f"checked {files}: {', '.join(parts)}\n"


def use_colour(stream: Any) -> bool:
    """Colour only on a terminal, and never under NO_COLOR (non-empty) or TERM=dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
