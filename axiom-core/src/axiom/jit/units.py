"""Compiled units of tier 1: a function's entry, or a loop taken over from a running
frame; assembled from what jit/emit.py generates, compiled with `compile()`, and bound in
a namespace of their own.

Pipeline position: called by jit/__init__.py (Tiers) at the first compile. Imports the
generator, the flow analysis, run-time support and the VM.

A function unit is two Python functions: the body, which assumes the parameter types
observed when it ran hot, and an entry that checks them and otherwise calls a version
compiled for any types (made when first needed). An OSR unit reads a tier-0 frame's slots
and stack, checks the types it assumes (returning NOT_TAKEN when they do not hold, and
tier 0 goes on), and runs the rest of the frame.

Both may guess more (a global's type, a list's items, what a call returns): a wrong guess
leaves for tier 0 through DEOPT, which continues the activation in a tier-0 frame at the
next instruction with the live locals and operand stack (a function unit runs that frame
to its end; an OSR unit hands its own frame back to the loop). A unit that keeps guessing
wrong is dropped and recompiled without those guesses.
"""

from __future__ import annotations

from axiom_sdk import AxiomError, display, truthy

from .. import intrinsics as I
from ..bytecode import INFO, NEVER, Code, Op
from ..prelude import METHODS
from ..vm import UNSET, Cell, Closure, Frame
from . import _NOT_TAKEN, Tiers
from . import infer as F
from . import pyast as ast
from .emit import ITER, Ctx, Entry, Gen, _call, not_of_class, place, sink_returns
from .infer import Analysis, Hints, Unsupported
from .support import (
    COMPILED,
    DEOPT_CODES,
    PASS_THROUGH,
    free_global,
    load_builtin,
    overflow,
    undefined,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Final

# Python built-ins generated code uses; nothing else of Python's is reachable from it.
_PY: Final = {"type": type, "int": int, "float": float, "str": str, "list": list, "dict": dict,
              "bool": bool, "repr": repr, "format": format, "range": range, "iter": iter, "len": len,
              "IndexError": IndexError, "KeyError": KeyError, "RecursionError": RecursionError,
              "BaseException": BaseException}
_TYPE_NAMES: Final = {"int": "int", "float": "float", "str": "str", "list": "list", "bool": "bool",
                      "inst": "Instance"}
# Built-ins whose call has no effect a script could see (none calls back into a script).
_PURE_BUILTINS: Final = frozenset({"len", "str", "int", "float", "bool", "typeof", "abs", "min", "max",
                                   "range", "list", "set", "sum", "error", "assert"})
# How deep functions with effects may nest in compiled code before calls go on in tier 0
# (their frames are on the host stack; a pure unit recovers a full stack instead).
MAX_NESTING: Final = 1_500
# Types whose values equal nil only when they are nil (no module-defined ==)
_PLAIN: Final = frozenset({int, float, str, bool, list, dict, I.Instance, Closure})

# A loop entered by OSR assumes its ints (and the ints a range iterator has still to give)
# lie in the first of these that holds them, and guards it on entry: products of two such
# ints and their sums cannot overflow, so the loop's arithmetic needs fewer checks. A miss
# is banned as this (not an instruction) and the loop compiles again without ranges.
_RANGES: Final = ((0, 2**31 - 1), (-2**31, 2**31 - 1))
RANGE_GUESS: Final = -1
# It also assumes the class of each object it finds (its method calls are then direct), and
# likewise compiles again without classes after misses.
CLASS_GUESS: Final = -2


def _ranged(v: F.Val, lo: int, hi: int) -> F.Val:
    """`v` (an int or a range iterator of values in [lo, hi]) within the first of _RANGES
    that holds [lo, hi], or as it was."""
    for r_lo, r_hi in _RANGES:
        if r_lo <= lo and hi <= r_hi:
            return (v[0], r_lo, r_hi)
    return v


def riter_bounds(it: Any) -> tuple[int, int] | None:
    """The least and the greatest int range iterator `it` has still to give (None when it
    is done), read without taking any."""
    _, (r,), index = it.__reduce__()
    rest = r[index:]
    if not rest:
        return None
    return min(rest[0], rest[-1]), max(rest[0], rest[-1])


def riter_within(it: Any, lo: int, hi: int) -> bool:
    bounds = riter_bounds(it)
    return bounds is None or (lo <= bounds[0] and bounds[1] <= hi)


def _entry_val(value: Any, ranged: bool, classed: bool = False) -> F.Val:
    """What an OSR unit assumes of a value in the frame it takes over (see _RANGES and
    CLASS_GUESS)."""
    v = F.of_object(value) if classed else F.of_value(value)
    if ranged and v[0] == "int":
        return _ranged(v, value, value)
    if ranged and v[0] == "riter":
        bounds = riter_bounds(value)
        return _ranged(v, *bounds) if bounds is not None else _ranged(v, 0, 0)
    return v


def namespace(tiers: Tiers, module: Any) -> dict[str, Any]:
    """The globals of one compiled unit: helpers and the module it runs in."""
    ns: dict[str, Any] = {"__builtins__": {}}
    ns.update(_PY)
    for info in INFO.values():
        if info.generic:
            ns[f"I_{info.generic}"] = getattr(I, info.generic)
    for name in ("int_div", "make_range", "make_dict", "list_repeat", "slice_", "unpack", "get_attr",
                 "set_attr", "set_index", "index", "check_fixed", "thrown", "make_class", "contains"):
        ns[f"I_{name}"] = getattr(I, name)
    ns.update(PLAIN=_PLAIN, UNSET=UNSET, Cell=Cell, Closure=Closure, Instance=I.Instance, NEW=object.__new__, METHODS=METHODS,
              truthy=truthy, display=display, undefined=undefined, overflow=overflow,
              load_builtin=load_builtin, free_global=free_global, PASS_THROUGH=PASS_THROUGH,
              NOT_TAKEN=_NOT_TAKEN, CALLS=tiers.calls, AxiomError=AxiomError, G=module.globals,
              B=tiers.runtime.builtins, MODULE=module, TICK=tiers.runtime.tick,
              TICK_CALL=tiers.runtime.tick_call)
    return ns


# --- what a unit may assume or guess ----------------------------------------------------------

def _spec(value: Any) -> F.Val:
    """What a body may assume of an argument: the types a guard checks cheaply."""
    v = F.of_value(value)
    return v if v[0] in _TYPE_NAMES else F.ANY


_GUARDED: Final = {"int": F.INT, "float": F.FLOAT, "str": F.STR, "bool": F.BOOL, "inst": F.INST}
_COMPILING: Final[set[Code]] = set()  # functions being compiled for a caller (no recursion)


def _kind_only(v: F.Val) -> F.Val:
    """The part of an abstract argument value an entry guard checks: its type."""
    return _GUARDED.get(v[0]) or (v if v[0] == "list" else F.ANY)


def _hints(tiers: Tiers, module: Any, self_fn: Any, spec: tuple[F.Val, ...],
           banned: frozenset[int]) -> tuple[Hints, list[str]]:
    lookup = tiers.stable(module)
    used: list[str] = []
    g = module.globals

    def stable(name: str) -> Any:
        r = lookup(name) if lookup is not None else None
        if r is not None:
            used.append(name)
        return r

    def guess(name: str) -> F.Val | None:
        value = g.get(name, UNSET)
        return F.of_object(value) if value is not UNSET else None

    def pure(value: Any) -> bool:
        """Whether calling `value` can have no effect a script could see."""
        if type(value) is Closure:
            return bool(getattr(value.code.jit, "axiom_pure", False))
        return type(value).__name__ == "Export" and value.name in _PURE_BUILTINS

    def callee(value: Any, args: list[F.Val]) -> F.Val | None:
        entry = value.code.jit if type(value) is Closure else None
        if entry is None and type(value) is Closure and value.code not in _COMPILING and tiers.calls_too \
                and len(args) == value.code.nparams and not value.code.captures:
            # a function this unit calls is compiled with it: the call can then be direct
            # and its result's kind known
            _COMPILING.add(value.code)
            try:
                entry = value.code.jit = compile_for(tiers, value, tuple(_kind_only(a) for a in args))
                tiers.units[id(value.code)] = value.code
            finally:
                _COMPILING.discard(value.code)
        spec_ = getattr(entry, "axiom_spec", None)
        if spec_ is None or len(spec_) != len(args):
            return None
        if all(F.join(a, s) == s for a, s in zip(args, spec_)):
            return entry.axiom_returns  # type: ignore[union-attr]
        return None

    return Hints(stable, guess, self_fn, spec, callee, banned, pure, tiers.runtime.limited), used


def _analyse(code: Code, slots: list[F.Val], unset: set[int], hints: Hints) -> Analysis:
    """The flow analysis, iterated until what the unit returns is stable (its own calls
    give it)."""
    for rounds in range(6):
        an = Analysis(code, 0, slots, unset, [], hints)
        if an.returns == hints.returns or not an.self_calls:
            return an
        hints.returns = F.join(hints.returns, an.returns) if rounds < 3 else F.widen(hints.returns, an.returns)
    hints.returns = F.ANY
    return Analysis(code, 0, slots, unset, [], hints)


# --- building units -----------------------------------------------------------------------

def _fix(node: Any) -> Any:
    ast.fix_missing_locations(node)
    return node


def _function(name: str, params: list[str], body: list[ast.stmt]) -> ast.FunctionDef:
    args = ast.arguments(posonlyargs=[], args=[ast.arg(arg=p) for p in params], vararg=None,
                         kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
    return ast.FunctionDef(name=name, args=args, body=body or [ast.Pass()], decorator_list=[],
                           returns=None, lineno=1, col_offset=0)


def _stamp_all(node: Any, line: int) -> None:
    place(node, line, 0)


def _pyname(code: Code) -> str:
    base = "".join(c if c.isalnum() or c == "_" else "_" for c in code.name) or "fn"
    return base if base[0].isalpha() or base[0] == "_" else f"f_{base}"


def _load(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Load())


def _store(name: str) -> ast.Name:
    return ast.Name(id=name, ctx=ast.Store())


def _type_test(var: str, kind: str, negate: bool) -> ast.Compare:
    return ast.Compare(left=ast.Call(func=_load("type"), args=[_load(var)], keywords=[]),
                       ops=[ast.IsNot() if negate else ast.Is()], comparators=[_load(_TYPE_NAMES[kind])])


def compile_function(tiers: Tiers, fn: Any, params: list[Any]) -> Any:
    return compile_for(tiers, fn, tuple(_spec(p) if p is not UNSET else F.ANY for p in params))


def compile_for(tiers: Tiers, fn: Any, spec: tuple[F.Val, ...]) -> Any:
    """The compiled entry of closure `fn` for arguments of the kinds in `spec`, or NEVER."""
    code: Code = fn.code
    try:
        _, entry = build_function(tiers, fn, spec)
    except Unsupported as e:
        tiers.note(f"{code.name} ({code.filename}) stays in tier 0: {e}")
        return NEVER
    except Exception as e:  # a bug in the JIT: the code stays in tier 0
        tiers.failed(code, e)
        return NEVER
    tiers.compiled["host"] += 1
    tiers.note(f"compiled {code.name} ({code.filename}) for ({', '.join(s[0] for s in spec)})",
               entry.axiom_source)
    return entry


def build_function(tiers: Tiers, fn: Any, spec: tuple[F.Val, ...]) -> tuple[Any, Any]:
    """(body, entry) for closure `fn` assuming `spec` for its parameters."""
    code: Code = fn.code
    module = fn.module
    n = code.nparams
    key = (code, None)
    banned = frozenset(tiers.banned.get(key, ()))
    slots = list(spec) + [F.UNSET_VAL] * (code.nslots - n)
    unset = set(range(n, code.nslots)) | set(range(code.min_args, n))
    hints, used = _hints(tiers, module, fn, spec, banned)
    analysis = _analyse(code, slots, unset, hints)
    ns = namespace(tiers, module)
    gen = Gen(code, analysis, ns, limited=tiers.runtime.limited, caches=tiers.caches, self_closure=fn, spec=spec,
              stable=hints.stable)
    gen.region(0, len(code.ops), Ctx(len(code.ops), None, None))
    params = gen.names[:n]
    lead = ([] if gen.pure else ["vm"]) + (["C"] if code.captures else [])
    init = [ast.Assign(targets=[_store(gen.names[i])], value=_load("UNSET")) for i in range(n, code.nslots)]
    body = sink_returns(gen.out)
    if gen.tail_loop:
        body = [ast.While(test=ast.Constant(True), body=body, orelse=[])]
    if not gen.pure and analysis.nests:
        body = _nested(lead, params) + [ast.Try(body=body, handlers=[], orelse=[], finalbody=[
            ast.AugAssign(target=ast.Attribute(value=_load("vm"), attr="nesting", ctx=ast.Store()),
                          op=ast.Sub(), value=ast.Constant(1))])]
    pyname = _pyname(code)
    units: list[ast.stmt] = [_function(pyname, lead + params, init + body)]
    guards: list[ast.expr] = [_type_test(params[i], s[0], False) for i, s in enumerate(spec)
                              if s[0] in _TYPE_NAMES]
    call_args: list[ast.expr] = [_load(p) for p in lead + params]
    if guards:
        test = guards[0] if len(guards) == 1 else ast.BoolOp(op=ast.And(), values=guards)
        units.append(_function(pyname + "__entry", lead + params, [
            ast.If(test=test, body=[ast.Return(value=ast.Call(func=_load("BODY"), args=call_args,
                                                              keywords=[]))], orelse=[]),
            ast.Return(value=ast.Call(func=_load("GENERIC"), args=call_args, keywords=[]))]))
    tree = ast.Module(body=units, type_ignores=[])
    _stamp_all(tree, code.lines[0][0] if code.lines else 1)
    exec(compile(_fix(tree), code.filename, "exec"), ns)
    body_fn = ns[pyname]
    entry = ns[pyname + "__entry"] if guards else body_fn
    ns.update(BODY=body_fn, SELF=entry, DEOPT=_function_exit(tiers, code, module, key),
              DEEP=_deep(code, module))
    if guards:
        ns["GENERIC"] = _Generic(tiers, fn, ns, gen.pure)
    COMPILED[body_fn.__code__] = (code, {name: i for i, name in enumerate(gen.names)}, False, module)
    for name in used:
        tiers.depend(module, name, code)
    for callee in gen.callees:
        tiers.embeds(callee, code)
    entry.axiom_source = tree
    entry.axiom_spec = spec
    entry.axiom_returns = analysis.returns if analysis.returns[0] != "unset" else F.ANY
    entry.axiom_pure = body_fn.axiom_pure = gen.pure
    entry.axiom_nests = analysis.nests  # see infer.Analysis.nests
    entry.axiom_body = body_fn
    return body_fn, entry


def _nested(lead: list[str], params: list[str]) -> list[ast.stmt]:
    """The prologue of a unit with effects that may run script code below it (infer
    Analysis.nests): past MAX_NESTING compiled frames of such units
    on this thread, the call goes on in tier 0 (DEEP); otherwise count this one."""
    nesting = ast.Attribute(value=_load("vm"), attr="nesting", ctx=ast.Load())
    args = ast.Tuple(elts=[_load(p) for p in params], ctx=ast.Load())
    cells = _load("C") if "C" in lead else ast.Constant(None)
    return [ast.If(test=ast.Compare(left=nesting, ops=[ast.Gt()], comparators=[ast.Constant(MAX_NESTING)]),
                   body=[ast.Return(value=ast.Call(func=_load("DEEP"), args=[_load("vm"), cells, args],
                                                   keywords=[]))], orelse=[]),
            ast.AugAssign(target=ast.Attribute(value=_load("vm"), attr="nesting", ctx=ast.Store()),
                          op=ast.Add(), value=ast.Constant(1))]


def _deep(code: Code, module: Any) -> Any:
    """DEEP: run a call of `code` in tier 0 (too many compiled frames with effects)."""

    def deep(vm: Any, cells: Any, args: tuple[Any, ...]) -> Any:
        return vm.deep_call(Closure(code, cells if cells is not None else (), module), list(args))

    DEOPT_CODES.add(deep.__code__)  # the activation goes on in tier 0: not a frame of its own
    return deep


class _Generic:
    """The version of a function for any argument types, compiled at its first call (and
    called the way the specialised entry was: with the VM first unless that one is pure)."""

    def __init__(self, tiers: Tiers, fn: Any, ns: dict[str, Any], pure: bool) -> None:
        self.tiers = tiers
        self.fn = fn
        self.ns = ns
        self.pure = pure

    def __call__(self, *args: Any) -> Any:
        code = self.fn.code
        _, generic = build_function(self.tiers, self.fn, (F.ANY,) * code.nparams)
        self.tiers.note(f"compiled {code.name} for any argument types", generic.axiom_source)
        if generic.axiom_pure == self.pure:
            self.ns["GENERIC"] = generic
            return generic(*args)
        call = _Adapt(generic, self.tiers.runtime, self.pure)
        self.ns["GENERIC"] = call
        return call(*args)


class _Adapt:
    """A generic version whose purity differs from the specialised one's: adds the VM
    argument it wants, or drops the one it does not."""

    def __init__(self, fn: Any, runtime: Any, pure_caller: bool) -> None:
        self.fn = fn
        self.runtime = runtime
        self.pure_caller = pure_caller

    def __call__(self, *args: Any) -> Any:
        if self.pure_caller:
            return self.fn(self.runtime.vm(), *args)
        return self.fn(*args[1:])


def _function_exit(tiers: Tiers, code: Code, module: Any, key: Any) -> Any:
    """DEOPT for a function unit: run the rest of the activation in a tier-0 frame."""
    runtime = tiers.runtime

    def deopt(cells: Any, ip: int, slots: tuple[Any, ...], stack: tuple[Any, ...]) -> Any:
        tiers.wrong_guess(key, ip - 1, code)
        frame = Frame(code, list(slots), Closure(code, cells if cells is not None else (), module), module)
        frame.ip = ip
        frame.stack = list(stack)
        return runtime.vm().resume(frame)

    DEOPT_CODES.add(deopt.__code__)
    return deopt


def _osr_exit(tiers: Tiers, code: Code, key: Any) -> Any:
    """DEOPT for an OSR unit: hand the frame back to the tier-0 loop at `ip`."""

    def deopt(frame: Any, ip: int, slots: tuple[Any, ...], stack: tuple[Any, ...]) -> Any:
        tiers.wrong_guess(key, ip - 1, code)
        frame.slots[:] = slots
        frame.stack[:] = stack
        frame.osr = False
        return ip

    DEOPT_CODES.add(deopt.__code__)
    return deopt


def _range_guards(analysis: Analysis, header: int, names: list[str], unset: set[int],
                  depth: int) -> list[ast.expr]:
    """Tests that a value entering an OSR unit lies outside what the analysis found for
    it at the loop header (its fixpoint, which holds the entry's assumptions: _RANGES):
    for each int slot and range iterator whose bounds there are narrower than 64 bits."""
    state = analysis.states[header]
    if state is None:
        return []
    misses: list[ast.expr] = []
    for i, (name, v) in enumerate(zip(names, state.slots)):
        if i in unset:  # not a value yet (the loop stores one)
            continue
        if v[0] == "int" and v[1] > F.MIN:
            misses.append(ast.Compare(left=_load(name), ops=[ast.Lt()], comparators=[ast.Constant(v[1])]))
        if v[0] == "int" and v[2] < F.MAX:
            misses.append(ast.Compare(left=_load(name), ops=[ast.Gt()], comparators=[ast.Constant(v[2])]))
    for k, v in enumerate(state.stack[:depth]):
        if v[0] == "riter" and (v[1] > F.MIN or v[2] < F.MAX):
            misses.append(ast.UnaryOp(op=ast.Not(), operand=_call(
                "RITER_WITHIN", _load(f"s{k}"), ast.Constant(v[1]), ast.Constant(v[2]))))
    return misses


def compile_osr(tiers: Tiers, frame: Any, header: int) -> Any:
    code: Code = frame.code
    try:
        unit = build_osr(tiers, frame, header)
    except Unsupported as e:
        tiers.note(f"the loop at {code.filename}:{code.lines[header][0]} stays in tier 0: {e}")
        return NEVER
    except Exception as e:  # a bug in the JIT: the loop stays in tier 0
        tiers.failed(code, e)
        return NEVER
    tiers.compiled["host"] += 1
    tiers.note(f"compiled the loop at {code.filename}:{code.lines[header][0]} (in {code.name})",
               unit.axiom_source)
    return unit


def _entry_miss(tiers: Tiers, key: Any, guess: int, code: Code) -> Any:
    """RANGE_MISS or CLASS_MISS: an OSR unit's entry found a value outside what it
    assumed (`guess`): the loop goes on in tier 0, and compiles again without that
    assumption after DEOPT_LIMIT of them."""

    def miss() -> Any:
        tiers.wrong_guess(key, guess, code)
        return _NOT_TAKEN
    return miss


def build_osr(tiers: Tiers, frame: Any, header: int) -> Any:
    code: Code = frame.code
    module = frame.module
    key = (code, header)
    banned = frozenset(tiers.banned.get(key, ()))
    ranged = RANGE_GUESS not in banned
    classed = CLASS_GUESS not in banned
    slots = [_entry_val(v, ranged, classed) if v is not UNSET else F.UNSET_VAL for v in frame.slots]
    unset = {i for i, v in enumerate(frame.slots) if v is UNSET}
    stack = [_entry_val(v, ranged) for v in frame.stack]
    hints, used = _hints(tiers, module, None, (), banned)
    owned = tiers.owned(module) if frame.closure is None else None
    entering: dict[str, Any] = {}  # promoted globals set when the unit is entered
    if owned is not None:  # main code: the globals only it stores to live in locals
        for op, arg in code.ops:
            name = code.consts[arg] if op == Op.STORE_GLOBAL else None
            if name is None or name in hints.promoted or not owned(name) or hints.stable(name):
                continue
            hints.promoted[name] = len(slots)
            value = module.globals.get(name, UNSET)
            if value is UNSET:
                unset.add(len(slots))
                slots.append(F.UNSET_VAL)
            else:
                entering[name] = value
                slots.append(_entry_val(value, ranged, classed))
    analysis = Analysis(code, header, slots, unset, stack, hints)
    ns = namespace(tiers, module)
    gen = Gen(code, analysis, ns, limited=tiers.runtime.limited, caches=tiers.caches,
              stable=hints.stable)
    gen.pure = False  # entered from the VM with its frame: a boundary for the pure code it calls
    for k, v in enumerate(stack):  # at a loop header: the iterators of the for loops around it
        is_iter = hasattr(type(frame.stack[k]), "__next__")  # an iterator (collections.abc costs 1 ms)
        gen.stack.append(Entry(_load(f"s{k}"), ITER if is_iter else v, True))
    # Entered inside loops (innermost first): the rest of each one's current pass, then
    # the loop around it from its header
    start = header
    for outer, end in sorted(((h, e) for h, e in gen.loop_end.items() if h < header < e),
                             key=lambda loop: loop[1] - loop[0]):
        gen.region(start, end, Ctx(outer, None, None))
        gen.restack(outer)
        start = outer
    gen.region(start, len(code.ops), Ctx(len(code.ops), None, None))
    prologue: list[ast.stmt] = [
        ast.Assign(targets=[_store("S")], value=ast.Attribute(value=_load("frame"), attr="slots", ctx=ast.Load())),
        ast.Assign(targets=[_store("T")], value=ast.Attribute(value=_load("frame"), attr="stack", ctx=ast.Load()))]
    if frame.closure is not None:
        prologue.append(ast.Assign(targets=[_store("C")], value=ast.Attribute(
            value=ast.Attribute(value=_load("frame"), attr="closure", ctx=ast.Load()), attr="cells",
            ctx=ast.Load())))
    prologue += [ast.Assign(targets=[_store(gen.names[i])],
                            value=ast.Subscript(value=_load("S"), slice=ast.Constant(i), ctx=ast.Load()))
                 for i in range(code.nslots)]
    prologue += [ast.Assign(targets=[_store(f"s{k}")],
                            value=ast.Subscript(value=_load("T"), slice=ast.Constant(k), ctx=ast.Load()))
                 for k in range(len(stack))]
    for name in entering:
        prologue.append(ast.Assign(targets=[_store(gen.promoted[name][0])], value=ast.Subscript(
            value=_load("G"), slice=ast.Constant(name), ctx=ast.Load())))
    names = gen.names + [gen.promoted[name][0] for name in hints.promoted]
    guards: list[ast.expr] = [_type_test(names[i], v[0], True) for i, v in enumerate(slots)
                              if v[0] in _TYPE_NAMES]
    at_header = analysis.states[header]
    strays: list[ast.expr] = [  # an object of another class than the one the loop assumes
        not_of_class(_load(names[i]), gen.const(v[1]))
        for i, v in enumerate(at_header.slots if at_header is not None else ())
        if v[0] == "inst" and v[1] != 0]  # (where the loop keeps no class, none is tested)
    misses = _range_guards(analysis, header, names, unset, len(stack))
    for tests, leave in ((guards, _load("NOT_TAKEN")), (strays, _call("CLASS_MISS")),
                         (misses, _call("RANGE_MISS"))):
        if tests:
            prologue.append(ast.If(test=tests[0] if len(tests) == 1 else ast.BoolOp(op=ast.Or(), values=tests),
                                   body=[ast.Return(value=leave)], orelse=[]))
    prologue.append(ast.Assign(targets=[ast.Attribute(value=_load("frame"), attr="osr", ctx=ast.Store())],
                               value=ast.Constant(True)))
    pyname = f"{_pyname(code)}__loop{header}"
    tree = ast.Module(body=[_function(pyname, ["vm", "frame"], prologue + sink_returns(gen.out))],
                      type_ignores=[])
    _stamp_all(tree, code.lines[header][0] if header < len(code.lines) else 1)
    exec(compile(_fix(tree), code.filename, "exec"), ns)
    unit = ns[pyname]
    ns["DEOPT"] = _osr_exit(tiers, code, key)
    if misses:
        ns["RITER_WITHIN"] = riter_within
        ns["RANGE_MISS"] = _entry_miss(tiers, key, RANGE_GUESS, code)
    if strays:
        ns["CLASS_MISS"] = _entry_miss(tiers, key, CLASS_GUESS, code)
    COMPILED[unit.__code__] = (code, {name: i for i, name in enumerate(gen.names)}, frame.closure is None,
                               module)
    for name in used:
        tiers.depend(module, name, code)
    for callee in gen.callees:
        tiers.embeds(callee, code)
    unit.axiom_source = tree
    return unit
