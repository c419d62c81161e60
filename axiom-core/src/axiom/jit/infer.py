"""Flow analysis for the JIT tiers: what each instruction's operands can be.

Pipeline position: run by the tier compilers on a Code before they generate anything.
Imports bytecode only.

An abstract interpretation of the bytecode from one entry point (a function's start, or a
loop header for on-stack replacement), with the types observed there assumed (the
compiled code guards them on entry). For every reachable instruction it records the state
*before* it:

    slots     -- per slot, an abstract value
    unset     -- the slots that may be unset (reading one is UndefinedVariable)
    stack     -- the operand stack, as abstract values
    handlers  -- the active `try` handlers, as (handler ip, stack depth)

An abstract value is a tuple (kind, lo, hi). The kinds are the built-in types a fast path
can rely on — "int", "float", "str", "bool", "nil", "list" (exactly list: a fixed-capacity
list is "any"), "dict", "range", "riter" (an iterator over ints), "cell" (a captured
variable's cell), "inst" (an object of a script class; `lo` is its Class when that is
known, 0 otherwise), "known" (a value known at compile time: `lo` indexes `known`) — and
"any". For "int", [lo, hi] bounds the value inside the 64-bit range, so code generation
can drop an overflow check that cannot fire (`n - 1` after `n >= 2`). For "list", `lo`
names the kind its items were seen to have ("" when unknown). Comparisons of a slot with
a constant or another slot narrow the bounds on each branch; loop headers widen bounds
that keep growing, so the analysis ends.

Speculation: where the unit was told what a value is likely to be — a global's current
type, a list's items — the analysis assumes it and records the instruction in
`speculated`; the generated code checks the value there and, when the guess is wrong,
leaves for tier 0 (deoptimises) at the next instruction. An instruction in `banned`
(its guess failed before) is never speculated on. A call to the unit's own function
gives `returns`, the join of what the unit returns (found by iterating to a fixpoint).

Exceptions: every instruction inside a `try` body may jump to its handler, with the state
before it and the stack cut to the handler's depth plus the error.
"""

from __future__ import annotations

from ..bytecode import INFO, Code, Op, stack_effect

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Final

MIN: Final = -(2**63)
MAX: Final = 2**63 - 1

Val = tuple  # (kind, lo, hi)
ANY: Final = ("any", 0, 0)
INT: Final = ("int", MIN, MAX)
FLOAT: Final = ("float", 0, 0)
STR: Final = ("str", 0, 0)
BOOL: Final = ("bool", 0, 0)
NIL: Final = ("nil", 0, 0)
LIST: Final = ("list", "", 0)
DICT: Final = ("dict", 0, 0)
CELL: Final = ("cell", 0, 0)
INST: Final = ("inst", 0, 0)  # an object of a script class (exactly axiom_sdk's Instance)
UNSET_VAL: Final = ("unset", 0, 0)  # a slot before its first store (the bottom for slots)

NUMERIC: Final = frozenset({"int", "float"})


def of_value(v: Any) -> Val:
    """The abstract value of an observed value (what a guard on entry checks)."""
    t = type(v)
    if t is int:
        return INT
    if t is float:
        return FLOAT
    if t is str:
        return STR
    if t is bool:
        return BOOL
    if v is None:
        return NIL
    if t is list:
        if v:  # a guess at the items' kind: the first, middle and last agree
            items = {type(v[0]), type(v[len(v) // 2]), type(v[-1])}
            item = items.pop() if len(items) == 1 else None
            return ("list", "int" if item is int else "float" if item is float else
                    "str" if item is str else "", 0)
        return LIST
    if t is dict:
        return DICT
    if t.__name__ == "Cell" and t.__module__.endswith("vm"):
        return CELL
    if t.__name__ == "Instance" and t.__module__ == "axiom_sdk._values":
        return INST
    if t.__name__ == "range_iterator":
        return ("riter", MIN, MAX)
    return ANY


def of_object(v: Any) -> Val:
    """of_value, with an Instance's class: what a guard that also tests `.cls` checks."""
    r = of_value(v)
    return ("inst", v.cls, 0) if r[0] == "inst" else r


def join(a: Val, b: Val) -> Val:
    if a == b:
        return a
    if a[0] == "unset":
        return b
    if b[0] == "unset":
        return a
    if a[0] != b[0]:
        return ANY
    if a[0] in ("int", "riter", "range"):
        return (a[0], min(a[1], b[1]), max(a[2], b[2]))
    if a[0] == "list":
        return LIST
    if a[0] == "known":
        return ANY
    if a[0] == "inst":
        return INST  # objects of two classes, or of one and of any
    return a


def widen(old: Val, new: Val) -> Val:
    """`new` joined into `old` at a loop header: a bound that moved jumps to the limit."""
    j = join(old, new)
    if j[0] in ("int", "riter", "range") and old[0] == j[0]:
        lo = j[1] if j[1] >= old[1] else MIN
        hi = j[2] if j[2] <= old[2] else MAX
        return (j[0], lo, hi)
    return j


def _clamp(lo: int, hi: int) -> Val:
    return ("int", max(lo, MIN), min(hi, MAX))


def int_result(op: int, a: Val, b: Val) -> tuple[int, int]:
    """The exact bounds of int `a op b` before any overflow check (may leave the range)."""
    if op == Op.ADD:
        return a[1] + b[1], a[2] + b[2]
    if op == Op.SUB:
        return a[1] - b[2], a[2] - b[1]
    if op == Op.MUL:
        products = (a[1] * b[1], a[1] * b[2], a[2] * b[1], a[2] * b[2])
        return min(products), max(products)
    if op == Op.DIV:
        if b[1] > 0 and a[1] >= 0:
            return 0, a[2] // b[1]
        m = max(abs(a[1]), abs(a[2]))
        return -m, m  # |a / b| <= |a|, except MIN / -1, which code generation checks
    if op == Op.MOD:
        m = max(abs(b[1]), abs(b[2])) - 1
        if m < 0:
            m = 0
        lo = 0 if a[1] >= 0 else -min(m, abs(a[1]))
        hi = 0 if a[2] <= 0 else min(m, a[2])
        return lo, hi
    raise AssertionError(op)


def may_overflow(op: int, a: Val, b: Val) -> bool:
    lo, hi = int_result(op, a, b)
    if op == Op.DIV:
        return a[1] == MIN and b[1] <= -1 <= b[2]
    return lo < MIN or hi > MAX


def arith(op: int, a: Val, b: Val) -> Val:
    ka, kb = a[0], b[0]
    if ka == "unset" or kb == "unset":  # a value not known yet (a fixpoint's first rounds)
        return UNSET_VAL
    if ka == "int" and kb == "int":
        if op == Op.DIV or op == Op.MOD:
            lo, hi = int_result(op, a, b)
            return _clamp(lo, hi)
        lo, hi = int_result(op, a, b)
        return _clamp(lo, hi)
    if ka in NUMERIC and kb in NUMERIC:
        return FLOAT
    if op == Op.ADD and ka == kb == "str":
        return STR
    if op == Op.ADD and ka == kb == "list":
        return a if a == b else LIST
    if op == Op.MUL and ((ka == "str" and kb == "int") or (kb == "str" and ka == "int")):
        return STR
    if op == Op.MUL and ((ka == "list" and kb == "int") or (kb == "list" and ka == "int")):
        return a if ka == "list" else b
    return ANY


class State:
    __slots__ = ("slots", "unset", "stack", "handlers")

    def __init__(self, slots: tuple[Val, ...], unset: frozenset[int], stack: tuple[Val, ...],
                 handlers: tuple[tuple[int, int], ...]) -> None:
        self.slots = slots
        self.unset = unset
        self.stack = stack
        self.handlers = handlers

    def same(self, other: State) -> bool:
        return (self.slots == other.slots and self.unset == other.unset
                and self.stack == other.stack)


class Unsupported(Exception):
    """The code has a shape the JIT does not compile (it stays in tier 0)."""


class Hints:
    """What a unit may assume or guess beyond the bytecode: `stable(name)` gives (value,)
    for a global no code reassigns (sound), `guess(name)` a global's likely abstract value
    (speculated), `self_fn` the closure being compiled, `returns` what a call of it with
    the unit's own argument types gives (while iterating), `spec` those types, `callee(value,
    args)` what a call to another compiled function gives, `banned` the instructions not
    to speculate on."""

    def __init__(self, stable: Any = None, guess: Any = None, self_fn: Any = None,
                 spec: tuple[Val, ...] = (), callee: Any = None,
                 banned: frozenset[int] = frozenset(), pure: Any = None,
                 limited: bool = False, promoted: dict[str, int] | None = None) -> None:
        self.stable = stable
        self.guess = guess
        self.self_fn = self_fn
        self.spec = spec
        self.returns: Val = UNSET_VAL
        self.callee = callee
        self.banned = banned
        self.pure = pure  # value -> whether calling it has no effect a script could see
        self.limited = limited  # a step or time limit: every unit ticks, so none is pure
        # globals stored once, by this code, not yet: name -> the extra slot (after the
        # frame's) that holds the value from its store on (see Tiers.once)
        self.promoted = promoted or {}


class Analysis:
    """The states before each reachable instruction of `code`, from `entry` with the
    given slot values and stack (see the module docstring). `states[ip]` is None for an
    instruction not reached from the entry."""

    def __init__(self, code: Code, entry: int, slots: list[Val], unset: set[int],
                 stack: list[Val], hints: Hints | None = None) -> None:
        self.code = code
        self.ops = code.ops
        self.hints = hints if hints is not None else Hints()
        self.known: list[Any] = []  # values of "known" abstract values, by index
        self.speculated: dict[int, Val] = {}
        self.self_calls: set[int] = set()  # speculated instructions that call the unit itself
        # Why the unit is not pure (has an effect a script could see: a store outside its
        # locals, output, a call that may do either). A pure unit can be run again from
        # its start without anyone noticing: that is how it recovers a full host stack.
        self.effects: list[str] = ["a step or time limit"] if self.hints.limited else []
        self.calls_self = False  # whether the unit calls its own function (recursion)
        self.returns: Val = UNSET_VAL
        n = len(self.ops)
        self.states: list[State | None] = [None] * n
        self.visits = [0] * n
        self.headers = {arg for i, (op, arg) in enumerate(self.ops)
                        if op in _JUMPS and arg <= i}
        self.targets = {arg for op, arg in self.ops if op in _JUMPS}
        start = State(tuple(slots), frozenset(unset), tuple(stack), ())
        self.work = [entry]
        self._merge(entry, start)
        steps = 0
        while self.work:
            steps += 1
            if steps > 200 * n + 1000:
                raise Unsupported("the flow analysis did not settle")
            ip = self.work.pop()
            self._step(ip, self.states[ip])  # type: ignore[arg-type]

    @property
    def nests(self) -> bool:
        """Whether running the unit may run script code below it (a call, a method, a
        to_str, an import). A unit with effects that does not stays one host frame deep:
        it need not count how deep compiled code is nested (jit/units.py)."""
        return self.calls_self or any(e not in _SHALLOW for e in self.effects)

    def _merge(self, ip: int, st: State) -> None:
        if ip >= len(self.ops):
            raise Unsupported("control falls off the end")
        old = self.states[ip]
        if old is None:
            self.states[ip] = st
            self.work.append(ip)
            return
        if len(old.stack) != len(st.stack) or old.handlers != st.handlers:
            raise Unsupported(f"inconsistent stack at {ip}")
        self.visits[ip] += 1
        combine = widen if ip in self.headers and self.visits[ip] > 2 else join
        slots = tuple(combine(a, b) for a, b in zip(old.slots, st.slots))
        stack = tuple(combine(a, b) for a, b in zip(old.stack, st.stack))
        new = State(slots, old.unset | st.unset, stack, old.handlers)
        if not new.same(old):
            self.states[ip] = new
            self.work.append(ip)

    def _step(self, ip: int, st: State) -> None:
        op, arg = self.ops[ip]
        code = self.code
        slots = list(st.slots)
        unset = set(st.unset)
        stack = list(st.stack)
        handlers = st.handlers
        if handlers:  # any instruction here may raise into the innermost handler
            target, depth = handlers[-1]
            self._merge(target, State(st.slots, st.unset, tuple(stack[:depth]) + (ANY,),
                                      handlers[:-1]))
        nxt = ip + 1
        if op in _EFFECTS:
            self.effects.append(INFO[op].name)
        elif (op == Op.RENDER or op == Op.FORMAT) and stack[-1][0] not in _SCALAR_KINDS:
            self.effects.append("showing a value that may have a to_str method")
        elif op == Op.GET_ITER and stack[-1][0] not in ("range", "list", "str", "dict"):
            self.effects.append("iterating over a value a module may make")
        if op == Op.LOAD_CONST:
            stack.append(of_const(code.consts[arg]))
        elif op == Op.LOAD_VAR:
            stack.append(slots[arg] if slots[arg][0] != "unset" else ANY)
            unset.discard(arg)  # reading it raised otherwise: later code knows it is set
        elif op == Op.STORE_VAR:
            slots[arg] = stack.pop()
            unset.discard(arg)
        elif op == Op.LOAD_GLOBAL:
            k = self.hints.promoted.get(code.consts[arg])
            if k is not None and k not in unset:
                stack.append(slots[k])
            else:
                stack.append(self._global(ip, code.consts[arg]))
        elif op == Op.STORE_GLOBAL and code.consts[arg] in self.hints.promoted:
            k = self.hints.promoted[code.consts[arg]]
            slots[k] = stack.pop()
            unset.discard(k)
        elif op in (Op.LOAD_FREE, Op.LOAD_CELL):
            stack.append(ANY)
        elif op in (Op.STORE_GLOBAL, Op.STORE_FREE, Op.STORE_CELL, Op.POP, Op.OUT):
            stack.pop()
        elif op in (Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.MOD):
            b = stack.pop()
            a = stack.pop()
            stack.append(arith(op, a, b))
        elif op in _COMPARES or op == Op.IN:
            stack.pop()
            stack.pop()
            stack.append(BOOL)
        elif op == Op.NOT:
            stack[-1] = BOOL
        elif op == Op.NEG:
            a = stack[-1]
            if a[0] == "int":
                stack[-1] = _clamp(-a[2], -a[1])
            elif a[0] == "float":
                stack[-1] = FLOAT
            else:
                stack[-1] = ANY
        elif op in (Op.RENDER, Op.FORMAT):
            stack[-1] = STR
        elif op == Op.BUILD_STR:
            del stack[len(stack) - arg:]
            stack.append(STR)
        elif op == Op.MAKE_LIST:
            del stack[len(stack) - arg:]
            stack.append(LIST)
        elif op == Op.MAKE_DICT:
            del stack[len(stack) - 2 * arg:]
            stack.append(DICT)
        elif op == Op.LIST_REPEAT:
            stack.pop()
            stack[-1] = LIST
        elif op == Op.MAKE_RANGE:
            b = stack.pop()
            a = stack.pop()
            if a[0] == "int" and b[0] == "int":
                stack.append(("range", a[1], b[2] if arg else b[2] - 1))
            else:
                stack.append(ANY)
        elif op == Op.GET_ITER:
            a = stack[-1]
            # ("iter", the items' kind or "", 1 when that is known rather than guessed)
            stack[-1] = (("riter", a[1], a[2]) if a[0] == "range" else ("iter", "str", 1) if a[0] == "str"
                         else ("iter", a[1], 0) if a[0] == "list" else ("iter", "", 0))
        elif op == Op.FOR_ITER:
            it = stack[-1]
            self._merge(arg, State(tuple(slots), frozenset(unset), tuple(stack[:-1]), handlers))
            if it[0] == "riter":
                stack.append(_clamp(it[1], it[2]))
            elif it[0] == "iter" and it[1] in _ITEM_KINDS and (it[2] or self._may_guess(ip)):
                item = _ITEM_KINDS[it[1]]
                if not it[2]:
                    self.speculated[ip] = item  # a list's items: checked as each is taken
                stack.append(item)
            else:
                stack.append(ANY)
        elif op == Op.INDEX:
            i = stack.pop()
            obj = stack.pop()
            if obj[0] == "list" and obj[1] and i[0] in ("int", "any") and self._may_guess(ip):
                item = ("int", MIN, MAX) if obj[1] == "int" else (obj[1], 0, 0)
                self.speculated[ip] = item
                stack.append(item)
            else:
                stack.append(STR if obj[0] == "str" and i[0] == "int" else
                             _clamp(obj[1], obj[2]) if obj[0] == "range" and i[0] == "int" else ANY)
        elif op == Op.SET_INDEX:
            v = stack.pop()
            stack.pop()
            obj = stack.pop()
            # a hint, checked where items are read: only a value known to be of another
            # kind drops it
            if obj[0] == "list" and obj[1] and v[0] not in (obj[1], "any", "unset"):
                slots = [LIST if s_ is obj else s_ for s_ in slots]
        elif op == Op.CALL or (op == Op.TAIL_CALL and handlers):
            args = stack[len(stack) - arg:]
            del stack[len(stack) - arg - 1:]
            f = st.stack[len(st.stack) - arg - 1]
            stack.append(self._call(ip, f, args))
        elif op == Op.RETURN:
            self.returns = join(self.returns, stack[-1])
            return
        elif op == Op.METHOD_CALL:
            name, argc, kwnames = code.consts[arg]
            n = argc + (len(kwnames) if kwnames else 0)
            args = stack[len(stack) - n:]
            del stack[len(stack) - n:]
            obj = stack.pop()
            stack.append(self._method(ip, obj, name, args, bool(kwnames)))
        elif op == Op.IS_UNSET:
            stack.append(BOOL)
        elif op in (Op.NEW_CELL, Op.CELL_PARAM):
            slots[arg] = CELL
            unset.discard(arg)
        elif op == Op.FREE_VAR:
            if slots[arg][0] == "cell":
                self.effects.append("freeing a captured variable")
            else:
                slots[arg] = UNSET_VAL
                unset.add(arg)
        elif op == Op.DUP:
            stack.append(stack[-1])
        elif op == Op.DUP2:
            stack.extend(stack[-2:])
        elif op == Op.UNPACK:
            stack.pop()
            stack.extend([ANY] * arg)
        elif op == Op.SETUP_TRY:
            handlers = handlers + ((arg, len(stack)),)
        elif op == Op.POP_TRY:
            handlers = handlers[:-1]
        elif op in (Op.JUMP_IF_FALSE, Op.JUMP_IF_TRUE):
            stack.pop()
            taken, fallthrough = self._narrow(ip, op == Op.JUMP_IF_TRUE, slots)
            self._merge(arg, State(tuple(taken), frozenset(unset), tuple(stack), handlers))
            slots = fallthrough
        elif op in (Op.JUMP_IF_FALSE_OR_POP, Op.JUMP_IF_TRUE_OR_POP):
            self._merge(arg, State(tuple(slots), frozenset(unset), tuple(stack), handlers))
            stack.pop()
        elif op == Op.JUMP:
            self._merge(arg, State(tuple(slots), frozenset(unset), tuple(stack), handlers))
            return
        elif op in (Op.HALT, Op.THROW):
            return
        elif op == Op.TAIL_CALL and not handlers:
            args = stack[len(stack) - arg:]
            del stack[len(stack) - arg - 1:]
            f = st.stack[len(st.stack) - arg - 1]
            stack.append(self._call(ip, f, args))
        elif op == Op.TAIL_CALL_KW and not handlers:
            n = -stack_effect(op, arg, code.consts)
            del stack[len(stack) - n - 1:]
            stack.append(ANY)
        else:
            n_out = _OUTPUTS.get(op, 1)
            effect = stack_effect(op, arg, code.consts)
            n_in = n_out - effect
            if n_in > len(stack):
                raise Unsupported(f"stack underflow at {ip}")
            del stack[len(stack) - n_in:]
            stack.extend([ANY] * n_out)
        self._merge(nxt, State(tuple(slots), frozenset(unset), tuple(stack), handlers))

    def _global(self, ip: int, name: str) -> Val:
        h = self.hints
        known = h.stable(name) if h.stable is not None else None
        if known is not None:
            value = known[0]
            if type(value) in (int, float, str, bool) or value is None:
                return of_const(value)
            if type(value) is list:  # the same list for good, its items may change
                return LIST
            if type(value) is dict:
                return DICT
            return ("known", self._known_index(value), 0)
        guess = h.guess(name) if h.guess is not None and self._may_guess(ip) else None
        if guess is not None and guess[0] != "any":
            self.speculated[ip] = guess
            return guess
        return ANY

    def _may_guess(self, ip: int) -> bool:
        """Whether the unit may guess at `ip`: not where the guess failed before, and not
        inside a `try` (leaving for tier 0 there would leave the handler behind)."""
        st = self.states[ip]
        return ip not in self.hints.banned and st is not None and not st.handlers

    def _known_index(self, value: Any) -> int:
        """The index of `value` in `known`: one per value, so that a loop's second pass
        gives the same abstract value as its first (they join to it, not to any)."""
        for i, v in enumerate(self.known):
            if v is value:
                return i
        self.known.append(value)
        return len(self.known) - 1

    def _call(self, ip: int, f: Val, args: list[Val]) -> Val:
        """What a call gives: for the unit's own function with its own argument types,
        `hints.returns` (guarded like a guess unless the unit guesses nothing)."""
        if f[0] != "known":
            self.effects.append("a call to a value not known when compiling")
            return ANY
        value = self.known[f[1]]
        h = self.hints
        own = value is h.self_fn and len(args) == len(h.spec) and \
            all(join(a, s) == s for a, s in zip(args, h.spec))
        builtin = type(value).__name__ == "Export" and value.qualname == value.name
        # another function is compiled along with this unit first (when it can be), so
        # that whether it has effects is known
        r = h.callee(value, args) if h.callee is not None and not own and not builtin else None
        if value is h.self_fn:
            self.calls_self = True
        elif not (h.pure is not None and h.pure(value)):
            find = getattr(value, "find_method", None)  # a class: what it runs is its init
            entry = getattr(getattr(find("init") if find is not None else value, "code", None), "jit", None)
            self.effects.append("a call to a function with shallow effects"
                                if getattr(entry, "axiom_nests", True) is False else
                                "a call to a function with effects")
        if own:
            r = h.returns
            self.self_calls.add(ip)
            if r[0] in ("unset", "any") or not self._may_guess(ip):
                return ANY if r[0] != "unset" else r
            self.speculated[ip] = r
            return r
        if builtin:
            return _BUILTIN_RESULTS.get(value.name, ANY)
        if type(value).__name__ == "Class" and type(value).__module__ == "axiom_sdk._values":
            return ("inst", value, 0)  # a new object of the class, whatever its init returns
        if r is not None and r[0] != "any" and self._may_guess(ip):
            self.speculated[ip] = r
            return r
        return ANY

    def _method(self, ip: int, obj: Val, name: str, args: list[Val], keywords: bool) -> Val:
        """What `obj.name(args)` gives, for the built-in types' methods, a module's
        exports (their return hint) and an object of a known class (what its compiled
        method returns, guessed: a field may shadow the method, the method may leave for
        tier 0); any other method call may do anything."""
        k = obj[0]
        if k == "inst" and obj[1] != 0 and not keywords:
            self.effects.append("a method call")
            m = obj[1].find_method(name)
            h = self.hints
            r = h.callee(m, [obj, *args]) if h.callee is not None and hasattr(m, "code") else None
            if r is not None and r[0] not in ("any", "unset") and self._may_guess(ip):
                self.speculated[ip] = r
                return r
            return ANY
        if not keywords:
            table = _METHOD_RESULTS.get(k)
            if table is not None and name in table:
                result, pure = table[name]
                if not pure:
                    self.effects.append(f"{k}.{name}")
                if result == "same":
                    return obj
                if result == "item":
                    return ANY
                return result
            if k == "known":
                export = exported(self.known[obj[1]], name)
                if export is not None:
                    self.effects.append("a module's function")
                    return _RETURNS.get(export.returns, ANY) if export.skip_convert else ANY
        self.effects.append("a method call")
        return ANY

    def _narrow(self, ip: int, jump_if_true: bool, slots: list[Val]) -> tuple[list[Val], list[Val]]:
        """Slot values on the jump and on the fall-through of a conditional jump at `ip`,
        narrowed when the condition was `x < y` (and kin) with x and y a local or a
        constant just loaded."""
        taken, fall = list(slots), list(slots)
        if ip < 3 or any(i in self.targets for i in (ip - 2, ip - 1, ip)):
            return taken, fall
        (l1, a1), (l2, a2), (cmp, _) = self.ops[ip - 3:ip]
        if cmp not in _COMPARES or not _is_operand(l1) or not _is_operand(l2):
            return taken, fall
        st = self.states[ip - 3]
        if st is None:
            return taken, fall
        left = self._operand(l1, a1, st)
        right = self._operand(l2, a2, st)
        if left is None or right is None:
            return taken, fall
        yes, no = (taken, fall) if jump_if_true else (fall, taken)
        for target, holds in ((yes, True), (no, False)):
            op = cmp if holds else _NEGATE[cmp]
            if l1 == Op.LOAD_VAR:
                target[a1] = _narrowed(left, op, right)
            if l2 == Op.LOAD_VAR:
                target[a2] = _narrowed(right, _SWAP[op], left)
        return taken, fall

    def _operand(self, op: int, arg: int, st: State) -> Val | None:
        v = st.slots[arg] if op == Op.LOAD_VAR else of_const(self.code.consts[arg])
        return v if v[0] == "int" else None


def _is_operand(op: int) -> bool:
    return op == Op.LOAD_VAR or op == Op.LOAD_CONST


def _narrowed(x: Val, op: int, y: Val) -> Val:
    """x given that `x op y` holds (both ints)."""
    lo, hi = x[1], x[2]
    if op == Op.LT:
        hi = min(hi, y[2] - 1)
    elif op == Op.LE:
        hi = min(hi, y[2])
    elif op == Op.GT:
        lo = max(lo, y[1] + 1)
    elif op == Op.GE:
        lo = max(lo, y[1])
    elif op == Op.EQ:
        lo, hi = max(lo, y[1]), min(hi, y[2])
    if lo > hi:  # this branch cannot run: keep the value (it is never used)
        return x
    return ("int", lo, hi)


def exported(module: Any, name: str) -> Any:
    """The SDK Export `name` of an installed module (read-only: it never changes), or
    None for anything else."""
    if type(module).__name__ != "Module" or not hasattr(module, "_symbols"):
        return None
    sym = module._symbols.get(name)
    return sym if type(sym).__name__ == "Export" else None


def of_const(c: Any) -> Val:
    if type(c) is int:
        return ("int", c, c)
    return of_value(c)


_JUMPS: Final = frozenset(op for op, info in INFO.items() if info.operand == "target")
# Instructions with an effect a script could see (beyond their result and their errors).
_EFFECTS: Final = frozenset({Op.STORE_GLOBAL, Op.STORE_CELL, Op.STORE_FREE, Op.FREE_GLOBAL,
                             Op.SET_INDEX, Op.SET_ATTR, Op.OUT, Op.IMPORT, Op.IMPORT_FROM,
                             Op.CALL_KW, Op.TAIL_CALL_KW})
# Effects that run no script code: stores, and the built-in types' methods that call none
_SHALLOW: Final = frozenset({"a step or time limit", "freeing a captured variable",
                             "a call to a function with shallow effects", "list.push", "list.pop",
                             "list.insert", "list.remove_at", "list.reverse", "list.clear", "dict.remove",
                             *(INFO[op].name for op in (Op.STORE_GLOBAL, Op.STORE_CELL, Op.STORE_FREE,
                                                        Op.FREE_GLOBAL, Op.SET_INDEX, Op.SET_ATTR))})
_SCALAR_KINDS: Final = frozenset({"int", "float", "str", "bool", "nil"})
_COUNT: Final = ("int", 0, MAX)
_INDEX: Final = ("int", -1, MAX)
_STRS: Final = ("list", "str", 0)
_ITEM_KINDS: Final = {"int": ("int", MIN, MAX), "float": FLOAT, "str": STR}
# Methods of the built-in types: (what they give, whether they have no effect). "same" is
# the receiver's own abstract value (a copy), "item" one of its items.
_METHOD_RESULTS: Final[dict[str, dict[str, tuple[Any, bool]]]] = {
    "list": {"push": (NIL, False), "pop": ("item", False), "insert": (NIL, False),
             "remove_at": ("item", False), "sort": (NIL, False), "reverse": (NIL, False),
             "extend": (NIL, False), "clear": (NIL, False), "copy": ("same", True),
             "len": (_COUNT, True), "contains": (BOOL, True), "index_of": (_INDEX, True)},
    "str": {"len": (_COUNT, True), "upper": (STR, True), "lower": (STR, True), "trim": (STR, True),
            "replace": (STR, True), "split": (_STRS, True), "chars": (_STRS, True),
            "contains": (BOOL, True), "starts_with": (BOOL, True), "ends_with": (BOOL, True),
            "find": (_INDEX, True), "join": (STR, False)},
    "dict": {"get": (ANY, True), "has": (BOOL, True), "len": (_COUNT, True), "keys": (LIST, True),
             "values": (LIST, True), "items": (LIST, True), "copy": ("same", True),
             "remove": (ANY, False)},
}
# What a built-in function gives (when it gives anything: it may raise instead)
_BUILTIN_RESULTS: Final = {"len": ("int", 0, MAX), "str": STR, "int": INT, "float": FLOAT, "bool": BOOL,
                           "typeof": STR, "sorted": LIST, "list": LIST, "map": LIST, "filter": LIST}
_RETURNS: Final = {"float": FLOAT, "str": STR, "bool": BOOL, "nil": NIL}
_COMPARES: Final = frozenset({Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE})
_NEGATE: Final = {Op.LT: Op.GE, Op.LE: Op.GT, Op.GT: Op.LE, Op.GE: Op.LT, Op.EQ: Op.NE,
                  Op.NE: Op.EQ}
_SWAP: Final = {Op.LT: Op.GT, Op.LE: Op.GE, Op.GT: Op.LT, Op.GE: Op.LE, Op.EQ: Op.EQ,
                Op.NE: Op.NE}
# Ops that push more than one value (the rest push one, or none when their effect says so).
_OUTPUTS: Final = {Op.SET_ATTR: 0, Op.SET_INDEX: 0, Op.IMPORT_FROM: 2, Op.SUPER_GET: 1,
                   Op.ADD_METHOD: 1, Op.NOP: 0, Op.POP_TRY: 0, Op.FREE_GLOBAL: 0}
