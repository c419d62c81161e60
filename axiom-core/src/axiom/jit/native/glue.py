"""Native units as the VM and tier 1 see them: entries that guard their argument types and
call machine code through ctypes, and what happens when native code leaves.

Pipeline position: called by jit/native/__init__.py for a unit plan.py planned (and only
then imported: ctypes costs milliseconds). Imports the IR generator and llvmlite only
when it lowers a unit.

Leaving native code. The buffer of the thread's context holds records, innermost
activation first (lower.py). Each becomes a tier-0 Frame at the instruction where the
activation goes on — the instruction that failed (an overflow, a division by zero, a call
too deep, an unset variable: tier 0 runs it again and raises exactly what it raises), or
the one after a call whose callee left — with its slots and operand stack. The frames are
pushed on the VM's frame list, outermost first, and the VM runs them until the outermost
returns: nothing already done is done again, and errors get tier 0's positions and traces.
A loop unit (OSR) hands its own frame back to the VM the same way (`back_edge` gets the ip).

Lists of ints or of floats are unboxed on entry (Boxes): each becomes an array of machine
words and a header native code reads (lower.py), the same list passed twice becoming one
array (aliasing holds). Whenever control comes back — a return, or leaving for tier 0 —
every list is written back into the same list object before anything else runs, so
tier 0 and the caller see exactly what native code stored. A list holding anything but
ints (or anything but floats), or an empty one, is not unboxed: that call runs in tier 1.
The call into machine code keeps the interpreter lock (ctypes' PYFUNCTYPE): no other thread
sees a list while native code owns its items, and native code can run signal handlers
(below). It lets other threads have the lock at each poll.

Polling (lower.py). Machine code never returns to Python's eval loop by itself, so a
Ctrl-C (whose C handler only sets a flag) would never be seen. Native code counts tier 0's
steps down in the context's fuel word and polls when it runs out, every POLL_STEPS steps
in a run without limits: it lets other threads run, and runs pending signal handlers. A
KeyboardInterrupt raised by one (Ctrl-C, or the CLI's SIGTERM) makes native code leave at
that back edge or call; ctypes raises it on return, and it is kept (Context.pending)
until every list is written back and a loop unit's frame has its live values (a
top-level loop's globals), then raised again, outside native code. In a limited run
(--max-steps, --timeout, --max-memory, metrics, a task thread that cancel() stops) the
fuel is at most the steps left before tier 0 would check something (the step limit, the
next memory sample), and `_poll` comes exactly where tier 0's tick would raise: it counts
the steps native code took, tries that tick and, when it raises, undoes it and leaves
before the instruction, which tier 0 runs and raises from, with tier 0's position and
trace. Steps and calls counted are tier 0's exactly.
"""

from __future__ import annotations

import ctypes
import struct
import threading
import time
from array import array

from ...bytecode import NEVER, Code
from ...vm import UNSET, Frame
from .flow import LISTS, SCALARS, Flow
from .plan import LoopPlan, Planned, Planner, list_kind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Final

DEPTH: Final = 4_000  # native calls nested on the host stack before calls go on in tier 0
BUFFER_WORDS: Final = (DEPTH + 4) * 64
DEOPT_LIMIT: Final = 20  # unexpected exits before a unit is given to tier 1
_PY: Final = {"i": int, "f": float, "b": bool}
_NORMAL: Final = frozenset({"exit", "depth", "callee left", "poll", "lists made"})


POLL_STEPS: Final = 1 << 16  # lower.POLL_STEPS (lower.py imports llvmlite: repeated here)
FUEL: Final = 11  # the context words of lower.py
ARENA: Final = 19
ARENA_BYTES: Final = 8 << 20  # each thread's arena for lists native code makes
ANSWER: Final = 17
LIMITED: Final = 18


class Context:
    """One thread's words for native code (see lower.py) and its record buffer; the VM
    that last entered native code on this thread, an exception to raise once native code
    has left, and the fuel last given."""

    def __init__(self) -> None:
        from .engine import libm_addresses
        from .lower import CTX_WORDS, LIBM
        self.words = (ctypes.c_int64 * CTX_WORDS)()
        self.buf = (ctypes.c_int64 * BUFFER_WORDS)()
        self.words[4] = ctypes.addressof(self.buf)
        for k, a in enumerate(libm_addresses(LIBM)):
            self.words[5 + k] = a
        self.words[FUEL] = POLL_STEPS
        try:
            self.arena_map: Any = _new_arena()
            self.arena = ctypes.addressof(ctypes.c_char.from_buffer(self.arena_map))
            size = ARENA_BYTES
        except (OSError, ValueError):  # no room (a --max-memory run's address-space limit):
            self.arena_map = None  # every list native code would make leaves for tier 0
            self.arena = size = 0
        self.words[ARENA + 1] = self.arena + size
        api = ctypes.pythonapi
        for k, f in ((12, _POLL), (14, api.PyErr_CheckSignals), (15, api.PyEval_SaveThread),
                     (16, api.PyEval_RestoreThread)):
            self.words[k] = ctypes.cast(f, ctypes.c_void_p).value or 0
        self.addr = ctypes.addressof(self.words)
        self.vm: Any = None
        self.pending: BaseException | None = None
        self.granted = 0
        _catch_unraisable()


def _new_arena() -> Any:
    """A thread's arena: anonymous memory whose pages are taken only when used."""
    import mmap
    return mmap.mmap(-1, ARENA_BYTES)


def _poll(ctx_addr: int, steps: int, is_call: int) -> None:
    """A limited run's native code ran out of fuel before a back edge of `steps` steps (or
    a call): count the steps and give new fuel (ANSWER 0), or leave before it (ANSWER
    stays 1) when tier 0's tick would raise there (see the module docstring)."""
    ctx = context()
    try:
        vm = ctx.vm
        rt = vm.runtime
        settle(ctx, rt)
        if rt.deadline is not None and time.monotonic() > rt.deadline:
            rt._ticks |= 63  # tier 0's next tick looks at the clock (it does every 64)
        saved = (rt.steps, rt.calls, rt._ticks, rt._next_sample)
        try:
            if is_call:
                rt.tick_call()
            else:
                rt.tick(steps)
        except Exception:
            rt.steps, rt.calls, rt._ticks, rt._next_sample = saved
            ctx.words[FUEL] = ctx.granted = 0
            return
        grant(ctx, rt)
        ctx.words[ANSWER] = 0
    except BaseException as e:  # a signal handler's KeyboardInterrupt: raised on leaving
        ctx.pending = e


_POLL: Final = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64)(_poll)
_HOOKED: list[Any] = []


def _catch_unraisable() -> None:
    """A signal that comes in the microseconds between native code's PyErr_CheckSignals
    and _poll's first instruction raises there, outside its try: ctypes hands that
    exception to sys.unraisablehook. Keep it (it is raised once native code has left,
    which it does: ANSWER is still 1) instead of printing it."""
    import sys
    if _HOOKED and sys.unraisablehook is _HOOKED[0]:
        return
    before = sys.unraisablehook

    def hook(args: Any) -> None:
        if args.object is _poll and not isinstance(args.exc_value, Exception):
            context().pending = args.exc_value
            return
        before(args)

    _HOOKED[:] = [hook]
    sys.unraisablehook = hook


def grant(ctx: Context, rt: Any) -> None:
    """Fuel up to the first step at which tier 0's tick would check more than the count:
    past the step limit, or at the next memory sample (a limited run)."""
    fuel = POLL_STEPS
    if rt.max_steps is not None:
        fuel = min(fuel, rt.max_steps - rt.steps)
    nxt = rt._next_sample
    if nxt - rt.steps - 1 < fuel:
        fuel = int(nxt - rt.steps - 1)
    fuel = max(fuel, 0)
    ctx.words[FUEL] = ctx.granted = fuel


def settle(ctx: Context, rt: Any) -> None:
    """Count the steps and calls native code took since the fuel was given (a limited run)."""
    w = ctx.words
    fuel = w[FUEL]
    left = fuel & 0xFFFFFFFF  # the fuel word: calls made (high half), steps left (low half)
    rt.steps += ctx.granted - left
    rt.calls += fuel >> 32
    w[FUEL] = ctx.granted = left


def _raise_pending(ctx: Context) -> None:
    e = ctx.pending
    if e is not None:
        ctx.pending = None
        raise e


_LOCAL = threading.local()


def context() -> Context:
    ctx = getattr(_LOCAL, "ctx", None)
    if ctx is None:
        ctx = _LOCAL.ctx = Context()
    return ctx


def _run(vm: Any, cfunc: Any, args: tuple[Any, ...]) -> tuple[Context, int]:
    """Call machine code: cfunc(context, *args) on this thread's context, with the room
    left for calls and, in a limited run, the fuel (see the module docstring). Gives the
    context (its words say how native code ended) and what cfunc returned."""
    ctx = context()
    ctx.vm = vm
    w = ctx.words
    room = vm.max_depth - len(vm.frames)
    w[2] = room if room < DEPTH else DEPTH
    w[ARENA] = ctx.arena
    r = 0
    if vm.limited:
        rt = vm.runtime
        grant(ctx, rt)
        w[LIMITED] = 1
        try:
            r = cfunc(ctx.addr, *args)
        except BaseException as e:  # a signal handler's, raised by the poll
            ctx.pending = e
        settle(ctx, rt)
    else:
        w[LIMITED] = 0
        try:
            r = cfunc(ctx.addr, *args)
        except BaseException as e:
            ctx.pending = e
    return ctx, r


def _items(addr: int, kind: str) -> list[Any]:
    """The items of the list whose header is at `addr` (lower.py), as Python values."""
    n, items = (ctypes.c_int64 * 2).from_address(addr)
    if not n:
        return []
    return ((ctypes.c_int64 if kind == "li" else ctypes.c_double) * n).from_address(items)[:]


class Boxes:
    """The lists of one entry into native code: those unboxed from Python lists, and those
    native code made (see the module docstring)."""

    __slots__ = ("by_id", "by_addr", "made")

    def __init__(self) -> None:
        self.by_id: dict[int, int] = {}
        self.by_addr: dict[int, tuple[list[Any], str, Any, Any]] = {}
        self.made: dict[int, list[Any]] = {}

    def unbox(self, xs: list[Any], kind: str) -> int:
        addr = self.by_id.get(id(xs))
        if addr is not None:  # the same list again: the same machine array
            return addr
        items = array("q" if kind == "li" else "d", xs)
        start, n = items.buffer_info()
        hdr = (ctypes.c_int64 * 3)(n, start, n)  # a push past n moves the items to the arena
        addr = ctypes.addressof(hdr)
        self.by_id[id(xs)] = addr
        self.by_addr[addr] = (xs, kind, items, hdr)
        return addr

    def box(self) -> None:
        """Write every unboxed list back, in place (with what native code pushed)."""
        for addr, (xs, kind, _, _) in self.by_addr.items():
            xs[:] = _items(addr, kind)

    def value(self, addr: int, kind: str) -> list[Any]:
        """The Python list of a list native code holds: the one it was unboxed from, or a
        new one for a list native code made (one per list, so aliases stay aliases)."""
        got = self.by_addr.get(addr)
        if got is not None:
            return got[0]
        xs = self.made.get(addr)
        if xs is None:
            xs = self.made[addr] = _items(addr, kind)
        return xs


# --- building -------------------------------------------------------------------------------

class Unit:
    """A compiled native module: its sites, IR text and entry address."""

    def __init__(self, name: str, sites: list[Any], ir_text: str, address: int) -> None:
        self.name = name
        self.sites = sites
        self.ir_text = ir_text
        self.address = address
        self.wrong = 0


def _lower(planner: Planner, root: Any, root_flow: Flow | None, osr_closure: Any) -> tuple[Any, Any]:
    """The LLVM module for planner's functions (and a loop unit `root_flow`)."""
    from llvmlite import ir

    from .lower import I8, I64, P64, Gen, Module, machine
    m = Module("axiom")
    for p in planner.order:
        rt = ir.LiteralStructType([machine(p.returns), I8])
        fty = ir.FunctionType(rt, [P64] + [machine(t) for t in p.spec])
        p.llfn = ir.Function(m.ir, fty, m.fresh(p.closure.code.name))
        p.llfn.attributes.add("nounwind")  # no unwind tables: the code stays relocation-free
        p.llfn.linkage = "internal"
    for p in planner.order:
        calls = {ip: planner.done[(c.closure.code, c.spec)].llfn
                 for ip, (kind, c) in p.flow.calls.items() if kind == "native"}
        Gen(m, p.flow, p.closure, p.spec, p.llfn, False, calls).emit()
    if root_flow is not None:
        fty = ir.FunctionType(I64, [P64, P64])
        llfn = ir.Function(m.ir, fty, "axiom_entry")
        llfn.attributes.add("nounwind")
        calls = {ip: planner.done[(c.closure.code, c.spec)].llfn
                 for ip, (kind, c) in root_flow.calls.items() if kind == "native"}
        Gen(m, root_flow, osr_closure, None, llfn, True, calls).emit()
    else:
        p = root
        rt = machine(p.returns)
        ext_rt = ir.DoubleType() if p.returns == "f" else I64
        fty = ir.FunctionType(ext_rt, [P64] + [I64 if t == "b" else machine(t) for t in p.spec])
        llfn = ir.Function(m.ir, fty, "axiom_entry")
        llfn.attributes.add("nounwind")
        b = ir.IRBuilder(llfn.append_basic_block())
        args = [llfn.args[0]] + [b.trunc(a, machine(t)) if t == "b" else a
                                 for a, t in zip(llfn.args[1:], p.spec)]
        r = b.call(p.llfn, args)
        status = b.zext(b.extract_value(r, 1), I64)
        b.store(status, b.gep(llfn.args[0], [ir.Constant(I64, 0)]))
        v = b.extract_value(r, 0)
        if rt != ext_rt:
            v = b.zext(v, I64) if p.returns == "b" else v
        b.ret(v)
    return m, str(m.ir)


def _machine_code(tiers: Any, ir_text: str) -> tuple[int, str]:
    """The entry's address, and " (from the cache)" when it was loaded from the disk cache
    of machine code (engine.py; used when the bytecode_cache setting is on)."""
    from .engine import compile_and_cache, load_cached
    use = bool(tiers.runtime.settings.get("bytecode_cache", True))
    if use:
        address = load_cached(ir_text)
        if address is not None:
            return address, " (from the cache)"
    return compile_and_cache(ir_text, use, False), ""


def build_function(tiers: Any, fn: Any, planner: Planner, root: Planned) -> Any:
    """The native entry of closure `fn` as planned (plan.plan_function); Unsupported when
    the IR generator finds something it does not lower."""
    code: Code = fn.code
    m, text = _lower(planner, root, None, None)
    address, cached = _machine_code(tiers, text)
    unit = Unit(code.name, m.sites, text, address)
    for name in planner.used:
        tiers.depend(fn.module, name, code)
    tiers.compiled["native"] = tiers.compiled.get("native", 0) + 1
    tiers.note(f"native: compiled {code.name} ({code.filename}) for ({', '.join(_NAMES[t] for t in root.spec)}){cached}")
    tiers.native_units[code] = unit
    return _function_entry(tiers, fn, root, unit)


_NAMES: Final = {"i": "int", "f": "float", "b": "bool", "li": "list of int", "lf": "list of float"}


def _function_entry(tiers: Any, fn: Any, root: Planned, unit: Unit) -> Any:
    """The entry the VM and tier 1 call: (vm, *args)."""
    spec = root.spec
    pytypes = tuple(_PY.get(t, list) for t in spec)
    lists = [(k, t) for k, t in enumerate(spec) if t in LISTS]
    argtypes = [ctypes.c_int64 if t != "f" else ctypes.c_double for t in spec]
    restype = ctypes.c_double if root.returns == "f" else ctypes.c_int64
    cfunc = ctypes.PYFUNCTYPE(restype, ctypes.c_void_p, *argtypes)(unit.address)
    returns = root.returns
    code = fn.code
    fallback: dict[tuple[type, ...], Any] = {}

    def other_types(vm: Any, args: tuple[Any, ...]) -> Any:
        key = tuple(type(a) for a in args)
        entry = fallback.get(key)
        if entry is None:
            from ..units import compile_function as host
            entry = fallback[key] = host(tiers, fn, list(args))
        if entry is NEVER:
            return _tier0(vm, fn, list(args))
        from ..support import enter
        return enter(vm, entry, fn, args)

    def entry(vm: Any, *args: Any) -> Any:
        if len(args) != len(pytypes):
            return other_types(vm, args)
        for a, t in zip(args, pytypes):
            if type(a) is not t:
                return other_types(vm, args)
        boxes = None
        if lists:
            boxes = Boxes()
            words = list(args)
            for k, kind in lists:
                if list_kind(args[k]) != kind:
                    return other_types(vm, args)
                words[k] = boxes.unbox(args[k], kind)
            args = tuple(words)
        ctx, r = _run(vm, cfunc, args)
        w = ctx.words
        if boxes is not None and not w[0]:
            boxes.box()
        if w[0]:
            return _resume(tiers, vm, ctx, unit, None, boxes)
        if returns == "b":
            return r != 0
        if returns == "n":
            return None
        if returns in LISTS:
            return (boxes or Boxes()).value(r, returns)
        return r

    from ..infer import ANY, FLOAT, INT, NIL
    made: Any = entry
    made.axiom_pure = False
    made.axiom_native = unit
    made.axiom_spec = tuple(INT if t == "i" else FLOAT if t == "f" else ("bool", 0, 0) if t == "b" else ANY
                            for t in spec)
    made.axiom_returns = INT if returns == "i" else FLOAT if returns == "f" else \
        ("bool", 0, 0) if returns == "b" else ANY if returns in LISTS else NIL
    del code
    return entry


def _tier0(vm: Any, fn: Any, args: list[Any]) -> Any:
    code = fn.code
    slots = args + [UNSET] * (code.nslots - len(args))
    if len(vm.frames) >= vm.max_depth:
        raise vm._too_deep()
    return vm.resume(Frame(code, slots, fn, fn.module))


# --- leaving native code -------------------------------------------------------------------------

def _records(ctx: Context, unit: Unit, boxes: Boxes) -> list[tuple[Any, list[Any], list[Any],
                                                                          list[tuple[str, Any]]]]:
    """The records in the buffer: (site, slots, stack, globals), innermost first."""
    w = ctx.words
    n = w[3]
    buf = ctx.buf
    out = []
    k = 0
    sites = unit.sites
    while k < n:
        site = sites[buf[k]]
        k += 1

        def take(t: Any, site: Any = site) -> Any:
            nonlocal k
            if type(t) is tuple:
                if t[0] == "k":
                    return site.known[t[1]]
                from axiom_sdk import Range  # ("g", inclusive): a range value
                lo, hi = buf[k], buf[k + 1]
                k += 2
                return Range(lo, hi, 1, inclusive=t[1])
            if t in SCALARS:
                v = buf[k]
                k += 1
                return _value(t, v)
            if t in LISTS:
                k += 1
                return boxes.value(buf[k - 1], t)
            if t in ("i?", "f?", "b?"):
                flag, v = buf[k], buf[k + 1]
                k += 2
                return _value(t[0], v) if flag & 1 else UNSET
            if t == "r":
                cur, stop = buf[k], buf[k + 1]
                k += 2
                return iter(range(cur, stop))
            if t == "n":
                return None
            return _KEEP  # "u", "x", "o": unset, or (a loop unit) the frame keeps its own

        slots = [(i, take(t)) for i, t in site.slots]
        stack = [take(t) for t in site.stack]
        globals_ = [(name, take(t)) for name, t in site.globals]
        out.append((site, slots, stack, globals_))
    w[0] = 0
    w[1] = 0
    w[3] = 0
    return out


_KEEP: Final = object()


def _value(t: str, v: int) -> Any:
    if t == "i":
        return v
    if t == "f":
        return struct.unpack("<d", struct.pack("<q", v))[0]
    return bool(v & 1)


def _resume(tiers: Any, vm: Any, ctx: Context, unit: Unit, osr_frame: Any, boxes: Boxes | None) -> Any:
    """Continue in tier 0 the activations native code left (see the module docstring).
    For a loop unit, the last record is its own frame's: returns the ip where it goes on."""
    if boxes is not None:
        boxes.box()
    else:
        boxes = Boxes()
    records = _records(ctx, unit, boxes)
    inner = records[0][0]
    if inner.reason not in _NORMAL:
        unit.wrong += 1
        tiers.note(f"native: {inner.code.name} left at {inner.code.filename}:"
                   f"{inner.code.lines[min(inner.ip, len(inner.code.lines) - 1)][0]}: {inner.reason}")
        if unit.wrong >= DEOPT_LIMIT:
            _drop(tiers, records[-1][0].code, unit)
    own = None
    if osr_frame is not None:
        own = records.pop()
        site, slots, stack, globals_ = own
        for i, v in slots:
            if v is not _KEEP:
                osr_frame.slots[i] = v
            elif site.slots[i][1] in ("u",):
                osr_frame.slots[i] = UNSET
        osr_frame.stack[:] = stack
        for name, v in globals_:
            if v is not _KEEP and v is not UNSET:
                osr_frame.globals[name] = v
        osr_frame.ip = site.ip
    _raise_pending(ctx)  # an interrupt: the lists and the loop's frame hold the live values
    frames = []
    for site, slots, stack, _ in records:
        values = [UNSET] * site.code.nslots
        for i, v in slots:
            if v is not _KEEP:
                values[i] = v
        closure = site.closure
        f = Frame(site.code, values, closure, closure.module)
        f.ip = site.ip
        f.stack = stack
        frames.append(f)
    if frames:
        stack_ = vm.frames
        start = len(stack_)
        stack_.extend(reversed(frames))
        deep = inner.reason == "depth"  # calls go on in tier 0, on the heap (vm.deep_call)
        if deep:
            vm.deep += 1
        try:
            result = vm.run(start)
        finally:
            del stack_[start:]
            if deep:
                vm.deep -= 1
        if osr_frame is None:
            return result
        osr_frame.stack.append(result)
    return own[0].ip if own is not None else None


def _drop(tiers: Any, code: Code, unit: Unit) -> None:
    tiers.native_banned.add(code)
    tiers.note(f"native: {code.name} left native code {unit.wrong} times: tier 1 takes it")
    if code.jit is not None and getattr(code.jit, "axiom_native", None) is unit:
        code.jit = None
        code.hot = 0
    if code.osr:
        for header, u in list(code.osr.items()):
            if getattr(u, "axiom_native", None) is unit:
                del code.osr[header]
        code.hot = 0


# --- loops (on-stack replacement) ----------------------------------------------------------------

def build_osr(tiers: Any, frame: Any, header: int, loop: LoopPlan) -> Any:
    """The native unit of the loop at `header` of the running `frame` as planned
    (plan.plan_osr); Unsupported when the IR generator finds something it does not lower."""
    code: Code = frame.code
    m, text = _lower(loop.planner, None, loop.flow, frame.closure)
    address, cached = _machine_code(tiers, text)
    unit = Unit(f"{code.name} loop {header}", m.sites, text, address)
    for name in loop.planner.used:
        tiers.depend(frame.module, name, code)
    tiers.compiled["native"] = tiers.compiled.get("native", 0) + 1
    tiers.note(f"native: compiled the loop at {code.filename}:{code.lines[header][0]} (in {code.name}){cached}")
    tiers.native_units[(code, header)] = unit
    return _osr_entry(tiers, unit, loop.flow, loop.slots, loop.stack, loop.globals)


def _osr_entry(tiers: Any, unit: Unit, flow: Flow, slots: list[Any], stack: list[Any],
               globals_: dict[str, Any]) -> Any:
    cfunc = ctypes.PYFUNCTYPE(ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p)(unit.address)
    checks = [(i, _PY.get(t, list), t) for i, t in enumerate(slots) if t in SCALARS or t in LISTS]
    has_lists = any(t in LISTS for t in slots)
    unset = [i for i, t in enumerate(slots) if t == "u"]
    nils = [i for i, t in enumerate(slots) if t == "n"]
    gchecks = [(name, _PY[globals_[name]]) for name in flow.gnames]
    n_in = len(checks) + sum(2 if t == "r" else 1 for t in stack) + len(gchecks)
    inp = (ctypes.c_int64 * max(n_in, 1))()
    inp_addr = ctypes.addressof(inp)
    fmt = struct.Struct("<d")
    from .. import _NOT_TAKEN

    def word(v: Any) -> int:
        if type(v) is float:
            return struct.unpack("<q", fmt.pack(v))[0]
        return int(v)

    def unit_fn(vm: Any, frame: Any) -> Any:
        fs = frame.slots
        k = 0
        boxes = Boxes() if has_lists else None
        for i, t, kind in checks:
            v = fs[i]
            if type(v) is not t:
                return _NOT_TAKEN
            if t is list:
                if list_kind(v) != kind:
                    return _NOT_TAKEN
                inp[k] = boxes.unbox(v, kind)  # type: ignore[union-attr,arg-type]
            else:
                inp[k] = word(v)
            k += 1
        for i in unset:
            if fs[i] is not UNSET:
                return _NOT_TAKEN
        for i in nils:
            if fs[i] is not None:
                return _NOT_TAKEN
        if len(frame.stack) != len(stack):
            return _NOT_TAKEN
        for v, t in zip(frame.stack, stack):
            if t == "r":
                if type(v).__name__ != "range_iterator":
                    return _NOT_TAKEN
                _, (r,), done = v.__reduce__()
                if r.step != 1:
                    return _NOT_TAKEN
                inp[k] = r.start + done
                inp[k + 1] = r.stop
                k += 2
            else:
                if type(v) is not _PY[t]:
                    return _NOT_TAKEN
                inp[k] = word(v)
                k += 1
        g = frame.globals
        for name, t in gchecks:
            v = g.get(name)
            if type(v) is not t:
                return _NOT_TAKEN
            inp[k] = word(v)
            k += 1
        ctx, _ = _run(vm, cfunc, (inp_addr,))
        return _resume(tiers, vm, ctx, unit, frame, boxes)

    made: Any = unit_fn
    made.axiom_native = unit
    return made

