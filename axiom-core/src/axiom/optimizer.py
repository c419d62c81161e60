"""Optimizer: rewrites a Code's bytecode without changing what it prints.

Pipeline position: after compiler.py, before axc.py / vm.py (switch: the
`peephole_optimizer` setting). Imports bytecode and intrinsics.

Passes, repeated until nothing changes:
  * constant folding  -- LOAD_CONST a, LOAD_CONST b, <binary op> and LOAD_CONST a, <unary
                         op> become one LOAD_CONST when the operation cannot fail (no
                         division by zero, no overflow, no type error) and the result is
                         small;
  * peephole          -- LOAD_CONST + POP vanish; NOT + JUMP_IF_FALSE becomes
                         JUMP_IF_TRUE; a conditional jump on a constant becomes a JUMP or
                         nothing; a JUMP to the next instruction vanishes;
  * jump threading    -- a jump to a forward JUMP goes straight to that JUMP's target;
  * dead code         -- instructions no path reaches are removed.
Removed instructions are compacted away with jump targets and the line table remapped.

Speed (a 50,000-line script has a main Code of some 200,000 instructions): each pass
finds the few places it may change with one scan in C (a regular expression over the
opcodes as bytes) and runs Python code only there; a round that changes nothing is then
cheap, and so is the last round, which only confirms that nothing more changes.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from itertools import accumulate, compress
from operator import itemgetter
from typing import Any, Final

from axiom_sdk import AxiomError, truthy

from . import intrinsics as I
from .bytecode import JUMPS, Code, Op, const_key

_FOLD_BINARY: Final = {
    Op.ADD: I.add, Op.SUB: I.sub, Op.MUL: I.mul, Op.DIV: I.div, Op.MOD: I.mod,
    Op.LT: lambda a, b: I.compare("<", a, b), Op.LE: lambda a, b: I.compare("<=", a, b),
    Op.GT: lambda a, b: I.compare(">", a, b), Op.GE: lambda a, b: I.compare(">=", a, b),
}
_SCALARS: Final = (type(None), bool, int, float, str)
_MAX_FOLDED_STR: Final = 4096
_ENDS: Final = frozenset({Op.JUMP, Op.RETURN, Op.THROW, Op.HALT})




def _any_of(*ops: int) -> bytes:
    """A regular expression character class matching any of `ops` (as bytes)."""
    return b"[" + b"".join(re.escape(bytes([op])) for op in sorted(ops)) + b"]"


_STOPS: Final = JUMPS | _ENDS  # where straight-line code stops falling through
_CONDITIONAL: Final = (Op.JUMP_IF_FALSE, Op.JUMP_IF_TRUE)
# The places each pass looks at, in the opcodes as bytes (see _opcodes):
_JUMP_AT: Final = re.compile(_any_of(*JUMPS))
_GOTO_AT: Final = re.compile(_any_of(Op.JUMP))
_THREAD_AT: Final = re.compile(_any_of(Op.JUMP, *_CONDITIONAL))
_STOP_AT: Final = re.compile(_any_of(*_STOPS))
_NOPS: Final = bytes([Op.NOP])
# a LOAD_CONST a fold may start at: followed by NEG, NOT or another LOAD_CONST
_FOLD_AT: Final = re.compile(_any_of(Op.LOAD_CONST) + b"(?=" + _any_of(Op.NEG, Op.NOT, Op.LOAD_CONST) + b")")
# the pairs a peephole rewrite may apply to (the first instruction of each)
_PAIR_AT: Final = re.compile(
    _any_of(Op.LOAD_CONST) + b"(?=" + _any_of(Op.POP, *_CONDITIONAL) + b")|"
    + _any_of(Op.NOT) + b"(?=" + _any_of(*_CONDITIONAL) + b")")
_KEEP: Final = bytes(0 if b == Op.NOP else 1 for b in range(256))  # opcode -> kept by _compact
_first: Final = itemgetter(0)


def _opcodes(ops: list[tuple[int, int]]) -> bytearray:
    """The opcodes of `ops` as bytes (every opcode is below 256), for the scans. The
    passes keep it up to date as they change instructions (see _nop)."""
    return bytearray(map(_first, ops))


def _where(pattern: re.Pattern[bytes], opcodes: bytes | bytearray) -> list[int]:
    return [m.start() for m in pattern.finditer(opcodes)]


def optimize(code: Code) -> Code:
    """Optimize `code` and every Code nested in its constants, in place."""
    for c in code.consts:
        if isinstance(c, Code):
            optimize(c)
    index = _ConstIndex(code)
    opc = _opcodes(code.ops)
    for _ in range(10):
        targets = _Targets(code, opc)  # fold changes no jump: it shares peephole's targets
        changed = _fold(code, opc, index, targets) | _peephole(code, opc, targets) \
            | _thread(code, opc) | _dead(code, opc)
        compacted = _compact(code, opc)
        if compacted is not None:
            opc = compacted
        elif not changed:
            break
    return code


class _Targets:
    """The instructions some jump goes to, as the code stands when a round starts; built
    when a pass first asks (a round with nothing to fold or rewrite never does)."""

    __slots__ = ("code", "opc", "_set")

    def __init__(self, code: Code, opc: bytearray) -> None:
        self.code = code
        self.opc = opc
        self._set: set[int] | None = None

    def get(self) -> set[int]:
        if self._set is None:
            ops = self.code.ops
            self._set = {ops[i][1] for i in _where(_JUMP_AT, self.opc)}
        return self._set


_NOP_OP: Final = (Op.NOP, 0)


def _nop(code: Code, opc: bytearray, i: int) -> None:
    code.ops[i] = _NOP_OP
    opc[i] = Op.NOP


class _ConstIndex:
    """Where each constant of a code object is, keyed by bytecode.const_key (same type,
    same bits: folding `-0.0` must not reuse `0.0`), so a fold finds or adds its result
    in constant time."""

    def __init__(self, code: Code) -> None:
        self.consts = code.consts
        self._where: dict[Any, int] | None = None  # built when the first fold asks

    @property
    def where(self) -> dict[Any, int]:
        if self._where is None:
            self._where = {}
            for i, c in enumerate(self.consts):
                key = const_key(c)
                if key is not None:
                    self._where.setdefault(key, i)
        return self._where

    def __call__(self, value: Any) -> int:
        key = const_key(value)
        i = self.where.get(key) if key is not None else None
        if i is None:
            self.consts.append(value)
            i = len(self.consts) - 1
            if key is not None:
                self.where[key] = i
        return i


def _fold_size(op: int, x: Any, y: Any) -> int:
    """About how many items (chars or list items) folding `x op y` would build, computed
    without building it: a fold must never allocate more than _MAX_FOLDED_STR (a huge
    `"x" * 10000000000` is left to run time, where --max-memory is checked first)."""
    if op == Op.ADD and type(x) is str and type(y) is str:
        return len(x) + len(y)
    if op == Op.MUL:
        if type(x) is str and type(y) is int:
            return len(x) * max(y, 0)
        if type(y) is str and type(x) is int:
            return len(y) * max(x, 0)
    return 0


def _fold(code: Code, opc: bytearray, const_index: _ConstIndex, targets: _Targets) -> bool:
    ops = code.ops
    # A fold only turns instructions after its start into NOPs, so no place but those
    # found here can become a fold's start during the pass (each is checked as the code
    # stands when the pass gets there).
    starts = _where(_FOLD_AT, opc)
    if not starts:
        return False
    tset = targets.get()
    consts = code.consts
    load_const = Op.LOAD_CONST
    nop = Op.NOP
    n = len(ops)
    changed = False
    for i in starts:
        op0, a0 = ops[i]
        if op0 != load_const:
            continue
        x = consts[a0]
        op1, a1 = ops[i + 1]
        if op1 in (Op.NEG, Op.NOT) and i + 1 not in tset and type(x) in _SCALARS:
            r = _try(I.neg, x) if op1 == Op.NEG else _try(lambda v: not truthy(v), x)
            if r is not _FAIL:
                ops[i] = (load_const, const_index(r))
                _nop(code, opc, i + 1)
                changed = True
                continue
        if op1 == load_const and i + 2 < n and i + 1 not in tset and i + 2 not in tset:
            op2 = opc[i + 2]
            fn = _FOLD_BINARY.get(op2)  # type: ignore[call-overload]
            y = consts[a1]
            if fn is not None and type(x) in _SCALARS and type(y) in _SCALARS \
                    and _fold_size(op2, x, y) <= _MAX_FOLDED_STR:
                try:  # (_try, inline)
                    r = fn(x, y)
                except (AxiomError, ArithmeticError, ValueError, TypeError):
                    continue
                if type(r) in _SCALARS:
                    ops[i] = (load_const, const_index(r))
                    ops[i + 1] = ops[i + 2] = _NOP_OP  # (_nop, inline)
                    opc[i + 1] = opc[i + 2] = nop
                    changed = True
    return changed


_FAIL: Final = object()


def _try(f: Any, *args: Any) -> Any:
    try:
        return f(*args)
    except (AxiomError, ArithmeticError, ValueError, TypeError):
        return _FAIL


def _peephole(code: Code, opc: bytearray, targets: _Targets) -> bool:
    ops = code.ops
    changed = False
    # A rewrite at i changes i and i + 1 into instructions no rewrite starts at, so the
    # pairs found here are all the pass can rewrite.
    pairs = _where(_PAIR_AT, opc)
    if pairs:
        tset = targets.get()
        consts = code.consts
        for i in pairs:
            op, arg = ops[i]
            nxt, narg = ops[i + 1]
            if i + 1 in tset:
                continue
            if op == Op.LOAD_CONST and nxt == Op.POP:
                _nop(code, opc, i)
                _nop(code, opc, i + 1)
                changed = True
            elif op == Op.NOT and nxt in _CONDITIONAL:
                _nop(code, opc, i)
                flipped = Op.JUMP_IF_TRUE if nxt == Op.JUMP_IF_FALSE else Op.JUMP_IF_FALSE
                ops[i + 1] = (flipped, narg)
                opc[i + 1] = flipped
                changed = True
            elif op == Op.LOAD_CONST and nxt in _CONDITIONAL and type(consts[arg]) in _SCALARS:
                jumps = truthy(consts[arg]) == (nxt == Op.JUMP_IF_TRUE)
                _nop(code, opc, i)
                ops[i + 1] = (Op.JUMP, narg) if jumps else (Op.NOP, 0)
                opc[i + 1] = ops[i + 1][0]
                changed = True
    for i in _where(_GOTO_AT, opc):
        if ops[i][1] == i + 1:
            _nop(code, opc, i)
            changed = True
    return changed


def _thread(code: Code, opc: bytearray) -> bool:
    """Retarget jumps that land on a forward JUMP to where it goes. A backward JUMP (a
    loop's back edge or `continue`) is never jumped through: a `break` stays a jump to
    its loop's end, so loops keep one exit and the JIT tiers can rebuild them."""
    ops = code.ops
    n = len(ops)
    changed = False
    for i in _where(_THREAD_AT, opc):  # (retargeting changes no opcode)
        op, arg = ops[i]
        target = arg
        seen = set()
        while target < n and target not in seen:
            seen.add(target)
            top, targ = ops[target]
            if top == Op.JUMP and targ > target:
                target = targ
            elif top == Op.NOP:
                target += 1
            else:
                break
        if target != arg and target not in seen - {target}:
            ops[i] = (op, target)
            changed = True
    return changed


def _dead(code: Code, opc: bytearray) -> bool:
    """NOP out what no path reaches, except the final RETURN or HALT: code always ends
    with one (.axc requires it, and compiled code that ran a frame to its end finishes
    there)."""
    ops = code.ops
    n = len(ops)
    stops = _where(_STOP_AT, opc)  # where falling through ends
    live = bytearray(n)
    work = [0, n - 1]
    while work:
        i = work.pop()
        if not 0 <= i < n or live[i]:
            continue
        # i runs, and so does everything after it up to the next jump or end
        j = bisect_left(stops, i)
        k = stops[j] if j < len(stops) else n - 1
        live[i:k + 1] = b"\x01" * (k + 1 - i)
        op, arg = ops[k]
        if op in JUMPS:
            work.append(arg)
        if op not in _ENDS:
            work.append(k + 1)
    changed = False
    i = live.find(0)
    while i >= 0:
        if ops[i][0] != Op.NOP:
            _nop(code, opc, i)
            changed = True
        i = live.find(0, i + 1)
    return changed


def _compact(code: Code, opc: bytearray) -> bytearray | None:
    """Drop NOPs, remapping jump targets and the line table. Returns the new code's
    opcodes, or None when it did not change."""
    ops = code.ops
    if opc.find(Op.NOP) < 0:
        return None
    keep = opc.translate(_KEEP)  # 1 for each instruction kept, 0 for a NOP
    new_index = list(accumulate(keep, initial=0))  # i -> where instruction i goes
    new_ops = list(compress(ops, keep))
    new_opc = opc.translate(None, _NOPS)
    for i in _where(_JUMP_AT, new_opc):
        op, arg = new_ops[i]
        new_ops[i] = (op, new_index[arg])
    if not new_ops or new_ops[-1][0] not in (Op.RETURN, Op.HALT):
        return None  # keep the code well-formed (it always ends in RETURN/HALT)
    code.ops = new_ops
    code.lines = list(compress(code.lines, keep))
    n = len(ops)
    code.slot_ranges = tuple((new_index[min(a, n)], new_index[min(b, n)]) for a, b in code.slot_ranges)
    return new_opc
