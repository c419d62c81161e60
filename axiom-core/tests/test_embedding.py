"""A Runtime a host can rely on: each run gets its own budget, host functions, module
state per Runtime, flat memory over thousands of runs, and metrics a host can read."""

from __future__ import annotations

import functools
import gc
import io
import math
import sys

import pytest

from axiom import Runtime, conf
from axiom.metrics import rss_bytes
from axiom_sdk import AxiomError, Module
from axiom_sdk.testing import register

LOOP = "while true { }"


def _rt(**kwargs):
    return Runtime(settings=dict(conf.DEFAULTS), stdout=io.StringIO(), **kwargs)


def _raises(rt, source):
    with pytest.raises(AxiomError) as e:
        rt.eval(source)
    return e.value


# -- a Runtime stays usable after each kind of limit -----------------------------------

def test_each_eval_gets_the_whole_step_budget():
    rt = _rt(limits={"max_steps": 5000})
    e = _raises(rt, LOOP)
    assert (e.kind, e.message) == ("LimitExceeded", "the run took more than 5000 instruction steps "
                                                    "(--max-steps)")
    assert rt.eval("1 + 1") == 2
    # a program needing most of the budget runs after the failure, and again after that
    body = "let t = 0\nfor i in 0..500 { t += i }\nt"
    assert rt.eval(body) == 124750
    assert rt.eval(body) == 124750


def test_a_shared_budget_is_spent_across_evals():
    body = "let t = 0\nfor i in 0..300 { t += i }\nt"
    each = _rt(limits={"max_steps": 5000})
    shared = _rt(limits={"max_steps": 5000, "budget": "shared"})
    assert shared.eval(body) == 44850
    one = shared.steps
    assert shared.eval(body) == 44850 and shared.steps == 2 * one
    fits = 5000 // one
    for _ in range(fits - 2):
        shared.eval(body)
    assert _raises(shared, body).kind == "LimitExceeded"  # what is left is not enough
    for _ in range(fits + 3):
        assert each.eval(body) == 44850  # a budget of its own every time


def test_a_runtime_stays_usable_after_a_timeout():
    rt = _rt(limits={"timeout": 0.2})
    e = _raises(rt, LOOP)
    assert (e.kind, e.message) == ("LimitExceeded", "the run took longer than 0.2 s (--timeout)")
    assert rt.eval("let t = 0\nfor i in 0..20000 { t += 1 }\nt") == 20000


def test_a_runtime_stays_usable_after_a_stack_overflow():
    rt = _rt(limits={"max_call_depth": 500, "max_steps": 1_000_000})
    e = _raises(rt, "fn f(n) { f(n + 1) + 1 }\nf(0)")
    assert (e.kind, e.message) == ("StackOverflow", "call depth exceeded 500 (setting max_call_depth)")
    assert rt.eval("fn g(n) { if n == 0 then 0 else g(n - 1) + 1 }\ng(400)") == 400


def test_a_runtime_stays_usable_after_its_memory_limit():
    rt = _rt(limits={"max_memory": 10})
    e = _raises(rt, "let l = []\nfor i in 0..3000000 { l.push([1, 2, 3, 4, 5, 6, 7, 8]) }")
    assert (e.kind, e.message) == ("LimitExceeded", "the run holds more than 10 MB of memory "
                                                    "(--max-memory)")
    assert 0 < rt.eval("len(l)") < 3_000_000  # stopped early, not after the 3,000,000 pushes
    rt.eval("l = nil")
    gc.collect()
    assert rt.eval("let m = []\nfor i in 0..20000 { m.push([i]) }\nlen(m)") == 20000


def test_the_memory_limit_counts_what_the_run_holds_not_the_process():
    big = bytearray(64 * 1024 * 1024)  # the host's own memory is not the script's
    rt = _rt(limits={"max_memory": 16})
    assert rt.eval("let m = []\nfor i in 0..50000 { m.push(i) }\nlen(m)") == 50000
    del big


def test_unknown_limits_are_refused():
    with pytest.raises(ValueError, match="unknown limit 'max_stpes'"):
        _rt(limits={"max_stpes": 10})
    with pytest.raises(ValueError, match="'each' or 'shared'"):
        _rt(limits={"budget": "pooled"})


def test_the_hosts_recursion_limit_is_restored_after_a_run():
    before = sys.getrecursionlimit()
    rt = _rt()
    rt.eval("1 + 1")
    assert sys.getrecursionlimit() == before
    with pytest.raises(AxiomError):
        rt.eval("1 / 0")
    assert sys.getrecursionlimit() == before


# -- host functions ----------------------------------------------------------------------

def test_a_python_callable_in_globals_is_callable_from_scripts():
    rt = _rt()
    rt.globals["f"] = lambda x: x * 2
    assert rt.eval("f(21)") == 42
    assert rt.eval("typeof(f)") == "function"


def test_register_checks_arguments_from_type_hints_like_an_export():
    rt = _rt()

    def area(w: float, h: float = 1.0, *, unit: str = "m") -> str:
        return f"{w * h} {unit}2"

    rt.register("area", area)
    assert rt.eval('area(2, 3, unit="cm")') == "6.0 cm2"
    assert rt.eval("area(4)") == "4.0 m2"
    e = _raises(rt, 'area("wide")')
    assert (e.kind, e.message) == ("TypeError", "area: argument 'w' expects float, got str")
    e = _raises(rt, "area(1, 2, 3)")
    assert (e.kind, e.message) == ("TypeError", "area: expected 1 to 2 arguments, got 3")


def test_host_function_errors_are_translated_like_an_exports():
    rt = _rt()

    def parse(text: str) -> int:
        return int(text)

    def lookup(key: str) -> int:
        return {"a": 1}[key]

    rt.register("parse", parse)
    rt.globals["lookup"] = lookup
    e = _raises(rt, 'parse("x")')
    assert (e.kind, e.message) == ("ValueError", "parse: invalid literal for int() with base 10: 'x'")
    assert e.span is not None and e.span[1] == 1
    e = _raises(rt, 'lookup("b")')
    assert (e.kind, e.message) == ("KeyError", "lookup: b")
    # a script can catch it like any error
    assert rt.eval('try { parse("x") } catch e { e.kind }') == "ValueError"


def test_bound_methods_callable_objects_and_builtins_become_host_functions():
    class Counter:
        def __init__(self):
            self.n = 0

        def add(self, k: int) -> int:
            self.n += k
            return self.n

        def __call__(self) -> int:
            return self.n

    c = Counter()
    rt = _rt()
    rt.register("add", c.add)
    rt.register("count", c)
    rt.register("hypot", math.hypot)
    rt.register("twice", functools.partial(lambda k, x: k * x, 2))
    assert rt.eval("add(2)\nadd(3)\n[count(), hypot(3, 4), twice(5)]") == [5, 5.0, 10]
    assert _raises(rt, 'add("x")').message == "add: argument 'k' expects int, got str"


def test_host_results_and_arguments_are_converted():
    rt = _rt()
    rt.register("pairs", lambda d: sorted(d.items()))
    rt.register("big", lambda: 2**70)
    assert rt.eval('pairs({"b": 2, "a": 1})') == [["a", 1], ["b", 2]]
    assert _raises(rt, "big()").kind == "Overflow"


def test_a_foreign_value_that_happens_to_be_callable_stays_uncallable():
    m = Module("gadgets")

    @m.foreign_type("gadget")
    class Gadget:
        def __call__(self):
            return "host code ran"

    @m.export
    def gadget() -> Gadget:
        """A gadget."""
        return Gadget()

    rt = _rt()
    register(rt, m)
    rt.globals["g2"] = Gadget()
    e = _raises(rt, "import gadgets\nlet g = gadgets.gadget()\ng()")
    assert (e.kind, e.message) == ("TypeError", "gadget is not callable")
    assert _raises(rt, "g2()").message == "gadget is not callable"


def test_unsupported_type_hints_name_the_host_function():
    import pathlib

    def where(p: pathlib.Path) -> str:
        return str(p)

    rt = _rt()
    with pytest.raises(TypeError, match="cannot make 'where' a function scripts can call"):
        rt.register("where", where)


def test_call_wraps_host_callables_too():
    rt = _rt()
    rt.globals["inc"] = lambda x: x + 1
    rt.eval("fn apply(f, x) { f(x) }")
    assert rt.call("apply", rt.globals["inc"], 1) == 2
    assert rt.call("inc", 41) == 42


# -- module state per Runtime ------------------------------------------------------------

def _lifecycle_module(seen):
    m = Module("life")

    @m.per_run
    class State:
        def __init__(self):
            self.items = []

    m.on_init(lambda: seen.append("init"))
    m.on_stop(lambda: seen.append("stop"))

    @m.export
    def add(x: int) -> list:
        """Remember x in this run."""
        m.state().items.append(x)
        return list(m.state().items)

    return m


def test_init_runs_once_per_runtime():
    seen = []
    m = _lifecycle_module(seen)
    for _ in range(2):
        rt = _rt()
        register(rt, m)
        rt.eval("import life\nlife.add(1)")
        rt.eval("import life\nlife.add(2)")  # the same run: no second init
        rt.close()
    assert seen == ["init", "stop", "init", "stop"]


def test_two_runtimes_never_see_each_others_module_state():
    seen = []
    m = _lifecycle_module(seen)
    a, b = _rt(), _rt()
    register(a, m)
    register(b, m)
    assert a.eval("import life\nlife.add(1)") == [1]
    assert b.eval("import life\nlife.add(10)") == [10]
    assert a.eval("life.add(2)") == [1, 2]
    assert b.eval("life.add(20)") == [10, 20]
    a.close()
    assert b.eval("life.add(30)") == [10, 20, 30]
    b.close()
    assert seen == ["init", "init", "stop", "stop"]


def test_a_module_provided_to_one_runtime_is_not_importable_from_another():
    m = Module("private_to_a")
    a, b = _rt(), _rt()
    register(a, m)
    assert a.eval("import private_to_a\ntypeof(private_to_a)") == "module"
    assert _raises(b, "import private_to_a").kind == "ModuleNotFound"


def test_two_runtimes_keep_their_own_grants_and_limits(tmp_path):
    (tmp_path / "f.txt").write_text("data")
    m = Module("reader")

    @m.export(needs=["fs.read:path"])
    def read(path: str) -> str:
        """Read a file."""
        with open(path) as f:
            return f.read()

    open_rt = _rt(grants={"fs.read": [str(tmp_path)]})
    closed_rt = _rt(limits={"max_steps": 1000})
    register(open_rt, m)
    register(closed_rt, m)
    src = f'import reader\nreader.read("{tmp_path / "f.txt"}")'
    assert open_rt.eval(src) == "data"
    assert _raises(closed_rt, src).kind == "PermissionDenied"
    assert _raises(closed_rt, LOOP).kind == "LimitExceeded"
    assert open_rt.eval("let t = 0\nfor i in 0..5000 { t += 1 }\nt") == 5000


def test_a_module_used_outside_any_runtime_has_a_process_run():
    from axiom_sdk.testing import call, end_run
    seen = []
    m = _lifecycle_module(seen)
    assert call(m, "add", 1) == [1]
    assert call(m, "add", 2) == [1, 2]
    assert end_run(m) == 0
    assert call(m, "add", 3) == [3]  # a fresh run after end_run
    end_run(m)
    assert seen == ["init", "stop", "init", "stop"]


# -- many runs, one process --------------------------------------------------------------

SCRIPT = ("fn fib(n) { if n < 2 then n else fib(n - 1) + fib(n - 2) }\n"
          "let words = \"a b c d\".split(\" \").map(|w| w * 3)\n"
          "out @ \"{fib(12)} {len(words)}\"\n")


def _growth(run, warmup, n):
    for i in range(warmup):
        run(i)
    gc.collect()
    before = rss_bytes()
    for i in range(n):
        run(i)
    gc.collect()
    return rss_bytes() - before


def test_thousands_of_scripts_through_fresh_runtimes_keep_memory_flat():
    m = _lifecycle_module([])

    def run(i):
        out = io.StringIO()
        rt = Runtime(settings=dict(conf.DEFAULTS), stdout=out, limits={"max_steps": 100_000},
                     grants={"env"} if i % 2 else None)
        register(rt, m)
        rt.eval(SCRIPT + f"import life\nlife.add({i})")
        assert out.getvalue() == "144 4\n"
        rt.close()

    assert _growth(run, 200, 2000) < 2 * 1024 * 1024


def test_thousands_of_scripts_through_one_runtime_keep_memory_flat():
    rt = _rt(limits={"max_steps": 100_000})

    def run(i):
        assert rt.eval(SCRIPT + f"let x = {i}\nx") == i

    assert _growth(run, 200, 2000) < 2 * 1024 * 1024


# -- metrics -----------------------------------------------------------------------------

def test_metrics_count_instructions_exactly_and_report_the_rest():
    def steps(n):
        rt = _rt(metrics=True)
        rt.eval(f"let t = 0\nfor i in 0..{n} {{ t += i }}")
        return rt.metrics()["instructions"]

    a, b, c = steps(1000), steps(2000), steps(3000)
    assert b - a == c - b > 1000  # a fixed cost plus the same steps per iteration
    rt = _rt(metrics=True)
    rt.eval("let xs = []\nfor i in 0..20000 { xs.push([i]) }")
    m = rt.metrics()
    assert set(m) == {"script", "wall_seconds", "cpu_seconds", "instructions",
                      "instructions_per_second", "calls", "jit_compiled", "memory_peak_bytes",
                      "gc_collections", "threads_peak", "modules"}
    assert m["instructions"] > 20000 and m["instructions_per_second"] > 0
    assert m["jit_compiled"] == {"host": 1, "native": 0}  # the loop
    assert m["memory_peak_bytes"] >= rss_bytes() // 2
    assert len(m["gc_collections"]) == 3 and sum(m["gc_collections"]) >= 1  # 20,000 lists
    assert 0 < m["cpu_seconds"] and 0 < m["wall_seconds"]
    assert m["threads_peak"] >= 1


def test_metrics_without_counting_say_so():
    rt = _rt()
    rt.eval("1 + 1")
    m = rt.metrics()
    assert m["instructions"] is None and m["instructions_per_second"] is None


def test_a_host_registers_a_runtimes_metrics_in_its_own_prometheus_registry():
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.parser import text_string_to_metric_families
    rt = _rt(metrics=True)
    registry = CollectorRegistry()
    registry.register(rt.prometheus_collector(labels={"job": "etl"}))
    key = ("axiom_instructions_total", (("job", "etl"),))
    rt.eval("let t = 0\nfor i in 0..1000 { t += i }")
    first = _samples(text_string_to_metric_families(generate_latest(registry).decode()))
    assert first[key] == rt.metrics()["instructions"]
    rt.eval("for i in 0..1000 { }")  # read again at the next scrape
    second = _samples(text_string_to_metric_families(generate_latest(registry).decode()))
    assert second[key] == rt.metrics()["instructions"] > first[key]
    assert second[("axiom_jit_compiled_functions_total", (("job", "etl"), ("tier", "host")))] == 0
    assert second[("axiom_gc_collections_total", (("generation", "2"), ("job", "etl")))] >= 0
    assert second[("axiom_memory_peak_bytes", (("job", "etl"),))] > 0


def _samples(families):
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for f in families for s in f.samples}
