"""The embedding API: axiom.Runtime with eval, run_file, call, globals, output, grants."""

from __future__ import annotations

import io

import pytest

import axiom
from axiom import conf
from axiom_sdk import AxiomError, Function


def _rt(**kwargs):
    out = io.StringIO()
    rt = axiom.Runtime(settings=dict(conf.DEFAULTS), stdout=out, **kwargs)
    return rt, out


def test_eval_returns_the_last_expression_and_keeps_globals():
    rt, out = _rt()
    assert rt.eval("let x = 20\nx + 1") == 21
    assert rt.eval("x * 2") == 40
    assert rt.globals["x"] == 20
    assert rt.eval("let y = 1") is None


def test_output_is_redirected():
    rt, out = _rt()
    err = io.StringIO()
    rt.stderr = err
    rt.eval('out "to out"\nerr "to err"')
    assert out.getvalue() == "to out\n" and err.getvalue() == "to err\n"


def test_call_a_script_function_with_host_values():
    rt, _ = _rt()
    rt.eval("fn greet(name, punct = \"!\") { @\"hi {name}{punct}\" }")
    assert rt.call("greet", "ada") == "hi ada!"
    assert rt.call("greet", "ada", punct="?") == "hi ada?"
    with pytest.raises(AxiomError) as e:
        rt.call("nope")
    assert e.value.kind == "UndefinedVariable"


def test_host_can_call_closures_it_gets_back():
    rt, _ = _rt()
    make = rt.eval("|k| |x| x * k")
    triple = make(3)
    assert triple(5) == 15


def test_run_file_and_errors_carry_positions(tmp_path):
    script = tmp_path / "s.ax"
    script.write_text("let a = 1\nlet b = a / 0\n")
    rt, _ = _rt()
    with pytest.raises(AxiomError) as e:
        rt.run_file(script)
    assert e.value.kind == "DivisionByZero"
    assert e.value.span == (str(script), 2, 9, 13)
    assert e.value.trace == [("main", str(script), 2)]


def test_an_embedded_runtime_grants_nothing_by_default(tmp_path):
    (tmp_path / "f.txt").write_text("data")
    from axiom_sdk import Module
    from axiom_sdk.testing import register
    m = Module("reader")

    @m.export(needs=["fs.read:path"])
    def read(path: str) -> str:
        """Read a file."""
        with open(path) as f:
            return f.read()

    rt, _ = _rt()
    register(rt, m)
    with pytest.raises(AxiomError) as e:
        rt.eval(f'import reader\nreader.read("{tmp_path / "f.txt"}")')
    assert e.value.kind == "PermissionDenied"
    assert e.value.message == (f"fs.read denied for {tmp_path / 'f.txt'} "
                               f"(grant it with --allow-read={tmp_path / 'f.txt'})")
    rt2, _ = _rt(grants={"fs.read": [str(tmp_path)]})
    register(rt2, m)
    assert rt2.eval(f'import reader\nreader.read("{tmp_path / "f.txt"}")') == "data"
    outside = tmp_path.parent / "outside.txt"
    outside.write_text("x")
    (tmp_path / "link.txt").symlink_to(outside)
    with pytest.raises(AxiomError) as e:
        rt2.eval(f'reader.read("{tmp_path / "link.txt"}")')
    assert e.value.kind == "PermissionDenied"


def test_stop_hooks_run_on_close():
    from axiom_sdk import Module
    from axiom_sdk.testing import register
    m = Module("hooked")
    seen = []
    m.on_stop(lambda: seen.append("stopped"))
    rt, _ = _rt()
    register(rt, m)
    rt.eval("import hooked")
    rt.close()
    rt.close()
    assert seen == ["stopped"]


def test_the_host_stays_healthy_after_a_stack_overflow():
    rt, _ = _rt()
    rt.settings["max_call_depth"] = 1000
    with pytest.raises(AxiomError) as e:
        rt.eval("fn f() { f() + 1 }\nf()")
    assert e.value.kind == "StackOverflow"
    assert rt.eval("1 + 1") == 2


def test_callbacks_on_a_module_thread_keep_the_runs_capabilities(tmp_path):
    import threading

    from axiom_sdk import Module
    from axiom_sdk.testing import register
    m = Module("bg")
    results = []

    @m.export(needs=["env"])
    def secret() -> str:
        """Needs env."""
        return "s"

    @m.export
    def in_thread(fn: Function) -> None:
        """Run fn on another thread and wait."""
        def work():
            try:
                results.append(fn())
            except AxiomError as e:
                results.append(e.kind)
        t = threading.Thread(target=work)
        t.start()
        t.join()

    rt, _ = _rt()
    register(rt, m)
    rt.eval("import bg\nbg.in_thread(|| bg.secret())")
    rt2, _ = _rt(grants={"env"})
    register(rt2, m)
    rt2.eval("import bg\nbg.in_thread(|| bg.secret())")
    assert results == ["PermissionDenied", "s"]


def test_foreign_operators_orderings_and_their_errors():
    from axiom_sdk import Module
    from axiom_sdk.testing import register
    m = Module("boxes")

    @m.export
    def box(v: int) -> object:
        """A box."""
        return _Box(v)

    m.foreign_type("box", _Box, ops={
        "<": lambda a, b, r: a.v < b.v,
        "==": lambda a, b, r: isinstance(b, _Box) and a.v == b.v,
        "+": lambda a, b, r: _explode(),
    })
    rt, _ = _rt()
    register(rt, m)
    rt.eval("import boxes\nlet a = boxes.box(1)\nlet b = boxes.box(2)")
    assert rt.eval("[a < b, a > b, a <= b, b >= a, a == boxes.box(1), a != b]") == \
        [True, False, True, True, True, True]
    with pytest.raises(AxiomError) as e:
        rt.eval("a + b")
    assert (e.value.kind, e.value.message) == ("ValueError", "box +: boxes do not add")


class _Box:
    def __init__(self, v):
        self.v = v


def _explode():
    raise ValueError("boxes do not add")


def test_list_methods_that_give_back_the_scripts_own_values_skip_the_conversion():
    # map, filter, copy... return the script's values (its items, what its functions
    # returned): converting them walks the result item by item (0.1 s for a million).
    from axiom.prelude import method_of
    as_is = ("map", "filter", "copy", "pop", "remove_at", "reduce")
    assert [method_of(list, name).skip_convert for name in as_is] == [True] * len(as_is)
    assert method_of(list, "index_of").skip_convert is False
    rt, _ = _rt()
    assert rt.eval("[[1], [2, 3]].map(|x| x + [0]).filter(|x| len(x) > 2).copy()") == [[2, 3, 0]]
    assert rt.eval("[1, 2, 3].reduce(|a, b| a + b)") == 6
