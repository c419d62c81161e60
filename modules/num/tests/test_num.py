"""num against the real numpy, through the SDK as scripts call it."""

import math
import warnings

import pytest

from axiom_num import Tensor, module
from axiom_sdk import AxiomError, display, typeof
from axiom_sdk.testing import call, raises

OPS = Tensor.__axiom_foreign__.ops


def t(data):
    return call(module, "vector", data)


def as_list(x):
    assert isinstance(x, Tensor)
    return call(module, "to_list", x)


def exact(got, expected):
    """got equals expected and every number has the expected type (int vs float)."""
    assert got == expected
    assert _types(got) == _types(expected)


def _types(x):
    return [_types(v) for v in x] if isinstance(x, list) else type(x)


# --- making tensors -----------------------------------------------------------------

def test_vector_keeps_ints_and_nests():
    exact(as_list(t([1, 2, 3])), [1, 2, 3])
    exact(as_list(t([1, 2.5])), [1.0, 2.5])
    exact(as_list(t([[1, 2], [3, 4]])), [[1, 2], [3, 4]])
    exact(as_list(t([])), [])
    assert typeof(t([1])) == "tensor"


@pytest.mark.parametrize("name, args, expected", [
    ("zeros", (3,), [0.0, 0.0, 0.0]),
    ("zeros", ([2, 1],), [[0.0], [0.0]]),
    ("ones", ([1, 2],), [[1.0, 1.0]]),
    ("ones", (0,), []),
    ("arange", (0, 5), [0, 1, 2, 3, 4]),
    ("arange", (1, 10, 3), [1, 4, 7]),
    ("arange", (5, 0, -2), [5, 3, 1]),
    ("arange", (0, 1, 0.25), [0.0, 0.25, 0.5, 0.75]),
    ("linspace", (0, 1, 5), [0.0, 0.25, 0.5, 0.75, 1.0]),
    ("linspace", (2, 2, 1), [2.0]),
    ("reshape", ([1, 2, 3, 4, 5, 6], [2, 3]), [[1, 2, 3], [4, 5, 6]]),
    ("reshape", ([[1, 2], [3, 4]], 4), [1, 2, 3, 4]),
    ("reshape", ([1, 2, 3, 4], [-1, 1]), [[1], [2], [3], [4]]),
    ("transpose", ([[1, 2, 3], [4, 5, 6]],), [[1, 4], [2, 5], [3, 6]]),
    ("transpose", ([1, 2],), [1, 2]),
    ("multiply", ([1, 2, 3], [4, 5, 6]), [4, 10, 18]),
    ("multiply", ([1, 2], 2.5), [2.5, 5.0]),
    ("multiply", ([[1, 2], [3, 4]], 3), [[3, 6], [9, 12]]),
    ("matmul", ([[1, 2], [3, 4]], [[5, 6], [7, 8]]), [[19, 22], [43, 50]]),
    ("matmul", ([[1, 2], [3, 4]], [1, 1]), [3, 7]),
    ("dot", ([[1, 0], [0, 1]], [[2, 3], [4, 5]]), [[2, 3], [4, 5]]),
    ("inv", ([[2, 0], [0, 4]],), [[0.5, 0.0], [0.0, 0.25]]),
    ("solve", ([[2, 0], [0, 4]], [2, 8]), [1.0, 2.0]),
    ("solve", ([[1, 1], [0, 2]], [[3, 1], [2, 4]]), [[2.0, -1.0], [1.0, 2.0]]),
])
def test_tensor_results(name, args, expected):
    exact(as_list(call(module, name, *args)), expected)


def test_functions_take_tensors_as_well_as_lists():
    exact(as_list(call(module, "transpose", t([[1, 2]]))), [[1], [2]])
    assert call(module, "sum", t([1, 2])) == 3


def test_random_is_deterministic_for_a_seed():
    a = as_list(call(module, "random", [2, 2], 42))
    exact(a, [[0.7739560485559633, 0.4388784397520523],
              [0.8585979199113825, 0.6973680290593639]])
    assert as_list(call(module, "random", [2, 2], seed=42)) == a
    assert as_list(call(module, "random", 3, 7)) != as_list(call(module, "random", 3, 8))
    fresh = as_list(call(module, "random", 1000))
    assert all(0.0 <= x < 1.0 for x in fresh) and len(set(fresh)) == 1000


# --- plain results ------------------------------------------------------------------

@pytest.mark.parametrize("name, args, expected", [
    ("shape", ([[1, 2, 3], [4, 5, 6]],), [2, 3]),
    ("shape", ([],), [0]),
    ("sum", ([1, 2, 3],), 6),
    ("sum", ([[1, 2], [3, 4.5]],), 10.5),
    ("sum", ([],), 0.0),
    ("mean", ([1, 2, 3, 4],), 2.5),
    ("mean", ([2, 2],), 2.0),
    ("std", ([1, 2, 3, 4],), 1.118033988749895),
    ("std", ([5, 5],), 0.0),
    ("min", ([3, -1, 2],), -1),
    ("max", ([[3, 1], [2, 9]],), 9),
    ("min", ([0.5, 2],), 0.5),
    ("max", ([0.5, 2],), 2.0),
    ("dot", ([1, 2, 3], [4, 5, 6]), 32),
    ("dot", ([0.5, 2], [2, 1]), 3.0),
    ("matmul", ([1, 2], [3, 4]), 11),
    ("det", ([[1, 2], [3, 4]],), -2),
    ("det", ([[0, 1, 2], [1, 0, 3], [4, -3, 8]],), -2),
    ("det", ([[1, 2], [2, 4]],), 0),
    ("det", ([[0.5, 1], [2, 1]],), -1.5),
    ("to_list", ([[1.5, 2], [3, 4]],), [[1.5, 2.0], [3.0, 4.0]]),
])
def test_plain_results(name, args, expected):
    exact(call(module, name, *args), expected)


def test_det_of_a_big_int_matrix_is_exact():
    from fractions import Fraction
    m = [[(i * 7 + j * 3) % 11 + (i == j) * 20 for j in range(12)] for i in range(12)]
    assert call(module, "det", m) == _fraction_det([[Fraction(x) for x in r] for r in m])


def _fraction_det(m):
    det = 1
    for k in range(len(m)):
        pivot = next(i for i in range(k, len(m)) if m[i][k] != 0)
        if pivot != k:
            m[k], m[pivot] = m[pivot], m[k]
            det = -det
        det *= m[k][k]
        for i in range(k + 1, len(m)):
            f = m[i][k] / m[k][k]
            m[i] = [a - f * b for a, b in zip(m[i], m[k])]
    return det


def test_no_numpy_scalar_leaks():
    x = t([[1, 2], [3, 4]])
    for name in ("sum", "min", "max", "det"):
        assert type(call(module, name, x)) is int
    for name in ("mean", "std"):
        assert type(call(module, name, x)) is float
    assert type(OPS["index"](t([1.5]), 0)) is float
    assert all(type(v) is int for v in call(module, "shape", x))


# --- operators ------------------------------------------------------------------------

@pytest.mark.parametrize("op, left, right, reflected, expected", [
    ("+", [1, 2], [10, 20], False, [11, 22]),
    ("+", [1, 2], 1, False, [2, 3]),
    ("+", [1, 2], 0.5, True, [1.5, 2.5]),
    ("-", [5, 5], [1, 2], False, [4, 3]),
    ("-", [1, 2], 10, True, [9, 8]),
    ("*", [[1, 2], [3, 4]], 2, False, [[2, 4], [6, 8]]),
    ("*", [1, 2], [3, 4], False, [3, 8]),
    ("/", [1, 2], 2, False, [0.5, 1.0]),
    ("/", [1, 4], 4, True, [4.0, 1.0]),
    ("+", [[1, 2], [3, 4]], [10, 20], False, [[11, 22], [13, 24]]),
])
def test_operators(op, left, right, reflected, expected):
    other = t(right) if isinstance(right, list) else right
    exact(as_list(OPS[op](t(left), other, reflected)), expected)


def test_division_by_zero_follows_ieee_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = as_list(OPS["/"](t([1, -1, 0]), 0, False))
    assert got[:2] == [math.inf, -math.inf] and math.isnan(got[2])
    assert display(OPS["/"](t([1.0, 0.0]), t([0.0, 0.0]), False)) == "tensor([inf, nan])"


def test_operators_refuse_other_types():
    assert OPS["+"](t([1]), "a", False) is NotImplemented
    assert OPS["*"](t([1]), True, False) is NotImplemented
    assert OPS["-"](t([1]), [1], True) is NotImplemented


def test_operator_shape_mismatch_is_a_value_error():
    err = pytest.raises(AxiomError, OPS["+"], t([1, 2]), t([1, 2, 3]), False).value
    assert (err.kind, err.message) == ("ValueError", "tensor shapes [2] and [3] do not match for +")


def test_negation_index_len_iter_and_equality():
    m = t([[1, 2], [3, 4]])
    exact(as_list(OPS["neg"](m)), [[-1, -2], [-3, -4]])
    exact(as_list(OPS["index"](m, 1)), [3, 4])
    exact(as_list(OPS["index"](m, -2)), [1, 2])
    row = t([1.5, 2.5])
    exact(OPS["index"](row, 1), 2.5)
    exact(OPS["index"](t([7, 8]), 0), 7)
    assert OPS["len"](m) == 2 and OPS["len"](t([])) == 0
    exact([as_list(r) for r in OPS["iter"](m)], [[1, 2], [3, 4]])
    exact(list(OPS["iter"](t([5, 6]))), [5, 6])
    assert t([1, 2]) == t([1.0, 2.0])
    assert t([1, 2]) != t([1, 3]) and t([1, 2]) != t([[1, 2]]) and t([1]) != [1]


def test_index_errors():
    err = pytest.raises(AxiomError, OPS["index"], t([1, 2]), 2).value
    assert (err.kind, err.message) == ("IndexOutOfBounds", "index 2 out of bounds for tensor of length 2")
    err = pytest.raises(AxiomError, OPS["index"], t([1, 2]), "0").value
    assert (err.kind, err.message) == ("TypeError", "tensor indexes must be int, not str")


# --- display ----------------------------------------------------------------------------

@pytest.mark.parametrize("data, shown", [
    ([1.0, 2.0], "tensor([1.0, 2.0])"),
    ([1, 2, 3], "tensor([1, 2, 3])"),
    ([], "tensor([])"),
    ([[1, -2], [30, 4]], "tensor([[ 1, -2],\n        [30,  4]])"),
    ([[[1, 2]], [[3, 4]]], "tensor([[[1, 2]],\n\n        [[3, 4]]])"),
    ([0.1, 1e-05, 1e16], "tensor([0.1, 1e-05, 1e+16])"),
])
def test_display(data, shown):
    assert display(t(data)) == shown


def test_display_abbreviates_big_tensors():
    assert display(call(module, "arange", 0, 2000)) == "tensor([0, 1, 2, ..., 1997, 1998, 1999])"
    big = display(call(module, "reshape", call(module, "arange", 0, 1100), [100, 11]))
    lines = big.split("\n")
    assert lines[0] == "tensor([[   0,    1,    2, ...,    8,    9,   10],"
    assert lines[3] == "        ...,"
    assert lines[-1] == "        [1089, 1090, 1091, ..., 1097, 1098, 1099]])"
    assert len(lines) == 7


# --- errors ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, args, kind, message", [
    ("vector", ([[1, 2], [3]],), "ValueError", "num.vector: rows must all be lists of the same length"),
    ("vector", ([[1, 2], 3],), "ValueError", "num.vector: rows must all be lists of the same length"),
    ("vector", ([1, [2]],), "TypeError", "num.vector: elements must be numbers, got a list mixed with numbers"),
    ("vector", ([1, "2"],), "TypeError", "num.vector: elements must be numbers, got str"),
    ("vector", ([True],), "TypeError", "num.vector: elements must be numbers, got bool"),
    ("vector", (5,), "TypeError", "num.vector: argument 'data' expects list, got int"),
    ("zeros", ([2, -1],), "ValueError", "num.zeros: shape dimensions must be >= 0, got [2, -1]"),
    ("ones", ([],), "ValueError", "num.ones: shape must have at least one dimension"),
    ("ones", ([2.5],), "TypeError", "num.ones: shape must be a list of ints, got float in it"),
    ("zeros", ("3",), "TypeError", "num.zeros: argument 'shape' expects int or list, got str"),
    ("arange", (0, 5, 0), "ValueError", "num.arange: step must not be 0"),
    ("linspace", (0, 1, -1), "ValueError", "num.linspace: n must be >= 0, got -1"),
    ("random", (2, -1), "ValueError", "num.random: seed must be >= 0, got -1"),
    ("reshape", ([1, 2, 3], [2, 2]), "ValueError", "num.reshape: cannot reshape a tensor of 3 numbers into shape [2, 2]"),
    ("mean", ([],), "ValueError", "num.mean: empty tensor"),
    ("std", ([],), "ValueError", "num.std: empty tensor"),
    ("min", ([],), "ValueError", "num.min: empty tensor"),
    ("max", ([[]],), "ValueError", "num.max: empty tensor"),
    ("dot", ([1, 2], [1, 2, 3]), "ValueError", "num.dot: shapes [2] and [3] do not match"),
    ("matmul", ([[1, 2, 3]], [[1, 2, 3]]), "ValueError", "num.matmul: shapes [1, 3] and [1, 3] do not match"),
    ("multiply", ([1, 2], [1, 2, 3]), "ValueError", "num.multiply: shapes [2] and [3] do not match"),
    ("inv", ([[1, 2, 3], [4, 5, 6]],), "ValueError", "num.inv: matrix is not square (2x3)"),
    ("inv", ([[1, 2], [2, 4]],), "ValueError", "num.inv: matrix is singular"),
    ("inv", ([1, 2],), "ValueError", "num.inv: expects a 2-D tensor (a matrix), got a 1-D tensor"),
    ("det", ([[1, 2]],), "ValueError", "num.det: matrix is not square (1x2)"),
    ("solve", ([[1, 2], [2, 4]], [1, 2]), "ValueError", "num.solve: matrix is singular"),
    ("solve", ([[1, 0], [0, 1]], [1, 2, 3]), "ValueError",
     "num.solve: shapes [2, 2] and [3] do not match (b needs 2 rows)"),
    ("solve", ([[1, 0, 0], [0, 1, 0]], [1, 2]), "ValueError", "num.solve: matrix is not square (2x3)"),
    ("sum", ("x",), "TypeError", "num.sum: argument 't' expects tensor or list, got str"),
])
def test_errors(name, args, kind, message):
    err = raises(module, name, *args)
    assert (err.kind, err.message) == (kind, message)


def test_every_export_is_documented():
    for name in module.list_exports():
        sig, doc = module.describe(name)
        assert doc, name


def test_a_tensor_stands_for_nested_lists_of_plain_numbers():
    from axiom_sdk import to_data
    from axiom_sdk._convert import converter_for
    t = call(module, "vector", [[1, 2], [3, 4]])
    data = to_data(t)
    assert data == [[1, 2], [3, 4]] and type(data[0][0]) is int
    assert to_data(call(module, "zeros", 2)) == [0.0, 0.0]
    conv, _ = converter_for(list)  # what another module's `list` parameter does with it
    assert conv(t) == [[1, 2], [3, 4]]
