"""Axiom module `ann`: type annotations checked at run time, and conversions.

`assert_type(x, t)` knows a small hierarchy: `any`; `number` (int, float); `collection`
(list, dict, set); `callable` (functions, classes); `instance` (any object of a script
class); a class name or any ancestor's; a foreign type's name (`dataframe`); or a plain
type name (`int`, `str`, ...). Failure raises TypeError `expected str, got int`.
"""

from __future__ import annotations

from typing import Any

from axiom_sdk import Class, Function, Instance, Module, display
from axiom_sdk import to_float as _to_float
from axiom_sdk import to_int as _to_int
from axiom_sdk import typeof as _typeof

module = Module("ann", summary="Annotations: type checks and conversions", title="Annotations")

_GROUPS = {
    "any": lambda v, t: True,
    "number": lambda v, t: t in ("int", "float"),
    "collection": lambda v, t: t in ("list", "dict", "set"),
    "callable": lambda v, t: isinstance(v, (Function, Class)),
    "instance": lambda v, t: type(v) is Instance,
}


def matches(value: Any, expected: str) -> bool:
    """Whether `value` is of type `expected` in the hierarchy above."""
    actual = _typeof(value)
    if actual == expected:
        return True
    group = _GROUPS.get(expected)
    if group is not None:
        return bool(group(value, actual))
    if type(value) is Instance:
        return value.cls.is_subclass_of(expected)
    return False


@module.export
def typeof(x: Any) -> str:
    """The type name of x, as the built-in typeof gives it."""
    return _typeof(x)


@module.export
def assert_type(x: Any, t: str) -> Any:
    """Raise TypeError unless x is of type t (see the module's hierarchy); returns x."""
    if not matches(x, t):
        raise module.error("TypeError", f"expected {t}, got {_typeof(x)}")
    return x


@module.export
def to_int(x: Any) -> int:
    """x as an int: truncates floats, parses decimal text, true/false give 1/0."""
    return _to_int(x)


@module.export
def to_float(x: Any) -> float:
    """x as a float: from ints, bools and decimal text."""
    return _to_float(x)


@module.export
def to_str(x: Any) -> str:
    """The display form of x (what `out` prints)."""
    return display(x)


@module.export
def is_int(x: Any) -> bool:
    """Whether x is an int (true and false are bools, not ints)."""
    return type(x) is int


@module.export
def is_float(x: Any) -> bool:
    """Whether x is a float."""
    return type(x) is float


@module.export
def is_str(x: Any) -> bool:
    """Whether x is a str."""
    return type(x) is str


@module.export
def is_bool(x: Any) -> bool:
    """Whether x is true or false."""
    return type(x) is bool


@module.export
def is_list(x: Any) -> bool:
    """Whether x is a list."""
    return _typeof(x) == "list"


@module.export
def is_dict(x: Any) -> bool:
    """Whether x is a dict."""
    return _typeof(x) == "dict"


@module.export
def is_nil(x: Any) -> bool:
    """Whether x is nil."""
    return x is None


@module.export
def is_callable(x: Any) -> bool:
    """Whether x can be called: a function, closure, bound method or class."""
    return isinstance(x, (Function, Class))
