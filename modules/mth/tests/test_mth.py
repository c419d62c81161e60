"""mth against the standard library's math, through the SDK as scripts call it."""

import math

import pytest

from axiom_mth import module
from axiom_sdk.testing import call, raises


@pytest.mark.parametrize("name, args, result", [
    ("sin", (0,), 0.0), ("cos", (0,), 1.0), ("tan", (0,), 0.0),
    ("asin", (1,), math.pi / 2), ("acos", (1,), 0.0), ("atan", (1,), math.pi / 4),
    ("atan2", (1, 1), math.pi / 4), ("sqrt", (16,), 4.0), ("hypot", (3, 4), 5.0),
    ("pow", (2, 10), 1024), ("pow", (2, -1), 0.5), ("pow", (2.0, 3), 8.0), ("pow", (4, 0.5), 2.0),
    ("abs", (-3,), 3), ("abs", (-2.5,), 2.5),
    ("ln", (math.e,), 1.0), ("log10", (1000,), 3.0), ("log", (8, 2), 3.0), ("exp", (0,), 1.0),
    ("floor", (2.7,), 2), ("floor", (-2.5,), -3), ("ceil", (2.1,), 3), ("floor", (7,), 7),
    ("round", (2.5,), 3), ("round", (-2.5,), -3), ("round", (2.4,), 2),
    ("round", (2.675, 2), 2.67), ("round", (0.125, 2), 0.13), ("round", (1234, -2), 1200),
    ("gcd", (12, 18), 6), ("gcd", (-4, 6), 2), ("factorial", (5,), 120), ("factorial", (20,), 2432902008176640000),
    ("clamp", (5, 0, 3), 3), ("clamp", (-1, 0, 3), 0), ("clamp", (1.5, 0, 3), 1.5),
    ("is_nan", (float("nan"),), True), ("is_nan", (1,), False), ("is_inf", (float("-inf"),), True),
])
def test_values(name, args, result):
    got = call(module, name, *args)
    assert got == pytest.approx(result) if isinstance(result, float) else got == result
    assert type(got) is type(result)


def test_constants():
    module.init()
    assert [module.get_symbol(n) for n in ("PI", "E", "TAU")] == [math.pi, math.e, math.tau]
    assert module.get_symbol("SQRT_2") == math.sqrt(2)
    assert module.get_symbol("INF") == math.inf and math.isnan(module.get_symbol("NAN"))


@pytest.mark.parametrize("name, args, kind, message", [
    ("sqrt", (-1,), "ValueError", "mth.sqrt: square root of negative number -1.0"),
    ("ln", (0,), "ValueError", "mth.ln: logarithm of a number that is not positive (got 0.0)"),
    ("asin", (2,), "ValueError", "mth.asin: argument must be between -1 and 1 (got 2.0)"),
    ("log", (8, 1), "ValueError", "mth.log: base must be positive and not 1 (got 1.0)"),
    ("pow", (2, 64), "Overflow", "mth.pow: 2 ** 64 is outside the 64-bit range"),
    ("pow", (10, 10**18), "Overflow", "mth.pow: 10 ** 1000000000000000000 is outside the 64-bit range"),
    ("factorial", (21,), "Overflow", "mth.factorial: 21! is outside the 64-bit range"),
    ("factorial", (-1,), "ValueError", "mth.factorial: negative argument -1"),
    ("abs", (-(2**63),), "Overflow", "integer 9223372036854775808 is outside the 64-bit range"),
    ("floor", (float("inf"),), "ValueError", "mth.floor: cannot make an int of inf"),
    ("exp", (1000,), "Overflow", "mth.exp: result of exp(1000.0) is too large"),
    ("clamp", (1, 3, 0), "ValueError", "mth.clamp: lo (3) is greater than hi (0)"),
    ("sqrt", ("4",), "TypeError", "mth.sqrt: argument 'x' expects float, got str"),
    ("gcd", (1.5, 2), "TypeError", "mth.gcd: argument 'a' expects int, got float"),
    ("pow", (0, -1), "DivisionByZero", "mth.pow: zero to a negative power"),
])
def test_errors(name, args, kind, message):
    err = raises(module, name, *args)
    assert (err.kind, err.message) == (kind, message)


def test_every_export_is_documented():
    for name in module.list_exports():
        sig, doc = module.describe(name)
        assert doc, name
