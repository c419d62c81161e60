"""What compiled code calls at run time: its slow paths, calls out of compiled code, and
error reports for compiled frames.

Pipeline position: used by the code tier 1 generates (jit/emit.py names these functions
in the namespace of every compiled unit) and by the VM to locate errors once compiled
code has run. Imports the VM, intrinsics, errors and the SDK.

Generated code never reaches a host object a script could not reach in tier 0: every
operation it does not do inline goes through these functions, which are the VM's own
(`VM.invoke`, intrinsics) or thin wrappers around them.
"""

from __future__ import annotations

import sys

from axiom_sdk import AxiomError

from .. import intrinsics as I
from ..bytecode import Op
from ..prelude import METHODS, builtin_named, method_of
from ..vm import UNSET, VM, Closure, OutputClosed, host_error

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import FrameType, TracebackType
    from typing import Any, Final

    from ..bytecode import Code

# Exceptions that pass through an Axiom `try` untouched (as in tier 0).
PASS_THROUGH: Final = (KeyboardInterrupt, SystemExit, GeneratorExit, OutputClosed)

# Python code object of a compiled unit -> (its Axiom Code, slot per Python local name,
# whether it is a program's main code, its module). Filled by jit/units.py; read when
# locating errors.
COMPILED: dict[Any, tuple[Code, dict[str, int], bool, Any]] = {}
# The Python code of the DEOPT functions: a compiled frame calling one has handed its
# activation to a tier-0 frame (which then represents it).
DEOPT_CODES: set[Any] = set()


# --- failures ---------------------------------------------------------------------------

def undefined(name: str) -> Any:
    raise AxiomError("UndefinedVariable", f"undefined variable '{name}'")


def overflow(op: str, a: Any, b: Any = None) -> Any:
    raise I.overflow(op, a, b)


def load_builtin(builtins: dict[str, Any], name: str) -> Any:
    """A name that is not a global: a built-in (made on first use), else undefined."""
    v = builtins.get(name, UNSET)
    if v is UNSET:
        v = builtin_named(name)
        if v is None:
            undefined(name)
        builtins[name] = v
    return v


def free_global(globals_: dict[str, Any], name: str) -> None:
    if globals_.pop(name, UNSET) is UNSET:
        undefined(name)


# --- calls out of compiled code ---------------------------------------------------------

def enter(vm: VM, entry: Any, fn: Any, args: Any) -> Any:
    """Call a compiled entry of closure `fn` from outside compiled code (the VM, a helper):
    a pure unit is where a full host stack is recovered (a RecursionError from anywhere
    under it runs the call again in tier 0, which nobody can tell apart); a unit with
    effects gets the VM. Calls of up to four arguments are spelt out: a star call would
    recurse on the C stack."""
    cells = fn.code.captures and fn.cells
    if entry.axiom_pure:
        try:
            if cells:
                return _call(entry, cells, args)
            return _call0(entry, args)
        except RecursionError:
            return vm.deep_call(fn, list(args))
    if cells:
        return _call2(entry, vm, cells, args)
    return _call(entry, vm, args)


def _call0(f: Any, a: Any) -> Any:
    n = len(a)
    if n == 0:
        return f()
    if n == 1:
        return f(a[0])
    if n == 2:
        return f(a[0], a[1])
    if n == 3:
        return f(a[0], a[1], a[2])
    return f(*a)


def _call(f: Any, x: Any, a: Any) -> Any:
    n = len(a)
    if n == 0:
        return f(x)
    if n == 1:
        return f(x, a[0])
    if n == 2:
        return f(x, a[0], a[1])
    if n == 3:
        return f(x, a[0], a[1], a[2])
    return f(x, *a)


def _call2(f: Any, x: Any, y: Any, a: Any) -> Any:
    n = len(a)
    if n == 0:
        return f(x, y)
    if n == 1:
        return f(x, y, a[0])
    if n == 2:
        return f(x, y, a[0], a[1])
    return f(x, y, *a)


class Calls:
    """The calls compiled code makes for one Runtime (a namespace's `CALLS`). Each gets
    the VM of the thread the compiled code runs on."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime

    def here(self) -> VM:
        """This thread's VM (for pure compiled code, which is not given it)."""
        return self.runtime.vm()  # type: ignore[no-any-return]

    def call(self, vm: VM, f: Any, *args: Any) -> Any:
        """`f(args)` for any f: a compiled function directly, anything else through the
        VM's invoke."""
        if type(f) is Closure and not vm.deep:
            code = f.code
            entry = code.jit
            if type(entry) is _FUNCTION and len(args) == code.nparams:
                return enter(vm, entry, f, args)
        return vm.invoke(f, list(args), None, None)

    def call_ic(self, vm: VM, ic: MethodCache, f: Any, *args: Any) -> Any:
        """`f(args)` at a site with an inline cache (the generated code calls `ic.fn` itself
        while f's code is `ic.cls`): fills the cache when f is a script function with a
        compiled entry for this many arguments."""
        if type(f) is Closure and not vm.deep:
            code = f.code
            entry = code.jit
            if type(entry) is _FUNCTION and len(args) == code.nparams:
                fn = _closure_adapter(entry, len(args), bool(getattr(entry, "axiom_pure", False)),
                                      bool(code.captures))
                if fn is not None:
                    ic.cls = code
                    ic.fn = fn
                    self.runtime.jit.watch(code, ic)
                return enter(vm, entry, f, args)
        return vm.invoke(f, list(args), None, None)

    def call_kw(self, vm: VM, f: Any, names: tuple[str, ...], *values: Any) -> Any:
        n = len(values) - len(names)
        return vm.invoke(f, list(values[:n]), dict(zip(names, values[n:])), None)

    def method(self, vm: VM, obj: Any, name: str, *args: Any) -> Any:
        """`obj.name(args)` (no keywords), as tier 0's METHOD_CALL."""
        return self.method_kw(vm, obj, name, (), *args)

    def method_kw(self, vm: VM, obj: Any, name: str, names: tuple[str, ...], *values: Any) -> Any:
        n = len(values) - len(names)
        args = list(values[:n])
        kwargs = dict(zip(names, values[n:])) if names else None
        t = type(obj)
        if t is I.Instance:
            fields = obj.fields
            if name in fields:
                f = fields[name]
            else:
                m = obj.cls.find_method(name)
                if m is None:
                    raise AxiomError("AttributeError", f"{obj.cls.name} has no method '{name}'")
                if type(m) is Closure and not kwargs:
                    return self.call(vm, m, obj, *args)
                f = m
                args = [obj, *args]
        else:
            table = METHODS.get(t)
            if table is not None:
                m = table.get(name) or method_of(t, name)
                if m is not None:
                    return m(obj, *args, **kwargs) if kwargs else m(obj, *args)
            f = I.get_attr(obj, name, METHODS)
        if not kwargs:
            return self.call(vm, f, *args)
        return vm.invoke(f, args, kwargs, None)

    def method_ic(self, vm: VM, ic: MethodCache, obj: Any, name: str, *args: Any) -> Any:
        """`obj.name(args)` at a site with an inline cache (the generated code calls
        `ic.fn` itself while obj's class is `ic.cls`): fills the cache when the method is
        a script function with a compiled entry for this many arguments."""
        if type(obj) is I.Instance and name not in obj.fields and not vm.deep:
            m = obj.cls.find_method(name)
            if type(m) is Closure:
                code = m.code
                entry: Any = code.jit
                pure = getattr(entry, "axiom_pure", False)
                if type(entry) is _FUNCTION and not code.captures and len(args) + 1 == code.nparams:
                    target: Any = entry
                    if _guards_pass(ic.kinds, entry):
                        target = target.axiom_body
                    fn: Any = _vm_adapter(target, m, len(args) + 1) if pure else target
                    if fn is not None:
                        ic.cls = obj.cls
                        ic.fn = fn
                        self.runtime.jit.watch(code, ic)
                        return fn(vm, obj, *args)
        return self.method(vm, obj, name, *args)

    def out(self, v: Any, stream: int) -> None:
        rt = self.runtime
        rt.write(rt.render(v), stream)

    def import_module(self, name: str, importer: str) -> Any:
        return self.runtime.import_module(name, importer)

    def caught(self, e: BaseException) -> Any:
        """What `catch e` binds for a failure raised inside a compiled `try`: the Axiom
        error (host failures translated as tier 0 does), located where it was raised."""
        err = e if isinstance(e, AxiomError) else host_error(e)
        if err.span is None:
            locate(err, e.__traceback__, self.runtime.source_line)
        return I.caught(err)


_FUNCTION: Final = type(undefined)


class MethodCache:
    """One method call site's inline cache: the class last seen there, and the compiled
    entry of its method, called as fn(vm, self, args). At a call of a function value,
    `cls` is the code last called there and fn(vm, closure, args) calls its entry.
    Emptied (cls None) when that entry is dropped (Tiers.reset)."""

    __slots__ = ("cls", "fn", "kinds")

    def __init__(self, kinds: tuple[str, ...] | None = None) -> None:
        self.cls: Any = None
        self.fn: Any = None
        # what the site knows of self and the arguments (infer's kinds): where they pass
        # the entry's type guards, `fn` is the compiled body itself, one call fewer
        self.kinds = kinds


def _guards_pass(kinds: tuple[str, ...] | None, entry: Any) -> bool:
    """Whether arguments of these kinds always pass `entry`'s type guards: its spec
    (units.compile_for) guards each kind but "any"."""
    spec = getattr(entry, "axiom_spec", None)
    return (kinds is not None and spec is not None and len(kinds) == len(spec)
            and all(s[0] == "any" or k == s[0] for k, s in zip(kinds, spec)))


def _vm_adapter(entry: Any, fn: Closure, n: int) -> Any:
    """A pure entry called as fn(vm, args): where a full host stack is recovered, as in
    `enter` (a RecursionError runs the call again in tier 0)."""
    if n == 1:
        def call1(vm: VM, a: Any) -> Any:
            try:
                return entry(a)
            except RecursionError:
                return vm.deep_call(fn, [a])
        return call1
    if n == 2:
        def call2(vm: VM, a: Any, b: Any) -> Any:
            try:
                return entry(a, b)
            except RecursionError:
                return vm.deep_call(fn, [a, b])
        return call2
    if n == 3:
        def call3(vm: VM, a: Any, b: Any, c: Any) -> Any:
            try:
                return entry(a, b, c)
            except RecursionError:
                return vm.deep_call(fn, [a, b, c])
        return call3
    return None


_ADAPTERS: dict[tuple[int, bool, bool], Any] = {}


def _closure_adapter(entry: Any, n: int, pure: bool, cells: bool) -> Any:
    """The compiled entry of a closure with `n` parameters called as fn(vm, closure,
    args), as `enter` calls it (a pure one is where a full host stack is recovered); None
    past three arguments. The adapters' text is fixed: only the entry varies."""
    if n > 3:
        return None
    make = _ADAPTERS.get((n, pure, cells))
    if make is None:
        params = "".join(f", a{i}" for i in range(n))
        lead = ("" if pure else ", vm") + (", f.cells" if cells else "")
        call = f"entry({(lead + params)[2:]})"
        body = (f"        try:\n            return {call}\n        except RecursionError:\n"
                f"            return vm.deep_call(f, [{params[2:]}])\n") if pure else f"        return {call}\n"
        ns: dict[str, Any] = {}
        exec(f"def make(entry):\n    def call(vm, f{params}):\n{body}    return call\n", ns)
        make = _ADAPTERS[(n, pure, cells)] = ns["make"]
    return make(entry)


# --- where an error happened, across tiers ---------------------------------------------------

class Activation:
    """A compiled frame as error reports see a VM Frame: code, ip (past the
    instruction), slots, `closure` (None for a program's main code), module, globals."""

    __slots__ = ("code", "ip", "slots", "closure", "module", "globals")

    def __init__(self, code: Code, ip: int, slots: list[Any], main: bool, module: Any) -> None:
        self.code = code
        self.ip = ip
        self.slots = slots
        self.closure = None if main else True
        self.module = module
        self.globals = module.globals


_RUN_CODE: Final = VM.run.__code__
_CLOSURE_CALL: Final = Closure.__call__.__code__  # a built-in calling back into a script
_PLUMBING: Final = (VM.run.__code__.co_filename, __file__, __file__.replace("support.py", "units.py"),
                    __file__.replace("support.py", "native"))
_TAIL_CALLS: Final = frozenset({Op.TAIL_CALL, Op.TAIL_CALL_KW})


def activations(tb: TracebackType | None) -> list[Any]:
    """The Axiom activations, outermost first, from the Python stack that `tb` (a
    traceback being handled) belongs to: compiled frames where they are, and the VM
    frames each running `VM.run` owns. A VM frame that compiled code took over (OSR)
    is represented by that compiled frame."""
    if tb is None:
        return []
    pyframes = _outer(tb.tb_frame.f_back)
    t: TracebackType | None = tb
    while t is not None:
        pyframes.append((t.tb_frame, t.tb_lasti))
        t = t.tb_next
    return _activations(pyframes)


def activations_here() -> list[Any]:
    """The Axiom activations of the running thread, outermost first (where a module
    asks for the script's position)."""
    return _activations(_outer(sys._getframe(1)))


def _outer(f: Any) -> list[tuple[FrameType, int]]:
    pyframes: list[tuple[FrameType, int]] = []
    while f is not None:
        pyframes.append((f, f.f_lasti))
        f = f.f_back
    pyframes.reverse()
    return pyframes


def _activations(pyframes: list[tuple[FrameType, int]]) -> list[Any]:
    # which VM.run invocations are live, to cut each VM's frame list between them
    runs = [(fr.f_locals.get("self"), fr.f_locals.get("stop", 0), i)
            for i, (fr, _) in enumerate(pyframes) if fr.f_code is _RUN_CODE]
    out: list[Any] = []
    where: list[int] = []  # the index in pyframes each activation comes from
    for i, (fr, lasti) in enumerate(pyframes):
        info = COMPILED.get(fr.f_code)
        if info is not None and i + 1 < len(pyframes) and pyframes[i + 1][0].f_code in DEOPT_CODES:
            continue  # its activation goes on in a tier-0 frame
        if info is not None:
            code, names, main, module = info
            ip = _ip_at(fr.f_code, lasti)
            out.append(Activation(code, ip + 1, _slots(fr, code, names), main, module))
            where.append(i)
            continue
        if fr.f_code is _RUN_CODE:
            vm, stop, _ = next(r for r in runs if r[2] == i)
            if vm is None:
                continue
            later = [r[1] for r in runs if r[0] is vm and r[2] > i]
            end = min(later) if later else len(vm.frames)
            found = [x for x in vm.frames[stop:end] if not x.osr]
            out.extend(found)
            where.extend([i] * len(found))
    # An activation whose tail call another one runs is gone in tier 0 (the callee took
    # its frame over): so it is here, unless a built-in stands between the two.
    return [a for k, a in enumerate(out)
            if not (k + 1 < len(out) and where[k] != where[k + 1]
                    and a.code.ops[a.ip - 1][0] in _TAIL_CALLS
                    and _direct(pyframes, where[k], where[k + 1]))]


def _direct(pyframes: list[tuple[FrameType, int]], caller: int, callee: int) -> bool:
    """Whether only the tiers' own plumbing (the VM's call seam, entries, adapters,
    generated code) runs between two Python frames: no built-in or module function."""
    for fr, _ in pyframes[caller + 1:callee]:
        pycode = fr.f_code
        if pycode is _CLOSURE_CALL or (pycode.co_filename.endswith(".py")
                                       and not pycode.co_filename.startswith(_PLUMBING)):
            return False
    return True


def _ip_at(pycode: Any, lasti: int) -> int:
    """The Axiom instruction a compiled Python instruction came from (its column)."""
    positions = list(pycode.co_positions())
    k = max(lasti, 0) // 2
    col = positions[k][2] if k < len(positions) else None
    return col if col is not None else 0


def _slots(fr: FrameType, code: Code, names: dict[str, int]) -> list[Any]:
    slots = [UNSET] * code.nslots
    for name, value in fr.f_locals.items():
        i = names.get(name)
        if i is not None:
            slots[i] = value
    return slots


def compiled_depth() -> int:
    """How many compiled Axiom frames are on this thread's Python stack."""
    n = 0
    f: Any = sys._getframe(1)
    deopting = False
    while f is not None:
        if f.f_code in COMPILED and not deopting:
            n += 1
        deopting = f.f_code in DEOPT_CODES
        f = f.f_back
    return n


def locate(e: AxiomError, tb: TracebackType | None, source_line: Any) -> None:
    from ..errors import locate as locate_in
    locate_in(e, activations(tb), source_line)


