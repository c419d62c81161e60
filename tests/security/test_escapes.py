"""The escape corpus: what a script may try in order to reach the host (Python) behind
its values. Every attempt must fail with an Axiom error and show nothing of the host: no
Python type, object, module or address in the message, and no value handed back.

Covered: dunder and `_` names read, called and assigned on every kind of value; module
internals (the Python names a module's package holds); foreign values' host methods;
format-spec tricks in interpolation; and built-ins used as a path to Python objects.
A script is not allowed to tell a Python object exists, so messages are checked too.
"""

from __future__ import annotations

import io
import re

import pytest

from axiom import Runtime, conf
from axiom_sdk import AxiomError

# Expressions of every kind of value a script can hold (set up by PRELUDE).
VALUES = {
    "int": "1", "float": "1.5", "str": '"s"', "bool": "true", "nil": "nil", "list": "[1]",
    "fixed list": "fixed", "dict": '{"a": 1}', "set": "set([1])", "range": "0..3",
    "function": "f", "closure": "|x| x", "class": "P", "instance": "P()", "bound method": "P().m",
    "builtin": "len", "module": "mth", "module function": "mth.sqrt", "error": "caught",
    "iterator": "ioo.stdin_lines()", "dataframe": "frame",
    "tensor": "num.zeros(2)", "mutex": "con.mutex_new()", "task": "con.spawn_task(|| 1)",
    "channel end": "con.channel_create(1)[0]", "html": 'web.html_parse("<p>x</p>")',
    "element": 'web.css_select(web.html_parse("<p>x</p>"), "p")[0]', "buffer": "ioo.buffer_new()",
    "graph": "alg.graph_new()", "ARGS": "ARGS",
}

PRELUDE = """import mth
import col
import con
import dfm
import num
import ioo
import web
import alg
class P { fn init(self) { self.x = 1 } fn m(self) { 1 } }
fn f(a) { a }
let caught = nil
try { 1 / 0 } catch e { caught = e }
let frame = dfm.df_from_list([{"a": 1}])
let fixed(4) = [1, 2]
"""

# Names that lead to the host in Python: reading, calling or setting them must fail.
HOST_NAMES = [
    "__class__", "__dict__", "__globals__", "__code__", "__init__", "__new__", "__subclasses__",
    "__builtins__", "__getattribute__", "__getattr__", "__reduce__", "__reduce_ex__", "__mro__",
    "__bases__", "__module__", "__self__", "__func__", "__closure__", "__wrapped__", "__call__",
    "__doc__", "__name__", "__qualname__", "__slots__", "__weakref__", "__axiom_foreign__",
    "__loader__", "__spec__", "__file__", "__import__", "_private", "_lock", "_symbols",
    "_tasks", "gi_frame", "f_globals", "tb_frame", "cr_frame", "mro", "fn", "frame", "code",
    "module", "runtime", "closure", "fields", "cls", "proc", "info",
]

# Python's own words for its objects: none may show in anything a script sees.
# (Axiom's own displays, `<class P>` and `<module mth>`, are not these.)
LEAKS = re.compile(r"<class '|<module '|<function \S+ at|<built-in|<bound method \S+ of|"
                   r" object at 0x|Traceback|File \"|site-packages|builtins\.|NoneType|__\w+__")


def _run(source: str) -> tuple[AxiomError | None, str]:
    out = io.StringIO()
    rt = Runtime(grants=None, settings=dict(conf.DEFAULTS), limits={"timeout": 20}, stdout=out)
    try:
        rt.eval(PRELUDE + source, "escape.ax")
    except AxiomError as e:
        return e, out.getvalue()
    finally:
        rt.close()
    return None, out.getvalue()


def _assert_contained(source: str, name: str, err: AxiomError | None, printed: str,
                      kinds: tuple[str, ...]) -> None:
    assert err is not None, f"{source!r} succeeded and printed {printed!r}"
    assert err.kind in kinds, (source, err.kind, err.message)
    shown = err.message.replace(name, "")  # the name the script wrote may be quoted back
    assert not LEAKS.search(shown), (source, err.message)
    assert not LEAKS.search(printed), (source, printed)


@pytest.mark.parametrize("what", list(VALUES))
def test_host_names_are_never_resolved_on_any_value(what):
    """Read (`v.NAME`), called (`v.NAME()`) and assigned (`v.NAME = 1`): an error every
    time. A dict reads its own keys (`d.__class__` is `d["__class__"]`: a KeyError), and a
    script's own instance or dict may hold any field it sets. One program per value: each
    attempt in its own try, reporting what it got."""
    lines = [f"let v = {VALUES[what]}"]
    forms = []
    for name in HOST_NAMES:
        forms += [(name, f"let r = v.{name}"), (name, f"let r = v.{name}()")]
        if what not in ("instance", "dict"):
            forms.append((name, f"v.{name} = 1\nlet r = v.{name}"))
    for i, (_, form) in enumerate(forms):
        lines.append(f'try {{\n{form}\nout @"{i}|got|{{r}}"\n}} '
                     f'catch e {{ out @"{i}|{{e.kind}}|{{e.message}}" }}')
    err, printed = _run("\n".join(lines))
    assert err is None, (what, err.kind, err.message)
    results = printed.splitlines()
    assert len(results) == len(forms), printed[-500:]
    for line, (name, form) in zip(results, forms):
        _, kind, message = line.split("|", 2)
        assert kind in ("AttributeError", "KeyError", "SymbolNotFound", "TypeError"), (what, form, line)
        assert not LEAKS.search(message.replace(name, "")), (what, form, line)


@pytest.mark.parametrize("module, name", [
    ("mth", "math"), ("mth", "module"), ("con", "threading"), ("con", "_tasks"), ("con", "sys"),
    ("con", "Task"), ("dfm", "pl"), ("dfm", "os"), ("dfm", "DataFrame"), ("jsn", "json"),
    ("jsn", "orjson"), ("ioo", "os"), ("ioo", "subprocess"), ("ioo", "sys"), ("sys", "psutil"),
    ("web", "_http"), ("web", "httpx"), ("num", "np"), ("str", "_re2"), ("git", "pygit2"),
    ("env", "os"), ("pth", "shutil"), ("plt", "matplotlib"), ("tim", "time"), ("aut", "watchfiles"),
])
def test_module_internals_are_not_symbols(module, name):
    err, printed = _run(f"import {module}\nout {module}.{name}")
    _assert_contained(f"{module}.{name}", name, err, printed, ("SymbolNotFound",))
    assert err is not None and err.message.startswith(f"module '{module}' has no symbol '{name}'")


@pytest.mark.parametrize("source", [
    "mth.sqrt = 1", "mth.PI = 3", "mth.__dict__ = 1", "mth._x = 1",
])
def test_modules_are_read_only(source):
    err, printed = _run(source + "\nout mth.sqrt(4)")
    _assert_contained(source, source.split(".")[1].split(" ")[0], err, printed,
                      ("AttributeError", "SymbolNotFound"))


@pytest.mark.parametrize("expr, method", [
    ("frame", "write_csv"), ("frame", "write_parquet"), ("frame", "to_pandas"), ("frame", "lazy"),
    ("frame", "sql"), ("frame", "eager"), ("frame", "height"), ("frame", "names"),
    ("num.zeros(2)", "tofile"), ("num.zeros(2)", "dump"), ("num.zeros(2)", "tolist"),
    ("num.zeros(2)", "astype"), ("num.zeros(2)", "a"), ("num.zeros(2)", "ctypes"),
    ("con.mutex_new()", "acquire"), ("con.spawn_task(|| 1)", "thread"), ("con.spawn_task(|| 1)", "_run"),
    ('web.html_parse("<p>x</p>")', "root"), ('web.html_parse("<p>x</p>")', "tree"),
    ("ioo.buffer_new()", "getvalue"), ("alg.graph_new()", "g"), ("caught", "with_traceback"),
    ("caught", "args"), ("caught", "__traceback__"),
])
def test_foreign_values_expose_only_their_declared_methods(expr, method):
    for form in (f"let v = {expr}\nout v.{method}", f"let v = {expr}\nout v.{method}(\"/tmp/x\")"):
        err, printed = _run(form)
        _assert_contained(form, method, err, printed, ("AttributeError", "TypeError"))


@pytest.mark.parametrize("source, kind", [
    ('let x = 1\nout @"{x:{x}}"', "SyntaxError"),          # a spec is literal text
    ('let x = 1\nout @"{x!r}"', "SyntaxError"),
    ('let x = "s"\nout @"{x.__class__}"', "AttributeError"),
    ('let x = P()\nout @"{x:>10}"', None),                  # an instance formats its display
    ('out @"{1114112:c}"', "ValueError"),                    # once an internal OverflowError
    ('out @"{-1:c}"', "ValueError"),
    ('out @"{1:{}}"', "SyntaxError"),
    ('out @"{1:%s}"', "ValueError"),
    ('out @"{1.5:!s}"', "ValueError"),
    ('out @"{"a":0>99999999999999999999}"', "ValueError"),
    ('out @"{f:>5}"', None),
    ('out @"{mth:>30}"', None),
    ('out @"{frame:>10}"', None),
])
def test_format_specs_reach_nothing_but_the_value(source, kind):
    err, printed = _run(source)
    if kind is None:
        assert err is None and not LEAKS.search(printed), (source, err, printed)
    else:
        _assert_contained(source, "__class__", err, printed, (kind,))


@pytest.mark.parametrize("source", [
    "out typeof(len)", "out str(len)", "out len", "out str(mth)", "out str(mth.sqrt)",
    "out str(P)", "out str(P().m)", "out typeof(frame)", "out str(caught)", "out typeof(caught)",
    "out [len, str, int, print]", "out {\"f\": f}", "let d = {}\nd[len] = 1",
    "out set([f])", "out sorted([len, str])", "out len == len", "out len(len)", "out int(len)",
    "out str.__class__", "out typeof.__self__", "out ARGS.__class__", "out (|| 1).__code__",
])
def test_builtins_are_no_path_to_python_objects(source):
    """Built-ins and functions are values that display as Axiom names; using them as data
    is an Axiom error, never a host object or its repr."""
    err, printed = _run(source)
    assert not LEAKS.search(printed), (source, printed)
    if err is not None:
        assert err.kind in ("TypeError", "AttributeError", "UndefinedVariable", "ValueError",
                            "KeyError"), (source, err.kind, err.message)
        assert not LEAKS.search(err.message.replace("'__class__'", "").replace("'__self__'", "")
                                .replace("'__code__'", "")), (source, err.message)
