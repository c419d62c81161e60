"""The flat-loop VM (tier 0): runs Code objects.

Pipeline position: last; called by runtime.py. Imports bytecode, intrinsics, prelude and
the SDK.

One loop (`VM.run`) over an explicit list of heap frames: an Axiom-to-Axiom call pushes
a Frame and continues, a return pops one — no Python recursion, so recursion depth is
bounded by memory and by `max_call_depth` (StackOverflow). TAIL_CALL reuses the frame.
When a module calls back into Axiom (a callback given to `map`, a task body), the host
calls `VM.call`, which re-enters `run` for that one call with a bounded re-entry depth.

Every call is decided in one place, `VM.invoke` (Lua's luaD_precall): a script function
runs the entry a JIT tier compiled for it, or gets a tier-0 Frame; a class constructs;
built-in and module functions are called. The loop's CALL inlines invoke's commonest
case (a script function tier 0 runs), and only that. Hotness — calls and loop back
edges — is counted for the JIT tiers (`self.jit`, None under `--jit off`, when tier 0
pays nothing for it).

Frame state (`code ops consts slots stack ip`) lives in locals of `run` while a frame is
current — attribute access in the loop would cost more than the work. It is reloaded in
exactly two places: after a call pushes a frame and after a return pops one (and after
an error unwinds to a handler).
"""

from __future__ import annotations

from axiom_sdk import (
    INT_MAX,
    INT_MIN,
    AxiomError,
    BoundMethod,
    Class,
    Function,
    Instance,
    display,
    equal,
    truthy,
)

from . import intrinsics as I
from .bytecode import INFO, LAST_HOT, NEVER, Code, Op
from .prelude import METHODS, builtin_named, method_of

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; annotations here are strings
    from typing import Any, Final

MAX_REENTRY: Final = 200
_PYFUNCTION: Final = type(lambda: None)  # what a compiled entry is (jit/units.py)
DEEP_HEADROOM: Final = 10_000  # host frames tier 0 may use below compiled code that filled the stack


class OutputClosed(BaseException):
    """The reader of the script's output went away (a closed pipe). A BaseException so
    that it passes through the error handling of the loop and ends the run quietly."""


class _Unset:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<unset>"


UNSET: Final = _Unset()  # an unbound slot or cell (reading it is UndefinedVariable)


class Cell:
    """A captured variable: shared by the frame that declares it and its closures."""

    __slots__ = ("value",)

    def __init__(self, value: Any = UNSET) -> None:
        self.value = value


class Closure(Function):
    """A script function: code, the cells it captured, and the module it belongs to
    (`module.globals` are its globals, `module.runtime` runs it from Python)."""

    __slots__ = ("code", "cells", "module", "name")

    def __init__(self, code: Code, cells: tuple[Cell, ...], module: Any) -> None:
        self.code = code
        self.cells = cells
        self.module = module
        self.name = None if code.anonymous else code.name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        vm = self.module.runtime.vm()
        entry = self.code.jit
        if (type(entry) is _PYFUNCTION and not kwargs and len(args) == self.code.nparams
                and 0 < vm.reentry < MAX_REENTRY and not vm.deep and not vm.limited):
            # a built-in (map, filter, sort's key...) calling back into compiled code on a
            # thread that runs this Runtime's code already: straight to the entry. An
            # error goes up to the run's own re-entry, which locates it.
            vm.reentry += 1
            try:
                return vm.jit.enter(vm, entry, self, args)
            finally:
                vm.reentry -= 1
        return vm.call(self, args, kwargs)

    def direct(self, sample: list[Any], times: int) -> tuple[Any, bool] | None:
        """For a built-in about to call this function `times` times with positional
        arguments like `sample` (map, filter): (a Python callable going straight into its
        compiled entry, whether that entry is pure), on the conditions of the fast path
        of __call__; None when calls must go through __call__. A function not compiled
        yet is compiled now (for `sample`'s types) if that many calls make it hot. A pure
        entry that raises RecursionError has done nothing: the built-in may start again
        through __call__."""
        code = self.code
        n = len(sample)
        if code.nparams != n:
            return None
        vm = self.module.runtime.vm()
        if not 0 < vm.reentry < MAX_REENTRY or vm.deep or vm.limited:
            return None
        entry = code.jit
        if entry is None and vm.jit is not None and code.hot + times > vm.jit.threshold:
            entry = vm.jit.compile(self, sample + [UNSET] * (code.nslots - n))
        if type(entry) is not _PYFUNCTION:
            return None
        from functools import partial
        pure = bool(getattr(entry, "axiom_pure", False))
        lead = ([] if pure else [vm]) + ([self.cells] if code.captures else [])
        return (partial(entry, *lead) if lead else entry), pure


class Frame:
    """One activation. `instance` is the object being built when the frame runs `init`
    (a class call returns it instead of init's result); `handlers` are the active
    `try` blocks as (handler ip, stack depth); `osr` is true while compiled code has
    taken the rest of this activation over (on-stack replacement at a loop)."""

    __slots__ = ("code", "ip", "slots", "stack", "closure", "module", "globals", "handlers",
                 "instance", "osr")

    def __init__(self, code: Code, slots: list[Any], closure: Closure | None, module: Any) -> None:
        self.code = code
        self.ip = 0
        self.slots = slots
        self.stack: list[Any] = []
        self.closure = closure
        self.module = module
        self.globals: dict[str, Any] = module.globals
        self.handlers: list[tuple[int, int]] | None = None
        self.instance: Instance | None = None
        self.osr = False


def _undefined(name: str) -> AxiomError:
    return AxiomError("UndefinedVariable", f"undefined variable '{name}'")


class VM:
    """The frames of one thread of one Runtime."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self.frames: list[Frame] = []
        self.reentry = 0
        self.max_depth: int = runtime.settings["max_call_depth"]
        self.limited: bool = runtime.limited  # a step or time limit: count steps
        self.builtins: dict[str, Any] = runtime.builtins
        self.jit: Any = runtime.jit  # the JIT tiers (jit.Tiers), None under --jit off
        self.deep = 0  # > 0 while calls stay in tier 0 because the host stack is nearly full
        self.nesting = 0  # compiled frames with effects on this thread's host stack

    # -- entry points ------------------------------------------------------------------
    def execute(self, code: Code, module: Any) -> Any:
        """Run a program's main code in `module`'s globals; returns its last value."""
        if self.jit is not None:
            self.jit.register(code, module)
        frame = Frame(code, [UNSET] * code.nslots, None, module)
        return self._reenter(self._run_frame, frame)

    def call(self, fn: Any, args: tuple[Any, ...] | list[Any], kwargs: dict[str, Any] | None = None) -> Any:
        """Call any callable value from the host (a module's callback, an embedder): the
        one re-entry into Axiom from Python, with a bounded depth."""
        return self._reenter(self.invoke, fn, list(args), kwargs or None, None)

    def _reenter(self, run: Any, *args: Any) -> Any:
        if self.reentry >= MAX_REENTRY:
            raise AxiomError("StackOverflow", f"callbacks nested more than {MAX_REENTRY} deep")
        if self.limited:
            self.runtime.tick_call()
        self.reentry += 1
        # A callback may run on a module's own thread, whose context has none of the run's
        # yet: Axiom code always runs under its runtime's capabilities, deadline, memory
        # limit and module state.
        runtime = self.runtime
        tokens = None if runtime.in_context() else runtime.enter_context()
        try:
            return run(*args)
        except AxiomError as e:
            if e.span is None and self.jit is not None:  # raised in compiled code
                self.locate(e)
            raise
        except (KeyboardInterrupt, SystemExit, GeneratorExit, OutputClosed):
            raise
        except BaseException as e:  # a host failure in compiled code
            err = host_error(e)
            self.locate(err, e.__traceback__)
            raise err from None
        finally:
            if tokens is not None:
                runtime.leave_context(tokens)
            self.reentry -= 1

    def deep_call(self, f: Any, args: list[Any]) -> Any:
        """Call `f` with every call under it in tier 0: compiled code found the host stack
        full. Tier 0 keeps its frames on the heap, so the recursion goes on to
        max_call_depth, counting the compiled frames still on the host stack."""
        import sys

        from .jit.support import compiled_depth
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(limit + DEEP_HEADROOM)
        saved = self.max_depth
        if not self.deep:
            self.max_depth = saved - compiled_depth()
        self.deep += 1
        try:
            return self.invoke(f, args, None, None)
        finally:
            self.deep -= 1
            self.max_depth = saved
            sys.setrecursionlimit(limit)

    def locate(self, e: AxiomError, tb: Any = None) -> None:
        """Fill in where `e` happened (span, trace, frame variables), from the Python
        stack it unwound: compiled frames and the VM's frames alike."""
        from .jit.support import locate
        locate(e, tb if tb is not None else e.__traceback__, self.runtime.source_line)

    def resume(self, frame: Frame) -> Any:
        """Run to its end a frame that continues a compiled activation whose guess
        failed (deoptimisation), from `frame.ip`."""
        return self._run_frame(frame)

    def _run_frame(self, frame: Frame) -> Any:
        """Run a tier-0 frame to its return from Python (a host call, or compiled code
        calling a function tier 0 runs)."""
        frames = self.frames
        frames.append(frame)
        stop = len(frames) - 1
        try:
            return self.run(stop)
        finally:
            del frames[stop:]

    # -- the call seam -------------------------------------------------------------------
    def invoke(self, f: Any, args: list[Any], kwargs: dict[str, Any] | None, caller: Frame | None) -> Any:
        """Call any value `f` with `args` (a list the callee may keep) and `kwargs` (None
        or a non-empty dict). With a `caller` (the loop running that frame), a callee that
        tier 0 runs comes back as a Frame for the loop to push; without one (a call from
        the host or compiled code), it is run here. Anything else returns the result."""
        t = type(f)
        if t is Closure:
            return self._invoke_closure(f, args, kwargs, caller, None)
        if t is BoundMethod and type(f.fn) is Closure:
            return self._invoke_closure(f.fn, [f.this, *args], kwargs, caller, None)
        if t is Class:
            inst = Instance(f)
            init = f.find_method("init")
            if init is None:
                if args or kwargs:
                    raise AxiomError("TypeError", f"{f.name}() takes no arguments ({len(args)} given)")
                return inst
            if type(init) is Closure:
                return self._invoke_closure(init, [inst, *args], kwargs, caller, inst)
            init(inst, *args, **(kwargs or {}))
            return inst
        if isinstance(f, Function):
            return f(*args, **kwargs) if kwargs else f(*args)
        raise AxiomError("TypeError", f"{_type(f)} is not callable")

    def _invoke_closure(self, fn: Closure, args: list[Any], kwargs: dict[str, Any] | None,
                        caller: Frame | None, instance: Instance | None) -> Any:
        code = fn.code
        n = len(args)
        if kwargs or n != code.nparams:
            slots = self._bind(fn, args, kwargs or {})
        elif code.nslots > n:
            slots = args + [UNSET] * (code.nslots - n)
        else:
            slots = args
        jit = self.jit
        if jit is not None and not self.deep:
            entry = code.jit
            if entry is None:
                code.hot += 1
                if code.hot > jit.threshold:
                    entry = jit.compile(fn, slots)
            if entry is not None and entry is not NEVER:
                r = jit.enter(self, entry, fn, slots[:code.nparams])
                return instance if instance is not None else r
        if len(self.frames) >= self.max_depth:
            raise self._too_deep()
        frame = Frame(code, slots, fn, fn.module)
        frame.instance = instance
        if caller is not None:
            return frame
        return self._run_frame(frame)

    def _bind(self, fn: Closure, args: list[Any], kwargs: dict[str, Any]) -> list[Any]:
        """Slots for a call with missing, extra or keyword arguments."""
        code = fn.code
        name = f"{code.name}()"
        n = len(args)
        if n > code.nparams:
            raise AxiomError("TypeError", f"{name} takes {_count(code)} but {n} were given")
        slots = args + [UNSET] * (code.nslots - n)
        for key, value in kwargs.items():
            try:
                i = code.param_names.index(key)
            except ValueError:
                raise AxiomError("TypeError", f"{name} got an unexpected keyword argument '{key}'") from None
            if i < n:
                raise AxiomError("TypeError", f"{name} got argument '{key}' twice")
            slots[i] = value
        for i in range(code.min_args):
            if slots[i] is UNSET:
                given = n + len(kwargs)
                raise AxiomError("TypeError", f"{name} missing argument '{code.param_names[i]}' "
                                              f"(takes {_count(code)}, {given} given)")
        return slots

    def _tail(self, frame: Frame, new: Frame) -> None:
        """Make `frame` continue as `new` (a tail call: no frame is added). An `init`
        frame keeps its instance, which is still what it returns."""
        frame.code = new.code
        frame.closure = new.closure
        frame.module = new.module
        frame.globals = new.globals
        frame.slots = new.slots
        frame.stack.clear()
        frame.ip = 0
        if frame.instance is None:
            frame.instance = new.instance

    # -- the loop ---------------------------------------------------------------------------
    def run(self, stop: int,
            # The hot opcodes as locals (defaults are bound once, at definition): a local
            # load is the cheapest comparison operand, and bytecode.Op stays their one home.
            LOAD_VAR: int = Op.LOAD_VAR, LOAD_CONST: int = Op.LOAD_CONST,
            STORE_VAR: int = Op.STORE_VAR, LOAD_GLOBAL: int = Op.LOAD_GLOBAL, ADD: int = Op.ADD,
            SUB: int = Op.SUB, LT: int = Op.LT, LE: int = Op.LE, EQ: int = Op.EQ,
            JUMP_IF_FALSE: int = Op.JUMP_IF_FALSE, JUMP: int = Op.JUMP, CALL: int = Op.CALL,
            RETURN: int = Op.RETURN, TAIL_CALL: int = Op.TAIL_CALL, GT: int = Op.GT,
            GE: int = Op.GE, NE: int = Op.NE, MUL: int = Op.MUL, LOAD_CELL: int = Op.LOAD_CELL,
            LOAD_FREE: int = Op.LOAD_FREE, POP: int = Op.POP, METHOD_CALL: int = Op.METHOD_CALL,
            GET_ATTR: int = Op.GET_ATTR, INDEX: int = Op.INDEX, FOR_ITER: int = Op.FOR_ITER,
            JUMP_IF_TRUE: int = Op.JUMP_IF_TRUE, DIV: int = Op.DIV, MOD: int = Op.MOD,
            STORE_CELL: int = Op.STORE_CELL, LAST_HOT: int = LAST_HOT,
            STORE_GLOBAL: int = Op.STORE_GLOBAL, MIN: int = INT_MIN, MAX: int = INT_MAX) -> Any:
        """Run until the frame at index `stop` returns; returns its value."""
        frames = self.frames
        builtins = self.builtins
        limited = self.limited
        tick = self.runtime.tick
        tick_call = self.runtime.tick_call
        jitting = self.jit is not None

        frame = frames[-1]
        code = frame.code
        ops = code.ops
        consts = code.consts
        slots = frame.slots
        stack = frame.stack
        ip = frame.ip
        while True:
            try:
                while True:
                    op, arg = ops[ip]
                    ip += 1
                    if op <= LAST_HOT:
                        if op == LOAD_VAR:
                            v = slots[arg]
                            if v is UNSET:
                                raise _undefined(code.slot_names[arg])
                            stack.append(v)
                        elif op == LOAD_CONST:
                            stack.append(consts[arg])
                        elif op == STORE_VAR:
                            slots[arg] = stack.pop()
                        elif op == LOAD_GLOBAL:
                            name = consts[arg]
                            v = frame.globals.get(name, UNSET)
                            if v is UNSET:
                                v = builtins.get(name, UNSET)
                                if v is UNSET:
                                    v = self._builtin(name)
                            stack.append(v)
                        elif op == ADD:
                            b = stack.pop()
                            a = stack[-1]
                            if type(a) is int and type(b) is int:
                                r = a + b
                                if r > MAX or r < MIN:
                                    raise I.overflow("+", a, b)
                                stack[-1] = r
                            else:
                                stack[-1] = I.add(a, b)
                        elif op == SUB:
                            b = stack.pop()
                            a = stack[-1]
                            if type(a) is int and type(b) is int:
                                r = a - b
                                if r > MAX or r < MIN:
                                    raise I.overflow("-", a, b)
                                stack[-1] = r
                            else:
                                stack[-1] = I.sub(a, b)
                        elif op == LT:
                            b = stack.pop()
                            a = stack[-1]
                            stack[-1] = a < b if type(a) is type(b) is int else I.compare("<", a, b)
                        elif op == LE:
                            b = stack.pop()
                            a = stack[-1]
                            stack[-1] = a <= b if type(a) is type(b) is int else I.compare("<=", a, b)
                        elif op == EQ:
                            b = stack.pop()
                            a = stack[-1]
                            ta = type(a)
                            stack[-1] = a == b if ta is type(b) and (ta is int or ta is str) else equal(a, b)
                        elif op == JUMP_IF_FALSE:
                            v = stack.pop()
                            if v is False or v is None or (v is not True and not truthy(v)):
                                ip = arg
                        elif op == JUMP:
                            if arg < ip and (limited or jitting):  # a loop's back edge
                                if limited:
                                    tick(ip - arg)
                                if jitting and not frame.handlers:
                                    frame.ip = ip
                                    done = self.jit.back_edge(self, frame, arg)
                                    if done is not None:
                                        if type(done) is int:  # compiled code left it here
                                            ip = done
                                            continue
                                        stack.append(done[0])  # compiled code ran the rest
                                        ip = len(ops) - 1  # the final RETURN or HALT
                                        continue
                            ip = arg
                        elif op == CALL or op == TAIL_CALL:
                            f = stack[-arg - 1]
                            n = len(stack) - arg
                            args = stack[n:]
                            if limited:
                                tick_call()
                            if type(f) is Closure and (not jitting or f.code.jit is NEVER):
                                # invoke's commonest case, inlined: a function tier 0 runs
                                fcode = f.code
                                if op == TAIL_CALL and not frame.handlers:
                                    # reuse this frame for the callee (no new frame)
                                    if arg == fcode.nparams:
                                        if fcode.nslots > arg:
                                            args += [UNSET] * (fcode.nslots - arg)
                                    else:
                                        args = self._bind(f, args, {})
                                    frame.code = code = fcode
                                    frame.closure = f
                                    frame.module = f.module
                                    frame.globals = f.module.globals
                                    frame.slots = slots = args
                                    stack.clear()
                                    ops = code.ops
                                    consts = code.consts
                                    ip = 0
                                    continue
                                del stack[n - 1:]
                                if arg == fcode.nparams:
                                    if fcode.nslots > arg:
                                        args += [UNSET] * (fcode.nslots - arg)
                                    if len(frames) >= self.max_depth:
                                        raise self._too_deep()
                                    new = Frame(fcode, args, f, f.module)
                                else:
                                    new = Frame(fcode, self._bind(f, args, {}), f, f.module)
                                    if len(frames) >= self.max_depth:
                                        raise self._too_deep()
                            else:
                                del stack[n - 1:]
                                frame.ip = ip
                                new = self.invoke(f, args, None, frame)
                                if type(new) is not Frame:
                                    stack.append(new)
                                    continue
                                if op == TAIL_CALL and not frame.handlers:
                                    self._tail(frame, new)
                                    code = frame.code
                                    slots = frame.slots
                                    ops = code.ops
                                    consts = code.consts
                                    ip = 0
                                    continue
                            # push the callee: the first of the two places frames change
                            frame.ip = ip
                            frames.append(new)
                            frame = new
                            code = new.code
                            ops = code.ops
                            consts = code.consts
                            slots = new.slots
                            stack = new.stack
                            ip = 0
                        elif op == RETURN:
                            v = stack.pop()
                            frames.pop()
                            if frame.instance is not None:
                                v = frame.instance
                            if len(frames) == stop:
                                return v
                            # back to the caller: the second place frames change
                            frame = frames[-1]
                            code = frame.code
                            ops = code.ops
                            consts = code.consts
                            slots = frame.slots
                            stack = frame.stack
                            ip = frame.ip
                            stack.append(v)
                        elif op == GT:
                            b = stack.pop()
                            a = stack[-1]
                            stack[-1] = a > b if type(a) is type(b) is int else I.compare(">", a, b)
                        elif op == GE:
                            b = stack.pop()
                            a = stack[-1]
                            stack[-1] = a >= b if type(a) is type(b) is int else I.compare(">=", a, b)
                        elif op == NE:
                            b = stack.pop()
                            a = stack[-1]
                            ta = type(a)
                            stack[-1] = a != b if ta is type(b) and (ta is int or ta is str) else not equal(a, b)
                        elif op == MUL:
                            b = stack.pop()
                            a = stack[-1]
                            if type(a) is int and type(b) is int:
                                r = a * b
                                if r > MAX or r < MIN:
                                    raise I.overflow("*", a, b)
                                stack[-1] = r
                            else:
                                stack[-1] = I.mul(a, b)
                        elif op == LOAD_CELL:
                            v = slots[arg].value
                            if v is UNSET:
                                raise _undefined(code.slot_names[arg])
                            stack.append(v)
                        elif op == LOAD_FREE:
                            v = frame.closure.cells[arg].value  # type: ignore[union-attr]
                            if v is UNSET:
                                raise _undefined(_free_name(frame, arg))
                            stack.append(v)
                        elif op == POP:
                            stack.pop()
                        elif op == METHOD_CALL:
                            frame.ip = ip
                            called = self._method_call(stack, consts[arg], frame)
                            if called is not None:
                                frames.append(called)
                                frame = called
                                code = called.code
                                ops = code.ops
                                consts = code.consts
                                slots = called.slots
                                stack = called.stack
                                ip = 0
                        elif op == GET_ATTR:
                            stack[-1] = I.get_attr(stack[-1], consts[arg], METHODS)
                        elif op == INDEX:
                            i = stack.pop()
                            obj = stack[-1]
                            if type(obj) is list and type(i) is int:
                                try:
                                    stack[-1] = obj[i]
                                except IndexError:
                                    stack[-1] = I.index(obj, i)
                            else:
                                stack[-1] = I.index(obj, i)
                        elif op == FOR_ITER:
                            try:
                                stack.append(next(stack[-1]))
                            except StopIteration:
                                stack.pop()
                                ip = arg
                        elif op == JUMP_IF_TRUE:
                            v = stack.pop()
                            if v is True or (v is not False and v is not None and truthy(v)):
                                ip = arg
                        elif op == DIV:
                            b = stack.pop()
                            a = stack[-1]
                            if type(a) is float and type(b) is float and b:
                                stack[-1] = a / b
                            else:
                                stack[-1] = I.div(a, b)
                        elif op == MOD:
                            b = stack.pop()
                            a = stack[-1]
                            if type(a) is int and type(b) is int and a >= 0 and b > 0:
                                stack[-1] = a % b  # the common case: no signs to fix up
                            else:
                                stack[-1] = I.mod(a, b)
                        elif op == STORE_CELL:
                            slots[arg].value = stack.pop()
                        else:  # STORE_FREE
                            frame.closure.cells[arg].value = stack.pop()  # type: ignore[union-attr]
                    elif op == STORE_GLOBAL:
                        frame.globals[consts[arg]] = stack.pop()
                    else:
                        frame.ip = ip
                        r = SLOW_OPS[op](self, arg, frame, stack, slots, consts)
                        if r is not None:  # the frame changed (an import ran, a HALT)
                            if r is _HALTED:
                                v = stack.pop() if stack else None
                                frames.pop()
                                return v
                            frame = frames[-1]
                            code = frame.code
                            ops = code.ops
                            consts = code.consts
                            slots = frame.slots
                            stack = frame.stack
                        ip = frame.ip
            except AxiomError as e:
                frame.ip = ip
                self._unwind(e, stop)
            except (KeyboardInterrupt, SystemExit, GeneratorExit, OutputClosed):
                raise
            except BaseException as e:  # a host failure inside an instruction
                frame.ip = ip
                self._unwind(host_error(e), stop)
            # resume in the frame that caught the error
            frame = frames[-1]
            code = frame.code
            ops = code.ops
            consts = code.consts
            slots = frame.slots
            stack = frame.stack
            ip = frame.ip

    def _builtin(self, name: str) -> Any:
        """A built-in not yet used in this run (made now), else UndefinedVariable."""
        v = builtin_named(name)
        if v is None:
            raise _undefined(name)
        self.builtins[name] = v
        return v

    def _too_deep(self) -> AxiomError:
        # the setting, not max_depth: deep_call lowers that by the compiled frames on the
        # host stack, which count towards the same limit
        return AxiomError("StackOverflow", f"call depth exceeded {self.runtime.settings['max_call_depth']} "
                                           "(setting max_call_depth)")

    def _unwind(self, e: AxiomError, stop: int) -> None:
        """Find a handler for `e` in the frames above `stop`; re-raise when none.
        The error's position, trace and frame variables are taken first, where it
        was raised."""
        frames = self.frames
        if e.span is None:
            if self.jit is not None:
                self.locate(e)
            else:
                self.runtime.locate(e, frames)
        while len(frames) > stop:
            f = frames[-1]
            if f.handlers:
                handler_ip, depth = f.handlers.pop()
                del f.stack[depth:]
                f.stack.append(I.caught(e))
                f.ip = handler_ip
                return
            if len(frames) - 1 == stop:
                break
            frames.pop()
        raise e

    # -- method calls --------------------------------------------------------------------------
    def _method_call(self, stack: list[Any], shape: tuple[str, int, tuple[str, ...] | None],
                     frame: Frame) -> Frame | None:
        """`obj.name(args)`: pushes the result, or returns a Frame to run."""
        name, argc, kwnames = shape
        total = argc + (len(kwnames) if kwnames else 0)
        base = len(stack) - total
        obj = stack[base - 1]
        args = stack[base:base + argc]
        kwargs = dict(zip(kwnames, stack[base + argc:])) if kwnames else None
        del stack[base - 1:]
        t = type(obj)
        if t is Instance:
            fields = obj.fields
            if name in fields:
                f = fields[name]
            else:
                m = obj.cls.find_method(name)
                if m is None:
                    raise AxiomError("AttributeError", f"{obj.cls.name} has no method '{name}'")
                f = m
                args = [obj, *args]
        else:
            table = METHODS.get(t)
            if table is not None:
                m = table.get(name) or method_of(t, name)
                if m is not None:
                    stack.append(m(obj, *args, **kwargs) if kwargs else m(obj, *args))
                    return None
            f = I.get_attr(obj, name, METHODS)
        r = self.invoke(f, args, kwargs, frame)
        if type(r) is Frame:
            return r
        stack.append(r)
        return None

    def call_kw(self, frame: Frame, stack: list[Any], shape: tuple[int, tuple[str, ...]],
                tail: bool) -> Any:
        """CALL_KW and TAIL_CALL_KW: returns True when the loop must reload the frame."""
        argc, names = shape
        total = argc + len(names)
        base = len(stack) - total
        f = stack[base - 1]
        args = stack[base:base + argc]
        kwargs = dict(zip(names, stack[base + argc:]))
        del stack[base - 1:]
        new = self.invoke(f, args, kwargs, frame)
        if type(new) is not Frame:
            stack.append(new)
            return None
        if tail and not frame.handlers:
            self._tail(frame, new)
        else:
            self.frames.append(new)
        return True


def _free_name(frame: Frame, index: int) -> str:
    names = frame.code.free_names
    return names[index] if index < len(names) else "<captured>"


def host_error(e: BaseException) -> AxiomError:
    """The Axiom error for a host exception raised inside an instruction."""
    if isinstance(e, RecursionError):
        return AxiomError("StackOverflow", "host recursion limit reached (data or "
                                           "callbacks nested too deeply)")
    if isinstance(e, MemoryError):
        return AxiomError("LimitExceeded", "out of memory (the run needed more memory than "
                                           "it may use: --max-memory)")
    err = AxiomError("Error", f"internal error: {type(e).__name__}: {e} "
                              "(this is a bug in Axiom; please report it)")
    err.__cause__ = e
    err.internal = True  # type: ignore[attr-defined]
    return err


# --- the instructions outside the loop's hot set ----------------------------------------------
# One function per opcode, called as f(vm, arg, frame, stack, slots, consts) with frame.ip
# already past the instruction. Each returns None to continue in the same frame (at
# frame.ip, which it may change), True when the current frame changed, or _HALTED at the
# end of a program.

_HALTED: Final = object()


def _op_pop_try(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    frame.handlers.pop()  # type: ignore[union-attr]


def _op_setup_try(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    if frame.handlers is None:
        frame.handlers = []
    frame.handlers.append((arg, len(stack)))


def _op_dup(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    stack.append(stack[-1])


def _op_dup2(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    stack.extend(stack[-2:])


def _op_jump_if_false_or_pop(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any],
                             consts: list[Any]) -> Any:
    if truthy(stack[-1]):
        stack.pop()
    else:
        frame.ip = arg


def _op_jump_if_true_or_pop(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any],
                            consts: list[Any]) -> Any:
    if truthy(stack[-1]):
        frame.ip = arg
    else:
        stack.pop()


def _op_in(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    b = stack.pop()
    stack[-1] = I.contains(stack[-1], b)


def _op_not(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    stack[-1] = not truthy(stack[-1])


def _op_neg(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    stack[-1] = I.neg(stack[-1])


def _op_render(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    v = stack[-1]
    if type(v) is not str:
        stack[-1] = display(v)


def _op_format(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    stack[-1] = I.format_value(stack[-1], consts[arg])


def _op_build_str(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    n = len(stack) - arg
    s = "".join(stack[n:])
    del stack[n:]
    stack.append(s)


def _op_make_list(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    n = len(stack) - arg
    items = stack[n:]
    del stack[n:]
    stack.append(items)


def _op_make_dict(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    n = len(stack) - 2 * arg
    items = stack[n:]
    del stack[n:]
    stack.append(I.make_dict(items))


def _op_list_repeat(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    count = stack.pop()
    stack[-1] = I.list_repeat(stack[-1], count)


def _op_make_range(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    b = stack.pop()
    stack[-1] = I.make_range(stack[-1], b, bool(arg))


def _op_set_attr(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    v = stack.pop()
    I.set_attr(stack.pop(), consts[arg], v)


def _op_set_index(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    v = stack.pop()
    i = stack.pop()
    I.set_index(stack.pop(), i, v)


def _op_slice(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    hi = stack.pop() if arg & 2 else None
    lo = stack.pop() if arg & 1 else None
    stack[-1] = I.slice_(stack[-1], lo, hi)


def _op_get_iter(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    stack[-1] = I.iterate(stack[-1])


def _op_unpack(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    stack.extend(I.unpack(stack.pop(), arg))


def _op_make_closure(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    code: Code = consts[arg]
    cells = tuple(slots[i] if from_slot else frame.closure.cells[i]  # type: ignore[union-attr]
                  for from_slot, i in code.captures)
    stack.append(Closure(code, cells, frame.module))


def _op_new_cell(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    slots[arg] = Cell()


def _op_cell_param(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    slots[arg] = Cell(slots[arg])


def _op_is_unset(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    stack.append(slots[arg] is UNSET)


def _op_make_class(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    stack[-1] = I.make_class(consts[arg], stack[-1])


def _op_add_method(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    fn = stack.pop()
    stack[-1].methods[consts[arg]] = fn


def _op_super_get(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    this = stack.pop()
    stack[-1] = I.super_get(stack[-1], this, consts[arg])


def _op_throw(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    raise I.thrown(stack.pop())


def _op_out(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    vm.runtime.write(vm.runtime.render(stack.pop()), arg)


def _op_call_kw(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    return vm.call_kw(frame, stack, consts[arg], False)


def _op_tail_call_kw(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    return vm.call_kw(frame, stack, consts[arg], True)


def _op_import(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    stack.append(vm.runtime.import_module(consts[arg], frame.code.filename))


def _op_import_from(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    stack.append(stack[-1].get_symbol(consts[arg]))


def _op_alloc_fixed(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    stack[-1] = I.check_fixed(consts[arg], stack[-1], True)


def _op_check_fixed(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    stack[-1] = I.check_fixed(consts[arg], stack[-1], False)


def _op_free_var(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    if type(slots[arg]) is Cell:
        slots[arg].value = UNSET
    else:
        slots[arg] = UNSET


def _op_free_global(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    name = consts[arg]
    if frame.globals.pop(name, UNSET) is UNSET:
        raise _undefined(name)


def _op_halt(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    return _HALTED


def _op_nop(vm: VM, arg: int, frame: Frame, stack: list[Any], slots: list[Any], consts: list[Any]) -> Any:
    pass


def _slow_ops() -> list[Any]:
    """The handler of each opcode outside the loop's hot set, indexed by opcode."""
    by_op = {
        Op.POP_TRY: _op_pop_try, Op.SETUP_TRY: _op_setup_try, Op.DUP: _op_dup,
        Op.DUP2: _op_dup2, Op.JUMP_IF_FALSE_OR_POP: _op_jump_if_false_or_pop,
        Op.JUMP_IF_TRUE_OR_POP: _op_jump_if_true_or_pop, Op.IN: _op_in, Op.NOT: _op_not,
        Op.NEG: _op_neg, Op.RENDER: _op_render, Op.FORMAT: _op_format,
        Op.BUILD_STR: _op_build_str, Op.MAKE_LIST: _op_make_list, Op.MAKE_DICT: _op_make_dict,
        Op.LIST_REPEAT: _op_list_repeat, Op.MAKE_RANGE: _op_make_range,
        Op.SET_ATTR: _op_set_attr, Op.SET_INDEX: _op_set_index, Op.SLICE: _op_slice,
        Op.GET_ITER: _op_get_iter, Op.UNPACK: _op_unpack, Op.MAKE_CLOSURE: _op_make_closure,
        Op.NEW_CELL: _op_new_cell, Op.CELL_PARAM: _op_cell_param, Op.IS_UNSET: _op_is_unset,
        Op.MAKE_CLASS: _op_make_class, Op.ADD_METHOD: _op_add_method,
        Op.SUPER_GET: _op_super_get, Op.THROW: _op_throw, Op.OUT: _op_out,
        Op.CALL_KW: _op_call_kw, Op.TAIL_CALL_KW: _op_tail_call_kw, Op.IMPORT: _op_import,
        Op.IMPORT_FROM: _op_import_from, Op.ALLOC_FIXED: _op_alloc_fixed,
        Op.CHECK_FIXED: _op_check_fixed, Op.FREE_VAR: _op_free_var,
        Op.FREE_GLOBAL: _op_free_global, Op.HALT: _op_halt, Op.NOP: _op_nop,
    }
    table: list[Any] = [None] * (max(INFO) + 1)
    for op, handler in by_op.items():
        table[op] = handler
    return table


SLOW_OPS: Final = _slow_ops()


def _type(v: Any) -> str:
    from axiom_sdk import typeof
    return typeof(v)


def _count(code: Code) -> str:
    lo, hi = code.min_args, code.nparams
    n = f"{lo}" if lo == hi else f"from {lo} to {hi}"
    return f"{n} argument" + ("" if hi == 1 and lo == 1 else "s")
