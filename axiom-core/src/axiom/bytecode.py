"""Bytecode: the instruction set, code objects and the disassembler.

Pipeline position: produced by compiler.py, rewritten by optimizer.py, stored by axc.py,
run by vm.py. Imports nothing of Axiom's but the SDK-free parts of ast (none, in fact).

Encoding. A code object's `ops` is a list of (opcode, argument) pairs of ints; `ip`
counts pairs. The argument is an index into `consts`, a slot, a count, a jump target
(an absolute instruction index) or 0. `lines[i]` is (line, col, end_col) for
instruction i, so any instruction maps to file:line:col.

    op                 arg        stack effect            meaning
    NOP                -          ->
    LOAD_CONST         const      -> v                    consts[arg]
    LOAD_VAR           slot       -> v                    a local (UndefinedVariable if unset)
    STORE_VAR          slot       v ->                    set a local
    LOAD_GLOBAL        const      -> v                    a global named consts[arg], else a built-in
    STORE_GLOBAL       const      v ->
    LOAD_CELL          slot       -> v                    a captured local: slots[arg].value
    STORE_CELL         slot       v ->
    LOAD_FREE          index      -> v                    closure.cells[arg].value
    STORE_FREE         index      v ->
    ADD SUB MUL DIV MOD -         a b -> a?b              arithmetic (+ also joins str/list)
    EQ NE LT LE GT GE  -          a b -> bool             comparisons
    IN                 -          a b -> bool             membership of a in b
    JUMP               target     ->
    JUMP_IF_FALSE      target     v ->                    pops; jumps when falsy
    JUMP_IF_TRUE       target     v ->
    JUMP_IF_FALSE_OR_POP target   v -> v | ->             `and`: keep v and jump when falsy
    JUMP_IF_TRUE_OR_POP  target   v -> v | ->             `or`
    CALL               argc       f a1..an -> r
    CALL_KW            const      f a1..an k1..km -> r    consts[arg] = (argc, keyword names)
    TAIL_CALL          argc       f a1..an -> (returns)   reuses the frame for a closure
    TAIL_CALL_KW       const
    RETURN             -          v -> (to the caller)
    POP                -          v ->
    DUP                -          v -> v v
    DUP2               -          a b -> a b a b
    GET_ATTR           const      obj -> v                consts[arg] is the name
    SET_ATTR           const      obj v ->
    METHOD_CALL        const      obj a1..an [k..] -> r   consts[arg] = (name, argc, names|None)
    INDEX              -          obj i -> v
    SET_INDEX          -          obj i v ->
    FOR_ITER           target     it -> it v | ->         next item, or pop and jump at the end
    NEG NOT            -          a -> r
    RENDER             -          v -> str                the display form (`@`)
    FORMAT             const      v -> str                format(v, consts[arg])
    BUILD_STR          n          s1..sn -> s
    MAKE_LIST          n          v1..vn -> list
    LIST_REPEAT        -          v n -> list             [v; n]
    MAKE_DICT          n          k1 v1..kn vn -> dict
    MAKE_RANGE         inclusive  a b -> range
    SLICE              flags      obj [lo] [hi] -> v      flags: 1 lo given, 2 hi given
    MAKE_CLOSURE       const      -> closure              consts[arg] is a Code
    NEW_CELL           slot       ->                      slots[arg] = a fresh unset Cell
    CELL_PARAM         slot       ->                      slots[arg] = Cell(slots[arg])
    IS_UNSET           slot       -> bool                 whether a parameter was not passed
    MAKE_CLASS         const      parent -> class         consts[arg] is the name
    ADD_METHOD         const      class fn -> class
    SUPER_GET          const      class self -> method    the parent's method consts[arg]
    GET_ITER           -          v -> iterator
    UNPACK             n          list -> vn..v1          v1 on top (ValueError on length)
    SETUP_TRY          target     ->                      push a handler (ip, stack depth)
    POP_TRY            -          ->
    THROW              -          v -> !
    IMPORT             const      -> module               consts[arg] is the module name
    IMPORT_FROM        const      module -> module v      the module's symbol consts[arg]
    OUT                stream     v ->                    0 stdout, 1 stderr
    ALLOC_FIXED        const      v -> v                  check/convert for `let x(spec)`
    CHECK_FIXED        const      v -> v                  the same check on a later store
    FREE_VAR           slot       ->                      `free x`: unset a local
    FREE_GLOBAL        const      ->
    HALT               -          v -> (ends the run with v)
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; annotations here are strings
    from typing import Any, Final


class Op:
    """The opcodes, as plain ints (not an IntEnum: importing enum and building 71
    members costs ~2.5 ms of a ~15 ms start-up; `op_name` gives the names back).

    The hot instructions come first: the VM tests `op <= LAST_HOT` and then walks a
    short chain, so their order here is their order there."""

    LOAD_VAR: Final = 0
    LOAD_CONST: Final = 1
    STORE_VAR: Final = 2
    LOAD_GLOBAL: Final = 3
    ADD: Final = 4
    SUB: Final = 5
    LT: Final = 6
    LE: Final = 7
    EQ: Final = 8
    JUMP_IF_FALSE: Final = 9
    JUMP: Final = 10
    CALL: Final = 11
    RETURN: Final = 12
    TAIL_CALL: Final = 13
    GT: Final = 14
    GE: Final = 15
    NE: Final = 16
    MUL: Final = 17
    LOAD_CELL: Final = 18
    LOAD_FREE: Final = 19
    POP: Final = 20
    METHOD_CALL: Final = 21
    GET_ATTR: Final = 22
    INDEX: Final = 23
    FOR_ITER: Final = 24
    JUMP_IF_TRUE: Final = 25
    DIV: Final = 26
    MOD: Final = 27
    STORE_CELL: Final = 28
    STORE_FREE: Final = 29
    # --- the rest
    NOP: Final = 30
    STORE_GLOBAL: Final = 31
    IN: Final = 32
    JUMP_IF_FALSE_OR_POP: Final = 33
    JUMP_IF_TRUE_OR_POP: Final = 34
    CALL_KW: Final = 35
    TAIL_CALL_KW: Final = 36
    DUP: Final = 37
    DUP2: Final = 38
    SET_ATTR: Final = 39
    SET_INDEX: Final = 40
    NEG: Final = 41
    NOT: Final = 42
    RENDER: Final = 43
    FORMAT: Final = 44
    BUILD_STR: Final = 45
    MAKE_LIST: Final = 46
    LIST_REPEAT: Final = 47
    MAKE_DICT: Final = 48
    MAKE_RANGE: Final = 49
    SLICE: Final = 50
    MAKE_CLOSURE: Final = 51
    NEW_CELL: Final = 52
    CELL_PARAM: Final = 53
    IS_UNSET: Final = 54
    MAKE_CLASS: Final = 55
    ADD_METHOD: Final = 56
    SUPER_GET: Final = 57
    GET_ITER: Final = 58
    UNPACK: Final = 59
    SETUP_TRY: Final = 60
    POP_TRY: Final = 61
    THROW: Final = 62
    IMPORT: Final = 63
    IMPORT_FROM: Final = 64
    OUT: Final = 65
    ALLOC_FIXED: Final = 66
    CHECK_FIXED: Final = 67
    FREE_VAR: Final = 68
    FREE_GLOBAL: Final = 69
    HALT: Final = 70


LAST_HOT: Final = Op.STORE_FREE

# --- the table: what each opcode's operand is and what it does to the stack ----------------
# Everything that needs an opcode's meaning reads it here: the compiler (stack depths), the
# optimizer (jumps), .axc validation (operand ranges), the disassembler and the JIT tiers.

# Operand kinds.
NONE: Final = "none"        # no operand (0)
CONST: Final = "const"      # an index into consts
SLOT: Final = "slot"        # a local slot
FREE: Final = "free"        # an index into the closure's cells
COUNT: Final = "count"      # a count of stack items (meaning per opcode)
TARGET: Final = "target"    # an absolute instruction index
FLAG: Final = "flag"        # a small flag field (OUT's stream, SLICE's bounds, ...)


class OpInfo:
    """One opcode: `name`; `operand` (a kind above); `effect`, the stack change when it
    falls through (None when it depends on the operand: see stack_effect); `jump_effect`,
    the stack change on the path to its target (jumps only); `generic`, the intrinsics
    function that does the work for operands of any type (the VM's slow paths and a JIT's
    generic code call it), or "" when the op is not a single intrinsic call."""

    __slots__ = ("name", "operand", "effect", "jump_effect", "generic")

    def __init__(self, name: str, operand: str, effect: int | None, jump_effect: int | None,
                 generic: str) -> None:
        self.name = name
        self.operand = operand
        self.effect = effect
        self.jump_effect = jump_effect
        self.generic = generic


def _table() -> dict[int, OpInfo]:
    rows: list[tuple[Any, ...]] = [
        # opcode              operand  effect  jump effect, generic intrinsic
        (Op.NOP, NONE, 0),
        (Op.LOAD_CONST, CONST, 1),
        (Op.LOAD_VAR, SLOT, 1),
        (Op.STORE_VAR, SLOT, -1),
        (Op.LOAD_GLOBAL, CONST, 1),
        (Op.STORE_GLOBAL, CONST, -1),
        (Op.LOAD_CELL, SLOT, 1),
        (Op.STORE_CELL, SLOT, -1),
        (Op.LOAD_FREE, FREE, 1),
        (Op.STORE_FREE, FREE, -1),
        (Op.ADD, NONE, -1, None, "add"),
        (Op.SUB, NONE, -1, None, "sub"),
        (Op.MUL, NONE, -1, None, "mul"),
        (Op.DIV, NONE, -1, None, "div"),
        (Op.MOD, NONE, -1, None, "mod"),
        (Op.EQ, NONE, -1, None, "eq"),
        (Op.NE, NONE, -1, None, "ne"),
        (Op.LT, NONE, -1, None, "lt"),
        (Op.LE, NONE, -1, None, "le"),
        (Op.GT, NONE, -1, None, "gt"),
        (Op.GE, NONE, -1, None, "ge"),
        (Op.IN, NONE, -1, None, "contains"),
        (Op.JUMP, TARGET, 0, 0),
        (Op.JUMP_IF_FALSE, TARGET, -1, -1),
        (Op.JUMP_IF_TRUE, TARGET, -1, -1),
        (Op.JUMP_IF_FALSE_OR_POP, TARGET, -1, 0),
        (Op.JUMP_IF_TRUE_OR_POP, TARGET, -1, 0),
        (Op.CALL, COUNT, None),
        (Op.CALL_KW, CONST, None),
        (Op.TAIL_CALL, COUNT, None),
        (Op.TAIL_CALL_KW, CONST, None),
        (Op.RETURN, NONE, -1),
        (Op.POP, NONE, -1),
        (Op.DUP, NONE, 1),
        (Op.DUP2, NONE, 2),
        (Op.GET_ATTR, CONST, 0),
        (Op.SET_ATTR, CONST, -2),
        (Op.METHOD_CALL, CONST, None),
        (Op.INDEX, NONE, -1, None, "index"),
        (Op.SET_INDEX, NONE, -3, None, "set_index"),
        (Op.FOR_ITER, TARGET, 1, -1),
        (Op.NEG, NONE, 0, None, "neg"),
        (Op.NOT, NONE, 0),
        (Op.RENDER, NONE, 0),
        (Op.FORMAT, CONST, 0, None, "format_value"),
        (Op.BUILD_STR, COUNT, None),
        (Op.MAKE_LIST, COUNT, None),
        (Op.LIST_REPEAT, NONE, -1, None, "list_repeat"),
        (Op.MAKE_DICT, COUNT, None),
        (Op.MAKE_RANGE, FLAG, -1),
        (Op.SLICE, FLAG, None),
        (Op.MAKE_CLOSURE, CONST, 1),
        (Op.NEW_CELL, SLOT, 0),
        (Op.CELL_PARAM, SLOT, 0),
        (Op.IS_UNSET, SLOT, 1),
        (Op.MAKE_CLASS, CONST, 0),
        (Op.ADD_METHOD, CONST, -1),
        (Op.SUPER_GET, CONST, -1, None, "super_get"),
        (Op.GET_ITER, NONE, 0, None, "iterate"),
        (Op.UNPACK, COUNT, None),
        (Op.SETUP_TRY, TARGET, 0, 1),
        (Op.POP_TRY, NONE, 0),
        (Op.THROW, NONE, -1),
        (Op.IMPORT, CONST, 1),
        (Op.IMPORT_FROM, CONST, 1),
        (Op.OUT, FLAG, -1),
        (Op.ALLOC_FIXED, CONST, 0),
        (Op.CHECK_FIXED, CONST, 0),
        (Op.FREE_VAR, SLOT, 0),
        (Op.FREE_GLOBAL, CONST, 0),
        (Op.HALT, NONE, -1),
    ]
    names = {v: k for k, v in vars(Op).items() if k.isupper()}
    table = {}
    for op, operand, effect, *rest in rows:
        jump = rest[0] if rest else None
        generic = rest[1] if len(rest) > 1 else ""
        table[op] = OpInfo(names[op], operand, effect, jump, generic)
    if len(table) != len(names):
        raise AssertionError("every opcode needs a row in the table")
    return table


INFO: Final[dict[int, OpInfo]] = _table()
OP_NAMES: Final = {op: info.name for op, info in INFO.items()}
JUMPS: Final = frozenset(op for op, info in INFO.items() if info.operand == TARGET)
CONST_ARG: Final = frozenset(op for op, info in INFO.items() if info.operand == CONST)
SLOT_ARG: Final = frozenset(op for op, info in INFO.items() if info.operand == SLOT)
NO_ARG: Final = frozenset(op for op, info in INFO.items() if info.operand == NONE)


# The types a fixed allocation may name (`let x(f64) = ...`): ALLOC_FIXED's constant is
# ("cap", capacity, name) or ("type", one of these, name).
FIXED_TYPES: Final = frozenset({"int", "i64", "float", "f64", "str", "bool", "list", "dict", "set",
                                "any"})


def op_name(op: int) -> str:
    return OP_NAMES.get(op, f"<op {op}>")


def stack_effect(op: int, arg: int, consts: list[Any]) -> int:
    """The stack change of `op arg` when it falls through to the next instruction."""
    effect = INFO[op].effect
    if effect is not None:
        return effect
    if op == Op.CALL or op == Op.TAIL_CALL:
        return -arg  # f a1..an -> r
    if op == Op.CALL_KW or op == Op.TAIL_CALL_KW:
        argc, names = consts[arg]
        return -(argc + len(names))
    if op == Op.METHOD_CALL:
        _, argc, names = consts[arg]
        return -(argc + (len(names) if names else 0))
    if op == Op.BUILD_STR or op == Op.MAKE_LIST:
        return 1 - arg
    if op == Op.MAKE_DICT:
        return 1 - 2 * arg
    if op == Op.UNPACK:
        return arg - 1
    if op == Op.SLICE:
        return -(arg & 1) - (arg >> 1)
    raise AssertionError(f"no stack effect for {op_name(op)}")


class _Never:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<never compiled>"


NEVER: Final = _Never()  # Code.jit when a JIT tier gave up on the code


def const_key(value: Any) -> Any:
    """The identity of a constant for deduplication: the same type and the same bits.
    `0.0` and `-0.0` differ (they print differently) and a NaN equals itself, which
    keying by `==` gets wrong both ways; `1`, `1.0` and `true` stay apart. None for a
    value that is never shared (code objects)."""
    t = type(value)
    if t is float:
        return (float, value.hex())
    if t is tuple:
        parts = tuple(const_key(v) for v in value)
        return None if None in parts else (tuple, parts)
    if value is None or t is int or t is str or t is bool:
        return (t, value)
    return None


class Code:
    """A compiled function or program.

    name        -- the function's name ("main" for a program, "<fn>" if anonymous)
    filename    -- the source file, for positions
    ops         -- list of (opcode, arg) pairs
    consts      -- constants: values, names, nested Codes, call shapes
    lines       -- per instruction: (line, col, end_col)
    nparams     -- number of parameters (the first slots)
    min_args    -- parameters without defaults
    param_names -- parameter names, for keyword arguments and messages
    nslots      -- locals (parameters first)
    slot_names  -- a name per slot ("<...>" for hidden ones), for error reports
    slot_ranges -- per slot, the instructions [start, end) where its variable is in scope
    free_names  -- the names of the captured variables, by free index
    captures    -- how a closure made from this code gets each free cell from the frame
                   that makes it: (True, slot) a cell in that frame's slot, (False, i)
                   that frame's own free cell i
    anonymous   -- made by `fn(...)` or `|...|` rather than `fn name`
    hot         -- calls and loop back edges counted by tier 0 while a JIT is on
    jit         -- the compiled entry a JIT tier made for this code (called with the
                   closure's cells and the arguments), NEVER when it will not compile, or
                   None (run by tier 0)
    osr         -- loop header ip -> a compiled entry that continues a running tier-0
                   frame at that loop (on-stack replacement), or NEVER
    """

    __slots__ = ("name", "filename", "ops", "consts", "lines", "nparams", "min_args",
                 "param_names", "nslots", "slot_names", "slot_ranges", "captures", "free_names",
                 "anonymous", "hot", "jit", "osr")

    def __init__(self, name: str, filename: str) -> None:
        self.name = name
        self.filename = filename
        self.ops: list[tuple[int, int]] = []
        self.consts: list[Any] = []
        self.lines: list[tuple[int, int, int]] = []
        self.nparams = 0
        self.min_args = 0
        self.param_names: tuple[str, ...] = ()
        self.nslots = 0
        self.slot_names: tuple[str, ...] = ()
        self.slot_ranges: tuple[tuple[int, int], ...] = ()
        self.captures: tuple[tuple[bool, int], ...] = ()
        self.free_names: tuple[str, ...] = ()
        self.anonymous = False
        self.hot = 0
        self.jit: Any = None
        self.osr: dict[int, Any] | None = None

    def __repr__(self) -> str:
        return f"<code {self.name} {self.filename}>"


def _show_const(v: Any) -> str:
    """A constant as the disassembly shows it: names and strs as they are, nested code
    as <code name>, other values in their display form."""
    if isinstance(v, Code):
        return f"<code {v.name}>"
    if isinstance(v, str):
        return v
    if v is None:
        return "nil"
    if isinstance(v, bool):
        return "true" if v else "false"
    return repr(v)


def disassemble(code: Code, out: list[str] | None = None) -> list[str]:
    """clox-style listing: offset, line (or `|` when unchanged), name, operand, detail.
    Nested code objects follow their parent."""
    lines = out if out is not None else []
    lines.append(f"== {code.name} ({code.filename}) ==")
    prev_line = -1
    nested = []
    for i, (op, arg) in enumerate(code.ops):
        line = code.lines[i][0] if i < len(code.lines) else 0
        where = "   |" if line == prev_line else f"{line:4d}"
        prev_line = line
        name = op_name(op)
        if op in NO_ARG:
            lines.append(f"{i:04d} {where} {name}")
            continue
        detail = ""
        if op in JUMPS:
            detail = f" -> {arg:04d}"
        elif op in CONST_ARG:
            c = code.consts[arg]
            detail = f" '{_show_const(c)}'"
            if isinstance(c, Code):
                nested.append(c)
        elif op in SLOT_ARG and arg < len(code.slot_names):
            detail = f" ({code.slot_names[arg]})"
        lines.append(f"{i:04d} {where} {name:<20} {arg:4d}{detail}".rstrip())
    for c in nested:
        lines.append("")
        disassemble(c, lines)
    return lines
