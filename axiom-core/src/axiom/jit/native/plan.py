"""Planning for the native tier: which functions and loops compile to machine code, with
which machine types (the flow analyses of a unit and of every function it calls), decided
before anything native is imported. What does not plan (most units of scripts that are
not numeric) is left to tier 1 without importing glue.py (ctypes, ~4 ms).

Pipeline position: called by jit/native/__init__.py; glue.py builds what it planned.
Imports the flow analysis only.
"""

from __future__ import annotations

from ...bytecode import Code, Op
from ...vm import UNSET
from ..infer import Unsupported
from .flow import SCALARS, Callee, Flow, const_type, regions

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def list_kind(v: Any) -> str | None:
    """"li" for a non-empty list of ints only, "lf" of floats only, else None."""
    if type(v) is not list or not v:
        return None
    kinds = set(map(type, v))
    if len(kinds) != 1:
        return None
    k = kinds.pop()
    return "li" if k is int else "lf" if k is float else None


# --- the flow analyses of a unit and its callees --------------------------------------------

class Env:
    """What one function's flow analysis may know (flow.Flow's `env`)."""

    def __init__(self, planner: Planner, closure: Any, spec: tuple[str, ...] | None, stable: Any) -> None:
        self.planner = planner
        self.self_fn = closure
        self.spec = spec
        self.returns: Any = "_"
        self.known: list[Any] = []
        self.empty = "li"  # the type of an empty list literal (see typed())
        self._stable = stable

    def stable(self, name: str) -> Any:
        r = self._stable(name) if self._stable is not None else None
        if r is not None:
            self.planner.used.add(name)
        return r

    def callee(self, closure: Any, spec: tuple[str, ...]) -> Any:
        return self.planner.plan(closure, spec).returns

    def returns_of(self, callee: Callee) -> Any:
        return self.planner.done[(callee.closure.code, callee.spec)].returns


def typed(code: Code, make: Any) -> Flow:
    """`make(empty)`: the flow analysis with the empty list literals `[]` of the unit as
    lists of ints; when the unit does not type that way (it pushes floats into one), as
    lists of floats. An empty list never pushed to boxes to [] either way."""
    try:
        return make("li")
    except Unsupported as first:
        if not any(op == Op.MAKE_LIST and arg == 0 for op, arg in code.ops):
            raise
        try:
            return make("lf")
        except Unsupported:
            raise first from None


class Planned:
    def __init__(self, closure: Any, spec: tuple[str, ...], flow: Flow, returns: Any) -> None:
        self.closure = closure
        self.spec = spec
        self.flow = flow
        self.returns = returns
        self.llfn: Any = None


class Planner:
    """The flow analyses of a unit and of every function it calls natively."""

    def __init__(self, tiers: Any, module: Any) -> None:
        self.tiers = tiers
        self.module = module
        self.done: dict[tuple[Any, tuple[str, ...]], Planned] = {}
        self.busy: set[tuple[Any, tuple[str, ...]]] = set()
        self.order: list[Planned] = []
        self.used: set[str] = set()

    def stable_for(self, closure: Any) -> Any:
        return self.tiers.stable(closure.module)

    def plan(self, closure: Any, spec: tuple[str, ...]) -> Planned:
        code: Code = closure.code
        key = (code, spec)
        p = self.done.get(key)
        if p is not None:
            return p
        if key in self.busy:
            raise Unsupported(f"{code.name} and a function it calls call each other")
        if code.captures or code.min_args != code.nparams or len(spec) != code.nparams:
            raise Unsupported(f"{code.name} captures variables or has default arguments")
        if code in self.tiers.native_banned:
            raise Unsupported(f"{code.name} left native code too often")
        self.busy.add(key)
        env = Env(self, closure, spec, self.stable_for(closure))
        slots = list(spec) + ["u"] * (code.nslots - len(spec))

        def settle(empty: str) -> Flow:
            env.empty = empty
            env.returns = "_"
            for _ in range(6):
                env.known = []
                flow = Flow(code, 0, None, slots, [], None, env)
                if flow.returns == env.returns:
                    return flow
                env.returns = flow.returns
            raise Unsupported(f"the type {code.name} returns did not settle")

        flow = typed(code, settle)
        if flow.returns == "_":
            raise Unsupported(f"{code.name} never returns")
        self.busy.discard(key)
        p = self.done[key] = Planned(closure, spec, flow, flow.returns)
        self.order.append(p)
        return p


def entry_type(v: Any, lists: bool = True) -> Any:
    """The flow type of a frame's value ("o" for one native code cannot hold)."""
    if type(v) is list:
        return (list_kind(v) or "o") if lists else "o"
    if v is UNSET:
        return "u"
    try:
        return const_type(v)
    except Unsupported:
        return "o"


def plan_function(tiers: Any, fn: Any, slots: list[Any]) -> tuple[Planner, Planned]:
    """The plan of closure `fn` called with `slots`; Unsupported when it is not native."""
    code: Code = fn.code
    spec = []
    for v in slots[:code.nparams]:
        t = type(v)
        spec.append("i" if t is int else "f" if t is float else "b" if t is bool else list_kind(v) or "?")
    if "?" in spec:
        raise Unsupported("arguments that are not numbers")
    planner = Planner(tiers, fn.module)
    root = planner.plan(fn, tuple(spec))
    if not root.flow.calls and not regions(code):
        # a leaf without loops: entering machine code through ctypes costs more than
        # it saves (tier 1 runs it; a native caller still calls it natively)
        raise Unsupported("a leaf function without loops runs faster in tier 1")
    return planner, root


class LoopPlan:
    """The plan of a loop unit: its flow, and the machine types of the frame's slots, its
    operand stack and the globals it keeps in machine words (main code only)."""

    def __init__(self, planner: Planner, flow: Flow, slots: list[Any], stack: list[Any],
                 globals_: dict[str, Any]) -> None:
        self.planner = planner
        self.flow = flow
        self.slots = slots
        self.stack = stack
        self.globals = globals_


def plan_osr(tiers: Any, frame: Any, header: int) -> LoopPlan:
    """The plan of the loop at `header` of the running `frame`; Unsupported when it is not
    native."""
    code: Code = frame.code
    end = regions(code).get(header)
    if end is None:
        raise Unsupported("not a loop")
    if frame.instance is not None:
        raise Unsupported("a constructor's frame")
    main = frame.closure is None
    planner = Planner(tiers, frame.module)
    stable = tiers.stable(frame.module)
    names = {code.consts[arg] for op, arg in code.ops[header:end]
             if op in (Op.LOAD_GLOBAL, Op.STORE_GLOBAL)}
    globals_: dict[str, Any] = {}
    for name in sorted(names):
        r = stable(name) if stable is not None else None
        if r is not None:
            continue
        if not main:
            raise Unsupported(f"uses the global {name}, which may change")
        value = frame.globals.get(name, UNSET)
        t = entry_type(value)
        if t not in SCALARS:
            raise Unsupported(f"the global {name} is not a number")
        globals_[name] = t
    touched = {arg for op, arg in code.ops[header:end] if op in (Op.LOAD_VAR, Op.STORE_VAR)}
    slots = [entry_type(v) if i in touched else entry_type(v, False) for i, v in enumerate(frame.slots)]
    stack = []
    for v in frame.stack:
        if type(v).__name__ == "range_iterator":
            rebuilt = v.__reduce__()
            r = rebuilt[1][0]
            if r.step != 1:
                raise Unsupported("a range with a step")
            stack.append("r")
        else:
            t = entry_type(v)
            if t not in SCALARS:
                raise Unsupported("a value on the stack that is not a number")
            stack.append(t)
    env = Env(planner, None, None, stable)

    def loop_flow(empty: str) -> Flow:
        env.empty = empty
        env.known = []
        return Flow(code, header, end, slots, stack, globals_ if main else None, env)

    flow = typed(code, loop_flow)
    return LoopPlan(planner, flow, slots, stack, globals_)
