"""typeof, display, truthy and equal over the value representation."""

from __future__ import annotations

import pytest

from axiom_sdk import (
    AxiomError,
    BoundedList,
    Class,
    Instance,
    Range,
    Set,
    display,
    equal,
    to_float,
    to_int,
    truthy,
    typeof,
)


@pytest.mark.parametrize("value, shown", [
    (1.0, "1.0"), (0.1, "0.1"), (1e-05, "1e-05"), (1e16, "1e+16"), (2.5e-07, "2.5e-07"),
    (1e15, "1000000000000000.0"), (float("inf"), "inf"), (float("nan"), "nan"),
    (None, "nil"), (True, "true"), ("top", "top"), (['a"b'], '["a\\"b"]'),
    ([1, "a", None], '[1, "a", nil]'), ({"a": 1, "b": [2]}, '{"a": 1, "b": [2]}'),
    (Set(), "set()"), (Set([2, 1]), "{2, 1}"), (Range(0, 5), "0..5"),
    (Range(1, 5, inclusive=True), "1..=5"), (Range(0, 10, 2, explicit=True), "range(0, 10, 2)"),
])
def test_display(value, shown):
    assert display(value) == shown


def test_display_marks_cycles_and_refuses_data_too_deep():
    a: list = [1]
    a.append(a)
    assert display(a) == "[1, [...]]"
    deep: list = []
    for _ in range(10_050):
        deep = [deep]
    with pytest.raises(AxiomError, match="nested deeper than 10000"):
        display(deep)


def test_instances_display_fields_or_to_str():
    cls = Class("Point", None, {})
    p = Instance(cls)
    p.fields.update(x=3, y="s")
    assert display(p) == 'Point {x: 3, y: "s"}'
    assert typeof(p) == "Point"


def test_typeof_and_truthy():
    assert [typeof(v) for v in (None, True, 1, 1.0, "", [], {}, Set(), Range(0, 1))] == \
        ["nil", "bool", "int", "float", "str", "list", "dict", "set", "range"]
    assert typeof(BoundedList([1], 3)) == "list"
    assert [truthy(v) for v in (None, False, 0, 0.0, "", [], {}, Set())] == [False] * 8
    assert all(truthy(v) for v in (1, "x", [0], Range(0, 0), object()))


def test_equal_is_deep_and_refuses_cyclic_comparison():
    assert equal([1, {"a": [2]}], [1.0, {"a": [2]}])
    assert not equal(float("nan"), float("nan"))
    a: list = []
    b: list = []
    a.append(a)
    b.append(b)
    with pytest.raises(AxiomError, match="too deeply"):
        equal(a, b)


def test_conversions():
    assert to_int("42") == 42 and to_int(-3.9) == -3 and to_int(True) == 1
    with pytest.raises(AxiomError, match='invalid int: "4x"'):
        to_int("4x")
    with pytest.raises(AxiomError) as e:
        to_int(1e30)
    assert e.value.kind == "Overflow"
    assert to_float("2.5") == 2.5 and to_float(2) == 2.0


@pytest.mark.parametrize("text, shown", [
    ("9" * 5000, "9" * 37 + "..."),  # beyond the host's 4,300-digit limit: never its ValueError
    ("-" + "1" * 20, "-" + "1" * 20),
    ("1_" * 3000 + "1", "1_" * 18 + "1..."),
    (" " + "0" * 5000 + "1" * 25, "0" * 37 + "..."),
])
def test_int_of_a_long_digit_string_is_overflow_before_any_conversion(text, shown):
    with pytest.raises(AxiomError) as e:
        to_int(text)
    assert (e.value.kind, e.value.message) == ("Overflow", f"integer {shown} is outside the 64-bit range")


def test_an_int_too_large_for_the_hosts_text_limit_is_reported_without_its_digits():
    from axiom_sdk import check_int
    with pytest.raises(AxiomError) as e:
        check_int(-2**20000)
    assert (e.value.kind, e.value.message) == ("Overflow", "integer -2**20000... is outside the 64-bit range")
    assert to_int("0" * 5000 + "7") == 7  # leading zeros are not digits that count
