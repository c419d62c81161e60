"""Compiler: resolved AST -> bytecode (Code objects).

Pipeline position: after resolve.py, before optimizer.py. Imports ast, resolve and
bytecode only.

Every emit records the source span of the node it came from, so the line table is
built while emitting. The compiler tracks the static depth of the operand stack so
that `break` and `continue` leave expressions cleanly, and marks calls in tail position
(the last expression of a function body, through `if` branches and blocks, outside any
`try`) as TAIL_CALL.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, Final

from . import ast as A
from .ast import ParseError, Source
from .bytecode import INFO, Code, Op, const_key, stack_effect
from .resolve import FunctionScope, Ref, Var

_BINOPS = {"+": Op.ADD, "-": Op.SUB, "*": Op.MUL, "/": Op.DIV, "%": Op.MOD, "==": Op.EQ,
           "!=": Op.NE, "<": Op.LT, "<=": Op.LE, ">": Op.GT, ">=": Op.GE, "in": Op.IN}

# Per opcode, its stack effect, or None when it depends on the argument (stack_effect).
_EFFECTS: Final = [INFO[op].effect if op in INFO else None for op in range(max(INFO) + 1)]


class Loop:
    __slots__ = ("continue_target", "breaks", "continues", "outer_depth", "body_depth", "tries")

    def __init__(self, outer_depth: int, body_depth: int, tries: int) -> None:
        self.continue_target = -1
        self.breaks: list[int] = []
        self.continues: list[int] = []
        self.outer_depth = outer_depth
        self.body_depth = body_depth
        self.tries = tries


CHECK_EVERY: Final = 1024  # statements between two calls of compile_program's `check`


def compile_program(program: A.Program, scope: FunctionScope,
                    check: Callable[[], None] | None = None) -> Code:
    """Compile a resolved program to its main Code. `check()`, when given, is called
    every CHECK_EVERY statements and may raise (a Runtime's time and memory limits)."""
    old = sys.getrecursionlimit()
    if old < 20000:
        sys.setrecursionlimit(20000)
    try:
        c = FnCompiler("main", scope, program.source, None)
        c.check = check
        c.block(program.body, want_value=True)
        c.emit(Op.HALT, 0, program.body)
        return c.finish()
    finally:
        if old < 20000:
            sys.setrecursionlimit(old)


class FnCompiler:
    """Compiles one function (or the main program) into one Code."""

    def __init__(self, name: str, scope: FunctionScope, source: Source, parent: FnCompiler | None) -> None:
        self.code = Code(name, source.filename)
        self.scope = scope
        self.source = source
        self.parent = parent
        self.root: FnCompiler = parent.root if parent is not None else self  # the main program's
        self.check: Callable[[], None] | None = None  # (root only) compile_program's check
        self.statements = 0  # (root only) statements compiled, for `check`
        self.depth = 0
        self.loops: list[Loop] = []
        self.tries = 0
        self._const_index: dict[Any, int] = {}
        self._pos_cache: tuple[int, int, tuple[int, int, int]] = (-1, -1, (0, 0, 0))
        self.slot_ranges: dict[int, tuple[int, int]] = {}  # slot -> (first ip, end ip)

    # -- emitting --------------------------------------------------------------------
    def pos(self, node: Any) -> tuple[int, int, int]:
        start, end = node.start, node.end
        if self._pos_cache[0] == start and self._pos_cache[1] == end:
            return self._pos_cache[2]
        p = self.source.span(start, end)
        self._pos_cache = (start, end, p)
        return p

    def emit(self, op: int, arg: int, node: Any) -> int:
        """Append `op arg` at `node`'s position, tracking the stack depth (bytecode's
        table gives each op's effect)."""
        code = self.code
        ops = code.ops
        ops.append((op, arg))
        start, end = node.start, node.end
        cache = self._pos_cache  # self.pos(node), inline: emit runs for every instruction
        if cache[0] == start and cache[1] == end:
            code.lines.append(cache[2])
        else:
            p = self.source.span(start, end)
            self._pos_cache = (start, end, p)
            code.lines.append(p)
        effect = _EFFECTS[op]
        self.depth += effect if effect is not None else stack_effect(op, arg, code.consts)
        return len(ops) - 1

    def here(self) -> int:
        return len(self.code.ops)

    def patch(self, at: int, target: int | None = None) -> None:
        op, _ = self.code.ops[at]
        self.code.ops[at] = (op, self.here() if target is None else target)

    def const(self, value: Any) -> int:
        """The index of `value` in the constant table, shared with an identical constant
        (bytecode.const_key: same type and bits)."""
        t = type(value)
        key = (t, value) if t is str or t is int else const_key(value)  # (const_key, inline)
        if key is not None:
            idx = self._const_index.get(key)
            if idx is not None:
                return idx
        self.code.consts.append(value)
        idx = len(self.code.consts) - 1
        if key is not None:
            self._const_index[key] = idx
        return idx

    def load_const(self, value: Any, node: Any) -> None:
        self.emit(Op.LOAD_CONST, self.const(value), node)

    def finish(self) -> Code:
        self.code.nslots = len(self.scope.slot_names)
        self.code.slot_names = tuple(self.scope.slot_names)
        whole = (0, len(self.code.ops))  # parameters and hidden slots: the whole function
        self.code.slot_ranges = tuple(self.slot_ranges.get(i, whole) for i in range(self.code.nslots))
        return self.code

    # -- variables -------------------------------------------------------------------
    def load_ref(self, ref: Ref, node: Any) -> None:
        if ref.kind == "local":
            var = ref.var
            assert var is not None
            self.emit(Op.LOAD_CELL if var.captured else Op.LOAD_VAR, var.slot or 0, node)  # type: ignore[arg-type]
        elif ref.kind == "free":
            self.emit(Op.LOAD_FREE, ref.index, node)
        else:
            self.emit(Op.LOAD_GLOBAL, self.const(ref.name), node)

    def store_ref(self, ref: Ref, node: Any) -> None:
        if ref.var is not None and ref.var.spec is not None:
            self.emit(Op.CHECK_FIXED, self.const(_spec_const(ref.var)), node)
        if ref.kind == "local":
            self.store_var(ref.var, node)  # type: ignore[arg-type]
        elif ref.kind == "free":
            self.emit(Op.STORE_FREE, ref.index, node)
        else:
            self.emit(Op.STORE_GLOBAL, self.const(ref.name), node)

    def store_var(self, var: Var, node: Any) -> None:
        if var.is_global:
            self.emit(Op.STORE_GLOBAL, self.const(var.name), node)
        elif var.captured:
            self.emit(Op.STORE_CELL, var.slot, node)  # type: ignore[arg-type]
        else:
            self.emit(Op.STORE_VAR, var.slot, node)  # type: ignore[arg-type]

    def store_pattern(self, pat: A.Node) -> None:
        if isinstance(pat, A.PName):
            self.store_var(pat.var, pat)
            return
        items = pat.items  # type: ignore[attr-defined]
        self.emit(Op.UNPACK, len(items), pat)
        for item in items:
            self.store_pattern(item)

    # -- blocks ----------------------------------------------------------------------
    def enter_scope(self, scope: Any, node: A.Node) -> int:
        """Fresh cells for the block's captured variables (so every loop iteration gets
        its own). Returns where the scope starts, for leave_scope."""
        start = self.here()
        for var in scope.decls:
            if var.captured:
                self.emit(Op.NEW_CELL, var.slot, node)
        return start

    def leave_scope(self, scope: Any, start: int) -> None:
        """Record the instructions where the block's variables are in scope (an error
        report shows only those)."""
        for var in scope.decls:
            self.slot_ranges[var.slot] = (start, self.here())

    def hoist(self, stmts: list[A.Node]) -> None:
        for s in stmts:
            if isinstance(s, A.FnDecl):
                self.function(s.fn, s)
                self.store_var(s.var, s)

    def block(self, node: A.Block, want_value: bool, tail: bool = False) -> None:
        start = self.enter_scope(node.scope, node)
        self.body(node.stmts, want_value, tail, node)
        self.leave_scope(node.scope, start)

    def body(self, stmts: list[A.Node], want_value: bool, tail: bool, node: A.Node) -> None:
        self.hoist(stmts)
        n = len(stmts)
        for i, s in enumerate(stmts):
            if want_value and i == n - 1:
                if isinstance(s, A.ExprStmt):
                    self.expr(s.expr, tail)
                    return
                if isinstance(s, A.Block):
                    self.block(s, True, tail)
                    return
                if isinstance(s, A.Try):
                    self.try_(s, True)
                    return
            self.stmt(s)
        if want_value:
            self.load_const(None, stmts[-1] if stmts else node)

    # -- statements ------------------------------------------------------------------
    def stmt(self, s: A.Node) -> None:
        root = self.root
        if root.check is not None:
            root.statements += 1
            if not root.statements % CHECK_EVERY:
                root.check()
        getattr(self, "s_" + type(s).__name__)(s)

    def s_ExprStmt(self, s: A.ExprStmt) -> None:
        e = s.expr
        if isinstance(e, A.IfExpr) and isinstance(e.then, A.Block):
            self.if_(e, want_value=False)  # a statement: no value to make and drop
            return
        self.expr(e)
        self.emit(Op.POP, 0, s)

    def s_Block(self, s: A.Block) -> None:
        self.block(s, want_value=False)

    def s_Let(self, s: A.Let) -> None:
        self.expr(s.value)
        if s.spec is not None:
            self.emit(Op.ALLOC_FIXED, self.const(_spec_const(s.target.var)), s)  # type: ignore[attr-defined]
        self.store_pattern(s.target)

    def s_Assign(self, s: A.Assign) -> None:
        t = s.target
        if isinstance(t, A.Name):
            self.expr(s.value)
            self.store_ref(t.ref, t)
        elif isinstance(t, A.Attr):
            self.expr(t.obj)
            self.expr(s.value)
            self.emit(Op.SET_ATTR, self.const(t.name), t)
        else:
            assert isinstance(t, A.Index)
            self.expr(t.obj)
            self.expr(t.index)
            self.expr(s.value)
            self.emit(Op.SET_INDEX, 0, t)

    def s_AugAssign(self, s: A.AugAssign) -> None:
        t = s.target
        op = _BINOPS[s.op]
        if isinstance(t, A.Name):
            self.load_ref(t.ref, t)
            self.expr(s.value)
            self.emit(op, 0, s)
            self.store_ref(t.ref, t)
        elif isinstance(t, A.Attr):
            self.expr(t.obj)
            self.emit(Op.DUP, 0, t)
            self.emit(Op.GET_ATTR, self.const(t.name), t)
            self.expr(s.value)
            self.emit(op, 0, s)
            self.emit(Op.SET_ATTR, self.const(t.name), t)
        else:
            assert isinstance(t, A.Index)
            self.expr(t.obj)
            self.expr(t.index)
            self.emit(Op.DUP2, 0, t)
            self.emit(Op.INDEX, 0, t)
            self.expr(s.value)
            self.emit(op, 0, s)
            self.emit(Op.SET_INDEX, 0, t)

    def s_FnDecl(self, s: A.FnDecl) -> None:
        pass  # hoisted to the start of its block

    def s_ClassDecl(self, s: A.ClassDecl) -> None:
        if s.parent is not None:
            self.expr(s.parent)
        else:
            self.load_const(None, s)
        self.emit(Op.MAKE_CLASS, self.const(s.name), s)
        cls_var = s.cls_var
        if cls_var.captured:
            self.emit(Op.NEW_CELL, cls_var.slot, s)
        self.emit(Op.DUP, 0, s)
        self.store_var(cls_var, s)
        for m in s.methods:
            self.function(m.fn, m)
            self.emit(Op.ADD_METHOD, self.const(m.name), m)
        self.store_var(s.var, s)

    #   while:  continue: <cond>  JUMP_IF_FALSE end  <body>  JUMP continue  end:
    def s_While(self, s: A.While) -> None:
        loop = Loop(self.depth, self.depth, self.tries)
        loop.continue_target = self.here()
        self.expr(s.cond)
        exit_jump = self.emit(Op.JUMP_IF_FALSE, 0, s.cond)
        self.loops.append(loop)
        self.block(s.body, want_value=False)
        self.loops.pop()
        self.emit(Op.JUMP, loop.continue_target, s)
        self.patch(exit_jump)
        for b in loop.breaks:
            self.patch(b)
        for c in loop.continues:
            self.patch(c, loop.continue_target)

    #   for:  <iterable> GET_ITER  continue: FOR_ITER end  <cells> <store> <body>
    #         JUMP continue  end:          (FOR_ITER pops the iterator when done)
    def s_For(self, s: A.For) -> None:
        self.expr(s.iterable)
        self.emit(Op.GET_ITER, 0, s.iterable)
        outer = self.depth - 1
        loop = Loop(outer, self.depth, self.tries)
        loop.continue_target = self.here()
        exit_jump = self.emit(Op.FOR_ITER, 0, s)
        self.loops.append(loop)
        start = self.enter_scope(s.body.scope, s.body)
        self.store_pattern(s.target)
        self.body(s.body.stmts, False, False, s.body)
        self.leave_scope(s.body.scope, start)
        self.loops.pop()
        self.emit(Op.JUMP, loop.continue_target, s)
        self.patch(exit_jump)
        self.depth = outer
        for b in loop.breaks:
            self.patch(b)
        for c in loop.continues:
            self.patch(c, loop.continue_target)

    def _leave(self, loop: Loop, depth: int, node: A.Node) -> None:
        for _ in range(self.tries - loop.tries):
            self.emit(Op.POP_TRY, 0, node)
        saved = self.depth
        for _ in range(saved - depth):
            self.emit(Op.POP, 0, node)
        self.depth = saved

    def s_Break(self, s: A.Break) -> None:
        if not self.loops:
            raise ParseError("break outside a loop", s.start, s.end)
        loop = self.loops[-1]
        self._leave(loop, loop.outer_depth, s)
        loop.breaks.append(self.emit(Op.JUMP, 0, s))

    def s_Continue(self, s: A.Continue) -> None:
        if not self.loops:
            raise ParseError("continue outside a loop", s.start, s.end)
        loop = self.loops[-1]
        self._leave(loop, loop.body_depth, s)
        loop.continues.append(self.emit(Op.JUMP, 0, s))

    def s_Return(self, s: A.Return) -> None:
        if s.value is None:
            self.load_const(None, s)
        else:
            self.expr(s.value, tail=True)
        self.emit(Op.RETURN, 0, s)

    def s_Throw(self, s: A.Throw) -> None:
        self.expr(s.value)
        self.emit(Op.THROW, 0, s)

    def s_Try(self, s: A.Try) -> None:
        self.try_(s, False)

    #   try:  SETUP_TRY handler  <body>  POP_TRY  JUMP after
    #         handler: (error on the stack) <store or POP> <handler body>  after:
    def try_(self, s: A.Try, want_value: bool) -> None:
        setup = self.emit(Op.SETUP_TRY, 0, s)
        base = self.depth
        self.tries += 1
        self.block(s.body, want_value)
        self.tries -= 1
        self.emit(Op.POP_TRY, 0, s)
        done = self.emit(Op.JUMP, 0, s)
        self.patch(setup)
        self.depth = base + 1  # the error
        start = self.enter_scope(s.handler.scope, s.handler)
        if s.var is not None:
            self.store_var(s.var, s)
        else:
            self.emit(Op.POP, 0, s)
        self.body(s.handler.stmts, want_value, False, s.handler)
        self.leave_scope(s.handler.scope, start)
        self.patch(done)

    def e_Try(self, e: A.Try) -> None:
        self.try_(e, True)  # in expression position: leaves the value of the block that ran

    def s_Free(self, s: A.Free) -> None:
        ref = s.name.ref
        if ref.kind == "local":
            self.emit(Op.FREE_VAR, ref.var.slot, s)
        elif ref.kind == "global":
            self.emit(Op.FREE_GLOBAL, self.const(ref.name), s)
        else:
            raise ParseError("cannot free a variable of an enclosing function", s.start, s.end)

    def s_Out(self, s: A.Out) -> None:
        self.expr(s.value)
        self.emit(Op.OUT, 1 if s.stderr else 0, s)

    def s_Import(self, s: A.Import) -> None:
        for name, _, pname in s.items:
            self.emit(Op.IMPORT, self.const(name), pname)
            self.store_var(pname.var, pname)

    def s_FromImport(self, s: A.FromImport) -> None:
        self.emit(Op.IMPORT, self.const(s.module), s)
        for name, _, pname in s.names:
            self.emit(Op.IMPORT_FROM, self.const(name), pname)
            self.store_var(pname.var, pname)
        self.emit(Op.POP, 0, s)

    # -- expressions -----------------------------------------------------------------
    def expr(self, e: A.Node, tail: bool = False) -> None:
        t = type(e)
        if t is A.Literal:
            self.load_const(e.value, e)  # type: ignore[attr-defined]
        elif t is A.Name:
            self.load_ref(e.ref, e)  # type: ignore[attr-defined]
        elif t is A.Binary:
            self.binary(e)  # type: ignore[arg-type]
        elif t is A.Call:
            self.call(e, tail)  # type: ignore[arg-type]
        elif t is A.IfExpr:
            self.if_(e, want_value=True, tail=tail)  # type: ignore[arg-type]
        else:
            getattr(self, "e_" + t.__name__)(e)

    def binary(self, e: A.Binary) -> None:
        spine = []
        node: A.Node = e
        while type(node) is A.Binary:
            spine.append(node)
            node = node.left  # type: ignore[attr-defined]
        self.expr(node)
        for b in reversed(spine):
            self.expr(b.right)
            if b.op in ("..", "..="):
                self.emit(Op.MAKE_RANGE, 1 if b.op == "..=" else 0, b)
            else:
                self.emit(_BINOPS[b.op], 0, b)

    def e_Logical(self, e: A.Logical) -> None:
        spine = []
        node: A.Node = e
        while type(node) is A.Logical:
            spine.append(node)
            node = node.left  # type: ignore[attr-defined]
        self.expr(node)
        for lg in reversed(spine):
            op = Op.JUMP_IF_FALSE_OR_POP if lg.op == "and" else Op.JUMP_IF_TRUE_OR_POP
            jump = self.emit(op, 0, lg)
            self.expr(lg.right)
            self.patch(jump)

    def e_Unary(self, e: A.Unary) -> None:
        self.expr(e.operand)
        self.emit(Op.NEG if e.op == "-" else Op.NOT, 0, e)

    def e_Render(self, e: A.Render) -> None:
        self.expr(e.expr)
        if not isinstance(e.expr, A.Interp):
            self.emit(Op.RENDER, 0, e)

    def e_Interp(self, e: A.Interp) -> None:
        n = 0
        for part in e.parts:
            if isinstance(part, str):
                self.load_const(part, e)
            else:
                expr, spec = part
                self.expr(expr)
                if spec is None:
                    self.emit(Op.RENDER, 0, expr)
                else:
                    self.emit(Op.FORMAT, self.const(spec), expr)
            n += 1
        if n == 0:
            self.load_const("", e)
        elif n > 1:
            self.emit(Op.BUILD_STR, n, e)

    def e_ListLit(self, e: A.ListLit) -> None:
        for x in e.items:
            self.expr(x)
        self.emit(Op.MAKE_LIST, len(e.items), e)

    def e_ListRepeat(self, e: A.ListRepeat) -> None:
        self.expr(e.item)
        self.expr(e.count)
        self.emit(Op.LIST_REPEAT, 0, e)

    def e_DictLit(self, e: A.DictLit) -> None:
        for k, v in e.pairs:
            self.expr(k)
            self.expr(v)
        self.emit(Op.MAKE_DICT, len(e.pairs), e)

    def _args(self, args: list[A.Node], kwargs: list[tuple[str, A.Node]]) -> None:
        for a in args:
            self.expr(a)
        for _, v in kwargs:
            self.expr(v)

    def call(self, e: A.Call, tail: bool = False) -> None:
        self.expr(e.func)
        self._args(e.args, e.kwargs)
        n = len(e.args) + len(e.kwargs)
        tail = tail and self.tries == 0 and self.scope.parent is not None
        if e.kwargs:
            k = self.const((len(e.args), tuple(name for name, _ in e.kwargs)))
            self.emit(Op.TAIL_CALL_KW if tail else Op.CALL_KW, k, e)
        else:
            self.emit(Op.TAIL_CALL if tail else Op.CALL, n, e)

    def e_MethodCall(self, e: A.MethodCall) -> None:
        self.expr(e.obj)
        self._args(e.args, e.kwargs)
        names = tuple(name for name, _ in e.kwargs) or None
        self.emit(Op.METHOD_CALL, self.const((e.name, len(e.args), names)), e)

    def e_Index(self, e: A.Index) -> None:
        self.expr(e.obj)
        self.expr(e.index)
        self.emit(Op.INDEX, 0, e)

    def e_Slice(self, e: A.Slice) -> None:
        self.expr(e.obj)
        flags = 0
        if e.lo is not None:
            self.expr(e.lo)
            flags |= 1
        if e.hi is not None:
            self.expr(e.hi)
            flags |= 2
        self.emit(Op.SLICE, flags, e)

    def e_Attr(self, e: A.Attr) -> None:
        self.expr(e.obj)
        self.emit(Op.GET_ATTR, self.const(e.name), e)

    def e_SuperAttr(self, e: A.SuperAttr) -> None:
        self.load_ref(e.cls_ref, e)
        self.load_ref(e.self_ref, e)
        self.emit(Op.SUPER_GET, self.const(e.name), e)

    def e_FnExpr(self, e: A.FnExpr) -> None:
        self.function(e, e)

    #   if:  <cond> JUMP_IF_FALSE else  <then> JUMP end  else: <else or nil>  end:
    def if_(self, e: A.IfExpr, want_value: bool, tail: bool = False) -> None:
        self.expr(e.cond)
        to_else = self.emit(Op.JUMP_IF_FALSE, 0, e.cond)
        base = self.depth
        self.branch(e.then, want_value, tail)
        if e.orelse is None and not want_value:
            self.patch(to_else)
            return
        to_end = self.emit(Op.JUMP, 0, e)
        self.patch(to_else)
        self.depth = base
        if e.orelse is None:
            self.load_const(None, e)
        else:
            self.branch(e.orelse, want_value, tail)
        self.patch(to_end)

    def branch(self, node: A.Node, want_value: bool, tail: bool) -> None:
        if isinstance(node, A.Block):
            self.block(node, want_value, tail)
        elif isinstance(node, A.IfExpr):
            self.if_(node, want_value, tail)
        else:
            self.expr(node, tail)
            if not want_value:
                self.emit(Op.POP, 0, node)

    def function(self, fn: A.FnExpr, node: A.Node) -> None:
        scope: FunctionScope = fn.scope
        c = FnCompiler(fn.name or "<fn>", scope, self.source, self)
        code = c.code
        code.anonymous = fn.name is None
        code.nparams = len(fn.params)
        code.min_args = sum(1 for p in fn.params if p.default is None)
        code.param_names = tuple(p.name for p in fn.params)
        for p in fn.params:
            if p.default is not None:
                c.emit(Op.IS_UNSET, p.var.slot, p)
                skip = c.emit(Op.JUMP_IF_FALSE, 0, p)
                c.expr(p.default)
                c.emit(Op.STORE_VAR, p.var.slot, p)
                c.patch(skip)
        for p in fn.params:
            if p.var.captured:
                c.emit(Op.CELL_PARAM, p.var.slot, p)
        if isinstance(fn.body, A.Block):
            c.block(fn.body, want_value=True, tail=True)
        else:
            c.expr(fn.body, tail=True)
        c.emit(Op.RETURN, 0, fn.body)
        code.captures = tuple(
            (True, var.slot or 0) if var.func is self.scope else (False, self.scope.free_index[var])
            for var in scope.freevars)
        code.free_names = tuple(var.name for var in scope.freevars)
        self.emit(Op.MAKE_CLOSURE, self.const(c.finish()), node)


def _spec_const(var: Var) -> Any:
    """A fixed allocation's spec as a constant: ("cap", n, name) or ("type", t, name)."""
    spec = var.spec
    if isinstance(spec, int):
        return ("cap", spec, var.name)
    return ("type", spec, var.name)
