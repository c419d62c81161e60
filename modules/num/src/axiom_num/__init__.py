"""Axiom module `num`: numeric arrays — tensors and linear algebra on numpy.

A [tensor] wraps a numpy ndarray of one of two element types: int (int64), when every
number it was made from is an int, or float (float64). Functions that take a tensor
also take a (nested) list of numbers, converted as `vector` does. Nothing numpy-typed
ever leaves the module: reductions give plain ints and floats, `to_list` plain lists.

Decisions where the spec is silent:
- Display: `tensor([1.0, 2.5])` for 1-D; 2-D and higher print one row per line, numbers
  right-aligned to a common width, as numpy does (`tensor([[ 1, -2],\\n        [ 3,  4]])`).
  Numbers use Axiom's display (`1.0`, `nan`, `inf`). A tensor of more than 1000
  numbers shows the first and last 3 entries of each long axis with `...` between.
- Operators `+ - * /` work element-wise between tensors (numpy broadcasting) and with
  numbers on either side; unary `-` negates. `/` is always numpy's true division, so it
  gives a float tensor even for int tensors (unlike `/` on two Axiom ints). Dividing by
  zero follows IEEE as numpy does (`inf`, `-inf`, `nan`), with no warning printed;
  int tensors follow numpy's int64 arithmetic, which wraps around on overflow.
- `t[i]` gives row i (a tensor) of a tensor with 2 or more dimensions, and a plain
  number of a 1-D one; negative indexes count from the end. `len(t)` is the length of
  the first axis; `for x in t` yields what `t[i]` gives. Two tensors are `==` when they
  have the same shape and equal numbers. Tensors are immutable (no `t[i] = x`).
- `sum`, `min`, `max`, `dot` and `matmul` of 1-D int tensors, and `det` of an int matrix,
  give ints (`det` computed exactly, by fraction-free elimination); of float tensors,
  floats. `mean` and `std` always give floats; `std` is the population standard
  deviation (numpy's default, ddof=0). `mean`, `std`, `min` and `max` of an empty
  tensor are a ValueError.
- `zeros`, `ones`, `linspace`, `random`, `inv` and `solve` give float tensors;
  `arange` gives an int tensor when its three arguments are ints.
- `random(shape, seed=nil)` draws uniform floats in [0, 1) from numpy's default
  generator (PCG64); the same seed always gives the same numbers, nil a fresh seed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from axiom_sdk import Module, check_int, display, memory_check
from axiom_sdk import typeof as _typeof

module = Module("num", summary="Numeric arrays: tensors and linear algebra on numpy",
                title="Numeric arrays")
module.translate(np.linalg.LinAlgError, "ValueError")

Number = int | float
_MAX_SHOWN = 1000  # a tensor with more numbers than this displays abbreviated
_EDGE = 3          # numbers shown at each end of a long axis when abbreviated


def _err(kind: str, name: str, message: str) -> Exception:
    return module.error(kind, f"num.{name}: {message}")


# --- the tensor type ------------------------------------------------------------------

def _show_shape(a: np.ndarray) -> str:
    return "[" + ", ".join(str(n) for n in a.shape) + "]"


def _plain(x: Any) -> int | float:
    """A numpy scalar (or 0-d array) as a plain Axiom int or float."""
    v = x.item()
    return check_int(v) if type(v) is int else float(v)


def _wrap(a: np.ndarray) -> Tensor | int | float:
    """An array result: a Tensor, or a plain number for a 0-d result."""
    return _plain(a) if a.ndim == 0 else Tensor(a)


def _display(t: Tensor) -> str:
    a = t.a
    short = a.size > _MAX_SHOWN
    items = [display(x) for x in _shown(a.tolist() if not short else _abbreviate(a))]
    width = max((len(s) for s in items), default=0) if a.ndim > 1 else 0
    cells = iter(s.rjust(width) for s in items)
    return "tensor(" + _layout(a.shape, cells, short, 1, len("tensor(")) + ")"


def _abbreviate(a: np.ndarray) -> list[Any]:
    """The nested lists of the numbers shown when `a` is too big to print in full; `...`
    stands for the numbers left out."""
    if a.ndim == 0:
        return a.item()
    n = a.shape[0]
    if n > 2 * _EDGE:
        return [_abbreviate(a[i]) for i in range(_EDGE)] + [...] + \
               [_abbreviate(a[i]) for i in range(n - _EDGE, n)]
    return [_abbreviate(a[i]) for i in range(n)]


def _shown(nested: Any) -> Iterator[Any]:
    """The numbers of a nested list, flattened in order (`...` markers skipped)."""
    if isinstance(nested, list):
        for x in nested:
            yield from _shown(x)
    elif nested is not ...:
        yield nested


def _layout(shape: tuple[int, ...], cells: Iterator[str], short: bool, depth: int,
            indent: int) -> str:
    """One axis of the display: `[a, b]`, with sub-arrays one per line."""
    n = shape[0]
    if short and n > 2 * _EDGE:
        positions: list[int | None] = [*range(_EDGE), None, *range(n - _EDGE, n)]
    else:
        positions = list(range(n))
    if len(shape) == 1:
        return "[" + ", ".join("..." if p is None else next(cells) for p in positions) + "]"
    sep = "," + "\n" * (len(shape) - 1) + " " * (indent + depth)
    parts = ["..." if p is None else _layout(shape[1:], cells, short, depth + 1, indent)
             for p in positions]
    return "[" + sep.join(parts) + "]"


def _binary(op: str, fn: Callable[[Any, Any], Any]) -> Callable[[Tensor, Any, bool], Any]:
    """A tensor operator: element-wise with a tensor or a number on either side."""
    def apply(self: Tensor, other: Any, reflected: bool) -> Any:
        b: Any
        if isinstance(other, Tensor):
            b = other.a
        elif type(other) is int or type(other) is float:
            b = other
        else:
            return NotImplemented
        x, y = (b, self.a) if reflected else (self.a, b)
        try:
            with np.errstate(all="ignore"):
                return Tensor(np.asarray(fn(x, y)))
        except ValueError:
            shapes = [_show_shape(np.asarray(v)) for v in (x, y)]
            raise module.error("ValueError", f"tensor shapes {shapes[0]} and {shapes[1]} "
                                             f"do not match for {op}") from None
    return apply


def _index(self: Tensor, i: Any) -> Any:
    if type(i) is not int:
        raise module.error("TypeError", f"tensor indexes must be int, not {_typeof(i)}")
    n = self.a.shape[0]
    if not -n <= i < n:
        raise module.error("IndexOutOfBounds", f"index {i} out of bounds for tensor of length {n}")
    return _wrap(self.a[i])


def _neg(self: Tensor) -> Tensor:
    return Tensor(-self.a)


def _len(self: Tensor) -> int:
    return int(self.a.shape[0])


def _iter(self: Tensor) -> Iterator[Any]:
    return (_wrap(row) for row in self.a)


def _dump(t: Tensor) -> bytes:
    """A tensor as .npy bytes (data only: no pickled objects), to go to another process."""
    import io
    buf = io.BytesIO()
    np.save(buf, t.a, allow_pickle=False)
    return buf.getvalue()


def _load(data: bytes) -> Tensor:
    import io
    a = np.load(io.BytesIO(data), allow_pickle=False)
    if a.dtype not in (np.int64, np.float64) or a.ndim < 1:
        raise ValueError(f"num: a tensor holds int64 or float64 numbers, not {a.dtype}")
    return Tensor(a)


@module.foreign_type("tensor", display=_display, to_data=lambda t: t.a.tolist(),
                     transfer=(_dump, _load), ops={
    "+": _binary("+", np.add), "-": _binary("-", np.subtract),
    "*": _binary("*", np.multiply), "/": _binary("/", np.true_divide),
    "neg": _neg, "index": _index, "len": _len, "iter": _iter,
})
class Tensor:
    """A numpy array of int64 or float64 numbers with at least one dimension."""

    __slots__ = ("a",)

    def __init__(self, a: np.ndarray) -> None:
        self.a = a

    def __eq__(self, other: object) -> bool:  # Axiom `==` uses Python equality
        return isinstance(other, Tensor) and bool(np.array_equal(self.a, other.a))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return _display(self)


Array = Tensor | list


# --- making tensors -------------------------------------------------------------------

def _shape_of(name: str, data: Any, depth: int = 0) -> tuple[tuple[int, ...], bool]:
    """The shape of nested lists of numbers, and whether every number is an int.
    Ragged rows are a ValueError, anything but numbers a TypeError."""
    if depth > 32:
        raise _err("ValueError", name, "lists nested more than 32 deep")
    if not data:
        return (0,), True
    first = data[0]
    if isinstance(first, list):
        inner, ints = _shape_of(name, first, depth + 1)
        for row in data[1:]:
            if not isinstance(row, list):
                raise _err("ValueError", name, "rows must all be lists of the same length")
            s, i = _shape_of(name, row, depth + 1)
            if s != inner:
                raise _err("ValueError", name, "rows must all be lists of the same length")
            ints = ints and i
        return (len(data), *inner), ints
    ints = True
    for x in data:
        t = type(x)
        if t is float:
            ints = False
        elif t is not int:
            what = "a list mixed with numbers" if t is list or isinstance(x, list) else _typeof(x)
            raise _err("TypeError", name, f"elements must be numbers, got {what}")
    return (len(data),), ints


def _array(name: str, x: Tensor | list) -> np.ndarray:
    """The ndarray of a tensor argument, or of a list converted as `vector` does."""
    if isinstance(x, Tensor):
        return x.a
    shape, ints = _shape_of(name, x)
    if len(shape) > 1 and shape[-1] == 0:
        ints = False
    return np.array(x, dtype=np.int64 if ints and x else np.float64).reshape(shape)


def _shape(name: str, shape: int | list, *, allow_unknown: bool = False) -> tuple[int, ...]:
    """A shape argument (an int or a list of ints) as a tuple, checked."""
    dims: list[Any] = [shape] if isinstance(shape, int) else shape
    if not dims:
        raise _err("ValueError", name, "shape must have at least one dimension")
    for d in dims:
        if type(d) is not int:
            raise _err("TypeError", name, f"shape must be a list of ints, got {_typeof(d)} in it")
        if d < 0 and not (allow_unknown and d == -1):
            raise _err("ValueError", name, f"shape dimensions must be >= 0, got {display(shape)}")
    if not allow_unknown:  # a new tensor of 8-byte numbers: its size is checked first
        memory_check(8 * math.prod(dims), f"num.{name}")
    return tuple(dims)


@module.export
def vector(data: list) -> Tensor:
    """A tensor from a list of numbers; a list of lists makes a 2-D tensor, and so on."""
    return Tensor(_array("vector", data))


@module.export
def zeros(shape: int | list) -> Tensor:
    """A float tensor of the given shape (an int or a list of ints) filled with 0.0."""
    return Tensor(np.zeros(_shape("zeros", shape)))


@module.export
def ones(shape: int | list) -> Tensor:
    """A float tensor of the given shape (an int or a list of ints) filled with 1.0."""
    return Tensor(np.ones(_shape("ones", shape)))


@module.export
def arange(a: Number, b: Number, step: Number = 1) -> Tensor:
    """The numbers from a up to (not including) b by step: ints when all three are ints."""
    if step == 0:
        raise _err("ValueError", "arange", "step must not be 0")
    ints = type(a) is int and type(b) is int and type(step) is int
    if math.isfinite(a) and math.isfinite(b) and math.isfinite(step):
        memory_check(8 * max(0, math.ceil((b - a) / step)), "num.arange")
    return Tensor(np.arange(a, b, step, dtype=np.int64 if ints else np.float64))


@module.export
def linspace(a: Number, b: Number, n: int) -> Tensor:
    """n evenly spaced floats from a to b, both included."""
    if n < 0:
        raise _err("ValueError", "linspace", f"n must be >= 0, got {n}")
    memory_check(8 * n, "num.linspace")
    return Tensor(np.linspace(a, b, n, dtype=np.float64))


@module.export
def random(shape: int | list, seed: int | None = None) -> Tensor:
    """Uniform floats in [0, 1) of the given shape; the same seed gives the same numbers."""
    if seed is not None and seed < 0:
        raise _err("ValueError", "random", f"seed must be >= 0, got {seed}")
    return Tensor(np.random.default_rng(seed).random(_shape("random", shape)))


# --- shape ----------------------------------------------------------------------------

@module.export
def shape(t: Array) -> list:
    """The length of each axis, as a list of ints ([2, 3] for 2 rows of 3)."""
    return [int(n) for n in _array("shape", t).shape]


@module.export
def reshape(t: Array, shape: int | list) -> Tensor:
    """The same numbers in a new shape (one dimension may be -1: worked out)."""
    a = _array("reshape", t)
    dims = _shape("reshape", shape, allow_unknown=True)
    try:
        return Tensor(a.reshape(dims))
    except ValueError:
        raise _err("ValueError", "reshape", f"cannot reshape a tensor of {a.size} numbers "
                                            f"into shape {display(list(dims))}") from None


@module.export
def transpose(t: Array) -> Tensor:
    """The tensor with its axes reversed (rows become columns); a 1-D tensor is unchanged."""
    return Tensor(_array("transpose", t).T)


@module.export
def to_list(t: Array) -> list:
    """The numbers as nested lists of plain ints or floats."""
    return _array("to_list", t).tolist()  # type: ignore[no-any-return]


# --- reductions -----------------------------------------------------------------------

def _nonempty(name: str, t: Array) -> np.ndarray:
    a = _array(name, t)
    if a.size == 0:
        raise _err("ValueError", name, "empty tensor")
    return a


@module.export
def sum_(t: Array) -> Number:
    """The sum of all numbers: an int for an int tensor, else a float."""
    with np.errstate(all="ignore"):
        return _plain(_array("sum", t).sum())


@module.export
def mean(t: Array) -> float:
    """The arithmetic mean of all numbers, as a float."""
    with np.errstate(all="ignore"):
        return float(_nonempty("mean", t).mean())


@module.export
def std(t: Array) -> float:
    """The population standard deviation of all numbers (ddof=0), as a float."""
    with np.errstate(all="ignore"):
        return float(_nonempty("std", t).std())


@module.export
def min_(t: Array) -> Number:
    """The smallest number: an int for an int tensor, else a float."""
    return _plain(_nonempty("min", t).min())


@module.export
def max_(t: Array) -> Number:
    """The largest number: an int for an int tensor, else a float."""
    return _plain(_nonempty("max", t).max())


# --- products -------------------------------------------------------------------------

def _product(name: str, fn: Callable[[Any, Any], Any], a: np.ndarray, b: Any) -> Any:
    try:
        with np.errstate(all="ignore"):
            return _wrap(np.asarray(fn(a, b)))
    except ValueError:
        raise _err("ValueError", name, f"shapes {_show_shape(a)} and "
                                       f"{_show_shape(np.asarray(b))} do not match") from None


@module.export
def dot(a: Array, b: Array) -> Tensor | Number:
    """Dot product: a number for two 1-D tensors, the matrix product for 2-D ones."""
    return _product("dot", np.dot, _array("dot", a), _array("dot", b))


@module.export
def matmul(a: Array, b: Array) -> Tensor | Number:
    """Matrix product of a and b (a number when both are 1-D)."""
    return _product("matmul", np.matmul, _array("matmul", a), _array("matmul", b))


@module.export
def multiply(a: Array, b: Tensor | list | int | float) -> Tensor:
    """Element-wise product of two tensors of the same shape, or of a tensor and a number."""
    other = b if isinstance(b, int | float) else _array("multiply", b)
    return _product("multiply", np.multiply, _array("multiply", a), other)  # type: ignore[no-any-return]


# --- linear algebra -------------------------------------------------------------------

def _square(name: str, t: Array) -> np.ndarray:
    """The ndarray of a square matrix argument; anything else is a ValueError."""
    a = _array(name, t)
    if a.ndim != 2:
        raise _err("ValueError", name, f"expects a 2-D tensor (a matrix), got a {a.ndim}-D tensor")
    if a.shape[0] != a.shape[1]:
        raise _err("ValueError", name, f"matrix is not square ({a.shape[0]}x{a.shape[1]})")
    return a


def _singular(name: str) -> Exception:
    return _err("ValueError", name, "matrix is singular")


@module.export
def inv(a: Array) -> Tensor:
    """The inverse of a square matrix, as a float tensor."""
    m = _square("inv", a)
    try:
        return Tensor(np.linalg.inv(m.astype(np.float64)))
    except np.linalg.LinAlgError:
        raise _singular("inv") from None


@module.export
def solve(a: Array, b: Array) -> Tensor:
    """x with a · x = b, for a square matrix a and b with one row per row of a."""
    m = _square("solve", a)
    v = _array("solve", b)
    if v.ndim not in (1, 2) or v.shape[0] != m.shape[0]:
        raise _err("ValueError", "solve", f"shapes {_show_shape(m)} and {_show_shape(v)} do not "
                                          f"match (b needs {m.shape[0]} rows)")
    try:
        return Tensor(np.linalg.solve(m.astype(np.float64), v.astype(np.float64)))
    except np.linalg.LinAlgError:
        raise _singular("solve") from None


@module.export
def det(a: Array) -> Number:
    """The determinant of a square matrix: an exact int for an int matrix, else a float."""
    m = _square("det", a)
    if m.dtype == np.int64:
        return check_int(_int_det(m.tolist()))
    with np.errstate(all="ignore"):
        return float(np.linalg.det(m))


def _int_det(rows: list[list[int]]) -> int:
    """The exact determinant of an int matrix by Bareiss's fraction-free elimination."""
    m = [list(r) for r in rows]
    n, sign, prev = len(m), 1, 1
    for k in range(n - 1):
        if m[k][k] == 0:
            swap = next((i for i in range(k + 1, n) if m[i][k] != 0), None)
            if swap is None:
                return 0
            m[k], m[swap] = m[swap], m[k]
            sign = -sign
        for i in range(k + 1, n):
            for j in range(k + 1, n):
                m[i][j] = (m[i][j] * m[k][k] - m[i][k] * m[k][j]) // prev
        prev = m[k][k]
    return sign * m[n - 1][n - 1] if n else 1
