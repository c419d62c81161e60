"""Shipping: Axiom values as bytes for another process, and back (never pickle).

Pipeline position: beside the VM; used by runtime.py (the SDK's `ship`/`unship` hooks)
and workers.py. Imports axc, bytecode, prelude and the VM's value types. Must not import
the runtime or the CLI.

A function goes as its Code, written with axc.dumps and read back with axc.loads, which
validates every instruction (bytecode only: reading never runs code), plus what it needs:
the values of its captured cells, and the globals its code (and the code nested in it)
names, each shipped the same way, so the functions it calls go with it, transitively.
Installed modules and built-ins go by name and are imported where the bytes are read
(lazily: only the modules the shipped code names). A foreign value goes only when its
module declared a `transfer` pair (a data format such as Arrow IPC or .npy); anything else
(a lock, a channel, an open file, a host's Python function) is a TypeError naming it.

The receiver gets fresh copies: a shipped function's globals live in a namespace of their
own, so a function that changes a captured variable or a global changes its copy only.

Encoding: a stream of tagged values, little-endian. Lists, dicts, sets, cells, closures,
classes, instances and namespaces are numbered in the order they are first written and
referred to again by number (b"P" u32), so shared and cyclic data keep their shape.
After the root value come the globals the namespaces need: u32 n, then n times
(namespace number, name, value).

    N nil   T true   F false   I i64   J big int (str)   D f64   S str
    L list  B bounded list (capacity first)  M dict  E set  R range  C code (axc bytes)
    Q closure (code, cells, namespace)  Z cell (value, or U unset)  G namespace
    K class (name, parent, methods)  O instance (class, fields)  W bound method
    X built-in by name   Y module export (module, name)   H installed module by name
    A foreign (module, type, bytes)   V error (kind, message, span, trace, ...)
"""

from __future__ import annotations

import struct

from axiom_sdk import (
    AxiomError,
    BoundedList,
    BoundMethod,
    Class,
    Export,
    Function,
    Instance,
    Range,
    Set,
)
from axiom_sdk._values import MAX_DATA_DEPTH

from . import __version__, axc
from .bytecode import Code, Op
from .vm import UNSET, Cell, Closure

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; annotations here are strings
    from typing import Any, Final, NoReturn

_ZERO_HASH: Final = bytes(16)
_GLOBAL_OPS: Final = frozenset({Op.LOAD_GLOBAL, Op.STORE_GLOBAL, Op.FREE_GLOBAL})
_ATTR_OPS: Final = frozenset({Op.GET_ATTR, Op.SET_ATTR, Op.IMPORT_FROM})


def _names_of(code: Code, cache: dict[int, tuple[set[str], set[str]]]) -> tuple[set[str], set[str]]:
    """(global names, attribute names) that `code` and the code nested in it use."""
    found = cache.get(id(code))
    if found is not None:
        return found
    globals_: set[str] = set()
    attrs: set[str] = set()
    cache[id(code)] = (globals_, attrs)
    consts = code.consts
    for op, arg in code.ops:
        if op in _GLOBAL_OPS:
            globals_.add(consts[arg])
        elif op in _ATTR_OPS:
            attrs.add(consts[arg])
        elif op == Op.METHOD_CALL:
            attrs.add(consts[arg][0])
    for c in consts:
        if type(c) is Code:
            g, a = _names_of(c, cache)
            globals_ |= g
            attrs |= a
    return globals_, attrs


class _Writer:
    """One `ship` call: the bytes, the numbers given to shared values, and the globals
    each namespace still needs."""

    def __init__(self, runtime: Any, optimized: bool) -> None:
        self.runtime = runtime
        self.optimized = optimized
        self.out = bytearray()
        self.memo: dict[int, int] = {}  # id(value) -> its number
        self.keep: list[Any] = []  # the numbered values, alive while ids are in use
        self.names: dict[int, tuple[set[str], set[str]]] = {}
        self.spaces: dict[int, tuple[Any, set[str], bool]] = {}  # id -> (module, sent, as value)
        self.attrs: set[str] = set()  # attribute names the shipped code reads
        self.pending: list[tuple[int, str, Any, str]] = []
        self.path: list[str] = []

    # -- the stream --------------------------------------------------------------------
    def u32(self, n: int) -> None:
        self.out += struct.pack("<I", n)

    def text(self, s: str) -> None:
        b = s.encode("utf-8", "surrogatepass")
        self.u32(len(b))
        self.out += b

    def blob(self, b: bytes) -> None:
        self.u32(len(b))
        self.out += b

    def number(self, v: Any) -> bool:
        """Write a back-reference when `v` was written already; else number it."""
        n = self.memo.get(id(v))
        if n is not None:
            self.out += b"P"
            self.u32(n)
            return True
        self.memo[id(v)] = len(self.keep)
        self.keep.append(v)
        return False

    # -- values --------------------------------------------------------------------------
    def value(self, v: Any, label: str | None = None) -> None:
        if label is not None:
            self.path.append(label)
        if len(self.path) > MAX_DATA_DEPTH:
            raise AxiomError("ValueError", f"data nested deeper than {MAX_DATA_DEPTH} cannot "
                                           "be sent to another process")
        try:
            self._value(v)
        finally:
            if label is not None:
                self.path.pop()

    def _value(self, v: Any) -> None:
        t = type(v)
        if v is None:
            self.out += b"N"
        elif v is True:
            self.out += b"T"
        elif v is False:
            self.out += b"F"
        elif t is int:
            if -(2**63) <= v < 2**63:
                self.out += b"I" + struct.pack("<q", v)
            else:
                self.out += b"J"
                self.text(str(v))
        elif t is float:
            self.out += b"D" + struct.pack("<d", v)
        elif t is str:
            self.out += b"S"
            self.text(v)
        elif t is list or t is BoundedList:
            if self.number(v):
                return
            if t is BoundedList:
                self.out += b"B"
                self.u32(v.capacity)
            else:
                self.out += b"L"
            self.u32(len(v))
            for i, x in enumerate(v):
                self.value(x, f"[{i}]")
        elif t is dict:
            if self.number(v):
                return
            self.out += b"M"
            self.u32(len(v))
            for k, x in v.items():
                self.value(k, "a key")
                self.value(x, f"[{k!r}]" if type(k) in (str, int) else "a dict value")
        elif t is Set:
            if self.number(v):
                return
            self.out += b"E"
            self.u32(len(v))
            for x in v:
                self.value(x, "a set item")
        elif t is Range:
            self.out += b"R" + struct.pack("<qqqBB", v.start, v.stop, v.step, v.inclusive,
                                           v.explicit)
        elif t is Closure:
            self.closure(v)
        elif t is Cell:
            if self.number(v):
                return
            self.out += b"Z"
            if v.value is UNSET:
                self.out += b"U"
            else:
                self.value(v.value)
        elif t is Class:
            if self.number(v):
                return
            self.out += b"K"
            self.text(v.name)
            self.value(v.parent, f"the parent of class {v.name}")
            self.u32(len(v.methods))
            for name, m in v.methods.items():
                self.text(name)
                self.value(m, f"method {v.name}.{name}")
        elif t is Instance:
            if self.number(v):
                return
            self.out += b"O"
            self.value(v.cls)
            self.u32(len(v.fields))
            for name, x in v.fields.items():
                self.text(name)
                self.value(x, f".{name}")
        elif t is BoundMethod:
            self.out += b"W"
            self.value(v.fn)
            self.value(v.this)
        elif t is Export:
            self.export(v)
        elif isinstance(v, AxiomError):
            self.error(v)
        elif getattr(t, "axiom_type", None) == "module":
            self.module(v)
        else:
            self.foreign(v)

    def closure(self, fn: Closure) -> None:
        if self.number(fn):
            return
        self.out += b"Q"
        self.code(fn.code)
        self.u32(len(fn.cells))
        names = fn.code.free_names
        label = fn.code.name if not fn.code.anonymous else "an anonymous function"
        for i, cell in enumerate(fn.cells):
            var = names[i] if i < len(names) else "?"
            self.value(cell, f"captured variable '{var}' of {label}")
        self.namespace(fn.module, _names_of(fn.code, self.names), label)

    def code(self, code: Code) -> None:
        if self.number(code):
            return
        self.out += b"C"
        self.blob(axc.dumps(code, _ZERO_HASH, __version__, self.optimized))

    def namespace(self, module: Any, names: tuple[set[str], set[str]] | None, label: str) -> None:
        """A script's globals: numbered once; the names the code uses are sent later."""
        if not self.number(module):
            self.out += b"G"
            self.text(module.name)
            self.text(module.filename)
            self.spaces[id(module)] = (module, set(), False)
        self.want(module, names, label)

    def want(self, module: Any, names: tuple[set[str], set[str]] | None, label: str) -> None:
        """Queue the globals of `module` that code names (`names`), or, for a script
        module used as a value (None), those the shipped code reads as attributes."""
        key = id(module)
        _, sent, as_value = self.spaces[key]
        if names is None:
            if not as_value:
                self.spaces[key] = (module, sent, True)
            wanted = {n for n in self.attrs if not n.startswith("_")}
            where = f"module {module.name}"
        else:
            wanted, attrs = names
            self.attrs |= attrs
            where = label
        g = module.globals
        for name in sorted(wanted):
            if name in g and name not in sent:
                sent.add(name)
                self.pending.append((self.memo[key], name, g[name],
                                     f"global '{name}' used by {where}"))

    def export(self, fn: Export) -> None:
        from .prelude import builtin_named
        if "." not in fn.qualname and builtin_named(fn.qualname) is fn:
            self.out += b"X"
            self.text(fn.qualname)
            return
        mod_name, _, name = fn.qualname.partition(".")
        mod = self.runtime.modules.get(mod_name)
        if mod is not None and not fn.is_method:
            try:
                same = mod.get_symbol(name) is fn
            except AxiomError:
                same = False
            if same:
                self.out += b"Y"
                self.text(mod_name)
                self.text(name)
                return
        self.refuse(f"function {fn.qualname}", "a host's own function stays in its process")

    def module(self, mod: Any) -> None:
        if type(mod) is type(self.runtime.main):  # a script file's namespace
            self.namespace(mod, None, "")
            return
        self.out += b"H"
        self.text(mod.metadata()[0])

    def error(self, e: AxiomError) -> None:
        self.out += b"V"
        self.text(e.kind)
        self.text(e.message)
        span = e.span
        if span is None:
            self.out += b"N"
        else:
            self.out += b"T"
            self.text(span[0])
            self.out += struct.pack("<III", span[1], span[2], span[3])
        self.u32(len(e.trace))
        for name, file, line in e.trace:
            self.text(name)
            self.text(file)
            self.u32(line)
        self.u32(len(e.frame_vars))
        for name, shown in e.frame_vars:
            self.text(name)
            self.text(shown)
        self.text(e.source_line or "")
        self.text(getattr(e, "help", None) or "")
        if e.has_payload:
            self.out += b"T"
            self.value(e.payload, "the thrown value")
        else:
            self.out += b"F"

    def foreign(self, v: Any) -> None:
        info = getattr(type(v), "__axiom_foreign__", None)
        if info is None:
            if isinstance(v, Function):
                self.refuse("a host's own function", "it stays in its process")
            self.refuse(f"a value of host type {type(v).__name__}", "only Axiom values can go")
        if info.transfer is None:
            self.refuse(f"[{info.name}]", f"module {info.module} keeps it in its process; "
                                          "only values their module marks transferable can go")
        try:
            data = info.transfer[0](v)
        except AxiomError:
            raise
        except Exception as e:
            raise AxiomError("ValueError", f"cannot send [{info.name}] to another process: "
                                           f"{type(e).__name__}: {e}") from None
        self.out += b"A"
        self.text(info.module)
        self.text(info.name)
        self.blob(data)

    def refuse(self, what: str, why: str) -> NoReturn:
        """TypeError naming the value by where it was found: the innermost named place
        (an argument, a captured variable, a global) and the indexes under it."""
        path = self.path or ["the value"]
        named = max((i for i, p in enumerate(path) if not p.startswith(("[", "."))), default=0)
        where = path[named] + "".join(path[named + 1:])
        raise AxiomError("TypeError", f"cannot send {what} ({where}) to another process: {why}")

    def finish(self) -> bytes:
        """The globals the namespaces need, after the root value (sending one may need
        more; a script module used as a value gets the attributes read anywhere)."""
        body = bytearray()
        count = 0
        out, self.out = self.out, body
        while True:
            while self.pending:
                ns, name, v, label = self.pending.pop(0)
                self.u32(ns)
                self.text(name)
                self.path = [label]
                self.value(v)
                count += 1
            for module, _, as_value in list(self.spaces.values()):
                if as_value:
                    self.want(module, None, "")
            if not self.pending:
                break
        return bytes(out) + struct.pack("<I", count) + bytes(body)


_NO_GLOBALS: Final = bytes(4)  # the globals section of a shipment without namespaces
_PACK_Q: Final = struct.Struct("<q").pack
_PACK_D: Final = struct.Struct("<d").pack
_UNPACK_QD: Final = {73: struct.Struct("<q").unpack_from, 68: struct.Struct("<d").unpack_from}


def ship(runtime: Any, value: Any, what: str = "the value") -> bytes:
    """`value` as bytes (see the file's docstring); TypeError naming a value that cannot go."""
    # A plain number, string or nil (most items and results of a map) without the
    # writer's bookkeeping: the same bytes it would write.
    t = type(value)
    if t is int and -(2**63) <= value < 2**63:
        return b"I" + _PACK_Q(value) + _NO_GLOBALS
    if t is float:
        return b"D" + _PACK_D(value) + _NO_GLOBALS
    if value is None:
        return b"N" + _NO_GLOBALS
    if t is str and len(value) < 4096:
        b = value.encode("utf-8", "surrogatepass")
        return b"S" + len(b).to_bytes(4, "little") + b + _NO_GLOBALS
    w = _Writer(runtime, bool(runtime.settings.get("peephole_optimizer", True)))
    w.path = [what]
    w.value(value)
    return w.finish()


class _Reader:
    """One `unship` call: reads values into `runtime`, numbering them as written."""

    def __init__(self, runtime: Any, data: bytes) -> None:
        self.runtime = runtime
        self.data = data
        self.pos = 0
        self.memo: list[Any] = []
        self.depth = 0

    def take(self, n: int) -> bytes:
        end = self.pos + n
        if end > len(self.data):
            raise ValueError("truncated")
        b = self.data[self.pos:end]
        self.pos = end
        return b

    def u32(self) -> int:
        return struct.unpack("<I", self.take(4))[0]  # type: ignore[no-any-return]

    def text(self) -> str:
        return self.take(self.u32()).decode("utf-8", "surrogatepass")

    def value(self) -> Any:
        self.depth += 1
        if self.depth > MAX_DATA_DEPTH + 10:
            raise ValueError("nested too deeply")
        try:
            return self._value()
        finally:
            self.depth -= 1

    def _value(self) -> Any:
        tag = self.take(1)
        if tag == b"N":
            return None
        if tag == b"T":
            return True
        if tag == b"F":
            return False
        if tag == b"I":
            return struct.unpack("<q", self.take(8))[0]
        if tag == b"J":
            return int(self.text())
        if tag == b"D":
            return struct.unpack("<d", self.take(8))[0]
        if tag == b"S":
            return self.text()
        if tag == b"P":
            return self.memo[self.u32()]
        if tag in (b"L", b"B"):
            lst: list[Any] = BoundedList((), self.u32()) if tag == b"B" else []
            self.memo.append(lst)
            for _ in range(self.u32()):
                lst.append(self.value())
            return lst
        if tag == b"M":
            d: dict[Any, Any] = {}
            self.memo.append(d)
            for _ in range(self.u32()):
                k = self.value()
                d[k] = self.value()
            return d
        if tag == b"E":
            s = Set()
            self.memo.append(s)
            for _ in range(self.u32()):
                s.add(self.value())
            return s
        if tag == b"R":
            start, stop, step, inclusive, explicit = struct.unpack("<qqqBB", self.take(26))
            return Range(start, stop, step, inclusive=bool(inclusive), explicit=bool(explicit))
        if tag == b"C":
            code = axc.loads(self.take(self.u32()), core_version=__version__)
            self.memo.append(code)
            return code
        if tag == b"Q":
            return self.closure()
        if tag == b"Z":
            cell = Cell()
            self.memo.append(cell)
            if self.data[self.pos:self.pos + 1] == b"U":
                self.pos += 1
            else:
                cell.value = self.value()
            return cell
        if tag == b"G":
            module = type(self.runtime.main)(self.text(), self.text(), self.runtime)
            self.memo.append(module)
            return module
        if tag == b"K":
            cls = Class("", None, {})
            self.memo.append(cls)
            cls.name = self.text()
            cls.parent = self.value()
            for _ in range(self.u32()):
                name = self.text()
                cls.methods[name] = self.value()
            return cls
        if tag == b"O":
            inst = Instance(None)  # type: ignore[arg-type]
            self.memo.append(inst)
            inst.cls = self.value()
            for _ in range(self.u32()):
                name = self.text()
                inst.fields[name] = self.value()
            return inst
        if tag == b"W":
            fn = self.value()
            return BoundMethod(fn, self.value())
        if tag == b"X":
            from .prelude import builtin_named
            name = self.text()
            found = builtin_named(name)
            if found is None:
                raise ValueError(f"no built-in {name}")
            return found
        if tag == b"Y":
            mod = self.runtime.import_module(self.text(), "<shipped>")
            return mod.get_symbol(self.text())
        if tag == b"H":
            return self.runtime.import_module(self.text(), "<shipped>")
        if tag == b"A":
            return self.foreign()
        if tag == b"V":
            return self.error()
        raise ValueError(f"bad tag {tag!r}")

    def closure(self) -> Closure:
        at = len(self.memo)  # the writer numbered the closure before its code
        self.memo.append(None)
        code = self.value()
        if type(code) is not Code:
            raise ValueError("a closure without code")
        fn = Closure(code, (), None)
        self.memo[at] = fn
        n = self.u32()
        cells = tuple(self.value() for _ in range(n))
        if any(type(c) is not Cell for c in cells) or n != len(code.free_names):
            raise ValueError("bad cells")
        fn.cells = cells
        module = self.value()
        if type(module) is not type(self.runtime.main):
            raise ValueError("a closure without a namespace")
        fn.module = module
        return fn

    def foreign(self) -> Any:
        mod_name, type_name = self.text(), self.text()
        data = self.take(self.u32())
        mod = self.runtime.import_module(mod_name, "<shipped>")
        for info in getattr(mod, "foreign_types", ()):
            if info.name == type_name and info.transfer is not None:
                return info.transfer[1](data)
        raise ValueError(f"module {mod_name} cannot read a [{type_name}]")

    def error(self) -> AxiomError:
        e = AxiomError(self.text(), self.text())
        if self.take(1) == b"T":
            file = self.text()
            line, col, end = struct.unpack("<III", self.take(12))
            e.span = (file, line, col, end)
        e.trace = [(self.text(), self.text(), self.u32()) for _ in range(self.u32())]
        e.frame_vars = [(self.text(), self.text()) for _ in range(self.u32())]
        e.source_line = self.text() or None
        help_ = self.text()
        if help_:
            e.help = help_  # type: ignore[attr-defined]
        if self.take(1) == b"T":
            e.payload = self.value()
        return e

    def globals(self) -> None:
        for _ in range(self.u32()):
            ns = self.memo[self.u32()]
            name = self.text()
            if type(ns) is not type(self.runtime.main):
                raise ValueError("globals for something that is not a namespace")
            ns.globals[name] = self.value()


def unship(runtime: Any, data: bytes) -> Any:
    """Fresh values in `runtime` from bytes `ship` made (`runtime` may be None for plain
    data). Bytes that are not a valid shipment (cut short, or bytecode that fails
    validation) are an IOError."""
    if len(data) == 13 and data[9:] == _NO_GLOBALS:  # a number, as ship writes it
        unpack = _UNPACK_QD.get(data[0])
        if unpack is not None:
            return unpack(data, 1)[0]
    r = _Reader(runtime, data)
    try:
        v = r.value()
        r.globals()
        if r.pos != len(data):
            raise ValueError("trailing data")
    except AxiomError:
        raise
    except (ValueError, IndexError, struct.error, axc.AxcError, UnicodeDecodeError,
            OverflowError, RecursionError, TypeError) as e:
        raise AxiomError("IOError", f"the data sent from another process is not valid ({e})") \
            from None
    return v
