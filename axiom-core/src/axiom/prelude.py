"""The prelude: built-in functions (LANGUAGE.md §9) and the methods of built-in types.

Pipeline position: used by runtime.py (the built-in scope) and vm.py (method calls).
Imports intrinsics and the SDK.

Each built-in is an SDK `Export`, so its arguments are checked from its type hints
exactly as a module function's are (`len: argument 'x' expects ...`), and methods are
Exports with `is_method` (the receiver is not counted as an argument in messages).
Built-ins live in a scope outside every script: a script may shadow `len` for itself.

The Exports are made on first use (`builtin()`, `method()`), not at import: reading
~60 signatures would cost start-up time that most scripts never need.
"""

from __future__ import annotations

import sys
from _collections_abc import Iterable  # evaluated in hints; no `collections` import

from axiom_sdk import (
    AxiomError,
    BoundedList,
    Export,
    Function,
    Range,
    Set,
    display,
    equal,
    to_float,
    to_int,
    truthy,
    typeof,
)

from . import intrinsics as I

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; annotations here are strings
    from collections.abc import Callable
    from typing import Any, Final

# The made Exports (filled on first use) and the plain functions behind them.
BUILTINS: dict[str, Export] = {}
METHODS: dict[type, dict[str, Export]] = {list: {}, dict: {}, str: {}, Set: {}}
_BUILTIN_FNS: dict[str, Callable[..., Any]] = {}
_METHOD_FNS: dict[type, dict[str, Callable[..., Any]]] = {list: {}, dict: {}, str: {}, Set: {}}


def builtin_named(name: str) -> Export | None:
    """The built-in function `name` (made on first use), or None."""
    export = BUILTINS.get(name)
    if export is None:
        fn = _BUILTIN_FNS.get(name)
        if fn is None:
            return None
        export = BUILTINS[name] = Export(fn, name, name=name)
    return export


def method_of(owner: type, name: str) -> Export | None:
    """The method `name` of a built-in type (made on first use), or None."""
    table = METHODS.get(owner)
    if table is None:
        return None
    export = table.get(name)
    if export is None:
        fn = _METHOD_FNS[owner].get(name)
        if fn is None:
            return None
        tname = {Set: "set", BoundedList: "list", Range: "range"}.get(owner, owner.__name__)
        export = table[name] = Export(fn, f"{tname}.{name}", name=name, is_method=True)
        if fn in _AS_IS:
            export.skip_convert = True
    return export


def builtin(fn: Callable[..., Any]) -> Callable[..., Any]:
    _BUILTIN_FNS[fn.__name__.rstrip("_")] = fn
    return fn


def method(owner: type, name: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        _METHOD_FNS[owner][name or fn.__name__.split("_", 1)[1].rstrip("_")] = fn
        return fn
    return register


# --- functions ------------------------------------------------------------------------

@builtin
def len_(x: object) -> int:
    """The number of items (chars of a str, items of a list, keys of a dict, ...)."""
    t = type(x)
    if t is str or t is dict or t is Set or t is Range or isinstance(x, list):
        return len(x)  # type: ignore[arg-type]
    info = getattr(t, "__axiom_foreign__", None)
    if info is not None and "len" in info.ops:
        from axiom_sdk._module import call_op
        return int(call_op(info, "len", x))
    raise AxiomError("TypeError", f"len: {typeof(x)} has no length")


@builtin
def str_(x: object) -> str:
    """The display form of x."""
    return display(x)


@builtin
def int_(x: object) -> int:
    """x as an int: truncates floats toward zero, parses decimal text, true is 1."""
    return to_int(x)


@builtin
def float_(x: object) -> float:
    """x as a float."""
    return to_float(x)


@builtin
def bool_(x: object) -> bool:
    """Whether x is truthy."""
    return truthy(x)


@builtin
def typeof_(x: object) -> str:
    """The type's name: "int", "list", a class name, a module's type name..."""
    return typeof(x)


@builtin
def range_(a: int, b: int | None = None, step: int = 1) -> Range:
    """range(n) is 0..n; range(a, b, step) counts from a toward b (b excluded)."""
    if step == 0:
        raise AxiomError("ValueError", "range: step must not be zero")
    if b is None:
        return Range(0, a, step, explicit=step != 1)
    return Range(a, b, step, explicit=step != 1)


@builtin
def list_(xs: object = None) -> list:
    """A new list of the items of an iterable (a range, str, set, dict's keys...)."""
    if xs is None:
        return []
    return list(_items(xs))


def _items(xs: object) -> Iterable:
    """The items of an iterable about to be put in a new list: a range's size (known
    before any item is made) is checked against the memory limit first."""
    if type(xs) is Range:
        I.memory_check(8 * len(xs))
    return I.iterate(xs)  # type: ignore[no-any-return]


def _joined(parts: list[str], sep: str) -> str:
    """sep.join(parts), its size checked against the memory limit before it is built."""
    if len(parts) > 1 and I.memory_limit.get() is not None:
        I.memory_check(sum(map(len, parts)) + len(sep) * (len(parts) - 1))
    return sep.join(parts)


def _keys(items: Iterable) -> Set:
    s = Set()
    for x in items:
        if not isinstance(x, I.KEY_TYPES):
            raise AxiomError("TypeError", f"set items are nil, bool, int, float or str, not {typeof(x)}")
        s.add(x)
    return s


@builtin
def set_(xs: object = None) -> Set:
    """A new set of the items of an iterable; set() is empty."""
    return Set() if xs is None else _keys(_items(xs))


class _Ordered:
    """Sorts by Axiom's ordering (TypeError for values that have none)."""

    __slots__ = ("v",)

    def __init__(self, v: object) -> None:
        self.v = v

    def __lt__(self, other: _Ordered) -> bool:
        return I.compare("<", self.v, other.v)


def _sorted(items: list, key: Function | None, reverse: bool) -> list:
    keys = items if key is None else [key(x) for x in items]
    if keys and all(type(k) is str for k in keys) or all(type(k) in (int, float) for k in keys):
        plain = keys
    else:
        plain = [_Ordered(k) for k in keys]
    order = sorted(range(len(items)), key=plain.__getitem__, reverse=reverse)
    return [items[i] for i in order]


def _extreme(name: str, values: tuple[Any, ...], pick: str) -> object:
    items = list(I.iterate(values[0])) if len(values) == 1 else list(values)
    if not items:
        raise AxiomError("ValueError", f"{name} of an empty list")
    best = items[0]
    for x in items[1:]:
        if I.compare(pick, x, best):
            best = x
    return best


@builtin
def min_(*values: object) -> object:
    """The smallest of several values, or of one list."""
    if not values:
        raise AxiomError("TypeError", "min: expected at least 1 argument, got 0")
    return _extreme("min", values, "<")


@builtin
def max_(*values: object) -> object:
    """The largest of several values, or of one list."""
    if not values:
        raise AxiomError("TypeError", "max: expected at least 1 argument, got 0")
    return _extreme("max", values, ">")


@builtin
def sum_(xs: Iterable) -> object:
    """The sum of a list of numbers (0 for an empty list)."""
    total: object = 0
    for x in I.iterate(xs):
        if type(x) not in (int, float):
            raise AxiomError("TypeError", f"sum: cannot add {typeof(x)} (only numbers)")
        total = I.add(total, x)
    return total


@builtin
def abs_(x: int | float) -> int | float:
    """The absolute value of a number."""
    if type(x) is int and x < 0:
        return I.neg(x)
    return abs(x)


@builtin
def sorted_(xs: Iterable, key: Function | None = None, reverse: bool = False) -> list:
    """A new sorted list; key computes what to sort by; stable."""
    return _sorted(list(_items(xs)), key, reverse)


@builtin
def map_(f: Function, xs: Iterable) -> list:
    """A new list of f(x) for each x."""
    return [f(x) for x in I.iterate(xs)]


@builtin
def filter_(f: Function, xs: Iterable) -> list:
    """A new list of the x for which f(x) is truthy."""
    return [x for x in I.iterate(xs) if truthy(f(x))]


@builtin
def assert_(cond: object, message: str = "assertion failed") -> None:
    """Raise AssertionError with message unless cond is truthy."""
    if not truthy(cond):
        raise AxiomError("AssertionError", message)


@builtin
def input_(prompt: str = "") -> str | None:
    """Read a line from standard input (without its line end); nil at end of input."""
    if prompt:
        sys.stdout.write(prompt)
        sys.stdout.flush()
    line = sys.stdin.readline()
    if not line:
        return None
    return line[:-1] if line.endswith("\n") else line


@builtin
def error(kind: str, message: str) -> AxiomError:
    """An error value of the given kind, to throw."""
    return AxiomError(kind, message)


# --- list methods ----------------------------------------------------------------------

def _room(xs: list, extra: int) -> None:
    if type(xs) is BoundedList and len(xs) + extra > xs.capacity:
        raise AxiomError("CapacityExceeded", f"list holds at most {xs.capacity} items")


@method(list)
def list_push(xs: list, x: object) -> None:
    """Append x."""
    _room(xs, 1)
    xs.append(x)


@method(list)
def list_pop(xs: list) -> object:
    """Remove and return the last item."""
    if not xs:
        raise AxiomError("IndexOutOfBounds", "pop from an empty list")
    return xs.pop()


def _position(xs: list, i: int, allow_end: bool) -> int:
    n = len(xs)
    j = i + n if i < 0 else i
    if not 0 <= j < n + (1 if allow_end else 0):
        raise AxiomError("IndexOutOfBounds", f"index {i} out of bounds for list of length {n}")
    return j


@method(list)
def list_insert(xs: list, i: int, x: object) -> None:
    """Insert x before index i (i may be the length: append)."""
    j = _position(xs, i, True)
    _room(xs, 1)
    xs.insert(j, x)


@method(list)
def list_remove_at(xs: list, i: int) -> object:
    """Remove and return the item at index i."""
    return xs.pop(_position(xs, i, False))


@method(list)
def list_contains(xs: list, x: object) -> bool:
    """Whether some item equals x."""
    return I.contains(x, xs)


@method(list)
def list_index_of(xs: list, x: object) -> int:
    """The index of the first item equal to x, or -1."""
    for i, y in enumerate(xs):
        if equal(x, y):
            return i
    return -1


@method(list)
def list_sort(xs: list, key: Function | None = None, reverse: bool = False) -> None:
    """Sort in place (stable)."""
    xs[:] = _sorted(list(xs), key, reverse)


@method(list)
def list_reverse(xs: list) -> None:
    """Reverse in place."""
    xs.reverse()


@method(list)
def list_join(xs: list, sep: str = "") -> str:
    """The items' display forms joined by sep."""
    return _joined([display(x) for x in xs], sep)


def _each(f: Any, items: list, run: Callable[[Any], list]) -> list:
    """run(call) with `call` calling f on one of `items`: f's compiled entry directly
    when it has one for such calls (vm.Closure.direct), else f itself. A pure entry that
    runs out of host stack has done nothing: run goes again through f, which recovers a
    full stack per call."""
    direct = getattr(f, "direct", None)
    fast = direct(items[:1], len(items)) if direct is not None and items else None
    if fast is not None:
        call, pure = fast
        try:
            return run(call)
        except RecursionError:
            if not pure:
                raise
    return run(f)


@method(list)
def list_map(xs: list, f: Function) -> list:
    """A new list of f(x) for each item."""
    items = list(xs)
    return _each(f, items, lambda call: [call(x) for x in items])


@method(list)
def list_filter(xs: list, f: Function) -> list:
    """A new list of the items for which f is truthy."""
    items = list(xs)
    return _each(f, items, lambda call: [x for x in items if truthy(call(x))])


_NO_INIT = object()


@method(list)
def list_reduce(xs: list, f: Function, init: object = _NO_INIT) -> object:
    """Fold the items with f(acc, x), starting from init (or the first item)."""
    items = list(xs)
    if init is _NO_INIT:
        if not items:
            raise AxiomError("ValueError", "reduce of an empty list with no initial value")
        acc, rest = items[0], items[1:]
    else:
        acc, rest = init, items
    for x in rest:
        acc = f(acc, x)
    return acc


@method(list)
def list_len(xs: list) -> int:
    """The number of items."""
    return len(xs)


@method(list)
def list_copy(xs: list) -> list:
    """A shallow copy."""
    return list(xs)


# Methods whose result is made of values the script already has (its items, what its own
# functions returned): no conversion, which walks a returned list item by item.
_AS_IS: Final = frozenset({list_pop, list_remove_at, list_map, list_filter, list_reduce, list_copy})


@method(list)
def list_extend(xs: list, ys: Iterable) -> None:
    """Append every item of ys."""
    items = list(_items(ys))
    _room(xs, len(items))
    xs.extend(items)


@method(list)
def list_clear(xs: list) -> None:
    """Remove every item."""
    xs.clear()


# --- dict methods ------------------------------------------------------------------------

@method(dict)
def dict_keys(d: dict) -> list:
    """A new list of the keys, in insertion order."""
    return list(d)


@method(dict)
def dict_values(d: dict) -> list:
    """A new list of the values."""
    return list(d.values())


@method(dict)
def dict_items(d: dict) -> list:
    """A new list of [key, value] lists."""
    return [[k, v] for k, v in d.items()]


@method(dict)
def dict_get(d: dict, k: object, default: object = None) -> object:
    """The value for k, or default."""
    try:
        return d.get(k, default)
    except TypeError:
        return default


@method(dict)
def dict_has(d: dict, k: object) -> bool:
    """Whether k is a key."""
    return isinstance(k, I.KEY_TYPES) and k in d


@method(dict)
def dict_remove(d: dict, k: object) -> object:
    """Remove k and return its value (KeyError when absent)."""
    try:
        return d.pop(k)
    except (KeyError, TypeError):
        raise I.missing_key(k) from None


@method(dict)
def dict_len(d: dict) -> int:
    """The number of keys."""
    return len(d)


@method(dict)
def dict_copy(d: dict) -> dict:
    """A shallow copy."""
    return dict(d)


# --- str methods -------------------------------------------------------------------------

@method(str)
def str_len(s: str) -> int:
    """The number of characters."""
    return len(s)


@method(str)
def str_split(s: str, sep: str | None = None) -> list[str]:
    """Split at each sep; without sep, at runs of whitespace."""
    if sep == "":
        raise AxiomError("ValueError", "str.split: empty separator (use chars())")
    if len(s) > 100_000:  # a list of n parts: checked before it is made
        I.memory_check(8 * (s.count(sep) + 1 if sep is not None else len(s) // 2 + 1))
    return s.split(sep)


@method(str)
def str_join(s: str, xs: Iterable) -> str:
    """The items' display forms joined by this str."""
    if type(xs) is list:  # strs are their own display forms
        if I.memory_limit.get() is None:
            try:
                return s.join(xs)
            except TypeError:
                pass  # not all strs: their display forms, below
        elif len(set(map(type, xs))) == 1 and type(xs[0]) is str:
            return _joined(xs, s)
    return _joined([display(x) for x in I.iterate(xs)], s)


@method(str)
def str_trim(s: str) -> str:
    """Without leading and trailing whitespace."""
    return s.strip()


@method(str)
def str_upper(s: str) -> str:
    """In upper case."""
    return s.upper()


@method(str)
def str_lower(s: str) -> str:
    """In lower case."""
    return s.lower()


@method(str)
def str_replace(s: str, old: str, new: str) -> str:
    """Every occurrence of old replaced by new."""
    if old == "":
        raise AxiomError("ValueError", "str.replace: empty pattern")
    if len(new) > len(old):
        I.memory_check(len(s) + s.count(old) * (len(new) - len(old)))
    return s.replace(old, new)


@method(str)
def str_contains(s: str, sub: str) -> bool:
    """Whether sub occurs in the str."""
    return sub in s


@method(str)
def str_starts_with(s: str, prefix: str) -> bool:
    """Whether the str starts with prefix."""
    return s.startswith(prefix)


@method(str)
def str_ends_with(s: str, suffix: str) -> bool:
    """Whether the str ends with suffix."""
    return s.endswith(suffix)


@method(str)
def str_find(s: str, sub: str) -> int:
    """The index of the first occurrence of sub, or -1."""
    return s.find(sub)


@method(str)
def str_chars(s: str) -> list[str]:
    """A list of the characters."""
    I.memory_check(8 * len(s))
    return list(s)


# --- set methods ----------------------------------------------------------------------------

@method(Set)
def set_add(s: Set, x: object) -> None:
    """Add x."""
    if not isinstance(x, I.KEY_TYPES):
        raise AxiomError("TypeError", f"set items are nil, bool, int, float or str, not {typeof(x)}")
    s.add(x)


@method(Set)
def set_remove(s: Set, x: object) -> None:
    """Remove x (KeyError when absent)."""
    if not (isinstance(x, I.KEY_TYPES) and x in s):
        raise I.missing_key(x)
    s.remove(x)


@method(Set)
def set_has(s: Set, x: object) -> bool:
    """Whether x is in the set."""
    return isinstance(x, I.KEY_TYPES) and x in s


@method(Set)
def set_len(s: Set) -> int:
    """The number of items."""
    return len(s)


@method(Set)
def set_copy(s: Set) -> Set:
    """A shallow copy."""
    return s.copy()


# --- range methods: the list methods that do not change a list (LANGUAGE.md §3) ------------

def range_index_of(r: Range, x: object) -> int:
    """The index of x in the range, or -1."""
    if type(x) is float and x.is_integer():
        x = int(x)
    return r.r.index(x) if type(x) is int and x in r.r else -1


METHODS[Range] = {}
_METHOD_FNS[Range] = {name: _METHOD_FNS[list][name] for name in (
    "contains", "join", "map", "filter", "reduce", "len", "copy")}
_METHOD_FNS[Range]["index_of"] = range_index_of

METHODS[BoundedList] = METHODS[list]
_METHOD_FNS[BoundedList] = _METHOD_FNS[list]
