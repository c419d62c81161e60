"""Tier 1: Axiom bytecode -> a Python function, through a Python AST.

Pipeline position: called by jit/__init__.py when a function or loop runs hot. Imports
bytecode, the flow analysis (jit/infer.py) and the run-time support (jit/support.py).

What it emits, and why (CPython's own specialising interpreter runs this best):

* Structured control flow. The compiler's loops, ifs, `and`/`or` and `try` are rebuilt from
  the jumps (the optimizer keeps each loop's single exit: it never threads through a back
  edge) into Python `while`/`for`/`if`/`try`. A jump that fits no structure makes the
  code stay in tier 0 (`Unsupported`): never a wrong guess.
* Locals as Python locals: slot i of a variable `x` is the Python local `x_i`; the
  operand stack lives in expressions, spilled to locals `sK` (K = depth) where control
  flow merges. Evaluation order is the bytecode's: an expression is only deferred while
  nothing with an effect comes between.
* Guarded fast paths from the flow analysis: int and float arithmetic inline (an
  overflow check only where the bounds allow one, one chained comparison), list
  indexing, instance fields, `for i in a..b` as a Python `range`, direct calls to a
  global function that no code reassigns, self tail calls as a loop. Everything else
  calls the same intrinsics and VM entry points tier 0 uses, so semantics and error
  messages are tier 0's.
* Positions: every node is stamped with its instruction's Axiom line, and the
  instruction index as its column (recovered from `co_positions()` when an error is
  located), so error reports, traces and frame variables are tier 0's.
* Limits: when the run has a step or time limit, the code ticks at the same back edges
  and calls, by the same amounts, as tier 0; an unlimited run pays nothing.

Nothing script-controlled is ever turned into source text: names are generated from
slot numbers and sanitised identifiers, constants are AST constants, and the host
values compiled code needs (the module's globals, intrinsics) are in its own namespace,
whose `__builtins__` is empty.
"""

from __future__ import annotations

from ..bytecode import INFO, Code, Op
from ..vm import Class, Closure
from . import infer as F
from . import pyast as ast
from .infer import MAX, MIN, Analysis, Unsupported, Val
from .support import MethodCache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Final

# Built-ins whose Python function gives an int in Axiom's range (no check needed)
_SAFE_INT_BUILTINS: Final = frozenset({"len", "int"})
# Format specs compiled code applies itself: small widths and precisions only (larger ones
# go through intrinsics.format_value, which checks the size against --max-memory first).
_SIMPLE_SPEC: Final = r"[<>^]?[+\- ]?0?\d{0,3}(?:\.\d{1,2})?[eEfFgG%]?\Z"  # re, imported when used


class Entry:
    """An operand stack slot during generation: the expression that computes it, its
    abstract value, and whether evaluating it is free of effects and failures (so it
    may be deferred, repeated or dropped). `parts` remembers a range's bounds for a
    loop over it."""

    __slots__ = ("expr", "val", "pure", "parts", "glob")

    def __init__(self, expr: ast.expr, val: Val, pure: bool, parts: Any = None,
                 glob: str | None = None) -> None:
        self.expr = expr
        self.val = val
        self.pure = pure
        self.parts = parts
        self.glob = glob


class Ctx:
    """Where a region's jumps may go: `fall`, the instruction control reaches when the
    region ends; the innermost loop's header and exit (None outside loops)."""

    __slots__ = ("fall", "header", "exit")

    def __init__(self, fall: int, header: int | None, exit: int | None) -> None:
        self.fall = fall
        self.header = header
        self.exit = exit


ITER: Final = ("iterator", 0, 0)  # the value a for loop's iterator has on the stack


def _ident(name: str) -> bool:
    """Whether `name` can be a Python name as it is (ASCII letters, digits, _)."""
    return name.isascii() and name.isidentifier()


def place(node: Any, line: int, column: int) -> Any:
    """Stamp `node` and its children that have no position yet with Axiom `line` and,
    as their column, the instruction index `column` (jit/support.py reads it back)."""
    for n in ast.walk(node):
        if "lineno" in n._attributes and not hasattr(n, "lineno"):
            setattr(n, "lineno", line)  # noqa: B010 (positions are not in the stubs' AST base)
            setattr(n, "end_lineno", line)  # noqa: B010
            setattr(n, "col_offset", column)  # noqa: B010
            setattr(n, "end_col_offset", column + 1)  # noqa: B010
    return node


def _name(id_: str, store: bool = False) -> ast.Name:
    return ast.Name(id=id_, ctx=ast.Store() if store else ast.Load())


def _const(v: Any) -> ast.Constant:
    return ast.Constant(value=v)


def _field_stores(code: Code) -> list[tuple[str, int]] | None:
    """For an `init` that only stores parameters in fields of self (`self.x = x`, ...)
    and returns nil: (field, parameter slot) in order; None for any other code."""
    ops = code.ops
    n = len(ops) - 2
    if n % 3 or ops[n] != (Op.LOAD_CONST, ops[n][1]) or code.consts[ops[n][1]] is not None \
            or ops[n + 1][0] != Op.RETURN:
        return None
    stores = []
    for i in range(0, n, 3):
        (a, self_slot), (b, k), (c, name) = ops[i:i + 3]
        if (a, self_slot, b, c) != (Op.LOAD_VAR, 0, Op.LOAD_VAR, Op.SET_ATTR) or not 1 <= k < code.nparams:
            return None
        stores.append((code.consts[name], k))
    return stores


def _in_range(value: ast.expr, lo: int, hi: int) -> ast.Compare:
    """`value` (an int in [lo, hi]) lies in the 64-bit range: only a side that [lo, hi]
    crosses is tested (`n + 1` only above)."""
    if lo >= MIN and hi > MAX:
        return ast.Compare(left=value, ops=[ast.LtE()], comparators=[_const(MAX)])
    if hi <= MAX and lo < MIN:
        return ast.Compare(left=value, ops=[ast.GtE()], comparators=[_const(MIN)])
    return ast.Compare(left=_const(MIN), ops=[ast.LtE(), ast.LtE()], comparators=[value, _const(MAX)])


def _unshadowed(obj: ast.expr, name: str) -> ast.Compare:
    """`name not in obj.fields`: no field of the object hides its class's method `name`."""
    return ast.Compare(left=_const(name), ops=[ast.NotIn()], comparators=[_attr(obj, "fields")])


def not_of_class(obj: ast.expr, cls: ast.expr) -> ast.Compare:
    """`obj.cls is not cls`, for an Instance `obj` and a class constant (a guess's test)."""
    return _is(_attr(obj, "cls"), cls, negate=True)


def _call(fn: str | ast.expr, *args: ast.expr) -> ast.Call:
    func = _name(fn) if isinstance(fn, str) else fn
    return ast.Call(func=func, args=list(args), keywords=[])


def _attr(obj: ast.expr, name: str) -> ast.Attribute:
    return ast.Attribute(value=obj, attr=name, ctx=ast.Load())


def _is(a: ast.expr, b: ast.expr, negate: bool = False) -> ast.Compare:
    return ast.Compare(left=a, ops=[ast.IsNot() if negate else ast.Is()], comparators=[b])


def _piece(e: ast.expr) -> ast.expr:
    """A part of an f-string: literal text as itself, str(int) and repr(float) (how
    op_render shows them) as the f-string's own conversions, anything else as it is."""
    if isinstance(e, ast.Constant) and type(e.value) is str:
        return e
    if (isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id in ("str", "repr")
            and len(e.args) == 1 and not e.keywords):
        return ast.FormattedValue(value=e.args[0], conversion=-1 if e.func.id == "str" else ord("r"))
    return ast.FormattedValue(value=e, conversion=-1)


def _type_is(e: ast.expr, tname: str) -> ast.Compare:
    return _is(_call("type", e), _name(tname))


_BINOP: Final = {Op.ADD: ast.Add, Op.SUB: ast.Sub, Op.MUL: ast.Mult, Op.DIV: ast.Div,
                 Op.MOD: ast.Mod}
_CMPOP: Final = {Op.EQ: ast.Eq, Op.NE: ast.NotEq, Op.LT: ast.Lt, Op.LE: ast.LtE, Op.GT: ast.Gt,
                 Op.GE: ast.GtE}
_OPSYM: Final = {Op.ADD: "+", Op.SUB: "-", Op.MUL: "*", Op.DIV: "/", Op.MOD: "%"}
_PYTYPE: Final = {"int": "int", "float": "float", "str": "str", "bool": "bool", "list": "list",
                  "dict": "dict", "inst": "Instance"}


class Gen:
    """Generates one compiled unit (a function, or a loop taken over from a running frame)
    from `code` and its flow `analysis`, into the namespace `ns`."""

    def __init__(self, code: Code, analysis: Analysis, ns: dict[str, Any], *, limited: bool,
                 caches: bool = True, self_closure: Any = None, spec: tuple[Val, ...] = (),
                 stable: Any = None) -> None:
        self.code = code
        self.ops = code.ops
        self.an = analysis
        self.ns = ns
        self.limited = limited
        self.caches = caches  # inline caches at method call sites (the ic_enabled setting)
        self.self_closure = self_closure  # the closure being compiled (self calls)
        self.spec = spec
        self.stable = stable  # name -> value for globals no code reassigns (or None)
        self.stack: list[Entry] = []
        self.out: list[ast.stmt] = []
        self.ip = 0
        self.ntemps = 0
        self.tail_loop = False  # a self tail call made the body a loop
        self.dead_return = -1  # the RETURN right after the latest self tail call
        self.callees: list[Code] = []  # code whose compiled entries this unit calls directly
        self.deopts = 0
        self.pure = not analysis.effects  # see infer.Analysis.effects
        ends: dict[int, int] = {}
        for i, (op, arg) in enumerate(self.ops):
            if op in _JUMPS and arg <= i and analysis.states[i] is not None:
                ends[arg] = max(ends.get(arg, 0), i + 1)
        self.loop_end = ends  # loop header -> its exit (after the last back edge)
        self.names = [self._slot_name(i) for i in range(code.nslots)]
        # globals kept in a local from their one store on (infer.Hints.promoted)
        self.promoted = {name: (f"g_{name}" if _ident(name) else f"_g{k}", k)
                         for name, k in analysis.hints.promoted.items()}

    # -- names and positions ------------------------------------------------------------
    def vm(self) -> ast.expr:
        """The VM: the argument of units with effects; a pure unit (which has none) asks
        for this thread's when a call without effects still goes through the VM."""
        if self.pure:
            return _call(_attr(_name("CALLS"), "here"))
        return _name("vm")

    def _slot_name(self, i: int) -> str:
        name = self.code.slot_names[i] if i < len(self.code.slot_names) else ""
        return f"{name}_{i}" if _ident(name) else f"_h{i}"

    def temp(self) -> str:
        self.ntemps += 1
        return f"t{self.ntemps}"

    def const(self, value: Any, prefix: str = "K") -> ast.Name:
        """A host value the code needs, bound in the namespace (never as source text)."""
        for k, v in self.ns.items():
            if v is value and k.startswith(prefix) and k[len(prefix):].isdigit():
                return _name(k)
        key = f"{prefix}{sum(1 for k in self.ns if k.startswith(prefix))}"
        while key in self.ns:
            key += "_"
        self.ns[key] = value
        return _name(key)

    def stamp(self, node: Any) -> Any:
        """Give `node` and its unstamped children the current instruction's position."""
        line = self.code.lines[self.ip][0] if self.ip < len(self.code.lines) else 1
        return place(node, line, self.ip)

    def emit(self, stmt: ast.stmt) -> None:
        self.out.append(self.stamp(stmt))

    # -- the operand stack --------------------------------------------------------------
    def push(self, expr: ast.expr, val: Val, pure: bool = False, **kw: Any) -> None:
        self.stack.append(Entry(self.stamp(expr), val, pure, **kw))

    def pop(self) -> Entry:
        return self.stack.pop()

    def flush(self, keep: int = 0) -> None:
        """Evaluate every pending entry with an effect (below the top `keep`) into a
        local, in stack order: a statement is about to run."""
        n = len(self.stack) - keep
        for k in range(n):
            e = self.stack[k]
            if not e.pure:
                self.emit(ast.Assign(targets=[_name(f"s{k}", True)], value=e.expr))
                self.stack[k] = Entry(_name(f"s{k}"), e.val, True, e.parts, e.glob)

    def spill(self) -> None:
        """Put every entry in its depth's local `sK` (where control flow merges)."""
        for k, e in enumerate(self.stack):
            if e.val is ITER:
                continue
            if isinstance(e.expr, ast.Name) and e.expr.id == f"s{k}":
                continue
            self.emit(ast.Assign(targets=[_name(f"s{k}", True)], value=e.expr))
            self.stack[k] = Entry(_name(f"s{k}"), e.val, True)

    def restack(self, ip: int) -> None:
        """The stack where branches merge at `ip`: each depth's local, with the joined
        abstract values of the analysis."""
        st = self.an.states[ip]
        vals = st.stack if st is not None else tuple(e.val for e in self.stack)
        old = self.stack
        self.stack = []
        for k, v in enumerate(vals):
            if k < len(old) and old[k].val is ITER:
                self.stack.append(old[k])
            else:
                self.stack.append(Entry(_name(f"s{k}"), v, True))

    def simple(self, e: Entry) -> Entry:
        """`e` as an entry that can be read more than once (a name or a constant): an
        expression is evaluated into a local now, after everything pushed before it."""
        if isinstance(e.expr, (ast.Name, ast.Constant)):
            return e
        self.flush()
        t = self.temp()
        self.emit(ast.Assign(targets=[_name(t, True)], value=e.expr))
        return Entry(_name(t), e.val, True, e.parts, e.glob)

    def settled(self, head: Entry, args: list[Entry]) -> tuple[Entry, list[Entry]]:
        """`head` and `args` evaluated, in order, into names (an inline cache's test reads
        them before the call)."""
        self.stack.append(head)
        self.stack.extend(args)
        self.flush()
        n = len(self.stack) - len(args)
        args = self.stack[n:]
        del self.stack[n:]
        return self.simple(self.pop()), args

    # -- regions: rebuilding structure from jumps -----------------------------------------
    def region(self, start: int, end: int, ctx: Ctx) -> None:
        """Emit instructions [start, end), entered at `start`, leaving by falling to
        ctx.fall (reached at `end`) or by jumps `resolve` explains."""
        ip = start
        live = True
        while ip < end:
            if self.an.states[ip] is None or ip == self.dead_return:
                ip += 1  # unreachable, or the RETURN after a self tail call (now a loop)
                continue
            if not live:
                raise Unsupported(f"code at {ip} is entered by an unstructured jump")
            self.ip = ip
            if ip in self.loop_end and ip != ctx.header:
                ip = self.loop(ip, ctx)
                continue
            op, arg = self.ops[ip]
            if op == Op.JUMP_IF_FALSE or op == Op.JUMP_IF_TRUE:
                ip = self.branch(ip, end, ctx)
            elif op == Op.JUMP_IF_FALSE_OR_POP or op == Op.JUMP_IF_TRUE_OR_POP:
                ip = self.andor(ip, end, ctx)
            elif op == Op.SETUP_TRY:
                ip = self.try_(ip, end, ctx)
            elif op == Op.JUMP:
                nxt = self.jump(ip, arg, end, ctx)
                if nxt is None:
                    live = False
                    ip += 1
                else:
                    ip = nxt
            else:
                live = self.instruction(ip, op, arg)
                ip += 1

    def follow(self, ip: int) -> int:
        """Where control goes from `ip` through forward JUMPs."""
        seen = 0
        while ip < len(self.ops) and self.ops[ip][0] == Op.JUMP and self.ops[ip][1] > ip and seen < 64:
            ip = self.ops[ip][1]
            seen += 1
        return ip

    def resolve(self, src: int, target: int, ctx: Ctx) -> str:
        """What a jump from `src` to `target` is here: "fall", "continue", "break"."""
        if target == ctx.fall or self.follow(target) == self.follow(ctx.fall):
            return "fall"
        if ctx.header is not None:
            if target == ctx.header:
                return "continue"
            if target == ctx.exit or self.follow(target) == self.follow(ctx.exit):  # type: ignore[arg-type]
                return "break"
        raise Unsupported(f"a jump from {src} to {target} leaves no structure")

    def leave(self, action: str, src: int, target: int) -> list[ast.stmt]:
        """Statements that carry out `action` for a jump from `src`."""
        body: list[ast.stmt] = []
        if action == "continue":
            if self.limited and self.ops[src][0] == Op.JUMP:
                body.append(self.stamp(ast.Expr(_call("TICK", _const(src + 1 - target)))))
            body.append(self.stamp(ast.Continue()))
        elif action == "break":
            body.append(self.stamp(ast.Break()))
        return body

    def jump(self, ip: int, target: int, end: int, ctx: Ctx) -> int | None:
        """An unconditional JUMP: returns where the region goes on, or None when control
        leaves it here."""
        if ip < target <= end and all(self.an.states[i] is None for i in range(ip + 1, target)):
            return target  # over code this entry never reaches
        action = self.resolve(ip, target, ctx)
        if action == "fall":
            if self.stack:
                self.spill()
            return end if target > end else None if target != end else end
        self.flush()
        for s in self.leave(action, ip, target):
            self.out.append(s)
        return None

    def branch(self, ip: int, end: int, ctx: Ctx) -> int:
        """A conditional jump: an if, if/else, or a conditional break/continue."""
        op, target = self.ops[ip]
        cond = self.pop()
        jump_if_true = op == Op.JUMP_IF_TRUE
        test = self.test(cond)
        if ip < target <= end:
            # if: the fall-through is the `then` branch (the jump skips it)
            then_end = target
            else_end = None
            last_op, last_arg = self.ops[target - 1]
            if (last_op == Op.JUMP and last_arg > target - 1 and target - 1 > ip
                    and (last_arg <= end or self.follow(last_arg) == self.follow(ctx.fall))
                    and self.an.states[target - 1] is not None):
                then_end, else_end = target - 1, min(last_arg, end)
            self.spill()
            base = list(self.stack)
            cont = else_end if else_end is not None else target
            then_body = self.sub(ip + 1, then_end, Ctx(cont if cont < end else ctx.fall, ctx.header, ctx.exit))
            after_then = self.stack
            self.stack = list(base)
            else_body: list[ast.stmt] = []
            if else_end is not None:
                else_body = self.sub(target, else_end, Ctx(cont if cont < end else ctx.fall, ctx.header, ctx.exit))
            self.ip = ip
            self.emit(ast.If(test=test if not jump_if_true else ast.UnaryOp(op=ast.Not(), operand=test),
                             body=then_body or [ast.Pass()], orelse=else_body))
            self.stack = after_then if len(after_then) >= len(self.stack) else self.stack
            self.restack(cont) if cont < len(self.ops) else None
            return cont
        # the jump leaves: a conditional break, continue, or skip to where the region falls
        action = self.resolve(ip, target, ctx)
        if action == "fall":
            # skip the rest of the region: it becomes the body of an if
            self.spill()
            rest = self.sub(ip + 1, end, ctx)
            self.ip = ip
            self.emit(ast.If(test=test if not jump_if_true else ast.UnaryOp(op=ast.Not(), operand=test),
                             body=rest or [ast.Pass()], orelse=[]))
            self.restack(end) if end < len(self.ops) else None
            return end
        self.flush()
        self.ip = ip
        self.emit(ast.If(test=test if jump_if_true else ast.UnaryOp(op=ast.Not(), operand=test),
                         body=self.leave(action, ip, target), orelse=[]))
        return ip + 1

    def sub(self, start: int, end: int, ctx: Ctx) -> list[ast.stmt]:
        """Emit a nested region into a new statement list; the stack is spilled at its end."""
        saved = self.out
        self.out = []
        self.region(start, end, ctx)
        if self.stack:
            self.spill()
        body = self.out
        self.out = saved
        return body

    def andor(self, ip: int, end: int, ctx: Ctx) -> int:
        """`a and b` / `a or b`: the left value stays when it decides."""
        op, target = self.ops[ip]
        if not ip < target <= end:
            if self.follow(target) != self.follow(ctx.fall):
                raise Unsupported("and/or jumping out of its region")
            target = end
        self.spill()
        left = self.stack[-1]
        test = self.test(left)
        self.stack.pop()
        rest = self.sub(ip + 1, target, Ctx(target if target < end else ctx.fall, ctx.header, ctx.exit))
        self.ip = ip
        self.emit(ast.If(test=test if op == Op.JUMP_IF_FALSE_OR_POP else ast.UnaryOp(op=ast.Not(), operand=test),
                         body=rest or [ast.Pass()], orelse=[]))
        self.stack.append(left)
        self.restack(target)
        return target

    def loop(self, header: int, ctx: Ctx) -> int:
        """A loop at `header`: `while True:` (or a Python `for` over the iterator)."""
        exit_ = self.loop_end[header]
        self.spill() if any(e.val is not ITER for e in self.stack) else None
        self.ip = header
        op, arg = self.ops[header]
        inner = Ctx(exit_ - 1, header, exit_)
        back = self.ops[exit_ - 1]
        if back[0] != Op.JUMP or back[1] != header:
            raise Unsupported("a loop without its back edge at the end")
        self.ip = exit_ - 1  # the back edge: where tier 0 counts the loop's steps
        tick = [self.stamp(ast.Expr(_call("TICK", _const(exit_ - header))))] if self.limited else []
        self.ip = header
        if op == Op.FOR_ITER:
            if self.follow(arg) != self.follow(exit_):
                raise Unsupported("a for loop with two exits")
            it = self.stack.pop()
            if it.val is not ITER:
                raise Unsupported("a for loop without its iterator")
            name = f"s{len(self.stack)}"
            if not (isinstance(it.expr, ast.Name) and it.expr.id == name):
                # the iterator in a local: tier 0 takes it over if the loop deoptimises
                self.emit(ast.Assign(targets=[_name(name, True)], value=it.expr))
                it = Entry(_name(name), ITER, True)
            var = f"s{len(self.stack) + 1}"
            after = self.an.states[header + 1]
            val = after.stack[-1] if after is not None else F.ANY
            below = list(self.stack)
            self.stack.append(it)
            self.stack.append(Entry(_name(var), val, True))
            guess = self.an.speculated.get(header)
            check: list[ast.stmt] = []
            if guess is not None:  # a list's items were guessed: each is checked when taken
                saved, self.out = self.out, []
                self.check(header, guess)
                check, self.out = self.out, saved
            body = check + self.sub(header + 1, exit_ - 1, inner)
            self.stack = below
            self.ip = header
            self.emit(ast.For(target=_name(var, True), iter=it.expr, body=body + tick or [ast.Pass()],
                              orelse=[]))
        else:
            body = self.sub(header, exit_ - 1, inner)
            self.ip = header
            self.emit(ast.While(test=_const(True), body=body + tick or [ast.Pass()], orelse=[]))
        if exit_ < len(self.ops) and self.an.states[exit_] is not None:
            self.restack(exit_)
        return exit_

    def try_(self, ip: int, end: int, ctx: Ctx) -> int:
        """`try { body } catch e { handler }` as Python try/except."""
        handler = self.ops[ip][1]
        depth = len(self.stack)
        after: int | None = None
        body_end = handler
        if (handler >= 2 and self.ops[handler - 2][0] == Op.POP_TRY
                and self.ops[handler - 1][0] == Op.JUMP and self.ops[handler - 1][1] > handler):
            body_end = handler - 2
            after = self.ops[handler - 1][1]
        if after is None or after > end:
            if after is not None and self.follow(after) != self.follow(ctx.fall):
                raise Unsupported("a try whose end leaves its region")
            after = end
        if not ip < handler <= after:
            raise Unsupported("a try handler out of place")
        self.spill()
        body = self.sub(ip + 1, body_end, Ctx(after if after < end else ctx.fall, ctx.header, ctx.exit))
        self.stack = self.stack[:depth]
        err = self.temp()
        self.ip = handler
        saved = self.out
        self.out = []
        self.emit(ast.Assign(targets=[_name(f"s{depth}", True)],
                             value=_call(_attr(_name("CALLS"), "caught"), _name(err))))
        self.stack.append(Entry(_name(f"s{depth}"), F.ANY, True))
        self.region(handler, after, Ctx(after if after < end else ctx.fall, ctx.header, ctx.exit))
        if self.stack:
            self.spill()
        handler_body = self.out
        self.out = saved
        self.ip = ip
        self.emit(ast.Try(body=body or [ast.Pass()], handlers=[
            ast.ExceptHandler(type=_name("PASS_THROUGH"), name=None, body=[ast.Raise()]),
            ast.ExceptHandler(type=_name("BaseException"), name=err, body=handler_body)],
            orelse=[], finalbody=[]))
        if after < len(self.ops) and self.an.states[after] is not None:
            self.restack(after)
        return after

    # -- tests ----------------------------------------------------------------------------
    def test(self, e: Entry) -> ast.expr:
        """A Python condition true when `e` is truthy."""
        if e.val[0] in ("bool", "int", "float", "str", "list", "dict", "nil"):
            return e.expr
        return _call("truthy", e.expr)

    # -- instructions ---------------------------------------------------------------------
    def instruction(self, ip: int, op: int, arg: int) -> bool:
        """Emit one straight-line instruction; False when control does not go on."""
        handler = _HANDLERS.get(op)
        if handler is None:
            raise Unsupported(f"no code for {INFO[op].name}")
        r = handler(self, ip, arg)
        guess = self.an.speculated.get(ip)
        if guess is not None and r is not False and self.must_check(ip):
            self.check(ip, guess)
        return r is not False

    def must_check(self, ip: int) -> bool:
        """Whether a guessed value needs its check: a call of the unit's own function
        gives what the unit returns, which holds unless the unit guesses elsewhere."""
        if ip in self.an.self_calls:
            return any(i not in self.an.self_calls for i in self.an.speculated)
        return True

    def check(self, ip: int, guess: Val) -> None:
        """The value `ip` just pushed was guessed to be `guess`: test it, and leave for
        tier 0 at the next instruction when it is not."""
        top = self.simple(self.stack.pop())
        self.stack.append(top)
        self.flush()
        kind = guess[0]
        if kind in _PYTYPE:
            test: ast.expr = _is(_call("type", top.expr), _name(_PYTYPE[kind]), negate=True)
            if kind == "inst" and guess[1] != 0:  # and of that class
                test = ast.BoolOp(op=ast.Or(), values=[test, not_of_class(top.expr, self.const(guess[1]))])
        elif kind == "nil":
            test = _is(top.expr, _const(None), negate=True)
        else:
            return
        top.val = guess
        self.emit(ast.If(test=test, body=[self.deopt_exit(ip + 1)], orelse=[]))

    def deopt_exit(self, resume: int) -> ast.stmt:
        """`return DEOPT(owner, ip, slots, stack)`: tier 0 goes on at `resume` with the
        locals and the operand stack as they are here (jit/units.py)."""
        slots = ast.Tuple(elts=[_name(n) for n in self.names], ctx=ast.Load())
        stack = ast.Tuple(elts=[e.expr for e in self.stack], ctx=ast.Load())
        self.deopts += 1
        owner = _name("frame") if self.self_closure is None else _name("C") if self.code.captures \
            else _const(None)
        return self.stamp(ast.Return(value=_call("DEOPT", owner, _const(resume), slots, stack)))

    def st(self, ip: int) -> F.State:
        return self.an.states[ip]  # type: ignore[return-value]

    # loads and stores
    def op_load_const(self, ip: int, arg: int) -> None:
        v = self.code.consts[arg]
        self.push(_const(v), F.of_const(v), True)

    def op_load_var(self, ip: int, arg: int) -> None:
        name = self.names[arg]
        if arg in self.st(ip).unset:
            self.flush()
            self.emit(ast.If(test=_is(_name(name), _name("UNSET")),
                             body=[ast.Expr(_call("undefined", _const(self.code.slot_names[arg])))],
                             orelse=[]))
        val = self.st(ip).slots[arg]
        self.push(_name(name), val if val[0] != "unset" else F.ANY, True)

    def op_store_var(self, ip: int, arg: int) -> None:
        e = self.pop()
        self.flush()
        name = self.names[arg]
        for k, other in enumerate(self.stack):  # a pending read of this local keeps its value
            if isinstance(other.expr, ast.Name) and other.expr.id == name:
                self.emit(ast.Assign(targets=[_name(f"s{k}", True)], value=other.expr))
                self.stack[k] = Entry(_name(f"s{k}"), other.val, True)
        self.emit(ast.Assign(targets=[_name(name, True)], value=e.expr))

    def op_load_global(self, ip: int, arg: int) -> None:
        name = self.code.consts[arg]
        local = self.promoted.get(name)
        if local is not None and local[1] not in self.st(ip).unset:
            self.push(_name(local[0]), self.st(ip).slots[local[1]], True)
            return
        stable = self.stable(name) if self.stable is not None else None
        if stable is not None:
            value = stable[0]
            if type(value) in (int, float, str, bool) or value is None:
                self.push(_const(value), F.of_const(value), True)
            else:
                self.push(self.const(value), self.after(ip), True, glob=name)
            return
        key = _const(name)
        expr = ast.IfExp(test=ast.Compare(left=key, ops=[ast.In()], comparators=[_name("G")]),
                         body=ast.Subscript(value=_name("G"), slice=_const(name), ctx=ast.Load()),
                         orelse=_call("load_builtin", _name("B"), _const(name)))
        self.push(expr, self.after(ip), False, glob=name)

    def after(self, ip: int) -> Val:
        """The abstract value `ip` pushes (from the state after it)."""
        st = self.an.states[ip + 1] if ip + 1 < len(self.ops) else None
        return st.stack[-1] if st is not None and st.stack else F.ANY

    def op_store_global(self, ip: int, arg: int) -> None:
        e = self.pop()
        self.flush()
        name = self.code.consts[arg]
        local = self.promoted.get(name)
        if local is not None:
            self.emit(ast.Assign(targets=[_name(local[0], True)], value=e.expr))
            e = Entry(_name(local[0]), e.val, True)
        self.emit(ast.Assign(targets=[ast.Subscript(value=_name("G"), slice=_const(name),
                                                    ctx=ast.Store())], value=e.expr))

    def _cell_value(self, cell: ast.expr, name: str) -> None:
        t = self.temp()
        self.push(ast.IfExp(test=_is(ast.NamedExpr(target=_name(t, True), value=_attr(cell, "value")),
                                     _name("UNSET"), negate=True),
                            body=_name(t), orelse=_call("undefined", _const(name))), F.ANY, False)

    def op_load_cell(self, ip: int, arg: int) -> None:
        self._cell_value(_name(self.names[arg]), self.code.slot_names[arg])

    def op_load_free(self, ip: int, arg: int) -> None:
        names = self.code.free_names
        self._cell_value(ast.Subscript(value=_name("C"), slice=_const(arg), ctx=ast.Load()),
                         names[arg] if arg < len(names) else "<captured>")

    def op_store_cell(self, ip: int, arg: int) -> None:
        e = self.pop()
        self.flush()
        self.emit(ast.Assign(targets=[ast.Attribute(value=_name(self.names[arg]), attr="value",
                                                    ctx=ast.Store())], value=e.expr))

    def op_store_free(self, ip: int, arg: int) -> None:
        e = self.pop()
        self.flush()
        cell = ast.Subscript(value=_name("C"), slice=_const(arg), ctx=ast.Load())
        self.emit(ast.Assign(targets=[ast.Attribute(value=cell, attr="value", ctx=ast.Store())],
                             value=e.expr))

    def op_new_cell(self, ip: int, arg: int) -> None:
        self.flush()
        self.emit(ast.Assign(targets=[_name(self.names[arg], True)], value=_call("Cell")))

    def op_cell_param(self, ip: int, arg: int) -> None:
        self.flush()
        name = self.names[arg]
        self.emit(ast.Assign(targets=[_name(name, True)], value=_call("Cell", _name(name))))

    def op_is_unset(self, ip: int, arg: int) -> None:
        self.push(_is(_name(self.names[arg]), _name("UNSET")), F.BOOL, True)

    def op_free_var(self, ip: int, arg: int) -> None:
        self.flush()
        name = self.names[arg]
        if self.st(ip).slots[arg][0] == "cell":
            self.emit(ast.Assign(targets=[ast.Attribute(value=_name(name), attr="value", ctx=ast.Store())],
                                 value=_name("UNSET")))
        else:
            self.emit(ast.Assign(targets=[_name(name, True)], value=_name("UNSET")))

    def op_free_global(self, ip: int, arg: int) -> None:
        self.flush()
        self.emit(ast.Expr(_call("free_global", _name("G"), _const(self.code.consts[arg]))))

    # arithmetic and comparisons
    def op_binary(self, ip: int, arg: int) -> None:
        op = self.ops[ip][0]
        b = self.pop()
        a = self.pop()
        ka, kb = a.val[0], b.val[0]
        result = F.arith(op, a.val, b.val)
        if ka == "int" and kb == "int":
            self.int_binary(op, a, b, result)
        elif ka in F.NUMERIC and kb in F.NUMERIC:
            self.float_binary(op, a, b)
        elif ka in _GUESSABLE and kb in _GUESSABLE:
            # guess the unknown side has the known side's type (int when neither is known)
            self.guarded_binary(op, a, b, ka if ka in F.NUMERIC else kb if kb in F.NUMERIC else "int")
        else:
            self.push(_call(f"I_{INFO[op].generic}", a.expr, b.expr), result)

    def int_binary(self, op: int, a: Entry, b: Entry, result: Val) -> None:
        """int op int: Python's operator, and an overflow check (one chained comparison)
        only where the operands' bounds allow an overflow."""
        if op == Op.DIV or op == Op.MOD:
            pyop = ast.FloorDiv() if op == Op.DIV else ast.Mod()
            if a.val[1] >= 0 and b.val[1] > 0:  # no sign to fix, no zero, no overflow
                self.push(ast.BinOp(left=a.expr, op=pyop, right=b.expr), result, a.pure and b.pure)
            elif b.val[1] > 0:  # a positive divisor: only a negative dividend needs the fix-up
                a, b = self.simple(a), self.simple(b)
                self.push(ast.IfExp(test=ast.Compare(left=a.expr, ops=[ast.GtE()], comparators=[_const(0)]),
                                    body=ast.BinOp(left=a.expr, op=pyop, right=b.expr),
                                    orelse=_call(f"I_{INFO[op].generic}", a.expr, b.expr)), result)
            else:  # the divisor may be zero or negative: Python's operator when it is not
                a, b = self.simple(a), self.simple(b)
                tests: list[ast.expr] = [ast.Compare(left=b.expr, ops=[ast.Gt()], comparators=[_const(0)])]
                if a.val[1] < 0:
                    tests.insert(0, ast.Compare(left=a.expr, ops=[ast.GtE()], comparators=[_const(0)]))
                self.push(ast.IfExp(test=tests[0] if len(tests) == 1 else ast.BoolOp(op=ast.And(), values=tests),
                                    body=ast.BinOp(left=a.expr, op=pyop, right=b.expr),
                                    orelse=_call(f"I_{INFO[op].generic}", a.expr, b.expr)), result)
            return
        if not F.may_overflow(op, a.val, b.val):
            self.push(ast.BinOp(left=a.expr, op=_BINOP[op](), right=b.expr), result, a.pure and b.pure)
            return
        a, b = self.simple(a), self.simple(b)
        t = self.temp()
        checked = _in_range(ast.NamedExpr(target=_name(t, True), value=ast.BinOp(
            left=a.expr, op=_BINOP[op](), right=b.expr)), *F.int_result(op, a.val, b.val))
        self.push(ast.IfExp(test=checked, body=_name(t),
                            orelse=_call("overflow", _const(_OPSYM[op]), a.expr, b.expr)), result)

    def float_binary(self, op: int, a: Entry, b: Entry) -> None:
        """A float and a number: IEEE arithmetic as Python does it (a zero divisor and
        `%` go to the intrinsics, for their errors and fmod)."""
        if op in (Op.ADD, Op.SUB, Op.MUL):
            self.push(ast.BinOp(left=a.expr, op=_BINOP[op](), right=b.expr), F.FLOAT, a.pure and b.pure)
        elif op == Op.DIV:
            a, b = self.simple(a), self.simple(b)
            self.push(ast.IfExp(test=b.expr, body=ast.BinOp(left=a.expr, op=ast.Div(), right=b.expr),
                                orelse=_call("I_div", a.expr, b.expr)), F.FLOAT)
        else:
            self.push(_call("I_mod", a.expr, b.expr), F.FLOAT)

    def guarded_binary(self, op: int, a: Entry, b: Entry, kind: str) -> None:
        """Operands of unknown type: the fast path for `kind` (int or float) behind type
        tests, the intrinsic otherwise (which raises what tier 0 raises, overflow
        included)."""
        generic = f"I_{INFO[op].generic}"
        a, b = self.simple(a), self.simple(b)
        tests: list[ast.expr] = [_type_is(e.expr, kind) for e in (a, b) if e.val[0] != kind]
        if kind == "float":
            if op == Op.MOD:
                self.push(_call(generic, a.expr, b.expr), F.ANY)
                return
            if op == Op.DIV:
                tests.append(b.expr)
            fast: ast.expr = ast.BinOp(left=a.expr, op=_BINOP[op](), right=b.expr)
        elif op in (Op.DIV, Op.MOD):
            for e, cmp in ((a, ast.GtE), (b, ast.Gt)):  # (a known sign needs no test)
                if not (e.val[0] == "int" and e.val[1] >= (0 if cmp is ast.GtE else 1)):
                    tests.append(ast.Compare(left=e.expr, ops=[cmp()], comparators=[_const(0)]))
            fast = ast.BinOp(left=a.expr, op=ast.FloorDiv() if op == Op.DIV else ast.Mod(), right=b.expr)
        else:
            t = self.temp()
            # bounds as if the unknown sides were any int (the type tests before make them so)
            bounds = F.int_result(op, *(e.val if e.val[0] == "int" else F.INT for e in (a, b)))
            tests.append(_in_range(ast.NamedExpr(target=_name(t, True), value=ast.BinOp(
                left=a.expr, op=_BINOP[op](), right=b.expr)), *bounds))
            fast = _name(t)
        test = tests[0] if len(tests) == 1 else ast.BoolOp(op=ast.And(), values=tests)
        self.push(ast.IfExp(test=test, body=fast, orelse=_call(generic, a.expr, b.expr)), F.ANY)

    def op_compare(self, ip: int, arg: int) -> None:
        op = self.ops[ip][0]
        b = self.pop()
        a = self.pop()
        ka, kb = a.val[0], b.val[0]
        fast = ((ka in F.NUMERIC and kb in F.NUMERIC) or (ka == kb == "str")
                or (op in (Op.EQ, Op.NE) and ka == kb and ka in ("bool", "nil")))
        compare = ast.Compare(left=a.expr, ops=[_CMPOP[op]()], comparators=[b.expr])
        if fast:
            self.push(compare, F.BOOL, a.pure and b.pure and ka == kb)
        elif op in (Op.EQ, Op.NE) and "nil" in (ka, kb):
            # x == nil: identity, unless x is a module's value that defines == itself
            x = self.simple(b if ka == "nil" else a)
            if isinstance(x.expr, ast.Constant):  # a literal: the answer is known
                self.push(_const((x.expr.value is None) == (op == Op.EQ)), F.BOOL, True)
                return
            test: ast.expr = ast.BoolOp(op=ast.Or(), values=[
                _is(x.expr, _const(None)),
                ast.BoolOp(op=ast.And(), values=[
                    ast.Compare(left=_call("type", x.expr), ops=[ast.NotIn()], comparators=[_name("PLAIN")]),
                    _call("I_eq", x.expr, _const(None))])])
            self.push(test if op == Op.EQ else ast.UnaryOp(op=ast.Not(), operand=test), F.BOOL)
        elif ka in _GUESSABLE and kb in _GUESSABLE:
            kind = ka if ka in F.NUMERIC else kb if kb in F.NUMERIC else "int"
            a, b = self.simple(a), self.simple(b)
            compare = ast.Compare(left=a.expr, ops=[_CMPOP[op]()], comparators=[b.expr])
            tests: list[ast.expr] = [_type_is(e.expr, kind) for e in (a, b) if e.val[0] != kind]
            test = tests[0] if len(tests) == 1 else ast.BoolOp(op=ast.And(), values=tests)
            self.push(ast.IfExp(test=test, body=compare,
                                orelse=_call(f"I_{INFO[op].generic}", a.expr, b.expr)), F.BOOL)
        else:
            self.push(_call(f"I_{INFO[op].generic}", a.expr, b.expr), F.BOOL)

    def op_in(self, ip: int, arg: int) -> None:
        b = self.pop()
        a = self.pop()
        self.push(_call("I_contains", a.expr, b.expr), F.BOOL)

    def op_not(self, ip: int, arg: int) -> None:
        a = self.pop()
        self.push(ast.UnaryOp(op=ast.Not(), operand=self.test(a)), F.BOOL, a.pure)

    def op_neg(self, ip: int, arg: int) -> None:
        a = self.pop()
        if a.val[0] == "int":
            val = (a.val[0], max(-a.val[2], MIN), min(-a.val[1], MAX))
            if a.val[1] > MIN:
                self.push(ast.UnaryOp(op=ast.USub(), operand=a.expr), val, a.pure)
            else:
                self.push(_call("I_neg", a.expr), val)
        elif a.val[0] == "float":
            self.push(ast.UnaryOp(op=ast.USub(), operand=a.expr), F.FLOAT, a.pure)
        else:
            self.push(_call("I_neg", a.expr), F.ANY)

    # strings
    def op_render(self, ip: int, arg: int) -> None:
        a = self.pop()
        k = a.val[0]
        if k == "str":
            self.push(a.expr, F.STR, a.pure)
        elif k == "int":
            self.push(_call("str", a.expr), F.STR)
        elif k == "float":
            self.push(_call("repr", a.expr), F.STR)
        else:
            self.push(_call("display", a.expr), F.STR)

    def op_format(self, ip: int, arg: int) -> None:
        a = self.pop()
        spec = self.code.consts[arg]
        import re
        if a.val[0] in ("int", "float") and re.match(_SIMPLE_SPEC, spec):
            self.push(_call("format", a.expr, _const(spec)), F.STR)
        else:
            self.push(_call("I_format_value", a.expr, _const(spec)), F.STR)

    def op_build_str(self, ip: int, arg: int) -> None:
        parts = self.stack[len(self.stack) - arg:]
        del self.stack[len(self.stack) - arg:]
        self.push(ast.JoinedStr(values=[_piece(p.expr) for p in parts]), F.STR, all(p.pure for p in parts))

    # containers
    def op_make_list(self, ip: int, arg: int) -> None:
        items = self.stack[len(self.stack) - arg:]
        del self.stack[len(self.stack) - arg:]
        self.push(ast.List(elts=[e.expr for e in items], ctx=ast.Load()), F.LIST)

    def op_make_dict(self, ip: int, arg: int) -> None:
        items = self.stack[len(self.stack) - 2 * arg:]
        del self.stack[len(self.stack) - 2 * arg:]
        keys = items[0::2]
        if all(isinstance(k.expr, ast.Constant) and type(k.expr.value) in _KEY_TYPES for k in keys):
            self.push(ast.Dict(keys=[k.expr for k in keys], values=[v.expr for v in items[1::2]]), F.DICT)
        else:
            self.push(_call("I_make_dict", ast.List(elts=[e.expr for e in items], ctx=ast.Load())), F.DICT)

    def op_list_repeat(self, ip: int, arg: int) -> None:
        n = self.pop()
        item = self.pop()
        self.push(_call("I_list_repeat", item.expr, n.expr), F.LIST)

    def op_make_range(self, ip: int, arg: int) -> None:
        b = self.pop()
        a = self.pop()
        val = self.st(ip + 1).stack[-1] if self.st(ip + 1) else F.ANY
        if a.val[0] == "int" and b.val[0] == "int":
            self.push(_call("I_make_range", a.expr, b.expr, _const(bool(arg))), val, False,
                      parts=(a, b, bool(arg)))
        else:
            self.push(_call("I_make_range", a.expr, b.expr, _const(bool(arg))), val)

    def op_get_iter(self, ip: int, arg: int) -> None:
        a = self.pop()
        if a.parts is not None:
            lo, hi, inclusive = a.parts
            stop = ast.BinOp(left=hi.expr, op=ast.Add(), right=_const(1)) if inclusive else hi.expr
            self.push(_call("iter", _call("range", lo.expr, stop)), ITER)
        elif a.val[0] in ("list", "str"):  # as I.iterate does for them
            self.push(_call("iter", a.expr), ITER)
        else:
            self.push(_call("I_iterate", a.expr), ITER)

    def op_index(self, ip: int, arg: int) -> None:
        i = self.pop()
        obj = self.pop()
        result = self.st(ip + 1).stack[-1] if self.st(ip + 1) else F.ANY
        ko, ki = obj.val[0], i.val[0]
        if ko in ("list", "any", "iterator") and ki in ("int", "any"):
            self.index_fast(obj, i, result, "list", "IndexError")
        elif ko == "dict" and ki in ("str", "int"):
            self.index_fast(obj, i, result, "dict", "KeyError")
        else:
            self.push(_call("I_index", obj.expr, i.expr), result)

    def index_fast(self, obj: Entry, i: Entry, result: Val, kind: str, miss: str) -> None:
        """`obj[i]` by Python's subscript behind type tests, the intrinsic for a miss or
        another type (its IndexOutOfBounds/KeyError/TypeError are tier 0's)."""
        o, k = self.simple(obj), self.simple(i)
        self.flush()  # what was pushed before runs first (it may fail too)
        t = self.temp()
        slow = ast.Assign(targets=[_name(t, True)], value=_call("I_index", o.expr, k.expr))
        fast: list[ast.stmt] = [ast.Try(
            body=[ast.Assign(targets=[_name(t, True)], value=ast.Subscript(value=o.expr, slice=k.expr,
                                                                          ctx=ast.Load()))],
            handlers=[ast.ExceptHandler(type=_name(miss), name=None, body=[slow])], orelse=[], finalbody=[])]
        tests: list[ast.expr] = []
        if o.val[0] != kind:
            tests.append(_type_is(o.expr, kind))
        if kind == "list" and k.val[0] != "int":
            tests.append(_type_is(k.expr, "int"))
        if tests:
            test = tests[0] if len(tests) == 1 else ast.BoolOp(op=ast.And(), values=tests)
            self.emit(ast.If(test=test, body=fast, orelse=[slow]))
        else:
            self.emit(fast[0])
        self.push(_name(t), result, True)

    def op_set_index(self, ip: int, arg: int) -> None:
        v = self.pop()
        i = self.pop()
        obj = self.pop()
        o, k, x = self.simple(obj), self.simple(i), self.simple(v)
        self.flush()
        slow = ast.Expr(_call("I_set_index", o.expr, k.expr, x.expr))
        store = ast.Assign(targets=[ast.Subscript(value=o.expr, slice=k.expr, ctx=ast.Store())], value=x.expr)
        if o.val[0] == "list" and k.val[0] == "int":
            self.emit(ast.Try(body=[store], handlers=[ast.ExceptHandler(type=_name("IndexError"), name=None,
                                                                        body=[slow])],
                              orelse=[], finalbody=[]))
        elif o.val[0] == "dict" and k.val[0] in ("str", "int", "float", "bool", "nil"):
            self.emit(store)
        else:
            self.emit(slow)

    def op_slice(self, ip: int, arg: int) -> None:
        hi = self.pop() if arg & 2 else None
        lo = self.pop() if arg & 1 else None
        obj = self.pop()
        self.push(_call("I_slice_", obj.expr, lo.expr if lo else _const(None),
                        hi.expr if hi else _const(None)), F.ANY)

    def op_unpack(self, ip: int, arg: int) -> None:
        a = self.pop()
        self.flush()
        t = self.temp()
        self.emit(ast.Assign(targets=[_name(t, True)], value=_call("I_unpack", a.expr, _const(arg))))
        for k in range(arg):
            self.push(ast.Subscript(value=_name(t), slice=_const(k), ctx=ast.Load()), F.ANY, True)

    # attributes
    def op_get_attr(self, ip: int, arg: int) -> None:
        """`obj.name`: an Instance's field by Python's dict subscript (a miss, a method or
        another type goes through the intrinsic, whose errors are tier 0's)."""
        a = self.simple(self.pop())
        self.flush()  # what was pushed before runs first (it may fail too)
        name = self.code.consts[arg]
        t = self.temp()
        slow = ast.Assign(targets=[_name(t, True)], value=_call("I_get_attr", a.expr, _const(name), _name("METHODS")))
        fast = ast.Try(body=[ast.Assign(targets=[_name(t, True)], value=ast.Subscript(
            value=_attr(a.expr, "fields"), slice=_const(name), ctx=ast.Load()))],
            handlers=[ast.ExceptHandler(type=_name("KeyError"), name=None, body=[slow])], orelse=[], finalbody=[])
        if a.val[0] == "inst":
            self.emit(fast)
        else:
            self.emit(ast.If(test=_type_is(a.expr, "Instance"), body=[fast], orelse=[ast.clone(slow)]))
        self.push(_name(t), F.ANY, True)

    def op_set_attr(self, ip: int, arg: int) -> None:
        v = self.pop()
        obj = self.pop()
        o, x = self.simple(obj), self.simple(v)
        self.flush()
        name = self.code.consts[arg]
        store = ast.Assign(targets=[ast.Subscript(value=_attr(o.expr, "fields"), slice=_const(name),
                                                  ctx=ast.Store())], value=x.expr)
        if o.val[0] == "inst":
            self.emit(store)
        else:
            self.emit(ast.If(test=_type_is(o.expr, "Instance"), body=[store],
                             orelse=[ast.Expr(_call("I_set_attr", o.expr, _const(name), x.expr))]))

    def op_super_get(self, ip: int, arg: int) -> None:
        this = self.pop()
        cls = self.pop()
        self.push(_call("I_super_get", cls.expr, this.expr, _const(self.code.consts[arg])), F.ANY)

    # calls
    def op_call(self, ip: int, argc: int) -> bool | None:
        tail = self.ops[ip][0] == Op.TAIL_CALL and not self.st(ip).handlers
        args = self.stack[len(self.stack) - argc:]
        del self.stack[len(self.stack) - argc:]
        f = self.pop()
        target = self._known_callee(f, argc)
        if tail and target is not None and target[0] == "self":
            return self._self_tail(ip, args)
        if self.limited:  # tick after the arguments, before the call, as tier 0 does
            self.flush()
            names = []
            for e in [f, *args]:
                t = self.temp()
                self.emit(ast.Assign(targets=[_name(t, True)], value=e.expr))
                names.append(_name(t))
            self.emit(ast.Expr(_call("TICK_CALL")))
            f = Entry(names[0], f.val, True, glob=f.glob)
            args = [Entry(n, a.val, True) for n, a in zip(names[1:], args)]
        if target is not None and target[0] == "builtin" and self.builtin_fast(ip, target[1], args):
            return None
        if target is not None and target[0] == "class":
            result: ast.expr = self._construct(target[1], args)
            pure = True
        elif target is not None:
            result = self._direct_call(target, f, args)
            pure = isinstance(result, ast.Name)  # a call may fail: only its stored result waits
        elif self.caches and len(args) <= 3:
            # an inline cache: the compiled entry of the function last called here
            f, args = self.settled(f, args)
            ic = self.const(MethodCache(), "IC")
            hit = ast.BoolOp(op=ast.And(), values=[_type_is(f.expr, "Closure"),
                                                   _is(_attr(f.expr, "code"), _attr(ic, "cls"))])
            values = [a.expr for a in args]
            result = ast.IfExp(test=hit, body=_call(_attr(ic, "fn"), self.vm(), f.expr, *values),
                               orelse=_call(_attr(_name("CALLS"), "call_ic"), self.vm(), ic, f.expr,
                                            *[ast.clone(v) for v in values]))
            pure = False
        else:
            result = _call(_attr(_name("CALLS"), "call"), self.vm(), f.expr, *[a.expr for a in args])
            pure = False
        # a tail call of another function is a call whose value the next RETURN returns
        self.push(result, self.after(ip), pure)
        return None

    def _known_callee(self, f: Entry, argc: int) -> tuple[str, Any] | None:
        """A callee this site can call directly: ("self", closure) for the function being
        compiled, ("entry", closure) for a stable global's compiled function, ("builtin",
        export) for a built-in no code can shadow."""
        if f.val[0] != "known":
            return None
        value = self.an.known[f.val[1]]
        if value is self.self_closure and argc == value.code.nparams:
            return ("self", value)
        if (type(value) is Closure and argc == value.code.nparams and not value.code.captures
                and type(value.code.jit) is _FUNCTION):
            return ("entry", value)
        if type(value).__name__ == "Export" and value.qualname == value.name:  # a built-in
            return ("builtin", value)
        if type(value) is Class:
            init = value.find_method("init")
            if (type(init) is Closure and argc + 1 == init.code.nparams and not init.code.captures
                    and type(init.code.jit) is _FUNCTION):
                return ("class", value)
        return None

    def _construct(self, cls: Any, args: list[Entry]) -> ast.expr:
        """`Cls(args)` for a class whose `init` is compiled: a new Instance, and init's
        entry called directly (its result is not the call's)."""
        self.flush()
        inst = self.temp()
        # Instance(cls) without a host frame for its __init__: object.__new__, then its slots
        self.emit(ast.Assign(targets=[_name(inst, True)], value=_call("NEW", _name("Instance"))))
        self.emit(ast.Assign(targets=[ast.Attribute(value=_name(inst), attr="cls", ctx=ast.Store())], value=self.const(cls)))
        init = cls.find_method("init")
        stores = None if self.limited else _field_stores(init.code)  # (a call is a step)
        if stores is not None:  # init only stores its parameters in fields: the dict itself
            args = [self.simple(a) for a in args]
            self.emit(ast.Assign(targets=[ast.Attribute(value=_name(inst), attr="fields", ctx=ast.Store())],
                                 value=ast.Dict(keys=[_const(name) for name, _ in stores],
                                                values=[args[k - 1].expr for _, k in stores])))
            return _name(inst)
        self.emit(ast.Assign(targets=[ast.Attribute(value=_name(inst), attr="fields", ctx=ast.Store())], value=ast.Dict(keys=[], values=[])))
        call = self._direct_call(("entry", init), Entry(_name(inst), F.ANY, True),
                                 [Entry(_name(inst), F.INST, True), *args])
        if not isinstance(call, ast.Name):
            self.emit(ast.Expr(call))
        return _name(inst)

    def _direct_call(self, target: tuple[str, Any], f: Entry, args: list[Entry]) -> ast.expr:
        """A call to a known function as a plain Python call. A pure callee called from
        code with effects is where a full host stack is recovered: its RecursionError
        runs the call again in tier 0 (jit/support.py)."""
        kind, fn = target
        self.flush()
        if kind == "builtin":
            return _call(self.const(fn), *[a.expr for a in args])
        if kind == "self":
            callee_pure = self.pure
            spec = self.spec
            body_: ast.expr = _name("BODY")
            entry_: ast.expr = _name("SELF")
            cells = [_name("C")] if self.code.captures else []
        else:
            entry = fn.code.jit
            self.callees.append(fn.code)
            callee_pure = entry.axiom_pure
            spec = entry.axiom_spec
            body_ = self.const(getattr(entry, "axiom_body", entry), "E")
            entry_ = self.const(entry, "E")
            cells = []
        misfits = [(a, s) for a, s in zip(args, spec) if F.join(a.val, s) != s] if spec else None
        if misfits and all(s[0] in _PYTYPE for _, s in misfits):
            # the entry's guard, inline: the body itself when the arguments pass it
            args = [self.simple(a) for a in args]
            misfits = [(a, s) for a, s in zip(args, spec) if F.join(a.val, s) != s]
            tests: list[ast.expr] = [_type_is(a.expr, _PYTYPE[s[0]]) for a, s in misfits]
            guard: ast.expr | None = tests[0] if len(tests) == 1 else ast.BoolOp(op=ast.And(), values=list(tests))
        else:
            guard = None
        lead = cells if callee_pure else [self.vm(), *cells]

        def call_with(args: list[Entry]) -> ast.expr:
            values = [a.expr for a in args]
            if guard is not None:
                return ast.IfExp(test=guard, body=_call(body_, *lead, *values),
                                 orelse=_call(entry_, *lead, *[ast.clone(v) for v in values]))
            whole = misfits or (kind == "self" and not spec)  # the guarded entry is needed
            return _call(entry_ if whole else body_, *lead, *values)

        call = call_with(args)
        if self.pure or not callee_pure:
            return call
        # code with effects calling a pure function: recover a full host stack there
        args = [a if a.pure else self.simple(a) for a in args]
        call = call_with(args)
        r = self.temp()
        again = ast.Tuple(elts=[ast.clone(a.expr) for a in args], ctx=ast.Load())
        self.emit(ast.Try(body=[ast.Assign(targets=[_name(r, True)], value=call)],
                          handlers=[ast.ExceptHandler(type=_name("RecursionError"), name=None, body=[
                              ast.Assign(targets=[_name(r, True)],
                                         value=_call(_attr(self.vm(), "deep_call"), self.const(fn),
                                                     ast.List(elts=again.elts, ctx=ast.Load())))])],
                          orelse=[], finalbody=[]))
        return _name(r)

    def _self_tail(self, ip: int, args: list[Entry]) -> bool:
        """A tail call of the function itself: rebind the parameters and loop."""
        self.flush()
        temps = []
        for a in args:
            t = self.temp()
            self.emit(ast.Assign(targets=[_name(t, True)], value=a.expr))
            temps.append((t, a))
        if self.limited:
            self.emit(ast.Expr(_call("TICK_CALL")))
        guards: list[ast.expr] = [_type_is(_name(t), _PYTYPE[s[0]]) for (t, a), s in zip(temps, self.spec)
                                  if s[0] in _PYTYPE and a.val[0] != s[0]]
        rebind: list[ast.stmt] = [ast.Assign(targets=[_name(self.names[i], True)], value=_name(t))
                                  for i, (t, _) in enumerate(temps)]
        rebind += [ast.Assign(targets=[_name(self.names[i], True)], value=_name("UNSET"))
                   for i in range(len(temps), self.code.nslots)]
        rebind.append(ast.Continue())
        if guards:
            test = guards[0] if len(guards) == 1 else ast.BoolOp(op=ast.And(), values=guards)
            lead = ([] if self.pure else [_name("vm")]) + ([_name("C")] if self.code.captures else [])
            self.emit(ast.If(test=test, body=rebind, orelse=[
                ast.Return(value=_call("SELF", *lead, *[_name(t) for t, _ in temps]))]))
        else:
            for s in rebind:
                self.emit(s)
        self.tail_loop = True
        if ip + 1 < len(self.ops) and self.ops[ip + 1][0] == Op.RETURN and ip + 1 not in self.an.targets:
            self.dead_return = ip + 1
        return False

    def op_call_kw(self, ip: int, arg: int) -> bool | None:
        argc, names = self.code.consts[arg]
        n = argc + len(names)
        values = self.stack[len(self.stack) - n:]
        del self.stack[len(self.stack) - n:]
        f = self.pop()
        result = _call(_attr(_name("CALLS"), "call_kw"), self.vm(), f.expr, _const(tuple(names)),
                       *[v.expr for v in values])
        self.push(result, F.ANY)
        return None

    def op_method_call(self, ip: int, arg: int) -> None:
        name, argc, kwnames = self.code.consts[arg]
        n = argc + (len(kwnames) if kwnames else 0)
        values = self.stack[len(self.stack) - n:]
        del self.stack[len(self.stack) - n:]
        obj = self.pop()
        if not kwnames and self.method_fast(ip, obj, name, values):
            return
        if not kwnames and self.class_method(ip, obj, name, values):
            return
        if kwnames:
            self.push(_call(_attr(_name("CALLS"), "method_kw"), self.vm(), obj.expr, _const(name),
                            _const(tuple(kwnames)), *[v.expr for v in values]), F.ANY)
        elif self.caches and obj.val[0] in ("any", "inst") and len(values) <= 2:
            # an inline cache: the method of the class last seen here, called directly
            o, values = self.settled(obj, values)
            ic = self.const(MethodCache(("inst", *(v.val[0] for v in values))), "IC")
            hit = ast.BoolOp(op=ast.And(), values=[
                *([] if o.val[0] == "inst" else [_type_is(o.expr, "Instance")]),
                _is(_attr(o.expr, "cls"), _attr(ic, "cls")),
                _unshadowed(o.expr, name)])
            args = [v.expr for v in values]
            self.push(ast.IfExp(test=hit, body=_call(_attr(ic, "fn"), self.vm(), o.expr, *args),
                                orelse=_call(_attr(_name("CALLS"), "method_ic"), self.vm(), ic, o.expr,
                                             _const(name), *[ast.clone(a) for a in args])), F.ANY)
        else:
            self.push(_call(_attr(_name("CALLS"), "method"), self.vm(), obj.expr, _const(name),
                            *[v.expr for v in values]), F.ANY)

    def class_method(self, ip: int, obj: Entry, name: str, args: list[Entry]) -> bool:
        """`obj.name(args)` where obj's class is known when compiling (made by `Cls(...)`
        here, or returned by such a method): the class's compiled method called as a known
        function is, unless a field of obj shadows it. Not in limited runs (their method
        calls tick as the inline cache's do)."""
        cls: Any = obj.val[1] if obj.val[0] == "inst" else 0
        m = cls.find_method(name) if cls != 0 and not self.limited else None
        if not (type(m) is Closure and not m.code.captures and len(args) + 1 == m.code.nparams
                and type(m.code.jit) is _FUNCTION):
            return False
        o, args = self.settled(obj, args)
        r = self.temp()
        outer, self.out = self.out, []
        self.emit(ast.Assign(targets=[_name(r, True)], value=self._direct_call(("entry", m), o, [o, *args])))
        fast, self.out = self.out, outer
        slow = ast.Assign(targets=[_name(r, True)], value=_call(
            _attr(_name("CALLS"), "method"), self.vm(), o.expr, _const(name), *[ast.clone(a.expr) for a in args]))
        self.emit(ast.If(test=_unshadowed(o.expr, name), body=fast, orelse=[slow]))
        self.push(_name(r), self.after(ip), True)
        return True

    def method_fast(self, ip: int, obj: Entry, name: str, args: list[Entry]) -> bool:
        """A method of a built-in type as Python's own (where the two mean the same for
        these operand types), or a module's function called directly. False when the
        generic method call is needed."""
        k = obj.val[0]
        kinds = [a.val[0] for a in args]
        result = self.after(ip)
        if k == "known":
            export = F.exported(self.an.known[obj.val[1]], name)
            if export is None:
                return False
            self.export_call(export, args, result)
            return True
        expr: ast.expr | None = None
        o = obj.expr
        if k == "list":
            if name == "push" and len(args) == 1:
                expr = _call(_attr(o, "append"), args[0].expr)  # nil, as push gives
            elif name == "copy" and not args:
                expr = _call(_attr(o, "copy"))
            elif name == "len" and not args:
                expr = _call("len", o)
        elif k == "str":
            if name in ("upper", "lower") and not args:
                expr = _call(_attr(o, name))
            elif name == "trim" and not args:
                expr = _call(_attr(o, "strip"))
            elif name == "len" and not args:
                expr = _call("len", o)
            elif kinds == ["str"] and name in _STR_METHODS:
                if name == "contains":
                    expr = ast.Compare(left=args[0].expr, ops=[ast.In()], comparators=[o])
                else:
                    expr = _call(_attr(o, _STR_METHODS[name]), args[0].expr)
            elif name == "split" and (not args or _nonempty_str(args[0])):
                expr = _call(_attr(o, "split"), *[a.expr for a in args])
            elif name == "replace" and kinds == ["str", "str"] and _nonempty_str(args[0]):
                expr = _call(_attr(o, "replace"), args[0].expr, args[1].expr)
        elif k == "dict":
            if name == "get" and 1 <= len(args) <= 2 and kinds[0] in _HASHABLE:
                expr = _call(_attr(o, "get"), args[0].expr, args[1].expr if len(args) == 2 else _const(None))
            elif name == "has" and len(args) == 1 and kinds[0] in _HASHABLE:
                expr = ast.Compare(left=args[0].expr, ops=[ast.In()], comparators=[o])
            elif name == "len" and not args:
                expr = _call("len", o)
        elif k == "any" and name == "push" and len(args) == 1:
            o2 = self.simple(obj)
            x = self.simple(args[0])
            expr = ast.IfExp(test=_type_is(o2.expr, "list"),
                             body=_call(_attr(o2.expr, "append"), x.expr),
                             orelse=_call(_attr(_name("CALLS"), "method"), self.vm(), o2.expr,
                                          _const(name), x.expr))
        if expr is None:
            return False
        self.push(expr, result)
        return True

    def builtin_fast(self, ip: int, export: Any, args: list[Entry]) -> bool:
        """A built-in function called as Python's own or its Python function directly;
        False when it needs the export's checks and conversions."""
        if export.name == "len" and len(args) == 1 and args[0].val[0] in ("list", "str", "dict"):
            self.flush()
            self.push(_call("len", args[0].expr), self.after(ip), args[0].pure)
            return True
        if export.name in _SAFE_INT_BUILTINS or export.skip_convert:
            return self.export_call(export, args, self.after(ip), loose=True)
        return False

    def export_call(self, export: Any, args: list[Entry], result: Val, loose: bool = False) -> bool:
        """A module's function: its Python function itself when the arguments already
        have the types it takes and its result needs no conversion (errors translated
        as the SDK translates them), else the export with its checks. `loose`: a
        built-in, whose parameters of type any take a value as it is and whose int
        results are in range (True when called directly; False, with nothing pushed,
        when it needs the export)."""
        fast = (not export.is_method and export.varargs is None and export.varkw is None
                and not export.needs and (export.skip_convert or loose)
                and len(args) == len(export.positional)
                and all(p.type_name == a.val[0] or (loose and p.type_name == "any")
                        for p, a in zip(export.positional, args)))
        if loose and not fast:
            return False
        if not fast:
            self.push(_call(self.const(export, "X"), *[a.expr for a in args]), result)
            return True
        self.flush()
        args = [a if a.pure else self.simple(a) for a in args]
        t = self.temp()
        err = self.temp()
        self.emit(ast.Try(body=[ast.Assign(targets=[_name(t, True)],
                                           value=_call(self.const(export.fn, "PY"), *[a.expr for a in args]))],
                          handlers=[ast.ExceptHandler(type=_name("AxiomError"), name=None, body=[ast.Raise()]),
                                    ast.ExceptHandler(type=_name("BaseException"), name=err, body=[
                                        ast.Raise(exc=_call(_attr(self.const(export, "X"), "_translate"),
                                                            _name(err)), cause=_name(err))])],
                          orelse=[], finalbody=[]))
        self.push(_name(t), result, True)
        return True

    # functions and classes
    def op_make_closure(self, ip: int, arg: int) -> None:
        code = self.code.consts[arg]
        cells: list[ast.expr] = []
        for from_slot, i in code.captures:
            cells.append(_name(self.names[i]) if from_slot else
                         ast.Subscript(value=_name("C"), slice=_const(i), ctx=ast.Load()))
        self.push(_call("Closure", self.const(code, "CODE"), ast.Tuple(elts=cells, ctx=ast.Load()),
                        _name("MODULE")), ("fn", 0, 0), False)

    def op_make_class(self, ip: int, arg: int) -> None:
        parent = self.pop()
        self.push(_call("I_make_class", _const(self.code.consts[arg]), parent.expr), F.ANY)

    def op_add_method(self, ip: int, arg: int) -> None:
        fn = self.pop()
        cls = self.pop()
        self.flush()
        t = self.temp()
        self.emit(ast.Assign(targets=[_name(t, True)], value=cls.expr))
        self.emit(ast.Assign(targets=[ast.Subscript(value=_attr(_name(t), "methods"),
                                                    slice=_const(self.code.consts[arg]), ctx=ast.Store())],
                             value=fn.expr))
        self.push(_name(t), F.ANY, True)

    # statements
    def op_pop(self, ip: int, arg: int) -> None:
        e = self.pop()
        if not e.pure:
            self.flush()
            self.emit(ast.Expr(e.expr))

    def op_dup(self, ip: int, arg: int) -> None:
        e = self.simple(self.pop())
        self.stack += [e, Entry(e.expr, e.val, True, e.parts, e.glob)]

    def op_dup2(self, ip: int, arg: int) -> None:
        b = self.pop()
        a = self.simple(self.pop())
        b = self.simple(b)
        self.stack += [a, b, Entry(a.expr, a.val, True), Entry(b.expr, b.val, True)]

    def op_return(self, ip: int, arg: int) -> bool:
        e = self.pop()
        self.flush()
        self.emit(ast.Return(value=e.expr))
        return False

    def op_throw(self, ip: int, arg: int) -> bool:
        e = self.pop()
        self.flush()
        self.emit(ast.Raise(exc=_call("I_thrown", e.expr)))
        return False

    def op_out(self, ip: int, arg: int) -> None:
        e = self.pop()
        self.flush()
        self.emit(ast.Expr(_call(_attr(_name("CALLS"), "out"), e.expr, _const(arg))))

    def op_import(self, ip: int, arg: int) -> None:
        self.push(_call(_attr(_name("CALLS"), "import_module"), _const(self.code.consts[arg]),
                        _const(self.code.filename)), F.ANY)

    def op_import_from(self, ip: int, arg: int) -> None:
        m = self.simple(self.pop())
        self.stack.append(m)
        self.push(_call(_attr(m.expr, "get_symbol"), _const(self.code.consts[arg])), F.ANY)

    def op_fixed(self, ip: int, arg: int) -> None:
        e = self.pop()
        declaring = self.ops[ip][0] == Op.ALLOC_FIXED
        self.push(_call("I_check_fixed", _const(self.code.consts[arg]), e.expr, _const(declaring)), F.ANY)

    def op_pop_try(self, ip: int, arg: int) -> None:
        pass  # leaving a Python try block ends it

    def op_nop(self, ip: int, arg: int) -> None:
        pass


def sink_returns(body: list[ast.stmt]) -> list[ast.stmt]:
    """Move `return sK` after an if/else into its branches (`sK = x; return sK` becomes
    `return x`): branches merging only to return cost a store, a jump and a load."""
    for stmt in body:
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                setattr(stmt, field, sink_returns(inner))
        if isinstance(stmt, ast.Try):
            for h in stmt.handlers:
                h.body = sink_returns(h.body)
    if len(body) >= 2 and isinstance(body[-1], ast.Return) and isinstance(body[-1].value, ast.Name):
        name = body[-1].value.id
        prev = body[-2]
        if isinstance(prev, ast.If) and prev.orelse:
            ret = body.pop()
            prev.body = _returning(prev.body, name, ret)
            prev.orelse = _returning(prev.orelse, name, ret)
    if (len(body) >= 2 and isinstance(body[-1], ast.Return) and isinstance(body[-1].value, ast.Name)
            and isinstance(body[-2], ast.Assign) and len(body[-2].targets) == 1
            and isinstance(body[-2].targets[0], ast.Name) and body[-2].targets[0].id == body[-1].value.id):
        assign = body[-2]
        body[-2:] = [ast.copy_location(ast.Return(value=assign.value), assign)]
    return body


def _returning(branch: list[ast.stmt], name: str, ret: ast.stmt) -> list[ast.stmt]:
    if branch and isinstance(branch[-1], (ast.Return, ast.Raise, ast.Continue, ast.Break)):
        return branch
    return sink_returns(branch + [ast.copy_location(ast.Return(value=_name(name)), ret)])


_KEY_TYPES: Final = (type(None), bool, int, float, str)
_HASHABLE: Final = frozenset({"int", "float", "str", "bool", "nil"})
_STR_METHODS: Final = {"find": "find", "contains": "", "starts_with": "startswith",
                       "ends_with": "endswith"}


def _nonempty_str(e: Entry) -> bool:
    """A constant, non-empty str (an empty separator or pattern is an Axiom error)."""
    return isinstance(e.expr, ast.Constant) and type(e.expr.value) is str and e.expr.value != ""
_FUNCTION: Final = type(_name)
_GUESSABLE: Final = frozenset({"int", "float", "any"})  # kinds a numeric fast path may be tried on
_JUMPS: Final = frozenset(op for op, info in INFO.items() if info.operand == "target")

_HANDLERS: Final[dict[int, Any]] = {
    Op.LOAD_CONST: Gen.op_load_const, Op.LOAD_VAR: Gen.op_load_var, Op.STORE_VAR: Gen.op_store_var,
    Op.LOAD_GLOBAL: Gen.op_load_global, Op.STORE_GLOBAL: Gen.op_store_global,
    Op.LOAD_CELL: Gen.op_load_cell, Op.STORE_CELL: Gen.op_store_cell,
    Op.LOAD_FREE: Gen.op_load_free, Op.STORE_FREE: Gen.op_store_free,
    Op.NEW_CELL: Gen.op_new_cell, Op.CELL_PARAM: Gen.op_cell_param, Op.IS_UNSET: Gen.op_is_unset,
    Op.FREE_VAR: Gen.op_free_var, Op.FREE_GLOBAL: Gen.op_free_global,
    Op.ADD: Gen.op_binary, Op.SUB: Gen.op_binary, Op.MUL: Gen.op_binary, Op.DIV: Gen.op_binary,
    Op.MOD: Gen.op_binary,
    Op.EQ: Gen.op_compare, Op.NE: Gen.op_compare, Op.LT: Gen.op_compare, Op.LE: Gen.op_compare,
    Op.GT: Gen.op_compare, Op.GE: Gen.op_compare, Op.IN: Gen.op_in, Op.NOT: Gen.op_not,
    Op.NEG: Gen.op_neg, Op.RENDER: Gen.op_render, Op.FORMAT: Gen.op_format,
    Op.BUILD_STR: Gen.op_build_str, Op.MAKE_LIST: Gen.op_make_list, Op.MAKE_DICT: Gen.op_make_dict,
    Op.LIST_REPEAT: Gen.op_list_repeat, Op.MAKE_RANGE: Gen.op_make_range,
    Op.GET_ITER: Gen.op_get_iter, Op.INDEX: Gen.op_index, Op.SET_INDEX: Gen.op_set_index,
    Op.SLICE: Gen.op_slice, Op.UNPACK: Gen.op_unpack, Op.GET_ATTR: Gen.op_get_attr,
    Op.SET_ATTR: Gen.op_set_attr, Op.SUPER_GET: Gen.op_super_get,
    Op.CALL: Gen.op_call, Op.TAIL_CALL: Gen.op_call, Op.CALL_KW: Gen.op_call_kw,
    Op.TAIL_CALL_KW: Gen.op_call_kw, Op.METHOD_CALL: Gen.op_method_call,
    Op.MAKE_CLOSURE: Gen.op_make_closure, Op.MAKE_CLASS: Gen.op_make_class,
    Op.ADD_METHOD: Gen.op_add_method, Op.POP: Gen.op_pop, Op.DUP: Gen.op_dup, Op.DUP2: Gen.op_dup2,
    Op.RETURN: Gen.op_return, Op.HALT: Gen.op_return, Op.THROW: Gen.op_throw, Op.OUT: Gen.op_out,
    Op.IMPORT: Gen.op_import, Op.IMPORT_FROM: Gen.op_import_from,
    Op.ALLOC_FIXED: Gen.op_fixed, Op.CHECK_FIXED: Gen.op_fixed, Op.POP_TRY: Gen.op_pop_try,
    Op.NOP: Gen.op_nop,
}
