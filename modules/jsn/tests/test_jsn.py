"""jsn against the standard library's json and orjson, through the SDK as scripts call it,
with real files and the JSONTestSuite parsing corpus (tests/data, MIT)."""

import json
import math
import sys
from pathlib import Path

import pytest

from axiom_jsn import module
from axiom_sdk import BoundedList, Function, Module, Set
from axiom_sdk.testing import call, raises

SUITE = Path(__file__).parent / "data" / "JSONTestSuite" / "test_parsing"


@pytest.fixture
def axiom_recursion_limit():
    """The recursion limit an Axiom run sets (runtime.py): the SDK converts a module's
    result recursively, so 10,000-deep results need it."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 20000))
    yield
    sys.setrecursionlimit(old)


class _Fn(Function):
    name = "f"

    def __call__(self, *args, **kwargs):
        return None


_other = Module("other_for_jsn_tests")


@_other.foreign_type("thing")
class _Thing:
    pass


@_other.foreign_type("grid", to_data=lambda g: {g.name: g.rows, 7: (1, 2)})
class _Grid:
    """A foreign value that stands for plain data."""

    def __init__(self, name, rows):
        self.name = name
        self.rows = rows


def test_a_foreign_value_with_plain_data_is_written_as_that_data():
    g = _Grid("cells", [[1, 2.5], [None, "x"]])
    assert call(module, "json_stringify", g) == '{"cells":[[1,2.5],[null,"x"]],"7":[1,2]}'
    assert call(module, "json_stringify", [g, {"g": g}]) == \
        '[{"cells":[[1,2.5],[null,"x"]],"7":[1,2]},{"g":{"cells":[[1,2.5],[null,"x"]],"7":[1,2]}}]'
    assert call(module, "json_pretty", g, 1) == \
        '{\n "cells": [\n  [\n   1,\n   2.5\n  ],\n  [\n   null,\n   "x"\n  ]\n ],\n "7": [\n  1,\n  2\n ]\n}'
    bad = _Grid("cells", [float("nan")])
    assert raises(module, "json_stringify", bad).message == \
        "jsn.json_stringify: nan cannot be written as JSON (JSON has no NaN or Infinity)"


# -- json_parse ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ('{"a": [1, null]}', {"a": [1, None]}),
    ("[1, 1.0, -0, 2.5e3, 1E-2, true, false, null]", [1, 1.0, 0, 2500.0, 0.01, True, False, None]),
    ('"h\\u00e9llo \\ud83d\\ude00 \\n"', "héllo 😀 \n"),
    ('{"b": 1, "a": 2}', {"b": 1, "a": 2}),
    ('{"a": 1, "a": 2}', {"a": 2}),
    ("  \n 42 \n", 42),
    ("9223372036854775807", 2**63 - 1),
    ("-9223372036854775808", -(2**63)),
    ("[]", []),
    ("{}", {}),
])
def test_parse_values(text, value):
    got = call(module, "json_parse", text)
    assert got == value
    assert [type(x) for x in _leaves(got)] == [type(x) for x in _leaves(value)]


def _leaves(v):
    if isinstance(v, list):
        return [x for y in v for x in _leaves(y)]
    if isinstance(v, dict):
        return [x for y in v.values() for x in _leaves(y)]
    return [v]


def test_parse_keeps_key_order():
    assert list(call(module, "json_parse", '{"z": 1, "a": 2, "m": 3}')) == ["z", "a", "m"]


@pytest.mark.parametrize("text, kind, message", [
    ('{"a": 1,}', "ValueError", "jsn.json_parse: invalid JSON: expecting property name enclosed "
                                "in double quotes at line 1 column 9"),
    ("\n\n  [1, 2", "ValueError", "jsn.json_parse: invalid JSON: expecting ',' delimiter at line 3 "
                                  "column 8"),
    ("", "ValueError", "jsn.json_parse: invalid JSON: expecting value at line 1 column 1"),
    ("[1] x", "ValueError", "jsn.json_parse: invalid JSON: extra data at line 1 column 5"),
    ("[NaN]", "ValueError", "jsn.json_parse: NaN is not valid JSON (JSON has no NaN or Infinity) "
                            "at line 1 column 2"),
    ('{"x":\n Infinity}', "ValueError", "jsn.json_parse: Infinity is not valid JSON (JSON has no "
                                        "NaN or Infinity) at line 2 column 2"),
    ("9223372036854775808", "Overflow", "jsn.json_parse: integer 9223372036854775808 is outside "
                                        "the 64-bit range"),
    ("[-9223372036854775809]", "Overflow", "jsn.json_parse: integer -9223372036854775809 is "
                                           "outside the 64-bit range"),
    ("1" * 5000, "Overflow", "jsn.json_parse: integer " + "1" * 37 + "... is outside the 64-bit "
                             "range"),
    ("[1e400]", "Overflow", "jsn.json_parse: number 1e400 is outside the float range at line 1 "
                            "column 2"),
    ("[" * 100_000, "ValueError", "jsn.json_parse: JSON nested deeper than 10000 levels"),
    ('{"a":' * 20_000 + "1" + "}" * 20_000, "ValueError",
     "jsn.json_parse: JSON nested deeper than 10000 levels"),
    (1, "TypeError", "jsn.json_parse: argument 'text' expects str, got int"),
])
def test_parse_errors(text, kind, message):
    err = raises(module, "json_parse", text)
    assert (err.kind, err.message) == (kind, message)


def test_parse_ten_thousand_levels(axiom_recursion_limit):
    got = call(module, "json_parse", "[" * 10_000 + "]" * 10_000)
    depth = 0
    while got:
        got = got[0]
        depth += 1
    assert depth == 9_999  # the innermost list is empty
    # Under the Axiom run's limit the scanner could go deeper: the bound still holds.
    err = raises(module, "json_parse", "[" * 10_001 + "]" * 10_001)
    assert (err.kind, err.message) == ("ValueError", "jsn.json_parse: JSON nested deeper than 10000 levels")


# -- json_stringify and json_pretty -------------------------------------------------------

@pytest.mark.parametrize("value, text", [
    ({"a": [1, None]}, '{"a":[1,null]}'),
    ([1, 1.0, 0.1, -2.5, True, False, None, "x"], '[1,1.0,0.1,-2.5,true,false,null,"x"]'),
    ("héllo 😀 \u2028 \"q\" \\ \n", '"héllo 😀 \u2028 \\"q\\" \\\\ \\n"'),
    ({"z": 1, "a": {"m": []}}, '{"z":1,"a":{"m":[]}}'),
    ([2**63 - 1, -(2**63)], "[9223372036854775807,-9223372036854775808]"),
    (BoundedList([1, 2], 10), "[1,2]"),
    ({"n": "null"}, '{"n":"null"}'),
    (None, "null"),
    ({}, "{}"),
])
def test_stringify(value, text):
    assert call(module, "json_stringify", value) == text


def test_stringify_non_str_keys_are_written_as_text():
    assert call(module, "json_stringify", {1: "a", 2.5: "b", None: "c", False: "d", "s": 1}) == \
        '{"1":"a","2.5":"b","null":"c","false":"d","s":1}'
    assert call(module, "json_stringify", [{10: [{20: 1}]}]) == '[{"10":[{"20":1}]}]'


@pytest.mark.parametrize("value, kind, message", [
    (Set([1]), "TypeError", "jsn.json_stringify: a set cannot be written as JSON"),
    ([1, {"f": _Fn()}], "TypeError", "jsn.json_stringify: a function cannot be written as JSON"),
    ({"t": _Thing()}, "TypeError", "jsn.json_stringify: a thing cannot be written as JSON"),
    ([1.5, math.nan], "ValueError", "jsn.json_stringify: nan cannot be written as JSON (JSON has "
                                    "no NaN or Infinity)"),
    ({"x": [math.inf]}, "ValueError", "jsn.json_stringify: inf cannot be written as JSON (JSON "
                                      "has no NaN or Infinity)"),
    ({1: -math.inf}, "ValueError", "jsn.json_stringify: -inf cannot be written as JSON (JSON has "
                                   "no NaN or Infinity)"),
    ({math.nan: 1}, "ValueError", "jsn.json_stringify: the dict key nan cannot be written as JSON"),
    ({1: "a", "1": "b"}, "ValueError", 'jsn.json_stringify: two keys of a dict are both written '
                                       'as "1"'),
    ("\ud800", "ValueError", "jsn.json_stringify: str is not valid UTF-8: surrogates not allowed"),
])
def test_stringify_errors(value, kind, message):
    err = raises(module, "json_stringify", value)
    assert (err.kind, err.message) == (kind, message)


def test_stringify_cyclic_data_is_a_value_error():
    a = [1]
    a.append(a)
    d = {"k": 1}
    d["self"] = [d]
    for v in (a, d):
        err = raises(module, "json_stringify", v)
        assert (err.kind, err.message) == ("ValueError", "jsn.json_stringify: cyclic data (a list or "
                                                         "dict that contains itself) cannot be "
                                                         "written as JSON")


def test_stringify_shared_but_acyclic_data():
    shared = [1, 2]
    assert call(module, "json_stringify", [shared, {"s": shared}]) == '[[1,2],{"s":[1,2]}]'


def test_stringify_deeper_than_orjson(axiom_recursion_limit):
    for depth in (254, 255, 300, 10_000):
        v = "x"
        for _ in range(depth):
            v = [v]
        text = call(module, "json_stringify", v)
        assert text == "[" * depth + '"x"' + "]" * depth
        assert call(module, "json_parse", text) == v
    v = 1
    for _ in range(10_001):
        v = [v]
    err = raises(module, "json_stringify", v)
    assert (err.kind, err.message) == ("ValueError", "jsn.json_stringify: data nested deeper than "
                                                     "10000 levels cannot be written as JSON")


def test_pretty():
    v = {"a": [1, {"b": None}], "c": {}, "d": []}
    assert call(module, "json_pretty", v) == (
        '{\n  "a": [\n    1,\n    {\n      "b": null\n    }\n  ],\n  "c": {},\n  "d": []\n}')
    assert call(module, "json_pretty", v, indent=4) == json.dumps(v, indent=4)
    assert call(module, "json_pretty", v, indent=0) == json.dumps(v, indent=0)
    assert call(module, "json_pretty", [" two  spaces \n"], indent=3) == '[\n   " two  spaces \\n"\n]'
    assert call(module, "json_pretty", 5) == "5"
    deep = [[[[[[]]]]]]
    for _ in range(300):
        deep = [deep]
    assert call(module, "json_pretty", deep, indent=1) == json.dumps(deep, indent=1)


@pytest.mark.parametrize("args, kind, message", [
    (({"a": 1}, -1), "ValueError", "jsn.json_pretty: indent must be from 0 to 32, got -1"),
    (({"a": 1}, 33), "ValueError", "jsn.json_pretty: indent must be from 0 to 32, got 33"),
    (({"a": 1}, 2.0), "TypeError", "jsn.json_pretty: argument 'indent' expects int, got float"),
    ((Set(),), "TypeError", "jsn.json_pretty: a set cannot be written as JSON"),
])
def test_pretty_errors(args, kind, message):
    err = raises(module, "json_pretty", *args)
    assert (err.kind, err.message) == (kind, message)


ROUND_TRIP = [
    {"name": "Ünïcödé ✓ 日本語 😀", "tags": ["a", "b\tc", "\u0000", "\u2028"],
     "nested": {"deep": [[1, 2.5], {"x": None, "y": [True, False]}]}, "empty": [{}, []]},
    [0, -1, 2**63 - 1, -(2**63), 1e-7, 1e16, 1.7976931348623157e308, 5e-324, -0.0, 0.1 + 0.2],
    "just a string",
    {"": "", " ": [" "]},
]


@pytest.mark.parametrize("value", ROUND_TRIP)
def test_round_trip(value, tmp_path):
    for text in (call(module, "json_stringify", value), call(module, "json_pretty", value),
                 call(module, "json_pretty", value, indent=4)):
        back = call(module, "json_parse", text)
        assert back == value and json.dumps(back) == json.dumps(value)  # types too
        assert json.loads(text) == value
    path = str(tmp_path / "v.json")
    assert call(module, "json_write", path, value) is None
    assert call(module, "json_read", path) == value


# -- files ----------------------------------------------------------------------------------

def test_write_then_read(tmp_path):
    path = tmp_path / "data.json"
    call(module, "json_write", str(path), {"a": [1, None], "é": "😀"})
    assert path.read_bytes() == '{"a":[1,null],"é":"😀"}\n'.encode()
    call(module, "json_write", str(path), {"a": [1]}, indent=2)
    assert path.read_text() == '{\n  "a": [\n    1\n  ]\n}\n'
    assert call(module, "json_read", str(path)) == {"a": [1]}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.json"]  # no temporary file left


def test_read_drops_a_byte_order_mark(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b'\xef\xbb\xbf{"a": 1}')
    assert call(module, "json_read", str(path)) == {"a": 1}


def test_file_errors(tmp_path):
    missing = str(tmp_path / "missing.json")
    err = raises(module, "json_read", missing)
    assert (err.kind, err.message) == ("IOError", f"jsn.json_read: {missing}: no such file or directory")
    bad = tmp_path / "bad.json"
    bad.write_text('{"a":\n  [1,, 2]}')
    err = raises(module, "json_read", str(bad))
    assert (err.kind, err.message) == ("ValueError", "jsn.json_read: invalid JSON: expecting value at "
                                                     "line 2 column 6")
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'["caf\xe9"]')
    err = raises(module, "json_read", str(latin))
    assert (err.kind, err.message) == ("ValueError", f"jsn.json_read: {latin}: not valid UTF-8 (byte 5)")
    nowhere = str(tmp_path / "no" / "dir.json")
    err = raises(module, "json_write", nowhere, 1)
    assert (err.kind, err.message) == ("IOError", f"jsn.json_write: {nowhere}: no such file or directory")
    err = raises(module, "json_write", str(tmp_path / "s.json"), Set([1]))
    assert (err.kind, err.message) == ("TypeError", "jsn.json_write: a set cannot be written as JSON")
    assert not (tmp_path / "s.json").exists()
    err = raises(module, "json_write", "https://example.com/x.json", 1)
    assert (err.kind, err.message) == ("ValueError", "jsn.json_write: cannot write to a URL: "
                                                     "https://example.com/x.json")


def test_file_capabilities_are_declared():
    module.init()
    assert module.get_symbol("json_read").needs == [("fs.read", "path")]
    assert module.get_symbol("json_write").needs == [("fs.write", "path")]
    assert module.capabilities() == ["fs.read", "fs.write"]


# -- the JSONTestSuite corpus -----------------------------------------------------------------

def _corpus(prefix):
    return sorted(p.name for p in SUITE.glob(prefix + "*.json"))


def test_corpus_is_complete():
    assert (len(_corpus("y_")), len(_corpus("n_")), len(_corpus("i_"))) == (95, 188, 35)


@pytest.mark.parametrize("name", _corpus("y_"))
def test_suite_accepts(name):
    path = SUITE / name
    value = call(module, "json_read", str(path))
    assert call(module, "json_parse", path.read_bytes().decode("utf-8")) == value
    assert call(module, "json_parse", call(module, "json_stringify", value)) == value


@pytest.mark.parametrize("name", _corpus("n_"))
def test_suite_rejects(name):
    path = SUITE / name
    err = raises(module, "json_read", str(path))
    assert err.kind == "ValueError", err
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return
    assert raises(module, "json_parse", text).kind == "ValueError"


@pytest.mark.parametrize("name", _corpus("i_"))
def test_suite_implementation_defined_never_crashes(name):
    try:
        call(module, "json_read", str(SUITE / name))
    except Exception as e:
        assert type(e).__name__ == "AxiomError" and e.kind in ("ValueError", "Overflow"), e


def test_every_export_has_a_one_line_summary():
    for name in module.list_exports():
        doc = module.get_symbol(name).doc.strip()
        first, _, rest = doc.partition("\n")
        assert first.endswith(".") and (not rest or rest.startswith("\n")), name
        assert module.describe(name)[1] == first, name
