"""Resolver: scopes, slots and captured cells, before compiling.

Pipeline position: after parser.py, before compiler.py. Imports ast only.

Every function (and the main program) gets a FunctionScope that numbers its local
*slots*; every `{}` block gets a BlockScope of names. Each declaration is a Var. A Name
is resolved to a Ref:
    Ref("local", var)    a slot of the current function (a Cell in that slot when
                         var.captured: some inner function uses it)
    Ref("free", index)   a captured variable of an enclosing function, reached through
                         the running closure's cells
    Ref("global", name)  the module's globals (the main program's outermost block),
                         then the built-ins; unknown names resolve here and fail at run
                         time with UndefinedVariable.
Rules (LANGUAGE.md §4): `let` declares in the current block and its name is in scope
in its own initialiser; `x = v` assigns the nearest enclosing binding, else declares x
in the current block (top-level names of the program count as bindings everywhere);
named functions are hoisted within their block; loop variables and everything declared
in a loop body are fresh each iteration (the compiler makes new cells at block entry).
"""

from __future__ import annotations

from typing import Any

from . import ast as A
from .ast import ParseError


class Var:
    """A declared name. `slot` indexes its function's slots (None for globals)."""

    __slots__ = ("name", "slot", "func", "captured", "spec", "is_global", "hidden")

    def __init__(self, name: str, func: FunctionScope | None, slot: int | None, spec: Any = None,
                 hidden: bool = False) -> None:
        self.name = name
        self.func = func
        self.slot = slot
        self.captured = False
        self.spec = spec
        self.is_global = slot is None
        self.hidden = hidden


class Ref:
    __slots__ = ("kind", "var", "index", "name")

    def __init__(self, kind: str, var: Var | None = None, index: int = 0, name: str = "") -> None:
        self.kind = kind
        self.var = var
        self.index = index
        self.name = name


class FunctionScope:
    """Slots and captured variables of one function (or the main program)."""

    def __init__(self, name: str, parent: FunctionScope | None, is_method: bool = False) -> None:
        self.name = name
        self.parent = parent
        self.slot_names: list[str] = []
        self.freevars: list[Var] = []
        self.free_index: dict[Var, int] = {}
        self.params: list[Var] = []
        self.is_method = is_method
        self.class_var: Var | None = None     # the hidden class variable (methods)
        self.fixed_globals: dict[str, Any] = {}

    def new_slot(self, name: str) -> int:
        self.slot_names.append(name)
        return len(self.slot_names) - 1

    def free(self, var: Var) -> int:
        idx = self.free_index.get(var)
        if idx is None:
            idx = self.free_index[var] = len(self.freevars)
            self.freevars.append(var)
        return idx


class BlockScope:
    def __init__(self, func: FunctionScope, parent: BlockScope | None, is_global: bool = False) -> None:
        self.func = func
        self.parent = parent
        self.names: dict[str, Var] = {}
        self.decls: list[Var] = []
        self.is_global = is_global

    def declare(self, name: str, spec: Any = None, hidden: bool = False) -> Var:
        if self.is_global:
            var = self.names.get(name)
            if var is None or spec is not None:
                var = Var(name, None, None, spec)
                self.names[name] = var
            return var
        var = Var(name, self.func, self.func.new_slot(name), spec, hidden)
        self.names[name] = var
        self.decls.append(var)
        return var


def resolve(program: A.Program) -> FunctionScope:
    """Annotate `program` in place; returns the main program's FunctionScope."""
    return Resolver().program(program)


class Resolver:
    def __init__(self) -> None:
        self.block: BlockScope = None  # type: ignore[assignment]
        self.func: FunctionScope = None  # type: ignore[assignment]
        self.top_names: set[str] = set()
        self.globals: BlockScope | None = None

    # -- scopes ----------------------------------------------------------------------
    def program(self, program: A.Program) -> FunctionScope:
        self.func = FunctionScope("main", None)
        self.block = BlockScope(self.func, None, is_global=True)
        self.globals = self.block
        body = program.body
        body.scope = self.block
        self.top_names = _declared_names(body.stmts)
        self._stmts(body.stmts)
        return self.func

    def lookup(self, name: str, start: int, end: int) -> Ref:
        block: BlockScope | None = self.block
        while block is not None:
            var = block.names.get(name)
            if var is not None:
                if var.is_global:
                    return Ref("global", var, name=name)
                if var.func is self.func:
                    return Ref("local", var)
                var.captured = True
                f: FunctionScope | None = self.func
                while f is not None and f is not var.func:
                    idx = f.free(var)
                    if f is self.func:
                        index = idx
                    f = f.parent
                return Ref("free", var, index=index)
            block = block.parent
        return Ref("global", None, name=name)

    def _enter_block(self, node: A.Block) -> BlockScope:
        outer = self.block
        self.block = BlockScope(self.func, outer)
        node.scope = self.block
        return outer

    def block_node(self, node: A.Block) -> None:
        outer = self._enter_block(node)
        self._stmts(node.stmts)
        self.block = outer

    def _stmts(self, stmts: list[A.Node]) -> None:
        for s in stmts:  # hoist named functions
            if isinstance(s, A.FnDecl):
                s.var = self.block.declare(s.name)
        for s in stmts:
            self.stmt(s)

    # -- statements ------------------------------------------------------------------
    def stmt(self, s: A.Node) -> None:
        method = getattr(self, "s_" + type(s).__name__)
        method(s)

    def s_ExprStmt(self, s: A.ExprStmt) -> None:
        self.expr(s.expr)

    def s_Block(self, s: A.Block) -> None:
        self.block_node(s)

    def s_Let(self, s: A.Let) -> None:
        self.declare_pattern(s.target, s.spec)
        self.expr(s.value)

    def declare_pattern(self, pat: A.Node, spec: Any = None) -> None:
        if isinstance(pat, A.PName):
            pat.var = self.block.declare(pat.name, spec)
            if spec is not None and pat.var.is_global:
                self.func.fixed_globals[pat.name] = spec
        else:
            for item in pat.items:  # type: ignore[attr-defined]
                self.declare_pattern(item)

    def s_Assign(self, s: A.Assign) -> None:
        t = s.target
        if isinstance(t, A.Name):
            if t.name == "super":
                raise ParseError("cannot assign to super", t.start, t.end)
            ref = self.lookup(t.name, t.start, t.end)
            if ref.kind == "global" and ref.var is None and not (
                    self.block.is_global or t.name in self.top_names):
                s.declares = self.block.declare(t.name)
                ref = Ref("local", s.declares)
            t.ref = ref
        else:
            self.expr(t)
        self.expr(s.value)

    def s_AugAssign(self, s: A.AugAssign) -> None:
        self.expr(s.target)
        self.expr(s.value)

    def s_FnDecl(self, s: A.FnDecl) -> None:
        self.function(s.fn)

    def s_ClassDecl(self, s: A.ClassDecl) -> None:
        if s.parent is not None:
            self.expr(s.parent)
        s.var = self.block.declare(s.name)
        outer = self.block
        self.block = BlockScope(self.func, outer)
        s.cls_var = self.block.declare(f"<class {s.name}>", hidden=True)
        for m in s.methods:
            if not m.fn.params:
                raise ParseError(f"method '{m.name}' needs a self parameter", m.start, m.end)
            self.function(m.fn, method_of=s.cls_var)
        self.block = outer

    def s_While(self, s: A.While) -> None:
        self.expr(s.cond)
        self.block_node(s.body)

    def s_For(self, s: A.For) -> None:
        self.expr(s.iterable)
        outer = self._enter_block(s.body)
        self.declare_pattern(s.target)
        self._stmts(s.body.stmts)
        self.block = outer

    def s_Return(self, s: A.Return) -> None:
        if self.func.parent is None:
            raise ParseError("return outside a function", s.start, s.end)
        if s.value is not None:
            self.expr(s.value)

    def s_Break(self, s: A.Break) -> None:
        pass

    def s_Continue(self, s: A.Continue) -> None:
        pass

    def s_Throw(self, s: A.Throw) -> None:
        self.expr(s.value)

    def s_Try(self, s: A.Try) -> None:
        self.block_node(s.body)
        outer = self._enter_block(s.handler)
        if s.name is not None:
            s.var = self.block.declare(s.name)
        self._stmts(s.handler.stmts)
        self.block = outer

    def s_Free(self, s: A.Free) -> None:
        self.expr(s.name)

    def s_Out(self, s: A.Out) -> None:
        self.expr(s.value)

    def s_Import(self, s: A.Import) -> None:
        for _, _, pname in s.items:
            self.declare_pattern(pname)

    def s_FromImport(self, s: A.FromImport) -> None:
        for _, _, pname in s.names:
            self.declare_pattern(pname)

    # -- expressions -----------------------------------------------------------------
    def expr(self, e: A.Node) -> None:
        t = type(e)
        if t is A.Name:
            if e.name == "super":  # type: ignore[attr-defined]
                raise ParseError("super can only be used as super.method(...) inside a method",
                                 e.start, e.end)
            e.ref = self.lookup(e.name, e.start, e.end)  # type: ignore[attr-defined]
        elif t is A.Literal:
            pass
        elif t is A.Binary or t is A.Logical:
            # Walk the left spine without recursion: a flat chain may be 100,000 long.
            spine = []
            while type(e) is A.Binary or type(e) is A.Logical:
                spine.append(e)
                e = e.left  # type: ignore[attr-defined]
            self.expr(e)
            for node in reversed(spine):
                self.expr(node.right)  # type: ignore[attr-defined]
        else:
            getattr(self, "e_" + t.__name__)(e)

    e_Try = s_Try  # try/catch in expression position (`let n = try {...} catch e {...}`)

    def e_Interp(self, e: A.Interp) -> None:
        for part in e.parts:
            if not isinstance(part, str):
                self.expr(part[0])

    def e_Render(self, e: A.Render) -> None:
        self.expr(e.expr)

    def e_ListLit(self, e: A.ListLit) -> None:
        for x in e.items:
            self.expr(x)

    def e_ListRepeat(self, e: A.ListRepeat) -> None:
        self.expr(e.item)
        self.expr(e.count)

    def e_DictLit(self, e: A.DictLit) -> None:
        for k, v in e.pairs:
            self.expr(k)
            self.expr(v)

    def e_Unary(self, e: A.Unary) -> None:
        self.expr(e.operand)

    def e_Call(self, e: A.Call) -> None:
        self.expr(e.func)
        for a in e.args:
            self.expr(a)
        for _, v in e.kwargs:
            self.expr(v)

    def e_MethodCall(self, e: A.MethodCall) -> None:
        self.expr(e.obj)
        for a in e.args:
            self.expr(a)
        for _, v in e.kwargs:
            self.expr(v)

    def e_Index(self, e: A.Index) -> None:
        self.expr(e.obj)
        self.expr(e.index)

    def e_Slice(self, e: A.Slice) -> None:
        self.expr(e.obj)
        if e.lo is not None:
            self.expr(e.lo)
        if e.hi is not None:
            self.expr(e.hi)

    def e_Attr(self, e: A.Attr) -> None:
        self.expr(e.obj)

    def e_SuperAttr(self, e: A.SuperAttr) -> None:
        f: FunctionScope | None = self.func
        while f is not None and not f.is_method:
            f = f.parent
        if f is None or f.class_var is None:
            raise ParseError("super used outside a method", e.start, e.end)
        e.cls_ref = self.lookup(f.class_var.name, e.start, e.end)
        e.self_ref = self.lookup(f.params[0].name, e.start, e.end)

    def e_FnExpr(self, e: A.FnExpr) -> None:
        self.function(e)

    def e_IfExpr(self, e: A.IfExpr) -> None:
        self.expr(e.cond)
        self.branch(e.then)
        if e.orelse is not None:
            self.branch(e.orelse)

    def branch(self, node: A.Node) -> None:
        if isinstance(node, A.Block):
            self.block_node(node)
        else:
            self.expr(node)

    def function(self, fn: A.FnExpr, method_of: Var | None = None) -> None:
        outer_func, outer_block = self.func, self.block
        self.func = FunctionScope(fn.name or "<fn>", outer_func, is_method=method_of is not None)
        self.func.class_var = method_of
        fn.scope = self.func
        self.block = BlockScope(self.func, outer_block)
        for prm in fn.params:
            prm.var = self.block.declare(prm.name)
            self.func.params.append(prm.var)
            if prm.default is not None:
                self.expr(prm.default)
        if isinstance(fn.body, A.Block):
            self.block_node(fn.body)
        else:
            self.expr(fn.body)
        self.func, self.block = outer_func, outer_block


def _declared_names(stmts: list[A.Node]) -> set[str]:
    """Names the main program binds at its top level (let, fn, class, import, x = v)."""
    names: set[str] = set()

    def pattern(p: A.Node) -> None:
        if isinstance(p, A.PName):
            names.add(p.name)
        else:
            for x in p.items:  # type: ignore[attr-defined]
                pattern(x)

    for s in stmts:
        if isinstance(s, A.Let):
            pattern(s.target)
        elif isinstance(s, (A.FnDecl, A.ClassDecl)):
            names.add(s.name)
        elif isinstance(s, A.Import):
            names.update(alias for _, alias, _ in s.items)
        elif isinstance(s, A.FromImport):
            names.update(alias for _, alias, _ in s.names)
        elif isinstance(s, A.Assign) and isinstance(s.target, A.Name):
            names.add(s.target.name)
    return names
