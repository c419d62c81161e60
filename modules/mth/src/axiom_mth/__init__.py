"""Axiom module `mth`: math on the standard library's `math` — the model module.

Every export is a plain function with type hints; `@module.export` turns the hints into
argument checks (`mth.sqrt("x")` is `TypeError: mth.sqrt: argument 'x' expects float,
got str`). Functions documented as giving ints (`floor`, `ceil`, `round(x)`, `pow` of
ints, `abs` of an int) return Axiom ints; results outside the 64-bit range are Overflow.

Rounding: `round` rounds half away from zero (2.5 -> 3, -2.5 -> -3), as the original
design's Rust `f64::round` did, not Python's half-to-even.
"""

from __future__ import annotations

import math

from axiom_sdk import INT_MAX, INT_MIN, Module, check_int

module = Module("mth", summary="Math: trigonometry, rounding, number theory and constants",
                title="Math")

module.constant("PI", math.pi, "The ratio of a circle's circumference to its diameter.")
module.constant("E", math.e, "Euler's number, the base of natural logarithms.")
module.constant("TAU", math.tau, "2 * PI.")
module.constant("SQRT_2", math.sqrt(2.0), "The square root of 2.")
module.constant("INF", math.inf, "Positive infinity.")
module.constant("NAN", math.nan, "Not a number.")

Number = int | float


def _domain(name: str, x: float, why: str) -> Exception:
    return module.error("ValueError", f"mth.{name}: {why} (got {x!r})")


@module.export
def sin(x: float) -> float:
    """Sine of x (radians)."""
    return math.sin(x)


@module.export
def cos(x: float) -> float:
    """Cosine of x (radians)."""
    return math.cos(x)


@module.export
def tan(x: float) -> float:
    """Tangent of x (radians)."""
    return math.tan(x)


@module.export
def asin(x: float) -> float:
    """Arc sine of x, in radians; x must be in [-1, 1]."""
    if not -1.0 <= x <= 1.0:
        raise _domain("asin", x, "argument must be between -1 and 1")
    return math.asin(x)


@module.export
def acos(x: float) -> float:
    """Arc cosine of x, in radians; x must be in [-1, 1]."""
    if not -1.0 <= x <= 1.0:
        raise _domain("acos", x, "argument must be between -1 and 1")
    return math.acos(x)


@module.export
def atan(x: float) -> float:
    """Arc tangent of x, in radians."""
    return math.atan(x)


@module.export
def atan2(y: float, x: float) -> float:
    """Arc tangent of y/x in radians, using the signs of both to pick the quadrant."""
    return math.atan2(y, x)


@module.export
def sqrt(x: float) -> float:
    """Square root of x; x must not be negative."""
    if x < 0:
        raise module.error("ValueError", f"mth.sqrt: square root of negative number {x!r}")
    return math.sqrt(x)


@module.export
def pow(x: Number, y: Number) -> Number:
    """x raised to y: an int when both are ints and y >= 0, else a float."""
    if type(x) is int and type(y) is int and y >= 0:
        if abs(x) > 1 and y * math.log2(abs(x)) > 65:  # surely too big: do not compute it
            raise module.error("Overflow", f"mth.pow: {x} ** {y} is outside the 64-bit range")
        r = x**y
        if not INT_MIN <= r <= INT_MAX:
            raise module.error("Overflow", f"mth.pow: {x} ** {y} is outside the 64-bit range")
        return r
    if x == 0 and y < 0:
        raise module.error("DivisionByZero", "mth.pow: zero to a negative power")
    try:
        r = math.pow(x, y)
    except ValueError:
        raise _domain("pow", x, f"negative base to a fractional power {y!r}") from None
    return r


@module.export
def abs(x: Number) -> Number:
    """Absolute value of x (an int for an int)."""
    if type(x) is int:
        return check_int(-x if x < 0 else x)
    return math.fabs(x)


@module.export
def ln(x: float) -> float:
    """Natural logarithm of x; x must be positive."""
    if x <= 0:
        raise _domain("ln", x, "logarithm of a number that is not positive")
    return math.log(x)


@module.export
def log10(x: float) -> float:
    """Base-10 logarithm of x; x must be positive."""
    if x <= 0:
        raise _domain("log10", x, "logarithm of a number that is not positive")
    return math.log10(x)


@module.export
def log(x: float, base: float) -> float:
    """Logarithm of x in the given base; x positive, base positive and not 1."""
    if x <= 0:
        raise _domain("log", x, "logarithm of a number that is not positive")
    if base <= 0 or base == 1.0:
        raise _domain("log", base, "base must be positive and not 1")
    return math.log(x, base)


@module.export
def exp(x: float) -> float:
    """e raised to x."""
    try:
        return math.exp(x)
    except OverflowError:
        raise module.error("Overflow", f"mth.exp: result of exp({x!r}) is too large") from None


def _to_int(name: str, x: float) -> int:
    if math.isnan(x) or math.isinf(x):
        raise module.error("ValueError", f"mth.{name}: cannot make an int of {x!r}")
    r = int(x)
    if not INT_MIN <= r <= INT_MAX:
        raise module.error("Overflow", f"mth.{name}: {x!r} is outside the 64-bit int range")
    return r


@module.export
def floor(x: Number) -> int:
    """The largest int not greater than x."""
    return x if type(x) is int else _to_int("floor", math.floor(x) if math.isfinite(x) else x)


@module.export
def ceil(x: Number) -> int:
    """The smallest int not less than x."""
    return x if type(x) is int else _to_int("ceil", math.ceil(x) if math.isfinite(x) else x)


@module.export
def round(x: Number, digits: int = 0) -> Number:
    """x rounded half away from zero: an int when digits <= 0, else a float with that many
    decimal places."""
    if type(x) is int and digits >= 0:
        return x if digits == 0 else float(x)
    if isinstance(x, float) and not math.isfinite(x):
        if digits > 0:
            return x
        return _to_int("round", x)
    from decimal import ROUND_HALF_UP, Decimal
    q = Decimal(x).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    if digits > 0:
        return float(q)
    r = int(q)
    if not INT_MIN <= r <= INT_MAX:
        raise module.error("Overflow", f"mth.round: {x!r} is outside the 64-bit int range")
    return r


@module.export
def hypot(x: float, y: float) -> float:
    """The length of the vector (x, y): sqrt(x*x + y*y) without overflow."""
    return math.hypot(x, y)


@module.export
def gcd(a: int, b: int) -> int:
    """Greatest common divisor of two ints (never negative)."""
    return check_int(math.gcd(a, b))


@module.export
def factorial(n: int) -> int:
    """n! for 0 <= n <= 20 (21! does not fit in 64 bits)."""
    if n < 0:
        raise module.error("ValueError", f"mth.factorial: negative argument {n}")
    if n > 20:
        raise module.error("Overflow", f"mth.factorial: {n}! is outside the 64-bit range")
    return math.factorial(n)


@module.export
def clamp(x: Number, lo: Number, hi: Number) -> Number:
    """x limited to the range [lo, hi]."""
    if lo > hi:
        raise module.error("ValueError", f"mth.clamp: lo ({lo!r}) is greater than hi ({hi!r})")
    return lo if x < lo else hi if x > hi else x


@module.export
def is_nan(x: Number) -> bool:
    """Whether x is NaN (not a number)."""
    return type(x) is float and math.isnan(x)


@module.export
def is_inf(x: Number) -> bool:
    """Whether x is positive or negative infinity."""
    return type(x) is float and math.isinf(x)
