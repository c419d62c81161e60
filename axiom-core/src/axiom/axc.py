"""The compiled-file format (.axc): Code objects as plain data.

Pipeline position: between the optimizer and the VM; used by runtime.py for the
`__axcache__/` cache and by `axiom build`. Imports bytecode only.

Layout (little-endian):

    magic      b"AXC\\x00"
    format     u16        FORMAT_VERSION
    flags      u16        bit 0: optimized
    core       str        the axiom-core version that wrote it
    hash       16 bytes   blake2b of the source text (UTF-8)
    code       value      the main Code

    value:  b"N" nil | b"T" | b"F" | b"I" i64 | b"D" f64 | b"S" u32 len + UTF-8
            | b"U" u32 n + n values (a tuple) | b"C" code
    code:   name, filename (S), nparams, min_args, nslots (u32), anonymous (u8),
            param_names, slot_names (u32 n + n S), slot_ranges (nslots*(u32, u32)),
            free_names, captures (u32 n + n*(u8, u32)),
            ops (u32 n + n*(u8 op, u32 arg)), lines (n*(u32, u32, u32)), consts (U)

Reading never runs code, and any malformed input raises AxcError (never a crash):
a stale, truncated or foreign file is simply rebuilt by the caller.
"""

from __future__ import annotations

import sys

from . import bytecode as B
from .bytecode import Code, Op

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; annotations here are strings
    from typing import Any, Final

MAGIC: Final = b"AXC\x00"
FORMAT_VERSION: Final = 4


class AxcError(Exception):
    """The bytes are not a valid .axc for this Axiom."""


def source_hash(text: str) -> bytes:
    """16 bytes that change when the source does: CPython's own source hash for hash-based
    .pyc files (SipHash, built in) under two keys. Not hashlib or _blake2: the extension
    module costs every run's start-up more than the hashing."""
    data = text.encode("utf-8", "surrogatepass")
    try:
        import _imp
        return _imp.source_hash(0x41584301, data) + _imp.source_hash(0x41584302, data)
    except (ImportError, AttributeError):  # an interpreter without it
        import _blake2
        return _blake2.blake2b(data, digest_size=16).digest()


# Arrays of u32 and doubles are read as memoryview casts where the machine is
# little-endian with 4-byte C ints (every platform Axiom runs on); struct otherwise
_CASTS: Final = sys.byteorder == "little" and memoryview(bytes(4)).cast("I").itemsize == 4

_pack: Any = None  # struct.pack, imported by dumps: a run that only reads never needs it


# --- writing -------------------------------------------------------------------------------

def dumps(code: Code, src_hash: bytes, core_version: str, optimized: bool) -> bytes:
    global _pack
    from struct import pack as _pack
    out = bytearray(MAGIC)
    out += _pack("<HH", FORMAT_VERSION, 1 if optimized else 0)
    _w_str(out, core_version)
    out += src_hash
    _w_code(out, code)
    return bytes(out)


def _w_str(out: bytearray, s: str) -> None:
    b = s.encode("utf-8", "surrogatepass")
    out += _pack("<I", len(b))
    out += b


def _w_value(out: bytearray, v: Any) -> None:
    t = type(v)
    if v is None:
        out += b"N"
    elif v is True:
        out += b"T"
    elif v is False:
        out += b"F"
    elif t is int:
        out += b"I"
        out += _pack("<q", v)
    elif t is float:
        out += b"D"
        out += _pack("<d", v)
    elif t is str:
        out += b"S"
        _w_str(out, v)
    elif t is tuple:
        out += b"U"
        out += _pack("<I", len(v))
        for x in v:
            _w_value(out, x)
    elif t is Code:
        out += b"C"
        _w_code(out, v)
    else:
        raise TypeError(f"cannot store a constant of type {t.__name__} in .axc")


def _w_strs(out: bytearray, items: tuple[str, ...]) -> None:
    out += _pack("<I", len(items))
    for s in items:
        _w_str(out, s)


def _w_code(out: bytearray, c: Code) -> None:
    _w_str(out, c.name)
    _w_str(out, c.filename)
    out += _pack("<IIIB", c.nparams, c.min_args, c.nslots, 1 if c.anonymous else 0)
    _w_strs(out, c.param_names)
    _w_strs(out, c.slot_names)
    out += _pack(f"<{2 * len(c.slot_ranges)}I", *[x for r in c.slot_ranges for x in r])
    _w_strs(out, c.free_names)
    out += _pack("<I", len(c.captures))
    for from_slot, i in c.captures:
        out += _pack("<BI", 1 if from_slot else 0, i)
    n = len(c.ops)
    out += _pack("<I", n)
    out += _pack(f"<{2 * n}I", *[x for pair in c.ops for x in pair])
    out += _pack(f"<{3 * n}I", *[x for triple in c.lines for x in triple])
    out += b"U"
    out += _pack("<I", len(c.consts))
    for v in c.consts:
        _w_value(out, v)


# --- reading -------------------------------------------------------------------------------

class _Reader:
    __slots__ = ("data", "pos", "filename")

    def __init__(self, data: bytes, filename: str | None) -> None:
        self.data = data
        self.pos = 0
        self.filename = filename

    def take(self, n: int) -> bytes:
        end = self.pos + n
        if n < 0 or end > len(self.data):
            raise AxcError("truncated")
        b = self.data[self.pos:end]
        self.pos = end
        return b

    def u32(self) -> int:
        return int.from_bytes(self.take(4), "little")

    def u32s(self, n: int) -> list[int]:
        b = self.take(4 * n)
        if _CASTS:
            return memoryview(b).cast("I").tolist()
        import struct
        return list(struct.unpack(f"<{n}I", b))

    def string(self) -> str:
        n = self.u32()
        try:
            return self.take(n).decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            raise AxcError("bad text") from None

    def strings(self) -> tuple[str, ...]:
        n = self.u32()
        if n > len(self.data):
            raise AxcError("bad count")
        return tuple(self.string() for _ in range(n))

    def value(self, depth: int = 0) -> Any:
        if depth > 256:
            raise AxcError("nested too deeply")
        tag = self.take(1)
        if tag == b"N":
            return None
        if tag == b"T":
            return True
        if tag == b"F":
            return False
        if tag == b"I":
            return int.from_bytes(self.take(8), "little", signed=True)
        if tag == b"D":
            b = self.take(8)
            if _CASTS:
                return memoryview(b).cast("d")[0]
            import struct
            return struct.unpack("<d", b)[0]
        if tag == b"S":
            return self.string()
        if tag == b"U":
            n = self.u32()
            if n > len(self.data):
                raise AxcError("bad count")
            return tuple(self.value(depth + 1) for _ in range(n))
        if tag == b"C":
            return self.code(depth + 1)
        raise AxcError(f"bad tag {tag!r}")

    def code(self, depth: int = 0) -> Code:
        name = self.string()
        filename = self.string()
        c = Code(name, self.filename if self.filename is not None else filename)
        c.nparams, c.min_args, c.nslots = self.u32s(3)
        c.anonymous = bool(self.take(1)[0])
        c.param_names = self.strings()
        c.slot_names = self.strings()
        if len(c.slot_names) > len(self.data):
            raise AxcError("bad count")
        flat = self.u32s(2 * len(c.slot_names))
        c.slot_ranges = tuple((flat[i], flat[i + 1]) for i in range(0, len(flat), 2))
        c.free_names = self.strings()
        n = self.u32()
        if n > len(self.data):
            raise AxcError("bad count")
        c.captures = tuple((bool(self.take(1)[0]), self.u32()) for _ in range(n))
        n = self.u32()
        if n > len(self.data):
            raise AxcError("bad count")
        flat = self.u32s(2 * n)
        c.ops = [(flat[i], flat[i + 1]) for i in range(0, 2 * n, 2)]
        flat = self.u32s(3 * n)
        c.lines = [(flat[i], flat[i + 1], flat[i + 2]) for i in range(0, 3 * n, 3)]
        consts = self.value(depth)
        if type(consts) is not tuple:
            raise AxcError("bad constants")
        c.consts = list(consts)
        _validate(c)
        return c


def _validate(c: Code) -> None:
    """Reject code the VM could misbehave on: unknown opcodes, operands out of range for
    their kind (bytecode.INFO), constants of the wrong shape for the op that reads them."""
    nops, nconsts = len(c.ops), len(c.consts)
    if c.nslots < c.nparams or len(c.slot_names) != c.nslots or len(c.param_names) != c.nparams:
        raise AxcError("bad slots")
    if not nops or c.ops[-1][0] not in (Op.RETURN, Op.HALT):
        raise AxcError("code does not end")
    limits = {B.TARGET: nops + 1, B.CONST: nconsts, B.SLOT: c.nslots, B.FREE: len(c.free_names)}
    for op, arg in c.ops:
        info = B.INFO.get(op)
        if info is None:
            raise AxcError(f"bad opcode {op}")
        limit = limits.get(info.operand)
        if limit is not None and arg >= limit:
            raise AxcError(f"bad operand {arg} for {info.name}")
        if info.operand == B.CONST and not _const_fits(op, c.consts[arg]):
            raise AxcError(f"bad constant for {info.name}")


def _const_fits(op: int, v: Any) -> bool:
    """Whether constant `v` has the shape `op` reads (the compiler's shapes)."""
    if op == Op.LOAD_CONST:
        return type(v) is not Code
    if op == Op.MAKE_CLOSURE:
        return type(v) is Code
    if op in (Op.CALL_KW, Op.TAIL_CALL_KW):
        return (type(v) is tuple and len(v) == 2 and type(v[0]) is int and type(v[1]) is tuple
                and all(type(x) is str for x in v[1]))
    if op == Op.METHOD_CALL:
        return (type(v) is tuple and len(v) == 3 and type(v[0]) is str and type(v[1]) is int
                and (v[2] is None or (type(v[2]) is tuple and all(type(x) is str for x in v[2]))))
    if op in (Op.ALLOC_FIXED, Op.CHECK_FIXED):
        return (type(v) is tuple and len(v) == 3 and v[0] in ("cap", "type") and type(v[2]) is str
                and (type(v[1]) is int if v[0] == "cap" else v[1] in B.FIXED_TYPES))
    return type(v) is str  # names, attribute names, format specs, module names


def read_header(data: bytes) -> tuple[int, int, str, bytes, _Reader]:
    r = _Reader(data, None)
    if r.take(4) != MAGIC:
        raise AxcError("not an Axiom compiled file")
    fmt = int.from_bytes(r.take(2), "little")
    flags = int.from_bytes(r.take(2), "little")
    core = r.string()
    h = r.take(16)
    return fmt, flags, core, h, r


def loads(data: bytes, *, core_version: str, src_hash: bytes | None = None,
          optimized: bool | None = None, filename: str | None = None) -> Code:
    """The main Code in `data`; AxcError when it is foreign, stale or corrupt."""
    try:
        fmt, flags, core, h, r = read_header(data)
        if fmt != FORMAT_VERSION:
            raise AxcError(f"format {fmt}, this Axiom reads format {FORMAT_VERSION}")
        if core != core_version:
            raise AxcError(f"written by axiom-core {core}, this is {core_version}")
        if src_hash is not None and h != src_hash:
            raise AxcError("the source has changed")
        if optimized is not None and bool(flags & 1) != optimized:
            raise AxcError("built with other optimizer settings")
        r.filename = filename
        code = r.code()
        if r.pos != len(data):
            raise AxcError("trailing data")
        return code
    except AxcError:
        raise
    except (ValueError, OverflowError, MemoryError, RecursionError) as e:
        raise AxcError(f"corrupt ({type(e).__name__})") from None
