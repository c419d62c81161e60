"""LLVM IR for native units: typed bytecode (jit/native/flow.py) to llvmlite.ir.

Pipeline position: after the flow analysis, before jit/native/engine.py makes machine code.
Imports llvmlite.ir (only ever imported by a native compile).

The machine interface. Every function takes the run's context first: an i64 array
    ctx[0] status of the last entry (0 returned, 1 left: records in the buffer)
    ctx[1] native call depth     ctx[2] its limit (past it a call leaves for tier 0)
    ctx[3] words used in the buffer   ctx[4] the buffer's address
    ctx[5..10] libm's fmod, sin, cos, exp, log, pow (called through these, so the machine
             code needs no relocation and can be cached)
    ctx[11] fuel: its low 32 bits the steps left before native code polls, its high 32
            bits the calls made since it was given (for a limited run's metrics)
    ctx[12] the address of glue._poll: void poll(ctx, steps, is_call), which sets ctx[17]
            to 0 (go on) or leaves it 1 (leave here)
    ctx[14..16] CPython's PyErr_CheckSignals, PyEval_SaveThread, PyEval_RestoreThread
    ctx[17] the poll's answer    ctx[18] 1 when the run is limited (the poll is called)
    ctx[19] the next free byte of the thread's arena (lists made by native code)
    ctx[20] the arena's end
Polling. Every loop back edge (a JUMP backwards) takes tier 0's step count of that
edge (ip + 1 - header) from the fuel, and every call (CALL or TAIL_CALL, a built-in or a
self tail call too) takes 1 and counts a call: the same steps, at the same places, as tier
0 ticks (vm.py). A unit keeps the fuel in a register and writes it back into the
context before it calls, polls or returns. When the fuel would go below zero, native code calls the poll (glue.py)
instead. Native code always runs holding the interpreter lock (glue.py enters it with
ctypes' PYFUNCTYPE), so the poll first lets other threads have the lock a moment, then
runs pending signal handlers (PyErr_CheckSignals, called from machine code: a Python
callback would see a Ctrl-C raised on its first instruction, outside any try); when a
handler raised (KeyboardInterrupt), native code leaves and ctypes raises it on return.
In a limited run it then calls glue._poll, which counts the steps against the run's
limits and gives new fuel, else it refills POLL_STEPS. When the run must stop there (an
interrupt, or a limit that tier 0's tick raises at this very edge or call) native code
leaves *before* the JUMP or call, so tier 0 runs it and raises exactly what it raises.
A function `f` returns {value, i8 status}; `f.entry` is its C entry for ctypes. An OSR
unit `osr(ctx, in)` reads the frame's values from `in` and always leaves through a record.

A list of ints or floats is unboxed by glue.py before native code runs: its value here is
the address of a header {i64 length, i64 address of the items (i64 or f64 each), i64
capacity}. Lists native code makes (a literal of numbers, [x; n], list(a..b), .copy())
and the items a .push() outgrows are bump-allocated from the thread's arena, which glue.py
empties at every entry into native code (it boxes every list that leaves native code,
into a Python list, before anything else runs). When the arena is full, native code
leaves before the instruction that needed room ("lists made"): tier 0 runs it, and the
loop's next back edge enters native code again with an empty arena.

Leaving (deoptimisation, and a loop unit's exits) writes a record: the site's number,
then the values the site's layout lists (slots, then the operand stack, then globals),
one i64 word each (a float's bits; a maybe-unset slot's flag first; a range iterator
as next, stop). A callee that left makes each native caller add its own record ("after"
the call: the callee's value will be pushed by tier 0), so the buffer ends up holding the
chain of activations, innermost first, that tier 0 continues (jit/native/glue.py).

No fast-math flag is set anywhere: float results are IEEE results, bit for bit tier 0's.
"""

from __future__ import annotations

from llvmlite import ir

from ...bytecode import Code, Op
from ..infer import Unsupported
from .flow import LISTS, MAX_RECORD, SCALARS, Flow, base, jump_targets, words

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Final

I64: Final = ir.IntType(64)
I8: Final = ir.IntType(8)
I1: Final = ir.IntType(1)
F64: Final = ir.DoubleType()
P64: Final = I64.as_pointer()
MIN: Final = -(2**63)
MAX: Final = 2**63 - 1
LIBM: Final = ("fmod", "sin", "cos", "exp", "log", "pow")
CTX_LIBM: Final = 5
CTX_FUEL: Final = 11
CTX_POLL: Final = 12
CALL_FUEL: Final = (1 << 32) - 1  # a call: one step off the low half, one call on the high
CTX_SIGNALS: Final = 14
CTX_SAVE: Final = 15
CTX_RESTORE: Final = 16
CTX_ANSWER: Final = 17
CTX_LIMITED: Final = 18
CTX_ARENA: Final = 19
CTX_ARENA_END: Final = 20
CTX_WORDS: Final = 24
MAX_ITEMS: Final = 1 << 32  # a list made natively holds at most this many items
POLL_STEPS: Final = 1 << 16  # steps between two polls in a run without limits
_MT: Final = {"i": I64, "f": F64, "b": I1, "li": I64, "lf": I64}  # a list: its header's address
HELD: Final = SCALARS + LISTS  # types held in one machine value


def machine(t: Any) -> ir.Type:
    """The LLVM type a function passes or returns a value of type `t` as."""
    return _MT.get(t, I64)


class Site:
    """Where native code leaves: the activation it stands for and its record layout."""

    __slots__ = ("id", "code", "closure", "ip", "after", "slots", "stack", "globals", "known", "osr",
                 "reason")

    def __init__(self, sid: int, code: Code, closure: Any, ip: int, after: bool, slots: list[Any],
                 stack: list[Any], globals_: list[tuple[str, Any]], known: list[Any], osr: bool) -> None:
        self.id = sid
        self.code = code
        self.closure = closure
        self.ip = ip  # where tier 0 goes on
        self.after = after  # after a call: the callee's value is pushed first
        self.slots = slots  # (slot, type) for every slot
        self.stack = stack
        self.globals = globals_
        self.known = known
        self.osr = osr
        self.reason = ""


class Module:
    """One LLVM module: a root unit and the functions it calls natively."""

    def __init__(self, name: str) -> None:
        self.ir = ir.Module(name=name)
        self.sites: list[Site] = []
        self.functions: dict[tuple[Any, tuple[str, ...]], Any] = {}
        self.names: set[str] = set()
        self.intrinsics: dict[str, Any] = {}

    def fresh(self, base_name: str) -> str:
        stem = "".join(c if c.isalnum() else "_" for c in base_name) or "fn"
        name, n = stem, 1
        while name in self.names:
            n += 1
            name = f"{stem}_{n}"
        self.names.add(name)
        return name

    def intrinsic(self, name: str, ret: ir.Type, args: list[ir.Type]) -> Any:
        fn = self.intrinsics.get(name)
        if fn is None:
            fn = self.intrinsics[name] = self.ir.declare_intrinsic(name, [args[0]], ir.FunctionType(ret, args))
        return fn


class Gen:
    """IR for one unit (a function of `module`, or a loop unit)."""

    def __init__(self, module: Module, flow: Flow, closure: Any, spec: tuple[str, ...] | None,
                 llfn: ir.Function, osr: bool, calls: dict[int, Any]) -> None:
        self.m = module
        self.flow = flow
        self.code = flow.code
        self.closure = closure
        self.spec = spec
        self.fn = llfn
        self.osr = osr
        self.calls = calls  # ip -> the llvm function of a native callee
        self.ctx = llfn.args[0]
        self.alloca_block = llfn.append_basic_block("vars")
        self.ab = ir.IRBuilder(self.alloca_block)
        self.fuel_var = self.ab.alloca(I64, name="fuel")  # the context's fuel, in a register
        self.ab.store(self.ab.load(self.ab.gep(self.ctx, [ir.Constant(I64, CTX_FUEL)])), self.fuel_var)
        self.b = ir.IRBuilder()
        self.vars: dict[Any, Any] = {}
        self.spills: dict[tuple[int, int, ir.Type], Any] = {}
        self.blocks: dict[int, Any] = {}
        self.flags: set[int] = set()
        code = self.code
        for st in flow.states:
            if st is None:
                continue
            for i, t in enumerate(st[0]):
                if t == "u" or (type(t) is str and t.endswith("?")):
                    self.flags.add(i)
        targets = jump_targets(code)
        starts = {flow.entry, 0} if not osr else {flow.entry}
        for ip, st in enumerate(flow.states):
            if st is None:
                continue
            if ip in targets or ip in starts:
                starts.add(ip)
            op = code.ops[ip][0]
            if op in (Op.JUMP_IF_FALSE, Op.JUMP_IF_TRUE, Op.JUMP_IF_FALSE_OR_POP, Op.JUMP_IF_TRUE_OR_POP,
                      Op.FOR_ITER):
                starts.add(ip + 1)
        for ip in sorted(starts):
            if 0 <= ip < len(flow.states) and flow.states[ip] is not None:
                self.blocks[ip] = llfn.append_basic_block(f"ip{ip}")

    # -- storage -------------------------------------------------------------------------
    def var(self, key: Any, ty: ir.Type) -> Any:
        v = self.vars.get((key, ty))
        if v is None:
            v = self.vars[(key, ty)] = self.ab.alloca(ty, name=f"v{key}")
        return v

    def flag(self, slot: int) -> Any:
        return self.var(("flag", slot), I1)

    def ctx_word(self, k: int) -> Any:
        return self.b.gep(self.ctx, [ir.Constant(I64, k)])

    def spill(self, stack: list[tuple[Any, tuple[Any, ...]]]) -> None:
        for depth, (_, vals) in enumerate(stack):
            for k, v in enumerate(vals):
                key = (depth, k, v.type)
                a = self.spills.get(key)
                if a is None:
                    a = self.spills[key] = self.ab.alloca(v.type, name=f"s{depth}_{k}")
                self.b.store(v, a)

    def unspill(self, types: tuple[Any, ...]) -> list[tuple[Any, tuple[Any, ...]]]:
        out = []
        for depth, t in enumerate(types):
            vals = []
            for k, ty in enumerate(_parts(t)):
                key = (depth, k, ty)
                a = self.spills.get(key)
                if a is None:
                    a = self.spills[key] = self.ab.alloca(ty, name=f"s{depth}_{k}")
                vals.append(self.b.load(a))
            out.append((t, tuple(vals)))
        return out

    # -- leaving -------------------------------------------------------------------------
    def leave(self, ip: int, stack: list[tuple[Any, tuple[Any, ...]]], state: Any, after: bool = False,
              why: str = "exit") -> None:
        """Write a record for the activation at `ip` (before it, or after the call there)
        and return status 1. Ends the current block."""
        code = self.code
        slot_layout: list[Any] = []
        for i, t in enumerate(state[0]):
            if t == "x" and _in_scope(code, i, ip):
                raise Unsupported(f"{code.slot_names[i]} has different types on different paths")
            slot_layout.append((i, t))
        glayout = []
        for name, t in zip(self.flow.gnames, state[2]):
            if base(t) not in SCALARS:
                raise Unsupported(f"the global {name} has different types on different paths")
            glayout.append((name, t))
        stypes = [t for t, _ in stack]
        n = sum(words(t) for _, t in slot_layout) + sum(words(t) for t in stypes) + \
            sum(words(t) for _, t in glayout)
        if n > MAX_RECORD:
            raise Unsupported("too many values to leave native code with")
        site = Site(len(self.m.sites), code, self.closure, ip + 1 if after else ip, after, slot_layout,
                    stypes, glayout, self.flow.known, self.osr)
        site.reason = why
        self.m.sites.append(site)
        b = self.b
        pos = b.load(self.ctx_word(3))
        buf = b.inttoptr(b.load(self.ctx_word(4)), P64)
        k = 0

        def put(v: Any) -> None:
            nonlocal k
            if v.type == F64:
                v = b.bitcast(v, I64)
            elif v.type != I64:
                v = b.zext(v, I64)
            b.store(v, b.gep(buf, [b.add(pos, ir.Constant(I64, k))]))
            k += 1

        put(ir.Constant(I64, site.id))
        for i, t in slot_layout:
            if type(t) is str and t.endswith("?"):
                put(b.load(self.flag(i)))
                put(b.load(self.var(i, _MT[t[0]])))
            elif t in HELD:
                put(b.load(self.var(i, _MT[t])))
        for _, vals in stack:
            for v in vals:
                put(v)
        for name, t in glayout:
            put(b.load(self.var(("g", name), _MT[base(t)])))
        b.store(b.add(pos, ir.Constant(I64, k)), self.ctx_word(3))
        self.ret_status()

    def ret_status(self) -> None:
        self.sync_out()
        if self.osr:
            self.b.ret(ir.Constant(I64, 1))
        else:
            rt = self.fn.function_type.return_type
            self.b.ret(ir.Constant(rt, [ir.Undefined, ir.Constant(I8, 1)]))

    def guard(self, bad: Any, ip: int, stack: list[Any], state: Any, why: str) -> None:
        """Leave at `ip` when `bad` is true (a cold branch), else go on."""
        b = self.b
        out = self.fn.append_basic_block(f"leave{ip}")
        cont = self.fn.append_basic_block(f"ok{ip}")
        b.cbranch(bad, out, cont)
        b.position_at_end(out)
        self.leave(ip, stack, state, why=why)
        b.position_at_end(cont)

    def fuel(self, ip: int, steps: int, before: list[Any], st: Any, call: bool) -> None:
        """Take `steps` from the fuel (a call: 1, and count it); when it runs out, poll, and
        leave before the instruction at `ip` when the poll says stop (see the module
        docstring)."""
        b = self.b
        left = b.add(b.load(self.fuel_var), ir.Constant(I64, CALL_FUEL if call else -steps))
        slow = self.fn.append_basic_block(f"poll{ip}")
        fast = self.fn.append_basic_block(f"fuel{ip}")
        cont = self.fn.append_basic_block(f"polled{ip}")
        out = self.fn.append_basic_block(f"stop{ip}")
        i32 = ir.IntType(32)
        low = b.trunc(left, i32)
        b.cbranch(b.icmp_signed("<", low, ir.Constant(i32, 0)), slow, fast).set_weights([1, 1 << 20])
        b.position_at_end(fast)
        b.store(left, self.fuel_var)
        b.branch(cont)
        b.position_at_end(slow)
        self.sync_out()
        # let other threads have the interpreter lock a moment, then run signal handlers
        save = ir.FunctionType(I64, [])
        restore = ir.FunctionType(ir.VoidType(), [I64])
        check = ir.FunctionType(i32, [])
        ts = b.call(self.fn_word(CTX_SAVE, save), [])
        b.call(self.fn_word(CTX_RESTORE, restore), [ts])
        raised = b.icmp_signed("!=", b.call(self.fn_word(CTX_SIGNALS, check), []), ir.Constant(i32, 0))
        limits = self.fn.append_basic_block(f"limits{ip}")
        b.cbranch(raised, out, limits)
        b.position_at_end(limits)
        py = self.fn.append_basic_block(f"count{ip}")
        refill = self.fn.append_basic_block(f"refill{ip}")
        b.cbranch(b.icmp_signed("!=", b.load(self.ctx_word(CTX_LIMITED)), ir.Constant(I64, 0)), py, refill)
        b.position_at_end(refill)
        b.store(ir.Constant(I64, POLL_STEPS), self.fuel_var)
        b.branch(cont)
        b.position_at_end(py)
        answer = self.ctx_word(CTX_ANSWER)
        b.store(ir.Constant(I64, 1), answer)
        poll = ir.FunctionType(ir.VoidType(), [P64, I64, I64])
        b.call(self.fn_word(CTX_POLL, poll), [self.ctx, ir.Constant(I64, steps), ir.Constant(I64, int(call))])
        self.sync_in()
        b.cbranch(b.icmp_signed("!=", b.load(answer), ir.Constant(I64, 0)), out, cont)
        b.position_at_end(out)
        self.leave(ip, before, st, why="poll")
        b.position_at_end(cont)

    def sync_out(self) -> None:
        """The fuel back into the context (before a call, a return or a poll)."""
        self.b.store(self.b.load(self.fuel_var), self.ctx_word(CTX_FUEL))

    def sync_in(self) -> None:
        self.b.store(self.b.load(self.ctx_word(CTX_FUEL)), self.fuel_var)

    def fn_word(self, k: int, fty: ir.FunctionType) -> Any:
        """The function whose address is in context word `k`."""
        return self.b.inttoptr(self.b.load(self.ctx_word(k)), fty.as_pointer())

    # -- the unit ------------------------------------------------------------------------
    def emit(self) -> None:
        flow = self.flow
        code = self.code
        b = self.b
        start = self.fn.append_basic_block("start")
        b.position_at_end(start)
        if self.osr:
            self._osr_prologue()
        else:
            for i, t in enumerate(self.spec or ()):
                b.store(_to_reg(b, self.fn.args[1 + i], t), self.var(i, _MT[t]))
            for i in self.flags:
                b.store(ir.Constant(I1, 1 if i < len(self.spec or ()) else 0), self.flag(i))
            b.branch(self.blocks[0])
        cur: list[Any] | None = None
        for ip in range(len(code.ops)):
            st = flow.states[ip]
            if st is None:
                continue
            if ip in self.blocks:
                if cur is not None and not b.block.is_terminated:
                    self.spill(cur)
                    b.branch(self.blocks[ip])
                b.position_at_end(self.blocks[ip])
                cur = self.unspill(st[1])
            elif cur is None or b.block.is_terminated:
                continue
            cur = self.op(ip, st, cur)
        if not b.block.is_terminated:
            b.unreachable()
        self.ab.branch(start)

    def _osr_prologue(self) -> None:
        """Read the frame's values (slots, stack, globals) from `in`, in the order the entry
        state lists them."""
        b = self.b
        inp = self.fn.args[1]
        st = self.flow.states[self.flow.entry]
        k = 0

        def get(ty: ir.Type) -> Any:
            nonlocal k
            w = b.load(b.gep(inp, [ir.Constant(I64, k)]))
            k += 1
            if ty == F64:
                return b.bitcast(w, F64)
            if ty == I1:
                return b.trunc(w, I1)
            return w

        for i, t in enumerate(st[0]):
            if t in HELD:
                b.store(get(_MT[t]), self.var(i, _MT[t]))
            if i in self.flags:
                b.store(ir.Constant(I1, 1 if t in SCALARS else 0), self.flag(i))
        stack = []
        for t in st[1]:
            stack.append((t, tuple(get(ty) for ty in _parts(t))))
        for name, t in zip(self.flow.gnames, st[2]):
            b.store(get(_MT[t]), self.var(("g", name), _MT[t]))
        self.spill(stack)
        b.branch(self.blocks[self.flow.entry])

    def jump(self, target: int, stack: list[Any], state_after: Any) -> None:
        """Go to `target` with `stack` (an exit when it is outside a loop unit)."""
        if 0 <= target < len(self.flow.states) and self.flow.states[target] is not None:
            self.spill(stack)
            self.b.branch(self.blocks[target])
        else:
            self.leave(target, stack, state_after)

    def op(self, ip: int, st: Any, stack: list[Any]) -> list[Any] | None:
        op, arg = self.code.ops[ip]
        code = self.code
        b = self.b
        before = list(stack)
        stack = list(stack)
        slots = st[0]
        nxt_state: Any = self.flow.states[ip + 1] if ip + 1 < len(code.ops) else None
        if op == Op.NOP:
            pass
        elif op == Op.LOAD_CONST:
            c = code.consts[arg]
            t = {int: "i", float: "f", bool: "b"}.get(type(c), "n")
            stack.append((t, (ir.Constant(_MT[t], int(c) if t == "b" else c),) if t != "n" else ()))
        elif op == Op.LOAD_VAR:
            t = slots[arg]
            bt = base(t)
            if t != bt:
                self.guard(b.not_(b.load(self.flag(arg))), ip, before, st, "unset variable")
            if bt in HELD:
                stack.append((bt, (b.load(self.var(arg, _MT[bt])),)))
            else:
                stack.append((bt, ()))
        elif op == Op.STORE_VAR:
            t, vals = stack.pop()
            if t in HELD:
                b.store(vals[0], self.var(arg, _MT[t]))
            if arg in self.flags:
                b.store(ir.Constant(I1, 1), self.flag(arg))
        elif op == Op.LOAD_GLOBAL:
            name = code.consts[arg]
            if name in self.flow.gnames:
                t = base(st[2][self.flow.gnames.index(name)])
                stack.append((t, (b.load(self.var(("g", name), _MT[t])),)))
            else:
                t = nxt_state[1][-1]
                value = self.flow.env.stable(name)[0]
                if t in SCALARS:
                    stack.append((t, (ir.Constant(_MT[t], int(value) if t == "b" else value),)))
                else:
                    stack.append((t, ()))
        elif op == Op.STORE_GLOBAL:
            t, vals = stack.pop()
            b.store(vals[0], self.var(("g", code.consts[arg]), _MT[t]))
        elif op in (Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.MOD):
            y = stack.pop()
            x = stack.pop()
            stack.append(self.arith(ip, op, x, y, before, st))
        elif op in (Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE):
            y = stack.pop()
            x = stack.pop()
            stack.append(("b", (self.compare(op, x, y),)))
        elif op == Op.NOT:
            v = stack.pop()
            stack.append(("b", (b.not_(self.truth(v)),)))
        elif op == Op.NEG:
            t, (v,) = stack.pop()
            if t == "i":
                self.guard(b.icmp_signed("==", v, ir.Constant(I64, MIN)), ip, before, st, "overflow")
                stack.append(("i", (b.sub(ir.Constant(I64, 0), v),)))
            else:
                stack.append(("f", (b.fneg(v),)))
        elif op == Op.INDEX:
            i = stack.pop()
            xs = stack.pop()
            where = self.item(ip, xs, i, before, st)
            stack.append((xs[0][1], (b.load(where),)))
        elif op == Op.SET_INDEX:
            v = stack.pop()
            i = stack.pop()
            xs = stack.pop()
            b.store(v[1][0], self.item(ip, xs, i, before, st))
        elif op == Op.POP:
            stack.pop()
        elif op == Op.DUP:
            stack.append(stack[-1])
        elif op == Op.DUP2:
            stack.extend(stack[-2:])
        elif op == Op.JUMP:
            if arg < ip + 1:  # a loop's back edge: tier 0 ticks here (and counts hotness)
                inside = 0 <= arg < len(self.flow.states) and self.flow.states[arg] is not None
                if not inside:  # an outer loop's back edge: tier 0 takes it itself
                    self.leave(ip, stack, st)
                    return None
                self.fuel(ip, ip + 1 - arg, before, st, False)
            self.jump(arg, stack, self._state_at(arg))
            return None
        elif op in (Op.JUMP_IF_FALSE, Op.JUMP_IF_TRUE):
            v = stack.pop()
            c = self.truth(v)
            self.branch(ip, c if op == Op.JUMP_IF_TRUE else b.not_(c), arg, stack, stack)
            return None
        elif op in (Op.JUMP_IF_FALSE_OR_POP, Op.JUMP_IF_TRUE_OR_POP):
            c = self.truth(stack[-1])
            self.branch(ip, c if op == Op.JUMP_IF_TRUE_OR_POP else b.not_(c), arg, stack, stack[:-1])
            return None
        elif op == Op.MAKE_RANGE:
            _, (hi,) = stack.pop()
            _, (lo,) = stack.pop()
            stack.append((("g", bool(arg)), (lo, hi)))
        elif op == Op.GET_ITER:
            (_, inclusive), (lo, hi) = stack.pop()
            if inclusive:
                self.guard(b.icmp_signed("==", hi, ir.Constant(I64, MAX)), ip, before, st, "range end")
                hi = b.add(hi, ir.Constant(I64, 1))
            stack.append(("r", (lo, hi)))
        elif op == Op.FOR_ITER:
            _, (cur, stop) = stack[-1]
            more = b.icmp_signed("<", cur, stop)
            taken = stack[:-1]
            go_on = self.fn.append_basic_block(f"next{ip}")
            done = self.fn.append_basic_block(f"done{ip}")
            b.cbranch(more, go_on, done)
            b.position_at_end(done)
            self.jump(arg, taken, self._state_at(arg))
            b.position_at_end(go_on)
            stack[-1] = ("r", (b.add(cur, ir.Constant(I64, 1)), stop))
            stack.append(("i", (cur,)))
            nxt = ip + 1
            self.spill(stack)
            b.branch(self.blocks[nxt])
            return None
        elif op in (Op.CALL, Op.TAIL_CALL):
            return self.call(ip, op, arg, stack, before, st)
        elif op == Op.METHOD_CALL:
            name, argc, _ = code.consts[arg]
            args = stack[len(stack) - argc:]
            obj = stack[len(stack) - argc - 1]
            del stack[len(stack) - argc - 1:]
            if self.flow.calls[ip][0] == "list":
                stack.append(self.list_method(ip, name, obj, args, before, st))
            else:
                stack.append(self.math(ip, name, args, before, st))
        elif op == Op.MAKE_LIST:
            items = stack[len(stack) - arg:]
            del stack[len(stack) - arg:]
            t = nxt_state[1][-1]  # "li" or "lf" (an empty literal's: flow.py)
            hdr, at = self.new_list(ip, ir.Constant(I64, arg), before, st)
            ptr = b.inttoptr(at, _MT[t[1]].as_pointer())
            for k, (_, (v,)) in enumerate(items):
                b.store(v, b.gep(ptr, [ir.Constant(I64, k)]))
            stack.append((t, (hdr,)))
        elif op == Op.LIST_REPEAT:
            _, (n,) = stack.pop()
            it, (v,) = stack.pop()
            n = b.select(b.icmp_signed("<", n, ir.Constant(I64, 0)), ir.Constant(I64, 0), n)
            hdr, at = self.new_list(ip, n, before, st)
            ptr = b.inttoptr(at, _MT[it].as_pointer())
            self.each(n, lambda k: b.store(v, b.gep(ptr, [k])))
            stack.append(("l" + it, (hdr,)))
        elif op == Op.RETURN:
            if self.osr:
                self.leave(ip, stack, st)
                return None
            t, vals = stack.pop()
            rt = self.fn.function_type.return_type
            v = vals[0] if vals else ir.Constant(I64, 0)
            self.sync_out()
            b.ret(_pair(b, rt, v))
            return None
        elif op == Op.HALT:
            self.leave(ip, stack, st)
            return None
        elif op == Op.FREE_VAR:
            if arg in self.flags:
                b.store(ir.Constant(I1, 0), self.flag(arg))
        else:  # the flow analysis let nothing else through
            raise Unsupported(f"op {op} at {ip}")
        return stack

    def _state_at(self, ip: int) -> Any:
        st = self.flow.states[ip] if 0 <= ip < len(self.flow.states) else None
        if st is None:
            st = self.flow.exit_states[ip]
        return st

    def branch(self, ip: int, cond: Any, target: int, taken: list[Any], fall: list[Any]) -> None:
        b = self.b
        t_block = self.fn.append_basic_block(f"take{ip}")
        f_block = self.fn.append_basic_block(f"fall{ip}")
        b.cbranch(cond, t_block, f_block)
        b.position_at_end(t_block)
        self.jump(target, taken, self._state_at(target))
        b.position_at_end(f_block)
        self.jump(ip + 1, fall, self._state_at(ip + 1))

    def truth(self, v: Any) -> Any:
        t, vals = v
        b = self.b
        if t == "b":
            return vals[0]
        if t == "i":
            return b.icmp_signed("!=", vals[0], ir.Constant(I64, 0))
        if t == "f":
            return b.fcmp_unordered("!=", vals[0], ir.Constant(F64, 0.0))
        return ir.Constant(I1, 0 if t == "n" else 1)

    def tofloat(self, v: Any) -> Any:
        t, (x,) = v
        return self.b.sitofp(x, F64) if t == "i" else x

    def arith(self, ip: int, op: int, x: Any, y: Any, before: list[Any], st: Any) -> Any:
        b = self.b
        if x[0] == "i" and y[0] == "i":
            a, c = x[1][0], y[1][0]
            if op in (Op.ADD, Op.SUB, Op.MUL):
                name = {Op.ADD: "llvm.sadd.with.overflow", Op.SUB: "llvm.ssub.with.overflow",
                        Op.MUL: "llvm.smul.with.overflow"}[op]
                fn = self.m.intrinsic(name, ir.LiteralStructType([I64, I1]), [I64, I64])
                r = b.call(fn, [a, c])
                self.guard(b.extract_value(r, 1), ip, before, st, "overflow")
                return ("i", (b.extract_value(r, 0),))
            zero = b.icmp_signed("==", c, ir.Constant(I64, 0))
            if op == Op.DIV:
                bad = b.or_(zero, b.and_(b.icmp_signed("==", a, ir.Constant(I64, MIN)),
                                         b.icmp_signed("==", c, ir.Constant(I64, -1))))
                self.guard(bad, ip, before, st, "division by zero or overflow")
                return ("i", (b.sdiv(a, c),))
            self.guard(zero, ip, before, st, "modulo by zero")
            minus1 = b.icmp_signed("==", c, ir.Constant(I64, -1))
            return ("i", (b.srem(a, b.select(minus1, ir.Constant(I64, 1), c)),))
        a, c = self.tofloat(x), self.tofloat(y)
        if op == Op.ADD:
            return ("f", (b.fadd(a, c),))
        if op == Op.SUB:
            return ("f", (b.fsub(a, c),))
        if op == Op.MUL:
            return ("f", (b.fmul(a, c),))
        self.guard(b.fcmp_ordered("==", c, ir.Constant(F64, 0.0)), ip, before, st, "division by zero")
        if op == Op.DIV:
            return ("f", (b.fdiv(a, c),))
        return ("f", (self.libm("fmod", [a, c]),))

    def compare(self, op: int, x: Any, y: Any) -> Any:
        b = self.b
        sym = {Op.EQ: "==", Op.NE: "!=", Op.LT: "<", Op.LE: "<=", Op.GT: ">", Op.GE: ">="}[op]
        if x[0] == "f":
            if op == Op.NE:
                return b.fcmp_unordered("!=", x[1][0], y[1][0])
            return b.fcmp_ordered(sym, x[1][0], y[1][0])
        if x[0] == "b":
            return b.icmp_unsigned(sym, x[1][0], y[1][0])
        return b.icmp_signed(sym, x[1][0], y[1][0])

    def libm(self, name: str, args: list[Any]) -> Any:
        b = self.b
        fty = ir.FunctionType(F64, [F64] * len(args))
        addr = b.load(self.ctx_word(CTX_LIBM + LIBM.index(name)))
        return b.call(b.inttoptr(addr, fty.as_pointer()), args)

    def call(self, ip: int, op: int, argc: int, stack: list[Any], before: list[Any], st: Any) -> Any:
        b = self.b
        args = stack[len(stack) - argc:]
        del stack[len(stack) - argc - 1:]
        kind, what = self.flow.calls.get(ip, (None, None))
        self.fuel(ip, 1, before, st, True)  # tier 0 ticks every call
        if kind is None:  # a tail call of the function itself: a loop
            for i, (t, vals) in enumerate(args):
                b.store(vals[0], self.var(i, _MT[t]))
            for i in self.flags:
                if i >= len(args):
                    b.store(ir.Constant(I1, 0), self.flag(i))
            b.branch(self.blocks[0])
            return None
        if kind == "builtin":
            stack.append(self.builtin(ip, what, args[0], before, st))
            return stack
        callee = self.calls[ip]
        depth = b.load(self.ctx_word(1))
        limit = b.load(self.ctx_word(2))
        self.guard(b.icmp_signed(">=", depth, limit), ip, before, st, "depth")
        b.store(b.add(depth, ir.Constant(I64, 1)), self.ctx_word(1))
        self.sync_out()
        r = b.call(callee, [self.ctx] + [vals[0] for _, vals in args])
        self.sync_in()
        b.store(depth, self.ctx_word(1))
        left = b.icmp_unsigned("!=", b.extract_value(r, 1), ir.Constant(I8, 0))
        out = self.fn.append_basic_block(f"unwind{ip}")
        cont = self.fn.append_basic_block(f"back{ip}")
        b.cbranch(left, out, cont)
        b.position_at_end(out)
        self.leave(ip, stack, st, after=True, why="callee left")
        b.position_at_end(cont)
        rt = self.flow.env.returns_of(what)
        v = b.extract_value(r, 0)
        stack.append((rt, (v,) if rt in HELD else ()))
        return stack

    def header(self, xs: Any) -> tuple[Any, Any]:
        """A list's length and the address of its items."""
        b = self.b
        hdr = b.inttoptr(xs[1][0], P64)
        n = b.load(hdr)
        items = b.load(b.gep(hdr, [ir.Constant(I64, 1)]))
        return n, items

    def item(self, ip: int, xs: Any, i: Any, before: list[Any], st: Any) -> Any:
        """The address of xs[i] (a negative index counts from the end); leaves when it
        is out of range (tier 0 raises IndexError)."""
        b = self.b
        n, items = self.header(xs)
        k = i[1][0]
        k = b.select(b.icmp_signed("<", k, ir.Constant(I64, 0)), b.add(k, n), k)
        self.guard(b.icmp_unsigned(">=", k, n), ip, before, st, "index out of range")
        ty = _MT[xs[0][1]]
        return b.gep(b.inttoptr(items, ty.as_pointer()), [k])

    # -- lists made by native code ---------------------------------------------------------
    def alloc(self, ip: int, nbytes: Any, before: list[Any], st: Any) -> Any:
        """`nbytes` (a multiple of 8) from the arena; leaves before `ip` when it is full."""
        b = self.b
        word = self.ctx_word(CTX_ARENA)
        at = b.load(word)
        nxt = b.add(at, nbytes)
        self.guard(b.icmp_unsigned(">", nxt, b.load(self.ctx_word(CTX_ARENA_END))), ip, before, st,
                   "lists made")
        b.store(nxt, word)
        return at

    def new_list(self, ip: int, n: Any, before: list[Any], st: Any) -> tuple[Any, Any]:
        """A new list of `n` (>= 0) items, not yet stored: (its header, its items' address)."""
        b = self.b
        self.guard(b.icmp_unsigned(">", n, ir.Constant(I64, MAX_ITEMS)), ip, before, st, "lists made")
        at = self.alloc(ip, b.add(ir.Constant(I64, 24), b.shl(n, ir.Constant(I64, 3))), before, st)
        hdr = b.inttoptr(at, P64)
        items = b.add(at, ir.Constant(I64, 24))
        b.store(n, hdr)
        b.store(items, b.gep(hdr, [ir.Constant(I64, 1)]))
        b.store(n, b.gep(hdr, [ir.Constant(I64, 2)]))
        return at, items

    def each(self, n: Any, body: Any) -> None:
        """`body(k)` for k in 0..n."""
        b = self.b
        k_var = self.ab.alloca(I64, name="k")
        b.store(ir.Constant(I64, 0), k_var)
        head = self.fn.append_basic_block("each")
        loop = self.fn.append_basic_block("each_body")
        done = self.fn.append_basic_block("each_done")
        b.branch(head)
        b.position_at_end(head)
        k = b.load(k_var)
        b.cbranch(b.icmp_signed("<", k, n), loop, done)
        b.position_at_end(loop)
        body(k)
        b.store(b.add(k, ir.Constant(I64, 1)), k_var)
        b.branch(head)
        b.position_at_end(done)

    def list_method(self, ip: int, name: str, xs: Any, args: list[Any], before: list[Any], st: Any) -> Any:
        b = self.b
        t = xs[0]
        ty = _MT[t[1]].as_pointer()
        if name == "copy":
            n, items = self.header(xs)
            hdr, at = self.new_list(ip, n, before, st)
            src = b.inttoptr(items, ty)
            dst = b.inttoptr(at, ty)
            self.each(n, lambda k: b.store(b.load(b.gep(src, [k])), b.gep(dst, [k])))
            return (t, (hdr,))
        # push: grow the items (into the arena) when they are full
        hdr = b.inttoptr(xs[1][0], P64)
        n = b.load(hdr)
        cap_at = b.gep(hdr, [ir.Constant(I64, 2)])
        items_at = b.gep(hdr, [ir.Constant(I64, 1)])
        cap = b.load(cap_at)
        grow = self.fn.append_basic_block(f"grow{ip}")
        store = self.fn.append_basic_block(f"push{ip}")
        b.cbranch(b.icmp_signed(">=", n, cap), grow, store)
        b.position_at_end(grow)
        twice = b.shl(cap, ir.Constant(I64, 1))
        newcap = b.select(b.icmp_signed("<", twice, ir.Constant(I64, 4)), ir.Constant(I64, 4), twice)
        self.guard(b.icmp_unsigned(">", newcap, ir.Constant(I64, MAX_ITEMS)), ip, before, st, "lists made")
        at = self.alloc(ip, b.shl(newcap, ir.Constant(I64, 3)), before, st)
        src = b.inttoptr(b.load(items_at), ty)
        dst = b.inttoptr(at, ty)
        self.each(n, lambda k: b.store(b.load(b.gep(src, [k])), b.gep(dst, [k])))
        b.store(at, items_at)
        b.store(newcap, cap_at)
        b.branch(store)
        b.position_at_end(store)
        ptr = b.inttoptr(b.load(items_at), ty)
        b.store(args[0][1][0], b.gep(ptr, [n]))
        b.store(b.add(n, ir.Constant(I64, 1)), hdr)
        return ("n", ())

    def range_list(self, ip: int, x: Any, before: list[Any], st: Any) -> Any:
        """list(lo..hi) / list(lo..=hi)."""
        b = self.b
        (_, inclusive), (lo, hi) = x
        if inclusive:
            self.guard(b.icmp_signed("==", hi, ir.Constant(I64, MAX)), ip, before, st, "range end")
            hi = b.add(hi, ir.Constant(I64, 1))
        fn = self.m.intrinsic("llvm.ssub.with.overflow", ir.LiteralStructType([I64, I1]), [I64, I64])
        r = b.call(fn, [hi, lo])
        self.guard(b.extract_value(r, 1), ip, before, st, "lists made")
        n = b.extract_value(r, 0)
        n = b.select(b.icmp_signed("<", n, ir.Constant(I64, 0)), ir.Constant(I64, 0), n)
        hdr, at = self.new_list(ip, n, before, st)
        ptr = b.inttoptr(at, P64)
        self.each(n, lambda k: b.store(b.add(lo, k), b.gep(ptr, [k])))
        return ("li", (hdr,))

    def builtin(self, ip: int, name: str, x: Any, before: list[Any], st: Any) -> Any:
        b = self.b
        if name == "list":
            return self.range_list(ip, x, before, st)
        if name == "len":
            return ("i", (self.header(x)[0],))
        t, (v,) = x
        if name == "float":
            return ("f", (self.tofloat(x),))
        if name == "int":
            if t == "i":
                return x
            ok = b.and_(b.fcmp_ordered(">=", v, ir.Constant(F64, -(2.0**63))),
                        b.fcmp_ordered("<", v, ir.Constant(F64, 2.0**63)))
            self.guard(b.not_(ok), ip, before, st, "int() out of range")
            return ("i", (b.fptosi(v, I64),))
        return self.absolute(ip, x, before, st)

    def absolute(self, ip: int, x: Any, before: list[Any], st: Any) -> Any:
        b = self.b
        t, (v,) = x
        if t == "i":
            self.guard(b.icmp_signed("==", v, ir.Constant(I64, MIN)), ip, before, st, "overflow")
            neg = b.icmp_signed("<", v, ir.Constant(I64, 0))
            return ("i", (b.select(neg, b.sub(ir.Constant(I64, 0), v), v),))
        return ("f", (b.call(self.m.intrinsic("llvm.fabs", F64, [F64]), [v]),))

    def math(self, ip: int, name: str, args: list[Any], before: list[Any], st: Any) -> Any:
        b = self.b
        if name == "abs":
            return self.absolute(ip, args[0], before, st)
        if name == "floor" and args[0][0] == "i":
            return args[0]
        xs = [self.tofloat(a) for a in args]
        x = xs[0]
        zero = ir.Constant(F64, 0.0)
        inf = ir.Constant(F64, float("inf"))

        def isnan(v: Any) -> Any:
            return b.fcmp_unordered("uno", v, v)

        def finite(v: Any) -> Any:
            return b.fcmp_ordered("<", b.call(self.m.intrinsic("llvm.fabs", F64, [F64]), [v]), inf)

        if name == "sqrt":
            self.guard(b.fcmp_ordered("<", x, zero), ip, before, st, "math domain")
            return ("f", (b.call(self.m.intrinsic("llvm.sqrt", F64, [F64]), [x]),))
        if name == "floor":
            y = b.call(self.m.intrinsic("llvm.floor", F64, [F64]), [x])
            ok = b.and_(b.fcmp_ordered(">=", y, ir.Constant(F64, -(2.0**63))),
                        b.fcmp_ordered("<", y, ir.Constant(F64, 2.0**63)))
            self.guard(b.not_(ok), ip, before, st, "math domain")
            return ("i", (b.fptosi(y, I64),))
        if name in ("sin", "cos"):
            r = self.libm(name, [x])
            self.guard(b.and_(isnan(r), b.not_(isnan(x))), ip, before, st, "math domain")
            return ("f", (r,))
        if name == "exp":
            r = self.libm("exp", [x])
            self.guard(b.and_(b.not_(finite(r)), b.and_(finite(x), b.not_(isnan(r)))), ip, before, st, "math domain")
            return ("f", (r,))
        if name == "ln":
            self.guard(b.fcmp_ordered("<=", x, zero), ip, before, st, "math domain")
            return ("f", (self.libm("log", [x]),))
        if name == "log":
            base_ = xs[1]
            bad = b.or_(b.fcmp_ordered("<=", x, zero),
                        b.or_(b.fcmp_ordered("<=", base_, zero), b.fcmp_ordered("==", base_, ir.Constant(F64, 1.0))))
            self.guard(bad, ip, before, st, "math domain")
            return ("f", (b.fdiv(self.libm("log", [x]), self.libm("log", [base_])),))
        # pow
        y = xs[1]
        self.guard(b.and_(b.fcmp_ordered("==", x, zero), b.fcmp_ordered("<", y, zero)), ip, before, st, "math domain")
        r = self.libm("pow", [x, y])
        nan_bad = b.and_(isnan(r), b.and_(b.not_(isnan(x)), b.not_(isnan(y))))
        inf_bad = b.and_(b.not_(finite(r)), b.and_(b.not_(isnan(r)), b.and_(finite(x), finite(y))))
        self.guard(b.or_(nan_bad, inf_bad), ip, before, st, "math domain")
        return ("f", (r,))


def _parts(t: Any) -> list[ir.Type]:
    if type(t) is tuple:
        return [I64, I64] if t[0] == "g" else []
    if t == "r":
        return [I64, I64]
    return [_MT[t]] if t in _MT else []


def _to_reg(b: ir.IRBuilder, v: Any, t: str) -> Any:
    return v


def _pair(b: ir.IRBuilder, rt: ir.LiteralStructType, v: Any) -> Any:
    agg = b.insert_value(ir.Constant(rt, ir.Undefined), v, 0)
    return b.insert_value(agg, ir.Constant(I8, 0), 1)


def _in_scope(code: Code, slot: int, ip: int) -> bool:
    ranges = code.slot_ranges
    if slot >= len(ranges):
        return True
    lo, hi = ranges[slot]
    return lo <= ip < hi
