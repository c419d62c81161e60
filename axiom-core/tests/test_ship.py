"""ship.py: Axiom values as bytes for another process and back, in one process here (the
worker side is covered end to end in tests/modules/test_con_processes_e2e.py)."""

from __future__ import annotations

import pytest

from axiom import ship
from axiom.runtime import Runtime
from axiom_sdk import AxiomError, BoundedList, Range, Set


@pytest.fixture
def rt():
    runtime = Runtime(grants="all")
    yield runtime
    runtime.close()


def round_trip(rt, v):
    return ship.unship(rt, ship.ship(rt, v))


def test_plain_data_keeps_its_values_and_shape(rt):
    shared = [1, 2]
    data = {"n": None, "b": [True, False], "i": -(2**63), "big": 2**70, "f": 0.1, "s": "é\n",
            "set": Set([3, 1]), "r": Range(1, 5, inclusive=True), "fixed": BoundedList([1], 4),
            "a": shared, "b2": shared}
    data["self"] = data
    back = round_trip(rt, data)
    assert back["n"] is None and back["b"] == [True, False] and back["i"] == -(2**63)
    assert back["big"] == 2**70 and back["f"] == 0.1 and back["s"] == "é\n"
    assert list(back["set"]) == [3, 1] and back["r"] == Range(1, 5, inclusive=True)
    assert type(back["fixed"]) is BoundedList and back["fixed"].capacity == 4
    assert back["a"] is back["b2"] and back["self"] is back and back is not data


def test_a_function_goes_with_what_it_uses_and_runs_on_its_own_copy(rt):
    rt.eval("""
import mth
let scale = 2
let log = []
class P {
    fn init(self, x) { self.x = x }
    fn twice(self) { self.x * scale }
}
fn helper(x) { P(x).twice() + mth.floor(0.5) }
let counter = 0
fn work(x) {
    log.push(x)
    counter += 1
    helper(x) + counter
}
""")
    copy = round_trip(rt, rt.globals["work"])
    assert copy(5) == 11 and copy(5) == 12  # its own counter
    assert rt.globals["log"] == [] and rt.globals["counter"] == 0  # the parent's untouched
    assert set(copy.module.globals) == {"log", "counter", "helper", "P", "scale", "mth"}
    assert copy.module is not rt.main


def test_errors_keep_kind_message_position_trace_and_payload(rt):
    with pytest.raises(AxiomError) as e:
        rt.eval('fn f() {\n    throw {"code": 7}\n}\nf()', "<t>")
    back = round_trip(rt, e.value)
    assert (back.kind, back.span, back.trace, back.payload) == (
        e.value.kind, e.value.span, e.value.trace, {"code": 7})


def test_a_value_bound_to_this_process_is_a_type_error_naming_where_it_is(rt):
    rt.eval("import con\nlet m = con.mutex_new()\nfn f() { m }")
    with pytest.raises(AxiomError) as e:
        ship.ship(rt, rt.globals["f"], "the function")
    assert (e.value.kind, e.value.message) == (
        "TypeError", "cannot send [mutex] (global 'm' used by f) to another process: module "
                     "con keeps it in its process; only values their module marks transferable "
                     "can go")
    rt.register("host", lambda x: x)
    with pytest.raises(AxiomError) as e:
        ship.ship(rt, [1, {"k": rt.builtins["host"]}], "item 2")
    assert e.value.message == ("cannot send function host (item 2[1]['k']) to another process: "
                               "a host's own function stays in its process")


def test_bytes_that_are_not_a_valid_shipment_are_an_io_error(rt):
    rt.eval("fn f(x) { x + 1 }")
    f = rt.globals["f"]
    data = ship.ship(rt, f)
    with pytest.raises(AxiomError) as e:
        ship.unship(rt, data[:-3])
    assert (e.value.kind, e.value.message) == (
        "IOError", "the data sent from another process is not valid (truncated)")
    f.code.ops[0] = (250, 0)  # bytecode the VM must never see: validation refuses it
    with pytest.raises(AxiomError) as e:
        ship.unship(rt, ship.ship(rt, f))
    assert (e.value.kind, e.value.message) == (
        "IOError", "the data sent from another process is not valid (bad opcode 250)")


@pytest.mark.parametrize("v", [0, -1, 2**63 - 1, -(2**63), 2**63, 0.5, -0.0, float("inf"), None,
                               "", "é\n", "\udc80", "x" * 5000, True, False])
def test_a_plain_value_on_its_own_is_written_as_in_a_structure(rt, v):
    # ship's short way for a lone number, string or nil writes the writer's very bytes
    w = ship._Writer(rt, True)
    w.value(v)
    assert ship.ship(rt, v) == w.finish()
    back = ship.unship(rt, ship.ship(rt, v))
    assert back == v and type(back) is type(v)
    assert ship.unship(rt, ship.ship(rt, [v])) == [v]


def test_a_lone_number_with_bytes_after_it_is_not_valid(rt):
    data = ship.ship(rt, 7)
    with pytest.raises(AxiomError) as e:
        ship.unship(rt, data[:9] + b"\x01\x00\x00\x00")
    assert e.value.kind == "IOError"
