"""Axiom values as Python objects, and the three things every layer asks of them:
`typeof`, `display` and `truthy`.

Representation. Most values are plain Python objects so that modules see natives:

    nil -> None      bool -> bool     int -> int (kept in the i64 range by the core)
    float -> float   str -> str       list -> list (or BoundedList under a capacity)
    dict -> dict (insertion-ordered; 1 and 1.0 are one key, as `==` says)

The rest are small classes defined here, shared by the core and the modules:

    Set       -- insertion-ordered set (a dict of keys to None); Python's set is unordered
    Range     -- lazy integer range remembering how it was written (0..5, 1..=5, range(...))
    Function  -- anything callable from a script: closures, built-ins, module exports
    Class     -- a script class: name, parent, methods
    Instance  -- an object of a script class: its class and a dict of fields
    Iterator  -- a stream a module returns (a generator), converting each item
    BoundedList -- a list carrying the capacity of a fixed allocation (`let a(10) = []`)

A value of any other Python type is *foreign*: its class carries `__axiom_foreign__`
(a ForeignInfo made by `Module.foreign_type`) giving its type name, readable attributes,
methods, operators and display.

Must not import the core (`axiom`) nor anything heavy.
"""

from __future__ import annotations

from _collections_abc import Iterator as _PyIterator  # collections.abc without `collections`

from .errors import AxiomError

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; annotations are strings here
    from collections.abc import Callable, Iterable
    from typing import Any, ClassVar, Final

INT_MIN: Final = -(2**63)
INT_MAX: Final = 2**63 - 1
MAX_DATA_DEPTH: Final = 10_000


class Function:
    """Base of every callable script value. Calling it from Python runs it.

    `name` is the function's name, or None for an anonymous closure.
    """

    __slots__ = ()
    axiom_type: ClassVar[str] = "function"
    name: str | None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError


class Class:
    """A script class. `methods` maps names to Functions taking `self` first."""

    __slots__ = ("name", "parent", "methods", "__weakref__")
    axiom_type: ClassVar[str] = "class"

    def __init__(self, name: str, parent: Class | None, methods: dict[str, Function]) -> None:
        self.name = name
        self.parent = parent
        self.methods = methods

    def find_method(self, name: str) -> Function | None:
        cls: Class | None = self
        while cls is not None:
            m = cls.methods.get(name)
            if m is not None:
                return m
            cls = cls.parent
        return None

    def is_subclass_of(self, name: str) -> bool:
        cls: Class | None = self
        while cls is not None:
            if cls.name == name:
                return True
            cls = cls.parent
        return False

    def __call__(self, *args: Any, **kwargs: Any) -> Instance:
        inst = Instance(self)
        init = self.find_method("init")
        if init is not None:
            init(inst, *args, **kwargs)
        elif args or kwargs:
            raise AxiomError("TypeError", f"{self.name}() takes no arguments ({len(args)} given)")
        return inst


class Instance:
    """An object of a script class: `cls` and its `fields` (insertion-ordered)."""

    __slots__ = ("cls", "fields", "__weakref__")

    def __init__(self, cls: Class) -> None:
        self.cls = cls
        self.fields: dict[str, Any] = {}


class Set:
    """Axiom's set: elements compare as dict keys do and keep insertion order."""

    __slots__ = ("items",)
    axiom_type: ClassVar[str] = "set"

    def __init__(self, items: Iterable[Any] = ()) -> None:
        self.items: dict[Any, None] = dict.fromkeys(items)

    def add(self, x: Any) -> None:
        self.items[x] = None

    def remove(self, x: Any) -> None:
        del self.items[x]

    def discard(self, x: Any) -> None:
        self.items.pop(x, None)

    def __contains__(self, x: object) -> bool:
        return x in self.items

    def __iter__(self) -> _PyIterator[Any]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Set) and self.items.keys() == other.items.keys()

    __hash__ = None  # type: ignore[assignment]

    def union(self, other: Iterable[Any]) -> Set:
        s = Set(self.items)
        s.items.update(dict.fromkeys(other))
        return s

    def intersection(self, other: Iterable[Any]) -> Set:
        o = other if isinstance(other, Set) else Set(other)
        return Set(x for x in self.items if x in o.items)

    def difference(self, other: Iterable[Any]) -> Set:
        o = other if isinstance(other, Set) else Set(other)
        return Set(x for x in self.items if x not in o.items)

    def copy(self) -> Set:
        return Set(self.items)

    def __repr__(self) -> str:
        return f"Set({list(self.items)!r})"


class Range:
    """A lazy int range. `inclusive` and `explicit` only change how it displays:
    `0..5`, `1..=5`, or `range(0, 10, 2)` when made by `range()` with a step."""

    __slots__ = ("r", "inclusive", "explicit")
    axiom_type: ClassVar[str] = "range"

    def __init__(self, start: int, stop: int, step: int = 1, *, inclusive: bool = False,
                 explicit: bool = False) -> None:
        end = (stop + (1 if step > 0 else -1)) if inclusive else stop
        self.r = range(start, end, step)
        self.inclusive = inclusive
        self.explicit = explicit

    @property
    def start(self) -> int:
        return self.r.start

    @property
    def step(self) -> int:
        return self.r.step

    @property
    def stop(self) -> int:
        """The bound as written (inclusive ranges give their last value)."""
        if self.inclusive:
            return self.r.stop - (1 if self.r.step > 0 else -1)
        return self.r.stop

    def __len__(self) -> int:
        return len(self.r)

    def __iter__(self) -> _PyIterator[int]:
        return iter(self.r)

    def __contains__(self, x: object) -> bool:
        if type(x) is float and x.is_integer():
            x = int(x)
        return type(x) is int and x in self.r

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Range) and self.r == other.r

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return display(self)


class BoundedList(list):  # type: ignore[type-arg]
    """A list under a fixed allocation: it may never hold more than `capacity` items."""

    __slots__ = ("capacity",)

    def __init__(self, items: Iterable[Any], capacity: int) -> None:
        super().__init__(items)
        self.capacity = capacity


class Iterator:
    """A stream of values from a module (a generator), converted item by item. A
    Python exception raised while it produces an item is translated like an export's
    (`where` names the export that made the stream)."""

    __slots__ = ("it", "convert", "where")
    axiom_type: ClassVar[str] = "iterator"

    def __init__(self, it: _PyIterator[Any], convert: Callable[[Any], Any] | None = None,
                 where: str = "") -> None:
        self.it = it
        self.convert = convert
        self.where = where

    def __iter__(self) -> Iterator:
        return self

    def __next__(self) -> Any:
        try:
            v = next(self.it)
        except (StopIteration, AxiomError):
            raise
        except BaseException as e:
            from ._module import translate
            where = self.where or "a module's stream"
            raise translate(e, where, where.split(".")[0]) from e
        return self.convert(v) if self.convert is not None else v


class ForeignInfo:
    """What scripts may see of a foreign type (set by Module.foreign_type).

    name     -- the type name `typeof` gives, e.g. "tensor"
    attrs    -- read-only attribute names (`response.status`)
    methods  -- name -> Function taking the value first (`response.json()`)
    ops      -- operator -> callable: "+", "-", "*", "/", "%", "==", "<", "neg",
                "index", "setindex", "len", "iter", "in"; a binary operator gets
                (left, right, reflected) and may return NotImplemented
    display  -- value -> str, or None for `<name>`
    module   -- the module's name, for messages
    to_data  -- value -> plain data (lists, dicts, numbers, strs) it stands for, or None
                when it has none (a tensor gives nested lists, a data frame a list of
                dicts): what a `list`/`dict` parameter of another module and `jsn` use
    transfer -- (dump, load) when the value may go to another process (con's worker
                processes, a Dask cluster): dump(value) -> bytes in a data format (never
                pickle), load(bytes) -> value; None: it stays in its process (a lock,
                a channel, an open file)
    """

    __slots__ = ("name", "attrs", "methods", "ops", "display", "module", "to_data", "transfer")

    def __init__(self, name: str, attrs: frozenset[str] = frozenset(),
                 methods: dict[str, Function] | None = None,
                 ops: dict[str, Callable[..., Any]] | None = None,
                 display: Callable[[Any], str] | None = None, module: str = "",
                 to_data: Callable[[Any], Any] | None = None,
                 transfer: tuple[Callable[[Any], bytes], Callable[[bytes], Any]] | None = None,
                 ) -> None:
        self.name = name
        self.attrs = attrs
        self.methods: dict[str, Function] = methods if methods is not None else {}
        self.ops: dict[str, Callable[..., Any]] = ops if ops is not None else {}
        self.display = display
        self.module = module
        self.to_data = to_data
        self.transfer = transfer


_TYPE_NAMES: Final[dict[type, str]] = {
    type(None): "nil", bool: "bool", int: "int", float: "float", str: "str",
    list: "list", dict: "dict", BoundedList: "list",
}


def typeof(v: Any) -> str:
    """The name `typeof(v)` gives in a script."""
    t = type(v)
    name = _TYPE_NAMES.get(t)
    if name is not None:
        return name
    if t is Instance:
        return v.cls.name  # type: ignore[no-any-return]
    name = getattr(t, "axiom_type", None)
    if name is not None:
        return name  # type: ignore[no-any-return]
    info = getattr(t, "__axiom_foreign__", None)
    if info is not None:
        return info.name  # type: ignore[no-any-return]
    if isinstance(v, AxiomError):
        return "error"
    if isinstance(v, list):
        return "list"
    if isinstance(v, dict):
        return "dict"
    if isinstance(v, Function):
        return "function"
    if isinstance(v, _PyIterator):
        return "iterator"
    return t.__name__.lower()


def truthy(v: Any) -> bool:
    """nil, false, 0, 0.0, "" and empty list/dict/set are false; all else is true."""
    if v is None or v is False:
        return False
    if v is True:
        return True
    t = type(v)
    if t is int or t is float or t is str or t is list or t is dict or t is Set \
            or t is BoundedList:
        return bool(v)
    return True


_ESCAPES: Final = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def quote(s: str) -> str:
    """A str as it shows inside a container: double-quoted, with escapes."""
    return '"' + s.translate(_ESCAPES) + '"'


def format_float(x: float) -> str:
    """Python's repr(float): shortest round-trip digits; `inf`, `-inf`, `nan`."""
    return repr(x)


# A hook the core installs to call a script method (`to_str`) while displaying an
# instance; None means "call the Function directly".
call_function: Callable[..., Any] | None = None


def display(v: Any) -> str:
    """The display form of a value (what `out` prints and `str(x)` returns)."""
    t = type(v)
    if t is str:
        return v  # type: ignore[no-any-return]
    if t is int:
        return str(v)
    if v is None:
        return "nil"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if t is float:
        return repr(v)
    return _display(v, False, set(), 0)


def _display(v: Any, nested: bool, path: set[int], depth: int) -> str:
    t = type(v)
    if t is str:
        return quote(v) if nested else v  # type: ignore[no-any-return]
    if t is int:
        return str(v)
    if t is float:
        return repr(v)
    if v is None:
        return "nil"
    if t is bool:
        return "true" if v else "false"
    if depth > MAX_DATA_DEPTH:
        raise AxiomError("ValueError", f"data nested deeper than {MAX_DATA_DEPTH} cannot be displayed")
    if isinstance(v, list):
        if id(v) in path:
            return "[...]"
        path.add(id(v))
        parts = []
        for x in v:
            parts.append(_display(x, True, path, depth + 1))
        path.discard(id(v))
        return "[" + ", ".join(parts) + "]"
    if isinstance(v, dict):
        if id(v) in path:
            return "{...}"
        path.add(id(v))
        parts = []
        for k, x in v.items():
            parts.append(_display(k, True, path, depth + 1) + ": " + _display(x, True, path, depth + 1))
        path.discard(id(v))
        return "{" + ", ".join(parts) + "}"
    if t is Set:
        if not v.items:
            return "set()"
        if id(v) in path:
            return "{...}"
        path.add(id(v))
        parts = []
        for x in v.items:
            parts.append(_display(x, True, path, depth + 1))
        path.discard(id(v))
        return "{" + ", ".join(parts) + "}"
    if t is Instance:
        return _display_instance(v, path, depth)
    if t is Range:
        r = v.r
        if v.explicit:
            return f"range({r.start}, {v.stop}, {r.step})"
        return f"{r.start}..={v.stop}" if v.inclusive else f"{r.start}..{r.stop}"
    if isinstance(v, AxiomError):
        if v.has_payload:
            return _display(v.payload, nested, path, depth)
        return f"{v.kind}: {v.message}"
    if isinstance(v, Function):
        return f"<fn {v.name}>" if v.name else "<fn>"
    if t is Class:
        return f"<class {v.name}>"
    if getattr(t, "axiom_type", None) == "module":
        return f"<module {v.name}>"
    info = getattr(t, "__axiom_foreign__", None)
    if info is not None:
        if info.display is not None:
            return str(info.display(v))
        return f"<{info.name}>"
    if t is Iterator or isinstance(v, _PyIterator):
        return "<iterator>"
    return f"<{typeof(v)}>"


def _display_instance(v: Instance, path: set[int], depth: int) -> str:
    to_str = v.cls.find_method("to_str")
    if to_str is not None:
        r = call_function(to_str, v) if call_function is not None else to_str(v)
        return r if type(r) is str else display(r)
    if id(v) in path:
        return f"{v.cls.name} {{...}}"
    path.add(id(v))
    parts = [f"{k}: {_display(x, True, path, depth + 1)}" for k, x in v.fields.items()]
    path.discard(id(v))
    return f"{v.cls.name} {{" + ", ".join(parts) + "}"


def equal(a: Any, b: Any) -> bool:
    """Axiom `==`: deep for lists, dicts and sets, identity for instances, 1 == 1.0.

    Python's own `==` already has these semantics for the representation above; data
    too deep (or cyclic) to compare is a ValueError rather than a host crash.
    """
    if a is b and type(a) is not float:
        return True
    for x, y, reflected in ((a, b, False), (b, a, True)):
        info = getattr(type(x), "__axiom_foreign__", None)
        if info is not None and "==" in info.ops:
            from ._module import call_op
            r = call_op(info, "==", x, y, reflected)
            if r is not NotImplemented:
                return bool(r)
    try:
        return bool(a == b)
    except RecursionError:
        raise AxiomError("ValueError", "data nested too deeply (or cyclic) to compare") from None


def is_nan(x: Any) -> bool:
    return type(x) is float and x != x  # nan (not math.isnan: math costs start-up time)
