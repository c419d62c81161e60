"""ann: typeof, the assert_type hierarchy, conversions and predicates."""

import pytest

from axiom_ann import module
from axiom_sdk import Class, Instance, Set
from axiom_sdk.testing import call, raises

Animal = Class("Animal", None, {})
Dog = Class("Dog", Animal, {})


@pytest.mark.parametrize("value, t", [
    (42, "int"), (42, "number"), (4.2, "number"), ("s", "str"), ([1], "collection"),
    ({}, "collection"), (Set(), "collection"), (None, "any"), (Instance(Dog), "Dog"),
    (Instance(Dog), "Animal"), (Instance(Dog), "instance"), (Dog, "callable"), (Dog, "class"),
])
def test_assert_type_accepts(value, t):
    assert call(module, "assert_type", value, t) is value


@pytest.mark.parametrize("value, t, message", [
    (42, "str", "expected str, got int"), (True, "number", "expected number, got bool"),
    ("s", "collection", "expected collection, got str"), (Instance(Animal), "Dog", "expected Dog, got Animal"),
    (1, "callable", "expected callable, got int"),
])
def test_assert_type_rejects_with_type_error(value, t, message):
    err = raises(module, "assert_type", value, t)
    assert (err.kind, err.message) == ("TypeError", message)


def test_conversions_and_predicates():
    assert call(module, "typeof", Instance(Dog)) == "Dog"
    assert call(module, "to_int", "42") == 42 and call(module, "to_int", 3.9) == 3
    assert call(module, "to_float", "2.5") == 2.5
    assert call(module, "to_str", [1, "a"]) == '[1, "a"]'
    assert raises(module, "to_int", "x").kind == "ValueError"
    checks = {"is_int": (1, True), "is_float": (1.0, 1), "is_str": ("", 1), "is_bool": (False, 0),
              "is_list": ([], {}), "is_dict": ({}, []), "is_nil": (None, 0), "is_callable": (Dog, "f")}
    for name, (yes, no) in checks.items():
        assert call(module, name, yes) is True, name
        assert call(module, name, no) is False, name
