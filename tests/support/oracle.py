"""An independent model of LANGUAGE.md §2-3 and §9 (str methods), for differential tests.

Everything here is written from the spec's words, not from Axiom's code: checked 64-bit
int arithmetic, `/` truncating and `%` taking the dividend's sign, IEEE floats (signed
zero, inf, nan; `%` is fmod), mixed int/float comparison, `==` deep, ordering on numbers,
strs and lists, repetition and concatenation, display forms, and the str methods.

`expressions()` is a hypothesis strategy of expression trees; `evaluate(tree)` gives the
model's value (or raises Failure(kind)); `source(tree)` writes the tree as Axiom text;
`display(value)` is what `out` prints. `program(trees)` builds one script that prints
every tree twice: once as literals (which the optimizer may fold) and once inside a
function whose operands arrive as arguments (which only run-time code can compute, and
which a JIT compiles), each under `try`, printing the error kind when one is raised.
"""

from __future__ import annotations

import math

from hypothesis import strategies as st

INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
INF = float("inf")
NAN = float("nan")


class Failure(Exception):
    """The program raises an Axiom error of this kind."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class Skip(Exception):
    """A tree the differential test leaves out (it would build a huge value)."""


class Nil:
    """nil (None is avoided so that a model value never means "absent")."""

    def __repr__(self) -> str:
        return "nil"


NIL = Nil()


# --- the model -------------------------------------------------------------------------

def is_int(v: object) -> bool:
    return type(v) is int


def is_num(v: object) -> bool:
    return type(v) is int or type(v) is float


def checked(r: int) -> int:
    if not INT_MIN <= r <= INT_MAX:
        raise Failure("Overflow")
    return r


def truthy(v: object) -> bool:
    if v is NIL or v is False:
        return False
    if is_num(v):
        return v != 0
    if type(v) in (str, list):
        return len(v) > 0  # type: ignore[arg-type]
    return True


def repeat(seq: str | list, n: int) -> str | list:
    if n <= 0:
        return "" if type(seq) is str else []
    if len(seq) * n > 10_000:
        raise Skip()
    return seq * n


def add(a: object, b: object) -> object:
    if is_int(a) and is_int(b):
        return checked(a + b)  # type: ignore[operator]
    if is_num(a) and is_num(b):
        return float(a) + float(b)  # type: ignore[arg-type]
    if (type(a) is str and type(b) is str) or (type(a) is list and type(b) is list):
        return a + b  # type: ignore[operator]
    raise Failure("TypeError")


def sub(a: object, b: object) -> object:
    if is_int(a) and is_int(b):
        return checked(a - b)  # type: ignore[operator]
    if is_num(a) and is_num(b):
        return float(a) - float(b)  # type: ignore[arg-type]
    raise Failure("TypeError")


def mul(a: object, b: object) -> object:
    if is_int(a) and is_int(b):
        return checked(a * b)  # type: ignore[operator]
    if is_num(a) and is_num(b):
        return float(a) * float(b)  # type: ignore[arg-type]
    if type(a) in (str, list) and is_int(b):
        return repeat(a, b)  # type: ignore[arg-type]
    if is_int(a) and type(b) in (str, list):
        return repeat(b, a)  # type: ignore[arg-type]
    raise Failure("TypeError")


def div(a: object, b: object) -> object:
    if is_int(a) and is_int(b):
        if b == 0:
            raise Failure("DivisionByZero")
        q = abs(a) // abs(b)  # type: ignore[arg-type]
        return checked(q if (a < 0) == (b < 0) else -q)  # type: ignore[operator]
    if is_num(a) and is_num(b):
        if b == 0:
            raise Failure("DivisionByZero")
        return float(a) / float(b)  # type: ignore[arg-type]
    raise Failure("TypeError")


def mod(a: object, b: object) -> object:
    if is_int(a) and is_int(b):
        if b == 0:
            raise Failure("DivisionByZero")
        r = abs(a) % abs(b)  # type: ignore[arg-type]
        return -r if a < 0 else r  # type: ignore[operator]
    if is_num(a) and is_num(b):
        if b == 0:
            raise Failure("DivisionByZero")
        x, y = float(a), float(b)  # type: ignore[arg-type]
        if math.isinf(x) or math.isnan(x) or math.isnan(y):
            return NAN  # IEEE fmod: inf % y and anything with a nan are nan
        return math.fmod(x, y)
    raise Failure("TypeError")


def neg(a: object) -> object:
    if is_int(a):
        return checked(-a)  # type: ignore[operator]
    if type(a) is float:
        return -a  # type: ignore[operator]
    raise Failure("TypeError")


def equal(a: object, b: object) -> bool:
    """Deep structural equality; 1 == 1.0 and (the project's decision) true == 1."""
    num = (int, float, bool)
    if type(a) in num and type(b) in num:
        return a == b
    if type(a) is list and type(b) is list:
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))  # type: ignore[arg-type]
    if type(a) is not type(b):
        return False
    return a == b


_ORDER = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
          ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def order(op: str, a: object, b: object) -> bool:
    """`<`, `<=`, `>`, `>=` where an ordering exists: numbers (mathematically, so nan is
    unordered), strs (by code point) and lists (the first unequal pair decides; when
    there is none, the shorter list is the smaller)."""
    if is_num(a) and is_num(b):
        return _ORDER[op](a, b)
    if type(a) is str and type(b) is str:
        return _ORDER[op](a, b)
    if type(a) is list and type(b) is list:
        for x, y in zip(a, b):
            if not equal(x, y):
                return order(op, x, y)
        return _ORDER[op](len(a), len(b))
    raise Failure("TypeError")


def compare(op: str, a: object, b: object) -> bool:
    if op == "==":
        return equal(a, b)
    if op == "!=":
        return not equal(a, b)
    return order(op, a, b)


def contains(item: object, container: object) -> bool:
    if type(container) is str:
        if type(item) is not str:
            raise Failure("TypeError")
        return item in container
    if type(container) is list:
        return any(equal(x, item) for x in container)
    raise Failure("TypeError")


def length(v: object) -> int:
    if type(v) in (str, list):
        return len(v)  # type: ignore[arg-type]
    raise Failure("TypeError")


def str_method(name: str, s: str, args: list[object]) -> object:
    if name == "upper":
        return s.upper()
    if name == "lower":
        return s.lower()
    if name == "trim":
        return s.strip()
    if name == "len":
        return len(s)
    if name == "chars":
        return list(s)
    if name == "split":
        sep = args[0] if args else None
        if sep == "":
            raise Failure("ValueError")
        return s.split(sep)  # type: ignore[arg-type]
    if name == "replace":
        if args[0] == "":
            raise Failure("ValueError")
        return s.replace(args[0], args[1])  # type: ignore[arg-type]
    if name == "contains":
        return args[0] in s  # type: ignore[operator]
    if name == "starts_with":
        return s.startswith(args[0])  # type: ignore[arg-type]
    if name == "ends_with":
        return s.endswith(args[0])  # type: ignore[arg-type]
    if name == "find":
        return s.find(args[0])  # type: ignore[arg-type]
    if name == "join":
        return s.join(display(x) for x in args[0])  # type: ignore[attr-defined]
    raise AssertionError(name)


BINARY = {"+": add, "-": sub, "*": mul, "/": div, "%": mod}


def evaluate(t: tuple) -> object:
    """The model's value of tree `t`; Failure(kind) when the program raises."""
    tag = t[0]
    if tag == "lit":
        return t[1]
    if tag == "list":
        return [evaluate(x) for x in t[1]]
    if tag == "bin":
        a = evaluate(t[2])
        b = evaluate(t[3])
        return BINARY[t[1]](a, b)
    if tag == "cmp":
        a = evaluate(t[2])
        b = evaluate(t[3])
        return compare(t[1], a, b)
    if tag == "in":
        a = evaluate(t[1])
        b = evaluate(t[2])
        return contains(a, b)
    if tag == "neg":
        return neg(evaluate(t[1]))
    if tag == "not":
        return not truthy(evaluate(t[1]))
    if tag == "and":
        a = evaluate(t[1])
        return evaluate(t[2]) if truthy(a) else a
    if tag == "or":
        a = evaluate(t[1])
        return a if truthy(a) else evaluate(t[2])
    if tag == "len":
        return length(evaluate(t[1]))
    if tag == "meth":
        s = evaluate(t[2])
        args = [evaluate(a) for a in t[3]]
        assert type(s) is str
        return str_method(t[1], s, args)
    raise AssertionError(tag)


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def display(v: object, nested: bool = False) -> str:
    """LANGUAGE.md §2's display form."""
    if v is NIL:
        return "nil"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if type(v) is int:
        return str(v)
    if type(v) is float:
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)  # shortest round-trip digits, as the spec describes
    if type(v) is str:
        return '"' + "".join(_ESCAPES.get(c, c) for c in v) + '"' if nested else v
    if type(v) is list:
        return "[" + ", ".join(display(x, True) for x in v) + "]"
    raise AssertionError(type(v))


# --- writing trees as Axiom --------------------------------------------------------------

def literal(v: object) -> str:
    if v is NIL:
        return "nil"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if type(v) is int:
        if v == INT_MIN:
            return f"({INT_MIN + 1} - 1)"  # 2^63 itself is not an int literal
        return f"({v})" if v < 0 else str(v)
    if type(v) is float:
        if math.isnan(v):
            return "(1e308 * 10 - 1e308 * 10)"
        if math.isinf(v):
            return "(1e308 * 10)" if v > 0 else "(-1e308 * 10)"
        text = repr(v)
        return f"({text})" if text.startswith("-") else text
    if type(v) is str:
        return '"' + "".join(_ESCAPES.get(c, c) for c in v) + '"'
    if type(v) is list:
        return "[" + ", ".join(literal(x) for x in v) + "]"
    raise AssertionError(type(v))


def source(t: tuple, params: list[object] | None = None) -> str:
    """Axiom text for `t`. With `params` (a list to fill), every scalar literal becomes a
    parameter `pN` and its value is appended to `params`."""
    tag = t[0]
    if tag == "lit":
        if params is not None and type(t[1]) is not list:
            params.append(t[1])
            return f"p{len(params) - 1}"
        return literal(t[1])
    if tag == "list":
        return "[" + ", ".join(source(x, params) for x in t[1]) + "]"
    if tag in ("bin", "cmp"):
        return f"({source(t[2], params)} {t[1]} {source(t[3], params)})"
    if tag == "in":
        return f"({source(t[1], params)} in {source(t[2], params)})"
    if tag == "neg":
        return f"(-{source(t[1], params)})"
    if tag == "not":
        return f"(!{source(t[1], params)})"
    if tag in ("and", "or"):
        return f"({source(t[1], params)} {tag} {source(t[2], params)})"
    if tag == "len":
        return f"len({source(t[1], params)})"
    if tag == "meth":
        args = ", ".join(source(a, params) for a in t[3])
        return f"{source(t[2], params)}.{t[1]}({args})"
    raise AssertionError(tag)


def program(trees: list[tuple]) -> tuple[str, str]:
    """(script, expected stdout) for `trees`; trees the model skips are left out."""
    lines: list[str] = []
    expected: list[str] = []
    for i, t in enumerate(trees):
        try:
            want = display(evaluate(t))
        except Failure as f:
            want = f.kind
        except Skip:
            continue
        params: list[object] = []
        body = source(t, params)
        names = ", ".join(f"p{j}" for j in range(len(params)))
        lines.append(f"fn case{i}({names}) {{ {body} }}")
        lines.append(f"try {{ out {source(t)} }} catch e {{ out e.kind }}")
        args = ", ".join(literal(p) for p in params)
        lines.append(f"try {{ out case{i}({args}) }} catch e {{ out e.kind }}")
        expected += [want, want]
    return "\n".join(lines) + "\n", "".join(x + "\n" for x in expected)


# --- generating trees --------------------------------------------------------------------

_EDGE_INTS = [0, 1, -1, 2, -2, 3, 7, -7, 10, INT_MAX, INT_MIN, INT_MAX - 1, INT_MIN + 1,
              2**62, -(2**62), 2**32, 3037000499, 3037000500, -3037000500]
_EDGE_FLOATS = [0.0, -0.0, 0.5, -0.5, 1.5, -2.5, 3.0, 0.1, 1e300, -1e300, 1e-300, -1e-300,
                1e308, 5e-324, 1e16, 1e15, 1e-5, 2.5e-7, 123456.789, INF, -INF, NAN]

ints = st.one_of(st.sampled_from(_EDGE_INTS), st.integers(-20, 20),
                 st.integers(INT_MIN, INT_MAX))
floats = st.one_of(st.sampled_from(_EDGE_FLOATS), st.floats(allow_nan=False, allow_infinity=False),
                   st.floats(-100, 100).map(lambda x: round(x, 2)))
texts = st.text(alphabet="ab \t\n\"\\Aé{}", max_size=4)
scalars = st.one_of(ints, floats, texts, st.booleans(), st.just(NIL))
plain = st.one_of(ints, st.floats(-1e6, 1e6, allow_nan=False), texts, st.booleans())
lists = st.lists(plain, max_size=3).map(lambda xs: ("list", [("lit", x) for x in xs]))
leaves = st.one_of(scalars.map(lambda v: ("lit", v)), lists)

str_leaves = texts.map(lambda s: ("lit", s))
str_exprs = st.recursive(
    str_leaves,
    lambda inner: st.one_of(
        st.tuples(st.just("bin"), st.just("+"), inner, inner),
        st.tuples(st.just("meth"), st.sampled_from(["upper", "lower", "trim"]), inner,
                  st.just(())),
        st.tuples(st.just("meth"), st.just("replace"), inner, st.tuples(inner, inner)),
    ),
    max_leaves=4,
)
str_results = st.one_of(
    st.tuples(st.just("meth"), st.sampled_from(["len", "chars", "split"]), str_exprs,
              st.just(())),
    st.tuples(st.just("meth"), st.sampled_from(["split", "contains", "starts_with", "ends_with",
                                                "find"]), str_exprs, st.tuples(str_exprs)),
    st.tuples(st.just("meth"), st.just("join"), str_exprs, st.tuples(lists)),
    str_exprs,
)


def _compound(inner: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.tuples(st.just("bin"), st.sampled_from(list(BINARY)), inner, inner),
        st.tuples(st.just("cmp"), st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), inner, inner),
        st.tuples(st.just("neg"), inner),
        st.tuples(st.just("not"), inner),
        st.tuples(st.sampled_from(["and", "or"]), inner, inner),
        st.tuples(st.just("in"), inner, inner),
        st.tuples(st.just("len"), inner),
    )


expressions = st.recursive(st.one_of(leaves, str_results), _compound, max_leaves=6)
