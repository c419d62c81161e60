"""Conversions at the module boundary, one symmetric pair per direction:

  to_axiom(value)         -- what a module returns, made a script value: tuples become
                             lists, Python sets become Axiom Sets, numpy/polars scalars
                             become ints/floats/bools, generators become Iterators, and an
                             int outside the 64-bit range is an Overflow error.
  converter_for(hint)     -- from a parameter's type hint, the check-and-convert function
                             applied to each argument a script passes (`float` accepts an
                             int; a wrong type is a TypeError naming the function, the
                             argument, the expected and the given type). A `list` or
                             `dict` parameter also takes a foreign value whose type
                             declares plain data of that shape (`to_data`).
  to_data(value)          -- a foreign value as the plain data its type declares.
"""

from __future__ import annotations

import _collections_abc as abc  # collections.abc without importing `collections`
import sys

from ._values import (
    INT_MAX,
    INT_MIN,
    BoundedList,
    Class,
    Function,
    Instance,
    Iterator,
    Range,
    Set,
    typeof,
)
from .errors import AxiomError

# What `types` would give, without importing it (start-up time)
_GeneratorType = type((lambda: (yield))())
_UnionType = type(int | str)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_PLAIN = (type(None), bool, float, str)


def check_int(v: int) -> int:
    if INT_MIN <= v <= INT_MAX:
        return v
    raise AxiomError("Overflow", f"integer {_digits(v)} is outside the 64-bit range")


def _digits(v: int) -> str:
    """v's digits, shortened when long (and without converting an int too large for the
    host's int-to-text limit)."""
    if v.bit_length() > 512:
        return f"{'-' if v < 0 else ''}2**{v.bit_length() - 1}..."
    text = str(v)
    return text if len(text) <= 40 else text[:37] + "..."


def to_axiom(v: Any) -> Any:
    """Make a value returned by a module into a script value (see the module docstring)."""
    t = type(v)
    if t is int:
        return v if INT_MIN <= v <= INT_MAX else check_int(v)
    if t in _PLAIN:
        return v
    if t is list:
        for i, x in enumerate(v):
            tx = type(x)
            if tx is int:
                if not INT_MIN <= x <= INT_MAX:
                    check_int(x)
            elif tx not in _PLAIN:
                y = to_axiom(x)
                if y is not x:
                    v[i] = y
        return v
    if t is dict:
        for k, x in v.items():
            tx = type(x)
            if tx is int:
                if not INT_MIN <= x <= INT_MAX:
                    check_int(x)
            elif tx not in _PLAIN:
                y = to_axiom(x)
                if y is not x:
                    v[k] = y
        return v
    if t is tuple:
        return to_axiom(list(v))
    if t is set or t is frozenset:
        return Set(to_axiom(x) for x in v)
    if t is Set or t is Range or t is Instance or t is Class or t is BoundedList or t is Iterator:
        return v
    if isinstance(v, (Function, AxiomError)):
        return v
    mod = t.__module__
    if mod == "numpy" or mod.startswith("numpy."):
        if hasattr(v, "item") and getattr(v, "ndim", 1) == 0:
            return to_axiom(v.item())
    if t is _GeneratorType or (isinstance(v, abc.Iterator)
                                    and getattr(t, "__axiom_foreign__", None) is None):
        return Iterator(v, to_axiom)
    return v


# --- arguments -------------------------------------------------------------------

if TYPE_CHECKING:
    Converter = Callable[[Any], Any]


class ArgTypeError(Exception):
    """Raised by a converter: the expected type's name (the caller words the message)."""

    def __init__(self, expected: str) -> None:
        self.expected = expected


def _exact(pytype: type, name: str) -> Converter:
    def conv(v: Any) -> Any:
        if type(v) is pytype:
            return v
        raise ArgTypeError(name)
    return conv


def _int(v: Any) -> Any:
    if type(v) is int:
        return v
    raise ArgTypeError("int")


def _float(v: Any) -> Any:
    t = type(v)
    if t is float:
        return v
    if t is int:
        return float(v)
    raise ArgTypeError("float")


def _number(v: Any) -> Any:
    t = type(v)
    if t is int or t is float:
        return v
    raise ArgTypeError("number")


def to_data(v: Any) -> Any:
    """The plain data a foreign value stands for, as its type declares it
    (`Module.foreign_type(..., to_data=...)`), converted like a module's result; any
    other value comes back unchanged. A foreign value whose type declares none is a
    TypeError naming the type."""
    info = getattr(type(v), "__axiom_foreign__", None)
    if info is None:
        return v
    if info.to_data is None:
        raise AxiomError("TypeError", f"a {info.name} has no plain-data form")
    try:
        return to_axiom(info.to_data(v))
    except AxiomError:
        raise
    except BaseException as e:
        from ._module import translate
        raise translate(e, f"{info.name} to data", info.module) from e


def _as_data(v: Any, shape: type, name: str) -> Any:
    """A foreign value's plain data when it has that shape, else ArgTypeError(name)."""
    info = getattr(type(v), "__axiom_foreign__", None)
    if info is not None and info.to_data is not None:
        data = to_data(v)
        if isinstance(data, shape):
            return data
    raise ArgTypeError(name)


def _list(v: Any) -> Any:
    if isinstance(v, list):
        return v
    return _as_data(v, list, "list")


def _dict(v: Any) -> Any:
    if isinstance(v, dict):
        return v
    return _as_data(v, dict, "dict")


def _set(v: Any) -> Any:
    if type(v) is Set:
        return v
    raise ArgTypeError("set")


def _callable(v: Any) -> Any:
    """Script functions and classes; plain Python callables too (module tests, values
    other modules hand over), but never a foreign value that merely has __call__."""
    if isinstance(v, (Function, Class)) or (
            callable(v) and getattr(type(v), "__axiom_foreign__", None) is None):
        return v
    raise ArgTypeError("function")


def _iterable(v: Any) -> Any:
    if isinstance(v, (list, dict, str, Set, Range, Iterator)) or (
            getattr(type(v), "__axiom_foreign__", None) is None
            and isinstance(v, abc.Iterator)):
        return v
    info = getattr(type(v), "__axiom_foreign__", None)
    if info is not None and "iter" in info.ops:
        return v
    raise ArgTypeError("iterable")


def _any(v: Any) -> Any:
    return v


def _foreign(cls: type) -> Converter:
    def conv(v: Any) -> Any:
        if isinstance(v, cls):
            return v
        info = getattr(cls, "__axiom_foreign__", None)
        raise ArgTypeError(info.name if info is not None else cls.__name__.lower())
    return conv


def _optional(inner: Converter) -> Converter:
    def conv(v: Any) -> Any:
        return None if v is None else inner(v)
    return conv


def _union(convs: list[tuple[Converter, str]]) -> Converter:
    names = " or ".join(n for _, n in convs)

    def conv(v: Any) -> Any:
        for c, _ in convs:
            try:
                return c(v)
            except ArgTypeError:
                continue
        raise ArgTypeError(names)
    return conv


_SIMPLE: dict[object, tuple[Converter, str]] = {
    int: (_int, "int"),
    float: (_float, "float"),
    str: (_exact(str, "str"), "str"),
    bool: (_exact(bool, "bool"), "bool"),
    list: (_list, "list"),
    dict: (_dict, "dict"),
    Set: (_set, "set"),
    set: (_set, "set"),
    Function: (_callable, "function"),
    object: (_any, "any"),
    Range: (_exact(Range, "range"), "range"),
    Instance: (_exact(Instance, "instance"), "instance"),
    Class: (_exact(Class, "class"), "class"),
}


def _typing_attr(name: str) -> object:
    """typing.NAME if some module already imported typing (this file never does)."""
    typing = sys.modules.get("typing")
    return getattr(typing, name, None) if typing is not None else None


def converter_for(hint: Any) -> tuple[Converter, str]:
    """The converter for a parameter hint and the type name it expects.

    Unsupported hints raise TypeError at export time (the author's mistake, found when
    the module loads, not when a script calls it).
    """
    if hint is None or hint is type(None):
        return _exact(type(None), "nil"), "nil"
    try:
        simple = _SIMPLE.get(hint)
    except TypeError:
        simple = None
    if simple is not None:
        return simple
    if hint is _typing_attr("Any"):
        return _any, "any"
    origin = getattr(hint, "__origin__", None)
    if isinstance(hint, _UnionType) or (origin is not None and origin is _typing_attr("Union")):
        args = hint.__args__
        if set(args) == {int, float}:
            return _number, "number"
        rest = [a for a in args if a is not type(None)]
        if set(rest) == {int, float}:
            return _optional(_number), "number"
        parts = [converter_for(a) for a in rest]
        inner = parts[0] if len(parts) == 1 else (_union(parts), " or ".join(n for _, n in parts))
        if len(rest) < len(args):
            return _optional(inner[0]), inner[1]
        return inner
    if origin in (list, dict, set, tuple):
        return converter_for(origin if origin is not tuple else list)
    if origin is abc.Callable or hint is abc.Callable \
            or (hint is not None and hint is _typing_attr("Callable")):
        return _callable, "function"
    if origin in (abc.Iterable, abc.Iterator) or hint in (
            abc.Iterable, abc.Iterator):
        return _iterable, "iterable"
    if isinstance(hint, type):
        info = getattr(hint, "__axiom_foreign__", None)
        if info is not None:
            return _foreign(hint), info.name
        if issubclass(hint, Function):
            return _callable, "function"
    raise TypeError(f"unsupported parameter type hint {hint!r}")


def type_name(v: Any) -> str:
    return typeof(v)


# --- the conversions `int()`, `float()` and `str()` share with modules (ann) ---------

def to_int(v: Any) -> int:
    """Axiom `int(x)`: from int, bool, float (truncating toward zero) or decimal text."""
    t = type(v)
    if t is int:
        return v  # type: ignore[no-any-return]
    if t is bool:
        return 1 if v else 0
    if t is float:
        if v != v or v in (float("inf"), float("-inf")):
            raise AxiomError("ValueError", f"cannot convert {v!r} to int")
        return check_int(int(v))
    if t is str:
        text = v.strip()
        digits = text.lstrip("+-").replace("_", "").lstrip("0")
        if len(digits) > 19 and digits.isdecimal():  # too long before any conversion
            shown = text if len(text) <= 40 else text[:37] + "..."
            raise AxiomError("Overflow", f"integer {shown} is outside the 64-bit range")
        try:
            return check_int(int(text, 10))
        except ValueError:
            pass
        try:
            f = float(text)
        except ValueError:
            raise AxiomError("ValueError", f"invalid int: {_show(v)}") from None
        if f.is_integer() and "." not in text and "e" not in text.lower():
            return check_int(int(f))
        raise AxiomError("ValueError", f"invalid int: {_show(v)}")
    raise AxiomError("TypeError", f"cannot convert {typeof(v)} to int")


def to_float(v: Any) -> float:
    """Axiom `float(x)`: from float, int, bool or decimal text (`"nan"`, `"inf"` too)."""
    t = type(v)
    if t is float:
        return v  # type: ignore[no-any-return]
    if t is int or t is bool:
        return float(v)
    if t is str:
        try:
            return float(v.strip())
        except ValueError:
            raise AxiomError("ValueError", f"invalid float: {_show(v)}") from None
    raise AxiomError("TypeError", f"cannot convert {typeof(v)} to float")


def _show(s: str) -> str:
    from ._values import quote
    return quote(s if len(s) <= 40 else s[:40] + "...")
