"""What the native tier compiles: the machine type of every value, per instruction.

Pipeline position: the first step of a native compile (jit/native/__init__.py), before
jit/native/lower.py writes LLVM IR. Imports bytecode only (never llvmlite), so a unit the
tier cannot compile is found out before llvmlite is imported.

An abstract interpretation of a unit's instructions, like jit/infer.py's but over the few
types native code has. A value is one of

    "i"      an int (i64)             "f"   a float (f64)        "b"  a bool (i1)
    "n"      nil (no machine word)    "r"   an iterator over a range: (next, stop)
    "li"/"lf" a list of ints / of floats: a pointer to its header (lower.py), unboxed from a
             Python list (glue.py) or made by native code (a literal of numbers, [x; n],
             list(a..b), .copy(); an empty literal [] is a list of ints, or, when the
             unit does not type that way, of floats: env.empty); .push() of an item of
             its type
    ("k", j) a value known when compiling (a function, a module, a built-in): known[j]
    ("g", inclusive)  a range (lo, hi), between MAKE_RANGE and GET_ITER

and a slot may also be "u" (unset), "i?"/"f?"/"b?" (that type or unset: a flag word at run
time says which) or "x" (different types on different paths: never read, and never in scope
where native code leaves). "_" is a call's value not known yet (while the type of what a
recursive function returns is being found).

A unit is a whole function (entry at 0, typed parameters) or a loop of a running frame
(entry at its header, the frame's values at that moment): then every instruction outside
the loop is an exit, where the frame goes on in tier 0. In a program's main code the
loop's globals are variables of the unit too (read at entry, written back at exits).
Anything else raises Unsupported, and the unit stays with tier 1.
"""

from __future__ import annotations

from ...bytecode import Code, Op
from ..infer import Unsupported, exported

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Final

SCALARS: Final = ("i", "f", "b")
LISTS: Final = ("li", "lf")  # element type: t[1]
MATH: Final = frozenset({"sqrt", "sin", "cos", "exp", "ln", "log", "floor", "abs", "pow"})
BUILTINS: Final = frozenset({"abs", "float", "int", "len"})
MAX_RECORD: Final = 60  # words a unit's state may take where it leaves (buffer room per frame)
_COMPARES: Final = frozenset({Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE})
_ARITH: Final = frozenset({Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.MOD})
_JUMPS: Final = frozenset({Op.JUMP, Op.JUMP_IF_FALSE, Op.JUMP_IF_TRUE, Op.JUMP_IF_FALSE_OR_POP,
                           Op.JUMP_IF_TRUE_OR_POP, Op.FOR_ITER})


def base(t: Any) -> Any:
    """A slot type without its maybe-unset mark."""
    return t[0] if type(t) is str and len(t) == 2 and t[1] == "?" else t


def join_slot(a: Any, b: Any) -> Any:
    if a == b or b == "_":
        return a
    if a == "_":
        return b
    if a == "x" or b == "x":
        return "x"
    if a == "u":
        return b if b[-1:] == "?" else (b + "?" if b in SCALARS else "x")
    if b == "u":
        return join_slot(b, a)
    if base(a) == base(b) and base(a) in SCALARS:
        return base(a) + "?"
    return "x"


def join_value(a: Any, b: Any) -> Any:
    if a == b or b == "_":
        return a
    if a == "_":
        return b
    raise Unsupported(f"a value of type {show(a)} here and {show(b)} there")


def show(t: Any) -> str:
    names = {"i": "int", "f": "float", "b": "bool", "n": "nil", "r": "range iterator", "_": "unknown",
             "li": "a list of ints", "lf": "a list of floats"}
    if type(t) is tuple:
        return "a known value" if t[0] == "k" else "a range"
    return names.get(t, t)


def words(t: Any) -> int:
    """Machine words a value of type `t` takes in a record (a maybe-unset slot adds its flag)."""
    if type(t) is tuple:
        return 2 if t[0] == "g" else 0
    if t in SCALARS or t in LISTS:
        return 1
    if t in ("i?", "f?", "b?"):
        return 2
    return 2 if t == "r" else 0


class Callee:
    """A function this unit calls natively: its closure and argument types."""

    def __init__(self, closure: Any, spec: tuple[str, ...]) -> None:
        self.closure = closure
        self.spec = spec


class Flow:
    """The states before each instruction of a unit (see the module docstring).

    unit     -- (code, entry ip, first ip past the region or None for a function)
    slots    -- the slot types at entry; stack -- the stack at entry
    globals_ -- for a loop of main code: name -> type of the non-stable globals it uses
    env      -- what the unit may know: `stable(name)` -> (value,) or None, `callee(closure,
                spec)` -> the return type of another function compiled natively (or raises
                Unsupported), `self_fn`/`spec` (a function unit) and `returns` while
                iterating to the type a recursive function returns.
    """

    def __init__(self, code: Code, entry: int, end: int | None, slots: list[Any], stack: list[Any],
                 globals_: dict[str, Any] | None, env: Any) -> None:
        self.code = code
        self.entry = entry
        self.lo = entry
        self.hi = end if end is not None else len(code.ops)
        self.function = end is None
        self.env = env
        self.known: list[Any] = list(env.known)
        self.globals = globals_  # None outside a main-code loop
        self.gnames: list[str] = sorted(globals_) if globals_ is not None else []
        self.returns: Any = "_"
        self.calls: dict[int, Any] = {}  # ip -> ("native", Callee) | ("math", name) | ("builtin", name)
        self.exits: set[int] = set()  # ips outside a loop unit that it reaches
        n = len(code.ops)
        self.states: list[Any] = [None] * n
        self.exit_states: dict[int, Any] = {}
        self.used_globals: set[str] = set()
        gtypes = tuple(globals_[g] for g in self.gnames) if globals_ is not None else ()
        work = [entry]
        self._merge(entry, (tuple(slots), tuple(stack), gtypes), work)
        steps = 0
        while work:
            steps += 1
            if steps > 100 * n + 1000:
                raise Unsupported("the flow analysis did not settle")
            ip = work.pop()
            self._step(ip, self.states[ip], work)

    # -- states --------------------------------------------------------------------------
    def _merge(self, ip: int, st: Any, work: list[int]) -> None:
        if not (self.lo <= ip < self.hi) or (not self.function and ip < self.entry):
            if self.function:
                raise Unsupported("control falls off the end")
            old = self.exit_states.get(ip)
            self.exit_states[ip] = st if old is None else self._join(old, st)
            self.exits.add(ip)
            return
        old = self.states[ip]
        new = st if old is None else self._join(old, st)
        if old is None or new != old:
            self.states[ip] = new
            work.append(ip)

    def _join(self, a: Any, b: Any) -> Any:
        if len(a[1]) != len(b[1]):
            raise Unsupported("the stack differs between paths")
        slots = tuple(join_slot(x, y) for x, y in zip(a[0], b[0]))
        stack = tuple(join_value(x, y) for x, y in zip(a[1], b[1]))
        gl = tuple(join_slot(x, y) for x, y in zip(a[2], b[2]))
        return (slots, stack, gl)

    # -- one instruction -----------------------------------------------------------------
    def _step(self, ip: int, st: Any, work: list[int]) -> None:
        op, arg = self.code.ops[ip]
        code = self.code
        slots = list(st[0])
        stack = list(st[1])
        gl = list(st[2])
        nxt = ip + 1

        def go(target: int, s: list[Any] = stack, sl: list[Any] = slots) -> None:
            self._merge(target, (tuple(sl), tuple(s), tuple(gl)), work)

        if op == Op.NOP:
            pass
        elif op == Op.LOAD_CONST:
            stack.append(const_type(code.consts[arg]))
        elif op == Op.LOAD_VAR:
            t = slots[arg]
            if base(t) not in SCALARS and t not in ("n", "r", "li", "lf") and not (type(t) is tuple and t[0] == "k"):
                raise Unsupported(f"reads {code.slot_names[arg]} ({show(t)}) at {ip}")
            stack.append(base(t))
            slots[arg] = base(t)  # reading an unset one leaves (tier 0 raises)
        elif op == Op.STORE_VAR:
            t = stack.pop()
            if t == "_":
                return  # not known yet: this path is typed on a later round
            if t not in SCALARS and t not in ("n", "li", "lf") and not (type(t) is tuple and t[0] == "k"):
                raise Unsupported(f"stores {show(t)} in a variable")
            slots[arg] = t
        elif op == Op.LOAD_GLOBAL:
            stack.append(self._global(ip, code.consts[arg], gl))
        elif op == Op.STORE_GLOBAL:
            name = code.consts[arg]
            if self.globals is None or name not in self.globals:
                raise Unsupported(f"stores the global {name}")
            t = stack.pop()
            if t == "_":
                return
            if t not in SCALARS:
                raise Unsupported(f"stores {show(t)} in the global {name}")
            gl[self.gnames.index(name)] = t
            self.used_globals.add(name)
        elif op in _ARITH:
            b = stack.pop()
            a = stack.pop()
            stack.append(arith(op, a, b))
        elif op in _COMPARES:
            b = stack.pop()
            a = stack.pop()
            stack.append(compare(op, a, b))
        elif op == Op.NOT:
            truth(stack[-1])
            stack[-1] = "b"
        elif op == Op.NEG:
            a = stack[-1]
            if a not in ("i", "f", "_"):
                raise Unsupported(f"-{show(a)}")
        elif op == Op.INDEX:
            i = stack.pop()
            xs = stack.pop()
            stack.append(element(xs, i))
        elif op == Op.SET_INDEX:
            v = stack.pop()
            i = stack.pop()
            xs = stack.pop()
            if element(xs, i) != v and v != "_":
                raise Unsupported(f"stores {show(v)} in {show(xs)}")
        elif op == Op.MAKE_LIST:
            items = stack[len(stack) - arg:]
            del stack[len(stack) - arg:]
            stack.append(new_list(items) if arg else getattr(self.env, "empty", "li"))
        elif op == Op.LIST_REPEAT:
            n = stack.pop()
            item = stack.pop()
            if n not in ("i", "_") or item not in ("i", "f", "_"):
                raise Unsupported(f"[{show(item)}; {show(n)}]")
            stack.append("l" + item if item != "_" else "_")
        elif op == Op.POP:
            stack.pop()
        elif op == Op.DUP:
            stack.append(stack[-1])
        elif op == Op.DUP2:
            stack.extend(stack[-2:])
        elif op == Op.JUMP:
            go(arg)
            return
        elif op in (Op.JUMP_IF_FALSE, Op.JUMP_IF_TRUE):
            truth(stack.pop())
            go(arg)
        elif op in (Op.JUMP_IF_FALSE_OR_POP, Op.JUMP_IF_TRUE_OR_POP):
            truth(stack[-1])
            go(arg)
            stack.pop()
        elif op == Op.MAKE_RANGE:
            b = stack.pop()
            a = stack.pop()
            if a not in ("i", "_") or b not in ("i", "_"):
                raise Unsupported("a range of non-ints")
            stack.append(("g", bool(arg)))
        elif op == Op.GET_ITER:
            if type(stack[-1]) is not tuple or stack[-1][0] != "g":
                raise Unsupported("iterates over something other than a range")
            stack[-1] = "r"
        elif op == Op.FOR_ITER:
            if stack[-1] != "r":
                raise Unsupported("a for loop over something other than a range")
            go(arg, stack[:-1])
            stack.append("i")
        elif op in (Op.CALL, Op.TAIL_CALL):
            args = stack[len(stack) - arg:]
            del stack[len(stack) - arg:]
            f = stack.pop()
            if op == Op.TAIL_CALL and self._self_tail(f, args):
                if "_" in args:
                    return
                self._merge(0, (tuple(args) + ("u",) * (code.nslots - len(args)), (), tuple(gl)), work)
                return
            r = self._call(ip, f, args)
            if op == Op.TAIL_CALL and (nxt >= len(code.ops) or code.ops[nxt][0] != Op.RETURN):
                raise Unsupported("a tail call not followed by its return")
            stack.append(r)
        elif op == Op.METHOD_CALL:
            name, argc, kwnames = code.consts[arg]
            if kwnames:
                raise Unsupported("keyword arguments")
            args = stack[len(stack) - argc:]
            del stack[len(stack) - argc:]
            obj = stack.pop()
            stack.append(self._math(ip, obj, name, args))
        elif op == Op.RETURN:
            if not self.function:
                self.exits.add(ip)
                old = self.exit_states.get(ip)
                self.exit_states[ip] = st if old is None else self._join(old, st)
                return
            t = stack[-1]
            if t not in SCALARS and t not in LISTS and t not in ("n", "_"):
                raise Unsupported(f"returns {show(t)}")
            self.returns = join_value(self.returns, t)
            return
        elif op == Op.HALT and not self.function:
            self.exits.add(ip)
            self.exit_states[ip] = st
            return
        elif op == Op.FREE_VAR:
            slots[arg] = "u"
        else:
            from ...bytecode import op_name
            raise Unsupported(f"{op_name(op)} at {ip}")
        go(nxt)

    def _global(self, ip: int, name: str, gl: list[Any]) -> Any:
        if self.globals is not None and name in self.globals:
            t = gl[self.gnames.index(name)]
            if base(t) not in SCALARS:
                raise Unsupported(f"reads the global {name} ({show(t)})")
            self.used_globals.add(name)
            gl[self.gnames.index(name)] = base(t)
            return base(t)
        r = self.env.stable(name)
        if r is None:
            raise Unsupported(f"reads the global {name}, which may change")
        value = r[0]
        if type(value) in (int, float, bool) or value is None:
            return const_type(value)
        self.known.append(value)
        return ("k", len(self.known) - 1)

    def _self_tail(self, f: Any, args: list[Any]) -> bool:
        env = self.env
        if not self.function or type(f) is not tuple or f[0] != "k":
            return False
        return self.known[f[1]] is env.self_fn and tuple(args) == tuple(env.spec[:len(args)]) \
            and len(args) == len(env.spec)

    def _call(self, ip: int, f: Any, args: list[Any]) -> Any:
        if type(f) is not tuple or f[0] != "k":
            raise Unsupported("a call to a value not known when compiling")
        value = self.known[f[1]]
        if "_" in args:
            return "_"
        if type(value).__name__ == "Export" and value.qualname == value.name == "list" \
                and len(args) == 1 and type(args[0]) is tuple and args[0][0] == "g":
            self.calls[ip] = ("builtin", "list")  # list(a..b): a new list of ints
            return "li"
        for a in args:
            if a not in SCALARS and a not in LISTS:
                raise Unsupported(f"passes {show(a)} to a function")
        if type(value).__name__ == "Export" and value.qualname == value.name and value.name in BUILTINS:
            self.calls[ip] = ("builtin", value.name)
            return builtin_result(value.name, args)
        if type(value).__name__ != "Closure":
            raise Unsupported("a call to something other than a script function")
        code = value.code
        if code.captures or len(args) != code.nparams:
            raise Unsupported(f"a call to {code.name} (captures, or defaults)")
        spec = tuple(args)
        env = self.env
        if value is env.self_fn and spec == env.spec:
            self.calls[ip] = ("native", Callee(value, spec))
            return env.returns
        r = env.callee(value, spec)
        self.calls[ip] = ("native", Callee(value, spec))
        return r

    def _math(self, ip: int, obj: Any, name: str, args: list[Any]) -> Any:
        if obj in LISTS and name in ("copy", "push"):
            if "_" in args:
                return "_"
            if name == "copy" and not args:
                self.calls[ip] = ("list", name)
                return obj
            if name == "push" and args == [obj[1]]:
                self.calls[ip] = ("list", name)
                return "n"
            raise Unsupported(f"{show(obj)}.{name}() with these arguments")
        if type(obj) is not tuple or obj[0] != "k" or name not in MATH:
            raise Unsupported(f"the method call .{name}()")
        export = exported(self.known[obj[1]], name)
        if export is None or export.qualname != f"mth.{name}" \
                or getattr(export.fn, "__module__", "") != "axiom_mth":
            raise Unsupported(f"the method call .{name}()")
        if "_" in args:
            return "_"
        want = 2 if name in ("log", "pow") else 1
        if len(args) != want or any(a not in ("i", "f") for a in args):
            raise Unsupported(f"mth.{name} with these arguments")
        self.calls[ip] = ("math", name)
        if name in ("floor",):
            return "i"
        if name == "abs":
            return args[0]
        if name == "pow" and args == ["i", "i"]:
            raise Unsupported("mth.pow of two ints")
        return "f"


def const_type(c: Any) -> Any:
    t = type(c)
    if t is int:
        return "i"
    if t is float:
        return "f"
    if t is bool:
        return "b"
    if c is None:
        return "n"
    raise Unsupported(f"a constant of type {t.__name__}")


def new_list(items: list[Any]) -> Any:
    """The type of a list literal: of ints, or of floats (not empty)."""
    if "_" in items:
        return "_"
    if items and all(t == "i" for t in items):
        return "li"
    if items and all(t == "f" for t in items):
        return "lf"
    raise Unsupported("a list literal that is not all ints or all floats")


def truth(t: Any) -> None:
    if t not in ("i", "f", "b", "n", "_") and not (type(t) is tuple and t[0] == "k"):
        raise Unsupported(f"the truth of {show(t)}")


def arith(op: int, a: Any, b: Any) -> Any:
    if a == "_" or b == "_":
        return "_"
    if a == "i" and b == "i":
        return "i"
    if a in ("i", "f") and b in ("i", "f"):
        return "f"
    raise Unsupported(f"arithmetic on {show(a)} and {show(b)}")


def compare(op: int, a: Any, b: Any) -> Any:
    if a == "_" or b == "_":
        return "b"
    if a == b and a in ("i", "f"):
        return "b"
    if a == b == "b" and op in (Op.EQ, Op.NE):
        return "b"
    raise Unsupported(f"comparing {show(a)} and {show(b)}")


def element(xs: Any, i: Any) -> Any:
    """The type of xs[i]."""
    if xs not in LISTS or i not in ("i", "_"):
        raise Unsupported(f"indexes {show(xs)} with {show(i)}")
    return xs[1]


def builtin_result(name: str, args: list[Any]) -> Any:
    if name == "len":
        if len(args) != 1 or args[0] not in LISTS:
            raise Unsupported("len() of something other than a list of numbers")
        return "i"
    if len(args) != 1 or args[0] not in ("i", "f"):
        raise Unsupported(f"{name}() with these arguments")
    if name == "abs":
        return args[0]
    return "f" if name == "float" else "i"


def regions(code: Code) -> dict[int, int]:
    """Loop header -> the first instruction past its last back edge."""
    out: dict[int, int] = {}
    for i, (op, arg) in enumerate(code.ops):
        if op == Op.JUMP and arg <= i:
            out[arg] = max(out.get(arg, 0), i + 1)
    return out


def jump_targets(code: Code) -> set[int]:
    return {arg for op, arg in code.ops if op in _JUMPS}
