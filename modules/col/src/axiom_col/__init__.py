"""Axiom module `col`: dict, set and list helpers, and a dict safe across `con` tasks.

Plain Axiom dicts, sets and lists go in and out; nothing is copied unless said. Values
compare with Axiom `==` (`1` and `1.0` are equal, so they are one dict key, one set
element, and `list_unique` keeps only the first), and dict keys and set elements must
be nil, bool, int, float or str, as in scripts (anything else is a TypeError).

Decisions where the spec is silent:
- Mutators behave like the built-in methods: `dict_set` and `set_add` change their
  argument and return nil; `dict_remove` returns the removed value and `set_remove`
  returns nil, both a KeyError when the key is absent.
- `dict_merge(a, b, ...)` returns a new dict; later dicts win for a key.
- `set_new(items=nil)` takes any iterable (a list, set, range, a dict's keys, a str's
  characters).
- `list_flatten` flattens one level: items that are lists are spliced in, everything
  else (sets, dicts, nested lists inside them) is kept as it is.
- `list_zip(a, b, ...)` stops at the shortest list, as Python's and Rust's zip do.
- `list_count(list, fn_or_value)` calls a function (any script function) on each item
  and counts truthy results; any other value counts the items equal to it.

`concurrent_dict()` makes a [concurrent_dict]: one re-entrant lock guards every method,
so it is safe from many threads (`con` tasks). `update(k, fn, default=nil)` holds the
lock while it calls `fn(current)` and stores the result, so concurrent updates never
lose one; `fn` may use the same dict (the lock is re-entrant) but must not wait for
another task that does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from axiom_sdk import Function, Module, Set, display, equal, truthy, typeof

module = Module("col", summary="Collections: dict, set and list helpers, and a concurrent dict",
                title="Collections")

_KEY_TYPES = (type(None), bool, int, float, str)


def _key(where: str, k: Any, what: str = "dict keys") -> Any:
    """k, checked as a dict key (or set element) the way scripts check them."""
    if type(k) not in _KEY_TYPES:
        raise module.error("TypeError", f"{where}: {what} are nil, bool, int, float or str, "
                                        f"not {typeof(k)}")
    return k


def _missing(where: str, k: Any) -> Exception:
    shown = display([k])[1:-1]  # a str key quoted, as the core shows it
    return module.error("KeyError", f"{where}: key {shown} not found")


# -- dicts ----------------------------------------------------------------------------------

@module.export
def dict_new() -> dict:
    """A new empty dict."""
    return {}


@module.export
def dict_get(d: dict, key: Any, default: Any = None) -> Any:
    """The value for key in d, or default when key is absent."""
    return d.get(_key("col.dict_get", key), default)


@module.export
def dict_set(d: dict, key: Any, value: Any) -> None:
    """Set d[key] to value (changes d)."""
    d[_key("col.dict_set", key)] = value


@module.export
def dict_has(d: dict, key: Any) -> bool:
    """Whether key is in d."""
    return _key("col.dict_has", key) in d


@module.export
def dict_remove(d: dict, key: Any) -> Any:
    """Remove key from d and return its value; KeyError when absent."""
    try:
        return d.pop(_key("col.dict_remove", key))
    except KeyError:
        raise _missing("col.dict_remove", key) from None


@module.export
def dict_keys(d: dict) -> list:
    """The keys of d, in insertion order, as a new list."""
    return list(d)


@module.export
def dict_values(d: dict) -> list:
    """The values of d, in insertion order, as a new list."""
    return list(d.values())


@module.export
def dict_items(d: dict) -> list:
    """The [key, value] pairs of d, in insertion order, as a new list of lists."""
    return [[k, v] for k, v in d.items()]


@module.export
def dict_merge(*dicts: dict) -> dict:
    """A new dict with the entries of every dict given; later dicts win for a key."""
    out: dict[Any, Any] = {}
    for d in dicts:
        out.update(d)
    return out


# -- sets -----------------------------------------------------------------------------------

@module.export
def set_new(items: Iterable | None = None) -> Set:
    """A new set, empty or of the items of an iterable (list, set, range, ...)."""
    return Set(_key("col.set_new", x, "set items") for x in (() if items is None else items))


@module.export
def set_add(s: Set, item: Any) -> None:
    """Add item to s (changes s)."""
    s.add(_key("col.set_add", item, "set items"))


@module.export
def set_has(s: Set, item: Any) -> bool:
    """Whether item is in s."""
    return _key("col.set_has", item, "set items") in s


@module.export
def set_remove(s: Set, item: Any) -> None:
    """Remove item from s (changes s); KeyError when absent."""
    if _key("col.set_remove", item, "set items") not in s:
        raise _missing("col.set_remove", item)
    s.remove(item)


@module.export
def set_union(a: Set, b: Set) -> Set:
    """A new set of the items in a or b (a's first)."""
    return a.union(b)


@module.export
def set_intersection(a: Set, b: Set) -> Set:
    """A new set of the items in both a and b (in a's order)."""
    return a.intersection(b)


@module.export
def set_difference(a: Set, b: Set) -> Set:
    """A new set of the items in a and not in b."""
    return a.difference(b)


# -- lists ----------------------------------------------------------------------------------

@module.export
def list_unique(items: list) -> list:
    """A new list of the first occurrence of each value, in order (1 and 1.0 are equal)."""
    seen: set[Any] = set()  # hashable values seen
    unhashable: list[Any] = []  # the rest (lists, dicts, sets), compared one by one
    out = []
    for x in items:
        try:
            if x in seen:
                continue
            seen.add(x)
        except TypeError:
            if any(equal(x, y) for y in unhashable):
                continue
            unhashable.append(x)
        out.append(x)
    return out


@module.export
def list_flatten(items: list) -> list:
    """A new list with the items of nested lists spliced in, one level deep."""
    out: list[Any] = []
    for x in items:
        if isinstance(x, list):
            out.extend(x)
        else:
            out.append(x)
    return out


@module.export
def list_zip(*lists: list) -> list:
    """A list of lists pairing the items at each index; stops at the shortest list."""
    return [list(t) for t in zip(*lists)]


@module.export
def list_chunk(items: list, n: int) -> list:
    """The list cut into lists of n items (the last may be shorter); n must be positive."""
    if n <= 0:
        raise module.error("ValueError", f"col.list_chunk: chunk size must be positive, got {n}")
    return [items[i:i + n] for i in range(0, len(items), n)]


@module.export
def list_group_by(items: list, fn: Callable) -> dict:
    """A dict from each key fn(item) gives to the list of items with that key, keys and
    items in first-seen order."""
    groups: dict[Any, list[Any]] = {}
    for x in items:
        k = _key("col.list_group_by", fn(x))
        groups.setdefault(k, []).append(x)
    return groups


@module.export
def list_count(items: list, fn_or_value: Any) -> int:
    """The number of items for which the function returns a true value, or that equal
    the value."""
    if isinstance(fn_or_value, Function):
        return sum(1 for x in items if truthy(fn_or_value(x)))
    return sum(1 for x in items if equal(x, fn_or_value))


# -- concurrent_dict ------------------------------------------------------------------------

def _show_concurrent(cd: ConcurrentDict) -> str:
    return f"<concurrent_dict {display(cd.to_dict())}>"


@module.foreign_type("concurrent_dict",
                     methods=["get", "set", "has", "remove", "update", "keys", "to_dict"],
                     ops={"len": lambda cd: cd.size()}, display=_show_concurrent)
class ConcurrentDict:
    """A dict behind a re-entrant lock: every method is atomic."""

    def __init__(self) -> None:
        self._data: dict[Any, Any] = {}
        self._lock = threading.RLock()

    def get(self, key: Any, default: Any = None) -> Any:
        """The value for key, or default when key is absent."""
        _key("concurrent_dict.get", key)
        with self._lock:
            return self._data.get(key, default)

    def set(self, key: Any, value: Any) -> None:
        """Set the value for key."""
        _key("concurrent_dict.set", key)
        with self._lock:
            self._data[key] = value

    def has(self, key: Any) -> bool:
        """Whether key is present."""
        _key("concurrent_dict.has", key)
        with self._lock:
            return key in self._data

    def remove(self, key: Any) -> Any:
        """Remove key and return its value; KeyError when absent."""
        _key("concurrent_dict.remove", key)
        with self._lock:
            if key not in self._data:
                raise _missing("concurrent_dict.remove", key)
            return self._data.pop(key)

    def update(self, key: Any, fn: Callable, default: Any = None) -> Any:
        """Atomically store fn(current) for key (current = default when absent) and
        return it."""
        _key("concurrent_dict.update", key)
        with self._lock:
            value = fn(self._data.get(key, default))
            self._data[key] = value
            return value

    def keys(self) -> list:
        """The keys, in insertion order, as a new list."""
        with self._lock:
            return list(self._data)

    def to_dict(self) -> dict:
        """A snapshot of the contents as a plain dict."""
        with self._lock:
            return dict(self._data)

    def size(self) -> int:
        with self._lock:
            return len(self._data)


@module.export
def concurrent_dict() -> ConcurrentDict:
    """A new empty [concurrent_dict], safe to share between `con` tasks."""
    return ConcurrentDict()
