"""col through the SDK as scripts call it; concurrent_dict under real Python threads."""

import threading
import time

import pytest

from axiom_col import ConcurrentDict, module
from axiom_sdk import Range, Set, display, typeof
from axiom_sdk.testing import ScriptFunction as Fn
from axiom_sdk.testing import call, raises
from axiom_sdk.testing import call_method as method

# -- dicts ----------------------------------------------------------------------------------

def test_dict_functions():
    d = call(module, "dict_new")
    assert d == {} and type(d) is dict
    assert call(module, "dict_set", d, "a", 1) is None
    call(module, "dict_set", d, 2, "two")
    call(module, "dict_set", d, 2.0, "TWO")  # 2 and 2.0 are one key; the first is kept
    assert list(d.items()) == [("a", 1), (2, "TWO")] and type(next(iter(list(d)[1:]))) is int
    assert call(module, "dict_get", d, "a") == 1
    assert call(module, "dict_get", d, "zz") is None
    assert call(module, "dict_get", d, "zz", 0) == 0
    assert call(module, "dict_get", d, "zz", default="x") == "x"
    assert call(module, "dict_has", d, "a") is True and call(module, "dict_has", d, "b") is False
    assert call(module, "dict_keys", d) == ["a", 2]
    assert call(module, "dict_values", d) == [1, "TWO"]
    assert call(module, "dict_items", d) == [["a", 1], [2, "TWO"]]
    assert call(module, "dict_remove", d, "a") == 1
    assert d == {2: "TWO"}


def test_dict_merge_makes_a_new_dict_and_later_wins():
    a, b = {"x": 1, "y": 2}, {"y": 20, "z": 30}
    merged = call(module, "dict_merge", a, b)
    assert list(merged.items()) == [("x", 1), ("y", 20), ("z", 30)]
    assert a == {"x": 1, "y": 2} and merged is not a
    assert call(module, "dict_merge") == {}
    assert call(module, "dict_merge", a, b, {"x": 0}) == {"x": 0, "y": 20, "z": 30}


# -- sets -----------------------------------------------------------------------------------

def test_set_functions():
    s = call(module, "set_new")
    assert type(s) is Set and len(s) == 0
    assert call(module, "set_new", [3, 1, 3, 1.0]) == Set([3, 1])
    assert list(call(module, "set_new", Range(0, 3))) == [0, 1, 2]
    assert list(call(module, "set_new", "aba")) == ["a", "b"]
    assert list(call(module, "set_new", {"k": 1})) == ["k"]
    assert call(module, "set_add", s, 5) is None
    call(module, "set_add", s, "x")
    assert list(s) == [5, "x"]
    assert call(module, "set_has", s, 5.0) is True and call(module, "set_has", s, 6) is False
    assert call(module, "set_remove", s, 5) is None
    assert list(s) == ["x"]
    a, b = Set([1, 2, 3]), Set([3, 4, 2])
    assert list(call(module, "set_union", a, b)) == [1, 2, 3, 4]
    assert list(call(module, "set_intersection", a, b)) == [2, 3]
    assert list(call(module, "set_difference", a, b)) == [1]
    assert list(a) == [1, 2, 3]  # unchanged


# -- lists ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, args, result", [
    ("list_unique", ([3, 1, 3, 2, 1],), [3, 1, 2]),
    ("list_unique", ([1, 1.0, "1", 2.0, 2],), [1, "1", 2.0]),
    ("list_unique", ([[1], [1.0], {"a": 1}, {"a": 1}, [2]],), [[1], {"a": 1}, [2]]),
    ("list_unique", ([],), []),
    ("list_flatten", ([[1, 2], 3, [], [[4], 5]],), [1, 2, 3, [4], 5]),
    ("list_flatten", ([],), []),
    ("list_zip", ([1, 2, 3], ["a", "b"]), [[1, "a"], [2, "b"]]),
    ("list_zip", ([1, 2], [3, 4], [5, 6]), [[1, 3, 5], [2, 4, 6]]),
    ("list_zip", (), []),
    ("list_chunk", ([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]),
    ("list_chunk", ([1, 2], 5), [[1, 2]]),
    ("list_chunk", ([], 3), []),
    ("list_count", ([1, 2, 1.0, "1"], 1), 2),
    ("list_count", ([[1], [1], 1], [1]), 2),
    ("list_count", ([], 1), 0),
])
def test_list_functions(name, args, result):
    got = call(module, name, *args)
    assert got == result
    assert display(got) == display(result)  # same types too (1 vs 1.0)


def test_list_unique_keeps_first_occurrences_in_order():
    got = call(module, "list_unique", [2.0, 1, 2, True, "a", 1])
    assert display(got) == '[2.0, 1, "a"]'  # true == 1 in Axiom, as in the core


def test_list_count_with_a_function():
    assert call(module, "list_count", [1, 5, 8, 2], Fn(lambda x: x > 3)) == 2
    assert call(module, "list_count", ["", "a", None], Fn(lambda x: x)) == 1


def test_list_group_by():
    words = ["apple", "avocado", "banana", "blueberry", "cherry"]
    got = call(module, "list_group_by", words, Fn(lambda w: w[0]))
    assert list(got.items()) == [("a", ["apple", "avocado"]), ("b", ["banana", "blueberry"]),
                                 ("c", ["cherry"])]
    assert call(module, "list_group_by", [1, 2, 3, 4], Fn(lambda n: n % 2 == 0)) == \
        {False: [1, 3], True: [2, 4]}
    assert call(module, "list_group_by", [], Fn(lambda n: n)) == {}


# -- errors ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name, args, kind, message", [
    ("list_chunk", ([1], 0), "ValueError", "col.list_chunk: chunk size must be positive, got 0"),
    ("list_chunk", ([1], -2), "ValueError", "col.list_chunk: chunk size must be positive, got -2"),
    ("dict_remove", ({"a": 1}, "b"), "KeyError", 'col.dict_remove: key "b" not found'),
    ("dict_remove", ({}, 3), "KeyError", "col.dict_remove: key 3 not found"),
    ("set_remove", (Set([1]), 2), "KeyError", "col.set_remove: key 2 not found"),
    ("dict_set", ({}, [1], 2), "TypeError",
     "col.dict_set: dict keys are nil, bool, int, float or str, not list"),
    ("dict_get", ({}, {}), "TypeError",
     "col.dict_get: dict keys are nil, bool, int, float or str, not dict"),
    ("dict_has", ({}, Set()), "TypeError",
     "col.dict_has: dict keys are nil, bool, int, float or str, not set"),
    ("set_new", ([[1]],), "TypeError",
     "col.set_new: set items are nil, bool, int, float or str, not list"),
    ("set_add", (Set(), [1]), "TypeError",
     "col.set_add: set items are nil, bool, int, float or str, not list"),
    ("set_has", (Set(), {}), "TypeError",
     "col.set_has: set items are nil, bool, int, float or str, not dict"),
    ("set_new", (5,), "TypeError", "col.set_new: argument 'items' expects iterable, got int"),
    ("dict_get", ([], "a"), "TypeError", "col.dict_get: argument 'd' expects dict, got list"),
    ("set_union", ([1], Set()), "TypeError", "col.set_union: argument 'a' expects set, got list"),
    ("list_zip", ([1], "ab"), "TypeError", "col.list_zip: argument 'lists' expects list, got str"),
    ("list_group_by", ([1], 1), "TypeError",
     "col.list_group_by: argument 'fn' expects function, got int"),
    ("dict_merge", ({}, 1), "TypeError", "col.dict_merge: argument 'dicts' expects dict, got int"),
])
def test_errors(name, args, kind, message):
    err = raises(module, name, *args)
    assert (err.kind, err.message) == (kind, message)


def test_group_by_key_must_be_a_dict_key():
    err = raises(module, "list_group_by", [1], Fn(lambda x: [x]))
    assert (err.kind, err.message) == (
        "TypeError", "col.list_group_by: dict keys are nil, bool, int, float or str, not list")


# -- concurrent_dict ------------------------------------------------------------------------

def test_concurrent_dict_methods():
    cd = call(module, "concurrent_dict")
    assert type(cd) is ConcurrentDict and typeof(cd) == "concurrent_dict"
    assert method(cd, "get", "a") is None and method(cd, "get", "a", 7) == 7
    assert method(cd, "set", "a", 1) is None
    assert method(cd, "has", "a") is True and method(cd, "has", "b") is False
    assert method(cd, "get", "a") == 1
    assert method(cd, "update", "a", Fn(lambda v: v + 10)) == 11
    assert method(cd, "update", "n", Fn(lambda v: v + 1), 0) == 1
    assert method(cd, "update", "m", Fn(lambda v: [v]), default="d") == ["d"]
    assert method(cd, "keys") == ["a", "n", "m"]
    assert method(cd, "to_dict") == {"a": 11, "n": 1, "m": ["d"]}
    assert type(cd).__axiom_foreign__.ops["len"](cd) == 3
    assert display(cd) == '<concurrent_dict {"a": 11, "n": 1, "m": ["d"]}>'
    assert method(cd, "remove", "a") == 11
    assert method(cd, "has", "a") is False


def test_concurrent_dict_errors():
    cd = call(module, "concurrent_dict")
    with pytest.raises(Exception) as info:
        method(cd, "remove", "zz")
    assert (info.value.kind, info.value.message) == (
        "KeyError", 'concurrent_dict.remove: key "zz" not found')
    with pytest.raises(Exception) as info:
        method(cd, "set", [1], 2)
    assert (info.value.kind, info.value.message) == (
        "TypeError", "concurrent_dict.set: dict keys are nil, bool, int, float or str, not list")
    with pytest.raises(Exception) as info:
        method(cd, "update", "k", 5)
    assert (info.value.kind, info.value.message) == (
        "TypeError", "concurrent_dict.update: argument 'fn' expects function, got int")


def test_update_that_fails_stores_nothing_and_releases_the_lock():
    from axiom_sdk import AxiomError
    cd = call(module, "concurrent_dict")
    method(cd, "set", "k", 1)

    def boom(v):
        raise AxiomError("ValueError", "boom")
    with pytest.raises(AxiomError):
        method(cd, "update", "k", Fn(boom))
    assert method(cd, "get", "k") == 1
    done = threading.Event()
    threading.Thread(target=lambda: (method(cd, "set", "k", 2), done.set())).start()
    assert done.wait(5) and method(cd, "get", "k") == 2


def test_update_may_use_the_same_dict():
    cd = call(module, "concurrent_dict")
    method(cd, "set", "base", 10)
    assert method(cd, "update", "x", Fn(lambda v: v + method(cd, "get", "base")), 1) == 11


def test_update_is_atomic_across_threads():
    cd = call(module, "concurrent_dict")
    barrier = threading.Barrier(8)

    def slow_increment(v):
        n = v + 1
        time.sleep(0)  # let another thread run between the read and the store
        return n

    def work():
        barrier.wait()
        for _ in range(1000):
            method(cd, "update", "counter", Fn(slow_increment), 0)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert method(cd, "get", "counter") == 8000


def test_every_export_is_documented():
    listed = ("dict_new dict_get dict_set dict_has dict_remove dict_keys dict_values "
              "dict_items dict_merge set_new set_add set_has set_remove set_union "
              "set_intersection set_difference list_unique list_flatten list_zip list_chunk "
              "list_group_by list_count concurrent_dict").split()
    assert set(listed) <= set(module.list_exports())
    for name in module.list_exports():
        _, doc = module.describe(name)
        assert doc, name
