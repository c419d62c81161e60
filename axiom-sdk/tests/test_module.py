"""The SDK's Module and Export: argument checks from hints, conversions, errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from axiom_sdk import AxiomError, BoundMethod, Module, Set, capability_check
from axiom_sdk.testing import call, raises


@pytest.fixture
def mod() -> Module:
    m = Module("demo", summary="Demo: a module for tests")

    @m.export
    def half(x: float) -> float:
        """Half of x."""
        return x / 2

    @m.export
    def repeat(s: str, n: int = 2, *, sep: str = "") -> str:
        """s repeated n times."""
        return sep.join([s] * n)

    @m.export
    def pair(a: int | float, b: str | None = None) -> tuple:
        return (a, b)

    @m.export
    def apply(f: Callable, x: Any) -> Any:
        return f(x)

    @m.export
    def gather(*items: int) -> list:
        return list(items)

    @m.export
    def boom(kind: str) -> None:
        if kind == "value":
            raise ValueError("bad value")
        if kind == "file":
            open("/definitely/not/here")
        if kind == "zero":
            return 1 // 0
        raise RuntimeError("unexpected")

    @m.export
    def big() -> int:
        return 2**70

    @m.export
    def unordered() -> set:
        return {3}

    @m.export(needs=["fs.read:path"])
    def peek(path: str) -> str:
        return path

    m.constant("ANSWER", 42, "The answer.")
    return m


def test_float_parameter_accepts_int_and_converts(mod):
    assert call(mod, "half", 3) == 1.5


def test_wrong_type_names_function_argument_expected_and_given(mod):
    err = raises(mod, "half", "x")
    assert (err.kind, err.message) == ("TypeError", "demo.half: argument 'x' expects float, got str")


def test_bool_is_not_an_int(mod):
    assert raises(mod, "repeat", "a", True).message == "demo.repeat: argument 'n' expects int, got bool"


def test_wrong_count(mod):
    assert raises(mod, "half", 1, 2).message == "demo.half: expected 1 argument, got 2"
    assert raises(mod, "half").message == "demo.half: missing argument 'x' (expected 1 argument, got 0)"


def test_keywords_defaults_and_keyword_only(mod):
    assert call(mod, "repeat", "ab") == "abab"
    assert call(mod, "repeat", "ab", n=3, sep="-") == "ab-ab-ab"
    err = raises(mod, "repeat", "a", nn=2)
    assert err.message == "demo.repeat: unexpected keyword argument 'nn' (did you mean 'n'?)"


def test_union_optional_and_tuple_result_becomes_list(mod):
    assert call(mod, "pair", 1) == [1, None]
    assert call(mod, "pair", 1.5, "x") == [1.5, "x"]
    assert raises(mod, "pair", "no").message == "demo.pair: argument 'a' expects number, got str"


def test_callable_and_varargs(mod):
    from axiom_sdk import Function

    class Twice(Function):
        name = "twice"

        def __call__(self, x):
            return x * 2

    assert call(mod, "apply", Twice(), 4) == 8
    assert raises(mod, "apply", 3, 4).message == "demo.apply: argument 'f' expects function, got int"
    assert call(mod, "gather", 1, 2, 3) == [1, 2, 3]
    assert raises(mod, "gather", 1, "x").message == "demo.gather: argument 'items' expects int, got str"


def test_python_exceptions_become_axiom_errors_at_the_boundary(mod):
    assert (raises(mod, "boom", "value").kind, raises(mod, "boom", "value").message) == \
        ("ValueError", "demo.boom: bad value")
    err = raises(mod, "boom", "file")
    assert err.kind == "IOError" and err.message == "demo.boom: /definitely/not/here: no such file or directory"
    assert raises(mod, "boom", "zero").kind == "DivisionByZero"
    err = raises(mod, "boom", "other")
    assert err.kind == "Error" and "internal error in demo.boom: RuntimeError" in err.message


def test_results_are_converted(mod):
    assert raises(mod, "big").kind == "Overflow"
    s = call(mod, "unordered")
    assert isinstance(s, Set) and list(s) == [3]


def test_constants_symbols_and_near_misses(mod):
    mod.init()
    assert mod.get_symbol("ANSWER") == 42
    err = pytest.raises(AxiomError, mod.get_symbol, "halff").value
    assert (err.kind, err.message) == ("SymbolNotFound", "module 'demo' has no symbol 'halff' (did you mean half?)")
    assert mod.list_exports() == ["half", "repeat", "pair", "apply", "gather", "boom", "big",
                                  "unordered", "peek", "ANSWER"]


def test_describe_gives_signature_and_first_doc_line(mod):
    assert mod.describe("repeat") == ('repeat(s: str, n: int=2, sep: str="") -> str', "s repeated n times.")
    assert mod.describe("ANSWER") == ("ANSWER = 42", "The answer.")
    assert mod.describe("gather") == ("gather(...items: int) -> list", "")


def test_capabilities_are_checked_with_the_named_argument(mod):
    seen = []

    def check(cap, resource):
        seen.append((cap, resource))
        if resource == "/secret":
            raise AxiomError("PermissionDenied", "no")

    token = capability_check.set(check)
    try:
        assert call(mod, "peek", "/ok") == "/ok"
        assert raises(mod, "peek", "/secret").kind == "PermissionDenied"
    finally:
        capability_check.reset(token)
    assert seen == [("fs.read", "/ok"), ("fs.read", "/secret")]
    assert mod.capabilities() == ["fs.read"]


def test_unknown_capability_or_hint_is_an_author_error_at_load_time():
    m = Module("bad")
    with pytest.raises(TypeError, match="unknown capability 'disk'"):
        @m.export(needs=["disk"])
        def f(x: int) -> int:
            return x
    with pytest.raises(TypeError, match="unsupported parameter type hint"):
        @m.export
        def g(x: bytes) -> int:
            return 1


geo = Module("geo")


@geo.foreign_type("vec", attrs=["x"], methods=["scaled"], display=lambda v: f"vec({v.x})")
class Vec:
    def __init__(self, x: float) -> None:
        self.x = x

    def scaled(self, k: float) -> Vec:
        """Scaled by k."""
        return Vec(self.x * k)


@geo.export
def length(v: Vec) -> float:
    """The length."""
    return abs(v.x)


def test_foreign_types_expose_only_declared_methods():
    info = Vec.__axiom_foreign__
    assert info.name == "vec" and info.attrs == frozenset({"x"})
    bound = BoundMethod(info.methods["scaled"], Vec(2.0))
    assert bound(3).x == 6.0
    with pytest.raises(AxiomError, match="vec.scaled: argument 'k' expects float, got str"):
        bound("x")
    assert call(geo, "length", Vec(-2.0)) == 2.0
    assert raises(geo, "length", 3).message == "geo.length: argument 'v' expects vec, got int"


box = Module("box")


@box.foreign_type("box", ops={
    "==": lambda a, b, r: isinstance(b, Box) and a.v == b.v,
    "<": lambda a, b, r: a.v < b.v if isinstance(b, Box) else NotImplemented,
    "+": lambda a, b, r: (_ for _ in ()).throw(ValueError("boxes do not add")),
})
class Box:
    def __init__(self, v: int) -> None:
        self.v = v


def test_foreign_equality_uses_the_declared_operator():
    from axiom_sdk import equal
    assert equal(Box(1), Box(1)) and not equal(Box(1), Box(2)) and not equal(Box(1), 1)


streams = Module("streams")


@streams.export
def lines_of(path: str) -> object:
    """Lines of a file, streamed."""
    with open(path) as f:
        yield from f


def test_errors_while_a_stream_produces_items_are_translated():
    it = call(streams, "lines_of", "/definitely/missing")
    with pytest.raises(AxiomError) as e:
        next(it)
    assert (e.value.kind, e.value.message) == (
        "IOError", "streams.lines_of: /definitely/missing: no such file or directory")


def test_an_export_may_take_keyword_fields():
    m = Module("kv")

    @m.export
    def record(message: str, *values: Any, level: str = "info", **fields: int) -> list:
        """Keep a record."""
        return [message, list(values), level, fields]

    assert call(m, "record", "saved", 1, rows=12, files=3) == ["saved", [1], "info", {"rows": 12, "files": 3}]
    assert call(m, "record", "x", level="warn") == ["x", [], "warn", {}]
    assert raises(m, "record", "x", rows="many").message == "kv.record: argument 'fields' expects int, got str"
    assert m.describe("record")[0] == 'record(message: str, ...values, level: str="info", **fields: int) -> list'


def test_an_unreadable_return_hint_means_any():
    m = Module("loose")

    def f() -> NotDefinedAnywhere:  # noqa: F821
        """Anything."""
        return 1

    m.export(f)
    assert call(m, "f") == 1 and m.describe("f")[0] == "f()"


def test_per_run_state_and_metrics_in_the_process_run():
    from axiom_sdk._module import run
    from axiom_sdk.testing import end_run
    m = Module("counted")
    made = []

    @m.per_run
    class State:
        def __init__(self):
            made.append(self)
            self.n = 0

    m.state().n += 5
    assert m.state().n == 5 and len(made) == 1
    m.count("things", 2)
    m.count("things")
    m.peak("most", 4)
    m.peak("most", 3)
    assert run().counters["counted.things"] == 3 and run().counters["counted.most"] == 4
    end_run(m)
    assert m.state().n == 0 and len(made) == 2  # a new run, a new state


def test_host_function_wraps_any_callable_as_an_export():
    from axiom_sdk import host_function

    def scale(x: int, k: float = 2.0) -> float:
        return x * k

    f = host_function(scale, "scale")
    assert f(3) == 6.0 and f(3, k=0.5) == 1.5
    with pytest.raises(AxiomError) as e:
        f("3")
    assert e.value.message == "scale: argument 'x' expects int, got str"
    g = host_function(len, "size")
    assert g([1, 2]) == 2
    with pytest.raises(AxiomError) as e:
        g(5)
    assert (e.value.kind, e.value.message) == ("TypeError", "size: object of type 'int' has no len()")


def test_list_and_dict_parameters_take_foreign_values_that_stand_for_data():
    from axiom_sdk import to_data
    m = Module("shapes")

    @m.foreign_type("bag", to_data=lambda b: list(b.items))
    class Bag:
        def __init__(self, items):
            self.items = items

    @m.foreign_type("lump")
    class Lump:
        pass

    @m.foreign_type("broken", to_data=lambda b: 1 / 0)
    class Broken:
        pass

    @m.export
    def total(xs: list) -> int:
        """Sum."""
        return sum(xs)

    @m.export
    def keys(d: dict) -> list:
        """Keys."""
        return list(d)

    assert call(m, "total", Bag((1, 2, 3))) == 6
    assert raises(m, "keys", Bag((1,))).message == "shapes.keys: argument 'd' expects dict, got bag"
    assert raises(m, "total", Lump()).message == "shapes.total: argument 'xs' expects list, got lump"
    with pytest.raises(AxiomError) as e:
        to_data(Lump())
    assert (e.value.kind, e.value.message) == ("TypeError", "a lump has no plain-data form")
    with pytest.raises(AxiomError) as e:
        to_data(Bag((2**70,)))
    assert e.value.kind == "Overflow"  # converted like a module's result
    with pytest.raises(AxiomError) as e:
        to_data(Broken())
    assert (e.value.kind, e.value.message) == ("DivisionByZero", "broken to data: division by zero")
    assert to_data([1, "a"]) == [1, "a"]


# -- bounded_wait: blocking, but never past the run's deadline ---------------------------------

def test_bounded_wait_without_a_deadline_waits_for_the_callers_timeout():
    import threading
    import time

    from axiom_sdk import bounded_wait
    ev = threading.Event()
    start = time.monotonic()
    assert bounded_wait(ev.wait, 0.1, where="demo.wait") is False  # the caller's own timeout
    assert 0.09 < time.monotonic() - start < 1
    ev.set()
    assert bounded_wait(ev.wait, None, where="demo.wait") is True
    seen = []
    bounded_wait(lambda t: seen.append(t) or True, where="demo.wait")
    assert seen == [None]  # no timeout and no deadline: wait without a bound


def test_bounded_wait_ends_with_limit_exceeded_at_the_runs_deadline():
    import threading
    import time

    from axiom_sdk import bounded_wait
    from axiom_sdk.testing import deadline
    ev = threading.Event()
    start = time.monotonic()
    with deadline(0.2), pytest.raises(AxiomError) as e:
        bounded_wait(ev.wait, None, where="demo.wait")
    assert time.monotonic() - start < 1
    assert (e.value.kind, e.value.message) == (
        "LimitExceeded", "demo.wait: the run's time limit ended the wait (--timeout)")
    with deadline(0.2), pytest.raises(AxiomError) as e:
        bounded_wait(ev.wait, 50, where="demo.wait")  # the deadline comes before the timeout
    assert e.value.kind == "LimitExceeded"
    with deadline(5):
        assert bounded_wait(ev.wait, 0.05, where="demo.wait") is False  # the timeout comes first
        ev.set()
        assert bounded_wait(ev.wait, None, where="demo.wait") is True
    with deadline(-1):  # already past: one look without blocking, then the error
        assert bounded_wait(ev.wait, None, where="demo.wait") is True
        seen = []
        with pytest.raises(AxiomError):
            bounded_wait(lambda t: seen.append(t), None, where="demo.wait")
        assert seen == [0.0]
