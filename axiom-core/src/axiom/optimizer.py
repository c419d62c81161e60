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
"""

from __future__ import annotations

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


def optimize(code: Code) -> Code:
    """Optimize `code` and every Code nested in its constants, in place."""
    for c in code.consts:
        if isinstance(c, Code):
            optimize(c)
    index = _ConstIndex(code)
    for _ in range(10):
        changed = _fold(code, index) | _peephole(code) | _thread(code) | _dead(code)
        changed |= _compact(code)
        if not changed:
            break
    return code


def _targets(code: Code) -> set[int]:
    return {arg for op, arg in code.ops if op in JUMPS}


def _nop(code: Code, i: int) -> None:
    code.ops[i] = (Op.NOP, 0)


class _ConstIndex:
    """Where each constant of a code object is, keyed by bytecode.const_key (same type,
    same bits: folding `-0.0` must not reuse `0.0`), so a fold finds or adds its result
    in constant time."""

    def __init__(self, code: Code) -> None:
        self.consts = code.consts
        self.where: dict[Any, int] = {}
        for i, c in enumerate(code.consts):
            key = const_key(c)
            if key is not None:
                self.where.setdefault(key, i)

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


def _fold(code: Code, const_index: _ConstIndex) -> bool:
    ops = code.ops
    targets = _targets(code)
    changed = False
    i = 0
    while i < len(ops) - 1:
        op0, a0 = ops[i]
        if op0 != Op.LOAD_CONST:
            i += 1
            continue
        x = code.consts[a0]
        op1, a1 = ops[i + 1]
        if op1 in (Op.NEG, Op.NOT) and i + 1 not in targets and type(x) in _SCALARS:
            r = _try(I.neg, x) if op1 == Op.NEG else _try(lambda v: not truthy(v), x)
            if r is not _FAIL:
                ops[i] = (Op.LOAD_CONST, const_index(r))
                _nop(code, i + 1)
                changed = True
                continue
        if op1 == Op.LOAD_CONST and i + 2 < len(ops) and i + 1 not in targets and i + 2 not in targets:
            op2, _ = ops[i + 2]
            fn = _FOLD_BINARY.get(op2)  # type: ignore[call-overload]
            y = code.consts[a1]
            if fn is not None and type(x) in _SCALARS and type(y) in _SCALARS \
                    and _fold_size(op2, x, y) <= _MAX_FOLDED_STR:
                r = _try(fn, x, y)
                if r is not _FAIL and type(r) in _SCALARS:
                    ops[i] = (Op.LOAD_CONST, const_index(r))
                    _nop(code, i + 1)
                    _nop(code, i + 2)
                    changed = True
                    continue
        i += 1
    return changed


_FAIL: Final = object()


def _try(f: Any, *args: Any) -> Any:
    try:
        return f(*args)
    except (AxiomError, ArithmeticError, ValueError, TypeError):
        return _FAIL


def _peephole(code: Code) -> bool:
    ops = code.ops
    targets = _targets(code)
    changed = False
    for i in range(len(ops) - 1):
        op, arg = ops[i]
        nxt, narg = ops[i + 1]
        if i + 1 in targets:
            continue
        if op == Op.LOAD_CONST and nxt == Op.POP:
            _nop(code, i)
            _nop(code, i + 1)
            changed = True
        elif op == Op.NOT and nxt in (Op.JUMP_IF_FALSE, Op.JUMP_IF_TRUE):
            _nop(code, i)
            ops[i + 1] = (Op.JUMP_IF_TRUE if nxt == Op.JUMP_IF_FALSE else Op.JUMP_IF_FALSE, narg)
            changed = True
        elif op == Op.LOAD_CONST and nxt in (Op.JUMP_IF_FALSE, Op.JUMP_IF_TRUE) \
                and type(code.consts[arg]) in _SCALARS:
            jumps = truthy(code.consts[arg]) == (nxt == Op.JUMP_IF_TRUE)
            _nop(code, i)
            ops[i + 1] = (Op.JUMP, narg) if jumps else (Op.NOP, 0)
            changed = True
    for i, (op, arg) in enumerate(ops):
        if op == Op.JUMP and arg == i + 1:
            _nop(code, i)
            changed = True
    return changed


def _thread(code: Code) -> bool:
    """Retarget jumps that land on a forward JUMP to where it goes. A backward JUMP (a
    loop's back edge or `continue`) is never jumped through: a `break` stays a jump to
    its loop's end, so loops keep one exit and the JIT tiers can rebuild them."""
    ops = code.ops
    changed = False
    for i, (op, arg) in enumerate(ops):
        if op not in (Op.JUMP, Op.JUMP_IF_FALSE, Op.JUMP_IF_TRUE):
            continue
        target = arg
        seen = set()
        while target < len(ops) and target not in seen:
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


def _dead(code: Code) -> bool:
    """NOP out what no path reaches, except the final RETURN or HALT: code always ends
    with one (.axc requires it, and compiled code that ran a frame to its end finishes
    there)."""
    ops = code.ops
    n = len(ops)
    live = [False] * n
    work = [0, n - 1]
    while work:
        i = work.pop()
        while 0 <= i < n and not live[i]:
            live[i] = True
            op, arg = ops[i]
            if op in JUMPS:
                work.append(arg)
            if op in _ENDS:
                break
            i += 1
    changed = False
    for i in range(n):
        if not live[i] and ops[i][0] != Op.NOP:
            _nop(code, i)
            changed = True
    return changed


def _compact(code: Code) -> bool:
    """Drop NOPs, remapping jump targets and the line table."""
    ops = code.ops
    if not any(op == Op.NOP for op, _ in ops):
        return False
    new_index = []
    j = 0
    for op, _ in ops:
        new_index.append(j)
        if op != Op.NOP:
            j += 1
    new_index.append(j)
    new_ops, new_lines = [], []
    for i, (op, arg) in enumerate(ops):
        if op == Op.NOP:
            continue
        if op in JUMPS:
            arg = new_index[arg]
        new_ops.append((op, arg))
        new_lines.append(code.lines[i])
    if not new_ops or new_ops[-1][0] not in (Op.RETURN, Op.HALT):
        return False  # keep the code well-formed (it always ends in RETURN/HALT)
    code.ops = new_ops
    code.lines = new_lines
    n = len(ops)
    code.slot_ranges = tuple((new_index[min(a, n)], new_index[min(b, n)]) for a, b in code.slot_ranges)
    return True
