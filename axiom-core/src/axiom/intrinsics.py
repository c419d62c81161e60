"""Intrinsics: what the operators, indexing, slicing, attributes and iteration mean.

Pipeline position: called by vm.py (its slow paths; the VM inlines the int fast paths)
and by prelude.py. Imports the SDK only — no other Axiom stage.

Semantics are LANGUAGE.md §2-3: ints are 64-bit and checked for Overflow; `/` on two
ints truncates toward zero and `%` takes the sign of the dividend (also for floats,
`fmod`); `+` joins two strs or two lists; `str * int` and `list * int` repeat; ordering
works on numbers, strs and lists; `==` is deep. Scripts never reach a Python attribute
of a host object: names starting with `_` are refused, a foreign value shows only what
its module declared, and a dict's `d.name` reads its own data.
"""

from __future__ import annotations

from _collections_abc import Iterator  # collections.abc without importing `collections`

from axiom_sdk import (
    INT_MAX,
    INT_MIN,
    AxiomError,
    BoundedList,
    BoundMethod,
    Class,
    Function,
    Instance,
    Range,
    Set,
    display,
    equal,
    to_axiom,
    typeof,
)
from axiom_sdk import Iterator as AxIterator
from axiom_sdk._module import call_op, memory_check, memory_limit  # noqa: F401 (runtime sets memory_limit)

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; annotations here are strings
    from typing import Any, Final

KEY_TYPES: Final = (type(None), bool, int, float, str)



def error(kind: str, message: str) -> AxiomError:
    return AxiomError(kind, message)


def overflow(op: str, a: Any, b: Any = None) -> AxiomError:
    expr = f"{op}{a}" if b is None else f"{a} {op} {b}"
    return AxiomError("Overflow", f"integer overflow: {expr} is outside the 64-bit range")


def _operands(op: str, a: Any, b: Any) -> AxiomError:
    msg = f"unsupported operand types for {op}: {typeof(a)} and {typeof(b)}"
    if op == "+" and (type(a) is str or type(b) is str):
        msg += ' (build text with @"..." or str())'
    return AxiomError("TypeError", msg)


def _is_num(v: Any) -> bool:
    t = type(v)
    return t is int or t is float


def _foreign_op(op: str, a: Any, b: Any) -> Any:
    """A foreign type's operator, trying the left operand then the right (reflected)."""
    info = getattr(type(a), "__axiom_foreign__", None)
    if info is not None and op in info.ops:
        r = call_op(info, op, a, b, False)
        if r is not NotImplemented:
            return to_axiom(r)
    info = getattr(type(b), "__axiom_foreign__", None)
    if info is not None and op in info.ops:
        r = call_op(info, op, b, a, True)
        if r is not NotImplemented:
            return to_axiom(r)
    return NotImplemented


# An ordering a foreign type does not define, from its "<" (b > a is a < b, ...).
_FROM_LESS: Final = {">": (True, False), "<=": (True, True), ">=": (False, True)}


def _foreign_order(op: str, a: Any, b: Any) -> Any:
    r = _foreign_op(op, a, b)
    if r is NotImplemented and op in _FROM_LESS:
        swap, negate = _FROM_LESS[op]
        r = _foreign_op("<", b, a) if swap else _foreign_op("<", a, b)
        if r is not NotImplemented and negate:
            r = not r
    return r


def check_int(r: int, op: str, a: Any, b: Any) -> int:
    if INT_MIN <= r <= INT_MAX:
        return r
    raise overflow(op, a, b)


def add(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        return check_int(a + b, "+", a, b)
    if (ta is float or ta is int) and (tb is float or tb is int):
        return a + b
    if ta is str and tb is str:
        if len(a) + len(b) > _BIG:
            memory_check(len(a) + len(b))
        return a + b
    if isinstance(a, list) and isinstance(b, list):
        if len(a) + len(b) > _BIG:
            memory_check(8 * (len(a) + len(b)))
        return a + b if ta is list and tb is list else list(a) + list(b)
    r = _foreign_op("+", a, b)
    if r is NotImplemented:
        raise _operands("+", a, b)
    return r


_BIG: Final = 1 << 20  # values below this size are never checked against --max-memory


def sub(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        return check_int(a - b, "-", a, b)
    if _is_num(a) and _is_num(b):
        return a - b
    r = _foreign_op("-", a, b)
    if r is NotImplemented:
        raise _operands("-", a, b)
    return r


def _repeat(seq: Any, n: int, a: Any, b: Any) -> Any:
    if n <= 0:
        return "" if type(seq) is str else []
    size = len(seq) * n
    if size > 2**40:
        raise AxiomError("LimitExceeded", f"repeating a {typeof(seq)} of length {len(seq)} "
                                          f"{n} times is too large")
    memory_check(size * (1 if type(seq) is str else 8))
    return seq * n if type(seq) is str else list(seq) * n


def mul(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        return check_int(a * b, "*", a, b)
    if _is_num(a) and _is_num(b):
        return a * b
    if (ta is str or isinstance(a, list)) and tb is int:
        return _repeat(a, b, a, b)
    if ta is int and (tb is str or isinstance(b, list)):
        return _repeat(b, a, a, b)
    r = _foreign_op("*", a, b)
    if r is NotImplemented:
        raise _operands("*", a, b)
    return r


def int_div(a: int, b: int) -> int:
    """Integer division truncating toward zero."""
    if b == 0:
        raise AxiomError("DivisionByZero", "division by zero")
    q = a // b
    if q < 0 and q * b != a:
        q += 1
    return check_int(q, "/", a, b)


def div(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        return int_div(a, b)
    if _is_num(a) and _is_num(b):
        if b == 0:
            raise AxiomError("DivisionByZero", "division by zero")
        return a / b
    r = _foreign_op("/", a, b)
    if r is NotImplemented:
        raise _operands("/", a, b)
    return r


def mod(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        if b == 0:
            raise AxiomError("DivisionByZero", "modulo by zero")
        r = abs(a) % abs(b)
        return -r if a < 0 else r
    if _is_num(a) and _is_num(b):
        if b == 0:
            raise AxiomError("DivisionByZero", "modulo by zero")
        return fmod(a, b)
    r = _foreign_op("%", a, b)
    if r is NotImplemented:
        raise _operands("%", a, b)
    return r


_NAN: Final = float("nan")


def fmod(a: float, b: float) -> float:
    """IEEE fmod, as C's and LLVM's `frem`: an infinite dividend gives nan (Python's
    math.fmod raises instead)."""
    if a - a != 0:  # inf or nan
        return _NAN
    return _libm_fmod(a, b)


def _libm_fmod(a: float, b: float) -> float:
    """math.fmod, which replaces this at the first float `%`: `math` is not imported at
    start-up."""
    global _libm_fmod
    import math
    _libm_fmod = math.fmod  # type: ignore[assignment]
    return math.fmod(a, b)


def neg(a: Any) -> Any:
    t = type(a)
    if t is int:
        if a == INT_MIN:
            raise overflow("-", a)
        return -a
    if t is float:
        return -a
    info = getattr(t, "__axiom_foreign__", None)
    if info is not None and "neg" in info.ops:
        return to_axiom(call_op(info, "neg", a))
    raise AxiomError("TypeError", f"unsupported operand type for unary -: {typeof(a)}")


_ORDER_OPS: Final = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
                     ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def _orderable(a: Any, b: Any) -> bool:
    if _is_num(a) and _is_num(b):
        return True
    ta = type(a)
    if ta is str and type(b) is str:
        return True
    if isinstance(a, list) and isinstance(b, list):
        for x, y in zip(a, b):  # the first unequal pair decides, as lexicographic order does
            if not equal(x, y):
                return _orderable(x, y)
        return True
    return False


def compare(op: str, a: Any, b: Any) -> bool:
    """`<`, `<=`, `>`, `>=` on numbers, strs and lists; anything else is a TypeError."""
    if _orderable(a, b):
        try:
            return bool(_ORDER_OPS[op](a, b))
        except RecursionError:
            raise AxiomError("ValueError", "data nested too deeply to compare") from None
    r = _foreign_order(op, a, b)
    if r is not NotImplemented:
        return bool(r)
    raise AxiomError("TypeError", f"cannot compare {typeof(a)} and {typeof(b)} with {op}")


def eq(a: Any, b: Any) -> bool:
    return equal(a, b)


def ne(a: Any, b: Any) -> bool:
    return not equal(a, b)


def lt(a: Any, b: Any) -> bool:
    return compare("<", a, b)


def le(a: Any, b: Any) -> bool:
    return compare("<=", a, b)


def gt(a: Any, b: Any) -> bool:
    return compare(">", a, b)


def ge(a: Any, b: Any) -> bool:
    return compare(">=", a, b)


def contains(item: Any, container: Any) -> bool:
    """`item in container`: list items, str substrings, dict keys, set items, ranges."""
    t = type(container)
    if t is str:
        if type(item) is not str:
            raise AxiomError("TypeError", f"'in <str>' needs a str on the left, not {typeof(item)}")
        return item in container
    if t is dict or t is Set:
        if not isinstance(item, KEY_TYPES):
            return False
        return item in container
    if isinstance(container, list):
        for x in container:
            if equal(x, item):
                return True
        return False
    if t is Range:
        return item in container
    r = _foreign_op("in", container, item)
    if r is not NotImplemented:
        return bool(r)
    raise AxiomError("TypeError", f"'in' needs a list, str, dict, set or range, not {typeof(container)}")


# --- indexing -----------------------------------------------------------------------

def _bounds(i: int, obj: Any) -> AxiomError:
    return AxiomError("IndexOutOfBounds", f"index {i} out of bounds for {typeof(obj)} of length {len(obj)}")


def missing_key(key: Any) -> AxiomError:
    return AxiomError("KeyError", f"key {_show_key(key)} not found")


def _show_key(key: Any) -> str:
    from axiom_sdk._values import _display
    return _display(key, True, set(), 0)


def index(obj: Any, i: Any) -> Any:
    t = type(obj)
    if t is dict:
        try:
            return obj[i]
        except KeyError:
            raise missing_key(i) from None
        except TypeError:
            raise AxiomError("TypeError", f"dict keys are nil, bool, int, float or str, not {typeof(i)}") from None
    if isinstance(obj, list) or t is str:
        if type(i) is not int:
            raise AxiomError("TypeError", f"{typeof(obj)} indexes must be int, not {typeof(i)}")
        try:
            return obj[i]
        except IndexError:
            raise _bounds(i, obj) from None
    if t is Range:
        if type(i) is not int:
            raise AxiomError("TypeError", f"range indexes must be int, not {typeof(i)}")
        try:
            return obj.r[i]
        except IndexError:
            raise _bounds(i, obj) from None
    info = getattr(t, "__axiom_foreign__", None)
    if info is not None and "index" in info.ops:
        return to_axiom(call_op(info, "index", obj, i))
    raise AxiomError("TypeError", f"cannot index {typeof(obj)}")


def set_index(obj: Any, i: Any, v: Any) -> None:
    t = type(obj)
    if t is dict:
        if not isinstance(i, KEY_TYPES):
            raise AxiomError("TypeError", f"dict keys are nil, bool, int, float or str, not {typeof(i)}")
        obj[i] = v
        return
    if isinstance(obj, list):
        if type(i) is not int:
            raise AxiomError("TypeError", f"list indexes must be int, not {typeof(i)}")
        try:
            obj[i] = v
        except IndexError:
            raise _bounds(i, obj) from None
        return
    if t is str:
        raise AxiomError("UnsupportedOperation", "str is immutable: build a new one instead")
    info = getattr(t, "__axiom_foreign__", None)
    if info is not None and "setindex" in info.ops:
        call_op(info, "setindex", obj, i, v)
        return
    raise AxiomError("TypeError", f"cannot assign to an index of {typeof(obj)}")


def slice_(obj: Any, lo: Any, hi: Any) -> Any:
    for bound in (lo, hi):
        if bound is not None and type(bound) is not int:
            raise AxiomError("TypeError", f"slice bounds must be int, not {typeof(bound)}")
    if type(obj) is str:
        return obj[lo:hi]
    if isinstance(obj, list):
        return list.__getitem__(obj, slice(lo, hi))
    if type(obj) is Range:
        return list(obj.r[lo:hi])
    raise AxiomError("TypeError", f"cannot slice {typeof(obj)}")


# --- attributes -----------------------------------------------------------------------

def _no_attr(obj: Any, name: str) -> AxiomError:
    return AxiomError("AttributeError", f"{typeof(obj)} has no attribute '{name}'")


def get_attr(obj: Any, name: str, methods: dict[type, dict[str, Any]]) -> Any:
    """`obj.name`. `methods` are the built-in types' methods (prelude.METHODS)."""
    t = type(obj)
    if t is Instance:
        fields = obj.fields
        if name in fields:
            return fields[name]
        m = obj.cls.find_method(name)
        if m is not None:
            return BoundMethod(m, obj)
        raise AxiomError("AttributeError", f"{obj.cls.name} has no attribute '{name}'")
    if t is dict:
        m = methods[dict].get(name) or _method_of(dict, name)
        if m is not None:
            return BuiltinMethod(name, m, obj)
        try:
            return obj[name]
        except KeyError:
            raise missing_key(name) from None
    if getattr(t, "axiom_type", None) == "module":
        return obj.get_symbol(name)
    if name.startswith("_"):
        raise _no_attr(obj, name)
    table = methods.get(t)
    if table is None and isinstance(obj, list):
        table = methods[list]
    if table is not None:
        m = table.get(name) or _method_of(list if isinstance(obj, list) else t, name)
        if m is not None:
            return BuiltinMethod(name, m, obj)
        raise _no_attr(obj, name)
    if isinstance(obj, AxiomError):
        if name == "kind":
            return obj.kind
        if name == "message":
            return obj.message
        if name == "trace":
            return [f"{fn} at {file}:{line}" for fn, file, line in obj.trace]
        if obj.has_payload:
            return get_attr(obj.payload, name, methods)
        raise _no_attr(obj, name)
    if t is Class:
        m = obj.find_method(name)
        if m is not None:
            return m
        if name == "name":
            return obj.name
        raise AxiomError("AttributeError", f"class {obj.name} has no method '{name}'")
    info = getattr(t, "__axiom_foreign__", None)
    if info is not None:
        if name in info.attrs:
            return to_axiom(getattr(obj, name))
        m = info.methods.get(name)
        if m is not None:
            return BoundMethod(m, obj)
    raise _no_attr(obj, name)


def set_attr(obj: Any, name: str, v: Any) -> None:
    t = type(obj)
    if t is Instance:
        obj.fields[name] = v
        return
    if t is dict:
        obj[name] = v
        return
    if getattr(t, "axiom_type", None) == "module":
        raise AxiomError("AttributeError", f"module {obj.name} is read-only: cannot set '{name}'")
    raise AxiomError("AttributeError", f"cannot set attribute '{name}' on {typeof(obj)}")


def _method_of(t: type, name: str) -> Any:
    from .prelude import method_of
    return method_of(t, name)


class BuiltinMethod(Function):
    """A built-in type's method bound to its value (`let f = xs.push`)."""

    __slots__ = ("name", "fn", "this")

    def __init__(self, name: str, fn: Any, this: Any) -> None:
        self.name = name
        self.fn = fn
        self.this = this

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(self.this, *args, **kwargs)


def make_class(name: str, parent: Any) -> Class:
    if parent is not None and type(parent) is not Class:
        raise AxiomError("TypeError", f"class {name} can only extend a class, not {typeof(parent)}")
    return Class(name, parent, {})


def super_get(cls: Class, this: Any, name: str) -> Any:
    parent = cls.parent
    m = parent.find_method(name) if parent is not None else None
    if m is None:
        where = f"the parent of {cls.name}" if parent is not None else f"{cls.name} (it has no parent)"
        raise AxiomError("AttributeError", f"{where} has no method '{name}'")
    return BoundMethod(m, this)


# --- iteration, construction -----------------------------------------------------------------

def iterate(v: Any) -> Iterator[Any]:
    t = type(v)
    if t is list or t is BoundedList or t is Range:
        return iter(v)
    if t is str:
        return iter(v)
    if t is dict or t is Set:
        return iter(list(v))  # a snapshot: changing it inside the loop is allowed
    if t is AxIterator:
        return v  # type: ignore[no-any-return]
    info = getattr(t, "__axiom_foreign__", None)
    if info is not None:
        if "iter" in info.ops:
            return iter(map(to_axiom, call_op(info, "iter", v)))
        raise AxiomError("TypeError", f"cannot iterate over {info.name}")
    if isinstance(v, Iterator):
        return v
    raise AxiomError("TypeError", f"cannot iterate over {typeof(v)}")


def make_dict(items: list[Any]) -> dict[Any, Any]:
    d: dict[Any, Any] = {}
    for i in range(0, len(items), 2):
        k = items[i]
        if not isinstance(k, KEY_TYPES):
            raise AxiomError("TypeError", f"dict keys are nil, bool, int, float or str, not {typeof(k)}")
        d[k] = items[i + 1]
    return d


def list_repeat(item: Any, n: Any) -> list[Any]:
    if type(n) is not int:
        raise AxiomError("TypeError", f"a list repeat count must be int, not {typeof(n)}")
    if n <= 0:
        return []
    memory_check(n * 8)
    t = type(item)
    if t is list or t is BoundedList:
        return [list(item) for _ in range(n)]
    if t is dict:
        return [dict(item) for _ in range(n)]
    if t is Set:
        return [item.copy() for _ in range(n)]
    return [item] * n


def make_range(a: Any, b: Any, inclusive: bool) -> Range:
    if type(a) is not int or type(b) is not int:
        op = "..=" if inclusive else ".."
        raise AxiomError("TypeError", f"{op} needs ints, not {typeof(a)} and {typeof(b)}")
    return Range(a, b, 1, inclusive=inclusive)


def unpack(v: Any, n: int) -> list[Any]:
    """The items of a list, for `let (a, b) = v`, last first (the VM pushes them)."""
    if not isinstance(v, list):
        raise AxiomError("TypeError", f"cannot destructure {typeof(v)} (expected a list of {n})")
    if len(v) != n:
        raise AxiomError("ValueError", f"cannot destructure a list of {len(v)} into {n} names")
    return v[::-1]


def format_value(v: Any, spec: str) -> str:
    """`{expr:spec}`: Python's format() for int, float and str; other values format
    their display string."""
    t = type(v)
    if len(spec) > 4:  # a width or precision: the result's size is checked before it is built
        _check_spec_size(spec, v)
    try:
        if t is int or t is float or t is str:
            return format(v, spec)
        return format(display(v), spec)
    except (ValueError, OverflowError) as e:  # OverflowError: `{n:c}` past U+10FFFF
        raise AxiomError("ValueError", f"invalid format spec '{spec}' for {typeof(v)}: {e}") from None


def _check_spec_size(spec: str, v: Any) -> None:
    """memory_check for the widest result a format spec can make (its numbers: width and
    precision), so `{x:>2000000000}` is refused before it is built."""
    digits = [run for run in "".join(c if c.isdigit() else " " for c in spec).split()]
    if any(len(run) > 18 for run in digits):  # Python refuses those itself
        return
    bound = sum(int(run) for run in digits)
    if bound > 10_000:
        memory_check(bound + (len(v) if type(v) is str else 0))


def thrown(v: Any) -> AxiomError:
    """The error `throw v` raises: errors as they are, a str as kind Error, anything else
    carried as the payload `catch` gives back."""
    if isinstance(v, AxiomError):
        return v
    if type(v) is str:
        return AxiomError("Error", v)
    return AxiomError("Error", display(v), payload=v)


def caught(e: AxiomError) -> Any:
    """What `catch e` binds."""
    return e.payload if e.has_payload else e


_FIXED_TYPES: Final = {"int": int, "i64": int, "float": float, "f64": float, "str": str,
                       "bool": bool, "dict": dict, "set": Set}


def check_fixed(spec: tuple[str, Any, str], v: Any, declaring: bool) -> Any:
    """Check (and convert) a value stored in a fixed allocation `let name(spec)`."""
    kind, arg, name = spec
    if kind == "cap":
        if type(v) is str:
            size = len(v.encode("utf-8"))
            if size > arg:
                raise AxiomError("CapacityExceeded", f"'{name}' holds at most {arg} bytes; "
                                                     f"this str has {size}")
            return v
        if isinstance(v, list):
            if len(v) > arg:
                raise AxiomError("CapacityExceeded", f"'{name}' holds at most {arg} items; "
                                                     f"this list has {len(v)}")
            if type(v) is BoundedList and v.capacity == arg:
                return v
            return BoundedList(v, arg)
        raise AxiomError("TypeError", f"'{name}' has a capacity, so it holds a str or a list, "
                                      f"not {typeof(v)}")
    if arg == "any":
        return v
    if arg == "list":
        if isinstance(v, list):
            return v
    else:
        want = _FIXED_TYPES[arg]
        if want is float and type(v) is int:
            return float(v)
        if type(v) is want:
            return v
    raise AxiomError("TypeError", f"'{name}' is declared {arg}: cannot store {typeof(v)}")
